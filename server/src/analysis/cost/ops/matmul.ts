/**
 * Cost formulas: matrix products. MatMul, Gemm, Einsum (ai.onnx); FusedMatMul, FusedGemm (com.microsoft).
 * Also the helpers shared by the other compute-heavy families (conv, attention, rnn, quantized).
 * Formulas and assumptions: docs/cost-model-compute.md.
 *
 * Conventions: one multiply-accumulate (MAC) = 2 FLOPs; `macs` is set for MAC-based ops only; the unit
 * is 'tensor' when the arithmetic dtype has matrix units on common accelerators, else 'vector'.
 */
import { DataType } from '../../ir/dtype';
import { numericData } from '../../ir/tensor';
import { parseEinsum } from '../../ops/matmul';
import { ValueRecord } from '../../shape/engine';
import { costFromTraffic, traffic } from '../context';
import { CostContext, ExecutionUnit, OpCost, registerCost, unmodelled } from '../types';

// ---------------------------------------------------------------------------------------------
// Shared helpers (used by conv.ts, attention.ts, rnn.ts, quantized.ts).

/** Element types with matrix (tensor-core / MXU / AMX) units on at least one common chip. */
const MATRIX_DTYPES: ReadonlySet<DataType> = new Set([
  DataType.FLOAT,
  DataType.FLOAT16,
  DataType.BFLOAT16,
  DataType.INT8,
  DataType.UINT8,
  DataType.FLOAT8E4M3FN,
  DataType.FLOAT8E4M3FNUZ,
  DataType.FLOAT8E5M2,
  DataType.FLOAT8E5M2FNUZ,
  DataType.INT4,
  DataType.UINT4,
  DataType.FLOAT4E2M1,
]);

/** 'tensor' for matmul-like arithmetic in a dtype that has matrix units; 'vector' otherwise (double, int32/64). */
export function matrixUnit(dtype: DataType | null): ExecutionUnit {
  return dtype === null || MATRIX_DTYPES.has(dtype) ? 'tensor' : 'vector';
}

export function dtypeOf(ctx: CostContext, i: number): DataType | null {
  const t = ctx.input(i)?.type;
  return t?.kind === 'tensor' ? t.dtype : null;
}

/** The single known number held by input i (a scalar such as total_sequence_length), else null. */
export function scalarInput(ctx: CostContext, i: number): number | null {
  const data = numericData(ctx.input(i)?.value ?? undefined);
  return data !== undefined && data.length === 1 && Number.isFinite(data[0]) ? (data[0] ?? null) : null;
}

export function product(values: readonly number[]): number {
  let n = 1;
  for (const v of values) n *= v;
  return n;
}

export interface Counts {
  readonly flops: number;
  readonly macs?: number | null;
  readonly unit: ExecutionUnit;
  /** The arithmetic dtype; defaults to input 0's element type. */
  readonly dtype?: DataType | null;
  readonly notes?: string[];
}

export interface Traffic {
  readonly activationBytesRead: number;
  readonly weightBytes: number;
  readonly bytesWritten: number;
}

export const ASTRONOMIC = 'the operation count is too large to be represented (astronomic sizes)';

/**
 * The cost of a node: sizes must all be known (otherwise unmodelled with the reason traffic() gives,
 * naming the symbols to bind), then `compute` gives the counts (or a reason string). `adjust` corrects
 * the standard read-everything-once traffic for ops that read only part of an input (gathered rows) or
 * write only part of an output (a KV cache shared with its past buffer).
 */
export function buildCost(ctx: CostContext, compute: () => Counts | string, adjust?: (t: Traffic) => Traffic): OpCost {
  const huge = astronomicValue(ctx);
  if (huge !== null) return unmodelled(huge);
  const t = traffic(ctx);
  if (typeof t === 'string') return unmodelled(t);
  const counts = compute();
  if (typeof counts === 'string') return unmodelled(counts);
  const macs = counts.macs ?? null;
  if (!Number.isFinite(counts.flops) || counts.flops < 0 || (macs !== null && (!Number.isFinite(macs) || macs < 0))) return unmodelled(ASTRONOMIC);
  const notes = counts.notes !== undefined && counts.notes.length > 0 ? counts.notes : undefined;
  if (adjust === undefined) return costFromTraffic(ctx, t, { flops: counts.flops, macs: counts.macs, unit: counts.unit, dtype: counts.dtype, notes });
  const a = adjust(t);
  const dtype = counts.dtype !== undefined ? counts.dtype : dtypeOf(ctx, 0);
  return {
    activationBytesRead: Math.max(0, a.activationBytesRead),
    weightBytes: Math.max(0, a.weightBytes),
    bytesWritten: Math.max(0, a.bytesWritten),
    flops: counts.flops,
    macs,
    unit: counts.unit,
    dtype,
    modelled: true,
    notes,
  };
}

