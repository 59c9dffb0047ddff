import { InlayHint, InlayHintParams } from 'vscode-languageserver';
import { ReportNode } from '../../analysis/report';
import { humanTime } from '../../format/units';
import { modelRefOf } from '../models';
import { reportNodesFor } from '../node-lookup';
import { runSafe } from '../safe';
import { pythonInlayHints } from './source-models';
import { ServerContext } from '../server';

/** At the end of each node's first line: its predicted time and what bounds it. */
export function registerInlayHints(ctx: ServerContext): void {
  ctx.connection.languages.inlayHint.on(
    runSafe(ctx.connection, 'textDocument/inlayHint', [] as InlayHint[], async (params: InlayHintParams, token): Promise<InlayHint[]> => {
      if (!ctx.settings.inlayHints.enabled) return [];
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return [];
      if (ref.kind === 'hf-config') return [];
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      if (ref.kind === 'python') return pythonInlayHints(profiled, params.range);
      const loaded = profiled.loaded;
      if (!profiled.report.totals) return [];
      const from = loaded.lines.offsetAt(params.range.start);
      const to = loaded.lines.offsetAt(params.range.end);
      const hints: InlayHint[] = [];
      const seenLines = new Set<number>();
      for (const span of loaded.layout.nodes) {
        if (span.statement.start > to) break;
        if (span.statement.start < from) continue;
        const nodes = reportNodesFor(profiled, span.id);
        const label = hintLabel(nodes);
        if (label === null) continue;
        const position = loaded.lines.positionAt(loaded.lines.lineEnd(span.statement.start));
        if (seenLines.has(position.line)) continue;
        seenLines.add(position.line);
        hints.push({ position, label, paddingLeft: true });
      }
      return hints;
    }),
  );
}

/** `12.3 µs · memory`; `unmodelled`; nothing for views that launch no kernel. */
export function hintLabel(nodes: readonly ReportNode[]): string | null {
  if (nodes.length === 0) return null;
  if (nodes.every((n) => n.modelled === false)) return 'not modelled';
  const time = nodes.reduce((sum, n) => sum + (n.timeSeconds ?? 0), 0);
  const bounds = new Set(nodes.map((n) => n.bound).filter((b) => b !== undefined && b !== 'none'));
  if (bounds.size === 0) return time > 0 ? humanTime(time) : null;
  const bound = bounds.size === 1 ? [...bounds][0] : 'mixed';
  const calls = nodes.length > 1 ? ` (${nodes.length} calls)` : '';
  const runs = nodes.length === 1 && (nodes[0]?.executions ?? 1) !== 1 ? ` ×${nodes[0]?.executions}` : '';
  return `${humanTime(time)}${runs}${calls} · ${bound}`;
}
