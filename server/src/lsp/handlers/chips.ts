import { CancellationToken } from 'vscode-languageserver';
import { ChipsRequest, ChipsResult } from '../../protocol';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/** `ridgepoint/chips`: every chip the server can profile for (built-in and the user's chips file). */
export function registerChips(ctx: ServerContext): void {
  const fallback: ChipsResult = { chips: [], errors: ['internal error listing chips'] };
  const handler = runSafe(ctx.connection, ChipsRequest.method, fallback, () => ({ chips: ctx.chips.summaries(), errors: [...ctx.chips.errors] }));
    // Registered by method name: a client may send no params or `null`, and the token is always last.
  ctx.connection.onRequest(ChipsRequest.method, (...args: unknown[]) => handler(undefined, args[args.length - 1] as CancellationToken));
}
