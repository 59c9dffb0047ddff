import { ConfigReader } from '../reader';
import { LlmConfig } from '../types';
import { readBasics, readRotaryFraction, Spellings, STANDARD_KEYS } from './common';
import { Family } from './family';

/**
 * GPT-NeoX (Pythia, GPT-NeoX-20B): fused query_key_value and dense with biases (attention_bias), plain
 * GELU MLP with biases, LayerNorm, RoPE on rotary_pct of each head (0.25 by default), untied embed_out.
 * use_parallel_residual (default true): x + attn(ln1(x)) + mlp(ln2(x)), one norm per branch.
 */
const KEYS: Spellings = { ...STANDARD_KEYS, rotaryFraction: ['rotary_pct', 'partial_rotary_factor'] };

function normalise(reader: ConfigReader): LlmConfig | null {
  const basics = readBasics(reader, KEYS, { hidden: 6144, layers: 44, heads: 64, kvHeads: null, intermediate: 24576, vocab: 50432, maxPositions: 2048, activation: 'gelu', tied: false });
  if (basics === null) return null;
  const bias = reader.bool(['attention_bias']) ?? true;
  return {
    ...basics,
    family: 'gpt_neox',
    modelType: 'gpt_neox',
    kind: 'decoder',
    norm: 'layer',
    mlp: 'plain',
    fusedQkv: true,
    fusedGateUp: false,
    bias: { qkv: bias, o: bias, mlp: true, lmHead: false },
    positions: 'rotary',
    rotaryFraction: readRotaryFraction(reader, KEYS.rotaryFraction ?? [], 0.25),
    residual: (reader.bool(['use_parallel_residual']) ?? true) ? 'parallel-two-norms' : 'sequential',
    experts: null,
    slidingWindow: null,
    embedScale: false,
    attnSoftcap: null,
    typeVocab: 0,
    pooler: false,
    names: {
      embed: 'gpt_neox.embed_in',
      layer: 'gpt_neox.layers.{i}',
      attnNorm: 'input_layernorm',
      mlpNorm: 'post_attention_layernorm',
      q: 'attention.query_key_value',
      k: 'attention.query_key_value',
      v: 'attention.query_key_value',
      qkv: 'attention.query_key_value',
      attention: 'attention',
      o: 'attention.dense',
      gate: 'mlp.dense_h_to_4h',
      up: 'mlp.dense_h_to_4h',
      gateUp: 'mlp.dense_h_to_4h',
      down: 'mlp.dense_4h_to_h',
      router: 'mlp.router',
      expert: 'mlp.experts.{j}',
      finalNorm: 'gpt_neox.final_layer_norm',
      lmHead: 'embed_out',
    },
  };
}

export const GPT_NEOX_FAMILY: Family = { ids: ['gpt_neox'], architecturePrefixes: ['GPTNeoX'], keys: KEYS, normalise };
