import { ConfigReader, LIMITS } from '../reader';
import { FamilyId, LlmConfig } from '../types';
import { Defaults, LLAMA_NAMES, readBasics, readExperts, readRotaryFraction, STANDARD_KEYS } from './common';
import { Family } from './family';

/**
 * The Llama lineage: llama, mistral, mixtral (MoE), qwen2, gemma, gemma2. Pre-norm RMSNorm, rotary
 * positions, gated MLP (SiLU; Gemma's tanh GELU), GQA through num_key_value_heads. Differences:
 * qwen2 has q/k/v biases; mistral a sliding window; mixtral E experts with k active per token;
 * gemma scales the embeddings by √hidden and ties them; gemma2 adds norms after attention and MLP,
 * soft-caps attention logits and uses the window on every other layer.
 */
const DEFAULTS: Record<'llama' | 'mistral' | 'mixtral' | 'qwen2' | 'gemma' | 'gemma2', Defaults> = {
  llama: { hidden: 4096, layers: 32, heads: 32, kvHeads: null, intermediate: 11008, vocab: 32000, maxPositions: 2048, activation: 'silu', tied: false },
  mistral: { hidden: 4096, layers: 32, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 32000, maxPositions: 4096 * 32, activation: 'silu', tied: false },
  mixtral: { hidden: 4096, layers: 32, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 32000, maxPositions: 4096 * 32, activation: 'silu', tied: false },
  qwen2: { hidden: 4096, layers: 32, heads: 32, kvHeads: 32, intermediate: 22016, vocab: 151936, maxPositions: 32768, activation: 'silu', tied: false },
  gemma: { hidden: 3072, layers: 28, heads: 16, kvHeads: 16, headDim: 256, intermediate: 24576, vocab: 256000, maxPositions: 8192, activation: 'gelu_tanh', tied: true },
  gemma2: { hidden: 2304, layers: 26, heads: 8, kvHeads: 4, headDim: 256, intermediate: 9216, vocab: 256000, maxPositions: 8192, activation: 'gelu_tanh', tied: true },
};

const KEYS = { ...STANDARD_KEYS, activation: ['hidden_activation', 'hidden_act'] };

function normalise(reader: ConfigReader, modelType: FamilyId): LlmConfig | null {
  const family = (modelType in DEFAULTS ? modelType : 'llama') as keyof typeof DEFAULTS;
  const basics = readBasics(reader, KEYS, DEFAULTS[family]);
  if (basics === null) return null;
  const experts = readExperts(reader, KEYS, family === 'mixtral' ? { count: 8, perToken: 2 } : null);
  if (experts === undefined) return null;
  const gemma = family === 'gemma' || family === 'gemma2';
  const attentionBias = reader.bool(['attention_bias']) ?? false;
  const mlpBias = reader.bool(['mlp_bias']) ?? false;
  let window: number | undefined;
  if (family === 'mistral' || family === 'mixtral' || family === 'gemma2') window = reader.int(['sliding_window'], { max: LIMITS.positions });
  else if (family === 'qwen2' && reader.bool(['use_sliding_window']) === true) window = reader.int(['sliding_window'], { max: LIMITS.positions });
  if (family === 'gemma2' && !reader.has(['sliding_window'])) window = 4096;
  const softcap = family === 'gemma2' ? (reader.float(['attn_logit_softcapping'], 0, 1e6) ?? 50) : null;
  return {
    ...basics,
    family,
    modelType,
    kind: 'decoder',
    norm: 'rms',
    mlp: 'gated',
    fusedQkv: false,
    fusedGateUp: false,
    bias: { qkv: family === 'qwen2' || attentionBias, o: attentionBias, mlp: mlpBias, lmHead: false },
    positions: 'rotary',
    rotaryFraction: readRotaryFraction(reader, ['partial_rotary_factor'], 1),
    residual: 'sequential',
    experts,
    slidingWindow: window === undefined ? null : { size: window, layers: family === 'gemma2' ? 'even' : 'all' },
    embedScale: gemma,
    attnSoftcap: softcap,
    typeVocab: 0,
    pooler: false,
    names: family === 'gemma2' ? { ...LLAMA_NAMES, mlpNorm: 'pre_feedforward_layernorm', postAttnNorm: 'post_attention_layernorm', postMlpNorm: 'post_feedforward_layernorm' } : LLAMA_NAMES,
  };
}

export const LLAMA_FAMILY: Family = {
  ids: ['llama', 'mistral', 'mixtral', 'qwen2', 'gemma', 'gemma2'],
  architecturePrefixes: ['Llama', 'Mistral', 'Mixtral', 'Qwen2', 'Gemma2', 'Gemma'],
  keys: KEYS,
  normalise,
};
