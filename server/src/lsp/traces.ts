/**
 * Traced mode in the language server (docs/pytorch-source.md, "Traced mode"): runs a PyTorch source's
 * forward in the user's Python (python-env/trace.ts) off the typing path — when the file is saved, or
 * from the code lens "Trace with Python" — and only in a trusted workspace (the client reports VS Code's
 * workspace trust, again when it is granted). The static result is shown at once; a finished trace of the
 * same file version and options replaces it (`withTrace`, the hook ModelService calls), and the lenses say
 * which one is shown. A failed trace leaves the static result and adds its error where the traceback
 * points. One trace per file at a time: a new one cancels the running one.
 */
import { CodeLens } from 'vscode-languageserver';
import { TracedAnalysis } from '../analysis/pytorch-trace/index';
import { PythonAnalysis, PythonDiagnostic } from '../analysis/pytorch/index';
import { humanTime } from '../format/units';
import { Commands, EnvironmentNotification, TraceNotification } from '../protocol';
import { choosePython } from '../python-env/python-exe';
import type { TraceRun } from '../python-env/trace';
import { ModelRef, modelRefOf, ProfiledModel, ProfileRequestOptions } from './models';
import type { ServerContext } from './server';

/** The lens command that opens VS Code's workspace-trust editor. */
const MANAGE_TRUST = 'workbench.trust.manage';

interface TraceState {
  /** The file version (ModelService stamp) and the options the trace was started for. */
  readonly stamp: string;
  readonly optionsKey: string;
  readonly entry: string;
  readonly controller: AbortController;
  run?: TraceRun;
}

/** What the trace needs from a profile's options: the entry and a whole-number input shape. */
export function traceTarget(options: ProfileRequestOptions, staticEntry: string | null): { entry: string; input: number[] } | { problem: string } {
  const entry = options.source?.entry ?? staticEntry;
  if (!entry) return { problem: 'no entry to trace (pick a module with its code lens)' };
  const shape = options.source?.input;
  if (!shape) return { problem: 'set an input shape to trace' };
  const input: number[] = [];
  for (const d of shape) {
    const n = typeof d === 'number' ? d : options.bindings.get(d);
    if (n === undefined) return { problem: `bind \`${String(d)}\` to trace` };
    input.push(n);
  }
  return { entry, input };
}

function optionsKeyOf(options: ProfileRequestOptions, target: { entry: string; input: number[] }, python: string): string {
  return JSON.stringify([target.entry, target.input, options.source?.dtype ?? null, python]);
}

export class TraceService {
  trusted = false;
  /** The Python extension's selected interpreter, as the client reported it. */
  pythonExtension: string | undefined;
  private readonly states = new Map<string, TraceState>();

  constructor(private readonly ctx: ServerContext) {}

  /** The one Python of PyTorch sources: imports are read from its sys.path, and traces run in it. */
  python(): string {
    return choosePython({ setting: this.ctx.settings.python.path, pythonExtension: this.pythonExtension }).executable;
  }

  /** ModelService's hook: the finished trace for this file version and options, else the static analysis (plus a failed trace's error). */
  withTrace(ref: ModelRef, stamp: string, options: ProfileRequestOptions, staticAnalysis: PythonAnalysis): PythonAnalysis {
    const state = this.states.get(ref.key);
    if (!state?.run || state.stamp !== stamp || !this.trusted) return staticAnalysis;
    const target = traceTarget(options, staticAnalysis.entry ?? state.entry);
    if ('problem' in target || optionsKeyOf(options, target, this.python()) !== state.optionsKey) return staticAnalysis;
    const traced = state.run.analysis;
    if (traced.analysis !== null) return traced;
    if (state.run.cancelled) return staticAnalysis;
    // The trace failed: the static result stays, with the Python error where the traceback points.
    const failure: PythonDiagnostic[] = traced.diagnostics.map((d) => ({ ...d, message: `traced mode: ${d.message}` }));
    return { ...staticAnalysis, diagnostics: [...staticAnalysis.diagnostics, ...failure] };
  }

  /** Starts a trace of the saved file for the options now in force; returns why it cannot start, or null. */
  async start(uri: string): Promise<string | null> {
    const ref = modelRefOf(uri);
    if (!ref || ref.kind !== 'python') return 'not a PyTorch source';
    if (!this.trusted) return 'traced mode runs the file, so it needs a trusted workspace';
    const runTrace = this.ctx.runtime.runTrace;
    if (!runTrace) return 'this server cannot run Python';
    const profiled = await this.ctx.currentProfile(ref);
    const options = profiled.options;
    const target = traceTarget(options, profiled.python?.entry ?? null);
    if ('problem' in target) return target.problem;
    this.cancel(uri);
    const python = this.python();
    const state: TraceState = { stamp: profiled.loaded.stamp, optionsKey: optionsKeyOf(options, target, python), entry: target.entry, controller: new AbortController() };
    this.states.set(ref.key, state);
    this.changed(ref);
    const run = await runTrace({ python, file: ref.path, entry: target.entry, input: target.input, dtype: options.source?.dtype, timeoutMs: this.ctx.settings.python.traceTimeout * 1000, signal: state.controller.signal });
    if (this.states.get(ref.key) !== state) return null; // superseded by a newer trace
    state.run = run;
    const what = run.analysis.analysis ? `traced ${target.entry} in ${humanTime(run.wallMs / 1000)}` : `trace of ${target.entry} failed: ${run.analysis.diagnostics[0]?.message ?? 'no result'}`;
    this.ctx.connection.console.log(`${ref.path}: ${what}${run.stderrTail.trim() ? `\n${run.stderrTail.trim().split('\n').slice(-20).join('\n')}` : ''}`);
    this.changed(ref);
    return null;
  }

