import { humanTime } from '../../format/units';
import { CUDA_GRAPH_NODE_US, kernelOverheadSeconds, Runtime } from '../cost/runtime';
import { launchShareOf, LAUNCH_SHARE_WORTH_SAYING } from '../cost/launch-bound';
import { AdviceContext, Evaluation } from './context';
import { Suggestion } from './types';

/**
 * The runtime suggestion: when a GPU model run in eager mode spends a meaningful share of its time on
 * kernel launches, capturing the forward as a CUDA graph (or `torch.compile(mode="reduce-overhead")`,
 * which captures one and also fuses elementwise chains) removes most of that fixed cost. Both are
 * priced by re-profiling the same costs under the other runtime ('runtime' what-if), so the saving is
 * exactly baseline total − what-if total, like every other suggestion. The larger one is proposed.
 */

/** Chips that run CUDA (or HIP) graphs and torch.compile's reduce-overhead mode: GPUs, not CPUs, TPUs (XLA compiles already) or other accelerators. */
const GPU_CATEGORIES: ReadonlySet<string> = new Set(['datacenter_gpu', 'consumer_gpu', 'edge']);

export function runtimeSuggestions(ctx: AdviceContext, notes: string[]): Suggestion[] {
  const chip = ctx.options.chip;
  const current: Runtime = ctx.options.runtime ?? 'eager';
  if (!GPU_CATEGORIES.has(chip.category)) {
    notes.push(`runtime: CUDA graphs and torch.compile(mode="reduce-overhead") are GPU runtimes; ${chip.name} is not a GPU`);
    return [];
  }
  if (current !== 'eager') {
    notes.push(`runtime: already ${current}: kernels are issued from a captured graph`);
    return [];
  }
  const totals = ctx.baseline.totals;
  const share = launchShareOf(totals);
  if (share < LAUNCH_SHARE_WORTH_SAYING) {
    notes.push(`runtime: kernel launches are ${(share * 100).toFixed(1)}% of the time, under ${LAUNCH_SHARE_WORTH_SAYING * 100}%: capturing a CUDA graph would change little`);
    return [];
  }
  const graphs = ctx.evaluate({ kind: 'runtime', runtime: 'cuda-graphs' });
  const compiled = ctx.evaluate({ kind: 'runtime', runtime: 'compiled' });
  if (graphs === null || compiled === null) return [];
  const best: { runtime: Runtime; evaluation: Evaluation } = compiled.savingSeconds > graphs.savingSeconds ? { runtime: 'compiled', evaluation: compiled } : { runtime: 'cuda-graphs', evaluation: graphs };
  if (best.evaluation.savingSeconds <= 0) {
    notes.push(`runtime: ${chip.name}'s launch cost is already at or under a graph node's ${CUDA_GRAPH_NODE_US} µs`);
    return [];
  }
  let kernels = 0;
  ctx.nodes.forEach((n, i) => {
    if (ctx.runs(i) && n.timing.overheadSeconds > 0) kernels += n.cost.executions;
  });
  const eagerLaunch = humanTime(kernelOverheadSeconds(chip, 'eager'));
  const graphLaunch = humanTime(kernelOverheadSeconds(chip, 'cuda-graphs'));
  const total = totals.timeSeconds;
  const savedText = (e: Evaluation): string => `${humanTime(e.savingSeconds)} (${((e.savingSeconds / total) * 100).toFixed(1)}% of ${humanTime(total)})`;
  const chains = compiled.result.fusedGroups.length;
  const launches = `Kernel launches are ${(share * 100).toFixed(0)}% of the time (${kernels} kernel${kernels === 1 ? '' : 's'} at ${eagerLaunch} each on ${chip.name}, eager)`;
  // Without an elementwise chain to fuse, compiling buys exactly what the graph does: one figure.
  const message =
    chains === 0
      ? `${launches}: capturing the forward as a CUDA graph (or torch.compile(mode="reduce-overhead")) saves ${savedText(graphs)}`
      : `${launches}: capturing the forward as a CUDA graph saves ${savedText(graphs)}; torch.compile(mode="reduce-overhead"), which also fuses ${chains} elementwise chain${chains === 1 ? '' : 's'}, saves ${savedText(compiled)}`;
  const detail = [
    `Eager: ${humanTime(total)} per run, of which ${humanTime(totals.overheadSeconds)} is the fixed per-kernel cost (${kernels} kernel runs × ${eagerLaunch}); ${(totals.overheadBoundShare * 100).toFixed(0)}% of the time is in overhead-bound ops.`,
    `CUDA graphs (runtime cuda-graphs): ${humanTime(graphs.result.totals.timeSeconds)}, each kernel node ~${graphLaunch} when replayed.`,
    `torch.compile(mode="reduce-overhead") (runtime compiled): ${humanTime(compiled.result.totals.timeSeconds)}, a replayed graph${chains === 0 ? ' (no elementwise chain to fuse)' : ` with ${chains} elementwise chain${chains === 1 ? '' : 's'} fused into ${chains === 1 ? 'its' : 'their'} producer's kernel`}.`,
    `The ${CUDA_GRAPH_NODE_US} µs per replayed kernel is a published measurement on other GPUs (docs/cost-model.md, "Runtime"), not this chip's; the saving inherits it.`,
    'Needs static shapes (a graph replays fixed buffers: pad or bucket dynamic sizes) and no host synchronisation inside the forward; the first call captures.',
    'This overlaps with the fuse suggestions (both remove launches): each is priced alone against the baseline.',
  ].join('\n');
  return [
    {
      id: 'runtime',
      kind: 'runtime',
      pattern: best.runtime,
      nodes: [],
      message,
      detail,
      predictedSavingSeconds: best.evaluation.savingSeconds,
      bytesSaved: best.evaluation.bytesSaved,
      energySavedJoules: best.evaluation.energySavedJoules,
      confidence: 'medium',
      whatIf: { kind: 'runtime', runtime: best.runtime },
      recipe:
        'PyTorch: model = torch.compile(model, mode="reduce-overhead") (CUDA graphs and Inductor fusion), or capture by hand with torch.cuda.make_graphed_callables / torch.cuda.CUDAGraph; ' +
        'ONNX Runtime: the CUDA execution provider option enable_cuda_graph=1, inputs and outputs bound with IOBinding to fixed GPU buffers; ' +
        `TensorRT: capture enqueueV3 with cudaStreamBeginCapture. To profile it: ridgepoint profile MODEL --runtime ${best.runtime}`,
      runtime: { from: current, to: best.runtime, cudaGraphsSeconds: graphs.result.totals.timeSeconds, compiledSeconds: compiled.result.totals.timeSeconds, kernels },
      before: { timeSeconds: total, bytes: totals.bytes, intensity: totals.bytes > 0 ? totals.flops / totals.bytes : null },
      after: {
        timeSeconds: best.evaluation.result.totals.timeSeconds,
        bytes: best.evaluation.result.totals.bytes,
        intensity: best.evaluation.result.totals.bytes > 0 ? best.evaluation.result.totals.flops / best.evaluation.result.totals.bytes : null,
      },
    },
  ];
}
