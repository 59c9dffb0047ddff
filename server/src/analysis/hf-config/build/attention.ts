import { DataType } from '../../ir/dtype';
import { BuildContext, modulePath } from './context';
import { unfusedAttention } from './attention-unfused';
import { linear } from './layers';

/**
 * Causal self-attention with a KV cache, as com.microsoft GroupQueryAttention: it takes Q (or packed
 * QKV) with num_heads / kv_num_heads, so MHA, GQA and MQA are one op, and its cost rule models the
 * cache the way a serving engine holds it: in decode, past_key/past_value are a buffer of `past + 1`
 * positions shared with present (the whole past is read, only the new position written); in prefill
 * there is no past and present (the new cache) is written. total_sequence_length is given so the
 * attended length is exact. RoPE is fused (do_rotary) with cos/sin caches of rotary_dim / 2 columns,
 * which is how partial rotary reaches the cost. The bidirectional encoder uses ONNX Attention.
 */
export function decoderAttention(ctx: BuildContext, layer: number, x: string): string {
  const { cfg, b } = ctx;
  const prefix = modulePath(cfg.names.layer, layer);
  const qWidth = cfg.heads * cfg.headDim;
  const kvWidth = cfg.kvHeads * cfg.headDim;
  let query: string;
  let key = '';
  let value = '';
  if (cfg.fusedQkv) {
    query = linear(ctx, `${prefix}.${cfg.names.qkv}`, x, cfg.hidden, qWidth + 2 * kvWidth, cfg.bias.qkv);
  } else {
    query = linear(ctx, `${prefix}.${cfg.names.q}`, x, cfg.hidden, qWidth, cfg.bias.qkv);
    key = linear(ctx, `${prefix}.${cfg.names.k}`, x, cfg.hidden, kvWidth, cfg.bias.qkv);
    value = linear(ctx, `${prefix}.${cfg.names.v}`, x, cfg.hidden, kvWidth, cfg.bias.qkv);
  }
  if (ctx.attention === 'unfused') return linear(ctx, `${prefix}.${cfg.names.o}`, unfusedAttention(ctx, layer, prefix, query, key, value), qWidth, cfg.hidden, cfg.bias.o);
  const total = ctx.past + ctx.seq;
  let pastKey = '';
  let pastValue = '';
  if (ctx.past > 0) {
    // The cache buffer holds the past and the slot for this step's token (shared with present).
    pastKey = b.input(`past_key_values.${layer}.key`, ctx.precision.kv, [ctx.batch, cfg.kvHeads, total, cfg.headDim]);
    pastValue = b.input(`past_key_values.${layer}.value`, ctx.precision.kv, [ctx.batch, cfg.kvHeads, total, cfg.headDim]);
  }
  const totalLength = b.constant('total_sequence_length', DataType.INT32, [1], [total]);
  const rotaryDim = rotaryDimension(cfg.headDim, cfg.rotaryFraction);
  let cos = '';
  let sin = '';
  if (cfg.positions === 'rotary' && rotaryDim > 0) {
    const rows = Math.max(cfg.maxPositions, total);
    cos = b.weight('rotary_emb.cos_cache', [rows, rotaryDim / 2], ctx.dtype, 'buffer');
    sin = b.weight('rotary_emb.sin_cache', [rows, rotaryDim / 2], ctx.dtype, 'buffer');
  }
  const attributes: Record<string, number | { float: number }> = { num_heads: cfg.heads, kv_num_heads: cfg.kvHeads };
  if (cos !== '') attributes['do_rotary'] = 1;
  const window = cfg.slidingWindow;
  if (window !== null && (window.layers === 'all' || layer % 2 === 0) && window.size < total) attributes['local_window_size'] = window.size;
  if (cfg.attnSoftcap !== null && cfg.attnSoftcap > 0) attributes['softcap'] = { float: cfg.attnSoftcap };
  const presentKey = `present.${layer}.key`;
  const presentValue = `present.${layer}.value`;
  const [attended] = b.node('GroupQueryAttention', `${prefix}.${cfg.names.attention}`, [query, key, value, pastKey, pastValue, '', totalLength, cos, sin], attributes, {
    domain: 'com.microsoft',
    outputs: [`${prefix}.${cfg.names.attention}.output`, presentKey, presentValue],
  });
  b.output(presentKey);
  b.output(presentValue);
  return linear(ctx, `${prefix}.${cfg.names.o}`, attended, qWidth, cfg.hidden, cfg.bias.o);
}

/** Rotated dims per head: the fraction of the head, rounded down to an even count (RoPE rotates pairs). */
export function rotaryDimension(headDim: number, fraction: number): number {
  const dims = Math.floor(headDim * fraction);
  return dims - (dims % 2);
}

/** Bidirectional self-attention of an encoder layer (ONNX Attention, opset 23, 3-D packed heads). */
export function encoderAttention(ctx: BuildContext, layer: number, x: string): string {
  const { cfg, b } = ctx;
  const prefix = modulePath(cfg.names.layer, layer);
  const width = cfg.heads * cfg.headDim;
  const q = linear(ctx, `${prefix}.${cfg.names.q}`, x, cfg.hidden, width, cfg.bias.qkv);
  const k = linear(ctx, `${prefix}.${cfg.names.k}`, x, cfg.hidden, width, cfg.bias.qkv);
  const v = linear(ctx, `${prefix}.${cfg.names.v}`, x, cfg.hidden, width, cfg.bias.qkv);
  const [attended] = b.node('Attention', `${prefix}.${cfg.names.attention}`, [q, k, v], { q_num_heads: cfg.heads, kv_num_heads: cfg.heads });
  return linear(ctx, `${prefix}.${cfg.names.o}`, attended, width, cfg.hidden, cfg.bias.o);
}
