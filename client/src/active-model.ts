/**
 * Which model the user is looking at: the active ONNX text editor (a `.onnxtxt` file or a rendered view),
 * a model definition the server profiled as one (a `.py` with an nn.Module, a Hugging Face config.json),
 * the `.onnx` custom editor tab for the moment before it turns into the view, or the model of a focused
 * roofline panel. Keeps the `ridgepoint.modelActive` context key (menus' `when` clauses) in step, so the
 * palette's Profile for H100, Show Roofline, Export Report… and Bind… work on all of them.
 */
import * as vscode from 'vscode';
import { ProfiledParams } from '../../server/src/protocol';
import { isModelDocument, modelKey, ONNX_VIEW_TYPE } from './model-uris';

export const MODEL_ACTIVE_CONTEXT = 'ridgepoint.modelActive';

export class ActiveModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private current: vscode.Uri | undefined;
  /** Models of webview panels (the roofline panel) that count as active while focused. */
  private readonly panelModels: Array<() => vscode.Uri | undefined> = [];
  /** Model definitions (by model key) the server profiled as models: it sent them a coverage. */
  private readonly definitions = new Set<string>();

  constructor() {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.update()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.update()),
      vscode.workspace.onDidOpenTextDocument(() => this.update()),
    );
    this.update();
  }

  get uri(): vscode.Uri | undefined {
    return this.current;
  }

  /** A panel whose model counts as active when the panel is focused (returns undefined otherwise). */
  addPanelModel(get: () => vscode.Uri | undefined): vscode.Disposable {
    this.panelModels.push(get);
    return new vscode.Disposable(() => {
      const i = this.panelModels.indexOf(get);
      if (i >= 0) this.panelModels.splice(i, 1);
    });
  }

  /**
   * A `ridgepoint/profiled` notification: a .py or config.json becomes a model when the server found one in
   * it (it sends a coverage only then), and stops being one when it no longer does.
   */
  noteProfiled(params: ProfiledParams): void {
    const key = modelKey(params.uri);
    const had = this.definitions.has(key);
    if (params.coverage) this.definitions.add(key);
    else this.definitions.delete(key);
    if (had !== this.definitions.has(key)) this.update();
  }

  update(): void {
    const next = this.find();
    if (next?.toString() === this.current?.toString()) return;
    this.current = next;
    void vscode.commands.executeCommand('setContext', MODEL_ACTIVE_CONTEXT, next !== undefined);
    this.changed.fire(next);
  }

  private find(): vscode.Uri | undefined {
    const editor = vscode.window.activeTextEditor;
    if (editor && (isModelDocument(editor.document) || this.definitions.has(modelKey(editor.document.uri)))) return editor.document.uri;
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    if (tab?.input instanceof vscode.TabInputCustom && tab.input.viewType === ONNX_VIEW_TYPE) return tab.input.uri;
    for (const get of this.panelModels) {
      const uri = get();
      if (uri) return uri;
    }
    return undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
