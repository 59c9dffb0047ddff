/**
 * The panel's side content: totals, the slowest ops (sortable, rows activate 'reveal'), the per-op-type
 * breakdown and the unmodelled ops. Rebuilt on every report (a few dozen rows: cheaper to rebuild than to
 * diff). Every model-derived string goes through textContent.
 */
import { el } from './dom';
import { bytes, joules, percent, ratio, seconds, si } from './format';
import type { SortKey } from './panel-state';
import type { RooflinePoint } from './roofline-data';
import { launchesText, predictedTimeRows, ReportLike, totalText } from './report-types';

/** Rows in the slowest-ops table. */
export const TOP_OPS = 10;

export interface TopOpsInput {
  readonly points: readonly RooflinePoint[];
  /** Point id → time on the comparison chip (or after the what-if); null when not comparing. */
  readonly compareTimes: ReadonlyMap<string, number> | null;
  /** `on A100 80GB` or `after the what-if`. */
  readonly compareName: string | null;
  readonly sort: { readonly key: SortKey; readonly descending: boolean };
  readonly selected: string | null;
  readonly onSort: (key: SortKey) => void;
  readonly onReveal: (pointId: string) => void;
}

interface Column {
  readonly key: SortKey | null;
  readonly label: string;
  readonly title?: string;
  readonly numeric: boolean;
  readonly cell: (p: RooflinePoint) => string;
}

function timeRatio(p: RooflinePoint, compare: ReadonlyMap<string, number> | null): number | null {
  const t = compare?.get(p.id);
  return t !== undefined && p.timeSeconds > 0 ? t / p.timeSeconds : null;
}

function sortValue(p: RooflinePoint, key: SortKey, compare: ReadonlyMap<string, number> | null): number | string {
  switch (key) {
    case 'time':
      return p.timeSeconds;
    case 'share':
      return p.share;
    case 'flops':
      return p.flops;
    case 'bytes':
      return p.bytes;
    case 'intensity':
      return p.intensity;
    case 'bound':
      return boundLabel(p);
    case 'ratio':
      return timeRatio(p, compare) ?? -1;
  }
}

/** The bound column's word: launch-bound ops say "overhead" (the fixed per-kernel cost), the rest their roof. */
export function boundLabel(p: RooflinePoint): string {
  return p.launchBound ? 'overhead' : p.bound;
}

export function displayName(p: { readonly name: string; readonly opType: string }): string {
  return p.name === '' ? `(unnamed ${p.opType})` : p.name;
}

/** The TOP_OPS slowest points, ordered by the chosen column. */
export function topOpsTable(input: TopOpsInput): HTMLTableElement {
  const { compareTimes, sort } = input;
  const columns: Column[] = [
    { key: null, label: 'Op', numeric: false, cell: (p) => displayName(p) },
    { key: 'time', label: 'Time', numeric: true, cell: (p) => seconds(p.timeSeconds) },
    { key: 'share', label: 'Share', numeric: true, cell: (p) => percent(p.share) },
    { key: 'flops', label: 'FLOPs', numeric: true, cell: (p) => si(p.flops) },
    { key: 'bytes', label: 'Bytes', numeric: true, cell: (p) => bytes(p.bytes) },
    { key: 'intensity', label: 'FLOP/B', title: 'Arithmetic intensity, FLOP per byte', numeric: true, cell: (p) => (p.zeroFlop ? '0' : ratio(p.intensity)) },
    { key: 'bound', label: 'Bound', title: 'memory, compute, or overhead: launch-bound (the fixed per-kernel cost is more than its work)', numeric: false, cell: boundLabel },
  ];
  if (input.points.some((p) => p.measuredSeconds !== undefined)) {
    columns.push({
      key: null,
      label: 'Measured',
      title: 'Measured time (measured mode) and the prediction\'s error against it',
      numeric: true,
      cell: (p) => (p.measuredSeconds === undefined ? '—' : `${seconds(p.measuredSeconds)} (${p.timeSeconds >= p.measuredSeconds ? '+' : '−'}${percent(Math.abs(p.timeSeconds / p.measuredSeconds - 1))})`),
    });
  }
  if (compareTimes) {
    columns.push({
      key: 'ratio',
      label: 'Ratio',
      title: `Time ${input.compareName ?? 'on the comparison chip'} ÷ time now (below 1: faster)`,
      numeric: true,
      cell: (p) => {
        const r = timeRatio(p, compareTimes);
        return r === null ? '—' : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
      },
    });
  }
  const top = [...input.points].sort((a, b) => b.timeSeconds - a.timeSeconds).slice(0, TOP_OPS);
  const sorted = top.sort((a, b) => {
    const va = sortValue(a, sort.key, compareTimes);
    const vb = sortValue(b, sort.key, compareTimes);
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return sort.descending ? -c : c;
  });

  const table = el('table', undefined, 'rp-table rp-top');
  table.id = 'top-ops-table';
  const caption = el('caption', `Slowest ${top.length} of ${input.points.length} ops; Enter or click shows one in the model`, 'rp-visually-hidden');
  const headRow = el('tr');
  for (const c of columns) {
    const th = el('th', undefined, c.numeric ? 'num' : undefined);
    th.scope = 'col';
    if (c.key) {
      const key = c.key;
      const b = el('button', c.label);
      b.type = 'button';
      b.dataset.sort = key;
      if (c.title) b.title = c.title;
      b.addEventListener('click', () => input.onSort(key));
      th.appendChild(b);
      th.setAttribute('aria-sort', key === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    } else {
      th.textContent = c.label;
    }
    headRow.appendChild(th);
  }
  const thead = el('thead');
  thead.appendChild(headRow);
  const tbody = el('tbody');
  for (const p of sorted) {
    const tr = el('tr');
    tr.tabIndex = 0;
    tr.dataset.nodeId = p.id;
    tr.title = `${displayName(p)} · ${p.opType} · ${p.id}`;
    if (p.id === input.selected) tr.setAttribute('aria-current', 'true');
    columns.forEach((c, i) => {
      const td = el('td', c.cell(p), c.numeric ? 'num' : undefined);
      if (i === 0) {
        td.className = 'rp-name';
        td.appendChild(el('span', ` ${p.opType}`, 'rp-op'));
      } else if (c.key === 'bound') td.classList.add(p.launchBound ? 'rp-launch' : `rp-${p.bound}`);
      tr.appendChild(td);
    });
    tr.addEventListener('click', () => input.onReveal(p.id));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        input.onReveal(p.id);
      }
    });
    tbody.appendChild(tr);
  }
  table.append(caption, thead, tbody);
  return table;
}

