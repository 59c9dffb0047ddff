import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { Chip, parseChipsFile } from '../../server/src/analysis/cost/chips';
import { computeCosts, NodeCost } from '../../server/src/analysis/cost/model';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { fitEfficiency, FitPoint, heldOutBands, logGrid, quantile } from '../../server/src/cli/calibrate-fit';
import { convModel, elementwiseChain, gemmModel, MicroModel } from '../../server/src/cli/calibrate-models';
import { calibratedChip, parseCacheSize, readCpuCaches } from '../../server/src/cli/calibrate';

/**
 * The fit behind `ridgepoint calibrate`, on synthetic measurements whose true parameters are known:
 * every "measured" time below is written out from the efficiency model's formula (docs/cost-model.md,
 * "Efficiency") with FLOPs and bytes derived by hand, and the fit must find the parameters back.
 *
 * The chip: DRAM 10 GB/s, fp32 matrix peak 100 GFLOP/s, vector 10 GFLOP/s, 1 µs per kernel.
 * time = max(FLOPs / (peak · compute · shape), bytes / (bandwidth · memory)) + 1 µs, where
 * shape = Π d / (d + half_d) for GEMMs and bandwidth is the cache level's when the bytes fit it.
 */
const PEAK = 100e9;
const VECTOR = 10e9;
const DRAM = 10e9;
const OVERHEAD = 1e-6;
const TRUE = {
  half: { m: 16, n: 32, k: 64 },
  gemmCompute: 0.8,
  depthwiseCompute: 0.3,
  elementwiseMemory: 0.8,
  // L1 32 KiB at 100 GB/s, L2 1 MiB at 40 GB/s.
  caches: [{ name: 'L1d', bytes: 32 * 1024, bandwidth: 100e9 }, { name: 'L2', bytes: 1024 * 1024, bandwidth: 40e9 }],
};

function baseChip(): Chip {
  const raw = { id: 'synthetic-cpu', name: 'synthetic', vendor: 'test', category: 'cpu', aliases: [], memoryBandwidthGBs: DRAM / 1e9, memoryGB: 8, peaks: { tensor: { fp32: PEAK / 1e12 }, vector: { fp32: VECTOR / 1e12 } }, kernelOverheadUs: OVERHEAD * 1e6, sources: ['test'], notes: [], confidence: 'low' };
  const { chips, errors } = parseChipsFile(JSON.stringify([raw]), 'test');
  assert.deepEqual(errors, []);
  return chips[0]!;
}

function costOf(micro: MicroModel): NodeCost {
  const analysis = analyzeModel(bytesSource(micro.bytes));
  assert.ok(analysis.model && analysis.inference, micro.label);
  const cost = computeCosts(analysis.model, analysis.inference)[0];
  assert.ok(cost, micro.label);
  return cost;
}

/** The bandwidth a kernel of `bytes` gets: the first cache level that holds them, else DRAM. */
function bandwidthFor(bytes: number): number {
  return TRUE.caches.find((c) => bytes <= c.bytes)?.bandwidth ?? DRAM;
}

function gemmPoint(m: number, k: number, n: number): FitPoint {
  const cost = costOf(gemmModel(m, k, n));
  const flops = 2 * m * n * k;
  const bytes = 4 * (m * k + k * n + m * n);
  // The cost model counts the same work (checked, so the synthetic times are in its units).
  assert.equal(cost.cost.flops, flops);
  assert.equal(cost.cost.activationBytesRead + cost.cost.weightBytes + cost.cost.bytesWritten, bytes);
  const shape = (m / (m + TRUE.half.m)) * (n / (n + TRUE.half.n)) * (k / (k + TRUE.half.k));
  const seconds = Math.max(flops / (PEAK * TRUE.gemmCompute * shape), bytes / bandwidthFor(bytes)) + OVERHEAD;
  return { label: `gemm ${m}×${k}×${n}`, kind: 'gemm', cost, seconds };
}