/** A value whose dims are all known numbers but whose element count is beyond exact counting. */
function astronomicValue(ctx: CostContext): string | null {
  const check = (v: ValueRecord | null | undefined, role: string): string | null => {
    const shape = v?.type?.kind === 'tensor' ? v.type.shape : null;
    if (v === null || v === undefined || shape === null || !shape.every((d) => typeof d === 'number')) return null;
    const n = (shape as number[]).reduce((a, b) => a * b, 1);
    return Number.isSafeInteger(n) ? null : `${role} "${v.name}" has an astronomic size (${n.toExponential(2)} elements) that cannot be counted exactly`;
  };
  for (const v of ctx.record.inputs) {
    const r = check(v, 'input');
    if (r !== null) return r;
  }
  for (const v of ctx.record.outputs) {
    const r = check(v, 'output');
    if (r !== null) return r;
  }
  return null;
}

/**
 * Traffic when input i (a table such as an embedding or a cos/sin cache, rows along axis 0) is read
 * only `rows` rows: the gathered rows, never more than the table.
 */
export function readRows(ctx: CostContext, t: Traffic, i: number, rows: number): Traffic {
  const full = ctx.inputBytes(i);
  const dims = ctx.inputDims(i);
  if (full === null || dims === null || dims.length === 0 || !ctx.hasInput(i)) return t;
  const tableRows = dims[0] ?? 0;
  if (tableRows <= 0 || rows >= tableRows) return t;
  const saved = full - Math.ceil((full / tableRows) * rows);
  return ctx.isWeight(i) ? { ...t, weightBytes: t.weightBytes - saved } : { ...t, activationBytesRead: t.activationBytesRead - saved };
}

/** Traffic when output i (a KV cache sharing its buffer with the past) is written only `fraction` of it. */
export function writePart(ctx: CostContext, t: Traffic, i: number, fraction: number): Traffic {
  const full = ctx.outputBytes(i);
  if (full === null || full === 0 || fraction >= 1) return t;
  return { ...t, bytesWritten: t.bytesWritten - (full - Math.ceil(full * Math.max(0, fraction))) };
}

// ---------------------------------------------------------------------------------------------
// MatMul: [..., M, K] x [..., K, N] → [..., M, N]; MACs = output elements × K (covers batch broadcast and
// the promoted 1-D operands, whose axis of size 1 is dropped from the output).

/** K of a numpy.matmul: the last dim of A (a 1-D A is [K]). */
export function matmulK(a: readonly number[] | null): number | null {
  if (a === null || a.length === 0) return null;
  return a[a.length - 1] ?? null;
}

/** MACs of A·B given the output's element count: one K-long dot product per output element. */
export function matmulCounts(ctx: CostContext, aIndex: number, dtype: DataType | null): Counts | string {
  const k = matmulK(ctx.inputDims(aIndex));
  const out = ctx.outputElements(0);
  if (k === null || out === null) return 'matmul operand shapes are not known';
  const macs = out * k;
  return { flops: 2 * macs, macs, unit: matrixUnit(dtype), dtype };
}

registerCost('', ['MatMul'], (ctx) => buildCost(ctx, () => matmulCounts(ctx, 0, dtypeOf(ctx, 0))));

// ---------------------------------------------------------------------------------------------
// Gemm: Y = alpha·A'·B' + beta·C. MACs = M·N·K; + M·N for alpha ≠ 1; + M·N for adding C (beta ≠ 0);
// + M·N for beta ∉ {0, 1}.

function gemmCounts(ctx: CostContext, extraPerOutput: number): Counts | string {
  const a = ctx.inputDims(0);
  const y = ctx.outputDims(0);
  if (a === null || a.length !== 2 || y === null || y.length !== 2) return 'Gemm operands are not 2-D';
  const k = a[ctx.int('transA', 0) !== 0 ? 0 : 1] ?? 0;
  const mn = (y[0] ?? 0) * (y[1] ?? 0);
  const macs = mn * k;
  const alpha = ctx.float('alpha', 1);
  const beta = ctx.float('beta', 1);
  let perOutput = extraPerOutput;
  if (alpha !== 1) perOutput += 1;
  if (ctx.hasInput(2) && beta !== 0) perOutput += beta !== 1 ? 2 : 1;
  const dtype = dtypeOf(ctx, 0);
  return { flops: 2 * macs + perOutput * mn, macs, unit: matrixUnit(dtype), dtype };
}

registerCost('', ['Gemm'], (ctx) => buildCost(ctx, () => gemmCounts(ctx, 0)));

// FusedGemm: Gemm followed by an activation (one op per output element).
registerCost('com.microsoft', ['FusedGemm'], (ctx) => buildCost(ctx, () => gemmCounts(ctx, ctx.string('activation', '') !== '' ? 1 : 0)));

