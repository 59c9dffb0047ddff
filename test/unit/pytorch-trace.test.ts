/**
 * Traced mode's core (analysis/pytorch-trace): hand-written traces in the tracer's JSON format, mapped
 * onto IR ops and costed. Every expected figure is derived by hand in the test from the op's definition.
 */
import * as assert from 'node:assert/strict';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { findChip } from '../../server/src/analysis/cost/chips';
import { parseStackDump, parseTraceDocument, traceToAnalysis, TracedAnalysis } from '../../server/src/analysis/pytorch-trace/index';
import { buildReport } from '../../server/src/analysis/report';

const FILE = '/work/model.py';

type T = { t: number; shape: number[]; dtype: string; param?: string; buffer?: string };
const f32 = (t: number, shape: number[], extra: Partial<T> = {}): T => ({ t, shape, dtype: 'float32', ...extra });

interface OpSpec {
  op: string;
  overload?: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
  out: unknown;
  line?: number;
  module?: string;
}

function trace(input: T, ops: OpSpec[], parameters: Array<{ name: string; shape: number[] }>, outputs: T[], modules: unknown[] = []): TracedAnalysis {
  const json = {
    format: 1,
    ok: true,
    torch: 'test',
    device: 'meta',
    entry: 'Net',
    model: 'Net',
    notes: [],
    input,
    outputs,
    parameters: parameters.map((p) => ({ ...p, dtype: 'float32' })),
    buffers: [],
    modules: [{ path: '', type: 'Net', leaf: false, builtin: false }, ...modules],
    ops: ops.map((o) => ({ op: o.op, overload: o.overload ?? 'default', args: o.args, kwargs: o.kwargs ?? {}, out: o.out, ...(o.line ? { frame: { file: FILE, line: o.line } } : {}), ...(o.module !== undefined ? { module: o.module } : {}) })),
  };
  const parsed = parseTraceDocument(JSON.parse(JSON.stringify(json)));
  assert.ok(parsed.document, parsed.problem);
  return traceToAnalysis(parsed.document, { file: FILE, entry: 'Net' });
}

function report(traced: TracedAnalysis): ReturnType<typeof buildReport> {
  assert.ok(traced.analysis, traced.diagnostics.map((d) => d.message).join('; '));
  const chip = findChip('h100');
  assert.ok(chip);
  const profiled = profileAnalysis(traced.analysis, { chip, peakMode: 'datasheet' });
  return buildReport(traced.analysis, FILE, new Map(), profiled);
}

