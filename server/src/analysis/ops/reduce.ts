/**
 * Reductions and scans: ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare, ArgMax/ArgMin,
 * CumSum/CumProd, TopK, Hardmax.
 * Specs: https://onnx.ai/onnx/operators/onnx__ReduceSum.html (and the other Reduce* pages),
 * https://onnx.ai/onnx/operators/onnx__ArgMax.html, https://onnx.ai/onnx/operators/onnx__ArgMin.html,
 * https://onnx.ai/onnx/operators/onnx__CumSum.html, https://onnx.ai/onnx/operators/onnx__CumProd.html,
 * https://onnx.ai/onnx/operators/onnx__TopK.html, https://onnx.ai/onnx/operators/onnx__Hardmax.html.
 *
 * Shape rules:
 * - Reduce*: the reduced axes become 1 (keepdims=1, the default) or disappear (keepdims=0). Axes come from
 *   the `axes` attribute before opset 18 (before 13 for ReduceSum) and from the optional second input
 *   after. No axes, or an empty axes input, reduces every axis, unless noop_with_empty_axes=1, which makes
 *   the op an identity. Dtype is the input's.
 * - ArgMax/ArgMin: one axis (default 0) reduced the same way; int64 output.
 * - CumSum/CumProd/Hardmax: the input's type.
 * - TopK: values and int64 indices have the input's shape with the axis (default -1) resized to K; K is
 *   the `k` attribute before opset 10 and the 1-element `K` input after.
 *
 * ReduceSum/Prod/Max/Min fold small known values, keeping symbolic elements (`batch*seq` from
 * ReduceProd over a Shape output), because exporters compute element counts and sizes that way.
 */
import { Dim, dimAdd, dimMax, dimMin, dimMul } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { ConstValue } from '../ir/tensor';
import { canFold, constOut, intsOf, isConcrete, normaliseAxis, sameAs, ShapeError, strides, tensorOf } from './helpers';
import { OpContext, OutputFacts, registerOps } from './registry';
import { checkNormalisationAxis } from './softmax';

/** First opset where each reduction takes `axes` as an input instead of an attribute. */
const AXES_INPUT_SINCE: Record<string, number> = {
  ReduceSum: 13,
  ReduceMean: 18,
  ReduceMax: 18,
  ReduceMin: 18,
  ReduceProd: 18,
  ReduceL1: 18,
  ReduceL2: 18,
  ReduceLogSum: 18,
  ReduceLogSumExp: 18,
  ReduceSumSquare: 18,
};

/** Combiners for the reductions folded on known values; `empty` is the result over no elements. */
const FOLDERS: Record<string, { combine: (a: Dim, b: Dim) => Dim; empty?: Dim } | undefined> = {
  ReduceSum: { combine: dimAdd, empty: 0 },
  ReduceProd: { combine: dimMul, empty: 1 },
  // Max/Min of no elements is the dtype's lowest/highest value: not a size, left unfolded.
  ReduceMax: { combine: dimMax },
  ReduceMin: { combine: dimMin },
};

/** What the axes of a reduction are: a list, every axis, none (identity), or unknown. */
type AxesSpec = { kind: 'list'; axes: number[] } | { kind: 'all' } | { kind: 'noop' } | { kind: 'unknown'; count?: number };

function reductionAxes(ctx: OpContext): AxesSpec {
  const since = AXES_INPUT_SINCE[ctx.node.opType] ?? 18;
  const noop = ctx.int('noop_with_empty_axes', 0) === 1;
  let axes: readonly number[] | undefined;
  if (ctx.opset < since) {
    axes = ctx.ints('axes');
  } else if (ctx.hasInput(1)) {
    axes = intsOf(ctx, 1);
    if (axes === undefined) {
      // Unknown axes values; their count still tells the output rank when keepdims=0.
      const len = ctx.shape(1)?.[0];
      if (len === 0) return noop ? { kind: 'noop' } : { kind: 'all' };
      return { kind: 'unknown', count: typeof len === 'number' ? len : undefined };
    }
  }
  if (axes === undefined || axes.length === 0) return noop && ctx.opset >= since ? { kind: 'noop' } : { kind: 'all' };
  return { kind: 'list', axes: [...axes] };
}

