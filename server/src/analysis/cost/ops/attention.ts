/**
 * Cost formulas: attention and the fused transformer ops around it. Attention, RotaryEmbedding
 * (ai.onnx); Attention, MultiHeadAttention, GroupQueryAttention, RotaryEmbedding,
 * EmbedLayerNormalization, SkipLayerNormalization, SkipSimplifiedLayerNormalization (com.microsoft).
 * Formulas and assumptions: docs/cost-model-compute.md.
 *
 * Attention (B batch, Hq query heads, L query length, T keys attended = past + new, E / Ev head sizes):
 * - MACs = B·Hq·pairs·(E + Ev): QKᵀ (E per score) and P·V (Ev per score), where pairs is the number of
 *   (query, key) scores actually computed: L·T, or fewer with a causal mask or a local window (exact
 *   count of the bottom-right aligned triangle, which is L·T/2 for prefill and T for one-token decode).
 *   GQA/MQA share K/V heads but every query head still computes its own scores: the count uses Hq.
 * - Score elementwise work per computed score (vector unit): scale 1 + softmax 5 (max, subtract, exp,
 *   sum, divide) + 1 per additive mask / bias + 3 for softcap (divide, tanh, multiply).
 * - Traffic is the fused kernel's: Q, K, V, masks and past caches read, Y and present caches written.
 *   The L×T score matrix is not counted (it stays on chip) unless the graph asks for it as an output.
 * - Unit 'tensor' (the matmuls dominate), dtype Q's.
 */
import { DataType } from '../../ir/dtype';
import { CostContext, registerCost } from '../types';
import { buildCost, Counts, dtypeOf, matrixUnit, readRows, scalarInput, Traffic, writePart } from './matmul';

const MS = 'com.microsoft';
const SOFTMAX_OPS = 5;
const SCALE_OPS = 1;
const SOFTCAP_OPS = 3;
/**
 * The fused normalisations count like the normalization family's LayerNormalization / RMSNormalization:
 * per element Σx and Σx² (3), (x − μ)·rstd (2), ·γ (1), +β (1); per row μ, var, +ε, rsqrt (6).
 * RMSNorm: Σx² (2), ·rstd (1), ·γ (1) per element; Σx²/n, +ε, rsqrt (3) per row.
 */
const LAYERNORM_OPS = 6;
const LAYERNORM_ROW_OPS = 6;
const RMSNORM_OPS = 4;
const RMSNORM_ROW_OPS = 3;

/** Rows normalised: elements / the last dim. */
function rows(dims: readonly number[] | null, n: number): number {
  const last = dims?.at(-1) ?? 0;
  return last > 0 ? n / last : 0;
}
/** Rotary embedding per rotated element: x·cos + rotate(x)·sin. */
const ROTARY_OPS = 3;

/** Σ_{i=0}^{n-1} clamp(a + i, lo, hi) in closed form (lo ≤ hi). */
function sumClamp(a: number, n: number, lo: number, hi: number): number {
  if (n <= 0) return 0;
  const below = Math.min(Math.max(lo - a, 0), n);
  const above = n - Math.min(Math.max(hi - a, 0), n);
  const mid = n - below - above;
  return below * lo + above * hi + (mid > 0 ? mid * (a + below) + (mid * (mid - 1)) / 2 : 0);
}

/**
 * Scores computed per (batch, head): query i (0-based) sees keys [offset + i - window, offset + i] ∩
 * [0, T) with a causal mask (offset = keys before the query block, bottom-right aligned); all T keys
 * otherwise.
 */
export function scorePairs(queries: number, keys: number, causalOffset: number | null, window: number | null = null): number {
  if (causalOffset === null) return queries * keys;
  const hi = sumClamp(causalOffset + 1, queries, 0, keys);
  const lo = window === null || window < 0 ? 0 : sumClamp(causalOffset - window, queries, 0, keys);
  return hi - lo;
}

interface AttentionCore {
  readonly batch: number;
  readonly qHeads: number;
  readonly queries: number;
  readonly keys: number;
  readonly qkHead: number;
  readonly vHead: number;
  readonly causalOffset: number | null;
  readonly window?: number | null;
  /** Elementwise ops per computed score beyond scale + softmax (mask adds, softcap). */
  readonly extraScoreOps: number;
}

