/**
 * What an aten mapper (aten-tensor.ts, aten-math.ts, aten-nn.ts) sees: the recorded call, its outputs,
 * and a way to emit IR nodes; plus the argument readers they share. A mapper returns the IR values of the
 * recorded outputs, in order (`undefined` for outputs nothing reads, such as batch-norm statistics or
 * max-pool indices), or null for "not understood" (the caller says so in a located diagnostic).
 */
import { at } from '../ir/at';
import { AttributeInit } from '../pytorch/graph-builder';
import { TraceArg, TraceOp, TraceTensor, isTraceTensor } from './trace-format';

export type { AttributeInit };

export interface AtenContext {
  readonly op: TraceOp;
  /** Positional argument i, else the keyword argument `name`. */
  arg(i: number, name?: string): TraceArg | undefined;
  /** The IR value of a tensor argument (parameters, buffers and tensors made outside the trace included). */
  value(tensor: TraceTensor): string;
  /** A scalar operand as a 0-d tensor of `dtype` (an operand's dtype), or the tensor itself. */
  operand(arg: TraceArg | undefined, dtype: string): string;
  constInts(values: readonly number[]): string;
  constInt(value: number): string;
  /** A constant tensor of these dims and dtype (contents unread: only its shape and type matter). */
  constTensor(dims: readonly number[], dtype: string): string;
  node(opType: string, inputs: readonly string[], attributes?: AttributeInit, outputCount?: number): string[];
  /** The recorded output tensors, flattened. */
  readonly outputs: readonly TraceTensor[];
}

/** The output of a node with one output. */
export function nodeOutput(ctx: AtenContext, opType: string, inputs: readonly string[], attributes?: AttributeInit): string {
  return at(ctx.node(opType, inputs, attributes), 0, `${opType} outputs`);
}

export type AtenMapper = (ctx: AtenContext) => Array<string | undefined> | null;

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function tensorArg(ctx: AtenContext, i: number, name?: string): TraceTensor | undefined {
  const a = ctx.arg(i, name);
  return isTraceTensor(a) ? a : undefined;
}

export function num(ctx: AtenContext, i: number, name: string | undefined, fallback: number): number {
  const a = ctx.arg(i, name);
  if (typeof a === 'number') return a;
  if (typeof a === 'boolean') return a ? 1 : 0;
  return fallback;
}

export function bool(ctx: AtenContext, i: number, name: string | undefined, fallback: boolean): boolean {
  const a = ctx.arg(i, name);
  return typeof a === 'boolean' ? a : typeof a === 'number' ? a !== 0 : fallback;
}

/** An int-list argument (`[2, 2]`, or one int meaning the same for every spatial dim). */
export function ints(ctx: AtenContext, i: number, name: string | undefined, rank: number, fallback: readonly number[]): number[] {
  const a = ctx.arg(i, name);
  if (typeof a === 'number') return new Array<number>(rank).fill(a);
  if (Array.isArray(a) && a.every((x): x is number => typeof x === 'number')) {
    const [first] = a;
    if (first !== undefined) return a.length === 1 && rank > 1 ? new Array<number>(rank).fill(first) : [...a];
  }
  return [...fallback];
}

export function tensorList(ctx: AtenContext, i: number, name?: string): Array<TraceTensor | null> | undefined {
  const a = ctx.arg(i, name);
  if (!Array.isArray(a)) return undefined;
  return (a as TraceArg[]).map((x) => (isTraceTensor(x) ? x : null));
}

export function axis(dim: number, rank: number): number {
  return dim < 0 ? dim + rank : dim;
}

export function out0(ctx: AtenContext): TraceTensor | undefined {
  return ctx.outputs[0];
}

export const ONNX_TYPES: Record<string, number> = { float32: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, complex64: 14, complex128: 15, bfloat16: 16 };

export function onnxTypeNumber(dtype: string): number {
  return ONNX_TYPES[dtype] ?? 1;
}
