import { Graph, Model, Node } from '../ir/graph';
import { FrameCache, innermostUserFrame, SourceFrame } from './frame';
import { modulePath, sourceFrames } from './node-source';
import { bestFileMatch, normaliserWithMemory } from './path-match';

/** What is known of one node's origin in the Python source. */
export interface NodeSourceEntry {
  /** The shape engine's node id (`n3`, `n3/then_branch/n0`, `n5/MyFn/n2`), the id reports use. */
  readonly id: string;
  readonly name: string;
  readonly opType: string;
  /** Innermost first. */
  readonly frames: readonly SourceFrame[];
  /** The innermost frame in the user's own code; null when the node has no such frame. */
  readonly userFrame: SourceFrame | null;
  /** `layer1.0.conv1`; '' for the root module; null when unknown. */
  readonly modulePath: string | null;
  /** True when frames and module path come from the enclosing node (a function body or subgraph node without its own). */
  readonly inherited: boolean;
}

/** Line number → ids of the nodes located there. */
export type LineNodes = ReadonlyMap<number, readonly string[]>;

export interface SourceIndex {
  /** By node id. */
  readonly nodes: ReadonlyMap<string, NodeSourceEntry>;
  /** By node name (names need not be unique or present). */
  readonly byName: ReadonlyMap<string, readonly NodeSourceEntry[]>;
  /** Normalised frame file → line → nodes whose innermost user frame is that line ("self"). */
  readonly lines: ReadonlyMap<string, LineNodes>;
  /**
   * Normalised frame file → line → nodes with any frame on that line, user or not ("calls"): the line
   * `x = self.block(x)` holds every node the block produced.
   */
  readonly callLines: ReadonlyMap<string, LineNodes>;
  /** Module path → nodes produced by exactly that module. */
  readonly modules: ReadonlyMap<string, readonly string[]>;
}

/** Nodes with the shape engine's ids: an `InferenceResult` fits. */
export interface IdentifiedNodes {
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly node: Node }>;
}

/** Deepest subgraph nesting walked when no inference supplies the node ids (the reader's own limit). */
const MAX_GRAPH_DEPTH = 64;

/**
 * Indexes every node's source frames and module path. With an inference result the nodes and ids are
 * exactly those of reports (function bodies expanded, untaken If branches left out); without one the
 * model's graphs are walked and ids are computed the way the shape engine assigns them.
 */
export function buildSourceIndex(model: Model, identified?: IdentifiedNodes | null): SourceIndex {
  const nodes = new Map<string, NodeSourceEntry>();
  const frameCache = new FrameCache();
  for (const { id, node } of identified?.nodes ?? walkGraphNodes(model.graph)) {
    const frames = sourceFrames(node, frameCache);
    nodes.set(id, { id, name: node.name, opType: node.opType, frames, userFrame: innermostUserFrame(frames), modulePath: modulePath(node), inherited: false });
  }
  inheritFromEnclosingNodes(nodes);

  const byName = new Map<string, NodeSourceEntry[]>();
  const lines = new Map<string, Map<number, string[]>>();
  const callLines = new Map<string, Map<number, string[]>>();
  const modules = new Map<string, string[]>();
  const fileKey = normaliserWithMemory();
  for (const entry of nodes.values()) {
    push(byName, entry.name, entry);
    if (entry.userFrame !== null) addLine(lines, fileKey(entry.userFrame.file), entry.userFrame.line, entry.id);
    const seen = new Set<string>();
    for (const frame of entry.frames) {
      const file = fileKey(frame.file);
      const key = `${file}\n${frame.line}`;
      if (seen.has(key)) continue; // recursion repeats a line; the node counts there once
      seen.add(key);
      addLine(callLines, file, frame.line, entry.id);
    }
    if (entry.modulePath !== null) push(modules, entry.modulePath, entry.id);
  }
  return { nodes, byName, lines, callLines, modules };
}

