import type { MeasuredOp, Report, ReportMeasurement, ReportNode } from '../report-schema';
import { joinProfile, JoinOptions, JoinResult } from './join';
import { OrtProfile } from './ort-profile';
import { median, relativeError, spearman } from './stats';

/**
 * Predicted versus measured: joins a profile to a report (join.ts) and computes the statistics the
 * report's `measurement` field carries (docs/report-schema.md, docs/validation/README.md).
 */

/** Ops below this share of the measured kernel time are left out of the median error (overhead-dominated). */
export const SIGNIFICANT_SHARE = 0.01;

/** The `measurement` field's types are part of the report schema (report-schema.ts); named here too for the measured mode's readers. */
export type { MeasuredOp, ReportMeasurement } from '../report-schema';

function predictedOf(n: ReportNode): number | null {
  return n.timeSeconds !== undefined && n.modelled !== false && n.counted !== false ? n.timeSeconds : null;
}

/** The statistics over one join. */
export function summarise(report: Pick<Report, 'nodes' | 'totals'>, join: JoinResult, source: string, providers: readonly string[]): ReportMeasurement {
  const notes = [...join.warnings];
  const rows: MeasuredOp[] = [];
  let matched = 0;
  let unmodelled = 0;
  for (const n of report.nodes) {
    const m = join.nodes.get(n.id);
    if (!m || m.inclusive) continue;
    matched++;
    const predicted = predictedOf(n);
    if (predicted === null || predicted <= 0) {
      unmodelled++;
      continue;
    }
    const share = join.kernelSeconds > 0 ? m.measuredSeconds / join.kernelSeconds : 0;
    rows.push({ id: n.id, name: n.name, opType: n.opType, predictedSeconds: predicted, measuredSeconds: m.measuredSeconds, error: relativeError(predicted, m.measuredSeconds), share, bound: n.bound, kernelOp: m.kernelOp });
  }
  if (unmodelled > 0) notes.push(`${unmodelled} matched node${unmodelled === 1 ? '' : 's'} with no predicted time (unmodelled, or not counted) left out of the statistics`);
  const significant = rows.filter((r) => r.share >= SIGNIFICANT_SHARE && r.error !== null);
  const predictedSeconds = report.totals?.timeSeconds ?? rows.reduce((a, r) => a + r.predictedSeconds, 0);
  const reference = join.runSeconds ?? join.kernelSeconds;
  const nodeCount = report.nodes.filter((n) => (n.timeSeconds ?? 0) > 0).length;
  if (nodeCount > 0 && matched < nodeCount / 2) {
    notes.push(`only ${matched} of ${nodeCount} timed nodes joined a kernel: the profile may be of another model, or of an optimised graph whose kernel names do not match (measure with graph optimisations off)`);
  }
  if (join.shapeMismatches.length > 0) notes.push(`${join.shapeMismatches.length} node(s) ran with other input shapes than the report's: bind the dims the profile was recorded with (--dim / --input)`);
  return {
    source,
    providers,
    runs: join.runsUsed,
    warmupRunsSkipped: join.skippedRuns,
    matched,
    compared: rows.length,
    unmatchedNodes: join.unmatchedNodes,
    unmatchedKernels: join.unmatchedKernels,
    ambiguousKernels: join.ambiguousKernels,
    fusedKernels: join.fusedKernels,
    shapeMismatches: join.shapeMismatches,
    measuredRunSeconds: join.runSeconds,
    statistic: join.statistic,
    measuredKernelSeconds: join.kernelSeconds,
    predictedSeconds,
    // Nothing joined: the run belongs to another graph, and comparing totals would mislead.
    endToEndError: matched > 0 ? relativeError(predictedSeconds, reference) : null,
    spearman: spearman(rows.map((r) => r.predictedSeconds), rows.map((r) => r.measuredSeconds)),
    spearmanSignificant: spearman(significant.map((r) => r.predictedSeconds), significant.map((r) => r.measuredSeconds)),
    medianAbsError: significant.length > 0 ? median(significant.flatMap((r) => (r.error === null ? [] : [Math.abs(r.error)]))) : null,
    significantOps: significant.length,
    ops: rows.sort((a, b) => b.measuredSeconds - a.measuredSeconds),
    notes,
  };
}

/**
 * Joins a parsed profile to a report and returns the report with `measuredSeconds` on the joined nodes
 * and the `measurement` summary. The profile's own errors (malformed, no kernels) come back as `errors`
 * with the report unchanged.
 */
export function attachMeasurement(report: Report, profile: OrtProfile, source: string, options: JoinOptions = {}): { report: Report; errors: string[] } {
  if (profile.errors.length > 0) return { report, errors: profile.errors };
  const join = joinProfile(report.nodes, profile, options);
  const measurement = summarise(report, join, source, profile.providers);
  const withWarnings: ReportMeasurement = profile.warnings.length > 0 ? { ...measurement, notes: [...profile.warnings, ...measurement.notes] } : measurement;
  const nodes = report.nodes.map((n) => {
    const m = join.nodes.get(n.id);
    return m ? { ...n, measuredSeconds: m.measuredSeconds, ...(m.inclusive ? { measuredInclusive: true } : {}) } : n;
  });
  return { report: { ...report, nodes, measurement: withWarnings }, errors: [] };
}
