/**
 * The report's schema: the types of the versioned JSON report (docs/report-schema.md) and nothing else.
 * They sit below the code that builds the report (report.ts, cost-tree.ts) and the code that adds to a
 * built one (measure/), so each of those imports the schema and none imports another back.
 */
import type { Suggestion } from './advise/types';
import type { FusedGroup, Totals } from './cost/totals';
import type { Coverage } from './coverage';
import type { Diagnostic } from './diagnostics';
import type { WeightSummary } from './ir/weights';

/**
 * The JSON report (schema documented in docs/report-schema.md). Bump SCHEMA_VERSION on any change
 * that removes or changes the meaning of a field; adding fields keeps the version.
 */
export const SCHEMA_VERSION = 2;

export type JsonShape = Array<number | string | null> | null;

export interface ReportValue {
  readonly name: string;
  /** Element type name, `unknown`, or for non-tensors `sequence` / `optional` / `map`. */
  readonly dtype: string;
  readonly shape: JsonShape;
  /** For sequences and optionals: the element type. */
  readonly elem?: { readonly dtype: string; readonly shape: JsonShape };
  /** How the type was found: input, initializer, inferred, declared (from the model's value_info), unknown. */
  readonly source: string;
}

export interface ReportNode {
  readonly id: string;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly graph: string;
  readonly opset: number;
  readonly status: string;
  readonly inputs: Array<ReportValue | null>;
  readonly outputs: ReportValue[];
  /** Cost fields: present when the report was made for a chip. Work and traffic are per execution. */
  readonly flops?: number;
  readonly macs?: number | null;
  /** Bytes read: activations plus weights. */
  readonly bytesRead?: number;
  readonly weightBytes?: number;
  readonly bytesWritten?: number;
  readonly intensity?: number | null;
  readonly unit?: string;
  /** The dtype whose peak applies (`bf16`, `fp32`, …). */
  readonly peakDtype?: string | null;
  readonly bound?: string;
  /** The chip's ridge point for the node's unit and dtype, FLOP/byte. */
  readonly ridge?: number | null;
  readonly ridgeRatio?: number | null;
  /** Times this node runs per model run (Loop/Scan trip counts). */
  readonly executions?: number;
  /** Predicted time per model run (all executions), seconds: max(compute, memory) + overhead. */
  readonly timeSeconds?: number;
  /** The parts of `timeSeconds`, per model run: arithmetic at the peak, traffic at the bandwidth, the fixed per-kernel cost (cost/launch-bound.ts). */
  readonly computeSeconds?: number;
  readonly memorySeconds?: number;
  readonly overheadSeconds?: number;
  /** The band of `timeSeconds` from the chip's calibration residuals for the node's kernel class (cost/efficiency.ts). */
  readonly timeLowSeconds?: number;
  readonly timeHighSeconds?: number;
  /** False when the band is the wide default of an uncalibrated class. */
  readonly rangeCalibrated?: boolean;
  /** The kernel class (cost/kernel-class.ts) and the multipliers of the peak and bandwidth it got (achievable mode). */
  readonly kernelClass?: string;
  readonly computeEfficiency?: number;
  readonly memoryEfficiency?: number;
  readonly energyJoules?: number;
  readonly modelled?: boolean;
  readonly reason?: string;
  /** False when excluded from totals (the cheaper branch of an If with an unknown condition). */
  readonly counted?: boolean;
  readonly notes?: readonly string[];
  /** Measured kernel time per model run, seconds (measured mode: `measure`, `profile --measured`; measure/). */
  readonly measuredSeconds?: number;
  /** True for a control-flow node whose measured kernel time includes its body's kernels. */
  readonly measuredInclusive?: boolean;
}

/** The chip totals (cost/totals.ts) plus the model's parameter count and weight bytes. */
export type ReportTotals = Totals & { readonly params: number; readonly weightBytes: number };

export interface Report {
  readonly schemaVersion: number;
  readonly model: {
    readonly path: string;
    readonly irVersion: number | null;
    readonly opsets: Record<string, number>;
    readonly producer: { readonly name: string; readonly version: string };
    readonly graphName: string;
    readonly metadata: Record<string, string>;
    readonly weights: WeightSummary | null;
  };
  readonly bindings: Record<string, number>;
  readonly inputs: ReportValue[];
  readonly outputs: ReportValue[];
  readonly nodes: ReportNode[];
  readonly unknownOps: Array<{ readonly op: string; readonly count: number }>;
  readonly unboundSymbols: string[];
  readonly diagnostics: Diagnostic[];
  /** Model definitions (PyTorch source, Hugging Face config) only: how much was understood; incomplete means the totals are lower bounds. */
  readonly coverage?: Coverage;
  /** Present when profiled for a chip. */
  readonly chip?: { readonly id: string; readonly name: string; readonly memoryBandwidthGBs: number; readonly peaks: unknown; readonly achievable: unknown; readonly kernelOverheadUs: number; readonly sources: readonly string[] };
  readonly peakMode?: string;
  /** How kernels are issued (cost/runtime.ts): sets the fixed per-kernel cost and, for `compiled`, fuses elementwise chains. */
  readonly runtime?: string;
  readonly computeDtype?: string | null;
  readonly totals?: ReportTotals;
  readonly topOps?: Array<{ readonly id: string; readonly name: string; readonly opType: string; readonly timeSeconds: number; readonly share: number; readonly bound: string }>;
  readonly opTypes?: Array<{ readonly opType: string; readonly count: number; readonly timeSeconds: number; readonly share: number; readonly flops: number; readonly bytes: number }>;
  readonly unmodelled?: Array<{ readonly id: string; readonly opType: string; readonly reason: string }>;
  /** The fused view's multi-node kernels (a producer and the elementwise nodes fused into it). */
  readonly fusedGroups?: ReadonlyArray<FusedGroup>;
  readonly profileNotes?: string[];
  readonly energySources?: readonly string[];
  /** What the energy figures are and what they leave out (the same on chips with the same memory type). */
  readonly energyBasis?: string;
  /** Suggestions with predicted savings on the chip, best first (docs/suggestions.md); present when advice was asked for. */
  readonly suggestions?: readonly Suggestion[];
  /** Why a kind of suggestion found nothing, or was skipped. */
  readonly adviceNotes?: readonly string[];
  /** Predicted versus measured (measured mode): join counts, Spearman's ρ, errors, per-op rows. */
  readonly measurement?: ReportMeasurement;
  /** Where the time goes by module (analysis/cost-tree.ts); present when profiled, null when there are no nodes. */
  readonly costTree?: CostTreeNode | null;
}

