import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { Runtime } from '../../server/src/analysis/cost/runtime';
import { computeCosts } from '../../server/src/analysis/cost/model';
import { profile } from '../../server/src/analysis/cost/totals';

/** Profiles a model written in ONNX textual syntax on H100 (datasheet peaks). */
function profileText(text: string, runtime?: Runtime) {
  const analysis = analyzeText(text);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const chip = findChip('h100');
  assert.ok(chip);
  const profiled = profileAnalysis(analysis, { chip, peakMode: 'datasheet', runtime });
  assert.ok(profiled);
  return profiled.result;
}

const HEADER = '<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\n';

describe('fused view (totals)', () => {
  it('MatMul → Add → Relu fuses into one kernel that never writes or reads its two intermediates', () => {
    const result = profileText(`${HEADER}g (float[1,512] x, float[512,2048] w, float[2048] b) => (float[1,2048] y)
{
  h = MatMul (x, w)
  a = Add (h, b)
  y = Relu (a)
}`);
    assert.equal(result.fusedGroups.length, 1);
    const [group] = result.fusedGroups;
    assert.deepEqual(group?.nodes, ['n0', 'n1', 'n2']);
    assert.equal(group?.id, 'n0');
    // h and a are float[1,2048]: 8 KiB each, written once and read once when unfused.
    const intermediate = 2048 * 4;
    assert.equal(group?.bytesSaved, 2 * 2 * intermediate);
    assert.equal(result.totals.bytes - result.totals.fusedBytes, 2 * 2 * intermediate);
    assert.ok(result.totals.fusedTimeSeconds < result.totals.timeSeconds);
    assert.ok(Math.abs((group?.timeSeconds ?? 0) - result.totals.fusedTimeSeconds) < 1e-15, 'the only kernel is the group');
  });

  it('an intermediate that is also a graph output or has a second consumer is written anyway: no fusion through it', () => {
    const result = profileText(`${HEADER}g (float[1,512] x, float[512,2048] w) => (float[1,2048] y, float[1,2048] h)
{
  h = MatMul (x, w)
  y = Relu (h)
}`);
    // h leaves the graph, so it is written whatever fuses: nothing is saved by fusing through it.
    assert.equal(result.fusedGroups.length, 0);
    assert.equal(result.totals.fusedBytes, result.totals.bytes);
    const shared = profileText(`${HEADER}g (float[1,512] x, float[512,2048] w) => (float[1,2048] y, float[1,2048] z)
{
  h = MatMul (x, w)
  y = Relu (h)
  z = Sigmoid (h)
}`);
    assert.equal(shared.fusedGroups.length, 0);
    assert.equal(shared.totals.fusedBytes, shared.totals.bytes);
  });
});

