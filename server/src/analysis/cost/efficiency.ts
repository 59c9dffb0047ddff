import { BYTES_PER_GB, humanBandwidth, humanBytes } from '../../format/units';
import { EFFICIENCY_KEYS, efficiencyKeys, GemmDims, KernelClass, KernelShape } from './kernel-class';

/**
 * Per-op-class efficiency: the fraction of the roofs a kernel reaches, by its class and shape, in the
 * `achievable` peak mode (the `datasheet` mode stays the textbook roofline). See docs/cost-model.md
 * ("Efficiency"). Every figure lives in the chip's `efficiency` object (chips.json, a user chips file, or
 * `ridgepoint calibrate`) with its basis; nothing here is a tuned constant.
 *
 * - GEMMs and convolutions (as implicit GEMMs): on GPUs the output is cut into tiles, one thread block
 *   each, run in waves over the SMs (`computeUnits`): a GEMM whose tiles overhang its edges, or whose
 *   last wave is partly empty, wastes that share of the machine (NVIDIA, "Matrix Multiplication
 *   Background User's Guide": tile and wave quantisation). Matrix units also pad the channels (K) to
 *   their alignment. On CPUs, the calibrated `gemmHalf` fit: efficiency = Π d / (d + half_d).
 * - Classes: a compute and a memory multiplier per class (depthwise convs, reductions… run their own
 *   kernels, which reach their own fraction of the bandwidth).
 * - Caches (CPUs): a kernel whose bytes fit a cache level moves them at that level's bandwidth.
 */
export interface ClassEfficiency {
  readonly compute?: number;
  readonly memory?: number;
  /**
   * Depthwise convolutions: output positions per channel at which the kernel reaches half its class rate
   * (each channel is its own small convolution with a fixed setup cost): rate × p / (p + spatialHalf).
   */
  readonly spatialHalf?: number;
}

/** Measured ÷ predicted over an op class's calibration points: the 10th and 90th percentiles. */
export interface ErrorBand {
  readonly low: number;
  readonly high: number;
  readonly samples: number;
}

export interface CacheLevel {
  readonly name: string;
  readonly bytes: number;
  readonly bandwidthGBs: number;
}

export interface ChipEfficiency {
  /** GPU streaming multiprocessors (CUs on AMD): one GEMM tile each per wave. */
  readonly computeUnits?: number;
  /** Output tiles [m, n] the GEMM library picks from (the best-filling one is assumed). */
  readonly gemmTiles?: ReadonlyArray<readonly [number, number]>;
  /** CPUs: efficiency = Π d / (d + half_d) over the GEMM's m, n and k (a calibration fit). */
  readonly gemmHalf?: { readonly m: number; readonly n: number; readonly k: number };
  /** Matrix units pad K (a convolution's input channels per group) to a multiple of this. */
  readonly channelAlign?: number;
  /** Keyed by kernel class, or `class:variant` (cost/kernel-class.ts KERNEL_VARIANTS) for a sub-class's own figures. */
  readonly classes?: Readonly<Record<string, ClassEfficiency>>;
  /** Smallest first. */
  readonly caches?: readonly CacheLevel[];
  readonly errorBands?: Readonly<Record<string, ErrorBand>>;
  /** Where each figure comes from. */
  readonly basis: string;
}

export interface Efficiency {
  /** Multiplier on the peak FLOP rate (≤ 1). */
  readonly compute: number;
  /** Multiplier on the memory bandwidth (above 1 when the bytes fit a cache faster than DRAM). */
  readonly memory: number;
  /** Why, when the shape or class changes the rate (shown in the hover). */
  readonly notes: readonly string[];
}

export const FULL_EFFICIENCY: Efficiency = Object.freeze({ compute: 1, memory: 1, notes: Object.freeze([]) as readonly string[] });

