import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { Chip, parseChipsFile } from '../../server/src/analysis/cost/chips';
import { gemmEfficiency } from '../../server/src/analysis/cost/efficiency';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { PeakMode } from '../../server/src/analysis/cost/roofline';
import { PeakDtype } from '../../server/src/analysis/cost/chips';
import { NodeTiming } from '../../server/src/analysis/cost/roofline';

/**
 * cost/roofline.ts against numbers derived by hand on two made-up chips whose figures are round, so
 * every expected value below is arithmetic written out here, never Ridgepoint's output.
 */
const HEADER = '<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\n';

/** A GPU-like chip: 1000 GB/s, fp16 matrix 100 TFLOP/s, vector fp32 10 / fp16 20, 2 µs per kernel, 4 SMs. */
const GPU = {
  id: 'test-gpu', name: 'Test GPU', vendor: 'Test', category: 'datacenter_gpu', aliases: [],
  memoryBandwidthGBs: 1000, memoryGB: 16, l2MB: 4, tdpW: 100,
  peaks: { tensor: { fp16: 100 }, vector: { fp32: 10, fp16: 20 } },
  achievable: { memoryBandwidth: 0.8, tensor: 0.5, vector: null, basis: 'made up for the test' },
  kernelOverheadUs: 2,
  sources: ['test'], notes: [], confidence: 'low',
  efficiency: {
    computeUnits: 4,
    gemmTiles: [[128, 128]],
    channelAlign: 8,
    classes: { 'conv-depthwise': { memory: 0.5 } },
    errorBands: { gemm: { low: 0.9, high: 1.2, samples: 10 } },
    basis: 'made up for the test',
  },
};

/** A CPU-like chip: 50 GB/s DRAM, a 1 MiB cache at 200 GB/s, fp32 matrix 1 TFLOP/s, 1 µs per kernel. */
const CPU = {
  id: 'test-cpu', name: 'Test CPU', vendor: 'Test', category: 'cpu', aliases: [],
  memoryBandwidthGBs: 50, memoryGB: 16, l2MB: 1, tdpW: 100,
  peaks: { tensor: { fp32: 1 }, vector: { fp32: 0.5 } },
  kernelOverheadUs: 1,
  sources: ['test'], notes: [], confidence: 'low',
  efficiency: {
    gemmHalf: { m: 16, n: 16, k: 16 },
    caches: [{ name: 'L2', bytes: 1048576, bandwidthGBs: 200 }],
    basis: 'made up for the test',
  },
};

function chip(entry: object): Chip {
  const parsed = parseChipsFile(JSON.stringify({ chips: [entry] }), 'test.json');
  assert.deepEqual(parsed.errors, []);
  const found = parsed.chips.find((c) => c.id === (entry as { id: string }).id);
  assert.ok(found);
  return found;
}

/** The timing of the model's only node. */
function timeOf(body: string, target: Chip, peakMode: PeakMode, computeDtype?: PeakDtype): NodeTiming {
  const analysis = analyzeText(`${HEADER}${body}`);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const profiled = profileAnalysis(analysis, { chip: target, peakMode, computeDtype });
  assert.ok(profiled);
  const [node] = profiled.result.nodes;
  assert.ok(node);
  return node.timing;
}

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected) + 1e-18, `${what}: ${actual} ≠ ${expected}`);

// MatMul fp16 [256,512]·[512,256]: 2·256·512·256 = 67,108,864 FLOPs; bytes (256·512 + 512·256 + 256·256)·2 = 655,360.
const MATMUL_256 = 'g (float16[256,512] a, float16[512,256] b) => (float16[256,256] c)\n{\n  c = MatMul (a, b)\n}';

