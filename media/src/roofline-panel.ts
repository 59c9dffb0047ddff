/**
 * The roofline panel's webview script (bundled by esbuild into dist/media/roofline-panel.js). Says
 * 'ready', then draws each report it is sent with the HTML report's chart (roofline-chart.ts). A click on
 * an op (a chart point or a row of the slowest ops) asks the extension to reveal it in the model's text.
 * Every model-derived string is set with textContent.
 */
import { percent, seconds } from './format';
import type { HostToPanel, PanelToHost } from './panel-messages';
import { RooflineChart, renderRoofline } from './roofline-chart';
import { rooflineFromReport } from './roofline-data';
import type { ReportLike } from './report-types';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Rows in the clickable list of slowest ops (the keyboard's way to reveal an op). */
const TOP_OPS = 10;

const vscode = acquireVsCodeApi();
let chart: RooflineChart | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function reset(app: HTMLElement): void {
  chart?.dispose();
  chart = undefined;
  app.replaceChildren();
}

function showStatus(app: HTMLElement, text: string): void {
  reset(app);
  const p = el('p', text, 'rp-empty');
  p.id = 'status';
  app.appendChild(p);
}

function showReport(app: HTMLElement, model: string, report: ReportLike): void {
  reset(app);
  const header = el('header');
  header.appendChild(el('h1', `Roofline · ${model}`));
  const parts: string[] = [];
  if (report.chip) parts.push(report.chip.name, `${report.peakMode ?? 'datasheet'} peaks`);
  if (report.totals) parts.push(`${seconds(report.totals.timeSeconds)} per run`, `${percent(report.totals.memoryBoundShare)} memory-bound`);
  if (report.unboundSymbols && report.unboundSymbols.length > 0) parts.push(`unbound ${report.unboundSymbols.join(', ')}`);
  header.appendChild(el('p', parts.join(' · '), 'rp-meta'));
  app.appendChild(header);

  const data = rooflineFromReport(report);
  const container = el('div', undefined, 'rp-chart');
  container.id = 'roofline';
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', 'Roofline chart: attained FLOP/s against arithmetic intensity per op; click an op to show it in the model');
  app.appendChild(container);
  if (!data) {
    container.setAttribute('data-points', '0');
    container.textContent = 'Nothing could be costed on this chip (bind the symbolic dimensions?), so there is nothing to draw.';
    return;
  }
  const handle = renderRoofline(data, container, { onRendered: (n) => container.setAttribute('data-points', String(n)) });
  handle.chart.on('click', (params) => {
    const value = (params as { value?: unknown }).value;
    const index = Array.isArray(value) ? Number(value[2]) : NaN;
    const point = Number.isInteger(index) ? data.points[index] : undefined;
    if (point && String((params as { seriesId?: unknown }).seriesId ?? '').startsWith('ops:')) vscode.postMessage({ type: 'reveal', nodeId: point.id });
  });
  chart = handle;

  const top = [...data.points].sort((a, b) => b.timeSeconds - a.timeSeconds).slice(0, TOP_OPS);
  if (top.length > 0) {
    app.appendChild(el('h2', 'Slowest ops'));
    const list = el('ol', undefined, 'rp-list');
    list.id = 'top-ops';
    for (const p of top) {
      const button = el('button', `${p.name || `(unnamed ${p.opType})`} — ${p.opType}, ${seconds(p.timeSeconds)} (${percent(p.share)}), ${p.bound}-bound`);
      button.type = 'button';
      button.dataset.nodeId = p.id;
      button.addEventListener('click', () => vscode.postMessage({ type: 'reveal', nodeId: p.id }));
      const li = el('li');
      li.appendChild(button);
      list.appendChild(li);
    }
    app.appendChild(list);
  }
}

function main(): void {
  const app = document.getElementById('app');
  if (!app) return;
  window.addEventListener('message', (event: MessageEvent<HostToPanel>) => {
    const message = event.data;
    if (message?.type === 'report') showReport(app, message.model, message.report);
    else if (message?.type === 'status') showStatus(app, message.text);
  });
  window.addEventListener('resize', () => chart?.resize());
  vscode.postMessage({ type: 'ready' });
}

main();