export interface CostTreeNode {
  /** The row's name: a module's segment (`layer1`, `encoder › layers`), an op's short name. */
  readonly name: string;
  /** The row's whole place, as a scope label: `layer1 › 0 › conv1` ('' for the model). */
  readonly path: string;
  readonly kind: 'model' | 'module' | 'op';
  /** Predicted time per model run, seconds, of the ops the totals count. */
  readonly timeSeconds: number;
  /** Fraction of the model's time. */
  readonly share: number;
  /** FLOPs per model run (every execution). */
  readonly flops: number;
  /** Bytes read and written per model run (every execution), as the model stores its tensors. */
  readonly bytes: number;
  /** `memory`, `compute` (or any other bound the roofline gives), `mixed` for a module without a majority, `none` without a kernel. */
  readonly bound: string;
  /** Report nodes under this row (shown ones included, counted or not). */
  readonly nodeCount: number;
  /** The node to show for this row: an op's own id, a module's costliest op; null for an empty model. */
  readonly revealNodeId: string | null;
  /** Op rows (and modules shown as their single op): the op type. */
  readonly opType?: string;
  /** Why part of this row is not in its time: ops not modelled or not counted. */
  readonly note?: string;
  readonly children: CostTreeNode[];
  /** Ops under this row that launch no kernel (views, metadata: Identity, Shape, Reshape…): counted in nodeCount, not listed. */
  readonly noKernelOps?: number;
  /** Children left out of this copy of the tree (pruneCostTree), summed: the cheapest ones. */
  readonly more?: { readonly count: number; readonly timeSeconds: number; readonly share: number };
}

/**
 * How a node's (and a run's) time is read from the kept runs: the median (default), or the fastest run,
 * the estimate least disturbed by other processes on a shared machine (as `timeit` reports its minimum).
 */
export type RunStatistic = 'median' | 'min';

export interface MeasuredOp {
  readonly id: string;
  readonly name: string;
  readonly opType: string;
  readonly predictedSeconds: number;
  readonly measuredSeconds: number;
  /** (predicted − measured) / measured. */
  readonly error: number | null;
  /** Share of the measured kernel time. */
  readonly share: number;
  readonly bound?: string;
  readonly kernelOp?: string;
}

export interface ReportMeasurement {
  /** Where the times come from: `onnxruntime-node 1.23.2 …` for `measure`, the file for `--measured`. */
  readonly source: string;
  readonly providers: readonly string[];
  readonly runs: number;
  readonly warmupRunsSkipped: number;
  /** Nodes with a predicted time and a joined kernel (control-flow nodes excluded). */
  readonly matched: number;
  /** Nodes the statistics can use: matched, modelled, predicted > 0. */
  readonly compared: number;
  readonly unmatchedNodes: readonly string[];
  readonly unmatchedKernels: readonly string[];
  readonly ambiguousKernels: readonly string[];
  readonly fusedKernels: number;
  readonly shapeMismatches: readonly string[];
  /** Median wall time of one `run` (the fastest with `statistic: 'min'`; null when the profile has no run events), seconds. */
  readonly measuredRunSeconds: number | null;
  /** How per-op and run times were read from the runs: `median` (default) or `min` (the fastest run). */
  readonly statistic: RunStatistic;
  /** Sum over nodes of their median kernel time per run, seconds (join.ts). */
  readonly measuredKernelSeconds: number;
  readonly predictedSeconds: number;
  /** (predicted − measured run) / measured run; falls back to the kernel sum when there is no run time. */
  readonly endToEndError: number | null;
  /** Spearman's ρ between predicted and measured per-op times over the compared ops. */
  readonly spearman: number | null;
  /**
   * Spearman's ρ over the compared ops taking ≥ 1% of the measured kernel time (the `significantOps`):
   * the ranking of the ops that decide where time goes, without the µs-scale tail whose order is the
   * profiler's resolution and the per-kernel overhead.
   */
  readonly spearmanSignificant: number | null;
  /** Median |error| over compared ops taking ≥ 1% of the measured kernel time. */
  readonly medianAbsError: number | null;
  readonly significantOps: number;
  readonly ops: readonly MeasuredOp[];
  readonly notes: readonly string[];
}
