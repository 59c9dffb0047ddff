import { Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Range, WorkDoneProgressReporter } from 'vscode-languageserver';
import { launchShareOf } from '../../analysis/cost/launch-bound';
import { summariseCoverage } from '../../analysis/coverage';
import { inputDims } from '../../analysis/example-dims';
import { Diagnostic } from '../../analysis/diagnostics';
import { ProfiledNotification, ProfiledParams } from '../../protocol';
import { CancelledError, LoadedModel, modelRefOf, ProfiledModel } from '../models';
import { spanForId } from '../node-lookup';
import { ServerContext } from '../server';
import { pythonDiagnostics } from './source-models';
import { headerRange, placeRange, placesOf, savingText, SuggestionPlace, titleOf } from '../suggestion-places';
import { humanBytes, humanTime } from '../../format/units';

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
    progress.begin('Ridgepoint', undefined, `analysing ${ref.path.split(/[\\/]/).pop() ?? ''} (${humanBytes(size)})`, false);
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
  const diagnostics = !textMatches ? [] : ref.kind === 'python' ? pythonDiagnostics(profiled) : toLspDiagnostics(profiled, uri);
  void ctx.connection.sendDiagnostics({ uri, version: current.version, diagnostics });
  const totals = profiled.report.totals;
  void ctx.connection.sendNotification(ProfiledNotification, {
    uri,
    chip: profiled.options.chip.id,
    chipName: profiled.options.chip.name,
    // Nothing costed (an unreadable model, every size unbound): no total, rather than a misleading 0 s.
    totalSeconds: totals && totals.costedNodes > 0 ? totals.timeSeconds : null,
    ...(totals && totals.costedNodes > 0 ? { totalLowSeconds: totals.timeLowSeconds, totalHighSeconds: totals.timeHighSeconds, rangeCalibrated: totals.rangeCalibrated } : {}),
    memoryBoundShare: totals ? totals.memoryBoundShare : null,
    launchShare: totals && totals.costedNodes > 0 ? launchShareOf(totals) : null,
    runtime: profiled.options.runtime ?? 'eager',
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

export function toLspDiagnostics(profiled: ProfiledModel, uri: string): LspDiagnostic[] {
  const loaded = profiled.loaded;
  const out: LspDiagnostic[] = [];
  const all = profiled.analysis.diagnostics;
  for (const d of all) {
    if (out.length >= MAX_DIAGNOSTICS) break;
    const { range, suffix } = locate(loaded, d);
    out.push({ range, severity: SEVERITY[d.severity], code: d.code, source: 'ridgepoint', message: `${d.message}${suffix}` });
  }
  const uses = new Map(loaded.model ? inputDims(loaded.model).map((d) => [d.name, d.uses[0]]) : []);
  for (const name of profiled.report.unboundSymbols) {
    const use = uses.get(name);
    const where = use ? ` (${use.input}: ${use.shape}, axis ${use.axis})` : '';
    out.push({
      range: firstMention(loaded, name),
      severity: DiagnosticSeverity.Warning,
      code: 'dims.unbound',
      source: 'ridgepoint',
      message: `Symbolic dim "${name}"${where} is unbound: tensors sized by it have unknown shapes and are not costed. Bind it with the quick fix (Ctrl+.), "Ridgepoint: Bind Symbolic Dimensions…" or the ridgepoint.dims setting.`,
    });
  }
  out.push(...suggestionDiagnostics(profiled, uri));
  if (all.length > MAX_DIAGNOSTICS) out.push({ range: headerRange(loaded), severity: DiagnosticSeverity.Information, source: 'ridgepoint', message: `${all.length - MAX_DIAGNOSTICS} more problems not shown` });
  return out;
}

/** What a suggestion diagnostic carries for the code actions. */
export interface SuggestionDiagnosticData {
  readonly suggestion: string;
}

/** Other places linked under a suggestion's diagnostic; the rest are counted ("15 more not listed"). */
const MAX_RELATED_PLACES = 20;
/** A suggestion saving less than this share of the model's time is a Hint (in the editor, not in the Problems list). */
const INFORMATION_SHARE = 0.01;

/**
 * One diagnostic per suggestion, on its costliest place's op token (whole-model suggestions such as
 * chip: on the graph's signature); its other places are the diagnostic's related information, so the
 * Problems list holds one entry per suggestion however many places it has. The message starts with
 * the readable title and the saving. Information when the suggestion saves at least 1% of the model's
 * time, Hint otherwise (VS Code leaves hints out of the Problems list).
 */
function suggestionDiagnostics(profiled: ProfiledModel, uri: string): LspDiagnostic[] {
  const loaded = profiled.loaded;
  const total = profiled.report.totals?.timeSeconds ?? 0;
  const out: LspDiagnostic[] = [];
  for (const suggestion of profiled.advice?.suggestions ?? []) {
    const important = total > 0 && suggestion.predictedSavingSeconds >= INFORMATION_SHARE * total;
    const severity = important ? DiagnosticSeverity.Information : DiagnosticSeverity.Hint;
    const data: SuggestionDiagnosticData = { suggestion: suggestion.id };
    const located = placesOf(suggestion)
      .map((place) => ({ place, range: placeRange(loaded, place) }))
      .filter((p): p is { place: SuggestionPlace; range: Range } => p.range !== undefined);
    const [first, ...others] = located;
    const listed = others.slice(0, MAX_RELATED_PLACES);
    const unlisted = others.length - listed.length;
    const where = located.length > 1 ? ` in ${located.length} places${unlisted > 0 ? ` (${listed.length} others linked below, ${unlisted} more not listed)` : ''}` : '';
    const relatedInformation: DiagnosticRelatedInformation[] = listed.map(({ place, range }) => ({ location: { uri, range }, message: `also here: ${placeText(place)}` }));
    out.push({
      range: first?.range ?? headerRange(loaded),
      severity,
      code: suggestion.id,
      source: 'ridgepoint',
      message: `${titleOf(suggestion)}: ${savingText(suggestion, total)}${where}\n${suggestion.message}`,
      data,
      ...(relatedInformation.length > 0 ? { relatedInformation } : {}),
    });
  }
  return out;
}

/** `2 nodes, 7.13 µs → 2.05 µs`. */
function placeText(place: SuggestionPlace): string {
  const nodes = `${place.nodes.length} node${place.nodes.length === 1 ? '' : 's'}`;
  return place.timeSeconds > 0 ? `${nodes}, ${humanTime(place.timeSeconds)} → ${humanTime(place.afterSeconds)}` : nodes;
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
