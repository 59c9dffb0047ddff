/**
 * Traced mode, client side: tells the server whether the workspace is trusted (and again when trust is
 * granted) and which interpreter the Python extension has selected, and runs the "Trace with Python" /
 * "Cancel Trace" commands. The server never runs Python before it has heard `trusted: true`.
 */
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { EnvironmentNotification, TraceNotification } from '../../server/src/protocol';
import { RidgepointServer } from './language-client';

/** The part of the Python extension's API (ms-python.python) used here. */
interface PythonExtensionApi {
  readonly environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { readonly path: string };
    resolveEnvironment(environment: { readonly path: string }): Promise<{ readonly executable: { readonly uri?: vscode.Uri } } | undefined>;
    readonly onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

const PYTHON_EXTENSION = 'ms-python.python';

/** The selected interpreter's executable, when the Python extension is installed and answers. */
async function selectedInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environments = api.environments;
    if (!environments) return undefined;
    const active = environments.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch {
    return undefined;
  }
}

export class TracedMode implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly server: RidgepointServer,
    private readonly output: vscode.OutputChannel,
  ) {
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.report()));
    const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
    if (extension?.isActive) {
      const changed = extension.exports.environments?.onDidChangeActiveEnvironmentPath;
      if (changed) this.disposables.push(changed(() => void this.report()));
    }
  }

  /** Sends trust and interpreter now, and again whenever the running client (re)starts. */
  async start(): Promise<void> {
    const client = await this.server.ready();
    this.disposables.push(client.onDidChangeState((e) => (e.newState === State.Running ? void this.report() : undefined)));
    await this.report();
  }

  async report(): Promise<void> {
    const trusted = vscode.workspace.isTrusted;
    // The Python extension is only asked in a trusted workspace: untrusted, nothing runs anyway.
    const pythonExecutable = trusted ? await selectedInterpreter() : undefined;
    try {
      const client = await this.server.ready();
      await client.sendNotification(EnvironmentNotification, { trusted, ...(pythonExecutable ? { pythonExecutable } : {}) });
    } catch (error) {
      this.output.appendLine(`Ridgepoint: could not tell the server about workspace trust: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** From the command palette: which entry to trace (an expression is fine); undefined when dismissed. */
  async askEntry(model: vscode.Uri): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: `Ridgepoint: trace ${model.path.split('/').pop() ?? ''} with Python`,
      prompt: 'The entry: a factory, a class or any Python expression in the file, e.g. resnet50 or GPT(GPTConfig(vocab_size=50257)). Empty: the current entry.',
      ignoreFocusOut: true,
    });
  }

  async trace(model: vscode.Uri, entry?: string): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Ridgepoint: traced mode runs your model file with Python, so it needs a trusted workspace. The static analysis is shown meanwhile.', 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return;
    }
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === model.toString());
    if (document?.isDirty) void vscode.window.showInformationMessage('Ridgepoint: tracing the saved file; unsaved edits are not part of this trace.');
    const client = await this.server.ready();
    await client.sendNotification(TraceNotification, { uri: model.toString(), action: 'start', ...(entry?.trim() ? { entry: entry.trim() } : {}) });
  }

  async cancel(model: vscode.Uri): Promise<void> {
    const client = await this.server.ready();
    await client.sendNotification(TraceNotification, { uri: model.toString(), action: 'cancel' });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
