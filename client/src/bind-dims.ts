/**
 * "Bind Symbolic Dimensions…": asks for a value for each symbolic dim of the model's inputs (prefilled with
 * its current binding), naming the input and axis that use it (`x: [N, 3, H, W] → H (axis 2)`), and sends
 * them to the server, which re-profiles the document. Escape at any dim abandons the whole change.
 * "Use batch 1 and the model's example sizes" (a code lens, a quick fix, the palette) binds every unbound
 * dim that has a default (a batch dim: 1; a size the model records) and asks only for the others.
 */
import * as vscode from 'vscode';
import { ModelDim, SetBindingsNotification, UnboundDimsRequest } from '../../server/src/protocol';
import { RidgepointServer } from './language-client';
import { displayName } from './model-uris';
import { dimPrompt, validateDimValue } from './summary';

/** Asks for one dim's value; undefined when the user pressed Escape. */
async function askDim(model: vscode.Uri, dim: ModelDim, index: number, count: number): Promise<number | undefined> {
  const value = await vscode.window.showInputBox({
    title: `Ridgepoint: bind symbolic dimensions of ${displayName(model)} (${index + 1}/${count})`,
    prompt: dimPrompt(dim.name, dim.uses, dim.value === null),
    value: dim.value === null ? '' : String(dim.value),
    placeHolder: 'a positive integer, e.g. 1 or 2048',
    ignoreFocusOut: true,
    validateInput: validateDimValue,
  });
  return value === undefined ? undefined : Number(value.trim());
}

async function modelDims(server: RidgepointServer, model: vscode.Uri): Promise<ModelDim[] | undefined> {
  const client = await server.ready();
  const { dims } = await client.sendRequest(UnboundDimsRequest, { uri: model.toString() });
  if (dims.length === 0) {
    void vscode.window.showInformationMessage(`Ridgepoint: ${displayName(model)} has no symbolic dimensions to bind.`);
    return undefined;
  }
  return dims;
}

/** Sends every dim's value: the document's bindings are replaced as a whole (settings still apply under them). */
async function sendBindings(server: RidgepointServer, model: vscode.Uri, bindings: Record<string, number>): Promise<void> {
  const client = await server.ready();
  await client.sendNotification(SetBindingsNotification, { uri: model.toString(), bindings });
}

export async function bindDims(server: RidgepointServer, model: vscode.Uri): Promise<void> {
  const dims = await modelDims(server, model);
  if (!dims) return;
  const bindings: Record<string, number> = {};
  for (const [i, dim] of dims.entries()) {
    const value = await askDim(model, dim, i, dims.length);
    if (value === undefined) return;
    bindings[dim.name] = value;
  }
  await sendBindings(server, model, bindings);
}

export async function bindDefaultDims(server: RidgepointServer, model: vscode.Uri): Promise<void> {
  const dims = await modelDims(server, model);
  if (!dims) return;
  const bindings: Record<string, number> = {};
  const asked = dims.filter((d) => d.value === null && (d.suggested === null || d.suggested === undefined));
  for (const dim of dims) {
    if (dim.value !== null) bindings[dim.name] = dim.value;
    else if (dim.suggested !== null && dim.suggested !== undefined) bindings[dim.name] = dim.suggested;
  }
  for (const [i, dim] of asked.entries()) {
    const value = await askDim(model, dim, i, asked.length);
    if (value === undefined) return;
    bindings[dim.name] = value;
  }
  await sendBindings(server, model, bindings);
}
