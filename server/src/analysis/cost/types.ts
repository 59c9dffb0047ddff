import { DataType } from '../ir/dtype';
import { PeakDtype } from './chips';
import { NodeRecord, ValueRecord } from '../shape/engine';

/**
 * Per-op cost, before any chip is chosen: how much arithmetic and how much memory traffic one execution
 * of the node needs. Formulas live with each op family in `cost/ops/` and are documented in
 * docs/cost-model.md.
 */
export type ExecutionUnit = 'tensor' | 'vector' | 'none';

export interface OpCost {
  /** Floating-point (or integer) operations; a multiply-accumulate counts 2. */
  readonly flops: number;
  /** Multiply-accumulates, for ops that are MAC-based (MatMul, Conv, attention matmuls); null otherwise. */
  readonly macs: number | null;
  /** Bytes of activations read (inputs that are not weights). */
  readonly activationBytesRead: number;
  /** Bytes of weights read (initializers and Constant outputs). */
  readonly weightBytes: number;
  readonly bytesWritten: number;
  /** The unit that executes it: matrix units, vector/SIMD units, or nothing (a view such as Reshape). */
  readonly unit: ExecutionUnit;
  /** The element type that sets the peak rate (the dtype of the arithmetic). */
  readonly dtype: DataType | null;
  /** False when the op could not be modelled; `reason` then says why. Never silently zero. */
  readonly modelled: boolean;
  readonly reason?: string;
  /** Notes the user should see (e.g. "causal: half the score matrix"). */
  readonly notes?: readonly string[];
  /**
   * Set only by what-ifs (advise/whatif.ts, e.g. a quantised weight): the arithmetic runs in this type
   * and the byte counts are already final, so `--dtype` neither changes the peak nor rescales the bytes.
   */
  readonly arithmeticDtype?: PeakDtype;
}

/** What a cost rule sees: the node's inferred types, plus helpers that turn them into numbers. */
export interface CostContext {
  readonly record: NodeRecord;
  readonly opset: number;
  /** Elements of input i, when its shape is fully known; null if unknown; 0 when absent. */
  inputElements(i: number): number | null;
  outputElements(i: number): number | null;
  /** Bytes of input i in memory (dtype size × elements), null if unknown; 0 when absent. */
  inputBytes(i: number): number | null;
  outputBytes(i: number): number | null;
  /** Concrete dims of input i (null when any dim is not a known number). */
  inputDims(i: number): readonly number[] | null;
  outputDims(i: number): readonly number[] | null;
  /** True when input i is a weight (an initializer, or produced by a Constant node). */
  isWeight(i: number): boolean;
  input(i: number): ValueRecord | null;
  /** True when optional input i is given (listed and not the empty name). */
  hasInput(i: number): boolean;
  int(name: string, fallback: number): number;
  /** A float attribute (an int attribute is accepted as its value). */
  float(name: string, fallback: number): number;
  ints(name: string): readonly number[] | undefined;
  string(name: string, fallback: string): string;
}

export type CostRule = (ctx: CostContext) => OpCost;

const rules = new Map<string, CostRule>();
/** The same rules by domain, then op type: looked up once per node per profile, without building a key string. */
const rulesByDomain = new Map<string, Map<string, CostRule>>();

export function registerCost(domain: string, opTypes: readonly string[], rule: CostRule): void {
  let byOpType = rulesByDomain.get(domain);
  if (byOpType === undefined) rulesByDomain.set(domain, (byOpType = new Map()));
  for (const opType of opTypes) {
    rules.set(`${domain}::${opType}`, rule);
    byOpType.set(opType, rule);
  }
}

export function lookupCost(domain: string, opType: string): CostRule | undefined {
  return rulesByDomain.get(domain)?.get(opType);
}

export function registeredCostOps(): string[] {
  return [...rules.keys()];
}

/** An op that cannot be modelled; the reason is shown to the user and counted in the report. */
export function unmodelled(reason: string): OpCost {
  return { flops: 0, macs: null, activationBytesRead: 0, weightBytes: 0, bytesWritten: 0, unit: 'none', dtype: null, modelled: false, reason };
}
