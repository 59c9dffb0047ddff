import { Dim } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { AttributeValue, Graph, Node } from '../ir/graph';
import { ConstValue, TensorInfo } from '../ir/tensor';
import { TensorType, ValueType } from '../ir/types';

/**
 * What a shape rule knows about one value: its type and, when it could be computed at analysis time
 * (a constant, or a shape vector such as the output of Shape), its value.
 */
export interface ValueFacts {
  readonly type: ValueType | null;
  readonly value?: ConstValue;
}

/** The outputs of a subgraph (If branch, Loop/Scan body) after inference in the caller's scope. */
export interface SubgraphResult {
  readonly outputs: ReadonlyArray<ValueFacts>;
}

/**
 * The view of one node that a shape rule gets. Rules never see the engine, the file or other nodes:
 * inputs (types and known values), attributes, the opset in force, and a way to infer subgraphs.
 */
export interface OpContext {
  readonly node: Node;
  /** Opset version of the node's domain in force for this node. */
  readonly opset: number;
  /** Number of declared outputs (names may be '' for omitted optional outputs). */
  readonly outputCount: number;

  /** True when input i is present (declared and not the empty name). */
  hasInput(i: number): boolean;
  /** Number of inputs listed on the node, including trailing omitted ones. */
  readonly inputCount: number;
  input(i: number): ValueFacts | undefined;
  /** The tensor type of input i; undefined when absent or not a tensor. */
  tensor(i: number): TensorType | undefined;
  shape(i: number): readonly Dim[] | null;
  dtype(i: number): DataType | null;
  /** Known value of input i, if any (may load a small initializer from the file). */
  value(i: number): ConstValue | undefined;
  /** True when input i's value is known or loadable, without loading it. */
  hasValue(i: number): boolean;

  attr(name: string): AttributeValue | undefined;
  int(name: string, fallback: number): number;
  intOrUndefined(name: string): number | undefined;
  ints(name: string): readonly number[] | undefined;
  float(name: string, fallback: number): number;
  floats(name: string): readonly number[] | undefined;
  string(name: string, fallback: string): string;
  strings(name: string): readonly string[] | undefined;
  tensorAttr(name: string): TensorInfo | undefined;
  /** Loads a tensor attribute's values (small tensors only). */
  tensorAttrValue(name: string): ConstValue | undefined;
  graph(name: string): Graph | undefined;

  /**
   * Infers a subgraph whose formal inputs get `inputs`, in a scope that sees the caller's values.
   * `label` names the subgraph in node ids (usually the attribute name).
   */
  inferSubgraph(graph: Graph, inputs: ReadonlyArray<ValueFacts | null>, label: string): SubgraphResult;

  /** A non-fatal note about this node (e.g. an attribute the rule cannot honour). */
  warn(message: string): void;
}

/** What a rule returns per output: its facts, or null when nothing can be said. */
export type OutputFacts = ValueFacts | ValueType | null;

export interface OpRule {
  /**
   * Infers the outputs. Returning a ValueType is shorthand for facts without a value. The array may be
   * shorter than the node's outputs: missing entries are unknown.
   */
  infer(ctx: OpContext): OutputFacts[];
}

export interface OpKey {
  readonly domain: string;
  readonly opType: string;
}

const rules = new Map<string, OpRule>();
/** The same rules by domain, then op type: looked up once per node per inference, without building a key string. */
const rulesByDomain = new Map<string, Map<string, OpRule>>();

function key(domain: string, opType: string): string {
  return `${domain}::${opType}`;
}

/** Registers one rule for several op types of one domain ('' = ai.onnx). */
export function registerOps(domain: string, opTypes: readonly string[], rule: OpRule | ((ctx: OpContext) => OutputFacts[])): void {
  const normalised: OpRule = typeof rule === 'function' ? { infer: rule } : rule;
  let byOpType = rulesByDomain.get(domain);
  if (byOpType === undefined) rulesByDomain.set(domain, (byOpType = new Map()));
  for (const opType of opTypes) {
    rules.set(key(domain, opType), normalised);
    byOpType.set(opType, normalised);
  }
}

export function lookupOp(domain: string, opType: string): OpRule | undefined {
  return rulesByDomain.get(domain)?.get(opType);
}

export function registeredOps(): OpKey[] {
  return [...rules.keys()].map((k) => {
    const [domain, opType] = k.split('::');
    return { domain: domain ?? '', opType: opType ?? '' };
  });
}
