/**
 * The self-contained HTML report's page script (bundled by esbuild into the page by
 * server/src/cli/html.ts). Reads the report from `<script type="application/json" id="ridgepoint-data">`,
 * then renders the summary, the roofline chart, the cost by module (a collapsible tree), the slowest ops
 * (sortable), the per-op-type breakdown and the unmodelled nodes. Every model-derived string is set with textContent; nothing is parsed as HTML.
 */
import { COST_TREE_NOTE, costTreeElement } from './cost-tree-dom';
import { bytes, joules, percent, ratio, seconds, si } from './format';
import { renderRoofline } from './roofline-chart';
import { isPlottable, rooflineFromReport } from './roofline-data';
import { launchesText, predictedTimeRows, ReportLike, ReportNodeLike, suggestionName, totalText } from './report-types';

/** Rows in the slowest-ops table. */
const TOP_OPS = 50;

type Cell = string | number;

interface Column<T> {
  readonly label: string;
  readonly value: (row: T) => Cell;
  readonly format?: (row: T) => string;
  readonly numeric?: boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function section(parent: HTMLElement, title: string, id: string): HTMLElement {
  const s = el('section');
  s.id = id;
  s.appendChild(el('h2', title));
  parent.appendChild(s);
  return s;
}

/** A table whose column headers sort it (numeric columns descending first). */
function sortableTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, initial: { column: number; descending: boolean }): HTMLTableElement {
  const table = el('table', undefined, 'rp-table');
  const thead = el('thead');
  const headRow = el('tr');
  const tbody = el('tbody');
  let state = initial;
  const buttons: HTMLButtonElement[] = [];
  const draw = (): void => {
    const col = columns[state.column];
    const sorted = [...rows].sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return state.descending ? -c : c;
    });
    tbody.replaceChildren(
      ...sorted.map((row) => {
        const tr = el('tr');
        for (const c of columns) tr.appendChild(el('td', c.format ? c.format(row) : String(c.value(row)), c.numeric ? 'num' : undefined));
        return tr;
      }),
    );
    columns.forEach((_c, i) => {
      const th = buttons[i].parentElement;
      th?.setAttribute('aria-sort', i === state.column ? (state.descending ? 'descending' : 'ascending') : 'none');
    });
  };
  columns.forEach((c, i) => {
    const th = el('th', undefined, c.numeric ? 'num' : undefined);
    th.scope = 'col';
    const button = el('button', c.label);
    button.type = 'button';
    button.addEventListener('click', () => {
      state = state.column === i ? { column: i, descending: !state.descending } : { column: i, descending: c.numeric === true };
      draw();
    });
    buttons.push(button);
    th.appendChild(button);
    headRow.appendChild(th);
  });
  thead.appendChild(headRow);
  table.append(thead, tbody);
  draw();
  return table;
}

function summary(parent: HTMLElement, report: ReportLike): void {
  const header = el('header');
  header.appendChild(el('h1', 'Ridgepoint roofline report'));
  const meta = el('p', undefined, 'rp-meta');
  const parts = [`model ${report.model.path}`];
  if (report.chip) parts.push(`chip ${report.chip.name}`, `${report.peakMode ?? 'datasheet'} peaks`);
  if (report.computeDtype) parts.push(`computed in ${report.computeDtype}`);
  if (report.runtime) parts.push(`runtime ${report.runtime}`);
  const bindings = Object.entries(report.bindings).map(([k, v]) => `${k}=${v}`);
  if (bindings.length > 0) parts.push(`bindings ${bindings.join(', ')}`);
  if (report.unboundSymbols && report.unboundSymbols.length > 0) parts.push(`unbound ${report.unboundSymbols.join(', ')}`);
  meta.textContent = parts.join(' · ');
  header.appendChild(meta);
  parent.appendChild(header);
  const coverage = report.coverage;
  // An incomplete model definition: said before any figure, and every total is a lower bound.
  const atLeast = coverage && !coverage.complete ? '≥ ' : '';
  if (coverage && !coverage.complete) {
    const share = coverage.parametersResolvedShare === null ? '' : `, ${(coverage.parametersResolvedShare * 100).toFixed(1)}% of parameters`;
    const first = coverage.unresolved[0];
    const banner = el('p', `Incomplete: ${coverage.layersResolved} of ${coverage.layersTotal} layers resolved${share}; the totals are lower bounds.${first ? ` First problem: ${first.reason}` : ''}`, 'rp-incomplete');
    banner.setAttribute('role', 'alert');
    parent.appendChild(banner);
  }

  const t = report.totals;
  if (!t) {
    parent.appendChild(el('p', 'This report has no cost fields (it was made without a chip), so there is no roofline to draw.', 'rp-empty'));
    return;
  }
  const launches = launchesText(report);
  const items: Array<[string, string]> = [
    ...predictedTimeRows(report, atLeast !== ''),
    ['With elementwise fusion', totalText(report, seconds(t.fusedTimeSeconds), atLeast !== '')],
    ['Memory-bound share', percent(t.memoryBoundShare)],
    ...(launches === null ? [] : [['Kernel launches', launches] as [string, string]]),
    ['FLOPs', atLeast + si(t.flops)],
    ['Bytes moved', atLeast + bytes(t.bytes)],
    ['Parameters', atLeast + si(t.params)],
    ['Weight bytes', atLeast + bytes(t.weightBytes)],
    ['Energy', atLeast + joules(t.energyJoules)],
    ['Unmodelled nodes', `${t.unmodelledNodes} (${percent(t.unmodelledShare)})`],
  ];
  const dl = el('dl', undefined, 'rp-totals');
  for (const [k, v] of items) {
    const div = el('div');
    div.append(el('dt', k), el('dd', v));
    dl.appendChild(div);
  }
  parent.appendChild(dl);
}