/** A GEMM's share of the machine's matrix throughput, and why it is below 1. */
export function gemmEfficiency(dims: GemmDims, eff: ChipEfficiency, matrixUnits = true, vectorShare?: number): { value: number; why: string | null } {
  const tiled = tiledGemmEfficiency(dims, eff, matrixUnits);
  // A GEMM of at most GEMV_ROWS rows (decode's few tokens) is too thin for the matrix units' tiles: GPU
  // libraries run it as a GEMV on the vector units instead (cuBLAS's gemv and split-K kernels,
  // gpt-fast's and Marlin's int4 kernels), with no tile padding, at the vector rate: whichever is faster.
  if (vectorShare !== undefined && eff.gemmTiles !== undefined && dims.m <= GEMV_ROWS && vectorShare > tiled.value) return { value: vectorShare, why: `${dims.m}×${dims.n}×${dims.k}: too thin for ${matrixUnits ? 'the matrix units\' tiles' : 'tiles'}, run as a GEMV on the vector units (${pct(vectorShare)} of the matrix rate)` };
  return tiled;
}

/** Rows (tokens) up to which a GEMM may run as a GEMV: cuBLAS's gemv-like kernels cover small batches. */
const GEMV_ROWS = 16;

function tiledGemmEfficiency(dims: GemmDims, eff: ChipEfficiency, matrixUnits: boolean): { value: number; why: string | null } {
  // Only matrix units (Tensor Cores) pad K; CUDA-core and SIMD paths take any channel count.
  const align = matrixUnits ? (eff.channelAlign ?? 1) : 1;
  let alignShare = 1;
  if (align > 1) {
    const perGroup = dims.inChannelsPerGroup;
    const padded = perGroup !== undefined && perGroup > 0 ? Math.ceil(perGroup / align) * align * (dims.k / perGroup) : Math.ceil(dims.k / align) * align;
    alignShare = padded > 0 ? dims.k / padded : 1;
  }
  if (eff.computeUnits !== undefined && eff.gemmTiles !== undefined && eff.gemmTiles.length > 0) {
    const best = bestTile(dims, eff.computeUnits, eff.gemmTiles);
    const value = best.share * alignShare;
    const why = value >= 0.95 ? null : `${best.tiles} tile${best.tiles === 1 ? '' : 's'} of ${best.tile[0]}×${best.tile[1]} over ${eff.computeUnits} SMs: ${pct(best.share)} of the matrix units busy${alignShare < 1 ? `, K padded to ${align}: ${pct(alignShare)}` : ''}`;
    return { value, why };
  }
  if (eff.gemmHalf !== undefined) {
    const h = eff.gemmHalf;
    const share = saturation(dims.m, h.m) * saturation(dims.n, h.n) * saturation(dims.k, h.k);
    const value = share * alignShare;
    return { value, why: value >= 0.95 ? null : `GEMM ${dims.m}×${dims.n}×${dims.k}: ${pct(value)} of the calibrated GEMM rate (small dims)` };
  }
  return { value: alignShare, why: alignShare < 1 ? `K padded to ${align}: ${pct(alignShare)} of the matrix rate` : null };
}

/**
 * Tile and wave quantisation: for each tile shape, the useful share of the tiles' area times the
 * filled share of the last wave; the library is assumed to pick the best. When the tiles do not fill
 * one wave and K is long, libraries split K across blocks (split-K), counted here as extra tiles.
 *
 * A tile smaller than 64×64 reuses each loaded element fewer times (tm·tn/(tm+tn) multiply-adds per
 * element, 32 for 64×64), so shared memory rather than the matrix units limits its SM: it is counted
 * at reuse/32 of the SM's rate. (An assumption of this model, not a measured figure: on H100, 128 B per
 * clock of shared memory per SM (CUDA C++ Programming Guide, "Shared Memory": 32 banks of 4 bytes)
 * against ~3,790 dense FP16 FLOP per clock per SM needs ~30 FLOP per byte, which 64×64 tiles give.)
 */
function bestTile(dims: GemmDims, units: number, tiles: ReadonlyArray<readonly [number, number]>): { tile: readonly [number, number]; tiles: number; share: number } {
  let best = { tile: tiles[0]!, tiles: 0, share: 0 };
  for (const tile of tiles) {
    const [tm, tn] = tile;
    const rows = Math.ceil(dims.m / tm);
    const cols = Math.ceil(dims.n / tn);
    const count = Math.max(1, dims.batch) * rows * cols;
    const areaShare = (dims.m * dims.n) / (rows * tm * cols * tn);
    // Split-K only where each block still keeps a K slice of at least 256 (CUTLASS's smallest useful slice).
    const split = count < units ? Math.max(1, Math.min(Math.floor(dims.k / 256), Math.floor(units / count))) : 1;
    const blocks = count * split;
    const waves = blocks / units;
    const waveShare = waves / Math.ceil(waves);
    const reuse = (tm * tn) / (tm + tn);
    const share = areaShare * waveShare * Math.min(1, reuse / FULL_RATE_REUSE);
    if (share > best.share) best = { tile, tiles: blocks, share };
  }
  return best;
}

