/**
 * The cost tree on a real export: torchvision's resnet50 as torch.onnx.export writes it (made by real torch
 * through test/support/torchvision.ts). Its module hierarchy is torchvision's (`layer1`…`layer4`, each of
 * Bottleneck blocks), and the tree's time is the report's total, summed here from the report's nodes.
 *
 * Without a Python with torch and torchvision the suite fails (test/support/prerequisites.ts).
 */
import * as assert from 'node:assert/strict';
import { findChip } from '../../server/src/analysis/cost/chips';
import { Report } from '../../server/src/analysis/report';
import { profileFile } from '../../server/src/cli/profile';
import { loadTorchvisionTruth, requireTorchPython } from '../support/torchvision';

describe('cost tree of a real torchvision export (resnet50)', function () {
  this.timeout(10 * 60_000);
  let report: Report;

  before(async function () {
    requireTorchPython(this);
    const truth = await loadTorchvisionTruth({ only: ['resnet50'], log: (line) => console.log(`    ${line}`) });
    const onnxPath = truth.entries[0]?.onnxPath;
    assert.ok(onnxPath, `torch exported resnet50 (${truth.entries[0]?.error ?? 'no entry'})`);
    const chip = findChip('h100');
    assert.ok(chip);
    report = profileFile(onnxPath, { dim: new Map(), input: new Map(), profile: { chip, peakMode: 'datasheet' }, suggestions: false });
  });

  it('has torchvision’s stages at the top, each holding its Bottleneck blocks', () => {
    const root = report.costTree;
    assert.ok(root, 'the report has a cost tree');
    const names = root.children.map((c) => c.name);
    for (const stage of ['layer1', 'layer2', 'layer3', 'layer4']) assert.ok(names.includes(stage), `${stage} among ${names.join(', ')}`);
    // torchvision's resnet50: [3, 4, 6, 3] Bottleneck blocks per stage.
    const blocks = (stage: string): string[] => (root.children.find((c) => c.name === stage)?.children ?? []).map((c) => c.name).sort();
    assert.deepEqual(blocks('layer1'), ['0', '1', '2']);
    assert.deepEqual(blocks('layer3'), ['0', '1', '2', '3', '4', '5']);
    // The stages are where the time goes, costliest first.
    const times = root.children.map((c) => c.timeSeconds);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });

  it('adds up to the model’s time, summed independently from the report’s nodes', () => {
    const root = report.costTree;
    assert.ok(root);
    // The totals count every op that is counted, modelled and runs a kernel (bound memory, compute or overhead).
    const expected = report.nodes.filter((n) => n.counted !== false && n.modelled === true && (n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead')).reduce((sum, n) => sum + (n.timeSeconds ?? 0), 0);
    assert.ok(expected > 0);
    const summed = root.children.reduce((sum, c) => sum + c.timeSeconds, 0);
    assert.ok(Math.abs(summed - expected) <= 1e-9 * expected, `children sum ${summed} s, nodes sum ${expected} s`);
    assert.ok(Math.abs((report.totals?.timeSeconds ?? 0) - expected) <= 1e-9 * expected, `report total ${report.totals?.timeSeconds} s`);
    assert.equal(root.nodeCount, report.nodes.length);
  });
});
