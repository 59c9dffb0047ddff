/**
 * The decode sweep panel's webview script (bundled by esbuild into dist/media/sweep-panel.js, styled by
 * dist/media/panel.css). Says 'ready', then draws each sweep it is sent with the option of
 * sweep-option.ts, and redraws on a theme change or a resize. Model-derived strings go in as text only.
 *
 * For automation the chart's container carries, after every render: data-points (batches drawn),
 * data-ridge (the compute-bound batch, empty when none), data-memory-from (the first batch that does not
 * fit, empty when none) and data-render (a counter).
 */
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { readTheme, watchTheme } from './chart-theme';
import { el } from './dom';
import type { HostToSweep, SweepToHost } from './sweep-messages';
import { firstBatchOverMemory, sweepOption, sweepTitle, tooltipRows } from './sweep-option';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, MarkLineComponent, MarkAreaComponent, CanvasRenderer]);

interface VsCodeApi {
  postMessage(message: SweepToHost): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

type SweepMessage = Extract<HostToSweep, { type: 'sweep' }>;

class SweepPanel {
  private readonly title = el('h1', 'Decode sweep');
  private readonly meta = el('p', undefined, 'rp-meta');
  private readonly status = el('p', 'Loading the decode sweep…', 'rp-status');
  private readonly container = el('div', undefined, 'rp-chart');
  private readonly note = el('p', undefined, 'rp-note');
  private chart: echarts.ECharts | undefined;
  private shown: SweepMessage | null = null;
  private renders = 0;

  constructor(app: HTMLElement) {
    this.status.id = 'status';
    this.status.setAttribute('role', 'status');
    this.container.id = 'sweep';
    this.container.setAttribute('role', 'img');
    this.container.setAttribute('aria-label', 'Decode sweep chart');
    this.container.hidden = true;
    this.note.textContent =
      'Each batch decodes one token per sequence: tokens/s (solid, left axis) climbs while the step is memory-bound, since the weights are read once for the whole batch, and flattens once the projections turn compute-bound. Markers are coloured by what bounds the step; hollow markers and the shaded band are batches whose weights, full-context KV cache and activations do not fit in memory. The settings ridgepoint.llm.* choose the precision, GPUs and context.';
    this.note.hidden = true;
    const header = el('header', undefined, 'rp-header');
    header.append(this.title, this.meta);
    app.replaceChildren(header, this.status, this.container, this.note);
    window.addEventListener('resize', () => this.chart?.resize());
    watchTheme(() => this.render());
  }

  onMessage(message: HostToSweep): void {
    if (message.type === 'status') {
      // Before the first sweep the status line is all there is; afterwards it says what changed.
      this.status.textContent = message.text;
      return;
    }
    this.shown = message;
    this.status.textContent = '';
    this.container.hidden = false;
    this.note.hidden = false;
    this.render();
  }

  private render(): void {
    const shown = this.shown;
    if (!shown) return;
    this.chart ??= echarts.init(this.container, undefined, { renderer: 'canvas' });
    const title = sweepTitle(shown.model, shown.sweep);
    this.title.textContent = title.text;
    this.meta.textContent = title.subtext;
    const option = sweepOption(shown.sweep, readTheme());
    option.tooltip = { ...option.tooltip, formatter: (params: unknown) => tooltipElement(tooltipRows(shown.sweep, batchOf(params))) };
    this.chart.setOption(option, { notMerge: true });
    this.renders += 1;
    const { sweep } = shown;
    this.container.setAttribute('data-points', String(sweep.points.length));
    this.container.setAttribute('data-ridge', sweep.projectionsComputeBoundBatch === null ? '' : String(sweep.projectionsComputeBoundBatch));
    this.container.setAttribute('data-memory-from', String(firstBatchOverMemory(sweep) ?? ''));
    this.container.setAttribute('data-render', String(this.renders));
  }
}

/** The batch an axis tooltip is for: the x of its first point. */
function batchOf(params: unknown): number {
  const first: unknown = Array.isArray(params) ? params[0] : params;
  const value = typeof first === 'object' && first !== null && 'value' in first ? first.value : undefined;
  return Array.isArray(value) && typeof value[0] === 'number' ? value[0] : 0;
}

/** The tooltip as DOM: every value goes in through textContent. */
function tooltipElement(rows: ReadonlyArray<readonly [string, string]>): HTMLElement {
  const root = el('div', undefined, 'rp-tooltip');
  const table = el('table');
  for (const [name, value] of rows) {
    const tr = el('tr');
    tr.append(el('th', name), el('td', value));
    table.appendChild(tr);
  }
  root.appendChild(table);
  return root;
}

function main(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const vscode = acquireVsCodeApi();
  const panel = new SweepPanel(app);
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as HostToSweep | null;
    // Messages come from the extension host only, but a malformed one must not break the page.
    if (typeof message !== 'object' || message === null || (message.type !== 'sweep' && message.type !== 'status')) return;
    panel.onMessage(message);
  });
  vscode.postMessage({ type: 'ready' });
}

main();
