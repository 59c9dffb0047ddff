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
  const sources = profiled.python ? pythonSources(profiled, root) : undefined;
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

/** Where each row's reveal node is in the Python source: the line that builds its layer (where the hints are), else the forward line that calls it. */
function pythonSources(profiled: ProfiledModel, root: CostTreeNode | null): Record<string, { uri: string; range: Range }> | undefined {
  const python = profiled.python;
  if (!python || !root) return undefined;
  const modelUri = profiled.loaded.ref.uri;
  const out: Record<string, { uri: string; range: Range }> = {};
  const visit = (row: CostTreeNode): void => {
    const id = row.revealNodeId;
    const name = id === null ? undefined : profiled.nodes.get(id)?.name;
    const range = name === undefined ? undefined : (python.nodeSources.get(name) ?? python.callSites.get(name));
    if (id !== null && range) out[id] = { uri: range.path === undefined ? modelUri : URI.file(range.path).toString(), range: { start: range.start, end: range.end } };
    row.children.forEach(visit);
  };
  visit(root);
  return out;
}
