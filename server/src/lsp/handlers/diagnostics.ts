import { Diagnostic as LspDiagnostic, DiagnosticSeverity, Range, WorkDoneProgressReporter } from 'vscode-languageserver';
import { summariseCoverage } from '../../analysis/coverage';
import { Diagnostic } from '../../analysis/diagnostics';
import { ProfiledNotification, ProfiledParams } from '../../protocol';
import { CancelledError, LoadedModel, modelRefOf, ProfiledModel } from '../models';
import { spanForId } from '../node-lookup';
import { ServerContext } from '../server';
import { pythonDiagnostics } from './source-models';

/** More would only slow the editor down; the count of the rest is reported in one last diagnostic. */
const MAX_DIAGNOSTICS = 500;
/** Binary models larger than this get a progress notification while analysed. */
const PROGRESS_BYTES = 32 * 2 ** 20;

/**
 * Analyses an open document off the request path, then publishes its diagnostics and tells the
 * client its totals (for the status bar). Called by the debounced scheduler.
 */
export async function publishModelState(ctx: ServerContext, uri: string, withAdvice = false): Promise<void> {
  const doc = ctx.documents.get(uri);
  const ref = modelRefOf(uri);
  if (!doc || !ref) return;
  let progress: WorkDoneProgressReporter | undefined;
  const size = ref.kind === 'binary' ? (ctx.runtime.stat(ref.path)?.size ?? 0) : 0;
  if (ctx.supportsProgress && size > PROGRESS_BYTES) {
    progress = await ctx.connection.window.createWorkDoneProgress();
    progress.begin('Ridgepoint', undefined, `analysing ${ref.path.split(/[\\/]/).pop() ?? ''} (${(size / 2 ** 20).toFixed(0)} MiB)`, false);
  }
  let profiled: ProfiledModel;
  try {
    profiled = await ctx.currentProfile(ref);
  } catch (error) {
    if (error instanceof CancelledError) return;
    throw error;
  } finally {
    progress?.done();
  }
  if (withAdvice) await ctx.models.advise(profiled);
  const current = ctx.documents.get(uri);
  if (!current) return;
  // A rendered view shows the text of one file version; positions are only meaningful against it.
  const textMatches = current.getText() === profiled.loaded.text;
  const diagnostics = !textMatches ? [] : ref.kind === 'python' ? pythonDiagnostics(profiled) : toLspDiagnostics(profiled);
  void ctx.connection.sendDiagnostics({ uri, version: current.version, diagnostics });
  const totals = profiled.report.totals;
  void ctx.connection.sendNotification(ProfiledNotification, {
    uri,
    chip: profiled.options.chip.id,
    chipName: profiled.options.chip.name,
    // Nothing costed (an unreadable model, every size unbound): no total, rather than a misleading 0 s.
    totalSeconds: totals && totals.costedNodes > 0 ? totals.timeSeconds : null,
    memoryBoundShare: totals ? totals.memoryBoundShare : null,
    unboundDims: profiled.report.unboundSymbols,
    suggestions: profiled.advice ? profiled.advice.suggestions.length : null,
    coverage: coverageOf(profiled),
  });
  if (profiled.advice === null && profiled.profile) ctx.scheduleAdvice(uri);
}

/** The status bar's coverage: a .py file without any nn.Module has none (it is not a model). */
function coverageOf(profiled: ProfiledModel): ProfiledParams['coverage'] {
  const coverage = profiled.report.coverage;
  if (!coverage || (profiled.python && profiled.python.modules.length === 0)) return null;
  return summariseCoverage(coverage);
}

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

export function toLspDiagnostics(profiled: ProfiledModel): LspDiagnostic[] {
  const loaded = profiled.loaded;
  const out: LspDiagnostic[] = [];
  const all = profiled.analysis.diagnostics;
  for (const d of all) {
    if (out.length >= MAX_DIAGNOSTICS) break;
    const { range, suffix } = locate(loaded, d);
    out.push({ range, severity: SEVERITY[d.severity], code: d.code, source: 'ridgepoint', message: `${d.message}${suffix}` });
  }
  for (const name of profiled.report.unboundSymbols) {
    out.push({
      range: firstMention(loaded, name),
      severity: DiagnosticSeverity.Warning,
      code: 'dims.unbound',
      source: 'ridgepoint',
      message: `Symbolic dim "${name}" is unbound: tensors sized by it have unknown shapes and are not costed. Bind it with "Ridgepoint: Bind Symbolic Dimensions…" or the ridgepoint.dims setting.`,
    });
  }
  out.push(...suggestionDiagnostics(profiled));
  if (all.length > MAX_DIAGNOSTICS) out.push({ range: headerRange(loaded), severity: DiagnosticSeverity.Information, source: 'ridgepoint', message: `${all.length - MAX_DIAGNOSTICS} more problems not shown` });
  return out;
}

