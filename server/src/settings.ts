/**
 * Ridgepoint's settings: the single source. `package.json` `contributes.configuration` must match
 * SETTINGS_SCHEMA exactly (test/unit/manifest.test.ts checks it), the server reads values through
 * `readSettings`, and nothing else defines a default.
 */

export type HoverDetail = 'summary' | 'full';

export interface RidgepointSettings {
  readonly chip: string;
  readonly peakMode: 'achievable' | 'datasheet';
  /** How kernels are issued (cost/runtime.ts): the fixed per-kernel cost, and for `compiled` elementwise fusion. */
  readonly runtime: 'eager' | 'cuda-graphs' | 'compiled';
  readonly dims: Readonly<Record<string, number>>;
  readonly chipsFile: string;
  readonly inlayHints: { readonly enabled: boolean };
  readonly hover: { readonly detail: HoverDetail };
  /** PyTorch sources: the input shape forward() is followed with, `1x3x224x224` or `batch x seq`; '' = none. */
  readonly pytorch: { readonly input: string };
  /** The Python whose sys.path imports are read from and which runs traced mode ('' = the Python extension's interpreter, else python3), the trace's timeout and trigger. */
  readonly python: { readonly path: string; readonly traceTimeout: number; readonly traceOnSave: boolean };
  /** Hugging Face config.json serving: per-tensor precision, GPUs, attention kernel, price (hf-config/serving/). '' / 0 = the model's own / none. */
  readonly llm: LlmSettings;
}

export interface LlmSettings {
  readonly weights: '' | 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4';
  readonly activations: '' | 'fp32' | 'bf16' | 'fp16' | 'fp8';
  readonly kvCache: '' | 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8';
  readonly tensorParallel: number;
  readonly pipelineParallel: number;
  readonly expertParallel: number;
  readonly attention: 'fused' | 'unfused';
  /** Price of one GPU-hour (0: no cost per token). */
  readonly pricePerGpuHour: number;
}

export const DEFAULT_SETTINGS: RidgepointSettings = {
  chip: 'h100',
  peakMode: 'achievable',
  runtime: 'eager',
  dims: { batch: 1, seq: 2048 },
  chipsFile: '',
  inlayHints: { enabled: true },
  hover: { detail: 'full' },
  pytorch: { input: '' },
  python: { path: '', traceTimeout: 60, traceOnSave: true },
  llm: { weights: '', activations: '', kvCache: '', tensorParallel: 1, pipelineParallel: 1, expertParallel: 1, attention: 'fused', pricePerGpuHour: 0 },
};

const LLM_WEIGHTS = ['', 'fp32', 'bf16', 'fp16', 'fp8', 'int8', 'int4'] as const;
const LLM_ACTIVATIONS = ['', 'fp32', 'bf16', 'fp16', 'fp8'] as const;
const LLM_KV = ['', 'fp32', 'bf16', 'fp16', 'fp8', 'int8'] as const;

