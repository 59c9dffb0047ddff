/**
 * The roofline panel's webview script (bundled by esbuild into dist/media/roofline-panel.js, styled by
 * dist/media/panel.css). Says 'ready', then draws each report it is sent: heading, controls (panel-toolbar),
 * the roofline chart (roofline-chart.ts, the HTML report's chart) and beside it the totals and the
 * slowest ops (panel-tables). Reports after the first update everything in place; the view state the
 * user chose (colouring, fused view, sort, comparison, selection, scroll) lives in vscode.setState so
 * that hiding and showing the panel restores it. Every model-derived string is set with textContent.
 */
import { chartSvg, exportRows, toCsv, toJson } from './chart-export';
import { button, el } from './dom';
import { percent, seconds } from './format';
import type { ExportFormat, HostToPanel, PanelToHost } from './panel-messages';
import { restoreState, SortKey, ViewState } from './panel-state';
import { launchBoundExplanation, phaseSuffix, roofsExplanation } from './panel-explain';
import { displayName, opTypesTable, topOpsTable, totalsList, unmodelledList } from './panel-tables';
import { drawCostTree } from './panel-tree';
import { suggestionMarkers, suggestionsList } from './panel-suggestions';
import { Toolbar } from './panel-toolbar';
import { RooflineChart, renderRoofline } from './roofline-chart';
import { fusedGroupOf, fusedView, RooflineData, rooflineFromReport } from './roofline-data';
import { suggestionName } from './report-types';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

type ReportMessage = Extract<HostToPanel, { type: 'report' }>;

/** What one report draws: the data (fused or not) and what the chart and table need to go with it. */
interface Shown {
  readonly message: ReportMessage;
  /** Every costed op, unfused (exports list these). */
  readonly data: RooflineData | null;
  /** What the chart draws now (fused when the fused view is on). */
  readonly view: RooflineData | null;
  readonly compare: RooflineData | null;
  readonly groupOf: ReadonlyMap<string, string>;
}

const SCROLL_SAVE_MS = 200;

class Panel {
  private state: ViewState;
  private shown: Shown | null = null;
  private chart: RooflineChart | undefined;
  private firstReport = true;
  private readonly toolbar: Toolbar;
  private readonly title = el('h1', 'Roofline');
  private readonly meta = el('p', undefined, 'rp-meta');
  private readonly status = el('p', undefined, 'rp-status');
  private readonly body = el('div', undefined, 'rp-body');
  private readonly container = el('div', undefined, 'rp-chart');
  private readonly summary = el('p', undefined, 'rp-visually-hidden');
  private readonly note = el('p', undefined, 'rp-note');
  /** Which roofs are drawn and why (achievable vs datasheet). */
  private readonly roofsNote = el('p', undefined, 'rp-note');
  /** Why launch-bound points sit under the roofs (hidden when there are none). */
  private readonly launchNote = el('p', undefined, 'rp-note rp-launch-note');
  /** The comparison or what-if in force, with its Reset button (hidden when there is none). */
  private readonly comparison = el('div', undefined, 'rp-comparison');
  private readonly comparisonText = el('strong');
  private readonly resetZoom = el('button', 'Reset zoom', 'rp-button');
  private readonly totals = el('div');
  private readonly topOps = el('div');
  private readonly topHeading = el('h2', 'Slowest ops');
  private readonly opTypes = el('section');
  private readonly unmodelled = el('section');
  private readonly suggestions = el('section');

  constructor(
    private readonly app: HTMLElement,
    private readonly vscode: VsCodeApi,
  ) {
    this.state = restoreState(vscode.getState());
    this.toolbar = new Toolbar({
      setChip: (chip, peakMode) => {
        // Another chip is another baseline: a comparison or what-if made against the old one is dropped
        // (the host drops its side too), so nothing of it carries over.
        this.setState({ compareChip: null, suggestion: null });
        this.clearComparison();
        this.post({ type: 'setChip', chip, peakMode });
      },
      compare: (chip, peakMode) => {
        if (chip === null) {
          this.resetComparison();
          return;
        }
        this.setState({ compareChip: chip, comparePeakMode: peakMode });
        this.post({ type: 'compare', chip, peakMode });
      },
      colourBy: (colourBy) => {
        this.setState({ colourBy });
        this.chart?.setView({ colourBy });
      },
      fused: (fused) => {
        this.setState({ fused });
        if (this.shown) this.draw(this.shown.message);
      },
      measured: (measured) => {
        this.setState({ measured });
        this.chart?.setView({ measured });
      },
      comparePoints: (comparePoints) => {
        this.setState({ comparePoints });
        this.chart?.setView({ comparePoints });
      },
      exportAs: (format) => this.exportAs(format),
      setBindings: (bindings) => {
        this.say('Re-profiling with the new dimensions…');
        this.post({ type: 'setBindings', bindings });
      },
      say: (text) => this.say(text),
    });
    this.toolbar.sync(this.state);
    this.build();
  }

