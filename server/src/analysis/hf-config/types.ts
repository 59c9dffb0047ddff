import { ModelAnalysis } from '../analyze';
import { PeakDtype } from '../cost/chips';
import { Diagnostic } from '../diagnostics';
import { DataType } from '../ir/dtype';
import { ParallelOptions } from './serving/parallel';
import { PrecisionOptions } from './serving/precision';

/**
 * The normalised form of a Hugging Face `config.json`: every family's spelling (gpt2's n_embd, falcon's
 * multi_query, gpt_neox's rotary_pct…) mapped onto one description that the graph builders read.
 */
export type FamilyId = 'llama' | 'mistral' | 'mixtral' | 'qwen2' | 'phi' | 'phi3' | 'gpt2' | 'gpt_neox' | 'falcon' | 'gemma' | 'gemma2' | 'bert' | 'roberta';

export type Activation = 'silu' | 'gelu' | 'gelu_tanh' | 'relu';

/**
 * How attention and MLP share the residual stream: 'sequential' (x + attn, then + mlp), or in parallel
 * from one input (gpt_neox use_parallel_residual, falcon parallel_attn, phi): 'parallel-shared-norm'
 * normalises once for both, 'parallel-two-norms' has one norm per branch.
 */
export type ResidualLayout = 'sequential' | 'parallel-shared-norm' | 'parallel-two-norms' | 'post-norm';

/** HF module paths of one family; `{i}` is the layer, `{j}` the expert. */
export interface ModuleNames {
  readonly embed: string;
  readonly positions?: string;
  readonly tokenTypes?: string;
  readonly embedNorm?: string;
  readonly layer: string;
  readonly attnNorm: string;
  readonly mlpNorm: string;
  /** Gemma 2's extra norms after the attention and MLP outputs. */
  readonly postAttnNorm?: string;
  readonly postMlpNorm?: string;
  readonly q: string;
  readonly k: string;
  readonly v: string;
  readonly qkv: string;
  readonly attention: string;
  readonly o: string;
  readonly gate: string;
  readonly up: string;
  readonly gateUp: string;
  readonly down: string;
  readonly router: string;
  readonly expert: string;
  readonly finalNorm: string;
  readonly lmHead: string;
  readonly pooler?: string;
}

export interface LlmConfig {
  readonly family: FamilyId;
  readonly modelType: string;
  readonly kind: 'decoder' | 'encoder';
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly intermediate: number;
  readonly vocab: number;
  readonly maxPositions: number;
  readonly norm: 'rms' | 'layer';
  readonly mlp: 'gated' | 'plain';
  readonly activation: Activation;
  /** One q/k/v projection (gpt2 c_attn, gpt_neox/falcon query_key_value, phi3 qkv_proj). */
  readonly fusedQkv: boolean;
  /** One gate+up projection (phi3 gate_up_proj). */
  readonly fusedGateUp: boolean;
  readonly bias: { readonly qkv: boolean; readonly o: boolean; readonly mlp: boolean; readonly lmHead: boolean };
  readonly tiedEmbeddings: boolean;
  readonly positions: 'rotary' | 'learned' | 'alibi';
  /** Share of each head rotated by RoPE (partial_rotary_factor, rotary_pct). */
  readonly rotaryFraction: number;
  readonly residual: ResidualLayout;
  readonly experts: { readonly count: number; readonly perToken: number } | null;
  /** Local attention window, and which layers use it (gemma2 alternates). */
  readonly slidingWindow: { readonly size: number; readonly layers: 'all' | 'even' } | null;
  /** Gemma multiplies the embeddings by √hidden. */
  readonly embedScale: boolean;
  readonly attnSoftcap: number | null;
  /** BERT/RoBERTa: token-type vocabulary and the pooler head. */
  readonly typeVocab: number;
  readonly pooler: boolean;
  /** Storage dtype (torch_dtype, or the caller's override). */
  readonly dtype: DataType;
  readonly names: ModuleNames;
}

export type Phase = 'prefill' | 'decode';

/** How attention runs: one fused kernel (FlashAttention, SDPA, ONNX Runtime's GQA), or as eager PyTorch without SDPA writes it: QKᵀ, softmax and ·V as separate kernels with the score matrix in memory. */
export type AttentionImpl = 'fused' | 'unfused';

export interface HfProfileOptions extends PrecisionOptions, ParallelOptions {
  readonly phase: Phase;
  readonly batch: number;
  /** Prompt tokens (the prefill length; the encoder's sequence length). */
  readonly prompt: number;
  /** Generated tokens; the decode step profiled is the middle one (see docs/hf-config.md). */
  readonly generated: number;
  /** Storage/serving type: a float type builds the graph in it; int8/int4/fp4 keep fp16 storage and serve in that type (W8A8-style, as `--dtype` does for ONNX models). */
  readonly dtype?: PeakDtype | DataType;
  /** Price of one GPU-hour: the summary then gives the cost per 1M input and output tokens (hf-config/token-cost.ts). */
  readonly pricePerGpuHour?: number;
  /** Default 'fused'. */
  readonly attention?: AttentionImpl;
  /** Share of each GPU's memory the engine plans with (vLLM's gpu_memory_utilization); default 0.9. */
  readonly memoryUtilization?: number;
}

/** Where a key of the config text is: UTF-16 offset and length of the quoted key, 0-based line and character. */
export interface KeyRange {
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly character: number;
}

export interface HfConfigAnalysis {
  /** Null when the family could not be recognised or required keys are missing. */
  readonly family: FamilyId | null;
  readonly config: LlmConfig | null;
  /** The phase graph through the unchanged ONNX core (null when nothing could be built). */
  readonly analysis: ModelAnalysis | null;
  /** Top-level keys (`hidden_size`) and nested ones (`rope_scaling.factor`). */
  readonly keyRanges: ReadonlyMap<string, KeyRange>;
  /** The parsed JSON object (null for non-JSON or a non-object). */
  readonly raw: Readonly<Record<string, unknown>> | null;
  readonly diagnostics: Diagnostic[];
  /** The phase actually built (an encoder has no decode: its forward pass is built instead). */
  readonly phase: Phase | null;
  /** Parameters as Hugging Face counts them (all experts, tied weights once, no RoPE caches). */
  readonly params: number;
  /** Parameters one token's forward pass touches (MoE: the router plus k experts). */
  readonly activeParams: number;
  /** Node name → layer index, for the per-layer roofline. */
  readonly layerOf: ReadonlyMap<string, number>;
  /** New tokens per sequence in the built run, and tokens already in the KV cache (decode). */
  readonly seq: number;
  readonly past: number;
  /** Set when the requested dtype is an integer/fp4 serving type: profile with it as the compute dtype. */
  readonly servedAs: PeakDtype | null;
}
