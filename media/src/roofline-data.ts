/**
 * Report → roofline chart data. Pure (no DOM): the HTML report page and the VS Code webview both call it.
 *
 * One point per costed node: counted, modelled, bound memory, compute or overhead (placed under its nearer
 * roof, `launchBound` set), bytes > 0 and time > 0.
 * x = arithmetic intensity (FLOP/byte), y = attained FLOP/s = flops × executions / time (time includes the
 * per-kernel overhead, so points sit under the roofs). Data movement (Transpose, Gather, Concat: 0 FLOPs)
 * has no place on a log axis; such points keep intensity 0 and the chart pins them to its left edge, so
 * that every op that costs time is drawn (`zeroFlop`).
 * Roofs: the memory roof (bandwidth × x) and one compute roof per (unit, peak dtype) the points use, with
 * the peak-mode fractions applied as the cost model does (server/src/analysis/cost/roofline.ts).
 * Each point keeps its time band (its op class's calibration residuals); `rateBand` turns it into a
 * whisker on the attained-rate axis.
 */
import { hasRange } from '../../server/src/format/time-range';
import { tensorText } from '../../server/src/format/value-text';
import { isLaunchBound, roofSideOf } from '../../server/src/analysis/cost/launch-bound';
import { AchievableFractions, PeakTable, ReportLike, ReportNodeLike } from './report-types';

export type Bound = 'memory' | 'compute';

export interface RooflinePoint {
  readonly id: string;
  /** Untrusted (from the model file). */
  readonly name: string;
  readonly opType: string;
  /** Per model run (all executions). */
  readonly flops: number;
  readonly bytes: number;
  readonly intensity: number;
  readonly flopsPerSecond: number;
  readonly timeSeconds: number;
  /** Of the model's predicted time. */
  readonly share: number;
  readonly bound: Bound;
  /**
   * The fixed per-kernel cost (the chip's kernelOverheadUs per execution) exceeds both its compute and
   * its memory time: it sits far under both roofs, and only fewer kernels would speed it up.
   */
  readonly launchBound: boolean;
  /** Of `timeSeconds`: the fixed per-kernel part, per model run (0 when the report does not say). */
  readonly overheadSeconds: number;
  readonly unit: string;
  readonly dtype: string | null;
  readonly energyJoules: number;
  /** `float[1,16,14,14]` per tensor; empty when the report carries no tensor lists. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Key of the compute roof that applies (`tensor/bf16`), null when the chip has no such peak. */
  readonly roof: string | null;
  /** No FLOPs (pure data movement): drawn at the chart's left edge. */
  readonly zeroFlop: boolean;
  /** In the fused view, the nodes this point stands for (producer first); absent for a single node. */
  readonly members?: readonly string[];
  /** Measured time per model run, when the report carries a measurement joined to this node. */
  readonly measuredSeconds?: number;
  /**
   * The band of `timeSeconds` (per model run) from its op class's calibration residuals; absent in older
   * reports. `rangeCalibrated` false: the class is not calibrated on the chip (the ×0.5–×2 default).
   */
  readonly timeLowSeconds?: number;
  readonly timeHighSeconds?: number;
  readonly rangeCalibrated?: boolean;
  /**
   * Drawn for several identical ops (same op type, FLOPs and bytes: repeated layers), by
   * `groupIdentical`: every id and name it stands for, this point's first. Its flops, bytes, time,
   * share and energy are their sums (intensity and attained FLOP/s are each one's).
   */
  readonly repeats?: { readonly ids: readonly string[]; readonly names: readonly string[] };
}

export interface ComputeRoof {
  readonly unit: 'tensor' | 'vector';
  readonly dtype: string;
  readonly flopsPerSecond: number;
  /** Ridge point, FLOP/byte: where the memory roof meets this roof. */
  readonly ridge: number;
}

