/**
 * Messages between the roofline webview (media/src/roofline-panel.ts) and the extension
 * (client/src/roofline-panel.ts): the one definition both sides import. The report travels by
 * postMessage after the webview says it is ready; it is never pasted into the page's HTML.
 * Every string inside a report may come from the model file and is untrusted: render as text only.
 */
import type { ReportLike } from './report-types';

export type PeakModeName = 'achievable' | 'datasheet';
/** A config.json is profiled per phase: the prompt's prefill or one decode step. */
export type Phase = 'prefill' | 'decode';

/** The comparison is the same model as if a suggestion were applied (not another chip). */
export interface PanelWhatIf {
  /** The suggestion's id (`report.suggestions[].id`). */
  readonly suggestion: string;
  /** Its readable title. */
  readonly title: string;
  /** False when the what-if could not be re-profiled (then `compare` is null). */
  readonly available: boolean;
}
export type ExportFormat = 'png' | 'svg' | 'csv' | 'json';

/** A chip the panel can offer in its pickers. */
export interface PanelChip {
  readonly id: string;
  readonly name: string;
  readonly memoryBandwidthGBs: number;
  readonly peakTFlops: number | null;
  readonly peakDtype: string | null;
}

/** What the panel shows about the model's symbolic dims: current value, null when unbound. */
export interface PanelDim {
  readonly name: string;
  readonly value: number | null;
}

/** Extension → webview. */
export type HostToPanel =
  /**
   * The report to draw (for the current chip, peak mode and bindings), with the comparison report when a
   * second chip or peak mode is chosen. Sent after 'ready' and after every change; the panel updates in
   * place and keeps its own view state (colouring, fused view, sort, selection).
   */
  | {
      readonly type: 'report';
      /** The model's file name, for the heading (`llama-2-7b config.json` for a config). */
      readonly model: string;
      readonly uri: string;
      /** A config.json's phase; absent or null for a model file. */
      readonly phase?: Phase | null;
      readonly report: ReportLike;
      /** Another chip's (or peak mode's) report, or the what-if's when `whatIf` is set. */
      readonly compare: ReportLike | null;
      /** Set when `compare` is a what-if of the current chip rather than a chip comparison. */
      readonly whatIf?: PanelWhatIf | null;
      readonly dims: readonly PanelDim[];
      readonly chips: readonly PanelChip[];
    }
  /** A line of status instead of a chart (profiling, or why there is nothing to draw). */
  | { readonly type: 'status'; readonly text: string }
  /** The editor's cursor is on this node (null: on none): highlight its point and table row. */
  | { readonly type: 'highlight'; readonly nodeId: string | null }
  /** The result of an export the panel asked for: the saved path, or null when the user cancelled. */
  | { readonly type: 'exported'; readonly format: ExportFormat; readonly path: string | null; readonly error?: string };

/** Webview → extension. */
export type PanelToHost =
  /** The script has loaded and listens: send the report (again, after the webview was reloaded). */
  | { readonly type: 'ready' }
  /** The user clicked an op (point or table row): show its statement in the model's text. */
  | { readonly type: 'reveal'; readonly nodeId: string }
  /** Profile for this chip and peak mode: it becomes the current chip (status bar, hovers, hints). */
  | { readonly type: 'setChip'; readonly chip: string; readonly peakMode: PeakModeName }
  /** Compare with this chip and peak mode; null chip ends the comparison. */
  | { readonly type: 'compare'; readonly chip: string | null; readonly peakMode: PeakModeName }
  /** Re-profile as if this suggestion (an id of `report.suggestions`) were applied: the result comes back as the comparison. */
  | { readonly type: 'whatIf'; readonly suggestion: string }
  /** New values for the model's symbolic dims (they become the model's bindings everywhere). */
  | { readonly type: 'setBindings'; readonly bindings: Readonly<Record<string, number>> }
  /**
   * Save an export: `data` is a `data:image/png;base64,…` URL for PNG, the SVG, CSV or JSON text
   * otherwise. The extension asks where to save it (never next to the model without asking).
   */
  | { readonly type: 'export'; readonly format: ExportFormat; readonly data: string };

const MAX_ID = 1000;
const MAX_EXPORT = 64 * 2 ** 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPeakMode(value: unknown): value is PeakModeName {
  return value === 'achievable' || value === 'datasheet';
}

function isChipId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length < 200;
}

/** Webview messages are checked before use (the webview shows untrusted content): anything else is ignored. */
export function isPanelToHost(value: unknown): value is PanelToHost {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
      return true;
    case 'reveal':
      return typeof value.nodeId === 'string' && value.nodeId.length > 0 && value.nodeId.length < MAX_ID;
    case 'setChip':
      return isChipId(value.chip) && isPeakMode(value.peakMode);
    case 'compare':
      return (value.chip === null || isChipId(value.chip)) && isPeakMode(value.peakMode);
    case 'whatIf':
      return typeof value.suggestion === 'string' && value.suggestion.length > 0 && value.suggestion.length < MAX_ID;
    case 'setBindings':
      return isRecord(value.bindings) && Object.entries(value.bindings).every(([name, v]) => name.length > 0 && name.length < 200 && typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 2 ** 31);
    case 'export':
      return (value.format === 'png' || value.format === 'svg' || value.format === 'csv' || value.format === 'json') && typeof value.data === 'string' && value.data.length < MAX_EXPORT;
    default:
      return false;
  }
}
