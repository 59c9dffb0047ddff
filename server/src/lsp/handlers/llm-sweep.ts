import type { LlmSummary } from '../../analysis/hf-config/index';
import { DecodeSweep, LlmSweepRequest, LlmSweepResult } from '../../protocol';
import { modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';
import { llmSummary } from './source-models';

/**
 * `ridgepoint/llmSweep`: the decode batch sweep of a decoder's config.json, as the "Decode sweep" panel
 * draws it. Plain data read off the LLM summary the code lenses already computed (cached per profile),
 * so the chart and the lenses always show the same profile.
 */
export function registerLlmSweep(ctx: ServerContext): void {
  const failure: LlmSweepResult = { sweep: null, reason: 'the sweep failed (see the Ridgepoint output channel)' };
  ctx.connection.onRequest(
    LlmSweepRequest,
    runSafe(ctx.connection, LlmSweepRequest.method, failure, async (params, token): Promise<LlmSweepResult> => {
      const ref = modelRefOf(params.uri);
      if (ref?.kind !== 'hf-config') return { sweep: null, reason: `not a Hugging Face config.json: ${params.uri}` };
      // The summary is computed on the prefill profile (as the lenses ask for it); a `#decode` URI names the same document.
      const prefill = modelRefOf(ref.documentUri ?? ref.uri);
      if (!prefill) return failure;
      const profiled = await ctx.currentProfile(prefill, () => token.isCancellationRequested);
      const summary = llmSummary(profiled);
      if (summary === null) return { sweep: null, reason: 'the config could not be profiled (see Problems)' };
      return decodeSweepOf(summary, profiled.options.chip.name);
    }),
  );
}

/** The sweep of a summary, or why there is none (an encoder has no decode step; the ridge search was off). */
export function decodeSweepOf(summary: LlmSummary, chipName: string): LlmSweepResult {
  if (summary.kind !== 'decoder') return { sweep: null, reason: `${summary.modelType} is an encoder: it has no decode step to sweep` };
  if (summary.sweep.length === 0 || summary.ridge === null) return { sweep: null, reason: 'the decode step could not be profiled at any batch' };
  const p = summary.parallel;
  const layout = [p.tp > 1 ? `TP ${p.tp}` : '', p.pp > 1 ? `PP ${p.pp}` : '', p.ep > 1 ? `EP ${p.ep}` : ''].filter((s) => s !== '').join(' · ');
  const maxFit = summary.memory.maxBatchThatFits;
  const sweep: DecodeSweep = {
    modelType: summary.modelType,
    chip: chipName,
    precision: summary.precision,
    gpus: p.gpus,
    layout,
    prompt: summary.prompt,
    generated: summary.generated,
    points: summary.sweep,
    projectionsComputeBoundBatch: summary.ridge.projectionsComputeBoundBatch,
    searchedUpTo: summary.ridge.searchedUpTo,
    // JSON has no Infinity: a model whose memory never runs out says null.
    maxBatchThatFits: Number.isFinite(maxFit) ? maxFit : null,
  };
  return { sweep, reason: null };
}
