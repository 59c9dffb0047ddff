/**
 * The part of the JSON report (server/src/analysis/report.ts, docs/report-schema.md) that the report
 * page and the roofline chart read. Structural on purpose: media/ is bundled for the browser and does not
 * import the analysis core; server/src/cli/html.ts checks at compile time that a `Report` fits this type.
 * Every string in here may come from the model file and is untrusted (render as text only).
 */
import type { CostTreeNode } from '../../server/src/analysis/cost-tree';
import { launchShareOf } from '../../server/src/analysis/cost/launch-bound';
import { notCostedText, nothingCosted } from '../../server/src/format/unbound';
import { hasRange, totalRangeShort, totalWithRange } from '../../server/src/format/time-range';
import { percent, seconds } from './format';

export interface PeakTable {
  readonly tensor?: Readonly<Record<string, number | null | undefined>>;
  readonly vector?: Readonly<Record<string, number | null | undefined>>;
}

export interface AchievableFractions {
  readonly memoryBandwidth?: number | null;
  readonly tensor?: number | null;
  readonly vector?: number | null;
}

/** A tensor as the JSON report gives it (docs/report-schema.md `Value`); the host may leave them out. */
export interface ValueLike {
  readonly name: string;
  readonly dtype: string;
  readonly shape?: ReadonlyArray<number | string | null> | null;
}

export interface ReportNodeLike {
  readonly id: string;
  readonly name: string;
  readonly opType: string;
  readonly domain?: string;
  readonly flops?: number;
  readonly bytesRead?: number;
  readonly weightBytes?: number;
  readonly bytesWritten?: number;
  readonly intensity?: number | null;
  readonly unit?: string;
  readonly peakDtype?: string | null;
  readonly bound?: string;
  readonly ridgeRatio?: number | null;
  readonly executions?: number;
  readonly timeSeconds?: number;
  /** The parts of `timeSeconds` (max(compute, memory) + overhead), per model run; absent from older reports. */
  readonly computeSeconds?: number;
  readonly memorySeconds?: number;
  readonly overheadSeconds?: number;
  /** The band of `timeSeconds` from its op class's calibration residuals; `rangeCalibrated` false: the ×0.5–×2 default. */
  readonly timeLowSeconds?: number;
  readonly timeHighSeconds?: number;
  readonly rangeCalibrated?: boolean;
  readonly kernelClass?: string;
  readonly energyJoules?: number;
  readonly modelled?: boolean;
  readonly reason?: string;
  readonly counted?: boolean;
  /** Absent when the sender strips the tensor lists to keep a large report small. */
  readonly inputs?: ReadonlyArray<ValueLike | null>;
  readonly outputs?: readonly ValueLike[];
  /** The tensors already as text (`float[1,16,14,14]`), in place of inputs/outputs (the server's chart report, ChartNode in server/src/analysis/report.ts). */
  readonly inputText?: readonly string[];
  readonly outputText?: readonly string[];
}

export interface ReportTotalsLike {
  readonly flops: number;
  readonly bytes: number;
  readonly params: number;
  readonly weightBytes: number;
  readonly timeSeconds: number;
  readonly fusedTimeSeconds: number;
  readonly memoryBoundShare: number;
  /** Share of the time in overhead-bound kernels; absent in reports from before the overhead verdict. */
  readonly overheadBoundShare?: number;
  /** The fixed per-kernel cost summed over the run (seconds). */
  readonly overheadSeconds?: number;
  /** The band of `timeSeconds` (the ops' calibration bands summed); absent in older reports. */
  readonly timeLowSeconds?: number;
  readonly timeHighSeconds?: number;
  readonly rangeCalibrated?: boolean;
  readonly energyJoules: number;
  readonly unmodelledNodes: number;
  readonly unmodelledShare: number;
  /** Nodes with a cost on the chip; 0 with symbolic dims unbound means nothing was costed. */
  readonly costedNodes?: number;
}

