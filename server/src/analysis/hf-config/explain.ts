import { humanBytes, humanCount, humanTime } from '../../format/units';
import { Chip } from '../cost/chips';
import { CanonicalField, STANDARD_KEYS } from './families/common';
import { FAMILIES } from './families/index';
import { parseLocatedJson } from './json-locate';
import { LlmSummary, summariseLlm, SummaryOptions } from './summary';
import { formatPrice } from './token-cost';

/**
 * Hover text for a config key: what its value costs on the chip, and the same figures for one
 * counterfactual value, both computed by re-building and re-profiling the config (summariseLlm), so
 * the hover and the report can never disagree. Returns null for keys that carry no cost.
 */
type Metric = 'params' | 'activeParams' | 'weights' | 'kv' | 'kvContext' | 'kvFullContext' | 'prefill' | 'decode' | 'fits' | 'fitsFullContext';

interface KeyExplainer {
  readonly what: string;
  readonly metrics: readonly Metric[];
  /** The counterfactual value, or undefined when none makes sense. */
  alternative(value: unknown, raw: Readonly<Record<string, unknown>>): unknown;
}

const halve = (value: unknown): unknown => (typeof value === 'number' && value >= 2 ? Math.floor(value / 2) : undefined);
const double = (value: unknown): unknown => (typeof value === 'number' ? value * 2 : undefined);
const headsOf = (raw: Readonly<Record<string, unknown>>): number | undefined => {
  const h = raw['num_attention_heads'] ?? raw['n_head'];
  return typeof h === 'number' ? h : undefined;
};

const EXPLAINERS: Readonly<Partial<Record<CanonicalField, KeyExplainer>>> = {
  kvHeads: {
    what: 'key/value heads: each layer caches K and V for this many heads per token, so the KV cache (and decode attention traffic) scales with it',
    metrics: ['kv', 'kvContext', 'decode', 'fits'],
    alternative: (value, raw) => {
      const heads = headsOf(raw);
      if (typeof value !== 'number' || heads === undefined) return undefined;
      if (value < heads) return heads;
      return heads % 8 === 0 && heads > 8 ? 8 : heads % 4 === 0 && heads > 4 ? heads / 4 : undefined;
    },
  },
  heads: { what: 'query heads: hidden size / heads = head dim; with no num_key_value_heads, also the KV heads', metrics: ['kv', 'prefill', 'decode'], alternative: double },
  hidden: { what: 'the residual width: every projection is hidden × something, so parameters grow with its square', metrics: ['params', 'weights', 'kv', 'prefill', 'decode'], alternative: halve },
  layers: { what: 'transformer blocks: parameters, KV cache and time all scale linearly with it', metrics: ['params', 'kv', 'prefill', 'decode'], alternative: halve },
  intermediate: { what: 'the MLP width: two thirds of a gated Llama layer\'s parameters live here', metrics: ['params', 'prefill', 'decode'], alternative: halve },
  vocab: { what: 'vocabulary: the embedding table and the lm_head are vocab × hidden each (once when tied); decode reads the whole head every step', metrics: ['params', 'weights', 'decode'], alternative: double },
  maxPositions: { what: 'the longest context trained for: it costs nothing until used, then the KV cache of a full-length sequence is per-token KV × this', metrics: ['kvFullContext', 'fitsFullContext'], alternative: double },
  experts: { what: 'experts per MoE layer: memory holds all of them, a token runs only num_experts_per_tok', metrics: ['params', 'activeParams', 'weights', 'decode', 'fits'], alternative: double },
  expertsPerToken: {
    what: 'experts each token runs: the active parameters, FLOPs and (at small batch) weight traffic scale with it',
    metrics: ['activeParams', 'prefill', 'decode'],
    alternative: (value) => (typeof value === 'number' ? (value > 1 ? value - 1 : value + 1) : undefined),
  },
  dtype: {
    what: 'the stored weight type: bytes per parameter, so weight memory and memory-bound decode time scale with its width',
    metrics: ['weights', 'kv', 'prefill', 'decode', 'fits'],
    alternative: (value) => (value === 'float32' ? 'bfloat16' : 'float32'),
  },
  tied: { what: 'whether lm_head shares the embedding table: tied saves vocab × hidden parameters (decode reads the table either way)', metrics: ['params', 'weights'], alternative: (value) => (typeof value === 'boolean' ? !value : undefined) },
};

