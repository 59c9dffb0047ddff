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
import { ReportNode } from './report';
import { NodeScope, scopeReader, ScopeNaming, SCOPE_SEPARATOR } from './scope';

export interface CostTreeNode {
  /** The row's name: a module's segment (`layer1`, `encoder › layers`), an op's short name. */
  readonly name: string;
  /** The row's whole place, as a scope label: `layer1 › 0 › conv1` ('' for the model). */
  readonly path: string;
  readonly kind: 'model' | 'module' | 'op';
  /** Predicted time per model run, seconds, of the ops the totals count. */
  readonly timeSeconds: number;
  /** Fraction of the model's time. */
  readonly share: number;
  /** FLOPs per model run (every execution). */
  readonly flops: number;
  /** Bytes read and written per model run (every execution), as the model stores its tensors. */
  readonly bytes: number;
  /** `memory`, `compute` (or any other bound the roofline gives), `mixed` for a module without a majority, `none` without a kernel. */
  readonly bound: string;
  /** Report nodes under this row (shown ones included, counted or not). */
  readonly nodeCount: number;
  /** The node to show for this row: an op's own id, a module's costliest op; null for an empty model. */
  readonly revealNodeId: string | null;
  /** Op rows (and modules shown as their single op): the op type. */
  readonly opType?: string;
  /** Why part of this row is not in its time: ops not modelled or not counted. */
  readonly note?: string;
  readonly children: CostTreeNode[];
  /** Children left out of this copy of the tree (pruneCostTree), summed: the cheapest ones. */
  readonly more?: { readonly count: number; readonly timeSeconds: number; readonly share: number };
}

/** The report node fields the tree reads. */
export type CostTreeInput = Pick<ReportNode, 'id' | 'name' | 'opType' | 'timeSeconds' | 'flops' | 'bytesRead' | 'bytesWritten' | 'bound' | 'counted' | 'modelled' | 'executions' | 'reason'>;

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
  nodes.forEach((node, i) => {
    const { scope, leaf } = scopes[i] as NodeScope;
    let module = root;
    for (const segment of scope) module = module.child(segment);
    module.items.push({ node, leaf });
  });
  const total = root.timeSeconds();
  return finish(root, options.modelName, 'model', total).row;
}

/** An op the totals count: modelled, not excluded, and running a kernel (bound `none` is a view or a container). */
export function countsInTotals(node: CostTreeInput): boolean {
  return node.counted !== false && node.modelled === true && node.bound !== undefined && node.bound !== 'none';
}

interface OpItem {
  readonly node: CostTreeInput;
  readonly leaf: string;
}

class ModuleBuilder {
  readonly items: Array<OpItem | ModuleBuilder> = [];
  private readonly modules = new Map<string, ModuleBuilder>();
  private time: number | undefined;

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

  timeSeconds(): number {
    if (this.time === undefined) {
      let sum = 0;
      for (const item of this.items) sum += item instanceof ModuleBuilder ? item.timeSeconds() : opTime(item.node);
      this.time = sum;
    }
    return this.time;
  }
}

