import * as assert from 'node:assert/strict';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { attachMeasurement, parseOrtProfile } from '../../server/src/analysis/measure/index';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { buildReport } from '../../server/src/analysis/report';
import { elementwiseChain } from '../../server/src/cli/calibrate-models';
import { loadOrt, Ort, randomTensor, runProfiled } from '../../server/src/cli/ort-session';
import { ensurePrerequisites } from '../support/prerequisites';

/**
 * The one test that runs ONNX Runtime: it fails where onnxruntime-node (an optional dependency) cannot load
 * (test/support/prerequisites.ts).
 * It checks structure (every node of a generated chain gets a kernel, runs are counted), never timing.
 */
describe('measure: ONNX Runtime end to end (needs onnxruntime-node)', function () {
  let ort: Ort | null = null;
  before(function () {
    let why: string | undefined;
    try {
      ort = loadOrt();
    } catch (error) {
      why = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    }
    ensurePrerequisites(this, { what: 'onnxruntime-node (an optional dependency)', missing: () => why, howToGet: 'npm ci installs it where ONNX Runtime ships a binary (Linux, macOS and Windows on x64 or arm64)' });
  });

  it('a generated 3-node Add chain: every node joins its kernel, warm-up dropped', async () => {
    assert.ok(ort);
    const runtime = ort;
    const micro = elementwiseChain('test', 'Add', 64, 3);
    const analysis = analyzeModel(bytesSource(micro.bytes));
    const chip = findChip('laptop-cpu');
    assert.ok(chip);
    const report = buildReport(analysis, 'chain', new Map(), profileAnalysis(analysis, { chip, peakMode: 'datasheet' }));
    const feeds = (names: readonly string[]) => Object.fromEntries(names.map((name, i) => [name, randomTensor(runtime, { name, dtype: 'float', shape: [64] }, i)]));
    const { profileText } = await runProfiled(runtime, micro.bytes, feeds, { threads: 1, warmup: 1, runs: 2, optimize: false });
    const { report: out, errors } = attachMeasurement(report, parseOrtProfile(profileText), 'test', { skipRuns: 1 });
    assert.deepEqual(errors, []);
    assert.equal(out.measurement?.matched, 3);
    assert.equal(out.measurement?.runs, 2);
    assert.deepEqual(out.measurement?.unmatchedKernels, []);
    assert.ok(out.nodes.every((n) => typeof n.measuredSeconds === 'number'));
  });
});
