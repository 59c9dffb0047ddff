/**
 * The panel's view state: what the user chose in the panel itself, as opposed to what the host sends.
 * Kept with vscode.setState so that hiding and showing the panel (which reloads the webview) or a
 * restart (the serializer) brings back the same view; the host re-sends the report on 'ready'.
 * getState returns whatever was stored, possibly by an older version: every field is checked.
 */
import type { PeakModeName } from './panel-messages';
import type { ColourBy } from './roofline-chart';

export type SortKey = 'time' | 'share' | 'flops' | 'bytes' | 'intensity' | 'bound' | 'ratio';
export const SORT_KEYS: readonly SortKey[] = ['time', 'share', 'flops', 'bytes', 'intensity', 'bound', 'ratio'];

export interface ViewState {
  readonly colourBy: ColourBy;
  readonly fused: boolean;
  readonly sort: { readonly key: SortKey; readonly descending: boolean };
  /** The comparison the user picked (re-asked for when the host no longer has it), null for none. */
  readonly compareChip: string | null;
  readonly comparePeakMode: PeakModeName;
  /** The chip (`id|peakMode`) the comparison was made against: after a restore it is asked for again only on that chip. */
  readonly compareBase: string | null;
  /** Draw the comparison's own points too (hollow), not only its roofs. */
  readonly comparePoints: boolean;
  /** Draw measured points beside the predicted ones, when the report carries a measurement. */
  readonly measured: boolean;
  readonly selected: string | null;
  /** The suggestion whose nodes and before/after are shown, by id. */
  readonly suggestion: string | null;
  readonly scrollY: number;
  /** The model's URI (from the last report): the extension's serializer reopens the panel for it after a reload. */
  readonly uri: string | null;
}

export const DEFAULT_STATE: ViewState = {
  colourBy: 'bound',
  fused: false,
  sort: { key: 'time', descending: true },
  compareChip: null,
  comparePeakMode: 'achievable',
  compareBase: null,
  comparePoints: false,
  measured: true,
  selected: null,
  suggestion: null,
  scrollY: 0,
  uri: null,
};

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

export function restoreState(raw: unknown): ViewState {
  const s = record(raw);
  const sort = record(s.sort);
  const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length < 1000 ? v : null);
  return {
    colourBy: s.colourBy === 'opType' ? 'opType' : 'bound',
    fused: s.fused === true,
    sort: { key: SORT_KEYS.includes(sort.key as SortKey) ? (sort.key as SortKey) : 'time', descending: sort.descending !== false },
    compareChip: str(s.compareChip),
    comparePeakMode: s.comparePeakMode === 'datasheet' ? 'datasheet' : 'achievable',
    compareBase: str(s.compareBase),
    comparePoints: s.comparePoints === true,
    measured: s.measured !== false,
    selected: str(s.selected),
    suggestion: str(s.suggestion),
    uri: typeof s.uri === 'string' && s.uri.length > 0 && s.uri.length < 4096 ? s.uri : null,
    scrollY: typeof s.scrollY === 'number' && Number.isFinite(s.scrollY) && s.scrollY >= 0 ? s.scrollY : 0,
  };
}
