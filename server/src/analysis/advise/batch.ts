import { datasheetMemory, humanBytes, humanCount, humanTime } from '../../format/units';
import { deviceMemory } from '../cost/memory-budget';
import { ProfileResult } from '../cost/totals';
import { dimSymbols } from '../ir/dim';
import { ValueRecord } from '../shape/engine';
import { AdviceContext, listLines, peakActivationBytes } from './context';
import { Suggestion, SuggestionPart } from './types';
import { WhatIf } from './whatif';

/**
 * The batch suggestion: memory-bound MatMuls with weights read their weights once per run whatever the
 * batch, so a larger batch raises their intensity. For each one, the batch at which it crosses the
 * chip's ridge point follows from its own counts (FLOPs F and activation bytes A grow with the batch,
 * weight bytes W do not): F·f / (A·f + W) = ridge ⇒ f = ridge·W / (F − ridge·A). The model is then
 * re-profiled at that batch ('bind' the symbolic batch dim, or 'scale-batch' when the graph has none)
 * and checked against the chip's memory.
 */
const MATMULS = new Set(['MatMul', 'Gemm', 'FusedMatMul']);
const BATCH_NAME = /batch|^bs$|^b$|^n$/i;

/** The symbolic batch dim of the graph inputs and its current value, or null when the batch is fixed. */
function findBatchSymbol(ctx: AdviceContext): { name: string; value: number } | null {
  const { model, inference } = ctx.analysis;
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const counts = new Map<string, number>();
  const valueAt = new Map<string, number>();
  for (const input of model.graph.inputs) {
    if (initializers.has(input.name) || input.type?.kind !== 'tensor' || input.type.shape === null) continue;
    input.type.shape.forEach((dim, axis) => {
      const [name, ...otherSymbols] = dimSymbols(dim);
      if (name === undefined || otherSymbols.length > 0 || axis > 1) return;
      counts.set(name, (counts.get(name) ?? 0) + (axis === 0 ? 2 : 1));
      const bound = inference.graphInputs.find((v) => v.name === input.name)?.type;
      const d = bound?.kind === 'tensor' ? bound.shape?.[axis] : undefined;
      if (typeof d === 'number') valueAt.set(name, d);
    });
  }
  const ranked = [...counts].sort((a, b) => Number(BATCH_NAME.test(b[0])) - Number(BATCH_NAME.test(a[0])) || b[1] - a[1]);
  const best = ranked.find(([name]) => BATCH_NAME.test(name)) ?? ranked[0];
  if (!best) return null;
  const value = ctx.subject.inferOptions?.bindings?.get(best[0]) ?? valueAt.get(best[0]);
  return value === undefined ? null : { name: best[0], value };
}

/** The batch of a graph with a fixed batch: dim 0 of the first non-weight input (1 when unknown). */
function fixedBatch(ctx: AdviceContext): number {
  for (const v of ctx.analysis.inference.graphInputs) {
    if (ctx.isWeight(v) || v.type?.kind !== 'tensor') continue;
    const d = v.type.shape?.[0];
    return typeof d === 'number' && d > 0 ? d : 1;
  }
  return 1;
}

/**
 * Below the ridge: memory-bound, or overhead-bound with more memory than compute time (a small decode
 * GEMM on a GPU is launch-bound, and batching amortises its launch as well as its weights).
 */
function underMemoryRoof(t: { readonly bound: string; readonly memorySeconds: number; readonly computeSeconds: number }): boolean {
  return t.bound === 'memory' || (t.bound === 'overhead' && t.memorySeconds >= t.computeSeconds);
}

