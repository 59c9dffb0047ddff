import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseChipsFile } from '../../server/src/analysis/cost/chips';
import { attachMeasurement, fractionalRanks, joinKey, joinProfile, median, parseOrtProfile, relativeError, spearman, summarise } from '../../server/src/analysis/measure/index';
import type { Report, ReportNode } from '../../server/src/analysis/report';
import { calibratedChip, upsertChip } from '../../server/src/cli/calibrate';
import { applyMeasuredProfile } from '../../server/src/cli/measure';
import { profileFile } from '../../server/src/cli/profile';
import { findChip } from '../../server/src/analysis/cost/chips';
import { CORPUS, corpusPrerequisite } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';

const FIXTURES = path.resolve(__dirname, '../fixtures/ort-profile');
const MODELS = path.join(CORPUS, 'models');

/** A report node with just what the join reads. */
function node(id: string, name: string, opType: string, timeSeconds?: number, shape: number[] | null = null): ReportNode {
  return { id, name, opType, domain: 'ai.onnx', graph: 'main', opset: 17, status: 'inferred', inputs: shape ? [{ name: 'x', dtype: 'float', shape, source: 'input' }] : [], outputs: [], timeSeconds, modelled: timeSeconds !== undefined, counted: true };
}

/** A kernel event as ONNX Runtime writes it. */
function kernel(name: string, op: string, ts: number, dur: number, shape?: number[]): unknown {
  return { cat: 'Node', ph: 'X', pid: 1, tid: 1, name: `${name}_kernel_time`, ts, dur, args: { op_name: op, provider: 'CPUExecutionProvider', ...(shape ? { input_type_shape: [{ float: shape }] } : {}) } };
}

function run(ts: number, dur: number): unknown {
  return { cat: 'Session', ph: 'X', pid: 1, tid: 1, name: 'model_run', ts, dur, args: {} };
}

describe('measure: statistics', () => {
  it('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('fractional ranks share the mean rank among ties', () => {
    assert.deepEqual(fractionalRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
    assert.deepEqual(fractionalRanks([5, 5, 5]), [2, 2, 2]);
  });

  it("Spearman's ρ: 1 − 6Σd²/(n(n²−1)) without ties, Pearson of ranks with ties", () => {
    // d = (−1, 1, −1, 1, 0): Σd² = 4, ρ = 1 − 24/120 = 0.8.
    assert.ok(Math.abs((spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) ?? NaN) - 0.8) < 1e-12);
    assert.equal(spearman([1, 2, 3], [10, 100, 1000]), 1);
    assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
    // Ranks x = (1, 2.5, 2.5, 4), y = (1, 3, 2, 4): Sxy = 4.5, Sxx = 4.5, Syy = 5 → 4.5/√22.5 = 0.948683.
    assert.ok(Math.abs((spearman([1, 2, 2, 3], [1, 3, 2, 4]) ?? NaN) - 4.5 / Math.sqrt(22.5)) < 1e-12);
    assert.equal(spearman([1, 1, 1], [1, 2, 3]), null, 'a constant side has no rank correlation');
    assert.equal(spearman([1], [1]), null);
  });

  it('relative error is signed against the measurement', () => {
    assert.equal(relativeError(150, 100), 0.5);
    assert.equal(relativeError(50, 100), -0.5);
    assert.equal(relativeError(1, 0), null);
  });
});

describe('measure: reading ONNX Runtime profiles', () => {
  it('malformed input is an error, never an exception', () => {
    assert.match(parseOrtProfile('{not json').errors[0] ?? '', /not JSON/);
    assert.match(parseOrtProfile('{"a": 1}').errors[0] ?? '', /expected a JSON array of trace events/);
    assert.match(parseOrtProfile('[]').errors[0] ?? '', /no kernel events/);
    assert.match(parseOrtProfile('[{"cat":"Session","name":"model_run","ts":0,"dur":5}]').errors[0] ?? '', /no kernel events/);
  });

  it('reads kernels, skips fences and bad events, and puts each kernel in its run', () => {
    const p = parseOrtProfile(JSON.stringify({
      traceEvents: [run(100, 50), run(200, 50), kernel('a', 'Add', 110, 7, [2, 3]), kernel('a', 'Add', 210, 9), { cat: 'Node', name: 'a_fence_before', ts: 105, dur: 0 }, { cat: 'Node', name: 'b_kernel_time', ts: 'x' }, 42],
    }));
    assert.deepEqual(p.errors, []);
    assert.equal(p.kernels.length, 2);
    assert.deepEqual(p.kernels.map((k) => [k.nodeName, k.opName, k.run, k.durationUs]), [['a', 'Add', 0, 7], ['a', 'Add', 1, 9]]);
    assert.deepEqual(p.kernels[0]?.inputShapes, [[2, 3]]);
    assert.equal(p.skippedFenceEvents, 1);
    assert.match(p.warnings[0] ?? '', /2 trace events/);
    assert.deepEqual(p.providers, ['CPUExecutionProvider']);
  });
});

