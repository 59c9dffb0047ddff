import '../ops/index';
import { ModelAnalysis } from '../analyze';
import { Chip, PeakDtype } from '../cost/chips';
import { profileAnalysis, ProfileOptions } from '../cost/index';
import { PeakMode, peakDtypeBits } from '../cost/roofline';
import { Runtime } from '../cost/runtime';
import { ProfiledNode, ProfileResult } from '../cost/totals';
import { dataTypeBits, dataTypeName } from '../ir/dtype';
import { inferModel } from '../shape/engine';
import { buildPhaseModel, decodePastLength, PhaseModel } from './build/phase-model';
import { analyzeHfConfig, resolveDtype } from './analyze-config';
import { tokenCost, TokenCost } from './token-cost';
import { HfProfileOptions, LlmConfig, Phase } from './types';

/**
 * The LLM view of a config on a chip: prefill and decode each built as a graph and profiled by the
 * unchanged cost model (profileAnalysis), then read back as serving numbers. Nothing here has its
 * own cost formula: times, bytes and bounds are sums over the profiled nodes.
 */
export interface LayerRoofline {
  readonly layer: number;
  readonly timeSeconds: number;
  readonly flops: number;
  readonly bytes: number;
  /** FLOP per byte over the layer. */
  readonly intensity: number;
  /** Share of the layer's time in memory-bound ops. */
  readonly memoryBoundShare: number;
  readonly bound: PhaseBound;
}

/** The bound of most of a span's time: `overhead` when launch-bound kernels outweigh both other kinds. */
export type PhaseBound = 'memory' | 'compute' | 'overhead';

/** Which of memory-bound, overhead-bound and the rest (compute) holds the largest share of the time. */
export function phaseBound(memoryShare: number, overheadShare: number): PhaseBound {
  const computeShare = 1 - memoryShare - overheadShare;
  if (overheadShare > memoryShare && overheadShare > computeShare) return 'overhead';
  return memoryShare >= computeShare ? 'memory' : 'compute';
}

export interface PhaseFigures {
  readonly phase: Phase;
  readonly batch: number;
  /** New tokens per sequence in the run, and tokens already cached. */
  readonly seq: number;
  readonly past: number;
  readonly timeSeconds: number;
  /** The same run with elementwise chains fused into their producers (the report's fused view). */
  readonly fusedTimeSeconds: number;
  readonly flops: number;
  readonly bytes: number;
  readonly weightBytesRead: number;
  readonly memoryBoundShare: number;
  readonly bound: PhaseBound;
  /** Tokens processed per second over the batch. */
  readonly tokensPerSecond: number;
  readonly layers: readonly LayerRoofline[];
  readonly unmodelledNodes: number;
}

export interface MemoryCheck {
  readonly capacityBytes: number;
  readonly weightBytes: number;
  readonly batch: number;
  readonly contextTokens: number;
  readonly kvCacheBytes: number;
  readonly totalBytes: number;
  readonly fits: boolean;
}

export interface LlmSummary {
  readonly modelType: string;
  readonly kind: 'decoder' | 'encoder';
  /** max_position_embeddings (n_positions): the longest context the model was trained for. */
  readonly maxPositions: number;
  readonly chip: string;
  readonly peakMode: PeakMode;
  /** Storage type, and the serving type when it differs (int8/int4/fp4/tf32). */
  readonly dtype: string;
  readonly servedAs: PeakDtype | null;
  readonly params: number;
  readonly activeParams: number;
  /** Bytes of all parameters at the served width: what the chip's memory must hold. */
  readonly weightBytes: number;
  /** KV cache per token of context, all layers (null for encoders). */
  readonly kvBytesPerToken: number | null;
  readonly batch: number;
  readonly prompt: number;
  readonly generated: number;
  readonly prefill: PhaseFigures & { readonly timeToFirstTokenSeconds: number };
  readonly decode: (PhaseFigures & { readonly timePerTokenSeconds: number; readonly weightBytesPerToken: number; readonly kvBytesRead: number }) | null;
  /** TTFT + generated × mean decode step. */
  readonly generationSeconds: number | null;
  readonly ridge: {
    /** Smallest decode batch at which the weight-bearing MatMuls are compute-bound in sum; null = not within searchedUpTo. */
    readonly projectionsComputeBoundBatch: number | null;
    /** Smallest decode batch at which the whole step's arithmetic time exceeds its memory time; null = not within searchedUpTo. */
    readonly stepComputeBoundBatch: number | null;
    readonly searchedUpTo: number;
  } | null;
  readonly memory: {
    /** At the requested batch, with the full context (prompt + generated) cached. */
    readonly atBatch: MemoryCheck;
    /** At the projections' compute-bound batch. */
    readonly atRidge: MemoryCheck | null;
    /** Largest batch whose weights + full-context KV cache fit (0: the weights alone do not). */
    readonly maxBatchThatFits: number;
  };
  /** Cost per 1M tokens at `pricePerGpuHour` (absent when no price was given). */
  readonly cost?: TokenCost;
  readonly notes: string[];
}

