import { dimSymbols } from '../ir/dim';
import { bytesForElements, DataType } from '../ir/dtype';
import { TensorType } from '../ir/types';
import { NodeRecord, ValueRecord } from '../shape/engine';
import { CostContext, ExecutionUnit, OpCost, unmodelled } from './types';

/** Names of values that are weights: initializers of any graph and outputs of Constant nodes. */
export type WeightNames = ReadonlySet<string>;

function tensorOf(value: ValueRecord | null | undefined): TensorType | null {
  return value?.type?.kind === 'tensor' ? value.type : null;
}

function concreteDims(value: ValueRecord | null | undefined): readonly number[] | null {
  const shape = tensorOf(value)?.shape;
  if (!shape || !shape.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) return null;
  return shape;
}

/**
 * Elements of a value, or null when unknown (also for counts too large to be exact). One loop, no
 * closures: it runs for every input and output of every node on each profile.
 */
function elementsOf(type: TensorType | null): number | null {
  const shape = type?.shape;
  if (!shape) return null;
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return null;
    n *= d;
  }
  return Number.isSafeInteger(n) ? n : null;
}

function elements(value: ValueRecord | null | undefined): number | null {
  return elementsOf(tensorOf(value));
}

function bytes(value: ValueRecord | null | undefined): number | null {
  const t = tensorOf(value);
  const n = elementsOf(t);
  if (t === null || n === null || t.dtype === null || t.dtype === DataType.UNDEFINED) return null;
  if (t.dtype === DataType.STRING) return n * 16;
  return bytesForElements(t.dtype, n);
}

export class NodeCostContext implements CostContext {
  constructor(
    readonly record: NodeRecord,
    private readonly weights: WeightNames,
  ) {}

  get opset(): number {
    return this.record.opset;
  }

  input(i: number): ValueRecord | null {
    return this.record.inputs[i] ?? null;
  }

  hasInput(i: number): boolean {
    const v = this.record.inputs[i];
    return v !== undefined && v !== null;
  }

  inputElements(i: number): number | null {
    const v = this.record.inputs[i];
    return v === undefined || v === null ? 0 : elements(v);
  }

  outputElements(i: number): number | null {
    const v = this.record.outputs[i];
    return v === undefined || v.name === '' ? 0 : elements(v);
  }

  inputBytes(i: number): number | null {
    const v = this.record.inputs[i];
    return v === undefined || v === null ? 0 : bytes(v);
  }

  outputBytes(i: number): number | null {
    const v = this.record.outputs[i];
    return v === undefined || v.name === '' ? 0 : bytes(v);
  }

  inputDims(i: number): readonly number[] | null {
    return concreteDims(this.record.inputs[i]);
  }

  outputDims(i: number): readonly number[] | null {
    return concreteDims(this.record.outputs[i]);
  }

  isWeight(i: number): boolean {
    const v = this.record.inputs[i];
    return v !== undefined && v !== null && (v.source === 'initializer' || this.weights.has(v.name));
  }

  int(name: string, fallback: number): number {
    const a = this.record.node.attributes.get(name);
    return a?.type === 'int' ? a.value : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.record.node.attributes.get(name);
    return a?.type === 'float' || a?.type === 'int' ? a.value : fallback;
  }

  ints(name: string): readonly number[] | undefined {
    const a = this.record.node.attributes.get(name);
    return a?.type === 'ints' ? a.value : undefined;
  }

  string(name: string, fallback: string): string {
    const a = this.record.node.attributes.get(name);
    return a?.type === 'string' ? a.value : fallback;
  }
}

/**
 * Memory traffic of one execution when every input is read once and every output written once: the
 * right model for almost every op (the exceptions, like Gather reading only the gathered rows, say so).
 * Returns a reason string when a size is unknown.
 */
/** Bytes one execution reads (activations, weights) and writes. */
export interface StandardTraffic {
  readonly activationBytesRead: number;
  readonly weightBytes: number;
  readonly bytesWritten: number;
}

export function traffic(ctx: CostContext): StandardTraffic | string {
  let activationBytesRead = 0;
  let weightBytes = 0;
  let bytesWritten = 0;
  for (let i = 0; i < ctx.record.inputs.length; i++) {
    const b = ctx.inputBytes(i);
    if (b === null) return unknownSizeReason(ctx.record.inputs[i] ?? null, 'input');
    if (ctx.isWeight(i)) weightBytes += b;
    else activationBytesRead += b;
  }
  for (let i = 0; i < ctx.record.outputs.length; i++) {
    const b = ctx.outputBytes(i);
    if (b === null) return unknownSizeReason(ctx.record.outputs[i] ?? null, 'output');
    bytesWritten += b;
  }
  return { activationBytesRead, weightBytes, bytesWritten };
}

/** Explains why a value's size is unknown, naming the symbols to bind when that is the cause. */
/** In the reason of an op left out because its sizes depend on unbound symbolic dims (the views say "not costed", not "not modelled"). */
export const UNBOUND_REASON = 'unbound symbolic dims';

export function unknownSizeReason(value: ValueRecord | null, role: string): string {
  const t = tensorOf(value);
  if (value === null) return `${role} is missing`;
  if (value.type === null) return `${role} "${value.name}" has an unknown type`;
  if (t === null) return `${role} "${value.name}" is a ${value.type.kind}, not a tensor`;
  if (t.shape === null) return `${role} "${value.name}" has an unknown rank`;
  const symbols = [...new Set(t.shape.flatMap((d) => dimSymbols(d)))];
  if (symbols.length > 0) return `${role} "${value.name}" has ${UNBOUND_REASON} (${symbols.join(', ')}); bind them (CLI: --dim; editor: Bind Symbolic Dimensions… or the ridgepoint.dims setting)`;
  const numeric = t.shape.every((d) => typeof d === 'number');
  const product = numeric ? (t.shape as number[]).reduce((a, b) => a * b, 1) : 0;
  if (t.shape.some((d) => typeof d === 'number' && !Number.isSafeInteger(d)) || (numeric && !Number.isSafeInteger(product))) {
    return `${role} "${value.name}" has an astronomic size that cannot be counted exactly`;
  }
  if (t.dtype === null) return `${role} "${value.name}" has an unknown element type`;
  return `${role} "${value.name}" has unknown dims`;
}

/**
 * Builds an OpCost from counts plus the standard traffic; unmodelled (with the reason) when sizes are
 * unknown. `dtype` defaults to the first input's element type.
 */
export function costWithTraffic(ctx: CostContext, counts: { flops: number; macs?: number | null; unit: ExecutionUnit; dtype?: DataType | null; notes?: string[] }): OpCost {
  const t = traffic(ctx);
  return typeof t === 'string' ? unmodelled(t) : costFromTraffic(ctx, t, counts);
}

/** `costWithTraffic` for a caller that has already computed the standard traffic (one object, no spread). */
export function costFromTraffic(ctx: CostContext, t: StandardTraffic, counts: { flops: number; macs?: number | null; unit: ExecutionUnit; dtype?: DataType | null; notes?: string[] }): OpCost {
  if (!Number.isFinite(counts.flops)) return unmodelled('the operation count is not finite');
  const dtype = counts.dtype !== undefined ? counts.dtype : (tensorOf(ctx.record.inputs[0])?.dtype ?? null);
  return { activationBytesRead: t.activationBytesRead, weightBytes: t.weightBytes, bytesWritten: t.bytesWritten, flops: counts.flops, macs: counts.macs ?? null, unit: counts.unit, dtype, modelled: true, notes: counts.notes };
}
