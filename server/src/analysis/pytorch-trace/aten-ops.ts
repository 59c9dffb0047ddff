/**
 * aten ops → ONNX ops whose shape rules and cost formulas Ridgepoint already has. Each mapper reads the
 * recorded call (positional args as the aten schema orders them, kwargs by name) and emits nodes through
 * `AtenContext`; it returns the IR values of the recorded outputs, in order (a value per output tensor,
 * `undefined` for outputs that nothing reads, such as batch-norm statistics or max-pool indices).
 *
 * Eager views (`view`, `t`, `permute`, `transpose`, …) move no data, so they become `Reshape` to the
 * recorded shape, which the cost model counts as free; copies (`clone`, `copy_`, `roll`) read and write
 * the tensor once, like an identity `Transpose`. Returning null means "not understood": the caller says so
 * in a located diagnostic and marks the result incomplete.
 */
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

export type AtenMapper = (ctx: AtenContext) => Array<string | undefined> | null;

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function tensorArg(ctx: AtenContext, i: number, name?: string): TraceTensor | undefined {
  const a = ctx.arg(i, name);
  return isTraceTensor(a) ? a : undefined;
}

function num(ctx: AtenContext, i: number, name: string | undefined, fallback: number): number {
  const a = ctx.arg(i, name);
  if (typeof a === 'number') return a;
  if (typeof a === 'boolean') return a ? 1 : 0;
  return fallback;
}

function bool(ctx: AtenContext, i: number, name: string | undefined, fallback: boolean): boolean {
  const a = ctx.arg(i, name);
  return typeof a === 'boolean' ? a : typeof a === 'number' ? a !== 0 : fallback;
}

/** An int-list argument (`[2, 2]`, or one int meaning the same for every spatial dim). */
function ints(ctx: AtenContext, i: number, name: string | undefined, rank: number, fallback: readonly number[]): number[] {
  const a = ctx.arg(i, name);
  if (typeof a === 'number') return new Array<number>(rank).fill(a);
  if (Array.isArray(a) && a.length > 0 && a.every((x) => typeof x === 'number')) {
    const list = a as number[];
    return list.length === 1 && rank > 1 ? new Array<number>(rank).fill(list[0] as number) : list;
  }
  return [...fallback];
}

function tensorList(ctx: AtenContext, i: number, name?: string): Array<TraceTensor | null> | undefined {
  const a = ctx.arg(i, name);
  if (!Array.isArray(a)) return undefined;
  return (a as TraceArg[]).map((x) => (isTraceTensor(x) ? x : null));
}

function axis(dim: number, rank: number): number {
  return dim < 0 ? dim + rank : dim;
}

function out0(ctx: AtenContext): TraceTensor | undefined {
  return ctx.outputs[0];
}

// --- views and copies -----------------------------------------------------------------------------

/** A view: the same data under the recorded shape (free); a broadcast view (`expand`) becomes Expand. */
const view: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const out = out0(ctx);
  if (!x || !out) return null;
  if (numel(x.shape) === numel(out.shape)) return [ctx.node('Reshape', [ctx.value(x), ctx.constInts(out.shape)])[0]];
  if (numel(out.shape) > numel(x.shape) && out.shape.length >= x.shape.length) return [ctx.node('Expand', [ctx.value(x), ctx.constInts(out.shape)])[0]];
  return null;
};

/** One read and one write of the tensor, shape kept: an identity Transpose in the cost model's terms. */
function copyOf(ctx: AtenContext, x: TraceTensor, out: TraceTensor): string | undefined {
  let v = ctx.value(x);
  if (x.shape.join() !== out.shape.join()) {
    if (numel(x.shape) === numel(out.shape)) v = ctx.node('Reshape', [v, ctx.constInts(out.shape)])[0] as string;
    else return ctx.node('Expand', [v, ctx.constInts(out.shape)])[0];
  }
  return ctx.node('Transpose', [v], { perm: out.shape.map((_, i) => i) })[0];
}

const copy: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const out = out0(ctx);
  if (!x || !out) return null;
  if (x.dtype !== out.dtype) return [ctx.node('Cast', [ctx.value(x)], { to: onnxTypeNumber(out.dtype) })[0]];
  return [copyOf(ctx, x, out)];
};

/** `copy_(dst, src)`: dst's shape and type, src's data (broadcast to dst). */
const copyInto: AtenMapper = (ctx) => {
  const src = tensorArg(ctx, 1, 'src');
  const out = out0(ctx);
  if (!src || !out) return null;
  if (src.dtype !== out.dtype) {
    const cast = ctx.node('Cast', [ctx.value(src)], { to: onnxTypeNumber(out.dtype) })[0] as string;
    return [src.shape.join() === out.shape.join() ? cast : ctx.node('Expand', [cast, ctx.constInts(out.shape)])[0]];
  }
  return [copyOf(ctx, src, out)];
};