  private build(): void {
    const header = el('header', undefined, 'rp-header');
    header.append(this.title, this.meta);
    this.status.id = 'status';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.status.textContent = 'Loading the roofline…';

    this.container.id = 'roofline';
    this.container.setAttribute('role', 'img');
    this.container.setAttribute('aria-label', 'Roofline chart');
    this.summary.id = 'chart-summary';
    this.container.setAttribute('aria-describedby', this.summary.id);
    const chartBox = el('section', undefined, 'rp-chart-box');
    chartBox.setAttribute('aria-label', 'Roofline');
    this.note.textContent =
      'Each point is one op: x its arithmetic intensity, y the FLOP/s it attains; area ∝ its predicted time. Identical ops (repeated layers) are one point marked ×N. Triangles at the left edge move data without arithmetic (0 FLOPs). Vertical whiskers: the time band of each op (its class\'s calibration residuals; a slower time is a lower rate). Dashed lines: the comparison chip. Ctrl+wheel or the sliders zoom, drag pans. Click a point to show its node.';
    this.resetZoom.type = 'button';
    this.resetZoom.id = 'reset-zoom';
    this.resetZoom.addEventListener('click', () => this.chart?.resetZoom());
    this.roofsNote.id = 'roofs-note';
    this.launchNote.id = 'launch-note';
    chartBox.append(this.container, this.summary, this.resetZoom, this.note, this.roofsNote, this.launchNote);

    this.comparison.id = 'comparison';
    this.comparison.setAttribute('role', 'status');
    this.comparison.append(this.comparisonText, button('Reset', 'reset-comparison', () => this.resetComparison()));
    this.comparison.hidden = true;

    const side = el('aside', undefined, 'rp-side');
    this.totals.id = 'totals-box';
    this.topOps.id = 'top-ops';
    const totalsHeading = el('h2', 'Totals');
    side.append(totalsHeading, this.totals, this.topHeading, this.topOps);
    const main = el('div', undefined, 'rp-main');
    main.append(chartBox, side);

    this.opTypes.id = 'op-types';
    this.unmodelled.id = 'unmodelled';
    this.suggestions.id = 'suggestions';
    this.body.append(this.toolbar.element, this.toolbar.dimsForm, this.comparison, main, this.suggestions, this.opTypes, this.unmodelled);
    this.body.hidden = true;
    this.app.replaceChildren(header, this.status, this.body);

    let timer: ReturnType<typeof setTimeout> | undefined;
    window.addEventListener('scroll', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.setState({ scrollY: window.scrollY }), SCROLL_SAVE_MS);
    });
    window.addEventListener('resize', () => this.chart?.resize());
  }

  private post(message: PanelToHost): void {
    this.vscode.postMessage(message);
  }

  private setState(patch: Partial<ViewState>): void {
    this.state = { ...this.state, ...patch };
    this.vscode.setState(this.state);
  }

  private say(text: string): void {
    this.status.textContent = text;
  }

  onMessage(message: HostToPanel): void {
    switch (message.type) {
      case 'report':
        this.onReport(message);
        break;
      case 'status':
        this.say(message.text);
        break;
      case 'highlight':
        this.select(message.nodeId, false);
        break;
      case 'exported':
        this.say(message.error ? `${message.format.toUpperCase()} export failed: ${message.error}` : message.path === null ? `${message.format.toUpperCase()} export cancelled.` : `Saved ${message.format.toUpperCase()} to ${message.path}`);
        break;
    }
  }

  private onReport(message: ReportMessage): void {
    const restoring = this.firstReport;
    this.firstReport = false;
    if (this.state.uri !== message.uri) {
      // Another model: nothing chosen for the last one (comparison, what-if, selection) applies to it.
      if (this.state.uri !== null) this.setState({ compareChip: null, suggestion: null, selected: null });
      this.setState({ uri: message.uri });
    }
    if (message.whatIf) {
      // A what-if is the same chip: it is not a chip comparison to remember or to ask for again.
      this.setState({ compareChip: null, suggestion: message.whatIf.suggestion });
    } else if (message.compare?.chip) this.setState({ compareChip: message.compare.chip.id, comparePeakMode: message.compare.peakMode === 'datasheet' ? 'datasheet' : 'achievable', compareBase: baseOf(message.report) });
    else if (restoring && this.state.compareChip !== null && (this.state.compareBase === null || this.state.compareBase === baseOf(message.report))) {
      // The panel was restored (serializer) with a comparison the host no longer knows: ask for it again.
      this.post({ type: 'compare', chip: this.state.compareChip, peakMode: this.state.comparePeakMode });
    } else this.setState({ compareChip: null });
    this.draw(message);
    this.say('');
    if (restoring && this.state.scrollY > 0) window.scrollTo(0, this.state.scrollY);
  }

  private draw(message: ReportMessage): void {
    const { report, compare } = message;
    const data = rooflineFromReport(report);
    const compareBase = compare ? rooflineFromReport(compare) : null;
    const fused = this.state.fused;
    const shown: Shown = {
      message,
      data,
      view: data && fused ? fusedView(data, report) : data,
      compare: compareBase && compare && fused ? fusedView(compareBase, compare) : compareBase,
      groupOf: fusedGroupOf(report),
    };
    this.shown = shown;
    this.body.hidden = false;
    this.heading(message);
    this.toolbar.update(message.chips, report, message.whatIf ? null : compare, message.dims, this.state);
    this.toolbar.setExportsEnabled(data !== null);
    this.drawChart(shown);
    this.drawSide(shown);
  }

  private heading(message: ReportMessage): void {
    const { report } = message;
    this.title.textContent = `Roofline — ${message.model}${phaseSuffix(message.phase)}`;
    document.title = this.title.textContent;
    const parts: string[] = [];
    if (message.phase === 'decode') parts.push('one decode step');
    else if (message.phase === 'prefill') parts.push('prefill of the prompt');
    if (report.chip) parts.push(report.chip.name, `${report.peakMode ?? 'datasheet'} peaks`);
    if (report.computeDtype) parts.push(`computed in ${report.computeDtype}`);
    const bindings = Object.entries(report.bindings).map(([k, v]) => `${k}=${v}`);
    if (bindings.length > 0) parts.push(bindings.join(', '));
    if (report.unboundSymbols && report.unboundSymbols.length > 0) parts.push(`unbound: ${report.unboundSymbols.join(', ')}`);
    this.meta.textContent = parts.join(' · ');
    this.comparisonText.textContent = comparisonHeader(message) ?? '';
    this.comparison.hidden = this.comparisonText.textContent === '';
  }

  /** Hides the comparison header at once (the report without it follows from the host). */
  private clearComparison(): void {
    this.comparisonText.textContent = '';
    this.comparison.hidden = true;
  }

  /** Reset: no comparison, no what-if, no suggestion markers; the host is asked for the plain report. */
  private resetComparison(): void {
    this.setState({ compareChip: null, suggestion: null });
    this.clearComparison();
    this.chart?.setView({ compare: null, compareIsWhatIf: false, markers: [], highlight: null, related: [] });
    if (this.shown) this.shown = { ...this.shown, compare: null, message: { ...this.shown.message, compare: null, whatIf: null } };
    if (this.shown) this.drawSide(this.shown);
    this.post({ type: 'compare', chip: null, peakMode: this.state.comparePeakMode });
  }

  /** The point that stands for a node in the current view (its fused group's, in the fused view). */
  private pointFor(nodeId: string | null): { id: string | null; related: string[] } {
    if (nodeId === null || !this.shown) return { id: nodeId, related: [] };
    const group = this.shown.groupOf.get(nodeId);
    if (group === undefined) return { id: nodeId, related: [] };
    if (this.state.fused && this.shown.view?.points.some((p) => p.id === group)) return { id: group, related: [] };
    const members = this.shown.message.report.fusedGroups?.find((g) => g.id === group)?.nodes ?? [];
    return { id: nodeId, related: members.filter((m) => m !== nodeId) };
  }

  private drawChart(shown: Shown): void {
    const { view } = shown;
    if (!view) {
      this.chart?.dispose();
      this.chart = undefined;
      this.container.replaceChildren(el('p', 'Nothing could be costed on this chip (bind the symbolic dimensions?), so there is nothing to draw.', 'rp-empty'));
      this.container.setAttribute('data-points', '0');
      this.summary.textContent = 'No ops to draw.';
      return;
    }
    const focus = this.pointFor(this.state.selected);
    const chartView = {
      colourBy: this.state.colourBy,
      compare: shown.compare,
      compareIsWhatIf: Boolean(shown.message.whatIf),
      comparePoints: this.state.comparePoints,
      measured: this.state.measured,
      ...(this.suggestionFocus(shown) ?? { highlight: focus.id, related: focus.related, markers: [] }),
    };
    if (this.chart) this.chart.update(view, chartView);
    else {
      this.container.replaceChildren();
      this.chart = renderRoofline(view, this.container, {
        toolbox: false,
        transparent: true,
        initialView: chartView,
        onPointClick: (id) => {
          this.select(id, true);
          this.post({ type: 'reveal', nodeId: id });
        },
      });
    }
    const chip = shown.message.report.chip?.name ?? 'the chip';
    this.container.setAttribute('aria-label', `Roofline chart of ${shown.message.model} on ${chip}: ${view.points.length} ops`);
    let memory = 0;
    let launch = 0;
    let slowest = view.points[0];
    for (const p of view.points) {
      if (p.launchBound) launch += 1;
      else if (p.bound === 'memory') memory += 1;
      if (slowest && p.timeSeconds > slowest.timeSeconds) slowest = p;
    }
    this.summary.textContent =
      `${view.points.length} ops drawn: ${memory} memory-bound, ${view.points.length - memory - launch} compute-bound, ${launch} launch-bound; roofs: ${view.roofs.map((r) => `${r.unit} ${r.dtype}`).join(', ') || 'memory only'}.` +
      (slowest ? ` Slowest: ${displayName(slowest)} (${slowest.opType}), ${seconds(slowest.timeSeconds)}, ${percent(slowest.share)} of the time.` : '');
    this.roofsNote.textContent = roofsExplanation(shown.message.report, view);
    this.launchNote.textContent = launchBoundExplanation(shown.message.report, view);
    this.launchNote.hidden = this.launchNote.textContent === '';
  }

  /** The selected suggestion's nodes and before/after markers, when one is selected and still in the report. */
  private suggestionFocus(shown: Shown): { highlight: string | null; related: string[]; markers: ReturnType<typeof suggestionMarkers> } | null {
    const suggestion = shown.message.report.suggestions?.find((s) => s.id === this.state.suggestion);
    if (!suggestion) return null;
    const [first, ...rest] = suggestion.nodes;
    return { highlight: first ?? null, related: rest, markers: suggestionMarkers(suggestion) };
  }

  private drawSuggestions(shown: Shown): void {
    const report = shown.message.report;
    const phase = phaseSuffix(shown.message.phase);
    this.suggestions.replaceChildren(
      el('h2', report.suggestions ? `Suggestions${phase} (${report.suggestions.length})` : `Suggestions${phase}: not computed${shown.message.phase === 'decode' ? ' for the decode step' : ''}`),
      suggestionsList({
        report,
        selected: this.state.suggestion,
        onSelect: (suggestion) => {
          this.setState({ suggestion: suggestion?.id ?? null });
          const focus = this.suggestionFocus(shown);
          this.chart?.setView(focus ?? { highlight: null, related: [], markers: [] });
          // Unselecting the suggestion of a what-if ends the what-if.
          if (!suggestion && shown.message.whatIf) this.resetComparison();
          this.drawSuggestions(shown);
          if (suggestion?.nodes[0]) this.post({ type: 'reveal', nodeId: suggestion.nodes[0] });
          this.suggestions.querySelector<HTMLElement>(`[data-suggestion="${CSS.escape(suggestion?.id ?? '')}"]`)?.focus();
        },
        onWhatIf: (suggestion) => {
          this.say(`Re-profiling as if "${suggestionName(suggestion)}" were applied…`);
          this.post({ type: 'whatIf', suggestion: suggestion.id });
        },
      }),
    );
  }

  private drawSide(shown: Shown): void {
    const { report, compare, whatIf } = shown.message;
    this.drawSuggestions(shown);
    this.totals.replaceChildren(totalsList(report, compare, whatIf ? 'After the what-if' : undefined));
    this.drawTopOps();
    const types = opTypesTable(report);
    this.opTypes.replaceChildren(el('h2', 'By op type'), ...(types ? [types] : [el('p', 'No op types.', 'rp-note')]));
    this.unmodelled.replaceChildren(el('h2', `Unmodelled ops (${report.unmodelled?.length ?? 0})`), unmodelledList(report));
    drawCostTree(this.body, report, (id) => this.post({ type: 'reveal', nodeId: id }));
  }

  private drawTopOps(): void {
    const shown = this.shown;
    if (!shown?.view) {
      this.topOps.replaceChildren();
      return;
    }
    const compareTimes = shown.compare ? new Map(shown.compare.points.map((p) => [p.id, p.timeSeconds])) : null;
    const focus = this.pointFor(this.state.selected);
    this.topHeading.textContent = this.state.fused ? 'Slowest kernels (fused)' : 'Slowest ops';
    const focused = document.activeElement instanceof HTMLElement && this.topOps.contains(document.activeElement) ? (document.activeElement.dataset.nodeId ?? document.activeElement.dataset.sort) : undefined;
    this.topOps.replaceChildren(
      topOpsTable({
        points: shown.view.points,
        compareTimes,
        compareName: shown.message.whatIf ? 'after the what-if' : shown.compare ? `on ${shown.compare.chipName}` : null,
        sort: this.state.sort.key === 'ratio' && !compareTimes ? { key: 'time', descending: true } : this.state.sort,
        selected: focus.id,
        onSort: (key) => this.sortBy(key),
        onReveal: (id) => {
          this.select(id, true);
          this.post({ type: 'reveal', nodeId: id });
        },
      }),
    );
    // Rebuilding the table must not drop keyboard focus from the row or header the user was on.
    if (focused) this.topOps.querySelector<HTMLElement>(`[data-node-id="${CSS.escape(focused)}"], [data-sort="${CSS.escape(focused)}"]`)?.focus();
  }

  private sortBy(key: SortKey): void {
    const current = this.state.sort;
    // Numbers sort largest first on the first click; the bound column alphabetically.
    const sort = current.key === key ? { key, descending: !current.descending } : { key, descending: key !== 'bound' };
    this.setState({ sort });
    this.drawTopOps();
  }

  /** Selects a node (from the editor, a click on a point, or a row): its point and row are emphasised. */
  private select(nodeId: string | null, fromPanel: boolean): void {
    this.setState({ selected: nodeId });
    const focus = this.pointFor(nodeId);
    this.chart?.highlight(focus.id, focus.related);
    for (const tr of this.topOps.querySelectorAll<HTMLElement>('tr[data-node-id]')) {
      if (tr.dataset.nodeId === focus.id) tr.setAttribute('aria-current', 'true');
      else tr.removeAttribute('aria-current');
    }
    if (!fromPanel && focus.id) this.topOps.querySelector<HTMLElement>(`tr[data-node-id="${CSS.escape(focus.id)}"]`)?.scrollIntoView({ block: 'nearest' });
  }

  private exportAs(format: ExportFormat): void {
    const shown = this.shown;
    if (!shown?.data) return;
    let data: string;
    try {
      if (format === 'png') {
        if (!this.chart) return;
        data = this.chart.toPNG();
      } else if (format === 'svg') {
        if (!this.chart) return;
        data = chartSvg(this.chart.exportOption(), this.container.clientWidth, this.container.clientHeight);
      } else {
        const rows = exportRows(shown.data.points);
        data = format === 'csv' ? toCsv(rows) : toJson(rows);
      }
    } catch (error) {
      this.say(`${format.toUpperCase()} export failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.say(`Saving ${format.toUpperCase()}…`);
    this.post({ type: 'export', format, data });
  }
}

/**
 * The header over the chart while a comparison is in force: a what-if names its suggestion (before →
 * after on this chip), a chip comparison the other chip. Never "compared with" the chip itself.
 */
/** The chip and peak mode a report is for: what a comparison is made against. */
function baseOf(report: ReportMessage['report']): string {
  return `${report.chip?.id ?? ''}|${report.peakMode ?? 'datasheet'}`;
}

function comparisonHeader(message: ReportMessage): string | null {
  const { report, compare, whatIf } = message;
  if (whatIf) return whatIf.available ? `What if: ${whatIf.title} — before → after` : `What if: ${whatIf.title} — could not be re-profiled`;
  if (!compare?.chip) return null;
  const peaks = `${compare.peakMode ?? 'datasheet'} peaks`;
  if (compare.chip.id === report.chip?.id) return compare.peakMode === report.peakMode ? null : `Compare with ${peaks} on the same chip`;
  return `Compare with ${compare.chip.name} (${peaks})`;
}

function main(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const vscode = acquireVsCodeApi();
  const panel = new Panel(app, vscode);
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as HostToPanel | null;
    // Messages come from the extension host only, but a malformed one must not break the page.
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') return;
    panel.onMessage(message);
  });
  vscode.postMessage({ type: 'ready' });
}

main();
