import '../ops/index';
import { ModelAnalysis } from '../analyze';
import { Coverage } from '../coverage';
import { PEAK_DTYPES, PeakDtype } from '../cost/chips';
import { Diagnostic } from '../diagnostics';
import { DataType, dataTypeName, isFloatType } from '../ir/dtype';
import { inferModel } from '../shape/engine';
import { buildPhaseModel } from './build/phase-model';
import { recogniseFamily } from './families/index';
import { lineAndCharacter, parseLocatedJson } from './json-locate';
import { ConfigReader } from './reader';
import { hasPrecisionOptions, Precision, resolvePrecision, uniformPrecision } from './serving/precision';
import { HfConfigAnalysis, HfProfileOptions, LlmConfig } from './types';

/** Far beyond real serving; larger values are typos and would only make astronomic graphs. */
const MAX_BATCH = 1 << 20;
const MAX_TOKENS = 1 << 24;

const EMPTY = { family: null, config: null, analysis: null, raw: null, phase: null, params: 0, activeParams: 0, layerOf: new Map<string, number>(), seq: 0, past: 0, servedAs: null } as const;

/**
 * config.json text → normalised config → the phase's ONNX graph → shapes (the unchanged core). Never
 * throws: bad JSON, an unknown family, missing or absurd keys and bad options are diagnostics located
 * at the key (UTF-16 offset into `text`, line in the message), and whatever can be built is analysed.
 */
