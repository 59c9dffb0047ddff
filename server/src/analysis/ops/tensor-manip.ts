/**
 * Tensor manipulation operators: splitting, tiling, masking, gathers/scatters, one-hot, and the
 * data-dependent selectors (NonZero, Unique, Compress, NonMaxSuppression).
 * Specs (https://onnx.ai/onnx/operators/onnx__<Op>.html):
 *   Split, Tile, Trilu, GatherElements, GatherND, Scatter, ScatterElements, ScatterND, OneHot, NonZero,
 *   Unique, Compress, EyeLike, ReverseSequence, NonMaxSuppression.
 *
 * Shape rules:
 * - Split: the split axis is cut into the `split` sizes (attribute before opset 13, input from 13), or
 *   into equal parts; from opset 18 `num_outputs` parts of ceil(d/n) with a smaller last part.
 * - Tile: out[i] = in[i] * repeats[i].
 * - Trilu, Scatter*, ReverseSequence, EyeLike: the data input's shape (EyeLike's dtype may change).
 * - GatherElements: the indices' shape. GatherND: indices[:-1] ++ data[batch_dims + indices[-1]:].
 * - OneHot: the indices' shape with `depth` inserted at `axis`.
 * - NonZero [rank, nnz], Unique [u], Compress [.., count, ..], NonMaxSuppression [selected, 3]: the
 *   data-dependent size is computed when the input values are known, and is unknown (null) otherwise.
 *
 * TensorScatter is deliberately not here: it is a KV-cache update and belongs to attention.ts.
 */
import { Dim, dimCeilDiv, dimFloorDiv, dimMul, dimProduct, dimSub } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { ConstValue, numericData } from '../ir/tensor';
import { at } from '../ir/at';
import { canFold, constElement, constOut, isConcrete, normaliseAxis, sameAs, ShapeError, strides, tensorOf } from './helpers';
import { OpContext, OutputFacts, registerOps } from './registry';

// ---------------------------------------------------------------------------------------------
// Shared utilities for this family (also used by signal.ts / strings.ts).

/**
 * The value of input i when every element is present. Callers can feed "shape only" values whose data
 * is empty (too large to load), so a value is only used when its data covers every element.
 */
export function fullValue(ctx: OpContext, i: number): ConstValue | undefined {
  if (!ctx.hasInput(i)) return undefined;
  const v = ctx.value(i);
  if (v === undefined) return undefined;
  const count = v.dims.reduce((a, b) => a * b, 1);
  return v.data.length === count ? v : undefined;
}

/** All elements as plain numbers (no unknown or symbolic element), when the value is fully known. */
export function knownNumbers(ctx: OpContext, i: number): number[] | undefined {
  return numericData(ctx.value(i));
}

/**
 * A scalar (or one-element) input read as a dim: a number, a symbolic size, or null when unknown.
 * Returns undefined when the input is absent.
 */
export function scalarDim(ctx: OpContext, i: number): Dim | undefined {
  if (!ctx.hasInput(i)) return undefined;
  const v = fullValue(ctx, i);
  if (v === undefined || v.data.length !== 1) return null;
  const d = v.data[0];
  if (typeof d === 'number') return Math.trunc(d);
  return typeof d === 'string' || d === undefined ? null : d;
}

/** The elements of a 1-D input as dims (numbers or symbols; null where unknown), or undefined. */
function dimVector(ctx: OpContext, i: number): Dim[] | undefined {
  const v = fullValue(ctx, i);
  if (v === undefined || v.dims.length > 1) return undefined;
  return (v.data as ReadonlyArray<Dim | string>).map((d) => (typeof d === 'number' ? Math.trunc(d) : typeof d === 'string' ? null : d));
}

/**
 * Builds a folded value of shape `outDims` whose element at each output coordinate is read from
 * `value` at the flat offset `source(coords)` returns.
 */
