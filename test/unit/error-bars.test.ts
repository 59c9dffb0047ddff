import * as assert from 'node:assert/strict';
import { statusTooltip } from '../../client/src/summary';
import { Chip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { buildReport, chartDetail } from '../../server/src/analysis/report';
import { formatTable } from '../../server/src/cli/format';
import { withRange } from '../../server/src/format/time-range';
import { humanTime } from '../../server/src/format/units';
import type { ProfiledParams } from '../../server/src/protocol';
import { predictedTimeRows } from '../../media/src/report-types';
import { fusedView, groupIdentical, rateBand, rooflineFromReport } from '../../media/src/roofline-data';
import { analyseText, builtinChip, ONNX_TEXT_HEADER as HEADER } from '../support/onnx-text';

/**
 * Error bars in the views: `6.5 µs (5.1–8.9)` in hovers and totals, whiskers in the chart. The bands are
 * the chip's per-class calibration bands (measured ÷ predicted, 10th and 90th percentile) × the predicted
 * time; a class without one gets ×0.5–×2. Here a test chip with the H100's figures carries a calibrated
 * elementwise band of ×0.8–×1.3, so every expected number is a product written out below.
 */
const H100 = builtinChip('h100');
const BANDED: Chip = { ...H100, id: 'h100-banded', efficiency: { basis: 'test: an elementwise band', errorBands: { elementwise: { low: 0.8, high: 1.3, samples: 20 } } } };
const BANDWIDTH = H100.memoryBandwidthGBs * 1e9;

/** Two Relus over 64 MiB each (memory-bound) and a 32-byte one: every op elementwise. */
const RELUS = `${HEADER}g (float[4096,4096] a, float[4096,4096] b, float[1,8] c) => (float[4096,4096] y, float[4096,4096] z, float[1,8] w)
{
  y = Relu (a)
  z = Relu (b)
  w = Relu (c)
}`;

/** Relu → Sigmoid over 64 MiB: one fused kernel in the fused view. */
const CHAIN = `${HEADER}g (float[4096,4096] a) => (float[4096,4096] y)
{
  r = Relu (a)
  y = Sigmoid (r)
}`;

function reportOf(text: string, chip: Chip) {
  const { analysis, inferOptions } = analyseText(text);
  const profiled = profileAnalysis(analysis, { chip, peakMode: 'datasheet' });
  assert.ok(profiled);
  return buildReport(analysis, 'model.onnx', inferOptions.bindings, profiled);
}

describe('error bars: formatting', () => {
  it('writes the band in the value\'s unit, two significant digits', () => {
    assert.equal(withRange('6.5 µs', 5.1e-6, 8.9e-6), '6.5 µs (5.1–8.9)');
    assert.equal(withRange('1.54 ms', 1.2e-3, 2.1e-3), '1.54 ms (1.2–2.1)');
    assert.equal(withRange(humanTime(6.5e-6), 5.1e-6, 8.9e-6), '6.5 µs (5.1–8.9)');
    // ×0.5–×2 of 6.5 µs: 3.25 → 3.3, 13 → 13.
    assert.equal(withRange('6.5 µs', 3.25e-6, 13e-6), '6.5 µs (3.3–13)');
    // A band that crosses into the next unit stays in the value's unit.
    assert.equal(withRange('800 µs', 400e-6, 1.6e-3), '800 µs (400–1600)');
    assert.equal(withRange('42 ns', 21e-9, 84e-9), '42 ns (21–84)');
    assert.equal(withRange('1.2 s', 0.6, 2.4), '1.2 s (0.6–2.4)');
  });

  it('leaves the value alone without a band, with a broken one, or when it is not a time', () => {
    assert.equal(withRange('6.5 µs', undefined, undefined), '6.5 µs');
    assert.equal(withRange('6.5 µs', 9e-6, 5e-6), '6.5 µs');
    assert.equal(withRange('6.5 µs', 0, 5e-6), '6.5 µs');
    assert.equal(withRange('6.5 µs', Number.NaN, 5e-6), '6.5 µs');
    assert.equal(withRange('—', 1e-6, 2e-6), '—');
  });
});

// Each 64 MiB Relu: 3 µs + 2 × 64 MiB / 3.35 TB/s = 3 + 40.06 µs; the small one 3 µs + 64 B / BW.
const big = 3e-6 + (2 * 4096 * 4096 * 4) / BANDWIDTH;
const small = 3e-6 + 64 / BANDWIDTH;
const total = 2 * big + small;

describe('error bars: totals in the CLI, status bar, panel and report', () => {

  it('sums the ops\' bands: one calibrated class, so the total\'s band is ×0.8–×1.3 of 89.13 µs', () => {
    const report = reportOf(RELUS, BANDED);
    const t = report.totals;
    assert.ok(t);
    assert.ok(Math.abs(t.timeSeconds - total) < 1e-12, `${t.timeSeconds} vs ${total}`);
    assert.ok(Math.abs(t.timeLowSeconds - 0.8 * total) < 1e-12);
    assert.ok(Math.abs(t.timeHighSeconds - 1.3 * total) < 1e-12);
    assert.equal(t.rangeCalibrated, true);
    // 89.13 × 0.8 = 71.3 → 71; × 1.3 = 115.9 → 120 (two significant digits).
    const lines = formatTable(report).split('\n');
    assert.ok(lines.some((l) => l.startsWith('Time      89.13 µs (71–120) predicted')), lines.join('\n'));
    const band = lines.find((l) => l.startsWith('Band      '));
    assert.match(band ?? '', /calibration residuals of each op class .* summed over the ops: errors of one class move together, so this is the conservative band$/);
    // The panel and the HTML report write times as the CLI does (format/units.ts: four significant digits).
    assert.deepEqual(predictedTimeRows(report, false)[0], ['Predicted time', '89.13 µs (71–120)']);
    assert.equal(predictedTimeRows(report, false)[1]?.[1], "each op class's calibration residuals, summed (conservative)");
    // A lower bound (an incomplete model) has no band, in the panel as in the CLI and the hovers: one row, '≥ 89.13 µs'.
    assert.deepEqual(predictedTimeRows(report, true), [['Predicted time', '≥ 89.13 µs']]);
  });

  it('an uncalibrated chip: ×0.5–×2, and every view says the classes are not calibrated', () => {
    const report = reportOf(RELUS, H100);
    const t = report.totals;
    assert.ok(t);
    assert.equal(t.rangeCalibrated, false);
    // 89.13 × 0.5 = 44.6 → 45; × 2 = 178.3 → 180.
    assert.ok(formatTable(report).includes('Time      89.13 µs (45–180) predicted'));
    assert.match(formatTable(report), /^Band .*classes not calibrated on this chip count ×0\.5–×2$/m);
    assert.equal(predictedTimeRows(report, false)[1]?.[1], "each op class's calibration residuals, summed (conservative); uncalibrated classes ×0.5–×2");
  });

  it('status bar tooltip: the total with its band and what the band is', () => {
    const profiled: ProfiledParams = { uri: 'file:///m.onnx', chip: 'h100', chipName: 'NVIDIA H100 SXM5 80GB', totalSeconds: 1.54e-3, totalLowSeconds: 1.2e-3, totalHighSeconds: 2.1e-3, rangeCalibrated: true, memoryBoundShare: 0.5, unboundDims: [] };
    const tooltip = statusTooltip('h100', profiled);
    assert.match(tooltip, /^Predicted 1\.54 ms \(1\.2–2\.1\) per run, 50% of it memory-bound\.$/m);
    assert.match(tooltip, /^In brackets: the band from the calibration residuals of each op class/m);
    // An older server without the band: the time alone.
    assert.match(statusTooltip('h100', { ...profiled, totalLowSeconds: undefined, totalHighSeconds: undefined }), /^Predicted 1\.54 ms per run, 50% of it memory-bound\.$/m);
  });
});

describe('error bars: the roofline chart', () => {
  it('each point carries its band; the whisker is on the rate axis, inverted: [y / 1.3, y / 0.8]', () => {
    const report = chartDetail(reportOf(RELUS, BANDED));
    const data = rooflineFromReport(report);
    assert.ok(data);
    const y = data.points.find((p) => p.id === 'n0');
    assert.ok(y);
    assert.ok(Math.abs((y.timeLowSeconds ?? 0) - 0.8 * big) < 1e-15 && Math.abs((y.timeHighSeconds ?? 0) - 1.3 * big) < 1e-15);
    assert.equal(y.rangeCalibrated, true);
    // Rate = FLOPs / time: at 1.3× the time the op attains 1/1.3 of the rate, at 0.8× the time 1/0.8.
    const band = rateBand(y, y.flopsPerSecond);
    assert.ok(band);
    assert.ok(Math.abs(band[0] - y.flopsPerSecond / 1.3) < 1e-6 * y.flopsPerSecond);
    assert.ok(Math.abs(band[1] - y.flopsPerSecond / 0.8) < 1e-6 * y.flopsPerSecond);
  });

  it('identical ops drawn once sum their bands; a point without a band has no whisker', () => {
    const data = rooflineFromReport(chartDetail(reportOf(RELUS, BANDED)));
    assert.ok(data);
    const grouped = groupIdentical(data.points).find((p) => p.repeats?.ids.length === 2);
    assert.ok(grouped, 'the two 64 MiB Relus are one point');
    assert.ok(Math.abs((grouped.timeLowSeconds ?? 0) - 2 * 0.8 * big) < 1e-15);
    assert.ok(Math.abs((grouped.timeHighSeconds ?? 0) - 2 * 1.3 * big) < 1e-15);
    const bare = { ...data.points[0]!, timeLowSeconds: undefined, timeHighSeconds: undefined };
    assert.equal(rateBand(bare, bare.flopsPerSecond), null);
  });

  it('a fused kernel takes its producer\'s relative band on the kernel\'s time', () => {
    const report = chartDetail(reportOf(CHAIN, BANDED));
    const data = rooflineFromReport(report);
    assert.ok(data);
    const fused = fusedView(data, report).points.find((p) => p.members !== undefined);
    assert.ok(fused, 'Relu → Sigmoid is one kernel in the fused view');
    // One kernel reads a once and writes y once: 3 µs + 2 × 64 MiB / BW.
    const kernel = 3e-6 + (2 * 4096 * 4096 * 4) / BANDWIDTH;
    assert.ok(Math.abs(fused.timeSeconds - kernel) < 1e-12, `${fused.timeSeconds} vs ${kernel}`);
    assert.ok(Math.abs((fused.timeLowSeconds ?? 0) - 0.8 * kernel) < 1e-15);
    assert.ok(Math.abs((fused.timeHighSeconds ?? 0) - 1.3 * kernel) < 1e-15);
  });
});
