import { roofSideOf } from '../cost/launch-bound';
import { humanBytes, humanFlopRate, humanRatio, humanTime } from '../../format/units';
import { AdviceContext, listLines, opCounts } from './context';
import { Confidence, Suggestion, SuggestionPart } from './types';
import { kvCacheRead, quantisedCost, WEIGHT_BITS, WeightQuantisation, WhatIf } from './whatif';

/**
 * Quantisation suggestions, each priced by a 'quantise' what-if:
 * - memory-bound ops whose traffic is mostly weights (GEMV-like MatMul/Gemm at small batch, embedding
 *   Gathers, decode steps): weight-only int8 and int4, the arithmetic staying in the activations' type;
 * - compute-bound matrix ops with weights: fp8 (or int8) weights and activations, only where the chip
 *   has matrix units for that type (otherwise a note says so);
 * - ops that read a KV cache passed in (past_key_values: a decode step of an LLM): the cache in fp8.
 */
const WEIGHT_HEAVY_SHARE = 0.5;

/** Ops whose weights are matrices or embedding tables (a norm's gamma and beta are not worth quantising). */
const QUANTISABLE = new Set(['MatMul', 'Gemm', 'FusedMatMul', 'Conv', 'ConvTranspose', 'Gather', 'EmbedLayerNormalization', 'Attention']);

export function quantiseSuggestions(ctx: AdviceContext, notes: string[]): Suggestion[] {
  const suggestions: Suggestion[] = [];
  const memoryBound: number[] = [];
  const computeBound: number[] = [];
  const served = ctx.options.computeDtype;
  ctx.nodes.forEach((n, i) => {
    if (!ctx.runs(i) || n.cost.cost.weightBytes <= 0 || !QUANTISABLE.has(ctx.opType(i))) return;
    const c = n.cost.cost;
    const raw = c.activationBytesRead + c.weightBytes + c.bytesWritten;
    if (roofSideOf(n.timing) === 'memory' && c.weightBytes >= WEIGHT_HEAVY_SHARE * raw && quantisedCost(n.cost, ctx.options, 'int8') !== null) memoryBound.push(i);
    else if (roofSideOf(n.timing) === 'compute' && c.unit === 'tensor' && quantisedCost(n.cost, ctx.options, 'fp8', 'fp8') !== null) computeBound.push(i);
  });
  if (memoryBound.length > 0) {
    for (const weightDtype of ['int8', 'int4'] as const) {
      const s = priceQuantisation(ctx, memoryBound, { kind: 'quantise', nodes: memoryBound.map((i) => ctx.id(i)), weightDtype });
      if (s) suggestions.push(s);
    }
  } else {
    notes.push('quantise: no memory-bound op whose traffic is mostly weights');
  }
  const kvReaders = ctx.nodes.flatMap((n, i) => (ctx.runs(i) && kvCacheRead(n.cost) !== null ? [i] : []));
  if (kvReaders.length > 0) {
    const s = priceKvCache(ctx, kvReaders);
    if (s) suggestions.push(s);
  }
  if (computeBound.length > 0) {
    const chip = ctx.options.chip;
    const activations = chip.peaks.tensor.fp8 ? 'fp8' : chip.peaks.tensor.int8 ? 'int8' : null;
    if (activations === null) {
      notes.push(`quantise: ${chip.name} has no fp8 or int8 matrix units, so quantising the ${computeBound.length} compute-bound op(s) would not make their arithmetic faster${served ? '' : '; serving in bf16/fp16 (--dtype) is the lever here'}`);
    } else {
      const s = priceQuantisation(ctx, computeBound, { kind: 'quantise', nodes: computeBound.map((i) => ctx.id(i)), weightDtype: activations, activations });
      if (s) suggestions.push(s);
    }
  }
  return suggestions;
}