/** JSON-schema of each setting, keyed by its full name, exactly as `package.json` contributes it. */
export const SETTINGS_SCHEMA: Record<string, Record<string, unknown>> = {
  'ridgepoint.chip': {
    type: 'string',
    default: DEFAULT_SETTINGS.chip,
    markdownDescription: 'Target chip id or alias (`h100`, `a100-80gb`, `rtx-4090`, …). Run **Ridgepoint: Profile for Chip…** to pick from the list.',
  },
  'ridgepoint.peakMode': {
    type: 'string',
    enum: ['achievable', 'datasheet'],
    enumDescriptions: ['Datasheet peaks scaled by measured achievable fractions (the realistic prediction).', 'Datasheet peaks as published (a lower bound on time).'],
    default: DEFAULT_SETTINGS.peakMode,
    description: 'Which peaks predict time.',
  },
  'ridgepoint.runtime': {
    type: 'string',
    enum: ['eager', 'cuda-graphs', 'compiled'],
    enumDescriptions: [
      "One launch per op (PyTorch eager, ONNX Runtime): the chip's full per-kernel cost.",
      'A captured CUDA graph replayed (torch.cuda.graphs, ONNX Runtime enable_cuda_graph): about 1 µs per kernel.',
      'torch.compile(mode="reduce-overhead") and the like: CUDA graphs, and elementwise chains fused into their producer.',
    ],
    default: DEFAULT_SETTINGS.runtime,
    description: 'How kernels are issued: sets the fixed per-kernel cost (and, for compiled, which elementwise chains fuse).',
  },
  'ridgepoint.dims': {
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 1 },
    default: DEFAULT_SETTINGS.dims,
    markdownDescription: "Values for symbolic dimensions (`batch`, `seq`, …) used when a model leaves them unbound; a model without such a dim ignores the entry, and reports list only the dims a model has. **Ridgepoint: Bind Symbolic Dimensions…** (or **Use Batch 1 and the Model's Example Sizes**) overrides them per model.",
  },
  'ridgepoint.chipsFile': {
    type: 'string',
    default: DEFAULT_SETTINGS.chipsFile,
    markdownDescription: 'Path of a JSON file with extra chips (schema in docs/chips.md). Relative paths are resolved against the first workspace folder.',
  },
  'ridgepoint.inlayHints.enabled': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.inlayHints.enabled,
    description: 'Show predicted time and bound at the end of each node line.',
  },
  'ridgepoint.pytorch.input': {
    type: 'string',
    default: DEFAULT_SETTINGS.pytorch.input,
    markdownDescription: 'Input shape for PyTorch `nn.Module` sources (`.py`): `1x3x224x224` for an image model, `batchxseq` for token ids (names are bound like symbolic dims, from `ridgepoint.dims`). **Ridgepoint: Set Input Shape…** overrides it per file. Empty: layers and parameters only, no forward pass.',
  },
  'ridgepoint.python.path': {
    type: 'string',
    default: DEFAULT_SETTINGS.python.path,
    scope: 'machine-overridable',
    markdownDescription: 'The Python of PyTorch sources: imports are read (as source, never run) from its `sys.path` (site-packages), and traced mode runs the model once in it (torch on the `meta` device, trusted workspaces only). Empty: the interpreter selected in the Python extension, else `python3` on PATH.',
  },
  'ridgepoint.python.traceTimeout': {
    type: 'number',
    minimum: 1,
    default: DEFAULT_SETTINGS.python.traceTimeout,
    markdownDescription: 'Seconds a trace may run before it is stopped (an endless loop at module level ends here, with a diagnostic where it was).',
  },
  'ridgepoint.python.traceOnSave': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.python.traceOnSave,
    markdownDescription: 'Trace a PyTorch source with Python when it is saved (trusted workspaces only, and only once an input shape is set). Off: only the code lens **Trace with Python** traces.',
  },
  'ridgepoint.llm.weights': {
    type: 'string',
    enum: [...LLM_WEIGHTS],
    default: DEFAULT_SETTINGS.llm.weights,
    markdownDescription: "Hugging Face `config.json`: the type of the decoder layers' projection weights. `int4`/`int8`: group-quantised weight-only (AWQ/GPTQ, groups of 128 with a scale and zero point); `fp8` with activations `fp8`: W8A8. Empty: the model's `torch_dtype`.",
  },
  'ridgepoint.llm.activations': {
    type: 'string',
    enum: [...LLM_ACTIVATIONS],
    default: DEFAULT_SETTINGS.llm.activations,
    markdownDescription: 'Hugging Face `config.json`: the activations\' type (`fp8` needs `fp8` weights). Empty: the model\'s `torch_dtype`.',
  },
  'ridgepoint.llm.kvCache': {
    type: 'string',
    enum: [...LLM_KV],
    default: DEFAULT_SETTINGS.llm.kvCache,
    markdownDescription: 'Hugging Face `config.json`: the KV cache\'s type (vLLM\'s `kv_cache_dtype`). Empty: the activations\' type.',
  },
  'ridgepoint.llm.tensorParallel': {
    type: 'integer',
    minimum: 1,
    default: DEFAULT_SETTINGS.llm.tensorParallel,
    markdownDescription: 'Hugging Face `config.json`: tensor-parallel GPUs (a power of two within one node); collectives are costed on the chip\'s interconnect.',
  },
  'ridgepoint.llm.pipelineParallel': {
    type: 'integer',
    minimum: 1,
    default: DEFAULT_SETTINGS.llm.pipelineParallel,
    markdownDescription: 'Hugging Face `config.json`: pipeline stages.',
  },
  'ridgepoint.llm.expertParallel': {
    type: 'integer',
    minimum: 1,
    default: DEFAULT_SETTINGS.llm.expertParallel,
    markdownDescription: 'Hugging Face `config.json`, MoE models: expert-parallel GPUs (equal to the tensor-parallel ones, as vLLM\'s `--enable-expert-parallel`).',
  },
  'ridgepoint.llm.attention': {
    type: 'string',
    enum: ['fused', 'unfused'],
    enumDescriptions: ['One attention kernel (FlashAttention, SDPA).', 'Eager PyTorch without SDPA: QKᵀ, scale, mask, softmax and ·V as separate kernels.'],
    default: DEFAULT_SETTINGS.llm.attention,
    description: 'Hugging Face config.json: how attention runs.',
  },
  'ridgepoint.llm.pricePerGpuHour': {
    type: 'number',
    minimum: 0,
    default: DEFAULT_SETTINGS.llm.pricePerGpuHour,
    markdownDescription: 'Hugging Face `config.json`: price of one GPU-hour; the lenses then show the cost per 1M input and output tokens. 0: off.',
  },
  'ridgepoint.hover.detail': {
    type: 'string',
    enum: ['summary', 'full'],
    enumDescriptions: ['Op, shapes, time and bound.', 'Everything: FLOPs, MACs, bytes, intensity, unit, ridge point, share, energy.'],
    default: DEFAULT_SETTINGS.hover.detail,
    description: 'How much a hover on an op shows.',
  },
};