function coreCounts(c: AttentionCore, dtype: DataType | null, notes: string[]): Counts {
  const pairs = scorePairs(c.queries, c.keys, c.causalOffset, c.window ?? null);
  const scores = c.batch * c.qHeads * pairs;
  const macs = scores * (c.qkHead + c.vHead);
  const full = c.queries * c.keys;
  if (c.causalOffset !== null && full > 0) {
    const what = c.window !== null && c.window !== undefined && c.window >= 0 ? `causal, local window ${c.window}` : 'causal';
    notes.push(`${what}: ${pairs} of ${c.queries}×${c.keys} scores per head computed (${((100 * pairs) / full).toFixed(1)}%)`);
  }
  return { flops: 2 * macs + scores * (SCALE_OPS + SOFTMAX_OPS + c.extraScoreOps), macs, unit: matrixUnit(dtype), dtype, notes };
}

/** Splits a packed hidden size into heads, or a reason. */
function headSize(hidden: number, heads: number, what: string): number | string {
  if (!(heads > 0)) return `${what}: the number of heads is not known`;
  if (hidden % heads !== 0) return `${what}: hidden size ${hidden} does not split into ${heads} heads`;
  return hidden / heads;
}

// ---------------------------------------------------------------------------------------------
// ai.onnx Attention (opset 23/24): Q, K, V, attn_mask, past_key, past_value, nonpad_kv_seqlen.

registerCost('', ['Attention'], (ctx) =>
  buildCost(ctx, (): Counts | string => {
    const q = ctx.inputDims(0);
    const k = ctx.inputDims(1);
    const v = ctx.inputDims(2);
    if (q === null || k === null || v === null) return 'Q, K or V has unknown dims';
    const qHeadsAttr = ctx.int('q_num_heads', 0);
    const kvHeadsAttr = ctx.int('kv_num_heads', 0);
    const view = (d: readonly number[], heads: number, what: string): { b: number; h: number; s: number; e: number } | string => {
      if (d.length === 4) return { b: d[0] ?? 0, h: d[1] ?? 0, s: d[2] ?? 0, e: d[3] ?? 0 };
      if (d.length !== 3) return `${what} must be 3-D or 4-D`;
      const e = headSize(d[2] ?? 0, heads, what);
      return typeof e === 'string' ? e : { b: d[0] ?? 0, h: heads, s: d[1] ?? 0, e };
    };
    const qv = view(q, qHeadsAttr, 'Q');
    const kv = view(k, kvHeadsAttr, 'K');
    const vv = view(v, kvHeadsAttr, 'V');
    if (typeof qv === 'string') return qv;
    if (typeof kv === 'string') return kv;
    if (typeof vv === 'string') return vv;
    const past = ctx.hasInput(4) ? (ctx.inputDims(4)?.[2] ?? 0) : 0;
    const keys = past + kv.s;
    const notes: string[] = [];
    let causalOffset: number | null = null;
    if (ctx.int('is_causal', 0) !== 0) {
      causalOffset = past;
      if (!ctx.hasInput(4) && ctx.hasInput(6)) {
        // External cache: the offset is nonpad_kv_seqlen - L per batch; the full cache is the upper bound.
        causalOffset = Math.max(0, keys - qv.s);
        notes.push('nonpad_kv_seqlen: causal offset taken as the full cache length (upper bound)');
      }
    }
    if (ctx.hasInput(6)) notes.push('padding beyond nonpad_kv_seqlen is counted as computed');
    const softcap = ctx.float('softcap', 0);
    const extra = (ctx.hasInput(3) ? 1 : 0) + (softcap > 0 ? SOFTCAP_OPS : 0);
    if (ctx.record.outputs[3] !== undefined && ctx.record.outputs[3].name !== '') notes.push('qk_matmul_output requested: the score matrix is written to memory');
    return coreCounts({ batch: qv.b, qHeads: qv.h, queries: qv.s, keys, qkHead: qv.e, vHead: vv.e, causalOffset, extraScoreOps: extra }, dtypeOf(ctx, 0), notes);
  }),
);

