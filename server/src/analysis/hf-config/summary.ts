import '../ops/index';
import { ModelAnalysis } from '../analyze';
import { Chip, PeakDtype } from '../cost/chips';
import { profileAnalysis, ProfileOptions } from '../cost/index';
import { PeakMode, peakDtypeBits } from '../cost/roofline';
import { Runtime } from '../cost/runtime';
import { ProfiledNode, ProfileResult } from '../cost/totals';
import { dataTypeBits, dataTypeName } from '../ir/dtype';
import { datasheetMemory, humanBytes } from '../../format/units';
import { inferModel } from '../shape/engine';
import { Diagnostic } from '../diagnostics';
import { buildPhaseModel, decodePastLength, PhaseModel } from './build/phase-model';
import { analyzeHfConfig, resolveDtype, servingPrecision } from './analyze-config';
import { deviceMemory, largestBatchThatFits, MemoryCheck, memoryCheck, MemoryLoad } from './serving/memory';
import { candidateLayouts, communication, Communication, Parallelism, rankConfig, resolveParallel, stageWeightBytes } from './serving/parallel';
import { Precision, precisionLabel } from './serving/precision';
import { tokenCost, TokenCost } from './token-cost';
import { HfProfileOptions, LlmConfig, Phase } from './types';

export type { MemoryCheck } from './serving/memory';

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

/**
 * The bound of most of a span's time: `overhead` when launch-bound kernels outweigh the other kinds,
 * `communication` when the collectives between GPUs do.
 */
export type PhaseBound = 'memory' | 'compute' | 'overhead' | 'communication';

/** Which of memory-bound, overhead-bound, communication and the rest (compute) holds the largest share of the time. */
export function phaseBound(memoryShare: number, overheadShare: number, communicationShare = 0): PhaseBound {
  const computeShare = 1 - memoryShare - overheadShare - communicationShare;
  if (communicationShare > memoryShare && communicationShare > overheadShare && communicationShare > computeShare) return 'communication';
  if (overheadShare > memoryShare && overheadShare > computeShare) return 'overhead';
  return memoryShare >= computeShare ? 'memory' : 'compute';
}

export interface PhaseFigures {
  readonly phase: Phase;
  readonly batch: number;
  /** New tokens per sequence in the run, and tokens already cached. */
  readonly seq: number;
  readonly past: number;
  /** Kernels plus collectives (one GPU's kernels; the collectives between GPUs are not overlapped with them). */
  readonly timeSeconds: number;
  /** The collectives' share of timeSeconds (0 on one GPU). */
  readonly communication: Communication;
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
  /** Weights, activations and KV cache: each tensor's type (serving/precision.ts), and the same for a lens. */
  readonly precision: string;
  readonly precisionShort: string;
  /** Bytes of all parameters as stored (n-bit weights with their scales): what the GPUs' memory must hold together. */
  readonly weightBytes: number;
  /** KV cache per token of context, all layers, all GPUs (null for encoders). */
  readonly kvBytesPerToken: number | null;
  /** How the model is spread over GPUs; `perGpu` is what each one holds. */
  readonly parallel: Parallelism & {
    readonly perGpu: { readonly weightBytes: number; readonly kvBytesPerToken: number | null };
    /** The interconnect the collectives are costed on (null on one GPU). */
    readonly link: string | null;
  };
  /** Fewest GPUs (TP within a node, then PP) whose per-GPU memory holds the weights, KV cache and activations at the batch and context; null when none up to 64 does. */
  readonly smallestFit: Parallelism | null;
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
  /** Decode at batch 1, 2, 4, … (past the ridge and where memory runs out): the serving curve. Empty when the ridge was not searched. */
  readonly sweep: readonly SweepPoint[];
  readonly memory: {
    /** Per GPU, at the requested batch, with the full context (prompt + generated) cached. */
    readonly atBatch: MemoryCheck;
    /** At the projections' compute-bound batch. */
    readonly atRidge: MemoryCheck | null;
    /** Largest batch whose weights + full-context KV cache + activations fit per GPU (0: the weights alone do not). */
    readonly maxBatchThatFits: number;
    /** Whether the device memory is the driver's figure (nvidia-smi) or the datasheet's GB. */
    readonly deviceMeasured: boolean;
    readonly utilization: number;
  };
  /** Cost per 1M tokens at `pricePerGpuHour` (absent when no price was given). */
  readonly cost?: TokenCost;
  readonly notes: string[];
  /** The options that could not be honoured (bad --tp, impossible dtype mix): the figures fall back and say so. */
  readonly errors: string[];
}