describe('measure: the join', () => {
  it('the key of an unnamed node is ONNX Runtime’s <opType>_<index in its graph>', () => {
    assert.equal(joinKey({ id: 'n3/body/n12', name: '', opType: 'Add' }), 'Add_12');
    assert.equal(joinKey({ id: 'n7', name: 'conv1', opType: 'Conv' }), 'conv1');
  });

  it('drops the warm-up run and takes the per-node median of the rest', () => {
    const nodes = [node('n0', 'mm', 'MatMul', 10e-6), node('n1', '', 'Relu', 2e-6)];
    // Three runs; the first (warm-up) is slow. mm: 100 (dropped), 10, 14 → 12 µs; Relu_1: 50 (dropped), 3, 5 → 4 µs.
    const profile = parseOrtProfile([run(0, 200), kernel('mm', 'MatMul', 1, 100), kernel('Relu_1', 'Relu', 110, 50), run(300, 30), kernel('mm', 'MatMul', 301, 10), kernel('Relu_1', 'Relu', 312, 3), run(400, 30), kernel('mm', 'MatMul', 401, 14), kernel('Relu_1', 'Relu', 416, 5)]);
    const j = joinProfile(nodes, profile);
    assert.equal(j.skippedRuns, 1);
    assert.equal(j.runsUsed, 2);
    assert.ok(Math.abs((j.nodes.get('n0')?.measuredSeconds ?? 0) - 12e-6) < 1e-12);
    assert.ok(Math.abs((j.nodes.get('n1')?.measuredSeconds ?? 0) - 4e-6) < 1e-12);
    assert.ok(Math.abs(j.kernelSeconds - 16e-6) < 1e-12);
    assert.ok(Math.abs((j.runSeconds ?? 0) - 30e-6) < 1e-12);
  });

  it('a loop body kernel sums its executions per run; the container kernel is inclusive and not summed', () => {
    const nodes = [node('n0', 'scan', 'Scan', 0), node('n0/body/n0', '', 'Mul', 1e-6), node('n0/body/n1', 'sig', 'Sigmoid', 1e-6)];
    const profile = parseOrtProfile([run(0, 100), kernel('Mul_0', 'Mul', 1, 2), kernel('sig', 'Sigmoid', 4, 3), kernel('Mul_0', 'Mul', 8, 2), kernel('sig', 'Sigmoid', 11, 3), kernel('scan', 'Scan', 0, 20)]);
    const j = joinProfile(nodes, profile);
    assert.equal(j.skippedRuns, 0, 'a single run is kept');
    assert.equal(j.nodes.get('n0/body/n0')?.kernelsPerRun, 2);
    assert.ok(Math.abs((j.nodes.get('n0/body/n0')?.measuredSeconds ?? 0) - 4e-6) < 1e-12);
    assert.equal(j.nodes.get('n0')?.inclusive, true);
    assert.ok(Math.abs(j.kernelSeconds - 10e-6) < 1e-12, 'body kernels 2+3+2+3 µs; the 20 µs Scan kernel is not added');
  });

  it('same-named nodes are told apart by op type, else ambiguous; fused kernels join their first node by `/`', () => {
    const nodes = [node('n0', 'x', 'Conv', 1e-6), node('n1', 'x', 'Relu', 1e-6), node('n2', 'y', 'Add', 1e-6), node('n3', 'y', 'Add', 1e-6), node('n4', 'mm', 'MatMul', 1e-6), node('n5', 'bias', 'Add', 1e-6), node('n6', 'c', 'Conv', 1e-6), node('n7', 'r', 'Relu', 1e-6)];
    const profile = parseOrtProfile([kernel('x', 'Relu', 0, 4), kernel('y', 'Add', 5, 4), kernel('mm/MatMulAddFusion', 'Gemm', 10, 6), kernel('c', 'FusedConv', 20, 8), kernel('unknown_op', 'Foo', 30, 1)]);
    const j = joinProfile(nodes, profile);
    assert.equal(j.nodes.get('n1')?.measuredSeconds, 4e-6, 'the Relu kernel joins the Relu named x');
    assert.equal(j.nodes.has('n0'), false);
    assert.deepEqual(j.ambiguousKernels, ['y']);
    assert.equal(j.nodes.get('n4')?.kernelOp, 'Gemm');
    assert.equal(j.nodes.get('n6')?.kernelOp, 'FusedConv');
    assert.equal(j.fusedKernels, 2);
    assert.deepEqual(j.unmatchedKernels, ['unknown_op']);
    assert.deepEqual(j.unmatchedNodes, ['n0', 'n5', 'n7'], 'absorbed nodes have no kernel; ambiguous ones are not listed as unmatched');
  });

  it('--statistic min reads the fastest kept run; the default is the median', () => {
    // Three runs; the first (warm-up) is dropped. Node a: 100 µs then 60 µs; runs last 150 µs and 90 µs.
    const profile = parseOrtProfile([run(0, 500), kernel('a', 'Relu', 10, 400), run(1000, 150), kernel('a', 'Relu', 1010, 100), run(2000, 90), kernel('a', 'Relu', 2010, 60)]);
    const nodes = [node('n0', 'a', 'Relu', 1e-6)];
    const byMedian = joinProfile(nodes, profile, { skipRuns: 1 });
    assert.ok(Math.abs((byMedian.nodes.get('n0')?.measuredSeconds ?? 0) - 80e-6) < 1e-12, 'median of 100 and 60 µs');
    assert.ok(Math.abs((byMedian.runSeconds ?? 0) - 120e-6) < 1e-12, 'median of 150 and 90 µs');
    assert.equal(byMedian.statistic, 'median');
    const byMin = joinProfile(nodes, profile, { skipRuns: 1, statistic: 'min' });
    assert.ok(Math.abs((byMin.nodes.get('n0')?.measuredSeconds ?? 0) - 60e-6) < 1e-12);
    assert.ok(Math.abs((byMin.runSeconds ?? 0) - 90e-6) < 1e-12);
    assert.ok(Math.abs(byMin.kernelSeconds - 60e-6) < 1e-12);
    assert.equal(byMin.statistic, 'min');
  });

  it('flags nodes that ran with other input shapes', () => {
    const nodes = [node('n0', 'a', 'Relu', 1e-6, [1, 8]), node('n1', 'b', 'Relu', 1e-6, [1, 8])];
    const j = joinProfile(nodes, parseOrtProfile([kernel('a', 'Relu', 0, 1, [4, 8]), kernel('b', 'Relu', 2, 1, [1, 8])]));
    assert.deepEqual(j.shapeMismatches, ['n0']);
  });
});