// ---------------------------------------------------------------------------------------------
// com.microsoft Attention: input [B, S, D] · weights [D, Dq+Dk+Dv] (+ bias) → Q, K, V, then attention
// over past + S keys. Inputs: input, weights, bias, mask_index, past [2, B, N, P, H], attention_bias,
// past_sequence_length. The QKV projection is part of the op: its MACs are counted too.

registerCost(MS, ['Attention'], (ctx) => {
  let newKv = 0;
  let bufferLen = 0;
  let shared = false;
  return buildCost(
    ctx,
    (): Counts | string => {
      const x = ctx.inputDims(0);
      const w = ctx.inputDims(1);
      if (x === null || x.length !== 3 || w === null || w.length !== 2) return 'input or weights shape is not known';
      const [b = 0, s = 0, d = 0] = x;
      const heads = ctx.int('num_heads', 0);
      const qkv = ctx.ints('qkv_hidden_sizes');
      const total = w[1] ?? 0;
      const [dq, dk, dv] = qkv !== undefined && qkv.length === 3 ? qkv : [total / 3, total / 3, total / 3];
      const hq = headSize(dq ?? 0, heads, 'Q');
      const hv = headSize(dv ?? 0, heads, 'V');
      if (typeof hq === 'string') return hq;
      if (typeof hv === 'string') return hv;
      const notes: string[] = [];
      const pastDims = ctx.hasInput(4) ? ctx.inputDims(4) : null;
      const pastLen = pastDims?.[3] ?? 0;
      let keys = pastLen + s;
      newKv = s;
      shared = ctx.int('past_present_share_buffer', 0) !== 0 && pastDims !== null;
      if (shared) {
        bufferLen = pastLen;
        const seen = scalarInput(ctx, 6);
        keys = seen !== null ? Math.min(pastLen, seen + s) : pastLen;
        if (seen === null) notes.push('shared KV buffer with unknown past_sequence_length: the whole buffer is counted as attended (upper bound)');
      }
      const projMacs = b * s * d * total;
      const projBias = ctx.hasInput(2) ? b * s * total : 0;
      const rotary = ctx.int('do_rotary', 0) !== 0 ? ROTARY_OPS * b * s * ((dq ?? 0) + (dk ?? 0)) * Math.min(1, (ctx.int('rotary_embedding_dim', 0) || hq) / hq) : 0;
      const causalOffset = ctx.int('unidirectional', 0) !== 0 ? keys - s : null;
      const extra = (ctx.hasInput(3) ? 1 : 0) + (ctx.hasInput(5) ? 1 : 0);
      const core = coreCounts({ batch: b, qHeads: heads, queries: s, keys, qkHead: hq, vHead: hv, causalOffset, extraScoreOps: extra }, dtypeOf(ctx, 0), notes);
      notes.unshift(`includes the QKV projection (${projMacs} MACs)`);
      return { ...core, flops: core.flops + 2 * projMacs + projBias + rotary, macs: (core.macs ?? 0) + projMacs };
    },
    (t) => (shared && bufferLen > 0 ? writePart(ctx, t, 1, newKv / bufferLen) : t),
  );
});

// ---------------------------------------------------------------------------------------------
// com.microsoft MultiHeadAttention: query, key, value, bias, key_padding_mask, attention_bias, past_key,
// past_value, past_sequence_length, cache_indirection. Projections are outside the op (only the bias
// add of Q/K/V is inside).

