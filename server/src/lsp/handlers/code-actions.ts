import { CodeAction, CodeActionKind, CodeActionParams, Range } from 'vscode-languageserver';
import { Suggestion } from '../../analysis/advise/index';
import { Commands } from '../../protocol';
import { modelRefOf, ProfiledModel } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';
import { headerRange, savingText, suggestionsByTextNode, titleOf } from '../suggestion-places';
import { SuggestionDiagnosticData } from './diagnostics';
import { bindDefaultsTitle, dimDefaults } from './dims';

/**
 * Code actions (Ctrl+.) for suggestions, where the user works: on any line of a node that one of a
 * suggestion's places covers, on the graph's signature for whole-model suggestions (chip), and on a
 * suggestion's diagnostic. They are computed from the range alone, so they work in the read-only view
 * and with the diagnostic scrolled away. Show its detail, re-profile as if it were applied (the
 * what-if), copy its recipe: none of them edits anything, the model file is never modified. On an
 * unbound dim's diagnostic: bind the dims, or use the one-click defaults.
 */
export function registerCodeActions(ctx: ServerContext): void {
  ctx.connection.onCodeAction(
    runSafe(ctx.connection, 'textDocument/codeAction', [] as CodeAction[], async (params: CodeActionParams, token): Promise<CodeAction[]> => {
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return [];
      const uri = params.textDocument.uri;
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      await ctx.models.advise(profiled);
      const ids = new Set<string>();
      for (const d of params.context.diagnostics) {
        const data = d.data as Partial<SuggestionDiagnosticData> | undefined;
        if (d.source === 'ridgepoint' && typeof data?.suggestion === 'string') ids.add(data.suggestion);
      }
      const here = suggestionsOnLines(profiled, params.range);
      const total = profiled.report.totals?.timeSeconds ?? 0;
      const actions: CodeAction[] = [];
      for (const suggestion of profiled.advice?.suggestions ?? []) {
        if (ids.has(suggestion.id) || here.has(suggestion)) actions.push(...suggestionActions(uri, suggestion, total));
      }
      if (params.context.diagnostics.some((d) => d.source === 'ridgepoint' && d.code === 'dims.unbound')) actions.push(...bindActions(uri, profiled));
      return actions;
    }),
  );
}

/** The suggestions with a place on the lines of `range` (by the layout's node spans), and whole-model ones on the signature. */
function suggestionsOnLines(profiled: ProfiledModel, range: Range): Set<Suggestion> {
  const found = new Set<Suggestion>();
  const advice = profiled.advice;
  if (!advice) return found;
  const python = profiled.python;
  if (python) {
    // A PyTorch source: a node's line is where its layer is called (the frontend's node → source map).
    for (const s of advice.suggestions) {
      const onLines = s.nodes.some((id) => {
        const name = profiled.nodes.get(id)?.name;
        const source = name === undefined ? undefined : python.nodeSources.get(name);
        return source !== undefined && source.path === undefined && source.start.line >= range.start.line && source.start.line <= range.end.line;
      });
      if (onLines) found.add(s);
    }
    return found;
  }
  const loaded = profiled.loaded;
  const lines = loaded.lines;
  const from = lines.offsetAt({ line: range.start.line, character: 0 });
  const to = lines.lineEnd(lines.offsetAt({ line: range.end.line, character: 0 }));
  const byNode = suggestionsByTextNode(profiled);
  // A node's line is the one holding its op token (a subgraph's statement spans its whole body).
  for (const span of loaded.layout.nodes) {
    if (span.op.start > to) break;
    if (span.op.start < from) continue;
    for (const s of byNode.get(span.id) ?? []) found.add(s);
  }
  if (loaded.layout.graphs.length > 0) {
    const header = headerRange(loaded);
    if (header.start.line <= range.end.line && header.end.line >= range.start.line) for (const s of advice.suggestions) if (s.nodes.length === 0) found.add(s);
  }
  return found;
}

/** `Ridgepoint: Fuse attention — re-profile as if applied: saves 85.56 µs (4.7%)`, the detail, the recipe. */
function suggestionActions(uri: string, suggestion: Suggestion, totalSeconds: number): CodeAction[] {
  const title = titleOf(suggestion);
  const arg = { uri, suggestion: suggestion.id };
  const actions: CodeAction[] = [];
  if (suggestion.whatIf || suggestion.chip) {
    actions.push({ title: `Ridgepoint: ${title} — re-profile as if applied: ${savingText(suggestion, totalSeconds)}`, kind: CodeActionKind.QuickFix, isPreferred: true, command: { title: 'Re-profile as if applied', command: Commands.applyWhatIf, arguments: [arg] } });
  }
  actions.push({ title: `Ridgepoint: ${title} — show the numbers behind it`, kind: CodeActionKind.QuickFix, command: { title: 'Show detail', command: Commands.showSuggestion, arguments: [arg] } });
  if (suggestion.recipe) actions.push({ title: `Ridgepoint: ${title} — copy the recipe`, kind: CodeActionKind.QuickFix, command: { title: 'Copy recipe', command: Commands.copyRecipe, arguments: [{ recipe: suggestion.recipe }] } });
  return actions;
}

function bindActions(uri: string, profiled: ProfiledModel): CodeAction[] {
  const args = [{ uri }];
  const actions: CodeAction[] = [{ title: 'Ridgepoint: Bind symbolic dimensions…', kind: CodeActionKind.QuickFix, command: { title: 'Bind', command: Commands.bindDims, arguments: args } }];
  const defaults = dimDefaults(profiled);
  if (defaults.length > 0) actions.unshift({ title: `Ridgepoint: ${bindDefaultsTitle(defaults)}`, kind: CodeActionKind.QuickFix, isPreferred: true, command: { title: 'Use defaults', command: Commands.bindDefaultDims, arguments: args } });
  return actions;
}
