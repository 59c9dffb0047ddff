import { CodeAction, CodeActionKind, CodeActionParams } from 'vscode-languageserver';
import { Commands } from '../../protocol';
import { modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';
import { SuggestionDiagnosticData } from './diagnostics';

/**
 * On a suggestion's diagnostic: show its detail, re-profile as if it were applied (the what-if), and
 * copy its recipe. None of them edits anything: the model file is never modified.
 */
export function registerCodeActions(ctx: ServerContext): void {
  ctx.connection.onCodeAction(
    runSafe(ctx.connection, 'textDocument/codeAction', [] as CodeAction[], async (params: CodeActionParams, token): Promise<CodeAction[]> => {
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return [];
      const ids = new Set<string>();
      for (const d of params.context.diagnostics) {
        const data = d.data as Partial<SuggestionDiagnosticData> | undefined;
        if (d.source === 'ridgepoint' && typeof data?.suggestion === 'string') ids.add(data.suggestion);
      }
      if (ids.size === 0) return [];
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      await ctx.models.advise(profiled);
      const uri = params.textDocument.uri;
      const actions: CodeAction[] = [];
      for (const suggestion of profiled.advice?.suggestions ?? []) {
        if (!ids.has(suggestion.id)) continue;
        const short = suggestion.pattern || suggestion.kind;
        actions.push({ title: `Ridgepoint: re-profile as if applied (${short})`, kind: CodeActionKind.QuickFix, isPreferred: true, command: { title: 'Re-profile as if applied', command: Commands.applyWhatIf, arguments: [{ uri, suggestion: suggestion.id }] } });
        actions.push({ title: `Ridgepoint: show the numbers behind this suggestion (${short})`, kind: CodeActionKind.QuickFix, command: { title: 'Show detail', command: Commands.showSuggestion, arguments: [{ uri, suggestion: suggestion.id }] } });
        if (suggestion.recipe) actions.push({ title: `Ridgepoint: copy the recipe (${short})`, kind: CodeActionKind.QuickFix, command: { title: 'Copy recipe', command: Commands.copyRecipe, arguments: [{ recipe: suggestion.recipe }] } });
      }
      return actions;
    }),
  );
}
