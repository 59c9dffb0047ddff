/**
 * PyTorch sources (`.py`): which class or factory to profile and the input shape forward() is followed
 * with. Both are per file, kept by the server (`ridgepoint/setSourceOptions`); the code lenses on each
 * nn.Module call these commands. The source file is never modified.
 */
import * as vscode from 'vscode';
import { SetSourceOptionsNotification } from '../../server/src/protocol';
import { parseShapeText } from '../../server/src/settings';
import { RidgepointServer } from './language-client';
import { displayName } from './model-uris';

export async function setPythonInput(server: RidgepointServer, model: vscode.Uri): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: `Ridgepoint: input shape for ${displayName(model)}`,
    prompt: 'The first forward() argument: 1x3x224x224 for images, 1x1024 (or batch x seq) for token ids. Empty: the ridgepoint.pytorch.input setting.',
    placeHolder: '1x3x224x224',
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() === '' || parseShapeText(text) !== null ? undefined : 'dims as 1x3x224x224 (positive integers or names)'),
  });
  if (value === undefined) return;
  const client = await server.ready();
  await client.sendNotification(SetSourceOptionsNotification, { uri: model.toString(), input: value.trim() === '' ? null : value.trim() });
}

/** From a code lens: `{ uri, entry }`. */
export async function setPythonEntry(server: RidgepointServer, arg: unknown): Promise<void> {
  const { uri, entry } = (typeof arg === 'object' && arg !== null ? arg : {}) as { uri?: unknown; entry?: unknown };
  if (typeof uri !== 'string' || typeof entry !== 'string') throw new Error('Set Entry needs a file and a class or function name (use the code lens on the class)');
  const client = await server.ready();
  await client.sendNotification(SetSourceOptionsNotification, { uri, entry });
}
