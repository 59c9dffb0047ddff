import { Hover, HoverParams, MarkupKind } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { isLaunchBound, roofSideOf } from '../../analysis/cost/launch-bound';
import { ReportNode, ReportValue } from '../../analysis/report';
import { formatValueType } from '../../cli/format';
import { runtimeNote } from '../../format/runtime-text';
import { hasRange, rangeBasis, rangeText, summedBand } from '../../format/time-range';
import { humanBytes, humanEnergy, humanFlops, humanMacs, humanRatio, humanTime } from '../../format/units';
import { HoverDetail } from '../../settings';
import { mdText } from '../markdown';
import { modelRefOf, ProfiledModel } from '../models';
import { nodeAt, reportNodesFor } from '../node-lookup';
import { runSafe } from '../safe';
import { hfHover, pythonHover } from './source-models';
import { ServerContext } from '../server';
import { savingText, suggestionsByTextNode, titleOf } from '../suggestion-places';

/** Hover on a node: what it is, its shapes, and what it costs on the current chip. */
export function registerHover(ctx: ServerContext): void {
  ctx.connection.onHover(
    runSafe(ctx.connection, 'textDocument/hover', null, async (params: HoverParams, token): Promise<Hover | null> => {
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return null;
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      if (ref.kind === 'python') return pythonHover(ctx, profiled, params.position);
      if (ref.kind === 'hf-config') return hfHover(profiled, params.position);
      const loaded = profiled.loaded;
      const offset = loaded.lines.offsetAt(params.position);
      const span = nodeAt(loaded, offset);
      if (!span) return null;
      const nodes = reportNodesFor(profiled, span.id);
      const opText = loaded.text.slice(span.op.start, span.op.end);
      let value = nodes.length === 0 ? notAnalysed(opText, span.id) : nodes.length === 1 ? describeNode(nodes[0] as ReportNode, profiled, ctx.settings.hover.detail) : describeCalls(opText, nodes, profiled);
      // Exported from PyTorch with stack traces: where in the Python source the node came from.
      const link = nodes.length === 1 ? ctx.sourceLinks.linkOf(profiled, (nodes[0] as ReportNode).id) : null;
      if (link) value += `\n\nSource: [${mdText(basename(link.path))}:${link.line}](${URI.file(link.path).with({ fragment: `L${link.line}` }).toString()})${link.frame.function ? ` in \`${link.frame.function.replace(/`/g, "'")}\`` : ''}`;
      value += suggestionsText(profiled, span.id);
      return { contents: { kind: MarkupKind.Markdown, value }, range: loaded.lines.range(span.op) };
    }),
  );
}

/**
 * The suggestions this node is part of. VS Code offers no quick fixes in a read-only editor's hover (only
 * "View Problem"), so the hover names them and the key that lists their actions (`ridgepoint.quickFix`).
 */
function suggestionsText(profiled: ProfiledModel, textNodeId: string): string {
  const here = suggestionsByTextNode(profiled).get(textNodeId) ?? [];
  if (here.length === 0) return '';
  const total = profiled.report.totals?.timeSeconds ?? 0;
  const lines = here.map((s) => `- **${mdText(titleOf(s))}**: ${mdText(savingText(s, total))}`);
  return `\n\n**Suggestions** (Ctrl+. for the what-if, the numbers and the recipe):\n${lines.join('\n')}`;
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function notAnalysed(opText: string, id: string): string {
  return `**${mdText(opText)}** · node ${mdText(id)}\n\nNot analysed: the model could not be analysed up to this node (see Problems).`;
}

function value(v: ReportValue | null): string {
  if (v === null) return '_(omitted)_';
  return `\`${formatValueType(v).replace(/`/g, "'")}\` ${mdText(v.name, 60)}`;
}

function percent(x: number): string {
  return x >= 0.001 || x === 0 ? `${(x * 100).toFixed(1)}%` : '<0.1%';
}

