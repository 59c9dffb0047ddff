import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLens } from 'vscode-languageserver-protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';
import type { LlmSweepResult } from '../../server/src/protocol';

/**
 * `ridgepoint/llmSweep` and the "Decode sweep" lens over LLaMA-2-7B's config.json on an H100 (datasheet
 * peaks), checked against figures derived by hand from the config and the H100 datasheet.
 */
const LLAMA_7B = path.resolve(__dirname, '../fixtures/hf/llama-2-7b.json');
const BERT = path.resolve(__dirname, '../fixtures/hf/bert-base-uncased.json');

// LLaMA-2-7B (hidden 4096, intermediate 11008, 32 layers, vocab 32000, untied head), fp16:
// per layer 4·4096² (attention) + 3·4096·11008 (MLP) + 2·4096 (norms) = 202,383,360 parameters;
// the decode step reads every weight but the embedding table (it gathers one row per token).
const LAYER_PARAMS = 4 * 4096 ** 2 + 3 * 4096 * 11008 + 2 * 4096;
const PARAMS = 32 * LAYER_PARAMS + 2 * 32000 * 4096 + 4096; // 6,738,415,616
const WEIGHT_BYTES_READ_PER_STEP = 2 * (PARAMS - 32000 * 4096);
// H100 SXM5 datasheet: 3.35 TB/s HBM3, 989.4 dense fp16 tensor TFLOP/s.
const BANDWIDTH = 3.35e12;
const PEAK_FP16 = 989.4e12;
// KV cache per token: K and V, 32 layers, 4096 wide, 2 bytes; the full context is 2048 prompt + 256 generated.
const KV_BYTES_PER_SEQUENCE = 2 * 32 * 4096 * 2 * (2048 + 256);
// 80 GiB card: 81,559 MiB usable (nvidia-smi), of which an engine plans with 90%.
const CAPACITY = 0.9 * 81_559 * 2 ** 20;

describe('language server: the decode sweep of a config.json (ridgepoint/llmSweep)', function () {
  this.timeout(180_000);
  let session: LspSession;
  let tmp: string;

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-llm-sweep-'));
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet' });
    await session.initialize(tmp);
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function openConfig(folder: string, fixture: string): Promise<string> {
    fs.mkdirSync(path.join(tmp, folder));
    const file = path.join(tmp, folder, 'config.json');
    const text = fs.readFileSync(fixture, 'utf8');
    fs.writeFileSync(file, text);
    const uri = fileUri(file);
    await session.open(uri, text, 'json');
    await session.until(() => session.profiled.find((p) => p.uri === uri));
    return uri;
  }

  it('returns batch 1, 2, 4, … with the step, tokens/s, bound and memory fit of each, for LLaMA-2-7B', async () => {
    const uri = await openConfig('llama-2-7b', LLAMA_7B);
    const result = await session.request<LlmSweepResult>('ridgepoint/llmSweep', { uri });
    const sweep = result.sweep;
    assert.ok(sweep, result.reason ?? 'no sweep');
    assert.equal(result.reason, null);
    const batches = sweep.points.map((p) => p.batch);
    assert.equal(batches[0], 1);
    batches.slice(1).forEach((b, i) => assert.equal(b, 2 * (batches[i] ?? 0), `batches ${batches.join(', ')}`));
    for (const p of sweep.points) assert.ok(Math.abs(p.tokensPerSecond - p.batch / p.stepSeconds) <= 1e-9 * p.tokensPerSecond, `batch ${p.batch}`);

    // Batch 1 reads at least every weight once: 13.21 GB / 3.35 TB/s = 3.94 ms; memory-bound.
    const first = sweep.points[0];
    assert.ok(first && first.stepSeconds >= WEIGHT_BYTES_READ_PER_STEP / BANDWIDTH, `step ${first?.stepSeconds}`);
    assert.equal(first?.bound, 'memory');

    // A [b, 4096] × [4096, n] fp16 projection does 2·b·4096·n FLOP over more than 2·4096·n weight bytes:
    // intensity below b FLOP/B, so it cannot be compute-bound before b reaches 989.4 T / 3.35 T = 295.
    const ridge = sweep.projectionsComputeBoundBatch;
    assert.ok(ridge !== null && ridge > PEAK_FP16 / BANDWIDTH, `ridge ${ridge}`);
    // The sweep runs past the ridge, so the chart shows where tokens/s flattens.
    assert.ok((batches[batches.length - 1] ?? 0) >= ridge);

    // Memory: weights + full-context KV cache alone bound the batch: (71.68 GiB − 12.55 GiB) / 1.125 GiB → 52.
    const maxFit = sweep.maxBatchThatFits;
    assert.ok(maxFit !== null && maxFit >= 1 && maxFit <= Math.floor((CAPACITY - 2 * PARAMS) / KV_BYTES_PER_SEQUENCE), `max batch ${maxFit}`);
    for (const p of sweep.points) assert.equal(p.fits, p.batch <= maxFit, `batch ${p.batch} vs the largest that fits, ${maxFit}`);
    assert.ok(sweep.points.some((p) => !p.fits), 'the sweep reaches batches that do not fit');

    assert.equal(sweep.chip, 'NVIDIA H100 SXM5 80GB');
    assert.equal(sweep.modelType, 'llama');
    assert.match(sweep.precision, /^w16a16/);
    assert.equal(sweep.gpus, 1);
    // A `#decode` URI (the decode roofline's) names the same sweep.
    const viaDecode = await session.request<LlmSweepResult>('ridgepoint/llmSweep', { uri: `${uri}#decode` });
    assert.deepEqual(viaDecode.sweep?.points, sweep.points);

    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const lens = lenses.find((l) => l.command?.title === 'Decode sweep');
    assert.ok(lens, JSON.stringify(lenses.map((l) => l.command?.title)));
    assert.equal(lens.command?.command, 'ridgepoint.showDecodeSweep');
    assert.deepEqual(lens.command?.arguments, [{ uri }]);
  });

  it('an encoder (BERT) has no decode step: no sweep, no lens, and the reason says so', async () => {
    const uri = await openConfig('bert', BERT);
    const result = await session.request<LlmSweepResult>('ridgepoint/llmSweep', { uri });
    assert.equal(result.sweep, null);
    assert.match(result.reason ?? '', /encoder/);
    const lenses = await session.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.ok(!lenses.some((l) => l.command?.title === 'Decode sweep'));
  });

  it('a model that is not a config.json says so', async () => {
    const result = await session.request<LlmSweepResult>('ridgepoint/llmSweep', { uri: fileUri(path.join(tmp, 'model.onnx')) });
    assert.equal(result.sweep, null);
    assert.match(result.reason ?? '', /not a Hugging Face config\.json/);
  });
});
