/**
 * aten ops → ONNX ops whose shape rules and cost formulas Ridgepoint already has: the table from aten op
 * name to its mapper (aten-tensor.ts, aten-math.ts, aten-nn.ts; what a mapper sees: aten-context.ts).
 * An op missing here is reported by the caller as unmapped, with its line, and the result is incomplete.
 */
import { AtenMapper, num } from './aten-context';
import * as M from './aten-math';
import * as N from './aten-nn';
import * as T from './aten-tensor';
import { TraceOp } from './trace-format';

export type { AtenContext, AtenMapper, AttributeInit } from './aten-context';

/** The mappers by aten op name (`aten::name`, any overload unless the key names one: `aten::add.Scalar`). */
export const ATEN_OPS: ReadonlyMap<string, AtenMapper> = new Map<string, AtenMapper>([
  ...['view', '_reshape_alias', '_unsafe_view', 'reshape', 'squeeze', 'squeeze_', 'unsqueeze', 'unsqueeze_', 'flatten', 'unflatten', 't', 'transpose', 'permute', 'expand', 'expand_as', 'as_strided', 'as_strided_', 'alias', 'view_as', 'movedim', 'swapaxes', 'numpy_T', 'view_as_real', 'unfold'].map((n) => [`aten::${n}`, T.view] as const),
  ...['detach', 'detach_', 'lift_fresh', 'dropout', 'native_dropout', 'feature_dropout', 'alpha_dropout', 'contiguous_', 'positive'].map((n) => [`aten::${n}`, T.identity] as const),
  ...['clone', 'contiguous', 'roll', 'flip', '_to_copy', 'to', 'type_as'].map((n) => [`aten::${n}`, n === '_to_copy' ? T.toCopy : T.copy] as const),
  ['aten::copy_', T.copyInto],
  ['aten::select', T.select],
  ['aten::slice', T.slice],
  ['aten::split', T.split],
  ['aten::split_with_sizes', T.split],
  ['aten::unbind', T.split],
  ['aten::cat', T.cat],
  ['aten::concat', T.cat],
  ['aten::stack', T.stack],
  ...['empty', 'empty_strided', 'zeros', 'ones', 'full', 'new_zeros', 'new_ones', 'new_empty', 'new_full', 'new_empty_strided', 'zeros_like', 'ones_like', 'empty_like', 'full_like', 'scalar_tensor', 'arange', 'linspace', 'eye', 'tensor', 'rand', 'randn', 'rand_like', 'randn_like', 'randint', 'fill_', 'zero_', 'normal_', 'uniform_', 'bernoulli_'].map((n) => [`aten::${n}`, T.factory] as const),
  ...([['add', 'Add'], ['add_', 'Add'], ['sub', 'Sub'], ['sub_', 'Sub']] as const).map(([n, o]) => [`aten::${n}`, M.binary(o, { alpha: true })] as const),
  ['aten::rsub', M.binary('Sub', { alpha: true, swap: true })],
  ...([['mul', 'Mul'], ['mul_', 'Mul'], ['pow', 'Pow'], ['pow_', 'Pow'], ['maximum', 'Max'], ['minimum', 'Min'], ['eq', 'Equal'], ['lt', 'Less'], ['le', 'LessOrEqual'], ['gt', 'Greater'], ['ge', 'GreaterOrEqual'], ['logical_and', 'And'], ['logical_or', 'Or'], ['bitwise_and', 'And'], ['bitwise_or', 'Or'], ['remainder', 'Mod'], ['fmod', 'Mod']] as const).map(([n, o]) => [`aten::${n}`, M.binary(o)] as const),
  ['aten::ne', M.binary('Equal', { not: true })],
  ['aten::div', M.div],
  ['aten::div_', M.div],
  ['aten::where', M.where],
  ['aten::masked_fill', M.maskedFill],
  ['aten::masked_fill_', M.maskedFill],
  ...([['relu', 'Relu'], ['relu_', 'Relu'], ['sigmoid', 'Sigmoid'], ['sigmoid_', 'Sigmoid'], ['tanh', 'Tanh'], ['tanh_', 'Tanh'], ['exp', 'Exp'], ['log', 'Log'], ['sqrt', 'Sqrt'], ['reciprocal', 'Reciprocal'], ['neg', 'Neg'], ['abs', 'Abs'], ['erf', 'Erf'], ['hardswish', 'HardSwish'], ['hardswish_', 'HardSwish'], ['softplus', 'Softplus'], ['mish', 'Mish'], ['mish_', 'Mish'], ['floor', 'Floor'], ['ceil', 'Ceil'], ['round', 'Round'], ['sign', 'Sign'], ['sin', 'Sin'], ['cos', 'Cos'], ['logical_not', 'Not'], ['bitwise_not', 'Not']] as const).map(([n, o]) => [`aten::${n}`, M.unary(o)] as const),
  ['aten::hardsigmoid', M.unary('HardSigmoid', () => ({ alpha: { float: 1 / 6 }, beta: { float: 0.5 } }))],
  ['aten::hardsigmoid_', M.unary('HardSigmoid', () => ({ alpha: { float: 1 / 6 }, beta: { float: 0.5 } }))],
  ['aten::leaky_relu', M.unary('LeakyRelu', (ctx) => ({ alpha: { float: num(ctx, 1, 'negative_slope', 0.01) } }))],
  ['aten::leaky_relu_', M.unary('LeakyRelu', (ctx) => ({ alpha: { float: num(ctx, 1, 'negative_slope', 0.01) } }))],
  ['aten::elu', M.unary('Elu', (ctx) => ({ alpha: { float: num(ctx, 1, 'alpha', 1) } }))],
  ['aten::elu_', M.unary('Elu', (ctx) => ({ alpha: { float: num(ctx, 1, 'alpha', 1) } }))],
  ['aten::gelu', M.gelu],
  ['aten::gelu_', M.gelu],
  ['aten::silu', M.silu],
  ['aten::silu_', M.silu],
  ['aten::rsqrt', M.rsqrt],
  ['aten::hardtanh', M.clip(1, 2, { min: -1, max: 1 })],
  ['aten::hardtanh_', M.clip(1, 2, { min: -1, max: 1 })],
  ['aten::clamp', M.clip(1, 2)],
  ['aten::clamp_', M.clip(1, 2)],
  ['aten::clamp_min', M.clip(1, null)],
  ['aten::clamp_min_', M.clip(1, null)],
  ['aten::clamp_max', M.clip(null, 1)],
  ['aten::addmm', N.addmm],
  ['aten::mm', N.matmul],
  ['aten::bmm', N.matmul],
  ['aten::matmul', N.matmul],
  ['aten::baddbmm', N.baddbmm],
  ['aten::linear', N.linear],
  ['aten::convolution', N.convolution],
  ['aten::_convolution', N.convolution],
  ['aten::conv1d', N.convNd],
  ['aten::conv2d', N.convNd],
  ['aten::conv3d', N.convNd],
  ...['_scaled_dot_product_attention_math', '_scaled_dot_product_flash_attention', '_scaled_dot_product_efficient_attention', '_scaled_dot_product_flash_attention_for_cpu', '_scaled_dot_product_cudnn_attention', 'scaled_dot_product_attention'].map((n) => [`aten::${n}`, N.attention] as const),
  ['aten::_native_multi_head_attention', N.nativeMultiHeadAttention],
  ['aten::native_batch_norm', N.batchNorm],
  ['aten::_native_batch_norm_legit', N.batchNorm],
  ['aten::_native_batch_norm_legit_no_training', N.batchNorm],
  ['aten::native_layer_norm', N.layerNorm],
  ['aten::native_group_norm', N.groupNorm],
  ...['max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool2d_with_indices', 'max_pool3d_with_indices'].map((n) => [`aten::${n}`, N.maxPool] as const),
  ...['avg_pool1d', 'avg_pool2d', 'avg_pool3d'].map((n) => [`aten::${n}`, N.avgPool] as const),
  ...['_adaptive_avg_pool2d', '_adaptive_avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d'].map((n) => [`aten::${n}`, N.adaptivePool('GlobalAveragePool', 'AveragePool')] as const),
  ...['adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool3d'].map((n) => [`aten::${n}`, N.adaptivePool('GlobalMaxPool', 'MaxPool')] as const),
  ['aten::mean', M.reduce('ReduceMean')],
  ['aten::sum', M.reduce('ReduceSum')],
  ['aten::amax', M.reduce('ReduceMax')],
  ['aten::norm', M.norm],
  ['aten::linalg_vector_norm', M.norm],
  ['aten::amin', M.reduce('ReduceMin')],
  ['aten::prod', M.reduce('ReduceProd')],
  ['aten::max.dim', M.reduceWithIndex('ReduceMax', 'ArgMax')],
  ['aten::min.dim', M.reduceWithIndex('ReduceMin', 'ArgMin')],
  ['aten::max.default', M.reduce('ReduceMax')],
  ['aten::min.default', M.reduce('ReduceMin')],
  ['aten::max.other', M.binary('Max')],
  ['aten::min.other', M.binary('Min')],
  ['aten::_softmax', M.softmax('Softmax')],
  ['aten::softmax', M.softmax('Softmax')],
  ['aten::_log_softmax', M.softmax('LogSoftmax')],
  ['aten::log_softmax', M.softmax('LogSoftmax')],
  ['aten::embedding', T.embedding],
  ['aten::index', T.index],
  ['aten::constant_pad_nd', T.pad],
  ...['upsample_nearest1d', 'upsample_nearest2d', 'upsample_nearest3d'].map((n) => [`aten::${n}`, T.resize('nearest')] as const),
  ...['upsample_linear1d', 'upsample_bilinear2d', 'upsample_trilinear3d'].map((n) => [`aten::${n}`, T.resize('linear')] as const),
  ['aten::upsample_bicubic2d', T.resize('cubic')],
]);

/** Ops that return no tensor and launch nothing the model's cost depends on (`.item()`, size queries). */
export const NO_TENSOR_OPS: ReadonlySet<string> = new Set(['aten::_local_scalar_dense', 'aten::sym_size', 'aten::sym_numel', 'aten::sym_stride', 'aten::is_nonzero', 'aten::equal', 'aten::is_same_size', 'aten::_assert_async', 'aten::set_', 'aten::resize_', 'aten::record_stream']);

export function mapperFor(op: TraceOp): AtenMapper | undefined {
  return ATEN_OPS.get(`${op.op}.${op.overload}`) ?? ATEN_OPS.get(op.op);
}