registerCost(MS, ['MultiHeadAttention'], (ctx) => {
  let newKv = 0;
  let bufferLen = 0;
  let shared = false;
  return buildCost(
    ctx,
    (): Counts | string => {
      const q = ctx.inputDims(0);
      if (q === null || (q.length !== 3 && q.length !== 5)) return 'query must be 3-D or packed 5-D';
      const heads = ctx.int('num_heads', 0);
      const b = q[0] ?? 0;
      const s = q[1] ?? 0;
      let hq: number | string;
      let hv: number | string;
      let kvLen: number;
      if (q.length === 5) {
        hq = q[4] ?? 0;
        hv = hq;
        kvLen = s;
      } else {
        hq = headSize(q[2] ?? 0, heads, 'query');
        const k = ctx.hasInput(1) ? ctx.inputDims(1) : null;
        const v = ctx.hasInput(2) ? ctx.inputDims(2) : null;
        if (k === null) return 'key is missing or has unknown dims';
        if (k.length === 5) {
          kvLen = k[1] ?? 0;
          hv = k[4] ?? 0;
        } else {
          kvLen = k.length === 4 ? (k[2] ?? 0) : (k[1] ?? 0);
          if (v === null) return 'value is missing or has unknown dims';
          hv = v.length === 4 ? (v[3] ?? 0) : headSize(v[2] ?? 0, heads, 'value');
        }
      }
      if (typeof hq === 'string') return hq;
      if (typeof hv === 'string') return hv;
      const notes: string[] = [];
      const pastDims = ctx.hasInput(6) ? ctx.inputDims(6) : null;
      const pastLen = pastDims?.[2] ?? 0;
      shared = pastDims !== null && (ctx.int('past_present_share_buffer', 0) !== 0 || ctx.hasInput(8));
      let keys = pastLen + kvLen;
      newKv = kvLen;
      if (shared) {
        bufferLen = pastLen;
        const seen = scalarInput(ctx, 8);
        keys = seen !== null ? Math.min(pastLen, seen + kvLen) : pastLen;
        if (seen === null) notes.push('shared KV buffer with unknown past_sequence_length: the whole buffer is counted as attended (upper bound)');
      }
      const biasAdds = ctx.hasInput(3) ? b * heads * (s * hq + kvLen * (hq + hv)) : 0;
      const causalOffset = ctx.int('unidirectional', 0) !== 0 ? keys - s : null;
      const extra = (ctx.hasInput(4) ? 1 : 0) + (ctx.hasInput(5) ? 1 : 0);
      const core = coreCounts({ batch: b, qHeads: heads, queries: s, keys, qkHead: hq, vHead: hv, causalOffset, extraScoreOps: extra }, dtypeOf(ctx, 0), notes);
      return { ...core, flops: core.flops + biasAdds };
    },
    (t) => (shared && bufferLen > 0 ? writePart(ctx, writePart(ctx, t, 1, newKv / bufferLen), 2, newKv / bufferLen) : t),
  );
});

// ---------------------------------------------------------------------------------------------
// com.microsoft GroupQueryAttention: query, key, value, past_key, past_value, seqlens_k,
// total_sequence_length, cos_cache, sin_cache, position_ids, attention_bias, head_sink. Always causal
// (bottom-right aligned), optionally with a local window; rotary on Q and K when do_rotary.

registerCost(MS, ['GroupQueryAttention'], (ctx) => {
  let newKv = 0;
  let bufferLen = 0;
  let shared = false;
  let tokens = 0;
  return buildCost(
    ctx,
    (): Counts | string => {
      const q = ctx.inputDims(0);
      if (q === null || q.length !== 3) return 'query must be 3-D';
      const heads = ctx.int('num_heads', 0);
      const kvHeads = ctx.int('kv_num_heads', 0);
      const [b = 0, s = 0, hidden = 0] = q;
      const packed = !ctx.hasInput(1) && !ctx.hasInput(2);
      const h = headSize(hidden, packed ? heads + 2 * kvHeads : heads, 'query');
      if (typeof h === 'string') return h;
      const kvLen = packed ? s : (ctx.inputDims(1)?.[1] ?? 0);
      const notes: string[] = [];
      const pastLen = ctx.hasInput(3) ? (ctx.inputDims(3)?.[2] ?? 0) : 0;
      const presentLen = ctx.outputDims(1)?.[2] ?? pastLen + kvLen;
      shared = ctx.hasInput(3) && pastLen > 0 && presentLen === pastLen;
      const totalSeq = scalarInput(ctx, 6);
      let keys = presentLen;
      if (totalSeq !== null) keys = Math.min(presentLen, totalSeq);
      else if (shared) notes.push('shared KV buffer with unknown total_sequence_length: the whole buffer is counted as attended (upper bound)');
      newKv = kvLen;
      bufferLen = presentLen;
      tokens = b * s;
      const window = ctx.int('local_window_size', -1);
      const softcap = ctx.float('softcap', 0);
      const extra = (softcap > 0 ? SOFTCAP_OPS : 0) + (ctx.hasInput(10) ? 1 : 0);
      const core = coreCounts({ batch: b, qHeads: heads, queries: s, keys, qkHead: h, vHead: h, causalOffset: Math.max(0, keys - s), window: window >= 0 ? window : null, extraScoreOps: extra }, dtypeOf(ctx, 0), notes);
      let rotary = 0;
      if (ctx.int('do_rotary', 0) !== 0) {
        const half = ctx.inputDims(7)?.[1] ?? h / 2;
        rotary = ROTARY_OPS * (b * s * heads * h + b * kvLen * kvHeads * h) * Math.min(1, (2 * half) / h);
      }
      return { ...core, flops: core.flops + rotary };
    },
    (t) => {
      let out: Traffic = t;
      // A KV buffer shared with the past is written only at the new positions.
      if (shared && bufferLen > 0) out = writePart(ctx, writePart(ctx, out, 1, newKv / bufferLen), 2, newKv / bufferLen);
      // cos/sin caches: only the rows of the tokens' positions are read.
      if (ctx.int('do_rotary', 0) !== 0) out = readRows(ctx, readRows(ctx, out, 7, tokens), 8, tokens);
      return out;
    },
  );
});

