import { ConfigReader } from '../reader';
import { FamilyId, LlmConfig } from '../types';
import { Defaults, LLAMA_NAMES, readBasics, readRotaryFraction, STANDARD_KEYS } from './common';
import { Family } from './family';

/**
 * Phi (phi-1/1.5/2): one LayerNorm feeding attention and MLP in parallel, q/k/v/dense and fc1/fc2 with
 * biases, partial rotary (partial_rotary_factor, 0.5 by default), tanh GELU, a biased lm_head.
 * Phi-3: Llama-like (RMSNorm, sequential) but with one fused qkv_proj and one fused gate_up_proj.
 */
const PHI: Defaults = { hidden: 2048, layers: 24, heads: 32, kvHeads: null, intermediate: 8192, vocab: 51200, maxPositions: 2048, activation: 'gelu_tanh', tied: false };
const PHI3: Defaults = { hidden: 3072, layers: 32, heads: 32, kvHeads: null, intermediate: 8192, vocab: 32064, maxPositions: 4096, activation: 'silu', tied: false };

function normalise(reader: ConfigReader, modelType: FamilyId): LlmConfig | null {
  const phi3 = modelType === 'phi3';
  const basics = readBasics(reader, STANDARD_KEYS, phi3 ? PHI3 : PHI);
  if (basics === null) return null;
  const common = {
    ...basics,
    modelType,
    kind: 'decoder' as const,
    positions: 'rotary' as const,
    experts: null,
    slidingWindow: null,
    embedScale: false,
    attnSoftcap: null,
    typeVocab: 0,
    pooler: false,
  };
  if (phi3) {
    return {
      ...common,
      family: 'phi3',
      norm: 'rms',
      mlp: 'gated',
      fusedQkv: true,
      fusedGateUp: true,
      bias: { qkv: false, o: false, mlp: false, lmHead: false },
      rotaryFraction: readRotaryFraction(reader, ['partial_rotary_factor'], 1),
      residual: 'sequential',
      names: LLAMA_NAMES,
    };
  }
  return {
    ...common,
    family: 'phi',
    norm: 'layer',
    mlp: 'plain',
    fusedQkv: false,
    fusedGateUp: false,
    bias: { qkv: true, o: true, mlp: true, lmHead: true },
    rotaryFraction: readRotaryFraction(reader, ['partial_rotary_factor'], 0.5),
    residual: 'parallel-shared-norm',
    names: { ...LLAMA_NAMES, o: 'self_attn.dense', up: 'mlp.fc1', down: 'mlp.fc2', finalNorm: 'model.final_layernorm' },
  };
}

export const PHI_FAMILY: Family = { ids: ['phi', 'phi3'], architecturePrefixes: ['Phi3', 'Phi'], keys: STANDARD_KEYS, normalise };
