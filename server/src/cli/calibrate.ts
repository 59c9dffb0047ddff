import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModel } from '../analysis/analyze';
import { builtinChips, Chip, findChip, parseChipsFile } from '../analysis/cost/chips';
import { ChipEfficiency } from '../analysis/cost/efficiency';
import { profileAnalysis } from '../analysis/cost/index';
import { computeCosts } from '../analysis/cost/model';
import { attachMeasurement } from '../analysis/measure/compare';
import type { RunStatistic } from '../analysis/measure/join';
import { parseOrtProfile } from '../analysis/measure/ort-profile';
import { median } from '../analysis/measure/stats';
import { bytesSource } from '../analysis/onnx/byte-source';
import { buildReport } from '../analysis/report';
import { BYTES_PER_GB, humanBandwidth, humanBytes, humanFlopRate, humanTime } from '../format/units';
import { UsageError } from './args';
import { BAND_FOLDS, CacheSize, fitEfficiency, FitPoint, fitRows, formatFit, heldOutBands } from './calibrate-fit';
import { calibrationGrid, DOUBLE, elementwiseChain, FLOAT16, INT8, matmulModel, MicroModel } from './calibrate-models';
import { loadOrt, Ort, ortVersion, randomTensor, runProfiled } from './ort-session';

/**
 * `ridgepoint calibrate`: measures this machine's roofs through ONNX Runtime (CPU) with N threads and
 * writes them as a chip (`local-cpu`) into the user's chips file, so `profile --chip local-cpu`
 * predicts with measured figures. Every roof is the cost model's own FLOPs or bytes for a micro-model
 * divided by its measured kernel time less the per-kernel overhead; docs/validation/README.md.
 */

export const CALIBRATED_CHIP_ID = 'local-cpu';

/** Where calibrated chips go by default: $XDG_CONFIG_HOME/ridgepoint/chips.json (~/.config/…; %APPDATA% on Windows). */
export function userChipsFile(): string {
  const base = process.platform === 'win32' ? (process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming')) : (process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'));
  return path.join(base, 'ridgepoint', 'chips.json');
}

/** A chip from the default user chips file, when it exists and holds one with this id (errors ignored: `chips --chips` reports them). */
export function findUserChip(id: string): Chip | undefined {
  const file = userChipsFile();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const { chips } = parseChipsFile(text, file);
  const found = findChip(id, chips);
  return found && chips.includes(found) ? found : undefined;
}

interface CalibrateFlags {
  threads?: number;
  runs: number;
  chips?: string;
  id: string;
  print: boolean;
  saveMeasurements?: string;
  refit?: string;
  statistic: RunStatistic;
}

interface NodeRate {
  readonly id: string;
  readonly opType: string;
  readonly seconds: number;
  readonly flops: number;
  readonly bytes: number;
}

/** One grid micro-model's measurement: its nodes' median kernel times and the cost model's work for each. */
export interface GridSample {
  readonly kind: string;
  readonly label: string;
  readonly tensorBytes?: number;
  readonly nodes: readonly NodeRate[];
}

/** Runs one micro-model and returns per node: median kernel seconds and the cost model's FLOPs and bytes. */
async function measureMicro(ort: Ort, micro: MicroModel, threads: number, runs: number, statistic: RunStatistic = 'median'): Promise<{ nodes: NodeRate[]; runSeconds: number | null }> {
  const reference = findChip('laptop-cpu') ?? builtinChips()[0];
  const analysis = analyzeModel(bytesSource(micro.bytes));
  const report = buildReport(analysis, micro.kind, new Map(), profileAnalysis(analysis, { chip: reference, peakMode: 'datasheet' }));
  const feeds = (names: readonly string[]): Record<string, InstanceType<Ort['Tensor']>> =>
    Object.fromEntries(names.map((name, i) => {
      const input = micro.inputs.find((v) => v.name === name);
      if (!input) throw new Error(`calibration model ${micro.kind} has no input ${name}`);
      return [name, randomTensor(ort, { name, dtype: input.dtype, shape: [...input.shape] }, 17 + i)];
    }));
  const warmup = 2;
  const { profileText } = await runProfiled(ort, micro.bytes, feeds, { threads, warmup, runs: Math.min(runs, micro.maxRuns ?? runs), optimize: false });
  const joined = attachMeasurement(report, parseOrtProfile(profileText), micro.kind, { skipRuns: warmup, statistic });
  if (joined.errors.length > 0) throw new Error(`${micro.kind}: ${joined.errors.join('; ')}`);
  const nodes = joined.report.nodes
    .filter((n) => n.measuredSeconds !== undefined)
    .map((n) => ({ id: n.id, opType: n.opType, seconds: n.measuredSeconds as number, flops: n.flops ?? 0, bytes: (n.bytesRead ?? 0) + (n.bytesWritten ?? 0) }));
  if (nodes.length === 0) throw new Error(`${micro.label}: no node of the calibration model joined a kernel`);
  return { nodes, runSeconds: joined.report.measurement?.measuredRunSeconds ?? null };
}

