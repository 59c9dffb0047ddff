import * as vscode from 'vscode';
import { humanBytes, humanTime } from '../../server/src/format/units';
import { suggestionTitle } from '../../server/src/analysis/advise/titles';
import { ProfileRequest, WhatIfRequest } from '../../server/src/protocol';
import { RidgepointServer } from './language-client';

/** The argument the server's code actions pass: a model URI and a suggestion id. */
interface SuggestionArg {
  readonly uri: string;
  readonly suggestion: string;
}

function isSuggestionArg(value: unknown): value is SuggestionArg {
  const v = value as Partial<SuggestionArg> | null;
  return typeof v?.uri === 'string' && typeof v.suggestion === 'string';
}

/**
 * The client side of suggestions (the language server's code actions name these commands): the
 * numbers behind a suggestion, its what-if (the model re-profiled as if it were applied, shown as the
 * roofline panel's comparison), and its recipe on the clipboard. Nothing here writes a file.
 */
export class SuggestionCommands {
  constructor(
    private readonly server: RidgepointServer,
    private readonly showWhatIfPanel: (model: vscode.Uri, suggestion: string) => void,
  ) {}

  async show(arg: unknown): Promise<void> {
    if (!isSuggestionArg(arg)) return;
    const client = await this.server.ready();
    const report = await client.sendRequest(ProfileRequest, { uri: arg.uri, suggestions: true });
    const suggestion = report.suggestions?.find((s) => s.id === arg.suggestion);
    if (!suggestion) {
      void vscode.window.showWarningMessage('Ridgepoint: that suggestion no longer applies (the model or the settings changed).');
      return;
    }
    const detail = [suggestion.detail, suggestion.recipe ? `Recipe: ${suggestion.recipe}` : ''].filter((t) => t).join('\n\n');
    const whatIf = 'Re-profile as if applied';
    const copy = 'Copy recipe';
    const title = suggestion.title ?? suggestionTitle(suggestion);
    const choice = await vscode.window.showInformationMessage(`${title}: ${suggestion.message}`, { modal: true, detail }, ...(suggestion.whatIf || suggestion.chip ? [whatIf] : []), ...(suggestion.recipe ? [copy] : []));
    if (choice === whatIf) await this.applyWhatIf(arg);
    else if (choice === copy && suggestion.recipe) await this.copyRecipe({ recipe: suggestion.recipe });
  }

  async applyWhatIf(arg: unknown): Promise<void> {
    if (!isSuggestionArg(arg)) return;
    const client = await this.server.ready();
    const result = await client.sendRequest(WhatIfRequest, { uri: arg.uri, suggestion: arg.suggestion });
    if (!result?.report?.totals || !result.baseline.totals) {
      void vscode.window.showWarningMessage('Ridgepoint: this suggestion cannot be re-profiled.');
      return;
    }
    const before = result.baseline.totals;
    const after = result.report.totals;
    const change = before.timeSeconds > 0 ? ((after.timeSeconds - before.timeSeconds) / before.timeSeconds) * 100 : 0;
    const label = result.suggestion.title ?? suggestionTitle(result.suggestion);
    const show = 'Show in Roofline';
    const choice = await vscode.window.showInformationMessage(
      `Ridgepoint: as if "${label}" were applied: ${humanTime(before.timeSeconds)} → ${humanTime(after.timeSeconds)} per run (${change.toFixed(1)}%), ${humanBytes(Math.max(0, before.bytes - after.bytes))} less traffic. The model file is unchanged.`,
      show,
    );
    if (choice === show) this.showWhatIfPanel(vscode.Uri.parse(arg.uri), arg.suggestion);
  }

  /**
   * Ctrl+. in the read-only model view. VS Code disables its Quick Fix (and the light bulb, and the
   * hover's quick fixes) in read-only editors, so this lists Ridgepoint's code actions for the cursor's
   * line itself, asked through the same provider, and runs the one picked.
   */
  async actionsHere(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const found = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command> | undefined>('vscode.executeCodeActionProvider', editor.document.uri, editor.selection);
    const items = (found ?? [])
      .map((a) => ({ label: a.title, command: a instanceof vscode.CodeAction ? a.command : (a as vscode.Command) }))
      .filter((i): i is { label: string; command: vscode.Command } => i.command !== undefined && i.command.command.startsWith('ridgepoint.'));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('Ridgepoint: no suggestion covers this line (the top ones are the lenses at the top of the model).');
      return;
    }
    const picked = await vscode.window.showQuickPick(items, { title: 'Ridgepoint: suggestions for this line', placeHolder: 'Re-profile as if applied, show the numbers, or copy the recipe' });
    if (picked) await vscode.commands.executeCommand(picked.command.command, ...((picked.command.arguments ?? []) as unknown[]));
  }

  async copyRecipe(arg: unknown): Promise<void> {
    const recipe = (arg as { recipe?: unknown } | null)?.recipe;
    if (typeof recipe !== 'string' || recipe === '') return;
    await vscode.env.clipboard.writeText(recipe);
    void vscode.window.showInformationMessage('Ridgepoint: recipe copied to the clipboard.');
  }
}
