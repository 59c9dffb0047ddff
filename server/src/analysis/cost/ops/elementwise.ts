/**
 * Cost formulas: elementwise math and activations (unit 'vector'), plus the helpers shared by the
 * non-matmul cost families (normalization, reduce, pool, data-movement, misc).
 * Formulas and the per-op FLOP counts are documented in docs/cost-model-other.md.
 *
 * Counting convention (docs/cost-model-other.md, "FLOPs per element"): every elementary operation is
 * one FLOP: + − × ÷, compare/select/min/max, abs/neg/sign/floor/ceil/round, bitwise ops, and one
 * call of exp, log, sqrt, sin, cos, tan, asin, acos, atan or erf. Functions that are defined through
 * those (tanh, sigmoid, softplus, the GELUs, …) count their defining formula.
 */
import { Dim } from '../../ir/dim';
import { bytesForElements, DataType } from '../../ir/dtype';
import { ConstValue, elementCount } from '../../ir/tensor';
import { ValueType } from '../../ir/types';
import { ValueRecord } from '../../shape/engine';
import { costWithTraffic, unknownSizeReason } from '../context';
import { CostContext, ExecutionUnit, lookupCost, OpCost, registerCost, unmodelled } from '../types';

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Thrown by the size helpers when a size a formula needs is unknown; `define` turns it into unmodelled(reason). */
class SizeUnknown extends Error {}

export const MS = 'com.microsoft';
export const ML = 'ai.onnx.ml';
export const TRAINING = 'ai.onnx.preview.training';

export const FOLDED_NOTE = 'folded at load time: every output is a constant known before the model runs, so no kernel runs';

function tensorOfValue(v: ValueRecord | null | undefined): { dtype: DataType | null; shape: readonly unknown[] | null } | null {
  return v?.type?.kind === 'tensor' ? v.type : null;
}

/** A value is fully known (foldable) when it has one datum per element and none is symbolic or unknown. */
function isComplete(value: ConstValue | undefined): boolean {
  if (value === undefined) return false;
  if (!value.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) return false;
  if (value.data.length !== elementCount(value.dims)) return false;
  return value.data.every((d: Dim | string) => typeof d === 'number' || typeof d === 'string');
}

/** True when every (named) output has a complete known value: an optimising runtime folds the node. */
export function foldedAtLoad(ctx: CostContext): boolean {
  let named = false;
  for (const o of ctx.record.outputs) {
    if (o.name === '') continue;
    if (!isComplete(o.value)) return false;
    named = true;
  }
  return named;
}

/** Element type of input i (null when unknown or not a tensor). */
export function inDtype(ctx: CostContext, i: number): DataType | null {
  return tensorOfValue(ctx.record.inputs[i])?.dtype ?? null;
}

export function outDtype(ctx: CostContext, i: number): DataType | null {
  return tensorOfValue(ctx.record.outputs[i])?.dtype ?? null;
}

/** Storage bytes of `count` elements of `dtype` (16 bytes per string: the project's convention, see context.ts). */
export function bytesOf(dtype: DataType | null, count: number): number {
  if (dtype === null) throw new SizeUnknown('the element type is unknown');
  return dtype === DataType.STRING ? count * 16 : bytesForElements(dtype, count);
}

/** Elements of input i; throws (→ unmodelled with the reason) when unknown. 0 for an absent input. */
export function inElems(ctx: CostContext, i: number): number {
  const n = ctx.inputElements(i);
  if (n === null) throw new SizeUnknown(unknownSizeReason(ctx.record.inputs[i] ?? null, 'input'));
  return n;
}

export function outElems(ctx: CostContext, i: number): number {
  const n = ctx.outputElements(i);
  if (n === null) throw new SizeUnknown(unknownSizeReason(ctx.record.outputs[i] ?? null, 'output'));
  return n;
}

export function inShape(ctx: CostContext, i: number): readonly number[] {
  const d = ctx.inputDims(i);
  if (d === null) throw new SizeUnknown(unknownSizeReason(ctx.record.inputs[i] ?? null, 'input'));
  return d;
}

export function outShape(ctx: CostContext, i: number): readonly number[] {
  const d = ctx.outputDims(i);
  if (d === null) throw new SizeUnknown(unknownSizeReason(ctx.record.outputs[i] ?? null, 'output'));
  return d;
}

export function inBytes(ctx: CostContext, i: number): number {
  const b = ctx.inputBytes(i);
  if (b === null) throw new SizeUnknown(unknownSizeReason(ctx.record.inputs[i] ?? null, 'input'));
  return b;
}