/** A JSON object (not null, not an array): what a settings section must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Settings from the editor's `ridgepoint` section (any shape: it comes from user JSON), each value
 * checked and replaced by its default when invalid. Problems are returned, not thrown.
 */
export function readSettings(section: unknown): { settings: RidgepointSettings; problems: string[] } {
  const raw = isRecord(section) ? section : {};
  const problems: string[] = [];
  const str = (key: string, fallback: string): string => {
    const v = raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string') return v;
    problems.push(`ridgepoint.${key} must be a string; using "${fallback}"`);
    return fallback;
  };
  const oneOf = <T extends string>(key: string, options: readonly T[], fallback: T): T => {
    const v = str(key, fallback);
    if ((options as readonly string[]).includes(v)) return v as T;
    problems.push(`ridgepoint.${key} must be one of ${options.join(', ')}; using "${fallback}"`);
    return fallback;
  };
  const dims: Record<string, number> = {};
  if (raw.dims !== undefined && raw.dims !== null) {
    if (!isRecord(raw.dims)) problems.push('ridgepoint.dims must be an object like {"batch": 1}');
    else {
      for (const [name, value] of Object.entries(raw.dims)) {
        if (typeof value === 'number' && Number.isInteger(value) && value >= 1) dims[name] = value;
        else problems.push(`ridgepoint.dims.${name} must be a positive integer; ignored`);
      }
    }
  } else Object.assign(dims, DEFAULT_SETTINGS.dims);
  const inlay = isRecord(raw.inlayHints) ? raw.inlayHints : {};
  const hover = isRecord(raw.hover) ? raw.hover : {};
  const chip = str('chip', DEFAULT_SETTINGS.chip).trim() || DEFAULT_SETTINGS.chip;
  return {
    settings: {
      chip,
      peakMode: oneOf('peakMode', ['achievable', 'datasheet'] as const, DEFAULT_SETTINGS.peakMode),
      runtime: oneOf('runtime', ['eager', 'cuda-graphs', 'compiled'] as const, DEFAULT_SETTINGS.runtime),
      dims,
      chipsFile: str('chipsFile', DEFAULT_SETTINGS.chipsFile),
      inlayHints: { enabled: typeof inlay.enabled === 'boolean' ? inlay.enabled : DEFAULT_SETTINGS.inlayHints.enabled },
      hover: { detail: hover.detail === 'summary' || hover.detail === 'full' ? hover.detail : DEFAULT_SETTINGS.hover.detail },
      pytorch: { input: isRecord(raw.pytorch) && typeof raw.pytorch.input === 'string' ? raw.pytorch.input.trim() : DEFAULT_SETTINGS.pytorch.input },
      python: readPythonSettings(raw.python, problems),
      llm: readLlmSettings(raw.llm, problems),
    },
    problems,
  };
}

