import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLens } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

/**
 * An LSP client without `workspace/configuration`: it cannot be asked for
 * settings, so it gives them in `initializationOptions.settings` and pushes changes with
 * `workspace/didChangeConfiguration` (`{ settings: { ridgepoint: { … } } }`, as Neovim sends them).
 * The settings must hold from the first analysis on, and a push must change them.
 *
 * The expected chip names are the datasheet names `ridgepoint chips` lists (NVIDIA A100 SXM4 80GB for
 * `a100`, an alias), and ResNet-50's 25,557,032 parameters are torchvision's published count.
 */
const RESNET = path.resolve(__dirname, '../fixtures/pytorch/resnet.py');

describe('language server: a client that cannot answer workspace/configuration', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;
  const py = fileUri(RESNET);
  const lines = fs.readFileSync(RESNET, 'utf8').split('\n');
  const entryLine = lines.findIndex((l) => l.startsWith('def resnet50('));

  /** The titles of the lenses on the resnet50 entry. */
  async function entryLenses(): Promise<string[]> {
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: py } });
    return lenses.filter((l) => l.range.start.line === entryLine).map((l) => l.command?.title ?? '');
  }

  before(async () => {
    ensureBuilt();
    assert.ok(entryLine >= 0, 'the fixture defines resnet50');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-client-settings-'));
    // The harness's own settings (answered to workspace/configuration) are left empty: were the server to
    // ask anyway, it would get the defaults (H100, no input), and the assertions below would fail.
    session = new LspSession({});
    await session.initialize(tmp, { configuration: false, initializationOptions: { settings: { chip: 'a100', pytorch: { input: '1x3x224x224' } } } });
    await session.open(py, fs.readFileSync(RESNET, 'utf8'), 'python');
    await session.until(() => session.profiled.some((p) => p.uri === py));
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps the initializationOptions settings: the entry is profiled on the A100 with the input shape given', async () => {
    const first = session.profiled.find((p) => p.uri === py);
    assert.equal(first?.chipName, 'NVIDIA A100 SXM4 80GB', 'the first analysis already uses the chip from initializationOptions');
    const onEntry = await entryLenses();
    // With an input shape the entry has a forward pass: a time per forward on the chip, and the input lens.
    assert.ok(onEntry.some((t) => t.startsWith('25.56 M params · ') && /per forward on NVIDIA A100 SXM4 80GB/.test(t)), JSON.stringify(onEntry));
    assert.ok(onEntry.includes('Input 1×3×224×224'), JSON.stringify(onEntry));
    assert.equal(session.configurationRequests, 0, 'the server never asks a client that did not advertise workspace/configuration');
  });

  it('a didChangeConfiguration push ({ settings: { ridgepoint: … } }) replaces them', async () => {
    const before = session.profiled.length;
    await session.notify('workspace/didChangeConfiguration', { settings: { ridgepoint: { chip: 'l4', pytorch: { input: '1x3x112x112' } } } });
    await session.until(() => session.profiled.slice(before).some((p) => p.uri === py && p.chipName === 'NVIDIA L4 24GB'));
    const onEntry = await entryLenses();
    assert.ok(onEntry.some((t) => t.startsWith('25.56 M params · ') && /per forward on NVIDIA L4 24GB/.test(t)), JSON.stringify(onEntry));
    assert.ok(onEntry.includes('Input 1×3×112×112'), JSON.stringify(onEntry));
  });

  it('a push that says nothing about Ridgepoint keeps the settings it has', async () => {
    const before = session.profiled.length;
    await session.notify('workspace/didChangeConfiguration', { settings: { python: { analysis: {} } } });
    await session.until(() => session.profiled.slice(before).some((p) => p.uri === py));
    const onEntry = await entryLenses();
    assert.ok(onEntry.some((t) => /per forward on NVIDIA L4 24GB/.test(t)), JSON.stringify(onEntry));
    assert.ok(onEntry.includes('Input 1×3×112×112'), JSON.stringify(onEntry));
    assert.equal(session.configurationRequests, 0);
  });
});
