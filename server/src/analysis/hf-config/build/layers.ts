import { BuildContext } from './context';

/**
 * The building blocks every family shares: a linear layer (MatMul with a [in, out] weight, then the
 * bias add when the layer has one), a norm (RMSNormalization or LayerNormalization, as
 * transformers' RMSNorm / LayerNorm), the activation, and a residual add. Weights are named
 * `<module>.weight` / `<module>.bias` like the checkpoint's state dict.
 */
export function linear(ctx: BuildContext, module: string, x: string, inFeatures: number, outFeatures: number, bias: boolean, kind: 'param' | 'expert' = 'param'): string {
  const w = ctx.b.weight(`${module}.weight`, [inFeatures, outFeatures], ctx.dtype, kind);
  const [y] = ctx.b.node('MatMul', module, [x, w]);
  if (!bias) return y as string;
  const bVec = ctx.b.weight(`${module}.bias`, [outFeatures], ctx.dtype, kind);
  return ctx.b.node('Add', `${module}.bias_add`, [y as string, bVec])[0] as string;
}

export function norm(ctx: BuildContext, module: string, x: string): string {
  const scale = ctx.b.weight(`${module}.weight`, [ctx.cfg.hidden], ctx.dtype);
  if (ctx.cfg.norm === 'rms') return ctx.b.node('RMSNormalization', module, [x, scale], { axis: -1 })[0] as string;
  const bias = ctx.b.weight(`${module}.bias`, [ctx.cfg.hidden], ctx.dtype);
  return ctx.b.node('LayerNormalization', module, [x, scale, bias], { axis: -1 })[0] as string;
}

export function activation(ctx: BuildContext, name: string, x: string): string {
  switch (ctx.cfg.activation) {
    case 'silu':
      return ctx.b.node('Swish', name, [x])[0] as string;
    case 'gelu':
      return ctx.b.node('Gelu', name, [x])[0] as string;
    case 'gelu_tanh':
      return ctx.b.node('Gelu', name, [x], { approximate: 'tanh' })[0] as string;
    case 'relu':
      return ctx.b.node('Relu', name, [x])[0] as string;
  }
}

export function add(ctx: BuildContext, name: string, a: string, b: string): string {
  return ctx.b.node('Add', name, [a, b])[0] as string;
}