/** Output dims of reducing `input` over `axes` (normalised, unique). */
function reducedShape<D extends Dim>(input: readonly D[], axes: ReadonlySet<number>, keepdims: boolean): Array<D | 1> {
  const out: Array<D | 1> = [];
  input.forEach((d, i) => {
    if (!axes.has(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Folds a reduction over a small known value; undefined when it cannot. */
function foldReduction(value: ConstValue, axes: ReadonlySet<number>, keepdims: boolean, combine: (a: Dim, b: Dim) => Dim, empty: Dim | undefined): ConstValue | undefined {
  const dims = value.dims;
  // Values without their elements (only the shape is known) or too big to fold are left alone.
  if (!canFold(dims) || value.data.length !== dims.reduce((a, b) => a * b, 1)) return undefined;
  if (value.data.some((v) => typeof v === 'string')) return undefined;
  const outDims = reducedShape(dims, axes, keepdims);
  const keptDims = dims.map((d, i) => (axes.has(i) ? 1 : d));
  const count = keptDims.reduce((a, b) => a * b, 1);
  const reducedCount = dims.reduce((n, d, i) => (axes.has(i) ? n * d : n), 1);
  if (reducedCount === 0 && empty === undefined) return undefined;
  const inStrides = strides(dims);
  const keptStrides = strides(keptDims);
  const acc: Array<Dim | undefined> = new Array<Dim | undefined>(count).fill(undefined);
  const data = value.data as readonly Dim[];
  for (let i = 0; i < data.length; i++) {
    // Output slot of element i: its coordinates with the reduced axes set to 0.
    let rest = i;
    let slot = 0;
    for (let axis = 0; axis < dims.length; axis++) {
      const coord = Math.floor(rest / (inStrides[axis] ?? 1));
      rest -= coord * (inStrides[axis] ?? 1);
      if (!axes.has(axis)) slot += coord * (keptStrides[axis] ?? 0);
    }
    const prev = acc[slot];
    acc[slot] = prev === undefined ? (data[i] ?? null) : combine(prev, data[i] ?? null);
  }
  return { dtype: value.dtype, dims: outDims, data: acc.map((v) => (v === undefined ? (empty ?? null) : v)) };
}

registerOps('', Object.keys(AXES_INPUT_SINCE), (ctx) => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  const keepdims = ctx.int('keepdims', 1) === 1;
  const spec = reductionAxes(ctx);
  if (spec.kind === 'noop') {
    const value = ctx.value(0);
    return [value ? constOut(value) : sameAs(ctx, 0)];
  }
  if (input === null) {
    // Rank is known only when every axis is kept, or every axis is dropped.
    return [tensorOf(dtype, spec.kind === 'all' && !keepdims ? [] : null)];
  }
  if (spec.kind === 'unknown') {
    // Which axes shrink is unknown: with keepdims the rank survives (size-1 dims stay 1).
    if (keepdims) return [tensorOf(dtype, input.map((d) => (d === 1 ? 1 : null)))];
    return [tensorOf(dtype, spec.count === undefined ? null : new Array<Dim>(Math.max(0, input.length - spec.count)).fill(null))];
  }
  const axes = new Set(spec.kind === 'all' ? input.map((_, i) => i) : spec.axes.map((a) => normaliseAxis(a, input.length)));
  const out = reducedShape(input, axes, keepdims);
  const folder = FOLDERS[ctx.node.opType];
  const value = ctx.value(0);
  if (folder && value && isConcrete(value.dims as Dim[])) {
    const folded = foldReduction(value, axes, keepdims, folder.combine, folder.empty);
    if (folded) return [constOut(folded)];
  }
  return [tensorOf(dtype, out)];
});

registerOps('', ['ArgMax', 'ArgMin'], (ctx) => {
  const input = ctx.shape(0);
  const keepdims = ctx.int('keepdims', 1) === 1;
  if (input === null) return [tensorOf(DataType.INT64, null)];
  const axis = normaliseAxis(ctx.int('axis', 0), input.length);
  return [tensorOf(DataType.INT64, reducedShape(input, new Set([axis]), keepdims))];
});

/** Checks the axis input of CumSum/CumProd when it is known; the output is the input's type either way. */
registerOps('', ['CumSum', 'CumProd'], (ctx) => {
  const input = ctx.shape(0);
  const axis = intsOf(ctx, 1);
  if (input !== null && axis !== undefined) {
    if (axis.length !== 1) throw new ShapeError(`${ctx.node.opType} axis must hold one value, got ${axis.length}`);
    normaliseAxis(axis[0] ?? 0, input.length);
  }
  return [sameAs(ctx, 0)];
});

registerOps('', ['Hardmax'], (ctx) => {
  // Same axis semantics as Softmax (2-D coercion before opset 13); the shape is unchanged in every version.
  checkNormalisationAxis(ctx);
  return [sameAs(ctx, 0)];
});

registerOps('', ['TopK'], (ctx): OutputFacts[] => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  let k: Dim;
  if (ctx.opset < 10) {
    k = ctx.intOrUndefined('k') ?? null;
  } else {
    const kValue = ctx.value(1);
    const raw = kValue?.data[0];
    k = kValue !== undefined && kValue.data.length === 1 && typeof raw !== 'string' ? (raw ?? null) : null;
  }
  if (input === null) return [tensorOf(dtype, null), tensorOf(DataType.INT64, null)];
  const axis = normaliseAxis(ctx.int('axis', -1), input.length);
  const axisLen = input[axis] ?? null;
  if (typeof k === 'number' && k < 0) throw new ShapeError(`TopK K must be non-negative, got ${k}`);
  if (typeof k === 'number' && typeof axisLen === 'number' && k > axisLen) throw new ShapeError(`TopK K = ${k} exceeds the axis length ${axisLen}`);
  const out = input.map((d, i) => (i === axis ? k : d));
  return [tensorOf(dtype, out), tensorOf(DataType.INT64, out)];
});
