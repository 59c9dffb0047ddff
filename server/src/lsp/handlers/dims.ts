import { inputDims, isBatchName } from '../../analysis/example-dims';
import { ModelDim, SetBindingsNotification, UnboundDimsRequest, UnboundDimsResult } from '../../protocol';
import { modelRefOf, ProfiledModel } from '../models';
import { runSafe, runSafeNotification } from '../safe';
import { ServerContext } from '../server';

/**
 * Every symbolic dim of a model with its binding; for an ONNX model also where its inputs use it (the
 * bind prompt names input and axis) and its one-click default (docs: README "Symbolic dims").
 */
export function modelDims(profiled: ProfiledModel): ModelDim[] {
  const bindings = profiled.options.bindings;
  const model = profiled.loaded.model;
  const described = model ? inputDims(model) : [];
  const byName = new Map(described.map((d) => [d.name, d]));
  const names = new Set([...described.map((d) => d.name), ...profiled.symbols, ...profiled.report.unboundSymbols]);
  return [...names].map((name) => {
    const d = byName.get(name);
    // A .py source's dims have no input shape to read: only one named like a batch gets a default.
    const batch = !d && profiled.loaded.ref.kind === 'python' && isBatchName(name);
    return {
      name,
      value: bindings.get(name) ?? null,
      uses: d?.uses ?? [],
      suggested: d ? d.suggested : batch ? 1 : null,
      suggestedFrom: d ? d.suggestedFrom : batch ? 'batch' : null,
    };
  });
}

/** The unbound dims, with their defaults (a dim without one is asked for when the defaults are used). */
export function dimDefaults(profiled: ProfiledModel): ModelDim[] {
  const unbound = new Set(profiled.report.unboundSymbols);
  return modelDims(profiled).filter((d) => d.value === null && unbound.has(d.name));
}

/**
 * What the one-click default does, in a lens-sized title: `Use batch 1 and the model's example sizes`,
 * `Use batch 1`, `Use batch 1, enter 2 other sizes…` (the rest are asked for). Empty when nothing has a default.
 */
export function bindDefaultsTitle(unbound: readonly ModelDim[]): string {
  const batch = unbound.some((d) => d.suggestedFrom === 'batch');
  const recorded = unbound.some((d) => d.suggestedFrom === 'model');
  const asked = unbound.filter((d) => d.suggested === null || d.suggested === undefined).length;
  if (!batch && !recorded) return '';
  const known = batch && recorded ? "Use batch 1 and the model's example sizes" : batch ? 'Use batch 1' : "Use the model's example sizes";
  return asked === 0 ? known : `${known}, enter ${asked} other size${asked === 1 ? '' : 's'}…`;
}

/** `ridgepoint/dims` lists a model's symbolic input dims; `ridgepoint/setBindings` binds them for that model. */
export function registerDims(ctx: ServerContext): void {
  const fallback: UnboundDimsResult = { dims: [] };
  ctx.connection.onRequest(
    UnboundDimsRequest,
    runSafe(ctx.connection, UnboundDimsRequest.method, fallback, async (params, token) => {
      const ref = modelRefOf(params.uri);
      if (!ref) return fallback;
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      return { dims: modelDims(profiled) };
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
