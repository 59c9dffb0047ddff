import { Coverage, coverageCounts, isLowerBound } from '../analysis/coverage';
import { Diagnostic } from '../analysis/diagnostics';
import { Report, ReportNode, ReportValue } from '../analysis/report';
import { hasRange, totalRangeBasis, totalWithRange } from '../format/time-range';
import { humanBytes, humanCount, humanEnergy, humanFlops, humanMacs, humanRatio, humanTime } from '../format/units';

/** Text views of a report for the terminal. Model names are untrusted: control characters are escaped. */
export function sanitise(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function clip(text: string, width: number): string {
  const clean = sanitise(text);
  return clean.length <= width ? clean : `${clean.slice(0, width - 1)}…`;
}

export function formatValueType(v: ReportValue | null): string {
  if (v === null) return '-';
  if (v.elem) return `${v.dtype}<${v.elem.dtype}${formatShape(v.elem.shape)}>`;
  return `${v.dtype}${formatShape(v.shape)}`;
}

function formatShape(shape: ReportValue['shape']): string {
  if (shape === null) return '[?]';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location?.node ? ` [${sanitise(d.location.node)}]` : d.location?.offset !== undefined ? ` [byte ${d.location.offset}]` : '';
  return `${d.severity} ${d.code}${where}: ${sanitise(d.message)}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** `complete: 16 of 16 layers resolved`, or `INCOMPLETE: 13 of 16 layers resolved, 92.1% of parameters; totals are lower bounds`. */
export function coverageLine(coverage: Coverage): string {
  return coverage.complete ? `complete: ${coverageCounts(coverage)}` : `INCOMPLETE: ${coverageCounts(coverage)}; totals are lower bounds`;
}

/** The coverage header lines: the verdict, and for an incomplete model its first problem. */
function coverageLines(coverage: Coverage): string[] {
  const lines = [`Coverage  ${coverageLine(coverage)}`];
  const first = coverage.unresolved[0];
  if (!coverage.complete && first) {
    const more = coverage.unresolved.length > 1 ? ` (+${coverage.unresolved.length - 1} more: see the diagnostics)` : '';
    lines.push(`          first problem: ${clip(first.reason, 110)}${more}`);
  }
  return lines;
}

/** Header lines shared by the table and Markdown views. */
function headerLines(report: Report): string[] {
  const lines: string[] = [];
  const m = report.model;
  const opsets = Object.entries(m.opsets).map(([d, v]) => `${d} ${v}`).join(', ');
  // An incomplete model definition: said first, and every total below is a lower bound (≥).
  const atLeast = isLowerBound(report.coverage) ? '≥ ' : '';
  lines.push(`Model     ${sanitise(m.path)}`);
  if (report.coverage) lines.push(...coverageLines(report.coverage));
  lines.push(`IR        ${m.irVersion ?? '?'}   opsets: ${opsets || '-'}   producer: ${sanitise(`${m.producer.name} ${m.producer.version}`.trim()) || '-'}`);
  if (m.weights) {
    const w = m.weights;
    // A frontend that knows the exact count states it (traced mode: buffers are initializers but not parameters).
    lines.push(`Weights   ${atLeast}${humanCount(report.totals?.params ?? w.parameters)} parameters, ${humanBytes(w.bytes)} (${w.fromInitializers.tensors} initializers, ${w.fromConstants.tensors} Constant nodes${w.externalBytes ? `, ${humanBytes(w.externalBytes)} external` : ''})`);
  }
  const bindings = Object.entries(report.bindings).map(([k, v]) => `${k}=${v}`).join(' ');
  lines.push(`Bindings  ${sanitise(bindings) || '-'}${report.unboundSymbols.length ? `   unbound: ${sanitise(report.unboundSymbols.join(', '))}` : ''}`);
  lines.push(`Inputs    ${report.inputs.map((v) => `${clip(v.name, 40)}: ${formatValueType(v)}`).join('   ') || '-'}`);
  lines.push(`Outputs   ${report.outputs.map((v) => `${clip(v.name, 40)}: ${formatValueType(v)}`).join('   ') || '-'}`);
  if (report.chip && report.totals) {
    const t = report.totals;
    lines.push(`Chip      ${sanitise(report.chip.name)} (${report.chip.id}), ${report.peakMode} peaks${report.computeDtype ? `, arithmetic in ${report.computeDtype}` : ''}`);
    lines.push(`Time      ${atLeast}${totalWithRange(humanTime(t.timeSeconds), t.timeLowSeconds, t.timeHighSeconds, atLeast !== '')} predicted (${atLeast}${humanTime(t.fusedTimeSeconds)} with elementwise chains fused)   ${percent(t.memoryBoundShare)} of it memory-bound, ${percent(t.overheadBoundShare)} overhead-bound; ${percent(t.timeSeconds > 0 ? t.overheadSeconds / t.timeSeconds : 0)} is kernel launches${report.runtime && report.runtime !== 'eager' ? ` (${report.runtime})` : ''}`);
    if (!atLeast && hasRange(t.timeLowSeconds, t.timeHighSeconds)) lines.push(`Band      ${totalRangeBasis(t.rangeCalibrated)}`);
    lines.push(`Work      ${atLeast}${humanFlops(t.flops)} (${atLeast}${humanMacs(t.macs)}), ${atLeast}${humanBytes(t.bytes)} moved, energy ${atLeast}${humanEnergy(t.energyJoules)} (${percent(t.energyJoules > 0 ? t.energy.memoryJoules / t.energyJoules : 0)} moving data)`);
    if (t.unmodelledNodes > 0) lines.push(`Left out  ${t.unmodelledNodes} node(s), ${percent(t.unmodelledShare)} of the costed nodes: not modelled, not counted (see below)`);
  }
  return lines;
}

function opLabel(n: ReportNode): string {
  return n.domain === 'ai.onnx' ? n.opType : `${n.domain}.${n.opType}`;
}

/** The widest bound word (`overhead`), so the node ids of the top-ops list line up. */
const BOUND_WIDTH = 'overhead'.length;

/** The per-op table printed by `ridgepoint profile`. */
export function formatTable(report: Report): string {
  const lines = headerLines(report);
  lines.push('');
  const costed = report.totals !== undefined;
  const rows = report.nodes.map((n) => {
    const base = [n.id, clip(opLabel(n), 28), clip(n.name, 28)];
    if (!costed) {
      return [...base, clip(n.inputs.map(formatValueType).join(' '), 60), clip(n.outputs.map(formatValueType).join(' '), 48), n.status === 'inferred' ? '' : n.status];
    }
    const time = n.timeSeconds ?? 0;
    return [
      ...base,
      clip(n.outputs.map(formatValueType).join(' '), 40),
      n.modelled === false ? '-' : humanCount(n.flops ?? 0),
      n.modelled === false ? '-' : humanBytes((n.bytesRead ?? 0) + (n.bytesWritten ?? 0)),
      n.intensity === null || n.intensity === undefined ? '-' : humanRatio(n.intensity),
      n.unit ?? '',
      n.modelled === false ? 'not modelled' : n.bound === 'none' ? '' : (n.bound ?? ''),
      n.modelled === false || n.bound === 'none' ? '' : humanTime(time),
      n.modelled === false || !report.totals?.timeSeconds || n.bound === 'none' ? '' : percent(time / report.totals.timeSeconds),
    ];
  });
  const header = costed ? ['id', 'op', 'name', 'outputs', 'FLOPs', 'bytes', 'FLOP/B', 'unit', 'bound', 'time', 'share'] : ['id', 'op', 'name', 'inputs', 'outputs', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  lines.push(fmt(header));
  lines.push(fmt(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) lines.push(fmt(r));
  lines.push('');
  if (report.topOps?.length) {
    lines.push('Top ops by time:');
    for (const t of report.topOps) lines.push(`  ${percent(t.share).padStart(6)}  ${humanTime(t.timeSeconds).padStart(10)}  ${t.bound.padEnd(BOUND_WIDTH)}  ${t.id} ${clip(t.opType, 24)} ${clip(t.name, 40)}`);
    lines.push('');
  }
  if (report.unmodelled?.length) {
    lines.push('Not modelled:');
    for (const u of report.unmodelled.slice(0, 20)) lines.push(`  ${u.id} ${clip(u.opType, 24)}: ${sanitise(u.reason)}`);
    if (report.unmodelled.length > 20) lines.push(`  … and ${report.unmodelled.length - 20} more (see --format json)`);
    lines.push('');
  }
  lines.push(...suggestionLines(report));
  for (const note of report.profileNotes ?? []) lines.push(`Note: ${sanitise(note)}`);
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = report.diagnostics.filter((d) => d.severity === 'warning').length;
  lines.push(`${report.nodes.length} nodes, ${report.unknownOps.length ? `unknown ops: ${report.unknownOps.map((u) => `${sanitise(u.op)}×${u.count}`).join(', ')}, ` : ''}${errors} errors, ${warnings} warnings`);
  return lines.join('\n');
}

const SUGGESTIONS_SHOWN = 10;

function savingText(seconds: number, total: number | undefined): string {
  const sign = seconds < 0 ? '-' : '';
  return `${sign}${humanTime(Math.abs(seconds))}${total ? ` (${percent(seconds / total)})` : ''}`;
}

/** The "Suggestions" section of the table: each with its predicted saving on the chip, best first. */
function suggestionLines(report: Report): string[] {
  const list = report.suggestions;
  if (!list) return [];
  const lines = [`Suggestions (predicted on ${sanitise(report.chip?.name ?? 'the chip')}, best saving first; each alone, savings do not add up):`];
  if (list.length === 0) lines.push('  none');
  list.slice(0, SUGGESTIONS_SHOWN).forEach((s, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. [${s.kind}${s.pattern && s.pattern !== s.kind ? `: ${s.pattern}` : ''}] save ${savingText(s.predictedSavingSeconds, report.totals?.timeSeconds)}, ${humanBytes(Math.max(0, s.bytesSaved))} less traffic, ${s.confidence} confidence`);
    lines.push(`      ${sanitise(s.message)}`);
    if (s.nodes.length) lines.push(`      nodes: ${sanitise(s.nodes.slice(0, 12).join(' '))}${s.nodes.length > 12 ? ` … (${s.nodes.length})` : ''}`);
    if (s.recipe) lines.push(`      how: ${sanitise(s.recipe)}`);
  });
  if (list.length > SUGGESTIONS_SHOWN) lines.push(`  … and ${list.length - SUGGESTIONS_SHOWN} more (see --format json)`);
  for (const note of report.adviceNotes ?? []) lines.push(`  note: ${sanitise(note)}`);
  lines.push('');
  return lines;
}