describe('measure: predicted versus measured', () => {
  const report = (nodes: ReportNode[], totalSeconds: number): Report =>
    ({ schemaVersion: 2, nodes, totals: { timeSeconds: totalSeconds } } as unknown as Report);

  it('errors per op, Spearman over ops, median |error| over ops ≥ 1% of kernel time, end-to-end against the run', () => {
    // Measured µs: a 100, b 50, c 40, d 0.5 (0.26% of 190.5: left out of the median). Predicted: 120, 40, 40, 5.
    const nodes = [node('n0', 'a', 'MatMul', 120e-6), node('n1', 'b', 'Add', 40e-6), node('n2', 'c', 'Mul', 40e-6), node('n3', 'd', 'Relu', 5e-6)];
    const profile = parseOrtProfile([run(0, 250), kernel('a', 'MatMul', 1, 100), kernel('b', 'Add', 110, 50), kernel('c', 'Mul', 170, 40), kernel('d', 'Relu', 215, 0.5)]);
    const { report: out, errors } = attachMeasurement(report(nodes, 200e-6), profile, 'test');
    assert.deepEqual(errors, []);
    const m = out.measurement;
    assert.ok(m);
    assert.equal(m.compared, 4);
    // Errors: a +20%, b −20%, c 0%; median of |.| over the three significant ops = 20%.
    assert.equal(m.significantOps, 3);
    assert.ok(Math.abs((m.medianAbsError ?? NaN) - 0.2) < 1e-9);
    // Ranks predicted (4, 2.5, 2.5, 1), measured (4, 3, 2, 1): Sxy = 4.5, Sxx = 4.5, Syy = 5 → 4.5/√22.5.
    assert.ok(Math.abs((m.spearman ?? NaN) - 4.5 / Math.sqrt(22.5)) < 1e-9);
    // Over the three ops ≥ 1% only (d left out): ranks predicted (3, 1.5, 1.5), measured (3, 2, 1); means 2 and 2;
    // deviations (1, −0.5, −0.5) and (1, 0, −1): Sxy = 1 + 0 + 0.5 = 1.5, Sxx = 1.5, Syy = 2 → 1.5/√3 ≈ 0.866.
    assert.ok(Math.abs((m.spearmanSignificant ?? NaN) - 1.5 / Math.sqrt(3)) < 1e-9);
    // End to end: 200 µs predicted against a 250 µs run.
    assert.ok(Math.abs((m.endToEndError ?? NaN) + 0.2) < 1e-9);
    assert.ok(Math.abs((out.nodes[0]?.measuredSeconds ?? 0) - 100e-6) < 1e-12);
    assert.equal(m.ops[0]?.id, 'n0', 'rows slowest measured first');
  });

  it('a profile of another model joins nothing and says so', () => {
    const m = summarise(report([node('n0', 'a', 'MatMul', 1e-6), node('n1', 'b', 'Add', 1e-6)], 2e-6), joinProfile([node('n0', 'a', 'MatMul', 1e-6), node('n1', 'b', 'Add', 1e-6)], parseOrtProfile([kernel('zz', 'Conv', 0, 5)])), 'x', []);
    assert.equal(m.matched, 0);
    assert.match(m.notes.join('\n'), /only 0 of 2 timed nodes joined a kernel: the profile may be of another model/);
  });

  it('a malformed profile leaves the report unchanged and returns the error', () => {
    const r = report([node('n0', 'a', 'MatMul', 1e-6)], 1e-6);
    const { report: out, errors } = attachMeasurement(r, parseOrtProfile('[1, 2'), 'x');
    assert.equal(out, r);
    assert.match(errors[0] ?? '', /not JSON/);
  });
});

