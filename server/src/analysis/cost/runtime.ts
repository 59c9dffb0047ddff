import { Chip } from './chips';

/**
 * How kernels are issued, which sets the fixed per-kernel cost of the roofline (cost/roofline.ts):
 *
 * - `eager`: one launch per op from the framework, the chip's `kernelOverheadUs` (chips.json) each.
 * - `cuda-graphs`: the forward is captured once and replayed (`torch.cuda.graphs`, ONNX Runtime's
 *   `enable_cuda_graph`): the CPU launch path is gone and each kernel node costs about
 *   `CUDA_GRAPH_NODE_US` on the device.
 * - `compiled`: `torch.compile(mode="reduce-overhead")` and the like: cuda-graphs, and elementwise
 *   chains fused into their producer's kernel (the fused view of cost/totals.ts becomes the total).
 *
 * See docs/cost-model.md ("Runtime").
 */
export type Runtime = 'eager' | 'cuda-graphs' | 'compiled';

export const RUNTIMES: readonly Runtime[] = ['eager', 'cuda-graphs', 'compiled'];

/**
 * Per-kernel cost of a replayed CUDA graph, µs: a round upper figure. CUDA.jl's documentation
 * (https://cuda.juliagpu.org/dev/usage/graphs/) measures an RK4 integration of 80 tiny broadcast
 * kernels at 260 µs launched one by one (3.25 µs a kernel, the ~3 µs eager figure of chips.json) and
 * 70 µs replayed as a graph: 0.875 µs a kernel, its execution included. NVIDIA's "Getting Started with
 * CUDA Graphs" (https://developer.nvidia.com/blog/cuda-graphs/) reports the same direction for a chain
 * of ~2.9 µs kernels (per-kernel time down from about 3.8 to 3.4 µs: figures recalled, not re-read).
 * A measurement on the chip (scripts/gpu-validate/) should replace it.
 */
export const CUDA_GRAPH_NODE_US = 1;

/** The fixed cost of one kernel on `chip` under `runtime`, seconds: never more than the chip's eager figure. */
export function kernelOverheadSeconds(chip: Chip, runtime: Runtime): number {
  const eager = chip.kernelOverheadUs;
  return (runtime === 'eager' ? eager : Math.min(eager, CUDA_GRAPH_NODE_US)) * 1e-6;
}

/** True when the runtime's total is the fused view (elementwise chains fused into their producers). */
export function fusesElementwise(runtime: Runtime | undefined): boolean {
  return runtime === 'compiled';
}

export function isRuntime(value: unknown): value is Runtime {
  return typeof value === 'string' && (RUNTIMES as readonly string[]).includes(value);
}
