/** The client's words (client/src/summary.ts) and the webview message guard: pure, so tested in Node. */
import { strict as assert } from 'node:assert';
import { chipDetail, profileSummary, reportFormatOf, shortChipName, statusText, statusTooltip, validateDimValue } from '../../client/src/summary';
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
  it('details a chip as bandwidth · peak · memory', () => {
    assert.equal(chipDetail(H100), '3350 GB/s · 989 TFLOP/s bf16 · 80 GB');
    assert.equal(chipDetail({ ...H100, peakTFlops: 394, peakDtype: 'int8', memoryGB: 24, memoryBandwidthGBs: 300.25 }), '300 GB/s · 394 TOP/s int8 · 24 GB');
    assert.equal(chipDetail({ ...H100, peakTFlops: null, peakDtype: null, memoryBandwidthGBs: 89.6, memoryGB: 16 }), '89.6 GB/s · 16 GB');
  });

  it('shortens chip names for the status bar', () => {
    assert.equal(shortChipName('NVIDIA H100 SXM5 80GB'), 'H100 SXM5 80GB');
    assert.equal(shortChipName('Google TPU v5e'), 'TPU v5e');
    assert.equal(shortChipName('laptop-cpu'), 'laptop-cpu');
  });

  it('writes the status bar text and tooltip', () => {
    const profiled: ProfiledParams = { uri: 'file:///m.onnx', chip: 'h100', chipName: 'NVIDIA H100 SXM5 80GB', totalSeconds: 0.00123, memoryBoundShare: 0.78, unboundDims: ['seq'] };
    assert.equal(statusText('h100', profiled), '$(pulse) H100 SXM5 80GB · 1.23 ms');
    assert.equal(statusText('NVIDIA H100 SXM5 80GB', undefined), '$(pulse) H100 SXM5 80GB');
    assert.equal(statusText('h100', { ...profiled, totalSeconds: null }), '$(pulse) H100 SXM5 80GB');
    const tooltip = statusTooltip('h100', profiled);
    assert.match(tooltip, /78% of it memory-bound/);
    assert.match(tooltip, /Unbound dims: seq/);
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
    assert.equal(profileSummary('m.onnx', nothing), 'Ridgepoint: m.onnx on the chosen chip — nothing could be costed (unbound: batch).');
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
