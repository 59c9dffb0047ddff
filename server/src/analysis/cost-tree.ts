/**
 * The cost tree: where a model's time goes by module (model → layer → block → op), the hierarchy a
 * profiler shows, built from the report's nodes and their names (analysis/scope.ts reads the scopes).
 *
 * - Leaves are ops (one per report node). A module adds up the time, FLOPs and bytes of the ops under it
 *   that the totals count (counted, modelled, running a kernel), so the root's time is the report's
 *   `totals.timeSeconds`. Ops that are not modelled, or not counted (the cheaper branch of an If whose
 *   condition is unknown), are still shown with a `note`, and the modules holding them say how many.
 * - A module's bound is the bound holding at least BOUND_MAJORITY of its time, else `mixed`.
 * - Children are sorted by time, costliest first; ties keep the model's order (repeated layers stay in
 *   order, and stay separate: ViT's 12 encoder layers are 12 modules).
 * - The tree is kept shallow: a module whose only child is a module is shown as one row
 *   (`encoder › layers`), and a module holding a single op becomes that op's row under the module's name
 *   (`conv1`, op type Conv).
 * - Nodes inside a subgraph or an expanded function (ids `n12/then_branch/n0`) sit under the node that
 *   holds them, whatever their own names say.
 */
import { at } from './ir/at';
import { isLaunchBound, LaunchTimes } from './cost/launch-bound';
import type { CostTreeNode, ReportNode } from './report-schema';
import { NodeScope, scopeReader, ScopeNaming, SCOPE_SEPARATOR } from './scope';

/** The tree's row type is part of the report schema (report.costTree); named here too for the tree's readers. */
export type { CostTreeNode } from './report-schema';

/** The report node fields the tree reads. */
export type CostTreeInput = Pick<ReportNode, 'id' | 'name' | 'opType' | 'timeSeconds' | 'flops' | 'bytesRead' | 'bytesWritten' | 'bound' | 'counted' | 'modelled' | 'executions' | 'reason'> & LaunchTimes;

/** A module's bound is the one holding this share of its time; below it, `mixed`. */
export const BOUND_MAJORITY = 0.6;

export interface CostTreeOptions {
  readonly naming: ScopeNaming;
  /** The root's name (the model file's name). */
  readonly modelName: string;
}

/** The tree, or null when the report has no costs (made without a chip). */
export function buildCostTree(nodes: readonly CostTreeInput[], options: CostTreeOptions): CostTreeNode | null {
  if (nodes.length === 0 || nodes.every((n) => n.timeSeconds === undefined)) return null;
  const root = new ModuleBuilder('', '');
  const scopes = nodeScopes(nodes, options.naming);
  let total = 0;
  for (const [i, node] of nodes.entries()) {
    const { scope, leaf } = at(scopes, i, 'node scopes');
    let module = root;
    for (const segment of scope) module = module.child(segment);
    const op = new OpItem(node, leaf);
    module.items.push(op);
    total += op.time;
  }
  return finish(root, options.modelName, 'model', total).row;
}

/**
 * One report node with what the tree reads of it, read once: report nodes are large objects (their
 * properties are looked up, not at fixed offsets), and a 5,000-node tree would otherwise read each a few times.
 */
class OpItem {
  readonly id: string;
  readonly opType: string;
  readonly counts: boolean;
  /** Time, FLOPs and bytes per model run that the totals count (0 for an op they leave out). */
  readonly time: number;
  readonly flops: number;
  readonly bytes: number;
  readonly bound: string;
  /** Why the totals leave it out, when they do although it runs. */
  readonly note: string | undefined;
  readonly notModelled: boolean;
  readonly notCounted: boolean;

  constructor(
    node: CostTreeInput,
    readonly leaf: string,
  ) {
    const { counted, modelled, bound } = node;
    this.id = node.id;
    this.opType = node.opType;
    this.bound = bound ?? 'none';
    // What the totals count: modelled, not excluded, running a kernel (bound `none` is a view or a container).
    this.counts = counted !== false && modelled === true && this.bound !== 'none';
    // Its fixed per-kernel cost is more than its work: shown (and summed per module) as `overhead`.
    if (this.counts && isLaunchBound(node)) this.bound = 'overhead';
    this.notModelled = modelled === false;
    this.notCounted = !this.notModelled && counted === false;
    this.note = this.notModelled ? `not modelled: ${node.reason || 'no cost formula'}; not in the time` : this.notCounted ? 'not counted: the costlier branch of its If is counted instead' : undefined;
    if (this.counts) {
      const runs = node.executions ?? 1;
      this.time = node.timeSeconds ?? 0;
      this.flops = (node.flops ?? 0) * runs;
      this.bytes = ((node.bytesRead ?? 0) + (node.bytesWritten ?? 0)) * runs;
    } else {
      this.time = 0;
      this.flops = 0;
      this.bytes = 0;
    }
  }
}

