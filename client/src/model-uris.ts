/**
 * The URIs the client deals in. A binary model is `file:///abs/model.onnx`; its read-only text view is
 * `ridgepoint-onnx:/abs/model.onnx` (same path, RENDER_SCHEME); a user-written model is a `file:` URI of
 * language `onnxtxt`. Per-model state (status bar numbers, node ranges) is keyed by `modelKey`, which maps
 * a view and its file to the same key so that the server may name either.
 */
import * as vscode from 'vscode';
import { LANGUAGE_ID, RENDER_SCHEME } from '../../server/src/protocol';

/** The custom editor that turns a click on `*.onnx` into the text view. */
export const ONNX_VIEW_TYPE = 'ridgepoint.onnxModel';

export function isBinaryModelFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.path.toLowerCase().endsWith('.onnx');
}

/** The text view of a binary model (`ridgepoint-onnx:/abs/model.onnx`). */
export function viewUriOf(file: vscode.Uri): vscode.Uri {
  return file.with({ scheme: RENDER_SCHEME });
}

/** The file a view renders, or the URI itself for anything else. */
export function fileUriOf(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === RENDER_SCHEME ? uri.with({ scheme: 'file' }) : uri;
}

/** One key per model: a view and its `.onnx` file share it. */
export function modelKey(uri: vscode.Uri | string): string {
  const parsed = typeof uri === 'string' ? vscode.Uri.parse(uri, true) : uri;
  return fileUriOf(parsed).toString();
}

/** `model.onnx`: the last path segment, for messages. */
export function displayName(uri: vscode.Uri): string {
  const segments = uri.path.split('/');
  return segments[segments.length - 1] || uri.path;
}

/** A document the language server analyses: ONNX text on disk or a rendered view. */
export function isModelDocument(document: vscode.TextDocument): boolean {
  if (document.uri.scheme === RENDER_SCHEME) return true;
  return document.uri.scheme === 'file' && document.languageId === LANGUAGE_ID;
}

/**
 * The model a command was invoked on, from its argument: a `vscode.Uri` (explorer and editor-title menus),
 * a URI string (the server's code lenses), or `{ uri }`. Undefined when the argument names no model.
 */
export function uriFromArgument(arg: unknown): vscode.Uri | undefined {
  let candidate: unknown = arg;
  if (typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && 'uri' in arg) candidate = (arg as { uri: unknown }).uri;
  if (candidate instanceof vscode.Uri) return candidate;
  if (typeof candidate === 'string' && candidate.length > 0) {
    try {
      return vscode.Uri.parse(candidate, true);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
