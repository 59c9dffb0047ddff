import type { ReportNode, RunStatistic } from '../report-schema';
import { KernelEvent, OrtProfile } from './ort-profile';
import { median } from './stats';

/**
 * Joins an ONNX Runtime profile's kernels to report nodes (docs/validation/README.md, "The join").
 *
 * A node's join key is its name; an unnamed node gets the name ONNX Runtime gives it,
 * `<opType>_<index in its graph>` (our id's last `n<index>`; ONNX Runtime keeps file order when graph
 * optimisations are off). A kernel joins:
 *   1. the one node with its name (several nodes sharing a key: the one whose op type is the kernel's
 *      op_name; still several: ambiguous, left out of the per-op statistics but kept in the totals);
 *   2. otherwise, a fused or renamed kernel: the node whose key is the longest prefix of the kernel name
 *      followed by `/` (ONNX Runtime names the nodes its optimisers create `<first node>/<Fusion>…`).
 * A kernel that joins a node of another op type (FusedConv on a Conv) is a fused kernel: the nodes it
 * absorbed have no kernel of their own and are listed as unmatched. Control-flow nodes (If, Loop, Scan)
 * get a kernel whose time includes their bodies' kernels: it is matched but left out of sums and
 * statistics so no time is counted twice.
 */

export interface NodeMeasurement {
  readonly id: string;
  /** Median over the kept runs of the node's kernel time per run (all executions), seconds. */
  readonly measuredSeconds: number;
  /** Kernel executions per run (median): more than one inside a Loop or Scan body. */
  readonly kernelsPerRun: number;
  /** The kernel's op type when it differs from the node's (a fused kernel, FusedConv for a Conv). */
  readonly kernelOp?: string;
  /** A control-flow node whose kernel time includes its body: not counted in sums. */
  readonly inclusive: boolean;
}

export type { RunStatistic } from '../report-schema';

export interface JoinOptions {
  /** Runs dropped from the start (warm-up). Default: 1 when the profile holds more than one run, else 0. */
  readonly skipRuns?: number;
  /** Default: median. */
  readonly statistic?: RunStatistic;
}

export interface JoinResult {
  readonly nodes: Map<string, NodeMeasurement>;
  /** Runs in the profile and runs used (after the warm-up was dropped). */
  readonly runsTotal: number;
  readonly runsUsed: number;
  readonly skippedRuns: number;
  readonly matchedKernels: number;
  readonly fusedKernels: number;
  /** Distinct kernel names that joined no node. */
  readonly unmatchedKernels: string[];
  /** Kernel names shared by several nodes of the same op type. */
  readonly ambiguousKernels: string[];
  /** Ids of nodes with a predicted time and no kernel. */
  readonly unmatchedNodes: string[];
  /** Nodes whose recorded input shape differs from the report's (the profile was made with other dims). */
  readonly shapeMismatches: string[];
  /** Median (or fastest, per `statistic`) `model_run` duration over the kept runs, seconds (null when the profile has no run events). */
  readonly runSeconds: number | null;
  readonly statistic: RunStatistic;
  /**
   * The sum over nodes of their median kernel time (control-flow nodes' inclusive kernels left out), plus
   * the median per run of ambiguous kernels, seconds. A sum of medians, so each op's share of it is stable
   * when a few runs are disturbed.
   */
  readonly kernelSeconds: number;
  readonly warnings: string[];
}

/** The join key ONNX Runtime uses for a node: its name, or `<opType>_<index>` when it has none. */
export function joinKey(node: Pick<ReportNode, 'id' | 'name' | 'opType'>): string {
  if (node.name !== '') return node.name;
  const index = /n(\d+)$/.exec(node.id);
  return `${node.opType}_${index ? index[1] : node.id}`;
}

function containerIds(nodes: readonly ReportNode[]): Set<string> {
  const ids = new Set<string>();
  for (const n of nodes) {
    const cut = n.id.lastIndexOf('/');
    if (cut < 0) continue;
    // `n3/body/n0` → its container `n3`; `n5/then_branch/n1/body/n0` → `n5/then_branch/n1` (and n5 through it).
    const parentPath = n.id.slice(0, cut);
    const parent = parentPath.slice(0, parentPath.lastIndexOf('/'));
    if (parent) ids.add(parent);
  }
  return ids;
}

