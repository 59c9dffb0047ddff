import * as assert from 'node:assert/strict';
import {
  bytesFromGB,
  datasheetMemory,
  humanBandwidth,
  humanBytes,
  humanCount,
  humanEnergy,
  humanFlopRate,
  humanFlops,
  humanMacs,
  humanPercent,
  humanRatio,
  humanSi,
  humanTime,
} from '../../server/src/format/units';

/**
 * The one units module (server/src/format/units.ts): bytes binary, work, rates and bandwidth SI, four
 * significant digits with trailing zeros dropped. Every expected string is worked out by hand below.
 */
describe('units: one way to write a number with a unit', () => {
  it('bytes are binary: 1 KiB = 1,024 B', () => {
    assert.equal(humanBytes(0), '0 B');
    assert.equal(humanBytes(512), '512 B');
    assert.equal(humanBytes(1023), '1023 B');
    assert.equal(humanBytes(1024), '1 KiB');
    // 1,536 / 1,024 = 1.5.
    assert.equal(humanBytes(1536), '1.5 KiB');
    // LLaMA-2-7B's KV cache per token: 2 (K and V) × 32 layers × 4,096 × 2 B = 524,288 B = 512 × 1,024.
    assert.equal(humanBytes(2 * 32 * 4096 * 2), '512 KiB');
    // 64 MiB = 67,108,864 B.
    assert.equal(humanBytes(67_108_864), '64 MiB');
    // 14,688,649,216 B / 2^30 = 13.6799…: four significant digits.
    assert.equal(humanBytes(14_688_649_216), '13.68 GiB');
    // 1,048,575 B is 1,023.999 KiB: it rounds to 1,024 KiB, which is written as the next unit up.
    assert.equal(humanBytes(1_048_575), '1 MiB');
    assert.equal(humanBytes(2 ** 40 * 3), '3 TiB');
  });

  it('a chip datasheet capacity in GB (1e9 B) is converted, not relabelled: 80 GB = 74.51 GiB', () => {
    assert.equal(bytesFromGB(80), 80_000_000_000);
    // 80e9 / 2^30 = 74.5058…
    assert.equal(humanBytes(bytesFromGB(80)), '74.51 GiB');
    assert.equal(datasheetMemory(80), '74.51 GiB (80 GB)');
    // 24e9 / 2^30 = 22.3517…
    assert.equal(datasheetMemory(24), '22.35 GiB (24 GB)');
  });

  it('work, rates and bandwidth are SI with a space before the unit, and zero is written out', () => {
    assert.equal(humanFlops(0), '0 FLOP');
    assert.equal(humanMacs(0), '0 MAC');
    assert.equal(humanFlops(999), '999 FLOP');
    // MNIST's first Conv: 313,600 FLOPs = 313.6 k.
    assert.equal(humanFlops(313_600), '313.6 kFLOP');
    assert.equal(humanMacs(156_800), '156.8 kMAC');
    // 999,999 rounds to 1,000 k at four digits: written as 1 M.
    assert.equal(humanFlops(999_999), '1 MFLOP');
    // 2 × 4096³ = 137,438,953,472.
    assert.equal(humanFlops(2 * 4096 ** 3), '137.4 GFLOP');
    assert.equal(humanFlopRate(989.4e12), '989.4 TFLOP/s');
    assert.equal(humanBandwidth(3.35e12), '3.35 TB/s');
    assert.equal(humanBandwidth(89.6e9), '89.6 GB/s');
    // ResNet-50's 25,557,032 parameters.
    assert.equal(humanCount(25_557_032), '25.56 M');
    assert.equal(humanCount(131_072), '131.1 k');
    assert.equal(humanCount(42), '42');
    assert.equal(humanSi(0.5), '0.5');
    assert.equal(humanSi(0.001), '1.0e-3');
  });

  it('times and energies pick ns, µs, ms, s (nJ … J)', () => {
    assert.equal(humanTime(0), '0 s');
    assert.equal(humanTime(3e-6), '3 µs');
    // 8,192 B / 3.35e12 B/s = 2.445…e-9 s.
    assert.equal(humanTime(8192 / 3.35e12), '2.445 ns');
    assert.equal(humanTime(85.564e-6), '85.56 µs');
    assert.equal(humanTime(0.0012341), '1.234 ms');
    // 0.99999999 s rounds to 1,000 ms: written as 1 s.
    assert.equal(humanTime(0.99999999), '1 s');
    assert.equal(humanTime(12.3456), '12.35 s');
    assert.equal(humanEnergy(0), '0 J');
    assert.equal(humanEnergy(1.5e-5), '15 µJ');
    assert.equal(humanEnergy(0.0025), '2.5 mJ');
    assert.equal(humanEnergy(3), '3 J');
  });

  it('shares and ratios; nothing finite to write is a dash', () => {
    assert.equal(humanPercent(0.408), '41%');
    assert.equal(humanPercent(0.048), '4.8%');
    assert.equal(humanPercent(0.0025), '0.25%');
    assert.equal(humanPercent(0), '0%');
    assert.equal(humanRatio(12.5), '12.5');
    // An intensity of 1,024.4 FLOP/B is written out to four digits, not as `1.024 k`; 250,000 takes a prefix.
    assert.equal(humanRatio(1024.4), '1024');
    assert.equal(humanRatio(250_000), '250 k');
    assert.equal(humanRatio(0.001), '1.0e-3');
    assert.equal(humanRatio(null), '—');
    for (const f of [humanBytes, humanTime, humanFlops, humanPercent, humanEnergy]) assert.equal(f(Number.NaN), '—');
    assert.equal(humanBytes(Number.POSITIVE_INFINITY), '—');
  });
});