export function foldGather(value: ConstValue, dtype: DataType, outDims: readonly number[], source: (coords: number[]) => number): ConstValue {
  const total = outDims.reduce((a, b) => a * b, 1);
  const outStrides = strides(outDims);
  const data: Array<Dim | string> = new Array<Dim | string>(total);
  const coords = new Array<number>(outDims.length).fill(0);
  for (let i = 0; i < total; i++) {
    let rest = i;
    for (let axis = 0; axis < outDims.length; axis++) {
      const s = outStrides[axis] ?? 1;
      coords[axis] = Math.floor(rest / s);
      rest -= (coords[axis] ?? 0) * s;
    }
    data[i] = constElement(value, source(coords));
  }
  return { dtype, dims: outDims, data: data as Dim[] };
}

function offsetOf(coords: readonly number[], st: readonly number[]): number {
  let offset = 0;
  for (let k = 0; k < coords.length; k++) offset += (coords[k] ?? 0) * (st[k] ?? 0);
  return offset;
}

/** Truthiness of one element for NonZero/Compress: unknown (null) when it cannot be decided. */
function truthy(d: Dim | string | undefined): boolean | null {
  if (typeof d === 'string') return d !== '';
  if (typeof d === 'number') return d !== 0; // NaN counts as non-zero, as in numpy
  return null;
}

// ---------------------------------------------------------------------------------------------
// Split

registerOps('', ['Split'], (ctx) => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  const n = ctx.outputCount;
  const unknown = (): OutputFacts[] => Array.from({ length: n }, () => tensorOf(dtype, input === null ? null : input.map(() => null)));
  if (input === null) return unknown();
  const axis = normaliseAxis(ctx.int('axis', 0), input.length);
  const dim = input[axis] ?? null;

  // Where the split sizes come from depends on the version: Split-1 takes them as an attribute or a
  // second input, Split-2/11 as the `split` attribute, Split-13+ as the optional second input.
  let given = false;
  let sizes: Dim[] | undefined;
  if (ctx.opset >= 13 || (ctx.opset < 2 && ctx.hasInput(1))) {
    given = ctx.hasInput(1);
    sizes = given ? dimVector(ctx, 1) : undefined;
  } else {
    const attr = ctx.ints('split');
    given = attr !== undefined && attr.length > 0;
    sizes = attr?.slice();
  }

  if (given && sizes === undefined) {
    // Sizes computed at run time: only the split axis is unknown.
    return Array.from({ length: n }, () => tensorOf(dtype, input.map((d, i) => (i === axis ? null : d))));
  }

  if (sizes !== undefined && given) {
    if (sizes.length !== n) throw new ShapeError(`Split has ${sizes.length} split sizes but ${n} outputs`);
    if (sizes.some((s) => typeof s === 'number' && s < 0)) throw new ShapeError(`Split sizes must be non-negative, got [${sizes.join(', ')}]`);
    if (typeof dim === 'number' && isConcrete(sizes)) {
      const total = sizes.reduce((a, b) => a + b, 0);
      if (total !== dim) throw new ShapeError(`Split sizes [${sizes.join(', ')}] sum to ${total}, but axis ${axis} has length ${dim}`);
    }
  } else {
    // Equal parts: Split-18 names the count with num_outputs and allows a smaller last chunk.
    let parts = n;
    if (ctx.opset >= 18) {
      const numOutputs = ctx.intOrUndefined('num_outputs');
      if (numOutputs === undefined) ctx.warn('Split-18 needs either the split input or the num_outputs attribute; assuming one part per output');
      else if (numOutputs !== n) throw new ShapeError(`Split num_outputs=${numOutputs} but the node has ${n} outputs`);
      else parts = numOutputs;
    }
    if (parts < 1) throw new ShapeError('Split needs at least one output');
    if (ctx.opset >= 18) {
      const chunk = dimCeilDiv(dim, parts);
      const last = dimSub(dim, dimMul(chunk, parts - 1));
      if (typeof last === 'number' && last < 0) throw new ShapeError(`Split cannot cut axis ${axis} of length ${String(dim)} into ${parts} chunks of ${String(chunk)}`);
      sizes = Array.from({ length: parts }, (_, i) => (i === parts - 1 ? last : chunk));
    } else {
      if (typeof dim === 'number' && dim % parts !== 0) throw new ShapeError(`Split cannot divide axis ${axis} of length ${dim} into ${parts} equal parts`);
      sizes = new Array<Dim>(parts).fill(dimFloorDiv(dim, parts));
    }
  }

  const shapes = sizes.map((s) => input.map((d, i) => (i === axis ? s : d)));
  // Fold small known values (exporters split shape vectors, e.g. [batch, seq] → batch, seq).
  const full = fullValue(ctx, 0);
  if (full !== undefined && isConcrete(input) && shapes.every((s) => isConcrete(s))) {
    const inStrides = strides(input);
    let start = 0;
    return shapes.map((s) => {
      const offset = start;
      start += s[axis] ?? 0;
      return constOut(foldGather(full, full.dtype, s as number[], (c) => offsetOf(c.map((x, k) => (k === axis ? x + offset : x)), inStrides)));
    });
  }
  return shapes.map((s) => tensorOf(dtype, s));
});

