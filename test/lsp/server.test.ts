import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLens, DiagnosticSeverity, DocumentSymbol, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { Report } from '../../server/src/analysis/report';
import { FileByteSource } from '../../server/src/cli/file-source';
import { humanTime } from '../../server/src/format/units';
import { ChipsResult, RenderResult, UnboundDimsResult } from '../../server/src/protocol';
import { CORPUS, ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';
import { corpusPrerequisite } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';
import { modelProto, valueInfo } from '../../scripts/lib/onnx-writer';
import { vitModel } from '../../scripts/lib/vit';

const MNIST = path.join(CORPUS, 'cnn', 'mnist-8_cntk.onnx');
const TRANSFORMER = path.join(CORPUS, 'transformer', 'vespa_dummy_transformer.onnx');
const IF_MODEL = path.join(CORPUS, 'control-flow', 'if_subgraph_onnxconverter.onnx');

function viewUri(file: string): string {
  return fileUri(file).replace(/^file:/, 'ridgepoint-onnx:');
}

function hoverText(hover: Hover | null): string {
  assert.ok(hover, 'expected a hover');
  return (hover.contents as MarkupContent).value;
}

/** Main-graph node count by the core directly: the render must show exactly these. */
function mainNodeCount(file: string): number {
  const source = new FileByteSource(file);
  try {
    return analyzeModel(source).model?.graph.nodes.length ?? -1;
  } finally {
    source.close();
  }
}

describe('language server over stdio', function () {
  this.timeout(60_000);
  requireInSuite(corpusPrerequisite('models'));
  let session: LspSession;
  let tmp: string;

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-lsp-'));
    session = new LspSession({ chip: 'h100', dims: { batch: 1, seq: 128 } });
    await session.initialize(tmp);
  });

  after(async () => {
    // Also after a before() that did not get this far (a missing prerequisite).
    await session?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Renders a binary model and opens its view, as the VS Code client does. */
  async function openView(file: string): Promise<{ uri: string; render: RenderResult }> {
    const render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(file) });
    const uri = viewUri(file);
    await session.open(uri, render.text);
    return { uri, render };
  }

  it('renders a CNN as the readable view, op type first, with one range per node, in text order', async () => {
    const render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(MNIST) });
    assert.equal(render.error, undefined);
    assert.doesNotMatch(render.text, /= Conv\b/, 'not ONNX textual syntax');
    const main = render.nodes.filter((n) => !n.id.includes('/'));
    assert.equal(main.length, mainNodeCount(MNIST));
    const lines = render.text.split('\n');
    for (const node of render.nodes) {
      const line = lines[node.opRange.start.line] ?? '';
      const op = line.slice(node.opRange.start.character, node.opRange.end.character);
      assert.match(op, /^[A-Za-z][\w.]*$/, `op range of ${node.id} covers "${op}"`);
      // The op type is the first thing on the node's line.
      assert.equal(line.slice(0, node.opRange.start.character).trim(), '', `${node.id}: "${line}"`);
      assert.equal(node.range.start.line, node.range.end.line, `${node.id}: one line`);
    }
    assert.ok(lines.some((l) => /^\s*Conv\s/.test(l)), 'a Conv line');
    for (let i = 1; i < render.nodes.length; i++) {
      assert.ok(render.nodes[i]!.range.start.line >= render.nodes[i - 1]!.range.start.line, 'nodes in text order');
    }
  });

  it('renders the full ONNX textual syntax on request (Open as ONNX Text)', async () => {
    const render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(MNIST), syntax: 'onnx' });
    assert.equal(render.error, undefined);
    assert.match(render.text, /= Conv\b/);
    assert.equal(render.nodes.filter((n) => !n.id.includes('/')).length, mainNodeCount(MNIST));
  });

  it('hover on a Conv gives shapes and the same cost the profile request reports', async () => {
    const { uri, render } = await openView(MNIST);
    const report = await session.request<Report>('ridgepoint/profile', { uri, chip: 'h100' });
    const conv = render.nodes.find((n) => render.text.split('\n')[n.opRange.start.line]!.slice(n.opRange.start.character, n.opRange.end.character) === 'Conv');
    assert.ok(conv, 'a Conv node');
    const text = hoverText(await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: conv.opRange.start }));
    const node = report.nodes.find((n) => n.id === conv.id);
    assert.ok(node && node.timeSeconds !== undefined);
    assert.match(text, /\*\*Conv\*\*/);
    assert.match(text, /float\[1,\d+,\d+,\d+\]/);
    assert.ok(text.includes(humanTime(node.timeSeconds)), `hover shows ${humanTime(node.timeSeconds)}: ${text}`);
    // Its band: H100 has no calibrated band for convolutions yet, so the default ×0.5–×2, in the value's
    // unit (µs) to two significant digits, and a row saying so.
    const us = (s: number): string => String(Number((s * 1e6).toPrecision(2)));
    assert.ok(text.includes(`**${humanTime(node.timeSeconds)}** (${us(0.5 * node.timeSeconds)}–${us(2 * node.timeSeconds)})`), text);
    // (mdText escapes the period: Markdown shows ×0.5.)
    assert.match(text, /^\| Range \| band ×0\\\.5–×2: its op class is not calibrated on this chip \(conv\) \|$/m);
    // MNIST's first Conv moves 28 KiB: 0.01 µs at 3.02 TB/s, under H100's 3 µs per-kernel cost, so the
    // fixed cost bounds it (launch-bound), whatever the roofline's own memory/compute verdict.
    const launchBound = (node.overheadSeconds ?? 0) > Math.max(node.computeSeconds ?? 0, node.memorySeconds ?? 0);
    assert.ok(launchBound, 'the hand derivation above: MNIST Conv on H100 is launch-bound');
    assert.match(text, /\*\*launch-bound\*\*: the fixed per-kernel cost \(3 µs\)/);
    assert.match(text, /FLOP/);
    assert.match(text, /ridge [\d.]+ FLOP\/B/);
    assert.match(text, /of the model/);
    assert.match(text, /Energy/);
  });

  it('publishes totals for the status bar and diagnostics for an open view', async () => {
    const { uri } = await openView(MNIST);
    const profiled = await session.until(() => session.profiled.find((p) => p.uri === uri));
    assert.equal(profiled.chip, 'h100');
    assert.ok(profiled.totalSeconds !== null && profiled.totalSeconds > 0);
    const report = await session.request<Report>('ridgepoint/profile', { uri });
    assert.equal(profiled.totalSeconds, report.totals?.timeSeconds);
    await session.until(() => session.diagnostics.get(uri));
  });

  it('inlay hints: a fixed-width cost column at the start of every node line, with time, share and bound', async () => {
    const { uri, render } = await openView(MNIST);
    const report = await session.request<Report>('ridgepoint/profile', { uri });
    const end = { line: render.text.split('\n').length, character: 0 };
    const hints = await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end } });
    assert.deepEqual(
      hints.map((h) => h.position),
      render.nodes.map((n) => ({ line: n.range.start.line, character: 0 })),
      'one hint per node line, at its start',
    );
    const widths = new Set(hints.map((h) => String(h.label).length));
    assert.equal(widths.size, 1, `one column width: ${[...widths].join(', ')}`);
    const kernels = report.nodes.filter((n) => n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead');
    const timed = hints.filter((h) => /(µs|ms| s) \u2007*\d+\.\d% (mem|comp|ovhd)\u2007*│$/.test(String(h.label)));
    assert.equal(timed.length, kernels.length, hints.map((h) => String(h.label)).join('\n'));
    // The shares in the column are the nodes' time over the model's.
    const total = report.totals?.timeSeconds ?? 0;
    for (const node of kernels) {
      const hint = hints.find((h) => h.position.line === render.nodes.find((n) => n.id === node.id)?.range.start.line);
      assert.ok(String(hint?.label).includes(`${(((node.timeSeconds ?? 0) / total) * 100).toFixed(1)}%`), `${node.id}: ${String(hint?.label)}`);
    }
    // A range covering only the first half asks for fewer hints.
    const half = await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: Math.floor(end.line / 2), character: 0 } } });
    assert.ok(half.length < hints.length);
  });

  it('code lenses on the graph header and an outline of the graph', async () => {
    const { uri } = await openView(MNIST);
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.match(lenses[0]?.command?.title ?? '', /per run on NVIDIA H100/);
    assert.ok(lenses.some((l) => l.command?.command === 'ridgepoint.showRoofline'));
    const symbols = await session.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols[0]?.children?.length, mainNodeCount(MNIST));
  });

  /** A torch-style export: two layers of fc (MatMul) → act (Relu) and a shape chain at the top. */
  function writeLayeredModel(): string {
    const file = path.join(tmp, 'layered.onnx');
    const FLOAT = 1;
    const layer = (i: number, input: string): Array<{ op: string; inputs: string[]; outputs: string[]; name: string }> => [
      { op: 'MatMul', inputs: [input, `layers.${i}.fc.weight`], outputs: [`/layers/layers.${i}/fc/MatMul_output_0`], name: `/layers/layers.${i}/fc/MatMul` },
      { op: 'Relu', inputs: [`/layers/layers.${i}/fc/MatMul_output_0`], outputs: [`/layers/layers.${i}/act/Relu_output_0`], name: `/layers/layers.${i}/act/Relu` },
    ];
    modelProto({
      irVersion: 8,
      opsets: { '': 17 },
      graph: {
        name: 'layered',
        nodes: [
          { op: 'Shape', inputs: ['x'], outputs: ['/Shape_output_0'], name: '/Shape' },
          ...layer(0, 'x'),
          ...layer(1, '/layers/layers.0/act/Relu_output_0'),
          { op: 'Reshape', inputs: ['/layers/layers.1/act/Relu_output_0', '/Shape_output_0'], outputs: ['y'], name: '/Reshape' },
        ],
        inputs: [valueInfo('x', FLOAT, [64, 256])],
        outputs: [valueInfo('y', FLOAT, [64, 256])],
        initializers: [0, 1].map((i) => ({ name: `layers.${i}.fc.weight`, dtype: FLOAT, dims: [256, 256], rawZeros: 256 * 256 * 4 })),
      },
    }).writeFile(file);
    return file;
  }

  it('folds the view by module and folds initializers and shape ops as imports', async () => {
    const { uri, render } = await openView(writeLayeredModel());
    const lines = render.text.split('\n');
    const ranges = await session.request<Array<{ startLine: number; endLine: number; kind?: string }>>('textDocument/foldingRange', { textDocument: { uri } });
    const described = ranges.map((r) => `${r.kind ?? 'scope'}: ${(lines[r.startLine] ?? '').trim()} … ${(lines[r.endLine] ?? '').trim().split(' ')[0]}`);
    assert.deepEqual(described, [
      // Two 256×256 fp32 weights: 131,072 parameters (131.1 k), 524,288 B = 512 KiB.
      'imports: 2 initializers · 131.1 k parameters · 512 KiB … layers.1.fc.weight',
      'imports: ⋯ 1 shape op (Shape) … Shape',
      'scope: layers … Relu',
      'scope: layers › 0 … Relu',
      'scope: layers › 0 › fc … MatMul',
      'scope: layers › 0 › act … Relu',
      'scope: layers › 1 … Relu',
      'scope: layers › 1 › fc … MatMul',
      'scope: layers › 1 › act … Relu',
    ]);
  });

  it('a code lens per module group of several nodes: its time, share, bound and op count', async () => {
    const { uri, render } = await openView(writeLayeredModel());
    const report = await session.request<Report>('ridgepoint/profile', { uri });
    const lines = render.text.split('\n');
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const onLine = (text: string): string | undefined => lenses.find((l) => (lines[l.range.start.line] ?? '').trim() === text)?.command?.title;
    const total = report.totals?.timeSeconds ?? 0;
    const layerTime = (i: number): number => report.nodes.filter((n) => n.name.startsWith(`/layers/layers.${i}/`)).reduce((sum, n) => sum + (n.timeSeconds ?? 0), 0);
    const expected = (seconds: number, ops: number): RegExp => new RegExp(`^${humanTime(seconds).replace('.', '\\.')} · ${((seconds / total) * 100).toFixed(1).replace('.', '\\.')}% · (memory|compute|launch)-bound · ${ops} ops$`);
    assert.match(onLine('layers') ?? '', expected(layerTime(0) + layerTime(1), 4));
    assert.match(onLine('layers › 1') ?? '', expected(layerTime(1), 2));
    // A one-node group has no lens: its cost is in the node line's column.
    assert.equal(onLine('layers › 0 › fc'), undefined);
  });

  it('the outline of the view is the module tree', async () => {
    const { uri } = await openView(writeLayeredModel());
    const symbols = await session.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const tree = (s: DocumentSymbol): string => (s.children && s.children.length > 0 ? `${s.name}(${s.children.map(tree).join(' ')})` : s.name);
    assert.equal(symbols.map(tree).join(' '), 'layered(Shape layers(0(fc(MatMul) act(Relu)) 1(fc(MatMul) act(Relu))) Reshape)');
  });

  it('subgraph nodes get their own ranges and symbols under the owning If', async () => {
    const { uri, render } = await openView(IF_MODEL);
    const inner = render.nodes.filter((n) => n.id.includes('/'));
    assert.ok(inner.length > 0, 'If branches rendered');
    const symbols = await session.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const nested = JSON.stringify(symbols);
    assert.match(nested, /then_branch|else_branch|subgraph/);
  });

  it('profiles for another chip on request, and lists the chips', async () => {
    const uri = viewUri(MNIST);
    const h100 = await session.request<Report>('ridgepoint/profile', { uri, chip: 'h100' });
    const a100 = await session.request<Report>('ridgepoint/profile', { uri, chip: 'a100' });
    assert.equal(a100.chip?.id.startsWith('a100'), true);
    assert.notEqual(a100.totals?.timeSeconds, h100.totals?.timeSeconds);
    const chips = await session.request<ChipsResult>('ridgepoint/chips');
    assert.ok(chips.chips.length >= 25);
    assert.ok(chips.chips.some((c) => c.id === 'h100' && c.memoryBandwidthGBs > 3000 && c.peakTFlops !== null));
  });

  it('a truncated model: a located error, and the server keeps answering', async () => {
    const bytes = fs.readFileSync(MNIST);
    const broken = path.join(tmp, 'truncated.onnx');
    fs.writeFileSync(broken, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { uri, render } = await openView(broken);
    const diagnostics = await session.until(() => session.diagnostics.get(uri));
    const errors = diagnostics.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    assert.ok(errors.length > 0 || render.error !== undefined, 'an error is reported');
    // Still alive: a hover on a good model answers.
    const good = await openView(MNIST);
    const first = good.render.nodes[0]!;
    assert.ok(await session.request<Hover | null>('textDocument/hover', { textDocument: { uri: good.uri }, position: first.opRange.start }));
    assert.ok(session.alive);
  });

  it('a large model reports $/progress while it is analysed', async () => {
    // ~40 MiB of zero weights: over the 32 MiB threshold for a progress notification.
    const file = path.join(tmp, 'vit-40mb.onnx');
    vitModel({ layers: 4, dim: 768, mlp: 2048, heads: 12, patch: 16, image: 64, classes: 10 }).model.writeFile(file);
    assert.ok(fs.statSync(file).size > 32 * 2 ** 20);
    const { uri } = await openView(file);
    await session.until(() => session.profiled.find((p) => p.uri === uri));
    const begin = await session.until(() => session.progress.find((p) => p.value.kind === 'begin' && /vit-40mb\.onnx/.test(p.value.message ?? '')));
    await session.until(() => session.progress.find((p) => p.token === begin.token && p.value.kind === 'end'));
  });

  it('symbolic dims: unbound ones are diagnosed until bound for the model', async () => {
    await session.setSettings({ chip: 'h100', dims: {} });
    const { uri } = await openView(TRANSFORMER);
    const dims = await session.request<UnboundDimsResult>('ridgepoint/dims', { uri });
    const unbound = dims.dims.filter((d) => d.value === null).map((d) => d.name);
    assert.ok(unbound.length > 0, 'the transformer has symbolic input dims');
    await session.until(() => session.diagnostics.get(uri)?.diagnostics.some((d) => d.code === 'dims.unbound'));
    await session.connection.sendNotification('ridgepoint/setBindings', { uri, bindings: Object.fromEntries(unbound.map((n) => [n, 8])) });
    await session.until(() => {
      const list = session.diagnostics.get(uri)?.diagnostics;
      return list !== undefined && !list.some((d) => d.code === 'dims.unbound');
    });
    const bound = await session.request<UnboundDimsResult>('ridgepoint/dims', { uri });
    assert.ok(bound.dims.every((d) => d.value === 8));
    await session.setSettings({ chip: 'h100', dims: { batch: 1, seq: 128 } });
  });

  it('an unknown chip in the settings: a warning naming near ids, and H100 meanwhile', async () => {
    await session.setSettings({ chip: 'h10O', dims: { batch: 1 } });
    const warning = await session.until(() => session.messages.find((m) => m.message.includes('Unknown chip "h10O"')));
    assert.match(warning.message, /Did you mean "h100/);
    const report = await session.request<Report>('ridgepoint/profile', { uri: viewUri(MNIST) });
    assert.equal(report.chip?.id, 'h100');
    await session.setSettings({ chip: 'h100', dims: { batch: 1, seq: 128 } });
  });

  it('ridgepoint.runtime: cuda-graphs costs every kernel 1 µs instead of H100\'s 3 µs', async () => {
    type Totals = { timeSeconds: number; overheadSeconds: number; costedNodes: number };
    const eager = await session.request<Report>('ridgepoint/profile', { uri: viewUri(MNIST) });
    await session.setSettings({ chip: 'h100', dims: { batch: 1, seq: 128 }, runtime: 'cuda-graphs' });
    try {
      // The server pulls the settings after the notification: ask until the new runtime is in force.
      let graphs = await session.request<Report>('ridgepoint/profile', { uri: viewUri(MNIST) });
      for (let tries = 0; graphs.runtime !== 'cuda-graphs' && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        graphs = await session.request<Report>('ridgepoint/profile', { uri: viewUri(MNIST) });
      }
      assert.equal(eager.runtime, 'eager');
      assert.equal(graphs.runtime, 'cuda-graphs');
      const e = eager.totals as unknown as Totals;
      const g = graphs.totals as unknown as Totals;
      // MNIST runs no loops: one kernel per costed node, so the total drops by (3 − 1) µs per costed node.
      assert.equal(g.costedNodes, e.costedNodes);
      assert.ok(Math.abs(e.timeSeconds - g.timeSeconds - e.costedNodes * 2e-6) < 1e-12, `${e.timeSeconds} - ${g.timeSeconds} vs ${e.costedNodes} kernels`);
      assert.ok(Math.abs(g.overheadSeconds - g.costedNodes * 1e-6) < 1e-12);
      // The views say which runtime the times were predicted under: the hover gets a row, every inlay hint a
      // tooltip (the column keeps its width), and the status bar's notification carries it with the launch share.
      const { uri, render } = await openView(MNIST);
      const conv = render.nodes.find((n) => render.text.split('\n')[n.opRange.start.line]!.slice(n.opRange.start.character, n.opRange.end.character) === 'Conv');
      assert.ok(conv, 'a Conv node');
      const hover = hoverText(await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: conv.opRange.start }));
      // mdText escapes the hyphen (`cuda\-graphs`): Markdown renders it as written.
      assert.match(hover, /^\| Runtime \| cuda\\-graphs: a replayed CUDA graph, 1 µs a kernel instead of 3 µs launched eagerly \|$/m);
      const hints = await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: render.text.split('\n').length, character: 0 } } });
      assert.ok(hints.length > 0 && hints.every((h) => String(h.tooltip).startsWith('Predicted under the cuda-graphs: a replayed CUDA graph')), String(hints[0]?.tooltip));
      const notified = await session.until(() => [...session.profiled].reverse().find((p) => p.uri === uri && p.runtime === 'cuda-graphs'));
      assert.ok(Math.abs((notified.launchShare ?? NaN) - g.overheadSeconds / g.timeSeconds) < 1e-12);
    } finally {
      await session.setSettings({ chip: 'h100', dims: { batch: 1, seq: 128 } });
    }
  });
});
