/**
 * Kernel classes (cost/kernel-class.ts) on real torchvision exports, against real torch: torch
 * instantiates each model and counts its nn.Conv2d modules by their groups (dense: groups = 1;
 * depthwise: one input channel per group; grouped: the rest). Ridgepoint reads the ONNX export made by
 * the same torch (test/support/torchvision.ts) and must put every Conv node in the same class, since the
 * class picks the kernel's efficiency (a depthwise conv runs as a memory-bound vector kernel, not a GEMM).
 *
 * Without a Python with torch and torchvision the suite fails (test/support/prerequisites.ts).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileFile } from '../../server/src/cli/profile';
import { loadTorchvisionTruth, requireTorchPython } from '../support/torchvision';

const MODELS = ['mobilenet_v2', 'convnext_tiny', 'regnet_x_400mf', 'resnext50_32x4d', 'efficientnet_b0'];

const COUNT_CONVS = `
import json, sys, torch, torchvision
out = {}
for name in sys.argv[1:]:
    model = torchvision.models.get_model(name, weights=None)
    counts = {"conv": 0, "conv-grouped": 0, "conv-depthwise": 0}
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            if m.groups == 1:
                counts["conv"] += 1
            elif m.in_channels // m.groups == 1:
                counts["conv-depthwise"] += 1
            else:
                counts["conv-grouped"] += 1
    out[name] = counts
print(json.dumps(out))
`;

describe('kernel classes of real torchvision exports match torch’s own Conv2d groups', function () {
  this.timeout(10 * 60_000);
  let torchCounts: Record<string, Record<string, number>>;
  const onnxPaths = new Map<string, string>();

  before(async function () {
    const found = requireTorchPython(this);
    torchCounts = JSON.parse(execFileSync(found.python, ['-c', COUNT_CONVS, ...MODELS], { encoding: 'utf8', timeout: 5 * 60_000 })) as Record<string, Record<string, number>>;
    const truth = await loadTorchvisionTruth({ only: MODELS, log: (line) => console.log(`    ${line}`) });
    for (const e of truth.entries) if (e.onnxPath) onnxPaths.set(e.builder, e.onnxPath);
  });

  for (const name of MODELS) {
    it(`${name}: dense, grouped and depthwise convs as torch counts them`, () => {
      const expected = torchCounts[name];
      assert.ok(expected, `torch counted ${name}`);
      const onnxPath = onnxPaths.get(name);
      assert.ok(onnxPath, `torch exported ${name}`);
      const chip = findChip('h100');
      assert.ok(chip);
      const report = profileFile(onnxPath, { dim: new Map(), input: new Map(), profile: { chip, peakMode: 'achievable' }, suggestions: false });
      const convs = report.nodes.filter((n) => n.opType === 'Conv');
      const counts: Record<string, number> = { conv: 0, 'conv-grouped': 0, 'conv-depthwise': 0 };
      for (const n of convs) counts[n.kernelClass ?? 'missing'] = (counts[n.kernelClass ?? 'missing'] ?? 0) + 1;
      assert.ok(convs.length > 0 && convs.length === Object.values(expected).reduce((a, b) => a + b, 0), `${convs.length} Conv nodes`);
      assert.deepEqual(counts, expected);
    });
  }
});
