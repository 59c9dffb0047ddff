import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeModel, analyzeText, ModelAnalysis } from '../../server/src/analysis/analyze';
import { builtinChips, PeakDtype } from '../../server/src/analysis/cost/chips';
import { graphOutputNames } from '../../server/src/analysis/cost/index';
import { computeCosts } from '../../server/src/analysis/cost/model';
import { totalsOnChips } from '../../server/src/analysis/cost/on-chips';
import { PeakMode } from '../../server/src/analysis/cost/roofline';
import { Runtime } from '../../server/src/analysis/cost/runtime';
import { profile } from '../../server/src/analysis/cost/totals';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { vitModel } from '../../scripts/lib/vit';

/**
 * The chip comparison times every chip in one pass over the node costs (cost/on-chips.ts) instead of a
 * whole `profile` per chip. Its figures must be exactly those of the full re-profile on each chip: the
 * reference here is `profile(costs, { ...options, chip })`, the path every view and report uses, on
 * every built-in chip, in both peak modes, with and without a served dtype, under each runtime.
 */
const HEADER = '<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\n';

/** An If whose condition is a graph input: only its costlier branch counts (cost/totals.ts cheaperBranches). */
const IF_MODEL = `${HEADER}g (bool c, float[64,1024] x, float[1024,1024] w) => (float[64,1024] y)
{
  y = If (c) <then_branch: graph = heavy () => (float[64,1024] t) {
    m = MatMul (x, w)
    t = Relu (m)
  }, else_branch: graph = light () => (float[64,1024] e) {
    e = Relu (x)
  }>
}`;

/** A MobileNet-like block in fp16: a depthwise conv (its own kernel class in the achievable mode), a pointwise conv, SiLU, pooling, a classifier GEMM. */
const MOBILE_BLOCK = `${HEADER}g (float16[8,64,56,56] x, float16[64,1,3,3] dw, float16[128,64,1,1] pw, float16[128] b, float16[128,1000] fc) => (float16[8,1000] y)
{
  d = Conv <group: int = 64, pads: ints = [1, 1, 1, 1]> (x, dw)
  r = Relu (d)
  p = Conv (r, pw, b)
  s = Sigmoid (p)
  m = Mul (p, s)
  a = GlobalAveragePool (m)
  f = Flatten (a)
  y = MatMul (f, fc)
}`;

/** A Loop of known trip count: its body's nodes run 4 times (`executions`), which every total multiplies by. */
const LOOP_MODEL = `${HEADER}g (float[64,1024] x, float[1024,1024] w) => (float[64,1024] y)
{
  n = Constant <value = int64 {4}> ()
  t = Constant <value = bool {1}> ()
  y = Loop (n, t, x) <body: graph = body (int64 i, bool c, float[64,1024] h) => (bool c_out, float[64,1024] h_out) {
    c_out = Identity (c)
    m = MatMul (h, w)
    h_out = Relu (m)
  }>
}`;

const MODELS: ReadonlyArray<readonly [string, () => ModelAnalysis]> = [
  ['tiny-vit (examples/)', () => analyzeModel(bytesSource(fs.readFileSync(path.resolve(__dirname, '../../examples/tiny-vit.onnx'))), { bindings: new Map([['batch', 1]]) })],
  ['a 4-layer ViT at batch 8', () => analyzeModel(bytesSource(vitModel({ layers: 4, dim: 384, mlp: 1536, heads: 6, patch: 16, image: 224, classes: 100 }).model.toBytes()), { bindings: new Map([['batch', 8]]) })],
  ['a MobileNet-like block in fp16', () => analyzeText(MOBILE_BLOCK)],
  ['an If of unknown condition', () => analyzeText(IF_MODEL)],
  ['a Loop run 4 times', () => analyzeText(LOOP_MODEL)],
];

const SETTINGS: ReadonlyArray<{ peakMode: PeakMode; computeDtype?: PeakDtype; runtime?: Runtime }> = [
  { peakMode: 'datasheet' },
  { peakMode: 'achievable' },
  { peakMode: 'achievable', computeDtype: 'bf16', runtime: 'cuda-graphs' },
  { peakMode: 'datasheet', computeDtype: 'fp16', runtime: 'compiled' },
];

describe('chip totals in one pass (cost/on-chips.ts)', () => {
  const chips = builtinChips();

  for (const [label, analyse] of MODELS) {
    it(`${label}: every chip's time, energy, bytes, FLOPs and memory-bound share equal a full profile on that chip`, () => {
      const analysis = analyse();
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.ok(analysis.model && analysis.inference);
      const costs = computeCosts(analysis.model, analysis.inference);
      const outputs = graphOutputNames(analysis.model.graph);
      for (const settings of SETTINGS) {
        const base = { chip: chips[0]!, ...settings };
        const onePass = totalsOnChips(costs, base, chips, outputs);
        assert.equal(onePass.length, chips.length);
        chips.forEach((chip, i) => {
          const full = profile(costs, { ...base, chip }, outputs).totals;
          const mine = onePass[i]!;
          const where = `${chip.id}, ${JSON.stringify(settings)}`;
          assert.ok(full.timeSeconds > 0, `${where}: the model is costed`);
          // Exactly equal: the same formula summed in the same order, not an approximation of it.
          assert.equal(mine.timeSeconds, full.timeSeconds, `time on ${where}`);
          assert.equal(mine.energyJoules, full.energyJoules, `energy on ${where}`);
          assert.equal(mine.bytes, full.bytes, `bytes on ${where}`);
          assert.equal(mine.flops, full.flops, `FLOPs on ${where}`);
          assert.equal(mine.memoryBoundShare, full.memoryBoundShare, `memory-bound share on ${where}`);
        });
      }
    });
  }

  it('the Loop body runs 4 times, so the executions path is exercised', () => {
    const analysis = analyzeText(LOOP_MODEL);
    assert.ok(analysis.model && analysis.inference);
    const costs = computeCosts(analysis.model, analysis.inference);
    assert.ok(costs.some((c) => c.record.node.opType === 'MatMul' && c.executions === 4), costs.map((c) => `${c.record.node.opType} ×${c.executions}`).join(', '));
  });

  it('the If model leaves its cheaper branch out, so the branch path is exercised', () => {
    const analysis = analyzeText(IF_MODEL);
    assert.ok(analysis.model && analysis.inference);
    const costs = computeCosts(analysis.model, analysis.inference);
    const result = profile(costs, { chip: chips[0]!, peakMode: 'datasheet' }, graphOutputNames(analysis.model.graph));
    assert.ok(result.nodes.some((n) => !n.counted), 'a node of the cheaper branch is not counted');
    assert.ok(result.notes.some((n) => /condition unknown, the costlier branch \(then_branch\) is counted/.test(n)), result.notes.join('\n'));
  });
});
