/**
 * The panel's Suggestions section: one button per suggestion (kind, saving, message). Selecting one
 * highlights its nodes on the chart and draws its before/after figures as markers (roofline-chart's
 * `markers`); "Re-profile as if applied" asks the host for the what-if, which comes back as the
 * comparison. Every model-derived string goes through textContent.
 */
import { el } from './dom';
import { bytes, percent, seconds } from './format';
import type { ChartMarker } from './roofline-chart';
import { ReportLike, SuggestionLike, suggestionName } from './report-types';

export interface SuggestionsInput {
  readonly report: ReportLike;
  readonly selected: string | null;
  readonly onSelect: (suggestion: SuggestionLike | null) => void;
  readonly onWhatIf: (suggestion: SuggestionLike) => void;
}

interface FiguresLike {
  readonly timeSeconds: number;
  readonly bytes: number;
  readonly intensity: number | null;
}

/** Before/after as chart markers: attained FLOP/s = intensity × bytes / time. */
export function suggestionMarkers(suggestion: SuggestionLike): ChartMarker[] {
  const withFigures = suggestion as SuggestionLike & { before?: FiguresLike; after?: FiguresLike };
  const marker = (label: string, f: FiguresLike | undefined): ChartMarker[] =>
    f && f.intensity !== null && f.timeSeconds > 0 ? [{ label: `${label} ${seconds(f.timeSeconds)}`, intensity: f.intensity, flopsPerSecond: (f.intensity * f.bytes) / f.timeSeconds }] : [];
  return [...marker('before', withFigures.before), ...marker('after', withFigures.after)];
}

export function suggestionsList(input: SuggestionsInput): HTMLElement {
  const list = input.report.suggestions ?? [];
  const root = el('div', undefined, 'rp-suggestions');
  if (list.length === 0) {
    root.appendChild(el('p', input.report.suggestions ? 'No suggestion: nothing in this model matched a rule with a saving on this chip.' : 'Suggestions were not computed for this report.', 'rp-note'));
    return root;
  }
  const total = input.report.totals?.timeSeconds ?? 0;
  const ul = el('ul', undefined, 'rp-list');
  for (const suggestion of list) {
    const li = el('li');
    const pick = el('button', undefined, 'rp-suggestion');
    pick.type = 'button';
    pick.dataset.suggestion = suggestion.id;
    const selected = suggestion.id === input.selected;
    pick.setAttribute('aria-pressed', String(selected));
    const share = total > 0 ? ` (${percent(suggestion.predictedSavingSeconds / total)})` : '';
    pick.append(
      el('strong', suggestionName(suggestion)),
      el('span', ` saves ${seconds(suggestion.predictedSavingSeconds)}${share}, ${bytes(suggestion.bytesSaved)} · ${suggestion.confidence} confidence`),
      el('span', suggestion.message, 'rp-suggestion-message'),
    );
    pick.addEventListener('click', () => input.onSelect(selected ? null : suggestion));
    li.appendChild(pick);
    if (selected) {
      const whatIf = el('button', 'Re-profile as if applied', 'rp-button');
      whatIf.type = 'button';
      whatIf.dataset.whatIf = suggestion.id;
      whatIf.addEventListener('click', () => input.onWhatIf(suggestion));
      li.appendChild(whatIf);
      if (suggestion.detail) li.appendChild(el('pre', suggestion.detail, 'rp-suggestion-detail'));
      if (suggestion.recipe) li.appendChild(el('p', `Recipe: ${suggestion.recipe}`, 'rp-note'));
    }
    ul.appendChild(li);
  }
  root.appendChild(ul);
  return root;
}
