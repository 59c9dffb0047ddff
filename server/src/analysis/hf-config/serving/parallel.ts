import { Chip } from '../../cost/chips';
import { allGatherSeconds, allReduceSeconds, Link, sendSeconds } from '../../cost/interconnect';
import { Diagnostic } from '../../diagnostics';
import { LlmConfig } from '../types';

/**
 * Multi-GPU serving of a decoder LLM, as vLLM and TensorRT-LLM shard it (Megatron-LM's scheme):
 *
 * - Tensor parallelism (TP = N): q/k/v and gate/up are split by output columns, o and down by input
 *   rows, so each GPU holds 1/N of every layer's projections and heads (KV heads too; when there are
 *   fewer KV heads than GPUs each GPU keeps one, replicated, as vLLM does). The embedding and lm_head
 *   are split by vocabulary rows. Each layer then needs one all-reduce of the hidden states after
 *   attention and one after the MLP (one in all for parallel-residual families, whose two branches
 *   are summed before it); the vocabulary-parallel embedding one more, and the logits an all-gather.
 * - Expert parallelism (EP, over the TP group, as vLLM's --enable-expert-parallel): each GPU holds E/EP
 *   whole experts instead of 1/N of each; the MoE block's all-reduce becomes two all-to-alls
 *   (dispatch and combine) of the routed token slots.
 * - Pipeline parallelism (PP = P): the layers are cut into P stages of ⌈L/P⌉; a run passes through
 *   the stages in turn, with one point-to-point send of the hidden states between stages. One batch's
 *   latency is the sum of the stages (plus the sends); several batches in flight fill the pipeline.
 *
 * The per-GPU work is an ordinary graph of one rank (`rankConfig`) profiled by the unchanged cost
 * model; the collectives are costed on the chip's interconnect (cost/interconnect.ts) and added to it
 * (serving engines issue them between the kernels, not overlapped with them).
 */
export interface ParallelOptions {
  readonly tp?: number;
  readonly pp?: number;
  readonly ep?: number;
}

export interface Parallelism {
  readonly tp: number;
  readonly pp: number;
  readonly ep: number;
  readonly gpus: number;
}

export const SINGLE_GPU: Parallelism = { tp: 1, pp: 1, ep: 1, gpus: 1 };

const MAX_DEGREE = 1024;

function powerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** Why `tp` cannot shard this config (heads and widths must split evenly), or null when it can. */
export function tpProblem(cfg: LlmConfig, tp: number): string | null {
  if (tp === 1) return null;
  if (cfg.heads % tp !== 0) return `${cfg.heads} attention heads do not split over ${tp} GPUs`;
  if (cfg.kvHeads % tp !== 0 && tp % cfg.kvHeads !== 0) return `${cfg.kvHeads} KV heads neither split over nor replicate evenly across ${tp} GPUs`;
  if (cfg.intermediate % tp !== 0) return `the MLP width ${cfg.intermediate} does not split over ${tp} GPUs`;
  return null;
}

/**
 * The parallel layout the options ask for, checked against the config and chip; errors (not located in
 * the config: they are the caller's flags) fall back to one GPU.
 */
export function resolveParallel(options: ParallelOptions, cfg: LlmConfig, chip: Chip, diagnostics: Diagnostic[]): Parallelism {
  const tp = options.tp ?? 1;
  const pp = options.pp ?? 1;
  const ep = options.ep ?? 1;
  if (tp === 1 && pp === 1 && ep === 1) return SINGLE_GPU;
  const fail = (message: string): Parallelism => {
    diagnostics.push({ severity: 'error', code: 'hf.bad-option', message: `${message}; profiled on one GPU` });
    return SINGLE_GPU;
  };
  for (const [name, v] of [
    ['tp', tp],
    ['pp', pp],
    ['ep', ep],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_DEGREE) return fail(`--${name} must be a whole number from 1 to ${MAX_DEGREE}, got ${v}`);
  }
  if (cfg.kind !== 'decoder') return fail(`parallelism is modelled for decoder LLMs; ${cfg.modelType} is an encoder`);
  if (chip.interconnect === undefined) return fail(`${chip.name} has no sourced interconnect figures (chips.json "interconnect"), so its collectives cannot be costed`);
  if (!powerOfTwo(tp)) return fail(`--tp must be a power of two, got ${tp}`);
  if (tp > chip.interconnect.gpusPerNode) return fail(`--tp ${tp} exceeds the ${chip.interconnect.gpusPerNode} GPUs one ${chip.interconnect.name} node connects; use --pp across nodes`);
  const tpIssue = tpProblem(cfg, tp);
  if (tpIssue !== null) return fail(`--tp ${tp}: ${tpIssue}`);
  if (pp > cfg.layers) return fail(`--pp ${pp} exceeds the ${cfg.layers} layers`);
  if (tp * pp > chip.interconnect.gpusPerNode && chip.interconnect.interNode === undefined) return fail(`${tp * pp} GPUs span several nodes and ${chip.name} has no inter-node link figures`);
  if (ep > 1) {
    if (cfg.experts === null) return fail(`--ep ${ep}: ${cfg.modelType} has no experts`);
    if (ep !== tp) return fail(`--ep must equal --tp: expert parallelism is modelled over the tensor-parallel group (vLLM's --enable-expert-parallel); got --tp ${tp} --ep ${ep}`);
    if (cfg.experts.count % ep !== 0) return fail(`--ep ${ep}: ${cfg.experts.count} experts do not split evenly`);
  }
  return { tp, pp, ep, gpus: tp * pp };
}

