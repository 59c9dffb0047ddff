import { CodeLens, Command, Diagnostic as LspDiagnostic, DiagnosticSeverity, Hover, InlayHint, MarkupKind, Position, Range } from 'vscode-languageserver';
import { codeLensParts, explainConfigKey, LlmSummary, servingLensParts, summariseLlm } from '../../analysis/hf-config/index';
import { HfProfileOptions } from '../../analysis/hf-config/index';
import { coverageCounts, coverageShort, isLowerBound, summariseCoverage } from '../../analysis/coverage';
import { SourceRange } from '../../analysis/pytorch/index';
import { ReportNode } from '../../analysis/report';
import { rangeText, summedBand, totalWithRange } from '../../format/time-range';
import { humanBytes, humanCount, humanFlops, humanRatio, humanTime } from '../../format/units';
import { Commands } from '../../protocol';
import { mdText } from '../markdown';
import { documentUriOf, llmServing, llmSizes, ProfiledModel } from '../models';
import { ServerContext } from '../server';
import { lensRows } from '../lens-rows';

/**
 * The editor views of model definitions: a PyTorch module's source (`.py`) and a Hugging Face
 * config.json. Their graphs come from the frontends (analysis/pytorch, analysis/hf-config) and are
 * costed like any ONNX graph; here the results go back onto the lines that define the layers (inlay
 * hints, hovers, code lenses on each nn.Module) and onto the config's keys.
 */

/** What a source line's layer costs per forward, summed over the instances built from that line. */
export interface LineCost {
  readonly line: number;
  /** The layer type constructed there (`Conv2d`), when the line builds one. */
  readonly layerType: string | null;
  readonly params: number | null;
  readonly nodes: ReportNode[];
  /** Module instances built from this line (a block class used 12 times: 12). */
  readonly instances: number;
  readonly flops: number;
  readonly bytes: number;
  readonly timeSeconds: number;
  /** The bound that takes most of the line's time; null when nothing on it launches a kernel. */
  readonly bound: string | null;
}

const lineCache = new WeakMap<ProfiledModel, Map<number, LineCost>>();

