/**
 * Hugging Face config.json profiling (docs/hf-config.md). Pure: text in, plain data out. A config is
 * turned into the ONNX graph of one phase (prefill or one decode step) made of ops the core already
 * costs, so shapes, costs, roofline, report and suggestions all come from the unchanged pipeline.
 */
export { analyzeHfConfig } from './analyze-config';
export { summariseLlm } from './summary';
export type { LayerRoofline, LlmSummary, MemoryCheck, PhaseFigures, SummaryOptions } from './summary';
export { codeLensParts, codeLensSummary, explainConfigKey, servingLensParts } from './explain';
export { KNOWN_MODEL_TYPES } from './families/index';
export { expectedExpertsTouched } from './build/moe';
export type { FamilyId, HfConfigAnalysis, HfProfileOptions, KeyRange, LlmConfig, Phase } from './types';

/** True when JSON text looks like a transformers config (has model_type or architectures at the top level). */
export function looksLikeHfConfig(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) && ('model_type' in value || 'architectures' in value);
  } catch {
    return false;
  }
}