/** What a suggestion diagnostic carries for the code actions. */
export interface SuggestionDiagnosticData {
  readonly suggestion: string;
}

/**
 * One diagnostic per place a suggestion applies (each fused kernel, each quantised op), on the first
 * node's op name; whole-model suggestions (chip, smaller model) on the graph's signature. Information
 * when the whole suggestion saves at least 5% of the model's time with more than low confidence,
 * Hint otherwise, so the editor's Problems list is not flooded with small wins.
 */
function suggestionDiagnostics(profiled: ProfiledModel): LspDiagnostic[] {
  const loaded = profiled.loaded;
  const total = profiled.report.totals?.timeSeconds ?? 0;
  const out: LspDiagnostic[] = [];
  for (const suggestion of profiled.advice?.suggestions ?? []) {
    const important = total > 0 && suggestion.predictedSavingSeconds >= 0.05 * total && suggestion.confidence !== 'low';
    const severity = important ? DiagnosticSeverity.Information : DiagnosticSeverity.Hint;
    const data: SuggestionDiagnosticData = { suggestion: suggestion.id };
    const places = suggestion.parts && suggestion.parts.length > 0 ? suggestion.parts.map((p) => p.nodes) : suggestion.nodes.length > 0 ? [suggestion.nodes] : [];
    if (places.length === 0) {
      out.push({ range: headerRange(loaded), severity, code: suggestion.id, source: 'ridgepoint', message: suggestion.message, data });
      continue;
    }
    for (const nodes of places.slice(0, MAX_DIAGNOSTICS)) {
      const span = nodes[0] === undefined ? undefined : spanForId(loaded, nodes[0]);
      const range = span ? loaded.lines.range(span.op) : headerRange(loaded);
      const where = places.length > 1 ? ` (${places.length} places; this one: ${nodes.length} node${nodes.length === 1 ? '' : 's'})` : '';
      out.push({ range, severity, code: suggestion.id, source: 'ridgepoint', message: `${suggestion.message}${where}`, data });
    }
  }
  return out;
}

function headerRange(loaded: LoadedModel): Range {
  const main = loaded.layout.graphs.find((g) => g.kind === 'main');
  if (main) return loaded.lines.range(main.header);
  return loaded.lines.range({ start: 0, end: loaded.lines.lineEnd(0) });
}

/** Where a core diagnostic points in the text, and what to add to its message when the text cannot show it. */
function locate(loaded: LoadedModel, d: Diagnostic): { range: Range; suffix: string } {
  const where = d.location;
  if (where?.node) {
    const span = spanForId(loaded, where.node);
    if (span) return { range: loaded.lines.range(span.op), suffix: span.id === where.node ? '' : ` (in ${where.node})` };
  }
  if (where?.offset !== undefined) {
    // Text models: offsets are into the text. Binary models: byte offsets into the file.
    if (loaded.ref.kind !== 'binary') {
      const end = Math.min(loaded.lines.lineEnd(where.offset), where.offset + 40);
      return { range: loaded.lines.range({ start: where.offset, end: Math.max(end, where.offset + 1) }), suffix: '' };
    }
    return { range: headerRange(loaded), suffix: ` (at byte ${where.offset} of the file)` };
  }
  if (where?.graph) {
    const graph = loaded.layout.graphs.find((g) => g.path === where.graph || (where.graph === 'main' && g.kind === 'main'));
    if (graph) return { range: loaded.lines.range(graph.header), suffix: '' };
  }
  if (where?.value) return { range: firstMention(loaded, where.value), suffix: '' };
  return { range: headerRange(loaded), suffix: '' };
}

/** The first whole-word mention of a name in the text (dims and values are declared in the signature). */
function firstMention(loaded: LoadedModel, name: string): Range {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(?<![\\w.])${escaped}(?![\\w.])`).exec(loaded.text);
  if (!match) return headerRange(loaded);
  return loaded.lines.range({ start: match.index, end: match.index + name.length });
}