export interface SummaryOptions extends HfProfileOptions {
  readonly peakMode?: PeakMode;
  /** How kernels are issued (cost/runtime.ts); absent: eager. */
  readonly runtime?: Runtime;
  /** Search the compute-bound decode batch (about 30 re-profiles); default true. Hovers turn it off. */
  readonly searchRidge?: boolean;
}

const RIDGE_SEARCH_LIMIT = 65_536;
const MATMULS = new Set(['MatMul', 'Gemm']);

interface ProfiledPhase {
  readonly built: PhaseModel;
  readonly analysis: ModelAnalysis;
  readonly result: ProfileResult;
}

function profilePhase(config: LlmConfig, phase: Phase, options: SummaryOptions, profile: ProfileOptions, batch = options.batch): ProfiledPhase | null {
  const built = buildPhaseModel(config, { phase, batch, prompt: options.prompt, generated: options.generated }, config.dtype);
  const inference = inferModel(built.model);
  const analysis: ModelAnalysis = { model: built.model, inference, diagnostics: inference.diagnostics };
  const profiled = profileAnalysis(analysis, profile);
  return profiled === null ? null : { built, analysis, result: profiled.result };
}

/** Bytes actually moved per raw byte counted (the serving dtype rescales float traffic). */
function trafficScale(n: ProfiledNode): number {
  const c = n.cost.cost;
  const raw = c.activationBytesRead + c.weightBytes + c.bytesWritten;
  return raw > 0 ? n.timing.bytes / raw : 1;
}

function counted(n: ProfiledNode): boolean {
  return n.counted && n.cost.cost.modelled && !n.cost.container && n.cost.cost.unit !== 'none';
}

function figures(p: ProfiledPhase, phase: Phase, batch: number): PhaseFigures {
  const t = p.result.totals;
  let weightBytesRead = 0;
  const perLayer = new Map<number, { time: number; flops: number; bytes: number; memoryTime: number; overheadTime: number }>();
  for (const n of p.result.nodes) {
    if (!counted(n)) continue;
    weightBytesRead += n.cost.cost.weightBytes * trafficScale(n) * n.cost.executions;
    const layer = p.built.layerOf.get(n.cost.record.node.name);
    if (layer === undefined) continue;
    const row = perLayer.get(layer) ?? { time: 0, flops: 0, bytes: 0, memoryTime: 0, overheadTime: 0 };
    row.time += n.timing.timeSeconds;
    row.flops += n.cost.cost.flops;
    row.bytes += n.timing.bytes;
    if (n.timing.bound === 'memory') row.memoryTime += n.timing.timeSeconds;
    else if (n.timing.bound === 'overhead') row.overheadTime += n.timing.timeSeconds;
    perLayer.set(layer, row);
  }
  const layers = [...perLayer].sort((a, b) => a[0] - b[0]).map(([layer, r]): LayerRoofline => {
    const share = r.time > 0 ? r.memoryTime / r.time : 0;
    return { layer, timeSeconds: r.time, flops: r.flops, bytes: r.bytes, intensity: r.bytes > 0 ? r.flops / r.bytes : 0, memoryBoundShare: share, bound: phaseBound(share, r.time > 0 ? r.overheadTime / r.time : 0) };
  });
  const tokens = batch * p.built.seq;
  return {
    phase,
    batch,
    seq: p.built.seq,
    past: p.built.past,
    timeSeconds: t.timeSeconds,
    fusedTimeSeconds: t.fusedTimeSeconds,
    flops: t.flops,
    bytes: t.bytes,
    weightBytesRead,
    memoryBoundShare: t.memoryBoundShare,
    bound: phaseBound(t.memoryBoundShare, t.overheadBoundShare),
    tokensPerSecond: t.timeSeconds > 0 ? tokens / t.timeSeconds : 0,
    layers,
    unmodelledNodes: t.unmodelledNodes,
  };
}