// ---------------------------------------------------------------------------------------------
// RotaryEmbedding: 3 ops per rotated element (x·cos + rotate(x)·sin); the part of each head beyond
// rotary_embedding_dim passes through. With position ids the cos/sin caches are gathered: only the
// rows of the B·S token positions are read.

function rotaryCounts(ctx: CostContext, cosIndex: number): Counts | string {
  const x = ctx.inputDims(0);
  const n = ctx.inputElements(0);
  if (x === null || n === null || (x.length !== 3 && x.length !== 4)) return 'input must be 3-D or 4-D';
  const half = ctx.inputDims(cosIndex)?.at(-1) ?? null;
  const rotaryDim = ctx.int('rotary_embedding_dim', 0) || (half !== null ? 2 * half : 0);
  const heads = ctx.int('num_heads', 0);
  const head = x.length === 4 ? (x[3] ?? 0) : heads > 0 ? (x[2] ?? 0) / heads : rotaryDim;
  const fraction = head > 0 && rotaryDim > 0 ? Math.min(1, rotaryDim / head) : 1;
  const rotated = n * fraction;
  return { flops: ROTARY_OPS * rotated, macs: null, unit: 'vector', dtype: dtypeOf(ctx, 0) };
}

/** B·S: the token positions whose cos/sin rows are read (4-D input is [B, N, S, H]). */
function rotaryTokens(ctx: CostContext): number {
  const x = ctx.inputDims(0);
  if (x === null) return Infinity;
  return (x[0] ?? 0) * (x.length === 4 ? (x[2] ?? 0) : (x[1] ?? 0));
}

// ai.onnx: X, cos_cache, sin_cache, position_ids (optional; without it the caches are already [B, S, ·]).
registerCost('', ['RotaryEmbedding'], (ctx) =>
  buildCost(
    ctx,
    () => rotaryCounts(ctx, 1),
    (t) => (ctx.hasInput(3) ? readRows(ctx, readRows(ctx, t, 1, rotaryTokens(ctx)), 2, rotaryTokens(ctx)) : t),
  ),
);

// com.microsoft: input, position_ids ([B, S], or [1] holding a start offset), cos_cache, sin_cache.
registerCost(MS, ['RotaryEmbedding'], (ctx) =>
  buildCost(
    ctx,
    () => rotaryCounts(ctx, 2),
    (t) => {
      const x = ctx.inputDims(0);
      const offsetForm = ctx.inputElements(1) === 1;
      const rows = offsetForm && x !== null ? (x.length === 4 ? (x[2] ?? 0) : (x[1] ?? 0)) : rotaryTokens(ctx);
      return readRows(ctx, readRows(ctx, t, 2, rows), 3, rows);
    },
  ),
);

// ---------------------------------------------------------------------------------------------
// com.microsoft EmbedLayerNormalization: input_ids, segment_ids, word_embedding, position_embedding,
// segment_embedding, gamma, beta, mask, position_ids. Per output element: the embedding sum (1 add, 2
// with segments) and LayerNorm (7, with β), plus 6 per row; mask_index sums the mask (1 per mask
// element). The tables are gathered: B·S word and segment rows, and S position rows (B·S with explicit
// position_ids).

