import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chip, findChip } from '../../server/src/analysis/cost/chips';
import { advise } from '../../server/src/analysis/advise/index';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { analyzeHfConfig, HfProfileOptions, summariseLlm } from '../../server/src/analysis/hf-config/index';

/**
 * Serving beyond one GPU and one dtype (hf-config/serving/), against hand derivations written out
 * here from the published configs (test/fixtures/hf: LLaMA-2-7B/70B, Mixtral-8x7B as on the Hub) and
 * the sourced chip figures (H100 SXM: nvidia-smi 81,559 MiB; NVLink 4 ring all-reduce busbw 370 GB/s,
 * 10 µs small all-reduce; see chips.json "interconnect" for the sources).
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8');
const DECODE: HfProfileOptions = { phase: 'decode', batch: 1, prompt: 128, generated: 128 };

function h100(): Chip {
  const chip = findChip('h100');
  assert.ok(chip);
  return chip;
}

/** Ring all-reduce on H100 NVLink as nccl-tests defines busbw: 10 µs + 2(N−1)/N · bytes / 370 GB/s. */
const allReduce = (bytes: number, n: number): number => 10e-6 + ((2 * (n - 1)) / n) * (bytes / 370e9);
/** All-gather / all-to-all: 10 µs + (N−1)/N · bytes / 370 GB/s. */
const allGather = (bytes: number, n: number): number => 10e-6 + ((n - 1) / n) * (bytes / 370e9);

describe('LLM serving: tensor, expert and pipeline parallelism (hand-derived)', () => {
  it('LLaMA-2-70B, TP 8 on H100: per-GPU weights, the all-reduces of a decode step, and its time', () => {
    const s = summariseLlm(fixture('llama-2-70b'), h100(), { ...DECODE, tp: 8 });
    assert.ok(s);
    assert.deepEqual(s.errors, []);
    // One rank of 8: 64/8 query heads and 8/8 KV heads of 128, the MLP's 28672/8 columns, 32000/8 vocabulary rows;
    // the two norms per layer and the final norm are replicated. fp16: 2 bytes per parameter.
    const hidden = 8192;
    const perLayer = hidden * 1024 /* q */ + 2 * hidden * 128 /* k, v */ + 1024 * hidden /* o */ + 3 * hidden * 3584 /* gate, up, down */ + 2 * hidden; /* norms */
    const perGpuParams = 80 * perLayer + 2 * 4000 * hidden /* embed, lm_head slices */ + hidden;
    assert.equal(s.parallel.perGpu.weightBytes, perGpuParams * 2);
    assert.equal(s.params, 68_976_648_192, 'all of LLaMA-2-70B (transformers num_parameters)');
    // A decode step at batch 1: one token's hidden state, 8192 × 2 B = 16 KiB, all-reduced twice per layer (after
    // attention, after the MLP), once more for the vocabulary-parallel embedding; the logits (32000 × 2 B) all-gathered.
    const d = s.decode;
    assert.ok(d);
    const message = hidden * 2;
    const layerTerm = d.communication.terms.find((t) => t.what.startsWith('all-reduce of the hidden states'));
    assert.ok(layerTerm);
    assert.equal(layerTerm.count, 160);
    assert.equal(layerTerm.bytes, 16_384);
    const comm = 161 * allReduce(message, 8) + allGather(32000 * 2, 8);
    assert.ok(Math.abs(d.communication.seconds - comm) < 1e-12, `collectives ${d.communication.seconds} vs ${comm}`);
    // The kernels are one rank's: the same as profiling a config that IS that rank, built here by hand.
    const rankConfig = JSON.parse(fixture('llama-2-70b')) as Record<string, unknown>;
    Object.assign(rankConfig, { num_attention_heads: 8, num_key_value_heads: 1, intermediate_size: 3584, vocab_size: 4000, head_dim: 128 });
    const rank = summariseLlm(JSON.stringify(rankConfig), h100(), DECODE);
    assert.ok(rank?.decode);
    assert.ok(Math.abs(d.timePerTokenSeconds - (rank.decode.timePerTokenSeconds + comm)) < 1e-9, `${d.timePerTokenSeconds} = ${rank.decode.timePerTokenSeconds} + ${comm}`);
    // And no faster than reading one GPU's weights at the H100's 3.35 TB/s.
    assert.ok(d.timePerTokenSeconds > (perGpuParams * 2) / 3350e9);
  });

  it('Mixtral-8x7B, EP 8 (over TP 8): one whole expert per GPU, all-to-alls instead of the MoE all-reduce', () => {
    const s = summariseLlm(fixture('mixtral-8x7b'), h100(), { ...DECODE, tp: 8, ep: 8 });
    assert.ok(s?.decode);
    assert.deepEqual(s.errors, []);
    const hidden = 4096;
    // Attention split 8 ways (32/8 query heads, 8/8 KV heads of 128); the router (4096 × 8) and norms replicated;
    // of the 8 experts (w1, w3: 4096 × 14336, w2: 14336 × 4096) each GPU holds one whole. bf16.
    const perLayer = hidden * 512 + 2 * hidden * 128 + 512 * hidden + hidden * 8 + 3 * hidden * 14_336 + 2 * hidden;
    assert.equal(s.parallel.perGpu.weightBytes, (32 * perLayer + 2 * 4000 * hidden + hidden) * 2);
    // Per layer: one all-reduce after attention; dispatch and combine all-to-alls of the token's 2 routed slots.
    const layerAllReduce = s.decode.communication.terms.find((t) => t.what.startsWith('all-reduce of the hidden states'));
    const allToAll = s.decode.communication.terms.find((t) => t.what.startsWith('all-to-all'));
    assert.ok(layerAllReduce && allToAll);
    assert.equal(layerAllReduce.count, 32);
    assert.equal(allToAll.count, 64);
    assert.equal(allToAll.bytes, 2 * hidden * 2);
    assert.ok(Math.abs(allToAll.seconds - 64 * allGather(2 * hidden * 2, 8)) < 1e-12);
  });

  it('--ep without --tp, --tp that does not divide the heads, and a chip without link figures are errors that fall back to one GPU', () => {
    const mixtral = summariseLlm(fixture('mixtral-8x7b'), h100(), { ...DECODE, ep: 8 });
    assert.ok(mixtral);
    assert.equal(mixtral.parallel.gpus, 1);
    assert.match(mixtral.errors.join('\n'), /--ep must equal --tp/);
    const llama = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, tp: 3 });
    assert.match(llama?.errors.join('\n') ?? '', /power of two/);
    const l4 = findChip('l4');
    assert.ok(l4);
    const onL4 = summariseLlm(fixture('llama-2-7b'), l4, { ...DECODE, tp: 2 });
    assert.match(onL4?.errors.join('\n') ?? '', /no sourced interconnect/);
    assert.equal(onL4?.parallel.gpus, 1);
  });

  it('PP 2: each GPU holds half the layers and one of embedding / lm_head; one send between the stages per step', () => {
    const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, pp: 2 });
    assert.ok(s?.decode);
    const hidden = 4096;
    const layer = 4 * hidden * hidden + 3 * hidden * 11_008 + 2 * hidden;
    // 16 layers, the larger stage's share of the rest: (embedding + lm_head + final norm) / 2.
    assert.equal(s.parallel.perGpu.weightBytes, (16 * layer + (2 * 32000 * hidden + hidden) / 2) * 2);
    const send = s.decode.communication.terms;
    assert.equal(send.length, 1);
    assert.equal(send[0]?.bytes, hidden * 2);
    // Point to point at the link's 450 GB/s per direction, plus its 10 µs latency.
    assert.ok(Math.abs(s.decode.communication.seconds - (10e-6 + (hidden * 2) / 450e9)) < 1e-12);
  });
});