describe('roofline (cost/roofline.ts) against hand-derived numbers', () => {
  it('datasheet: time = max(FLOPs / peak, bytes / bandwidth) + the fixed cost; overhead-bound when 2 µs beats both', () => {
    const t = timeOf(MATMUL_256, chip(GPU), 'datasheet');
    close(t.computeSeconds, 67108864 / 100e12, 'compute'); // 6.71e-7 s
    close(t.memorySeconds, 655360 / 1000e9, 'memory'); // 6.55e-7 s
    assert.equal(t.overheadSeconds, 2e-6);
    close(t.timeSeconds, 67108864 / 100e12 + 2e-6, 'time');
    assert.equal(t.bound, 'overhead'); // 2e-6 > max(6.71e-7, 6.55e-7)
    assert.deepEqual(t.efficiency, { compute: 1, memory: 1 }); // datasheet: the textbook roofline
    close(t.intensity ?? 0, 67108864 / 655360, 'intensity'); // 102.4 FLOP/B
    close(t.ridge ?? 0, 100e12 / 1000e9, 'ridge'); // 100 FLOP/B
  });

  it('achievable: the chip fractions apply (tensor 0.5, memory 0.8); 4 tiles of 128×128 fill the 4 SMs exactly', () => {
    const t = timeOf(MATMUL_256, chip(GPU), 'achievable');
    assert.equal(t.kernelClass, 'gemm');
    assert.equal(t.efficiency.compute, 1); // 2×2 tiles, one full wave, K = 512 a multiple of 8
    close(t.computeSeconds, 67108864 / (100e12 * 0.5), 'compute'); // 1.342e-6
    close(t.memorySeconds, 655360 / (1000e9 * 0.8), 'memory'); // 8.19e-7
    close(t.timeSeconds, 67108864 / 50e12 + 2e-6, 'time');
    assert.equal(t.bound, 'overhead');
    // The chip's calibrated band for GEMMs: 0.9 to 1.2 of the time.
    assert.ok(t.range);
    close(t.range.low, 0.9 * t.timeSeconds, 'low');
    close(t.range.high, 1.2 * t.timeSeconds, 'high');
    assert.equal(t.range.calibrated, true);
  });

  it('compute-bound when the arithmetic dominates: a 2048³ fp16 GEMM', () => {
    const t = timeOf('g (float16[2048,2048] a, float16[2048,2048] b) => (float16[2048,2048] c)\n{\n  c = MatMul (a, b)\n}', chip(GPU), 'datasheet');
    // 2·2048³ = 1.718e10 FLOPs / 1e14 = 1.718e-4 s; 3·2048²·2 B = 25,165,824 B / 1e12 = 2.5e-5 s.
    close(t.computeSeconds, (2 * 2048 ** 3) / 100e12, 'compute');
    close(t.memorySeconds, (3 * 2048 * 2048 * 2) / 1000e9, 'memory');
    assert.equal(t.bound, 'compute');
  });

  it('memory-bound when the traffic dominates: an 8 MiB fp32 Relu on the vector unit', () => {
    const t = timeOf('g (float[2048,1024] x) => (float[2048,1024] y)\n{\n  y = Relu (x)\n}', chip(GPU), 'datasheet');
    // 2,097,152 FLOPs / 10e12 = 2.1e-7 s; (8 MiB read + 8 MiB written) / 1e12 = 1.68e-5 s > 2 µs.
    close(t.computeSeconds, 2097152 / 10e12, 'compute');
    close(t.memorySeconds, (2 * 2048 * 1024 * 4) / 1000e9, 'memory');
    assert.equal(t.bound, 'memory');
    assert.equal(t.kernelClass, 'elementwise');
  });

  it('a compute-dtype override runs fp32 arithmetic at the fp16 peak and moves half the bytes', () => {
    const t = timeOf('g (float[256,512] a, float[512,256] b) => (float[256,256] c)\n{\n  c = MatMul (a, b)\n}', chip(GPU), 'datasheet', 'fp16');
    assert.equal(t.peak?.dtype, 'fp16');
    close(t.bytes, 655360, 'bytes'); // the fp32 traffic 1,310,720 B × 16/32
    close(t.computeSeconds, 67108864 / 100e12, 'compute');
  });

  it('tile quantisation: m = 192 fills 3/4 of two 128-row tiles', () => {
    const t = timeOf('g (float16[192,512] a, float16[512,256] b) => (float16[192,256] c)\n{\n  c = MatMul (a, b)\n}', chip(GPU), 'achievable');
    // 2 × 2 = 4 tiles, one full wave; useful area 192·256 / (256·256) = 0.75.
    close(t.efficiency.compute, 0.75, 'efficiency');
    close(t.computeSeconds, (2 * 192 * 512 * 256) / (100e12 * 0.5 * 0.75), 'compute');
  });

  it('wave quantisation: 5 tiles on 4 SMs run in 2 waves, the second a quarter full', () => {
    const t = timeOf('g (float16[640,512] a, float16[512,128] b) => (float16[640,128] c)\n{\n  c = MatMul (a, b)\n}', chip(GPU), 'achievable');
    // 5 × 1 tiles; waves = 5/4 = 1.25 → 2 waves: 1.25 / 2 = 0.625 of the machine busy.
    close(t.efficiency.compute, 0.625, 'efficiency');
  });

  it('a Linear layer on [B, T, K] folds B into M (one GEMM over the shared weight); two activations stay batched', () => {
    // x [4, 96, 512] · W [512, 256]: one GEMM of M = 4·96 = 384: 3 × 2 = 6 tiles of 128×128 on 4 SMs, 2 waves: 6/8 = 0.75.
    const linear = timeOf('g (float16[4,96,512] x, float16[512,256] w) => (float16[4,96,256] y)\n{\n  y = MatMul (x, w)\n}', chip(GPU), 'achievable');
    close(linear.efficiency.compute, 0.75, 'folded');
    // q [4, 96, 512] · k [4, 512, 256]: 4 GEMMs of 96×256: each 1 × 2 tiles of 96/128 rows: area 0.75; 8 tiles, 2 full waves.
    const batched = timeOf('g (float16[4,96,512] q, float16[4,512,256] k) => (float16[4,96,256] s)\n{\n  s = MatMul (q, k)\n}', chip(GPU), 'achievable');
    close(batched.efficiency.compute, 0.75, 'batched');
  });

  it('split-K: one 128×128 tile with K = 4096 is split over the 4 SMs (K slices of 1024 ≥ 256)', () => {
    const eff = chip(GPU).efficiency;
    assert.ok(eff);
    // 1 tile < 4 SMs; split = min(floor(4096/256) = 16, floor(4/1) = 4) = 4 blocks: one full wave.
    close(gemmEfficiency({ batch: 1, m: 128, n: 128, k: 4096 }, eff).value, 1, 'split-K');
    // A tile below 64×64 runs at its reuse over 32: 16×16 reuses 16·16/32 = 8, a quarter of the SM's rate.
    // m = n = 16, k = 64 with tiles 64×64 or 16×16: 64×64 fills 256/4096 of one tile on 1 of 4 SMs (no split-K at
    // K = 64): 0.015625; 16×16 fills its tile, 1 of 4 SMs, at a quarter rate: 0.0625, the better.
    close(gemmEfficiency({ batch: 1, m: 16, n: 16, k: 64 }, { ...eff, gemmTiles: [[64, 64], [16, 16]] }).value, 0.0625, 'small tile');
    // K = 256 cannot be split: 1 block of 4 SMs.
    close(gemmEfficiency({ batch: 1, m: 128, n: 128, k: 256 }, eff).value, 0.25, 'no split');
  });

  it('channel alignment: a 3-channel 3×3 conv pads its channels to 8, and 16 output channels fill 1/8 of a 128-wide tile', () => {
    const body = 'g (float16[1,3,64,64] x, float16[16,3,3,3] w) => (float16[1,16,64,64] y)\n{\n  y = Conv <pads = [1, 1, 1, 1]> (x, w)\n}';
    const t = timeOf(body, chip(GPU), 'achievable');
    assert.equal(t.kernelClass, 'conv');
    // Implicit GEMM m = 64·64 = 4096, n = 16, k = 3·9 = 27. Padded K = 8·9 = 72: 27/72 = 0.375.
    // Tiles: 32 × 1 = 32 (8 full waves); area 16/128 = 0.125. Efficiency 0.125 × 0.375 = 0.046875.
    close(t.efficiency.compute, 0.046875, 'efficiency');
    // In fp32 the test chip has no matrix rate: the conv runs on the vector units, which take any channel count (area only).
    close(timeOf(body.replace(/float16/g, 'float'), chip(GPU), 'achievable').efficiency.compute, 0.125, 'fp32 on the vector units');
    // The datasheet mode ignores shapes.
    assert.equal(timeOf(body, chip(GPU), 'datasheet').efficiency.compute, 1);
  });

  it('a depthwise conv runs on the vector units at its class bandwidth (0.5 of the achievable 0.8)', () => {
    const body = 'g (float16[1,32,64,64] x, float16[32,1,3,3] w) => (float16[1,32,64,64] y)\n{\n  y = Conv <group = 32, pads = [1, 1, 1, 1]> (x, w)\n}';
    const t = timeOf(body, chip(GPU), 'achievable');
    assert.equal(t.kernelClass, 'conv-depthwise');
    assert.equal(t.peak?.unit, 'vector');
    // MACs = 32·64·64 outputs × 9 taps = 1,179,648; FLOPs 2,359,296 at the fp16 vector 20 TFLOP/s.
    close(t.computeSeconds, 2359296 / 20e12, 'compute');
    // Bytes: x 131,072·2 + w 288·2 + y 131,072·2 = 524,864, at 1000e9 × 0.8 × 0.5.
    close(t.memorySeconds, 524864 / (1000e9 * 0.8 * 0.5), 'memory');
    assert.equal(t.bound, 'overhead'); // 2 µs > 1.31 µs
    // No band calibrated for depthwise on this chip: the wide default, labelled uncalibrated.
    assert.ok(t.range);
    close(t.range.low, 0.5 * t.timeSeconds, 'low');
    close(t.range.high, 2 * t.timeSeconds, 'high');
    assert.equal(t.range.calibrated, false);
  });

  it('a variant with its own figures wins over its class: a strided depthwise conv, a broadcasting Add', () => {
    const cpu = chip({ ...CPU, id: 'variant-cpu', efficiency: { basis: 'test', classes: { 'conv-depthwise': { memory: 0.5 }, 'conv-depthwise:strided': { memory: 0.25 }, elementwise: { memory: 0.8 }, 'elementwise:broadcast': { memory: 0.2 } }, errorBands: { 'elementwise:broadcast': { low: 0.7, high: 1.6, samples: 6 } } } });
    const dw = (stride: number): NodeTiming =>
      timeOf(`g (float[1,32,64,64] x, float[32,1,3,3] w) => (float[1,32,${64 / stride},${64 / stride}] y)\n{\n  y = Conv <group = 32, pads = [1, 1, 1, 1], strides = [${stride}, ${stride}]> (x, w)\n}`, cpu, 'achievable');
    assert.equal(dw(1).efficiency.memory, 0.5);
    assert.equal(dw(2).efficiency.memory, 0.25);
    // [64, 512] + [512]: the bias is stretched over 64 rows, the broadcasting path; [64, 512] + [64, 512] is not.
    const bias = timeOf('g (float[64,512] x, float[512] b) => (float[64,512] y)\n{\n  y = Add (x, b)\n}', cpu, 'achievable');
    assert.equal(bias.efficiency.memory, 0.2);
    assert.ok(bias.range);
    close(bias.range.high, 1.6 * bias.timeSeconds, 'broadcast band');
    assert.equal(timeOf('g (float[64,512] x, float[64,512] b) => (float[64,512] y)\n{\n  y = Add (x, b)\n}', cpu, 'achievable').efficiency.memory, 0.8);
    // spatialHalf: a 32×32 output per channel (1,024 positions) with half 1,024 runs at 1,024/2,048 = ½ the class rate.
    const halfChip = chip({ ...CPU, id: 'half-cpu', efficiency: { basis: 'test', classes: { 'conv-depthwise': { memory: 0.5, spatialHalf: 1024 } } } });
    assert.equal(timeOf('g (float[1,32,64,64] x, float[32,1,3,3] w) => (float[1,32,32,32] y)\n{\n  y = Conv <group = 32, pads = [1, 1, 1, 1], strides = [2, 2]> (x, w)\n}', halfChip, 'achievable').efficiency.memory, 0.25);
    // A scalar operand is not a broadcast path.
    assert.equal(timeOf('g (float[64,512] x, float[1] b) => (float[64,512] y)\n{\n  y = Add (x, b)\n}', cpu, 'achievable').efficiency.memory, 0.8);
  });

  it('CPU: a GEMM with small dims gets Π d/(d + half) of the rate; bytes that fit the cache move at its bandwidth', () => {
    const gemm = timeOf('g (float[16,64] a, float[64,32] b) => (float[16,32] c)\n{\n  c = MatMul (a, b)\n}', chip(CPU), 'achievable');
    // m 16/(16+16) = 0.5, n 32/48 = 2/3, k 64/80 = 0.8: 0.2667.
    close(gemm.efficiency.compute, 0.5 * (2 / 3) * 0.8, 'gemm');
    const relu = timeOf('g (float[65536] x) => (float[65536] y)\n{\n  y = Relu (x)\n}', chip(CPU), 'achievable');
    // 256 KiB read + 256 KiB written = 524,288 B ≤ 1 MiB: at 200 GB/s, 4× the 50 GB/s DRAM.
    close(relu.efficiency.memory, 4, 'cache');
    close(relu.memorySeconds, 524288 / 200e9, 'memory');
    const big = timeOf('g (float[1048576] x) => (float[1048576] y)\n{\n  y = Relu (x)\n}', chip(CPU), 'achievable');
    // 8 MiB does not fit: DRAM.
    close(big.memorySeconds, (8 * 1048576) / 50e9, 'dram');
  });

  it('rejects a malformed efficiency object with a located message', () => {
    const bad = { ...CPU, id: 'bad-cpu', efficiency: { basis: 'x', classes: { convolution: { compute: 2 } }, gemmHalf: { m: 'a' } } };
    const parsed = parseChipsFile(JSON.stringify({ chips: [bad] }), 'user.json');
    assert.ok(parsed.errors.some((e) => e.includes('efficiency.classes.convolution') && e.includes('unknown kernel class')), parsed.errors.join('\n'));
    assert.ok(parsed.errors.some((e) => e.includes('efficiency.gemmHalf')), parsed.errors.join('\n'));
    assert.equal(parsed.chips.some((c) => c.id === 'bad-cpu'), false);
  });
});