class ModuleBuilder {
  readonly items: Array<OpItem | ModuleBuilder> = [];
  private readonly modules = new Map<string, ModuleBuilder>();

  constructor(
    readonly segment: string,
    /** The module's scope label (`layer1 › 0`), '' for the model. */
    readonly label: string,
  ) {}

  child(segment: string): ModuleBuilder {
    let module = this.modules.get(segment);
    if (!module) {
      module = new ModuleBuilder(segment, this.label === '' ? segment : this.label + SCOPE_SEPARATOR + segment);
      this.modules.set(segment, module);
      this.items.push(module);
    }
    return module;
  }
}

/**
 * Every node's scope. Top-level nodes by their names; a node inside a subgraph or function body under its
 * holder: the holder's module (its scope plus its own name), then the attribute (`then_branch`; a
 * function's name is already the holder's op type). The holder itself sits in that module too, as its
 * op type, next to its body.
 */
function nodeScopes(nodes: readonly CostTreeInput[], naming: ScopeNaming): NodeScope[] {
  const read = scopeReader(naming, nodes.filter((n) => !n.id.includes('/')));
  const holders = new Set<string>();
  for (const node of nodes) {
    const parent = holderOf(node.id);
    if (parent) holders.add(parent.id);
  }
  if (holders.size === 0) return nodes.map((node) => read(node.name, node.opType));
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const nested = new Map<string, NodeScope>();
  /** Where a node's name (or its holder) puts it, before a holder moves into its own module. */
  const base = (node: CostTreeInput, depth: number): NodeScope => {
    const parent = holderOf(node.id);
    if (parent === null || depth > 64) return read(node.name, node.opType);
    const known = nested.get(node.id);
    if (known) return known;
    const holder = nodeById.get(parent.id);
    const module = holder ? moduleOf(base(holder, depth + 1)) : [parent.id];
    const inner = holder?.opType === parent.part ? [] : [parent.part];
    const result = { scope: [...module, ...inner], leaf: read(node.name, node.opType).leaf };
    nested.set(node.id, result);
    return result;
  };
  return nodes.map((node) => {
    const where = base(node, 0);
    return holders.has(node.id) ? { scope: moduleOf(where), leaf: node.opType } : where;
  });
}

/** The module a holder's body goes in: its scope plus its own name. */
function moduleOf(holder: NodeScope): readonly string[] {
  return [...holder.scope, holder.leaf];
}

/** `n12/then_branch/n0` → { id: 'n12', part: 'then_branch' }; a top-level id → null. */
function holderOf(id: string): { id: string; part: string } | null {
  const last = id.lastIndexOf('/');
  if (last < 0) return null;
  const middle = id.lastIndexOf('/', last - 1);
  if (middle < 0) return null;
  return { id: id.slice(0, middle), part: id.slice(middle + 1, last) };
}

/** What a row passes up to its module besides its figures: counts, time per bound, the costliest op. */
class Sums {
  notModelled = 0;
  notCounted = 0;
  memory = 0;
  compute = 0;
  /** Time of other bounds (launch overhead, …), rare: made when first needed. */
  others: Map<string, number> | null = null;
  costliestId: string | null = null;
  costliestTime = -1;

  addBound(bound: string, time: number): void {
    if (bound === 'memory') this.memory += time;
    else if (bound === 'compute') this.compute += time;
    else {
      this.others ??= new Map();
      this.others.set(bound, (this.others.get(bound) ?? 0) + time);
    }
  }

  addOp(op: OpItem): void {
    if (op.notModelled) this.notModelled++;
    else if (op.notCounted) this.notCounted++;
    if (op.counts) this.addBound(op.bound, op.time);
    this.consider(op.id, op.time);
  }

  addModule(inner: Sums): void {
    this.notModelled += inner.notModelled;
    this.notCounted += inner.notCounted;
    this.memory += inner.memory;
    this.compute += inner.compute;
    if (inner.others) for (const [bound, time] of inner.others) this.addBound(bound, time);
    if (inner.costliestId !== null) this.consider(inner.costliestId, inner.costliestTime);
  }

  /** The first of equals (in the model's order) stays. */
  private consider(id: string, time: number): void {
    if (time > this.costliestTime) {
      this.costliestId = id;
      this.costliestTime = time;
    }
  }

  /** The bound holding at least BOUND_MAJORITY of `time`, else `mixed`; `none` without time. */
  majority(time: number): string {
    if (time <= 0) return 'none';
    let best: [string, number] = this.memory >= this.compute ? ['memory', this.memory] : ['compute', this.compute];
    if (this.others) for (const entry of this.others) if (entry[1] > best[1]) best = entry;
    return best[1] >= BOUND_MAJORITY * time ? best[0] : 'mixed';
  }
}

interface Finished {
  readonly row: CostTreeNode;
  readonly sums: Sums;
}

