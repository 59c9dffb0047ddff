/**
 * The one units module: every number with a unit that the CLI, the language server (hovers, lenses,
 * diagnostics), the VS Code client (status bar, notifications), the webview and the HTML report show is
 * written by these functions. Pure (no Node, no DOM), so the browser bundles import it as well.
 *
 * The conventions, chosen once (README.md "Units" says the same):
 * - Bytes are binary: B, KiB, MiB, GiB, TiB (1 KiB = 1,024 B), because GPU memory is allocated and
 *   reported (nvidia-smi, torch.cuda) in powers of two.
 * - Work and rates are SI, as vendors quote them: FLOP, kFLOP, MFLOP, GFLOP, TFLOP; FLOP/s; bandwidth in
 *   B/s with SI prefixes (3.35 TB/s = 3.35e12 B/s); plain counts (parameters) with k, M, G.
 * - Chip datasheet capacities are SI too (`memoryGB` in chips.json: 1 GB = 1e9 B, the vendor's figure).
 *   They are converted to bytes with `bytesFromGB` and then written in binary like every other size,
 *   never relabelled: H100's 80 GB is 74.51 GiB (`datasheetMemory` writes both).
 * - Time in ns, µs, ms, s; energy in nJ, µJ, mJ, J.
 * - One precision everywhere: four significant digits with trailing zeros dropped (`1.5 KiB`,
 *   `13.68 GiB`, `1 µs`, `25.56 M`), a space between the number and its unit, zero as `0 B`, `0 FLOP`,
 *   `0 s`; anything not finite as `—`.
 */

const PLACEHOLDER = '—';

/** Significant digits of every value written with a unit. */
const DIGITS = 4;

/** 1 GB, the unit of chip datasheet capacities (chips.json `memoryGB`). */
export const BYTES_PER_GB = 1e9;

const SI_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY_PREFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const TIME_UNITS = ['ns', 'µs', 'ms', 's'];
const ENERGY_UNITS = ['nJ', 'µJ', 'mJ', 'J'];

/** `value` to DIGITS significant digits, trailing zeros dropped, never in exponent form (`1234`, `12.35`, `0.5`). */
function significant(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.min(20, Math.max(0, DIGITS - 1 - magnitude));
  return String(Number(value.toFixed(decimals)));
}

/**
 * `value` in the largest unit of the ladder (each `step` times the one before, the first worth `first`)
 * that leaves it at least 1, rounded there; a value that rounds up to a whole step (`1023.99 KiB`) moves up.
 */
function scaled(value: number, units: readonly string[], step: number, first = 1): string {
  if (!Number.isFinite(value)) return PLACEHOLDER;
  const abs = Math.abs(value);
  let index = 0;
  let unitValue = first;
  while (index < units.length - 1 && abs >= unitValue * step) {
    index += 1;
    unitValue *= step;
  }
  let text = significant(value / unitValue);
  if (Math.abs(Number(text)) >= step && index < units.length - 1) {
    index += 1;
    unitValue *= step;
    text = significant(value / unitValue);
  }
  return `${text} ${units[index]}`;
}

/**
 * A value with SI prefixes: `1.235 GFLOP`, `3.35 TB/s`, `25.56 M` (no unit: a count). Unprefixed values
 * under 0.01 (FLOP/byte ratios go that low) are written in exponent form, `1.0e-3`.
 */
export function humanSi(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return PLACEHOLDER;
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 0.01) return `${value.toExponential(1)}${unit ? ` ${unit}` : ''}`;
  if (abs < 1000) return `${significant(value)}${unit ? ` ${unit}` : ''}`;
  return scaled(value, SI_PREFIXES.map((prefix) => prefix + unit), 1000).trimEnd();
}

/** A plain count (parameters, items): `131.1 k`, `25.56 M`, `42`. */
export function humanCount(n: number): string {
  return humanSi(n);
}

/** Arithmetic work: `313.6 kFLOP`, `0 FLOP`. */
export function humanFlops(n: number): string {
  return humanSi(n, 'FLOP');
}

/** Multiply-accumulates: `156.8 kMAC`, `0 MAC`. */
export function humanMacs(n: number): string {
  return humanSi(n, 'MAC');
}

/** An arithmetic rate: `989.4 TFLOP/s`. */
export function humanFlopRate(flopsPerSecond: number): string {
  return humanSi(flopsPerSecond, 'FLOP/s');
}

/** A memory bandwidth, SI as vendors quote it: `3.35 TB/s`, `89.6 GB/s`. */
export function humanBandwidth(bytesPerSecond: number): string {
  return humanSi(bytesPerSecond, 'B/s');
}

/** A size in binary units: `1.5 KiB`, `13.68 GiB`, `512 B`. */
export function humanBytes(n: number): string {
  if (!Number.isFinite(n)) return PLACEHOLDER;
  if (Math.abs(n) < 1024) return `${significant(n)} B`;
  return scaled(n, BINARY_PREFIXES.map((prefix) => `${prefix}B`), 1024);
}

/** A datasheet capacity in GB (1e9 B, chips.json `memoryGB`) as bytes. */
export function bytesFromGB(gigabytes: number): number {
  return gigabytes * BYTES_PER_GB;
}

/** A chip's memory as a size and as its datasheet quotes it: `74.51 GiB (80 GB)`. */
export function datasheetMemory(memoryGB: number): string {
  return `${humanBytes(bytesFromGB(memoryGB))} (${significant(memoryGB)} GB)`;
}

/** A time: `2.45 ns`, `12.35 µs`, `1.234 ms`, `3 s`. */
export function humanTime(seconds: number): string {
  if (seconds === 0) return '0 s';
  if (Math.abs(seconds) >= 1) return `${significant(seconds)} s`;
  return scaled(seconds, TIME_UNITS, 1000, 1e-9);
}

/** An energy: `12.5 µJ`, `1.2 mJ`, `0 J`. */
export function humanEnergy(joules: number): string {
  if (joules === 0) return '0 J';
  if (Math.abs(joules) >= 1) return `${significant(joules)} J`;
  return scaled(joules, ENERGY_UNITS, 1000, 1e-9);
}

/** A share: whole percents from 10% (`41%`), one decimal from 1% (`4.8%`), two below (`0.25%`). */
export function humanPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return PLACEHOLDER;
  const p = fraction * 100;
  const abs = Math.abs(p);
  return `${abs >= 10 || p === 0 ? p.toFixed(0) : abs >= 1 ? p.toFixed(1) : p.toFixed(2)}%`;
}

/** Ratios under this are written out in full (`1024`), above it with an SI prefix (`250 k`). */
const RATIO_PREFIX_FROM = 1e5;

/** A FLOP/byte ratio (arithmetic intensity, ridge point), unitless: `1024`, `12.5`, `0.25`; `—` when unknown. */
export function humanRatio(value: number | null | undefined): string {
  if (value === null || value === undefined) return PLACEHOLDER;
  return Math.abs(value) >= 0.01 && Math.abs(value) < RATIO_PREFIX_FROM ? significant(value) : humanSi(value);
}
