import { DataType, dataTypeBits, isFloatType } from '../ir/dtype';
import { Chip, PeakDtype } from './chips';
import { energyJoules, memoryPjPerByte } from './energy';
import { kernelOverheadSeconds, Runtime } from './runtime';
import { Efficiency, efficiencyOf, ErrorBand, errorBandOf, FULL_EFFICIENCY } from './efficiency';
import { KernelClass } from './kernel-class';

export type { Runtime } from './runtime';
import { NodeCost } from './model';
import { ExecutionUnit, OpCost } from './types';

/**
 * The roofline: for one node on one chip, attainable rate = min(peak of its unit and dtype,
 * intensity × bandwidth); time = max(FLOPs / peak, bytes / bandwidth) + a fixed per-kernel overhead.
 * See docs/cost-model.md ("Roofline").
 */
export type PeakMode = 'datasheet' | 'achievable';

export interface RooflineOptions {
  readonly chip: Chip;
  readonly peakMode: PeakMode;
  /** Run float arithmetic in this type instead of the model's (e.g. an fp32 model served in bf16). */
  readonly computeDtype?: PeakDtype;
  /** Absent: eager. */
  readonly runtime?: Runtime;
}

/** What bounds one kernel: `overhead` when the fixed per-kernel cost exceeds both its compute and its memory time. */
export type Bound = 'memory' | 'compute' | 'overhead' | 'none';

/**
 * The one rule for the verdict of a costed kernel (cost/launch-bound.ts applies the same to report
 * nodes): overhead-bound when the fixed cost is above both other parts, else the nearer roof.
 */
export function boundOf(computeSeconds: number, memorySeconds: number, overheadSeconds: number): 'memory' | 'compute' | 'overhead' {
  if (overheadSeconds > 0 && overheadSeconds > Math.max(computeSeconds, memorySeconds)) return 'overhead';
  return computeSeconds > memorySeconds ? 'compute' : 'memory';
}

export interface PeakChoice {
  readonly unit: ExecutionUnit;
  readonly dtype: PeakDtype;
  /** FLOP/s after the peak mode is applied. */
  readonly flopsPerSecond: number;
  /** Why this peak was chosen when it is not the obvious one (e.g. no int4 matrix units). */
  readonly note?: string;
}

export interface NodeTiming {
  readonly peak: PeakChoice | null;
  /** Bytes per second after the peak mode is applied. */
  readonly bandwidth: number;
  readonly bytes: number;
  /** FLOPs per byte; null when the node moves no bytes. */
  readonly intensity: number | null;
  /** The chip's ridge point for this node's unit and dtype, FLOP/byte. */
  readonly ridge: number | null;
  readonly attainableFlopsPerSecond: number | null;
  readonly computeSeconds: number;
  readonly memorySeconds: number;
  readonly overheadSeconds: number;
  /** One execution. */
  readonly timeSeconds: number;
  readonly bound: Bound;
  /** intensity / ridge: below 1 memory-bound, above 1 compute-bound. */
  readonly ridgeRatio: number | null;
  readonly energy: { readonly arithmetic: number; readonly memory: number };
  readonly notes: readonly string[];
  readonly kernelClass: KernelClass;
  /** Multipliers applied to the peak and the bandwidth (achievable mode; 1 and 1 in datasheet mode). */
  readonly efficiency: { readonly compute: number; readonly memory: number };
  /** The band of `timeSeconds` from the chip's calibration residuals for this class, one execution; null when not costed. */
  readonly range: { readonly low: number; readonly high: number; readonly calibrated: boolean } | null;
}

export function peakDtypeOf(dtype: DataType | null): PeakDtype | null {
  switch (dtype) {
    case DataType.DOUBLE:
      return 'fp64';
    case DataType.FLOAT:
      return 'fp32';
    case DataType.FLOAT16:
      return 'fp16';
    case DataType.BFLOAT16:
      return 'bf16';
    case DataType.FLOAT8E4M3FN:
    case DataType.FLOAT8E4M3FNUZ:
    case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0:
      return 'fp8';
    case DataType.INT8:
    case DataType.UINT8:
      return 'int8';
    case DataType.INT4:
    case DataType.UINT4:
    case DataType.INT2:
    case DataType.UINT2:
      return 'int4';
    case DataType.FLOAT4E2M1:
      return 'fp4';
    default:
      return null;
  }
}

const PEAK_BITS: Record<PeakDtype, number> = { fp64: 64, fp32: 32, tf32: 32, fp16: 16, bf16: 16, fp8: 8, int8: 8, int4: 4, fp4: 4 };

/**
 * Picks the peak for a unit and dtype. fp32 on the tensor unit uses the fp32 (non-tensor) rate unless
 * the user asks for tf32, as PyTorch and ONNX Runtime run fp32 GEMMs without TF32 by default. A dtype
 * the unit lacks falls back to the best slower path, and says so.
 */
