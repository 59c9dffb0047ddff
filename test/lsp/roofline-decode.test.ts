import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isLaunchBound } from '../../server/src/analysis/cost/launch-bound';
import { Report } from '../../server/src/analysis/report';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

/**
 * What the roofline panel of a config.json's decode step asks (client/src/roofline-panel.ts): the
 * `#decode` phase is a model of its own that nothing else advises (the diagnostics follow the document,
 * i.e. the prefill), so a plain profile of it has no suggestions and the panel said "Suggestions (0) …
 * not computed"; the panel now asks with `suggestions: true`.
 */
describe("language server: a config.json's decode roofline", function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;
  let config: string;

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-decode-'));
    fs.copyFileSync(path.resolve(__dirname, '../fixtures/hf/llama-2-7b.json'), path.join(tmp, 'config.json'));
    config = fileUri(path.join(tmp, 'config.json'));
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet' });
    await session.initialize(tmp);
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('computes its suggestions when the panel asks (suggestions: true)', async () => {
    const asked = await session.request<Report>('ridgepoint/profile', { uri: `${config}#decode`, detail: 'chart', suggestions: true });
    assert.ok(Array.isArray(asked.suggestions), 'computed for the panel');
  });

  it('its nodes carry the parts of their time; a 4096-wide elementwise op of one token is launch-bound on H100', async () => {
    const decode = await session.request<Report>('ridgepoint/profile', { uri: `${config}#decode`, detail: 'chart' });
    const timed = decode.nodes.filter((n) => (n.timeSeconds ?? 0) > 0);
    assert.ok(timed.length > 0);
    for (const n of timed) {
      // time = max(compute, memory) + overhead, each per model run (server/src/analysis/cost/roofline.ts).
      const sum = Math.max(n.computeSeconds ?? NaN, n.memorySeconds ?? NaN) + (n.overheadSeconds ?? NaN);
      assert.ok(Math.abs(sum - (n.timeSeconds ?? 0)) <= 1e-12 + 1e-9 * (n.timeSeconds ?? 0), `${n.id}: ${sum} vs ${n.timeSeconds}`);
    }
    // One token's hidden state is 4,096 values: an elementwise op moves tens of KiB, nanoseconds at
    // 3.35 TB/s, against 3 µs per kernel (chips.json kernelOverheadUs).
    const small = timed.find((n) => ['Add', 'Mul'].includes(n.opType) && (n.bytesRead ?? 0) + (n.bytesWritten ?? 0) < 64 * 1024);
    assert.ok(small, 'an elementwise op on one token');
    assert.equal(small.overheadSeconds, 3e-6);
    assert.equal(isLaunchBound(small), true);
  });
});