export function analyzeHfConfig(text: string, options: HfProfileOptions): HfConfigAnalysis {
  const parsed = parseLocatedJson(text);
  if (parsed.error !== undefined) {
    const at = lineAndCharacter(text, parsed.error.offset);
    return { ...EMPTY, keyRanges: parsed.keys, diagnostics: [{ severity: 'error', code: 'hf.not-json', message: `not valid JSON (line ${at.line + 1}, column ${at.character + 1}): ${parsed.error.message}`, location: { offset: parsed.error.offset } }] };
  }
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return { ...EMPTY, keyRanges: parsed.keys, diagnostics: [{ severity: 'error', code: 'hf.not-object', message: 'a Hugging Face config.json is a JSON object of settings; this is not an object', location: { offset: 0 } }] };
  }
  const raw = parsed.value as Record<string, unknown>;
  const reader = new ConfigReader(raw, parsed.keys);
  const recognised = recogniseFamily(reader);
  let config: LlmConfig | null = null;
  try {
    config = recognised === null ? null : recognised.family.normalise(reader, recognised.modelType);
  } catch (error) {
    reader.report('error', 'internal', `reading the config failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const diagnostics = reader.diagnostics;
  const base = { ...EMPTY, raw, keyRanges: parsed.keys, diagnostics, family: config?.family ?? null };
  if (config === null) return base;
  if (!checkOptions(options, diagnostics)) return { ...base, config };

  const dtype = resolveDtype(options.dtype, config.dtype, diagnostics);
  config = { ...config, dtype: dtype.storage };
  const precision = servingPrecision(options, dtype, diagnostics);
  let phase = options.phase;
  if (config.kind === 'encoder' && phase === 'decode') {
    diagnostics.push({ severity: 'warning', code: 'hf.encoder-decode', message: `${config.modelType} is an encoder: it has no decode phase; its forward pass over ${options.prompt} tokens is profiled`, location: { offset: parsed.keys.get('model_type')?.offset ?? 0, value: 'model_type' } });
    phase = 'prefill';
  }
  const context = config.kind === 'encoder' ? options.prompt : options.prompt + options.generated;
  if (context > config.maxPositions) {
    reader.report('warning', 'hf.context-too-long', `${context} tokens of context exceed the ${config.maxPositions} positions the model was trained for; profiled anyway`, positionKey(raw));
  }
  try {
    const built = buildPhaseModel(config, { ...options, phase }, dtype.storage, precision);
    const inference = inferModel(built.model);
    diagnostics.push(...inference.diagnostics);
    const analysis: ModelAnalysis = { model: built.model, inference, diagnostics: [...inference.diagnostics], coverage: configCoverage(new Set(built.layerOf.values()).size, diagnostics) };
    return { ...base, config, analysis, phase, params: built.params, activeParams: built.activeParams, layerOf: built.layerOf, seq: built.seq, past: built.past, servedAs: dtype.servedAs };
  } catch (error) {
    // A builder bug, not the user's config: still a diagnostic, never an exception.
    diagnostics.push({ severity: 'error', code: 'internal', message: `building the ${phase} graph failed: ${error instanceof Error ? error.message : String(error)}` });
    return { ...base, config };
  }
}

/**
 * The per-tensor precision (--weights/--activations/--kv) over the storage type. `--dtype int8|int4|fp4`
 * already serves every tensor in that type; the two ways do not combine (an error, and the uniform type).
 */
export function servingPrecision(options: HfProfileOptions, dtype: { storage: DataType; servedAs: PeakDtype | null }, diagnostics: Diagnostic[]): Precision {
  if (dtype.servedAs !== null && dtype.servedAs !== 'tf32' && hasPrecisionOptions(options)) {
    diagnostics.push({ severity: 'error', code: 'hf.bad-option', message: `--dtype ${dtype.servedAs} serves every tensor in ${dtype.servedAs}; per-tensor --weights/--activations/--kv choose each one: use one or the other` });
    return uniformPrecision(dtype.storage);
  }
  return resolvePrecision(options, dtype.storage, diagnostics);
}

function positionKey(raw: Record<string, unknown>): string | undefined {
  return ['max_position_embeddings', 'n_positions'].find((k) => raw[k] !== undefined);
}

function checkOptions(options: HfProfileOptions, diagnostics: Diagnostic[]): boolean {
  const bad = (what: string, value: number, min: number, max: number): boolean => {
    if (Number.isInteger(value) && value >= min && value <= max) return false;
    diagnostics.push({ severity: 'error', code: 'hf.bad-option', message: `${what} must be a whole number from ${min} to ${max}, got ${value}` });
    return true;
  };
  const failed = [bad('batch', options.batch, 1, MAX_BATCH), bad('prompt length', options.prompt, 1, MAX_TOKENS), bad('generated length', options.generated, 0, MAX_TOKENS)];
  return !failed.some(Boolean);
}

const PEAK_STORAGE: Readonly<Partial<Record<PeakDtype, DataType>>> = {
  fp64: DataType.DOUBLE,
  fp32: DataType.FLOAT,
  tf32: DataType.FLOAT,
  fp16: DataType.FLOAT16,
  bf16: DataType.BFLOAT16,
  fp8: DataType.FLOAT8E4M3FN,
};

/**
 * The graph's element type and, for types that only serve arithmetic (tf32 over fp32 storage;
 * int8/int4/fp4 over fp16 storage, as `--dtype` does for ONNX models), the compute dtype to profile in.
 */
export function resolveDtype(option: PeakDtype | DataType | undefined, fromConfig: DataType, diagnostics: Diagnostic[]): { storage: DataType; servedAs: PeakDtype | null } {
  if (option === undefined) return { storage: fromConfig, servedAs: null };
  if (typeof option === 'number') {
    if (isFloatType(option)) return { storage: option, servedAs: null };
    diagnostics.push({ severity: 'warning', code: 'hf.bad-option', message: `dtype ${dataTypeName(option)} is not a float storage type: the config's ${dataTypeName(fromConfig)} is used` });
    return { storage: fromConfig, servedAs: null };
  }
  if (!PEAK_DTYPES.includes(option)) return { storage: fromConfig, servedAs: null };
  const storage = PEAK_STORAGE[option];
  if (storage !== undefined) return { storage, servedAs: option === 'tf32' ? 'tf32' : null };
  return { storage: DataType.FLOAT16, servedAs: option };
}

/**
 * A config's coverage (the same schema as a PyTorch source's): every layer of the family's graph is built
 * from the config's sizes, so it is complete unless something went wrong (an error diagnostic).
 */
function configCoverage(layers: number, diagnostics: readonly Diagnostic[]): Coverage {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  return {
    complete: errors.length === 0,
    layersResolved: layers,
    layersTotal: layers,
    parametersResolvedShare: 1,
    unresolved: errors.map((d) => ({ name: d.location?.value ?? d.code, reason: d.message, code: d.code })),
  };
}
