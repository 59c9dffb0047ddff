import { ConfigReader } from '../reader';
import { LlmConfig } from '../types';
import { readBasics, Spellings, STANDARD_KEYS } from './common';
import { Family } from './family';

/**
 * Falcon: fused query_key_value, dense, a plain GELU MLP of ffn_hidden_size (4·hidden), LayerNorm,
 * RoPE (or ALiBi when `alibi`), lm_head tied. K/V heads: num_kv_heads with new_decoder_architecture
 * (40B/180B), one shared K/V head with multi_query (7B), else one per head. parallel_attn runs
 * attention and MLP from the same input: one input_layernorm, or ln_attn + ln_mlp with the new
 * architecture (num_ln_in_parallel_attn = 2). `bias` adds biases to every linear layer.
 */
const KEYS: Spellings = {
  ...STANDARD_KEYS,
  layers: ['num_hidden_layers', 'n_layer'],
  heads: ['num_attention_heads', 'n_head'],
  kvHeads: ['num_kv_heads', 'n_head_kv'],
  intermediate: ['ffn_hidden_size'],
};

function normalise(reader: ConfigReader): LlmConfig | null {
  const newArchitecture = reader.bool(['new_decoder_architecture']) ?? false;
  const multiQuery = reader.bool(['multi_query']) ?? true;
  const keys: Spellings = newArchitecture ? KEYS : { ...KEYS, kvHeads: [] };
  const basics = readBasics(reader, keys, { hidden: 4544, layers: 32, heads: 71, kvHeads: null, intermediate: null, vocab: 65024, maxPositions: 2048, activation: 'gelu', tied: true });
  if (basics === null) return null;
  const kvHeads = newArchitecture ? basics.kvHeads : multiQuery ? 1 : basics.heads;
  const parallel = reader.bool(['parallel_attn']) ?? true;
  const normsInParallel = reader.int(['num_ln_in_parallel_attn'], { max: 2 }) ?? (newArchitecture ? 2 : 1);
  const bias = reader.bool(['bias']) ?? false;
  const alibi = reader.bool(['alibi']) ?? false;
  if (alibi) reader.report('info', 'hf.alibi', 'ALiBi positions: the bias add per attention score is not counted separately (it is fused in attention kernels)', 'alibi');
  return {
    ...basics,
    kvHeads,
    family: 'falcon',
    modelType: 'falcon',
    kind: 'decoder',
    norm: 'layer',
    mlp: 'plain',
    fusedQkv: true,
    fusedGateUp: false,
    bias: { qkv: bias, o: bias, mlp: bias, lmHead: false },
    positions: alibi ? 'alibi' : 'rotary',
    rotaryFraction: alibi ? 0 : 1,
    residual: !parallel ? 'sequential' : normsInParallel === 2 ? 'parallel-two-norms' : 'parallel-shared-norm',
    experts: null,
    slidingWindow: null,
    embedScale: false,
    attnSoftcap: null,
    typeVocab: 0,
    pooler: false,
    names: {
      embed: 'transformer.word_embeddings',
      layer: 'transformer.h.{i}',
      attnNorm: newArchitecture && normsInParallel === 2 ? 'ln_attn' : 'input_layernorm',
      mlpNorm: newArchitecture && normsInParallel === 2 ? 'ln_mlp' : 'post_attention_layernorm',
      q: 'self_attention.query_key_value',
      k: 'self_attention.query_key_value',
      v: 'self_attention.query_key_value',
      qkv: 'self_attention.query_key_value',
      attention: 'self_attention',
      o: 'self_attention.dense',
      gate: 'mlp.dense_h_to_4h',
      up: 'mlp.dense_h_to_4h',
      gateUp: 'mlp.dense_h_to_4h',
      down: 'mlp.dense_4h_to_h',
      router: 'mlp.router',
      expert: 'mlp.experts.{j}',
      finalNorm: 'transformer.ln_f',
      lmHead: 'lm_head',
    },
  };
}

export const FALCON_FAMILY: Family = { ids: ['falcon'], architecturePrefixes: ['Falcon', 'RW'], keys: KEYS, normalise };