function chartSection(parent: HTMLElement, report: ReportLike): void {
  const s = section(parent, 'Roofline', 'roofline-section');
  const data = rooflineFromReport(report);
  const container = el('div', undefined, 'rp-chart');
  container.id = 'roofline';
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', 'Roofline chart: attained FLOP/s against arithmetic intensity per op');
  s.appendChild(container);
  if (!data) {
    container.setAttribute('data-points', '0');
    container.textContent = 'No chip in this report: nothing to draw.';
    return;
  }
  s.appendChild(
    el(
      'p',
      'Each point is one op: x its arithmetic intensity, y the FLOP/s it attains in the predicted time; its area is proportional to its time (the smallest are drawn at a minimum size). Blue: memory-bound; orange: compute-bound. Triangles at the left edge move data without arithmetic (0 FLOPs), as high as their achieved bandwidth puts them. Lines: the memory roof and a compute roof per unit and dtype the ops use; diamonds mark the ridge points. Thin vertical whiskers: each op\'s time band from its op class\'s calibration residuals, on the rate axis (a slower time is a lower rate; dotted: a class not calibrated on this chip, ×0.5–×2).',
      'rp-note',
    ),
  );
  const handle = renderRoofline(data, container, { initialView: { measured: true }, onRendered: (n) => container.setAttribute('data-points', String(n)) });
  (window as unknown as { __ridgepoint?: unknown }).__ridgepoint = { chart: handle.chart, data };
  window.addEventListener('resize', () => handle.resize());
}

/** Where the time goes by module: the report's cost tree, the model's row open. */
function costTreeSection(parent: HTMLElement, report: ReportLike): void {
  const root = report.costTree;
  if (!root) return;
  const s = section(parent, 'Cost by module', 'cost-tree');
  s.appendChild(el('p', COST_TREE_NOTE, 'rp-note'));
  s.appendChild(costTreeElement(root));
}

function topOpsSection(parent: HTMLElement, report: ReportLike): void {
  if (!report.totals) return;
  const total = report.totals.timeSeconds;
  const timed = report.nodes.filter((n) => n.modelled === true && n.counted !== false && n.unit !== 'none' && (n.timeSeconds ?? 0) > 0);
  const rows = [...timed].sort((a, b) => (b.timeSeconds ?? 0) - (a.timeSeconds ?? 0)).slice(0, TOP_OPS);
  const s = section(parent, `Slowest ops (${rows.length} of ${timed.length})`, 'top-ops');
  const time = (n: ReportNodeLike): number => n.timeSeconds ?? 0;
  const runFlops = (n: ReportNodeLike): number => (n.flops ?? 0) * (n.executions ?? 1);
  const runBytes = (n: ReportNodeLike): number => ((n.bytesRead ?? 0) + (n.bytesWritten ?? 0)) * (n.executions ?? 1);
  const columns: Array<Column<ReportNodeLike>> = [
    { label: 'Node', value: (n) => n.name || `(unnamed) ${n.id}` },
    { label: 'Op', value: (n) => n.opType },
    { label: 'Time', value: time, format: (n) => seconds(time(n)), numeric: true },
    { label: 'Share', value: (n) => (total > 0 ? time(n) / total : 0), format: (n) => percent(total > 0 ? time(n) / total : 0), numeric: true },
    { label: 'FLOPs', value: runFlops, format: (n) => si(runFlops(n)), numeric: true },
    { label: 'Bytes', value: runBytes, format: (n) => bytes(runBytes(n)), numeric: true },
    { label: 'FLOP/B', value: (n) => n.intensity ?? -1, format: (n) => ratio(n.intensity), numeric: true },
    { label: 'Bound', value: (n) => n.bound ?? '' },
    { label: 'Unit', value: (n) => `${n.unit ?? ''} ${n.peakDtype ?? ''}`.trim() },
    { label: 'On chart', value: (n) => (isPlottable(n) ? 'yes' : 'no') },
  ];
  s.appendChild(sortableTable(rows, columns, { column: 2, descending: true }));
}