const select: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const dim = axis(num(ctx, 1, 'dim', 0), x.shape.length);
  const size = x.shape[dim] ?? 0;
  const index = num(ctx, 2, 'index', 0);
  return [ctx.node('Gather', [ctx.value(x), ctx.constInt(index < 0 ? index + size : index)], { axis: dim })[0]];
};

const slice: AtenMapper = (ctx) => {
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
const split: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x || ctx.outputs.length === 0) return null;
  const unbind = ctx.op.op === 'aten::unbind';
  const dim = axis(num(ctx, unbind ? 1 : 2, 'dim', 0), x.shape.length);
  const sizes = ctx.outputs.map((o) => (unbind ? 1 : (o.shape[dim] ?? 0)));
  const pieces = ctx.node('Split', [ctx.value(x), ctx.constInts(sizes)], { axis: dim }, sizes.length);
  return unbind ? pieces.map((p, i) => ctx.node('Reshape', [p, ctx.constInts(ctx.outputs[i]?.shape ?? [])])[0]) : pieces;
};

const cat: AtenMapper = (ctx) => {
  const list = tensorList(ctx, 0, 'tensors');
  const out = out0(ctx);
  if (!list || !out || list.some((t) => t === null)) return null;
  // torch.cat skips legacy empty 1-d tensors of shape [0]; ONNX's Concat would reject their rank.
  const parts = (list as TraceTensor[]).filter((t) => !(t.shape.length === 1 && t.shape[0] === 0 && out.shape.length !== 1));
  const dim = axis(num(ctx, 1, 'dim', 0), out.shape.length);
  return [ctx.node('Concat', parts.map((t) => ctx.value(t)), { axis: dim })[0]];
};

const stack: AtenMapper = (ctx) => {
  const list = tensorList(ctx, 0, 'tensors');
  const out = out0(ctx);
  if (!list || !out || list.some((t) => t === null)) return null;
  const dim = axis(num(ctx, 1, 'dim', 0), out.shape.length);
  const parts = (list as TraceTensor[]).map((t) => ctx.node('Reshape', [ctx.value(t), ctx.constInts([...t.shape.slice(0, dim), 1, ...t.shape.slice(dim)])])[0] as string);
  return [ctx.node('Concat', parts, { axis: dim })[0]];
};

/** Tensors made inside forward (zeros, arange, full, empty): constants of the recorded shape and type. */
const factory: AtenMapper = (ctx) => ctx.outputs.map((o) => ctx.constTensor(o.shape, o.dtype));

/** Ops with no data effect at inference (detach, dropout in eval, alias): the input itself. */
const identity: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self') ?? tensorArg(ctx, 0, 'input');
  return x ? [ctx.value(x)] : null;
};

// --- arithmetic -------------------------------------------------------------------------------------

function firstDtype(ctx: AtenContext): string {
  const t = tensorArg(ctx, 0) ?? tensorArg(ctx, 1);
  return t?.dtype ?? out0(ctx)?.dtype ?? 'float32';
}

function unary(opType: string, attributes: (ctx: AtenContext) => AttributeInit = () => ({})): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self') ?? tensorArg(ctx, 0, 'input');
    return x ? [ctx.node(opType, [ctx.value(x)], attributes(ctx))[0]] : null;
  };
}

function binary(opType: string, options: { alpha?: boolean; swap?: boolean; not?: boolean } = {}): AtenMapper {
  return (ctx) => {
    const dtype = firstDtype(ctx);
    let a = ctx.operand(ctx.arg(0, 'self'), dtype);
    let b = ctx.operand(ctx.arg(1, 'other'), dtype);
    const alpha = options.alpha ? num(ctx, 2, 'alpha', 1) : 1;
    if (alpha !== 1) b = ctx.node('Mul', [b, ctx.operand(alpha, dtype)])[0] as string;
    if (options.swap) [a, b] = [b, a];
    const result = ctx.node(opType, [a, b])[0] as string;
    return [options.not ? ctx.node('Not', [result])[0] : result];
  };
}

const div: AtenMapper = (ctx) => {
  const mode = ctx.arg(2, 'rounding_mode');
  const quotient = binary('Div')(ctx)?.[0];
  if (quotient === undefined) return null;
  if (mode === 'floor') return [ctx.node('Floor', [quotient])[0]];
  if (mode === 'trunc') return [ctx.node('Floor', [ctx.node('Abs', [quotient])[0] as string])[0]];
  return [quotient];
};

const where: AtenMapper = (ctx) => {
  const cond = tensorArg(ctx, 0, 'condition');
  if (!cond) return null;
  const dtype = out0(ctx)?.dtype ?? 'float32';
  return [ctx.node('Where', [ctx.value(cond), ctx.operand(ctx.arg(1, 'self'), dtype), ctx.operand(ctx.arg(2, 'other'), dtype)])[0]];
};

