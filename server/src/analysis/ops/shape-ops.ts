/**
 * Shape computation ops: Shape, Size, Reshape, Concat, Gather, Unsqueeze, Squeeze, Slice, Constant,
 * ConstantOfShape, Transpose, Flatten, Expand, Range. Specs: https://onnx.ai/onnx/operators/.
 *
 * These carry the shape subgraphs real exports build (Shape → Gather → Concat → Reshape), so each
 * folds its value when its inputs are known, keeping symbolic elements (`batch`) symbolic.
 */
import { Dim, dimAdd, dimCeilDiv, dimEquals, dimMax, dimMin, dimProduct, dimSub, SymDim } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { ConstValue, numericData } from '../ir/tensor';
import { broadcastShapes, broadcastSteps, canFold, constElement, constOut, intsOf, isConcrete, normaliseAxis, ShapeError, stridedGather, strides, tensorOf } from './helpers';
import { OpContext, registerOps } from './registry';

/** The values of input i as dims (known numbers or symbols), e.g. a shape vector. */
export function dimsOf(ctx: OpContext, i: number): Dim[] | undefined {
  if (!ctx.hasInput(i)) return undefined;
  const v = fullData(ctx.value(i));
  if (v === undefined || v.dims.length > 1) return undefined;
  return (v.data as Dim[]).map((d) => (typeof d === 'string' ? null : d));
}

/**
 * The value when its data covers every element. Values can be "shape only" (data left empty because
 * the tensor is too large to load), and folding must never read past such data.
 */
function fullData(v: ConstValue | undefined): ConstValue | undefined {
  if (v === undefined) return undefined;
  return v.data.length === v.dims.reduce((a, b) => a * b, 1) ? v : undefined;
}

/**
 * True when a dim is certainly >= 0: a number >= 0, or a polynomial with non-negative coefficients over
 * size symbols (never negative) and over min/max/division atoms of such polynomials. Used to keep
 * sizes free of redundant max(0, ·) wrappers.
 */
function nonNegative(d: Dim): boolean {
  if (d === null) return false;
  if (typeof d === 'number') return d >= 0;
  if (![...d.poly.terms.values()].every((c) => c >= 0)) return false;
  return [...d.poly.atoms.values()].every((atom) => {
    switch (atom.kind) {
      case 'sym':
        return true;
      case 'max':
        return atom.args.some((p) => nonNegative(SymDim.fromPoly(p)));
      case 'min':
        return atom.args.every((p) => nonNegative(SymDim.fromPoly(p)));
      default:
        return nonNegative(SymDim.fromPoly(atom.num)) && nonNegative(SymDim.fromPoly(atom.den));
    }
  });
}

/** max(0, d), without the max when d is certainly non-negative. */
function clampZero(d: Dim): Dim {
  return nonNegative(d) ? d : dimMax(0, d);
}

/** min(a, b) for sizes, simplified when one side is 0 or when both are equal. */
function minSize(a: Dim, b: Dim): Dim {
  if ((a === 0 && nonNegative(b)) || (b === 0 && nonNegative(a))) return 0;
  return dimMin(a, b);
}

registerOps('', ['Shape'], (ctx) => {
  const shape = ctx.shape(0);
  if (shape === null) return [tensorOf(DataType.INT64, [null])];
  const rank = shape.length;
  // Opset 15 adds start/end, clamped like Python slicing.
  const clamp = (v: number): number => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const start = clamp(ctx.int('start', 0));
  const end = clamp(ctx.intOrUndefined('end') ?? rank);
  const dims = shape.slice(start, Math.max(start, end));
  return [constOut({ dtype: DataType.INT64, dims: [dims.length], data: dims })];
});

registerOps('', ['Size'], (ctx) => {
  const shape = ctx.shape(0);
  const size = shape === null ? null : dimProduct(shape);
  return [constOut({ dtype: DataType.INT64, dims: [], data: [size] })];
});

