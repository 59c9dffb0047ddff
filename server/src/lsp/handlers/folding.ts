import { FoldingRange, FoldingRangeKind, FoldingRangeParams } from 'vscode-languageserver';
import { LoadedModel, modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/**
 * Folding in the readable view of a binary model: one region per module-scope group (nested), and the
 * details a reader skips at first (initializers, shape-only ops, weight inputs) as regions of kind
 * `imports`, which the editor folds on open (`editor.foldingImportsByDefault`, set for the view's
 * language in package.json). Other documents get null, so the editor folds them as it would anyway.
 */
export function registerFolding(ctx: ServerContext): void {
  ctx.connection.onFoldingRanges(
    runSafe(ctx.connection, 'textDocument/foldingRange', null as FoldingRange[] | null, async (params: FoldingRangeParams, token): Promise<FoldingRange[] | null> => {
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref || ref.kind !== 'binary') return null;
      const loaded = await ctx.models.load(ref, () => token.isCancellationRequested);
      return viewFoldingRanges(loaded);
    }),
  );
}

export function viewFoldingRanges(loaded: LoadedModel): FoldingRange[] | null {
  if (!loaded.view) return null;
  const ranges: FoldingRange[] = [];
  // The editor keeps one range per start line: the first, which is the outer one (regions are sorted by start, outer first).
  const starts = new Set<number>();
  for (const region of loaded.view.regions) {
    const startLine = loaded.lines.positionAt(region.start).line;
    const endLine = loaded.lines.positionAt(region.end).line;
    if (endLine <= startLine || starts.has(startLine)) continue;
    starts.add(startLine);
    ranges.push({ startLine, endLine, ...(region.kind === 'details' ? { kind: FoldingRangeKind.Imports } : {}) });
  }
  return ranges;
}
