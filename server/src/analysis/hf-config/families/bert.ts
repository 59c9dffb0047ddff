import { ConfigReader, LIMITS } from '../reader';
import { FamilyId, LlmConfig } from '../types';
import { readBasics, STANDARD_KEYS } from './common';
import { Family } from './family';

/**
 * BERT and RoBERTa encoders (the base model, as BertModel builds it): word + position + token-type
 * embeddings and a LayerNorm; post-norm layers (attention, add, LayerNorm; GELU MLP, add, LayerNorm),
 * bidirectional attention, every linear layer biased; the pooler (dense + tanh on the first token).
 * RoBERTa differs only in sizes (vocab 50265, 514 positions, one token type).
 */
function normalise(reader: ConfigReader, modelType: FamilyId): LlmConfig | null {
  const roberta = modelType === 'roberta';
  const basics = readBasics(reader, STANDARD_KEYS, { hidden: 768, layers: 12, heads: 12, kvHeads: null, intermediate: 3072, vocab: roberta ? 50265 : 30522, maxPositions: roberta ? 514 : 512, activation: 'gelu', tied: true });
  if (basics === null) return null;
  const typeVocab = reader.int(['type_vocab_size'], { max: LIMITS.vocab }) ?? (roberta ? 1 : 2);
  return {
    ...basics,
    family: roberta ? 'roberta' : 'bert',
    modelType,
    kind: 'encoder',
    norm: 'layer',
    mlp: 'plain',
    fusedQkv: false,
    fusedGateUp: false,
    bias: { qkv: true, o: true, mlp: true, lmHead: false },
    positions: 'learned',
    rotaryFraction: 0,
    residual: 'post-norm',
    experts: null,
    slidingWindow: null,
    embedScale: false,
    attnSoftcap: null,
    typeVocab,
    pooler: true,
    names: {
      embed: 'embeddings.word_embeddings',
      positions: 'embeddings.position_embeddings',
      tokenTypes: 'embeddings.token_type_embeddings',
      embedNorm: 'embeddings.LayerNorm',
      layer: 'encoder.layer.{i}',
      attnNorm: 'attention.output.LayerNorm',
      mlpNorm: 'output.LayerNorm',
      q: 'attention.self.query',
      k: 'attention.self.key',
      v: 'attention.self.value',
      qkv: 'attention.self.qkv',
      attention: 'attention.self',
      o: 'attention.output.dense',
      gate: 'intermediate.dense',
      up: 'intermediate.dense',
      gateUp: 'intermediate.dense',
      down: 'output.dense',
      router: 'router',
      expert: 'experts.{j}',
      finalNorm: 'final_norm',
      lmHead: 'lm_head',
      pooler: 'pooler.dense',
    },
  };
}

export const BERT_FAMILY: Family = { ids: ['bert', 'roberta'], architecturePrefixes: ['Bert', 'Roberta'], keys: STANDARD_KEYS, normalise };