// ---------------------------------------------------------------------------------------------
// Tile

registerOps('', ['Tile'], (ctx) => {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  if (input === null) return [tensorOf(dtype, null)];
  let repeats: Dim[] | undefined;
  if (ctx.opset < 6) {
    // Tile-1: a scalar `tiles` count applied to the scalar `axis` input.
    const tiles = scalarDim(ctx, 1) ?? null;
    const axisDim = scalarDim(ctx, 2);
    if (typeof axisDim !== 'number') return [tensorOf(dtype, input.map(() => null))];
    const axis = normaliseAxis(axisDim, input.length);
    repeats = input.map((_, i) => (i === axis ? tiles : 1));
  } else {
    repeats = dimVector(ctx, 1);
    if (repeats === undefined) return [tensorOf(dtype, input.map((d) => (d === 0 ? 0 : null)))];
  }
  if (repeats.length !== input.length) throw new ShapeError(`Tile repeats has ${repeats.length} entries for a rank-${input.length} input`);
  if (repeats.some((r) => typeof r === 'number' && r < 0)) throw new ShapeError(`Tile repeats must be non-negative, got [${repeats.join(', ')}]`);
  const out = input.map((d, i) => dimMul(d, repeats?.[i] ?? null));
  const full = fullValue(ctx, 0);
  if (full !== undefined && isConcrete(input) && isConcrete(out) && canFold(out)) {
    const inStrides = strides(input);
    return [constOut(foldGather(full, full.dtype, out, (c) => offsetOf(c.map((x, k) => x % at(input, k, 'Tile input dims')), inStrides)))];
  }
  return [tensorOf(dtype, out)];
});

// ---------------------------------------------------------------------------------------------
// Same-shape ops: Trilu, Scatter family, ReverseSequence, EyeLike

registerOps('', ['Trilu'], (ctx) => {
  const shape = ctx.shape(0);
  if (shape !== null && shape.length < 2) throw new ShapeError(`Trilu needs a tensor of rank >= 2, got rank ${shape.length}`);
  return [sameAs(ctx, 0)];
});

registerOps('', ['Scatter', 'ScatterElements'], (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const updates = ctx.shape(2);
  if (data !== null && indices !== null && indices.length !== data.length) throw new ShapeError(`${ctx.node.opType} indices have rank ${indices.length}, data rank ${data.length}`);
  if (indices !== null && updates !== null && (indices.length !== updates.length || indices.some((d, i) => typeof d === 'number' && typeof updates[i] === 'number' && d !== updates[i]))) {
    throw new ShapeError(`${ctx.node.opType} updates must have the indices' shape`);
  }
  if (data !== null) normaliseAxis(ctx.int('axis', 0), data.length);
  return [sameAs(ctx, 0)];
});

registerOps('', ['ScatterND'], (ctx) => {
  // updates = indices[:-1] ++ data[indices[-1]:]; the output is data-shaped either way.
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const k = indices?.[indices.length - 1];
  if (data !== null && typeof k === 'number' && k > data.length) throw new ShapeError(`ScatterND index depth ${k} exceeds the data rank ${data.length}`);
  return [sameAs(ctx, 0)];
});

registerOps('', ['ReverseSequence'], (ctx) => [sameAs(ctx, 0)]);

registerOps('', ['EyeLike'], (ctx) => {
  const shape = ctx.shape(0);
  if (shape !== null && shape.length !== 2) throw new ShapeError(`EyeLike needs a 2-D input, got rank ${shape.length}`);
  const dtype = ctx.intOrUndefined('dtype');
  return [tensorOf(dtype !== undefined ? (dtype as DataType) : ctx.dtype(0), shape)];
});

