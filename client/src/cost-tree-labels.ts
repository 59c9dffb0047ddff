/**
 * The words and icons of the "Cost by Module" tree (client/src/cost-tree.ts). Pure (no `vscode` import) so
 * unit tests run in plain Node. Module and op names come from the model file: cleaned of control
 * characters and clipped, and only ever shown as plain text.
 */
import { bytes, percent, seconds, si } from '../../media/src/format';
import type { CostTreeNode } from '../../server/src/analysis/cost-tree';
import { clipName } from './summary';

/** Rows shown under one parent; the rest are summed in one "… more" row (a flat 5,000-op graph stays usable). */
export const MAX_CHILDREN = 200;

/** The row's label: its module or op name. */
export function rowLabel(row: CostTreeNode): string {
  return clipName(row.name || '(unnamed)');
}

/** What the bound word says in a row: `none` is an op that launches no kernel (a view, a constant). */
function boundWord(row: CostTreeNode): string {
  return row.bound === 'none' ? 'no kernel' : row.bound;
}

/** `1.23 ms · 4.1% · memory`; op rows start with their op type when the name does not say it (`Conv · …`). */
export function rowDescription(row: CostTreeNode): string {
  const parts: string[] = [];
  if (row.kind === 'op' && row.opType !== undefined && row.opType !== row.name) parts.push(clipName(row.opType, 40));
  if (row.timeSeconds > 0 || row.bound !== 'none') parts.push(seconds(row.timeSeconds), percent(row.share));
  parts.push(boundWord(row));
  if (row.note !== undefined) parts.push('⚠');
  return parts.join(' · ');
}

/** The root's description: the model's time and the chip it is for. */
export function rootDescription(row: CostTreeNode, chipName: string): string {
  return `${seconds(row.timeSeconds)} per run on ${clipName(chipName, 60)}`;
}

const BOUND_EXPLAINED: Readonly<Record<string, string>> = {
  memory: 'memory-bound: its time is the bytes it moves',
  compute: 'compute-bound: its time is its arithmetic',
  mixed: 'mixed: no bound holds 60% of its time',
  overhead: 'launch-bound: the fixed per-kernel overhead exceeds its compute and memory time',
  none: 'no kernel: views and constants take no time',
};

/** Plain-text hover of a row: place, time, work, traffic, nodes, bound and what is left out. */
export function rowTooltip(row: CostTreeNode, chipName: string): string {
  const kind = row.kind === 'op' ? `op ${clipName(row.opType ?? '')}` : row.kind === 'model' ? 'model' : 'module';
  const lines = [
    `${clipName(row.path || row.name, 200)} (${kind}${row.nodeCount > 1 ? `, ${row.nodeCount} nodes` : ''}${row.noKernelOps ? `, ${row.noKernelOps} of them views or metadata ops without a kernel, not listed` : ''})`,
    `Time ${seconds(row.timeSeconds)} per run · ${percent(row.share)} of the model on ${clipName(chipName, 60)}`,
    `FLOPs ${si(row.flops)} · bytes ${bytes(row.bytes)} read and written`,
    `Bound: ${BOUND_EXPLAINED[row.bound] ?? row.bound}`,
  ];
  if (row.note !== undefined) lines.push(`⚠ ${clipName(row.note, 300)}`);
  return lines.join('\n');
}

/** A codicon and theme colour per bound: blue memory, orange compute, as in the roofline chart. */
export function boundIcon(bound: string): { readonly id: string; readonly color: string | null } {
  switch (bound) {
    case 'memory':
      return { id: 'database', color: 'charts.blue' };
    case 'compute':
      return { id: 'zap', color: 'charts.orange' };
    case 'mixed':
      return { id: 'layers', color: null };
    case 'none':
      return { id: 'circle-small', color: 'disabledForeground' };
    default:
      return { id: 'clock', color: 'charts.purple' };
  }
}

/** The rows shown under a parent, and what the "… more" row sums up (with the rows the server left out). */
export function shownChildren(row: CostTreeNode, max = MAX_CHILDREN): { readonly shown: readonly CostTreeNode[]; readonly rest: { readonly count: number; readonly timeSeconds: number; readonly share: number } | null } {
  const hidden = row.children.slice(max);
  if (hidden.length === 0 && row.more === undefined) return { shown: row.children, rest: null };
  const rest = { count: row.more?.count ?? 0, timeSeconds: row.more?.timeSeconds ?? 0, share: row.more?.share ?? 0 };
  for (const c of hidden) {
    rest.count++;
    rest.timeSeconds += c.timeSeconds;
    rest.share += c.share;
  }
  return { shown: row.children.slice(0, max), rest };
}

/** `… 4,803 more (12.3 µs · 0.5%)`. */
export function moreLabel(rest: { readonly count: number; readonly timeSeconds: number; readonly share: number }): string {
  return `… ${rest.count.toLocaleString('en-US')} more (${seconds(rest.timeSeconds)} · ${percent(rest.share)})`;
}