  cancel(uri: string): void {
    const ref = modelRefOf(uri);
    const state = ref ? this.states.get(ref.key) : undefined;
    if (state && !state.run) state.controller.abort();
  }

  forget(ref: ModelRef): void {
    this.states.get(ref.key)?.controller.abort();
    this.states.delete(ref.key);
  }

  /** A save: trace again when tracing on save is on and the file can be traced (an input shape is set). */
  onSaved(uri: string): void {
    const ref = modelRefOf(uri);
    if (!ref || ref.kind !== 'python' || !this.trusted || !this.ctx.settings.python.traceOnSave) return;
    this.start(uri).catch((error: unknown) => this.ctx.connection.console.error(`tracing ${uri} failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** The lenses over the entry that say which result is shown and offer to trace, re-trace or cancel. */
  codeLenses(profiled: ProfiledModel, uri: string): CodeLens[] {
    const python = profiled.python;
    // A Python file with no sign of PyTorch is none of Ridgepoint's business (as for its diagnostics).
    if (!python || (python.modules.length === 0 && !/\bnn\.Module\b|\btorch\b/.test(profiled.loaded.text))) return [];
    // Over the entry; at the top of the file when the static frontend found no module to put it on.
    const module = python.modules.find((m) => m.name === python.entry) ?? python.modules[0];
    const start = module?.range.start ?? { line: 0, character: 0 };
    const range = { start, end: start };
    const args = [{ uri }];
    if (!this.trusted) return [{ range, command: { title: 'static · traced mode needs a trusted workspace', command: MANAGE_TRUST } }];
    const state = this.states.get(profiled.loaded.ref.key);
    if (state && !state.run) return [{ range, command: { title: 'static · tracing with Python… (cancel)', command: Commands.cancelTrace, arguments: args } }];
    const traced = (python as Partial<TracedAnalysis>).mode === 'traced' ? (python as TracedAnalysis) : null;
    if (traced) {
      const took = state?.run ? ` in ${humanTime(state.run.wallMs / 1000)}` : '';
      const torch = traced.torch ? `torch ${traced.torch.version}, ${traced.torch.device}` : 'torch';
      return [{ range, command: { title: `traced (${torch}${took}) · re-trace`, command: Commands.traceWithPython, arguments: args } }];
    }
    const failed = state?.run && state.run.analysis.analysis === null && !state.run.cancelled && state.stamp === profiled.loaded.stamp;
    return [{ range, command: { title: failed ? 'static · the trace failed (see Problems) · trace again' : 'static · Trace with Python', command: Commands.traceWithPython, arguments: args } }];
  }

  /** The file's views are out of date: profile again, republish, refresh hints and lenses. */
  private changed(ref: ModelRef): void {
    this.ctx.models.invalidate(ref);
    for (const doc of this.ctx.documents.all()) if (modelRefOf(doc.uri)?.key === ref.key) this.ctx.schedule(doc.uri);
    this.ctx.refreshViews();
  }
}

/** The client's trust and interpreter reports, the lens commands, and tracing on save. */
export function registerTracing(ctx: ServerContext): void {
  ctx.connection.onNotification(EnvironmentNotification, (params) => {
    const wasTrusted = ctx.traces.trusted;
    ctx.traces.trusted = params.trusted === true;
    ctx.traces.pythonExtension = typeof params.pythonExecutable === 'string' && params.pythonExecutable !== '' ? params.pythonExecutable : undefined;
    ctx.pythonImports.usePython(ctx.traces.python());
    if (wasTrusted !== ctx.traces.trusted) ctx.refreshAll();
  });
  ctx.connection.onNotification(TraceNotification, (params) => {
    if (params.action === 'cancel') {
      ctx.traces.cancel(params.uri);
      return;
    }
    const ref = modelRefOf(params.uri);
    if (ref && typeof params.entry === 'string' && params.entry.trim() !== '') ctx.sourceOptions.set(ref.key, { ...(ctx.sourceOptions.get(ref.key) ?? {}), entry: params.entry.trim() });
    ctx.traces.start(params.uri).then(
      (problem) => {
        if (problem) ctx.warn(`cannot trace: ${problem}`);
      },
      (error: unknown) => ctx.connection.console.error(`tracing ${params.uri} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
  ctx.documents.onDidSave((e) => ctx.traces.onSaved(e.document.uri));
}
