/**
 * aten data movement and indexing → ONNX. Eager views (`view`, `t`, `permute`, `transpose`, …) move no
 * data, so they become `Reshape` to the recorded shape, which the cost model counts as free; copies
 * (`clone`, `copy_`, `roll`) read and write the tensor once, like an identity `Transpose`; tensors made
 * inside forward (`zeros`, `arange`) are constants of their recorded shape and type.
 */
import { at } from '../ir/at';
import { AtenContext, AtenMapper, axis, nodeOutput, num, numel, onnxTypeNumber, out0, tensorArg, tensorList } from './aten-context';
import { TraceArg, TraceTensor, isTraceTensor } from './trace-format';

// --- views and copies -----------------------------------------------------------------------------

/** A view: the same data under the recorded shape (free); a broadcast view (`expand`) becomes Expand. */
export const view: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const out = out0(ctx);
  if (!x || !out) return null;
  if (numel(x.shape) === numel(out.shape)) return [ctx.node('Reshape', [ctx.value(x), ctx.constInts(out.shape)])[0]];
  if (numel(out.shape) > numel(x.shape) && out.shape.length >= x.shape.length) return [ctx.node('Expand', [ctx.value(x), ctx.constInts(out.shape)])[0]];
  return null;
};

/** One read and one write of the tensor, shape kept: an identity Transpose in the cost model's terms. */
export function copyOf(ctx: AtenContext, x: TraceTensor, out: TraceTensor): string | undefined {
  let v = ctx.value(x);
  if (x.shape.join() !== out.shape.join()) {
    if (numel(x.shape) === numel(out.shape)) v = nodeOutput(ctx, 'Reshape', [v, ctx.constInts(out.shape)]);
    else return ctx.node('Expand', [v, ctx.constInts(out.shape)])[0];
  }
  return ctx.node('Transpose', [v], { perm: out.shape.map((_, i) => i) })[0];
}

export const copy: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const out = out0(ctx);
  if (!x || !out) return null;
  if (x.dtype !== out.dtype) return [ctx.node('Cast', [ctx.value(x)], { to: onnxTypeNumber(out.dtype) })[0]];
  return [copyOf(ctx, x, out)];
};

/** `copy_(dst, src)`: dst's shape and type, src's data (broadcast to dst). */
export const copyInto: AtenMapper = (ctx) => {
  const src = tensorArg(ctx, 1, 'src');
  const out = out0(ctx);
  if (!src || !out) return null;
  if (src.dtype !== out.dtype) {
    const cast = nodeOutput(ctx, 'Cast', [ctx.value(src)], { to: onnxTypeNumber(out.dtype) });
    return [src.shape.join() === out.shape.join() ? cast : ctx.node('Expand', [cast, ctx.constInts(out.shape)])[0]];
  }
  return [copyOf(ctx, src, out)];
};

export const select: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const dim = axis(num(ctx, 1, 'dim', 0), x.shape.length);
  const size = x.shape[dim] ?? 0;
  const index = num(ctx, 2, 'index', 0);
  return [ctx.node('Gather', [ctx.value(x), ctx.constInt(index < 0 ? index + size : index)], { axis: dim })[0]];
};

export const slice: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const dim = axis(num(ctx, 1, 'dim', 0), x.shape.length);
  const size = x.shape[dim] ?? 0;
  const clamp = (v: number): number => Math.max(0, Math.min(size, v < 0 ? v + size : v));
  const startArg = ctx.arg(2, 'start');
  const endArg = ctx.arg(3, 'end');
  const start = clamp(typeof startArg === 'number' ? startArg : 0);
  const end = clamp(typeof endArg === 'number' ? endArg : size);
  const step = num(ctx, 4, 'step', 1);
  return [ctx.node('Slice', [ctx.value(x), ctx.constInts([start]), ctx.constInts([end]), ctx.constInts([dim]), ctx.constInts([step])])[0]];
};

/** split / split_with_sizes / unbind: one Split, the pieces reshaped where a dim was dropped. */
export const split: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x || ctx.outputs.length === 0) return null;
  const unbind = ctx.op.op === 'aten::unbind';
  const dim = axis(num(ctx, unbind ? 1 : 2, 'dim', 0), x.shape.length);
  const sizes = ctx.outputs.map((o) => (unbind ? 1 : (o.shape[dim] ?? 0)));
  const pieces = ctx.node('Split', [ctx.value(x), ctx.constInts(sizes)], { axis: dim }, sizes.length);
  return unbind ? pieces.map((p, i) => ctx.node('Reshape', [p, ctx.constInts(ctx.outputs[i]?.shape ?? [])])[0]) : pieces;
};

