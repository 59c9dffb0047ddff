/**
 * Saving what the roofline panel exports (PNG or SVG of the chart, CSV or JSON of the table): the user
 * picks the file in a save dialog, and the extension writes only that file, never the model itself.
 */
import * as vscode from 'vscode';
import type { ExportFormat } from '../../media/src/panel-messages';
import { samePath } from './export-report';
import { displayName, fileUriOf } from './model-uris';

const FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  png: { 'PNG image': ['png'] },
  svg: { 'SVG image': ['svg'] },
  csv: { CSV: ['csv'] },
  json: { JSON: ['json'] },
};

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The bytes to write: a PNG data URL decoded (and checked to be a PNG), text as UTF-8. */
export function exportBytes(format: ExportFormat, data: string): Uint8Array {
  if (format !== 'png') return new TextEncoder().encode(data);
  const match = /^data:image\/png;base64,([A-Za-z0-9+/]*={0,2})$/.exec(data);
  if (!match) throw new Error('the panel sent no PNG data URL');
  const bytes = Buffer.from(match[1] ?? '', 'base64');
  // The webview is not trusted to send what it says: never write a file named .png that is not one.
  if (bytes.length < PNG_MAGIC.length || PNG_MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('the panel sent data that is not a PNG image');
  return bytes;
}

/** `<model>-roofline.<ext>` beside the model (its folder for a file, else the first workspace folder). */
export function defaultExportUri(model: vscode.Uri, format: ExportFormat): vscode.Uri | undefined {
  const source = fileUriOf(model);
  const base = displayName(source).replace(/\.[^.]*$/, '');
  const folder = source.scheme === 'file' ? source.with({ path: source.path.slice(0, source.path.lastIndexOf('/')) || '/' }) : vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, `${base}-roofline.${format}`) : undefined;
}

/** Asks where to save and writes there; the saved path, or null when the user cancelled. Throws on failure. */
export async function saveExport(model: vscode.Uri, format: ExportFormat, data: string): Promise<string | null> {
  // Decoded first: a bad payload fails before the user is asked anything.
  const bytes = exportBytes(format, data);
  const target = await vscode.window.showSaveDialog({
    title: `Ridgepoint: export the roofline of ${displayName(fileUriOf(model))} as ${format.toUpperCase()}`,
    defaultUri: defaultExportUri(model, format),
    filters: FILTERS[format],
    saveLabel: 'Export',
  });
  if (!target) return null;
  if (samePath(target, fileUriOf(model))) throw new Error('that is the model itself; choose another file');
  await vscode.workspace.fs.writeFile(target, bytes);
  return target.scheme === 'file' ? target.fsPath : target.toString();
}
