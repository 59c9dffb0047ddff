/** The client's words (client/src/summary.ts) and the webview message guard: pure, so tested in Node. */
import { strict as assert } from 'node:assert';
import { chipDetail, dimPrompt, profileSummary, reportFormatOf, shortChipName, statusText, statusTooltip, validateDimValue } from '../../client/src/summary';
import { isPanelToHost } from '../../media/src/panel-messages';
import type { ChipSummary, ProfiledParams, ProfileResult } from '../../server/src/protocol';

const H100: ChipSummary = {
  id: 'h100',
  name: 'NVIDIA H100 SXM5 80GB',
  vendor: 'NVIDIA',
  category: 'datacenter-gpu',
  aliases: ['h100-sxm'],
  memoryBandwidthGBs: 3350,
  memoryGB: 80,
  peakTFlops: 989.4,
  peakDtype: 'bf16',
  origin: 'builtin',
};

function report(overrides: Partial<ProfileResult>): ProfileResult {
  return {
    schemaVersion: 1,
    model: { path: 'model.onnx', irVersion: 8, opsets: {}, producer: { name: '', version: '' }, graphName: 'g', metadata: {}, weights: null },
    bindings: {},
    inputs: [],
    outputs: [],
    nodes: [],
    unknownOps: [],
    unboundSymbols: [],
    diagnostics: [],
    ...overrides,
  } as ProfileResult;
}

