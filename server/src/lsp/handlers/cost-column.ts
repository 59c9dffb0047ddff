import { UNBOUND_REASON } from '../../analysis/cost/context';
import { verdictOf } from '../../analysis/cost/launch-bound';
import { ReportNode } from '../../analysis/report';
import { humanTime } from '../../format/units';

/**
 * The cost column at the start of each node line of the readable model view: time per run, share of
 * the model, and what bounds it, at fixed widths (` 12.34 µs  0.4% mem │`), so the columns line up and
 * the cost is on screen however long the line. Padding is figure spaces (U+2007, a digit's width): the
 * editor keeps them, where plain spaces in an inlay hint may collapse.
 */
const FIGURE_SPACE = '\u2007';
const TIME_WIDTH = 9;
const SHARE_WIDTH = 6;
const BOUND_WIDTH = 4;

/** Short names of bounds: the column is narrow. */
const SHORT_BOUND: Readonly<Record<string, string>> = { memory: 'mem', compute: 'comp', mixed: 'mix', launch: 'ovhd' };

function padStart(text: string, width: number): string {
  return text.length >= width ? text : FIGURE_SPACE.repeat(width - text.length) + text;
}

function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + FIGURE_SPACE.repeat(width - text.length);
}

function column(time: string, share: string, bound: string): string {
  return `${padStart(time, TIME_WIDTH)} ${padStart(share, SHARE_WIDTH)} ${padEnd(bound, BOUND_WIDTH)}│`;
}

/** The column for a node line: its report nodes (several for a function body's calls), over the model's total time. */
export function costColumn(nodes: readonly ReportNode[], totalSeconds: number): string {
  if (nodes.length === 0) return column('', '', '');
  if (nodes.every((n) => n.modelled === false)) {
    // Sized by unbound dims: not costed until they are bound (not an op Ridgepoint fails to understand).
    if (nodes.some((n) => n.reason?.includes(UNBOUND_REASON))) return column('unbound', '', '?');
    return column('unknown', '', '?');
  }
  // The cheaper branch of an If whose condition is unknown: left out of the totals, so no share.
  if (nodes.every((n) => n.counted === false)) return column('excluded', '', '');
  const time = nodes.reduce((sum, n) => sum + (n.counted === false ? 0 : (n.timeSeconds ?? 0)), 0);
  const bounds = new Set(nodes.map(verdictOf).filter((b): b is string => b !== undefined && b !== 'none'));
  if (time <= 0 && bounds.size === 0) return column('—', '', '');
  const bound = bounds.size === 0 ? '' : bounds.size === 1 ? ([...bounds][0] ?? '') : 'mixed';
  const share = totalSeconds > 0 ? `${((time / totalSeconds) * 100).toFixed(1)}%` : '';
  return column(humanTime(time), share, SHORT_BOUND[bound] ?? bound);
}
