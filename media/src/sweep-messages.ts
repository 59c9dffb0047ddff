/**
 * Messages between the decode sweep webview (media/src/sweep-panel.ts) and the extension
 * (client/src/sweep-panel.ts): the one definition both sides import. The sweep travels by postMessage
 * after the webview says it is ready; strings in it come from the config and are set as text only.
 */
import type { DecodeSweep } from '../../server/src/protocol';

/** Extension → webview. */
export type HostToSweep =
  /** The sweep to draw; `model` names the config for the title (`llama-2-7b config.json`). */
  | { readonly type: 'sweep'; readonly model: string; readonly sweep: DecodeSweep }
  /** A line of status instead of a chart (computing, or why there is no sweep). */
  | { readonly type: 'status'; readonly text: string };

/** Webview → extension: its script has loaded and listens (again, after the panel was hidden). */
export type SweepToHost = { readonly type: 'ready' };

/** Webview messages are checked before use: anything but 'ready' is ignored. */
export function isSweepToHost(value: unknown): value is SweepToHost {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === 'ready';
}
