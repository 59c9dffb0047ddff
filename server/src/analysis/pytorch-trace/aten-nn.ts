/**
 * aten layers' kernels → ONNX: matrix products (Gemm, MatMul), convolutions, attention (the SDPA kernels
 * and nn.MultiheadAttention's fused path), normalisations and pooling.
 */
import { at } from '../ir/at';
import { AtenContext, AtenMapper, AttributeInit, bool, ints, nodeOutput, num, out0, tensorArg } from './aten-context';
import { TraceTensor, isTraceTensor } from './trace-format';

// --- matmul, conv, attention -------------------------------------------------------------------------

/** addmm(bias, a, b, beta, alpha) = alpha·a·b + beta·bias: a Gemm. */
export const addmm: AtenMapper = (ctx) => {
  const bias = tensorArg(ctx, 0, 'self');
  const a = tensorArg(ctx, 1, 'mat1');
  const b = tensorArg(ctx, 2, 'mat2');
  if (!bias || !a || !b) return null;
  return [ctx.node('Gemm', [ctx.value(a), ctx.value(b), ctx.value(bias)], { alpha: { float: num(ctx, 4, 'alpha', 1) }, beta: { float: num(ctx, 3, 'beta', 1) } })[0]];
};

export const matmul: AtenMapper = (ctx) => {
  const a = tensorArg(ctx, 0, 'self');
  const b = tensorArg(ctx, 1, 'mat2') ?? tensorArg(ctx, 1, 'other');
  return a && b ? [ctx.node('MatMul', [ctx.value(a), ctx.value(b)])[0]] : null;
};

/** baddbmm(x, a, b, beta, alpha) = beta·x + alpha·a@b. */
export const baddbmm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const a = tensorArg(ctx, 1, 'batch1');
  const b = tensorArg(ctx, 2, 'batch2');
  if (!x || !a || !b) return null;
  const product = nodeOutput(ctx, 'MatMul', [ctx.value(a), ctx.value(b)]);
  return [ctx.node('Add', [product, ctx.value(x)])[0]];
};

/** linear(x, w, b) = x @ wᵀ + b, wᵀ a free view. */
export const linear: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  const w = tensorArg(ctx, 1, 'weight');
  const b = tensorArg(ctx, 2, 'bias');
  if (!x || !w) return null;
  const [outFeatures, inFeatures, ...more] = w.shape;
  if (outFeatures === undefined || inFeatures === undefined || more.length > 0) return null;
  const wt = nodeOutput(ctx, 'Reshape', [ctx.value(w), ctx.constInts([inFeatures, outFeatures])]);
  const product = nodeOutput(ctx, 'MatMul', [ctx.value(x), wt]);
  return [b ? ctx.node('Add', [product, ctx.value(b)])[0] : product];
};

/** convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups). */
export const convolution: AtenMapper = (ctx) => {
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
export const convNd: AtenMapper = (ctx) => {
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
export const attention: AtenMapper = (ctx) => {
  const q = tensorArg(ctx, 0, 'query');
  const k = tensorArg(ctx, 1, 'key');
  const v = tensorArg(ctx, 2, 'value');
  if (!q || !k || !v) return null;
  const rest = ctx.op.args.slice(3);
  const mask = rest.find(isTraceTensor) ?? (isTraceTensor(ctx.op.kwargs.attn_mask) ? ctx.op.kwargs.attn_mask : undefined);
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
export const nativeMultiHeadAttention: AtenMapper = (ctx) => {
  const [q, k, v] = [tensorArg(ctx, 0, 'query'), tensorArg(ctx, 1, 'key'), tensorArg(ctx, 2, 'value')];
  const heads = num(ctx, 4, 'num_head', 0);
  const [w, b, pw, pb] = [tensorArg(ctx, 5, 'qkv_weight'), tensorArg(ctx, 6, 'qkv_bias'), tensorArg(ctx, 7, 'proj_weight'), tensorArg(ctx, 8, 'proj_bias')];
  const e = w?.shape[1];
  if (!q || !k || !v || !w || !pw || heads <= 0 || e === undefined || w.shape[0] !== 3 * e) return null;
  const project = (x: TraceTensor, rows: [number, number] | null): string => {
    const block = rows ? nodeOutput(ctx, 'Slice', [ctx.value(w), ctx.constInts([rows[0]]), ctx.constInts([rows[1]]), ctx.constInts([0])]) : ctx.value(w);
    const width = rows ? rows[1] - rows[0] : 3 * e;
    const product = nodeOutput(ctx, 'MatMul', [ctx.value(x), nodeOutput(ctx, 'Reshape', [block, ctx.constInts([e, width])])]);
    if (!b) return product;
    const bias = rows ? (nodeOutput(ctx, 'Slice', [ctx.value(b), ctx.constInts([rows[0]]), ctx.constInts([rows[1]]), ctx.constInts([0])])) : ctx.value(b);
    return nodeOutput(ctx, 'Add', [product, bias]);
  };
  const rank = q.shape.length;
  const qkv = q.t === k.t && k.t === v.t ? ctx.node('Split', [project(q, null), ctx.constInts([e, e, e])], { axis: rank - 1 }, 3) : [project(q, [0, e]), project(k, [e, 2 * e]), project(v, [2 * e, 3 * e])];
  const attended = nodeOutput(ctx, 'Attention', [0, 1, 2].map((i) => at(qkv, i, 'q/k/v projections')), { q_num_heads: heads, kv_num_heads: heads });
  const out = nodeOutput(ctx, 'MatMul', [attended, nodeOutput(ctx, 'Reshape', [ctx.value(pw), ctx.constInts([e, e])])]);
  return [pb ? ctx.node('Add', [out, ctx.value(pb)])[0] : out];
};

// --- normalisation, pooling, reductions -----------------------------------------------------------------

export function orConst(ctx: AtenContext, t: TraceTensor | undefined, dims: readonly number[], dtype: string): string {
  return t ? ctx.value(t) : ctx.constTensor(dims, dtype);
}

/** native_batch_norm(x, w, b, mean, var, training, momentum, eps) or the _legit variants (eps last). */
export const batchNorm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  if (!x) return null;
  const channels = [x.shape[1] ?? 1];
  const last = ctx.op.args.at(-1);
  const eps = typeof last === 'number' ? last : 1e-5;
  const inputs = [1, 2, 3, 4].map((i) => orConst(ctx, tensorArg(ctx, i), channels, x.dtype));
  return [ctx.node('BatchNormalization', [ctx.value(x), ...inputs], { epsilon: { float: eps } })[0]];
};

/** native_layer_norm(x, normalized_shape, weight, bias, eps) → [y, mean, rstd]. */
export const layerNorm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  if (!x) return null;
  const normalized = ints(ctx, 1, 'normalized_shape', 1, [x.shape[x.shape.length - 1] ?? 1]);
  const inputs = [orConst(ctx, tensorArg(ctx, 2, 'weight'), normalized, x.dtype), orConst(ctx, tensorArg(ctx, 3, 'bias'), normalized, x.dtype)];
  return [ctx.node('LayerNormalization', [ctx.value(x), ...inputs], { axis: -normalized.length, epsilon: { float: num(ctx, 4, 'eps', 1e-5) } })[0]];
};

/** native_group_norm(x, weight, bias, N, C, HxW, group, eps). */
export const groupNorm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'input');
  if (!x) return null;
  const channels = [x.shape[1] ?? 1];
  const inputs = [orConst(ctx, tensorArg(ctx, 1, 'weight'), channels, x.dtype), orConst(ctx, tensorArg(ctx, 2, 'bias'), channels, x.dtype)];
  return [ctx.node('GroupNormalization', [ctx.value(x), ...inputs], { num_groups: num(ctx, 6, 'group', 1), epsilon: { float: num(ctx, 7, 'eps', 1e-5) } })[0]];
};

/** The window arguments pooling ops share (x, kernel_size, stride, padding): ONNX's kernel, strides and pads. */
function poolWindow(ctx: AtenContext): { x: TraceTensor; rank: number; window: { kernel_shape: number[]; strides: number[]; pads: number[] } } | null {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const rank = x.shape.length - 2;
  const kernel = ints(ctx, 1, 'kernel_size', rank, []);
  const stride = ints(ctx, 2, 'stride', rank, kernel);
  const padding = ints(ctx, 3, 'padding', rank, new Array<number>(rank).fill(0));
  return { x, rank, window: { kernel_shape: kernel, strides: stride.length ? stride : kernel, pads: [...padding, ...padding] } };
}

/** max_pool{1,2,3}d[_with_indices](x, kernel, stride, padding, dilation, ceil_mode) → [y, indices]. */
export const maxPool: AtenMapper = (ctx) => {
  const pool = poolWindow(ctx);
  if (!pool) return null;
  const attributes = { ...pool.window, dilations: ints(ctx, 4, 'dilation', pool.rank, new Array<number>(pool.rank).fill(1)), ceil_mode: bool(ctx, 5, 'ceil_mode', false) ? 1 : 0 };
  return [ctx.node('MaxPool', [ctx.value(pool.x)], attributes)[0]];
};

/** avg_pool{1,2,3}d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override). */
export const avgPool: AtenMapper = (ctx) => {
  const pool = poolWindow(ctx);
  if (!pool) return null;
  const attributes = { ...pool.window, ceil_mode: bool(ctx, 4, 'ceil_mode', false) ? 1 : 0, count_include_pad: bool(ctx, 5, 'count_include_pad', true) ? 1 : 0 };
  return [ctx.node('AveragePool', [ctx.value(pool.x)], attributes)[0]];
};

/**
 * Adaptive pooling to the recorded output size: a global pool for 1×1, else the fixed pool with stride
 * ⌊in/out⌋ and kernel in − (out−1)·stride, which gives the same output size and the same reads.
 */
export function adaptivePool(global: string, fixed: string): AtenMapper {
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
