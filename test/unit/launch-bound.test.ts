import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { isLaunchBound } from '../../server/src/analysis/cost/launch-bound';
import { buildReport, ReportNode } from '../../server/src/analysis/report';

const HEADER = '<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\n';

/** The report's nodes for a model in ONNX text, profiled on H100 (datasheet peaks). */
function nodesOnH100(text: string): ReportNode[] {
  const analysis = analyzeText(text);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const chip = findChip('h100');
  assert.ok(chip);
  const profiled = profileAnalysis(analysis, { chip, peakMode: 'datasheet' });
  assert.ok(profiled);
  return buildReport(analysis, 'm.onnxtxt', new Map(), profiled).nodes;
}

describe('launch-bound ops (fixed per-kernel cost > work)', () => {
  it('a Relu on 1,024 floats on H100 is launch-bound: 8 KiB at 3.35 TB/s is 2.4 ns, the kernel overhead 3 µs', () => {
    const [relu] = nodesOnH100(`${HEADER}g (float[1,1024] x) => (float[1,1024] y)\n{\n  y = Relu (x)\n}`);
    assert.ok(relu);
    // Read 4 KiB + write 4 KiB = 8,192 bytes; 8,192 / 3.35e12 B/s = 2.45e-9 s. 1,024 FLOPs / 66.9e12 = 1.5e-11 s.
    assert.ok(Math.abs((relu.memorySeconds ?? 0) - 8192 / 3.35e12) < 1e-15, String(relu.memorySeconds));
    assert.ok(Math.abs((relu.computeSeconds ?? 0) - 1024 / 66.9e12) < 1e-15, String(relu.computeSeconds));
    // H100's kernelOverheadUs is 3 (chips.json): 3e-6 s, over a thousand times the traffic.
    assert.equal(relu.overheadSeconds, 3e-6);
    assert.ok(Math.abs((relu.timeSeconds ?? 0) - (3e-6 + 8192 / 3.35e12)) < 1e-15);
    assert.equal(relu.bound, 'memory');
    assert.equal(isLaunchBound(relu), true);
  });

  it('a 4096×4096×4096 fp32 GEMM on H100 is not: 137 GFLOP at 66.9 TFLOP/s is 2 ms, far above 3 µs', () => {
    const [gemm] = nodesOnH100(`${HEADER}g (float[4096,4096] a, float[4096,4096] b) => (float[4096,4096] c)\n{\n  c = MatMul (a, b)\n}`);
    assert.ok(gemm);
    const flops = 2 * 4096 ** 3;
    assert.ok(Math.abs((gemm.computeSeconds ?? 0) - flops / 66.9e12) / (flops / 66.9e12) < 1e-9, String(gemm.computeSeconds));
    assert.equal(gemm.bound, 'compute');
    assert.equal(isLaunchBound(gemm), false);
  });

  it('is false for a node that was not profiled (no times), and needs the overhead to beat both parts', () => {
    assert.equal(isLaunchBound({}), false);
    assert.equal(isLaunchBound({ computeSeconds: 1e-6, memorySeconds: 2e-6, overheadSeconds: 3e-6 }), true);
    assert.equal(isLaunchBound({ computeSeconds: 4e-6, memorySeconds: 2e-6, overheadSeconds: 3e-6 }), false);
    assert.equal(isLaunchBound({ computeSeconds: 1e-6, memorySeconds: 3e-6, overheadSeconds: 3e-6 }), false);
  });
});