function opTypesSection(parent: HTMLElement, report: ReportLike): void {
  const rows = report.opTypes ?? [];
  if (rows.length === 0) return;
  const s = section(parent, 'By op type', 'op-types');
  type Row = (typeof rows)[number];
  const columns: Array<Column<Row>> = [
    { label: 'Op type', value: (r) => r.opType },
    { label: 'Count', value: (r) => r.count, numeric: true },
    { label: 'Time', value: (r) => r.timeSeconds, format: (r) => seconds(r.timeSeconds), numeric: true },
    { label: 'Share', value: (r) => r.share, format: (r) => percent(r.share), numeric: true },
    { label: 'FLOPs', value: (r) => r.flops, format: (r) => si(r.flops), numeric: true },
    { label: 'Bytes', value: (r) => r.bytes, format: (r) => bytes(r.bytes), numeric: true },
    { label: 'FLOP/B', value: (r) => (r.bytes > 0 ? r.flops / r.bytes : -1), format: (r) => (r.bytes > 0 ? ratio(r.flops / r.bytes) : '—'), numeric: true },
  ];
  s.appendChild(sortableTable(rows, columns, { column: 2, descending: true }));
}

/** Suggestions: what to change, what it would save on this chip (re-profiled by the same cost model), and how. */
function suggestionsSection(parent: HTMLElement, report: ReportLike): void {
  const rows = report.suggestions;
  if (!rows) return;
  const s = section(parent, `Suggestions (${rows.length})`, 'suggestions');
  if (rows.length === 0) {
    s.appendChild(el('p', 'No suggestion: nothing in this model matched a rule with a saving on this chip.', 'rp-note'));
    return;
  }
  const total = report.totals?.timeSeconds ?? 0;
  const ol = el('ol', undefined, 'rp-list rp-suggestions');
  for (const suggestion of rows) {
    const li = el('li');
    li.dataset.suggestion = suggestion.id;
    const saving = suggestion.predictedSavingSeconds;
    const share = total > 0 ? ` (${percent(saving / total)})` : '';
    li.append(el('strong', suggestionName(suggestion)), el('span', ` saves ${seconds(saving)}${share}, ${bytes(suggestion.bytesSaved)} less traffic per run · confidence ${suggestion.confidence}`));
    li.appendChild(el('p', suggestion.message));
    if (suggestion.detail || suggestion.recipe || suggestion.nodes.length > 0) {
      const more = el('details');
      more.appendChild(el('summary', 'Detail and recipe'));
      if (suggestion.detail) more.appendChild(el('pre', suggestion.detail));
      if (suggestion.recipe) more.appendChild(el('p', `Recipe: ${suggestion.recipe}`));
      if (suggestion.nodes.length > 0) more.appendChild(el('p', `Nodes: ${suggestion.nodes.slice(0, 40).join(', ')}${suggestion.nodes.length > 40 ? ` … (${suggestion.nodes.length})` : ''}`));
      li.appendChild(more);
    }
    ol.appendChild(li);
  }
  s.appendChild(ol);
}

function unmodelledSection(parent: HTMLElement, report: ReportLike): void {
  const rows = report.unmodelled ?? [];
  const s = section(parent, `Unmodelled nodes (${rows.length})`, 'unmodelled');
  if (rows.length === 0) {
    s.appendChild(el('p', 'Every node that runs a kernel has a cost model.', 'rp-note'));
    return;
  }
  const byId = new Map(report.nodes.map((n) => [n.id, n]));
  const ul = el('ul', undefined, 'rp-list');
  for (const u of rows) {
    const li = el('li');
    const name = byId.get(u.id)?.name;
    li.append(el('code', u.opType), el('span', ` ${u.id}${name ? ` (${name})` : ''}: `), el('span', u.reason || 'no reason given'));
    ul.appendChild(li);
  }
  s.appendChild(ul);
}

function notesSection(parent: HTMLElement, report: ReportLike): void {
  const notes = report.profileNotes ?? [];
  const problems = (report.diagnostics ?? []).filter((d) => d.severity === 'error' || d.severity === 'warning');
  if (notes.length === 0 && problems.length === 0) return;
  const s = section(parent, 'Notes', 'notes');
  const ul = el('ul', undefined, 'rp-list');
  for (const n of notes) ul.appendChild(el('li', n));
  for (const d of problems) ul.appendChild(el('li', `${d.severity}: ${d.message}`));
  s.appendChild(ul);
}

function main(): void {
  const app = document.getElementById('app');
  const source = document.getElementById('ridgepoint-data');
  if (!app || !source) return;
  let report: ReportLike;
  try {
    report = JSON.parse(source.textContent ?? '') as ReportLike;
  } catch (error) {
    app.textContent = `Cannot read the embedded report: ${error instanceof Error ? error.message : String(error)}`;
    return;
  }
  document.title = `Ridgepoint · ${report.model.path}`;
  summary(app, report);
  chartSection(app, report);
  costTreeSection(app, report);
  topOpsSection(app, report);
  suggestionsSection(app, report);
  opTypesSection(app, report);
  unmodelledSection(app, report);
  notesSection(app, report);
  app.appendChild(el('footer', `Ridgepoint report, schema ${report.schemaVersion}. Predicted, not measured: an analytic roofline model.`, 'rp-note'));
}

main();