/** masked_fill(x, mask, value) = Where(mask, value, x). */
const maskedFill: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const mask = tensorArg(ctx, 1, 'mask');
  if (!x || !mask) return null;
  return [ctx.node('Where', [ctx.value(mask), ctx.operand(ctx.arg(2, 'value'), x.dtype), ctx.value(x)])[0]];
};

/** clamp / hardtanh / clamp_min / clamp_max: Clip with scalar bounds (absent ones omitted). */
function clip(minIndex: number | null, maxIndex: number | null, fixed?: { min?: number; max?: number }): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    if (!x) return null;
    const bound = (i: number | null, name: string, fallback: number | undefined): string => {
      const a = i === null ? undefined : ctx.arg(i, name);
      const v = a ?? fallback;
      return v === undefined || v === null ? '' : ctx.operand(v, x.dtype);
    };
    return [ctx.node('Clip', [ctx.value(x), bound(minIndex, 'min', fixed?.min), bound(maxIndex, 'max', fixed?.max)])[0]];
  };
}

const rsqrt: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  return x ? [ctx.node('Reciprocal', [ctx.node('Sqrt', [ctx.value(x)])[0] as string])[0]] : null;
};

const silu: AtenMapper = unary('Swish');

const gelu = unary('Gelu', (ctx) => ({ approximate: ctx.arg(1, 'approximate') === 'tanh' ? 'tanh' : 'none' }));

// --- matmul, conv, attention -------------------------------------------------------------------------

/** addmm(bias, a, b, beta, alpha) = alpha·a·b + beta·bias: a Gemm. */
const addmm: AtenMapper = (ctx) => {
  const bias = tensorArg(ctx, 0, 'self');
  const a = tensorArg(ctx, 1, 'mat1');
  const b = tensorArg(ctx, 2, 'mat2');
  if (!bias || !a || !b) return null;
  return [ctx.node('Gemm', [ctx.value(a), ctx.value(b), ctx.value(bias)], { alpha: { float: num(ctx, 4, 'alpha', 1) }, beta: { float: num(ctx, 3, 'beta', 1) } })[0]];
};

const matmul: AtenMapper = (ctx) => {
  const a = tensorArg(ctx, 0, 'self');
  const b = tensorArg(ctx, 1, 'mat2') ?? tensorArg(ctx, 1, 'other');
  return a && b ? [ctx.node('MatMul', [ctx.value(a), ctx.value(b)])[0]] : null;
};

/** baddbmm(x, a, b, beta, alpha) = beta·x + alpha·a@b. */
const baddbmm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const a = tensorArg(ctx, 1, 'batch1');
  const b = tensorArg(ctx, 2, 'batch2');
  if (!x || !a || !b) return null;
  const product = ctx.node('MatMul', [ctx.value(a), ctx.value(b)])[0] as string;
  return [ctx.node('Add', [product, ctx.value(x)])[0]];
};

/** linear(x, w, b) = x @ wᵀ + b, wᵀ a free view. */
const linear: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  const w = tensorArg(ctx, 1, 'weight');
  const b = tensorArg(ctx, 2, 'bias');
  if (!x || !w || w.shape.length !== 2) return null;
  const wt = ctx.node('Reshape', [ctx.value(w), ctx.constInts([w.shape[1] as number, w.shape[0] as number])])[0] as string;
  const product = ctx.node('MatMul', [ctx.value(x), wt])[0] as string;
  return [b ? ctx.node('Add', [product, ctx.value(b)])[0] : product];
};

/** convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups). */
const convolution: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  const w = tensorArg(ctx, 1, 'weight');
  const b = tensorArg(ctx, 2, 'bias');
  if (!x || !w) return null;
  const rank = w.shape.length - 2;
  const padding = ints(ctx, 4, 'padding', rank, new Array<number>(rank).fill(0));
  const attributes: AttributeInit = {
    strides: ints(ctx, 3, 'stride', rank, new Array<number>(rank).fill(1)),
    pads: [...padding, ...padding],
    dilations: ints(ctx, 5, 'dilation', rank, new Array<number>(rank).fill(1)),
    group: num(ctx, 8, 'groups', 1),
    kernel_shape: w.shape.slice(2),
  };
  const transposed = bool(ctx, 6, 'transposed', false);
  if (transposed) attributes.output_padding = ints(ctx, 7, 'output_padding', rank, new Array<number>(rank).fill(0));
  const inputs = [ctx.value(x), ctx.value(w), ...(b ? [ctx.value(b)] : [])];
  return [ctx.node(transposed ? 'ConvTranspose' : 'Conv', inputs, attributes)[0]];
};