export function choosePeak(unit: ExecutionUnit, dtype: PeakDtype | null, options: RooflineOptions): PeakChoice | null {
  if (unit === 'none') return null;
  const { chip } = options;
  const scale = (u: 'tensor' | 'vector'): number => (options.peakMode === 'achievable' ? ((u === 'tensor' ? chip.achievable.tensor : chip.achievable.vector) ?? 1) : 1);
  const pick = (u: 'tensor' | 'vector', d: PeakDtype): PeakChoice | null => {
    const tflops = chip.peaks[u][d];
    return tflops === undefined || tflops === null || tflops <= 0 ? null : { unit: u, dtype: d, flopsPerSecond: tflops * 1e12 * scale(u) };
  };
  const d = dtype ?? 'fp32';
  if (unit === 'tensor') {
    const direct = pick('tensor', d);
    if (direct) return direct;
    const vector = pick('vector', d);
    if (vector) return { ...vector, note: d === 'fp32' ? undefined : `${chip.name} has no ${d} matrix units: costed at the ${d} vector rate` };
    // Sub-byte weights are dequantised on the fly: the arithmetic runs at the 16-bit matrix rate.
    const wider = (['fp16', 'bf16', 'int8', 'fp32'] as const).map((w) => pick('tensor', w) ?? pick('vector', w)).find((p) => p !== null);
    return wider ? { ...wider, note: `${chip.name} has no ${d} units: costed at the ${wider.dtype} ${wider.unit} rate` } : null;
  }
  const direct = pick('vector', d);
  if (direct) return direct;
  const fp32 = pick('vector', 'fp32') ?? pick('tensor', 'fp32') ?? pick('tensor', 'bf16');
  return fp32 ? { ...fp32, note: d === 'fp32' ? undefined : `no published ${d} vector rate for ${chip.name}: costed at the ${fp32.dtype} rate` } : null;
}

/**
 * The arithmetic type a node runs in on this profile, and the factor its bytes are scaled by: `--dtype T`
 * serves float arithmetic in T and moves float traffic at T's width; a what-if that set
 * `arithmeticDtype` has already sized the traffic, so nothing is rescaled.
 */
export function servedAs(c: OpCost, options: RooflineOptions): { dtype: PeakDtype | null; trafficScale: number } {
  if (c.arithmeticDtype !== undefined) return { dtype: c.arithmeticDtype, trafficScale: 1 };
  const dtype = peakDtypeOf(c.dtype);
  if (options.computeDtype && c.dtype !== null && isFloatType(c.dtype) && dtype !== null && dtype !== options.computeDtype) {
    // Served in another float type: arithmetic at that type's peak, float traffic scaled by the width.
    return { dtype: options.computeDtype, trafficScale: PEAK_BITS[options.computeDtype] / dataTypeBits(c.dtype) };
  }
  return { dtype, trafficScale: 1 };
}

/** The arithmetic type a node runs in and the bytes it moves on this profile (`servedAs`'s scale applied). */
export function servedTraffic(c: OpCost, options: RooflineOptions): { dtype: PeakDtype | null; bytes: number } {
  const served = servedAs(c, options);
  return { dtype: served.dtype, bytes: (c.activationBytesRead + c.weightBytes + c.bytesWritten) * served.trafficScale };
}

/** Bits per element of each peak dtype (tf32 is stored as fp32). */
export function peakDtypeBits(dtype: PeakDtype): number {
  return PEAK_BITS[dtype];
}

/**
 * What `timeNode` needs from the chip and options, the same for every node of a profile: computed once
 * per profile (`profile` in totals.ts) instead of once per node, peaks memoised per unit and dtype.
 */
export interface RooflineConstants {
  readonly bandwidth: number;
  readonly overheadSeconds: number;
  /** The chip's memory energy per byte (cost/energy.ts). */
  readonly memoryPjPerByte: number;
  /** True in the achievable mode: per-op-class efficiencies apply (cost/efficiency.ts). */
  readonly shapeAware: boolean;
  peak(unit: ExecutionUnit, dtype: PeakDtype | null): PeakChoice | null;
}

export function rooflineConstants(options: RooflineOptions): RooflineConstants {
  const { chip } = options;
  const bwScale = options.peakMode === 'achievable' ? (chip.achievable.memoryBandwidth ?? 1) : 1;
  const peaks = new Map<ExecutionUnit, Map<PeakDtype | null, PeakChoice | null>>();
  return {
    bandwidth: chip.memoryBandwidthGBs * 1e9 * bwScale,
    overheadSeconds: kernelOverheadSeconds(chip, options.runtime ?? 'eager'),
    memoryPjPerByte: memoryPjPerByte(chip),
    shapeAware: options.peakMode === 'achievable' && chip.efficiency !== undefined,
    peak(unit, dtype) {
      let byDtype = peaks.get(unit);
      if (byDtype === undefined) peaks.set(unit, (byDtype = new Map()));
      let choice = byDtype.get(dtype);
      if (choice === undefined) byDtype.set(dtype, (choice = choosePeak(unit, dtype, options)));
      return choice;
    },
  };
}

