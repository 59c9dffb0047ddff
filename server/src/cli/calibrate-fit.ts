import { Chip } from '../analysis/cost/chips';
import { ChipEfficiency, ClassEfficiency, ErrorBand } from '../analysis/cost/efficiency';
import { KernelClass } from '../analysis/cost/kernel-class';
import { NodeCost } from '../analysis/cost/model';
import { RooflineOptions, rooflineConstants, timeNode } from '../analysis/cost/roofline';
import { median } from '../analysis/measure/stats';

/**
 * The fit behind `ridgepoint calibrate`: the chip's `efficiency` object (cost/efficiency.ts) from the
 * measured grid of micro-models. Every prediction is the core's own `timeNode` in the achievable mode,
 * so the fit and the predictor are the same code. The objective everywhere is the median
 * |log(measured ÷ predicted)|: symmetric in too fast and too slow, and robust to the few samples
 * another process slowed down. docs/validation/README.md ("Calibration").
 */

export interface FitPoint {
  /** The micro-model it comes from (one point per micro-model: a chain's nodes are one shape). */
  readonly label: string;
  readonly kind: KernelClass;
  /** The node's cost, from the cost model (the point's FLOPs, bytes and GEMM shape). */
  readonly cost: NodeCost;
  /** What the prediction is compared with: the kernel time plus the executor's dispatch between kernels, seconds. */
  readonly seconds: number;
}

/** A cache level before its bandwidth is known. */
export interface CacheSize {
  readonly name: string;
  readonly bytes: number;
}

/** The classes that run as (implicit) GEMMs and share `gemmHalf` (cost/efficiency.ts). */
const GEMM_LIKE: readonly KernelClass[] = ['gemm', 'conv', 'conv-grouped'];

/** Candidates of a grid search: `count` log-spaced values from `low` to `high`. */
export function logGrid(low: number, high: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(low * (high / low) ** (i / (count - 1)));
  return out;
}

const COMPUTE_GRID = logGrid(0.02, 1, 41);
const MEMORY_GRID = logGrid(0.05, 4, 41);
/** gemmHalf is searched over these for each of m, n and k (0: that dimension never limits). */
export const HALF_GRID = [0, 2, 4, 8, 16, 32, 64, 128, 256];

/** The fit's working state: a plain mutable picture of the efficiency object. */
interface State {
  classes: Partial<Record<KernelClass, { compute: number; memory: number }>>;
  half: { m: number; n: number; k: number } | null;
  caches: Array<{ name: string; bytes: number; bandwidthGBs: number }>;
}

function efficiencyOf(state: State, basis: string): ChipEfficiency {
  const classes: Partial<Record<KernelClass, ClassEfficiency>> = {};
  for (const [kind, c] of Object.entries(state.classes) as Array<[KernelClass, { compute: number; memory: number }]>) classes[kind] = { compute: c.compute, memory: c.memory };
  return {
    ...(state.half ? { gemmHalf: { ...state.half } } : {}),
    classes,
    ...(state.caches.length > 0 ? { caches: state.caches.map((c) => ({ ...c })) } : {}),
    basis,
  };
}

/** Predicted seconds for each point on `chip`, in the achievable mode (the prediction `measure` compares with). */
export function predictAll(points: readonly FitPoint[], chip: Chip): number[] {
  const options: RooflineOptions = { chip, peakMode: 'achievable' };
  const constants = rooflineConstants(options);
  return points.map((p) => timeNode(p.cost, options, constants).timeSeconds);
}

/** Median |log(measured ÷ predicted)| over the points; 0 for none. */
export function medianAbsLogError(points: readonly FitPoint[], chip: Chip): number {
  if (points.length === 0) return 0;
  const predicted = predictAll(points, chip);
  return median(points.map((p, i) => Math.abs(Math.log(p.seconds / predicted[i]))));
}

/** The p-th quantile (0–1) with linear interpolation between order statistics. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

interface Param {
  readonly candidates: readonly number[];
  get(): number;
  set(value: number): void;
}

/** Tries every candidate of each parameter in turn, keeping the best, until a sweep changes nothing. */
function coordinateDescent(params: readonly Param[], objective: () => number, maxSweeps = 6): void {
  let best = objective();
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let improved = false;
    for (const param of params) {
      const start = param.get();
      let bestValue = start;
      for (const value of param.candidates) {
        if (value === start) continue;
        param.set(value);
        const score = objective();
        // A strict improvement only: ties keep the current value, so the search cannot cycle.
        if (score < best - 1e-12) {
          best = score;
          bestValue = value;
          improved = true;
        }
      }
      param.set(bestValue);
    }
    if (!improved) break;
  }
}

