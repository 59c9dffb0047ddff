import { at } from '../ir/at';

/**
 * Statistics for predicted-versus-measured comparisons. Pure functions over plain arrays.
 */

/** The median; NaN for an empty list. The mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const middle = at(sorted, mid, 'sorted values');
  return sorted.length % 2 === 1 ? middle : (at(sorted, mid - 1, 'sorted values') + middle) / 2;
}

/** Ranks 1..n; tied values share the mean of the ranks they span (the "fractional" ranking Spearman's ρ needs). */
export function fractionalRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    const first = at(order, start, 'ordered values').v;
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.v === first) end++;
    const rank = (start + end) / 2 + 1;
    for (const { i } of order.slice(start, end + 1)) ranks[i] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Pearson's correlation; null when fewer than two points or either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = at(xs, i, 'x values') - mx;
    const dy = at(ys, i, 'y values') - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation with ties (Pearson's r of the fractional ranks); null as for `pearson`. */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length !== ys.length) return null;
  return pearson(fractionalRanks(xs), fractionalRanks(ys));
}

/** Signed relative error of a prediction: (predicted − measured) / measured; null when nothing was measured. */
export function relativeError(predicted: number, measured: number): number | null {
  return measured > 0 ? (predicted - measured) / measured : null;
}