registerOps('', ['Reshape'], (ctx) => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  // Opset < 5 takes the target shape as an attribute.
  const target = ctx.opset < 5 ? ctx.ints('shape')?.slice() : dimsOf(ctx, 1);
  if (target === undefined) {
    const shapeLen = ctx.shape(1)?.[0];
    return [tensorOf(dtype, typeof shapeLen === 'number' ? new Array<Dim>(shapeLen).fill(null) : null)];
  }
  const allowZero = ctx.int('allowzero', 0) === 1;
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (input?.[i] ?? null) : d));
  const inferred = out.findIndex((d) => d === -1);
  if (inferred >= 0) {
    const total = input === null ? null : dimProduct(input);
    const rest = dimProduct(out.filter((_, i) => i !== inferred));
    out[inferred] = total === null || rest === null || rest === 0 ? null : dimQuotient(total, rest);
  }
  const value = fullData(ctx.value(0));
  if (value && isConcrete(out) && out.reduce((a, b) => a * b, 1) === value.data.length) return [constOut({ ...value, dims: out })];
  return [tensorOf(dtype, out)];
});

/** total / rest for the -1 dim of Reshape; exact when possible, symbolic otherwise. */
function dimQuotient(total: Dim, rest: Dim): Dim {
  if (typeof total === 'number' && typeof rest === 'number') return total % rest === 0 ? total / rest : null;
  if (dimEquals(total, rest)) return 1;
  return dimCeilDiv(total, rest);
}

registerOps('', ['Concat'], (ctx) => {
  const shapes = Array.from({ length: ctx.inputCount }, (_, i) => ctx.shape(i)).filter((_, i) => ctx.hasInput(i));
  const first = shapes.find((s) => s !== null) ?? null;
  const dtype = ctx.dtype(0);
  if (first === null) return [tensorOf(dtype, null)];
  const axis = normaliseAxis(ctx.int('axis', ctx.opset < 4 ? 1 : 0), first.length);
  const out: Dim[] = first.map((_, i) => {
    if (i === axis) return shapes.reduce<Dim>((sum, s) => (s === null ? null : sum === null ? null : addDims(sum, s[i] ?? null)), 0);
    for (const s of shapes) if (s !== null && s[i] !== null) return s[i] ?? null;
    return null;
  });
  // Fold 1-D concatenations of known vectors (the shape-vector case).
  if (first.length === 1) {
    const values = Array.from({ length: ctx.inputCount }, (_, i) => (ctx.hasInput(i) ? fullData(ctx.value(i)) : undefined));
    if (values.every((v) => v !== undefined)) {
      const data = (values as ConstValue[]).flatMap((v) => v.data as Dim[]);
      return [constOut({ dtype: values[0]?.dtype ?? DataType.INT64, dims: [data.length], data })];
    }
  }
  return [tensorOf(dtype, out)];
});

function addDims(a: Dim, b: Dim): Dim {
  return a === null || b === null ? null : typeof a === 'number' && typeof b === 'number' ? a + b : dimSub(a, dimSub(0, b));
}

