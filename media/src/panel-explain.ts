/**
 * The panel's sentences about what the chart shows: which bandwidth and peaks the roofs use and why
 * (achievable figures are fractions of the datasheet's, so the chart and the chip list differ), why
 * launch-bound points sit under both roofs, and the phase of a config.json's profile. Plain text out.
 */
import { percent, seconds, si } from './format';
import type { Phase } from './panel-messages';
import type { RooflineData } from './roofline-data';
import type { AchievableFractions, PeakTable, ReportLike } from './report-types';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** `(decode step)` / `(prefill)` for a config.json's panel; empty for a model file. */
export function phaseSuffix(phase: Phase | null | undefined): string {
  return phase === 'decode' ? ' (decode step)' : phase === 'prefill' ? ' (prefill)' : '';
}

/**
 * Which roofs the chart draws: in achievable mode each is a fraction of the datasheet figure the chip
 * list shows (`achievable: memory 3.02 TB/s = 90% of the 3.35 TB/s datasheet …`), in datasheet mode
 * the datasheet's own.
 */
export function roofsExplanation(report: ReportLike, data: RooflineData): string {
  const chip = report.chip;
  if (!chip) return '';
  const datasheetBandwidth = chip.memoryBandwidthGBs * 1e9;
  const peaks = record(chip.peaks) as PeakTable;
  const parts: string[] = [];
  if (report.peakMode === 'achievable') {
    const fractions = record(chip.achievable) as AchievableFractions;
    parts.push(`achievable: memory ${si(data.bandwidth, 'B/s')} = ${percent(data.bandwidth / datasheetBandwidth)} of the ${si(datasheetBandwidth, 'B/s')} datasheet`);
    for (const r of data.roofs) {
      const datasheet = Number(record(peaks[r.unit])[r.dtype]) * 1e12;
      const fraction = r.unit === 'tensor' ? fractions.tensor : fractions.vector;
      parts.push(fraction ? `${r.unit} ${r.dtype} ${si(r.flopsPerSecond, 'FLOP/s')} = ${percent(fraction)} of ${si(datasheet, 'FLOP/s')}` : `${r.unit} ${r.dtype} ${si(r.flopsPerSecond, 'FLOP/s')} (no measured fraction: the datasheet's)`);
    }
    return `Roofs: ${parts.join(', ')}: the rates kernels reach in practice, from the chip's published measurements. Set Peaks to "datasheet" for the chip list's figures (see ridgepoint.peakMode).`;
  }
  parts.push(`memory ${si(data.bandwidth, 'B/s')}`, ...data.roofs.map((r) => `${r.unit} ${r.dtype} ${si(r.flopsPerSecond, 'FLOP/s')}`));
  return `Roofs: datasheet: ${parts.join(', ')}, as the chip list gives them; real kernels rarely reach them (Peaks "achievable" uses measured fractions, see ridgepoint.peakMode).`;
}

/** Why launch-bound points sit under both roofs, when there are any. */
export function launchBoundExplanation(report: ReportLike, data: RooflineData): string {
  const launch = data.points.filter((p) => p.launchBound);
  if (launch.length === 0) return '';
  const overheadUs = report.chip?.kernelOverheadUs;
  const time = launch.reduce((t, p) => t + p.timeSeconds, 0);
  const fixed = overheadUs !== undefined ? `a fixed ${seconds(overheadUs * 1e-6)} per kernel on ${report.chip?.name ?? 'this chip'} (its kernelOverheadUs)` : 'a fixed cost per kernel';
  return (
    `${launch.length} of ${data.points.length} ops are launch-bound (grey when coloured by bound): each costs ${fixed} before any work, more than its memory or compute time, ` +
    `so its attained FLOP/s (work ÷ time) sits far below both roofs. Together ${seconds(time)} (${percent(data.totalTimeSeconds > 0 ? time / data.totalTimeSeconds : 0)} of the time). ` +
    'Fewer kernels help them (fusion, CUDA graphs, a larger batch); fewer bytes or FLOPs do not.'
  );
}
