import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeAction, CodeLens } from 'vscode-languageserver-protocol';
import { Report } from '../../server/src/analysis/report';
import { UnboundDimsResult } from '../../server/src/protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

/**
 * Defaults that do not mislead, through the language server: a model whose sizes are unbound (named the
 * way PaddleOCR's exporter names them) says what is not costed instead of "0.00 µs per run", offers a
 * one-click default and names input and axis when it asks; the report lists only the bindings the model
 * uses; a config.json's lenses come in short rows.
 */
const PP_OCR_LIKE = `<ir_version: 8, opset_import: ["" : 17]>
det (float["p2o.DynamicDimension.0", 3, "p2o.DynamicDimension.1", "p2o.DynamicDimension.2"] x) => (float y) {
  y = Relu (x)
}
`;

/** The same graph with the sizes it was exported at recorded in its metadata. */
const WITH_SIZES = `<ir_version: 8, opset_import: ["" : 17], metadata_props: ["x_shape": "1x3x640x480"]>
det (float[N, 3, H, W] x) => (float y) {
  y = Relu (x)
}
`;

const LLAMA = path.resolve(__dirname, '../fixtures/hf/llama-2-7b.json');

function titles(lenses: CodeLens[]): string[] {
  return lenses.map((l) => l.command?.title ?? '');
}

