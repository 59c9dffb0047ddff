import { bytesForElements } from '../ir/dtype';
import { NodeCost } from './model';
import { NodeTiming, RooflineOptions, timeNode } from './roofline';

/**
 * Whole-model totals on one chip: time, work, traffic, energy, the memory-bound share, what was left
 * out, and a second total that assumes elementwise chains are fused into their producer.
 */
export interface ProfiledNode {
  readonly cost: NodeCost;
  readonly timing: NodeTiming;
  /** False for nodes excluded from the totals (the cheaper branch of an If whose condition is unknown). */
  readonly counted: boolean;
  readonly notes: readonly string[];
}

export interface Totals {
  readonly flops: number;
  readonly macs: number;
  readonly bytes: number;
  readonly timeSeconds: number;
  readonly fusedTimeSeconds: number;
  readonly fusedBytes: number;
  readonly memoryBoundShare: number;
  readonly energyJoules: number;
  readonly energy: { readonly arithmeticJoules: number; readonly memoryJoules: number };
  /** Nodes that run a kernel or were supposed to (containers and views excluded). */
  readonly costedNodes: number;
  readonly unmodelledNodes: number;
  /** unmodelledNodes / (costedNodes + unmodelledNodes). */
  readonly unmodelledShare: number;
}

/** A kernel of the fused view with more than one node: a producer and the elementwise nodes fused into it. */
export interface FusedGroup {
  /** The producer's node id (the group's kernel). */
  readonly id: string;
  /** Every member's node id, the producer first, in graph order. */
  readonly nodes: readonly string[];
  /** Per model run (executions included). */
  readonly flops: number;
  /** External traffic only: the intermediates between members are never written. */
  readonly bytes: number;
  readonly timeSeconds: number;
  /** Bytes the fusion saves against running the members as separate kernels. */
  readonly bytesSaved: number;
}

export interface ProfileResult {
  readonly nodes: ProfiledNode[];
  readonly totals: Totals;
  readonly fusedGroups: FusedGroup[];
  readonly notes: string[];
}

/** Elementwise ops a compiler fuses into the kernel that produces their input. */
const FUSABLE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu',
  'Sigmoid', 'HardSigmoid', 'Tanh', 'Erf', 'Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'HardSwish', 'Swish', 'Mish', 'Softplus',
  'Clip', 'Cast', 'Where', 'Identity', 'Dropout', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Min', 'Max',
]);

/** `graphOutputs`: values that leave a graph, so they are written even when their consumer fuses. */
export function profile(costs: readonly NodeCost[], options: RooflineOptions, graphOutputs: ReadonlySet<string> = new Set()): ProfileResult {
  const notes: string[] = [];
  const timings = costs.map((c) => timeNode(c, options));
  const excluded = cheaperBranches(costs, timings, notes);
  const nodes: ProfiledNode[] = costs.map((cost, i) => ({ cost, timing: timings[i] as NodeTiming, counted: !excluded.has(i), notes: [...cost.notes, ...(timings[i]?.notes ?? [])] }));

  let flops = 0;
  let macs = 0;
  let bytes = 0;
  let time = 0;
  let memoryTime = 0;
  let arithmeticJoules = 0;
  let memoryJoules = 0;
  let costed = 0;
  let unmodelled = 0;
  for (const n of nodes) {
    if (!n.counted || n.cost.container) continue;
    if (!n.cost.cost.modelled) {
      unmodelled++;
      continue;
    }
    if (n.cost.cost.unit === 'none') continue;
    costed++;
    const k = n.cost.executions;
    flops += k * n.cost.cost.flops;
    macs += k * (n.cost.cost.macs ?? 0);
    bytes += k * n.timing.bytes;
    time += k * n.timing.timeSeconds;
    if (n.timing.bound === 'memory') memoryTime += k * n.timing.timeSeconds;
    arithmeticJoules += k * n.timing.energy.arithmetic;
    memoryJoules += k * n.timing.energy.memory;
  }
  const fused = fusedTotals(nodes, options, graphOutputs);
  return {
    nodes,
    notes,
    fusedGroups: fused.groups,
    totals: {
      flops,
      macs,
      bytes,
      timeSeconds: time,
      fusedTimeSeconds: fused.timeSeconds,
      fusedBytes: fused.bytes,
      memoryBoundShare: time > 0 ? memoryTime / time : 0,
      energyJoules: arithmeticJoules + memoryJoules,
      energy: { arithmeticJoules, memoryJoules },
      costedNodes: costed,
      unmodelledNodes: unmodelled,
      unmodelledShare: costed + unmodelled > 0 ? unmodelled / (costed + unmodelled) : 0,
    },
  };
}

/**
 * For an If whose condition is not known, only the costlier branch counts (said in the notes): the
 * model runs one branch per execution, and the costlier one is the safe estimate.
 */
