/**
 * Chart and table exports for the roofline panel. SVG: the chart's option drawn again by ECharts' SVG
 * renderer in server-side-rendering mode (no DOM element, nothing added to the page, so the strict CSP
 * has nothing to object to), then serialised. Registered here rather than in roofline-chart.ts so the
 * HTML report's inlined script does not carry the SVG renderer it never uses.
 */
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { Option } from './roofline-chart';
import type { RooflinePoint } from './roofline-data';

echarts.use([SVGRenderer]);

/** The chart as a standalone SVG document of the given size (CSS px). */
export function chartSvg(option: Option, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: Math.max(200, Math.round(width)), height: Math.max(150, Math.round(height)) });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface ExportRow {
  readonly id: string;
  readonly name: string;
  readonly opType: string;
  readonly timeSeconds: number;
  readonly share: number;
  readonly flops: number;
  readonly bytes: number;
  readonly intensity: number;
  readonly bound: string;
}

export function exportRows(points: readonly RooflinePoint[]): ExportRow[] {
  return [...points]
    .sort((a, b) => b.timeSeconds - a.timeSeconds)
    .map((p) => ({ id: p.id, name: p.name, opType: p.opType, timeSeconds: p.timeSeconds, share: p.share, flops: p.flops, bytes: p.bytes, intensity: p.intensity, bound: p.bound }));
}

/**
 * RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled. A leading =, +, - or @
 * gets an apostrophe inside the quotes too, since node names are untrusted and a spreadsheet would
 * otherwise run them as formulas.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) || guarded !== value ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

const CSV_COLUMNS: ReadonlyArray<keyof ExportRow> = ['id', 'name', 'opType', 'timeSeconds', 'share', 'flops', 'bytes', 'intensity', 'bound'];

export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(rows: readonly ExportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}
