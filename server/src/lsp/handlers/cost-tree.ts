import { Range } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { CostTreeNode, pruneCostTree } from '../../analysis/cost-tree';
import { coverageShort, summariseCoverage } from '../../analysis/coverage';
import { CostTreeRequest, CostTreeResult } from '../../protocol';
import { modelRefOf, ProfiledModel } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/** `ridgepoint/costTree`: the current profile's cost tree (report.costTree), and what it leaves out. */
export function registerCostTree(ctx: ServerContext): void {
  const failure: CostTreeResult = { root: null, chipName: '', incomplete: 'the cost tree failed (see the Ridgepoint output channel)' };
  ctx.connection.onRequest(
    CostTreeRequest,
    runSafe(ctx.connection, CostTreeRequest.method, failure, async (params, token): Promise<CostTreeResult> => {
      const ref = modelRefOf(params.uri);
      if (!ref) return { ...failure, incomplete: `not a model: ${params.uri}` };
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      return costTreeOf(profiled);
    }),
  );
}

/** Rows per module the side bar gets: a graph of 5,000 top-level ops is sent as 200 rows and a sum. */
export const VIEW_TREE_CHILDREN = 200;

export function costTreeOf(profiled: ProfiledModel): CostTreeResult {
  const whole = profiled.report.costTree ?? null;
  const root = whole && pruneCostTree(whole, VIEW_TREE_CHILDREN);
  const locate = sourceLocator(profiled);
  const sources = locate && root ? sourcesOf(root, locate) : undefined;
  return { root, chipName: profiled.options.chip.name, incomplete: caveat(profiled), ...(sources ? { sources } : {}) };
}

/**
 * What makes the tree's times less than the model's, in the words the status bar uses: unbound dims
 * (nothing is costed until they are bound), an incomplete model definition (lower bounds), ops not modelled.
 */
function caveat(profiled: ProfiledModel): string | null {
  const { report } = profiled;
  const parts: string[] = [];
  if (report.unboundSymbols.length > 0) parts.push(`not costed: bind ${report.unboundSymbols.join(', ')}`);
  if (report.coverage && !report.coverage.complete) parts.push(coverageShort(summariseCoverage(report.coverage)));
  const unmodelled = report.totals?.unmodelledNodes ?? 0;
  if (unmodelled > 0) parts.push(`${unmodelled} op${unmodelled === 1 ? '' : 's'} not modelled: not in the times`);
  if (!report.costTree && parts.length === 0) parts.push('nothing was costed (see Problems)');
  return parts.length > 0 ? parts.join('; ') : null;
}

type SourcePlace = { uri: string; range: Range };

/**
 * Where a node is in the model's own file, for models whose file is their text: a `.py` (the line that
 * builds its layer, where the hints are, else the forward line calling it; another file for a layer built
 * in an imported module) and an `.onnxtxt` (the node's statement). Null for a binary model (revealNode
 * selects the node in its view) and a config.json (no line per node).
 */
function sourceLocator(profiled: ProfiledModel): ((nodeId: string) => SourcePlace | undefined) | null {
  const { python, loaded } = profiled;
  const modelUri = loaded.ref.uri;
  if (python) {
    return (id) => {
      const name = profiled.nodes.get(id)?.name;
      const range = name === undefined ? undefined : (python.nodeSources.get(name) ?? python.callSites.get(name));
      return range && { uri: range.path === undefined ? modelUri : URI.file(range.path).toString(), range: { start: range.start, end: range.end } };
    };
  }
  if (loaded.ref.kind !== 'text') return null;
  return (id) => {
    const span = loaded.nodeSpans.get(id);
    return span && { uri: modelUri, range: loaded.lines.range(span.statement) };
  };
}

/** Every row's reveal node, located. */
function sourcesOf(root: CostTreeNode, locate: (nodeId: string) => SourcePlace | undefined): Record<string, SourcePlace> {
  const out: Record<string, SourcePlace> = {};
  const visit = (row: CostTreeNode): void => {
    const place = row.revealNodeId === null ? undefined : locate(row.revealNodeId);
    if (place && row.revealNodeId !== null) out[row.revealNodeId] = place;
    row.children.forEach(visit);
  };
  visit(root);
  return out;
}
