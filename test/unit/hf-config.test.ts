import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chip, findChip } from '../../server/src/analysis/cost/chips';
import { analyzeHfConfig, expectedExpertsTouched, HfProfileOptions, summariseLlm } from '../../server/src/analysis/hf-config/index';

/**
 * Hugging Face config profiling against independently known figures: the published parameter counts
 * (model cards, transformers' num_parameters()), KV-cache sizes from the attention shapes, and a hand
 * roofline of a batch-1 decode step from chips.json's H100 figures.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8');
const DECODE: HfProfileOptions = { phase: 'decode', batch: 1, prompt: 2048, generated: 256 };
/** Within each model's trained context (GPT-2: 1024 positions, BERT: 512). */
const SHORT: HfProfileOptions = { phase: 'decode', batch: 1, prompt: 512, generated: 256 };
const optionsFor = (name: string): HfProfileOptions => (name === 'gpt2' || name.startsWith('bert') ? SHORT : DECODE);

function h100(): Chip {
  const chip = findChip('h100');
  assert.ok(chip);
  return chip;
}

describe('hf-config: parameters match the published counts', () => {
  const cases: Array<[string, number, number]> = [
    // name, total, active per token
    ['gpt2', 124_439_808, 124_439_808],
    ['llama-2-7b', 6_738_415_616, 6_738_415_616],
    ['mistral-7b', 7_241_732_096, 7_241_732_096],
    // Mixtral 8x7B: 46.70 B total, 12.88 B active (2 of 8 experts), per Mistral AI's announcement.
    ['mixtral-8x7b', 46_702_792_704, 12_879_925_248],
    // BertModel with its pooler.
    ['bert-base-uncased', 109_482_240, 109_482_240],
  ];
  for (const [name, total, active] of cases) {
    it(`${name}: ${total.toLocaleString('en')} parameters`, () => {
      const result = analyzeHfConfig(fixture(name), { ...optionsFor(name), phase: 'prefill' });
      assert.deepEqual(result.diagnostics.filter((d) => d.severity !== 'info'), []);
      assert.equal(result.params, total);
      assert.equal(result.activeParams, active);
    });
  }

  it('every fixture builds both phases with no unmodelled node and HF module paths as node names', () => {
    for (const name of ['gpt2', 'llama-2-7b', 'mistral-7b', 'mixtral-8x7b']) {
      for (const phase of ['prefill', 'decode'] as const) {
        const result = analyzeHfConfig(fixture(name), { ...optionsFor(name), phase });
        assert.ok(result.analysis?.inference, `${name} ${phase}`);
        assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), [], `${name} ${phase}`);
        const summary = summariseLlm(fixture(name), h100(), { ...optionsFor(name), searchRidge: false });
        assert.ok(summary);
        assert.equal(summary.prefill.unmodelledNodes, 0);
        assert.equal(summary.decode?.unmodelledNodes, 0);
      }
    }
    const llama = analyzeHfConfig(fixture('llama-2-7b'), DECODE);
    const names = new Set(llama.analysis?.model?.graph.nodes.map((n) => n.name));
    for (const expected of ['model.embed_tokens', 'model.layers.0.self_attn.q_proj', 'model.layers.31.mlp.down_proj', 'model.norm', 'lm_head']) assert.ok(names.has(expected), expected);
    const gpt2 = analyzeHfConfig(fixture('gpt2'), DECODE);
    assert.ok(gpt2.analysis?.model?.graph.nodes.some((n) => n.name === 'transformer.h.11.attn.c_attn'));
  });
});

describe('hf-config: KV cache', () => {
  it('LLaMA-2-7B fp16: 2 (K, V) × 32 layers × 4096 (32 heads × 128) × 2 bytes = 524,288 B per token', () => {
    const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, dtype: 'fp16', searchRidge: false });
    assert.equal(s?.kvBytesPerToken, 2 * 32 * 4096 * 2);
  });

  it('Mistral-7B (GQA, 8 KV heads) bf16: 2 × 32 × 1024 × 2 = 131,072 B per token', () => {
    const s = summariseLlm(fixture('mistral-7b'), h100(), { ...DECODE, searchRidge: false });
    assert.equal(s?.kvBytesPerToken, 2 * 32 * 1024 * 2);
  });

  it('GPT-2 (fp32 checkpoint): 2 × 12 × 768 × 4 = 73,728 B per token; BERT has no KV cache', () => {
    assert.equal(summariseLlm(fixture('gpt2'), h100(), { ...DECODE, searchRidge: false })?.kvBytesPerToken, 2 * 12 * 768 * 4);
    const bert = summariseLlm(fixture('bert-base-uncased'), h100(), { ...DECODE, prompt: 512, searchRidge: false });
    assert.equal(bert?.kvBytesPerToken, null);
    assert.equal(bert?.decode, null);
  });
});

