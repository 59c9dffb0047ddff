import { at } from '../../ir/at';
import { DataType } from '../../ir/dtype';
import { rotaryDimension } from './attention';
import { BuildContext } from './context';

/**
 * Causal self-attention as eager PyTorch runs it without SDPA (transformers' `eager_attention_forward`
 * with a DynamicCache), one kernel per step, every intermediate written to memory and read back:
 *
 *   q, k ← RoPE(q), RoPE(k)                      (RotaryEmbedding on [B, heads, S, d])
 *   K, V ← cat(past, new) along the sequence     (DynamicCache.update: torch.cat copies the whole cache)
 *   K, V ← repeat_kv(K, V)                       (GQA/MQA: expand + reshape materialises all heads)
 *   s ← q · Kᵀ;  s ← s · 1/√d;  s ← s + mask     (scores [B, heads, S, T] written three times)
 *   p ← softmax(s);  o ← p · V                   (the score matrix read twice more)
 *   o ← o.transpose(1, 2).contiguous()           (a copy back to [B, S, heads·d])
 *
 * q/k/v's view into heads is a free reshape (PyTorch's view + transpose is not a copy). Sliding windows
 * and softcaps are not applied here (the fused path has them): eager transformers masks the window
 * inside the same score matrix, so the traffic is the same. Returns the [B, S, heads·d] output.
 */
export function unfusedAttention(ctx: BuildContext, layer: number, prefix: string, query: string, key: string, value: string): string {
  const { cfg, b } = ctx;
  const d = cfg.headDim;
  const heads = cfg.heads;
  const kvHeads = cfg.kvHeads;
  const total = ctx.past + ctx.seq;
  const name = (what: string): string => `${prefix}.${cfg.names.attention}.${what}`;
  let q = query;
  let k = key;
  let v = value;
  if (cfg.fusedQkv) {
    const sizes = b.constant(`qkv_split.${heads * d}.${kvHeads * d}`, DataType.INT64, [3], [heads * d, kvHeads * d, kvHeads * d]);
    const parts = b.node('Split', name('split_qkv'), [query, sizes], { axis: -1 }, { outputs: 3 });
    [q, k, v] = [parts[0], at(parts, 1, 'q/k/v split'), at(parts, 2, 'q/k/v split')];
  }
  const heads4d = (x: string, n: number, what: string): string => {
    const shape = b.constant(`shape_heads.${ctx.batch}x${n}x${ctx.seq}x${d}`, DataType.INT64, [4], [ctx.batch, n, ctx.seq, d]);
    return b.node('Reshape', name(`${what}_heads`), [x, shape])[0];
  };
  q = heads4d(q, heads, 'q');
  k = heads4d(k, kvHeads, 'k');
  v = heads4d(v, kvHeads, 'v');
  const rotaryDim = rotaryDimension(d, cfg.rotaryFraction);
  if (cfg.positions === 'rotary' && rotaryDim > 0) {
    const rows = Math.max(cfg.maxPositions, total);
    const cos = b.weight('rotary_emb.cos_cache', [rows, rotaryDim / 2], ctx.dtype, 'buffer');
    const sin = b.weight('rotary_emb.sin_cache', [rows, rotaryDim / 2], ctx.dtype, 'buffer');
    const positions = b.hasInput('position_ids') ? 'position_ids' : b.input('position_ids', DataType.INT64, [ctx.batch, ctx.seq]);
    const attributes: Record<string, number> = rotaryDim < d ? { rotary_embedding_dim: rotaryDim } : {};
    q = b.node('RotaryEmbedding', name('rotary_q'), [q, cos, sin, positions], attributes)[0];
    k = b.node('RotaryEmbedding', name('rotary_k'), [k, cos, sin, positions], attributes)[0];
  }
  let keys = k;
  let values = v;
  if (ctx.past > 0) {
    const pastKey = b.input(`past_key_values.${layer}.key`, ctx.precision.kv, [ctx.batch, kvHeads, ctx.past, d]);
    const pastValue = b.input(`past_key_values.${layer}.value`, ctx.precision.kv, [ctx.batch, kvHeads, ctx.past, d]);
    keys = b.node('Concat', name('cache_key'), [pastKey, k], { axis: 2 }, { outputs: [`present.${layer}.key`] })[0];
    values = b.node('Concat', name('cache_value'), [pastValue, v], { axis: 2 }, { outputs: [`present.${layer}.value`] })[0];
    b.output(keys);
    b.output(values);
  }
  if (kvHeads < heads) {
    const groups = heads / kvHeads;
    const expanded = b.constant(`shape_repeat_kv.${ctx.batch}x${kvHeads}x${groups}x${total}x${d}`, DataType.INT64, [5], [ctx.batch, kvHeads, groups, total, d]);
    const merged = b.constant(`shape_all_heads.${ctx.batch}x${heads}x${total}x${d}`, DataType.INT64, [4], [ctx.batch, heads, total, d]);
    const axis = b.constant('axes_2', DataType.INT64, [1], [2]);
    const repeat = (x: string, what: string): string => {
      const [one] = b.node('Unsqueeze', name(`repeat_kv_${what}_unsqueeze`), [x, axis]);
      const [wide] = b.node('Expand', name(`repeat_kv_${what}`), [one, expanded]);
      return b.node('Reshape', name(`repeat_kv_${what}_reshape`), [wide, merged])[0];
    };
    keys = repeat(keys, 'key');
    values = repeat(values, 'value');
  }
  const [scores] = b.node('FusedMatMul', name('scores'), [q, keys], { transB: 1 }, { domain: 'com.microsoft' });
  const scale = b.constant(`attention_scale.${d}`, ctx.dtype, [], [1 / Math.sqrt(d)]);
  const [scaled] = b.node('Mul', name('scale'), [scores, scale]);
  const mask = b.hasInput('causal_mask') ? 'causal_mask' : b.input('causal_mask', ctx.dtype, [ctx.batch, 1, ctx.seq, total]);
  const [masked] = b.node('Add', name('mask'), [scaled, mask]);
  const [probs] = b.node('Softmax', name('softmax'), [masked], { axis: -1 });
  const [attended] = b.node('MatMul', name('context'), [probs, values]);
  const [transposed] = b.node('Transpose', name('transpose'), [attended], { perm: [0, 2, 1, 3] });
  const flat = b.constant(`shape_merge_heads.${ctx.batch}x${ctx.seq}x${heads * d}`, DataType.INT64, [3], [ctx.batch, ctx.seq, heads * d]);
  return b.node('Reshape', name('merge_heads'), [transposed, flat])[0];
}