export function totalsList(report: ReportLike, compare: ReportLike | null, compareLabel?: string): HTMLElement {
  const dl = el('dl', undefined, 'rp-totals');
  dl.id = 'totals';
  const t = report.totals;
  if (!t) return dl;
  // A model definition not fully understood: its totals are lower bounds.
  const coverage = report.coverage;
  const atLeast = coverage && !coverage.complete ? '≥ ' : '';
  const launches = launchesText(report);
  const items: Array<[string, string]> = [
    ...(coverage && !coverage.complete ? [['Incomplete', `${coverage.layersResolved} of ${coverage.layersTotal} layers resolved: totals are lower bounds (see Problems)`] as [string, string]] : []),
    ...predictedTimeRows(report, atLeast !== ''),
    ['With elementwise fusion', totalText(report, seconds(t.fusedTimeSeconds), atLeast !== '')],
    ['Memory-bound share', percent(t.memoryBoundShare)],
    ...(launches === null ? [] : [['Kernel launches', launches] as [string, string]]),
    ['Energy', atLeast + joules(t.energyJoules)],
    ['Parameters', atLeast + si(t.params)],
  ];
  const ct = compare?.totals;
  if (compare && ct) {
    const r = t.timeSeconds > 0 ? ct.timeSeconds / t.timeSeconds : NaN;
    items.push([compareLabel ?? `On ${compare.chip?.name ?? 'comparison'} (${compare.peakMode ?? 'datasheet'})`, `${seconds(ct.timeSeconds)} (${Number.isFinite(r) ? `${r.toFixed(2)}×` : '—'})`]);
  }
  const m = report.measurement;
  if (m) {
    const pct = (x: number | null): string => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${percent(Math.abs(x))}`);
    items.push(['Measured', `${m.source}: ${m.matched} nodes joined`]);
    items.push(['Rank correlation (Spearman)', m.spearman === null ? '—' : m.spearman.toFixed(2)]);
    items.push(['Median |error|, ops ≥ 1% of time', m.medianAbsError === null ? '—' : `${percent(m.medianAbsError)} over ${m.significantOps} ops`]);
    items.push(['End-to-end error', pct(m.endToEndError)]);
  }
  if (t.unmodelledNodes > 0) items.push(['Unmodelled nodes', `${t.unmodelledNodes} (${percent(t.unmodelledShare)})`]);
  for (const [k, v] of items) {
    const div = el('div');
    div.append(el('dt', k), el('dd', v));
    dl.appendChild(div);
  }
  return dl;
}

export function opTypesTable(report: ReportLike): HTMLElement | null {
  const rows = [...(report.opTypes ?? [])].sort((a, b) => b.timeSeconds - a.timeSeconds);
  if (rows.length === 0) return null;
  const table = el('table', undefined, 'rp-table');
  table.id = 'op-types-table';
  const head = el('tr');
  for (const [label, numeric] of [['Op type', false], ['Count', true], ['Time', true], ['Share', true], ['FLOP/B', true]] as const) {
    const th = el('th', label, numeric ? 'num' : undefined);
    th.scope = 'col';
    head.appendChild(th);
  }
  const thead = el('thead');
  thead.appendChild(head);
  const tbody = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    tr.append(el('td', r.opType), el('td', String(r.count), 'num'), el('td', seconds(r.timeSeconds), 'num'), el('td', percent(r.share), 'num'), el('td', r.bytes > 0 ? ratio(r.flops / r.bytes) : '—', 'num'));
    tbody.appendChild(tr);
  }
  table.append(thead, tbody);
  return table;
}

export function unmodelledList(report: ReportLike): HTMLElement {
  const rows = report.unmodelled ?? [];
  if (rows.length === 0) return el('p', 'Every node that runs a kernel has a cost model.', 'rp-note');
  const byId = new Map(report.nodes.map((n) => [n.id, n]));
  const ul = el('ul', undefined, 'rp-list');
  ul.id = 'unmodelled-list';
  for (const u of rows) {
    const li = el('li');
    const name = byId.get(u.id)?.name;
    li.append(el('code', u.opType), el('span', ` ${u.id}${name ? ` (${name})` : ''}: `), el('span', u.reason || 'no reason given'));
    ul.appendChild(li);
  }
  return ul;
}