/** The config of one tensor-parallel rank: its heads, MLP width (experts' too unless EP holds them whole) and vocabulary slice. */
export function rankConfig(cfg: LlmConfig, p: Parallelism): LlmConfig {
  if (p.tp === 1) return cfg;
  return {
    ...cfg,
    heads: cfg.heads / p.tp,
    kvHeads: Math.max(1, cfg.kvHeads / p.tp),
    intermediate: cfg.experts !== null && p.ep > 1 ? cfg.intermediate : cfg.intermediate / p.tp,
    vocab: Math.ceil(cfg.vocab / p.tp),
  };
}

export interface CollectiveTerm {
  readonly what: string;
  /** How many per run (layers × per layer). */
  readonly count: number;
  /** Bytes of one message. */
  readonly bytes: number;
  readonly seconds: number;
}

export interface Communication {
  readonly seconds: number;
  readonly terms: readonly CollectiveTerm[];
}

export interface CommunicationInput {
  readonly cfg: LlmConfig;
  readonly parallel: Parallelism;
  readonly chip: Chip;
  /** Sequences and new tokens per sequence in the run. */
  readonly batch: number;
  readonly seq: number;
  /** Bytes per activation element. */
  readonly activationBytes: number;
}

/** The collectives of one run (a prefill or one decode step) and their time on the chip's links. */
export function communication(input: CommunicationInput): Communication {
  const { cfg, parallel, chip, batch, seq, activationBytes } = input;
  const link = chip.interconnect;
  if (link === undefined || parallel.gpus === 1) return { seconds: 0, terms: [] };
  const terms: CollectiveTerm[] = [];
  const add = (what: string, count: number, bytes: number, seconds: number): void => {
    if (count > 0 && bytes > 0) terms.push({ what, count, bytes, seconds: count * seconds });
  };
  const hiddenBytes = batch * seq * cfg.hidden * activationBytes;
  if (parallel.tp > 1) {
    const n = parallel.tp;
    const parallelResidual = cfg.residual === 'parallel-shared-norm' || cfg.residual === 'parallel-two-norms';
    const moeByExperts = cfg.experts !== null && parallel.ep > 1;
    const perLayer = parallelResidual ? 1 : moeByExperts ? 1 : 2;
    add(`all-reduce of the hidden states (${perLayer} per layer${moeByExperts ? ', after attention' : parallelResidual ? ', attention and MLP summed' : ', after attention and after the MLP'})`, cfg.layers * perLayer, hiddenBytes, allReduceSeconds(link, hiddenBytes, n));
    if (moeByExperts && cfg.experts !== null) {
      const slotBytes = batch * seq * cfg.experts.perToken * cfg.hidden * activationBytes;
      add('all-to-all of the routed token slots (dispatch and combine, per layer)', cfg.layers * 2, slotBytes, allGatherSeconds(link, slotBytes, n));
    }
    add('all-reduce of the vocabulary-parallel embedding', 1, hiddenBytes, allReduceSeconds(link, hiddenBytes, n));
    const logitBytes = batch * cfg.vocab * activationBytes;
    add('all-gather of the logits (last position)', 1, logitBytes, allGatherSeconds(link, logitBytes, n));
  }
  if (parallel.pp > 1) {
    const stageLink = stageLinkOf(parallel, link);
    add(`send of the hidden states between pipeline stages (${stageLink.name})`, parallel.pp - 1, hiddenBytes, sendSeconds(stageLink, hiddenBytes));
  }
  return { seconds: terms.reduce((s, t) => s + t.seconds, 0), terms };
}

/** Stages within one node talk over its fabric; beyond it, over the inter-node link. */
function stageLinkOf(parallel: Parallelism, link: NonNullable<Chip['interconnect']>): Link {
  return parallel.gpus > link.gpusPerNode && link.interNode !== undefined ? link.interNode : link;
}

/**
 * Bytes one GPU holds of weights that are spread over the stages: the layer stack is cut into
 * ⌈L/P⌉-layer stages; the embedding sits on the first and the lm_head on the last, so the heaviest
 * stage holds its layers plus one of the two (half the non-layer weights; a tied table is held by
 * both stages, so all of it).
 */
export function stageWeightBytes(rank: { readonly total: number; readonly inLayers: number }, layers: number, pp: number, tiedEmbeddings: boolean): number {
  if (pp <= 1) return rank.total;
  const outside = rank.total - rank.inLayers;
  return (rank.inLayers * Math.ceil(layers / pp)) / layers + (tiedEmbeddings ? outside : outside / 2);
}

/** (TP, PP) layouts in the order a deployment would try them: fewest GPUs first, TP before PP. */
export function candidateLayouts(cfg: LlmConfig, chip: Chip, maxGpus = 64): Parallelism[] {
  const out: Parallelism[] = [];
  const perNode = chip.interconnect?.gpusPerNode ?? 1;
  for (let gpus = 1; gpus <= maxGpus; gpus *= 2) {
    for (let tp = Math.min(gpus, perNode); tp >= 1; tp /= 2) {
      const pp = gpus / tp;
      if (pp > cfg.layers || tpProblem(cfg, tp) !== null) continue;
      if (gpus > 1 && chip.interconnect === undefined) continue;
      if (gpus > perNode && chip.interconnect?.interNode === undefined) continue;
      out.push({ tp, pp, ep: 1, gpus });
      break;
    }
  }
  return out;
}
