/**
 * "Bind Symbolic Dimensions…": asks for a value for each symbolic dim of the model's inputs (prefilled with
 * its current binding) and sends them to the server, which re-profiles the document. Escape at any dim
 * abandons the whole change.
 */
import * as vscode from 'vscode';
import { SetBindingsNotification, UnboundDimsRequest } from '../../server/src/protocol';
import { RidgepointServer } from './language-client';
import { displayName } from './model-uris';
import { clipName, validateDimValue } from './summary';

export async function bindDims(server: RidgepointServer, model: vscode.Uri): Promise<void> {
  const client = await server.ready();
  const uri = model.toString();
  const { dims } = await client.sendRequest(UnboundDimsRequest, { uri });
  const name = displayName(model);
  if (dims.length === 0) {
    void vscode.window.showInformationMessage(`Ridgepoint: ${name} has no symbolic dimensions to bind.`);
    return;
  }
  const bindings: Record<string, number> = {};
  for (const [i, dim] of dims.entries()) {
    const value = await vscode.window.showInputBox({
      title: `Ridgepoint: bind symbolic dimensions of ${name} (${i + 1}/${dims.length})`,
      prompt: `Value of ${clipName(dim.name, 60)}${dim.value === null ? ' (unbound now)' : ''}`,
      value: dim.value === null ? '' : String(dim.value),
      placeHolder: 'a positive integer, e.g. 1 or 2048',
      ignoreFocusOut: true,
      validateInput: validateDimValue,
    });
    if (value === undefined) return;
    bindings[dim.name] = Number(value.trim());
  }
  await client.sendNotification(SetBindingsNotification, { uri, bindings });
}
