import { at } from '../ir/at';
import { bytesForElements } from '../ir/dtype';
import { NodeCost } from './model';
import { ValueType } from '../ir/types';
import { NodeRecord } from '../shape/engine';
import { boundOf, NodeTiming, rooflineConstants, RooflineOptions, timeNode } from './roofline';
import { fusesElementwise } from './runtime';

/**
 * Whole-model totals on one chip: time, work, traffic, energy, the memory- and overhead-bound shares,
 * what was left out, and a second total that assumes elementwise chains are fused into their producer
 * (under the `compiled` runtime that fusion is applied, and both totals are the same).
 */
export interface ProfiledNode {
  readonly cost: NodeCost;
  readonly timing: NodeTiming;
  /** False for nodes excluded from the totals (the cheaper branch of an If whose condition is unknown). */
  readonly counted: boolean;
  readonly notes: readonly string[];
  /** Under a fuse what-if: the id of the kernel (its first member) this node runs in. */
  readonly fusedInto?: string;
}

export interface Totals {
  readonly flops: number;
  readonly macs: number;
  readonly bytes: number;
  readonly timeSeconds: number;
  readonly fusedTimeSeconds: number;
  readonly fusedBytes: number;
  /** Share of `timeSeconds` spent in memory-bound kernels (overhead-bound ones excluded). */
  readonly memoryBoundShare: number;
  /** Share of `timeSeconds` spent in overhead-bound kernels (the fixed per-kernel cost above both other parts). */
  readonly overheadBoundShare: number;
  /** The fixed per-kernel cost summed over every kernel run: `overheadSeconds / timeSeconds` of the time is launches. */
  readonly overheadSeconds: number;
  /**
   * The band of `timeSeconds`: the sum of every kernel's low and high (its class's calibration band,
   * cost/efficiency.ts). Errors of one class move together on a chip, so the sums, not a root-sum-square.
   */
  readonly timeLowSeconds: number;
  readonly timeHighSeconds: number;
  /** True when every costed kernel's band comes from a calibration of this chip (else some are the wide default). */
  readonly rangeCalibrated: boolean;
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
  /** The kernels a fuse what-if asked for (empty for a plain profile), counted in `totals.timeSeconds`. */
  readonly appliedGroups: FusedGroup[];
  readonly notes: string[];
}

/** How to run the nodes: by default one kernel per node; a fuse what-if names groups that run as one. */
export interface KernelPlan {
  /** Node ids; each list becomes one kernel. Lists must not overlap (a later overlapping list is dropped, with a note). */
  readonly fuse?: ReadonlyArray<readonly string[]>;
}

/** Elementwise ops a compiler fuses into the kernel that produces their input. */
const FUSABLE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu',
  'Sigmoid', 'HardSigmoid', 'Tanh', 'Erf', 'Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'HardSwish', 'Swish', 'Mish', 'Softplus',
  'Clip', 'Cast', 'Where', 'Identity', 'Dropout', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Min', 'Max',
]);

/**
 * Each node cost's timing in the last profile that timed it, with the options it was timed under. The
 * advice re-profiles the model for every what-if, and a what-if keeps the NodeCost objects of the nodes
 * it does not change (advise/whatif.ts applyToCosts): those are not timed again. NodeCosts are never
 * mutated, and an entry goes with its NodeCost.
 */
const lastTiming = new WeakMap<NodeCost, { readonly options: RooflineOptions; readonly overheadSeconds: number; readonly timing: NodeTiming }>();

/** A node's timing depends on the runtime only through the per-kernel cost (cuda-graphs and compiled share one). */
function sameTiming(a: { readonly options: RooflineOptions; readonly overheadSeconds: number }, options: RooflineOptions, overheadSeconds: number): boolean {
  return a.options.chip === options.chip && a.options.peakMode === options.peakMode && a.options.computeDtype === options.computeDtype && a.overheadSeconds === overheadSeconds;
}

function timeNodes(costs: readonly NodeCost[], options: RooflineOptions): NodeTiming[] {
  const constants = rooflineConstants(options);
  return costs.map((cost) => {
    const last = lastTiming.get(cost);
    if (last !== undefined && sameTiming(last, options, constants.overheadSeconds)) return last.timing;
    const timing = timeNode(cost, options, constants);
    lastTiming.set(cost, { options, overheadSeconds: constants.overheadSeconds, timing });
    return timing;
  });
}