// ---------------------------------------------------------------------------------------------
// Gathers

registerOps('', ['GatherElements'], (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const dtype = ctx.dtype(0);
  if (data !== null && indices !== null && data.length !== indices.length) throw new ShapeError(`GatherElements indices have rank ${indices.length}, data rank ${data.length}`);
  const rank = data?.length ?? indices?.length;
  const axis = rank === undefined ? 0 : normaliseAxis(ctx.int('axis', 0), rank);
  const full = fullValue(ctx, 0);
  const idx = knownNumbers(ctx, 1);
  if (full !== undefined && idx !== undefined && isConcrete(data) && isConcrete(indices) && canFold(indices)) {
    const axisLen = data[axis] ?? 0;
    const inStrides = strides(data);
    const idxStrides = strides(indices);
    return [
      constOut(
        foldGather(full, full.dtype, indices, (c) => {
          const raw = idx[offsetOf(c, idxStrides)] ?? 0;
          const k = raw < 0 ? raw + axisLen : raw;
          if (k < 0 || k >= axisLen) throw new ShapeError(`GatherElements index ${raw} is out of range for axis length ${axisLen}`);
          return offsetOf(c.map((x, a) => (a === axis ? k : x)), inStrides);
        }),
      ),
    ];
  }
  return [tensorOf(dtype, indices)];
});

registerOps('', ['GatherND'], (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const dtype = ctx.dtype(0);
  const batchDims = ctx.int('batch_dims', 0);
  if (data === null || indices === null) return [tensorOf(dtype, null)];
  if (indices.length < 1) throw new ShapeError('GatherND indices must have rank >= 1');
  if (batchDims < 0 || batchDims >= Math.min(data.length, indices.length)) throw new ShapeError(`GatherND batch_dims=${batchDims} is out of range for data rank ${data.length} and indices rank ${indices.length}`);
  const last = indices[indices.length - 1] ?? null;
  // The index depth fixes the output rank; without it nothing is known.
  if (typeof last !== 'number') return [tensorOf(dtype, null)];
  if (last < 1 || last > data.length - batchDims) throw new ShapeError(`GatherND index depth ${last} is out of range for data rank ${data.length} with batch_dims=${batchDims}`);
  return [tensorOf(dtype, [...indices.slice(0, -1), ...data.slice(batchDims + last)])];
});

// ---------------------------------------------------------------------------------------------
// OneHot

registerOps('', ['OneHot'], (ctx) => {
  const indices = ctx.shape(0);
  const dtype = ctx.dtype(2);
  if (indices === null) return [tensorOf(dtype, null)];
  const rank = indices.length + 1;
  const axisAttr = ctx.int('axis', -1);
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (axis < 0 || axis >= rank) throw new ShapeError(`OneHot axis ${axisAttr} is out of range for output rank ${rank}`);
  // depth is a scalar (or one-element) tensor of any numeric type; float depths are truncated.
  const depth = scalarDim(ctx, 1) ?? null;
  if (typeof depth === 'number' && depth < 1) throw new ShapeError(`OneHot depth must be positive, got ${depth}`);
  return [tensorOf(dtype, [...indices.slice(0, axis), depth, ...indices.slice(axis)])];
});

// ---------------------------------------------------------------------------------------------
// Data-dependent selectors

registerOps('', ['NonZero'], (ctx) => {
  const shape = ctx.shape(0);
  if (shape === null) return [tensorOf(DataType.INT64, [null, null])];
  const full = fullValue(ctx, 0);
  if (full !== undefined && shape.length > 0 && isConcrete(shape)) {
    const flags = (full.data as ReadonlyArray<Dim | string>).map(truthy);
    if (flags.every((f) => f !== null)) {
      const hits: number[] = [];
      flags.forEach((f, i) => f && hits.push(i));
      const st = strides(shape);
      const dims = [shape.length, hits.length];
      if (!canFold(dims)) return [tensorOf(DataType.INT64, dims)];
      // Row r of the result holds the r-th coordinate of every non-zero element.
      const data: number[] = [];
      for (let r = 0; r < shape.length; r++) for (const h of hits) data.push(Math.floor(h / (st[r] ?? 1)) % (shape[r] ?? 1));
      return [constOut({ dtype: DataType.INT64, dims, data })];
    }
  }
  // The count of non-zeros is data-dependent; a scalar input's row count is left unknown too.
  return [tensorOf(DataType.INT64, [shape.length === 0 ? null : shape.length, null])];
});