registerCost(MS, ['EmbedLayerNormalization'], (ctx) =>
  buildCost(
    ctx,
    (): Counts | string => {
      const out = ctx.outputElements(0);
      if (out === null) return 'output has unknown dims';
      const segments = ctx.hasInput(1) && ctx.hasInput(4);
      const mask = ctx.hasInput(7) ? (ctx.inputElements(7) ?? 0) : 0;
      // beta is a required input: +1 per element.
      const perElement = (segments ? 2 : 1) + LAYERNORM_OPS + 1;
      return { flops: out * perElement + LAYERNORM_ROW_OPS * rows(ctx.outputDims(0), out) + mask, macs: null, unit: 'vector', dtype: dtypeOf(ctx, 2) };
    },
    (t) => {
      const ids = ctx.inputDims(0);
      const tokens = ids === null ? Infinity : (ids[0] ?? 0) * (ids[1] ?? 0);
      const positions = ctx.hasInput(8) ? tokens : ids === null ? Infinity : (ids[1] ?? 0);
      return readRows(ctx, readRows(ctx, readRows(ctx, t, 2, tokens), 3, positions), 4, tokens);
    },
  ),
);

// com.microsoft SkipLayerNormalization (input, skip, gamma, beta, bias) and
// SkipSimplifiedLayerNormalization (input, skip, gamma, bias): per element the skip add (1), the bias
// add (1 when given) and LayerNorm (6, +1 with β; + 6 per row) or RMSNorm (4; + 3 per row).
registerCost(MS, ['SkipLayerNormalization'], (ctx) =>
  buildCost(ctx, (): Counts | string => {
    const n = ctx.inputElements(0);
    if (n === null) return 'input has unknown dims';
    const perElement = 1 + (ctx.hasInput(4) ? 1 : 0) + LAYERNORM_OPS + (ctx.hasInput(3) ? 1 : 0);
    return { flops: n * perElement + LAYERNORM_ROW_OPS * rows(ctx.inputDims(0), n), macs: null, unit: 'vector', dtype: dtypeOf(ctx, 0) };
  }),
);

registerCost(MS, ['SkipSimplifiedLayerNormalization'], (ctx) =>
  buildCost(ctx, (): Counts | string => {
    const n = ctx.inputElements(0);
    if (n === null) return 'input has unknown dims';
    return { flops: n * (1 + (ctx.hasInput(3) ? 1 : 0) + RMSNORM_OPS) + RMSNORM_ROW_OPS * rows(ctx.inputDims(0), n), macs: null, unit: 'vector', dtype: dtypeOf(ctx, 0) };
  }),
);

// ai.onnx.preview FlexAttention (Q [B,Hq,L,E], K [B,Hkv,S,E], V [B,Hkv,S,Ev]): the same score and
// value matmuls as Attention over every (query, key) pair; the user score/mask functions are graphs
// whose per-score cost is not modelled beyond one elementwise op, which the note says.
registerCost('ai.onnx.preview', ['FlexAttention'], (ctx) =>
  buildCost(ctx, (): Counts | string => {
    const q = ctx.inputDims(0);
    const k = ctx.inputDims(1);
    const v = ctx.inputDims(2);
    if (q === null || k === null || v === null || q.length !== 4 || k.length !== 4 || v.length !== 4) return 'Q, K and V need known 4-D shapes';
    const notes = ['score_mod/mask_mod subgraphs counted as one elementwise op per score'];
    return coreCounts({ batch: q[0] ?? 0, qHeads: q[1] ?? 0, queries: q[2] ?? 0, keys: k[2] ?? 0, qkHead: q[3] ?? 0, vHead: v[3] ?? 0, causalOffset: null, extraScoreOps: 1 }, dtypeOf(ctx, 0), notes);
  }),
);

// LinearAttention and CausalConvWithState (opset 27, recurrent state-space / gated delta-rule layers)
// have no cost formula yet: said so, never counted as zero.
registerCost('', ['LinearAttention', 'CausalConvWithState'], (ctx) => ({
  flops: 0,
  macs: null,
  activationBytesRead: 0,
  weightBytes: 0,
  bytesWritten: 0,
  unit: 'none',
  dtype: null,
  modelled: false,
  reason: `no cost formula for ${ctx.record.node.opType} yet (recurrent state update; see docs/cost-model-compute.md)`,
}));
