import { Command, Range } from 'vscode-languageserver';
import { Suggestion, suggestionTitle } from '../analysis/advise/index';
import { humanTime } from '../format/units';
import { Commands } from '../protocol';
import { LoadedModel, ProfiledModel } from './models';
import { spanForId } from './node-lookup';

/**
 * Where a suggestion applies in the editor, and the words every editor view uses for it: the
 * diagnostic, the code actions on its node lines and the top-of-model lenses all come from here, so
 * they name a suggestion and its saving the same way.
 */

/** One place a suggestion applies: a fused group, a quantised op, a MatMul crossing the ridge. */
export interface SuggestionPlace {
  readonly nodes: readonly string[];
  /** Time of these nodes before the change, per model run. */
  readonly timeSeconds: number;
  /** Their time after it (their share of the what-if). */
  readonly afterSeconds: number;
}

/** A suggestion's places, costliest first (ties keep the graph order); none for a whole-model suggestion (chip). */
export function placesOf(s: Suggestion): SuggestionPlace[] {
  if (s.parts && s.parts.length > 0) {
    const places = s.parts.map((p) => ({ nodes: p.nodes, timeSeconds: p.before.timeSeconds, afterSeconds: p.after.timeSeconds }));
    return places.sort((a, b) => b.timeSeconds - a.timeSeconds);
  }
  if (s.nodes.length === 0) return [];
  return [{ nodes: s.nodes, timeSeconds: s.before?.timeSeconds ?? 0, afterSeconds: s.after?.timeSeconds ?? 0 }];
}

/** The suggestion's title: the one the report carries, else computed the same way. */
export function titleOf(s: Suggestion): string {
  return s.title ?? suggestionTitle(s);
}

/** `4.7%`, `25%`: one decimal below 10%; `<0.1%` rather than a misleading `0.0%`. */
function percentText(share: number): string {
  const p = share * 100;
  if (p > 0 && p < 0.05) return '<0.1%';
  return `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

/**
 * What a suggestion buys, in a few words: `saves 85.56 µs (4.7%)`; a batch suggestion trades latency
 * for throughput (`2.3× throughput`); a more frugal chip that is not faster: `31% less energy`.
 */
export function savingText(s: Suggestion, totalSeconds: number): string {
  if (s.kind === 'batch' && s.throughput && s.throughput.baselineItemsPerSecond > 0) return `${(s.throughput.itemsPerSecond / s.throughput.baselineItemsPerSecond).toFixed(1)}× throughput`;
  if (s.predictedSavingSeconds > 0) return `saves ${humanTime(s.predictedSavingSeconds)}${totalSeconds > 0 ? ` (${percentText(s.predictedSavingSeconds / totalSeconds)})` : ''}`;
  const energySaved = s.energySavedJoules ?? 0;
  const energyAfter = s.chip?.energyJoules;
  if (energySaved > 0 && energyAfter !== undefined) return `${percentText(energySaved / (energySaved + energyAfter))} less energy`;
  return 'no time saved';
}

/** The suggestions of the current advice, by the id of the text node their places point at (cached per advice). */
const byTextNode = new WeakMap<object, Map<string, Suggestion[]>>();

export function suggestionsByTextNode(profiled: ProfiledModel): Map<string, Suggestion[]> {
  const advice = profiled.advice;
  if (!advice) return new Map();
  const cached = byTextNode.get(advice);
  if (cached) return cached;
  const map = new Map<string, Suggestion[]>();
  for (const s of advice.suggestions) {
    for (const id of s.nodes) {
      const span = spanForId(profiled.loaded, id);
      if (!span) continue;
      const list = map.get(span.id) ?? [];
      if (!list.includes(s)) list.push(s);
      map.set(span.id, list);
    }
  }
  byTextNode.set(advice, map);
  return map;
}

/** The op token of the place's first node the text shows; undefined when the text shows none of it. */
export function placeRange(loaded: LoadedModel, place: SuggestionPlace): Range | undefined {
  for (const id of place.nodes) {
    const span = spanForId(loaded, id);
    if (span) return loaded.lines.range(span.op);
  }
  return undefined;
}

/** The range of the main graph's signature (whole-model suggestions, model-wide lenses). */
export function headerRange(loaded: LoadedModel): Range {
  const main = loaded.layout.graphs.find((g) => g.kind === 'main');
  if (main) return loaded.lines.range(main.header);
  return loaded.lines.range({ start: 0, end: loaded.lines.lineEnd(0) });
}

/** A lens longer than this is split in two: VS Code draws a line's lenses in one row that does not wrap. */
const MAX_LENS_CHARS = 60;

/**
 * The top suggestions as lens rows, one row per suggestion: `Suggestion: Fuse attention — saves 85.56 µs
 * (4.7%)` (its detail, whose dialog offers the what-if) and `What-if` (the model re-profiled as if it were
 * applied). A title too long for one lens is split into the title and the saving.
 */
export function topSuggestionRows(profiled: ProfiledModel, uri: string, count = 3): Command[][] {
  const total = profiled.report.totals?.timeSeconds ?? 0;
  return (profiled.advice?.suggestions ?? []).slice(0, count).map((s) => {
    const arg = { uri, suggestion: s.id };
    const show = (title: string): Command => ({ title, command: Commands.showSuggestion, arguments: [arg] });
    const head = `Suggestion: ${titleOf(s)}`;
    const saving = savingText(s, total);
    const row = head.length + saving.length + 3 <= MAX_LENS_CHARS ? [show(`${head} — ${saving}`)] : [show(head), show(saving)];
    if (s.whatIf || s.chip) row.push({ title: 'What-if', command: Commands.applyWhatIf, arguments: [arg] });
    return row;
  });
}
