/**
 * The roofline chart (Apache ECharts, canvas renderer): log-log, x = arithmetic intensity (FLOP/byte),
 * y = attained FLOP/s. The memory roof (bandwidth × x), one horizontal compute roof per unit and dtype the
 * ops use, their ridge points labelled, and one point per op whose AREA is proportional to its time
 * (square-root scale, capped), coloured by what bounds it (memory, compute, or the fixed per-kernel cost:
 * launch-bound) or by op type, with a vertical whisker for its time band (pushErrorBars). Identical ops (repeated layers: same op type, FLOPs and bytes) are one
 * point with a count (roofline-data's groupIdentical); the slowest few carry a label, and labels that
 * would collide are moved or hidden (ECharts' labelLayout). Both log axes zoom and pan (dataZoom:
 * Ctrl+wheel or pinch, drag, and a slider on each axis). Optionally a second chip's roofs (dashed) and points (hollow)
 * for comparison, and one op emphasised (with its fused group). Takes plain data and a DOM element so the
 * HTML report and the VS Code webview share it; updates go through setOption on the same instance, so a
 * new report (after re-binding dims) redraws without re-creating the chart.
 *
 * Node names are untrusted: the tooltip is built with DOM nodes and textContent, never HTML strings.
 * Canvas rendering draws text as pixels and sets styles through the CSSOM, which a strict CSP allows.
 *
 * For automation the container carries, after every render: data-points (ops drawn, each alone or within
 * a grouped point), data-drawn (points drawn), data-render (a counter), data-launch-bound (drawn
 * launch-bound points),
 * data-error-bars (whiskers drawn: ops with a time band),
 * data-roofs (JSON [{label, value, kind, chip, compare}]: roofs in B/s or FLOP/s, ridges in FLOP/byte),
 * data-positions (JSON {nodeId: [x, y, diameter]}, CSS px relative to the container; every node of a
 * grouped point at that point's place), data-labels (the labelled points' texts) and data-zoomed.
 */