/** conv1d/conv2d/conv3d(x, w, b, stride, padding, dilation, groups), when a build records them whole. */
const convNd: AtenMapper = (ctx) => {
  const w = tensorArg(ctx, 1, 'weight');
  const padding = ctx.arg(4, 'padding');
  if (!w || typeof padding === 'string') return null;
  const rank = w.shape.length - 2;
  const x = tensorArg(ctx, 0, 'input');
  const b = tensorArg(ctx, 2, 'bias');
  if (!x) return null;
  const pads = ints(ctx, 4, 'padding', rank, new Array<number>(rank).fill(0));
  return [ctx.node('Conv', [ctx.value(x), ctx.value(w), ...(b ? [ctx.value(b)] : [])], { strides: ints(ctx, 3, 'stride', rank, new Array<number>(rank).fill(1)), pads: [...pads, ...pads], dilations: ints(ctx, 5, 'dilation', rank, new Array<number>(rank).fill(1)), group: num(ctx, 6, 'groups', 1), kernel_shape: w.shape.slice(2) })[0]];
};

/**
 * The fused attention kernels behind F.scaled_dot_product_attention (torch ≥ 2.0): q, k, v first, an
 * optional mask tensor among the next arguments, `is_causal` and `scale` by name or as the first bool.
 */
const attention: AtenMapper = (ctx) => {
  const q = tensorArg(ctx, 0, 'query');
  const k = tensorArg(ctx, 1, 'key');
  const v = tensorArg(ctx, 2, 'value');
  if (!q || !k || !v) return null;
  const rest = ctx.op.args.slice(3);
  const mask = (rest.find(isTraceTensor) as TraceTensor | undefined) ?? (isTraceTensor(ctx.op.kwargs.attn_mask) ? ctx.op.kwargs.attn_mask : undefined);
  const causalKw = ctx.op.kwargs.is_causal;
  const causal = typeof causalKw === 'boolean' ? causalKw : rest.find((a) => typeof a === 'boolean') === true;
  const attributes: AttributeInit = { is_causal: causal ? 1 : 0 };
  if (typeof ctx.op.kwargs.scale === 'number') attributes.scale = { float: ctx.op.kwargs.scale };
  return [ctx.node('Attention', [ctx.value(q), ctx.value(k), ctx.value(v), ...(mask ? [ctx.value(mask)] : [])], attributes)[0]];
};

/**
 * _native_multi_head_attention(q, k, v, embed_dim, num_head, qkv_weight, qkv_bias, proj_weight,
 * proj_bias, mask, need_weights, …): nn.MultiheadAttention's fused inference path (eval, no grad, CPU).
 * The in-projection (one MatMul on the packed [3E, E] weight for self-attention, else three on its row
 * blocks), Attention over 3-D packed heads, and the out-projection. The attention weights output is
 * never requested on this path.
 */
const nativeMultiHeadAttention: AtenMapper = (ctx) => {
  const [q, k, v] = [tensorArg(ctx, 0, 'query'), tensorArg(ctx, 1, 'key'), tensorArg(ctx, 2, 'value')];
  const heads = num(ctx, 4, 'num_head', 0);
  const [w, b, pw, pb] = [tensorArg(ctx, 5, 'qkv_weight'), tensorArg(ctx, 6, 'qkv_bias'), tensorArg(ctx, 7, 'proj_weight'), tensorArg(ctx, 8, 'proj_bias')];
  const e = w?.shape[1];
  if (!q || !k || !v || !w || !pw || heads <= 0 || e === undefined || w.shape[0] !== 3 * e) return null;
  const project = (x: TraceTensor, rows: [number, number] | null): string => {
    const block = rows ? ctx.node('Slice', [ctx.value(w), ctx.constInts([rows[0]]), ctx.constInts([rows[1]]), ctx.constInts([0])])[0] as string : ctx.value(w);
    const width = rows ? rows[1] - rows[0] : 3 * e;
    const product = ctx.node('MatMul', [ctx.value(x), ctx.node('Reshape', [block, ctx.constInts([e, width])])[0] as string])[0] as string;
    if (!b) return product;
    const bias = rows ? (ctx.node('Slice', [ctx.value(b), ctx.constInts([rows[0]]), ctx.constInts([rows[1]]), ctx.constInts([0])])[0] as string) : ctx.value(b);
    return ctx.node('Add', [product, bias])[0] as string;
  };
  const rank = q.shape.length;
  const [qp, kp, vp] = q.t === k.t && k.t === v.t ? ctx.node('Split', [project(q, null), ctx.constInts([e, e, e])], { axis: rank - 1 }, 3) : [project(q, [0, e]), project(k, [e, 2 * e]), project(v, [2 * e, 3 * e])];
  const attended = ctx.node('Attention', [qp as string, kp as string, vp as string], { q_num_heads: heads, kv_num_heads: heads })[0] as string;
  const out = ctx.node('MatMul', [attended, ctx.node('Reshape', [ctx.value(pw), ctx.constInts([e, e])])[0] as string])[0] as string;
  return [pb ? ctx.node('Add', [out, ctx.value(pb)])[0] : out];
};