/** The module path of an IR node (`layer1.0.conv1/Add` → `layer1.0.conv1`). */
function moduleOfNode(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

/** Per 0-based line: the costs of the nodes built or called there, and the params of the layers built there. */
export function pythonLineCosts(profiled: ProfiledModel): Map<number, LineCost> {
  const cached = lineCache.get(profiled);
  if (cached) return cached;
  const python = profiled.python;
  const out = new Map<number, { layerType: string | null; params: number | null; nodes: ReportNode[]; modules: Set<string> }>();
  const at = (line: number): { layerType: string | null; params: number | null; nodes: ReportNode[]; modules: Set<string> } => {
    let entry = out.get(line);
    if (!entry) {
      entry = { layerType: null, params: null, nodes: [], modules: new Set() };
      out.set(line, entry);
    }
    return entry;
  };
  if (python) {
    // Parameters per construction line: a layer built once per class, whatever the number of instances.
    for (const module of python.modules) {
      for (const layer of module.layers) {
        if (!layer.range || layer.range.path !== undefined || layer.path.includes('.')) continue;
        const entry = at(layer.range.start.line);
        entry.layerType ??= layer.type;
        if (entry.params === null) entry.params = layer.params;
      }
    }
    for (const node of profiled.report.nodes) {
      const range = python.nodeSources.get(node.name);
      // Layers built inside an imported file have no line here.
      if (!range || range.path !== undefined) continue;
      const entry = at(range.start.line);
      entry.nodes.push(node);
      entry.modules.add(moduleOfNode(node.name));
    }
  }
  const result = new Map<number, LineCost>();
  for (const [line, e] of out) {
    let flops = 0;
    let bytes = 0;
    let time = 0;
    const byBound = new Map<string, number>();
    for (const n of e.nodes) {
      if (n.counted === false || n.modelled === false) continue;
      const runs = n.executions ?? 1;
      flops += (n.flops ?? 0) * runs;
      bytes += ((n.bytesRead ?? 0) + (n.bytesWritten ?? 0)) * runs;
      time += n.timeSeconds ?? 0;
      if (n.bound && n.bound !== 'none') byBound.set(n.bound, (byBound.get(n.bound) ?? 0) + (n.timeSeconds ?? 0));
    }
    const bound = [...byBound].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    result.set(line, { line, layerType: e.layerType, params: e.params, nodes: e.nodes, instances: e.modules.size, flops, bytes, timeSeconds: time, bound });
  }
  lineCache.set(profiled, result);
  return result;
}

function intensity(cost: LineCost): string | null {
  return cost.bytes > 0 && cost.flops > 0 ? `${humanRatio(cost.flops / cost.bytes)} FLOP/B` : null;
}

/**
 * `9.4 k params · ×4 · 3.1 µs · compute · 118 MFLOP · 400 KiB · 290 FLOP/B`: time and bound first, since
 * VS Code cuts inlay hints at `editor.inlayHints.maximumLength` (43 characters by default).
 */
export function pythonHintLabel(cost: LineCost): string | null {
  const parts: string[] = [];
  if (cost.params !== null && cost.params > 0) parts.push(`${humanCount(cost.params)} params`);
  if (cost.timeSeconds > 0) {
    if (cost.instances > 1) parts.push(`×${cost.instances}`);
    parts.push(humanTime(cost.timeSeconds));
    if (cost.bound) parts.push(cost.bound);
    parts.push(humanFlops(cost.flops), humanBytes(cost.bytes));
    const i = intensity(cost);
    if (i) parts.push(i);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** Lines that construct a layer left out of the totals (an error diagnostic is there too). */
function layersMissingByLine(profiled: ProfiledModel): Set<number> {
  const problems = profiled.python?.coverage.unresolved ?? [];
  return new Set(problems.filter((p) => p.range && (p.code === 'pytorch.layer-left-out' || p.code === 'pytorch.layer-unresolved')).map((p) => p.range?.start.line ?? -1));
}

export function pythonInlayHints(profiled: ProfiledModel, range: Range): InlayHint[] {
  const hints: InlayHint[] = [];
  const lines = profiled.loaded.lines;
  const costs = pythonLineCosts(profiled);
  const missing = layersMissingByLine(profiled);
  for (const line of new Set([...costs.keys(), ...missing])) {
    if (line < range.start.line || line > range.end.line) continue;
    const cost = costs.get(line);
    const parts = [cost ? pythonHintLabel(cost) : null, missing.has(line) ? '⚠ not in the totals (see Problems)' : null].filter((p): p is string => p !== null);
    if (parts.length === 0) continue;
    hints.push({ position: lines.positionAt(lines.lineEnd(lines.offsetAt({ line, character: 0 }))), label: parts.join(' · '), paddingLeft: true });
  }
  return hints.sort((a, b) => a.position.line - b.position.line);
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

/**
 * The model's parameters as the CLI header counts them: the frontend's declared count where it gives one
 * (a trace's initializers include buffers such as BatchNorm's running statistics, which are not
 * parameters), else the initializers' elements.
 */
function modelParameters(profiled: ProfiledModel): number {
  return profiled.report.totals?.params ?? profiled.report.model.weights?.parameters ?? 0;
}

/** On the entry's `def` / `class` line: the whole model's totals, labelled as lower bounds when incomplete. */
function entryHover(profiled: ProfiledModel, line: number): string[] {
  const python = profiled.python;
  const entry = python?.modules.find((m) => m.name === python.entry);
  if (!python || !entry || entry.range.start.line !== line) return [];
  const { totals, chip } = profiled.report;
  const incomplete = isLowerBound(python.coverage);
  const atLeast = incomplete ? '≥ ' : '';
  // The exact count too: the figure to compare with `sum(p.numel() for p in model.parameters())`.
  const parameters = modelParameters(profiled);
  const parts = [`**${mdText(entry.name)}** (entry) · ${atLeast}${humanCount(parameters)} parameters (${parameters.toLocaleString('en-US')})`];
  if (totals && chip && totals.costedNodes > 0) parts.push('', `${atLeast}${totalWithRange(humanTime(totals.timeSeconds), totals.timeLowSeconds, totals.timeHighSeconds, atLeast !== '')} per forward on ${mdText(chip.name)} · ${atLeast}${humanFlops(totals.flops)} · ${atLeast}${humanBytes(totals.bytes)} moved`);
  if (incomplete) parts.push('', `**Incomplete:** ${coverageCounts(python.coverage)}; these totals are lower bounds. What is missing is in the Problems panel${python.coverage.unresolved[0] ? `; first: ${mdText(python.coverage.unresolved[0].reason, 200)}` : ''}.`);
  else parts.push('', `Complete: ${coverageCounts(python.coverage)}.`);
  return parts;
}

export async function pythonHover(ctx: ServerContext, profiled: ProfiledModel, position: Position): Promise<Hover | null> {
  const cost = pythonLineCosts(profiled).get(position.line);
  const parts: string[] = [];
  const chip = profiled.report.chip;
  const total = profiled.report.totals?.timeSeconds ?? 0;
  if (cost && (cost.nodes.length > 0 || cost.params !== null)) {
    parts.push(`**${mdText(cost.layerType ?? 'forward')}**${cost.params !== null ? ` · ${humanCount(cost.params)} parameters` : ''}${cost.instances > 1 ? ` · ${cost.instances} instances` : ''}`);
    if (cost.timeSeconds > 0 && chip) {
      parts.push('');
      parts.push(`| per forward on ${mdText(chip.name)} | |`, '|:--|:--|');
      const band = summedBand(cost.nodes.filter((n) => n.counted !== false && n.modelled !== false));
      parts.push(`| Time | **${humanTime(cost.timeSeconds)}**${rangeText(humanTime(cost.timeSeconds), band.low, band.high)} · ${total > 0 ? percent(cost.timeSeconds / total) : '—'} of the model |`);
      parts.push(`| Bound | ${cost.bound ? `**${cost.bound}-bound**` : '—'} |`);
      parts.push(`| Work | ${humanFlops(cost.flops)} |`, `| Bytes | ${humanBytes(cost.bytes)} |`);
      const i = intensity(cost);
      if (i) parts.push(`| Intensity | ${i} |`);
      const ops = [...cost.nodes].filter((n) => (n.timeSeconds ?? 0) > 0).sort((a, b) => (b.timeSeconds ?? 0) - (a.timeSeconds ?? 0));
      parts.push('', ops.slice(0, 6).map((n) => `\`${mdText(n.opType)}\` ${mdText(n.name, 60)}: ${humanTime(n.timeSeconds ?? 0)} ${n.bound ?? ''}`).join('  \n'));
      if (ops.length > 6) parts.push(`… and ${ops.length - 6} more ops`);
    } else if (!profiled.options.source?.input) {
      parts.push('', '_No forward costs: set an input shape (code lens **Set input shape…** or the `ridgepoint.pytorch.input` setting)._');
    }
  }
  parts.push(...entryHover(profiled, position.line));
  // The same line in a workspace ONNX exported with stack traces: what its nodes cost.
  const exported = await ctx.sourceLinks.costsForSource(profiled.loaded.ref.path);
  for (const model of exported) {
    const row = model.lines.get(position.line + 1);
    if (!row) continue;
    parts.push('', `**From ${mdText(model.model.path.split(/[\\/]/).pop() ?? model.model.path)}** (exported ONNX): ${row.nodes.length} node${row.nodes.length === 1 ? '' : 's'}, ${humanTime(row.timeSeconds)} · ${percent(row.share)} of that model · ${humanFlops(row.flops)} · ${humanBytes(row.bytes)}`);
  }
  return parts.length > 0 ? { contents: { kind: MarkupKind.Markdown, value: parts.join('\n') } } : null;
}

/** VS Code's own command that shows the Problems panel (where an incomplete model's errors are). */
const SHOW_PROBLEMS = 'workbench.actions.view.problems';

export function pythonCodeLenses(profiled: ProfiledModel, uri: string): CodeLens[] {
  const python = profiled.python;
  if (!python) return [];
  const lenses: CodeLens[] = [];
  const { totals, chip } = profiled.report;
  const args = [{ uri }];
  // An incomplete entry: its figures are lower bounds (≥), and a lens says so and opens the Problems panel.
  const incomplete = isLowerBound(python.coverage);
  for (const module of python.modules) {
    const range = { start: module.range.start, end: module.range.start };
    const params = module.params !== null ? `${humanCount(module.params)} params` : 'params unresolved';
    if (module.name === python.entry) {
      const input = profiled.options.source?.input;
      const entryParams = incomplete ? `≥ ${humanCount(modelParameters(profiled))} params` : params;
      if (incomplete) lenses.push({ range, command: { title: `$(warning) ${coverageShort(summariseCoverage(python.coverage))}`, command: SHOW_PROBLEMS } });
      if (totals && chip && totals.costedNodes > 0) {
        lenses.push({ range, command: { title: `${entryParams} · ${incomplete ? '≥ ' : ''}${humanTime(totals.timeSeconds)} per forward on ${chip.name} · ${(totals.memoryBoundShare * 100).toFixed(0)}% memory-bound`, command: Commands.showRoofline, arguments: args } });
        lenses.push({ range, command: { title: 'Open roofline', command: Commands.showRoofline, arguments: args } });
      } else lenses.push({ range, command: { title: entryParams, command: Commands.setPythonInput, arguments: args } });
      lenses.push({ range, command: { title: input ? `Input ${input.join('×')}` : 'Set input shape…', command: Commands.setPythonInput, arguments: args } });
      const unresolved = [...new Set(python.unresolved.map((u) => u.name))];
      if (unresolved.length > 0) lenses.push({ range, command: { title: `Bind ${unresolved.slice(0, 3).join(', ')}${unresolved.length > 3 ? '…' : ''}`, command: Commands.bindDims, arguments: args } });
    } else {
      lenses.push({ range, command: { title: params, command: Commands.setPythonEntry, arguments: [{ uri, entry: module.name }] } });
      lenses.push({ range, command: { title: `Profile ${module.name}`, command: Commands.setPythonEntry, arguments: [{ uri, entry: module.name }] } });
    }
  }
  return lenses;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** A range in this document; one in an imported file (it has a path) is shown at the top. */
function rangeOf(range: SourceRange | null): Range {
  return range && range.path === undefined ? range : { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
}

/** `(in /p/torchvision/ops/misc.py:52)` for a finding located in an imported file. */
function elsewhere(range: SourceRange | null): string {
  return range?.path === undefined ? '' : ` (in ${range.path}:${range.start.line + 1})`;
}

/** The frontend's own findings (syntax errors, unresolved names, forward fallbacks), located in the source. */
export function pythonDiagnostics(profiled: ProfiledModel): LspDiagnostic[] {
  const python = profiled.python;
  // A Python file with no sign of PyTorch is none of Ridgepoint's business: no diagnostics at all. (Not
  // "no module found": a syntax error can hide every module of a PyTorch file, and must still be shown.)
  const mentionsTorch = /\bnn\.Module\b|\btorch\b/.test(profiled.loaded.text);
  // No analysis at all (the parser could not be loaded): the reason, at the top of the file.
  if (!python) return mentionsTorch ? profiled.analysis.diagnostics.map((d) => ({ range: rangeOf(null), severity: SEVERITY[d.severity], code: d.code, source: 'ridgepoint', message: d.message })) : [];
  if (python.modules.length === 0 && !mentionsTorch) return [];
  // The missing input shape is said by the entry's code lens (Set input shape…), not as a warning in every file.
  const out: LspDiagnostic[] = python.diagnostics.filter((d) => d.code !== 'pytorch.no-input-shape').map((d) => ({ range: rangeOf(d.range), severity: SEVERITY[d.severity], code: d.code, source: 'ridgepoint', message: d.message + elsewhere(d.range) }));
  for (const u of python.unresolved) {
    if (out.some((d) => d.code === 'pytorch.unresolved' && d.message.includes(`\`${u.name}\``))) continue;
    out.push({ range: rangeOf(u.range), severity: DiagnosticSeverity.Information, code: 'pytorch.unresolved', source: 'ridgepoint', message: `${u.reason}${u.module ? '' : ` (bind \`${u.name}\`: Ridgepoint: Bind Symbolic Dimensions… or ridgepoint.dims)`}${elsewhere(u.range)}` });
  }
  return out;
}

// --- Hugging Face config.json -------------------------------------------------------------------

const summaryCache = new WeakMap<ProfiledModel, LlmSummary | null>();

function llmOptions(profiled: ProfiledModel): HfProfileOptions & { peakMode: ProfiledModel['options']['peakMode']; runtime: ProfiledModel['options']['runtime'] } {
  return { phase: profiled.loaded.ref.phase ?? 'prefill', ...llmSizes(profiled.options.bindings), ...llmServing(profiled.options.llm), peakMode: profiled.options.peakMode, runtime: profiled.options.runtime };
}

/** Prefill and decode on the chip (computed once per profile: it profiles both phases and searches the ridge batch). */
export function llmSummary(profiled: ProfiledModel): LlmSummary | null {
  if (summaryCache.has(profiled)) return summaryCache.get(profiled) ?? null;
  let summary: LlmSummary | null = null;
  try {
    summary = profiled.hf?.config ? summariseLlm(profiled.hf.config, profiled.options.chip, { ...llmOptions(profiled), searchRidge: true }) : null;
  } catch {
    summary = null; // the profile's own diagnostics say what is wrong with the config
  }
  summaryCache.set(profiled, summary);
  return summary;
}

export function hfHover(profiled: ProfiledModel, position: Position): Hover | null {
  const hf = profiled.hf;
  if (!hf?.raw) return null;
  const offset = profiled.loaded.lines.offsetAt(position);
  for (const [key, range] of hf.keyRanges) {
    if (offset < range.offset || offset > range.offset + range.length) continue;
    const text = explainConfigKey(hf.raw, key, profiled.options.chip, llmOptions(profiled));
    if (text === null) return null;
    return { contents: { kind: MarkupKind.Markdown, value: text }, range: profiled.loaded.lines.range({ start: range.offset, end: range.offset + range.length }) };
  }
  return null;
}

/**
 * The lenses over a config.json, in short rows on the first lines (one row never wraps, so a single row
 * of everything ran ~1,400 px wide and hid its last links): the size and the roofline links; each
 * phase's verdict, a click opens that phase's roofline; a decoder's "Decode sweep" chart; the decode ridge and
 * the sizes (a click binds them).
 */
export function hfCodeLenses(profiled: ProfiledModel): CodeLens[] {
  if (!profiled.hf?.config) return [];
  const summary = llmSummary(profiled);
  const prefill = { command: Commands.showRoofline, arguments: [{ uri: documentUriOf(profiled.loaded.ref) }] };
  const decode = { command: Commands.showRoofline, arguments: [{ uri: `${documentUriOf(profiled.loaded.ref)}#decode` }] };
  const [size, prefillVerdict, decodeVerdict, ridge] = summary ? codeLensParts(summary) : [];
  const o = llmOptions(profiled);
  // A decoder's sweep (tokens/s and step time against batch) opens in its own panel.
  const sweep = summary?.kind === 'decoder' && summary.sweep.length > 0 ? [{ title: 'Decode sweep', command: Commands.showDecodeSweep, arguments: prefill.arguments }] : [];
  const rows: Command[][] = [
    [...(size ? [{ title: size, ...prefill }] : []), { title: 'Prefill roofline', ...prefill }, { title: 'Decode roofline', ...decode }, ...sweep],
    [...(prefillVerdict ? [{ title: prefillVerdict, ...prefill }] : []), ...(decodeVerdict ? [{ title: decodeVerdict, ...decode }] : [])],
    [...(ridge ? [{ title: ridge, ...decode }] : []), { title: `batch ${o.batch} · prompt ${o.prompt} · generated ${o.generated}`, command: Commands.bindDims, arguments: prefill.arguments }],
    servingRow(summary),
  ].filter((row) => row.length > 0);
  const last = Math.max(0, profiled.loaded.lines.lineCount - 1);
  return lensRows(rows, rows.map((_, i) => Math.min(i, last)));
}

/** Precision and GPUs, memory fit, cost: each a click away from the ridgepoint.llm settings (VS Code's own settings editor, filtered). */
function servingRow(summary: LlmSummary | null): Command[] {
  if (summary === null || summary.kind !== 'decoder') return [];
  const settings = { command: 'workbench.action.openSettings', arguments: ['ridgepoint.llm'] };
  const parts = servingLensParts(summary);
  return [{ title: parts.layout, ...settings }, { title: parts.memory, ...settings }, ...(parts.cost !== null ? [{ title: parts.cost, ...settings }] : [])];
}

/** The 0-based line of the profiled entry's `class` / `def`, where its lenses are; null when there is none. */
export function pythonEntryLine(profiled: ProfiledModel): number | null {
  const python = profiled.python;
  const entry = python?.modules.find((m) => m.name === python.entry);
  return entry ? entry.range.start.line : null;
}
