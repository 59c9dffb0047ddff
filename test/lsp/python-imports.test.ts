import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InlayHint } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

/**
 * An edit of a file that a PyTorch source imports, in the editor: the importing file is re-analysed, and
 * since its own text did not change the client would keep showing its old hints and lenses, so the
 * server asks for them again (`workspace/inlayHint/refresh`, `workspace/codeLens/refresh`).
 *
 * The package is our own fixture (test/fixtures/pytorch/imports/proj). Net's stem is
 * `ConvBN(3, _make_divisible(30), 3)`: a 3×3 conv without bias and a BatchNorm. torchvision's
 * `_make_divisible(30)` rounds 30 to the nearest multiple of 8, 32 → 3·32·9 + 2·32 = 928 parameters.
 * Edited to return 8 → 3·8·9 + 2·8 = 232.
 */
const FIXTURE = path.join(__dirname, '../fixtures/pytorch/imports/proj');
const STEM_BEFORE = 3 * 32 * 9 + 2 * 32;
const STEM_AFTER = 3 * 8 * 9 + 2 * 8;

describe('language server: an imported file edited', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;
  const refreshes: string[] = [];

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-imports-lsp-'));
    fs.cpSync(FIXTURE, path.join(tmp, 'proj'), { recursive: true });
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet', pytorch: { input: '1x3x32x32' } });
    for (const method of ['workspace/inlayHint/refresh', 'workspace/codeLens/refresh']) {
      session.connection.onRequest(method, () => {
        refreshes.push(method);
        return null;
      });
    }
    await session.initialize(tmp);
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('re-analyses the importing file and asks the client for its hints and lenses again', async () => {
    const netPath = path.join(tmp, 'proj/models/net.py');
    const utilsPath = path.join(tmp, 'proj/models/_utils.py');
    const net = fileUri(netPath);
    const utils = fileUri(utilsPath);
    const netText = fs.readFileSync(netPath, 'utf8');
    const stemLine = netText.split('\n').findIndex((l) => l.includes('self.stem = ConvBN(3, c1, 3)'));
    assert.ok(stemLine > 0);
    const stemHint = async (): Promise<string> => {
      const hints = await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: net }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } });
      const label = hints.find((h) => h.position.line === stemLine)?.label;
      return typeof label === 'string' ? label : (label ?? []).map((p) => p.value).join('');
    };

    await session.open(net, netText, 'python');
    await session.until(() => session.profiled.some((p) => p.uri === net));
    assert.match(await stemHint(), new RegExp(`^${STEM_BEFORE} params\\b`));

    // The imported file, opened, and the server settled: the refreshes that reading the settings and the
    // Python's sys.path bring are over (none for a second), so what follows is the edit's doing alone.
    await session.open(utils, fs.readFileSync(utilsPath, 'utf8'), 'python');
    for (let seen = -1; seen !== refreshes.length; ) {
      seen = refreshes.length;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const published = session.profiled.filter((p) => p.uri === net).length;
    refreshes.length = 0;

    await session.change(utils, 'def _make_divisible(v, divisor=8, min_value=None):\n    return 8\n');
    await session.until(() => session.profiled.filter((p) => p.uri === net).length > published && refreshes.includes('workspace/inlayHint/refresh') && refreshes.includes('workspace/codeLens/refresh'));
    assert.match(await stemHint(), new RegExp(`^${STEM_AFTER} params\\b`));
  });
});
