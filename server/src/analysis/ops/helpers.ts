import { ModelFormatError } from '../diagnostics';
import { Dim, dimEquals, dimProduct } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { ConstValue, numericData } from '../ir/tensor';
import { TensorType } from '../ir/types';
import { OpContext, OutputFacts } from './registry';

/** Shared helpers for shape rules. Rules throw ShapeError for invalid models; the engine reports it. */
export class ShapeError extends Error {}

/** One element of a constant by flat offset; a constant with fewer elements than its dims say is an invalid model. */
export function constElement(value: ConstValue, offset: number): Dim | string {
  const element = value.data[offset];
  if (element === undefined) throw new ShapeError(`constant has ${value.data.length} elements, no element ${offset} (dims [${value.dims.join(', ')}])`);
  return element;
}

/**
 * Whether a rule threw `error` on purpose because of the model: a ShapeError (the model is invalid) or a
 * ModelFormatError (a tensor it needed cannot be read). Anything else (a TypeError, a RangeError) is a bug
 * in the rule, reported under INTERNAL_ERROR_CODE rather than blamed on the model.
 */
export function isModelError(error: unknown): error is ShapeError | ModelFormatError {
  return error instanceof ShapeError || error instanceof ModelFormatError;
}

export function tensorOf(dtype: DataType | null, shape: readonly Dim[] | null): TensorType {
  return { kind: 'tensor', dtype, shape };
}

/** Resolves a possibly negative axis against a rank; throws on out-of-range axes. */
export function normaliseAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * Multidirectional (numpy) broadcasting, per https://github.com/onnx/onnx/blob/main/docs/Broadcasting.md.
 * Symbolic dims broadcast against 1 and against equal symbols; two different symbols give an unknown dim.
 */
export function broadcastShapes(shapes: ReadonlyArray<readonly Dim[] | null>): Dim[] | null {
  const known = shapes.filter((s) => s !== null);
  if (known.length !== shapes.length) return null;
  const rank = Math.max(0, ...known.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    let sawUnknown = false;
    for (const s of known) {
      const d = s[s.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (d === null) {
        sawUnknown = true;
        continue;
      }
      if (dim === 1) dim = d;
      else if (!dimEquals(dim, d)) {
        if (typeof dim === 'number' && typeof d === 'number') throw new ShapeError(`shapes cannot broadcast: ${dim} vs ${d}`);
        // A symbol against a number > 1 must equal the number for a valid model.
        if (typeof d === 'number') dim = d;
        else if (typeof dim !== 'number') dim = null;
      }
    }
    out.push(sawUnknown && dim === 1 ? null : dim);
  }
  return out;
}

/** Known 1-D integer values of input i (e.g. a shape or axes input), or undefined. */
export function intsOf(ctx: OpContext, i: number): number[] | undefined {
  if (!ctx.hasInput(i)) return undefined;
  return numericData(ctx.value(i));
}

/** Element count of a shape, when known. */
export function sizeOf(shape: readonly Dim[] | null): Dim {
  return shape === null ? null : dimProduct(shape);
}

/** A known constant output: the engine derives the type from it. */
export function constOut(value: ConstValue): OutputFacts {
  return { type: { kind: 'tensor', dtype: value.dtype, shape: value.dims }, value };
}

export function scalarOrVector(dtype: DataType, data: readonly Dim[], asScalar: boolean): ConstValue {
  return { dtype, dims: asScalar ? [] : [data.length], data };
}

/** Row-major strides of concrete dims. */
export function strides(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) out[i] = (out[i + 1] ?? 1) * (dims[i + 1] ?? 1);
  return out;
}

/**
 * Reads `data` into a row-major tensor of `outDims`, where output coordinate c comes from source
 * offset `base + Σ c[axis]·steps[axis]`. One walk serves Slice (steps = step·stride), Transpose
 * (permuted strides) and broadcasting (stride 0 on broadcast axes).
 */
export function stridedGather<T>(data: readonly T[], outDims: readonly number[], steps: readonly number[], base = 0): T[] {
  const total = outDims.reduce((a, b) => a * b, 1);
  const out = new Array<T>(total);
  const coords = new Array<number>(outDims.length).fill(0);
  let offset = base;
  for (let i = 0; i < total; i++) {
    const item = data[offset];
    // A constant whose data is shorter than its dims say (a corrupt model) must not fold to holes.
    if (item === undefined) throw new ShapeError(`constant data has ${data.length} elements, too few for its shape`);
    out[i] = item;
    // Odometer increment: bump the last axis, carrying into earlier ones.
    for (let axis = outDims.length - 1; axis >= 0; axis--) {
      const step = steps[axis] ?? 0;
      if ((coords[axis] = (coords[axis] ?? 0) + 1) < (outDims[axis] ?? 0)) {
        offset += step;
        break;
      }
      offset -= step * ((outDims[axis] ?? 1) - 1);
      coords[axis] = 0;
    }
  }
  return out;
}

/** Per-output-axis source strides for broadcasting `inDims` to `outDims` (0 on broadcast axes). */
export function broadcastSteps(inDims: readonly number[], outDims: readonly number[]): number[] {
  const st = strides(inDims);
  return outDims.map((_, axis) => {
    const k = axis - (outDims.length - inDims.length);
    return k < 0 || inDims[k] === 1 ? 0 : (st[k] ?? 0);
  });
}

/** Largest number of elements a rule folds; bigger values are left unknown. */
export const FOLD_LIMIT = 1 << 16;

export function canFold(dims: readonly number[]): boolean {
  let n = 1;
  for (const d of dims) n *= d;
  return n <= FOLD_LIMIT;
}

export function isConcrete(shape: readonly Dim[] | null): shape is number[] {
  return shape !== null && shape.every((d) => typeof d === 'number');
}

/** Same type as input i (dtype and shape), the rule of every shape-preserving op. */
export function sameAs(ctx: OpContext, i: number): TensorType {
  return tensorOf(ctx.dtype(i), ctx.shape(i));
}
