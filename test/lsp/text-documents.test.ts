import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiagnosticSeverity, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

/** A small MLP in ONNX textual syntax, with an output named like an HTML injection. */
const HOSTILE = '<img src=x onerror=alert(1)>';
const MLP = [
  '<',
  '   ir_version: 8,',
  '   opset_import: ["" : 17]',
  '>',
  `mlp (float[batch,512] x, float[512,2048] w1, float[2048,512] w2) => (float[batch,512] "${HOSTILE}")`,
  '{',
  '   h = MatMul (x, w1)',
  '   a = Relu (h)',
  `   "${HOSTILE}" = MatMul (a, w2)`,
  '}',
  '',
].join('\n');

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `"${needle}" in the text`);
  return index;
}

describe('language server on .onnxtxt documents', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-onnxtxt-'));
    session = new LspSession({ chip: 'h100', dims: { batch: 4 } });
    await session.initialize(tmp);
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('parses a hand-written model: hover and hints come from the document text', async () => {
    const uri = fileUri(path.join(tmp, 'mlp.onnxtxt'));
    await session.open(uri, MLP);
    const diagnostics = await session.until(() => session.diagnostics.get(uri));
    assert.deepEqual(diagnostics.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error), []);
    const line = lineOf(MLP, 'h = MatMul');
    const hover = await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: MLP.split('\n')[line]!.indexOf('MatMul') } });
    const text = (hover?.contents as MarkupContent).value;
    // batch 4 × 512 × 2048 multiply-adds, 2 FLOPs each: 8,388,608 FLOPs, 8.389 M to four digits.
    assert.match(text, /float\[4,2048\]/);
    assert.match(text, /8\.389 MFLOP \(4\.194 MMAC\)/);
    const hints = await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
    assert.equal(hints.length, 3);
  });

  it('hostile names are shown as text, never as markup', async () => {
    const uri = fileUri(path.join(tmp, 'hostile.onnxtxt'));
    await session.open(uri, MLP);
    const line = lineOf(MLP, `"${HOSTILE}" = MatMul`);
    const hover = await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: MLP.split('\n')[line]!.indexOf('MatMul') } });
    const text = (hover?.contents as MarkupContent).value;
    assert.ok(!text.includes('<img'), text);
    assert.match(text, /&lt;img src=x onerror=alert\\\(1\\\)&gt;/);
  });

  it('a syntax error mid-edit is located, and the rest of the graph is still analysed', async () => {
    const uri = fileUri(path.join(tmp, 'edit.onnxtxt'));
    await session.open(uri, MLP);
    await session.until(() => session.diagnostics.get(uri));
    const broken = MLP.replace('   a = Relu (h)', '   a = Relu (h\n   oops = = (');
    await session.change(uri, broken);
    const brokenLine = lineOf(broken, 'oops');
    const diagnostics = await session.until(() => {
      const list = session.diagnostics.get(uri)?.diagnostics ?? [];
      return list.some((d) => d.severity === DiagnosticSeverity.Error) ? list : undefined;
    });
    const error = diagnostics.find((d) => d.severity === DiagnosticSeverity.Error);
    assert.ok(error && Math.abs(error.range.start.line - brokenLine) <= 1, `error near line ${brokenLine}: ${JSON.stringify(error)}`);
    // The node after the broken statements still hovers.
    const after = lineOf(broken, `"${HOSTILE}" = MatMul`);
    const hover = await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: after, character: broken.split('\n')[after]!.indexOf('MatMul') } });
    assert.ok(hover, 'the statement after the error is still a node');
    assert.ok(session.alive);
  });

  it('garbage input: diagnostics, no crash', async () => {
    const uri = fileUri(path.join(tmp, 'garbage.onnxtxt'));
    await session.open(uri, '\u0000\u0001 {{{ ]]] <<< "unterminated');
    const diagnostics = await session.until(() => session.diagnostics.get(uri));
    assert.ok(diagnostics.diagnostics.length > 0);
    assert.ok(session.alive);
  });
});
