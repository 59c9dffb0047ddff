import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { isLaunchBound, roofSideOf, verdictOf } from '../../server/src/analysis/cost/launch-bound';
import { Runtime } from '../../server/src/analysis/cost/runtime';
import { buildReport, ReportNode } from '../../server/src/analysis/report';

const HEADER = '<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\n';

/** The report's nodes for a model in ONNX text, profiled on H100 (datasheet peaks). */
function nodesOnH100(text: string, runtime?: Runtime): ReportNode[] {
  const analysis = analyzeText(text);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const chip = findChip('h100');
  assert.ok(chip);
  const profiled = profileAnalysis(analysis, { chip, peakMode: 'datasheet', runtime });
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
    // The core names the verdict (issue 16): 3e-6 s > max(2.45e-9, 1.5e-11) s, so `overhead`; the
    // views' rule agrees, and the chart still places it under the memory roof (2.45e-9 > 1.5e-11).
    assert.equal(relu.bound, 'overhead');
    assert.equal(isLaunchBound(relu), true);
    assert.equal(verdictOf(relu), 'launch');
    assert.equal(roofSideOf(relu), 'memory');
  });

  it('the same 8 KiB Relu under cuda-graphs: 1 µs per kernel still beats 2.45 ns of traffic, so it stays overhead-bound', () => {
    const [relu] = nodesOnH100(`${HEADER}g (float[1,1024] x) => (float[1,1024] y)\n{\n  y = Relu (x)\n}`, 'cuda-graphs');
    assert.ok(relu);
    // CUDA_GRAPH_NODE_US = 1 (cost/runtime.ts), below H100's 3: overhead 1e-6 s > 8,192 / 3.35e12 = 2.45e-9 s.
    assert.equal(relu.overheadSeconds, 1e-6);
    assert.ok(Math.abs((relu.timeSeconds ?? 0) - (1e-6 + 8192 / 3.35e12)) < 1e-15, String(relu.timeSeconds));
    assert.equal(relu.bound, 'overhead');
  });

  it('a Relu on 1024×1024 floats flips: overhead-bound eager (3 µs > 2.50 µs), memory-bound under cuda-graphs (1 µs < 2.50 µs)', () => {
    const text = `${HEADER}g (float[1024,1024] x) => (float[1024,1024] y)\n{\n  y = Relu (x)\n}`;
    // Read 4 MiB + write 4 MiB = 8,388,608 bytes; / 3.35e12 B/s = 2.504e-6 s. 1,048,576 FLOPs / 66.9e12 = 1.57e-8 s.
    const memory = 8388608 / 3.35e12;
    const [eager] = nodesOnH100(text);
    assert.ok(eager);
    assert.ok(Math.abs((eager.memorySeconds ?? 0) - memory) < 1e-15);
    assert.equal(eager.bound, 'overhead');
    assert.ok(Math.abs((eager.timeSeconds ?? 0) - (3e-6 + memory)) < 1e-15);
    const [graphs] = nodesOnH100(text, 'cuda-graphs');
    assert.ok(graphs);
    assert.equal(graphs.bound, 'memory');
    assert.equal(isLaunchBound(graphs), false);
    assert.ok(Math.abs((graphs.timeSeconds ?? 0) - (1e-6 + memory)) < 1e-15);
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
    // The core's verdict wins when present.
    assert.equal(isLaunchBound({ bound: 'overhead' }), true);
    assert.equal(isLaunchBound({ bound: 'none', overheadSeconds: 3e-6 }), false);
  });
});
