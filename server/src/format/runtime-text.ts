import { Chip } from '../analysis/cost/chips';
import { isRuntime, kernelOverheadSeconds } from '../analysis/cost/runtime';

/**
 * How the views name a runtime other than eager: the times the user reads were predicted with another
 * per-kernel cost (and, compiled, with elementwise chains fused), and the hover and hints must say so.
 * Null for eager (or no runtime): the default goes unsaid.
 */
export function runtimeNote(runtime: string | undefined, chip: Chip): string | null {
  if (runtime === undefined || runtime === 'eager' || !isRuntime(runtime)) return null;
  const perKernel = `${+(kernelOverheadSeconds(chip, runtime) * 1e6).toFixed(3)} µs a kernel`;
  return runtime === 'compiled'
    ? `compiled: a replayed CUDA graph (${perKernel}) with elementwise chains fused into their producer's kernel`
    : `cuda-graphs: a replayed CUDA graph, ${perKernel} instead of ${+chip.kernelOverheadUs.toFixed(3)} µs launched eagerly`;
}