// --- normalisation, pooling, reductions -----------------------------------------------------------------

function orConst(ctx: AtenContext, t: TraceTensor | undefined, dims: readonly number[], dtype: string): string {
  return t ? ctx.value(t) : ctx.constTensor(dims, dtype);
}

/** native_batch_norm(x, w, b, mean, var, training, momentum, eps) or the _legit variants (eps last). */
const batchNorm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  if (!x) return null;
  const channels = [x.shape[1] ?? 1];
  const args = ctx.op.args;
  const eps = typeof args[args.length - 1] === 'number' ? (args[args.length - 1] as number) : 1e-5;
  const inputs = [1, 2, 3, 4].map((i) => orConst(ctx, tensorArg(ctx, i), channels, x.dtype));
  return [ctx.node('BatchNormalization', [ctx.value(x), ...inputs], { epsilon: { float: eps } })[0]];
};

/** native_layer_norm(x, normalized_shape, weight, bias, eps) → [y, mean, rstd]. */
const layerNorm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  if (!x) return null;
  const normalized = ints(ctx, 1, 'normalized_shape', 1, [x.shape[x.shape.length - 1] ?? 1]);
  const inputs = [orConst(ctx, tensorArg(ctx, 2, 'weight'), normalized, x.dtype), orConst(ctx, tensorArg(ctx, 3, 'bias'), normalized, x.dtype)];
  return [ctx.node('LayerNormalization', [ctx.value(x), ...inputs], { axis: -normalized.length, epsilon: { float: num(ctx, 4, 'eps', 1e-5) } })[0]];
};

/** native_group_norm(x, weight, bias, N, C, HxW, group, eps). */
const groupNorm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  if (!x) return null;
  const channels = [x.shape[1] ?? 1];
  const inputs = [orConst(ctx, tensorArg(ctx, 1, 'weight'), channels, x.dtype), orConst(ctx, tensorArg(ctx, 2, 'bias'), channels, x.dtype)];
  return [ctx.node('GroupNormalization', [ctx.value(x), ...inputs], { num_groups: num(ctx, 6, 'group', 1), epsilon: { float: num(ctx, 7, 'eps', 1e-5) } })[0]];
};

/** max_pool{1,2,3}d[_with_indices](x, kernel, stride, padding, dilation, ceil_mode) → [y, indices]. */
const maxPool: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const rank = x.shape.length - 2;
  const kernel = ints(ctx, 1, 'kernel_size', rank, []);
  const stride = ints(ctx, 2, 'stride', rank, kernel);
  const padding = ints(ctx, 3, 'padding', rank, new Array<number>(rank).fill(0));
  const attributes = { kernel_shape: kernel, strides: stride.length ? stride : kernel, pads: [...padding, ...padding], dilations: ints(ctx, 4, 'dilation', rank, new Array<number>(rank).fill(1)), ceil_mode: bool(ctx, 5, 'ceil_mode', false) ? 1 : 0 };
  return [ctx.node('MaxPool', [ctx.value(x)], attributes)[0]];
};

/** avg_pool{1,2,3}d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override). */
const avgPool: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const rank = x.shape.length - 2;
  const kernel = ints(ctx, 1, 'kernel_size', rank, []);
  const stride = ints(ctx, 2, 'stride', rank, kernel);
  const padding = ints(ctx, 3, 'padding', rank, new Array<number>(rank).fill(0));
  const attributes = { kernel_shape: kernel, strides: stride.length ? stride : kernel, pads: [...padding, ...padding], ceil_mode: bool(ctx, 4, 'ceil_mode', false) ? 1 : 0, count_include_pad: bool(ctx, 5, 'count_include_pad', true) ? 1 : 0 };
  return [ctx.node('AveragePool', [ctx.value(x)], attributes)[0]];
};

/**
 * Adaptive pooling to the recorded output size: a global pool for 1×1, else the fixed pool with stride
 * ⌊in/out⌋ and kernel in − (out−1)·stride, which gives the same output size and the same reads.
 */
function adaptivePool(global: string, fixed: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    const out = out0(ctx);
    if (!x || !out) return null;
    const spatialIn = x.shape.slice(2);
    const spatialOut = out.shape.slice(2);
    if (spatialOut.every((d) => d === 1)) return [ctx.node(global, [ctx.value(x)])[0]];
    const strides = spatialIn.map((d, i) => Math.max(1, Math.floor(d / (spatialOut[i] ?? 1))));
    const kernel = spatialIn.map((d, i) => d - ((spatialOut[i] ?? 1) - 1) * (strides[i] ?? 1));
    return [ctx.node(fixed, [ctx.value(x)], { kernel_shape: kernel, strides })[0]];
  };
}