registerOps('', ['Gather'], (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const dtype = ctx.dtype(0);
  if (data === null) return [tensorOf(dtype, null)];
  const axis = normaliseAxis(ctx.int('axis', 0), data.length);
  const out = indices === null ? null : [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  const value = fullData(ctx.value(0));
  const idx = numericData(fullData(ctx.value(1)));
  if (value && idx && data.length >= 1 && isConcrete(value.dims as Dim[]) && out !== null && isConcrete(out) && canFold(out)) {
    const dims = value.dims;
    const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const axisLen = dims[axis] ?? 0;
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const result: Array<Dim | string> = [];
    for (let o = 0; o < outer; o++) {
      for (const rawIndex of idx) {
        const k = rawIndex < 0 ? rawIndex + axisLen : rawIndex;
        if (k < 0 || k >= axisLen) throw new ShapeError(`Gather index ${rawIndex} is out of range for axis length ${axisLen}`);
        for (let j = 0; j < inner; j++) result.push(constElement(value, (o * axisLen + k) * inner + j));
      }
    }
    return [constOut({ dtype: value.dtype, dims: out, data: result as Dim[] })];
  }
  return [tensorOf(dtype, out)];
});

function axesFrom(ctx: OpContext, attrUntil: number): number[] | undefined {
  return ctx.opset < attrUntil ? ctx.ints('axes')?.slice() : intsOf(ctx, 1);
}

registerOps('', ['Unsqueeze'], (ctx) => {
  const input = ctx.shape(0);
  const axes = axesFrom(ctx, 13);
  const dtype = ctx.dtype(0);
  if (input === null) return [tensorOf(dtype, null)];
  if (axes === undefined) {
    // Axes computed at run time: the rank is known when their count is, the positions are not.
    const count = ctx.opset >= 13 ? ctx.shape(1)?.[0] : undefined;
    return [tensorOf(dtype, typeof count === 'number' ? new Array<Dim>(input.length + count).fill(null) : null)];
  }
  const rank = input.length + axes.length;
  const normalised = axes.map((a) => normaliseAxis(a, rank)).sort((a, b) => a - b);
  if (new Set(normalised).size !== normalised.length) throw new ShapeError(`Unsqueeze axes [${axes.join(', ')}] repeat an axis`);
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(normalised.includes(i) ? 1 : (input[k++] ?? null));
  const value = fullData(ctx.value(0));
  if (value && isConcrete(out)) return [constOut({ ...value, dims: out })];
  return [tensorOf(dtype, out)];
});

registerOps('', ['Squeeze'], (ctx) => {
  const input = ctx.shape(0);
  const axes = axesFrom(ctx, 13);
  const dtype = ctx.dtype(0);
  if (input === null) return [tensorOf(dtype, null)];
  let out: Dim[];
  if (axes === undefined && ctx.opset >= 13 && ctx.hasInput(1)) {
    // Axes computed at run time: only squeezable (size-1) dims can go, so an input without any
    // possible 1 keeps its shape; otherwise the result is unknown.
    if (input.every((d) => typeof d === 'number' && d !== 1)) out = [...input];
    else return [tensorOf(dtype, null)];
  } else if (axes === undefined) {
    // No axes: every size-1 dim goes, so a symbolic dim (which may be 1) leaves the rank unknown.
    if (input.some((d) => d !== 1 && typeof d !== 'number')) return [tensorOf(dtype, null)];
    out = input.filter((d) => d !== 1);
  } else {
    const drop = new Set(axes.map((a) => normaliseAxis(a, input.length)));
    drop.forEach((i) => {
      const d = input[i];
      if (typeof d === 'number' && d !== 1) throw new ShapeError(`Squeeze axis ${i} has size ${d}, not 1`);
    });
    out = input.filter((_, i) => !drop.has(i));
  }
  const value = fullData(ctx.value(0));
  if (value && isConcrete(out)) return [constOut({ ...value, dims: out })];
  return [tensorOf(dtype, out)];
});

registerOps('', ['Slice'], (ctx) => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  if (input === null) return [tensorOf(dtype, null)];
  const rank = input.length;
  // starts/ends may hold symbolic sizes (x[:, :seq] slices up to a Shape-derived bound).
  let starts: Dim[] | undefined;
  let ends: Dim[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.ints('starts')?.slice();
    ends = ctx.ints('ends')?.slice();
    axes = ctx.ints('axes')?.slice();
  } else {
    starts = dimsOf(ctx, 1);
    ends = dimsOf(ctx, 2);
    axes = ctx.hasInput(3) ? intsOf(ctx, 3) : undefined;
    steps = ctx.hasInput(4) ? intsOf(ctx, 4) : undefined;
    if ((ctx.hasInput(3) && axes === undefined) || (ctx.hasInput(4) && steps === undefined)) starts = undefined;
  }
  if (starts === undefined || ends === undefined) {
    // Unknown bounds: the rank survives, sliced axes become unknown.
    const sliced = ctx.opset >= 10 && ctx.hasInput(3) ? intsOf(ctx, 3) : undefined;
    if (sliced === undefined) return [tensorOf(dtype, input.map(() => null))];
    const set = new Set(sliced.map((a) => normaliseAxis(a, rank)));
    return [tensorOf(dtype, input.map((d, i) => (set.has(i) ? null : d)))];
  }
  if (ends.length !== starts.length || (axes !== undefined && axes.length !== starts.length) || (steps !== undefined && steps.length !== starts.length)) {
    throw new ShapeError('Slice starts, ends, axes and steps must have the same length');
  }
  const axisList = (axes ?? starts.map((_, i) => i)).map((a) => normaliseAxis(a, rank));
  if (new Set(axisList).size !== axisList.length) throw new ShapeError('Slice axes must not repeat');
  const out: Dim[] = [...input];
  const ranges: Array<{ start: number; step: number; count: number }> = input.map((d) => ({ start: 0, step: 1, count: typeof d === 'number' ? d : -1 }));
  axisList.forEach((axis, j) => {
    const dim = input[axis] ?? null;
    const step = steps?.[j] ?? 1;
    if (step === 0) throw new ShapeError('Slice step cannot be 0');
    const rawStart = starts?.[j] ?? null;
    const rawEnd = ends?.[j] ?? null;
    if (typeof dim !== 'number' || typeof rawStart !== 'number' || typeof rawEnd !== 'number') {
      out[axis] = symbolicSliceLength(dim, rawStart, rawEnd, step);
      return;
    }
    let start = rawStart;
    let end = rawEnd;
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
    }
    const count = Math.max(0, Math.ceil((end - start) / step));
    out[axis] = count;
    ranges[axis] = { start, step, count };
  });
  const value = fullData(ctx.value(0));
  if (value && isConcrete(out) && canFold(out)) {
    const inStrides = strides(value.dims);
    const base = out.reduce<number>((sum, _, axis) => sum + (ranges[axis]?.start ?? 0) * (inStrides[axis] ?? 0), 0);
    const steps = out.map((_, axis) => (ranges[axis]?.step ?? 1) * (inStrides[axis] ?? 0));
    const data = stridedGather(value.data as Dim[], out, steps, base);
    return [constOut({ dtype: value.dtype, dims: out, data })];
  }
  return [tensorOf(dtype, out)];
});