/** A row with nothing to show: no time, no kernel, no children, nothing left out of the totals. */
function isEmptyRow(row: CostTreeNode): boolean {
  return row.timeSeconds === 0 && row.children.length === 0 && row.note === undefined && (row.bound === 'none' || row.kind === 'module');
}

/** A module's row from its children's rows, bottom-up: each node is visited once. */
function finish(module: ModuleBuilder, name: string, kind: 'model' | 'module', total: number): Finished {
  const sums = new Sums();
  let time = 0;
  let flops = 0;
  let bytes = 0;
  let nodeCount = 0;
  const children: CostTreeNode[] = [];
  let noKernelOps = 0;
  for (const item of module.items) {
    if (item instanceof ModuleBuilder) {
      const done = finishModule(item, total);
      // A module of views and metadata ops only (Identity, Shape…): nothing to show but a count.
      if (isEmptyRow(done.row)) noKernelOps += done.row.nodeCount;
      else children.push(done.row);
      time += done.row.timeSeconds;
      flops += done.row.flops;
      bytes += done.row.bytes;
      nodeCount += done.row.nodeCount;
      sums.addModule(done.sums);
      continue;
    }
    // Views and metadata ops launch no kernel and cost nothing: counted, not listed (ViT has 73 Identity nodes).
    if (item.bound === 'none' && item.time === 0 && !item.notModelled && !item.notCounted) noKernelOps++;
    else children.push(opRow(item, module.label, total));
    time += item.time;
    flops += item.flops;
    bytes += item.bytes;
    nodeCount++;
    sums.addOp(item);
  }
  // The model's time is the totals' sum, in their order (a sum of sums can differ in the last bit).
  if (kind === 'model') time = total;
  const notes: string[] = [];
  if (sums.notModelled > 0) notes.push(`${sums.notModelled} op${sums.notModelled === 1 ? '' : 's'} not modelled`);
  if (sums.notCounted > 0) notes.push(`${sums.notCounted} op${sums.notCounted === 1 ? '' : 's'} not counted (the cheaper branch of an If)`);
  const row: CostTreeNode = {
    name,
    path: module.label,
    kind,
    timeSeconds: time,
    share: total > 0 ? time / total : 0,
    flops,
    bytes,
    bound: sums.majority(time),
    nodeCount,
    revealNodeId: sums.costliestId,
    ...(notes.length > 0 ? { note: `${notes.join('; ')}: not in the time` } : {}),
    ...(noKernelOps > 0 ? { noKernelOps } : {}),
    children: sortByTime(children),
  };
  return { row, sums };
}

/** A module row, or the one row a single-child chain collapses to. */
function finishModule(module: ModuleBuilder, total: number): Finished {
  let name = module.segment;
  let inner = module;
  while (inner.items.length === 1 && inner.items[0] instanceof ModuleBuilder) {
    inner = inner.items[0];
    name += SCOPE_SEPARATOR + inner.segment;
  }
  const only = inner.items.length === 1 ? inner.items[0] : undefined;
  if (only !== undefined && !(only instanceof ModuleBuilder)) {
    const row = opRow(only, inner.label, total);
    const sums = new Sums();
    sums.addOp(only);
    return { row: { ...row, name, path: inner.label }, sums };
  }
  return finish(inner, name, 'module', total);
}

function opRow(op: OpItem, moduleLabel: string, total: number): CostTreeNode {
  const row: CostTreeNode = {
    name: op.leaf,
    path: moduleLabel === '' ? op.leaf : moduleLabel + SCOPE_SEPARATOR + op.leaf,
    kind: 'op',
    timeSeconds: op.time,
    share: total > 0 ? op.time / total : 0,
    flops: op.flops,
    bytes: op.bytes,
    bound: op.bound,
    nodeCount: 1,
    revealNodeId: op.id,
    opType: op.opType,
    children: [],
  };
  return op.note === undefined ? row : { ...row, note: op.note };
}

/** Costliest first; equal times keep the model's order (Array.prototype.sort is stable). */
function sortByTime(rows: CostTreeNode[]): CostTreeNode[] {
  return rows.sort((a, b) => b.timeSeconds - a.timeSeconds);
}

/**
 * The tree with at most `maxChildren` children per row (the costliest; the rest summed in `more`), for
 * views that redraw on every report: the roofline panel gets a graph of 5,000 top-level ops as 50 rows.
 */
export function pruneCostTree(row: CostTreeNode, maxChildren: number): CostTreeNode {
  if (row.children.length === 0) return row;
  const kept = row.children.slice(0, maxChildren).map((c) => pruneCostTree(c, maxChildren));
  if (row.children.length <= maxChildren) return { ...row, children: kept };
  let timeSeconds = 0;
  let share = 0;
  for (const child of row.children.slice(maxChildren)) {
    timeSeconds += child.timeSeconds;
    share += child.share;
  }
  return { ...row, children: kept, more: { count: row.children.length - maxChildren, timeSeconds, share } };
}
