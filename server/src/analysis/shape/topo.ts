import { InternalInvariantError } from '../ir/at';
import { Graph } from '../ir/graph';

/**
 * Orders a graph's nodes so that producers come before consumers. ONNX requires files to be sorted
 * already, but exporters and hand edits do not always comply; a cycle is reported, not fatal.
 * Subgraph attributes count as consumers of the outer values they capture.
 */
export function topologicalOrder(graph: Graph): { readonly order: readonly number[]; readonly cyclic: readonly number[] } {
  let known = orderCache.get(graph);
  if (known === undefined) orderCache.set(graph, (known = computeOrder(graph)));
  return known;
}

/**
 * Graphs are immutable once read, and their order does not depend on bindings: a re-profile with new
 * bindings (the panel's) reuses it instead of re-deriving it for every node.
 */
const orderCache = new WeakMap<Graph, { readonly order: readonly number[]; readonly cyclic: readonly number[] }>();

function computeOrder(graph: Graph): { order: number[]; cyclic: number[] } {
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const out of node.outputs) if (out !== '' && !producer.has(out)) producer.set(out, i);
  });
  const local = new Set<string>([...graph.initializers.map((t) => t.name), ...graph.inputs.map((v) => v.name)]);
  const dependents: number[][] = graph.nodes.map(() => []);
  const pending = graph.nodes.map(() => 0);
  graph.nodes.forEach((node, i) => {
    const needs = new Set<number>();
    for (const name of [...node.inputs, ...capturedNames(node)]) {
      if (name === '' || local.has(name)) continue;
      const p = producer.get(name);
      if (p !== undefined && p !== i) needs.add(p);
    }
    pending[i] = needs.size;
    for (const p of needs) dependents[p]?.push(i);
  });
  // Files are almost always sorted already: then file order is the answer.
  if (dependents.every((ds, p) => ds.every((d) => d > p))) return { order: graph.nodes.map((_, i) => i), cyclic: [] };
  // Kahn's algorithm with a min-heap on file index, so that a mostly sorted file keeps its order.
  const order: number[] = [];
  const ready = new MinHeap();
  pending.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const done = new Array<boolean>(graph.nodes.length).fill(false);
  while (ready.size > 0) {
    const next = ready.pop();
    done[next] = true;
    order.push(next);
    for (const d of dependents[next] ?? []) {
      pending[d] = (pending[d] ?? 0) - 1;
      if (pending[d] === 0) ready.push(d);
    }
  }
  const cyclic: number[] = [];
  done.forEach((isDone, i) => {
    if (!isDone) cyclic.push(i);
  });
  return { order: [...order, ...cyclic], cyclic };
}

const captureCache = new WeakMap<object, string[]>();

/** Names a node's subgraphs read from enclosing scopes (free variables). */
function capturedNames(node: Graph['nodes'][number]): string[] {
  const names: string[] = [];
  for (const attr of node.attributes.values()) {
    if (attr.type === 'graph') names.push(...freeNames(attr.value));
    else if (attr.type === 'graphs') for (const g of attr.value) names.push(...freeNames(g));
  }
  return names;
}

function freeNames(graph: Graph): string[] {
  const cached = captureCache.get(graph);
  if (cached) return cached;
  const defined = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.map((t) => t.name)]);
  for (const n of graph.nodes) for (const o of n.outputs) defined.add(o);
  const free = new Set<string>();
  for (const n of graph.nodes) {
    for (const name of [...n.inputs, ...capturedNames(n)]) if (name !== '' && !defined.has(name)) free.add(name);
  }
  const result = [...free];
  captureCache.set(graph, result);
  return result;
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      // parent < i < a.length, so a[parent] is present.
      const parentValue = a[parent]!;
      if (parentValue <= value) break;
      a[i] = parentValue;
      i = parent;
    }
    a[i] = value;
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined) throw new InternalInvariantError('internal error: pop from an empty heap');
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        // l < a.length was checked above and r only counts when r < a.length.
        const child = r < a.length && a[r]! < a[l]! ? r : l;
        const childValue = a[child]!;
        if (childValue >= last) break;
        a[i] = childValue;
        i = child;
      }
      a[i] = last;
    }
    return top;
  }
}