/** The cache level a kernel's bytes fall in (as efficiencyOf picks it: the smallest that holds them), or null for DRAM. */
function levelOf(bytes: number, caches: readonly CacheSize[]): string | null {
  return caches.find((c) => bytes <= c.bytes)?.name ?? null;
}

function bytesOf(p: FitPoint): number {
  const c = p.cost.cost;
  return c.activationBytesRead + c.weightBytes + c.bytesWritten;
}

export interface FitOptions {
  /** Cache levels of this CPU, smallest first (sysfs); empty: no cache levels are fitted. */
  readonly caches: readonly CacheSize[];
  readonly basis: string;
}

/**
 * Fits the efficiency object in three stages, each on its own points:
 *
 * 1. elementwise: the class's compute and memory multipliers and each cache level's bandwidth, by
 *    coordinate descent over the sum, across cache levels and DRAM, of each group's median |log error|
 *    (DRAM points fix the memory multiplier, each level's points its bandwidth);
 * 2. GEMM-like classes (gemm, conv, conv-grouped): `gemmHalf` by grid search over HALF_GRID³, each
 *    candidate scored with each class's best compute multiplier; then a polish by coordinate descent
 *    over the halves (on a finer grid) and the classes' compute and memory multipliers;
 * 3. every other class present: its compute and memory multipliers by coordinate descent.
 */
export function fitEfficiency(points: readonly FitPoint[], base: Chip, options: FitOptions): ChipEfficiency {
  const state: State = { classes: {}, half: null, caches: [] };
  const chip = (): Chip => ({ ...base, efficiency: efficiencyOf(state, options.basis) });
  const byClass = new Map<KernelClass, FitPoint[]>();
  for (const p of points) byClass.set(p.kind, [...(byClass.get(p.kind) ?? []), p]);
  const classParams = (kind: KernelClass, which: Array<'compute' | 'memory'> = ['compute', 'memory']): Param[] => {
    const c = (state.classes[kind] ??= { compute: 1, memory: 1 });
    return which.map((w) => ({ candidates: w === 'compute' ? COMPUTE_GRID : MEMORY_GRID, get: () => c[w], set: (v: number) => void (c[w] = v) }));
  };

  // 1. Elementwise and the caches.
  const elementwise = byClass.get('elementwise') ?? [];
  if (elementwise.length > 0) {
    const groups = new Map<string, FitPoint[]>();
    for (const p of elementwise) {
      const level = levelOf(bytesOf(p), options.caches) ?? 'DRAM';
      groups.set(level, [...(groups.get(level) ?? []), p]);
    }
    const dram = base.memoryBandwidthGBs;
    const cacheGrid = logGrid(dram / 2, dram * 64, 61);
    state.caches = options.caches.filter((c) => groups.has(c.name)).map((c) => ({ name: c.name, bytes: c.bytes, bandwidthGBs: dram * 4 }));
    const params: Param[] = [...classParams('elementwise'), ...state.caches.map((level) => ({ candidates: cacheGrid, get: () => level.bandwidthGBs, set: (v: number) => void (level.bandwidthGBs = v) }))];
    coordinateDescent(params, () => {
      const c = chip();
      let sum = 0;
      for (const group of groups.values()) sum += medianAbsLogError(group, c);
      return sum;
    });
  }

  // 2. GEMM-like classes and gemmHalf.
  const gemmLike = GEMM_LIKE.filter((k) => byClass.has(k));
  if (gemmLike.length > 0) {
    const bestCompute = (kind: KernelClass): number => {
      const c = (state.classes[kind] ??= { compute: 1, memory: 1 });
      const pts = byClass.get(kind) ?? [];
      let best = Infinity;
      let bestValue = c.compute;
      for (const value of COMPUTE_GRID) {
        c.compute = value;
        const score = medianAbsLogError(pts, chip());
        if (score < best) {
          best = score;
          bestValue = value;
        }
      }
      c.compute = bestValue;
      return best;
    };
    let best = { score: Infinity, half: { m: 0, n: 0, k: 0 }, compute: new Map<KernelClass, number>() };
    for (const m of HALF_GRID) {
      for (const n of HALF_GRID) {
        for (const k of HALF_GRID) {
          state.half = { m, n, k };
          let score = 0;
          for (const kind of gemmLike) score += bestCompute(kind);
          if (score < best.score - 1e-12) best = { score, half: { m, n, k }, compute: new Map(gemmLike.map((kind) => [kind, state.classes[kind]?.compute ?? 1])) };
        }
      }
    }
    state.half = best.half;
    for (const kind of gemmLike) (state.classes[kind] ??= { compute: 1, memory: 1 }).compute = best.compute.get(kind) ?? 1;
    const fine = [0, ...logGrid(1, 512, 28)];
    const half = state.half;
    const params: Param[] = [
      ...(['m', 'n', 'k'] as const).map((d) => ({ candidates: fine, get: () => half[d], set: (v: number) => void (half[d] = v) })),
      ...gemmLike.flatMap((kind) => classParams(kind)),
    ];
    coordinateDescent(params, () => {
      const c = chip();
      return gemmLike.reduce((sum, kind) => sum + medianAbsLogError(byClass.get(kind) ?? [], c), 0);
    });
  }

  // 3. Every other class on its own points.
  for (const [kind, pts] of byClass) {
    if (kind === 'elementwise' || GEMM_LIKE.includes(kind)) continue;
    coordinateDescent(classParams(kind), () => medianAbsLogError(pts, chip()));
  }
  return efficiencyOf(state, options.basis);
}

