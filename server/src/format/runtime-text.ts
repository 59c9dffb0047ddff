import { Chip } from '../analysis/cost/chips';
import { isRuntime, kernelOverheadSeconds } from '../analysis/cost/runtime';
import { humanTime } from './units';

/**
 * How the views name a runtime other than eager: the times the user reads were predicted with another
 * per-kernel cost (and, compiled, with elementwise chains fused), and the hover and hints must say so.
 * Null for eager (or no runtime): the default goes unsaid.
 */
export function runtimeNote(runtime: string | undefined, chip: Chip): string | null {
  if (runtime === undefined || runtime === 'eager' || !isRuntime(runtime)) return null;
  const perKernel = `${humanTime(kernelOverheadSeconds(chip, runtime))} a kernel`;
  return runtime === 'compiled'
    ? `compiled: a replayed CUDA graph (${perKernel}) with elementwise chains fused into their producer's kernel`
    : `cuda-graphs: a replayed CUDA graph, ${perKernel} instead of ${humanTime(kernelOverheadSeconds(chip, 'eager'))} launched eagerly`;
}
