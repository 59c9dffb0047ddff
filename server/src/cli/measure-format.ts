import type { ReportMeasurement } from '../analysis/measure/compare';
import { SIGNIFICANT_SHARE } from '../analysis/measure/compare';
import { humanTime } from '../format/units';
import { sanitise } from './format';

/** The predicted-versus-measured table and summary printed by `measure` and `profile --measured`. */

function us(seconds: number): string {
  const v = seconds * 1e6;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function pct(x: number | null): string {
  return x === null ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
}

function clip(text: string, width: number): string {
  const clean = sanitise(text);
  return clean.length <= width ? clean : `${clean.slice(0, width - 1)}…`;
}

function listSome(items: readonly string[], max = 8): string {
  return items.length <= max ? items.map(sanitise).join(', ') : `${items.slice(0, max).map(sanitise).join(', ')}, … (${items.length - max} more)`;
}

/** `limit` rows, slowest measured first; 0 = all. */
export function formatMeasurement(m: ReportMeasurement, limit = 30): string {
  const header = ['id', 'op', 'name', 'predicted µs', 'measured µs', 'error', 'share', 'bound'];
  const shown = limit > 0 ? m.ops.slice(0, limit) : m.ops;
  const rows = shown.map((r) => [
    r.id,
    r.kernelOp ? `${r.opType}→${r.kernelOp}` : r.opType,
    clip(r.name, 32),
    us(r.predictedSeconds),
    us(r.measuredSeconds),
    pct(r.error),
    `${(r.share * 100).toFixed(1)}%`,
    r.bound ?? '',
  ]);
  const right = new Set([3, 4, 5, 6]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (shown.length < m.ops.length) out.push(`… ${m.ops.length - shown.length} more ops (--all shows every op)`);
  const fmtNum = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));
  out.push('');
  out.push(`Measured     ${sanitise(m.source)}; ${m.runs} run${m.runs === 1 ? '' : 's'} (median)${m.warmupRunsSkipped ? `, ${m.warmupRunsSkipped} warm-up skipped` : ''}${m.providers.length ? `; ${m.providers.join(', ')}` : ''}`);
  out.push(`Joined       ${m.matched} nodes matched (${m.compared} compared), ${m.unmatchedNodes.length} timed nodes without a kernel, ${m.unmatchedKernels.length} kernels without a node${m.fusedKernels ? `, ${m.fusedKernels} fused kernels` : ''}${m.ambiguousKernels.length ? `, ${m.ambiguousKernels.length} ambiguous` : ''}`);
  if (m.unmatchedNodes.length) out.push(`  nodes without a kernel: ${listSome(m.unmatchedNodes)}`);
  if (m.unmatchedKernels.length) out.push(`  kernels without a node: ${listSome(m.unmatchedKernels)}`);
  const run = m.measuredRunSeconds === null ? '-' : humanTime(m.measuredRunSeconds);
  out.push(`End to end   predicted ${humanTime(m.predictedSeconds)}, measured ${run} per run (kernels ${humanTime(m.measuredKernelSeconds)}): error ${pct(m.endToEndError)}`);
  out.push(`Per op       Spearman ρ ${fmtNum(m.spearman, 3)} over ${m.compared} ops, ${fmtNum(m.spearmanSignificant, 3)} over those ≥ ${SIGNIFICANT_SHARE * 100}%; median |error| ${m.medianAbsError === null ? '-' : `${(m.medianAbsError * 100).toFixed(1)}%`} over the ${m.significantOps} ops taking ≥ ${SIGNIFICANT_SHARE * 100}% of kernel time`);
  for (const note of m.notes) out.push(`Note: ${sanitise(note)}`);
  return out.join('\n');
}