function depthwisePoint(c: number, size: number): FitPoint {
  const cost = costOf(convModel({ cin: c, cout: c, size, kernel: 3, group: c }));
  // 3×3 "same" padding, stride 1: 9 MACs per output element, plus the bias add.
  const out = c * size * size;
  const flops = 2 * 9 * out + out;
  const bytes = 4 * (c * size * size + c * 9 + c + out);
  assert.equal(cost.cost.flops, flops);
  assert.equal(cost.cost.activationBytesRead + cost.cost.weightBytes + cost.cost.bytesWritten, bytes);
  const seconds = Math.max(flops / (VECTOR * TRUE.depthwiseCompute), bytes / bandwidthFor(bytes)) + OVERHEAD;
  return { label: `depthwise ${c} at ${size}²`, kind: 'conv-depthwise', cost, seconds };
}

function addPoint(elements: number): FitPoint {
  const cost = costOf(elementwiseChain('elementwise', 'Add', elements, 2));
  const flops = elements;
  const bytes = 3 * 4 * elements;
  assert.equal(cost.cost.flops, flops);
  assert.equal(cost.cost.activationBytesRead + cost.cost.weightBytes + cost.cost.bytesWritten, bytes);
  const seconds = Math.max(flops / VECTOR, bytes / (bandwidthFor(bytes) * TRUE.elementwiseMemory)) + OVERHEAD;
  return { label: `add ${elements}`, kind: 'elementwise', cost, seconds };
}

function points(): FitPoint[] {
  return [
    // GEMMs that vary one dimension at a time around 512, so each half is pinned by its own points.
    ...[1, 4, 16, 64, 256].map((m) => gemmPoint(m, 512, 512)),
    ...[8, 32, 128].map((n) => gemmPoint(512, 512, n)),
    ...[8, 64, 256].map((k) => gemmPoint(512, k, 512)),
    gemmPoint(512, 512, 512),
    ...[[32, 112], [64, 112], [144, 56], [96, 112]].map(([c, size]) => depthwisePoint(c, size)),
    // Adds of 12 KiB and 24 KiB (L1), 192 KiB and 768 KiB (L2), 12 MiB and 48 MiB (DRAM).
    ...[1024, 2048, 16384, 65536, 1 << 20, 1 << 22].map(addPoint),
  ];
}

const OPTIONS = { caches: TRUE.caches.map((c) => ({ name: c.name, bytes: c.bytes })), basis: 'synthetic test' };
const near = (actual: number | undefined, expected: number, tolerance: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(Math.log(actual / expected)) <= Math.log(1 + tolerance), `${what}: ${actual} vs ${expected} (±${tolerance * 100}%)`);
};

