import { bestFileMatch, normaliserWithMemory } from './path-match';
import { LineScope, nodesInModule, SourceIndex, sourceOfNode } from './source-index';

/**
 * The per-node cost fields this needs; a report's `ReportNode` fits. Work and traffic are per
 * execution, time is per model run (all executions), as in the report.
 */
export interface NodeCost {
  readonly id: string;
  readonly flops?: number;
  readonly bytesRead?: number;
  readonly bytesWritten?: number;
  readonly timeSeconds?: number;
  readonly executions?: number;
  readonly counted?: boolean;
  readonly modelled?: boolean;
  readonly unit?: string;
}

/** Costs summed over a set of nodes, per model run. */
export interface CostSum {
  /** Node ids, in the order given. */
  readonly nodes: readonly string[];
  readonly flops: number;
  /** Bytes read plus bytes written. */
  readonly bytes: number;
  readonly timeSeconds: number;
  /** timeSeconds over the whole model's time (0 when the model's time is 0). */
  readonly share: number;
}

export interface LineCost extends CostSum {
  /** The frame file, normalised (see path-match.ts). */
  readonly file: string;
  readonly line: number;
}

export interface LineCostOptions {
  /** `self` (default): each node counts once, at its innermost user frame. `calls`: at every line of its stack. */
  readonly scope?: LineScope;
  /** The model's time per run that shares are relative to; default: the sum over every costed node given. */
  readonly totalTimeSeconds?: number;
}

/**
 * Whether a node enters the totals: the same rule as cost/totals.ts (counted, modelled, runs a kernel).
 * Containers and constant-folded nodes report unit `none`.
 */
export function isCostedNode(node: NodeCost): boolean {
  return node.counted !== false && node.modelled !== false && node.unit !== undefined && node.unit !== 'none' && node.timeSeconds !== undefined;
}

/**
 * Costs summed per source line, most time first. With the default `self` scope every costed node with a
 * user frame counts at exactly one line, so the lines sum to the totals of the mapped nodes.
 */
export function costsBySourceLine(index: SourceIndex, nodes: readonly NodeCost[], options: LineCostOptions = {}): LineCost[] {
  const scope = options.scope ?? 'self';
  const total = options.totalTimeSeconds ?? totalTime(nodes);
  const rows = new Map<string, { file: string; line: number; sum: MutableSum }>();
  const fileKey = normaliserWithMemory();
  for (const node of nodes) {
    if (!isCostedNode(node)) continue;
    const entry = sourceOfNode(index, node.id);
    if (entry === null) continue;
    const frames = scope === 'self' ? (entry.userFrame === null ? [] : [entry.userFrame]) : entry.frames;
    const seen = new Set<string>();
    for (const frame of frames) {
      const file = fileKey(frame.file);
      const key = `${file}\n${frame.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let row = rows.get(key);
      if (row === undefined) {
        row = { file, line: frame.line, sum: emptySum() };
        rows.set(key, row);
      }
      addNode(row.sum, node);
    }
  }
  return [...rows.values()].map(({ file, line, sum }) => ({ file, line, ...finish(sum, total) })).sort((a, b) => b.timeSeconds - a.timeSeconds || a.file.localeCompare(b.file) || a.line - b.line);
}

/**
 * The line costs of one workspace file, by line number, for hovers and lenses on that file. The
 * workspace file is matched to the frame files by longest common path suffix; none when ambiguous.
 */
export function costsForSourceFile(index: SourceIndex, nodes: readonly NodeCost[], workspaceFile: string, options: LineCostOptions = {}): Map<number, LineCost> {
  const rows = costsBySourceLine(index, nodes, options);
  const match = bestFileMatch(workspaceFile, new Set(rows.map((r) => r.file)));
  const byLine = new Map<number, LineCost>();
  if (match === null) return byLine;
  for (const row of rows) if (row.file === match.file) byLine.set(row.line, row);
  return byLine;
}

/**
 * Costs of the nodes a module produced (submodules included unless told otherwise): joins a layer found
 * in the PyTorch source (by its `named_modules()` path) to the ONNX nodes, with or without stack traces.
 */
export function costsForModule(index: SourceIndex, nodes: readonly NodeCost[], path: string, options: { includeSubmodules?: boolean; totalTimeSeconds?: number } = {}): CostSum {
  const ids = new Set(nodesInModule(index, path, options.includeSubmodules ?? true));
  const sum = emptySum();
  for (const node of nodes) if (isCostedNode(node) && ids.has(sourceOfNode(index, node.id)?.id ?? node.id)) addNode(sum, node);
  return finish(sum, options.totalTimeSeconds ?? totalTime(nodes));
}

interface MutableSum {
  nodes: string[];
  flops: number;
  bytes: number;
  timeSeconds: number;
}

function emptySum(): MutableSum {
  return { nodes: [], flops: 0, bytes: 0, timeSeconds: 0 };
}

function addNode(sum: MutableSum, node: NodeCost): void {
  const executions = node.executions ?? 1;
  sum.nodes.push(node.id);
  sum.flops += executions * (node.flops ?? 0);
  sum.bytes += executions * ((node.bytesRead ?? 0) + (node.bytesWritten ?? 0));
  sum.timeSeconds += node.timeSeconds ?? 0;
}

function finish(sum: MutableSum, total: number): CostSum {
  return { ...sum, share: total > 0 ? sum.timeSeconds / total : 0 };
}

function totalTime(nodes: readonly NodeCost[]): number {
  let total = 0;
  for (const node of nodes) if (isCostedNode(node)) total += node.timeSeconds ?? 0;
  return total;
}