/** The canonical field a raw key spells in this config's family, if any. */
function fieldOf(raw: Readonly<Record<string, unknown>>, key: string): CanonicalField | undefined {
  const modelType = raw['model_type'];
  const family = FAMILIES.find((f) => typeof modelType === 'string' && (f.ids as readonly string[]).includes(modelType));
  const keys = { ...STANDARD_KEYS, ...(family?.keys ?? {}) };
  return (Object.keys(keys) as CanonicalField[]).find((field) => keys[field]?.includes(key));
}

export function explainConfigKey(config: string | Readonly<Record<string, unknown>>, key: string, chip: Chip, options: SummaryOptions): string | null {
  let raw: Readonly<Record<string, unknown>>;
  if (typeof config === 'string') {
    const parsed = parseLocatedJson(config);
    if (parsed.error !== undefined || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return null;
    raw = parsed.value as Record<string, unknown>;
  } else raw = config;
  const field = fieldOf(raw, key);
  const explainer = field === undefined ? undefined : EXPLAINERS[field];
  if (explainer === undefined || raw[key] === undefined || raw[key] === null) return null;
  const quick: SummaryOptions = { ...options, searchRidge: false };
  const base = safeSummary(JSON.stringify(raw), chip, quick);
  if (base === null) return null;
  const value = raw[key];
  const lines = [`**${key}** = ${JSON.stringify(value)}: ${explainer.what}.`, '', describe(base, explainer.metrics)];
  const alternative = explainer.alternative(value, raw);
  if (alternative !== undefined && alternative !== value) {
    const other = safeSummary(JSON.stringify({ ...raw, [key]: alternative }), chip, quick);
    if (other !== null) lines.push('', `With ${key} = ${JSON.stringify(alternative)}: ${describe(other, explainer.metrics)}`);
  }
  lines.push('', `(batch ${options.batch}, prompt ${options.prompt}, ${options.generated} generated, ${chip.name})`);
  return lines.join('\n');
}

function safeSummary(text: string, chip: Chip, options: SummaryOptions): LlmSummary | null {
  try {
    return summariseLlm(text, chip, options);
  } catch {
    return null;
  }
}

function describe(s: LlmSummary, metrics: readonly Metric[]): string {
  const parts: string[] = [];
  const context = s.prompt + s.generated;
  for (const m of metrics) {
    switch (m) {
      case 'params':
        parts.push(`${humanCount(s.params)} parameters`);
        break;
      case 'activeParams':
        parts.push(`${humanCount(s.activeParams)} active per token`);
        break;
      case 'weights':
        parts.push(`weights ${humanBytes(s.weightBytes)}`);
        break;
      case 'kvFullContext':
        if (s.kvBytesPerToken !== null) parts.push(`KV cache ${humanBytes(s.kvBytesPerToken * s.maxPositions)} for one full ${s.maxPositions}-token context`);
        break;
      case 'fitsFullContext':
        if (s.kvBytesPerToken !== null && s.kvBytesPerToken > 0) {
          const budget = s.memory.atBatch.capacityBytes;
          const fit = Math.max(0, Math.floor((budget - s.parallel.perGpu.weightBytes) / ((s.parallel.perGpu.kvBytesPerToken ?? s.kvBytesPerToken) * s.maxPositions)));
          parts.push(`${fit} full-length sequence${fit === 1 ? '' : 's'} fit the ${humanBytes(budget)} planned per GPU beside the weights`);
        }
        break;
      case 'kv':
        if (s.kvBytesPerToken !== null) parts.push(`KV cache ${humanBytes(s.kvBytesPerToken)}/token`);
        break;
      case 'kvContext':
        if (s.kvBytesPerToken !== null) parts.push(`${humanBytes(s.kvBytesPerToken * context)} per ${context}-token sequence`);
        break;
      case 'prefill':
        parts.push(`prefill ${humanTime(s.prefill.timeSeconds)} (${s.prefill.bound}-bound)`);
        break;
      case 'decode':
        if (s.decode !== null) parts.push(`decode ${humanTime(s.decode.timePerTokenSeconds)}/step (${s.decode.bound}-bound)`);
        break;
      case 'fits':
        if (s.kvBytesPerToken !== null) parts.push(s.memory.maxBatchThatFits === 0 ? `does not fit the ${humanBytes(s.memory.atBatch.capacityBytes)} planned per GPU` : `${Number.isFinite(s.memory.maxBatchThatFits) ? s.memory.maxBatchThatFits : 'any number of'} sequences of ${context} tokens fit the ${humanBytes(s.memory.atBatch.capacityBytes)} planned per GPU`);
        break;
    }
  }
  return `${parts.join(', ')}.`;
}

/**
 * The serving lenses: the precision and GPU layout (a click opens the ridgepoint.llm settings), whether
 * the batch fits each GPU's memory (and the fewest GPUs that would hold it), and the cost per 1M tokens
 * when a price is set.
 */
export function servingLensParts(s: LlmSummary): { layout: string; memory: string; cost: string | null } {
  const p = s.parallel;
  const gpus = p.gpus === 1 ? '1 GPU' : `${p.gpus} GPUs (TP ${p.tp}${p.pp > 1 ? ` · PP ${p.pp}` : ''}${p.ep > 1 ? ` · EP ${p.ep}` : ''})`;
  const layout = `${s.precisionShort} · ${gpus}${s.errors.length > 0 ? ` · ${s.errors.length} option error${s.errors.length > 1 ? 's' : ''}` : ''}`;
  const m = s.memory.atBatch;
  const fit = s.smallestFit;
  const memory = m.fits
    ? `fits: ${humanBytes(m.totalBytes)} of ${humanBytes(m.capacityBytes)}${p.gpus > 1 ? ' per GPU' : ''} · up to batch ${Number.isFinite(s.memory.maxBatchThatFits) ? s.memory.maxBatchThatFits : '∞'}`
    : `does NOT fit: ${humanBytes(m.totalBytes)} of ${humanBytes(m.capacityBytes)}${p.gpus > 1 ? ' per GPU' : ''}${fit !== null ? ` · needs ${fit.gpus} GPUs (TP ${fit.tp}${fit.pp > 1 ? ` · PP ${fit.pp}` : ''})` : ''}`;
  const cost = s.cost === undefined ? null : `$${formatPrice(s.cost.perMillionInput)} / 1M input${s.cost.perMillionOutput !== null ? ` · $${formatPrice(s.cost.perMillionOutput)} / 1M output` : ''} tokens`;
  return { layout, memory, cost };
}

/** The one-line code lens over a config.json: size, and the verdict of each phase. */
export function codeLensSummary(s: LlmSummary): string {
  const [size, prefill, decode, ridge] = codeLensParts(s);
  return [size, prefill, decode].filter((p) => p !== undefined).join(' · ') + (ridge ? ` (${ridge})` : '');
}

/**
 * The summary's pieces, each short enough for a lens of its own (an editor draws a line's lenses in one
 * row that does not wrap): size and weights, the prefill verdict, the decode verdict, the decode batch
 * from which the projections are compute-bound (the last two only for decoders).
 */
export function codeLensParts(s: LlmSummary): string[] {
  const size = s.activeParams !== s.params ? `${humanCount(s.params)} params (${humanCount(s.activeParams)} active)` : `${humanCount(s.params)} params`;
  const prefill = `${s.kind === 'encoder' ? 'forward' : 'prefill'} ${s.prompt} tok: ${humanTime(s.prefill.timeSeconds)}, ${s.prefill.bound}-bound`;
  const parts = [`${size}, ${humanBytes(s.weightBytes)}`, prefill];
  if (s.decode === null) return parts;
  parts.push(`decode: ${humanTime(s.decode.timePerTokenSeconds)}/token, ${s.decode.bound}-bound`);
  if (s.ridge?.projectionsComputeBoundBatch) parts.push(`projections compute-bound from batch ${s.ridge.projectionsComputeBoundBatch}`);
  return parts;
}
