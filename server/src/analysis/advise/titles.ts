import { Suggestion } from './types';

/**
 * A suggestion's readable title for menus, lenses and the panel: "Fuse attention", "Use FP8 weights and
 * activations", "Run on B200". Never an internal id (`quantise:fp8-weights-and-activations`):
 * those are for the report's machines. Short (under ~40 characters for the built-in kinds) so that a
 * code lens with the saving appended still fits a normal editor width.
 */
const FUSE_TITLES: Readonly<Record<string, string>> = {
  'conv-batchnorm': 'Fold BatchNorm into Conv',
  attention: 'Fuse attention',
  layernorm: 'Fuse LayerNorm into one kernel',
  rmsnorm: 'Fuse RMSNorm into one kernel',
  'matmul-softmax': 'Fuse Softmax into the MatMul',
  epilogue: 'Fuse elementwise ops into GEMM/Conv',
  'bias-activation': 'Fuse bias + activation',
};

/** `int8` → `INT8`, `fp8` → `FP8`: number formats are written in capitals in prose. */
function formatName(dtype: string): string {
  return dtype.toUpperCase();
}

/** The fallback for a kind or pattern this file does not know: its words, capitalised (`fewer-blocks` → `Fewer blocks`). */
function words(text: string): string {
  const spaced = text.replace(/[-_:]+/g, ' ').trim();
  return spaced.length > 0 ? spaced.charAt(0).toUpperCase() + spaced.slice(1) : 'Suggestion';
}

/** `B200` from `NVIDIA B200 (HGX/DGX B200, 1000 W)`: the full name is in the suggestion's message. */
function chipShortName(name: string): string {
  const short = name
    .replace(/\s*\([^)]*\)\s*/g, ' ')
    .replace(/^(NVIDIA|AMD|Intel|Google|Apple|AWS|Qualcomm|Groq|Cerebras)\s+/i, '')
    .trim();
  return short.length > 0 ? short : name;
}

export function suggestionTitle(s: Pick<Suggestion, 'kind' | 'pattern'> & Partial<Pick<Suggestion, 'throughput' | 'chip'>>): string {
  switch (s.kind) {
    case 'fuse':
      return FUSE_TITLES[s.pattern] ?? `Fuse ${words(s.pattern).toLowerCase()}`;
    case 'quantise': {
      if (s.pattern === 'kv-cache-fp8') return 'Use an fp8 KV cache';
      const weightOnly = /^(\w+)-weight-only$/.exec(s.pattern)?.[1];
      if (weightOnly !== undefined) return `Use ${formatName(weightOnly)} weights (weight-only)`;
      const both = /^(\w+)-weights-and-activations$/.exec(s.pattern)?.[1];
      if (both !== undefined) return `Use ${formatName(both)} weights and activations`;
      return `Quantise: ${words(s.pattern).toLowerCase()}`;
    }
    case 'batch':
      return s.throughput ? `Batch ${s.throughput.batch} instead of ${s.throughput.baselineBatch}` : 'Batch more items per run';
    case 'smaller-model':
      return 'Use a model with fewer blocks';
    case 'runtime':
      return 'Capture with CUDA graphs / torch.compile';
    case 'chip':
      if (!s.chip) return 'Use another chip';
      return s.pattern === 'energy' ? `Run on ${chipShortName(s.chip.name)} (less energy)` : `Run on ${chipShortName(s.chip.name)}`;
    default:
      return words(s.pattern || s.kind);
  }
}