export function outBytes(ctx: CostContext, i: number): number {
  const b = ctx.outputBytes(i);
  if (b === null) throw new SizeUnknown(unknownSizeReason(ctx.record.outputs[i] ?? null, 'output'));
  return b;
}

/** Fails the formula with a reason (→ unmodelled). */
export function fail(reason: string): never {
  throw new SizeUnknown(reason);
}

export function hasOutput(ctx: CostContext, i: number): boolean {
  const v = ctx.record.outputs[i];
  return v !== undefined && v.name !== '';
}

/** The complete numeric value of input i, when known at analysis time. */
export function inNumbers(ctx: CostContext, i: number): number[] | undefined {
  const value = ctx.record.inputs[i]?.value;
  if (!isComplete(value) || value === undefined) return undefined;
  const data: ReadonlyArray<Dim | string> = value.data;
  return data.every((d): d is number => typeof d === 'number') ? [...data] : undefined;
}

export function attr(ctx: CostContext, name: string) {
  return ctx.record.node.attributes.get(name);
}

export function floatsAttr(ctx: CostContext, name: string): readonly number[] | undefined {
  const a = attr(ctx, name);
  return a?.type === 'floats' ? a.value : undefined;
}

export function stringsAttr(ctx: CostContext, name: string): readonly string[] | undefined {
  const a = attr(ctx, name);
  return a?.type === 'strings' ? a.value : undefined;
}

export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Normalises a possibly negative axis; throws (→ unmodelled) when out of range. */
export function axisOf(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** A node that runs no kernel: zero time, zero bytes. */
export function noKernel(ctx: CostContext, note: string): OpCost {
  return { flops: 0, macs: null, activationBytesRead: 0, weightBytes: 0, bytesWritten: 0, unit: 'none', dtype: inDtype(ctx, 0) ?? outDtype(ctx, 0), modelled: true, notes: [note] };
}

export interface Counts {
  readonly flops: number;
  readonly unit?: ExecutionUnit;
  /** Arithmetic dtype; defaults to input 0's. */
  readonly dtype?: DataType | null;
  readonly notes?: string[];
}

/** Standard traffic (each input read once, each output written once) plus `counts`; unit defaults to 'vector'. */
export function standard(ctx: CostContext, counts: Counts): OpCost {
  return costWithTraffic(ctx, { flops: counts.flops, unit: counts.unit ?? 'vector', dtype: counts.dtype, notes: counts.notes });
}

/**
 * Traffic with exceptions: `reads[i]` replaces the bytes read from input i (a gather reads only the
 * gathered rows; a generator reads nothing of its input). Inputs keep their weight/activation role.
 * `written` replaces the sum of the output sizes.
 */
export function custom(ctx: CostContext, counts: Counts, reads: ReadonlyMap<number, number> = new Map(), written?: number, extraWeightBytes = 0): OpCost {
  let activationBytesRead = 0;
  let weightBytes = extraWeightBytes;
  for (let i = 0; i < ctx.record.inputs.length; i++) {
    if (!ctx.hasInput(i)) continue;
    const b = reads.get(i) ?? inBytes(ctx, i);
    if (ctx.isWeight(i)) weightBytes += b;
    else activationBytesRead += b;
  }
  let bytesWritten = 0;
  if (written !== undefined) bytesWritten = written;
  else for (let i = 0; i < ctx.record.outputs.length; i++) if (hasOutput(ctx, i)) bytesWritten += outBytes(ctx, i);
  const dtype = counts.dtype !== undefined ? counts.dtype : inDtype(ctx, 0);
  return { flops: counts.flops, macs: null, activationBytesRead, weightBytes, bytesWritten, unit: counts.unit ?? 'vector', dtype, modelled: true, notes: counts.notes };
}

/** A formula of FLOPs per output element (output 0), standard traffic. */
export function perOutput(flopsPerElement: number | ((ctx: CostContext) => number), options: { dtypeInput?: number; notes?: string[] } = {}) {
  return (ctx: CostContext): OpCost => {
    const k = typeof flopsPerElement === 'number' ? flopsPerElement : flopsPerElement(ctx);
    const dtype = options.dtypeInput !== undefined ? inDtype(ctx, options.dtypeInput) : undefined;
    return standard(ctx, { flops: k * outElems(ctx, 0), dtype, notes: options.notes });
  };
}

function sizeText(n: number): string {
  return n >= 1e15 ? `about 2^${Math.round(Math.log2(n))}` : String(n);
}

/** A tensor whose dims are all numbers but whose element count cannot be represented exactly (loops, no closures: it runs for every node). */
function astronomic(ctx: CostContext): string | null {
  for (const v of ctx.record.inputs) {
    const r = astronomicValue(v, 'input');
    if (r) return r;
  }
  for (const v of ctx.record.outputs) {
    const r = astronomicValue(v, 'output');
    if (r) return r;
  }
  return null;
}

function astronomicValue(v: ValueRecord | null | undefined, role: string): string | null {
  const shape = tensorOfValue(v)?.shape;
  if (!v || !shape) return null;
  let n = 1;
  let exact = true;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number') return null;
    n *= d;
    if (!Number.isSafeInteger(d)) exact = false;
  }
  if (exact && Number.isSafeInteger(n)) return null;
  return `${role} "${v.name}" has ${sizeText(n)} elements, too many to count exactly (beyond 2^53)`;
}

