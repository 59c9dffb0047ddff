import { SetBindingsNotification, UnboundDimsRequest, UnboundDimsResult } from '../../protocol';
import { modelRefOf } from '../models';
import { runSafe, runSafeNotification } from '../safe';
import { ServerContext } from '../server';

/** `ridgepoint/dims` lists a model's symbolic input dims; `ridgepoint/setBindings` binds them for that model. */
export function registerDims(ctx: ServerContext): void {
  const fallback: UnboundDimsResult = { dims: [] };
  ctx.connection.onRequest(
    UnboundDimsRequest,
    runSafe(ctx.connection, UnboundDimsRequest.method, fallback, async (params, token) => {
      const ref = modelRefOf(params.uri);
      if (!ref) return fallback;
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      const bindings = profiled.options.bindings;
      const names = new Set([...profiled.symbols, ...profiled.report.unboundSymbols]);
      return { dims: [...names].map((name) => ({ name, value: bindings.get(name) ?? null })) };
    }),
  );
  ctx.connection.onNotification(
    SetBindingsNotification,
    runSafeNotification(ctx.connection, SetBindingsNotification.method, (params) => {
      const ref = modelRefOf(params.uri);
      if (!ref) return;
      const valid: Record<string, number> = {};
      for (const [name, value] of Object.entries(params.bindings)) if (Number.isInteger(value) && value >= 1) valid[name] = value;
      ctx.modelBindings.set(ctx.bindingsKey(ref), valid);
      ctx.refreshAll();
    }),
  );
}