describe('measure: the checked-in ONNX Runtime profiles (test/fixtures/ort-profile)', function () {
  requireInSuite(corpusPrerequisite('models'));
  const laptop = findChip('laptop-cpu');
  assert.ok(laptop);
  const profileOf = (model: string, dims: Array<[string, number[]]> = []) => profileFile(path.join(MODELS, model), { dim: new Map(), input: new Map(dims), profile: { chip: laptop, peakMode: 'datasheet' }, suggestions: false });

  it('keras conv1d+LSTM: every kernel joins its named node; medians over the two kept runs', () => {
    const out = applyMeasuredProfile(profileOf('misc/keras_conv1d_lstm_onnxconverter.onnx'), path.join(FIXTURES, 'keras_conv1d_lstm.json'));
    const m = out.measurement;
    assert.ok(m);
    assert.equal(m.runs, 2);
    assert.equal(m.warmupRunsSkipped, 1);
    assert.equal(m.matched, 16);
    assert.deepEqual(m.unmatchedKernels, []);
    // From the fixture: conv1d 24 and 21 µs, lstm 26 and 22 µs in runs 2 and 3; model_run 172 and 142 µs.
    const byName = new Map(out.nodes.map((n) => [n.name, n]));
    assert.ok(Math.abs((byName.get('conv1d')?.measuredSeconds ?? 0) - 22.5e-6) < 1e-12);
    assert.ok(Math.abs((byName.get('lstm')?.measuredSeconds ?? 0) - 24e-6) < 1e-12);
    assert.ok(Math.abs((m.measuredRunSeconds ?? 0) - 157e-6) < 1e-12);
  });

  it('tract QLSTM Scan: unnamed nodes join by <opType>_<index>, the Scan body runs once per step, the Scan kernel is inclusive', () => {
    const out = applyMeasuredProfile(profileOf('control-flow/tract_qlstm_scan.onnx', [['input', [2, 3]]]), path.join(FIXTURES, 'tract_qlstm_scan.json'));
    const m = out.measurement;
    assert.ok(m);
    assert.deepEqual(m.unmatchedKernels, []);
    assert.deepEqual(m.ambiguousKernels, []);
    const scan = out.nodes.find((n) => n.opType === 'Scan');
    assert.equal(scan?.measuredInclusive, true);
    const conv = out.nodes.find((n) => n.opType === 'QLinearConv');
    assert.ok(conv && conv.id.includes('/body/') && conv.measuredSeconds !== undefined);
  });

  it('the keras profile joined to the QLSTM model matches nothing and says it is another model', () => {
    const out = applyMeasuredProfile(profileOf('control-flow/tract_qlstm_scan.onnx', [['input', [2, 3]]]), path.join(FIXTURES, 'keras_conv1d_lstm.json'));
    assert.equal(out.measurement?.matched, 0);
    assert.match(out.measurement?.notes.join('\n') ?? '', /another model/);
  });

  it('an unreadable or malformed --measured file is a usage error naming it', () => {
    const r = profileOf('misc/keras_conv1d_lstm_onnxconverter.onnx');
    assert.throws(() => applyMeasuredProfile(r, path.join(FIXTURES, 'missing.json')), /cannot read --measured .*missing\.json/);
    assert.throws(() => applyMeasuredProfile(r, path.join(FIXTURES, 'strip.mjs')), /--measured .*strip\.mjs: not JSON/);
  });
});

