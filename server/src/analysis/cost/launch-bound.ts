/**
 * Launch-bound ops: the roofline time of a kernel is max(compute, memory) + a fixed per-kernel cost
 * (the chip's `kernelOverheadUs`, cost/roofline.ts). When that fixed cost is larger than both the
 * arithmetic and the memory traffic, the op is neither memory- nor compute-bound in any useful sense:
 * it is launch-bound, and it sits far under both roofs on a roofline chart (its attained FLOP/s is
 * its work over a time made mostly of overhead). The fix is fewer kernels (fusion, CUDA graphs,
 * bigger batches), not fewer bytes or FLOPs.
 *
 * Structural and import-free on purpose: the report's nodes (ReportNode), the webview's report
 * (media/src/report-types.ts) and the LSP handlers all carry these three fields and share this rule.
 */
export interface LaunchTimes {
  /** Per model run, seconds; absent for nodes not profiled on a chip. */
  readonly computeSeconds?: number;
  readonly memorySeconds?: number;
  readonly overheadSeconds?: number;
}

/**
 * The fixed per-kernel cost exceeds both the compute and the memory time (false when not profiled).
 * The core (`boundOf` in cost/roofline.ts) is the source of truth and sets `bound: 'overhead'`; the
 * same rule is applied to the three times for nodes that carry no bound (the chart's aggregates).
 */
export function isLaunchBound(node: LaunchTimes & { readonly bound?: string }): boolean {
  if (node.bound === 'overhead') return true;
  if (node.bound === 'none') return false;
  const overhead = node.overheadSeconds ?? 0;
  return overhead > 0 && overhead > Math.max(node.computeSeconds ?? 0, node.memorySeconds ?? 0);
}

/**
 * The nearer roof of an overhead-bound node, or its bound otherwise: what the roofline chart places
 * it under (`memory` or `compute`), as the views said before `overhead` existed.
 */
export function roofSideOf(node: LaunchTimes & { readonly bound?: string }): string | undefined {
  if (node.bound !== 'overhead') return node.bound;
  return (node.computeSeconds ?? 0) > (node.memorySeconds ?? 0) ? 'compute' : 'memory';
}

/**
 * What bounds a node, as the views name it: `launch` when launch-bound (the core's `overhead`), else
 * the roofline's bound (`memory`, `compute`, `none`), or undefined when the node was not profiled.
 */
export function verdictOf(node: LaunchTimes & { readonly bound?: string }): string | undefined {
  return isLaunchBound(node) ? 'launch' : node.bound;
}

/**
 * Launch share under which the views keep quiet about kernel launches (status bar, code lens, the
 * runtime suggestion): a tenth of the time is where capturing a graph starts to be worth the bother.
 */
export const LAUNCH_SHARE_WORTH_SAYING = 0.1;

/** The share of the time that is the fixed per-kernel cost ("41% of the time is kernel launches"); 0 when unknown. */
export function launchShareOf(totals: { readonly timeSeconds: number; readonly overheadSeconds?: number }): number {
  return totals.timeSeconds > 0 && totals.overheadSeconds !== undefined ? totals.overheadSeconds / totals.timeSeconds : 0;
}