/** The entry for a node id; ids of nodes inside a function or subgraph fall back to their enclosing node. */
export function sourceOfNode(index: SourceIndex, id: string): NodeSourceEntry | null {
  for (let current: string | null = id; current !== null; current = enclosingId(current)) {
    const entry = index.nodes.get(current);
    if (entry !== undefined) return entry;
  }
  return null;
}

/** Which of the index's frame files a workspace file is (longest common path suffix, see path-match.ts). */
export function indexedFileFor(index: SourceIndex, workspaceFile: string, scope: LineScope = 'self'): string | null {
  return bestFileMatch(workspaceFile, tableFor(index, scope).keys())?.file ?? null;
}

/**
 * `self`: nodes whose innermost user frame is the line; `calls`: nodes with any frame on the line
 * (a call such as `x = self.layer1(x)` then holds every node of layer1).
 */
export type LineScope = 'self' | 'calls';

/** Ids of the nodes located at a line of a workspace file; [] when the file matches no frame file. */
export function nodesAtLine(index: SourceIndex, workspaceFile: string, line: number, scope: LineScope = 'self'): readonly string[] {
  const file = indexedFileFor(index, workspaceFile, scope);
  return file === null ? [] : (tableFor(index, scope).get(file)?.get(line) ?? []);
}

/**
 * Ids of the nodes produced by a module (`layer1.0.conv1`, as `named_modules()` names it), and by its
 * submodules unless `includeSubmodules` is false. The root module is ''.
 */
export function nodesInModule(index: SourceIndex, path: string, includeSubmodules = true): string[] {
  if (!includeSubmodules) return [...(index.modules.get(path) ?? [])];
  const ids: string[] = [];
  for (const [module, moduleIds] of index.modules) {
    if (path === '' || module === path || module.startsWith(`${path}.`)) ids.push(...moduleIds);
  }
  return ids;
}

function tableFor(index: SourceIndex, scope: LineScope): ReadonlyMap<string, LineNodes> {
  return scope === 'self' ? index.lines : index.callLines;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function addLine(table: Map<string, Map<number, string[]>>, file: string, line: number, id: string): void {
  let byLine = table.get(file);
  if (byLine === undefined) {
    byLine = new Map();
    table.set(file, byLine);
  }
  push(byLine, line, id);
}

/** `n5/MyFn/n2` → `n5`, `n3/then_branch/n0` → `n3`, `n3` → null. */
function enclosingId(id: string): string | null {
  const parts = id.split('/');
  return parts.length >= 3 ? parts.slice(0, -2).join('/') : null;
}

/** Function-body and subgraph nodes without their own origin take their enclosing node's. */
function inheritFromEnclosingNodes(nodes: Map<string, NodeSourceEntry>): void {
  for (const [id, entry] of nodes) {
    if (entry.frames.length > 0 || entry.modulePath !== null) continue;
    for (let parent = enclosingId(id); parent !== null; parent = enclosingId(parent)) {
      const outer = nodes.get(parent);
      if (outer === undefined || (outer.frames.length === 0 && outer.modulePath === null)) continue;
      nodes.set(id, { ...entry, frames: outer.frames, userFrame: outer.userFrame, modulePath: outer.modulePath, inherited: true });
      break;
    }
  }
}

/** The model's nodes with shape-engine ids, subgraphs included (both If branches: nothing is inferred here). */
function* walkGraphNodes(graph: Graph, prefix = '', depth = 0): Generator<{ id: string; node: Node }> {
  if (depth > MAX_GRAPH_DEPTH) return;
  for (const [index, node] of graph.nodes.entries()) {
    const id = `${prefix}n${index}`;
    yield { id, node };
    for (const [name, value] of node.attributes) {
      if (value.type === 'graph') yield* walkGraphNodes(value.value, `${id}/${name}/`, depth + 1);
      else if (value.type === 'graphs') for (const [i, sub] of value.value.entries()) yield* walkGraphNodes(sub, `${id}/${name}${i}/`, depth + 1);
    }
  }
}