describe('calibrate: the chip it writes', () => {
  const calibration = { bandwidthGBs: 40, overheadUs: 4.5, vectorFp32Tflops: 0.05, tensor: { fp32: 0.4, int8: 1.2 }, log: ['measured'] };

  it('is a valid chips-file entry whose roofs are the measured figures', () => {
    const chip = calibratedChip('local-cpu', calibration, 2, '1.23.2', new Date(0));
    const { chips, errors } = parseChipsFile(JSON.stringify([chip]), 'test');
    assert.deepEqual(errors, []);
    assert.equal(chips[0]?.memoryBandwidthGBs, 40);
    assert.equal(chips[0]?.peaks.tensor.fp32, 0.4);
    assert.equal(chips[0]?.peaks.vector.fp32, 0.05);
    assert.equal(chips[0]?.kernelOverheadUs, 4.5);
    assert.equal(chips[0]?.category, 'cpu');
  });

  it('replaces its own entry and keeps every other chip of the file as written', () => {
    const existing = JSON.stringify({ $comment: 'mine', chips: [{ id: 'my-gpu', extends: 'h100', tdpW: 500 }, { id: 'local-cpu', name: 'old' }] });
    const written = JSON.parse(upsertChip(existing, { id: 'local-cpu', name: 'new' }, 'f.json')) as { $comment: string; chips: Array<{ id: string; name?: string }> };
    assert.equal(written.$comment, 'mine');
    assert.deepEqual(written.chips.map((c) => c.id), ['my-gpu', 'local-cpu']);
    assert.equal(written.chips[1]?.name, 'new');
    assert.deepEqual(JSON.parse(upsertChip(null, { id: 'local-cpu' }, 'f.json')), { chips: [{ id: 'local-cpu' }] });
    assert.deepEqual(JSON.parse(upsertChip('[{"id":"a"}]', { id: 'local-cpu' }, 'f.json')), [{ id: 'a' }, { id: 'local-cpu' }]);
    assert.throws(() => upsertChip('{oops', { id: 'local-cpu' }, 'f.json'), /f\.json is not valid JSON/);
    assert.throws(() => upsertChip('{"x": 1}', { id: 'local-cpu' }, 'f.json'), /not a chips file/);
  });
});