describe('traced mode: aten ops → IR (analysis/pytorch-trace)', () => {
  it('convolution → Conv: MACs = output elements × Cin/groups × kernel, parameters exact', () => {
    // Conv2d(3, 16, 3, padding=1) on 1×3×32×32: output 1×16×32×32; MACs = 16·32·32 · 3·3·3 = 442,368.
    const traced = trace(
      f32(0, [1, 3, 32, 32]),
      [{ op: 'aten::convolution', args: [f32(0, [1, 3, 32, 32]), f32(1, [16, 3, 3, 3], { param: 'conv.weight' }), f32(2, [16], { param: 'conv.bias' }), [1, 1], [1, 1], [1, 1], false, [0, 0], 1], out: f32(3, [1, 16, 32, 32]), line: 7, module: 'conv' }],
      [{ name: 'conv.weight', shape: [16, 3, 3, 3] }, { name: 'conv.bias', shape: [16] }],
      [f32(3, [1, 16, 32, 32])],
      [{ path: 'conv', type: 'Conv2d', leaf: true, builtin: true, site: { file: FILE, line: 4 } }],
    );
    const r = report(traced);
    assert.equal(r.totals?.macs, 16 * 32 * 32 * 27);
    // 16·3·3·3 weights + 16 biases = 448.
    assert.equal(r.totals?.params, 448);
    assert.equal(traced.coverage.complete, true);
    // A torch layer's node sits on the line that built it (4), the forward line (7) is its call site.
    const conv = [...traced.nodeSources].find(([name]) => name.startsWith('conv/Conv'));
    assert.equal(conv?.[1].start.line, 3);
    assert.equal(traced.callSites.get(conv?.[0] ?? '')?.start.line, 6);
  });

  it('grouped and transposed convolutions: ConvTranspose MACs = input elements × Cout/groups × kernel', () => {
    // ConvTranspose2d(8, 4, 2, stride=2) on 1×8×5×5 → 1×4×10×10; MACs = 8·5·5 · 4·2·2 = 3,200.
    // Depthwise Conv2d(4, 4, 3, padding=1, groups=4) on 1×4×10×10: MACs = 4·10·10 · 1·3·3 = 3,600.
    const traced = trace(
      f32(0, [1, 8, 5, 5]),
      [
        { op: 'aten::convolution', args: [f32(0, [1, 8, 5, 5]), f32(1, [8, 4, 2, 2], { param: 'up.weight' }), null, [2, 2], [0, 0], [1, 1], true, [0, 0], 1], out: f32(2, [1, 4, 10, 10]) },
        { op: 'aten::convolution', args: [f32(2, [1, 4, 10, 10]), f32(3, [4, 1, 3, 3], { param: 'dw.weight' }), null, [1, 1], [1, 1], [1, 1], false, [0, 0], 4], out: f32(4, [1, 4, 10, 10]) },
      ],
      [{ name: 'up.weight', shape: [8, 4, 2, 2] }, { name: 'dw.weight', shape: [4, 1, 3, 3] }],
      [f32(4, [1, 4, 10, 10])],
    );
    const r = report(traced);
    assert.equal(r.totals?.macs, 3200 + 3600);
    assert.equal(r.totals?.params, 8 * 4 * 4 + 4 * 9);
    assert.ok(r.nodes.some((n) => n.opType === 'ConvTranspose'));
  });

  it('nn.Linear as t + addmm → Gemm (MACs = M·N·K), and the transpose view moves no data', () => {
    // x 4×8, W 16×8: t(W) is a view 8×16; addmm(b, x, Wᵀ) has MACs 4·16·8 = 512.
    const traced = trace(
      f32(0, [4, 8]),
      [
        { op: 'aten::t', args: [f32(1, [16, 8], { param: 'fc.weight' })], out: f32(2, [8, 16]), module: 'fc' },
        { op: 'aten::addmm', args: [f32(3, [16], { param: 'fc.bias' }), f32(0, [4, 8]), f32(2, [8, 16])], out: f32(4, [4, 16]), module: 'fc' },
      ],
      [{ name: 'fc.weight', shape: [16, 8] }, { name: 'fc.bias', shape: [16] }],
      [f32(4, [4, 16])],
    );
    const r = report(traced);
    assert.equal(r.totals?.macs, 4 * 16 * 8);
    assert.equal(r.totals?.params, 16 * 8 + 16);
    const view = r.nodes.find((n) => n.name.startsWith('fc/Reshape'));
    assert.ok(view, 'the transpose view is a Reshape');
    assert.equal((view.bytesRead ?? 0) + (view.bytesWritten ?? 0), 0);
  });

  it('attention as bmm + _softmax + bmm: MACs 2·B·S·S·D, softmax over the last axis', () => {
    // B=2 heads-batch, S=4, D=8: q@kᵀ 2·4·4·8 = 256 MACs, p@v 2·4·8·4 = 256 MACs.
    const traced = trace(
      f32(0, [2, 4, 8]),
      [
        { op: 'aten::transpose', overload: 'int', args: [f32(0, [2, 4, 8]), 1, 2], out: f32(1, [2, 8, 4]) },
        { op: 'aten::bmm', args: [f32(0, [2, 4, 8]), f32(1, [2, 8, 4])], out: f32(2, [2, 4, 4]) },
        { op: 'aten::_softmax', args: [f32(2, [2, 4, 4]), -1, false], out: f32(3, [2, 4, 4]) },
        { op: 'aten::bmm', args: [f32(3, [2, 4, 4]), f32(0, [2, 4, 8])], out: f32(4, [2, 4, 8]) },
      ],
      [],
      [f32(4, [2, 4, 8])],
    );
    const r = report(traced);
    assert.equal(r.totals?.macs, 512);
    assert.ok(r.nodes.some((n) => n.opType === 'Softmax'));
    assert.equal(traced.coverage.complete, true, JSON.stringify(traced.diagnostics));
  });

  it("nn.MultiheadAttention's fused path (_native_multi_head_attention): projections + attention MACs", () => {
    // B=1, L=4, E=8, H=2 (head size 4), self-attention. In-projection 4·8·24 = 768 MACs; scores q·kᵀ
    // 1·2·4·4·4 = 128 and p·v 128; out-projection 4·8·8 = 256: 1,280 MACs in all.
    const x = f32(0, [1, 4, 8]);
    const traced = trace(
      x,
      [{ op: 'aten::_native_multi_head_attention', args: [x, x, x, 8, 2, f32(1, [24, 8], { param: 'attn.in_proj_weight' }), f32(2, [24], { param: 'attn.in_proj_bias' }), f32(3, [8, 8], { param: 'attn.out_proj.weight' }), f32(4, [8], { param: 'attn.out_proj.bias' }), null, false, true, null], out: [f32(5, [1, 4, 8]), f32(6, [0])] }],
      [{ name: 'attn.in_proj_weight', shape: [24, 8] }, { name: 'attn.in_proj_bias', shape: [24] }, { name: 'attn.out_proj.weight', shape: [8, 8] }, { name: 'attn.out_proj.bias', shape: [8] }],
      [f32(5, [1, 4, 8])],
    );
    assert.equal(traced.coverage.complete, true, JSON.stringify(traced.diagnostics));
    assert.equal(report(traced).totals?.macs, 768 + 128 + 128 + 256);
  });

  it('batch norm, max pool, adaptive average pool and flatten keep torch’s shapes (no mismatch)', () => {
    const x = f32(0, [1, 4, 8, 8]);
    const traced = trace(
      x,
      [
        { op: 'aten::native_batch_norm', args: [x, f32(1, [4], { param: 'bn.weight' }), f32(2, [4], { param: 'bn.bias' }), f32(3, [4], { buffer: 'bn.running_mean' }), f32(4, [4], { buffer: 'bn.running_var' }), false, 0.1, 1e-5], out: [f32(5, [1, 4, 8, 8]), f32(6, [0]), f32(7, [0])] },
        { op: 'aten::max_pool2d_with_indices', args: [f32(5, [1, 4, 8, 8]), [3, 3], [2, 2], [1, 1]], out: [f32(8, [1, 4, 4, 4]), { t: 9, shape: [1, 4, 4, 4], dtype: 'int64' }] },
        { op: 'aten::_adaptive_avg_pool2d', args: [f32(8, [1, 4, 4, 4]), [2, 2]], out: f32(10, [1, 4, 2, 2]) },
        { op: 'aten::view', args: [f32(10, [1, 4, 2, 2]), [1, -1]], out: f32(11, [1, 16]) },
        { op: 'aten::mean', overload: 'dim', args: [f32(11, [1, 16]), [-1], true], out: f32(12, [1, 1]) },
      ],
      [{ name: 'bn.weight', shape: [4] }, { name: 'bn.bias', shape: [4] }],
      [f32(12, [1, 1])],
    );
    assert.equal(traced.coverage.complete, true, JSON.stringify(traced.diagnostics));
    const r = report(traced);
    // Buffers are read by the graph but are not parameters: 4 + 4.
    assert.equal(r.totals?.params, 8);
    assert.deepEqual(r.nodes.map((n) => n.opType).filter((o) => o !== 'Constant'), ['BatchNormalization', 'MaxPool', 'AveragePool', 'Reshape', 'ReduceMean']);
  });

  it('an aten op with no mapping is an error on its line and the result is incomplete, never dropped silently', () => {
    const traced = trace(
      f32(0, [2, 3]),
      [{ op: 'aten::frobnicate', args: [f32(0, [2, 3])], out: f32(1, [2, 3]), line: 12, module: 'odd' }],
      [],
      [f32(1, [2, 3])],
    );
    assert.equal(traced.coverage.complete, false);
    const d = traced.diagnostics.find((x) => x.code === 'trace.unmapped-op');
    assert.ok(d);
    assert.equal(d.severity, 'error');
    assert.equal(d.range?.start.line, 11);
    assert.match(d.message, /aten::frobnicate\.default/);
    assert.equal(traced.coverage.unresolved[0]?.name, 'aten::frobnicate.default');
  });

  it('a Python error is located on the innermost traceback line in the profiled file', () => {
    const json = { format: 1, ok: false, stage: 'forward', error: { type: 'RuntimeError', message: 'mat1 and mat2 shapes cannot be multiplied (1x10 and 12x4)', frames: [{ file: '/other/run.py', line: 3, function: 'main', user: true }, { file: FILE, line: 20, function: 'forward', user: true }, { file: '/work/blocks.py', line: 8, function: 'forward', user: true }, { file: '/usr/lib/python3/dist-packages/torch/nn/modules/linear.py', line: 114, function: 'forward', user: false }] } };
    const parsed = parseTraceDocument(json);
    assert.ok(parsed.document);
    const traced = traceToAnalysis(parsed.document, { file: FILE, entry: 'Net' });
    assert.equal(traced.analysis, null);
    const [d] = traced.diagnostics;
    assert.equal(d?.code, 'trace.forward-failed');
    assert.equal(d?.range?.start.line, 19);
    assert.match(d?.message ?? '', /RuntimeError: mat1 and mat2 shapes cannot be multiplied/);
    // The innermost frame of the user's own code elsewhere is named; torch's internals are not.
    assert.match(d?.message ?? '', /at \/work\/blocks\.py:8 in forward/);
    assert.doesNotMatch(d?.message ?? '', /linear\.py/);
  });

  it('rejects output that is not a trace, and reads the frames of a faulthandler dump innermost first', () => {
    assert.equal(parseTraceDocument([1, 2]).document, null);
    assert.equal(parseTraceDocument({ format: 99, ok: true }).document, null);
    assert.equal(parseTraceDocument({ format: 1, ok: true, input: { t: 0, shape: [1], dtype: 'float32' }, ops: [{ op: 3 }], parameters: [], buffers: [], modules: [] }).document, null);
    const dump = 'Timeout (0:00:05)!\nThread 0x00007f (most recent call first):\n  File "/work/model.py", line 3 in <module>\n  File "<frozen importlib._bootstrap>", line 241 in _call_with_frames_removed\n';
    assert.deepEqual(parseStackDump(dump)[0], { file: FILE, line: 3, function: '<module>' });
  });
});