describe('hf-config: decode and prefill on H100', () => {
  it('LLaMA-2-7B decode at batch 1 is memory-bound and takes (weights + KV cache) / bandwidth + one launch per kernel', () => {
    const chip = h100();
    const s = summariseLlm(fixture('llama-2-7b'), chip, { ...DECODE, dtype: 'fp16', peakMode: 'datasheet', searchRidge: false });
    assert.ok(s?.decode);
    assert.equal(s.decode.bound, 'memory');
    // Hand roofline from chips.json: 3350 GB/s, 3 µs per kernel.
    const bandwidth = 3350e9;
    const weights = 6_738_415_616 * 2;
    const embeddingTable = 32000 * 4096 * 2; // the Gather reads one row of it, not the table
    const past = 2048 + 256 / 2;
    const kvRead = 524_288 * (past + 1);
    // 14 kernels per layer (2 norms, q/k/v/o, attention, 2 residual adds, gate/up/act/mul/down) + embedding, final norm, last-position gather, lm_head.
    const kernels = 32 * 14 + 4;
    const expected = (weights - embeddingTable + kvRead) / bandwidth + kernels * 3e-6;
    const relative = Math.abs(s.decode.timePerTokenSeconds - expected) / expected;
    assert.ok(relative < 0.01, `decode ${s.decode.timePerTokenSeconds} s vs hand ${expected} s (${(relative * 100).toFixed(2)}%)`);
    assert.ok(Math.abs(s.decode.tokensPerSecond - 1 / s.decode.timePerTokenSeconds) < 1e-6);
  });

  it('LLaMA-2-7B prefill of 2048 tokens is compute-bound: ≈ 2 × params × tokens FLOPs plus causal attention', () => {
    const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, dtype: 'fp16', searchRidge: false });
    assert.ok(s);
    assert.equal(s.prefill.bound, 'compute');
    // Linear layers (all parameters except the embedding table; lm_head only for the last token) and
    // attention: QKᵀ and PV over the causal triangle, 2048·2049/2 pairs × 32 heads × 128 × 2 matmuls × 2 FLOPs, per layer.
    const linear = 2 * 2048 * (6_738_415_616 - 2 * 32000 * 4096) + 2 * 32000 * 4096;
    const attention = 32 * 32 * ((2048 * 2049) / 2) * 128 * 2 * 2;
    const relative = Math.abs(s.prefill.flops - (linear + attention)) / (linear + attention);
    assert.ok(relative < 0.005, `prefill ${s.prefill.flops} vs ${linear + attention}`);
    // Compute-bound: no faster than the FLOPs at the fp16 tensor peak.
    assert.ok(s.prefill.timeSeconds > (linear + attention) / 989.4e12);
    assert.equal(s.prefill.timeToFirstTokenSeconds, s.prefill.timeSeconds);
  });

  it('the decode ridge batch is where the projections cross the chip ridge, and its KV cache does not fit the H100', () => {
    const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, dtype: 'fp16' });
    assert.ok(s?.ridge?.projectionsComputeBoundBatch);
    // A [B, K] × [K, N] fp16 MatMul: 2BKN FLOPs over 2KN + 2B(K + N) bytes; the ridge is 989.4e12 / 3350e9 ≈ 295 FLOP/B.
    // For the 4096 × 4096 projections that gives B = 295 / (1 − 295·2·8192/(4096·4096·2)) ≈ 345, for 4096 × 11008 ≈ 324.
    const ridge = 989.4e12 / 3350e9;
    const crossing = (k: number, n: number): number => (ridge * k * n) / (k * n - ridge * (k + n));
    const batch = s.ridge.projectionsComputeBoundBatch;
    assert.ok(batch >= Math.floor(crossing(4096, 11008)) - 5 && batch <= Math.ceil(crossing(4096, 4096)) + 5, `ridge batch ${batch}`);
    assert.equal(s.ridge.stepComputeBoundBatch, null, 'attention KV reads keep the whole step memory-bound');
    const atRidge = s.memory.atRidge;
    assert.ok(atRidge);
    assert.equal(atRidge.kvCacheBytes, 524_288 * batch * (2048 + 256));
    assert.equal(atRidge.fits, false);
    // The budget: 90% (vLLM's gpu_memory_utilization default) of the 81,559 MiB nvidia-smi reports on an H100 SXM.
    // Per sequence: its KV cache of 2304 tokens, and the activations of the prefill's largest kernel, the
    // gate·up Mul (two [2048, 11008] fp16 inputs and one output).
    const budget = 0.9 * 81_559 * 2 ** 20;
    const activations = 3 * 2048 * 11_008 * 2;
    assert.equal(s.memory.atBatch.capacityBytes, budget);
    assert.equal(s.memory.atBatch.activationBytes, activations);
    assert.equal(s.memory.maxBatchThatFits, Math.floor((budget - 6_738_415_616 * 2) / (524_288 * 2304 + activations)));
  });

  it('Mixtral decode at batch 1 reads 2 experts per layer; a long prefill touches all 8', () => {
    assert.equal(expectedExpertsTouched(8, 2, 1), 2);
    assert.equal(expectedExpertsTouched(8, 2, 2048), 8);
    // 8·(1 − (3/4)^4) = 5.47 → 5
    assert.equal(expectedExpertsTouched(8, 2, 4), 5);
    const s = summariseLlm(fixture('mixtral-8x7b'), h100(), { ...DECODE, searchRidge: false });
    assert.ok(s?.decode);
    // Active weights at bf16 minus the embedding table (one row read): 2 bytes × (12.88 B − 131 M).
    const expected = 2 * (12_879_925_248 - 32000 * 4096);
    const relative = Math.abs(s.decode.weightBytesRead - expected) / expected;
    assert.ok(relative < 0.001, `weights read ${s.decode.weightBytesRead} vs ${expected}`);
    assert.equal(s.memory.atBatch.fits, false, '93 GB of bf16 weights exceed one 80 GB H100');
  });
});