export const cat: AtenMapper = (ctx) => {
  const list = tensorList(ctx, 0, 'tensors');
  const out = out0(ctx);
  const tensors = list?.filter((t) => t !== null);
  if (!tensors || tensors.length !== list?.length || !out) return null;
  // torch.cat skips legacy empty 1-d tensors of shape [0]; ONNX's Concat would reject their rank.
  const parts = tensors.filter((t) => !(t.shape.length === 1 && t.shape[0] === 0 && out.shape.length !== 1));
  const dim = axis(num(ctx, 1, 'dim', 0), out.shape.length);
  return [ctx.node('Concat', parts.map((t) => ctx.value(t)), { axis: dim })[0]];
};

export const stack: AtenMapper = (ctx) => {
  const list = tensorList(ctx, 0, 'tensors');
  const out = out0(ctx);
  const tensors = list?.filter((t) => t !== null);
  if (!tensors || tensors.length !== list?.length || !out) return null;
  const dim = axis(num(ctx, 1, 'dim', 0), out.shape.length);
  const parts = tensors.map((t) => nodeOutput(ctx, 'Reshape', [ctx.value(t), ctx.constInts([...t.shape.slice(0, dim), 1, ...t.shape.slice(dim)])]));
  return [ctx.node('Concat', parts, { axis: dim })[0]];
};

/** Tensors made inside forward (zeros, arange, full, empty): constants of the recorded shape and type. */
export const factory: AtenMapper = (ctx) => ctx.outputs.map((o) => ctx.constTensor(o.shape, o.dtype));

/** Ops with no data effect at inference (detach, dropout in eval, alias): the input itself. */
export const identity: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self') ?? tensorArg(ctx, 0, 'input');
  return x ? [ctx.value(x)] : null;
};

// --- indexing, padding, resizing ------------------------------------------------------------------------

/** embedding(weight, indices, …) = Gather(weight, indices). */
export const embedding: AtenMapper = (ctx) => {
  const w = tensorArg(ctx, 0, 'weight');
  const idx = tensorArg(ctx, 1, 'indices');
  return w && idx ? [ctx.node('Gather', [ctx.value(w), ctx.value(idx)], { axis: 0 })[0]] : null;
};

/** index.Tensor(x, [None, …, idx]) with one integer index tensor: a Gather on that axis. */
export const index: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const list = ctx.arg(1, 'indices');
  if (!x || !Array.isArray(list)) return null;
  const present = (list as TraceArg[]).map((a, i) => ({ a, i })).filter((e) => e.a !== null);
  const only = present[0];
  if (present.length !== 1 || !only || !isTraceTensor(only.a) || only.a.dtype === 'bool' || only.a.dtype === 'uint8') return null;
  return [ctx.node('Gather', [ctx.value(x), ctx.value(only.a)], { axis: only.i })[0]];
};

/** constant_pad_nd(x, pad, value): torch lists (begin, end) pairs from the last dim; ONNX all begins, then all ends. */
export const pad: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const pads = ctx.arg(1, 'pad');
  if (!x || !Array.isArray(pads) || !pads.every((p): p is number => typeof p === 'number')) return null;
  const rank = x.shape.length;
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  for (let i = 0; i * 2 + 1 < pads.length; i++) {
    begins[rank - 1 - i] = at(pads, 2 * i, 'pad pairs');
    ends[rank - 1 - i] = at(pads, 2 * i + 1, 'pad pairs');
  }
  return [ctx.node('Pad', [ctx.value(x), ctx.constInts([...begins, ...ends])], { mode: 'constant' })[0]];
};

/** upsample_* (x, output_size, …): Resize to the recorded size. */
export function resize(mode: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'input') ?? tensorArg(ctx, 0, 'self');
    const out = out0(ctx);
    if (!x || !out) return null;
    return [ctx.node('Resize', [ctx.value(x), '', '', ctx.constInts(out.shape)], { mode })[0]];
  };
}

/** _to_copy(x, dtype=…): a Cast when the type changes, else a copy. */
export const toCopy: AtenMapper = (ctx) => copy(ctx);
