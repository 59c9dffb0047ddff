/**
 * Traced mode in the language server, driven as VS Code drives it: untrusted, nothing runs and the lens
 * says why; once the client reports trust, "Trace with Python" runs the real tracer in Debian's Python
 * (/usr/bin/python3 with python3-torch) and the traced result replaces the static one; a forward that
 * raises is a diagnostic on its line. Parameter counts are real torch's, computed here.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeLens, InlayHint, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { Report } from '../../server/src/analysis/report';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';
import { ensurePrerequisites } from '../support/prerequisites';
import { pythonModulesPrerequisite } from '../support/torchvision';

const PYTHON = '/usr/bin/python3';
const FIXTURES = path.resolve(__dirname, '../fixtures/pytorch-trace');
const SMALL = path.join(FIXTURES, 'small_net.py');
const MISMATCH = path.join(FIXTURES, 'shape_mismatch.py');

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('language server: traced mode (trusted workspaces only)', function () {
  this.timeout(300_000);
  let session: LspSession;
  const small = fileUri(SMALL);
  const mismatch = fileUri(MISMATCH);
  const smallText = fs.readFileSync(SMALL, 'utf8');
  const smallLines = smallText.split('\n');
  const lenses = async (uri: string): Promise<string[]> => (await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } })).map((l) => l.command?.title ?? '');

  before(async function () {
    ensurePrerequisites(this, pythonModulesPrerequisite(PYTHON, ['torch']));
    ensureBuilt();
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet', pytorch: { input: '1x3x32x32' }, python: { path: PYTHON, traceTimeout: 120, traceOnSave: true } });
    await session.initialize(FIXTURES);
    await session.open(small, smallText, 'python');
    await session.until(() => session.profiled.some((p) => p.uri === small));
  });

  after(async () => {
    await session?.dispose();
  });

  it('untrusted: static only, the lens says why, and a trace request runs nothing', async () => {
    const titles = await lenses(small);
    assert.ok(titles.includes('static · traced mode needs a trusted workspace'), JSON.stringify(titles));
    await session.notify('ridgepoint/trace', { uri: small, action: 'start' });
    await session.until(() => session.messages.find((m) => /cannot trace: traced mode runs the file, so it needs a trusted workspace/.test(m.message)));
  });

  it('trusted: "Trace with Python" replaces the static result with the traced one, parameters as torch counts them', async () => {
    const truth = Number(spawnSync(PYTHON, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(FIXTURES)}); import small_net; print(sum(p.numel() for p in small_net.small_net().parameters()))`], { encoding: 'utf8' }).stdout.trim());
    await session.notify('ridgepoint/environment', { trusted: true });
    await eventually(async () => ((await lenses(small)).includes('static · Trace with Python') ? true : undefined), 'the trace lens');
    await session.notify('ridgepoint/trace', { uri: small, action: 'start' });
    const titles = await eventually(async () => {
      const t = await lenses(small);
      return t.some((x) => x.startsWith('traced (torch ')) ? t : undefined;
    }, 'the traced result');
    assert.ok(titles.some((x) => / · re-trace$/.test(x)));
    const report = await session.request<Report>('ridgepoint/profile', { uri: small });
    assert.equal(report.totals?.params, truth);
    assert.equal(report.model.producer.name, 'ridgepoint-pytorch-trace');
    // The blocks' convs are hinted on the line that builds them, from the traced graph.
    const convLine = smallLines.findIndex((l) => l.includes('self.conv = nn.Conv2d'));
    const hints = await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: small }, range: { start: { line: 0, character: 0 }, end: { line: smallLines.length, character: 0 } } });
    assert.ok(hints.some((h) => h.position.line === convLine && /FLOP/.test(String(h.label))), JSON.stringify(hints));
  });

  it('an edit shows the static result again until the next trace', async () => {
    await session.change(small, `${smallText}\n# edited\n`);
    await eventually(async () => ((await lenses(small)).includes('static · Trace with Python') ? true : undefined), 'the static result after an edit');
  });

  it('an entry given with the trace request (any expression in the file) is traced and profiled from then on', async () => {
    const file = path.join(FIXTURES, 'token_model.py');
    const uri = fileUri(file);
    const truth = Number(spawnSync(PYTHON, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(FIXTURES)}); import token_model as t; print(sum(p.numel() for p in t.GPT(t.GPTConfig(vocab_size=50)).parameters()))`], { encoding: 'utf8' }).stdout.trim());
    await session.notify('ridgepoint/setSourceOptions', { uri, input: '1x8' });
    await session.open(uri, fs.readFileSync(file, 'utf8'), 'python');
    await session.notify('ridgepoint/trace', { uri, action: 'start', entry: 'GPT(GPTConfig(vocab_size=50))' });
    const report = await eventually(async () => {
      const r = await session.request<Report>('ridgepoint/profile', { uri });
      return r.model.producer.name === 'ridgepoint-pytorch-trace' ? r : undefined;
    }, 'the traced token model');
    assert.equal(report.totals?.params, truth);
  });

  it('a forward that raises: the error is a diagnostic on the line that raised it, the static result stays', async () => {
    const text = fs.readFileSync(MISMATCH, 'utf8');
    await session.notify('ridgepoint/setSourceOptions', { uri: mismatch, input: '1x32' });
    await session.open(mismatch, text, 'python');
    await session.notify('ridgepoint/trace', { uri: mismatch, action: 'start' });
    const diagnostic = await eventually(async () => {
      const published: PublishDiagnosticsParams | undefined = session.diagnostics.get(mismatch);
      return published?.diagnostics.find((d) => d.code === 'trace.forward-failed');
    }, 'the trace error diagnostic');
    assert.equal(diagnostic.range.start.line, text.split('\n').findIndex((l) => l.includes('x = self.fc2(x)')));
    assert.match(diagnostic.message, /mat1 and mat2 shapes cannot be multiplied/);
    assert.ok((await lenses(mismatch)).some((t) => t.startsWith('static · the trace failed')));
  });
});