describe('overhead-bound totals and the runtime (issue 16)', () => {
  const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)) + 1e-18, `${what}: ${actual} vs ${expected}`);

  // A Relu on 1,024 floats (8 KiB moved) and one on 4096×4096 floats (128 MiB moved), side by side.
  const TWO_RELUS = `${HEADER}g (float[1,1024] x, float[4096,4096] z) => (float[1,1024] y, float[4096,4096] w)
{
  y = Relu (x)
  w = Relu (z)
}`;

  it('splits the time into memory-bound and overhead-bound shares and sums the launches (eager: 3 µs a kernel)', () => {
    const t = profileText(TWO_RELUS).totals;
    // Small: 8,192 B / 3.35e12 B/s = 2.45e-9 s < 3e-6 s of overhead → overhead-bound, 3e-6 + 2.45e-9 s.
    const small = 3e-6 + 8192 / 3.35e12;
    // Large: 2 × 4096² × 4 B = 134,217,728 B / 3.35e12 = 4.006e-5 s > 3e-6 s, and > 16.8 MFLOP / 66.9e12 = 2.5e-7 s → memory-bound.
    const large = 3e-6 + 134217728 / 3.35e12;
    close(t.timeSeconds, small + large, 'time');
    close(t.overheadSeconds, 2 * 3e-6, 'overhead seconds (two kernels)');
    close(t.overheadBoundShare, small / (small + large), 'overhead-bound share');
    close(t.memoryBoundShare, large / (small + large), 'memory-bound share');
  });

  it('cuda-graphs: the same kernels at 1 µs each, so the total drops by 2 × 2 µs', () => {
    const eager = profileText(TWO_RELUS).totals;
    const graphs = profileText(TWO_RELUS, 'cuda-graphs').totals;
    close(graphs.overheadSeconds, 2 * 1e-6, 'overhead seconds');
    close(eager.timeSeconds - graphs.timeSeconds, 2 * (3e-6 - 1e-6), 'saving');
    // The small Relu stays overhead-bound (1e-6 > 2.45e-9): its share is (1e-6 + 2.45e-9) / total.
    close(graphs.overheadBoundShare, (1e-6 + 8192 / 3.35e12) / graphs.timeSeconds, 'overhead-bound share');
  });

  it('compiled: cuda-graphs plus the fused view, so Relu → Sigmoid is one 1 µs kernel that moves only x and y', () => {
    const chain = `${HEADER}g (float[1,1024] x) => (float[1,1024] y)
{
  t = Relu (x)
  y = Sigmoid (t)
}`;
    const eager = profileText(chain);
    const compiled = profileText(chain, 'compiled');
    // Eager: two kernels, each reading 4 KiB and writing 4 KiB: 2 × (3e-6 + 8,192 / 3.35e12).
    close(eager.totals.timeSeconds, 2 * (3e-6 + 8192 / 3.35e12), 'eager time');
    // Compiled: one kernel reads x (4 KiB) and writes y (4 KiB), t never touches memory; its arithmetic
    // (a few FLOPs per element, ~1e-10 s) is under 8,192 / 3.35e12 = 2.45e-9 s: time 1e-6 + 2.45e-9 s.
    close(compiled.totals.timeSeconds, 1e-6 + 8192 / 3.35e12, 'compiled time');
    close(compiled.totals.fusedTimeSeconds, compiled.totals.timeSeconds, 'the fused view is the total');
    close(compiled.totals.overheadSeconds, 1e-6, 'one launch');
    // The per-node times still add up to the total (the kernel is spread over its members), and both are fused into n0.
    const sum = compiled.nodes.reduce((acc, n) => acc + n.cost.executions * n.timing.timeSeconds, 0);
    close(sum, compiled.totals.timeSeconds, 'per-node sum');
    assert.deepEqual(compiled.nodes.map((n) => n.fusedInto), ['n0', 'n0']);
    // 1e-6 s of launch against 2.45e-9 s of traffic: the kernel is overhead-bound, so is all its time.
    close(compiled.totals.overheadBoundShare, 1, 'overhead-bound share');
  });

  it('compiled with a fuse what-if inside a longer chain: the chain around it is one kernel, counted once', () => {
    const analysis = analyzeText(`${HEADER}g (float[1,1024] x) => (float[1,1024] y)
{
  a = Relu (x)
  b = Sigmoid (a)
  y = Tanh (b)
}`);
    assert.ok(analysis.model && analysis.inference);
    const chip = findChip('h100');
    assert.ok(chip);
    const costs = computeCosts(analysis.model, analysis.inference);
    const result = profile(costs, { chip, peakMode: 'datasheet', runtime: 'compiled' }, new Set(['y']), { fuse: [['n0', 'n1']] });
    // The what-if kernel n0+n1 grows by Tanh into n0+n1+n2: reads x (4 KiB), writes y (4 KiB), one 1 µs launch.
    close(result.totals.timeSeconds, 1e-6 + 8192 / 3.35e12, 'time');
    close(result.totals.overheadSeconds, 1e-6, 'one launch');
    assert.deepEqual(result.nodes.map((n) => n.fusedInto), ['n0', 'n0', 'n0']);
    assert.deepEqual(result.appliedGroups.map((g) => g.nodes), [['n0', 'n1']]);
  });
});
