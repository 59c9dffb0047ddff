import * as assert from 'node:assert/strict';
import { advise, adviseModel, profileWhatIf, Suggestion } from '../../server/src/analysis/advise/index';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { analyseText as analyse, builtinChip as chip, ONNX_TEXT_HEADER as HEADER } from '../support/onnx-text';

/**
 * The advice engine on small models written in ONNX textual syntax: each pattern is found where it is,
 * and every expected number is derived here from the shapes and the chip's datasheet figures.
 */
const H100 = chip('h100');
const BANDWIDTH = H100.memoryBandwidthGBs * 1e9;
const OVERHEAD = H100.kernelOverheadUs * 1e-6;
const FP32_VECTOR = (H100.peaks.vector.fp32 ?? 0) * 1e12;

function baselineOf(analysis: ReturnType<typeof analyse>['analysis'], c = H100) {
  const p = profileAnalysis(analysis, { chip: c, peakMode: 'datasheet' });
  assert.ok(p);
  return p.result;
}

function find(list: readonly Suggestion[], id: string): Suggestion {
  const s = list.find((x) => x.id === id);
  assert.ok(s, `expected suggestion ${id}, got ${list.map((x) => x.id).join(', ')}`);
  return s;
}

/** The saving a suggestion claims equals re-profiling its what-if (batch: per the baseline's items). */
function assertSavingMatchesWhatIf(s: Suggestion, analysis: ReturnType<typeof analyse>['analysis'], inferOptions: { bindings: Map<string, number> }, c = H100): void {
  assert.ok(s.whatIf);
  const base = baselineOf(analysis, c);
  const after = profileWhatIf({ ...analysis, inferOptions }, { chip: c, peakMode: 'datasheet' }, s.whatIf);
  assert.ok(after);
  const per = s.throughput ? s.throughput.baselineBatch / s.throughput.batch : 1;
  assert.ok(Math.abs(base.totals.timeSeconds - after.totals.timeSeconds * per - s.predictedSavingSeconds) <= 1e-12 * base.totals.timeSeconds);
  assert.ok(Math.abs(base.totals.bytes - after.totals.bytes * per - s.bytesSaved) <= 1e-9 * base.totals.bytes);
}

