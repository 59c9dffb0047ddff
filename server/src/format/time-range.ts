/**
 * A predicted time with its band, as every view writes it: `6.5 µs (5.1–8.9)`. The band is the node's
 * (or the total's) `timeLowSeconds`–`timeHighSeconds` (cost/efficiency.ts: the 10th and 90th percentiles
 * of measured ÷ predicted over its op class's calibration points), in the unit the value is written in,
 * to two significant digits: the band is an estimate of an error, and more digits would claim more.
 */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['ns', 1e-9],
  ['µs', 1e-6],
  ['ms', 1e-3],
  ['s', 1],
];

/** Two significant digits, no exponent (`1200`, `13`, `5.1`, `0.51`). */
function twoDigits(value: number): string {
  return String(Number(value.toPrecision(2)));
}

/** Whether a band is there to show: both ends finite, positive, in order (older reports carry none). */
export function hasRange(low: number | undefined, high: number | undefined): low is number {
  return typeof low === 'number' && typeof high === 'number' && Number.isFinite(low) && Number.isFinite(high) && low > 0 && high >= low;
}

/**
 * `valueText` (a time already formatted, ending in `ns`, `µs`, `ms` or `s`) followed by the band in that
 * unit: `6.5 µs (5.1–8.9)`. Without a band, or when the text has no time unit, the text unchanged.
 */
export function withRange(valueText: string, low: number | undefined, high: number | undefined): string {
  return valueText + rangeText(valueText, low, high);
}

/**
 * A total's time: with its band, or without one when the total is a lower bound (an incomplete model):
 * a band around a bound would claim a range the prediction does not have.
 */
export function totalWithRange(valueText: string, low: number | undefined, high: number | undefined, lowerBound: boolean): string {
  return lowerBound ? valueText : withRange(valueText, low, high);
}

/** Only the band part of `withRange`: ` (5.1–8.9)`, or '' (for a value written in bold before it). */
export function rangeText(valueText: string, low: number | undefined, high: number | undefined): string {
  if (!hasRange(low, high)) return '';
  const unit = UNITS.find(([suffix]) => valueText.endsWith(` ${suffix}`));
  if (!unit) return '';
  return ` (${twoDigits(low / unit[1])}–${twoDigits((high as number) / unit[1])})`;
}

/** What an op's band means (hover, chart); `calibrated` false: its class had no calibration on this chip. */
export function rangeBasis(calibrated: boolean | undefined): string {
  return calibrated === false
    ? 'band ×0.5–×2: its op class is not calibrated on this chip'
    : "band: 10th–90th percentile of measured ÷ predicted for its op class on this chip (the calibration's residuals)";
}

/** What the total's band means: the ops' bands summed, since errors of one op class move together. */
export function totalRangeBasis(calibrated: boolean | undefined): string {
  return (
    'the band from the calibration residuals of each op class (10th–90th percentile of measured ÷ predicted), summed over the ops: ' +
    `errors of one class move together, so this is the conservative band${calibrated === false ? '; classes not calibrated on this chip count ×0.5–×2' : ''}`
  );
}

/** The short form for a totals card: what the band is, in a line or two. */
export function totalRangeShort(calibrated: boolean | undefined): string {
  return `each op class's calibration residuals, summed (conservative)${calibrated === false ? '; uncalibrated classes ×0.5–×2' : ''}`;
}

/**
 * The band of several ops' summed time (a function's calls, a source line's layers): their lows and
 * highs summed, as the totals' (one class's errors move together). Undefined ends when a timed op has
 * no band, so no band is shown rather than a partial one.
 */
export function summedBand(nodes: ReadonlyArray<{ readonly timeSeconds?: number; readonly timeLowSeconds?: number; readonly timeHighSeconds?: number }>): { low: number | undefined; high: number | undefined } {
  let low = 0;
  let high = 0;
  for (const n of nodes) {
    if ((n.timeSeconds ?? 0) <= 0) continue;
    if (!hasRange(n.timeLowSeconds, n.timeHighSeconds)) return { low: undefined, high: undefined };
    low += n.timeLowSeconds;
    high += n.timeHighSeconds as number;
  }
  return { low, high };
}
