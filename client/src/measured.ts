/**
 * "Import Measured Profile…" (measured mode): the user picks an ONNX Runtime profile JSON recorded
 * anywhere (their GPU box, `ridgepoint measure --save-profile`); the server joins it to the model's
 * predictions and the roofline panel draws measured points beside predicted ones. Nothing is written.
 */
import * as vscode from 'vscode';
import { SetMeasuredRequest } from '../../server/src/protocol';
import { RidgepointServer } from './language-client';
import { displayName } from './model-uris';

export async function importMeasured(server: RidgepointServer, model: vscode.Uri, showRoofline: (model: vscode.Uri) => Promise<void>): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    title: `Ridgepoint: ONNX Runtime profile to compare with ${displayName(model)}`,
    canSelectMany: false,
    filters: { 'ONNX Runtime profile': ['json'] },
    openLabel: 'Import profile',
  });
  const file = picked?.[0];
  if (!file) return;
  const client = await server.ready();
  const result = await client.sendRequest(SetMeasuredRequest, { uri: model.toString(), path: file.fsPath });
  if (result.errors.length > 0) {
    void vscode.window.showErrorMessage(`Ridgepoint: cannot use ${displayName(file)}: ${result.errors.slice(0, 3).join('; ')}`);
    return;
  }
  const notes = result.notes.length > 0 ? ` (${result.notes[0]})` : '';
  void vscode.window.showInformationMessage(`Ridgepoint: ${displayName(file)} joined to ${displayName(model)}: ${result.matched} nodes matched, ${result.compared} compared${notes}.`);
  await showRoofline(model);
}
