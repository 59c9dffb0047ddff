import { Chip } from '../analysis/cost/chips';
import { ChipEfficiency, ClassEfficiency, ErrorBand } from '../analysis/cost/efficiency';
import { efficiencyKeys, KernelClass } from '../analysis/cost/kernel-class';
import { NodeCost } from '../analysis/cost/model';
import { RooflineOptions, rooflineConstants, timeNode } from '../analysis/cost/roofline';
import { median } from '../analysis/measure/stats';
import { BYTES_PER_GB, humanBandwidth, humanBytes } from '../format/units';

/**
 * The fit behind `ridgepoint calibrate`: the chip's `efficiency` object (cost/efficiency.ts) from the
 * measured grid of micro-models. Every prediction is the core's own `timeNode` in the achievable mode,
 * so the fit and the predictor are the same code. The objective everywhere is `fitError`, a trimmed
 * mean of |log(measured ÷ predicted)|. docs/validation/README.md ("Calibration").
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
/** A depthwise conv's spatialHalf is searched over these output positions per channel (0: never limits). */
const SPATIAL_HALF_GRID = [0, 16, 32, 64, 128, 256, 512, 1024, 2048];
/** gemmHalf is searched over these for each of m, n and k (0: that dimension never limits). */
export const HALF_GRID = [0, 2, 4, 8, 16, 32, 64, 128, 256];

/** The fit's working state: a plain mutable picture of the efficiency object. */
interface State {
  /** By class, and by `class:variant` for variants with their own points (step 4). */
  classes: Partial<Record<string, { compute: number; memory: number; spatialHalf?: number }>>;
  half: { m: number; n: number; k: number } | null;
  caches: Array<{ name: string; bytes: number; bandwidthGBs: number }>;
}

