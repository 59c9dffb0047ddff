import { DataType } from '../../ir/dtype';
import { BuildContext } from './context';

/**
 * The building blocks every family shares: a linear layer (MatMul with a [in, out] weight, then the
 * bias add when the layer has one), a norm (RMSNormalization or LayerNormalization, as
 * transformers' RMSNorm / LayerNorm), the activation, and a residual add. Weights are named
 * `<module>.weight` / `<module>.bias` like the checkpoint's state dict.
 */
export function linear(ctx: BuildContext, module: string, x: string, inFeatures: number, outFeatures: number, bias: boolean, kind: 'param' | 'expert' = 'param', quantised = true): string {
  const storage = ctx.precision.weights;
  let y: string;
  if (quantised && storage.kind === 'nbits') y = matMulNBits(ctx, module, x, inFeatures, outFeatures, storage.bits, storage.group, kind);
  else {
    const w = ctx.b.weight(`${module}.weight`, [inFeatures, outFeatures], quantised && storage.kind === 'float' ? storage.dtype : ctx.dtype, kind);
    y = ctx.b.node('MatMul', module, [x, w])[0];
  }
  if (!bias) return y;
  const bVec = ctx.b.weight(`${module}.bias`, [outFeatures], ctx.dtype, kind);
  return ctx.b.node('Add', `${module}.bias_add`, [y, bVec])[0];
}

/**
 * A group-quantised linear as ONNX Runtime stores it (com.microsoft MatMulNBits, the form AWQ/GPTQ
 * int4 checkpoints take in onnxruntime-genai): B packed as uint8 [N, ⌈K/group⌉, group·bits/8], one
 * scale per group in the model's float type [N·⌈K/group⌉], and one n-bit zero point per group packed
 * as uint8 [N·⌈⌈K/group⌉·bits/8⌉]. Its cost rule counts these real sizes, so the scales and zero
 * points are in the bytes moved and in the memory. Parameters counted: K·N, as the float layer has.
 */
function matMulNBits(ctx: BuildContext, module: string, x: string, k: number, n: number, bits: 4 | 8, group: number, kind: 'param' | 'expert'): string {
  const blocks = Math.ceil(k / group);
  const packed = ctx.b.weight(`${module}.qweight`, [n, blocks, (group * bits) / 8], DataType.UINT8, kind, k * n);
  const scales = ctx.b.weight(`${module}.scales`, [n * blocks], ctx.precision.base, kind, 0);
  const zeros = ctx.b.weight(`${module}.qzeros`, [n * Math.ceil((blocks * bits) / 8)], DataType.UINT8, kind, 0);
  return ctx.b.node('MatMulNBits', module, [x, packed, scales, zeros], { K: k, N: n, bits, block_size: group }, { domain: 'com.microsoft' })[0];
}

export function norm(ctx: BuildContext, module: string, x: string): string {
  const scale = ctx.b.weight(`${module}.weight`, [ctx.cfg.hidden], ctx.dtype);
  if (ctx.cfg.norm === 'rms') return ctx.b.node('RMSNormalization', module, [x, scale], { axis: -1 })[0];
  const bias = ctx.b.weight(`${module}.bias`, [ctx.cfg.hidden], ctx.dtype);
  return ctx.b.node('LayerNormalization', module, [x, scale, bias], { axis: -1 })[0];
}

export function activation(ctx: BuildContext, name: string, x: string): string {
  switch (ctx.cfg.activation) {
    case 'silu':
      return ctx.b.node('Swish', name, [x])[0];
    case 'gelu':
      return ctx.b.node('Gelu', name, [x])[0];
    case 'gelu_tanh':
      return ctx.b.node('Gelu', name, [x], { approximate: 'tanh' })[0];
    case 'relu':
      return ctx.b.node('Relu', name, [x])[0];
  }
}

export function add(ctx: BuildContext, name: string, a: string, b: string): string {
  return ctx.b.node('Add', name, [a, b])[0];
}