registerOps('', ['Unique'], (ctx) => {
  const shape = ctx.shape(0);
  const dtype = ctx.dtype(0);
  const axisAttr = ctx.intOrUndefined('axis');
  let unique: Dim = null;
  let out: Dim[] | null;
  let inverse: Dim;
  if (axisAttr === undefined) {
    // Without an axis the input is flattened: Y is 1-D, inverse_indices has one entry per element.
    inverse = shape === null ? null : dimProduct(shape);
    const full = fullValue(ctx, 0);
    if (full !== undefined && full.data.every((d) => typeof d === 'number' || typeof d === 'string')) {
      unique = new Set(full.data as ReadonlyArray<number | string>).size;
    }
    out = [unique];
  } else {
    if (shape === null) return [tensorOf(dtype, null), tensorOf(DataType.INT64, [null]), tensorOf(DataType.INT64, [null]), tensorOf(DataType.INT64, [null])];
    const axis = normaliseAxis(axisAttr, shape.length);
    inverse = shape[axis] ?? null;
    const full = fullValue(ctx, 0);
    if (full !== undefined && isConcrete(shape) && full.data.every((d) => typeof d === 'number' || typeof d === 'string')) {
      // Distinct slices along the axis.
      const st = strides(shape);
      const keys = new Set<string>();
      const sliceShape = shape.map((d, i) => (i === axis ? 1 : d));
      const sliceCount = sliceShape.reduce((a, b) => a * b, 1);
      const sliceStrides = strides(sliceShape);
      for (let k = 0; k < (shape[axis] ?? 0); k++) {
        const parts: Array<Dim | string> = [];
        for (let j = 0; j < sliceCount; j++) {
          let offset = 0;
          let rest = j;
          for (let a = 0; a < shape.length; a++) {
            const s = sliceStrides[a] ?? 1;
            const c = Math.floor(rest / s);
            rest -= c * s;
            offset += (a === axis ? k : c) * (st[a] ?? 0);
          }
          parts.push(constElement(full, offset));
        }
        keys.add(JSON.stringify(parts));
      }
      unique = keys.size;
    }
    out = shape.map((d, i) => (i === axis ? unique : d));
  }
  return [tensorOf(dtype, out), tensorOf(DataType.INT64, [unique]), tensorOf(DataType.INT64, [inverse]), tensorOf(DataType.INT64, [unique])];
});

registerOps('', ['Compress'], (ctx) => {
  const shape = ctx.shape(0);
  const dtype = ctx.dtype(0);
  const axisAttr = ctx.intOrUndefined('axis');
  const cond = fullValue(ctx, 1);
  let count: Dim = null;
  if (cond !== undefined) {
    const flags = (cond.data as ReadonlyArray<Dim | string>).map(truthy);
    if (flags.every((f) => f !== null)) count = flags.filter(Boolean).length;
    // The condition may be shorter than the selected axis (the rest is dropped), never longer.
    const limit = shape === null ? null : axisAttr === undefined ? dimProduct(shape) : shape[normaliseAxis(axisAttr, shape.length)];
    if (typeof limit === 'number' && cond.data.length > limit) throw new ShapeError(`Compress condition has ${cond.data.length} entries, more than the ${limit} it selects from`);
  }
  if (axisAttr === undefined) return [tensorOf(dtype, [count])];
  if (shape === null) return [tensorOf(dtype, null)];
  const axis = normaliseAxis(axisAttr, shape.length);
  return [tensorOf(dtype, shape.map((d, i) => (i === axis ? count : d)))];
});