/** One decode batch of the sweep: the step's time, the tokens per second it makes, its bound, and whether its KV cache fits. */
export interface SweepPoint {
  readonly batch: number;
  readonly stepSeconds: number;
  readonly tokensPerSecond: number;
  readonly bound: PhaseBound;
  readonly fits: boolean;
}

const SWEEP_LIMIT = 4096;

/**
 * Batches 1, 2, 4, … up to twice the larger of the projections' compute-bound batch and the largest
 * batch that fits (at most SWEEP_LIMIT): enough to see tokens/s climb, flatten past the ridge, and
 * where the memory runs out.
 */
function decodeSweep(decodeAt: (batch: number) => ProfiledPhase | null, ridge: number | null, maxFit: number, point: (batch: number, p: ProfiledPhase) => { figures: PhaseFigures; fits: boolean }): SweepPoint[] {
  const end = Math.min(SWEEP_LIMIT, 2 * Math.max(ridge ?? 1, Number.isFinite(maxFit) ? maxFit : 1, 1));
  const out: SweepPoint[] = [];
  for (let batch = 1; batch <= end; batch *= 2) {
    const p = decodeAt(batch);
    if (p === null) continue;
    const { figures: f, fits } = point(batch, p);
    out.push({ batch, stepSeconds: f.timeSeconds, tokensPerSecond: f.tokensPerSecond, bound: f.bound, fits });
  }
  return out;
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

interface Serving {
  readonly precision: Precision;
  readonly parallel: Parallelism;
}

function profilePhase(config: LlmConfig, phase: Phase, options: SummaryOptions, profile: ProfileOptions, serving: Serving, batch = options.batch): ProfiledPhase | null {
  const built = buildPhaseModel(config, { phase, batch, prompt: options.prompt, generated: options.generated, attention: options.attention }, config.dtype, serving.precision, serving.parallel);
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

function figures(p: ProfiledPhase, phase: Phase, batch: number, comm: Communication): PhaseFigures {
  const t = p.result.totals;
  const time = t.timeSeconds + comm.seconds;
  const share = (seconds: number): number => (time > 0 ? seconds / time : 0);
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
    timeSeconds: time,
    communication: comm,
    fusedTimeSeconds: t.fusedTimeSeconds + comm.seconds,
    flops: t.flops,
    bytes: t.bytes,
    weightBytesRead,
    memoryBoundShare: share(t.memoryBoundShare * t.timeSeconds),
    bound: phaseBound(share(t.memoryBoundShare * t.timeSeconds), share(t.overheadBoundShare * t.timeSeconds), share(comm.seconds)),
    tokensPerSecond: time > 0 ? tokens / time : 0,
    layers,
    unmodelledNodes: t.unmodelledNodes,
  };
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

/** Live activation bytes of the prefill's largest kernel (its inputs and its output), per sequence. */
function activationBytesPerSequence(p: ProfiledPhase, batch: number): number {
  let largest = 0;
  for (const n of p.result.nodes) {
    if (!counted(n)) continue;
    const c = n.cost.cost;
    largest = Math.max(largest, (c.activationBytesRead + c.bytesWritten) * trafficScale(n));
  }
  return batch > 0 ? largest / batch : 0;
}

/**
 * KV bytes per token one rank holds over all layers: 2 tensors × layers × KV heads × head size in the
 * cache's type — the size of the past_key_values inputs the decode graph is built with, per position.
 */
function rankKvBytesPerToken(rank: LlmConfig, precision: Precision, servedBitsScale: number): number {
  return (2 * rank.layers * rank.kvHeads * rank.headDim * dataTypeBits(precision.kv) * servedBitsScale) / 8;
}

/**
 * Prefill and decode on `chip`, from config text or an already normalised config. Null when the
 * config cannot be analysed (its diagnostics say why: call analyzeHfConfig for them).
 */
export function summariseLlm(input: string | LlmConfig, chip: Chip, options: SummaryOptions): LlmSummary | null {
  let config: LlmConfig | null;
  let servedAs: PeakDtype | null = null;
  const diagnostics: Diagnostic[] = [];
  if (typeof input === 'string') {
    const analysed = analyzeHfConfig(input, { ...options, phase: 'prefill' });
    if (analysed.config === null || analysed.analysis === null) return null;
    config = analysed.config;
    servedAs = analysed.servedAs;
  } else {
    const resolved = resolveDtype(options.dtype, input.dtype, diagnostics);
    config = { ...input, dtype: resolved.storage };
    servedAs = resolved.servedAs;
  }
  const precision = servingPrecision(options, { storage: config.dtype, servedAs }, diagnostics);
  const parallel = resolveParallel(options, config, chip, diagnostics);
  const serving: Serving = { precision, parallel };
  const rank = rankConfig(config, parallel);
  const peakMode = options.peakMode ?? 'datasheet';
  const profile: ProfileOptions = { chip, peakMode, computeDtype: servedAs ?? undefined, runtime: options.runtime };
  const notes: string[] = [];
  const prefill = profilePhase(rank, 'prefill', options, profile, serving);
  if (prefill === null) return null;
  const decoder = config.kind === 'decoder';
  const decode = decoder ? profilePhase(rank, 'decode', options, profile, serving) : null;

  const storageBits = dataTypeBits(config.dtype);
  const servedBitsScale = servedAs !== null && servedAs !== 'tf32' ? peakDtypeBits(servedAs) / storageBits : 1;
  const activationBytes = (dataTypeBits(precision.activations) * servedBitsScale) / 8;
  const commOf = (batch: number, seq: number): Communication => communication({ cfg: config, parallel, chip, batch, seq, activationBytes });
  const prefillFigures = figures(prefill, 'prefill', options.batch, commOf(options.batch, prefill.built.seq));
  const decodeFigures = decode !== null ? figures(decode, 'decode', options.batch, commOf(options.batch, 1)) : null;

  // Whole model, and what one GPU holds (its rank's share, its stage's layers).
  const whole = parallel.gpus === 1 ? prefill.built : buildPhaseModel(config, { phase: 'decode', batch: 1, prompt: 1, generated: 0 }, config.dtype, precision);
  const weightBytes = whole.weightBytes.total * servedBitsScale;
  const stageShare = Math.ceil(config.layers / parallel.pp) / config.layers;
  const perGpuWeightBytes = stageWeightBytes(prefill.built.weightBytes, config.layers, parallel.pp, config.tiedEmbeddings) * servedBitsScale;
  const rankKv = decode !== null ? rankKvBytesPerToken(rank, precision, servedBitsScale) : null;
  const perGpuKv = rankKv === null ? null : rankKv * stageShare;
  const kvPerToken = rankKv === null ? null : rankKv * Math.min(parallel.tp, config.kvHeads);
  const activationsPerSequence = activationBytesPerSequence(prefill, options.batch);
  const memory = deviceMemory(chip, options.memoryUtilization);
  const load: MemoryLoad = { weightBytes: perGpuWeightBytes, kvBytesPerToken: perGpuKv ?? 0, activationBytesPerSequence: activationsPerSequence };
  const context = decoder ? options.prompt + options.generated : options.prompt;
  const maxBatchThatFits = largestBatchThatFits(memory, load, context);
  if (perGpuWeightBytes > memory.budgetBytes) notes.push(`the weights alone (${humanBytes(perGpuWeightBytes)}${parallel.gpus > 1 ? ' per GPU' : ''}) exceed the ${humanBytes(memory.budgetBytes)} a serving engine plans with on ${chip.name} (${Math.round(memory.utilization * 100)}% of ${humanBytes(memory.deviceBytes)}): it needs more GPUs (--tp/--pp) or narrower weights (--weights int4)`);
  if (!memory.measured) notes.push(`${chip.name}'s memory is taken as its datasheet ${datasheetMemory(chip.memoryGB)} (no nvidia-smi total sourced): the usable figure is somewhat lower`);
  const smallestFit = smallestLayout(config, chip, precision, servedBitsScale, memory, activationsPerSequence * parallel.tp, options.batch, context);

  let ridge: LlmSummary['ridge'] = null;
  let atRidge: MemoryCheck | null = null;
  let sweep: SweepPoint[] = [];
  if (decode !== null && options.searchRidge !== false) {
    const profiles = new Map<number, ProfiledPhase | null>([[options.batch, decode]]);
    const decodeAt = (batch: number): ProfiledPhase | null => {
      if (!profiles.has(batch)) profiles.set(batch, profilePhase(rank, 'decode', options, profile, serving, batch));
      return profiles.get(batch) ?? null;
    };
    const balances = new Map<number, { projections: boolean; step: boolean }>();
    const balanceAt = (batch: number): { projections: boolean; step: boolean } => {
      let found = balances.get(batch);
      if (found === undefined) {
        const p = decodeAt(batch);
        found = p === null ? { projections: false, step: false } : decodeBalance(p);
        balances.set(batch, found);
      }
      return found;
    };
    const projections = smallestBatch((b) => balanceAt(b).projections, 1, RIDGE_SEARCH_LIMIT);
    const step = smallestBatch((b) => balanceAt(b).step, projections ?? 1, RIDGE_SEARCH_LIMIT);
    ridge = { projectionsComputeBoundBatch: projections, stepComputeBoundBatch: step, searchedUpTo: RIDGE_SEARCH_LIMIT };
    if (projections !== null) atRidge = memoryCheck(memory, load, projections, context);
    sweep = decodeSweep(decodeAt, projections, maxBatchThatFits, (batch, p) => ({ figures: figures(p, 'decode', batch, commOf(batch, 1)), fits: memoryCheck(memory, load, batch, context).fits }));
    if (step === null) notes.push(`the whole decode step stays memory-bound up to batch ${RIDGE_SEARCH_LIMIT}: every sequence reads its own KV cache, so attention traffic grows with the batch as fast as the arithmetic does`);
  }
  if (config.experts !== null) notes.push(`mixture of experts: each step reads the weights of the expected number of distinct experts its ${options.batch} × tokens route to (uniform routing), all ${config.experts.count} are held in memory${parallel.ep > 1 ? ` (${config.experts.count / parallel.ep} per GPU under expert parallelism; the step waits for the busiest GPU)` : ''}`);
  if (decode !== null) notes.push(`decode is profiled at the middle step (position ${decodePastLength(options.prompt, options.generated)}): its time is the mean step time`);
  if (parallel.gpus > 1) notes.push(`${parallel.gpus} GPUs (TP ${parallel.tp}${parallel.pp > 1 ? `, PP ${parallel.pp}` : ''}${parallel.ep > 1 ? `, EP ${parallel.ep}` : ''}): each phase is one GPU's kernels plus the collectives between them, not overlapped${parallel.pp > 1 ? `; one batch passes the ${parallel.pp} stages in turn (its latency is their sum; ${parallel.pp} batches in flight would fill the pipeline)` : ''}`);

  const label = precisionLabel(precision);
  return {
    modelType: config.modelType,
    kind: config.kind,
    maxPositions: config.maxPositions,
    chip: chip.id,
    peakMode,
    dtype: dataTypeName(config.dtype),
    servedAs,
    precision: label.long,
    precisionShort: label.short,
    params: whole.params,
    activeParams: whole.activeParams,
    weightBytes,
    kvBytesPerToken: kvPerToken,
    parallel: { ...parallel, perGpu: { weightBytes: perGpuWeightBytes, kvBytesPerToken: perGpuKv }, link: parallel.gpus > 1 ? (chip.interconnect?.name ?? null) : null },
    smallestFit,
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
            kvBytesRead: (rankKv ?? 0) * options.batch * (decodeFigures.past + 1),
          },
    generationSeconds: decodeFigures === null ? null : prefillFigures.timeSeconds + options.generated * decodeFigures.timeSeconds,
    ...(options.pricePerGpuHour !== undefined ? { cost: tokenCost(options.pricePerGpuHour, parallel.gpus, options.batch, options.prompt, prefillFigures.timeSeconds, decodeFigures?.timeSeconds ?? null) } : {}),
    ridge,
    sweep,
    memory: { atBatch: memoryCheck(memory, load, options.batch, context), atRidge, maxBatchThatFits, deviceMeasured: memory.measured, utilization: memory.utilization },
    notes,
    errors: diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
  };
}

/**
 * The fewest GPUs whose per-GPU memory holds the model at this batch and context: for each layout in
 * order (candidateLayouts), one rank's weights (built, so n-bit scales and replicated KV heads count)
 * at its heaviest stage, its KV cache, and the activations (the one-GPU figure: an upper bound).
 */
function smallestLayout(config: LlmConfig, chip: Chip, precision: Precision, servedBitsScale: number, memory: ReturnType<typeof deviceMemory>, activationsPerSequence: number, batch: number, context: number): Parallelism | null {
  if (config.kind !== 'decoder') return null;
  for (const layout of candidateLayouts(config, chip)) {
    const rank = rankConfig(config, layout);
    const built = buildPhaseModel(rank, { phase: 'decode', batch: 1, prompt: 1, generated: 0 }, config.dtype, precision, layout);
    const stageShare = Math.ceil(config.layers / layout.pp) / config.layers;
    const load: MemoryLoad = {
      weightBytes: stageWeightBytes(built.weightBytes, config.layers, layout.pp, config.tiedEmbeddings) * servedBitsScale,
      kvBytesPerToken: rankKvBytesPerToken(rank, precision, servedBitsScale) * stageShare,
      activationBytesPerSequence: activationsPerSequence / layout.tp,
    };
    if (memoryCheck(memory, load, batch, context).fits) return layout;
  }
  return null;
}
