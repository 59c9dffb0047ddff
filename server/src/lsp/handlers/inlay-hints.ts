import { InlayHint, InlayHintParams } from 'vscode-languageserver';
import { verdictOf } from '../../analysis/cost/launch-bound';
import { ReportNode } from '../../analysis/report';
import { runtimeNote } from '../../format/runtime-text';
import { humanTime } from '../../format/units';
import { modelRefOf, ProfiledModel } from '../models';
import { reportNodesFor } from '../node-lookup';
import { runSafe } from '../safe';
import { costColumn } from './cost-column';
import { pythonInlayHints } from './source-models';
import { ServerContext } from '../server';

/**
 * Each node's predicted time and what bounds it. In the readable view of a binary model: a fixed-width
 * column at the start of every node line (cost-column.ts), on screen however long the line. In an
 * `.onnxtxt` file, which the user writes: at the end of the statement's first line, out of the way.
 */
export function registerInlayHints(ctx: ServerContext): void {
  ctx.connection.languages.inlayHint.on(
    runSafe(ctx.connection, 'textDocument/inlayHint', [] as InlayHint[], async (params: InlayHintParams, token): Promise<InlayHint[]> => {
      if (!ctx.settings.inlayHints.enabled) return [];
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return [];
      if (ref.kind === 'hf-config') return [];
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      if (ref.kind === 'python') return pythonInlayHints(profiled, params.range);
      if (!profiled.report.totals) return [];
      return profiled.loaded.view ? viewHints(profiled, params) : textHints(profiled, params);
    }),
  );
}

/** The node spans whose statements start inside the requested range. */
function* spansIn(profiled: ProfiledModel, params: InlayHintParams): Generator<{ id: string; start: number }> {
  const loaded = profiled.loaded;
  const from = loaded.lines.offsetAt(params.range.start);
  const to = loaded.lines.offsetAt(params.range.end);
  for (const span of loaded.layout.nodes) {
    if (span.statement.start > to) break;
    if (span.statement.start < from) continue;
    yield { id: span.id, start: span.statement.start };
  }
}

/** Under a runtime other than eager, every hint's tooltip says the times were predicted with it. */
function runtimeTooltip(profiled: ProfiledModel): { tooltip: string } | Record<string, never> {
  const note = runtimeNote(profiled.report.runtime, profiled.options.chip);
  return note ? { tooltip: `Predicted under the ${note}.` } : {};
}

function viewHints(profiled: ProfiledModel, params: InlayHintParams): InlayHint[] {
  const total = profiled.report.totals?.timeSeconds ?? 0;
  const hints: InlayHint[] = [];
  const tooltip = runtimeTooltip(profiled);
  for (const span of spansIn(profiled, params)) {
    const line = profiled.loaded.lines.positionAt(span.start).line;
    // The column keeps its width: the runtime goes in the tooltip.
    hints.push({ position: { line, character: 0 }, label: costColumn(reportNodesFor(profiled, span.id), total), paddingRight: true, ...tooltip });
  }
  return hints;
}

function textHints(profiled: ProfiledModel, params: InlayHintParams): InlayHint[] {
  const loaded = profiled.loaded;
  const hints: InlayHint[] = [];
  const seenLines = new Set<number>();
  const tooltip = runtimeTooltip(profiled);
  for (const span of spansIn(profiled, params)) {
    const label = hintLabel(reportNodesFor(profiled, span.id), profiled.report.runtime);
    if (label === null) continue;
    const position = loaded.lines.positionAt(loaded.lines.lineEnd(span.start));
    if (seenLines.has(position.line)) continue;
    seenLines.add(position.line);
    hints.push({ position, label, paddingLeft: true, ...tooltip });
  }
  return hints;
}

/**
 * `12.3 µs · memory`; `unmodelled`; nothing for views that launch no kernel. A launch-bound op under a
 * runtime other than eager names it (`1.00 µs · launch (cuda-graphs)`): there the runtime sets the figure.
 */
export function hintLabel(nodes: readonly ReportNode[], runtime?: string): string | null {
  if (nodes.length === 0) return null;
  if (nodes.every((n) => n.modelled === false)) return 'not modelled';
  const time = nodes.reduce((sum, n) => sum + (n.timeSeconds ?? 0), 0);
  const bounds = new Set(nodes.map(verdictOf).filter((b) => b !== undefined && b !== 'none'));
  if (bounds.size === 0) return time > 0 ? humanTime(time) : null;
  const bound = bounds.size === 1 ? [...bounds][0] : 'mixed';
  const calls = nodes.length > 1 ? ` (${nodes.length} calls)` : '';
  const runs = nodes.length === 1 && (nodes[0]?.executions ?? 1) !== 1 ? ` ×${nodes[0]?.executions}` : '';
  const under = bound === 'launch' && runtime !== undefined && runtime !== 'eager' ? ` (${runtime})` : '';
  return `${humanTime(time)}${runs}${calls} · ${bound}${under}`;
}