function cheaperBranches(costs: readonly NodeCost[], timings: readonly NodeTiming[], notes: string[]): Set<number> {
  const branchTime = new Map<string, Map<string, number>>();
  costs.forEach((c, i) => {
    if (!c.branchOf) return;
    const perBranch = branchTime.get(c.branchOf.ifNode) ?? new Map<string, number>();
    perBranch.set(c.branchOf.branch, (perBranch.get(c.branchOf.branch) ?? 0) + c.executions * (timings[i]?.timeSeconds ?? 0));
    branchTime.set(c.branchOf.ifNode, perBranch);
  });
  const losing = new Set<string>();
  for (const [ifNode, perBranch] of branchTime) {
    const ranked = [...perBranch].sort((a, b) => b[1] - a[1]);
    const [winner] = ranked;
    for (const [branch] of ranked.slice(1)) losing.add(`${ifNode}/${branch}`);
    if (winner && ranked.length > 1) notes.push(`If ${ifNode}: condition unknown, the costlier branch (${winner[0]}) is counted`);
  }
  const excluded = new Set<number>();
  costs.forEach((c, i) => {
    if (c.branchOf && losing.has(`${c.branchOf.ifNode}/${c.branchOf.branch}`)) excluded.add(i);
  });
  return excluded;
}

/**
 * The fused view: an elementwise node joins its producer's kernel when it is the producer's only
 * consumer and the value is not a graph output, so the intermediate tensor is never written to or
 * read from memory. Each group pays the
 * sum of its members' arithmetic time, its external traffic, and one kernel overhead.
 */
function fusedTotals(nodes: readonly ProfiledNode[], options: RooflineOptions, graphOutputs: ReadonlySet<string>): { timeSeconds: number; bytes: number; groups: FusedGroup[] } {
  const producerOf = new Map<string, number>();
  const consumers = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.cost.record.outputs) if (o.name) producerOf.set(o.name, i);
    for (const inp of n.cost.record.inputs) if (inp) consumers.set(inp.name, (consumers.get(inp.name) ?? 0) + 1);
  });
  const group = nodes.map((_, i) => i);
  const find = (i: number): number => {
    while (group[i] !== i) i = group[i] = group[group[i] as number] as number;
    return i;
  };
  const saved = new Map<number, number>();
  nodes.forEach((n, i) => {
    if (!n.counted || !n.cost.cost.modelled || n.cost.cost.unit !== 'vector' || !FUSABLE.has(n.cost.record.node.opType)) return;
    for (const inp of n.cost.record.inputs) {
      if (!inp) continue;
      const p = producerOf.get(inp.name);
      if (p === undefined || consumers.get(inp.name) !== 1 || graphOutputs.has(inp.name)) continue;
      const producer = nodes[p] as ProfiledNode;
      if (!producer.counted || !producer.cost.cost.modelled || producer.cost.cost.unit === 'none' || producer.cost.executions !== n.cost.executions) continue;
      const size = n.cost.cost.activationBytesRead > 0 && inp.type?.kind === 'tensor' ? intermediateBytes(n, inp.name) : 0;
      const root = find(p);
      group[find(i)] = root;
      saved.set(root, (saved.get(root) ?? 0) + 2 * size);
      break;
    }
  });
  const groups = new Map<number, { compute: number; bytes: number; flops: number; executions: number; overhead: number; members: number[] }>();
  nodes.forEach((n, i) => {
    if (!n.counted || n.cost.container || !n.cost.cost.modelled || n.cost.cost.unit === 'none') return;
    const root = find(i);
    const g = groups.get(root) ?? { compute: 0, bytes: 0, flops: 0, executions: n.cost.executions, overhead: n.timing.overheadSeconds, members: [] };
    g.compute += n.timing.computeSeconds;
    g.bytes += n.timing.bytes;
    g.flops += n.cost.cost.flops;
    g.members.push(i);
    groups.set(root, g);
  });
  let time = 0;
  let bytes = 0;
  const fusedGroups: FusedGroup[] = [];
  const bandwidth = nodes[0]?.timing.bandwidth ?? options.chip.memoryBandwidthGBs * 1e9;
  for (const [root, g] of groups) {
    const external = Math.max(0, g.bytes - (saved.get(root) ?? 0));
    const groupTime = g.executions * (Math.max(g.compute, external / bandwidth) + g.overhead);
    bytes += g.executions * external;
    time += groupTime;
    if (g.members.length > 1) {
      const ids = g.members.map((i) => (nodes[i] as ProfiledNode).cost.record.id);
      fusedGroups.push({ id: (nodes[root] as ProfiledNode).cost.record.id, nodes: ids, flops: g.executions * g.flops, bytes: g.executions * external, timeSeconds: groupTime, bytesSaved: g.executions * (g.bytes - external) });
    }
  }
  return { timeSeconds: time, bytes, groups: fusedGroups };
}

/** Bytes of the tensor `name` as the consumer reads it (one read; the producer wrote it once). */
function intermediateBytes(n: ProfiledNode, name: string): number {
  const index = n.cost.record.inputs.findIndex((v) => v?.name === name);
  const value = n.cost.record.inputs[index];
  if (value?.type?.kind !== 'tensor' || value.type.shape === null || value.type.dtype === null) return 0;
  if (!value.type.shape.every((d) => typeof d === 'number')) return 0;
  const count = (value.type.shape as number[]).reduce((a, b) => a * b, 1);
  const share = n.timing.bytes / Math.max(1, n.cost.cost.activationBytesRead + n.cost.cost.weightBytes + n.cost.cost.bytesWritten);
  return bytesForElements(value.type.dtype, count) * share;
}