export interface ReportLike {
  readonly schemaVersion: number;
  readonly model: { readonly path: string; readonly graphName?: string; readonly producer?: { readonly name: string; readonly version: string } };
  readonly bindings: Readonly<Record<string, number>>;
  readonly nodes: readonly ReportNodeLike[];
  readonly unboundSymbols?: readonly string[];
  readonly diagnostics?: ReadonlyArray<{ readonly severity: string; readonly message: string }>;
  /** A model definition's coverage (PyTorch source, Hugging Face config); incomplete: the totals are lower bounds. */
  readonly coverage?: { readonly complete: boolean; readonly layersResolved: number; readonly layersTotal: number; readonly parametersResolvedShare: number | null; readonly unresolved: ReadonlyArray<{ readonly name: string; readonly reason: string }> };
  readonly chip?: { readonly id: string; readonly name: string; readonly memoryBandwidthGBs: number; readonly peaks: unknown; readonly achievable: unknown; readonly kernelOverheadUs?: number };
  readonly peakMode?: string;
  readonly computeDtype?: string | null;
  /** How kernels are issued (`eager`, `cuda-graphs`, `compiled`); absent in reports from before the runtime setting. */
  readonly runtime?: string;
  readonly totals?: ReportTotalsLike;
  readonly opTypes?: ReadonlyArray<{ readonly opType: string; readonly count: number; readonly timeSeconds: number; readonly share: number; readonly flops: number; readonly bytes: number }>;
  readonly unmodelled?: ReadonlyArray<{ readonly id: string; readonly opType: string; readonly reason: string }>;
  /** The fused view's multi-node kernels: `id` is the producer, `nodes` every member, producer first. */
  readonly fusedGroups?: ReadonlyArray<{ readonly id: string; readonly nodes: readonly string[]; readonly flops: number; readonly bytes: number; readonly timeSeconds: number; readonly bytesSaved: number }>;
  /** Suggestions with predicted savings (docs/suggestions.md), best first. */
  readonly suggestions?: ReadonlyArray<SuggestionLike>;
  readonly profileNotes?: readonly string[];
  /** Predicted versus measured (measured mode, docs/validation/README.md); present when a profile was joined. */
  readonly measurement?: MeasurementLike;
  /** Where the time goes by module (server/src/analysis/cost-tree.ts); present when profiled. */
  readonly costTree?: CostTreeLike | null;
}

/** One row of the report's cost tree: the model, a module or an op (the core's type: a type-only import, nothing bundled). */
export type CostTreeLike = CostTreeNode;

/** The report's `measurement` (server/src/analysis/measure/compare.ts) as the chart reads it. */
export interface MeasurementLike {
  /** Where the times come from (untrusted when imported: a file name). */
  readonly source: string;
  readonly matched: number;
  readonly compared: number;
  readonly spearman: number | null;
  readonly medianAbsError: number | null;
  readonly significantOps: number;
  readonly endToEndError: number | null;
  readonly ops: ReadonlyArray<{ readonly id: string; readonly measuredSeconds: number; readonly error: number | null }>;
}

export interface SuggestionLike {
  readonly id: string;
  readonly kind: string;
  readonly pattern?: string;
  readonly nodes: readonly string[];
  readonly message: string;
  readonly detail?: string;
  readonly predictedSavingSeconds: number;
  readonly bytesSaved: number;
  readonly confidence: string;
  readonly recipe?: string;
  /** A readable title (advise/titles.ts), when the server sends one. */
  readonly title?: string;
}

/** How a suggestion is named for people: its readable title, else its kind and pattern (older reports). */
export function suggestionName(suggestion: { readonly title?: string; readonly kind: string; readonly pattern?: string | null }): string {
  return suggestion.title ?? `${suggestion.kind}${suggestion.pattern ? ` · ${suggestion.pattern}` : ''}`;
}

/**
 * A total as text: `not costed: bind batch, height` when symbolic dims left nothing costed (never
 * "0.00 µs"), a lower bound `≥ …` when some ops were left out (unbound dims, an incomplete model), else the value.
 */
export function totalText(report: ReportLike, value: string, incomplete: boolean): string {
  const unbound = report.unboundSymbols ?? [];
  if (nothingCosted(unbound, report.totals?.costedNodes)) return notCostedText(unbound);
  return `${incomplete || unbound.length > 0 ? '≥ ' : ''}${value}`;
}

/**
 * The totals' kernel-launch line, `41% of the time (38% in overhead-bound ops)`, with the runtime when it
 * is not eager (`…, cuda-graphs`); null for reports from before the overhead verdict or with no time.
 */
export function launchesText(report: ReportLike): string | null {
  const t = report.totals;
  if (!t || t.overheadSeconds === undefined || t.timeSeconds <= 0) return null;
  const runtime = report.runtime && report.runtime !== 'eager' ? `, ${report.runtime}` : '';
  return `${percent(launchShareOf(t))} of the time (${percent(t.overheadBoundShare ?? 0)} in overhead-bound ops${runtime})`;
}

/**
 * The totals' time rows: `Predicted time` with its band (`1.54 ms (1.2–2.1)`, a lower bound or "not
 * costed" as totalText says) and, when there is a band, a row saying what it is.
 */
export function predictedTimeRows(report: ReportLike, incomplete: boolean): Array<[string, string]> {
  const t = report.totals;
  if (!t) return [];
  // A lower bound (incomplete model, unbound dims) gets no band, as in the CLI and the hovers.
  const lowerBound = incomplete || (report.unboundSymbols ?? []).length > 0;
  const rows: Array<[string, string]> = [['Predicted time', totalText(report, totalWithRange(seconds(t.timeSeconds), t.timeLowSeconds, t.timeHighSeconds, lowerBound), incomplete)]];
  if (!lowerBound && hasRange(t.timeLowSeconds, t.timeHighSeconds) && !nothingCosted(report.unboundSymbols ?? [], t.costedNodes)) rows.push(['Time band', totalRangeShort(t.rangeCalibrated)]);
  return rows;
}
