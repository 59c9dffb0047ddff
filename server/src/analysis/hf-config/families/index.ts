import { editDistance } from '../../cost/chips';
import { ConfigReader } from '../reader';
import { FamilyId } from '../types';
import { BERT_FAMILY } from './bert';
import { FALCON_FAMILY } from './falcon';
import { Family } from './family';
import { GPT2_FAMILY } from './gpt2';
import { GPT_NEOX_FAMILY } from './gpt-neox';
import { LLAMA_FAMILY } from './llama';
import { PHI_FAMILY } from './phi';

export const FAMILIES: readonly Family[] = [LLAMA_FAMILY, PHI_FAMILY, GPT2_FAMILY, GPT_NEOX_FAMILY, FALCON_FAMILY, BERT_FAMILY];

export const KNOWN_MODEL_TYPES: readonly FamilyId[] = FAMILIES.flatMap((f) => f.ids);

/** Names transformers accepts for the same model_type. */
const MODEL_TYPE_ALIASES: Readonly<Record<string, FamilyId>> = { RefinedWeb: 'falcon', RefinedWebModel: 'falcon', 'gpt-neox': 'gpt_neox', gptneox: 'gpt_neox' };

export interface Recognised {
  readonly family: Family;
  readonly modelType: FamilyId;
}

/**
 * The family from `model_type`, else from the first `architectures` class name. An unknown type is a
 * warning, and when the config has the standard Llama keys it is analysed as a Llama-style decoder
 * (most new decoder families are); otherwise an error and null.
 */
export function recogniseFamily(reader: ConfigReader): Recognised | null {
  const modelType = reader.string(['model_type']);
  if (modelType !== undefined) {
    const id = (MODEL_TYPE_ALIASES[modelType] ?? modelType) as FamilyId;
    const family = FAMILIES.find((f) => f.ids.includes(id));
    if (family) return { family, modelType: id };
  }
  const fromArchitecture = architectureFamily(reader.raw['architectures']);
  if (fromArchitecture !== null && modelType === undefined) return fromArchitecture;
  const looksLlama = reader.has(['hidden_size']) && reader.has(['num_attention_heads']) && reader.has(['num_hidden_layers']) && reader.has(['intermediate_size']);
  const near = modelType === undefined ? [] : [...KNOWN_MODEL_TYPES].sort((a, b) => editDistance(modelType, a) - editDistance(modelType, b)).filter((t) => editDistance(modelType, t) <= Math.max(2, Math.floor(modelType.length / 3))).slice(0, 2);
  const what = modelType === undefined ? 'config has no "model_type" (and no known "architectures" entry)' : `unknown model_type "${modelType}"${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : ''}`;
  const known = `known: ${KNOWN_MODEL_TYPES.join(', ')}`;
  if (looksLlama) {
    reader.report('warning', 'hf.unknown-model-type', `${what}; ${known}. Analysed as a Llama-style decoder (RMSNorm, rotary, gated SiLU MLP) from its standard keys`, modelType === undefined ? undefined : 'model_type');
    return { family: LLAMA_FAMILY, modelType: 'llama' };
  }
  reader.report('error', 'hf.unknown-model-type', `${what}; ${known}`, modelType === undefined ? undefined : 'model_type');
  return null;
}

function architectureFamily(architectures: unknown): Recognised | null {
  if (!Array.isArray(architectures)) return null;
  for (const name of architectures) {
    if (typeof name !== 'string') continue;
    for (const family of FAMILIES) {
      const prefix = family.architecturePrefixes.find((p) => name.startsWith(p));
      if (prefix === undefined) continue;
      const id = family.ids.find((i) => i.replace('_', '').toLowerCase() === prefix.toLowerCase()) ?? family.ids[0];
      if (id !== undefined) return { family, modelType: id };
    }
  }
  return null;
}
