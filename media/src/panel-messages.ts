/**
 * Messages between the roofline webview (media/src/roofline-panel.ts) and the extension
 * (client/src/roofline-panel.ts): the one definition both sides import. The report travels by
 * postMessage after the webview says it is ready; it is never pasted into the page's HTML.
 */
import type { ReportLike } from './report-types';

/** Extension → webview. */
export type HostToPanel =
  /** The report to draw; `model` is the file name for the heading. */
  | { readonly type: 'report'; readonly model: string; readonly report: ReportLike }
  /** A line of status instead of a chart (profiling, or why there is nothing to draw). */
  | { readonly type: 'status'; readonly text: string };

/** Webview → extension. */
export type PanelToHost =
  /** The script has loaded and listens: send the report (again, after the webview was reloaded). */
  | { readonly type: 'ready' }
  /** The user clicked an op: show its statement in the model's text. */
  | { readonly type: 'reveal'; readonly nodeId: string };

/** Webview messages are checked before use: anything else is ignored. */
export function isPanelToHost(value: unknown): value is PanelToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown; nodeId?: unknown };
  if (message.type === 'ready') return true;
  return message.type === 'reveal' && typeof message.nodeId === 'string' && message.nodeId.length > 0 && message.nodeId.length < 1000;
}
