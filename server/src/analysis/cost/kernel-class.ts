import { NodeRecord } from '../shape/engine';
import { product } from './ops/matmul';
import { OpCost } from './types';

/**
 * What kind of kernel a node runs, and the GEMM it is when it is one: the key of the per-class
 * efficiencies (cost/efficiency.ts) and of the error bands. Chip-independent, computed once per node.
 *
 * - `gemm`: MatMul, Gemm and their fused/quantised forms; `dims` is the GEMM (batch × m×k·k×n).
 * - `conv` / `conv-grouped` / `conv-depthwise`: convolutions as the implicit GEMM libraries run
 *   (m = N·ΠO, n = M/group, k = C/group·Πk, batch = group); depthwise when every group has one input
 *   channel (`group == C`), which libraries run as a dedicated memory-bound kernel, not a GEMM.
 * - `attention`: fused attention ops; `recurrent`: LSTM/GRU/RNN (sequential steps).
 * - `reduction`: normalisations, softmax, pooling, Reduce*; `data-movement`: copies and gathers;
 *   `elementwise`: every other vector op; `other`: no kernel, or unmodelled.
 */
export type KernelClass = 'gemm' | 'conv' | 'conv-grouped' | 'conv-depthwise' | 'attention' | 'elementwise' | 'reduction' | 'data-movement' | 'recurrent' | 'other';

export const KERNEL_CLASSES: readonly KernelClass[] = ['gemm', 'conv', 'conv-grouped', 'conv-depthwise', 'attention', 'elementwise', 'reduction', 'data-movement', 'recurrent', 'other'];

export interface GemmDims {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /**
   * Convolutions: the input channels per group, which matrix units pad to their alignment (a 3-channel
   * stem is run as 4 or 8 channels); k = inChannelsPerGroup × taps.
   */
  readonly inChannelsPerGroup?: number;
}

export interface KernelShape {
  readonly kind: KernelClass;
  /** The (implicit) GEMM, when the node is one and its shapes are known. */
  readonly gemm?: GemmDims;
  /**
   * A sub-class that libraries run with another kernel (KERNEL_VARIANTS): a strided depthwise conv, an
   * elementwise op that broadcasts a smaller operand, a normalisation, a pool or a softmax among the
   * reductions. A chip's efficiency may give `kind:variant` its own figures; absent, the class's apply.
   */
  readonly variant?: KernelVariant;
}

/** The variants each class may have (cost/efficiency.ts looks up `kind:variant`, then `kind`). */
export const KERNEL_VARIANTS = {
  'conv-depthwise': ['strided'],
  elementwise: ['broadcast'],
  reduction: ['normalization', 'pool', 'softmax'],
} as const;

export type KernelVariant = (typeof KERNEL_VARIANTS)[keyof typeof KERNEL_VARIANTS][number];

/** The keys a kernel's efficiency and error band are looked up under, the most specific first. */
export function efficiencyKeys(kernel: KernelShape): readonly string[] {
  return kernel.variant === undefined ? [kernel.kind] : [`${kernel.kind}:${kernel.variant}`, kernel.kind];
}

/** Every key a chip's efficiency object may use: the classes and their variants. */
export const EFFICIENCY_KEYS: readonly string[] = [...KERNEL_CLASSES, ...Object.entries(KERNEL_VARIANTS).flatMap(([kind, variants]) => variants.map((v) => `${kind}:${v}`))];

const NORMALIZATIONS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization', 'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'EmbedLayerNormalization']);
const POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'AveragePool', 'MaxPool', 'LpPool', 'MaxRoiPool', 'RoiAlign', 'QLinearGlobalAveragePool', 'QLinearAveragePool']);
const SOFTMAXES = new Set(['Softmax', 'LogSoftmax', 'Hardmax', 'QLinearSoftmax']);

