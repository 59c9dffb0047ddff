/**
 * A `.onnx` opened before VS Code has registered the installed extensions' contributions (right after a
 * window loads with a fresh profile) gets the built-in text editor, which only says "binary file": the
 * editor resolver waits for the registry only for file types it remembers from an earlier session. On
 * activation (which `workspaceContains:**\/*.onnx` brings forward), such tabs are reopened with the custom
 * editor, i.e. as ONNX text. Later text tabs of a `.onnx` are the user's own choice ("Reopen Editor With…")
 * and are left alone, except during a short grace period for opens that were already under way.
 */
import * as vscode from 'vscode';
import { isBinaryModelFile, ONNX_VIEW_TYPE } from './model-uris';

/** Tabs opened this soon after activation still count as opened before the custom editor existed. */
const GRACE_MS = 5_000;

function isBinaryTextTab(tab: vscode.Tab): tab is vscode.Tab & { input: vscode.TabInputText } {
  return tab.input instanceof vscode.TabInputText && isBinaryModelFile(tab.input.uri);
}

async function reopen(tab: vscode.Tab & { input: vscode.TabInputText }): Promise<void> {
  const { uri } = tab.input;
  const viewColumn = tab.group.viewColumn;
  await vscode.commands.executeCommand('vscode.openWith', uri, ONNX_VIEW_TYPE, { viewColumn, preview: tab.isPreview, preserveFocus: !tab.isActive });
  // The custom editor may already have replaced a preview tab; close the text tab if it is still there.
  // Tab objects are snapshots: look the text tab up again.
  const stale = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => isBinaryTextTab(t) && t.input.uri.toString() === uri.toString());
  if (stale.length > 0) await vscode.window.tabGroups.close(stale, true);
}

export function reopenBinaryTextTabs(output: vscode.OutputChannel): vscode.Disposable {
  const fix = (tabs: readonly vscode.Tab[]): void => {
    for (const tab of tabs) {
      if (!isBinaryTextTab(tab)) continue;
      reopen(tab).then(undefined, (error: unknown) => output.appendLine(`Reopening ${tab.input.uri.toString()} as ONNX text failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  };
  fix(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
  const listener = vscode.window.tabGroups.onDidChangeTabs((e) => fix(e.opened));
  const timer = setTimeout(() => listener.dispose(), GRACE_MS);
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    listener.dispose();
  });
}