import { LineChart, LineSeriesOption, ScatterChart, ScatterSeriesOption } from 'echarts/charts';
import { DataZoomComponentOption, DataZoomInsideComponent, DataZoomSliderComponent, GridComponent, GridComponentOption, LegendComponent, LegendComponentOption, ToolboxComponent, ToolboxComponentOption, TooltipComponent, TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import { CanvasRenderer } from 'echarts/renderers';
import { ChartTheme, readTheme, watchTheme } from './chart-theme';
import { bytes, joules, percent, ratio, seconds, si } from './format';
import { hasRange, rangeBasis, withRange } from '../../server/src/format/time-range';
import { groupIdentical, rateBand, RooflineData, RooflinePoint } from './roofline-data';

echarts.use([ScatterChart, LineChart, GridComponent, TooltipComponent, LegendComponent, ToolboxComponent, DataZoomInsideComponent, DataZoomSliderComponent, LabelLayout, CanvasRenderer]);

export type Option = echarts.ComposeOption<ScatterSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | ToolboxComponentOption | DataZoomComponentOption>;

export type ColourBy = 'bound' | 'opType';

/** What is drawn besides the report's own points; every field may change between updates. */
export interface ChartView {
  readonly colourBy?: ColourBy;
  /** A second chip's (or peak mode's) data: its roofs dashed, labelled with its chip. */
  readonly compare?: RooflineData | null;
  /** Also draw the comparison's points (hollow). */
  readonly comparePoints?: boolean;
  /** The point to emphasise (a point id: a node id, or a fused group's producer). */
  readonly highlight?: string | null;
  /** Points emphasised more lightly with it (the other members of its fused group). */
  readonly related?: readonly string[];
  /**
   * A suggestion's before and after (its nodes summed), drawn as labelled diamonds joined by a dotted
   * arrow, so the user sees where the change moves the work against the roofs.
   */
  readonly markers?: ReadonlyArray<ChartMarker>;
  /** The comparison is the same chip after a what-if (not another chip): its roofs are not drawn again. */
  readonly compareIsWhatIf?: boolean;
  /**
   * Draw each measured op (measured mode) as a hollow diamond at its measured FLOP/s, joined to its
   * predicted point by a thin line: how far, and which way, the prediction missed.
   */
  readonly measured?: boolean;
}

export interface ChartMarker {
  readonly label: string;
  /** FLOP per byte; null or 0 when the figure moves no bytes or does no arithmetic (not drawn). */
  readonly intensity: number | null;
  readonly flopsPerSecond: number;
}

export interface RooflineChartOptions {
  /** Called after each render with the number of ops drawn (grouped points count each of their ops). */
  readonly onRendered?: (pointCount: number) => void;
  /** A click on an op point (of the main data), with its id. */
  readonly onPointClick?: (pointId: string) => void;
  /** ECharts' own save-as-PNG button (the HTML report; the panel has its own export buttons). */
  readonly toolbox?: boolean;
  /** Transparent chart background (the webview shows the editor's); exports still paint the theme's. */
  readonly transparent?: boolean;
  /** Width the chart is drawn at, px (lays out the legend); the container's when rendering into one. */
  readonly width?: number;
  /** The view of the first render (saves a second render when the panel restores its state). */
  readonly initialView?: ChartView;
}

export interface RoofValue {
  readonly label: string;
  readonly value: number;
  readonly kind: 'memory' | 'compute' | 'ridge';
  readonly chip: string;
  readonly compare: boolean;
}

export interface RooflineChart {
  readonly chart: echarts.ECharts;
  /** Redraws in place with new data and/or view (omitted view fields keep their values). */
  update(data: RooflineData, view?: ChartView): void;
  setView(view: ChartView): void;
  /** Emphasises one point (null: none) and, lightly, the related ones. */
  highlight(pointId: string | null, related?: readonly string[]): void;
  /** Ops drawn in the last render (grouped points count each of their ops). */
  pointCount(): number;
  /** Roof and ridge values of the last render. */
  roofs(): readonly RoofValue[];
  /** The ECharts option of the last render with an opaque background (for SVG export). */
  exportOption(): Option;
  theme(): ChartTheme;
  /** PNG data URL at twice the resolution, on the theme's background (without the zoom sliders). */
  toPNG(): string;
  /** Back to the whole range on both axes. */
  resetZoom(): void;
  resize(): void;
  dispose(): void;
}

/** Largest point diameter, px (area ∝ time, so the slowest point caps it); the smallest is clamped so tiny ops stay visible. */
const MAX_DIAMETER = 36;
const MIN_DIAMETER = 5;
/** The slowest points carry a label (op type, count, time); more would only collide. */
const LABELLED_POINTS = 5;
/** Names listed in a grouped point's tooltip before "and N more". */
const LISTED_NAMES = 6;
/** The four dataZoom components: inside x, inside y, slider x, slider y. */
const ZOOMS = [0, 1, 2, 3];
/** Series ids of op points start with this; the drawn point count is read back from these series. */
const OPS_PREFIX = 'ops:';
const COMPARE_OPS = 'cmp:ops';
const FOCUS = 'focus';
/** The series of a selected suggestion's before/after markers. */
const MARKERS = 'markers';
/** Measured points and the lines joining them to their predictions. */
const MEASURED = 'measured';
const MEASURED_LINKS = 'measured:links';
/** Whiskers: the time band of each op (calibrated classes, and the wide default of uncalibrated ones). */
const ERROR_BARS = 'error-bars';
const ERROR_BARS_UNCALIBRATED = 'error-bars:uncalibrated';
/** Half the width of a whisker's cap, as a factor on the log intensity axis (10^0.02: a few px). */
const WHISKER_CAP = Math.pow(10, 0.02);
export const ERROR_BARS_LEGEND = 'time band (calibration residuals of its op class)';
export const ERROR_BARS_UNCALIBRATED_LEGEND = 'time band ×0.5–×2 (op class not calibrated)';
/** The legend entry of launch-bound ops (the panel's note explains it). */
export const LAUNCH_BOUND_LEGEND = 'launch-bound (fixed per-kernel cost > work)';
/** Op types coloured individually when colouring by op type; the rest share one colour. */
const MAX_TYPE_COLOURS = 9;

function decadeFloor(v: number): number {
  return Math.pow(10, Math.floor(Math.log10(v)));
}

function decadeCeil(v: number): number {
  return Math.pow(10, Math.ceil(Math.log10(v)));
}

function roofName(unit: string, dtype: string, flopsPerSecond: number): string {
  return `${unit} ${dtype} roof ${si(flopsPerSecond, 'FLOP/s')}`;
}

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : '−'}${percent(Math.abs(x))}`;
}

/** `12.3 TFLOP/s (9.1 T–15 T)`: the attained rate and, with a time band, the rates at its ends (work ÷ time inverts it). */
function attainedText(p: RooflinePoint): string {
  const unit = p.zeroFlop ? 'B/s' : 'FLOP/s';
  const rate = p.zeroFlop ? p.bytes / p.timeSeconds : p.flopsPerSecond;
  const band = rateBand(p, rate);
  return `${si(rate, unit)}${band ? ` (${si(band[0])}–${si(band[1])})` : ''}`;
}

/** The tooltip as DOM: every value goes through textContent. */
function tooltipElement(p: RooflinePoint, chip: string | null): HTMLElement {
  const root = document.createElement('div');
  root.className = 'rp-tooltip';
  const title = document.createElement('div');
  title.className = 'rp-tooltip-title';
  title.textContent = p.name === '' ? `(unnamed ${p.opType})` : p.name;
  root.appendChild(title);
  const rows: Array<[string, string]> = [];
  if (chip) rows.push(['chip', chip]);
  const count = p.repeats?.ids.length ?? 1;
  rows.push(['op', count > 1 ? `${p.opType} ×${count}` : `${p.opType} · ${p.id}`]);
  if (p.repeats && count > 1) {
    const shown = p.repeats.names.slice(0, LISTED_NAMES).map((n, i) => n || (p.repeats?.ids[i] ?? ''));
    rows.push(['identical', `${count} ops with the same op type, FLOPs and bytes (repeated layers): ${shown.join(', ')}${count > LISTED_NAMES ? ` and ${count - LISTED_NAMES} more` : ''}`]);
  }
  if (p.members) rows.push(['fused', `${p.members.length} nodes: ${p.members.join(', ')}`]);
  rows.push(['bound', `${p.launchBound ? 'launch-bound: the fixed per-kernel cost is more than its work' : p.bound} (${p.unit}${p.dtype ? ` ${p.dtype}` : ''})`]);
  if (p.overheadSeconds > 0) rows.push(['overhead', `${seconds(p.overheadSeconds)} fixed per-kernel cost of ${seconds(p.timeSeconds)}`]);
  if (p.inputs.length > 0) rows.push(['inputs', p.inputs.join('  ')]);
  if (p.outputs.length > 0) rows.push(['outputs', p.outputs.join('  ')]);
  rows.push(
    ['FLOPs', si(p.flops)],
    ['bytes', bytes(p.bytes)],
    ['intensity', p.zeroFlop ? '0 FLOP/B (data movement: drawn at the left edge)' : `${ratio(p.intensity)} FLOP/B`],
    ['attained', attainedText(p)],
    ['time', count > 1 ? `${withRange(seconds(p.timeSeconds), p.timeLowSeconds, p.timeHighSeconds)}, ${count} × ${seconds(p.timeSeconds / count)}` : withRange(seconds(p.timeSeconds), p.timeLowSeconds, p.timeHighSeconds)],
    ...(hasRange(p.timeLowSeconds, p.timeHighSeconds) ? [['band', rangeBasis(p.rangeCalibrated)] as [string, string]] : []),
    ...(p.measuredSeconds !== undefined ? [['measured', `${seconds(p.measuredSeconds)} (prediction ${signedPercent(p.timeSeconds / p.measuredSeconds - 1)})`] as [string, string]] : []),
    ['share', percent(p.share)],
    ['energy', joules(p.energyJoules)],
  );
  const table = document.createElement('table');
  for (const [k, v] of rows) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = k;
    const td = document.createElement('td');
    td.textContent = v;
    tr.append(th, td);
    table.appendChild(tr);
  }
  root.appendChild(table);
  return root;
}

interface Built {
  readonly option: Option;
  /** The points drawn (identical ops grouped), and per index where, in data coordinates. */
  readonly points: readonly RooflinePoint[];
  readonly at: ReadonlyArray<readonly [number, number]>;
  /** Node id → index of the drawn point that stands for it. */
  readonly indexOf: ReadonlyMap<string, number>;
  readonly diameter: (t: number) => number;
  readonly roofs: readonly RoofValue[];
  readonly pointCount: number;
  /** Ops the drawn points stand for. */
  readonly opCount: number;
  readonly launchBoundCount: number;
  readonly labels: readonly string[];
  /** Names of the op series (the legend's colour classes). */
  readonly opSeries: readonly string[];
  readonly corners: readonly [number, number, number, number];
  /** Before/after markers drawn (a selected suggestion's). */
  readonly markerCount: number;
  /** Measured points drawn (measured mode). */
  readonly measuredCount: number;
  /** Whiskers drawn (points with a time band). */
  readonly errorBarCount: number;
}

/** Op types by total time, slowest first: the first MAX_TYPE_COLOURS get their own colour. */
function typeRanking(points: readonly RooflinePoint[]): string[] {
  const time = new Map<string, number>();
  for (const p of points) time.set(p.opType, (time.get(p.opType) ?? 0) + p.timeSeconds);
  return [...time.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
}

/** The short label of a labelled point: op type, count of identical ops, time. */
function pointLabel(p: RooflinePoint): string {
  const count = p.repeats?.ids.length ?? 1;
  return `${p.opType}${count > 1 ? ` ×${count}` : ''} ${seconds(p.timeSeconds)}`;
}

/** Node id → index of its point, for every id a point stands for (grouped ones included). */
function indexPoints(points: readonly RooflinePoint[]): Map<string, number> {
  const index = new Map<string, number>();
  points.forEach((p, i) => {
    if (p.repeats) for (const id of p.repeats.ids) index.set(id, i);
    else index.set(p.id, i);
  });
  return index;
}

/** Grouped points, computed once per data object (a view change redraws the same data). */
const groupedCache = new WeakMap<readonly RooflinePoint[], RooflinePoint[]>();
function grouped(points: readonly RooflinePoint[]): RooflinePoint[] {
  let g = groupedCache.get(points);
  if (!g) {
    g = groupIdentical(points);
    groupedCache.set(points, g);
  }
  return g;
}

/**
 * Where everything is drawn: the points (identical ops grouped) and the comparison's, their places in
 * data coordinates, their size, and the axes' ranges. Every series below is placed by it.
 */
interface Frame {
  readonly points: readonly RooflinePoint[];
  /** Node id → index of the drawn point that stands for it. */
  readonly indexOf: ReadonlyMap<string, number>;
  /** Per point, where, in data coordinates. */
  readonly at: ReadonlyArray<readonly [number, number]>;
  readonly compare: RooflineData | null;
  /** The comparison's points when they are drawn (empty otherwise), and their places. */
  readonly comparePoints: readonly RooflinePoint[];
  readonly compareAt: ReadonlyArray<readonly [number, number]>;
  /** Point diameter, px, for a time: area ∝ time, the slowest point (of both data) at MAX_DIAMETER. */
  readonly diameter: (t: number) => number;
  readonly xMin: number;
  readonly xMax: number;
  /** Where data movement (0 FLOPs) is drawn: just inside the left edge. */
  readonly xEdge: number;
  readonly yMin: number;
  readonly yTop: number;
}

/** A piece of the chart: its series, and how many things it drew (for the container's data-* attributes). */
interface Drawn<S> {
  readonly series: S[];
  readonly count: number;
}

type Series = ScatterSeriesOption | LineSeriesOption;

function frameOf(data: RooflineData, view: ChartView): Frame {
  const { roofs, bandwidth } = data;
  const points = grouped(data.points);
  const compare = view.compare ?? null;
  const comparePoints = compare && view.comparePoints ? grouped(compare.points) : [];
  const maxTime = [...points, ...comparePoints].reduce((m, p) => Math.max(m, p.timeSeconds), 0);
  const diameter = (t: number): number => Math.max(MIN_DIAMETER, maxTime > 0 ? MAX_DIAMETER * Math.sqrt(t / maxTime) : MIN_DIAMETER);

  const costed = [...points, ...comparePoints].filter((p) => !p.zeroFlop);
  const allRoofs = [...roofs, ...(compare?.roofs ?? [])];
  const xs = [...costed.map((p) => p.intensity), ...allRoofs.map((r) => r.ridge)];
  const xMin = decadeFloor(Math.min(0.1, ...xs) / 2);
  const xMax = decadeCeil(Math.max(100, ...xs) * 2);
  // Data movement (0 FLOPs) sits just inside the left edge, as high as its achieved bandwidth would put
  // it there: on the memory roof when it streams at full bandwidth.
  const xEdge = xMin * 1.6;
  const place = (p: RooflinePoint): [number, number] => (p.zeroFlop ? [xEdge, (p.bytes / p.timeSeconds) * xEdge] : [p.intensity, p.flopsPerSecond]);
  const at = points.map(place);
  const compareAt = comparePoints.map(place);
  const ys = [...at.map((a) => a[1]), ...compareAt.map((a) => a[1]), ...allRoofs.map((r) => r.flopsPerSecond)];
  const yTop = decadeCeil(Math.max(1e9, ...ys) * 2);
  const yMin = decadeFloor(Math.min(yTop / 1e6, bandwidth * xMin, ...(compare ? [compare.bandwidth * xMin] : []), ...ys.filter((y) => y > 0)) / 2);
  return { points, indexOf: indexPoints(points), at, compare, comparePoints, compareAt, diameter, xMin, xMax, xEdge, yMin, yTop };
}

/**
 * The op points: one scatter series per colour class (bound, or the costliest op types), and the
 * indices of the points that carry a label.
 */
function opSeries(frame: Frame, view: ChartView, theme: ChartTheme): { readonly series: ScatterSeriesOption[]; readonly labelled: ReadonlySet<number> } {
  const { points, at, diameter } = frame;
  const symbol = (value: number[]): string => (points[value[2]]?.zeroFlop ? 'triangle' : 'circle');
  // Largest first, so small points are drawn over big ones; the slowest few are labelled.
  const bySize = points.map((_p, i) => i).sort((a, b) => points[b].timeSeconds - points[a].timeSeconds);
  const markersShown = (view.markers ?? []).length > 0;
  // A what-if's before/after labels are what the user reads then: op labels would only crowd them.
  const labelled = new Set(markersShown ? [] : bySize.slice(0, LABELLED_POINTS));

  const series: ScatterSeriesOption[] = [];
  const makeOpSeries = (id: string, name: string, colour: string, keep: (p: RooflinePoint) => boolean): ScatterSeriesOption => ({
    id,
    type: 'scatter',
    name,
    // [x, y, index into points]; a labelled point is an object with its label switched on.
    data: bySize.flatMap((i) => (keep(points[i]) ? [labelled.has(i) ? { value: [at[i][0], at[i][1], i], label: { show: true } } : [at[i][0], at[i][1], i]] : [])),
    symbol,
    symbolSize: (value: number[]) => diameter(points[value[2]]?.timeSeconds ?? 0),
    label: {
      show: false,
      position: 'right',
      formatter: (p: { value?: unknown }) => (Array.isArray(p.value) ? pointLabel(points[Number(p.value[2])] as RooflinePoint) : ''),
      color: theme.foreground,
      fontSize: 11,
      backgroundColor: theme.background,
      padding: [1, 3],
    },
    // Labels that would overlap are moved apart vertically, and hidden when that is not enough.
    labelLayout: { hideOverlap: true, moveOverlap: 'shiftY' },
    itemStyle: { color: colour, opacity: 0.7, borderColor: theme.background, borderWidth: 0.5 },
    emphasis: { itemStyle: { opacity: 1, borderColor: theme.foreground, borderWidth: 1.5 } },
    // Every point drawn in the first frame: progressive rendering would spread 5,000 points over many frames.
    progressive: 0,
    large: false,
    z: 3,
  });
  if (view.colourBy === 'opType') {
    const ranking = typeRanking(points);
    const coloured = new Set(ranking.slice(0, MAX_TYPE_COLOURS));
    ranking.slice(0, MAX_TYPE_COLOURS).forEach((type, i) => series.push(makeOpSeries(`${OPS_PREFIX}type:${i}`, type, theme.categorical[i % theme.categorical.length], (p) => p.opType === type)));
    if (ranking.length > MAX_TYPE_COLOURS) series.push(makeOpSeries(`${OPS_PREFIX}type:other`, `other (${ranking.length - MAX_TYPE_COLOURS} op types)`, theme.other, (p) => !coloured.has(p.opType)));
  } else {
    series.push(makeOpSeries(`${OPS_PREFIX}memory`, 'memory-bound ops', theme.memory, (p) => p.bound === 'memory' && !p.launchBound));
    series.push(makeOpSeries(`${OPS_PREFIX}compute`, 'compute-bound ops', theme.compute, (p) => p.bound === 'compute' && !p.launchBound));
    if (points.some((p) => p.launchBound)) series.push(makeOpSeries(`${OPS_PREFIX}launch`, LAUNCH_BOUND_LEGEND, theme.launch, (p) => p.launchBound));
  }
  return { series, labelled };
}

/**
 * One chip's roofs: the memory roof (bandwidth × intensity, up to the highest ridge), one horizontal
 * compute roof per unit and dtype, and their ridge points labelled. A comparison chip's are dashed and
 * named with the chip. Returns the series and the roof and ridge values (the container's data-roofs).
 */
function roofSeries(d: RooflineData, isCompare: boolean, frame: Frame, theme: ChartTheme): { readonly series: Series[]; readonly values: RoofValue[] } {
  const { xMin, xMax } = frame;
  const series: Series[] = [];
  const values: RoofValue[] = [];
  const dash = isCompare ? ('dashed' as const) : ('solid' as const);
  const prefix = isCompare ? `${d.chipName}: ` : '';
  const maxRidge = d.roofs.reduce((m, r) => Math.max(m, r.ridge), 0);
  // The memory roof runs up to the highest ridge (or the right edge when no compute roof is known).
  const memEnd = maxRidge > 0 ? maxRidge : xMax;
  values.push({ label: `${prefix}memory roof`, value: d.bandwidth, kind: 'memory', chip: d.chipName, compare: isCompare });
  series.push({
    id: `${isCompare ? 'cmp' : 'roof'}:memory`,
    type: 'line',
    name: `${prefix}memory roof ${si(d.bandwidth, 'B/s')}`,
    data: [
      [xMin, d.bandwidth * xMin],
      [memEnd, d.bandwidth * memEnd],
    ],
    showSymbol: false,
    silent: true,
    tooltip: { show: false },
    lineStyle: { color: theme.memoryRoof, width: 2, type: dash },
    itemStyle: { color: theme.memoryRoof },
    z: 2,
  });
  d.roofs.forEach((r, i) => {
    const colour = theme.roofs[i % theme.roofs.length];
    values.push({ label: `${prefix}${r.unit} ${r.dtype} roof`, value: r.flopsPerSecond, kind: 'compute', chip: d.chipName, compare: isCompare });
    values.push({ label: `${prefix}${r.unit} ${r.dtype} ridge`, value: r.ridge, kind: 'ridge', chip: d.chipName, compare: isCompare });
    series.push({
      id: `${isCompare ? 'cmp' : 'roof'}:${r.unit}/${r.dtype}`,
      type: 'line',
      name: `${prefix}${roofName(r.unit, r.dtype, r.flopsPerSecond)}`,
      data: [
        [r.ridge, r.flopsPerSecond],
        [xMax, r.flopsPerSecond],
      ],
      showSymbol: false,
      silent: true,
      tooltip: { show: false },
      lineStyle: { color: colour, width: 2, type: dash },
      itemStyle: { color: colour },
      z: 2,
    });
  });
  if (d.roofs.length > 0) {
    series.push({
      id: `${isCompare ? 'cmp' : 'roof'}:ridges`,
      type: 'scatter',
      name: isCompare ? `${prefix}ridge points` : 'ridge points',
      data: d.roofs.map((r) => ({ value: [r.ridge, r.flopsPerSecond], name: `${isCompare ? `${d.chipName} ` : ''}ridge ${ratio(r.ridge)} FLOP/B (${r.unit} ${r.dtype})` })),
      symbol: 'diamond',
      symbolSize: 10,
      silent: true,
      tooltip: { show: false },
      itemStyle: isCompare ? { color: theme.background, borderColor: theme.memoryRoof, borderWidth: 1.5 } : { color: theme.memoryRoof },
      label: { show: true, position: isCompare ? 'right' : 'left', formatter: '{b}', color: theme.foreground, fontSize: 11, backgroundColor: theme.background, opacity: 0.9, padding: [1, 3] },
      // Ridges of several roofs (and a comparison's) can sit close: their labels are moved apart.
      labelLayout: { moveOverlap: 'shiftY' },
      z: 4,
    });
  }
  return { series, values };
}

/** The comparison's points (another chip's, or the what-if's), hollow and dashed; none unless asked for. */
function compareOpsSeries(frame: Frame, view: ChartView, theme: ChartTheme): Drawn<ScatterSeriesOption> {
  const { compare, comparePoints, compareAt, diameter } = frame;
  if (!compare || comparePoints.length === 0) return { series: [], count: 0 };
  const series: ScatterSeriesOption = {
    id: COMPARE_OPS,
    type: 'scatter',
    name: view.compareIsWhatIf ? 'after the what-if: ops' : `${compare.chipName} (${compare.peakMode}): ops`,
    // [x, y, index into compare points, 1 = comparison].
    data: comparePoints.map((_p, i) => [compareAt[i][0], compareAt[i][1], i, 1]),
    symbol: 'circle',
    symbolSize: (value: number[]) => diameter(comparePoints[value[2]]?.timeSeconds ?? 0),
    itemStyle: { color: 'transparent', borderColor: theme.muted, borderWidth: 1, borderType: 'dashed' },
    progressive: 0,
    large: false,
    z: 2,
  };
  return { series: [series], count: comparePoints.length };
}

/** Measured mode: each measured op as a hollow diamond at its measured FLOP/s, joined to its predicted point. */
function measuredSeries(frame: Frame, view: ChartView, theme: ChartTheme): Drawn<Series> {
  const { points, at, xEdge } = frame;
  const measuredIndex = view.measured ? points.flatMap((p, i) => (p.measuredSeconds !== undefined && p.measuredSeconds > 0 ? [i] : [])) : [];
  if (measuredIndex.length === 0) return { series: [], count: 0 };
  // The same placement rule as the predictions, with the measured time: same x, y = work / measured time.
  const measuredAt = (i: number): [number, number] => {
    const p = points[i];
    const t = p.measuredSeconds ?? p.timeSeconds;
    return p.zeroFlop ? [xEdge, (p.bytes / t) * xEdge] : [p.intensity, p.flops / t];
  };
  const links: LineSeriesOption = {
    id: MEASURED_LINKS,
    type: 'line',
    name: 'measured ← predicted',
    // One segment per op, broken by '-' (no point): a single series draws thousands of links cheaply.
    data: measuredIndex.flatMap((i) => [at[i] as [number, number], measuredAt(i), '-']) as LineSeriesOption['data'],
    connectNulls: false,
    showSymbol: false,
    silent: true,
    tooltip: { show: false },
    lineStyle: { color: theme.muted, width: 1, opacity: 0.8 },
    itemStyle: { color: theme.muted },
    z: 4,
  };
  const diamonds: ScatterSeriesOption = {
    id: MEASURED,
    type: 'scatter',
    name: 'measured',
    // [x, y, index into points, 2 = measured].
    data: measuredIndex.map((i) => [...measuredAt(i), i, 2]),
    symbol: 'diamond',
    symbolSize: 9,
    itemStyle: { color: 'transparent', borderColor: theme.foreground, borderWidth: 1.5 },
    progressive: 0,
    large: false,
    z: 5,
  };
  return { series: [links, diamonds], count: measuredIndex.length };
}

/** A suggestion's (or what-if's) before and after: labelled diamonds joined by a dotted arrow. */
function markerSeries(frame: Frame, view: ChartView, theme: ChartTheme): Drawn<LineSeriesOption> {
  const { xMin, xMax, yMin, yTop } = frame;
  const markers = (view.markers ?? []).filter((m) => m.intensity !== null && m.intensity > 0 && m.flopsPerSecond > 0);
  if (markers.length === 0) return { series: [], count: 0 };
  // Clamped into the axes: a what-if may move outside the model's own range.
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const series: LineSeriesOption = {
    id: MARKERS,
    type: 'line',
    name: view.compareIsWhatIf ? 'what-if: before → after' : 'suggestion: before → after',
    data: markers.map((m) => ({ value: [clamp(m.intensity ?? 0, xMin, xMax), clamp(m.flopsPerSecond, yMin, yTop)], name: m.label })),
    symbol: 'diamond',
    symbolSize: 14,
    silent: true,
    tooltip: { show: false },
    lineStyle: { color: theme.foreground, width: 1.5, type: 'dotted' },
    itemStyle: { color: theme.compute, borderColor: theme.foreground, borderWidth: 1 },
    label: { show: true, position: 'top', formatter: '{b}', color: theme.foreground, fontSize: 11, backgroundColor: theme.background, padding: [1, 3] },
    // Moved apart from the ridge labels and each other rather than drawn over them.
    labelLayout: { moveOverlap: 'shiftY' },
    z: 7,
  };
  return { series: [series], count: markers.length };
}

/** The legend lists ops and roofs (ridges are labelled in place; the focus rings, markers and measured links are not listed). */
function legendNames(series: readonly Series[]): string[] {
  return series.filter((s) => s.id !== FOCUS && s.id !== MARKERS && s.id !== MEASURED_LINKS && !String(s.id).endsWith(':ridges')).map((s) => String(s.name));
}

/**
 * Rows the legend takes at a width, so the plot starts below it. Widths are estimated from the text
 * (about 6.5 px a character at 12 px, plus the swatch and gap), which is what the layout needs, not
 * pixel accuracy.
 */
function legendRows(names: readonly string[], width: number | undefined): number {
  const usable = Math.max(300, (width ?? 800) - 30);
  let rows = 1;
  let line = 0;
  for (const name of names) {
    const w = name.length * 6.5 + 45;
    if (line > 0 && line + w > usable) {
      rows += 1;
      line = 0;
    }
    line += w;
  }
  return rows;
}

/** A log axis with SI tick labels in the theme's colours. */
function logAxis(name: string, nameGap: number, min: number, max: number, theme: ChartTheme) {
  return {
    type: 'log' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap,
    min,
    max,
    nameTextStyle: { color: theme.foreground },
    axisLabel: { formatter: (v: number) => si(v), color: theme.muted },
    axisLine: { lineStyle: { color: theme.muted } },
    splitLine: { show: true, lineStyle: { color: theme.gridLine } },
  };
}

/** The tooltip of an op point (its own or the comparison's), built as DOM (tooltipElement). */
function tooltipOption(frame: Frame, theme: ChartTheme): TooltipComponentOption {
  const { points, compare, comparePoints } = frame;
  return {
    trigger: 'item',
    // Confined: no HTML arrow string (which would carry an inline style attribute).
    confine: true,
    backgroundColor: theme.tooltipBackground,
    borderColor: theme.tooltipBorder,
    textStyle: { color: theme.foreground },
    formatter: (params) => {
      const first = Array.isArray(params) ? params[0] : params;
      const value = first?.value;
      if (!Array.isArray(value)) return '';
      const isCompare = value[3] === 1;
      const point = isCompare ? comparePoints[Number(value[2])] : points[Number(value[2])];
      return point ? tooltipElement(point, isCompare && compare ? `${compare.chipName} (${compare.peakMode})` : null) : '';
    },
  };
}

/** The whole option around the series: background, legend, toolbox, tooltip, axes and zoom. */
function chartOption(series: Series[], frame: Frame, theme: ChartTheme, options: RooflineChartOptions): Option {
  const textColour = theme.foreground;
  const names = legendNames(series);
  const rows = legendRows(names, options.width);
  return {
    animation: false,
    backgroundColor: options.transparent ? 'transparent' : theme.background,
    textStyle: { fontFamily: theme.fontFamily, color: textColour },
    // Room below and right for the zoom sliders.
    grid: { left: 80, right: 56, top: 36 + rows * 22, bottom: 84 },
    legend: { type: 'plain', data: names, top: 8, left: 10, right: options.toolbox === false ? 10 : 60, itemGap: 14, textStyle: { color: textColour }, inactiveColor: theme.gridLine },
    // The HTML report's own buttons (the panel has its own): save as PNG, and back to the whole range after a zoom.
    toolbox: options.toolbox === false ? { show: false } : { right: 10, top: 6, feature: { restore: { title: 'Reset zoom' }, saveAsImage: { title: 'PNG', name: 'roofline', pixelRatio: 2, backgroundColor: theme.background, excludeComponents: ['toolbox', 'dataZoom'] } } },
    tooltip: tooltipOption(frame, theme),
    xAxis: logAxis('Arithmetic intensity (FLOP/byte)', 32, frame.xMin, frame.xMax, theme),
    yAxis: logAxis('Attained FLOP/s', 60, frame.yMin, frame.yTop, theme),
    dataZoom: zoomComponents(theme),
    series,
  };
}

/**
 * The chart for one data and view, drawn in this order (later over earlier where z ties): the op
 * points, their time bands, the roofs (the comparison chip's after, unless it is a what-if on the same
 * chip), the comparison's points, the focus rings, the measured points and the suggestion markers.
 */
function buildChart(data: RooflineData, view: ChartView, theme: ChartTheme, options: RooflineChartOptions): Built {
  const frame = frameOf(data, view);
  const { points, at } = frame;
  const ops = opSeries(frame, view, theme);
  const series: Series[] = [...ops.series];
  const errorBarCount = pushErrorBars(series, points, at, theme);
  const roofs = roofSeries(data, false, frame, theme);
  // A what-if runs on the same chip: its roofs are the current ones, drawn once.
  const compareRoofs = frame.compare && !view.compareIsWhatIf ? roofSeries(frame.compare, true, frame, theme) : { series: [], values: [] };
  const measured = measuredSeries(frame, view, theme);
  const markers = markerSeries(frame, view, theme);
  series.push(...roofs.series, ...compareRoofs.series, ...compareOpsSeries(frame, view, theme).series, focusSeries(view, points, frame.indexOf, at, frame.diameter, theme), ...measured.series, ...markers.series);
  return {
    option: chartOption(series, frame, theme, options),
    points,
    at,
    indexOf: frame.indexOf,
    diameter: frame.diameter,
    roofs: [...roofs.values, ...compareRoofs.values],
    pointCount: points.length,
    opCount: points.reduce((n, p) => n + (p.repeats?.ids.length ?? 1), 0),
    launchBoundCount: points.filter((p) => p.launchBound).length,
    labels: [...ops.labelled].map((i) => pointLabel(points[i] as RooflinePoint)),
    opSeries: ops.series.map((s) => String(s.name)),
    corners: [frame.xMin, frame.xMax, frame.yMin, frame.yTop],
    markerCount: markers.count,
    measuredCount: measured.count,
    errorBarCount,
  };
}

/**
 * Whiskers: each op's time band as a vertical segment through its point. The chart's axes are intensity
 * and attained rate, not time; a time band moves a point only along the rate axis (rate = work ÷ time,
 * so the band inverts: the high time is the low end), while its intensity is counted, not predicted.
 * Calibrated bands are solid, the ×0.5–×2 default of an uncalibrated class dotted (dashed lines are a
 * comparison chip's roofs); each is a legend
 * entry, so a click hides them. One line series per kind, segments broken by '-', as the measured links.
 */
function pushErrorBars(series: Array<ScatterSeriesOption | LineSeriesOption>, points: readonly RooflinePoint[], at: ReadonlyArray<readonly [number, number]>, theme: ChartTheme): number {
  const kinds: Array<[string, string, boolean]> = [
    [ERROR_BARS, ERROR_BARS_LEGEND, true],
    [ERROR_BARS_UNCALIBRATED, ERROR_BARS_UNCALIBRATED_LEGEND, false],
  ];
  let count = 0;
  for (const [id, name, calibrated] of kinds) {
    const data: Array<[number, number] | '-'> = [];
    points.forEach((p, i) => {
      if ((p.rangeCalibrated !== false) !== calibrated) return;
      const [x, y] = at[i] as readonly [number, number];
      const band = rateBand(p, y);
      if (!band) return;
      // The bar and a short cap at each end (the x axis is log: the cap is a constant factor wide).
      const [left, right] = [x / WHISKER_CAP, x * WHISKER_CAP];
      data.push([x, band[0]], [x, band[1]], '-', [left, band[0]], [right, band[0]], '-', [left, band[1]], [right, band[1]], '-');
    });
    if (data.length === 0) continue;
    count += data.length / 9;
    series.push({
      id,
      type: 'line',
      name,
      data: data as LineSeriesOption['data'],
      connectNulls: false,
      showSymbol: false,
      silent: true,
      tooltip: { show: false },
      lineStyle: { color: theme.foreground, width: 1.2, opacity: 0.6, type: calibrated ? 'solid' : 'dotted' },
      itemStyle: { color: theme.foreground },
      // Over the points (z 3), as error bars are drawn: a large point would hide most of its own bar.
      z: 3.5,
    });
  }
  return count;
}

/**
 * Zoom and pan on both log axes: inside the plot (Ctrl+wheel or a pinch zooms, so the wheel still
 * scrolls the page; a drag pans) and a slider under the x axis and beside the y axis. filterMode 'none':
 * points and roofs outside the window are clipped, not dropped, so lines keep their slopes. The window
 * (start/end) is not set here, so an update keeps the user's zoom.
 */
function zoomComponents(theme: ChartTheme): DataZoomComponentOption[] {
  const slider = { type: 'slider' as const, filterMode: 'none' as const, showDetail: false, showDataShadow: false, borderColor: theme.gridLine, textStyle: { color: theme.muted } };
  return [
    { type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false, moveOnMouseMove: true },
    { type: 'inside', yAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false, moveOnMouseMove: true },
    { ...slider, xAxisIndex: 0, bottom: 10, height: 14 },
    { ...slider, yAxisIndex: 0, right: 12, width: 14 },
  ];
}

/** The emphasis overlay: rings around the highlighted point and its fused group, never clickable. */
function focusSeries(view: ChartView, points: readonly RooflinePoint[], indexOf: ReadonlyMap<string, number>, at: ReadonlyArray<readonly [number, number]>, diameter: (t: number) => number, theme: ChartTheme): ScatterSeriesOption {
  // One ring per drawn point: a grouped point is emphasised once, however many of its ops are wanted.
  const index = new Map<number, boolean>();
  const highlighted = view.highlight ? indexOf.get(view.highlight) : undefined;
  if (highlighted !== undefined) index.set(highlighted, true);
  for (const id of view.related ?? []) {
    const i = indexOf.get(id);
    if (i !== undefined && !index.has(i)) index.set(i, false);
  }
  const data = [...index.entries()].map(([i, main]) => {
    return {
      value: [at[i][0], at[i][1], i],
      symbolSize: diameter(points[i].timeSeconds) + (main ? 10 : 6),
      itemStyle: { borderWidth: main ? 3 : 1.5, borderType: main ? ('solid' as const) : ('dashed' as const) },
    };
  });
  return {
    id: FOCUS,
    type: 'scatter',
    name: 'selected op',
    data,
    symbol: 'circle',
    silent: true,
    tooltip: { show: false },
    itemStyle: { color: 'transparent', borderColor: theme.foreground },
    legendHoverLink: false,
    z: 6,
  };
}

/** Op points in a chart's current option (what it draws), not in the input data. */
export function drawnPointCount(chart: echarts.ECharts): number {
  const option = chart.getOption() as { series?: Array<{ id?: string; data?: unknown[] }> };
  return (option.series ?? []).filter((s) => typeof s.id === 'string' && s.id.startsWith(OPS_PREFIX)).reduce((n, s) => n + (s.data?.length ?? 0), 0);
}

export function renderRoofline(initial: RooflineData, element: HTMLElement, options: RooflineChartOptions = {}): RooflineChart {
  const chart = echarts.init(element, null, { renderer: 'canvas' });
  let data = initial;
  let view: ChartView = { colourBy: 'bound', compare: null, comparePoints: false, highlight: null, related: [], ...options.initialView };
  let theme = readTheme(element.ownerDocument);
  let built: Built | undefined;
  let pending = false;
  let renders = 0;

  // Positions from the axis corners: on log axes a point's pixel is linear in log10 of its value, so two
  // conversions replace one per point (5,000 convertToPixel calls would cost more than the render).
  // They follow the zoom: convertToPixel maps through the current window.
  const positionsOf = (b: Built): Record<string, [number, number, number]> => {
    const [xMin, xMax, yMin, yTop] = b.corners;
    const lo = chart.convertToPixel({ gridIndex: 0 }, [xMin, yMin]) as number[];
    const hi = chart.convertToPixel({ gridIndex: 0 }, [xMax, yTop]) as number[];
    const lx = Math.log10(xMax / xMin);
    const ly = Math.log10(yTop / yMin);
    const positions: Record<string, [number, number, number]> = {};
    const round = (v: number): number => Math.round(v * 10) / 10;
    b.points.forEach((p, i) => {
      const [x, y] = b.at[i] ?? [0, 0];
      const place: [number, number, number] = [round(lo[0] + ((hi[0] - lo[0]) * Math.log10(x / xMin)) / lx), round(lo[1] + ((hi[1] - lo[1]) * Math.log10(y / yMin)) / ly), round(b.diameter(p.timeSeconds))];
      for (const id of p.repeats?.ids ?? [p.id]) positions[id] = place;
    });
    return positions;
  };
  const zoomed = (): boolean => {
    const zooms = (chart.getOption() as { dataZoom?: Array<{ start?: number; end?: number }> }).dataZoom ?? [];
    return zooms.some((z) => (z.start ?? 0) > 0 || (z.end ?? 100) < 100);
  };
  const publish = (): void => {
    if (!built) return;
    renders += 1;
    element.setAttribute('data-points', String(built.opCount));
    element.setAttribute('data-drawn', String(built.pointCount));
    element.setAttribute('data-launch-bound', String(built.launchBoundCount));
    element.setAttribute('data-labels', JSON.stringify(built.labels));
    element.setAttribute('data-roofs', JSON.stringify(built.roofs));
    element.setAttribute('data-positions', JSON.stringify(positionsOf(built)));
    element.setAttribute('data-zoomed', String(zoomed()));
    element.setAttribute('data-colour-by', view.colourBy ?? 'bound');
    element.setAttribute('data-series', JSON.stringify(built.opSeries));
    element.setAttribute('data-markers', String(built.markerCount));
    element.setAttribute('data-measured', String(built.measuredCount));
    element.setAttribute('data-error-bars', String(built.errorBarCount));
    element.setAttribute('data-render', String(renders));
    options.onRendered?.(built.opCount);
  };
  chart.on('finished', () => {
    if (!pending) return;
    pending = false;
    publish();
  });
  // A zoom or pan moves every point: the published positions follow (no new render is counted).
  chart.on('datazoom', () => {
    if (!built) return;
    element.setAttribute('data-positions', JSON.stringify(positionsOf(built)));
    element.setAttribute('data-zoomed', String(zoomed()));
  });

  const render = (): void => {
    built = buildChart(data, view, theme, { ...options, width: chart.getWidth() });
    pending = true;
    // Same instance, series replaced by id: the canvas, listeners and legend selection stay.
    chart.setOption(built.option, { replaceMerge: ['series'] });
  };

  chart.on('click', (params) => {
    const value = (params as { value?: unknown }).value;
    const seriesId = String((params as { seriesId?: unknown }).seriesId ?? '');
    if (!Array.isArray(value) || !seriesId.startsWith(OPS_PREFIX)) return;
    const point = built?.points[Number(value[2])];
    if (point) options.onPointClick?.(point.id);
  });

  const stopWatching = watchTheme(() => {
    theme = readTheme(element.ownerDocument);
    render();
  }, element.ownerDocument);

  render();
  return {
    chart,
    update(next, nextView) {
      data = next;
      if (nextView) view = { ...view, ...nextView };
      render();
    },
    setView(nextView) {
      view = { ...view, ...nextView };
      render();
    },
    highlight(pointId, related = []) {
      view = { ...view, highlight: pointId, related };
      if (!built) return;
      // Only the overlay changes: merge that one series rather than rebuilding the option.
      chart.setOption({ series: [focusSeries(view, built.points, built.indexOf, built.at, built.diameter, theme)] });
    },
    pointCount: () => built?.opCount ?? 0,
    roofs: () => built?.roofs ?? [],
    exportOption: () => {
      // The same window as on screen, without the sliders (inside zooms draw nothing).
      const current = (chart.getOption() as { dataZoom?: Array<{ start?: number; end?: number }> }).dataZoom ?? [];
      const [x, y] = [current[0], current[1]];
      const window = (z: { start?: number; end?: number } | undefined): { start: number; end: number } => ({ start: z?.start ?? 0, end: z?.end ?? 100 });
      return {
        ...buildChart(data, view, theme, { ...options, toolbox: false, transparent: false, width: chart.getWidth() }).option,
        tooltip: { show: false },
        dataZoom: [
          { type: 'inside', xAxisIndex: 0, filterMode: 'none', ...window(x) },
          { type: 'inside', yAxisIndex: 0, filterMode: 'none', ...window(y) },
        ],
      };
    },
    theme: () => theme,
    toPNG: () => chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: theme.background, excludeComponents: ['dataZoom', 'toolbox'] }),
    resetZoom: () => chart.dispatchAction({ type: 'dataZoom', batch: ZOOMS.map((dataZoomIndex) => ({ dataZoomIndex, start: 0, end: 100 })) }),
    resize: () => chart.resize(),
    dispose: () => {
      stopWatching();
      chart.dispose();
    },
  };
}