/** The hover for one node; `summary` keeps the op, shapes, time and bound. */
export function describeNode(node: ReportNode, profiled: ProfiledModel, detail: HoverDetail): string {
  const report = profiled.report;
  const op = node.domain === 'ai.onnx' ? node.opType : `${node.domain}.${node.opType}`;
  const lines: string[] = [];
  lines.push(`**${mdText(op)}** · ${mdText(node.name || '(unnamed)')} · opset ${node.opset}`);
  lines.push('');
  lines.push(`In: ${node.inputs.map(value).join(', ') || '—'}  `);
  lines.push(`Out: ${node.outputs.map(value).join(', ') || '—'}`);
  lines.push('');
  const chip = report.chip;
  const total = report.totals?.timeSeconds ?? 0;
  if (!chip || node.timeSeconds === undefined) {
    lines.push('_Not costed: the model has no profile yet._');
    return lines.join('\n');
  }
  if (node.modelled === false) {
    lines.push(`**Not modelled** on ${mdText(chip.name)}: ${mdText(node.reason ?? 'no cost formula', 400)}. Not counted in the totals.`);
    return lines.join('\n');
  }
  const time = node.timeSeconds;
  const share = total > 0 ? time / total : 0;
  const runs = node.executions !== undefined && node.executions !== 1 ? ` (${node.executions} executions)` : '';
  const overhead = node.overheadSeconds ?? 0;
  const runtime = runtimeNote(report.runtime, profiled.options.chip);
  const bound =
    node.bound === 'none'
      ? 'no kernel (a view or metadata op)'
      : isLaunchBound(node)
        ? `**launch-bound**: the fixed per-kernel cost (${humanTime(overhead)}) exceeds its ${roofSideOf(node) ?? 'memory'} time (${humanTime(Math.max(node.computeSeconds ?? 0, node.memorySeconds ?? 0))}); ${runtime ? 'fusing it with its neighbours would remove it' : 'fusing or CUDA graphs would remove it'}`
        : `**${node.bound}-bound**`;
  const ratio = node.ridgeRatio !== null && node.ridgeRatio !== undefined ? ` · intensity ${node.ridgeRatio >= 1 ? `${node.ridgeRatio.toFixed(1)}× above` : `${(1 / Math.max(node.ridgeRatio, 1e-9)).toFixed(1)}× below`} the ridge` : '';
  lines.push(`| on ${mdText(chip.name)} (${report.peakMode ?? ''} peaks) | |`);
  lines.push('|:--|:--|');
  lines.push(`| Time | **${humanTime(time)}**${rangeText(humanTime(time), node.timeLowSeconds, node.timeHighSeconds)}${runs} · ${percent(share)} of the model |`);
  lines.push(`| Bound | ${bound}${ratio} |`);
  if (runtime) lines.push(`| Runtime | ${mdText(runtime)} |`);
  if (detail === 'full' && hasRange(node.timeLowSeconds, node.timeHighSeconds)) lines.push(`| Range | ${mdText(rangeBasis(node.rangeCalibrated))}${node.kernelClass ? ` (${mdText(node.kernelClass)})` : ''} |`);
  if (detail === 'full') {
    const macs = node.macs ? ` (${humanMacs(node.macs)})` : '';
    lines.push(`| Work | ${humanFlops(node.flops ?? 0)}${macs} |`);
    const weights = node.weightBytes ? ` (${humanBytes(node.weightBytes)} weights)` : '';
    lines.push(`| Bytes | ${humanBytes(node.bytesRead ?? 0)} read${weights} · ${humanBytes(node.bytesWritten ?? 0)} written |`);
    const intensity = node.intensity === null || node.intensity === undefined ? '—' : `${humanRatio(node.intensity)} FLOP/B`;
    const ridge = node.ridge ? ` · ridge ${humanRatio(node.ridge)} FLOP/B` : '';
    lines.push(`| Intensity | ${intensity}${ridge} |`);
    lines.push(`| Unit | ${node.unit ?? '—'}${node.peakDtype ? ` ${node.peakDtype}` : ''} |`);
    // Not chip-specific beyond the memory type: said here, since H100 and A100 show the same figure.
    lines.push(`| Energy | ${humanEnergy(node.energyJoules ?? 0)} · per-op estimate, the same on chips with the same memory type |`);
  }
  if (node.counted === false) lines.push('\n_Not counted in the totals: the costlier branch of this If is counted instead._');
  const notes = (node.notes ?? []).slice(0, detail === 'full' ? 4 : 1);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${mdText(n, 300)}`));
  return lines.join('\n');
}

/** A node inside a function body: the sum over the function's call sites. */
function describeCalls(opText: string, nodes: ReportNode[], profiled: ProfiledModel): string {
  const total = profiled.report.totals?.timeSeconds ?? 0;
  const time = nodes.reduce((sum, n) => sum + (n.timeSeconds ?? 0), 0);
  const { low, high } = summedBand(nodes);
  const flops = nodes.reduce((sum, n) => sum + (n.flops ?? 0), 0);
  const bytes = nodes.reduce((sum, n) => sum + (n.bytesRead ?? 0) + (n.bytesWritten ?? 0), 0);
  const memory = nodes.filter((n) => n.bound === 'memory').length;
  const launch = nodes.filter((n) => n.bound === 'overhead').length;
  return [
    `**${mdText(opText)}** in a function body, expanded at ${nodes.length} call sites`,
    '',
    `| all calls | |`,
    '|:--|:--|',
    `| Time | **${humanTime(time)}**${rangeText(humanTime(time), low, high)} · ${percent(total > 0 ? time / total : 0)} of the model |`,
    `| Bound | memory-bound at ${memory} of ${nodes.length} calls${launch > 0 ? `, launch-bound at ${launch}` : ''} |`,
    `| Work | ${humanFlops(flops)} |`,
    `| Bytes | ${humanBytes(bytes)} moved |`,
  ].join('\n');
}