function priceQuantisation(ctx: AdviceContext, indices: readonly number[], whatIf: WhatIf & { kind: 'quantise' }): Suggestion | null {
  const evaluation = ctx.evaluate(whatIf);
  if (evaluation === null || evaluation.savingSeconds <= 0) return null;
  const chip = ctx.options.chip;
  const parts: SuggestionPart[] = [];
  const lines: string[] = [];
  for (const i of indices) {
    const before = ctx.figures([i]);
    const after = ctx.figures([i], evaluation.result);
    parts.push({ nodes: [ctx.id(i)], before, after, note: `${(before.timeSeconds / Math.max(after.timeSeconds, 1e-30)).toFixed(2)}×` });
    lines.push(`${ctx.id(i)} ${ctx.opType(i)}: ${humanTime(before.timeSeconds)} → ${humanTime(after.timeSeconds)}, ${humanBytes(before.bytes)} → ${humanBytes(after.bytes)}, intensity ${humanRatio(before.intensity)} → ${humanRatio(after.intensity)} FLOP/B`);
  }
  const before = ctx.figures(indices);
  const after = ctx.figures(indices, evaluation.result);
  const total = ctx.baseline.totals.timeSeconds;
  const newTotal = evaluation.result.totals.timeSeconds;
  const opsSpeedup = before.timeSeconds / Math.max(after.timeSeconds, 1e-30);
  const weightOnly = whatIf.activations === undefined;
  const label = weightOnly ? `${whatIf.weightDtype}-weight-only` : `${whatIf.weightDtype}-weights-and-activations`;
  const first = indices[0];
  const mathType = weightOnly ? ((first === undefined ? undefined : evaluation.result.nodes[first]?.cost.cost.arithmeticDtype) ?? 'the activation type') : whatIf.activations;
  // Launch overhead dominates when the ops' own work (time beyond the overhead) is small next to it.
  const overhead = ctx.overheadOf(indices);
  const memorySeconds = before.timeSeconds - overhead;
  let confidence: Confidence = weightOnly ? (whatIf.weightDtype === 'int8' ? 'high' : 'medium') : 'medium';
  if (memorySeconds < overhead) confidence = 'low';
  const hardware: string[] = [];
  if (weightOnly && whatIf.weightDtype === 'int4' && !chip.peaks.tensor.int4) hardware.push(`${chip.name} has no int4 matrix units: weight-only int4 dequantises the weights to ${mathType} for the math, so only the weight traffic shrinks.`);
  const lowPrecisionTflops = chip.peaks.tensor[whatIf.activations ?? 'fp8'];
  if (!weightOnly && lowPrecisionTflops !== undefined) hardware.push(`${chip.name} runs ${whatIf.activations} on its matrix units at ${humanFlopRate(lowPrecisionTflops * 1e12)} (dense).`);
  const what = weightOnly
    ? `Weight-only ${whatIf.weightDtype} for ${indices.length} memory-bound op${indices.length === 1 ? '' : 's'} whose traffic is mostly weights (${opCounts(ctx, indices)})`
    : `${whatIf.activations} weights and activations for ${indices.length} compute-bound matrix op${indices.length === 1 ? '' : 's'} (${opCounts(ctx, indices)})`;
  const detail = [
    `These ops: ${humanTime(before.timeSeconds)} → ${humanTime(after.timeSeconds)} (${opsSpeedup.toFixed(2)}×), ${humanBytes(before.bytes)} → ${humanBytes(after.bytes)}, intensity ${humanRatio(before.intensity)} → ${humanRatio(after.intensity)} FLOP/B.`,
    `Model total ${humanTime(total)} → ${humanTime(newTotal)} (${(total / newTotal).toFixed(3)}×) on ${chip.name}.`,
    `Weights stored in ${whatIf.weightDtype} (${WEIGHT_BITS[whatIf.weightDtype]} bits per weight${whatIf.weightDtype === 'int4' ? ': groups of 128, each with an fp16 scale and a 4-bit zero point' : ''}); ${weightOnly ? `arithmetic in ${mathType}` : `arithmetic in ${whatIf.activations}, activations read in 8 bits, outputs written in the original type`}.`,
    ...hardware,
    ...(memorySeconds < overhead ? [`Kernel overhead (${humanTime(overhead)}) exceeds these ops' own work (${humanTime(memorySeconds)}): the launch cost bounds them, and it varies with the runtime.`] : []),
    'Accuracy is not modelled: validate the quantised model on your data.',
    ...listLines(lines),
  ].join('\n');
  return {
    id: `quantise:${label}`,
    kind: 'quantise',
    pattern: label,
    nodes: indices.map((i) => ctx.id(i)),
    message: `${what}: ${humanTime(before.timeSeconds)} → ${humanTime(after.timeSeconds)} on these ops (${opsSpeedup.toFixed(2)}×), model ${humanTime(total)} → ${humanTime(newTotal)}, ${humanBytes(evaluation.bytesSaved)} less traffic per run on ${chip.name}`,
    detail,
    predictedSavingSeconds: evaluation.savingSeconds,
    bytesSaved: evaluation.bytesSaved,
    energySavedJoules: evaluation.energySavedJoules,
    confidence,
    whatIf,
    recipe: recipeFor(whatIf.weightDtype, weightOnly),
    before,
    after,
    parts,
  };
}