/** `graphOutputs`: values that leave a graph, so they are written even when their consumer fuses. */
export function profile(costs: readonly NodeCost[], options: RooflineOptions, graphOutputs: ReadonlySet<string> = new Set(), plan: KernelPlan = {}): ProfileResult {
  const notes: string[] = [];
  const timings = timeNodes(costs, options);
  const excluded = cheaperBranches(costs, timings, notes);
  const standalone: ProfiledNode[] = costs.map((cost, i) => {
    const timing = at(timings, i, 'node timings');
    return { cost, timing, counted: !excluded.has(i), notes: cost.notes.concat(timing.notes) };
  });
  const graph = graphIndexOf(standalone);
  const bandwidth = standalone[0]?.timing.bandwidth ?? options.chip.memoryBandwidthGBs * 1e9;
  const requested = resolvePlan(standalone, plan, notes);
  const appliedGroups: FusedGroup[] = [];
  const nodes = [...standalone];
  for (const members of requested) {
    const kernel = evaluateKernel(standalone, members, graph, graphOutputs, bandwidth);
    appliedGroups.push(kernel.group);
    spreadKernelOverMembers(nodes, kernel, bandwidth);
  }
  const fused = fusedView(standalone, requested, graph, graphOutputs, bandwidth);
  if (fusesElementwise(options.runtime)) {
    // A compiler fuses the chains the fused view finds: they run as kernels, as a fuse what-if's do. A
    // chain that grew out of a requested kernel replaces it (the union is one kernel); one that is
    // exactly a requested kernel is already spread.
    const asked = new Set(requested.map((m) => m.join(',')));
    for (const members of fused.members) {
      if (asked.has(members.join(','))) continue;
      spreadKernelOverMembers(nodes, evaluateKernel(standalone, members, graph, graphOutputs, bandwidth), bandwidth);
    }
  }

  let flops = 0;
  let macs = 0;
  let bytes = 0;
  let time = 0;
  let memoryTime = 0;
  let overheadBoundTime = 0;
  let overheadSeconds = 0;
  let low = 0;
  let high = 0;
  let calibrated = true;
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
    else if (n.timing.bound === 'overhead') overheadBoundTime += k * n.timing.timeSeconds;
    overheadSeconds += k * n.timing.overheadSeconds;
    if (n.timing.range !== null) {
      low += k * n.timing.range.low;
      high += k * n.timing.range.high;
      calibrated &&= n.timing.range.calibrated;
    }
    arithmeticJoules += k * n.timing.energy.arithmetic;
    memoryJoules += k * n.timing.energy.memory;
  }
  return {
    nodes,
    notes,
    fusedGroups: fused.groups,
    appliedGroups,
    totals: {
      flops,
      macs,
      bytes,
      timeSeconds: time,
      fusedTimeSeconds: fused.timeSeconds,
      fusedBytes: fused.bytes,
      memoryBoundShare: time > 0 ? memoryTime / time : 0,
      overheadBoundShare: time > 0 ? overheadBoundTime / time : 0,
      overheadSeconds,
      timeLowSeconds: low,
      timeHighSeconds: high,
      rangeCalibrated: calibrated && costed > 0,
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
 * model runs one branch per execution, and the costlier one is the safe estimate. Returns the indices
 * of the nodes left out. `timings[i]` is node i's timing (only branch nodes' are read).
 */
export function cheaperBranches(costs: readonly NodeCost[], timings: ReadonlyArray<{ readonly timeSeconds: number } | undefined>, notes: string[]): Set<number> {
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

/** Who produces and who reads each value (by name: ONNX names are unique across a model's graphs). */
interface GraphIndex {
  readonly producerOf: ReadonlyMap<string, number>;
  /** The node index of every reading input slot, so a node reading a value twice is listed twice. */
  readonly readers: ReadonlyMap<string, readonly number[]>;
}

/**
 * The index of the last node list indexed, by its first node's record: the advice's what-ifs profile the
 * same records (the same graph) again and again, and the index depends on nothing else. Reused only
 * when every record is the same object; an entry goes with its records.
 */
const lastIndex = new WeakMap<NodeRecord, { readonly records: readonly NodeRecord[]; readonly index: GraphIndex }>();

function graphIndexOf(nodes: readonly ProfiledNode[]): GraphIndex {
  const first = nodes[0]?.cost.record;
  if (first === undefined) return indexGraph(nodes);
  const last = lastIndex.get(first);
  if (last !== undefined && last.records.length === nodes.length && nodes.every((n, i) => n.cost.record === last.records[i])) return last.index;
  const index = indexGraph(nodes);
  lastIndex.set(first, { records: nodes.map((n) => n.cost.record), index });
  return index;
}

function indexGraph(nodes: readonly ProfiledNode[]): GraphIndex {
  const producerOf = new Map<string, number>();
  const readers = new Map<string, number[]>();
  for (const [i, node] of nodes.entries()) {
    const record = node.cost.record;
    for (const o of record.outputs) if (o.name) producerOf.set(o.name, i);
    for (const inp of record.inputs) {
      if (!inp) continue;
      const list = readers.get(inp.name);
      if (list === undefined) readers.set(inp.name, [i]);
      else list.push(i);
    }
  }
  return { producerOf, readers };
}

/** A node that can be part of a kernel: counted and modelled (views and folded nodes take part at no cost). */
function kernelMember(n: ProfiledNode): boolean {
  return n.counted && n.cost.cost.modelled && !n.cost.container;
}

/** Turns a plan's id lists into disjoint lists of node indices in graph order; what cannot be fused is said in the notes. */
function resolvePlan(nodes: readonly ProfiledNode[], plan: KernelPlan, notes: string[]): number[][] {
  if (!plan.fuse || plan.fuse.length === 0) return [];
  const indexOf = new Map(nodes.map((n, i) => [n.cost.record.id, i]));
  const taken = new Set<number>();
  const groups: number[][] = [];
  for (const ids of plan.fuse) {
    const members = [...new Set(ids.map((id) => indexOf.get(id)).filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
    const usable = members.filter((i) => kernelMember(at(nodes, i, 'profiled nodes')));
    const executions = new Set(usable.map((i) => at(nodes, i, 'profiled nodes').cost.executions));
    if (usable.length < 2 || usable.length !== members.length || members.length !== ids.length) {
      notes.push(`fuse ${ids.join('+')}: not applied (a node is unknown, not modelled, or not counted)`);
    } else if (usable.some((i) => taken.has(i))) {
      notes.push(`fuse ${ids.join('+')}: not applied (overlaps an earlier group)`);
    } else if (executions.size !== 1) {
      notes.push(`fuse ${ids.join('+')}: not applied (its nodes run a different number of times)`);
    } else {
      usable.forEach((i) => taken.add(i));
      groups.push(usable);
    }
  }
  return groups;
}

interface Kernel {
  readonly group: FusedGroup;
  readonly members: readonly number[];
  /** Bytes each member (by position in `members`) no longer moves (per execution, after the peak mode's traffic scaling). */
  readonly savedByMember: readonly number[];
  /** One execution of the kernel: max(summed arithmetic, external bytes / bandwidth) + one overhead. */
  readonly secondsPerExecution: number;
  readonly overheadSeconds: number;
}

/**
 * One kernel running `members`: a value produced inside it and read only inside it (not a graph output)
 * is never written; a value produced inside is never read back; an outside value several members read
 * is read once. The kernel pays its members' summed arithmetic time, its external traffic, and one
 * kernel overhead. (Plain loops and arrays: the fused view evaluates a kernel per fused chain on
 * every profile, and chains are a few nodes long.)
 */
function evaluateKernel(nodes: readonly ProfiledNode[], members: readonly number[], graph: GraphIndex, graphOutputs: ReadonlySet<string>, bandwidth: number): Kernel {
  // Kernels are a few nodes: lists beat sets there; a large what-if kernel gets sets.
  const large = members.length > 16;
  const inKernel = large ? new Set(members) : null;
  const isMember = (i: number): boolean => (inKernel ? inKernel.has(i) : members.includes(i));
  const saved: number[] = [];
  const readOnce = large ? new Set<string>() : null;
  const readList: string[] = [];
  for (const i of members) {
    const n = at(nodes, i, 'profiled nodes');
    let savedHere = 0;
    for (const o of n.cost.record.outputs) {
      if (!o.name || graphOutputs.has(o.name)) continue;
      const readers = graph.readers.get(o.name);
      if (readers !== undefined && readers.length > 0 && readers.every(isMember)) savedHere += tensorBytes(n, o);
    }
    for (const inp of n.cost.record.inputs) {
      if (!inp) continue;
      const producer = graph.producerOf.get(inp.name);
      if ((producer !== undefined && isMember(producer)) || (readOnce ? readOnce.has(inp.name) : readList.includes(inp.name))) savedHere += tensorBytes(n, inp);
      else if (readOnce) readOnce.add(inp.name);
      else readList.push(inp.name);
    }
    // A rule may count less than a whole input (Gather reads only gathered rows): never save more than the node moves.
    saved.push(Math.min(savedHere, n.timing.bytes));
  }
  let compute = 0;
  let total = 0;
  let flops = 0;
  let overheadSeconds = 0;
  for (const i of members) {
    const n = at(nodes, i, 'profiled nodes');
    compute += n.timing.computeSeconds;
    total += n.timing.bytes;
    flops += n.cost.cost.flops;
    overheadSeconds = Math.max(overheadSeconds, n.timing.overheadSeconds);
  }
  const savedTotal = saved.reduce((a, b) => a + b, 0);
  const external = Math.max(0, total - savedTotal);
  const first = at(nodes, at(members, 0, 'kernel members'), 'profiled nodes');
  // The kernel moves its bytes at its producer's rate (its class and, on CPUs, the cache its bytes fit).
  const secondsPerExecution = total === 0 && compute === 0 ? 0 : Math.max(compute, external / (bandwidth * first.timing.efficiency.memory)) + overheadSeconds;
  const k = first.cost.executions;
  const ids = members.map((i) => at(nodes, i, 'profiled nodes').cost.record.id);
  return {
    group: { id: first.cost.record.id, nodes: ids, flops: k * flops, bytes: k * external, timeSeconds: k * secondsPerExecution, bytesSaved: k * (total - external) },
    members,
    savedByMember: saved,
    secondsPerExecution,
    overheadSeconds,
  };
}

/**
 * Under a fuse what-if each member keeps its own FLOPs, loses the traffic the kernel saves, and gets a
 * share of the kernel's time in proportion to its own roofline time without that traffic, so that the
 * members' times add up to the kernel's and per-node shares still sum to the total.
 */
function spreadKernelOverMembers(nodes: ProfiledNode[], kernel: Kernel, bandwidth: number): void {
  const weights = kernel.members.map((i, position) => {
    const t = at(nodes, i, 'profiled nodes').timing;
    return Math.max(t.computeSeconds, (t.bytes - (kernel.savedByMember[position] ?? 0)) / (bandwidth * t.efficiency.memory));
  });
  const weightSum = weights.reduce((a, b) => a + b, 0);
  kernel.members.forEach((i, position) => {
    const n = at(nodes, i, 'profiled nodes');
    const t = n.timing;
    const share = weightSum > 0 ? at(weights, position, 'kernel member weights') / weightSum : 1 / kernel.members.length;
    const bytes = t.bytes - (kernel.savedByMember[position] ?? 0);
    const memorySeconds = bytes / (bandwidth * t.efficiency.memory);
    const intensity = bytes > 0 ? n.cost.cost.flops / bytes : null;
    const timeSeconds = kernel.secondsPerExecution * share;
    const timing: NodeTiming = {
      ...t,
      bytes,
      memorySeconds,
      intensity,
      attainableFlopsPerSecond: t.peak ? (intensity === null ? t.peak.flopsPerSecond * t.efficiency.compute : Math.min(t.peak.flopsPerSecond * t.efficiency.compute, intensity * t.bandwidth * t.efficiency.memory)) : null,
      overheadSeconds: kernel.overheadSeconds * share,
      timeSeconds,
      range: t.range === null || t.timeSeconds <= 0 ? t.range : { ...t.range, low: (t.range.low / t.timeSeconds) * timeSeconds, high: (t.range.high / t.timeSeconds) * timeSeconds },
      bound: t.bound === 'none' ? 'none' : boundOf(t.computeSeconds, memorySeconds, kernel.overheadSeconds * share),
      ridgeRatio: intensity !== null && t.ridge ? intensity / t.ridge : null,
      energy: { arithmetic: t.energy.arithmetic, memory: t.bytes > 0 ? (t.energy.memory * bytes) / t.bytes : 0 },
    };
    nodes[i] = { ...n, timing, fusedInto: kernel.group.id, notes: [...n.notes, `fused into one kernel with ${kernel.group.nodes.filter((id) => id !== n.cost.record.id).join(', ')}`] };
  });
}

/**
 * The fused view: an elementwise node joins its producer's kernel when it is the producer's only
 * consumer and the value is not a graph output, so the intermediate tensor is never written to or
 * read from memory (`requested` kernels of a fuse what-if are kernels from the start). Every kernel is
 * evaluated by `evaluateKernel`.
 */
function fusedView(nodes: readonly ProfiledNode[], requested: readonly (readonly number[])[], graph: GraphIndex, graphOutputs: ReadonlySet<string>, bandwidth: number): { timeSeconds: number; bytes: number; groups: FusedGroup[]; members: number[][] } {
  const group = nodes.map((_, i) => i);
  // Union-find over node indices: every entry of `group` is a node index, so lookups stay in range.
  const find = (i: number): number => {
    for (let parent = at(group, i, 'kernel parents'); parent !== i; parent = at(group, i, 'kernel parents')) {
      const grandparent = at(group, parent, 'kernel parents');
      group[i] = grandparent;
      i = grandparent;
    }
    return i;
  };
  for (const members of requested) for (const i of members.slice(1)) group[find(i)] = find(at(members, 0, 'requested kernel'));
  nodes.forEach((n, i) => {
    if (!n.counted || !n.cost.cost.modelled || n.cost.cost.unit !== 'vector' || !FUSABLE.has(n.cost.record.node.opType)) return;
    for (const inp of n.cost.record.inputs) {
      if (!inp) continue;
      const p = graph.producerOf.get(inp.name);
      if (p === undefined || (graph.readers.get(inp.name)?.length ?? 0) !== 1 || graphOutputs.has(inp.name)) continue;
      const producer = at(nodes, p, 'profiled nodes');
      if (!producer.counted || !producer.cost.cost.modelled || producer.cost.cost.unit === 'none' || producer.cost.executions !== n.cost.executions) continue;
      group[find(i)] = find(p);
      break;
    }
  });
  // Kernels in the order of their first member; a one-node kernel (most of them) needs no member list.
  const eligible = nodes.map((n, i) => kernelMember(n) && !(n.cost.cost.unit === 'none' && find(i) === i));
  const lists = new Map<number, number[]>();
  const size = new Array<number>(nodes.length).fill(0);
  eligible.forEach((ok, i) => {
    if (!ok) return;
    const root = find(i);
    size[root] = (size[root] ?? 0) + 1;
  });
  eligible.forEach((ok, i) => {
    const root = find(i);
    if (!ok || (size[root] ?? 0) < 2) return;
    const list = lists.get(root);
    if (list === undefined) lists.set(root, [i]);
    else list.push(i);
  });
  let time = 0;
  let bytes = 0;
  const groups: FusedGroup[] = [];
  const members: number[][] = [];
  eligible.forEach((ok, i) => {
    if (!ok) return;
    const list = lists.get(find(i));
    if (list === undefined) {
      const n = at(nodes, i, 'profiled nodes');
      if (n.cost.cost.unit === 'none') return;
      time += n.cost.executions * n.timing.timeSeconds;
      bytes += n.cost.executions * n.timing.bytes;
      return;
    }
    if (list[0] !== i) return;
    const kernel = evaluateKernel(nodes, list, graph, graphOutputs, bandwidth);
    time += kernel.group.timeSeconds;
    bytes += kernel.group.bytes;
    groups.push(kernel.group);
    members.push(list);
  });
  return { timeSeconds: time, bytes, groups, members };
}

/** Bytes of `value` as this node moves it: its element count × width, scaled as the node's traffic was (`--dtype`). Views and folded nodes move nothing. */
function tensorBytes(n: ProfiledNode, value: { readonly type: ValueType | null }): number {
  if (n.cost.cost.unit === 'none' || !n.cost.cost.modelled) return 0;
  const type = value.type;
  if (type?.kind !== 'tensor' || type.shape === null || type.dtype === null) return 0;
  let count = 1;
  for (const d of type.shape) {
    if (typeof d !== 'number') return 0;
    count *= d;
  }
  const raw = n.cost.cost.activationBytesRead + n.cost.cost.weightBytes + n.cost.cost.bytesWritten;
  const scale = raw > 0 ? n.timing.bytes / raw : 1;
  return bytesForElements(type.dtype, count) * scale;
}