/** Bounds at or beyond this magnitude mean "to the end" (exporters write INT32_MAX or INT64_MAX). */
const SLICE_INFINITY = 2 ** 31 - 1;

/**
 * Length of a positive-step slice [start:end:step] of an axis when the axis length or a bound is
 * symbolic: max(0, min(end, d) - min(start, d)) with negative bounds counted from the end. Symbolic
 * bounds are sizes (non-negative); anything else, and negative steps, give an unknown length.
 */
function symbolicSliceLength(d: Dim, start: Dim, end: Dim, step: number): Dim {
  if (step < 0 || d === null || start === null || end === null) return null;
  if (typeof start !== 'number' && !nonNegative(start)) return null;
  if (typeof end !== 'number' && !nonNegative(end)) return null;
  const toEnd = (typeof end === 'number' && end >= SLICE_INFINITY) || dimEquals(end, d);
  const byStep = (n: Dim): Dim => clampZero(step === 1 ? n : dimCeilDiv(n, step));
  if (typeof start === 'number' && start <= -SLICE_INFINITY) start = 0;
  if (toEnd) {
    // [s:] keeps d - s elements; [-k:] keeps min(k, d).
    if (typeof start === 'number' && start < 0) return step === 1 ? minSize(-start, d) : byStep(minSize(-start, d));
    return byStep(dimSub(d, start));
  }
  // The end clamps to the axis: min(e, d), or max(0, d + e) when counted from the back.
  const clampedEnd = typeof end === 'number' && end < 0 ? clampZero(dimAdd(d, end)) : minSize(end, d);
  if (start === 0) return byStep(clampedEnd);
  const clampedStart = typeof start === 'number' && start < 0 ? clampZero(dimAdd(d, start)) : minSize(start, d);
  return byStep(dimSub(clampedEnd, clampedStart));
}

registerOps('', ['Constant'], (ctx) => {
  const tensorValue = ctx.tensorAttr('value') ?? ctx.tensorAttr('sparse_value');
  if (tensorValue !== undefined) {
    const value = ctx.tensorAttrValue(ctx.tensorAttr('value') ? 'value' : 'sparse_value');
    if (value) return [constOut(value)];
    return [tensorOf(tensorValue.dtype, tensorValue.dims)];
  }
  const scalar = (dtype: DataType, data: Dim[] | string[], vector: boolean): ConstValue => ({ dtype, dims: vector ? [data.length] : [], data });
  const f = ctx.attr('value_float');
  if (f?.type === 'float') return [constOut(scalar(DataType.FLOAT, [f.value], false))];
  const fs = ctx.floats('value_floats');
  if (fs) return [constOut(scalar(DataType.FLOAT, [...fs], true))];
  const i = ctx.attr('value_int');
  if (i?.type === 'int') return [constOut(scalar(DataType.INT64, [i.value], false))];
  const is = ctx.attr('value_ints');
  if (is?.type === 'ints') return [constOut(scalar(DataType.INT64, [...is.value], true))];
  const s = ctx.attr('value_string');
  if (s?.type === 'string') return [constOut(scalar(DataType.STRING, [s.value], false))];
  const ss = ctx.strings('value_strings');
  if (ss) return [constOut(scalar(DataType.STRING, [...ss], true))];
  throw new ShapeError('Constant has no value attribute');
});

