import { ProfileRequest } from '../../protocol';
import { buildReport, chartDetail, Report } from '../../analysis/report';
import { modelRefOf, ModelService } from '../models';
import { runSafe } from '../safe';
import { withMeasurement } from './measured';
import { ServerContext } from '../server';

/** `ridgepoint/profile`: the JSON report (docs/report-schema.md) for a chip, bindings and peak mode. */
export function registerProfile(ctx: ServerContext): void {
  const failure = (message: string): Report => buildReport({ model: null, inference: null, diagnostics: [{ severity: 'error', code: 'internal', message }] }, '', new Map());
  ctx.connection.onRequest(
    ProfileRequest,
    runSafe(ctx.connection, ProfileRequest.method, failure('profiling failed (see the Ridgepoint output channel)'), async (params, token) => {
      const ref = modelRefOf(params.uri);
      if (!ref) return failure(`not a model URI: ${params.uri}`);
      const { chip, problem } = ctx.chips.resolve(params.chip ?? ctx.settings.chip);
      const options = { ...ctx.currentOptions(ref), chip, peakMode: params.peakMode ?? ctx.settings.peakMode, bindings: ctx.bindingsFor(ref, params.bindings) };
      const profiled = await ctx.models.profile(ref, options, () => token.isCancellationRequested);
      if (params.suggestions === true) await ctx.models.advise(profiled);
      const whole = params.suggestions === false ? profiled.report : ModelService.reportOf(profiled);
      const measured = withMeasurement(ctx, ref.key, whole);
      const report = params.detail === 'chart' ? chartDetail(measured) : measured;
      if (!problem) return report;
      return { ...report, diagnostics: [{ severity: 'warning', code: 'chip.unknown', message: problem }, ...report.diagnostics] };
    }),
  );
}