function opTime(node: CostTreeInput): number {
  return countsInTotals(node) ? (node.timeSeconds ?? 0) : 0;
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

/** What a row adds to its module, besides its row: counts and time per bound, for notes and the majority bound. */
interface Sums {
  notModelled: number;
  notCounted: number;
  byBound: Map<string, number>;
  /** The costliest op under the row (the first of equals, in the model's order). */
  costliest: { id: string; time: number } | null;
}

interface Finished {
  readonly row: CostTreeNode;
  readonly sums: Sums;
}

/** A module's row from its children's rows, bottom-up: each node is visited once. */
function finish(module: ModuleBuilder, name: string, kind: 'model' | 'module', total: number): Finished {
  const sums: Sums = { notModelled: 0, notCounted: 0, byBound: new Map(), costliest: null };
  let flops = 0;
  let bytes = 0;
  let nodeCount = 0;
  const children: CostTreeNode[] = [];
  let costliestId: string | null = null;
  let costliestTime = -1;
  for (const item of module.items) {
    if (item instanceof ModuleBuilder) {
      const done = finishModule(item, total);
      children.push(done.row);
      flops += done.row.flops;
      bytes += done.row.bytes;
      nodeCount += done.row.nodeCount;
      sums.notModelled += done.sums.notModelled;
      sums.notCounted += done.sums.notCounted;
      for (const [bound, time] of done.sums.byBound) sums.byBound.set(bound, (sums.byBound.get(bound) ?? 0) + time);
      const best = done.sums.costliest;
      if (best !== null && best.time > costliestTime) {
        costliestId = best.id;
        costliestTime = best.time;
      }
      continue;
    }
    const row = opRow(item, module.label, total);
    children.push(row);
    flops += row.flops;
    bytes += row.bytes;
    nodeCount++;
    const { node } = item;
    if (node.modelled === false) sums.notModelled++;
    else if (node.counted === false) sums.notCounted++;
    if (countsInTotals(node)) sums.byBound.set(row.bound, (sums.byBound.get(row.bound) ?? 0) + row.timeSeconds);
    if (row.timeSeconds > costliestTime) {
      costliestId = node.id;
      costliestTime = row.timeSeconds;
    }
  }
  sums.costliest = costliestId === null ? null : { id: costliestId, time: costliestTime };
  const time = module.timeSeconds();
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
    bound: majorityBound(sums.byBound, time),
    nodeCount,
    revealNodeId: sums.costliest?.id ?? null,
    ...(notes.length > 0 ? { note: `${notes.join('; ')}: not in the time` } : {}),
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
    const { node } = only;
    const sums: Sums = {
      notModelled: node.modelled === false ? 1 : 0,
      notCounted: node.modelled !== false && node.counted === false ? 1 : 0,
      byBound: countsInTotals(node) ? new Map([[row.bound, row.timeSeconds]]) : new Map(),
      costliest: { id: node.id, time: row.timeSeconds },
    };
    return { row: { ...row, name, path: inner.label }, sums };
  }
  return finish(inner, name, 'module', total);
}

function opRow(item: OpItem, moduleLabel: string, total: number): CostTreeNode {
  const { node } = item;
  const runs = node.executions ?? 1;
  const counts = countsInTotals(node);
  const time = opTime(node);
  // Built mutable, then the note added: an op row is made per node, and a spread per row would show on 5,000 nodes.
  const row: { -readonly [K in keyof CostTreeNode]: CostTreeNode[K] } = {
    name: item.leaf,
    path: moduleLabel === '' ? item.leaf : moduleLabel + SCOPE_SEPARATOR + item.leaf,
    kind: 'op',
    timeSeconds: time,
    share: total > 0 ? time / total : 0,
    flops: counts ? (node.flops ?? 0) * runs : 0,
    bytes: counts ? ((node.bytesRead ?? 0) + (node.bytesWritten ?? 0)) * runs : 0,
    bound: node.bound ?? 'none',
    nodeCount: 1,
    revealNodeId: node.id,
    opType: node.opType,
    children: [],
  };
  if (node.modelled === false) row.note = `not modelled: ${node.reason || 'no cost formula'}; not in the time`;
  else if (node.counted === false) row.note = 'not counted: the costlier branch of its If is counted instead';
  return row;
}

function majorityBound(byBound: ReadonlyMap<string, number>, time: number): string {
  if (time <= 0) return 'none';
  let best: [string, number] | null = null;
  for (const entry of byBound) if (best === null || entry[1] > best[1]) best = entry;
  return best !== null && best[1] >= BOUND_MAJORITY * time ? best[0] : 'mixed';
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
  for (let i = maxChildren; i < row.children.length; i++) {
    timeSeconds += (row.children[i] as CostTreeNode).timeSeconds;
    share += (row.children[i] as CostTreeNode).share;
  }
  return { ...row, children: kept, more: { count: row.children.length - maxChildren, timeSeconds, share } };
}
