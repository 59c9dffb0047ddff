import { profileWhatIf, whatIfOptions } from '../../analysis/advise/index';
import { buildReport, chartDetail } from '../../analysis/report';
import { WhatIfRequest, WhatIfResult } from '../../protocol';
import { modelRefOf, ModelService } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/** `ridgepoint/whatIf`: the report as if a suggestion were applied, on the same chip and bindings. */
export function registerWhatIf(ctx: ServerContext): void {
  ctx.connection.onRequest(
    WhatIfRequest,
    runSafe(ctx.connection, WhatIfRequest.method, null, async (params, token): Promise<WhatIfResult | null> => {
      const ref = modelRefOf(params.uri);
      if (!ref) return null;
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      await ctx.models.advise(profiled);
      const baseline = ModelService.reportOf(profiled);
      const suggestion = profiled.advice?.suggestions.find((s) => s.id === params.suggestion);
      if (!suggestion || !profiled.profile) return null;
      const { chip, peakMode, runtime, bindings } = profiled.options;
      if (suggestion.kind === 'chip' && suggestion.chip) {
        // Another chip: the same model profiled there.
        const other = ctx.chips.resolve(suggestion.chip.id).chip;
        const there = await ctx.models.profile(ref, { ...profiled.options, chip: other }, () => token.isCancellationRequested);
        return { suggestion, report: params.detail === 'chart' ? chartDetail(there.report) : there.report, baseline };
      }
      if (!suggestion.whatIf) return { suggestion, report: null, baseline };
      const subject = { model: profiled.analysis.model, inference: profiled.analysis.inference, inferOptions: { bindings, source: profiled.loaded.file ?? undefined } };
      // A 'runtime' what-if changes how kernels are issued: the report says the runtime it was profiled under.
      const options = whatIfOptions({ chip, peakMode, runtime }, suggestion.whatIf);
      const result = profileWhatIf(subject, options, suggestion.whatIf);
      if (!result) return { suggestion, report: null, baseline };
      // The bindings the model uses, as the baseline lists them (not every `ridgepoint.dims` entry).
      const report = buildReport(profiled.analysis, profiled.loaded.ref.path, new Map(Object.entries(baseline.bindings)), { ...options, result });
      return { suggestion, report: params.detail === 'chart' ? chartDetail(report) : report, baseline };
    }),
  );
}