const GEMMS = new Set(['MatMul', 'Gemm', 'FusedGemm', 'FusedMatMul', 'MatMulInteger', 'QLinearMatMul', 'MatMulNBits', 'MatMulBnb4', 'MatMulIntegerToFloat', 'DynamicQuantizeMatMul', 'QGemm', 'GemmFastGelu', 'GemmFloat8']);
const CONVS = new Set(['Conv', 'ConvInteger', 'QLinearConv', 'FusedConv', 'NhwcConv', 'DeformConv', 'ConvTranspose']);
const ATTENTION = new Set(['Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention', 'PackedMultiHeadAttention', 'DecoderMaskedMultiHeadAttention', 'DecoderMaskedSelfAttention', 'SparseAttention', 'QAttention', 'LongformerAttention', 'DecoderAttention', 'PagedAttention']);
const RECURRENT = new Set(['LSTM', 'GRU', 'RNN', 'DynamicQuantizeLSTM']);
const REDUCTIONS = new Set([
  'Softmax', 'LogSoftmax', 'Hardmax', 'LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization',
  'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'AveragePool', 'MaxPool', 'LpPool',
  'MaxRoiPool', 'RoiAlign', 'ArgMax', 'ArgMin', 'TopK', 'CumSum', 'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare', 'EmbedLayerNormalization', 'QLinearGlobalAveragePool', 'QLinearAveragePool', 'QLinearSoftmax',
]);
const DATA_MOVEMENT = new Set([
  'Transpose', 'Concat', 'Split', 'Slice', 'Gather', 'GatherElements', 'GatherND', 'Scatter', 'ScatterElements', 'ScatterND', 'Pad', 'Tile', 'Expand', 'Resize', 'Upsample',
  'DepthToSpace', 'SpaceToDepth', 'Compress', 'NonZero', 'ReverseSequence', 'OneHot', 'Trilu', 'Col2Im', 'GridSample', 'CenterCropPad', 'QLinearConcat',
]);

/** The kernel class of a node from its op, its cost and (for GEMMs and convolutions) its shapes. */
export function kernelShapeOf(record: NodeRecord, cost: OpCost): KernelShape {
  if (!cost.modelled || cost.unit === 'none') return { kind: 'other' };
  const op = record.node.opType;
  if (GEMMS.has(op)) return { kind: 'gemm', gemm: gemmDims(record) ?? undefined };
  if (op === 'Einsum') return cost.unit === 'tensor' ? { kind: 'gemm' } : { kind: 'elementwise' };
  if (CONVS.has(op)) return convShape(record);
  if (ATTENTION.has(op)) return { kind: 'attention' };
  if (RECURRENT.has(op)) return { kind: 'recurrent' };
  if (REDUCTIONS.has(op)) return NORMALIZATIONS.has(op) ? { kind: 'reduction', variant: 'normalization' } : POOLS.has(op) ? { kind: 'reduction', variant: 'pool' } : SOFTMAXES.has(op) ? { kind: 'reduction', variant: 'softmax' } : { kind: 'reduction' };
  if (DATA_MOVEMENT.has(op)) return { kind: 'data-movement' };
  if (cost.unit === 'tensor') return { kind: 'gemm' };
  return broadcasts(record) ? { kind: 'elementwise', variant: 'broadcast' } : { kind: 'elementwise' };
}

/**
 * An elementwise op that stretches a smaller operand over its output (LayerNorm's γ over [B, T, C], a bias
 * over NCHW): runtimes take a slower broadcasting path than for same-shape or scalar operands.
 */
function broadcasts(record: NodeRecord): boolean {
  if (record.inputs.length < 2) return false;
  const out = dimsOf(record, 0, true);
  if (out === null) return false;
  const outElements = product(out);
  return record.inputs.some((_, i) => {
    const dims = dimsOf(record, i);
    if (dims === null) return false;
    const n = product(dims);
    return n > 1 && n < outElements;
  });
}

function dimsOf(record: NodeRecord, index: number, output = false): number[] | null {
  const value = output ? record.outputs[index] : record.inputs[index];
  const type = value?.type;
  if (type?.kind !== 'tensor' || type.shape === null) return null;
  const dims: number[] = [];
  for (const d of type.shape) {
    if (typeof d !== 'number') return null;
    dims.push(d);
  }
  return dims;
}