/** KV cache bytes per token of context, read off the decode graph's past_key_values inputs. */
function kvBytesPerTokenOf(p: ProfiledPhase, batch: number, servedBitsScale: number): number {
  let bytes = 0;
  for (const v of p.analysis.inference?.graphInputs ?? []) {
    if (!v.name.startsWith('past_key_values.') || v.type?.kind !== 'tensor' || v.type.shape === null || v.type.dtype === null) continue;
    const elements = v.type.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 0), 1);
    bytes += (elements * dataTypeBits(v.type.dtype)) / 8;
  }
  const positions = batch * (p.built.past + p.built.seq);
  return positions > 0 ? (bytes / positions) * servedBitsScale : 0;
}

/** Compute vs memory seconds of a decode step: over the weight-bearing MatMuls, and over everything. */
function decodeBalance(p: ProfiledPhase): { projections: boolean; step: boolean } {
  let projCompute = 0;
  let projMemory = 0;
  let compute = 0;
  let memory = 0;
  for (const n of p.result.nodes) {
    if (!counted(n)) continue;
    compute += n.timing.computeSeconds;
    memory += n.timing.memorySeconds;
    if (MATMULS.has(n.cost.record.node.opType) && n.cost.cost.weightBytes > 0) {
      projCompute += n.timing.computeSeconds;
      projMemory += n.timing.memorySeconds;
    }
  }
  return { projections: projCompute >= projMemory && projCompute > 0, step: compute >= memory && compute > 0 };
}

/**
 * Smallest batch for which `test` holds, re-profiling the decode step at each candidate: doubling,
 * then bisection (the balance moves monotonically with the batch: arithmetic grows with it, weight
 * traffic does not).
 */
function smallestBatch(test: (batch: number) => boolean, from: number, limit: number): number | null {
  if (test(from)) return from;
  let low = from;
  let high = from * 2;
  while (high <= limit && !test(high)) {
    low = high;
    high *= 2;
  }
  if (high > limit) return null;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (test(mid)) high = mid;
    else low = mid;
  }
  return high;
}

function memoryCheck(capacityBytes: number, weightBytes: number, kvPerToken: number, batch: number, contextTokens: number): MemoryCheck {
  const kvCacheBytes = kvPerToken * batch * contextTokens;
  const totalBytes = weightBytes + kvCacheBytes;
  return { capacityBytes, weightBytes, batch, contextTokens, kvCacheBytes, totalBytes, fits: totalBytes <= capacityBytes };
}

/**
 * Prefill and decode on `chip`, from config text or an already normalised config. Null when the
 * config cannot be analysed (its diagnostics say why: call analyzeHfConfig for them).
 */