export interface RooflineData {
  readonly chipName: string;
  readonly peakMode: string;
  /** Bytes per second after the peak mode. */
  readonly bandwidth: number;
  readonly roofs: readonly ComputeRoof[];
  readonly points: readonly RooflinePoint[];
  readonly totalTimeSeconds: number;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** A modelled kernel that costs time and moves bytes: what the chart draws (0-FLOP ones at the edge). */
export function isPlottable(n: ReportNodeLike): boolean {
  return (
    n.modelled === true &&
    n.counted !== false &&
    n.unit !== undefined &&
    n.unit !== 'none' &&
    (n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead') &&
    (n.bytesRead ?? 0) + (n.bytesWritten ?? 0) > 0 &&
    (n.timeSeconds ?? 0) > 0
  );
}


/** The peak the cost model would pick for this unit and dtype, TFLOP/s, with the unit it comes from. */
function lookupPeak(peaks: PeakTable, unit: 'tensor' | 'vector', dtype: string): { unit: 'tensor' | 'vector'; tflops: number } | null {
  const other = unit === 'tensor' ? 'vector' : 'tensor';
  for (const u of [unit, other] as const) {
    const v = num(record(peaks[u])[dtype]);
    if (v !== null && v > 0) return { unit: u, tflops: v };
  }
  return null;
}

export function rooflineFromReport(report: ReportLike): RooflineData | null {
  const chip = report.chip;
  if (!chip || !report.totals) return null;
  const achievable = record(chip.achievable) as AchievableFractions;
  const peaks = record(chip.peaks) as PeakTable;
  const achievableMode = report.peakMode === 'achievable';
  const fraction = (f: number | null | undefined): number => (achievableMode ? (num(f) ?? 1) : 1);
  const bandwidth = chip.memoryBandwidthGBs * 1e9 * fraction(achievable.memoryBandwidth);
  const total = report.totals.timeSeconds;

  const points: RooflinePoint[] = [];
  const roofs = new Map<string, ComputeRoof>();
  const measured = new Map((report.measurement?.ops ?? []).filter((o) => o.measuredSeconds > 0).map((o) => [o.id, o.measuredSeconds]));
  for (const n of report.nodes) {
    if (!isPlottable(n)) continue;
    const executions = n.executions ?? 1;
    const flops = (n.flops ?? 0) * executions;
    const time = n.timeSeconds ?? 0;
    const bytes = ((n.bytesRead ?? 0) + (n.bytesWritten ?? 0)) * executions;
    // Pure data movement gets no compute roof of its own: it only ever meets the memory roof.
    let roofKey: string | null = null;
    if (flops > 0) {
      const dtype = n.peakDtype ?? 'fp32';
      const found = lookupPeak(peaks, n.unit === 'tensor' ? 'tensor' : 'vector', dtype);
      if (found) {
        roofKey = `${found.unit}/${dtype}`;
        if (!roofs.has(roofKey)) {
          const flopsPerSecond = found.tflops * 1e12 * fraction(found.unit === 'tensor' ? achievable.tensor : achievable.vector);
          roofs.set(roofKey, { unit: found.unit, dtype, flopsPerSecond, ridge: flopsPerSecond / bandwidth });
        }
      }
    }
    points.push({
      id: n.id,
      name: n.name,
      opType: n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType,
      flops,
      bytes,
      intensity: flops > 0 ? flops / bytes : 0,
      flopsPerSecond: flops / time,
      timeSeconds: time,
      share: total > 0 ? time / total : 0,
      bound: roofSideOf(n) as Bound,
      launchBound: isLaunchBound(n),
      overheadSeconds: n.overheadSeconds ?? 0,
      unit: n.unit as string,
      dtype: n.peakDtype ?? null,
      energyJoules: n.energyJoules ?? 0,
      inputs: n.inputText ?? (n.inputs ?? []).map(tensorText),
      outputs: n.outputText ?? (n.outputs ?? []).map(tensorText),
      roof: roofKey,
      zeroFlop: flops <= 0,
      ...(measured.has(n.id) ? { measuredSeconds: measured.get(n.id) } : {}),
      ...(hasRange(n.timeLowSeconds, n.timeHighSeconds) ? { timeLowSeconds: n.timeLowSeconds, timeHighSeconds: n.timeHighSeconds, rangeCalibrated: n.rangeCalibrated !== false } : {}),
    });
  }
  return {
    chipName: chip.name,
    peakMode: report.peakMode ?? 'datasheet',
    bandwidth,
    roofs: [...roofs.values()].sort((a, b) => b.flopsPerSecond - a.flopsPerSecond),
    points,
    totalTimeSeconds: total,
  };
}

/**
 * The fused view: each of the report's fused groups becomes one point (the producer's id, at the group's
 * combined intensity and time); every other point stays as it is. The group's bound is recomputed from
 * the producer's roofs, since fusing removes the intermediate traffic that made its members memory-bound.
 */
export function fusedView(data: RooflineData, report: ReportLike): RooflineData {
  const groups = report.fusedGroups ?? [];
  if (groups.length === 0) return data;
  const byId = new Map(data.points.map((p) => [p.id, p]));
  const roofs = new Map(data.roofs.map((r) => [`${r.unit}/${r.dtype}`, r]));
  const grouped = new Set<string>();
  const merged: RooflinePoint[] = [];
  for (const g of groups) {
    const members = g.nodes.filter((id) => byId.has(id));
    if (members.length === 0 || g.timeSeconds <= 0 || g.bytes <= 0) continue;
    const producer = byId.get(g.id) ?? (byId.get(members[0]) as RooflinePoint);
    for (const id of members) grouped.add(id);
    const roof = producer.roof ? roofs.get(producer.roof) : undefined;
    const memoryTime = g.bytes / data.bandwidth;
    const computeTime = roof ? g.flops / roof.flopsPerSecond : 0;
    // One kernel: what its time holds beyond max(compute, memory) is its fixed per-kernel cost.
    const overhead = Math.max(0, g.timeSeconds - Math.max(memoryTime, computeTime));
    const opTypes = [...new Set(members.map((id) => byId.get(id)?.opType ?? ''))];
    merged.push({
      ...producer,
      id: g.id,
      name: producer.name,
      opType: opTypes.join('+'),
      flops: g.flops,
      bytes: g.bytes,
      intensity: g.flops > 0 ? g.flops / g.bytes : 0,
      flopsPerSecond: g.flops / g.timeSeconds,
      timeSeconds: g.timeSeconds,
      share: data.totalTimeSeconds > 0 ? g.timeSeconds / data.totalTimeSeconds : 0,
      bound: computeTime > memoryTime ? 'compute' : 'memory',
      launchBound: isLaunchBound({ computeSeconds: computeTime, memorySeconds: memoryTime, overheadSeconds: overhead }),
      overheadSeconds: overhead,
      energyJoules: members.reduce((sum, id) => sum + (byId.get(id)?.energyJoules ?? 0), 0),
      outputs: byId.get(members[members.length - 1])?.outputs ?? producer.outputs,
      zeroFlop: g.flops <= 0,
      members,
      measuredSeconds: fusedMeasured(members.map((id) => byId.get(id)?.measuredSeconds)),
      ...scaledBand(producer, g.timeSeconds),
    });
  }
  return { ...data, points: [...data.points.filter((p) => !grouped.has(p.id)), ...merged] };
}

/**
 * A fused kernel's band: its producer's relative band on the kernel's time (the kernel runs at its
 * producer's class rate, cost/totals.ts), or none when the producer has none.
 */
function scaledBand(producer: RooflinePoint, timeSeconds: number): Pick<RooflinePoint, 'timeLowSeconds' | 'timeHighSeconds' | 'rangeCalibrated'> {
  if (!hasRange(producer.timeLowSeconds, producer.timeHighSeconds) || producer.timeSeconds <= 0) return { timeLowSeconds: undefined, timeHighSeconds: undefined, rangeCalibrated: undefined };
  const scale = timeSeconds / producer.timeSeconds;
  return { timeLowSeconds: producer.timeLowSeconds * scale, timeHighSeconds: (producer.timeHighSeconds as number) * scale, rangeCalibrated: producer.rangeCalibrated };
}

/**
 * The whisker of a point drawn at attained rate `y` (FLOP/s, or the zero-FLOP ops' bandwidth-scaled
 * height): the rate is work ÷ time, so the band inverts: [y × time / high, y × time / low]. Its x
 * (intensity) has no band: FLOPs and bytes are counted, not predicted. Null without a band.
 */
export function rateBand(p: RooflinePoint, y: number): readonly [number, number] | null {
  if (!hasRange(p.timeLowSeconds, p.timeHighSeconds) || p.timeSeconds <= 0) return null;
  return [(y * p.timeSeconds) / (p.timeHighSeconds as number), (y * p.timeSeconds) / p.timeLowSeconds];
}

/** A fused group's measured time: its members' sum, when every member was measured (else none). */
function fusedMeasured(times: ReadonlyArray<number | undefined>): number | undefined {
  let sum = 0;
  for (const t of times) {
    if (t === undefined) return undefined;
    sum += t;
  }
  return sum;
}

/** Node id → the id of its fused group's point (the producer), for every member of a group. */
export function fusedGroupOf(report: ReportLike): Map<string, string> {
  const map = new Map<string, string>();
  for (const g of report.fusedGroups ?? []) for (const id of g.nodes) map.set(id, g.id);
  return map;
}

/**
 * Identical ops drawn once: points of the same op type, FLOPs, bytes, unit, dtype and time (a model's
 * repeated layers) sit exactly on top of each other, so twelve of them look like one. Each set becomes
 * one point with `repeats` (ids and names, first one's first) and summed work, time and energy; its
 * position (intensity, attained FLOP/s) is each member's. Order: the first member's.
 */
export function groupIdentical(points: readonly RooflinePoint[]): RooflinePoint[] {
  const groups = new Map<string, RooflinePoint[]>();
  for (const p of points) {
    // Measured ops differ one from another even when their predictions agree: each keeps its own point.
    const key = p.measuredSeconds !== undefined ? `id ${p.id}` : `${p.opType}\u0000${p.flops}\u0000${p.bytes}\u0000${p.unit}\u0000${p.dtype}\u0000${p.timeSeconds.toPrecision(9)}\u0000${p.members?.length ?? 1}`;
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  const out: RooflinePoint[] = [];
  for (const list of groups.values()) {
    const first = list[0] as RooflinePoint;
    if (list.length === 1) {
      out.push(first);
      continue;
    }
    const sum = (f: (p: RooflinePoint) => number): number => list.reduce((a, p) => a + f(p), 0);
    out.push({
      ...first,
      flops: sum((p) => p.flops),
      bytes: sum((p) => p.bytes),
      timeSeconds: sum((p) => p.timeSeconds),
      share: sum((p) => p.share),
      energyJoules: sum((p) => p.energyJoules),
      overheadSeconds: sum((p) => p.overheadSeconds),
      // Identical ops have identical bands: the group's is their sum (none when one of them has none).
      ...(list.every((p) => hasRange(p.timeLowSeconds, p.timeHighSeconds))
        ? { timeLowSeconds: sum((p) => p.timeLowSeconds ?? 0), timeHighSeconds: sum((p) => p.timeHighSeconds ?? 0) }
        : { timeLowSeconds: undefined, timeHighSeconds: undefined }),
      repeats: { ids: list.map((p) => p.id), names: list.map((p) => p.name) },
    });
  }
  return out;
}
