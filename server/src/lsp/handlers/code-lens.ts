import { CodeLens, CodeLensParams, Command } from 'vscode-languageserver';
import { humanTime } from '../../format/units';
import { nothingCosted, notCostedText } from '../../format/unbound';
import { Commands } from '../../protocol';
import { lensRows, rowLines } from '../lens-rows';
import { modelRefOf, ProfiledModel } from '../models';
import { runSafe } from '../safe';
import { topSuggestionRows } from '../suggestion-places';
import { bindDefaultsTitle, dimDefaults } from './dims';
import { hfCodeLenses, pythonCodeLenses, pythonEntryLine } from './source-models';
import { ServerContext } from '../server';

/**
 * Above the main graph's signature: total time on the chip, memory-bound share, and the roofline; a
 * model with unbound dims says what is not costed and offers the one-click defaults; above those, one
 * row per top suggestion. Model definitions (.py, config.json) get their own lenses and the same
 * suggestion rows.
 */
export function registerCodeLens(ctx: ServerContext): void {
  ctx.connection.onCodeLens(
    runSafe(ctx.connection, 'textDocument/codeLens', [] as CodeLens[], async (params: CodeLensParams, token): Promise<CodeLens[]> => {
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return [];
      const uri = params.textDocument.uri;
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      const lineCount = profiled.loaded.lines.lineCount;
      if (ref.kind === 'python') {
        const entry = pythonEntryLine(profiled);
        const bind = bindCommands(profiled, uri);
        const rows = [...(bind.length > 0 ? [bind] : []), ...topSuggestionRows(profiled, uri)];
        const own = [...pythonCodeLenses(profiled, uri), ...ctx.traces.codeLenses(profiled, uri)];
        if (entry === null) return own;
        // Under the entry's signature, one row a line (the lines above it belong to the previous definition).
        const lines = rows.map((_, i) => Math.min(entry + 1 + i, Math.max(0, lineCount - 1)));
        return [...own, ...lensRows(rows, lines)];
      }
      if (ref.kind === 'hf-config') {
        const own = hfCodeLenses(profiled);
        const used = new Set(own.map((l) => l.range.start.line));
        const rows = topSuggestionRows(profiled, uri);
        const first = used.size === 0 ? 0 : Math.max(...used) + 1;
        return [...own, ...lensRows(rows, rows.map((_, i) => Math.min(first + i, Math.max(0, lineCount - 1))))];
      }
      const loaded = profiled.loaded;
      const main = loaded.layout.graphs.find((g) => g.kind === 'main');
      const { totals, chip } = profiled.report;
      if (!main || !totals || !chip) return [];
      const headerLine = loaded.lines.positionAt(main.header.start).line;
      const args = [{ uri }];
      const unbound = profiled.report.unboundSymbols;
      const header: Command[] = [];
      const costed = !nothingCosted(unbound, totals.costedNodes);
      if (!costed) header.push(...bindCommands(profiled, uri));
      else {
        const atLeast = unbound.length > 0 || totals.unmodelledNodes > 0 ? '≥ ' : '';
        header.push({ title: `${atLeast}${humanTime(totals.timeSeconds)} per run on ${chip.name}`, command: Commands.pickChip, arguments: args });
        header.push({ title: `${(totals.memoryBoundShare * 100).toFixed(0)}% memory-bound`, command: Commands.showRoofline, arguments: args });
      }
      header.push({ title: 'Open roofline', command: Commands.showRoofline, arguments: args });
      if (totals.unmodelledNodes > 0 && unbound.length === 0) header.push({ title: `${totals.unmodelledNodes} op(s) not modelled`, command: Commands.showRoofline, arguments: args });
      // Partly costed: the total is a lower bound, and what is missing gets a row of its own.
      const rows = [...(costed && unbound.length > 0 ? [bindCommands(profiled, uri)] : []), ...topSuggestionRows(profiled, uri)];
      const range = { start: { line: headerLine, character: 0 }, end: { line: headerLine, character: 0 } };
      return [...header.map((command) => ({ range, command })), ...lensRows(rows, rowLines(headerLine, rows.length, lineCount))];
    }),
  );
}

/** With unbound dims: `Not costed: bind batch, height, width` and the one-click default. */
function bindCommands(profiled: ProfiledModel, uri: string): Command[] {
  const unbound = profiled.report.unboundSymbols;
  if (unbound.length === 0) return [];
  const args = [{ uri }];
  const commands: Command[] = [{ title: capitalise(notCostedText(unbound)), command: Commands.bindDims, arguments: args }];
  const defaults = bindDefaultsTitle(dimDefaults(profiled));
  if (defaults) commands.push({ title: defaults, command: Commands.bindDefaultDims, arguments: args });
  return commands;
}

function capitalise(text: string): string {
  return text.length > 0 ? text[0]?.toUpperCase() + text.slice(1) : text;
}