/** Markdown cells: escape pipes and markup-significant characters of untrusted names. */
function md(text: string): string {
  return sanitise(text).replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`);
}

/** The Markdown report (for PR comments and docs). */
export function formatMarkdown(report: Report): string {
  const lines = [`## Ridgepoint: ${md(report.model.path)}`, '', '```', ...headerLines(report), '```', ''];
  if (report.topOps?.length) {
    lines.push('| share | time | bound | node | op |', '|---:|---:|---|---|---|');
    for (const t of report.topOps) lines.push(`| ${percent(t.share)} | ${humanTime(t.timeSeconds)} | ${t.bound} | ${md(t.id)} ${md(t.name)} | ${md(t.opType)} |`);
    lines.push('');
  }
  if (report.opTypes?.length) {
    lines.push('| op type | count | time | share | FLOPs | bytes |', '|---|---:|---:|---:|---:|---:|');
    for (const o of report.opTypes) lines.push(`| ${md(o.opType)} | ${o.count} | ${humanTime(o.timeSeconds)} | ${percent(o.share)} | ${humanCount(o.flops)} | ${humanBytes(o.bytes)} |`);
    lines.push('');
  }
  if (report.suggestions) {
    lines.push(`### Suggestions`, '', `Predicted on ${md(report.chip?.name ?? 'the chip')}, best saving first; each is priced alone, so savings do not add up.`, '');
    if (report.suggestions.length === 0) lines.push('None.', '');
    else {
      lines.push('| # | kind | saving | traffic saved | confidence | suggestion |', '|---:|---|---:|---:|---|---|');
      report.suggestions.forEach((s, i) => lines.push(`| ${i + 1} | ${md(s.kind)}${s.pattern && s.pattern !== s.kind ? ` (${md(s.pattern)})` : ''} | ${savingText(s.predictedSavingSeconds, report.totals?.timeSeconds)} | ${humanBytes(Math.max(0, s.bytesSaved))} | ${s.confidence} | ${md(s.message)}${s.recipe ? `<br>How: ${md(s.recipe)}` : ''} |`));
      lines.push('');
    }
    for (const note of report.adviceNotes ?? []) lines.push(`- ${md(note)}`);
    if (report.adviceNotes?.length) lines.push('');
  }
  if (report.unmodelled?.length) {
    lines.push('Not modelled:', '');
    for (const u of report.unmodelled) lines.push(`- ${md(u.id)} ${md(u.opType)}: ${md(u.reason)}`);
    lines.push('');
  }
  return lines.join('\n');
}
