/**
 * `traceToAnalysis`: what the tracer reported (a trace, a Python error, or nothing usable) → the same
 * `PythonAnalysis` the static frontend gives (so hints, hovers, lenses, report and panel need nothing
 * new), marked `mode: 'traced'`, with the exact parameter list and a coverage summary. A Python error is
 * an error diagnostic on the line of the user's file where the traceback passes last.
 */
import { Coverage } from '../coverage';
import { Diagnostic } from '../diagnostics';
import { LayerSummary, ModuleSummary, PythonAnalysis, PythonDiagnostic, SourceRange } from '../pytorch/types';
import { frameRange, traceToGraph, TraceLocation } from './to-analysis';
import { TraceDocument, TraceFrame, TraceModule, TraceNamedTensor, TraceSuccess } from './trace-format';

/** The shared coverage (analysis/coverage.ts): a trace is complete when every aten op it recorded is mapped. */
export type TraceCoverage = Coverage;

export interface TracedAnalysis extends PythonAnalysis {
  readonly mode: 'traced';
  readonly coverage: TraceCoverage;
  /** `named_parameters()` of the built model (shared ones once); empty when the trace failed. */
  readonly parameters: readonly TraceNamedTensor[];
  /** Where each IR node comes from, in any of the user's files (nodeSources: in the profiled file only). */
  readonly nodeLocations: ReadonlyMap<string, TraceLocation>;
  /** How the model was built and run (`built as GPT(GPTConfig())`, `forward ran on CPU`). */
  readonly notes: readonly string[];
  /** The torch version and device (`meta`, `cpu`) of the trace; null when it failed. */
  readonly torch: { readonly version: string; readonly device: string } | null;
  /** Seconds per phase in Python (importTorch, importFile, build, forward); empty when it failed. */
  readonly pythonTimings: Readonly<Record<string, number>>;
}

export interface TraceToAnalysisOptions {
  /** The profiled file, as the tracer saw it (absolute path). */
  readonly file: string;
  /** The entry expression asked for. */
  readonly entry: string;
  /** Milliseconds the tracer process ran, for the timings. */
  readonly traceMs?: number;
  /** The Python executable that ran the trace, for messages about it. */
  readonly python?: string;
  /** Compares two paths (case-insensitive file systems): default exact. */
  readonly samePath?: (a: string, b: string) => boolean;
}

/** A problem before any trace existed (the process could not start, timed out, printed no JSON). */
export interface TraceProblem {
  readonly code: string;
  readonly message: string;
  /** Frames (innermost last) where it happened, when known (a stack dump at the timeout). */
  readonly frames?: readonly TraceFrame[];
}

const EMPTY_COVERAGE = (reason: string): TraceCoverage => ({ complete: false, layersResolved: 0, layersTotal: 0, parametersResolvedShare: null, unresolved: [{ name: 'trace', reason }] });

function base(entry: string, diagnostics: PythonDiagnostic[], traceMs: number): TracedAnalysis {
  return { mode: 'traced', modules: [], entry, analysis: null, nodeSources: new Map(), callSites: new Map(), unresolved: [], diagnostics, tree: null, timings: { parseMs: 0, analyseMs: traceMs }, coverage: EMPTY_COVERAGE(diagnostics[0]?.message ?? 'the trace failed'), parameters: [], nodeLocations: new Map(), notes: [], torch: null, pythonTimings: {} };
}

/** The innermost frame in the profiled file (Python's traceback lists the innermost last). */
function frameInFile(frames: readonly TraceFrame[], file: string, samePath: (a: string, b: string) => boolean): TraceFrame | undefined {
  return [...frames].reverse().find((f) => samePath(f.file, file));
}

function where(frame: TraceFrame | undefined): string {
  return frame ? ` (at ${frame.file}:${frame.line}${frame.function ? ` in ${frame.function}` : ''})` : '';
}

const STAGE_WHAT: Record<string, string> = {
  'import-torch': 'importing torch',
  import: 'importing the file',
  build: 'building the entry',
  forward: 'running forward',
  arguments: 'reading the arguments',
};

/** A failed trace (problem before the tracer answered, or the tracer's own error report) → diagnostics. */
export function traceFailure(problem: TraceProblem, options: TraceToAnalysisOptions): TracedAnalysis {
  const samePath = options.samePath ?? ((a, b) => a === b);
  const frames = problem.frames ?? [];
  const inFile = frameInFile(frames, options.file, samePath);
  // Where it went wrong in the user's code elsewhere (another of their files), never torch's internals.
  const innermost = [...frames].reverse().find((f) => f.user !== false);
  const elsewhere = innermost && innermost !== inFile ? where(innermost) : '';
  const diagnostic: PythonDiagnostic = { severity: 'error', code: problem.code, message: `${problem.message}${elsewhere}`, range: inFile ? frameRange(inFile.line) : null };
  return base(options.entry, [diagnostic], options.traceMs ?? 0);
}

/** The tracer's JSON (already parsed and validated) → the analysis. Never throws. */
export function traceToAnalysis(document: TraceDocument, options: TraceToAnalysisOptions): TracedAnalysis {
  if (!document.ok) {
    const stage = STAGE_WHAT[document.stage] ?? document.stage;
    const missingTorch = document.stage === 'import-torch';
    const python = options.python ? ` (${options.python}; choose another with ridgepoint.python.path or --python)` : '';
    const message = missingTorch ? `traced mode needs torch in the selected Python${python}: ${document.error.type}: ${document.error.message}` : `${stage} raised ${document.error.type}: ${document.error.message}`;
    return traceFailure({ code: `trace.${document.stage}-failed`, message, frames: document.error.frames }, options);
  }
  try {
    return successful(document, options);
  } catch (error) {
    return traceFailure({ code: 'internal', message: `reading the trace stopped: ${error instanceof Error ? error.message : String(error)}` }, options);
  }
}

