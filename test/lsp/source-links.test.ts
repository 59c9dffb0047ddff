import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { RenderResult } from '../../server/src/protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

/**
 * ONNX → source lines in the editor: a workspace holding a PyTorch module (tiny_net.py) and its
 * TorchScript export with stack traces (scripts/export-source-map-fixture.py). The ONNX view's hover
 * links each node to the line of tiny_net.py that produced it.
 */
const WORKSPACE = path.resolve(__dirname, '../fixtures/source-map');
const MODEL = path.join(WORKSPACE, 'tiny_net_torchscript.onnx');
const SOURCE = path.join(WORKSPACE, 'tiny_net.py');

/** 1-based line of the statement in tiny_net.py, found by searching the file (not a number copied from output). */
function lineOf(statement: string): number {
  const lines = fs.readFileSync(SOURCE, 'utf8').split('\n');
  const index = lines.findIndex((l) => l.trim() === statement);
  assert.ok(index >= 0, `tiny_net.py has "${statement}"`);
  return index + 1;
}

describe('language server: ONNX nodes link to the Python lines that produced them', function () {
  this.timeout(60_000);
  let session: LspSession;
  let uri: string;
  let render: RenderResult;

  before(async () => {
    ensureBuilt();
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet', dims: { batch: 1 } });
    await session.initialize(WORKSPACE);
    render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(MODEL) });
    uri = fileUri(MODEL).replace(/^file:/, 'ridgepoint-onnx:');
    await session.open(uri, render.text);
  });

  after(async () => {
    await session.dispose();
  });

  async function hoverOn(opType: string, nth = 0): Promise<string> {
    // Nodes are found through the render's layout (their op ranges), never by the text's syntax.
    const lines = render.text.split('\n');
    const matches = render.nodes.filter((n) => (lines[n.opRange.start.line] ?? '').slice(n.opRange.start.character, n.opRange.end.character) === opType);
    assert.ok(matches.length > nth, `a ${opType} node in the rendered model`);
    const hover = await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: matches[nth]!.opRange.start });
    assert.ok(hover, `a hover on ${opType}`);
    // Markdown escapes (`tiny\\_net\\.py`) removed: the text as the user reads it.
    return (hover.contents as MarkupContent).value.replace(/\\(.)/g, '$1');
  }

  it('links the first Conv to `x = self.conv1(x)` and the Gemm to `return self.fc(x)`, as file URIs with the line', async () => {
    const conv = await hoverOn('Conv');
    const convLine = lineOf('x = self.conv1(x)');
    assert.ok(conv.includes(`Source: [tiny_net.py:${convLine}](${fileUri(SOURCE)}#L${convLine})`), conv);
    assert.match(conv, /in `forward`/);
    const gemm = await hoverOn('Gemm');
    const fcLine = lineOf('return self.fc(x)');
    assert.match(gemm, new RegExp(`tiny_net\\.py:${fcLine}\\]`));
  });

  it('the residual Add points into Block.forward', async () => {
    const add = await hoverOn('Add');
    assert.match(add, new RegExp(`tiny_net\\.py:${lineOf('return x + y')}\\]`));
  });

  it('hovering a line of tiny_net.py shows what the exported nodes of that line cost', async () => {
    const py = fileUri(SOURCE);
    await session.open(py, fs.readFileSync(SOURCE, 'utf8'), 'python');
    const line = lineOf('x = self.conv1(x)') - 1;
    const hover = await session.request<Hover | null>('textDocument/hover', { textDocument: { uri: py }, position: { line, character: 10 } });
    const text = ((hover?.contents as MarkupContent | undefined)?.value ?? '').replace(/\\(.)/g, '$1');
    assert.match(text, /From tiny_net_torchscript\.onnx\*\* \(exported ONNX\): 1 node, /);
  });
});