registerOps('', ['NonMaxSuppression'], (ctx) => {
  const boxesShape = ctx.shape(0);
  const scoresShape = ctx.shape(1);
  const unknown: OutputFacts[] = [tensorOf(DataType.INT64, [null, 3])];
  if (!isConcrete(boxesShape) || !isConcrete(scoresShape)) return unknown;
  if (boxesShape.length !== 3 || boxesShape[2] !== 4) throw new ShapeError(`NonMaxSuppression boxes must be [batch, boxes, 4], got [${boxesShape.join(', ')}]`);
  if (scoresShape.length !== 3 || scoresShape[0] !== boxesShape[0] || scoresShape[2] !== boxesShape[1]) {
    throw new ShapeError(`NonMaxSuppression scores [${scoresShape.join(', ')}] do not match boxes [${boxesShape.join(', ')}]`);
  }
  const boxes = knownNumbers(ctx, 0);
  const scores = knownNumbers(ctx, 1);
  const optional = (i: number, fallback: number | undefined): number | undefined | null => {
    if (!ctx.hasInput(i)) return fallback;
    const v = knownNumbers(ctx, i);
    return v === undefined ? null : (v[0] ?? fallback);
  };
  const maxPerClass = optional(2, 0);
  const iou = optional(3, 0);
  const scoreThreshold = optional(4, undefined);
  if (boxes === undefined || scores === undefined || maxPerClass === null || iou === null || scoreThreshold === null) return unknown;
  const selected = nonMaxSuppression(boxes, scores, boxesShape as [number, number, number], scoresShape[1] ?? 0, Math.max(0, maxPerClass ?? 0), iou ?? 0, scoreThreshold, ctx.int('center_point_box', 0));
  return [constOut({ dtype: DataType.INT64, dims: [selected.length / 3, 3], data: selected })];
});

/**
 * Greedy per-class NMS as the ONNX reference runs it: candidates above score_threshold (strictly), by
 * descending score (ties: lower index first), dropping any box whose IoU with a kept one exceeds iou.
 * Returns flattened [batch, class, box] triples.
 */
function nonMaxSuppression(boxes: number[], scores: number[], [batches, count]: [number, number, number], classes: number, maxPerClass: number, iou: number, scoreThreshold: number | undefined, centerPoint: number): number[] {
  const out: number[] = [];
  /** A box as [ymin, xmin, ymax, xmax], from either corner format or the center-point format. */
  const corners = (b: number, i: number): [number, number, number, number] => {
    const o = (b * count + i) * 4;
    const [a, c, d, e] = [boxes[o] ?? 0, boxes[o + 1] ?? 0, boxes[o + 2] ?? 0, boxes[o + 3] ?? 0];
    // center_point_box=1: [x_center, y_center, width, height].
    if (centerPoint) return [c - e / 2, a - d / 2, c + e / 2, a + d / 2];
    // center_point_box=0: [y1, x1, y2, x2] with either diagonal.
    return [Math.min(a, d), Math.min(c, e), Math.max(a, d), Math.max(c, e)];
  };
  const suppress = (b: number, i: number, j: number): boolean => {
    const p = corners(b, i);
    const q = corners(b, j);
    const ih = Math.min(p[2], q[2]) - Math.max(p[0], q[0]);
    const iw = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
    if (ih <= 0 || iw <= 0) return false;
    const inter = ih * iw;
    const area1 = (p[2] - p[0]) * (p[3] - p[1]);
    const area2 = (q[2] - q[0]) * (q[3] - q[1]);
    const union = area1 + area2 - inter;
    if (area1 <= 0 || area2 <= 0 || union <= 0) return false;
    return inter / union > iou;
  };
  for (let b = 0; b < batches; b++) {
    for (let c = 0; c < classes; c++) {
      const candidates: Array<{ score: number; index: number }> = [];
      for (let i = 0; i < count; i++) {
        const score = scores[(b * classes + c) * count + i] ?? 0;
        if (scoreThreshold === undefined || score > scoreThreshold) candidates.push({ score, index: i });
      }
      candidates.sort((x, y) => y.score - x.score || x.index - y.index);
      const kept: number[] = [];
      for (const cand of candidates) {
        if (kept.length >= maxPerClass) break;
        if (kept.every((k) => !suppress(b, cand.index, k))) {
          kept.push(cand.index);
          out.push(b, c, cand.index);
        }
      }
    }
  }
  return out;
}
