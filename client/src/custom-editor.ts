/**
 * The `*.onnx` custom editor. A binary model has no useful text, so opening one shows the rendered text
 * view (`ridgepoint-onnx:`) in the same column, as a preview when the custom editor tab was one, and the
 * webview closes itself. Until then it shows one line of text under a CSP that allows nothing.
 */
import * as vscode from 'vscode';
import { isCancellation, errorMessage } from './command-runner';
import { displayName, ONNX_VIEW_TYPE } from './model-uris';
import { OnnxViewProvider } from './onnx-view';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class OnnxCustomEditor implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly views: OnnxViewProvider,
    private readonly output: vscode.OutputChannel,
  ) {}

  static register(views: OnnxViewProvider, output: vscode.OutputChannel): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(ONNX_VIEW_TYPE, new OnnxCustomEditor(views, output), {
      supportsMultipleEditorsPerDocument: true,
    });
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const name = displayName(document.uri);
    panel.webview.options = { enableScripts: false, localResourceRoots: [] };
    panel.webview.html = [
      '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`,
      `<title>${escapeHtml(name)}</title></head><body><p>Opening ${escapeHtml(name)} as text…</p></body></html>`,
    ].join('');
    // Not awaited: the tab shows the line above while the model is read (under its own progress notification).
    void this.replaceWithText(document.uri, panel);
  }

  private async replaceWithText(uri: vscode.Uri, panel: vscode.WebviewPanel): Promise<void> {
    let disposed = false;
    const listener = panel.onDidDispose(() => {
      disposed = true;
    });
    const preview = findTab(uri)?.isPreview ?? false;
    const viewColumn = panel.viewColumn ?? vscode.ViewColumn.Active;
    try {
      const text = await this.views.openView(uri);
      // The user closed the tab while the model was read: they no longer want it.
      if (!disposed) await vscode.window.showTextDocument(text, { viewColumn, preview, preserveFocus: !panel.active });
    } catch (error) {
      if (!isCancellation(error)) {
        this.output.appendLine(`Opening ${uri.toString()} failed: ${errorMessage(error)}`);
        void vscode.window.showErrorMessage(`Ridgepoint: cannot open ${displayName(uri)}: ${errorMessage(error)}`);
      }
    } finally {
      listener.dispose();
      if (!disposed) panel.dispose();
    }
  }
}

function findTab(uri: vscode.Uri): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputCustom && tab.input.viewType === ONNX_VIEW_TYPE && tab.input.uri.toString() === uri.toString()) return tab;
    }
  }
  return undefined;
}
