import { ConfigReader } from '../reader';
import { FamilyId, LlmConfig } from '../types';
import { Spellings } from './common';

/** One architecture family: which model_type / architectures name it, its key spellings, and its normaliser. */
export interface Family {
  readonly ids: readonly FamilyId[];
  /** Class-name prefixes of `architectures` entries (LlamaForCausalLM → 'Llama'). */
  readonly architecturePrefixes: readonly string[];
  readonly keys: Spellings;
  normalise(reader: ConfigReader, modelType: FamilyId): LlmConfig | null;
}
