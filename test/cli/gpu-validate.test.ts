/**
 * scripts/gpu-validate/ (docs/validation/gpu.md): the exports published.ts profiles, and bench.py's fit
 * run end to end on the CPU (--dry-run). Real torch, Debian's python3-torch; no GPU.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileFile } from '../../server/src/cli/profile';
import { requireTorchPython } from '../support/torchvision';

const ROOT = path.resolve(__dirname, '../..');


function opCounts(python: string, file: string): Record<string, number> {
  const script = 'import collections, json, sys, onnx\nm = onnx.load(sys.argv[1])\nprint(json.dumps(collections.Counter(n.op_type for n in m.graph.node)))';
  return JSON.parse(execFileSync(python, ['-c', script, file], { encoding: 'utf8' })) as Record<string, number>;
}

describe('gpu-validate: torchvision exports for published.ts', function () {
  this.timeout(10 * 60_000);
  let python: string;
  let dir: string;

  before(function () {
    python = requireTorchPython(this).python;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-gpu-validate-test-'));
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps BatchNorm for eager rows, folds it on request, and binds the batch with --dim', () => {
    const run = (extra: string[]): string => {
      const out = execFileSync(python, [path.join(ROOT, 'scripts/gpu-validate/export.py'), '--out', dir, ...extra, 'resnet18:64'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const file = (JSON.parse(out.trim().split('\n').pop() ?? '{}') as { files: Record<string, string> }).files['resnet18:64'];
      assert.ok(file, `export.py wrote resnet18:64 (${out})`);
      return file;
    };
    const kept = opCounts(python, run([]));
    const folded = opCounts(python, run(['--fold-batchnorm']));
    // ResNet-18: 20 convolutions (stem, 16 in the blocks, 3 downsample shortcuts), each followed by a BatchNorm.
    assert.equal(kept.Conv, 20);
    assert.equal(kept.BatchNormalization, 20);
    assert.equal(folded.Conv, 20);
    assert.equal(folded.BatchNormalization ?? 0, 0);

    const chip = findChip('rtx-4090');
    assert.ok(chip);
    const report = profileFile(path.join(dir, 'resnet18_64.onnx'), { dim: new Map([['batch', 8]]), input: new Map(), profile: { chip, peakMode: 'achievable', runtime: 'eager' }, suggestions: false });
    const input = report.inputs.find((i) => i.name === 'input');
    assert.deepEqual(input?.shape, [8, 3, 64, 64]);
    assert.deepEqual(report.unboundSymbols, []);
  });

  it('--gelu-op turns each five-node GELU into one Gelu node that the profile costs', () => {
    const out = execFileSync(python, [path.join(ROOT, 'scripts/gpu-validate/export.py'), '--out', dir, '--gelu-op', 'convnext_tiny:64'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const file = (JSON.parse(out.trim().split('\n').pop() ?? '{}') as { files: Record<string, string> }).files['convnext_tiny:64'];
    assert.ok(file);
    const counts = opCounts(python, file);
    // ConvNeXt-T has 3 + 3 + 9 + 3 = 18 blocks, one GELU each (torchvision's CNBlock).
    assert.equal(counts.Gelu, 18);
    assert.equal(counts.Erf ?? 0, 0);
    const chip = findChip('rtx-4090');
    assert.ok(chip);
    const report = profileFile(file, { dim: new Map([['batch', 4]]), input: new Map(), profile: { chip, peakMode: 'achievable', runtime: 'eager' }, suggestions: false });
    assert.deepEqual(report.unknownOps, []);
    assert.equal(report.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(report.diagnostics));
    const gelus = report.nodes.filter((n) => n.opType === 'Gelu');
    assert.equal(gelus.length, 18);
    assert.ok(gelus.every((n) => (n.timeSeconds ?? 0) > 0), 'every Gelu is costed');
  });
});

describe('gpu-validate: bench.py --dry-run fits a chip efficiency on the CPU', function () {
  this.timeout(5 * 60_000);

  it('writes cases, launch costs and a ChipEfficiency with the agreed fields', function () {
    const python = requireTorchPython(this).python;
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-bench-dry-')), 'dry.json');
    execFileSync(python, [path.join(ROOT, 'scripts/gpu-validate/bench.py'), '--out', out, '--dry-run'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      dryRun: boolean;
      cases: Array<{ op: string; kernelClass: string; median_ms: number }>;
      launch: { eagerUsPerKernel: number; graphUsPerNode: number | null };
      chip: { id: string; kernelOverheadUs: number; efficiency: { computeUnits: number; gemmTiles: number[][]; classes: Record<string, { compute?: number; memory?: number }>; errorBands: Record<string, { low: number; high: number; samples: number }>; basis: string } };
    };
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    assert.equal(result.dryRun, true);
    for (const kind of ['gemm', 'conv', 'conv-grouped', 'conv-depthwise', 'elementwise', 'reduction']) {
      assert.ok(result.cases.some((c) => c.kernelClass === kind), `a ${kind} case`);
    }
    assert.ok(result.cases.every((c) => c.median_ms > 0));
    assert.ok(result.launch.eagerUsPerKernel > 0);
    assert.equal(result.launch.graphUsPerNode, null, 'no CUDA graph without CUDA');
    const eff = result.chip.efficiency;
    assert.equal(result.chip.id, 'h100');
    assert.equal(eff.computeUnits, 132);
    assert.ok(eff.gemmTiles.length > 0 && eff.gemmTiles.every((t) => t.length === 2));
    for (const [kind, value] of Object.entries(eff.classes)) {
      for (const v of [value.compute, value.memory]) if (v !== undefined) assert.ok(v > 0 && v <= 1, `${kind}: ${v} in (0, 1]`);
    }
    for (const [kind, band] of Object.entries(eff.errorBands)) assert.ok(band.low <= band.high && band.samples > 0, `${kind} band`);
    assert.match(eff.basis, /DRY RUN/);
  });
});