function readLlmSettings(value: unknown, problems: string[]): LlmSettings {
  const raw = isRecord(value) ? value : {};
  const fallback = DEFAULT_SETTINGS.llm;
  const pick = <T extends string>(key: keyof LlmSettings, options: readonly T[], def: T): T => {
    const v = raw[key];
    if (v === undefined || v === null) return def;
    if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
    problems.push(`ridgepoint.llm.${key} must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}; using ${JSON.stringify(def)}`);
    return def;
  };
  const count = (key: keyof LlmSettings, def: number): number => {
    const v = raw[key];
    if (v === undefined || v === null) return def;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1024) return v;
    problems.push(`ridgepoint.llm.${key} must be a whole number from 1 to 1024; using ${def}`);
    return def;
  };
  let price = fallback.pricePerGpuHour;
  if (raw.pricePerGpuHour !== undefined && raw.pricePerGpuHour !== null) {
    if (typeof raw.pricePerGpuHour === 'number' && Number.isFinite(raw.pricePerGpuHour) && raw.pricePerGpuHour >= 0) price = raw.pricePerGpuHour;
    else problems.push(`ridgepoint.llm.pricePerGpuHour must be a number ≥ 0; using ${fallback.pricePerGpuHour}`);
  }
  return {
    weights: pick('weights', LLM_WEIGHTS, fallback.weights),
    activations: pick('activations', LLM_ACTIVATIONS, fallback.activations),
    kvCache: pick('kvCache', LLM_KV, fallback.kvCache),
    tensorParallel: count('tensorParallel', fallback.tensorParallel),
    pipelineParallel: count('pipelineParallel', fallback.pipelineParallel),
    expertParallel: count('expertParallel', fallback.expertParallel),
    attention: pick('attention', ['fused', 'unfused'] as const, fallback.attention),
    pricePerGpuHour: price,
  };
}

function readPythonSettings(value: unknown, problems: string[]): RidgepointSettings['python'] {
  const raw = isRecord(value) ? value : {};
  const fallback = DEFAULT_SETTINGS.python;
  let traceTimeout = fallback.traceTimeout;
  if (raw.traceTimeout !== undefined && raw.traceTimeout !== null) {
    if (typeof raw.traceTimeout === 'number' && Number.isFinite(raw.traceTimeout) && raw.traceTimeout >= 1) traceTimeout = raw.traceTimeout;
    else problems.push(`ridgepoint.python.traceTimeout must be a number of seconds ≥ 1; using ${fallback.traceTimeout}`);
  }
  return {
    path: typeof raw.path === 'string' ? raw.path.trim() : fallback.path,
    traceTimeout,
    traceOnSave: typeof raw.traceOnSave === 'boolean' ? raw.traceOnSave : fallback.traceOnSave,
  };
}

/**
 * A PyTorch input shape as the user writes it: `1x3x224x224`, `batch x seq`, `[1, 3, 224, 224]`. Names
 * stay names (bound later like symbolic dims). Null when the text is not a shape.
 */
export function parseShapeText(text: string): Array<number | string> | null {
  const parts = text.replace(/^[[(]|[\])]$/g, '').split(/\s*[x×,*]\s*|\s+/).filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > 8) return null;
  const dims: Array<number | string> = [];
  for (const part of parts) {
    if (/^\d+$/.test(part) && Number(part) >= 1 && Number(part) <= 2 ** 31) dims.push(Number(part));
    else if (/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(part)) dims.push(part);
    else return null;
  }
  return dims;
}
