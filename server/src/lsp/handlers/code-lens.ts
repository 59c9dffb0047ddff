import { CodeLens, CodeLensParams, Command } from 'vscode-languageserver';
import { launchShareOf, LAUNCH_SHARE_WORTH_SAYING } from '../../analysis/cost/launch-bound';
import { humanTime } from '../../format/units';
import { nothingCosted, notCostedText } from '../../format/unbound';
import { Commands } from '../../protocol';
import { lensRows, rowLines } from '../lens-rows';
import { modelRefOf, ProfiledModel } from '../models';
import { runSafe } from '../safe';
import { topSuggestionRows } from '../suggestion-places';
import { bindDefaultsTitle, dimDefaults } from './dims';
import { hfCodeLenses, pythonCodeLenses, pythonEntryLine } from './source-models';
import { viewGroupLenses } from './view-lenses';
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
      if (ref.kind === 'python') return [...pythonCodeLenses(profiled, uri), ...ctx.traces.codeLenses(profiled, uri), ...pythonSuggestionLenses(profiled, uri)];
      if (ref.kind === 'hf-config') return configLenses(profiled, uri);
      return graphLenses(profiled, uri);
    }),
  );
}

/** The last line a lens may sit on. */
function lastLine(profiled: ProfiledModel): number {
  return Math.max(0, profiled.loaded.lines.lineCount - 1);
}

/** A .py model: what is not costed and the top suggestions, one row a line under the entry's signature (the lines above it belong to the previous definition). */
function pythonSuggestionLenses(profiled: ProfiledModel, uri: string): CodeLens[] {
  const entry = pythonEntryLine(profiled);
  if (entry === null) return [];
  const bind = bindCommands(profiled, uri);
  const rows = [...(bind.length > 0 ? [bind] : []), ...topSuggestionRows(profiled, uri)];
  return lensRows(rows, rows.map((_, i) => Math.min(entry + 1 + i, lastLine(profiled))));
}

/** A config.json: its own rows, then one row per top suggestion on the next lines. */
function configLenses(profiled: ProfiledModel, uri: string): CodeLens[] {
  const own = hfCodeLenses(profiled);
  const rows = topSuggestionRows(profiled, uri);
  const first = own.length === 0 ? 0 : Math.max(...own.map((l) => l.range.start.line)) + 1;
  return [...own, ...lensRows(rows, rows.map((_, i) => Math.min(first + i, lastLine(profiled))))];
}

/** An ONNX graph: the totals on the main graph's signature, and rows above it for what is not costed and the top suggestions. */
function graphLenses(profiled: ProfiledModel, uri: string): CodeLens[] {
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
    // Ops left out (sizes unbound, not modelled) cost nothing in the total: it is a lower bound.
    const atLeast = unbound.length > 0 || totals.unmodelledNodes > 0 ? '≥ ' : '';
    header.push({ title: `${atLeast}${humanTime(totals.timeSeconds)} per run on ${chip.name}`, command: Commands.pickChip, arguments: args });
    header.push({ title: `${(totals.memoryBoundShare * 100).toFixed(0)}% memory-bound`, command: Commands.showRoofline, arguments: args });
    const launches = launchShareOf(totals);
    if (launches >= LAUNCH_SHARE_WORTH_SAYING) header.push({ title: `${(launches * 100).toFixed(0)}% kernel launches`, command: Commands.showRoofline, arguments: args });
  }
  header.push({ title: 'Open roofline', command: Commands.showRoofline, arguments: args });
  if (totals.unmodelledNodes > 0 && unbound.length === 0) header.push({ title: `${totals.unmodelledNodes} op(s) not modelled`, command: Commands.showRoofline, arguments: args });
  // Partly costed: what is missing gets a row of its own.
  const rows = [...(costed && unbound.length > 0 ? [bindCommands(profiled, uri)] : []), ...topSuggestionRows(profiled, uri)];
  const range = { start: { line: headerLine, character: 0 }, end: { line: headerLine, character: 0 } };
  return [...header.map((command) => ({ range, command })), ...lensRows(rows, rowLines(headerLine, rows.length, loaded.lines.lineCount)), ...viewGroupLenses(profiled, uri)];
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
