/**
 * "Export Report…": the model's report as JSON, self-contained HTML or Markdown, formatted by the CLI's
 * own formatters (server/src/cli/), written through vscode.workspace.fs. Never over the model file.
 */
import * as vscode from 'vscode';
import { formatMarkdown } from '../../server/src/cli/format';
import { renderHtmlReport } from '../../server/src/cli/html';
import type { ProfileResult } from '../../server/src/protocol';
import { displayName, fileUriOf } from './model-uris';
import { ReportFormat, reportFormatOf } from './summary';

const FILTERS: Record<string, string[]> = { HTML: ['html'], JSON: ['json'], Markdown: ['md'] };

export function formatReport(report: ProfileResult, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return `${formatMarkdown(report)}\n`;
    case 'html':
      return renderHtmlReport(report);
  }
}

export function samePath(a: vscode.Uri, b: vscode.Uri): boolean {
  if (a.scheme !== b.scheme) return false;
  // Case-insensitive file systems (Windows, macOS) would let `Model.ONNX` name the model.
  return process.platform === 'linux' ? a.path === b.path : a.path.toLowerCase() === b.path.toLowerCase();
}

/** Asks where to save, then writes. `getReport` is only called once a target is chosen. */
export async function exportReport(model: vscode.Uri, getReport: () => Promise<ProfileResult>): Promise<void> {
  const source = fileUriOf(model);
  const base = displayName(source).replace(/\.[^.]*$/, '');
  const folder = source.scheme === 'file' ? source.with({ path: source.path.slice(0, source.path.lastIndexOf('/')) || '/' }) : vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `Ridgepoint: export the report of ${displayName(source)}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}.ridgepoint.html`) : undefined,
    filters: FILTERS,
    saveLabel: 'Export',
  });
  if (!target) return;
  if (samePath(target, source)) {
    void vscode.window.showErrorMessage('Ridgepoint: the report would overwrite the model itself; choose another file.');
    return;
  }
  const format = reportFormatOf(target.path);
  if (!format) {
    void vscode.window.showErrorMessage('Ridgepoint: choose a file ending in .html, .json or .md for the report.');
    return;
  }
  const report = await getReport();
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(formatReport(report, format)));
  const actions = format === 'html' ? [] : ['Open'];
  void vscode.window.showInformationMessage(`Ridgepoint: report written to ${displayName(target)}.`, ...actions).then((choice) => {
    if (choice === 'Open') void vscode.window.showTextDocument(target).then(undefined, () => undefined);
  });
}