describe('calibrate: fitting the efficiency object (synthetic measurements, known parameters)', () => {
  const base = baseChip();
  const pts = points();

  it('finds gemmHalf, the class multipliers and the cache bandwidths back', function () {
    this.timeout(120_000);
    const eff = fitEfficiency(pts, base, OPTIONS);
    // The compute and memory grids are log-spaced (steps of 10% and 11%), the fine half grid 26%.
    near(eff.classes?.gemm?.compute, TRUE.gemmCompute, 0.1, 'gemm compute');
    near(eff.gemmHalf?.m, TRUE.half.m, 0.3, 'gemmHalf.m');
    near(eff.gemmHalf?.n, TRUE.half.n, 0.3, 'gemmHalf.n');
    near(eff.gemmHalf?.k, TRUE.half.k, 0.3, 'gemmHalf.k');
    near(eff.classes?.['conv-depthwise']?.compute, TRUE.depthwiseCompute, 0.1, 'depthwise compute');
    near(eff.classes?.elementwise?.memory, TRUE.elementwiseMemory, 0.1, 'elementwise memory');
    // The caches' bandwidths are fitted together with the elementwise memory multiplier they are scaled by.
    const effective = (name: string): number => (eff.caches?.find((c) => c.name === name)?.bandwidthGBs ?? NaN) * 1e9 * (eff.classes?.elementwise?.memory ?? NaN);
    near(effective('L1d'), TRUE.caches[0]!.bandwidth * TRUE.elementwiseMemory, 0.2, 'L1 bandwidth × elementwise memory');
    near(effective('L2'), TRUE.caches[1]!.bandwidth * TRUE.elementwiseMemory, 0.1, 'L2 bandwidth × elementwise memory');
  });

  it('gives held-out bands that hold the truth (noise-free data: close to ×1)', function () {
    this.timeout(120_000);
    const bands = heldOutBands(pts, base, OPTIONS);
    for (const kind of ['gemm', 'conv-depthwise', 'elementwise'] as const) {
      const band = bands[kind];
      assert.ok(band, kind);
      assert.ok(band.low <= band.high && band.low > 0.7 && band.high < 1.4, `${kind}: ×${band.low}–×${band.high}`);
    }
    assert.equal(bands.gemm?.samples, 12, 'every GEMM point is predicted once, by the fit on the other half');
  });

  it('a calibrated chip with the fitted efficiency object validates as a chips-file entry', function () {
    this.timeout(120_000);
    const efficiency = { ...fitEfficiency(pts, base, OPTIONS), errorBands: heldOutBands(pts, base, OPTIONS) };
    const chip = calibratedChip('local-cpu', { bandwidthGBs: 10, overheadUs: 1, vectorFp32Tflops: 0.01, tensor: { fp32: 0.1 }, log: [] }, 1, '1.23.2', new Date(0), efficiency);
    const { chips, errors } = parseChipsFile(JSON.stringify({ chips: [chip] }), 'calibrated');
    assert.deepEqual(errors, []);
    assert.equal(chips[0]?.efficiency?.gemmHalf?.m, efficiency.gemmHalf?.m);
    assert.deepEqual(chips[0]?.efficiency?.caches?.map((c) => c.name), ['L1d', 'L2']);
    assert.ok(chips[0]?.efficiency?.errorBands?.gemm);
  });
});

describe('calibrate: fit helpers', () => {
  it('quantile interpolates between order statistics', () => {
    // Sorted 1, 2, 3, 4, 5: the 10th percentile sits at position 0.4 → 1.4; the 90th at 3.6 → 4.6.
    assert.ok(Math.abs(quantile([5, 1, 4, 2, 3], 0.1) - 1.4) < 1e-12);
    assert.ok(Math.abs(quantile([5, 1, 4, 2, 3], 0.9) - 4.6) < 1e-12);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });

  it('logGrid spans its ends in equal ratios', () => {
    assert.deepEqual(logGrid(1, 100, 3).map((x) => Number(x.toPrecision(12))), [1, 10, 100]);
  });
});

describe('calibrate: cache sizes from sysfs', () => {
  it('reads data and unified caches, skips instruction caches, smallest first', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-cache-'));
    try {
      const level = (index: number, lvl: string, type: string, size: string): void => {
        const dir = path.join(root, `index${index}`);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, 'level'), `${lvl}\n`);
        fs.writeFileSync(path.join(dir, 'type'), `${type}\n`);
        fs.writeFileSync(path.join(dir, 'size'), `${size}\n`);
      };
      // This machine's layout (lscpu): L1d 32K, L1i 32K, L2 1024K, L3 32768K.
      level(3, '3', 'Unified', '32768K');
      level(0, '1', 'Data', '32K');
      level(1, '1', 'Instruction', '32K');
      level(2, '2', 'Unified', '1024K');
      assert.deepEqual(readCpuCaches(root), [{ level: 1, bytes: 32 * 1024 }, { level: 2, bytes: 1024 * 1024 }, { level: 3, bytes: 32 * 1024 * 1024 }]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('no sysfs: no caches (the CLI says so), and sizes parse with their unit', () => {
    assert.deepEqual(readCpuCaches('/nonexistent/ridgepoint-cache'), []);
    assert.equal(parseCacheSize('48K'), 48 * 1024);
    assert.equal(parseCacheSize('8M'), 8 * 1024 * 1024);
    assert.equal(parseCacheSize('512'), 512);
    assert.equal(parseCacheSize('large'), null);
  });
});
