import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { Report } from '../../server/src/analysis/report';
import { RenderResult, WhatIfResult } from '../../server/src/protocol';
import { CORPUS, ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

const TRANSFORMER = path.join(CORPUS, 'transformer', 'vespa_dummy_transformer.onnx');

describe('language server: suggestions as diagnostics, code actions and what-ifs', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;
  let uri: string;
  let render: RenderResult;
  let diagnostics: Diagnostic[];

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-advice-'));
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet', dims: { batch: 1, tokens: 128 } });
    await session.initialize(tmp);
    render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(TRANSFORMER) });
    uri = fileUri(TRANSFORMER).replace(/^file:/, 'ridgepoint-onnx:');
    await session.open(uri, render.text);
    // Suggestions come in a second publication, computed when the server is idle.
    await session.until(() => session.diagnostics.get(uri));
    diagnostics = (await session.until(() => (session.diagnostics.get(uri)?.diagnostics.some((d) => d.code === 'fuse:attention') ? session.diagnostics.get(uri) : undefined))).diagnostics;
    await session.until(() => session.profiled.some((p) => p.uri === uri && (p.suggestions ?? 0) > 0));
    assert.equal(session.profiled.find((p) => p.uri === uri)?.suggestions, null, 'the first notification comes before the suggestions');
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('puts the unfused attention suggestion on the first MatMul of each attention block', async () => {
    const report = await session.request<Report>('ridgepoint/profile', { uri, suggestions: true });
    const without = await session.request<Report>('ridgepoint/profile', { uri, suggestions: false });
    assert.equal(without.suggestions, undefined);
    const attention = report.suggestions?.find((s) => s.id === 'fuse:attention');
    assert.ok(attention, 'the transformer has unfused attention');
    const onAttention = diagnostics.filter((d) => d.code === 'fuse:attention');
    assert.equal(onAttention.length, attention.parts?.length ?? 1);
    const lines = render.text.split('\n');
    for (const d of onAttention) {
      const line = lines[d.range.start.line] ?? '';
      assert.equal(line.slice(d.range.start.character, d.range.end.character), 'MatMul', `on the MatMul op: ${line}`);
    }
  });

  it('code actions on a suggestion: what-if, detail and recipe, none of them an edit', async () => {
    const diagnostic = diagnostics.find((d) => d.code === 'fuse:layernorm');
    assert.ok(diagnostic, 'a LayerNorm suggestion');
    const actions = await session.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    const commands = actions.map((a) => a.command?.command);
    assert.deepEqual(commands, ['ridgepoint.applyWhatIf', 'ridgepoint.showSuggestion', 'ridgepoint.copyRecipe']);
    assert.ok(actions.every((a) => a.edit === undefined));
  });

  it('the what-if report differs from the baseline by exactly the suggestion\'s saving', async () => {
    for (const id of ['fuse:attention', 'fuse:layernorm']) {
      const result = await session.request<WhatIfResult | null>('ridgepoint/whatIf', { uri, suggestion: id });
      assert.ok(result?.report?.totals && result.baseline.totals, id);
      const saved = result.baseline.totals.timeSeconds - result.report.totals.timeSeconds;
      assert.ok(Math.abs(saved - result.suggestion.predictedSavingSeconds) < 1e-12, `${id}: ${saved} vs ${result.suggestion.predictedSavingSeconds}`);
      assert.equal(result.baseline.totals.bytes - result.report.totals.bytes, result.suggestion.bytesSaved);
    }
    assert.equal(await session.request<WhatIfResult | null>('ridgepoint/whatIf', { uri, suggestion: 'no-such-suggestion' }), null);
  });
});
