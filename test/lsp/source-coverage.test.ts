import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLens, Hover, InlayHint, MarkupContent, MessageType } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspSession, ROOT } from '../../scripts/lib/lsp-session';

/**
 * A partly understood PyTorch source in the editor: the status bar's coverage (the `ridgepoint/profiled`
 * notification), the entry's code lens and hover with lower bounds, an error and a hint on the layer left
 * out. And a server whose Python parser cannot load says so once. Counts are derived by hand.
 */

/** The shared partly understood module: `WIDTH` is defined nowhere, so fc2 cannot be built. */
const PARTLY_RESOLVED = fs.readFileSync(path.join(ROOT, 'test/fixtures/pytorch/partly_resolved.py'), 'utf8');
const LINES = PARTLY_RESOLVED.split('\n');
const CLASS_LINE = LINES.findIndex((l) => l.startsWith('class Net'));
const FC2_LINE = LINES.findIndex((l) => l.includes('self.fc2 = nn.Linear(WIDTH'));

describe('language server: coverage of a PyTorch source', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;
  let uri: string;

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-coverage-lsp-'));
    uri = fileUri(path.join(tmp, 'net.py'));
    fs.writeFileSync(path.join(tmp, 'net.py'), PARTLY_RESOLVED);
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet', pytorch: { input: '4x16' } });
    await session.initialize(tmp);
    await session.open(uri, PARTLY_RESOLVED, 'python');
    // Profiled with the input shape of the settings (a time): an analysis before the server has read
    // them has no input, so no forward() and one problem fewer (seen on a loaded machine).
    await session.until(() => session.profiled.some((p) => p.uri === uri && p.totalSeconds !== null));
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('tells the status bar: incomplete, 1 of the 2 layers with parameters', () => {
    const profiled = session.profiled.filter((p) => p.uri === uri).at(-1);
    assert.deepEqual({ ...profiled?.coverage, problems: undefined }, { complete: false, layersResolved: 1, layersTotal: 2, problems: undefined });
    // fc2 left out, the forward that fell back, WIDTH unresolved.
    assert.ok((profiled?.coverage?.problems ?? 0) >= 3, JSON.stringify(profiled?.coverage));
  });

  it('the left-out layer is an error on its construction line, with a hint there', async () => {
    const diagnostics = await session.until(() => session.diagnostics.get(uri)?.diagnostics);
    const leftOut = diagnostics.find((d) => d.code === 'pytorch.layer-left-out');
    assert.ok(leftOut, JSON.stringify(diagnostics));
    assert.equal(leftOut.severity, 1, 'Error');
    assert.equal(leftOut.range.start.line, FC2_LINE);
    const hints = await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: LINES.length, character: 0 } } });
    const onFc2 = hints.find((h) => h.position.line === FC2_LINE);
    assert.match(String(onFc2?.label), /not in the totals \(see Problems\)/);
  });

  it('code lens on the entry: the coverage first, then the totals as lower bounds', async () => {
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const titles = lenses.filter((l) => l.range.start.line === CLASS_LINE).map((l) => l.command?.title ?? '');
    assert.equal(titles[0], '$(warning) incomplete: 1 of 2 layers, see Problems');
    assert.equal(lenses.find((l) => l.command?.title === titles[0])?.command?.command, 'workbench.actions.view.problems');
    // fc1 (16·32 + 32) and fc2's bias (10): 554 parameters at least.
    assert.ok(titles.some((t) => /^≥ 554 params · ≥ [\d.]+ [µm]?s per forward on NVIDIA H100/.test(t)), JSON.stringify(titles));
  });

  it('hover on the entry line: the totals labelled as lower bounds, and why', async () => {
    const hover = await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: CLASS_LINE, character: 7 } });
    const text = (hover?.contents as MarkupContent | undefined)?.value ?? '';
    assert.match(text, /\*\*Net\*\* \(entry\) · ≥ 554 parameters/);
    assert.match(text, /≥ [\d.]+ [µm]?s per forward/);
    assert.match(text, /\*\*Incomplete:\*\* 1 of 2 layers resolved; these totals are lower bounds/);
  });

  it('is complete once WIDTH is bound: no error, no warning lens, the status bar told', async () => {
    await session.setSettings({ chip: 'h100', peakMode: 'datasheet', pytorch: { input: '4x16' }, dims: { WIDTH: 32 } });
    const profiled = await session.until(() => session.profiled.filter((p) => p.uri === uri && p.coverage?.complete === true).at(-1));
    assert.deepEqual(profiled.coverage, { complete: true, layersResolved: 2, layersTotal: 2, problems: 0 });
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.ok(!lenses.some((l) => (l.command?.title ?? '').includes('incomplete')));
    // 16·32 + 32 + 32·10 + 10 = 874.
    assert.ok(lenses.some((l) => (l.command?.title ?? '').startsWith('874 params · ')), JSON.stringify(lenses.map((l) => l.command?.title)));
  });
});

describe('language server: a frontend that cannot start', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;

  before(() => {
    ensureBuilt();
    // The bundle alone, as a .vsix without the grammar wasm installs it: no wasm beside it, no node_modules above.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-no-grammar-'));
    fs.copyFileSync(path.join(ROOT, 'dist/server.js'), path.join(tmp, 'server.js'));
    session = new LspSession({ chip: 'h100', pytorch: { input: '4x16' } }, path.join(tmp, 'server.js'));
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('says so once in an error notification and the log, and each PyTorch file gets an error diagnostic', async () => {
    await session.initialize(tmp);
    const first = fileUri(path.join(tmp, 'a.py'));
    const second = fileUri(path.join(tmp, 'b.py'));
    await session.open(first, PARTLY_RESOLVED, 'python');
    const message = await session.until(() => session.messages.find((m) => m.type === MessageType.Error));
    assert.match(message.message, /^Ridgepoint: the PyTorch source frontend \(Python parser\) cannot start, so \.py models are not analysed: /);
    await session.open(second, PARTLY_RESOLVED, 'python');
    const diagnostics = await session.until(() => session.diagnostics.get(second)?.diagnostics);
    assert.equal(diagnostics[0]?.code, 'pytorch.parser-unavailable');
    assert.equal(diagnostics[0]?.severity, 1);
    assert.equal(session.messages.filter((m) => m.type === MessageType.Error).length, 1, 'one notification, not one per file');
    assert.equal(session.logs.filter((m) => m.type === MessageType.Error && /Python parser\) cannot start/.test(m.message)).length, 1, 'logged once');
  });
});
