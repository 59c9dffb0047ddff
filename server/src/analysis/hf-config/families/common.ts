import { DataType } from '../../ir/dtype';
import { ConfigReader, LIMITS } from '../reader';
import { Activation } from '../types';

/**
 * What every family reads the same way, under its own spellings, with the transformers config class's
 * defaults. A missing core key is analysed with the default and a warning (transformers itself would
 * silently use it); a present but unusable one is an error and stops the analysis.
 */
export type CanonicalField = 'hidden' | 'layers' | 'heads' | 'kvHeads' | 'headDim' | 'intermediate' | 'vocab' | 'maxPositions' | 'activation' | 'tied' | 'experts' | 'expertsPerToken' | 'dtype' | 'rotaryFraction' | 'slidingWindow';

export type Spellings = Readonly<Partial<Record<CanonicalField, readonly string[]>>>;

/** The spellings most families share (the transformers PretrainedConfig names). */
export const STANDARD_KEYS: Spellings = {
  hidden: ['hidden_size'],
  layers: ['num_hidden_layers'],
  heads: ['num_attention_heads'],
  kvHeads: ['num_key_value_heads'],
  headDim: ['head_dim'],
  intermediate: ['intermediate_size'],
  vocab: ['vocab_size'],
  maxPositions: ['max_position_embeddings'],
  activation: ['hidden_act'],
  tied: ['tie_word_embeddings'],
  experts: ['num_local_experts'],
  expertsPerToken: ['num_experts_per_tok'],
  dtype: ['torch_dtype', 'dtype'],
  rotaryFraction: ['partial_rotary_factor'],
  slidingWindow: ['sliding_window'],
};

export interface Defaults {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  /** Null: as many KV heads as query heads. */
  readonly kvHeads: number | null;
  readonly headDim?: number;
  /** Null: 4 × hidden. */
  readonly intermediate: number | null;
  readonly vocab: number;
  readonly maxPositions: number;
  readonly activation: Activation;
  readonly tied: boolean;
}

export interface Basics {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly intermediate: number;
  readonly vocab: number;
  readonly maxPositions: number;
  readonly activation: Activation;
  readonly tiedEmbeddings: boolean;
  readonly dtype: DataType;
}

const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  silu: 'silu',
  swish: 'silu',
  gelu: 'gelu',
  gelu_new: 'gelu_tanh',
  gelu_fast: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu_tanh: 'gelu_tanh',
  quick_gelu: 'gelu',
  relu: 'relu',
};

const DTYPES: Readonly<Record<string, DataType>> = {
  float32: DataType.FLOAT,
  float: DataType.FLOAT,
  float16: DataType.FLOAT16,
  half: DataType.FLOAT16,
  bfloat16: DataType.BFLOAT16,
};

/** Reads an int, falling back to the family default with a warning when the key is absent. */
function intOrDefault(reader: ConfigReader, spellings: readonly string[], fallback: number, max: number, what: string): number | undefined {
  if (!reader.has(spellings)) {
    reader.report('warning', 'hf.missing-key', `config has no "${spellings[0]}" (${what}): using the transformers default ${fallback}`);
    return fallback;
  }
  return reader.int(spellings, { max });
}