export function summariseLlm(input: string | LlmConfig, chip: Chip, options: SummaryOptions): LlmSummary | null {
  let config: LlmConfig | null;
  let servedAs: PeakDtype | null = null;
  if (typeof input === 'string') {
    const analysed = analyzeHfConfig(input, { ...options, phase: 'prefill' });
    if (analysed.config === null || analysed.analysis === null) return null;
    config = analysed.config;
    servedAs = analysed.servedAs;
  } else {
    const resolved = resolveDtype(options.dtype, input.dtype, []);
    config = { ...input, dtype: resolved.storage };
    servedAs = resolved.servedAs;
  }
  const peakMode = options.peakMode ?? 'datasheet';
  const profile: ProfileOptions = { chip, peakMode, computeDtype: servedAs ?? undefined, runtime: options.runtime };
  const notes: string[] = [];
  const prefill = profilePhase(config, 'prefill', options, profile);
  if (prefill === null) return null;
  const decoder = config.kind === 'decoder';
  const decode = decoder ? profilePhase(config, 'decode', options, profile) : null;

  const storageBits = dataTypeBits(config.dtype);
  const servedBitsScale = servedAs !== null && servedAs !== 'tf32' ? peakDtypeBits(servedAs) / storageBits : 1;
  const weightBytes = (prefill.built.params * storageBits * servedBitsScale) / 8;
  const kvPerToken = decode !== null ? kvBytesPerTokenOf(decode, options.batch, servedBitsScale) : null;
  const prefillFigures = figures(prefill, 'prefill', options.batch);
  const decodeFigures = decode !== null ? figures(decode, 'decode', options.batch) : null;
  const capacityBytes = chip.memoryGB * 1e9;
  const context = decoder ? options.prompt + options.generated : options.prompt;
  const perSequence = (kvPerToken ?? 0) * context;
  const maxBatchThatFits = weightBytes > capacityBytes ? 0 : perSequence > 0 ? Math.floor((capacityBytes - weightBytes) / perSequence) : Infinity;
  if (weightBytes > capacityBytes) notes.push(`the weights alone (${(weightBytes / 1e9).toFixed(1)} GB) exceed ${chip.name}'s ${chip.memoryGB} GB: it needs several chips (tensor parallelism) or a smaller dtype`);

  let ridge: LlmSummary['ridge'] = null;
  let atRidge: MemoryCheck | null = null;
  if (decode !== null && options.searchRidge !== false) {
    const cache = new Map<number, { projections: boolean; step: boolean }>();
    const balanceAt = (batch: number): { projections: boolean; step: boolean } => {
      let found = cache.get(batch);
      if (found === undefined) {
        const p = batch === options.batch ? decode : profilePhase(config, 'decode', options, profile, batch);
        found = p === null ? { projections: false, step: false } : decodeBalance(p);
        cache.set(batch, found);
      }
      return found;
    };
    const projections = smallestBatch((b) => balanceAt(b).projections, 1, RIDGE_SEARCH_LIMIT);
    const step = smallestBatch((b) => balanceAt(b).step, projections ?? 1, RIDGE_SEARCH_LIMIT);
    ridge = { projectionsComputeBoundBatch: projections, stepComputeBoundBatch: step, searchedUpTo: RIDGE_SEARCH_LIMIT };
    if (projections !== null) atRidge = memoryCheck(capacityBytes, weightBytes, kvPerToken ?? 0, projections, context);
    if (step === null) notes.push(`the whole decode step stays memory-bound up to batch ${RIDGE_SEARCH_LIMIT}: every sequence reads its own KV cache, so attention traffic grows with the batch as fast as the arithmetic does`);
  }
  if (config.experts !== null) notes.push(`mixture of experts: each step reads the weights of the expected number of distinct experts its ${options.batch} × tokens route to (uniform routing), all ${config.experts.count} are held in memory`);
  if (decode !== null) notes.push(`decode is profiled at the middle step (position ${decodePastLength(options.prompt, options.generated)}): its time is the mean step time`);

  return {
    modelType: config.modelType,
    kind: config.kind,
    maxPositions: config.maxPositions,
    chip: chip.id,
    peakMode,
    dtype: dataTypeName(config.dtype),
    servedAs,
    params: prefill.built.params,
    activeParams: prefill.built.activeParams,
    weightBytes,
    kvBytesPerToken: kvPerToken,
    batch: options.batch,
    prompt: options.prompt,
    generated: decoder ? options.generated : 0,
    prefill: { ...prefillFigures, timeToFirstTokenSeconds: prefillFigures.timeSeconds },
    decode:
      decodeFigures === null
        ? null
        : {
            ...decodeFigures,
            timePerTokenSeconds: decodeFigures.timeSeconds,
            weightBytesPerToken: decodeFigures.weightBytesRead / options.batch,
            kvBytesRead: (kvPerToken ?? 0) * options.batch * (decodeFigures.past + 1),
          },
    generationSeconds: decodeFigures === null ? null : prefillFigures.timeSeconds + options.generated * decodeFigures.timeSeconds,
    ...(options.pricePerGpuHour !== undefined ? { cost: tokenCost(options.pricePerGpuHour, 1, options.batch, options.prompt, prefillFigures.timeSeconds, decodeFigures?.timeSeconds ?? null) } : {}),
    ridge,
    memory: { atBatch: memoryCheck(capacityBytes, weightBytes, kvPerToken ?? 0, options.batch, context), atRidge, maxBatchThatFits },
    notes,
  };
}