describe('LLM serving: per-tensor precision (hand-derived)', () => {
  const hidden = 4096;
  const ffn = 11_008;
  /** LLaMA-2-7B's per-layer projections as (in, out). */
  const projections: Array<[number, number]> = [
    [hidden, hidden],
    [hidden, hidden],
    [hidden, hidden],
    [hidden, hidden],
    [hidden, ffn],
    [hidden, ffn],
    [ffn, hidden],
  ];

  it('LLaMA-2-7B w4a16 (group 128): packed int4 + one fp16 scale and one 4-bit zero point per group; embeddings, norms and lm_head stay fp16', () => {
    const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, weights: 'int4' });
    assert.ok(s);
    assert.deepEqual(s.errors, []);
    // Per projection of K inputs and N outputs: K·N/2 bytes of int4, N·⌈K/128⌉ scales × 2 B, N·⌈⌈K/128⌉·4/8⌉ bytes of zero points.
    const quantised = projections.reduce((sum, [k, n]) => {
      const groups = Math.ceil(k / 128);
      return sum + (k * n) / 2 + n * groups * 2 + n * Math.ceil((groups * 4) / 8);
    }, 0);
    const unquantised = (2 * 32000 * hidden + 2 * hidden * 32 + hidden) * 2;
    assert.equal(s.weightBytes, 32 * quantised + unquantised);
    // About 3.9 GB: 4.16 bits per quantised weight, 16 for the rest.
    assert.ok(s.weightBytes > 3.8e9 && s.weightBytes < 4.0e9, `${s.weightBytes}`);
    assert.equal(s.params, 6_738_415_616, 'parameters are counted as the float model has them');
    assert.match(s.precision, /w4a16.*group 128.*KV cache fp16/);
    // A decode step reads the packed weights: far fewer bytes than fp16's 13.5 GB.
    assert.ok(s.decode);
    assert.ok(s.decode.weightBytesRead < 4.0e9);
  });

  it('LLaMA-2-7B with an fp8 KV cache: 2 tensors × 32 layers × 32 heads × 128 × 1 byte = 256 KiB per token; the weights stay fp16', () => {
    const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, kv: 'fp8' });
    assert.ok(s);
    assert.equal(s.kvBytesPerToken, 2 * 32 * 32 * 128 * 1);
    assert.equal(s.weightBytes, 6_738_415_616 * 2);
    const fp16 = summariseLlm(fixture('llama-2-7b'), h100(), DECODE);
    assert.equal(fp16?.kvBytesPerToken, 2 * 32 * 32 * 128 * 2);
  });

  it('impossible mixes are errors: int4 weights under fp8 activations; fp8 activations over fp16 weights; --dtype int4 with --kv', () => {
    for (const [options, pattern] of [
      [{ weights: 'int4', activations: 'fp8' }, /not modelled/],
      [{ weights: 'fp16', activations: 'fp8' }, /need 8-bit weights/],
      [{ dtype: 'int4', kv: 'fp8' }, /one or the other/],
    ] as const) {
      const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, ...options });
      assert.match(s?.errors.join('\n') ?? '', pattern, JSON.stringify(options));
    }
  });
});