describe('what-if: fuse', () => {
  it('fusing MatMul → Add → Relu removes exactly the two intermediates (written once, read once) and pays one overhead', () => {
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[1,512] x, float[512,2048] w, float[2048] b) => (float[1,2048] y)
{
  h = MatMul (x, w)
  a = Add (h, b)
  y = Relu (a)
}`);
    const base = baselineOf(analysis);
    const fused = profileWhatIf({ ...analysis, inferOptions }, { chip: H100, peakMode: 'datasheet' }, { kind: 'fuse', groups: [['n0', 'n1', 'n2']] });
    assert.ok(fused);
    const intermediate = 1 * 2048 * 4;
    assert.equal(base.totals.bytes - fused.totals.bytes, 2 * 2 * intermediate);
    // One kernel: external traffic x, w, b, y; arithmetic of the three ops on fp32 (H100: no fp32 matrix rate).
    const external = (512 + 512 * 2048 + 2048 + 2048) * 4;
    const compute = (2 * 512 * 2048 + 2048 + 2048) / FP32_VECTOR;
    const expected = Math.max(compute, external / BANDWIDTH) + OVERHEAD;
    assert.ok(Math.abs(fused.totals.timeSeconds - expected) < 1e-15, `${fused.totals.timeSeconds} vs ${expected}`);
    assert.deepEqual(fused.appliedGroups.map((g) => g.nodes), [['n0', 'n1', 'n2']]);
    assert.equal(fused.nodes.find((n) => n.cost.record.id === 'n2')?.fusedInto, 'n0');
  });

  it('an overlapping or unknown group is not applied and says why', () => {
    const { analysis } = analyse(`${HEADER}g (float[1,8] x) => (float[1,8] y)
{
  a = Relu (x)
  y = Sigmoid (a)
}`);
    const r = profileWhatIf(analysis, { chip: H100, peakMode: 'datasheet' }, { kind: 'fuse', groups: [['n0', 'n1'], ['n1', 'nope']] });
    assert.ok(r);
    assert.equal(r.appliedGroups.length, 1);
    assert.ok(r.notes.some((n) => n.includes('not applied')));
  });
});

describe('advise: fuse patterns', () => {
  it('unfused attention (MatMul → Div → Add mask → Softmax → MatMul): the saving is the score-matrix traffic', () => {
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[1,4,128,16] q, float[1,4,16,128] kt, float[1,4,128,16] v, float[1,1,1,128] mask) => (float[1,4,128,16] o)
{
  s = MatMul (q, kt)
  c = Constant <value = float {4.0}> ()
  d = Div (s, c)
  m = Add (d, mask)
  p = Softmax <axis = -1> (m)
  o = MatMul (p, v)
}`);
    const s = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'fuse:attention');
    assert.deepEqual(s.nodes, ['n0', 'n2', 'n3', 'n4', 'n5']);
    // s, d, m and p are each a float[1,4,128,128] score matrix, written once and read once when unfused.
    const score = 1 * 4 * 128 * 128 * 4;
    assert.equal(s.bytesSaved, 4 * 2 * score);
    assertSavingMatchesWhatIf(s, analysis, inferOptions);
  });

  it('LayerNorm written out (ReduceMean → Sub → Pow → ReduceMean → Add → Sqrt → Div → Mul → Add) is one group', () => {
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[8,256,768] x, float[768] gamma, float[768] beta) => (float[8,256,768] y)
<float[768] gamma = {1.0}, float[768] beta = {0.0}>
{
  mu = ReduceMean <axes = [-1]> (x)
  d = Sub (x, mu)
  two = Constant <value = float {2.0}> ()
  sq = Pow (d, two)
  var = ReduceMean <axes = [-1]> (sq)
  eps = Constant <value = float {1e-5}> ()
  ve = Add (var, eps)
  sd = Sqrt (ve)
  n = Div (d, sd)
  g1 = Mul (n, gamma)
  y = Add (g1, beta)
}`);
    const s = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'fuse:layernorm');
    assert.deepEqual(s.nodes, ['n0', 'n1', 'n3', 'n4', 'n6', 'n7', 'n8', 'n9', 'n10']);
    // One kernel reads x once (ReduceMean and Sub both read it unfused), gamma, beta, the two scalar
    // constants (exponent and epsilon, 4 bytes each), and writes y.
    const x = 8 * 256 * 768 * 4;
    assert.equal(s.after?.bytes, x + 768 * 4 * 2 + 2 * 4 + x);
    assertSavingMatchesWhatIf(s, analysis, inferOptions);
  });

  it('RMSNorm (Pow → ReduceMean → Add → Sqrt → Div → Mul gamma) is one group', () => {
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[4,512,1024] x, float[1024] gamma) => (float[4,512,1024] y)
<float[1024] gamma = {1.0}>
{
  two = Constant <value = float {2.0}> ()
  sq = Pow (x, two)
  ms = ReduceMean <axes = [-1]> (sq)
  eps = Constant <value = float {1e-6}> ()
  me = Add (ms, eps)
  r = Sqrt (me)
  n = Div (x, r)
  y = Mul (n, gamma)
}`);
    const s = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'fuse:rmsnorm');
    assert.deepEqual(s.nodes, ['n1', 'n2', 'n4', 'n5', 'n6', 'n7']);
    assertSavingMatchesWhatIf(s, analysis, inferOptions);
  });

  it('Conv → BatchNormalization → Relu: BatchNorm folds away, Relu runs in the epilogue', () => {
    const C = 64;
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[1,64,56,56] x, float[64,64,3,3] w, float[64] sc, float[64] bi, float[64] mean, float[64] var) => (float[1,64,56,56] y)
<float[64,64,3,3] w = {0.0}, float[64] sc = {1.0}, float[64] bi = {0.0}, float[64] mean = {0.0}, float[64] var = {1.0}>
{
  c = Conv <pads = [1, 1, 1, 1]> (x, w)
  b = BatchNormalization (c, sc, bi, mean, var)
  y = Relu (b)
}`);
    const s = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'fuse:conv-batchnorm');
    assert.deepEqual(s.nodes, ['n0', 'n1', 'n2']);
    assert.deepEqual(s.whatIf, { kind: 'fuse', groups: [['n0', 'n1', 'n2']], folded: ['n1'] });
    // Saved: the Conv output written, BatchNorm's read, its four parameter vectors and its write, Relu's read.
    const t = 1 * C * 56 * 56 * 4;
    assert.equal(s.bytesSaved, 4 * t + 4 * C * 4);
    assertSavingMatchesWhatIf(s, analysis, inferOptions);
  });
});

describe('advise: fuse under the compiled runtime', () => {
  const epilogue = `${HEADER}g (float[1,512] x, float[512,2048] w, float[2048] b) => (float[1,2048] y)
{
  h = MatMul (x, w)
  a = Add (h, b)
  y = Relu (a)
}`;

  it('MatMul → Add → Relu: eager proposes the epilogue; compiled already runs it as one kernel, so it is not proposed and a note says why', () => {
    const { analysis, inferOptions } = analyse(epilogue);
    assert.deepEqual(find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'fuse:epilogue').nodes, ['n0', 'n1', 'n2']);
    const compiled = advise(analysis, { chip: H100, peakMode: 'datasheet', runtime: 'compiled', inferOptions });
    assert.equal(compiled.suggestions.filter((s) => s.kind === 'fuse').length, 0);
    assert.ok(compiled.notes.includes('fuse (epilogue): 1 group already fused by the compiled runtime'), compiled.notes.join('\n'));
  });

  it('SiLU after a biased MatMul (a read twice): compiled runs MatMul+Add and Sigmoid+Mul as 2 kernels; fusing all four removes 1 launch, not 3', () => {
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[64,512] x, float[512,2048] w, float[2048] b) => (float[64,2048] y)
{
  h = MatMul (x, w)
  a = Add (h, b)
  s = Sigmoid (a)
  y = Mul (a, s)
}`);
    const options = { chip: H100, peakMode: 'datasheet' as const, runtime: 'compiled' as const, inferOptions };
    const s = find(adviseModel(analysis, options), 'fuse:epilogue');
    assert.deepEqual(s.nodes, ['n0', 'n1', 'n2', 'n3']);
    assert.match(s.detail, /already run as 2 kernels .*removes 1 launch,/);
    // Priced against the compiled baseline: the what-if re-profiled under compiled gives the same saving.
    const base = profileAnalysis(analysis, options);
    const after = profileWhatIf({ ...analysis, inferOptions }, options, s.whatIf ?? { kind: 'fuse', groups: [] });
    assert.ok(base && after);
    assert.equal(s.predictedSavingSeconds, base.result.totals.timeSeconds - after.totals.timeSeconds);
    // The traffic saved is what the runtime leaves unfused: the Sigmoid+Mul kernel already keeps s on chip and
    // reads a once, so only a's write (MatMul+Add kernel) and that one read go: 2 × 64×2048 fp32.
    const tensor = 64 * 2048 * 4;
    assert.equal(s.bytesSaved, 2 * tensor);
    // Eager, the same fusion saves every intermediate: h (written, read), a (written, read twice), s (written, read): 7 tensors.
    assert.equal(find(adviseModel(analysis, { ...options, runtime: 'eager' }), 'fuse:epilogue').bytesSaved, 7 * tensor);
  });
});