registerOps('', ['ConstantOfShape'], (ctx) => {
  const dims = dimsOf(ctx, 0);
  const fill = ctx.tensorAttrValue('value');
  const dtype = fill?.dtype ?? ctx.tensorAttr('value')?.dtype ?? DataType.FLOAT;
  if (dims === undefined) {
    const len = ctx.shape(0)?.[0];
    return [tensorOf(dtype, typeof len === 'number' ? new Array<Dim>(len).fill(null) : null)];
  }
  if (isConcrete(dims) && canFold(dims)) {
    const count = dims.reduce((a, b) => a * b, 1);
    const v = (fill?.data[0] ?? 0) as Dim;
    return [constOut({ dtype, dims, data: new Array<Dim>(count).fill(v) })];
  }
  return [tensorOf(dtype, dims)];
});

registerOps('', ['Transpose'], (ctx) => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  if (input === null) return [tensorOf(dtype, null)];
  const perm = ctx.ints('perm')?.slice() ?? input.map((_, i) => input.length - 1 - i);
  if (perm.length !== input.length) throw new ShapeError(`perm has ${perm.length} entries for a rank-${input.length} input`);
  const out = perm.map((p) => input[normaliseAxis(p, input.length)] ?? null);
  const value = fullData(ctx.value(0));
  if (value && isConcrete(out) && canFold(out)) {
    const inStrides = strides(value.dims);
    const data = stridedGather(value.data as Dim[], out, perm.map((p) => inStrides[normaliseAxis(p, out.length)] ?? 0));
    return [constOut({ dtype: value.dtype, dims: out, data })];
  }
  return [tensorOf(dtype, out)];
});

registerOps('', ['Flatten'], (ctx) => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  if (input === null) return [tensorOf(dtype, [null, null])];
  const axisAttr = ctx.int('axis', 1);
  const axis = axisAttr < 0 ? axisAttr + input.length : axisAttr;
  if (axis < 0 || axis > input.length) throw new ShapeError(`Flatten axis ${axisAttr} is out of range for rank ${input.length}`);
  const out = [dimProduct(input.slice(0, axis)), dimProduct(input.slice(axis))];
  const value = fullData(ctx.value(0));
  if (value && isConcrete(out)) return [constOut({ ...value, dims: out })];
  return [tensorOf(dtype, out)];
});

registerOps('', ['Expand'], (ctx) => {
  const input = ctx.shape(0);
  const target = dimsOf(ctx, 1);
  const dtype = ctx.dtype(0);
  if (target === undefined) {
    const len = ctx.shape(1)?.[0];
    if (typeof len === 'number' && input !== null) return [tensorOf(dtype, new Array<Dim>(Math.max(len, input.length)).fill(null))];
    return [tensorOf(dtype, null)];
  }
  const out = broadcastShapes([input, target]);
  const value = fullData(ctx.value(0));
  if (value && out && isConcrete(out) && canFold(out)) {
    const data = stridedGather(value.data as Dim[], out, broadcastSteps(value.dims, out));
    return [constOut({ dtype: value.dtype, dims: out, data })];
  }
  return [tensorOf(dtype, out)];
});

registerOps('', ['Range'], (ctx) => {
  const dtype = ctx.dtype(0);
  const [start, limit, delta] = [0, 1, 2].map((i) => {
    const v = fullData(ctx.value(i));
    return v !== undefined && v.data.length === 1 ? v.data[0] : undefined;
  });
  if (typeof start === 'number' && typeof limit === 'number' && typeof delta === 'number' && delta !== 0) {
    const count = Math.max(0, Math.ceil((limit - start) / delta));
    if (count <= 1 << 16) {
      const data = Array.from({ length: count }, (_, i) => start + i * delta);
      return [constOut({ dtype: dtype ?? DataType.INT64, dims: [count], data })];
    }
    return [tensorOf(dtype, [count])];
  }
  // Symbolic bounds with a known step (arange(seq), arange(past, past + seq)) keep the symbols:
  // count = max(0, ceil((limit - start) / delta)).
  if (typeof delta === 'number' && delta !== 0 && Number.isInteger(delta) && start !== undefined && limit !== undefined && typeof start !== 'string' && typeof limit !== 'string') {
    const span = delta > 0 ? dimSub(limit, start) : dimSub(start, limit);
    const step = Math.abs(delta);
    return [tensorOf(dtype, [span === null ? null : clampZero(step === 1 ? span : dimCeilDiv(span, step))])];
  }
  return [tensorOf(dtype, [null])];
});
