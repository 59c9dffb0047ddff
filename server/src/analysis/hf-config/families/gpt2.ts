import { ConfigReader } from '../reader';
import { LlmConfig } from '../types';
import { readBasics, Spellings, STANDARD_KEYS } from './common';
import { Family } from './family';

/**
 * GPT-2: learned absolute positions (wpe), pre-LayerNorm, one fused c_attn (q, k, v with bias), a plain
 * GELU MLP (c_fc, c_proj) of n_inner = 4·n_embd unless set, lm_head tied to wte. Keys are spelled
 * n_embd, n_layer, n_head, n_inner, n_positions, activation_function.
 */
const KEYS: Spellings = {
  ...STANDARD_KEYS,
  hidden: ['n_embd', 'hidden_size'],
  layers: ['n_layer', 'num_hidden_layers'],
  heads: ['n_head', 'num_attention_heads'],
  intermediate: ['n_inner'],
  maxPositions: ['n_positions', 'max_position_embeddings'],
  activation: ['activation_function'],
};

function normalise(reader: ConfigReader): LlmConfig | null {
  const basics = readBasics(reader, KEYS, { hidden: 768, layers: 12, heads: 12, kvHeads: null, intermediate: null, vocab: 50257, maxPositions: 1024, activation: 'gelu_tanh', tied: true });
  if (basics === null) return null;
  return {
    ...basics,
    family: 'gpt2',
    modelType: 'gpt2',
    kind: 'decoder',
    norm: 'layer',
    mlp: 'plain',
    fusedQkv: true,
    fusedGateUp: false,
    bias: { qkv: true, o: true, mlp: true, lmHead: false },
    positions: 'learned',
    rotaryFraction: 0,
    residual: 'sequential',
    experts: null,
    slidingWindow: null,
    embedScale: false,
    attnSoftcap: null,
    typeVocab: 0,
    pooler: false,
    names: {
      embed: 'transformer.wte',
      positions: 'transformer.wpe',
      layer: 'transformer.h.{i}',
      attnNorm: 'ln_1',
      mlpNorm: 'ln_2',
      q: 'attn.c_attn',
      k: 'attn.c_attn',
      v: 'attn.c_attn',
      qkv: 'attn.c_attn',
      attention: 'attn',
      o: 'attn.c_proj',
      gate: 'mlp.c_fc',
      up: 'mlp.c_fc',
      gateUp: 'mlp.c_fc',
      down: 'mlp.c_proj',
      router: 'mlp.router',
      expert: 'mlp.experts.{j}',
      finalNorm: 'transformer.ln_f',
      lmHead: 'lm_head',
    },
  };
}

export const GPT2_FAMILY: Family = { ids: ['gpt2'], architecturePrefixes: ['GPT2'], keys: KEYS, normalise };