function efficiencyOf(state: State, basis: string): ChipEfficiency {
  const classes: Record<string, ClassEfficiency> = {};
  for (const [kind, c] of Object.entries(state.classes) as Array<[string, { compute: number; memory: number; spatialHalf?: number }]>) classes[kind] = { compute: c.compute, memory: c.memory, ...(c.spatialHalf ? { spatialHalf: Number(c.spatialHalf.toPrecision(3)) } : {}) };
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

/** Share of each class's points the objective keeps: the worst 20% are left out as other processes' interference. */
const TRIM_KEEP = 0.8;

/**
 * The fit's objective: the mean |log(measured ÷ predicted)| over the best 80% of the points (0 for
 * none). Log errors weigh too fast and too slow alike; trimming the worst fifth keeps a sample another
 * process slowed down from pulling the fit. (A plain median cannot pin the parameters: it ignores
 * half of the points, so several GEMM shapes fit equally well.)
 */
export function fitError(points: readonly FitPoint[], chip: Chip): number {
  if (points.length === 0) return 0;
  const predicted = predictAll(points, chip);
  const errors = points.map((p, i) => Math.abs(Math.log(p.seconds / predicted[i]))).sort((a, b) => a - b);
  const kept = errors.slice(0, Math.max(1, Math.ceil(errors.length * TRIM_KEEP)));
  return kept.reduce((a, b) => a + b, 0) / kept.length;
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
  /** Upper bound of the refinement (the chips-file limit: 1 for compute, 4 for memory). */
  readonly max?: number;
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
  refine(params, objective, best);
}

/**
 * Between grid points: a pattern search that moves each parameter by ×(1 ± step), halving the step
 * from 8% to 0.25%, keeping strict improvements (the grids alone leave a few % of error at the truth).
 */
function refine(params: readonly Param[], objective: () => number, start: number): void {
  let best = start;
  for (let step = 0.08; step >= 0.0025; step /= 2) {
    let improved = true;
    for (let round = 0; improved && round < 20; round++) {
      improved = false;
      for (const param of params) {
        const current = param.get();
        if (current <= 0) continue;
        for (const value of [current * (1 + step), current / (1 + step)]) {
          if (param.max !== undefined && value > param.max) continue;
          param.set(value);
          const score = objective();
          if (score < best - 1e-12) {
            best = score;
            improved = true;
            break;
          }
          param.set(current);
        }
      }
    }
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
  /**
   * The whole grid, when fitting a fold of it: which variants have their own figures is decided on the
   * whole grid, so a held-out fold is predicted by the same model the chip ships (not by its class).
   */
  readonly keyPoints?: readonly FitPoint[];
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
  const classParams = (kind: string, which: Array<'compute' | 'memory'> = ['compute', 'memory']): Param[] => {
    const c = (state.classes[kind] ??= { compute: 1, memory: 1 });
    return which.map((w) => ({ candidates: w === 'compute' ? COMPUTE_GRID : MEMORY_GRID, max: w === 'compute' ? 1 : 4, get: () => c[w], set: (v: number) => void (c[w] = v) }));
  };

  // 1. Elementwise and the caches.
  // A variant with its own points (bandKey) is fitted on them alone in step 3; its class on the rest.
  const byKey = new Map<string, FitPoint[]>();
  for (const p of points) {
    const key = bandKey(p, options.keyPoints ?? points);
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  const elementwise = byKey.get('elementwise') ?? [];
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
      for (const group of groups.values()) sum += fitError(group, c);
      return sum;
    });
  }

  // 2. GEMM-like classes and gemmHalf.
  const gemmLike = GEMM_LIKE.filter((k) => byClass.has(k));
  if (gemmLike.length > 0) {
    // A class's best compute multiplier for the current halves: its grid, then refined between grid points.
    const bestCompute = (kind: KernelClass): number => {
      const pts = byClass.get(kind) ?? [];
      const [compute] = classParams(kind, ['compute']);
      coordinateDescent([compute], () => fitError(pts, chip()), 1);
      return fitError(pts, chip());
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
    // One memory multiplier for the GEMM-like classes: they run the same GEMM kernels (ONNX Runtime's
    // convolutions are im2col + GEMM), and the grid's convolutions are all compute-bound, so a conv memory
    // multiplier of its own would be set by noise (one calibration gave 0.15, the next 1.0).
    const sharedMemory: Param = {
      candidates: MEMORY_GRID,
      max: 4,
      get: () => state.classes[gemmLike[0] as KernelClass]?.memory ?? 1,
      set: (v: number) => {
        for (const kind of gemmLike) (state.classes[kind] ??= { compute: 1, memory: 1 }).memory = v;
      },
    };
    const params: Param[] = [
      ...(['m', 'n', 'k'] as const).map((d) => ({ candidates: fine, get: () => half[d], set: (v: number) => void (half[d] = v) })),
      ...gemmLike.flatMap((kind) => classParams(kind, ['compute'])),
      sharedMemory,
    ];
    coordinateDescent(params, () => {
      const c = chip();
      return gemmLike.reduce((sum, kind) => sum + fitError(byClass.get(kind) ?? [], c), 0);
    });
  }

  // 3. Every other class on its own points: a full grid over (compute, memory), as the two trade
  // (a kernel slower than both roofs fits as compute-bound or as memory-bound), then refined.
  //    Each variant with enough points of its own (bandKey) is one of these keys, fitted on its points.
  //    Depthwise keys also get spatialHalf (a fixed cost per channel), searched around the grid.
  const others = [...byKey].filter(([key]) => key !== 'elementwise' && !(GEMM_LIKE as readonly string[]).includes(key));
  for (const [kind, pts] of others) {
    const [compute, memory] = classParams(kind);
    const entry = state.classes[kind] as { compute: number; memory: number; spatialHalf?: number };
    const halves = kind.startsWith('conv-depthwise') ? SPATIAL_HALF_GRID : [0];
    let best = { score: Infinity, compute: 1, memory: 1, half: 0 };
    for (const half of halves) {
      if (half > 0) entry.spatialHalf = half;
      else delete entry.spatialHalf;
      compute.set(1);
      memory.set(1);
      // Start from one roof (1, 1), so a multiplier that changes nothing (no FLOPs: data movement) stays 1.
      const start = fitError(pts, chip());
      if (start < best.score - 1e-12) best = { score: start, compute: 1, memory: 1, half };
      // Highest compute first: where it changes nothing (no FLOPs) the tie keeps the largest.
      for (const c of [...COMPUTE_GRID].reverse()) {
        compute.set(c);
        for (const m of MEMORY_GRID) {
          memory.set(m);
          const score = fitError(pts, chip());
          if (score < best.score - 1e-12) best = { score, compute: c, memory: m, half };
        }
      }
    }
    if (best.half > 0) entry.spatialHalf = best.half;
    else delete entry.spatialHalf;
    compute.set(best.compute);
    memory.set(best.memory);
    const params: Param[] = [compute, memory];
    if (best.half > 0) params.push({ candidates: logGrid(best.half / 2, best.half * 2, 13), get: () => entry.spatialHalf ?? 0, set: (v: number) => void (entry.spatialHalf = v) });
    coordinateDescent(params, () => fitError(pts, chip()));
  }
  return efficiencyOf(state, options.basis);
}

/** A variant needs this many points of its own to get its own figures and band (else its class's apply). */
export const MIN_VARIANT_POINTS = 3;

/** The key a point is fitted and banded under: its `class:variant` when the grid has enough such points, else its class. */
function bandKey(p: FitPoint, points: readonly FitPoint[]): string {
  const [specific] = efficiencyKeys(p.cost.kernel);
  if (specific === undefined || specific === p.kind) return p.kind;
  return points.filter((q) => efficiencyKeys(q.cost.kernel)[0] === specific).length >= MIN_VARIANT_POINTS ? specific : p.kind;
}

/** Folds of the held-out error bands: each point is predicted by a fit on the other three quarters. */
export const BAND_FOLDS = 4;

/**
 * Error bands per class from held-out points (K-fold cross-validation, K = BAND_FOLDS): each class's
 * points are dealt in turn into K folds (in grid order, so every fold spans the sizes); for each fold
 * the whole fit is made on the other folds and measured ÷ predicted read on the fold. The band is the
 * 10th and 90th percentile of those out-of-sample ratios, so it is not the fit's own residual on the
 * points it saw.
 */
export function heldOutBands(points: readonly FitPoint[], base: Chip, options: FitOptions, folds = BAND_FOLDS): Record<string, ErrorBand> {
  const foldOf = new Map<FitPoint, number>();
  const seen = new Map<string, number>();
  const keyOf = new Map(points.map((p) => [p, bandKey(p, points)]));
  for (const p of points) {
    const key = keyOf.get(p) ?? p.kind;
    const i = seen.get(key) ?? 0;
    seen.set(key, i + 1);
    foldOf.set(p, i % folds);
  }
  const ratios = new Map<string, number[]>();
  for (let fold = 0; fold < folds; fold++) {
    const train = points.filter((p) => foldOf.get(p) !== fold);
    const test = points.filter((p) => foldOf.get(p) === fold);
    if (train.length === 0 || test.length === 0) continue;
    const chip: Chip = { ...base, efficiency: fitEfficiency(train, base, { ...options, keyPoints: points }) };
    const predicted = predictAll(test, chip);
    test.forEach((p, i) => {
      const key = keyOf.get(p) ?? p.kind;
      ratios.set(key, [...(ratios.get(key) ?? []), p.seconds / predicted[i]]);
    });
  }
  const bands: Record<string, ErrorBand> = {};
  for (const [kind, values] of ratios) {
    const round = (x: number): number => Number(x.toPrecision(3));
    bands[kind] = { low: round(quantile(values, 0.1)), high: round(quantile(values, 0.9)), samples: values.length };
  }
  return bands;
}

export interface FitRow {
  /** A class, or `class:variant` for a variant with its own figures. */
  readonly kind: string;
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
  // A variant with its own figures is its own row; its points are not repeated in its class's row.
  const byClass = new Map<string, FitPoint[]>();
  for (const p of points) {
    const key = bandKey(p, points);
    byClass.set(key, [...(byClass.get(key) ?? []), p]);
  }
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
  for (const [key, c] of Object.entries(efficiency.classes ?? {})) if (c.spatialHalf) out.push(`${key} spatialHalf: ${num(c.spatialHalf)} output positions per channel (rate × p / (p + half))`);
  for (const c of efficiency.caches ?? []) out.push(`cache ${c.name} (${humanBytes(c.bytes)}): ${humanBandwidth(c.bandwidthGBs * BYTES_PER_GB)}`);
  return out.join('\n');
}