/** mean.dim / sum.dim_IntList / amax (x, dims, keepdim): a Reduce over those axes; no dims: all of them. */
function reduce(opType: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    if (!x) return null;
    const dims = ctx.arg(1, 'dim');
    const list = typeof dims === 'number' ? [dims] : Array.isArray(dims) && dims.every((d) => typeof d === 'number') ? (dims as number[]) : [];
    const keep = bool(ctx, 2, 'keepdim', false);
    const axes = list.map((d) => axis(d, x.shape.length));
    const inputs = [ctx.value(x), ...(axes.length > 0 ? [ctx.constInts(axes)] : [])];
    return [ctx.node(opType, inputs, { keepdims: keep ? 1 : 0 })[0]];
  };
}

/** norm.ScalarOpt_dim(x, p, dim, keepdim) / linalg_vector_norm(x, ord, dim, keepdim): ReduceL2, ReduceL1 or max |x|. */
const norm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const p = ctx.arg(1, ctx.op.op === 'aten::linalg_vector_norm' ? 'ord' : 'p') ?? 2;
  const dims = ctx.arg(2, 'dim');
  const list = typeof dims === 'number' ? [dims] : Array.isArray(dims) && dims.every((d) => typeof d === 'number') ? (dims as number[]) : [];
  const axes = list.map((d) => axis(d, x.shape.length));
  const keepdims = bool(ctx, 3, 'keepdim', false) ? 1 : 0;
  const axesInput = axes.length > 0 ? [ctx.constInts(axes)] : [];
  if (p === 2) return [ctx.node('ReduceL2', [ctx.value(x), ...axesInput], { keepdims })[0]];
  if (p === 1) return [ctx.node('ReduceL1', [ctx.value(x), ...axesInput], { keepdims })[0]];
  if (p === 'inf') return [ctx.node('ReduceMax', [ctx.node('Abs', [ctx.value(x)])[0] as string, ...axesInput], { keepdims })[0]];
  return null;
};

/** max.dim / min.dim (x, dim, keepdim) → [values, indices]. */
function reduceWithIndex(reduceOp: string, argOp: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    if (!x) return null;
    const dim = axis(num(ctx, 1, 'dim', 0), x.shape.length);
    const keep = bool(ctx, 2, 'keepdim', false) ? 1 : 0;
    return [ctx.node(reduceOp, [ctx.value(x), ctx.constInts([dim])], { keepdims: keep })[0], ctx.node(argOp, [ctx.value(x)], { axis: dim, keepdims: keep })[0]];
  };
}

function softmax(opType: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    return x ? [ctx.node(opType, [ctx.value(x)], { axis: axis(num(ctx, 1, 'dim', -1), x.shape.length) })[0]] : null;
  };
}

// --- indexing, padding, resizing ------------------------------------------------------------------------

/** embedding(weight, indices, …) = Gather(weight, indices). */
const embedding: AtenMapper = (ctx) => {
  const w = tensorArg(ctx, 0, 'weight');
  const idx = tensorArg(ctx, 1, 'indices');
  return w && idx ? [ctx.node('Gather', [ctx.value(w), ctx.value(idx)], { axis: 0 })[0]] : null;
};

/** index.Tensor(x, [None, …, idx]) with one integer index tensor: a Gather on that axis. */
const index: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const list = ctx.arg(1, 'indices');
  if (!x || !Array.isArray(list)) return null;
  const present = (list as TraceArg[]).map((a, i) => ({ a, i })).filter((e) => e.a !== null);
  const only = present[0];
  if (present.length !== 1 || !only || !isTraceTensor(only.a) || only.a.dtype === 'bool' || only.a.dtype === 'uint8') return null;
  return [ctx.node('Gather', [ctx.value(x), ctx.value(only.a)], { axis: only.i })[0]];
};

/** constant_pad_nd(x, pad, value): torch lists (begin, end) pairs from the last dim; ONNX all begins, then all ends. */
const pad: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const pads = ctx.arg(1, 'pad');
  if (!x || !Array.isArray(pads) || !pads.every((p) => typeof p === 'number')) return null;
  const rank = x.shape.length;
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  const list = pads as number[];
  for (let i = 0; i * 2 + 1 < list.length; i++) {
    begins[rank - 1 - i] = list[2 * i] as number;
    ends[rank - 1 - i] = list[2 * i + 1] as number;
  }
  return [ctx.node('Pad', [ctx.value(x), ctx.constInts([...begins, ...ends])], { mode: 'constant' })[0]];
};

/** upsample_* (x, output_size, …): Resize to the recorded size. */
function resize(mode: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'input') ?? tensorArg(ctx, 0, 'self');
    const out = out0(ctx);
    if (!x || !out) return null;
    return [ctx.node('Resize', [ctx.value(x), '', '', ctx.constInts(out.shape)], { mode })[0]];
  };
}

/** _to_copy(x, dtype=…): a Cast when the type changes, else a copy. */
const toCopy: AtenMapper = (ctx) => copy(ctx);

const ONNX_TYPES: Record<string, number> = { float32: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, complex64: 14, complex128: 15, bfloat16: 16 };