/** An fp8 KV cache for the ops that read one (attention in a decode step): their cache reads halve. */
function priceKvCache(ctx: AdviceContext, indices: readonly number[]): Suggestion | null {
  const whatIf: WhatIf = { kind: 'quantise-kv', nodes: indices.map((i) => ctx.id(i)), dtype: 'fp8' };
  const evaluation = ctx.evaluate(whatIf);
  if (evaluation === null || evaluation.savingSeconds <= 0) return null;
  const before = ctx.figures(indices);
  const after = ctx.figures(indices, evaluation.result);
  const total = ctx.baseline.totals.timeSeconds;
  const newTotal = evaluation.result.totals.timeSeconds;
  const cache = indices.reduce((sum, i) => {
    const node = ctx.nodes[i];
    return sum + (node === undefined ? 0 : (kvCacheRead(node.cost)?.bytes ?? 0));
  }, 0);
  const overhead = ctx.overheadOf(indices);
  const confidence: Confidence = before.timeSeconds - overhead < overhead ? 'low' : 'medium';
  return {
    id: 'quantise:kv-cache-fp8',
    kind: 'quantise',
    pattern: 'kv-cache-fp8',
    nodes: indices.map((i) => ctx.id(i)),
    message: `An fp8 KV cache for the ${indices.length} op${indices.length === 1 ? '' : 's'} that read the ${humanBytes(cache)} cache (${opCounts(ctx, indices)}): ${humanTime(before.timeSeconds)} → ${humanTime(after.timeSeconds)}, model ${humanTime(total)} → ${humanTime(newTotal)}, ${humanBytes(evaluation.bytesSaved)} less traffic per step on ${ctx.options.chip.name}`,
    detail: [
      `These ops: ${humanTime(before.timeSeconds)} → ${humanTime(after.timeSeconds)}, ${humanBytes(before.bytes)} → ${humanBytes(after.bytes)}.`,
      `Model total ${humanTime(total)} → ${humanTime(newTotal)} (${(total / newTotal).toFixed(3)}×) on ${ctx.options.chip.name}.`,
      'The cache is stored and read in 8 bits (fp8 E4M3 with a scale per tensor or head); the attention arithmetic stays in its type. It also halves the cache in memory: twice the sequences or context fit.',
      'Accuracy is not modelled: validate on your data (fp8 KV caches are commonly within noise on LLM benchmarks, int8 needs calibrated scales).',
    ].join('\n'),
    predictedSavingSeconds: evaluation.savingSeconds,
    bytesSaved: evaluation.bytesSaved,
    energySavedJoules: evaluation.energySavedJoules,
    confidence,
    whatIf,
    recipe: 'vLLM: --kv-cache-dtype fp8; TensorRT-LLM: trtllm-build --kv_cache_dtype fp8 (or ModelOpt --kv_cache_qformat fp8); SGLang: --kv-cache-dtype fp8_e4m3; a config.json in Ridgepoint: the setting ridgepoint.llm.kvCache = fp8 (CLI --kv fp8).',
    before,
    after,
    parts: [],
  };
}

function recipeFor(weightDtype: WeightQuantisation, weightOnly: boolean): string {
  if (!weightOnly) {
    return 'TensorRT: build with FP8/INT8 precision (NVIDIA ModelOpt PTQ: modelopt.torch.quantization.quantize(model, mtq.FP8_DEFAULT_CFG, forward_loop)); ONNX Runtime: onnxruntime.quantization.quantize_static (QDQ, calibration data) for int8; PyTorch: torchao float8 / int8_dynamic_activation_int8_weight.';
  }
  if (weightDtype === 'int4') {
    return 'ONNX Runtime: python -m onnxruntime.quantization.matmul_nbits_quantizer --input_model model.onnx --output_model model_int4.onnx --block_size 128 (MatMulNBits; the module is matmul_4bits_quantizer before ONNX Runtime 1.20); PyTorch: torchao quantize_(model, int4_weight_only()); TensorRT-LLM / ModelOpt INT4 AWQ.';
  }
  return 'ONNX Runtime: MatMulNBits with 8-bit weights (onnxruntime.quantization.matmul_nbits_quantizer.MatMulNBitsQuantizer(model, bits=8), recent releases) or quantize_dynamic(weight_type=QuantType.QInt8), which also quantises activations; PyTorch: torchao quantize_(model, int8_weight_only()); TensorRT-LLM / ModelOpt INT8 weight-only.';
}

