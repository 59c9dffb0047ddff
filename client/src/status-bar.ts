/**
 * The status bar item `ridgepoint.chip`: the current chip and the active model's predicted time, from the
 * server's `ridgepoint/profiled` notifications (or what is not costed, when dims are unbound). Visible
 * while a model is active (an ONNX view, a .py model, a config.json); a click picks a chip.
 */
import * as vscode from 'vscode';
import { Commands, ProfiledParams } from '../../server/src/protocol';
import { ActiveModel } from './active-model';
import { Chips } from './chips';
import { modelKey } from './model-uris';
import { isIncomplete, statusText, statusTooltip } from './summary';

export class ChipStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ridgepoint.chip', vscode.StatusBarAlignment.Right, 100);
  private readonly profiled = new Map<string, ProfiledParams>();
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(
    private readonly active: ActiveModel,
    private readonly chips: Chips,
  ) {
    this.item.name = 'Ridgepoint Chip';
    this.item.command = Commands.pickChip;
    this.disposables.push(
      // Model definitions (.py, config.json) count as active models too (active-model.ts).
      active.onDidChange(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ridgepoint')) this.render();
      }),
    );
    this.render();
  }

  /** A `ridgepoint/profiled` notification. */
  update(params: ProfiledParams): void {
    this.profiled.set(modelKey(params.uri), params);
    this.render();
  }

  /** The latest numbers for a model, if the server has sent any. */
  latest(uri: vscode.Uri): ProfiledParams | undefined {
    return this.profiled.get(modelKey(uri));
  }

  render(): void {
    const uri = this.active.uri;
    if (!uri) {
      this.item.hide();
      return;
    }
    const profiled = this.profiled.get(modelKey(uri));
    const chipName = this.chips.nameOf(this.chips.current());
    this.item.text = statusText(chipName, profiled);
    this.item.tooltip = statusTooltip(chipName, profiled);
    this.item.backgroundColor = isIncomplete(profiled) ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