function intAttr(record: NodeRecord, name: string, fallback: number): number {
  const a = record.node.attributes.get(name);
  return a?.type === 'int' ? a.value : fallback;
}

/**
 * MatMul-like: A [..., M, K] · B [..., K, N] → Y [..., M, N] (1-D operands promoted as numpy does);
 * Gemm: A [M, K] (or [K, M] with transA). batch = the product of Y's leading dims.
 */
function gemmDims(record: NodeRecord): GemmDims | null {
  const a = dimsOf(record, 0);
  const y = dimsOf(record, 0, true);
  if (a === null || y === null || a.length === 0) return null;
  let k: number;
  if (record.node.opType === 'Gemm' || record.node.opType === 'FusedGemm' || record.node.opType === 'QGemm') {
    if (a.length !== 2) return null;
    k = intAttr(record, 'transA', 0) ? a[0]! : a[1]!;
  } else {
    k = a[a.length - 1]!;
  }
  if (y.length === 0) return { batch: 1, m: 1, n: 1, k };
  if (y.length === 1) return a.length === 1 ? { batch: 1, m: 1, n: y[0]!, k } : { batch: 1, m: y[0]!, n: 1, k };
  // A 1-D A: Y is [..., N] with M = 1 dropped.
  if (a.length === 1) return { batch: product(y.slice(0, -1)), m: 1, n: y[y.length - 1]!, k };
  // B shared by every batch (a Linear layer's weight, [K, N] or with leading 1s): libraries fold A's
  // batch dims into M and run one GEMM (PyTorch's matmul, ONNX Runtime's MatMul), so tiles cut M·batch.
  const b = dimsOf(record, 1);
  if (b !== null && b.slice(0, -2).every((d) => d === 1)) return { batch: 1, m: product(y.slice(0, -1)), n: y[y.length - 1]!, k };
  return { batch: product(y.slice(0, -2)), m: y[y.length - 2]!, n: y[y.length - 1]!, k };
}

/** Conv: X [N, C, D…], W [M, C/group, k…], Y [N, M, O…]. ConvTranspose is a dense GEMM of the input's positions. */
function convShape(record: NodeRecord): KernelShape {
  const x = dimsOf(record, 0);
  const wIndex = record.node.opType === 'QLinearConv' ? 3 : 1;
  const w = dimsOf(record, wIndex);
  const y = dimsOf(record, 0, true);
  const group = Math.max(1, intAttr(record, 'group', 1));
  if (x === null || w === null || y === null || x.length < 3 || w.length < 3 || y.length < 3) return { kind: group > 1 ? 'conv-grouped' : 'conv' };
  const channels = x[1]!;
  const taps = product(w.slice(2));
  if (record.node.opType === 'ConvTranspose') {
    // Each input position scatters C·Πk·(M/group) products: GEMM m = N·ΠD, n = (M/group)·Πk, k = C/group.
    const inPerGroup = channels / group;
    return { kind: group > 1 ? (inPerGroup === 1 ? 'conv-depthwise' : 'conv-grouped') : 'conv', gemm: { batch: group, m: x[0]! * product(x.slice(2)), n: w[1]! * taps, k: inPerGroup, inChannelsPerGroup: inPerGroup } };
  }
  const inPerGroup = w[1]!;
  const gemm = { batch: group, m: y[0]! * product(y.slice(2)), n: y[1]! / group, k: inPerGroup * taps, inChannelsPerGroup: inPerGroup };
  if (group > 1 && inPerGroup === 1) {
    const strides = record.node.attributes.get('strides');
    const strided = strides?.type === 'ints' && strides.value.some((v) => v > 1);
    return strided ? { kind: 'conv-depthwise', gemm, variant: 'strided' } : { kind: 'conv-depthwise', gemm };
  }
  return { kind: group > 1 ? 'conv-grouped' : 'conv', gemm };
}