/** The final guard: every count a finite, non-negative number within 2^53, else unmodelled. */
function checked(cost: OpCost): OpCost {
  if (!cost.modelled) return cost;
  const problem = countProblem('FLOP count', cost.flops) ?? countProblem('MAC count', cost.macs) ?? countProblem('bytes read', cost.activationBytesRead) ?? countProblem('weight bytes', cost.weightBytes) ?? countProblem('bytes written', cost.bytesWritten);
  return problem === null ? cost : unmodelled(problem);
}

function countProblem(name: string, value: number | null): string | null {
  if (value === null) return null;
  if (!Number.isFinite(value) || value < 0) return `the ${name} is not a finite non-negative number`;
  if (value > Number.MAX_SAFE_INTEGER) return `the ${name} (${sizeText(value)}) is too large to count exactly (beyond 2^53)`;
  return null;
}

export interface DefineOptions {
  /** Register only where no other family registered the op first (ops shared with the matmul/conv/attention helper). */
  readonly ifAbsent?: boolean;
}

/**
 * Registers a formula wrapped with the checks every op needs, in order (nodes fed only by weights are
 * already folded by computeCosts before any formula runs):
 * 1. a node whose outputs are all known constants is folded at load time: unit 'none', zero bytes;
 * 2. a tensor too large to count exactly → unmodelled (never NaN, Infinity or a rounded count);
 * 3. the formula; an unknown size it needs → unmodelled with the reason (naming unbound symbols);
 * 4. the result is checked to be finite and within 2^53.
 */
export function define(domain: string, opTypes: readonly string[], rule: (ctx: CostContext) => OpCost, options: DefineOptions = {}): void {
  const wrapped = (ctx: CostContext): OpCost => {
    if (foldedAtLoad(ctx)) return noKernel(ctx, FOLDED_NOTE);
    const big = astronomic(ctx);
    if (big !== null) return unmodelled(big);
    let cost: OpCost;
    try {
      cost = rule(ctx);
    } catch (error) {
      if (error instanceof SizeUnknown) return unmodelled(error.message);
      throw error;
    }
    return checked(cost);
  };
  for (const opType of opTypes) {
    if (options.ifAbsent && lookupCost(domain, opType) !== undefined) continue;
    registerCost(domain, [opType], wrapped);
  }
}

