/**
 * The decode sweep chart's ECharts option, built from plain data (no DOM, no chart instance: a unit test
 * reads it; the webview adds the tooltip's DOM). Batch on a log2 x axis; tokens/s on the left axis and the step's time on the right, each a
 * line; on both lines one marker per batch coloured by what bounds that step (memory, compute, launch
 * overhead, communication between GPUs), hollow where the batch does not fit in memory. A vertical line
 * at the batch from which the projections (the weight MatMuls) are compute-bound, and a shaded band over
 * the batches whose weights + KV cache + activations no longer fit.
 */
import type { LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, MarkAreaComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { DecodeSweep } from '../../server/src/protocol';
import type { PhaseBound } from '../../server/src/analysis/hf-config/summary';
import { seconds, si } from './format';

/** The theme colours the chart uses: chart-theme.ts's ChartTheme has them all (it is passed as one). */
export interface SweepTheme {
  readonly foreground: string;
  readonly muted: string;
  readonly gridLine: string;
  readonly memory: string;
  readonly compute: string;
  /** Launch-bound steps (the fixed per-kernel cost outweighs the work). */
  readonly launch: string;
  /** The second of them colours communication-bound steps. */
  readonly roofs: readonly string[];
  readonly other: string;
  readonly tooltipBackground: string;
  readonly tooltipBorder: string;
  readonly fontFamily: string;
}

export type SweepOption = ComposeOption<LineSeriesOption | ScatterSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | MarkLineComponentOption | MarkAreaComponentOption>;

export const TOKENS_SERIES = 'tokens/s';
export const STEP_SERIES = 'step time';
/** Legend names of the bound classes, in the order the legend lists them. */
export const BOUND_NAMES: Readonly<Record<PhaseBound, string>> = {
  memory: 'memory-bound',
  compute: 'compute-bound',
  overhead: 'launch-bound',
  communication: 'communication-bound',
};

/** `compute-bound from batch 334` (the ridge mark's label). */
export function ridgeLabel(batch: number): string {
  return `compute-bound from batch ${batch}`;
}

/** `memory runs out after batch 47`; with 0 the weights alone do not fit. */
export function memoryLabel(maxBatchThatFits: number): string {
  return maxBatchThatFits === 0 ? 'the weights alone do not fit' : `memory runs out after batch ${maxBatchThatFits}`;
}

/** The panel's heading, `Decode sweep — llama-2-7b config.json`, and the line under it: model type, chip, precision, GPUs and context. */
export function sweepTitle(model: string, s: DecodeSweep): { text: string; subtext: string } {
  const gpus = s.gpus === 1 ? '1 GPU' : `${s.gpus} GPUs${s.layout ? ` (${s.layout})` : ''}`;
  return { text: `Decode sweep — ${model}`, subtext: `${s.modelType} on ${s.chip} · ${s.precision} · ${gpus} · prompt ${s.prompt} + ${s.generated} generated` };
}

/** The first batch that does not fit (where the shaded band starts); null when memory never runs out. */
export function firstBatchOverMemory(s: DecodeSweep): number | null {
  return s.maxBatchThatFits === null ? null : s.maxBatchThatFits + 1;
}

/** The right end of the x axis: the last batch swept, or the ridge when it lies beyond (a power of two, as the axis ticks are). */
function axisEnd(s: DecodeSweep): number {
  const last = s.points[s.points.length - 1]?.batch ?? 1;
  const ridge = s.projectionsComputeBoundBatch ?? 0;
  return ridge > last ? Math.pow(2, Math.ceil(Math.log2(ridge))) : last;
}

function boundColour(bound: PhaseBound, theme: SweepTheme): string {
  switch (bound) {
    case 'memory':
      return theme.memory;
    case 'compute':
      return theme.compute;
    case 'overhead':
      return theme.launch;
    case 'communication':
      return theme.roofs[1] ?? theme.other;
  }
}

/** The tooltip's rows for one batch (the webview sets them as text). */
export function tooltipRows(s: DecodeSweep, batch: number): Array<[string, string]> {
  const p = s.points.find((x) => x.batch === batch);
  if (!p) return [['batch', String(batch)]];
  return [
    ['batch', String(p.batch)],
    ['tokens/s', `${si(p.tokensPerSecond)} tok/s`],
    ['step time', seconds(p.stepSeconds)],
    ['bound', BOUND_NAMES[p.bound]],
    ['memory', p.fits ? 'fits' : 'does NOT fit'],
  ];
}

/**
 * The chart's whole option. The two lines carry the marks (ridge line, memory band); the markers are
 * scatter series, two per bound present (one per axis) sharing the bound's name, so one legend entry
 * shows or hides both.
 */
export function sweepOption(s: DecodeSweep, theme: SweepTheme): SweepOption {
  const end = axisEnd(s);
  const bounds = (Object.keys(BOUND_NAMES) as PhaseBound[]).filter((b) => s.points.some((p) => p.bound === b));
  const ridge = s.projectionsComputeBoundBatch;
  const overMemory = firstBatchOverMemory(s);
  const first = s.points[0]?.batch ?? 1;
  const markLine: MarkLineComponentOption | undefined =
    ridge === null
      ? undefined
      : {
          silent: true,
          symbol: 'none',
          lineStyle: { color: theme.compute, type: 'dashed', width: 1.5 },
          // Above the plot, level (a label along a vertical line would be written sideways), over the memory band's.
          label: { formatter: ridgeLabel(ridge), position: 'end', distance: 32, color: theme.compute },
          data: [{ xAxis: ridge }],
        };
  const markArea: MarkAreaComponentOption | undefined =
    overMemory === null || overMemory > end
      ? undefined
      : {
          silent: true,
          itemStyle: { color: theme.other, opacity: 0.18 },
          // Above the plot, under the ridge label: inside, a band narrower than its label would spill over the lines.
          label: { color: theme.muted, position: 'top', distance: 16 },
          data: [[{ name: memoryLabel(overMemory - 1), xAxis: Math.max(overMemory, first) }, { xAxis: end }]],
        };
  const markers = (axis: 0 | 1): ScatterSeriesOption[] =>
    bounds.map((bound) => ({
      id: `bound:${bound}:${axis === 0 ? 'tokens' : 'step'}`,
      name: BOUND_NAMES[bound],
      type: 'scatter',
      yAxisIndex: axis,
      symbolSize: 9,
      itemStyle: { color: boundColour(bound, theme), borderColor: boundColour(bound, theme), borderWidth: 2 },
      z: 3,
      data: s.points
        .filter((p) => p.bound === bound)
        .map((p) => ({ value: [p.batch, axis === 0 ? p.tokensPerSecond : p.stepSeconds], symbol: p.fits ? 'circle' : 'emptyCircle' })),
    }));
  const axisText = { color: theme.muted, fontFamily: theme.fontFamily };
  const splitLine = { lineStyle: { color: theme.gridLine } };
  return {
    backgroundColor: 'transparent',
    textStyle: { fontFamily: theme.fontFamily, color: theme.foreground },
    // A static chart: drawn at once, so what is on screen (and in a screenshot) is the whole sweep.
    animation: false,
    legend: { top: 4, textStyle: { color: theme.foreground }, data: [TOKENS_SERIES, STEP_SERIES, ...bounds.map((b) => BOUND_NAMES[b])] },
    grid: { top: 88, left: 72, right: 84, bottom: 56 },
    // The webview adds the formatter (tooltipRows as DOM text).
    tooltip: { trigger: 'axis', backgroundColor: theme.tooltipBackground, borderColor: theme.tooltipBorder, textStyle: { color: theme.foreground } },
    xAxis: {
      type: 'log',
      logBase: 2,
      name: 'decode batch',
      nameLocation: 'middle',
      nameGap: 30,
      min: first,
      max: end,
      axisLabel: axisText,
      nameTextStyle: axisText,
      splitLine,
    },
    yAxis: [
      // Axis names along the axes: the strip above the plot is the ridge label's.
      { type: 'value', name: 'tokens/s', nameLocation: 'middle', nameGap: 48, min: 0, axisLabel: { ...axisText, formatter: (v: number) => si(v) }, nameTextStyle: axisText, splitLine },
      { type: 'value', name: 'step time', nameLocation: 'middle', nameGap: 60, min: 0, axisLabel: { ...axisText, formatter: (v: number) => seconds(v) }, nameTextStyle: axisText, splitLine: { show: false } },
    ],
    series: [
      {
        id: 'tokens-per-second',
        name: TOKENS_SERIES,
        type: 'line',
        yAxisIndex: 0,
        showSymbol: false,
        lineStyle: { color: theme.foreground, width: 2 },
        itemStyle: { color: theme.foreground },
        data: s.points.map((p) => [p.batch, p.tokensPerSecond]),
        ...(markLine ? { markLine } : {}),
        ...(markArea ? { markArea } : {}),
      },
      {
        id: 'step-time',
        name: STEP_SERIES,
        type: 'line',
        yAxisIndex: 1,
        showSymbol: false,
        lineStyle: { color: theme.muted, width: 2, type: 'dashed' },
        itemStyle: { color: theme.muted },
        data: s.points.map((p) => [p.batch, p.stepSeconds]),
      },
      ...markers(0),
      ...markers(1),
    ],
  };
}