/** A data or unified cache level of this CPU, from sysfs (Linux). */
export interface CacheInfo {
  readonly level: number;
  readonly bytes: number;
}

/** Parses a sysfs cache size: `32K`, `1024K`, `32768K`, `8M`. */
export function parseCacheSize(text: string): number | null {
  const m = /^\s*(\d+)\s*([KMG]?)\s*$/i.exec(text);
  if (!m) return null;
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * scale;
}

/**
 * This CPU's data and unified caches, smallest first, from /sys/devices/system/cpu/cpu0/cache/index*
 * (`level`, `type`, `size`); empty where sysfs has none (not Linux, a container hiding it): the caller says so.
 */
export function readCpuCaches(root = '/sys/devices/system/cpu/cpu0/cache'): CacheInfo[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(root).filter((e) => /^index\d+$/.test(e));
  } catch {
    return [];
  }
  const caches: CacheInfo[] = [];
  for (const entry of entries) {
    try {
      const read = (name: string): string => fs.readFileSync(path.join(root, entry, name), 'utf8').trim();
      if (read('type') === 'Instruction') continue;
      const level = Number(read('level'));
      const bytes = parseCacheSize(read('size'));
      if (Number.isInteger(level) && bytes !== null && bytes > 0) caches.push({ level, bytes });
    } catch {
      // An index without the three files is skipped.
    }
  }
  return caches.sort((a, b) => a.bytes - b.bytes);
}

/** What `calibrate` measured: saved by --save-measurements, refitted by --refit without running anything. */
export interface Measurements {
  readonly threads: number;
  readonly ort: string;
  readonly date: string;
  /** Per-node times are this statistic over the runs (--statistic). */
  readonly statistic?: RunStatistic;
  readonly caches: readonly CacheInfo[];
  /** Kernel time of a 1-element Add (the profiler's part of the per-kernel cost), µs. */
  readonly kernelUs: number;
  /** Run wall time per node of 1-element Adds (kernel plus dispatch): the chip's kernelOverheadUs. */
  readonly overheadUs: number;
  readonly grid: readonly GridSample[];
  /** TFLOP/s of a 1024³ MatMul in each dtype ONNX Runtime ran. */
  readonly dtypePeaks: Partial<Record<'fp64' | 'fp16' | 'int8', number>>;
  readonly log: readonly string[];
}

interface Roofs {
  readonly bandwidthGBs: number;
  readonly overheadUs: number;
  readonly vectorFp32Tflops: number;
  readonly tensor: Partial<Record<'fp32' | 'fp64' | 'fp16' | 'int8', number>>;
  readonly log: string[];
}

/** Net kernel time for a rate: less the per-kernel part, never below 5% of the time. */
function netOf(kernelUs: number): (n: NodeRate) => number {
  return (n) => Math.max(n.seconds - kernelUs * 1e-6, n.seconds * 0.05);
}

/** The best rate of a sample's nodes (a roof is the best rate reached: on a shared machine slow samples are other processes). */
function bestRate(sample: GridSample, of: (n: NodeRate) => number, net: (n: NodeRate) => number): number {
  return Math.max(...sample.nodes.map((n) => of(n) / net(n)));
}

