import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';

/** Profiles a model written in ONNX textual syntax on H100 (datasheet peaks). */
function profileText(text: string) {
  const analysis = analyzeText(text);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const chip = findChip('h100');
  assert.ok(chip);
  const profiled = profileAnalysis(analysis, { chip, peakMode: 'datasheet' });
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