describe('advise: quantise, batch, smaller model, chip', () => {
  const gemv = `${HEADER}g (float[batch,4096] x, float[4096,4096] w) => (float[batch,4096] y)
<float[4096,4096] w = {0.0}>
{
  y = MatMul (x, w)
}`;

  it('a GEMV at batch 1 gets weight-only int8 and int4, with the new bytes; H100 has no int4 matrix units', () => {
    const { analysis, inferOptions } = analyse(gemv, { batch: 1 });
    const list = adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions });
    const int8 = find(list, 'quantise:int8-weight-only');
    assert.deepEqual(int8.nodes, ['n0']);
    const weights = 4096 * 4096 * 4;
    assert.equal(int8.bytesSaved, weights * (1 - 8 / 32));
    const after = (4096 * 4 + 4096 * 4096 * 1 + 4096 * 4) / BANDWIDTH + OVERHEAD;
    assert.ok(Math.abs((int8.after?.timeSeconds ?? 0) - after) < 1e-15);
    assertSavingMatchesWhatIf(int8, analysis, inferOptions);
    const int4 = find(list, 'quantise:int4-weight-only');
    // 4 bits + an fp16 scale and a 4-bit zero point per group of 128.
    assert.equal(int4.bytesSaved, weights * (1 - (4 + (16 + 4) / 128) / 32));
    assert.match(int4.detail, /no int4 matrix units/);
    assert.ok(int4.predictedSavingSeconds > int8.predictedSavingSeconds);
  });

  it('batch: the MatMul crosses the ridge where F·f = ridge·(A·f + W); re-profiled with batch bound there', () => {
    const { analysis, inferOptions } = analyse(gemv, { batch: 1 });
    const s = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'batch');
    // fp32 on H100 runs at the fp32 vector rate: ridge = 66.9e12 / 3.35e12 FLOP/byte.
    const ridge = FP32_VECTOR / BANDWIDTH;
    const F = 2 * 4096 * 4096;
    const A = (4096 + 4096) * 4;
    const W = 4096 * 4096 * 4;
    const crossing = Math.ceil((ridge * W) / (F - ridge * A));
    assert.equal(s.throughput?.batch, crossing);
    assert.deepEqual(s.whatIf, { kind: 'bind', bindings: { batch: crossing } });
    assert.ok((s.throughput?.itemsPerSecond ?? 0) > (s.throughput?.baselineItemsPerSecond ?? Infinity));
    assertSavingMatchesWhatIf(s, analysis, inferOptions);
  });

  it('smaller model: four /layers.N/ blocks of weight-heavy MatMuls, half of them dropped', () => {
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[1,2048] x, float[2048,2048] w0, float[2048,2048] w1, float[2048,2048] w2, float[2048,2048] w3) => (float[1,2048] y)
<float[2048,2048] w0 = {0.0}, float[2048,2048] w1 = {0.0}, float[2048,2048] w2 = {0.0}, float[2048,2048] w3 = {0.0}>
{
  ["/layers.0/fc/MatMul"] h0 = MatMul (x, w0)
  ["/layers.1/fc/MatMul"] h1 = MatMul (h0, w1)
  ["/layers.2/fc/MatMul"] h2 = MatMul (h1, w2)
  ["/layers.3/fc/MatMul"] y = MatMul (h2, w3)
}`);
    const s = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'smaller-model');
    assert.deepEqual(s.nodes, ['n2', 'n3']);
    assert.match(s.message, /^A 2-layer version \(of 4\)/);
    const perLayer = (2048 * 4 + 2048 * 2048 * 4 + 2048 * 4) / BANDWIDTH + OVERHEAD;
    assert.ok(Math.abs(s.predictedSavingSeconds - 2 * perLayer) < 1e-15);
    assertSavingMatchesWhatIf(s, analysis, inferOptions);
  });

  it('chip: the fastest chip is the one with the least predicted time for the same costs', () => {
    const { analysis, inferOptions } = analyse(gemv, { batch: 1 });
    const chips = [H100, chip('h200'), chip('a100-80gb')];
    const s = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions, chips }), 'chip:fastest');
    // Memory-bound: the H200's 4.8 TB/s beats the H100's 3.35 TB/s.
    assert.equal(s.chip?.id, 'h200');
    const h200 = chip('h200');
    const bytes = 4096 * 4 + 4096 * 4096 * 4 + 4096 * 4;
    const expected = bytes / BANDWIDTH + OVERHEAD - (bytes / (h200.memoryBandwidthGBs * 1e9) + h200.kernelOverheadUs * 1e-6);
    assert.ok(Math.abs(s.predictedSavingSeconds - expected) < 1e-15);
  });

  it('compute-bound convs on a chip with no fp8 or int8 matrix units: no fp8 suggestion, a note says why', () => {
    const m3 = chip('m3-max');
    assert.equal(m3.peaks.tensor.fp8 ?? m3.peaks.tensor.int8, undefined);
    const { analysis, inferOptions } = analyse(`${HEADER}g (float[8,256,56,56] x, float[256,256,3,3] w) => (float[8,256,56,56] y)
<float[256,256,3,3] w = {0.0}>
{
  y = Conv <pads = [1, 1, 1, 1]> (x, w)
}`);
    const advice = advise(analysis, { chip: m3, peakMode: 'datasheet', inferOptions });
    assert.equal(advice.suggestions.filter((s) => s.kind === 'quantise').length, 0);
    assert.ok(advice.notes.some((n) => n.includes('no fp8 or int8 matrix units')));
    const onH100 = find(adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions }), 'quantise:fp8-weights-and-activations');
    assert.deepEqual(onH100.whatIf, { kind: 'quantise', nodes: ['n0'], weightDtype: 'fp8', activations: 'fp8' });
  });

  it('never throws: no model, nothing costed', () => {
    assert.deepEqual(adviseModel({ model: null, inference: null, diagnostics: [] }, { chip: H100, peakMode: 'datasheet' }), []);
    const { analysis } = analyse(gemv);
    const advice = advise(analysis, { chip: H100, peakMode: 'datasheet' });
    assert.deepEqual(advice.suggestions, []);
  });

  it('suggestions come sorted by predicted saving', () => {
    const { analysis, inferOptions } = analyse(gemv, { batch: 1 });
    const list = adviseModel(analysis, { chip: H100, peakMode: 'datasheet', inferOptions });
    assert.ok(list.length >= 3);
    for (let i = 1; i < list.length; i++) assert.ok((list[i - 1] as Suggestion).predictedSavingSeconds >= (list[i] as Suggestion).predictedSavingSeconds);
  });
});