function successful(trace: TraceSuccess, options: TraceToAnalysisOptions): TracedAnalysis {
  const samePath = options.samePath ?? ((a, b) => a === b);
  const graph = traceToGraph(trace);
  const inFile = (location: TraceLocation | null | undefined): SourceRange | null => (location && samePath(location.path, options.file) ? location.range : null);
  const nodeSources = new Map<string, SourceRange>();
  const callSites = new Map<string, SourceRange>();
  const modules = new Map(trace.modules.map((m) => [m.path, m]));
  // A layer built in another file (torchvision.ops' Conv2dNormActivation holds the Conv2d) is shown on
  // the line of this file that built the nearest module holding it.
  const builtInFile = (path: string): SourceRange | null => {
    for (let p: string | null = path; p !== null; p = p === '' ? null : p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const site = modules.get(p)?.site;
      if (site && samePath(site.file, options.file)) return frameRange(site.line);
    }
    return null;
  };
  for (const [node, module] of graph.nodeModules) {
    const range = inFile(graph.nodeLocations.get(node)) ?? inFile(graph.callLocations.get(node)) ?? builtInFile(module);
    if (range) nodeSources.set(node, range);
  }
  for (const [node, location] of graph.callLocations) {
    const range = inFile(location);
    if (range) callSites.set(node, range);
  }
  const diagnostics: PythonDiagnostic[] = graph.diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.location && !inFile(d.location) ? `${d.message} (at ${d.location.path}:${d.location.range.start.line + 1})` : d.message, range: inFile(d.location) }));
  const unresolved = [...graph.unmapped].map(([op, u]) => ({ name: op, reason: `no cost mapping for ${op} (${u.count}×)`, ...(u.location ? { file: u.location.path, range: u.location.range } : {}) }));
  const failedModules = new Set([...graph.unmapped.values()].map((u) => u.module));
  // A "layer" is what the static frontend counts too: a module that holds parameters itself
  // (`named_parameters()` lists each shared one once, under its first owner).
  const holders = new Set(trace.parameters.map((p) => p.name.slice(0, Math.max(0, p.name.lastIndexOf('.')))));
  const layers = trace.modules.filter((m) => holders.has(m.path));
  const coverage: TraceCoverage = {
    complete: graph.unmapped.size === 0 && graph.shapeMismatches === 0,
    layersResolved: layers.filter((m) => !failedModules.has(m.path)).length,
    layersTotal: layers.length,
    parametersResolvedShare: 1,
    unresolved,
  };
  const summaries = summarise(trace, options.file, samePath, graph.parameterCount);
  const analysisDiagnostics: Diagnostic[] = graph.analysis.diagnostics;
  return {
    mode: 'traced',
    modules: summaries,
    entry: options.entry,
    analysis: { ...graph.analysis, diagnostics: analysisDiagnostics, coverage },
    nodeSources,
    callSites,
    unresolved: [],
    diagnostics,
    tree: null,
    timings: { parseMs: 0, analyseMs: options.traceMs ?? 0 },
    coverage,
    parameters: trace.parameters,
    nodeLocations: graph.nodeLocations,
    notes: trace.notes,
    torch: { version: trace.torch, device: trace.device },
    pythonTimings: trace.timings,
  };
}

/** Parameters under each module path (`layer1.0` holds `layer1.0.conv1.weight`, …). */
function parametersByModule(parameters: readonly TraceNamedTensor[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const p of parameters) {
    const count = p.shape.reduce((a, b) => a * b, 1);
    const parts = p.name.split('.');
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      totals.set(prefix, (totals.get(prefix) ?? 0) + count);
    }
  }
  return totals;
}

/**
 * Like the static frontend: the entry's summary (all its layers), and one per user class built in the
 * file (its first instance's layers, relative to it), each placed on its definition line.
 */
function summarise(trace: TraceSuccess, file: string, samePath: (a: string, b: string) => boolean, parameterCount: number): ModuleSummary[] {
  const params = parametersByModule(trace.parameters);
  const rangeIn = (frame: TraceFrame | undefined): SourceRange | null => (frame && samePath(frame.file, file) ? frameRange(frame.line) : null);
  const layersUnder = (root: TraceModule): LayerSummary[] => {
    const prefix = root.path === '' ? '' : `${root.path}.`;
    return trace.modules
      .filter((m) => m.path !== root.path && m.path.startsWith(prefix))
      .map((m) => ({ path: m.path.slice(prefix.length), type: m.type, range: rangeIn(m.site), params: params.get(m.path) ?? 0, unresolved: [] }));
  };
  const root = trace.modules.find((m) => m.path === '');
  const out: ModuleSummary[] = [];
  const entryRange = rangeIn(trace.entrySite) ?? rangeIn(root?.defined) ?? frameRange(1);
  out.push({ name: trace.entry, kind: trace.entrySite && root?.defined && trace.entrySite.line === root.defined.line ? 'class' : 'factory', range: entryRange, params: parameterCount, layers: root ? layersUnder(root) : [] });
  const seen = new Set<string>();
  for (const m of trace.modules) {
    const range = rangeIn(m.defined);
    if (m.builtin || m.path === '' || seen.has(m.type) || !range) continue;
    seen.add(m.type);
    out.push({ name: m.type, kind: 'class', range, params: params.get(m.path) ?? 0, layers: layersUnder(m) });
  }
  return out;
}
