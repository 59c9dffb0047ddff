import { peakDtypeOf } from '../../cost/roofline';
import { Diagnostic } from '../../diagnostics';
import { DataType, dataTypeBits, dataTypeName, isFloatType } from '../../ir/dtype';

/**
 * Per-tensor precision of a served LLM: the weights of the decoder layers' linear projections, the
 * activations (the graph's value type), and the KV cache, each set on its own — as serving engines
 * do (AWQ/GPTQ w4a16: int4 weights, fp16 activations and cache; vLLM fp8: fp8 weights and activations,
 * a bf16 cache unless kv_cache_dtype=fp8).
 *
 * What stays unquantised, as AWQ, GPTQ and vLLM's fp8 leave it: the embedding table, the norms, the
 * MoE router and the lm_head (AutoAWQ's `modules_to_not_convert`, vLLM's unquantised lm_head). The
 * embedding and norm weights follow the activations' type; the lm_head keeps the model's float type.
 */
export type WeightOption = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4';
export type ActivationOption = 'fp32' | 'bf16' | 'fp16' | 'fp8';
export type KvOption = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8';

export const WEIGHT_OPTIONS: readonly WeightOption[] = ['fp32', 'bf16', 'fp16', 'fp8', 'int8', 'int4'];
export const ACTIVATION_OPTIONS: readonly ActivationOption[] = ['fp32', 'bf16', 'fp16', 'fp8'];
export const KV_OPTIONS: readonly KvOption[] = ['fp32', 'bf16', 'fp16', 'fp8', 'int8'];

/** Group size of group-wise int4/int8 weights: 128 is AWQ's and GPTQ's default (q_group_size / group_size) and ONNX Runtime's MatMulNBits block_size default. */
export const DEFAULT_GROUP_SIZE = 128;

export interface PrecisionOptions {
  readonly weights?: WeightOption;
  readonly activations?: ActivationOption;
  readonly kv?: KvOption;
  /** Group size of int4/int8 weights (scales and zero points per group of this many input features). */
  readonly groupSize?: number;
}

/**
 * How the layer projections' weights are stored: a float type (a MatMul whose weight has that element
 * type: fp8 under fp16 activations is weight-only fp8, dequantised for the arithmetic), or n-bit
 * integers in groups (com.microsoft MatMulNBits: packed weights, one scale in the model's float type
 * and one n-bit zero point per group, dequantised to the activations' type for the arithmetic).
 */
export type WeightStorage = { readonly kind: 'float'; readonly dtype: DataType } | { readonly kind: 'nbits'; readonly bits: 4 | 8; readonly group: number };

export interface Precision {
  /** The activations' type: every value of the graph. */
  readonly activations: DataType;
  readonly weights: WeightStorage;
  readonly kv: DataType;
  /** The model's own float type: the lm_head, and the quantisation scales. */
  readonly base: DataType;
}

const FLOAT_TYPES: Readonly<Record<'fp32' | 'bf16' | 'fp16' | 'fp8', DataType>> = { fp32: DataType.FLOAT, bf16: DataType.BFLOAT16, fp16: DataType.FLOAT16, fp8: DataType.FLOAT8E4M3FN };

/** Everything in one type: what a model is when no per-tensor option is given. */
export function uniformPrecision(dtype: DataType): Precision {
  return { activations: dtype, weights: { kind: 'float', dtype }, kv: dtype, base: dtype };
}

export function hasPrecisionOptions(options: PrecisionOptions): boolean {
  return options.weights !== undefined || options.activations !== undefined || options.kv !== undefined || options.groupSize !== undefined;
}

/**
 * The precision the options ask for over a model stored in `base`. Combinations no engine serves
 * (integer weights under fp8 activations; fp8 arithmetic on 16-bit weights) are errors, located
 * nowhere in the config (they are the caller's flags), and fall back to the uniform precision.
 */
export function resolvePrecision(options: PrecisionOptions, base: DataType, diagnostics: Diagnostic[]): Precision {
  const uniform = uniformPrecision(base);
  if (!hasPrecisionOptions(options)) return uniform;
  const fail = (message: string): Precision => {
    diagnostics.push({ severity: 'error', code: 'hf.bad-option', message });
    return uniform;
  };
  const group = options.groupSize ?? DEFAULT_GROUP_SIZE;
  if (!Number.isInteger(group) || group < 16 || group > 1 << 16 || (group & (group - 1)) !== 0) return fail(`group size must be a power of two from 16 to 65536, got ${group}`);
  const activations = options.activations !== undefined ? FLOAT_TYPES[options.activations] : base;
  const kv = options.kv === undefined ? activations : options.kv === 'int8' ? DataType.INT8 : FLOAT_TYPES[options.kv];
  let weights: WeightStorage;
  if (options.weights === 'int4' || options.weights === 'int8') weights = { kind: 'nbits', bits: options.weights === 'int4' ? 4 : 8, group };
  else weights = { kind: 'float', dtype: options.weights !== undefined ? FLOAT_TYPES[options.weights] : activations };
  const activationBits = dataTypeBits(activations);
  if (activationBits <= 8) {
    if (weights.kind === 'nbits') return fail(`${options.weights} weights under ${options.activations} activations (W${weights.bits}A8) are not modelled: use --weights fp8 with --activations fp8, or keep 16-bit activations for weight-only ${options.weights}`);
    if (dataTypeBits(weights.dtype) > 8) return fail(`${options.activations} activations need 8-bit weights for the ${options.activations} arithmetic; with ${dataTypeName(weights.dtype)} weights the GEMMs would run in ${dataTypeName(weights.dtype)}: add --weights fp8`);
  }
  return { activations, weights, kv, base: isFloatType(base) ? base : DataType.FLOAT16 };
}

/** The label of the summary and the CLI: `w4a16 (int4, group 128) · KV cache fp8`, and its short form for a lens: `w4a16 · KV fp8`. */
export function precisionLabel(p: Precision): { readonly long: string; readonly short: string } {
  const a = dataTypeBits(p.activations);
  const code = p.weights.kind === 'nbits' ? `w${p.weights.bits}a${a}` : `w${dataTypeBits(p.weights.dtype)}a${a}`;
  const what = p.weights.kind === 'nbits' ? `int${p.weights.bits}, group ${p.weights.group}` : `${shortName(p.weights.dtype)} weights, ${shortName(p.activations)} activations`;
  return { long: `${code} (${what}) · KV cache ${shortName(p.kv)}`, short: `${code} · KV ${shortName(p.kv)}` };
}

/** fp16, bf16, fp8, int8…: the peak-dtype spelling of a tensor type (cost/roofline.ts), else its ONNX name. */
export function shortName(t: DataType): string {
  return peakDtypeOf(t) ?? dataTypeName(t);
}