export function batchSuggestions(ctx: AdviceContext, notes: string[]): Suggestion[] {
  const crossings: Array<{ i: number; factor: number }> = [];
  const never: number[] = [];
  ctx.nodes.forEach((n, i) => {
    if (!ctx.runs(i) || !MATMULS.has(ctx.opType(i)) || n.cost.cost.weightBytes <= 0 || !underMemoryRoof(n.timing) || !n.timing.ridge) return;
    const c = n.cost.cost;
    const raw = c.activationBytesRead + c.weightBytes + c.bytesWritten;
    const scale = raw > 0 ? n.timing.bytes / raw : 1;
    const activation = (c.activationBytesRead + c.bytesWritten) * scale;
    const weight = c.weightBytes * scale;
    const headroom = c.flops - n.timing.ridge * activation;
    if (headroom <= 0) never.push(i);
    else crossings.push({ i, factor: (n.timing.ridge * weight) / headroom });
  });
  if (crossings.length === 0) {
    if (never.length > 0) notes.push(`batch: ${never.length} memory-bound MatMul(s) never cross the ridge by batching: even with the weights read once, their activation traffic keeps them below it`);
    else notes.push('batch: no memory-bound MatMul with weights');
    return [];
  }
  const symbol = findBatchSymbol(ctx);
  const baseBatch = symbol?.value ?? fixedBatch(ctx);
  const chip = ctx.options.chip;
  // The same budget the LLM memory check uses (cost/memory-budget.ts): what an engine plans with, not the datasheet's GB.
  const budget = deviceMemory(chip);
  const chipMemoryBytes = budget.budgetBytes;
  const capacityText = `the ${humanBytes(budget.budgetBytes)} an engine plans with (${Math.round(budget.utilization * 100)}% of ${budget.measured ? humanBytes(budget.deviceBytes) : datasheetMemory(chip.memoryGB)})`;
  const activationsNow = peakActivationBytes(ctx.baseline, ctx.analysis.inference.graphInputs, ctx.weights);
  const perItem = activationsNow / Math.max(1, baseBatch);
  let target = Math.ceil(baseBatch * Math.max(...crossings.map((c) => c.factor)));
  let capped = false;
  if (ctx.weightBytes + perItem * target > chipMemoryBytes) {
    const fits = Math.floor((chipMemoryBytes - ctx.weightBytes) / Math.max(perItem, 1));
    if (fits <= baseBatch) {
      notes.push(`batch: a larger batch does not fit ${chip.name}: ${capacityText} (weights ${humanBytes(ctx.weightBytes)}, ${humanBytes(perItem)} of activations per item)`);
      return [];
    }
    target = fits;
    capped = true;
  }
  if (target <= baseBatch) return [];
  const whatIf: WhatIf = symbol ? { kind: 'bind', bindings: { [symbol.name]: target } } : { kind: 'scale-batch', factor: target / baseBatch };
  const evaluation = ctx.evaluate(whatIf);
  if (evaluation === null) return [];
  const result = evaluation.result;
  const perBaseBatch = baseBatch / target;
  // Same amount of work: the what-if runs target items, the baseline baseBatch.
  const saving = ctx.baseline.totals.timeSeconds - result.totals.timeSeconds * perBaseBatch;
  const bytesSaved = ctx.baseline.totals.bytes - result.totals.bytes * perBaseBatch;
  if (saving <= 0) return [];
  const activationsThen = symbol ? peakActivationBytes(result, graphInputsOf(ctx, result), ctx.weights) : perItem * target;
  const memoryBytes = ctx.weightBytes + activationsThen;
  const baselineItemsPerSecond = baseBatch / ctx.baseline.totals.timeSeconds;
  const itemsPerSecond = target / result.totals.timeSeconds;
  const crossing = crossings.map((c) => ({ ...c, batch: Math.ceil(baseBatch * c.factor) })).sort((a, b) => a.batch - b.batch);
  const parts: SuggestionPart[] = crossing.map((c) => ({ nodes: [ctx.id(c.i)], before: ctx.figures([c.i]), after: ctx.figures([c.i], result), note: `crosses the ridge at batch ${c.batch}` }));
  const crossed = crossing.filter((c) => c.batch <= target).length;
  const unmodelledGrew = result.totals.unmodelledNodes > ctx.baseline.totals.unmodelledNodes;
  const detail = [
    `${crossings.length} memory-bound MatMul${crossings.length === 1 ? '' : 's'} with weights cross ${chip.name}'s ridge between batch ${crossing[0]?.batch} and ${crossing[crossing.length - 1]?.batch}; ${crossed} of them are compute-bound at batch ${target}.`,
    `Batch ${baseBatch}: ${humanTime(ctx.baseline.totals.timeSeconds)} per run, ${throughputText(baselineItemsPerSecond)}. Batch ${target}: ${humanTime(result.totals.timeSeconds)} per run, ${throughputText(itemsPerSecond)}.`,
    `Memory at batch ${target}: ${humanBytes(memoryBytes)} (weights ${humanBytes(ctx.weightBytes)} + peak live activations ${humanBytes(activationsThen)}) of ${capacityText}${memoryBytes > chipMemoryBytes ? ': does NOT fit' : ''}.`,
    ...(capped ? [`Capped by memory: the MatMuls would all cross only at batch ${Math.ceil(baseBatch * Math.max(...crossings.map((c) => c.factor)))}.`] : []),
    symbol ? `Re-profiled with ${symbol.name}=${target} (the graph's batch dim).` : `The graph has a fixed batch of ${baseBatch}: estimated by scaling every op's FLOPs and activation traffic by ${(target / baseBatch).toFixed(2)}, weights read once per run.`,
    ...(never.length ? [`${never.length} other memory-bound MatMul(s) never cross by batching (activation traffic keeps them below the ridge).`] : []),
    `The saving is per ${baseBatch} item${baseBatch === 1 ? '' : 's'}: baseline time − batch-${target} time × ${baseBatch}/${target}. Latency per run grows; this trades it for throughput.`,
    ...listLines(crossing.map((c) => `${ctx.id(c.i)} ${ctx.opType(c.i)}: crosses at batch ${c.batch}`)),
  ].join('\n');
  return [
    {
      id: 'batch',
      kind: 'batch',
      pattern: symbol ? 'bind' : 'scale-batch',
      nodes: crossing.map((c) => ctx.id(c.i)),
      message: `Batch ${baseBatch} → ${target}: ${crossed} of ${crossings.length} memory-bound MatMuls cross ${chip.name}'s ridge; throughput ${throughputText(baselineItemsPerSecond)} → ${throughputText(itemsPerSecond)} (${(itemsPerSecond / baselineItemsPerSecond).toFixed(1)}×), ${humanBytes(memoryBytes)} of ${humanBytes(chipMemoryBytes)}`,
      detail,
      predictedSavingSeconds: saving,
      bytesSaved,
      confidence: symbol && !unmodelledGrew ? 'medium' : 'low',
      whatIf,
      recipe: symbol ? `Serve with a batch of ${target} (dynamic batching: Triton's dynamic_batcher, ONNX Runtime with a batched input, vLLM/TensorRT-LLM in-flight batching for decoders); to profile it: ridgepoint profile MODEL --dim ${symbol.name}=${target}` : `Re-export with a batch dim of ${target} (or a dynamic one) and batch requests in the server.`,
      throughput: { baselineBatch: baseBatch, batch: target, baselineItemsPerSecond, itemsPerSecond, memoryBytes, chipMemoryBytes },
      parts,
    },
  ];
}

/** The what-if's graph inputs as its node records see them (re-bound shapes), for the memory check. */
function graphInputsOf(ctx: AdviceContext, result: ProfileResult): ValueRecord[] {
  const names = new Set(ctx.analysis.inference.graphInputs.map((v) => v.name));
  const found = new Map<string, ValueRecord>();
  for (const n of result.nodes) for (const inp of n.cost.record.inputs) if (inp && names.has(inp.name) && !found.has(inp.name)) found.set(inp.name, inp);
  return [...found.values()];
}

function throughputText(itemsPerSecond: number): string {
  return `${humanCount(itemsPerSecond)} items/s`;
}
