import { CancellationToken, Connection, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import { CancelledError } from './models';

/**
 * Wraps a request handler: a cancelled request answers RequestCancelled, any other failure is logged
 * with the method's name and answered with `fallback`, so one bad model can never take the server down
 * or leave a request unanswered.
 */
/**
 * Called at the start of every request: the server postpones background work (suggestions) while the
 * user is interacting. Set once by the server context.
 */
export const requestActivity = { notify: (): void => undefined };

export function runSafe<P, R>(connection: Connection, method: string, fallback: R, handler: (params: P, token: CancellationToken) => Promise<R> | R) {
  return async (params: P, token: CancellationToken): Promise<R | ResponseError<void>> => {
    requestActivity.notify();
    if (token.isCancellationRequested) return cancelled();
    try {
      const result = await handler(params, token);
      return token.isCancellationRequested ? cancelled() : result;
    } catch (error) {
      if (error instanceof CancelledError || token.isCancellationRequested) return cancelled();
      connection.console.error(`${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  };
}

/** For notifications: failures are logged, never thrown. */
export function runSafeNotification<P>(connection: Connection, method: string, handler: (params: P) => Promise<void> | void) {
  return (params: P): void => {
    const log = (error: unknown): void => connection.console.error(`${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    try {
      Promise.resolve(handler(params)).catch(log);
    } catch (error) {
      log(error);
    }
  };
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}