// ---------------------------------------------------------------------------------------------
// FusedMatMul: Y = alpha · op(A) · op(B) (transA/transB swap the last two axes, transBatchA/B move axis 0
// before the last one). K is the last dim of op(A).

registerCost('com.microsoft', ['FusedMatMul'], (ctx) =>
  buildCost(ctx, () => {
    const a = ctx.inputDims(0);
    const out = ctx.outputElements(0);
    if (a === null || a.length === 0 || out === null) return 'FusedMatMul operand shapes are not known';
    const r = a.length;
    const transA = ctx.int('transA', 0) !== 0;
    const transBatchA = ctx.int('transBatchA', 0) !== 0;
    // After transBatch the last axis is unchanged and the second-to-last is the old axis 0.
    const k = r === 1 ? a[0] : transA ? (transBatchA && r >= 3 ? a[0] : a[r - 2]) : a[r - 1];
    const macs = out * (k ?? 0);
    const dtype = dtypeOf(ctx, 0);
    return { flops: 2 * macs + (ctx.float('alpha', 1) !== 1 ? out : 0), macs, unit: matrixUnit(dtype), dtype };
  }),
);

// ---------------------------------------------------------------------------------------------
// Einsum: the naive evaluation visits every combination of the distinct labels once; with two operands
// that is one MAC per combination (MACs = product of all distinct index sizes, ellipsis dims broadcast
// and included). With k ≥ 3 operands each combination takes k-1 multiplies (an upper bound: a contraction
// path is usually cheaper). One operand (transpose, trace, sum): no multiplies, one add per combination.

/** The sizes of every distinct label and of the broadcast ellipsis dims, or a reason. */
export function einsumSizes(equation: string, shapes: ReadonlyArray<readonly number[]>): { labels: Map<string, number>; ellipsis: number[]; contracted: boolean } | string {
  let eq;
  try {
    eq = parseEinsum(equation);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (eq.inputs.length !== shapes.length) return `Einsum equation "${equation}" names ${eq.inputs.length} operand(s), the node has ${shapes.length}`;
  const labels = new Map<string, number>();
  let ellipsis: number[] = [];
  for (let k = 0; k < shapes.length; k++) {
    const term = eq.inputs[k]?.labels ?? [];
    const shape = shapes[k] ?? [];
    const named = term.filter((l) => l !== '...').length;
    const ellRank = shape.length - named;
    let axis = 0;
    for (const l of term) {
      if (l === '...') {
        const dims = shape.slice(axis, axis + ellRank);
        // numpy broadcasting, right-aligned.
        const rank = Math.max(ellipsis.length, dims.length);
        const merged: number[] = [];
        for (let i = 0; i < rank; i++) {
          const x = ellipsis[ellipsis.length - rank + i] ?? 1;
          const y = dims[dims.length - rank + i] ?? 1;
          merged.push(x === 1 ? y : x);
        }
        ellipsis = merged;
        axis += ellRank;
        continue;
      }
      const d = shape[axis++] ?? 1;
      const prev = labels.get(l);
      labels.set(l, prev === undefined || prev === 1 ? d : prev);
    }
  }
  const outLabels = eq.output?.labels;
  const counts = new Map<string, number>();
  for (const term of eq.inputs) for (const l of term.labels) if (l !== '...') counts.set(l, (counts.get(l) ?? 0) + 1);
  // Implicit mode: the output holds the labels used once; every repeated label is summed.
  const inOutput = (l: string): boolean => (outLabels !== undefined ? outLabels.includes(l) : counts.get(l) === 1);
  const contracted = [...labels.keys()].some((l) => !inOutput(l));
  return { labels, ellipsis, contracted };
}

registerCost('', ['Einsum'], (ctx) =>
  buildCost(ctx, () => {
    const equation = ctx.string('equation', '');
    const n = ctx.record.inputs.length;
    const shapes: Array<readonly number[]> = [];
    for (let i = 0; i < n; i++) {
      const d = ctx.inputDims(i);
      if (d === null) return `Einsum operand ${i} has unknown dims`;
      shapes.push(d);
    }
    const sizes = einsumSizes(equation, shapes);
    if (typeof sizes === 'string') return sizes;
    const combos = product([...sizes.labels.values()]) * product(sizes.ellipsis);
    const dtype = dtypeOf(ctx, 0);
    if (n <= 1) return { flops: combos, macs: null, unit: 'vector', dtype };
    const macs = (n - 1) * combos;
    const notes = n > 2 ? [`${n} operands counted as one naive loop nest (${n - 1} multiplies per index combination); a contraction path is usually cheaper`] : undefined;
    return { flops: 2 * macs, macs, unit: sizes.contracted ? matrixUnit(dtype) : 'vector', dtype, notes };
  }),
);