/**
 * Error bands per class from held-out points: the points of each class are split in two halves
 * (alternately, in grid order, so both halves span the sizes), the fit is made on one half and
 * measured ÷ predicted read on the other, and the other way round. The band is the 10th and 90th
 * percentile of those out-of-sample ratios, so it is not the fit's own residual on the points it saw.
 */
export function heldOutBands(points: readonly FitPoint[], base: Chip, options: FitOptions): Partial<Record<KernelClass, ErrorBand>> {
  const folds: [FitPoint[], FitPoint[]] = [[], []];
  const seen = new Map<KernelClass, number>();
  for (const p of points) {
    const i = seen.get(p.kind) ?? 0;
    seen.set(p.kind, i + 1);
    folds[i % 2].push(p);
  }
  const ratios = new Map<KernelClass, number[]>();
  for (const [train, test] of [[folds[0], folds[1]], [folds[1], folds[0]]] as const) {
    if (train.length === 0 || test.length === 0) continue;
    const chip: Chip = { ...base, efficiency: fitEfficiency(train, base, options) };
    const predicted = predictAll(test, chip);
    test.forEach((p, i) => ratios.set(p.kind, [...(ratios.get(p.kind) ?? []), p.seconds / predicted[i]]));
  }
  const bands: Partial<Record<KernelClass, ErrorBand>> = {};
  for (const [kind, values] of ratios) {
    const round = (x: number): number => Number(x.toPrecision(3));
    bands[kind] = { low: round(quantile(values, 0.1)), high: round(quantile(values, 0.9)), samples: values.length };
  }
  return bands;
}

export interface FitRow {
  readonly kind: KernelClass;
  readonly points: number;
  readonly compute: number | null;
  readonly memory: number | null;
  /** Median |measured ÷ predicted − 1| with one roof (no efficiency object) and after the fit, on the same points. */
  readonly before: number;
  readonly after: number;
  readonly band: ErrorBand | null;
}

/** Per class: the fitted multipliers and the median error before and after (in-sample), with the held-out band. */
export function fitRows(points: readonly FitPoint[], base: Chip, efficiency: ChipEfficiency): FitRow[] {
  const byClass = new Map<KernelClass, FitPoint[]>();
  for (const p of points) byClass.set(p.kind, [...(byClass.get(p.kind) ?? []), p]);
  const oneRoof: Chip = { ...base, efficiency: undefined };
  const fitted: Chip = { ...base, efficiency };
  const medianError = (pts: readonly FitPoint[], chip: Chip): number => {
    const predicted = predictAll(pts, chip);
    return median(pts.map((p, i) => Math.abs(p.seconds / predicted[i] - 1)));
  };
  return [...byClass].map(([kind, pts]) => ({
    kind,
    points: pts.length,
    compute: efficiency.classes?.[kind]?.compute ?? null,
    memory: efficiency.classes?.[kind]?.memory ?? null,
    before: medianError(pts, oneRoof),
    after: medianError(pts, fitted),
    band: efficiency.errorBands?.[kind] ?? null,
  }));
}

/** The fit as a table for the terminal. */
export function formatFit(rows: readonly FitRow[], efficiency: ChipEfficiency): string {
  const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
  const num = (x: number | null): string => (x === null ? '-' : x.toPrecision(3));
  const header = ['class', 'points', 'compute', 'memory', 'median |err| one roof', 'fitted', 'band (held out)'];
  const body = rows.map((r) => [r.kind, String(r.points), num(r.compute), num(r.memory), pct(r.before), pct(r.after), r.band ? `×${r.band.low}–×${r.band.high} (${r.band.samples})` : '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  const h = efficiency.gemmHalf;
  if (h) out.push(`gemmHalf: m ${num(h.m)}, n ${num(h.n)}, k ${num(h.k)} (GEMM efficiency = Π d / (d + half_d))`);
  for (const c of efficiency.caches ?? []) out.push(`cache ${c.name} (${c.bytes >= 1 << 20 ? `${c.bytes / (1 << 20)} MiB` : `${c.bytes / 1024} KiB`}): ${c.bandwidthGBs.toPrecision(3)} GB/s`);
  return out.join('\n');
}