/** Bytes of a map/sequence key or value type, for the approximate ML/sequence formulas. */
export function elementBytes(type: ValueType | DataType | null): number {
  if (type === null) return 0;
  if (typeof type === 'number') return type === DataType.STRING ? 16 : Math.max(1, bytesForElements(type, 1));
  if (type.kind === 'tensor') return type.dtype === null ? 0 : elementBytes(type.dtype);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Elementwise unary ops: FLOPs per output element (see docs/cost-model-other.md for each derivation).

const UNARY: Record<string, number> = {
  // Elementary: one operation each.
  Abs: 1,
  Neg: 1,
  Sign: 1,
  Ceil: 1,
  Floor: 1,
  Round: 1,
  Reciprocal: 1,
  Sqrt: 1,
  Exp: 1,
  Log: 1,
  Sin: 1,
  Cos: 1,
  Tan: 1,
  Asin: 1,
  Acos: 1,
  Atan: 1,
  Erf: 1,
  BitwiseNot: 1,
  Not: 1,
  IsNaN: 1,
  IsInf: 1,
  Relu: 1, // max(x, 0)
  ThresholdedRelu: 1, // x > alpha ? x : 0 (compare-select)
  // Defined through the elementary ones.
  Sinh: 4, // (e^x − 1/e^x) / 2: exp, reciprocal, sub, mul
  Cosh: 4, // (e^x + 1/e^x) / 2
  Tanh: 5, // (e^2x − 1) / (e^2x + 1): mul, exp, sub, add, div
  Asinh: 5, // ln(x + sqrt(x² + 1)): mul, add, sqrt, add, log
  Acosh: 5, // ln(x + sqrt(x² − 1))
  Atanh: 5, // ½ ln((1 + x) / (1 − x)): add, sub, div, log, mul
  Sigmoid: 4, // 1 / (1 + e^−x): neg, exp, add, div
  LeakyRelu: 2, // x < 0 ? αx : x: mul, select
  Elu: 4, // x < 0 ? α(e^x − 1) : x: exp, sub, mul, select
  Selu: 5, // γ·(x > 0 ? x : αe^x − α): exp, mul, sub, select, mul
  Celu: 7, // max(0, x) + min(0, α(e^(x/α) − 1)): div, exp, sub, mul, min, max, add
  HardSigmoid: 4, // max(0, min(1, αx + β)): mul, add, min, max
  HardSwish: 5, // x · HardSigmoid(x)
  Softplus: 3, // ln(e^x + 1): exp, add, log
  Softsign: 3, // x / (1 + |x|): abs, add, div
  Mish: 9, // x · tanh(softplus(x)): 3 + 5 + 1
  Shrink: 3, // x < −λ ? x + b : x > λ ? x − b : 0: two compares, one add
  Swish: 6, // x · sigmoid(αx): mul, 4, mul
};

/** Gelu with the exact (erf) form: x · ½ · (1 + erf(x/√2)): mul, erf, add, mul, mul. */
export const GELU_ERF = 5;
/** Gelu, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))): x³ (2), ×c (1), +x (1), ×√(2/π) (1), tanh (5), +1, ×x, ×½. */
export const GELU_TANH = 13;

for (const [op, k] of Object.entries(UNARY)) define('', [op], perOutput(k));

define('', ['Gelu'], perOutput((ctx) => (ctx.string('approximate', 'none') === 'tanh' ? GELU_TANH : GELU_ERF)));

// ---------------------------------------------------------------------------------------------
// Binary and variadic ops (multidirectional broadcasting: each input is read once at its own size).

const BINARY: Record<string, number> = {
  Add: 1,
  Sub: 1,
  Mul: 1,
  Div: 1,
  Pow: 3, // exp(y · ln x): log, mul, exp
  BitShift: 1,
  BitwiseAnd: 1,
  BitwiseOr: 1,
  BitwiseXor: 1,
  And: 1,
  Or: 1,
  Xor: 1,
  Equal: 1,
  Greater: 1,
  Less: 1,
  GreaterOrEqual: 1,
  LessOrEqual: 1,
  PRelu: 2, // x < 0 ? slope·x : x: mul, select
};

for (const [op, k] of Object.entries(BINARY)) define('', [op], perOutput(k));

// Mod: integer remainder 1; fmod=1 (floats) x − y·trunc(x/y): div, trunc, mul, sub.
define('', ['Mod'], perOutput((ctx) => (ctx.int('fmod', 0) === 1 ? 4 : 1)));

/** Variadic Max/Min/Sum: n inputs combine with n − 1 operations per output element. */
function presentInputs(ctx: CostContext): number {
  return ctx.record.inputs.filter((v) => v !== null).length;
}
define('', ['Max', 'Min', 'Sum'], perOutput((ctx) => Math.max(0, presentInputs(ctx) - 1)));
// Mean: n − 1 additions and one division.
define('', ['Mean'], perOutput((ctx) => presentInputs(ctx)));

// Clip: max with the lower bound, min with the upper (counted 2 whether or not both bounds are given).
define('', ['Clip'], perOutput(2));

// ---------------------------------------------------------------------------------------------
// Fused activations of com.microsoft (onnxruntime/docs/ContribOperators.md).

define(MS, ['Gelu'], perOutput(GELU_ERF));
// FastGelu: the tanh form, plus the optional bias add.
define(MS, ['FastGelu'], perOutput((ctx) => GELU_TANH + (ctx.hasInput(1) ? 1 : 0)));
// BiasGelu: (x + bias), then the erf Gelu.
define(MS, ['BiasGelu'], perOutput(1 + GELU_ERF));
// QuickGelu: x · sigmoid(αx): mul, sigmoid (4), mul.
define(MS, ['QuickGelu'], perOutput(6));
// BiasAdd: x + bias + skip.
define(MS, ['BiasAdd'], perOutput(2));

// SwiGLU(a, b) = Swish(a) · b: 6 + 1.
define('', ['SwiGLU'], perOutput(7));