describe('LLM serving: the memory check (hand-derived)', () => {
  /** 90% (vLLM's gpu_memory_utilization default) of the 81,559 MiB nvidia-smi reports on an H100 SXM "80GB". */
  const budget = 0.9 * 81_559 * 2 ** 20;

  it('Mixtral-8x7B in bf16 (93.4 GB of weights) does not fit one H100; two GPUs (TP 2) hold it', () => {
    const s = summariseLlm(fixture('mixtral-8x7b'), h100(), DECODE);
    assert.ok(s);
    assert.equal(s.weightBytes, 46_702_792_704 * 2);
    assert.equal(s.memory.atBatch.capacityBytes, budget);
    assert.equal(s.memory.atBatch.fits, false);
    assert.equal(s.memory.maxBatchThatFits, 0);
    assert.equal(s.smallestFit?.gpus, 2);
    assert.equal(s.smallestFit?.tp, 2);
    assert.match(s.notes.join('\n'), /weights alone .* exceed/);
  });

  it('LLaMA-2-70B in fp16 (138 GB) needs 2 H100s at batch 1; with int4 weights one holds it', () => {
    const fp16 = summariseLlm(fixture('llama-2-70b'), h100(), DECODE);
    assert.equal(fp16?.smallestFit?.gpus, 2);
    const int4 = summariseLlm(fixture('llama-2-70b'), h100(), { ...DECODE, weights: 'int4' });
    assert.ok(int4);
    // ~4.16 bits per projection weight: 68.98e9 × 4.16 / 8 ≈ 36 GB, under the 77 GB budget.
    assert.ok(int4.weightBytes < 40e9 && int4.weightBytes > 34e9, `${int4.weightBytes}`);
    assert.equal(int4.memory.atBatch.fits, true);
    assert.equal(int4.smallestFit?.gpus, 1);
  });

  it('the largest batch: (budget − weights) / (KV per sequence + activations per sequence)', () => {
    const s = summariseLlm(fixture('llama-2-7b'), h100(), { ...DECODE, prompt: 2048, generated: 256 });
    assert.ok(s);
    const kvPerSequence = 2 * 32 * 32 * 128 * 2 * 2304;
    const activations = 3 * 2048 * 11_008 * 2; // the prefill's gate·up Mul: two inputs and an output of [2048, 11008] fp16
    assert.equal(s.memory.maxBatchThatFits, Math.floor((budget - 6_738_415_616 * 2) / (kvPerSequence + activations)));
  });
});

