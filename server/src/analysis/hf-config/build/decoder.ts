import { DataType } from '../../ir/dtype';
import { decoderAttention } from './attention';
import { BuildContext, modulePath } from './context';
import { add, norm } from './layers';
import { mlp } from './mlp';
import { moe } from './moe';

/**
 * A decoder LLM for one step: embeddings (plus learned positions for GPT-2, ×√hidden for Gemma), the
 * layer stack, the final norm, and the lm_head on the last position of each sequence only — what
 * serving engines compute (transformers' generate also keeps only the last logits), so prefill does
 * not pay for 2048 rows of logits nobody samples from.
 */
export function buildDecoder(ctx: BuildContext): void {
  const { cfg, b } = ctx;
  const ids = b.input('input_ids', DataType.INT64, [ctx.batch, ctx.seq]);
  const table = b.weight(`${cfg.names.embed}.weight`, [cfg.vocab, cfg.hidden], ctx.dtype);
  let x = b.node('Gather', cfg.names.embed, [table, ids], { axis: 0 })[0];
  if (cfg.positions === 'learned' && cfg.names.positions !== undefined) {
    const positionIds = b.input('position_ids', DataType.INT64, [ctx.batch, ctx.seq]);
    const positions = b.weight(`${cfg.names.positions}.weight`, [cfg.maxPositions, cfg.hidden], ctx.dtype);
    const [placed] = b.node('Gather', cfg.names.positions, [positions, positionIds], { axis: 0 });
    x = add(ctx, `${cfg.names.positions}.add`, x, placed);
  }
  if (cfg.embedScale) {
    const scale = b.constant('embed_scale', ctx.dtype, [], [Math.sqrt(cfg.hidden)]);
    x = b.node('Mul', `${cfg.names.embed}.scale`, [x, scale])[0];
  }
  for (let i = 0; i < cfg.layers; i++) {
    b.layer = i;
    x = decoderLayer(ctx, i, x);
  }
  b.layer = null;
  x = norm(ctx, cfg.names.finalNorm, x);
  const last = b.constant(`last_position.${ctx.seq - 1}`, DataType.INT64, [], [ctx.seq - 1]);
  const [lastHidden] = b.node('Gather', `${cfg.names.lmHead}.last_position`, [x, last], { axis: 1 });
  // The lm_head stays in the model's float type under quantisation (serving/precision.ts).
  const head = cfg.tiedEmbeddings ? table : b.weight(`${cfg.names.lmHead}.weight`, [cfg.vocab, cfg.hidden], ctx.precision.base);
  const inputs = [lastHidden, head];
  if (cfg.bias.lmHead) inputs.push(b.weight(`${cfg.names.lmHead}.bias`, [cfg.vocab], ctx.dtype));
  b.node('Gemm', cfg.names.lmHead, inputs, { transB: 1 }, { outputs: ['logits'] });
  b.output('logits');
}

/** One layer, by residual layout (see ResidualLayout). */
function decoderLayer(ctx: BuildContext, i: number, x: string): string {
  const { cfg } = ctx;
  const prefix = modulePath(cfg.names.layer, i);
  const feedForward = (h: string): string => (cfg.experts !== null ? moe(ctx, i, h) : mlp(ctx, i, h));
  switch (cfg.residual) {
    case 'parallel-shared-norm': {
      const h = norm(ctx, `${prefix}.${cfg.names.attnNorm}`, x);
      const attended = decoderAttention(ctx, i, h);
      const fed = feedForward(h);
      return add(ctx, `${prefix}.residual_mlp`, add(ctx, `${prefix}.residual_attn`, x, attended), fed);
    }
    case 'parallel-two-norms': {
      const attended = decoderAttention(ctx, i, norm(ctx, `${prefix}.${cfg.names.attnNorm}`, x));
      const fed = feedForward(norm(ctx, `${prefix}.${cfg.names.mlpNorm}`, x));
      return add(ctx, `${prefix}.residual_mlp`, add(ctx, `${prefix}.residual_attn`, x, attended), fed);
    }
    case 'sequential':
    case 'post-norm': {
      let attended = decoderAttention(ctx, i, norm(ctx, `${prefix}.${cfg.names.attnNorm}`, x));
      if (cfg.names.postAttnNorm !== undefined) attended = norm(ctx, `${prefix}.${cfg.names.postAttnNorm}`, attended);
      const afterAttention = add(ctx, `${prefix}.residual_attn`, x, attended);
      let fed = feedForward(norm(ctx, `${prefix}.${cfg.names.mlpNorm}`, afterAttention));
      if (cfg.names.postMlpNorm !== undefined) fed = norm(ctx, `${prefix}.${cfg.names.postMlpNorm}`, fed);
      return add(ctx, `${prefix}.residual_mlp`, afterAttention, fed);
    }
  }
}
