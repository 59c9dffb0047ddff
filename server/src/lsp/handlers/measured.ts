import { attachMeasurement, OrtProfile, parseOrtProfile } from '../../analysis/measure/index';
import { Report } from '../../analysis/report';
import { humanBytes } from '../../format/units';
import { SetMeasuredRequest, SetMeasuredResult } from '../../protocol';
import { modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/** An ONNX Runtime profile joined to one model's reports (measured mode, docs/validation/README.md). */
export interface MeasuredProfile {
  readonly path: string;
  readonly profile: OrtProfile;
}

/** Profile files larger than this are refused: a profile of a few runs of a big model is a few MB. */
const MAX_PROFILE_BYTES = 256 * 2 ** 20;

/** The report with the model's measured profile joined, when one was set; the report itself otherwise. */
export function withMeasurement(ctx: ServerContext, key: string, report: Report): Report {
  const measured = ctx.measuredProfiles.get(key);
  if (!measured) return report;
  return attachMeasurement(report, measured.profile, measured.path).report;
}

/**
 * `ridgepoint/setMeasured`: reads and parses the profile once, keeps it for the model, and refreshes the
 * views (the roofline panel then draws measured points). The profile file is only read.
 */
export function registerMeasured(ctx: ServerContext): void {
  const failure: SetMeasuredResult = { errors: ['the profile could not be read (see the Ridgepoint output channel)'], matched: 0, compared: 0, notes: [] };
  ctx.connection.onRequest(
    SetMeasuredRequest,
    runSafe(ctx.connection, SetMeasuredRequest.method, failure, async (params, token) => {
      const ref = modelRefOf(params.uri);
      if (!ref) return { ...failure, errors: [`not a model URI: ${params.uri}`] };
      if (params.path === null) {
        ctx.measuredProfiles.delete(ref.key);
        ctx.refreshAll();
        return { errors: [], matched: 0, compared: 0, notes: [] };
      }
      const size = ctx.runtime.stat(params.path)?.size;
      if (size === undefined) return { ...failure, errors: [`cannot read ${params.path}`] };
      if (size > MAX_PROFILE_BYTES) return { ...failure, errors: [`${params.path} is ${humanBytes(size)}; profiles over ${humanBytes(MAX_PROFILE_BYTES)} are refused (profile fewer runs)`] };
      let text: string;
      try {
        text = ctx.runtime.readText(params.path);
      } catch (error) {
        return { ...failure, errors: [`cannot read ${params.path}: ${error instanceof Error ? error.message : String(error)}`] };
      }
      const profile = parseOrtProfile(text);
      if (profile.errors.length > 0) return { ...failure, errors: profile.errors };
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      const { report, errors } = attachMeasurement(profiled.report, profile, params.path);
      if (errors.length > 0) return { ...failure, errors };
      ctx.measuredProfiles.set(ref.key, { path: params.path, profile });
      ctx.refreshAll();
      const m = report.measurement;
      return { errors: [], matched: m?.matched ?? 0, compared: m?.compared ?? 0, notes: m?.notes ?? [] };
    }),
  );
}
