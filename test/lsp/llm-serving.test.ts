import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLens } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';

/**
 * The ridgepoint.llm.* settings through the language server: LLaMA-2-70B's config.json with int4 weights
 * on two tensor-parallel H100s. Its lenses name the precision and the GPUs, say whether each GPU's memory
 * holds it, price its tokens, and open those settings when clicked.
 */
const LLAMA_70B = path.resolve(__dirname, '../fixtures/hf/llama-2-70b.json');

describe('language server: a config.json served on several GPUs in int4', function () {
  this.timeout(120_000);
  let session: LspSession;
  let tmp: string;

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-llm-serving-'));
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet', llm: { weights: 'int4', tensorParallel: 2, pricePerGpuHour: 2 } });
    await session.initialize(tmp);
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the lenses show w4a16 on 2 GPUs (TP 2), a fit per GPU and the cost per 1M tokens; a click opens the settings', async () => {
    const uri = fileUri(path.join(tmp, 'config.json'));
    const text = fs.readFileSync(LLAMA_70B, 'utf8');
    fs.writeFileSync(path.join(tmp, 'config.json'), text);
    await session.open(uri, text, 'json');
    await session.until(() => session.profiled.find((p) => p.uri === uri));
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const titles = lenses.map((l) => l.command?.title ?? '');
    const layout = lenses.find((l) => (l.command?.title ?? '').startsWith('w4a16'));
    assert.ok(layout, JSON.stringify(titles));
    assert.match(layout.command?.title ?? '', /2 GPUs \(TP 2\)/);
    assert.deepEqual(layout.command?.arguments, ['ridgepoint.llm']);
    assert.equal(layout.command?.command, 'workbench.action.openSettings');
    // ~36 GB of int4 weights over 2 GPUs: about 17 GiB each, within the 90% of 81,559 MiB an engine plans with.
    assert.ok(titles.some((t) => /^fits: .* per GPU/.test(t)), JSON.stringify(titles));
    assert.ok(titles.some((t) => /^\$[\d.]+ \/ 1M input · \$[\d.]+ \/ 1M output tokens$/.test(t)), JSON.stringify(titles));
  });
});