describe('language server: defaults that do not mislead', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;
  const settings = { chip: 'h100', peakMode: 'datasheet', dims: { batch: 1, seq: 2048 } };

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-defaults-'));
    // The extension's default dims (package.json): batch 1 and seq 2048, which this model does not use.
    session = new LspSession(settings);
    await session.initialize(tmp);
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function openText(name: string, text: string): Promise<string> {
    const uri = fileUri(path.join(tmp, name));
    await session.open(uri, text);
    await session.until(() => session.profiled.find((p) => p.uri === uri));
    return uri;
  }

  it('unbound sizes: the totals say what is not costed and offer batch 1, never "0.00 µs per run"', async () => {
    const uri = await openText('det.onnxtxt', PP_OCR_LIKE);
    const profiled = session.profiled.filter((p) => p.uri === uri).at(-1);
    assert.equal(profiled?.totalSeconds, null);
    assert.deepEqual(profiled?.unboundDims, ['p2o.DynamicDimension.0', 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2']);
    const lenses = titles(await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } }));
    assert.ok(!lenses.some((t) => /µs|per run/.test(t)), JSON.stringify(lenses));
    assert.ok(lenses.includes('Not costed: bind p2o.DynamicDimension.0 +2 more'), JSON.stringify(lenses));
    // The leading dim of a 4-d image input is its batch (1); height and width only the user knows.
    assert.ok(lenses.includes('Use batch 1, enter 2 other sizes…'), JSON.stringify(lenses));
    const report = await session.request<Report>('ridgepoint/profile', { uri });
    assert.equal(report.totals?.costedNodes, 0);
  });

  it('the bind prompt names input and axis: ridgepoint/dims gives each dim\'s uses and default', async () => {
    const uri = fileUri(path.join(tmp, 'det.onnxtxt'));
    const { dims } = await session.request<UnboundDimsResult>('ridgepoint/dims', { uri });
    const shape = '[p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2]';
    assert.deepEqual(dims, [
      { name: 'p2o.DynamicDimension.0', value: null, uses: [{ input: 'x', axis: 0, shape }], suggested: 1, suggestedFrom: 'batch' },
      { name: 'p2o.DynamicDimension.1', value: null, uses: [{ input: 'x', axis: 2, shape }], suggested: null, suggestedFrom: null },
      { name: 'p2o.DynamicDimension.2', value: null, uses: [{ input: 'x', axis: 3, shape }], suggested: null, suggestedFrom: null },
    ]);
    // The quick fix on the unbound-dim diagnostic offers the same default.
    const diagnostic = await session.until(() => session.diagnostics.get(uri)?.diagnostics.find((d) => d.code === 'dims.unbound'));
    const actions = await session.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    assert.deepEqual(
      actions.map((a) => [a.title, a.command?.command]),
      [
        ['Ridgepoint: Use batch 1, enter 2 other sizes…', 'ridgepoint.bindDefaultDims'],
        ['Ridgepoint: Bind symbolic dimensions…', 'ridgepoint.bindDims'],
      ],
    );
  });

  it('once bound: a time, and the report lists only the bindings the model uses (no seq=2048 for a CNN)', async () => {
    const uri = fileUri(path.join(tmp, 'det.onnxtxt'));
    const bindings = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 640, 'p2o.DynamicDimension.2': 640 };
    await session.notify('ridgepoint/setBindings', { uri, bindings });
    await session.until(() => session.profiled.filter((p) => p.uri === uri).at(-1)?.totalSeconds);
    const report = await session.request<Report>('ridgepoint/profile', { uri });
    assert.deepEqual(report.bindings, bindings);
    // Relu reads and writes 1·3·640·640 float32 values: 2 × 1,228,800 × 4 B.
    assert.equal(report.totals?.bytes, 2 * 1_228_800 * 4);
    const lenses = titles(await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } }));
    assert.ok(lenses.some((t) => /^[\d.]+ [µm]?s per run on NVIDIA H100/.test(t)), JSON.stringify(lenses));
    assert.ok(!lenses.some((t) => t.startsWith('Not costed')));
  });

  it('energy is the same on H100 and A100, and the report says why', async () => {
    const uri = fileUri(path.join(tmp, 'det.onnxtxt'));
    const h100 = await session.request<Report>('ridgepoint/profile', { uri, chip: 'h100' });
    const a100 = await session.request<Report>('ridgepoint/profile', { uri, chip: 'a100' });
    // docs/chips.md "Energy": Relu is 1 FLOP per element at fp32 (1.31 + 0.38) / 2 = 0.845 pJ, and HBM
    // moves a byte for the midpoint of 250–450 pJ per 64-bit access: 350 / 8 = 43.75 pJ. Both chips use HBM.
    const expected = 1_228_800 * 0.845e-12 + 2 * 1_228_800 * 4 * 43.75e-12;
    for (const r of [h100, a100]) assert.ok(Math.abs((r.totals?.energyJoules ?? 0) - expected) < 1e-12, `${r.chip?.id}: ${r.totals?.energyJoules} J`);
    assert.notEqual(h100.totals?.timeSeconds, a100.totals?.timeSeconds);
    assert.match(h100.energyBasis ?? '', /same memory type \(H100 and A100: HBM\) get the same energy/);
  });

  it('sizes the model records make the one-click default complete', async () => {
    const uri = await openText('sized.onnxtxt', WITH_SIZES);
    const lenses = titles(await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } }));
    assert.ok(lenses.includes("Use batch 1 and the model's example sizes"), JSON.stringify(lenses));
    const { dims } = await session.request<UnboundDimsResult>('ridgepoint/dims', { uri });
    assert.deepEqual(
      dims.map((d) => [d.name, d.suggested, d.suggestedFrom]),
      [
        ['N', 1, 'batch'],
        ['H', 640, 'model'],
        ['W', 480, 'model'],
      ],
    );
  });

  it('a config.json: short lenses in rows on separate lines, the decode roofline reachable', async () => {
    const text = fs.readFileSync(LLAMA, 'utf8');
    const config = fileUri(path.join(tmp, 'config.json'));
    fs.writeFileSync(path.join(tmp, 'config.json'), text);
    await session.open(config, text, 'json');
    await session.until(() => session.profiled.find((p) => p.uri === config));
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: config } });
    for (const l of lenses) assert.ok((l.command?.title ?? '').length <= 60, `short lens: ${l.command?.title}`);
    const rows = new Map<number, string[]>();
    for (const l of lenses) rows.set(l.range.start.line, [...(rows.get(l.range.start.line) ?? []), l.command?.title ?? '']);
    assert.ok(rows.size >= 3, `rows: ${JSON.stringify([...rows])}`);
    // A row of at most ~100 characters fits a normal editor width (about 7 px a character at the lens font).
    for (const [line, row] of rows) assert.ok(row.join(' | ').length <= 100, `row ${line}: ${row.join(' | ')}`);
    const decode = lenses.find((l) => l.command?.title === 'Decode roofline');
    assert.deepEqual(decode?.command?.arguments, [{ uri: `${config}#decode` }]);
    // LLaMA-2-7B: 6,738,415,616 parameters (Meta's model card: 7B) = 6.738 G, four significant digits.
    assert.ok(titles(lenses).some((t) => t.startsWith('6.738 G params')), JSON.stringify(titles(lenses)));
  });
});