/** The reuse of a 64×64 tile: smaller tiles run at their reuse over this share of the SM's rate. */
const FULL_RATE_REUSE = 32;

/** d / (d + half): 1 for large d, ½ at d = half. */
function saturation(d: number, half: number): number {
  return half > 0 ? d / (d + half) : 1;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

const GEMM_LIKE: ReadonlySet<KernelClass> = new Set(['gemm', 'conv', 'conv-grouped']);

/**
 * The multipliers for one kernel: its class's, the GEMM shape's (GEMMs, dense and grouped convs), and
 * for CPUs the cache level its bytes fit. `dramBandwidth` is the bandwidth the roofline would use (B/s).
 */
export function efficiencyOf(kernel: KernelShape, bytes: number, eff: ChipEfficiency | undefined, dramBandwidth: number, matrixUnits = true, vectorShare?: number): Efficiency {
  if (eff === undefined) return FULL_EFFICIENCY;
  const notes: string[] = [];
  const key = efficiencyKeys(kernel).find((k) => eff.classes?.[k] !== undefined);
  const cls = key === undefined ? undefined : eff.classes?.[key];
  let compute = cls?.compute ?? 1;
  let memory = cls?.memory ?? 1;
  if (cls?.compute !== undefined && cls.compute < 0.95) notes.push(`${key} kernels reach ${pct(cls.compute)} of the peak on this chip`);
  if (cls?.memory !== undefined && cls.memory < 0.95) notes.push(`${key} kernels reach ${pct(cls.memory)} of the bandwidth on this chip`);
  if (kernel.kind === 'conv-depthwise' && kernel.gemm !== undefined && cls?.spatialHalf !== undefined && cls.spatialHalf > 0) {
    // The implicit GEMM of a depthwise conv has m = N·ΠO output positions per channel.
    const share = saturation(kernel.gemm.m, cls.spatialHalf);
    compute *= share;
    memory *= share;
    if (share < 0.95) notes.push(`${kernel.gemm.m} output positions per channel: ${pct(share)} of the depthwise rate (a fixed cost per channel)`);
  }
  if (GEMM_LIKE.has(kernel.kind) && kernel.gemm !== undefined) {
    const g = gemmEfficiency(kernel.gemm, eff, matrixUnits, matrixUnits ? vectorShare : undefined);
    compute *= g.value;
    if (g.why) notes.push(g.why);
  }
  const level = eff.caches?.find((c) => bytes <= c.bytes);
  if (level !== undefined && dramBandwidth > 0) {
    memory *= (level.bandwidthGBs * 1e9) / dramBandwidth;
    notes.push(`${humanBytes(bytes)} fit the ${level.name} (${humanBandwidth(level.bandwidthGBs * BYTES_PER_GB)})`);
  }
  return { compute, memory, notes };
}

/** Used when a chip has no calibrated band for a class: wide, and labelled as such where shown. */
export const UNCALIBRATED_BAND: ErrorBand = Object.freeze({ low: 0.5, high: 2, samples: 0 });

export function errorBandOf(kernel: KernelShape, eff: ChipEfficiency | undefined): ErrorBand {
  for (const key of efficiencyKeys(kernel)) {
    const band = eff?.errorBands?.[key];
    if (band !== undefined) return band;
  }
  return UNCALIBRATED_BAND;
}

// ---------------------------------------------------------------------------------------------
// Validation of a chips file's `efficiency` object (cost/chips.ts calls it).

const FIELDS = ['computeUnits', 'gemmTiles', 'gemmHalf', 'channelAlign', 'classes', 'caches', 'errorBands', 'basis'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Checks a chip's `efficiency` object; problems go to `fail(field, message)`; returns null when any. */
export function parseChipEfficiency(raw: unknown, fail: (field: string, message: string) => void): ChipEfficiency | null {
  if (!isObject(raw)) {
    fail('efficiency', 'must be an object { basis, classes, … } (docs/cost-model.md, "Efficiency")');
    return null;
  }
  let ok = true;
  const bad = (field: string, message: string): void => {
    ok = false;
    fail(`efficiency.${field}`, message);
  };
  for (const k of Object.keys(raw)) if (!FIELDS.includes(k)) bad(k, `unknown field (${FIELDS.join(', ')})`);
  if (typeof raw.basis !== 'string' || raw.basis.trim() === '') bad('basis', 'missing: say where the figures come from (a source, or the calibration that measured them)');
  if (raw.computeUnits !== undefined && !(positive(raw.computeUnits) && Number.isInteger(raw.computeUnits))) bad('computeUnits', 'must be a whole number of SMs/CUs > 0');
  if (raw.channelAlign !== undefined && !(positive(raw.channelAlign) && Number.isInteger(raw.channelAlign))) bad('channelAlign', 'must be a whole number of elements > 0');
  if (raw.gemmTiles !== undefined && !(Array.isArray(raw.gemmTiles) && raw.gemmTiles.every((t) => Array.isArray(t) && t.length === 2 && t.every((d) => positive(d) && Number.isInteger(d))))) bad('gemmTiles', 'must be a list of [m, n] tile sizes');
  if (raw.gemmHalf !== undefined && !(isObject(raw.gemmHalf) && ['m', 'n', 'k'].every((d) => typeof (raw.gemmHalf as Json)[d] === 'number' && ((raw.gemmHalf as Json)[d] as number) >= 0))) bad('gemmHalf', 'must be { m, n, k } with numbers ≥ 0');
  if (raw.classes !== undefined) {
    if (!isObject(raw.classes)) bad('classes', 'must be an object keyed by kernel class');
    else
      for (const [k, v] of Object.entries(raw.classes)) {
        if (!EFFICIENCY_KEYS.includes(k)) bad(`classes.${k}`, `unknown kernel class (${EFFICIENCY_KEYS.join(', ')})`);
        else if (!isObject(v) || Object.keys(v).some((f) => f !== 'compute' && f !== 'memory' && f !== 'spatialHalf')) bad(`classes.${k}`, 'must be { compute?, memory?, spatialHalf? }');
        else {
          if (v.spatialHalf !== undefined && !(typeof v.spatialHalf === 'number' && Number.isFinite(v.spatialHalf) && v.spatialHalf >= 0)) bad(`classes.${k}.spatialHalf`, 'must be a number of output positions ≥ 0');
          if (v.compute !== undefined && !(positive(v.compute) && v.compute <= 1)) bad(`classes.${k}.compute`, 'must be a fraction in (0, 1]');
          if (v.memory !== undefined && !(positive(v.memory) && v.memory <= 4)) bad(`classes.${k}.memory`, 'must be a multiplier in (0, 4] of the bandwidth');
        }
      }
  }
  if (raw.caches !== undefined) {
    if (!Array.isArray(raw.caches) || !raw.caches.every((c) => isObject(c) && typeof c.name === 'string' && positive(c.bytes) && positive(c.bandwidthGBs))) bad('caches', 'must be a list of { name, bytes, bandwidthGBs }, smallest first');
  }
  if (raw.errorBands !== undefined) {
    if (!isObject(raw.errorBands)) bad('errorBands', 'must be an object keyed by kernel class');
    else
      for (const [k, v] of Object.entries(raw.errorBands)) {
        if (!EFFICIENCY_KEYS.includes(k)) bad(`errorBands.${k}`, `unknown kernel class (${EFFICIENCY_KEYS.join(', ')})`);
        else if (!isObject(v) || !positive(v.low) || !positive(v.high) || (v.low as number) > (v.high as number) || typeof v.samples !== 'number') bad(`errorBands.${k}`, 'must be { low, high, samples } with 0 < low ≤ high (measured ÷ predicted)');
      }
  }
  if (!ok) return null;
  const caches = raw.caches as CacheLevel[] | undefined;
  return { ...(raw as unknown as ChipEfficiency), ...(caches ? { caches: [...caches].sort((a, b) => a.bytes - b.bytes) } : {}) };
}