describe('LLM serving: unfused attention', () => {
  it('eager attention writes and re-reads the [heads, S, S] score matrix: prefill moves more bytes and takes longer than the fused kernel', () => {
    const options: HfProfileOptions = { phase: 'prefill', batch: 1, prompt: 2048, generated: 0 };
    const fused = summariseLlm(fixture('llama-2-7b'), h100(), options);
    const unfused = summariseLlm(fixture('llama-2-7b'), h100(), { ...options, attention: 'unfused' });
    assert.ok(fused && unfused);
    // Per layer the scores [1, 32, 2048, 2048] fp16 (256 MiB) are written by QKᵀ, read and written by the scale,
    // the mask add and the softmax, and read by ·V: at least 8 passes, 32 layers.
    const scores = 32 * 2048 * 2048 * 2;
    assert.ok(unfused.prefill.bytes - fused.prefill.bytes > 32 * 8 * scores * 0.95, `${unfused.prefill.bytes - fused.prefill.bytes}`);
    assert.ok(unfused.prefill.timeSeconds > fused.prefill.timeSeconds);
    // The same arithmetic (up to the scale and mask), as the causal triangle is not skipped by eager matmuls: more FLOPs, not fewer.
    assert.ok(unfused.prefill.flops >= fused.prefill.flops);
  });
});

describe('LLM serving: the fp8 KV-cache suggestion (hand-derived)', () => {
  it('a LLaMA-2-7B decode step: the suggestion halves the 32 layers × K and V caches it reads, and lands where --kv fp8 does', () => {
    const options = { phase: 'decode' as const, batch: 1, prompt: 2048, generated: 256 };
    const analysed = analyzeHfConfig(fixture('llama-2-7b'), options);
    assert.ok(analysed.analysis);
    const profileOptions = { chip: h100(), peakMode: 'datasheet' as const };
    const baseline = profileAnalysis(analysed.analysis, profileOptions);
    assert.ok(baseline);
    const advice = advise(analysed.analysis, { ...profileOptions, baseline: baseline.result });
    const kv = advice.suggestions.find((s) => s.id === 'quantise:kv-cache-fp8');
    assert.ok(kv, advice.suggestions.map((s) => s.id).join(', '));
    // The middle step of 256 reads a cache buffer of 2048 + 128 + 1 = 2177 positions: per layer K and V of
    // [1, 32 heads, 2177, 128] fp16; at 8 bits half of it is not read.
    const cache = 32 * 2 * (32 * 2177 * 128) * 2;
    assert.equal(kv.bytesSaved, cache / 2);
    assert.equal(kv.nodes.length, 32);
    // The what-if and the per-tensor --kv fp8 summary agree (the summary also writes the step's one new
    // position in fp8: 32 layers × 2 × 32 × 128 bytes less, a few µs at most).
    const summary = summariseLlm(fixture('llama-2-7b'), h100(), { ...options, kv: 'fp8', searchRidge: false });
    assert.ok(summary?.decode && kv.after);
    const afterTotal = baseline.result.totals.timeSeconds - kv.predictedSavingSeconds;
    assert.ok(Math.abs(afterTotal - summary.decode.timePerTokenSeconds) < 5e-6, `${afterTotal} vs ${summary.decode.timePerTokenSeconds}`);
  });
});

describe('LLM serving: launch overhead of a small model and the runtime setting', () => {
  it('Qwen2-0.5B decode: overhead-bound under eager; CUDA graphs take ≥ 2 µs off each of ≥ 10 kernels per layer', () => {
    const options: HfProfileOptions = { phase: 'decode', batch: 1, prompt: 512, generated: 256 };
    const eager = summariseLlm(fixture('qwen2-0.5b'), h100(), { ...options, runtime: 'eager', searchRidge: false });
    const graphs = summariseLlm(fixture('qwen2-0.5b'), h100(), { ...options, runtime: 'cuda-graphs', searchRidge: false });
    assert.ok(eager?.decode && graphs?.decode);
    // Qwen2-0.5B: 24 layers of q (896² + bias), k and v (896 × 128 + bias each: 2 KV heads of 64), o (896²),
    // gate/up/down (3 × 896 × 4864) and 2 norms, plus the tied 151936 × 896 table and the final norm:
    // 494,032,768 (transformers' num_parameters()).
    const h = 896;
    const layer = h * h + h + 2 * (h * 128 + 128) + h * h + 3 * h * 4864 + 2 * h;
    assert.equal(eager.params, 24 * layer + 151_936 * h + h);
    assert.equal(eager.params, 494_032_768);
    assert.equal(eager.decode.bound, 'overhead');
    // Each layer launches at least 2 norms, 3 projections, attention, o, gate, up and down: ≥ 10 kernels, each
    // 3 µs eager (chips.json kernelOverheadUs) and 1 µs replayed from a CUDA graph.
    assert.ok(eager.decode.timePerTokenSeconds - graphs.decode.timePerTokenSeconds >= 24 * 10 * 2e-6, `${eager.decode.timePerTokenSeconds} − ${graphs.decode.timePerTokenSeconds}`);
    // Still no faster than reading the weights at 3.35 TB/s.
    assert.ok(graphs.decode.timePerTokenSeconds > graphs.decode.weightBytesRead / 3350e9);
  });
});