function shapeOf(node: ReportNode): readonly number[] | null {
  const shape = node.inputs[0]?.shape;
  return shape && shape.every((d): d is number => typeof d === 'number') ? shape : null;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

interface Slot {
  readonly node: ReportNode;
  readonly perRun: Map<number, { seconds: number; count: number }>;
  kernelOp?: string;
  shapeMismatch: boolean;
}

export function joinProfile(nodes: readonly ReportNode[], profile: OrtProfile, options: JoinOptions = {}): JoinResult {
  const warnings: string[] = [];
  const byKey = new Map<string, ReportNode[]>();
  for (const n of nodes) {
    const key = joinKey(n);
    const list = byKey.get(key);
    if (list) list.push(n);
    else byKey.set(key, [n]);
  }
  const containers = containerIds(nodes);
  const runsTotal = profile.runs.length;
  const skip = Math.min(options.skipRuns ?? (runsTotal > 1 ? 1 : 0), Math.max(0, runsTotal - 1));
  const kept = (k: KernelEvent): boolean => (runsTotal === 0 ? true : k.run >= skip);
  const slots = new Map<string, Slot>();
  const unmatched = new Set<string>();
  const ambiguous = new Set<string>();
  const keysByLength = [...byKey.keys()].sort((a, b) => b.length - a.length);
  let matchedKernels = 0;
  let fusedKernels = 0;
  let outsideRuns = 0;
  const perRunAmbiguousSeconds = new Map<number, number>();

  const resolve = (k: KernelEvent): ReportNode | 'ambiguous' | null => {
    const exact = byKey.get(k.nodeName);
    if (exact) return onlyItem(exact) ?? onlyItem(exact.filter((n) => n.opType === k.opName)) ?? 'ambiguous';
    const prefix = keysByLength.find((key) => k.nodeName.length > key.length && k.nodeName.startsWith(key) && k.nodeName[key.length] === '/');
    const hosts = prefix === undefined ? undefined : byKey.get(prefix);
    return hosts === undefined ? null : (onlyItem(hosts) ?? 'ambiguous');
  };

  for (const k of profile.kernels) {
    if (runsTotal > 0 && k.run < 0) {
      outsideRuns++;
      continue;
    }
    const node = resolve(k);
    if (node === null) {
      unmatched.add(k.nodeName);
      continue;
    }
    if (node === 'ambiguous') {
      ambiguous.add(k.nodeName);
      if (kept(k)) perRunAmbiguousSeconds.set(k.run, (perRunAmbiguousSeconds.get(k.run) ?? 0) + k.durationUs * 1e-6);
      continue;
    }
    matchedKernels++;
    let slot = slots.get(node.id);
    if (!slot) {
      slot = { node, perRun: new Map(), shapeMismatch: false };
      slots.set(node.id, slot);
    }
    if (k.opName && k.opName !== node.opType) {
      if (slot.kernelOp === undefined) fusedKernels++;
      slot.kernelOp = k.opName;
    }
    const expected = shapeOf(node);
    const recorded = k.inputShapes[0];
    if (expected && recorded && !sameShape(expected, recorded)) slot.shapeMismatch = true;
    if (!kept(k)) continue;
    const run = slot.perRun.get(k.run) ?? { seconds: 0, count: 0 };
    run.seconds += k.durationUs * 1e-6;
    run.count++;
    slot.perRun.set(k.run, run);
  }

  const keptRuns = runsTotal === 0 ? [-1] : Array.from({ length: runsTotal - skip }, (_, i) => i + skip);
  const statistic: RunStatistic = options.statistic ?? 'median';
  const over = statistic === 'min' ? (xs: readonly number[]): number => (xs.length === 0 ? NaN : Math.min(...xs)) : median;
  const measured = new Map<string, NodeMeasurement>();
  for (const slot of slots.values()) {
    measured.set(slot.node.id, {
      id: slot.node.id,
      measuredSeconds: over(keptRuns.map((r) => slot.perRun.get(r)?.seconds ?? 0)),
      kernelsPerRun: median(keptRuns.map((r) => slot.perRun.get(r)?.count ?? 0)),
      kernelOp: slot.kernelOp,
      inclusive: containers.has(slot.node.id),
    });
  }
  const unmatchedNodes = nodes.filter((n) => !measured.has(n.id) && !containers.has(n.id) && (n.timeSeconds ?? 0) > 0 && n.counted !== false && !ambiguous.has(joinKey(n))).map((n) => n.id);
  if (outsideRuns > 0) warnings.push(`${outsideRuns} kernel events fell outside every model_run and were ignored`);
  if (profile.skippedFenceEvents > 0) warnings.push(`${profile.skippedFenceEvents} fence events (synchronisation, not kernel time) were skipped`);
  const runSeconds = runsTotal === 0 ? null : over(profile.runs.slice(skip).map((r) => r.durationUs * 1e-6));
  return {
    nodes: measured,
    runsTotal,
    runsUsed: keptRuns.length,
    skippedRuns: runsTotal === 0 ? 0 : skip,
    matchedKernels,
    fusedKernels,
    unmatchedKernels: [...unmatched],
    ambiguousKernels: [...ambiguous],
    unmatchedNodes,
    shapeMismatches: [...slots.values()].filter((s) => s.shapeMismatch).map((s) => s.node.id),
    runSeconds,
    statistic,
    kernelSeconds: [...measured.values()].reduce((sum, m) => sum + (m.inclusive ? 0 : m.measuredSeconds), 0) + (ambiguous.size > 0 ? over(keptRuns.map((r) => perRunAmbiguousSeconds.get(r) ?? 0)) : 0),
    warnings,
  };
}

/** The one item of a list of one; undefined for an empty list or several. */
function onlyItem<T>(items: readonly T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}
