/**
 * The coverage of a PyTorch source analysis (analysis/coverage.ts): which of the entry's layers are
 * resolved and in the graph, and everything the evaluation did not understand. Computed from what the
 * evaluation already reports (layer summaries, unresolved names, the frontend's diagnostics with their
 * stable codes), so a new kind of problem reported through `diagnose` / `noteUnresolved` counts at once.
 */
import { Coverage, CoverageProblem } from '../coverage';
import { Diagnostic } from '../diagnostics';
import { LayerSummary, ModuleSummary, PythonDiagnostic, UnresolvedName } from './types';

/** Diagnostics that do not mean anything was misunderstood. */
const HARMLESS = new Set(['pytorch.no-input-shape']);

export interface CoverageInput {
  /** The entry's summary (null when there is no entry or it failed to build). */
  readonly entry: ModuleSummary | null;
  readonly unresolved: readonly UnresolvedName[];
  readonly diagnostics: readonly PythonDiagnostic[];
  /** The built graph's own diagnostics (shape inference); its errors make the model incomplete. */
  readonly graphDiagnostics: readonly Diagnostic[];
}

/** A layer that owns parameters: a leaf layer, or a module with parameters of its own (a class token). */
interface CountedLayer {
  readonly layer: LayerSummary;
  /** Parameters the layer owns (a leaf: all of them); null when unknown. */
  readonly own: number | null;
}

/** The entry's layers that hold parameters (or whose parameter count is unknown). */
function countedLayers(entry: ModuleSummary): CountedLayer[] {
  const children = new Map<string, LayerSummary[]>();
  const parentOf = (path: string): string => (path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '');
  for (const layer of entry.layers) {
    const parent = parentOf(layer.path);
    children.set(parent, [...(children.get(parent) ?? []), layer]);
  }
  const own = (params: number | null, kids: readonly LayerSummary[]): number | null => {
    if (kids.length === 0) return params;
    if (params === null) return kids.some((k) => k.params === null) ? 0 : null; // the unknown is a child's, else its own
    return params - kids.reduce((sum, k) => sum + (k.params ?? 0), 0);
  };
  const root: LayerSummary = { path: '', type: entry.name, range: entry.range, params: entry.params, unresolved: [] };
  return [root, ...entry.layers]
    .map((layer) => ({ layer, own: own(layer.params, children.get(layer.path) ?? []) }))
    .filter((c) => c.own === null || c.own > 0);
}

function problemOf(name: string, reason: string, code: string, range: PythonDiagnostic['range']): CoverageProblem {
  return { name, reason, code, ...(range ? { range } : {}) };
}

/** Coverage of the entry, and the error diagnostics of its layers that are not counted (none reported yet). */
export function computeCoverage(input: CoverageInput): { coverage: Coverage; diagnostics: PythonDiagnostic[] } {
  const problems: CoverageProblem[] = [];
  const extra: PythonDiagnostic[] = [];
  const leftOut = new Set(input.diagnostics.flatMap((d) => (d.code === 'pytorch.layer-left-out' && d.modulePath !== undefined ? [d.modulePath] : [])));
  const layers = input.entry ? countedLayers(input.entry) : [];
  let resolved = 0;
  let resolvedParams = 0;
  let totalParams: number | null = 0;
  for (const { layer, own } of layers) {
    totalParams = own === null || totalParams === null ? null : totalParams + own;
    const name = layer.path || layer.type;
    if (own !== null && !leftOut.has(layer.path)) {
      resolved++;
      resolvedParams += own;
      continue;
    }
    if (own === null && !leftOut.has(layer.path)) {
      // Not left out of a graph (no forward, or never called), but its size is unknown: not counted.
      const why = layer.unresolved[0]?.reason ?? 'a size is unresolved';
      const message = `\`${name}\` (${layer.type}) is not counted: ${why}`;
      extra.push({ severity: 'error', code: 'pytorch.layer-unresolved', message, range: layer.range, modulePath: layer.path });
      problems.push(problemOf(name, message, 'pytorch.layer-unresolved', layer.range));
    }
  }
  // Errors (layers left out) first: the first problem is the one the CLI header names.
  const reported = input.diagnostics.filter((d) => d.severity !== 'info' && !HARMLESS.has(d.code));
  for (const d of [...reported.filter((x) => x.severity === 'error'), ...reported.filter((x) => x.severity !== 'error')]) {
    // A module's own path, or the entry's name for the entry itself (path '').
    const name = d.modulePath === undefined ? d.code : d.modulePath || (input.entry?.name ?? d.code);
    problems.push(problemOf(name, d.message, d.code, d.range));
  }
  for (const u of input.unresolved) problems.push(problemOf(u.name, u.reason, 'pytorch.unresolved', u.range));
  for (const d of input.graphDiagnostics) if (d.severity === 'error') problems.push({ name: d.location?.node ?? d.code, reason: d.message, code: d.code });
  const unresolved = dedupe(problems);
  const coverage: Coverage = {
    complete: input.entry !== null && unresolved.length === 0 && resolved === layers.length,
    layersResolved: resolved,
    layersTotal: layers.length,
    parametersResolvedShare: totalParams === null ? null : totalParams === 0 ? 1 : resolvedParams / totalParams,
    unresolved,
  };
  return { coverage, diagnostics: extra };
}

function dedupe(problems: readonly CoverageProblem[]): CoverageProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code ?? ''}|${p.name}|${p.reason}|${p.range?.start.line ?? -1}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
