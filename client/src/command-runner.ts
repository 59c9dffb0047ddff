/**
 * Every command runs through `registerCommand` here: a failure becomes one error message (and a line in
 * the output channel) instead of an unhandled rejection, and a cancelled request ends quietly.
 */
import * as vscode from 'vscode';
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageclient/node';

export function isCancellation(error: unknown): boolean {
  if (error instanceof vscode.CancellationError) return true;
  return error instanceof ResponseError && (error.code === LSPErrorCodes.RequestCancelled || error.code === LSPErrorCodes.ServerCancelled);
}

export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError && error.code === ErrorCodes.ConnectionInactive) {
    return "the language server is not running (run 'Ridgepoint: Restart Server')";
  }
  return error instanceof Error ? error.message : String(error);
}

export function registerCommand(
  id: string,
  title: string,
  output: vscode.OutputChannel,
  run: (...args: unknown[]) => Promise<unknown> | unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (error) {
      if (isCancellation(error)) return undefined;
      const message = errorMessage(error);
      output.appendLine(`${title} failed: ${message}`);
      void vscode.window.showErrorMessage(`Ridgepoint: ${title} failed: ${message}`);
      return undefined;
    }
  });
}

/**
 * Runs a request under a cancellable notification. `work` gets a token that the user's Cancel (or the
 * caller's token) cancels; the result is the work's, and a cancellation rejects with CancellationError.
 */
export async function withCancellableProgress<T>(
  title: string,
  work: (token: vscode.CancellationToken) => Promise<T>,
  outer?: vscode.CancellationToken,
  delayMs = 0,
): Promise<T> {
  const source = new vscode.CancellationTokenSource();
  const links = [outer?.onCancellationRequested(() => source.cancel())];
  const running = work(source.token);
  let settled = false;
  const settle = (): void => {
    settled = true;
  };
  running.then(settle, settle);
  // Quick work (a small model) finishes before the delay and never flashes a notification.
  const timer = setTimeout(() => {
    if (settled || source.token.isCancellationRequested) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, cancellable: true, title }, async (_progress, token) => {
      const link = token.onCancellationRequested(() => source.cancel());
      try {
        await running;
      } catch {
        // The caller sees the failure; the notification only has to close.
      } finally {
        link.dispose();
      }
    });
  }, delayMs);
  try {
    const result = await running;
    if (source.token.isCancellationRequested) throw new vscode.CancellationError();
    return result;
  } catch (error) {
    if (source.token.isCancellationRequested) throw new vscode.CancellationError();
    throw error;
  } finally {
    clearTimeout(timer);
    for (const link of links) link?.dispose();
    source.dispose();
  }
}