async function measureAll(ort: Ort, threads: number, runs: number, statistic: RunStatistic, say: (line: string) => void): Promise<Measurements> {
  const log: string[] = [];
  const note = (line: string): void => {
    log.push(line);
    say(line);
  };
  const caches = readCpuCaches();
  note(caches.length > 0 ? `caches (sysfs): ${caches.map((c) => `L${c.level} ${humanBytes(c.bytes)}`).join(', ')}` : 'caches: none found in /sys/devices/system/cpu/cpu0/cache (not Linux, or hidden): no cache levels are fitted, every kernel is costed at DRAM bandwidth');
  // Overhead first: every rate is computed from kernel time less its kernel part.
  const tinyCount = 64;
  const tiny = await measureMicro(ort, elementwiseChain('overhead', 'Add', 1, tinyCount), threads, runs, statistic);
  const kernelUs = median(tiny.nodes.map((n) => n.seconds)) * 1e6;
  // The roofline's overhead is what one more node costs a run (kernel plus the executor's dispatch
  // between kernels), so predicted totals match wall time.
  const overheadUs = tiny.runSeconds === null ? kernelUs : (tiny.runSeconds * 1e6) / tinyCount;
  note(`per-kernel overhead: ${humanTime(overheadUs * 1e-6)} per node of run time for 1-element Adds (${humanTime(kernelUs * 1e-6)} of it kernel time, the rest dispatch)`);
  const grid: GridSample[] = [];
  const started = Date.now();
  for (const micro of calibrationGrid()) {
    const r = await measureMicro(ort, micro, threads, runs, statistic);
    grid.push({ kind: micro.kind, label: micro.label, ...(micro.tensorBytes !== undefined ? { tensorBytes: micro.tensorBytes } : {}), nodes: r.nodes });
  }
  note(`grid: ${grid.length} micro-models in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const net = netOf(kernelUs);
  const dtypePeaks: Measurements['dtypePeaks'] = {};
  for (const [key, dtype] of [['fp64', DOUBLE], ['fp16', FLOAT16], ['int8', INT8]] as const) {
    const n = 1024;
    try {
      const r = await measureMicro(ort, matmulModel(dtype, n), threads, Math.max(3, Math.ceil(runs / 2)), statistic);
      const rate = median(r.nodes.map((x) => x.flops / net(x)));
      note(`matmul ${key} ${n}³: ${humanFlopRate(rate)}`);
      dtypePeaks[key] = rate / 1e12;
    } catch (error) {
      note(`matmul ${key} ${n}³: not measured (ONNX Runtime: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`);
    }
  }
  return { threads, ort: ortVersion(ort), date: new Date().toISOString(), statistic, caches, kernelUs, overheadUs, grid, dtypePeaks, log };
}

/** The chip's roofs from the grid: DRAM bandwidth, the vector and fp32 matrix rates (docs/validation/README.md). */
export function roofsOf(m: Measurements): Roofs {
  const log: string[] = [];
  const net = netOf(m.kernelUs);
  // DRAM bandwidth: the elementwise sweep's points well beyond the last-level cache.
  const llc = m.caches.length > 0 ? m.caches[m.caches.length - 1].bytes : 32 << 20;
  const dram = m.grid.filter((g) => g.kind === 'elementwise' && (g.tensorBytes ?? 0) >= 2 * llc);
  if (dram.length === 0) throw new Error(`the grid has no elementwise point over tensors ≥ ${humanBytes(2 * llc)}: DRAM bandwidth cannot be measured`);
  const bandwidthGBs = Math.max(...dram.map((g) => bestRate(g, (n) => n.bytes, net))) / 1e9;
  log.push(`memory bandwidth: ${humanBandwidth(bandwidthGBs * BYTES_PER_GB)} (elementwise over tensors ≥ ${humanBytes(2 * llc)}, twice the last-level cache)`);
  // Vector: the best FLOP rate of the elementwise and reduction points whose kernels run ≥ 20 µs (the
  // profiler counts whole µs: a 1 µs kernel less the 1 µs per-kernel part would read as a huge rate).
  const vector = m.grid.filter((g) => (g.kind === 'elementwise' || g.kind === 'reduction') && median(g.nodes.map((n) => n.seconds)) >= 20e-6);
  const best = (samples: readonly GridSample[]): GridSample => samples.reduce((a, b) => (bestRate(b, (n) => n.flops, net) > bestRate(a, (n) => n.flops, net) ? b : a));
  const bestVector = best(vector);
  const vectorFp32 = bestRate(bestVector, (n) => n.flops, net);
  log.push(`vector fp32: ${humanFlopRate(vectorFp32)} (the best of the elementwise and reduction points of ≥ 20 µs: ${bestVector.label})`);
  const bestGemm = best(m.grid.filter((g) => g.kind === 'gemm'));
  const fp32 = bestRate(bestGemm, (n) => n.flops, net) / 1e12;
  log.push(`matmul fp32: ${humanFlopRate(fp32 * 1e12)} (the best GEMM of the grid: ${bestGemm.label})`);
  return { bandwidthGBs, overheadUs: m.overheadUs, vectorFp32Tflops: vectorFp32 / 1e12, tensor: { fp32, ...m.dtypePeaks }, log };
}

/**
 * One fit point per grid micro-model: the cost model's cost of its first node (a chain's nodes share
 * one shape) against the median of its nodes' kernel times plus the dispatch between kernels (the
 * overhead less its kernel part), which is what a predicted time (kernel overhead included) stands for.
 * The micro-models are rebuilt from the grid and matched by label, so a refit reads a saved file.
 */
export function fitPointsOf(m: Measurements): FitPoint[] {
  const measured = new Map(m.grid.map((g) => [g.label, g]));
  const dispatch = Math.max(0, m.overheadUs - m.kernelUs) * 1e-6;
  const points: FitPoint[] = [];
  const missing: string[] = [];
  for (const micro of calibrationGrid()) {
    const sample = measured.get(micro.label);
    if (!sample) {
      missing.push(micro.label);
      continue;
    }
    const analysis = analyzeModel(bytesSource(micro.bytes));
    if (analysis.model === null || analysis.inference === null) throw new Error(`calibration model ${micro.label} could not be read back`);
    const costs = computeCosts(analysis.model, analysis.inference);
    const first = costs.find((c) => c.record.id === sample.nodes[0]?.id);
    if (!first) throw new Error(`calibration model ${micro.label}: node ${sample.nodes[0]?.id ?? '?'} not found`);
    points.push({ label: micro.label, kind: first.kernel.kind, cost: first, seconds: median(sample.nodes.map((n) => n.seconds)) + dispatch });
  }
  if (missing.length > 0) throw new UsageError(`the measurements lack ${missing.length} micro-model(s) of this version's grid (${missing.slice(0, 3).join('; ')}…): run calibrate again instead of --refit`);
  return points;
}

const CACHE_NAMES = ['L1d', 'L2', 'L3', 'L4'];

/** Fits the efficiency object to the grid and adds the held-out error bands; returns it with the fit's table. */
export function fitChipEfficiency(m: Measurements, base: Chip): { efficiency: ChipEfficiency; table: string } {
  const points = fitPointsOf(m);
  const caches: CacheSize[] = m.caches.map((c) => ({ name: CACHE_NAMES[c.level - 1] ?? `L${c.level}`, bytes: c.bytes }));
  const basis = `ridgepoint calibrate at ${m.date}: ${points.length} micro-models, onnxruntime-node ${m.ort}, ${m.threads} intra-op thread${m.threads === 1 ? '' : 's'}; ` +
    'multipliers and gemmHalf fitted to minimise the median |log(measured/predicted)| per class, cache bandwidths from the elementwise size sweep (cache sizes from sysfs); ' +
    `error bands: 10th–90th percentile of measured/predicted on held-out points (${BAND_FOLDS}-fold cross-validation over the grid)`;
  const fitted = fitEfficiency(points, base, { caches, basis });
  const efficiency: ChipEfficiency = { ...fitted, errorBands: heldOutBands(points, base, { caches, basis }) };
  return { efficiency, table: formatFit(fitRows(points, base, efficiency), efficiency) };
}

/** The grid as a table: per micro-model its median kernel time per node and the rates it reached. */
export function gridTable(grid: readonly GridSample[]): string {
  const rows = grid.map((g) => {
    const seconds = median(g.nodes.map((n) => n.seconds));
    const flops = median(g.nodes.map((n) => n.flops));
    const bytes = median(g.nodes.map((n) => n.bytes));
    return [g.kind, g.label, `${(seconds * 1e6).toFixed(1)}`, flops > 0 ? (flops / seconds / 1e9).toFixed(1) : '-', (bytes / seconds / 1e9).toFixed(1)];
  });
  const header = ['class', 'micro-model', 'µs/node', 'GFLOP/s', 'GB/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function round(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

export function calibratedChip(id: string, c: Roofs, threads: number, ortVer: string, date: Date, efficiency?: ChipEfficiency): Record<string, unknown> {
  const cpu = os.cpus()[0]?.model.trim() || 'unknown CPU';
  const tensor = Object.fromEntries(Object.entries(c.tensor).map(([k, v]) => [k, round(v, 4)]));
  return {
    id,
    name: `${cpu}, ${threads} thread${threads === 1 ? '' : 's'} (ONNX Runtime CPU, measured)`,
    vendor: cpu.split(/\s+/)[0] || 'unknown',
    category: 'cpu',
    aliases: [],
    memoryBandwidthGBs: round(c.bandwidthGBs, 4),
    memoryGB: round(os.totalmem() / 1e9, 3),
    peaks: { tensor, vector: { fp32: round(c.vectorFp32Tflops, 4) } },
    kernelOverheadUs: round(c.overheadUs, 3),
    sources: [`ridgepoint calibrate on ${os.hostname()} at ${date.toISOString()}: onnxruntime-node ${ortVer}, CPUExecutionProvider, ${threads} intra-op threads, graph optimisations off`],
    notes: [...c.log, 'Peaks are measured achievable rates (the cost model’s FLOPs and bytes over kernel time less the overhead), so datasheet and achievable modes agree.'],
    confidence: 'medium',
    ...(efficiency ? { efficiency } : {}),
  };
}

/** Writes (or replaces) the chip in a chips file, keeping every other entry as written. */
export function upsertChip(fileText: string | null, chip: Record<string, unknown>, file: string): string {
  let doc: unknown = { chips: [] };
  if (fileText !== null && fileText.trim() !== '') {
    try {
      doc = JSON.parse(fileText);
    } catch (error) {
      throw new UsageError(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix it or pass another file with --chips`);
    }
  }
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null && Array.isArray((doc as { chips?: unknown }).chips) ? (doc as { chips: unknown[] }).chips : null;
  if (list === null) throw new UsageError(`${file} is not a chips file (an array of chips, or {"chips": [...]})`);
  const at = list.findIndex((c) => typeof c === 'object' && c !== null && (c as { id?: unknown }).id === chip.id);
  if (at >= 0) list[at] = chip;
  else list.push(chip);
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Reads a file written by --save-measurements. */
function readMeasurements(file: string): Measurements {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read --refit ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const m = raw as Partial<Measurements>;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(m.grid) || typeof m.overheadUs !== 'number' || typeof m.kernelUs !== 'number' || !Array.isArray(m.caches) || typeof m.threads !== 'number') {
    throw new UsageError(`--refit ${file} is not a file written by calibrate --save-measurements`);
  }
  return { ort: 'unknown', date: 'unknown', dtypePeaks: {}, log: [], ...m } as Measurements;
}

async function calibrate(flags: CalibrateFlags): Promise<number> {
  const say = (line: string): void => void process.stderr.write(`  ${line}\n`);
  let measurements: Measurements;
  if (flags.refit) {
    measurements = readMeasurements(flags.refit);
    process.stderr.write(`Refitting the measurements in ${flags.refit} (${measurements.grid.length} micro-models, ${measurements.threads} thread${measurements.threads === 1 ? '' : 's'}, ${measurements.date})…\n`);
  } else {
    const ort = loadOrt();
    const threads = flags.threads ?? os.availableParallelism();
    process.stderr.write(`Calibrating ${os.cpus()[0]?.model.trim() ?? 'this CPU'} with ${threads} thread${threads === 1 ? '' : 's'} (ONNX Runtime ${ortVersion(ort)}; about two minutes)…\n`);
    measurements = await measureAll(ort, threads, flags.runs, flags.statistic, say);
    process.stderr.write(`\n${gridTable(measurements.grid)}\n\n`);
    if (flags.saveMeasurements) {
      fs.writeFileSync(flags.saveMeasurements, `${JSON.stringify(measurements, null, 1)}\n`);
      process.stderr.write(`Saved the grid's measurements to ${flags.saveMeasurements}\n`);
    }
  }
  const roofs = roofsOf(measurements);
  for (const line of roofs.log) say(line);
  const date = new Date();
  // The one-roof chip first: the fit's base (its roofs are what the multipliers scale).
  const baseJson = calibratedChip(flags.id, roofs, measurements.threads, measurements.ort, date);
  const base = parseChipsFile(JSON.stringify({ chips: [baseJson] }), 'calibrated chip');
  if (base.errors.length > 0 || base.chips.length !== 1) throw new Error(`the measured chip does not validate:\n${base.errors.join('\n')}`);
  const started = Date.now();
  const { efficiency, table } = fitChipEfficiency(measurements, base.chips[0]);
  process.stderr.write(`\nFit (${((Date.now() - started) / 1000).toFixed(1)} s; median |err| on the grid, one roof against fitted; band: measured ÷ predicted, 10th–90th percentile on held-out points):\n${table}\n\n`);
  const chip = calibratedChip(flags.id, { ...roofs, log: [...measurements.log, ...roofs.log] }, measurements.threads, measurements.ort, date, efficiency);
  const check = parseChipsFile(JSON.stringify({ chips: [chip] }), 'calibrated chip');
  if (check.errors.length > 0) throw new Error(`the calibrated chip does not validate:\n${check.errors.join('\n')}`);
  if (flags.print) {
    process.stdout.write(`${JSON.stringify(chip, null, 2)}\n`);
    return 0;
  }
  const file = flags.chips ?? userChipsFile();
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  const text = upsertChip(existing, chip, file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  process.stdout.write(`Wrote chip "${flags.id}" to ${file}. Use it: ridgepoint profile MODEL --chip ${flags.id}${flags.chips ? ` --chips ${flags.chips}` : ''}\n`);
  return 0;
}

/** `--statistic`: how per-op and run times are read from the runs (measure, calibrate, profile --measured). */
export function statisticOption(): Option {
  return new Option('--statistic <stat>', 'per-op and run times: the median over the runs, or the fastest run (least disturbed by other processes)').choices(['median', 'min']).default('median');
}

export function positiveInt(flag: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} expects a whole number ≥ 1, got "${text}"`);
    return n;
  };
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(`Measure this machine's roofs with ONNX Runtime (CPU) and save them as chip "${CALIBRATED_CHIP_ID}"`)
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', positiveInt('--threads'))
    .option('--runs <n>', 'measured runs per micro-benchmark (the median is used)', positiveInt('--runs'), 10)
    .addOption(statisticOption())
    .option('--chips <file>', `chips file to write (default: ${userChipsFile()})`)
    .option('--id <id>', 'chip id to write', CALIBRATED_CHIP_ID)
    .option('--print', 'print the chip JSON instead of writing it', false)
    .option('--save-measurements <file>', "write the grid's per-node measurements (JSON) to this file")
    .option('--refit <file>', 'fit the chip again from measurements saved by --save-measurements (runs nothing)')
    .action((flags: CalibrateFlags) => {
      void calibrate(flags).then(
        (code) => {
          process.exitCode = code;
        },
        (error: unknown) => {
          process.stderr.write(`ridgepoint: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exitCode = error instanceof UsageError ? 2 : 1;
        },
      );
    });
}