export function readBasics(reader: ConfigReader, keys: Spellings, defaults: Defaults): Basics | null {
  const k = (field: CanonicalField): readonly string[] => keys[field] ?? STANDARD_KEYS[field] ?? [];
  const hidden = intOrDefault(reader, k('hidden'), defaults.hidden, LIMITS.hidden, 'hidden size');
  const layers = intOrDefault(reader, k('layers'), defaults.layers, LIMITS.layers, 'number of layers');
  const heads = intOrDefault(reader, k('heads'), defaults.heads, LIMITS.heads, 'attention heads');
  const vocab = intOrDefault(reader, k('vocab'), defaults.vocab, LIMITS.vocab, 'vocabulary size');
  const maxPositions = reader.int(k('maxPositions'), { max: LIMITS.positions }) ?? defaults.maxPositions;
  const kvRead = reader.int(k('kvHeads'), { max: LIMITS.heads });
  const headDimRead = reader.int(k('headDim'), { max: LIMITS.hidden });
  const intermediateRead = reader.int(k('intermediate'), { max: LIMITS.intermediate });
  if (hidden === undefined || layers === undefined || heads === undefined || vocab === undefined) return null;
  if (reader.has(k('kvHeads')) && kvRead === undefined) return null;
  if (reader.has(k('headDim')) && headDimRead === undefined) return null;
  if (reader.has(k('intermediate')) && intermediateRead === undefined) return null;

  const kvHeads = kvRead ?? defaults.kvHeads ?? heads;
  if (heads % kvHeads !== 0) {
    reader.report('error', 'hf.inconsistent', `${heads} attention heads cannot be shared by ${kvHeads} key/value heads (it must divide them)`, reader.present(k('kvHeads')));
    return null;
  }
  let headDim = headDimRead ?? defaults.headDim;
  if (headDim === undefined) {
    if (hidden % heads !== 0) {
      reader.report('error', 'hf.inconsistent', `hidden size ${hidden} does not split into ${heads} heads (set head_dim, or fix the sizes)`, reader.present(k('heads')));
      return null;
    }
    headDim = hidden / heads;
  }
  const intermediate = intermediateRead ?? defaults.intermediate ?? 4 * hidden;

  let activation = defaults.activation;
  const actKey = reader.present(k('activation'));
  const actName = reader.string(k('activation'));
  if (actName !== undefined) {
    const mapped = ACTIVATIONS[actName];
    if (mapped) activation = mapped;
    else reader.report('warning', 'hf.unknown-activation', `activation "${actName}" is not modelled: costed as ${defaults.activation}`, actKey);
  }
  const tiedEmbeddings = reader.bool(k('tied')) ?? defaults.tied;

  let dtype = DataType.FLOAT;
  const dtypeKey = reader.present(k('dtype'));
  const dtypeName = reader.string(k('dtype'));
  if (dtypeName === undefined) {
    if (dtypeKey === undefined) reader.report('info', 'hf.default-dtype', 'config has no "torch_dtype": weights assumed float32 (the transformers default); pass a dtype to profile another');
  } else {
    const mapped = DTYPES[dtypeName.replace(/^torch\./, '')];
    if (mapped !== undefined) dtype = mapped;
    else reader.report('warning', 'hf.bad-value', `torch_dtype "${dtypeName}" is not a float type Ridgepoint knows: float32 assumed`, dtypeKey);
  }
  return { hidden, layers, heads, kvHeads, headDim, intermediate, vocab, maxPositions, activation, tiedEmbeddings, dtype };
}

/** RoPE on a share of each head: `partial_rotary_factor` / `rotary_pct` in (0, 1]. */
export function readRotaryFraction(reader: ConfigReader, spellings: readonly string[], fallback: number): number {
  return reader.float(spellings, 0, 1) ?? fallback;
}

/** Mixture of experts: E experts, k per token (k ≤ E). Null when dense; undefined when the keys are unusable. */
export function readExperts(reader: ConfigReader, keys: Spellings, defaults: { count: number; perToken: number } | null): { count: number; perToken: number } | null | undefined {
  const countKeys = keys.experts ?? STANDARD_KEYS.experts ?? [];
  const perTokenKeys = keys.expertsPerToken ?? STANDARD_KEYS.expertsPerToken ?? [];
  if (defaults === null && !reader.has(countKeys)) return null;
  const count = reader.has(countKeys) ? reader.int(countKeys, { max: LIMITS.experts }) : defaults?.count;
  const perToken = reader.has(perTokenKeys) ? reader.int(perTokenKeys, { max: LIMITS.experts }) : defaults?.perToken;
  if (count === undefined || perToken === undefined) return undefined;
  if (perToken > count) {
    reader.report('error', 'hf.inconsistent', `${perToken} experts per token is more than the ${count} experts there are`, reader.present(perTokenKeys));
    return undefined;
  }
  return { count, perToken };
}

export const LLAMA_NAMES = {
  embed: 'model.embed_tokens',
  layer: 'model.layers.{i}',
  attnNorm: 'input_layernorm',
  mlpNorm: 'post_attention_layernorm',
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  qkv: 'self_attn.qkv_proj',
  attention: 'self_attn',
  o: 'self_attn.o_proj',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  gateUp: 'mlp.gate_up_proj',
  down: 'mlp.down_proj',
  router: 'block_sparse_moe.gate',
  expert: 'block_sparse_moe.experts.{j}',
  finalNorm: 'model.norm',
  lmHead: 'lm_head',
} as const;