/** What a costed kernel adds to the totals on one chip: `timeNode`'s figures without its notes and views. */
export interface KernelTime {
  readonly peak: PeakChoice | null;
  readonly efficiency: Efficiency;
  /** Peak × compute efficiency, FLOP/s (0 without a peak). */
  readonly flopsPerSecond: number;
  /** Bandwidth × memory efficiency, bytes/s. */
  readonly effectiveBandwidth: number;
  readonly computeSeconds: number;
  readonly memorySeconds: number;
  readonly overheadSeconds: number;
  /** One execution. */
  readonly timeSeconds: number;
  readonly bound: 'memory' | 'compute' | 'overhead';
  readonly energy: { readonly arithmetic: number; readonly memory: number };
}

/** True when a node runs a kernel the roofline times (modelled, not a container, not a view). */
export function isCostedKernel(cost: NodeCost): boolean {
  return cost.cost.modelled && !cost.container && cost.cost.unit !== 'none';
}

/**
 * The roofline of one costed kernel (`isCostedKernel`) that moves `bytes` with arithmetic in `dtype`
 * (`servedAs`): the single formula behind `timeNode` and the chip comparison's totals (cost/on-chips.ts).
 */
export function kernelTime(cost: NodeCost, dtype: PeakDtype | null, bytes: number, options: RooflineOptions, constants: RooflineConstants): KernelTime {
  const { chip } = options;
  const c = cost.cost;
  const bandwidth = constants.bandwidth;
  // Depthwise convolutions run as their own memory-bound kernels on the vector units, not as GEMMs on the matrix units.
  const unit = cost.kernel.kind === 'conv-depthwise' && constants.shapeAware ? 'vector' : c.unit;
  const peak = constants.peak(unit, dtype);
  // The vector units' rate for the same dtype, relative to the matrix units': a thin GEMM may run there (efficiency.ts).
  const vectorPeak = constants.shapeAware && peak?.unit === 'tensor' ? constants.peak('vector', dtype) : null;
  const vectorShare = vectorPeak && peak ? vectorPeak.flopsPerSecond / peak.flopsPerSecond : undefined;
  const efficiency: Efficiency = constants.shapeAware ? efficiencyOf(cost.kernel, bytes, chip.efficiency, bandwidth, peak?.unit === 'tensor', vectorShare) : FULL_EFFICIENCY;
  const flopsPerSecond = peak ? peak.flopsPerSecond * efficiency.compute : 0;
  const effectiveBandwidth = bandwidth * efficiency.memory;
  const computeSeconds = peak ? c.flops / flopsPerSecond : 0;
  const memorySeconds = bytes / effectiveBandwidth;
  const overheadSeconds = constants.overheadSeconds;
  return {
    peak,
    efficiency,
    flopsPerSecond,
    effectiveBandwidth,
    computeSeconds,
    memorySeconds,
    overheadSeconds,
    timeSeconds: Math.max(computeSeconds, memorySeconds) + overheadSeconds,
    bound: boundOf(computeSeconds, memorySeconds, overheadSeconds),
    energy: energyJoules(c.flops, peak?.dtype ?? dtype, bytes, chip, constants.memoryPjPerByte),
  };
}

export function timeNode(cost: NodeCost, options: RooflineOptions, constants: RooflineConstants = rooflineConstants(options)): NodeTiming {
  const c = cost.cost;
  const bandwidth = constants.bandwidth;
  const { dtype, bytes } = servedTraffic(c, options);
  const kernelClass = cost.kernel.kind;
  if (!isCostedKernel(cost)) {
    return { peak: null, bandwidth, bytes: c.unit === 'none' ? 0 : bytes, intensity: null, ridge: null, attainableFlopsPerSecond: null, computeSeconds: 0, memorySeconds: 0, overheadSeconds: 0, timeSeconds: 0, bound: 'none', ridgeRatio: null, energy: { arithmetic: 0, memory: 0 }, notes: [], kernelClass, efficiency: FULL_EFFICIENCY, range: null };
  }
  const k = kernelTime(cost, dtype, bytes, options, constants);
  const { peak, flopsPerSecond, effectiveBandwidth, timeSeconds } = k;
  const notes: string[] = [];
  if (peak?.note) notes.push(peak.note);
  notes.push(...k.efficiency.notes);
  const intensity = bytes > 0 ? c.flops / bytes : null;
  const ridge = peak ? flopsPerSecond / effectiveBandwidth : null;
  const attainable = peak ? (intensity === null ? flopsPerSecond : Math.min(flopsPerSecond, intensity * effectiveBandwidth)) : null;
  const band: ErrorBand = errorBandOf(cost.kernel, options.chip.efficiency);
  return {
    peak,
    bandwidth,
    bytes,
    intensity,
    ridge,
    attainableFlopsPerSecond: attainable,
    computeSeconds: k.computeSeconds,
    memorySeconds: k.memorySeconds,
    overheadSeconds: k.overheadSeconds,
    timeSeconds,
    bound: k.bound,
    ridgeRatio: intensity !== null && ridge ? intensity / ridge : null,
    energy: k.energy,
    notes,
    kernelClass,
    efficiency: { compute: k.efficiency.compute, memory: k.efficiency.memory },
    range: { low: timeSeconds * band.low, high: timeSeconds * band.high, calibrated: band.samples > 0 },
  };
}
