import * as assert from 'node:assert/strict';
import { advise, profileWhatIf, Suggestion, suggestionTitle } from '../../server/src/analysis/advise/index';
import { Chip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { Runtime } from '../../server/src/analysis/cost/runtime';
import { analyseText, builtinChip, ONNX_TEXT_HEADER as HEADER } from '../support/onnx-text';

/**
 * The runtime suggestion ("Capture with CUDA graphs / torch.compile") on tiny models whose every op is
 * a launch: the saving follows from the kernel count and the two per-kernel costs alone (H100 eager
 * 3 µs from chips.json, a replayed graph node 1 µs from cost/runtime.ts), because the arithmetic and
 * memory part of each kernel is the same under every runtime.
 */
const H100 = builtinChip('h100');
const BANDWIDTH = H100.memoryBandwidthGBs * 1e9;

function analyse(text: string) {
  return analyseText(text).analysis;
}

function runtimeSuggestion(analysis: ReturnType<typeof analyse>, c: Chip, runtime?: Runtime): { suggestion: Suggestion | undefined; notes: string[] } {
  const advice = advise(analysis, { chip: c, peakMode: 'datasheet', ...(runtime ? { runtime } : {}) });
  return { suggestion: advice.suggestions.find((s) => s.kind === 'runtime'), notes: advice.notes };
}

/** Three kernels, none of which a compiler fuses into another: Relu reads a graph input, Softmax is no pointwise op. */
const UNFUSABLE = `${HEADER}g (float[1,64] x) => (float[1,64] y)
{
  a = Relu (x)
  b = Softmax <axis = -1> (a)
  y = Softmax <axis = -1> (b)
}`;

/** Softmax → Relu → Sigmoid: under `compiled` the two pointwise ops fuse into the Softmax kernel. */
const CHAIN = `${HEADER}g (float[1,64] x) => (float[1,64] y)
{
  s = Softmax <axis = -1> (x)
  r = Relu (s)
  y = Sigmoid (r)
}`;

describe('advise: runtime (CUDA graphs / torch.compile)', () => {
  it('three tiny kernels on an H100, eager: the saving is 3 kernels × (3 − 1) µs = 6 µs, the what-if is cuda-graphs', () => {
    assert.equal(H100.kernelOverheadUs, 3);
    const analysis = analyse(UNFUSABLE);
    const { suggestion } = runtimeSuggestion(analysis, H100);
    assert.ok(suggestion, 'expected a runtime suggestion');
    const kernels = 3;
    const expected = kernels * (3 - 1) * 1e-6;
    assert.ok(Math.abs(suggestion.predictedSavingSeconds - expected) < 1e-15, `${suggestion.predictedSavingSeconds} vs ${expected}`);
    // Nothing to fuse: compiling buys what the graph buys, and the simpler change is proposed.
    assert.equal(suggestion.pattern, 'cuda-graphs');
    assert.deepEqual(suggestion.whatIf, { kind: 'runtime', runtime: 'cuda-graphs' });
    assert.equal(suggestion.runtime?.kernels, kernels);
    assert.equal(suggestion.title, 'Capture with CUDA graphs / torch.compile');
    assert.equal(suggestionTitle(suggestion), suggestion.title);
    // Each kernel moves 64 floats in and 64 out: 512 B, 0.15 ns at 3.35 TB/s, so launches are > 99.9% of the time.
    const eager = kernels * (3e-6 + 512 / BANDWIDTH);
    assert.ok(Math.abs((suggestion.before?.timeSeconds ?? 0) - eager) < 1e-11, `${suggestion.before?.timeSeconds} vs ${eager}`);
    assert.match(suggestion.message, /^Kernel launches are 100% of the time \(3 kernels at 3 µs each on NVIDIA H100/);
    assert.match(suggestion.message, /saves 6 µs \(66\.7% of 9 µs\)/);
    assert.match(suggestion.recipe ?? '', /mode="reduce-overhead"/);
    assert.match(suggestion.recipe ?? '', /enable_cuda_graph/);
  });

  it('the saving is exactly baseline − the what-if profiled under the new runtime', () => {
    const analysis = analyse(CHAIN);
    const { suggestion } = runtimeSuggestion(analysis, H100);
    assert.ok(suggestion?.whatIf);
    const base = profileAnalysis(analysis, { chip: H100, peakMode: 'datasheet' });
    const after = profileWhatIf(analysis, { chip: H100, peakMode: 'datasheet' }, suggestion.whatIf);
    assert.ok(base && after);
    assert.equal(suggestion.predictedSavingSeconds, base.result.totals.timeSeconds - after.totals.timeSeconds);
  });

  it('an elementwise chain: torch.compile also fuses Relu and Sigmoid into the Softmax kernel, one launch of 1 µs instead of three of 3 µs', () => {
    const analysis = analyse(CHAIN);
    const { suggestion } = runtimeSuggestion(analysis, H100);
    assert.ok(suggestion);
    assert.equal(suggestion.pattern, 'compiled');
    assert.deepEqual(suggestion.whatIf, { kind: 'runtime', runtime: 'compiled' });
    // Eager: 3 × (3 µs + 512 B / BW). Compiled: 1 µs + max(arithmetic, 512 B / BW) (x read once, y written once);
    // the arithmetic of 192 element-ops is well under a nanosecond at 67 TFLOP/s. Saving = 8 µs + O(ns).
    const eager = 3 * (3e-6 + 512 / BANDWIDTH);
    assert.ok(Math.abs(suggestion.predictedSavingSeconds - 8e-6) < 2e-9, `${suggestion.predictedSavingSeconds}`);
    // The CUDA-graphs figure alone: every kernel 2 µs cheaper.
    assert.ok(Math.abs((suggestion.runtime?.cudaGraphsSeconds ?? 0) - (eager - 3 * 2e-6)) < 1e-15);
    assert.match(suggestion.message, /CUDA graph saves 6 µs .*which also fuses 1 elementwise chain, saves 8 µs/);
  });

  it('not offered on a CPU, nor when the model already runs under cuda-graphs or compiled', () => {
    const analysis = analyse(UNFUSABLE);
    // The H100's own figures (3 µs a launch) with only the category changed: the gate is the category, not the saving.
    const cpuLike: Chip = { ...H100, id: 'h100-as-cpu', category: 'cpu' };
    const onCpu = runtimeSuggestion(analysis, cpuLike);
    assert.equal(onCpu.suggestion, undefined);
    assert.ok(onCpu.notes.some((n) => n.startsWith('runtime:') && n.includes('not a GPU')));
    for (const runtime of ['cuda-graphs', 'compiled'] as const) {
      const r = runtimeSuggestion(analysis, H100, runtime);
      assert.equal(r.suggestion, undefined, runtime);
      assert.ok(r.notes.some((n) => n.includes(`already ${runtime}`)), runtime);
    }
  });

  it('not offered when launches are under 10% of the time: an 8192×8192 fp32 GEMV is 80 µs of weight traffic for one 3 µs launch', () => {
    const analysis = analyse(`${HEADER}g (float[1,8192] x, float[8192,8192] w) => (float[1,8192] y)
<float[8192,8192] w = {0.0}>
{
  y = MatMul (x, w)
}`);
    // 3 µs / (3 µs + 268 MB / 3.35 TB/s) = 3 / 83.1 = 3.6%.
    const { suggestion, notes } = runtimeSuggestion(analysis, H100);
    assert.equal(suggestion, undefined);
    assert.ok(notes.some((n) => /^runtime: kernel launches are 3\.6% of the time/.test(n)), notes.join('\n'));
  });
});