export function onnxTypeNumber(dtype: string): number {
  return ONNX_TYPES[dtype] ?? 1;
}

/** The mappers by aten op name (`aten::name`, any overload unless the key names one: `aten::add.Scalar`). */
export const ATEN_OPS: ReadonlyMap<string, AtenMapper> = new Map<string, AtenMapper>([
  ...['view', '_reshape_alias', '_unsafe_view', 'reshape', 'squeeze', 'squeeze_', 'unsqueeze', 'unsqueeze_', 'flatten', 'unflatten', 't', 'transpose', 'permute', 'expand', 'expand_as', 'as_strided', 'as_strided_', 'alias', 'view_as', 'movedim', 'swapaxes', 'numpy_T', 'view_as_real', 'unfold'].map((n) => [`aten::${n}`, view] as const),
  ...['detach', 'detach_', 'lift_fresh', 'dropout', 'native_dropout', 'feature_dropout', 'alpha_dropout', 'contiguous_', 'positive'].map((n) => [`aten::${n}`, identity] as const),
  ...['clone', 'contiguous', 'roll', 'flip', '_to_copy', 'to', 'type_as'].map((n) => [`aten::${n}`, n === '_to_copy' ? toCopy : copy] as const),
  ['aten::copy_', copyInto],
  ['aten::select', select],
  ['aten::slice', slice],
  ['aten::split', split],
  ['aten::split_with_sizes', split],
  ['aten::unbind', split],
  ['aten::cat', cat],
  ['aten::concat', cat],
  ['aten::stack', stack],
  ...['empty', 'empty_strided', 'zeros', 'ones', 'full', 'new_zeros', 'new_ones', 'new_empty', 'new_full', 'new_empty_strided', 'zeros_like', 'ones_like', 'empty_like', 'full_like', 'scalar_tensor', 'arange', 'linspace', 'eye', 'tensor', 'rand', 'randn', 'rand_like', 'randn_like', 'randint', 'fill_', 'zero_', 'normal_', 'uniform_', 'bernoulli_'].map((n) => [`aten::${n}`, factory] as const),
  ...[['add', 'Add'], ['add_', 'Add'], ['sub', 'Sub'], ['sub_', 'Sub']].map(([n, o]) => [`aten::${n}`, binary(o as string, { alpha: true })] as const),
  ['aten::rsub', binary('Sub', { alpha: true, swap: true })],
  ...[['mul', 'Mul'], ['mul_', 'Mul'], ['pow', 'Pow'], ['pow_', 'Pow'], ['maximum', 'Max'], ['minimum', 'Min'], ['eq', 'Equal'], ['lt', 'Less'], ['le', 'LessOrEqual'], ['gt', 'Greater'], ['ge', 'GreaterOrEqual'], ['logical_and', 'And'], ['logical_or', 'Or'], ['bitwise_and', 'And'], ['bitwise_or', 'Or'], ['remainder', 'Mod'], ['fmod', 'Mod']].map(([n, o]) => [`aten::${n}`, binary(o as string)] as const),
  ['aten::ne', binary('Equal', { not: true })],
  ['aten::div', div],
  ['aten::div_', div],
  ['aten::where', where],
  ['aten::masked_fill', maskedFill],
  ['aten::masked_fill_', maskedFill],
  ...[['relu', 'Relu'], ['relu_', 'Relu'], ['sigmoid', 'Sigmoid'], ['sigmoid_', 'Sigmoid'], ['tanh', 'Tanh'], ['tanh_', 'Tanh'], ['exp', 'Exp'], ['log', 'Log'], ['sqrt', 'Sqrt'], ['reciprocal', 'Reciprocal'], ['neg', 'Neg'], ['abs', 'Abs'], ['erf', 'Erf'], ['hardswish', 'HardSwish'], ['hardswish_', 'HardSwish'], ['softplus', 'Softplus'], ['mish', 'Mish'], ['mish_', 'Mish'], ['floor', 'Floor'], ['ceil', 'Ceil'], ['round', 'Round'], ['sign', 'Sign'], ['sin', 'Sin'], ['cos', 'Cos'], ['logical_not', 'Not'], ['bitwise_not', 'Not']].map(([n, o]) => [`aten::${n}`, unary(o as string)] as const),
  ['aten::hardsigmoid', unary('HardSigmoid', () => ({ alpha: { float: 1 / 6 }, beta: { float: 0.5 } }))],
  ['aten::hardsigmoid_', unary('HardSigmoid', () => ({ alpha: { float: 1 / 6 }, beta: { float: 0.5 } }))],
  ['aten::leaky_relu', unary('LeakyRelu', (ctx) => ({ alpha: { float: num(ctx, 1, 'negative_slope', 0.01) } }))],
  ['aten::leaky_relu_', unary('LeakyRelu', (ctx) => ({ alpha: { float: num(ctx, 1, 'negative_slope', 0.01) } }))],
  ['aten::elu', unary('Elu', (ctx) => ({ alpha: { float: num(ctx, 1, 'alpha', 1) } }))],
  ['aten::elu_', unary('Elu', (ctx) => ({ alpha: { float: num(ctx, 1, 'alpha', 1) } }))],
  ['aten::gelu', gelu],
  ['aten::gelu_', gelu],
  ['aten::silu', silu],
  ['aten::silu_', silu],
  ['aten::rsqrt', rsqrt],
  ['aten::hardtanh', clip(1, 2, { min: -1, max: 1 })],
  ['aten::hardtanh_', clip(1, 2, { min: -1, max: 1 })],
  ['aten::clamp', clip(1, 2)],
  ['aten::clamp_', clip(1, 2)],
  ['aten::clamp_min', clip(1, null)],
  ['aten::clamp_min_', clip(1, null)],
  ['aten::clamp_max', clip(null, 1)],
  ['aten::addmm', addmm],
  ['aten::mm', matmul],
  ['aten::bmm', matmul],
  ['aten::matmul', matmul],
  ['aten::baddbmm', baddbmm],
  ['aten::linear', linear],
  ['aten::convolution', convolution],
  ['aten::_convolution', convolution],
  ['aten::conv1d', convNd],
  ['aten::conv2d', convNd],
  ['aten::conv3d', convNd],
  ...['_scaled_dot_product_attention_math', '_scaled_dot_product_flash_attention', '_scaled_dot_product_efficient_attention', '_scaled_dot_product_flash_attention_for_cpu', '_scaled_dot_product_cudnn_attention', 'scaled_dot_product_attention'].map((n) => [`aten::${n}`, attention] as const),
  ['aten::_native_multi_head_attention', nativeMultiHeadAttention],
  ['aten::native_batch_norm', batchNorm],
  ['aten::_native_batch_norm_legit', batchNorm],
  ['aten::_native_batch_norm_legit_no_training', batchNorm],
  ['aten::native_layer_norm', layerNorm],
  ['aten::native_group_norm', groupNorm],
  ...['max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool2d_with_indices', 'max_pool3d_with_indices'].map((n) => [`aten::${n}`, maxPool] as const),
  ...['avg_pool1d', 'avg_pool2d', 'avg_pool3d'].map((n) => [`aten::${n}`, avgPool] as const),
  ...['_adaptive_avg_pool2d', '_adaptive_avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d'].map((n) => [`aten::${n}`, adaptivePool('GlobalAveragePool', 'AveragePool')] as const),
  ...['adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool3d'].map((n) => [`aten::${n}`, adaptivePool('GlobalMaxPool', 'MaxPool')] as const),
  ['aten::mean', reduce('ReduceMean')],
  ['aten::sum', reduce('ReduceSum')],
  ['aten::amax', reduce('ReduceMax')],
  ['aten::norm', norm],
  ['aten::linalg_vector_norm', norm],
  ['aten::amin', reduce('ReduceMin')],
  ['aten::prod', reduce('ReduceProd')],
  ['aten::max.dim', reduceWithIndex('ReduceMax', 'ArgMax')],
  ['aten::min.dim', reduceWithIndex('ReduceMin', 'ArgMin')],
  ['aten::max.default', reduce('ReduceMax')],
  ['aten::min.default', reduce('ReduceMin')],
  ['aten::max.other', binary('Max')],
  ['aten::min.other', binary('Min')],
  ['aten::_softmax', softmax('Softmax')],
  ['aten::softmax', softmax('Softmax')],
  ['aten::_log_softmax', softmax('LogSoftmax')],
  ['aten::log_softmax', softmax('LogSoftmax')],
  ['aten::embedding', embedding],
  ['aten::index', index],
  ['aten::constant_pad_nd', pad],
  ...['upsample_nearest1d', 'upsample_nearest2d', 'upsample_nearest3d'].map((n) => [`aten::${n}`, resize('nearest')] as const),
  ...['upsample_linear1d', 'upsample_bilinear2d', 'upsample_trilinear3d'].map((n) => [`aten::${n}`, resize('linear')] as const),
  ['aten::upsample_bicubic2d', resize('cubic')],
]);

/** Ops that return no tensor and launch nothing the model's cost depends on (`.item()`, size queries). */
export const NO_TENSOR_OPS: ReadonlySet<string> = new Set(['aten::_local_scalar_dense', 'aten::sym_size', 'aten::sym_numel', 'aten::sym_stride', 'aten::is_nonzero', 'aten::equal', 'aten::is_same_size', 'aten::_assert_async', 'aten::set_', 'aten::resize_', 'aten::record_stream']);

export function mapperFor(op: TraceOp): AtenMapper | undefined {
  return ATEN_OPS.get(`${op.op}.${op.overload}`) ?? ATEN_OPS.get(op.op);
}