describe('client summary text', () => {
  it('details a chip as datasheet bandwidth · peak · memory, and what the achievable mode times with', () => {
    // Bandwidth and peaks SI as the vendor quotes them (3350 GB/s = 3.35 TB/s; 989.4 TFLOP/s to four
    // digits); memory converted from the datasheet's GB (1e9 B) to GiB: 80e9 / 2^30 = 74.506, 24e9 / 2^30
    // = 22.352, 16e9 / 2^30 = 14.901, with the vendor's figure beside it.
    assert.equal(chipDetail(H100), '3.35 TB/s datasheet · 989.4 TFLOP/s bf16 · 74.51 GiB (80 GB)');
    assert.equal(chipDetail({ ...H100, peakTFlops: 394, peakDtype: 'int8', memoryGB: 24, memoryBandwidthGBs: 300.25 }), '300.3 GB/s datasheet · 394 TOP/s int8 · 22.35 GiB (24 GB)');
    assert.equal(chipDetail({ ...H100, peakTFlops: null, peakDtype: null, memoryBandwidthGBs: 89.6, memoryGB: 16 }), '89.6 GB/s datasheet · 14.9 GiB (16 GB)');
    // The chart's 3.015 TB/s is 90% of the datasheet's 3350 GB/s: 3350 × 0.9 = 3015 GB/s.
    assert.equal(chipDetail({ ...H100, achievableBandwidthFraction: 0.9 }, 'achievable'), '3.35 TB/s datasheet · 989.4 TFLOP/s bf16 · 74.51 GiB (80 GB) · achievable mode times with 90%: 3.015 TB/s');
    assert.equal(chipDetail({ ...H100, achievableBandwidthFraction: null }, 'achievable'), '3.35 TB/s datasheet · 989.4 TFLOP/s bf16 · 74.51 GiB (80 GB) · achievable mode: no measured fraction, times with the datasheet');
  });

  it('shortens chip names for the status bar', () => {
    assert.equal(shortChipName('NVIDIA H100 SXM5 80GB'), 'H100 SXM5 80GB');
    assert.equal(shortChipName('Google TPU v5e'), 'TPU v5e');
    assert.equal(shortChipName('laptop-cpu'), 'laptop-cpu');
  });

  it('writes the status bar text and tooltip', () => {
    const profiled: ProfiledParams = { uri: 'file:///m.onnx', chip: 'h100', chipName: 'NVIDIA H100 SXM5 80GB', totalSeconds: 0.00123, memoryBoundShare: 0.78, unboundDims: [] };
    assert.equal(statusText('h100', profiled), '$(pulse) H100 SXM5 80GB · 1.23 ms');
    assert.equal(statusText('NVIDIA H100 SXM5 80GB', undefined), '$(pulse) H100 SXM5 80GB');
    assert.equal(statusText('h100', { ...profiled, totalSeconds: null }), '$(pulse) H100 SXM5 80GB');
    assert.match(statusTooltip('h100', profiled), /78% of it memory-bound/);
  });

  it('names the launch share in the status bar from 10% on, and in the tooltip with the runtime', () => {
    // 4 of 9.8 µs is kernel launches: 40.8%, written as percent() writes every share (whole numbers from 10%).
    const profiled: ProfiledParams = { uri: 'file:///m.onnx', chip: 'h100', chipName: 'NVIDIA H100 SXM5 80GB', totalSeconds: 9.8e-6, memoryBoundShare: 0.1, launchShare: 4 / 9.8, runtime: 'eager', unboundDims: [] };
    assert.equal(statusText('h100', profiled), '$(pulse) H100 SXM5 80GB · 9.8 µs · 41% launches');
    const tooltip = statusTooltip('h100', profiled);
    assert.match(tooltip, /^41% of the time is kernel launches: CUDA graphs or torch\.compile\(mode="reduce-overhead"\) remove most of it \(setting ridgepoint\.runtime\)\.$/m);
    // Already captured: the share is still said, the remedy is not; the runtime is named next to the time.
    const graphs = statusTooltip('h100', { ...profiled, runtime: 'cuda-graphs' });
    assert.match(graphs, /^Predicted 9\.8 µs per run \(cuda-graphs\), 10% of it memory-bound\.$/m);
    assert.match(graphs, /^41% of the time is kernel launches\.$/m);
    // Under a tenth (and for an older server that does not send it): nothing about launches.
    for (const quiet of [{ ...profiled, launchShare: 0.099 }, { ...profiled, launchShare: undefined }, { ...profiled, launchShare: null }]) {
      assert.equal(statusText('h100', quiet), '$(pulse) H100 SXM5 80GB · 9.8 µs');
      assert.doesNotMatch(statusTooltip('h100', quiet), /launches/);
    }
  });

  it('never shows a time for unbound dims without saying what is not costed', () => {
    const profiled: ProfiledParams = { uri: 'file:///m.onnx', chip: 'h100', chipName: 'NVIDIA H100 SXM5 80GB', totalSeconds: null, memoryBoundShare: null, unboundDims: ['batch', 'height', 'width'] };
    assert.equal(statusText('h100', profiled), '$(warning) H100 SXM5 80GB · not costed: bind batch, height, width');
    assert.match(statusTooltip('h100', profiled), /Nothing could be costed: the sizes of its inputs are unbound/);
    // Part of the model costed: the time is a lower bound.
    assert.equal(statusText('h100', { ...profiled, totalSeconds: 0.00123, unboundDims: ['seq'] }), '$(warning) H100 SXM5 80GB · ≥ 1.23 ms · not costed: bind seq');
    assert.match(statusTooltip('h100', { ...profiled, totalSeconds: 0.00123, unboundDims: ['seq'] }), /Predicted at least 1\.23 ms per run/);
    // Long names: as many as fit, then a count.
    const long = ['p2o.DynamicDimension.0', 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'];
    assert.equal(statusText('h100', { ...profiled, unboundDims: long }), '$(warning) H100 SXM5 80GB · not costed: bind p2o.DynamicDimension.0 +2 more');
  });

  it('names the input and axis a dim is asked for', () => {
    const uses = [{ input: 'x', axis: 2, shape: '[N, 3, H, W]' }];
    assert.equal(dimPrompt('H', uses, true), 'x: [N, 3, H, W] → H (axis 2) (unbound now)');
    assert.equal(dimPrompt('batch', [{ input: 'ids', axis: 0, shape: '[batch, seq]' }, { input: 'mask', axis: 0, shape: '[batch, seq]' }], false), 'ids: [batch, seq] → batch (axis 0); also in mask');
    assert.equal(dimPrompt('WIDTH', [], true), 'Value of WIDTH (unbound now)');
  });

  it('says in the status bar that a model definition is incomplete, with its time as a lower bound', () => {
    const profiled: ProfiledParams = { uri: 'file:///vgg.py', chip: 'h100', chipName: 'NVIDIA H100 SXM5 80GB', totalSeconds: 0.00123, memoryBoundShare: 0.5, unboundDims: [], coverage: { complete: false, layersResolved: 13, layersTotal: 16, problems: 5 } };
    assert.equal(statusText('h100', profiled), '$(warning) H100 SXM5 80GB · ≥ 1.23 ms · incomplete: 13 of 16 layers, see Problems');
    assert.match(statusTooltip('h100', profiled), /Predicted at least 1\.23 ms per run/);
    assert.match(statusTooltip('h100', profiled), /Incomplete: 13 of 16 layers with parameters resolved; the totals are lower bounds/);
    // Every layer resolved, something else not understood (an import not read): the problems are counted.
    assert.equal(statusText('h100', { ...profiled, coverage: { complete: false, layersResolved: 16, layersTotal: 16, problems: 2 } }), '$(warning) H100 SXM5 80GB · ≥ 1.23 ms · incomplete: 2 problems, see Problems');
    const complete = { ...profiled, coverage: { complete: true, layersResolved: 16, layersTotal: 16, problems: 0 } };
    assert.equal(statusText('h100', complete), '$(pulse) H100 SXM5 80GB · 1.23 ms');
  });

  it('summarises a profile in one line, with untrusted names cleaned', () => {
    const r = report({
      chip: { id: 'h100', name: 'NVIDIA H100 SXM5 80GB', memoryBandwidthGBs: 3350, peaks: {}, achievable: {}, kernelOverheadUs: 2, sources: [] },
      totals: { timeSeconds: 0.00123, memoryBoundShare: 0.78 } as ProfileResult['totals'],
      topOps: [{ id: 'n7', name: '/blocks.0/attn/MatMul\n', opType: 'MatMul', timeSeconds: 0.0001476, share: 0.12, bound: 'compute' }],
    });
    assert.equal(profileSummary('model.onnx', r), 'Ridgepoint: model.onnx on NVIDIA H100 SXM5 80GB — 1.23 ms per run, 78% memory-bound; top op /blocks.0/attn/MatMul\\u000a (12%)');
    const nothing = report({ unboundSymbols: ['batch'] });
    assert.equal(profileSummary('m.onnx', nothing), 'Ridgepoint: m.onnx on the chosen chip — not costed: bind batch.');
    const zero = report({ ...r, unboundSymbols: ['batch', 'height', 'width'], totals: { timeSeconds: 0, memoryBoundShare: 0, costedNodes: 0 } as ProfileResult['totals'] });
    assert.equal(profileSummary('m.onnx', zero), 'Ridgepoint: m.onnx on NVIDIA H100 SXM5 80GB — not costed: bind batch, height, width.');
    const partly = report({ ...r, unboundSymbols: ['seq'], totals: { timeSeconds: 0.00123, memoryBoundShare: 0.78, costedNodes: 4 } as ProfileResult['totals'] });
    assert.match(profileSummary('m.onnx', partly), /— at least 1\.23 ms per run, 78% memory-bound; .*; not costed: bind seq$/);
  });

  it('accepts only positive integers as dim values', () => {
    assert.equal(validateDimValue('2048'), undefined);
    assert.equal(validateDimValue(' 1 '), undefined);
    for (const bad of ['', '0', '-1', '1.5', 'seq', '1e3', '99999999999999999999']) assert.ok(validateDimValue(bad), bad);
  });

  it('picks the export format by extension', () => {
    assert.equal(reportFormatOf('/a/r.HTML'), 'html');
    assert.equal(reportFormatOf('/a/r.json'), 'json');
    assert.equal(reportFormatOf('/a/r.md'), 'markdown');
    assert.equal(reportFormatOf('/a/model.onnx'), undefined);
    assert.equal(reportFormatOf('/a/noext'), undefined);
  });
});

describe('roofline panel messages', () => {
  it('accepts ready and reveal, nothing else', () => {
    assert.ok(isPanelToHost({ type: 'ready' }));
    assert.ok(isPanelToHost({ type: 'reveal', nodeId: 'n3/then_branch/n0' }));
    for (const bad of [null, 'ready', {}, { type: 'reveal' }, { type: 'reveal', nodeId: 3 }, { type: 'reveal', nodeId: '' }, { type: 'exec' }]) assert.ok(!isPanelToHost(bad), JSON.stringify(bad));
  });
});
