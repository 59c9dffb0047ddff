/**
 * Ridgepoint's predicted GPU throughput against published measurements (docs/validation/gpu.md).
 *
 *   npx tsx scripts/gpu-validate/published.ts [--sources docs/validation/gpu-sources.json] [--cache DIR]
 *       [--json OUT.json] [--label before|after] [--group throughput|latency|all] [--only SUBSTRING]
 *       [--fold-batchnorm] [--gelu-op]
 *
 * For each evaluation row of the sources file (a model, a chip, a batch, an image size, a dtype, a
 * runtime and the published figure, with its URL and the quoted line) it exports the torchvision builder
 * with real torch (scripts/gpu-validate/export.py, run by $RIDGEPOINT_TORCH_PYTHON or /usr/bin/python3),
 * then runs the real CLI on it exactly as a user would:
 *
 *   npx tsx server/src/cli/main.ts profile MODEL --chip ID --dtype D --peak achievable --runtime R
 *       --dim batch=N --format json --no-suggestions
 *
 * and compares batch ÷ totals.timeSeconds with the published images per second. Error is
 * predicted ÷ measured − 1 on throughput: +50% means Ridgepoint predicts the GPU 1.5× faster than it ran.
 * Prints a table and, per group, Spearman's ρ (predicted vs measured throughput) and the median |error|,
 * over all rows and per chip. A row without a torchvision builder, or whose export or profile fails, is
 * listed as skipped with the reason, never dropped silently. BatchNorm stays a separate node for eager and
 * cuda-graphs rows (eager PyTorch runs it as its own kernel) and is folded into the convolutions for
 * compiled rows; --fold-batchnorm folds it everywhere (what a default torch.onnx export gives). --gelu-op
 * rewrites torch 1.13's five-node GELU into one Gelu node, the one kernel eager PyTorch runs (export.py). The calibration rows of the sources file are
 * not used here (they set efficiency parameters; evaluating on them would be circular).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, spearman } from '../../server/src/analysis/measure/stats';

const ROOT = path.resolve(__dirname, '../..');

interface EvaluationRow {
  id: string;
  source: string;
  model: string;
  builder: string | null;
  chip: string;
  batch: number;
  resolution: number;
  dtype: string;
  runtime: 'eager' | 'cuda-graphs' | 'compiled';
  sourceRuntime: string;
  measured: { value: number; unit: 'img/s' | 'ms' };
  url: string;
  quote: string;
  group: 'throughput' | 'latency';
  heldBackOverlap: boolean;
  note?: string;
}

interface Outcome {
  row: EvaluationRow;
  measuredImgPerSec: number;
  predictedImgPerSec: number | null;
  error: number | null;
  /** The report's band as throughput (batch ÷ timeHigh … batch ÷ timeLow); null when it has none. */
  band?: { low: number; high: number } | null;
  bounds?: { memory: number; overhead: number };
  skipped?: string;
}

function flag(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

/** Images per second the source reports: throughput as is, a per-batch latency in ms as batch ÷ time. */
function measuredThroughput(row: EvaluationRow): number {
  return row.measured.unit === 'img/s' ? row.measured.value : row.batch / (row.measured.value / 1e3);
}

/** Whether the row's export folds BatchNorm into the convolutions (what compilers and TensorRT run). */
function foldsBatchNorm(row: EvaluationRow, foldAll: boolean): boolean {
  return foldAll || row.runtime === 'compiled';
}

/** Exports every builder:resolution the rows need, in one Python process per BatchNorm mode. */
function exportModels(rows: EvaluationRow[], cacheDir: string, foldAll: boolean, geluOp: boolean): Map<string, string | { error: string }> {
  const python = process.env.RIDGEPOINT_TORCH_PYTHON ?? '/usr/bin/python3';
  const files = new Map<string, string | { error: string }>();
  for (const fold of [false, true]) {
    const specs = [...new Set(rows.filter((r) => r.builder && foldsBatchNorm(r, foldAll) === fold).map((r) => `${r.builder}:${r.resolution}`))];
    if (specs.length === 0) continue;
    const args = [path.join(ROOT, 'scripts/gpu-validate/export.py'), '--out', cacheDir, ...(fold ? ['--fold-batchnorm'] : []), ...(geluOp ? ['--gelu-op'] : []), ...specs];
    let out: string;
    try {
      out = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 3_600_000, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      for (const spec of specs) files.set(`${spec}:${fold}`, { error: `export.py failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` });
      continue;
    }
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { files: Record<string, string | null>; errors: Record<string, string> };
    for (const spec of specs) files.set(`${spec}:${fold}`, result.files[spec] ?? { error: result.errors[spec] ?? 'no file' });
  }
  return files;
}

interface ProfileJson {
  totals: { timeSeconds: number; timeLowSeconds?: number; timeHighSeconds?: number; memoryBoundShare?: number; overheadBoundShare?: number; unmodelledNodes: number };
  unknownOps: unknown[];
  unboundSymbols: unknown[];
}

/** The real CLI, as a user runs it; returns the report's totals or why there are none. */
function profile(model: string, row: EvaluationRow): ProfileJson | { error: string } {
  const args = ['tsx', path.join(ROOT, 'server/src/cli/main.ts'), 'profile', model, '--chip', row.chip, '--dtype', row.dtype, '--peak', 'achievable', '--runtime', row.runtime, '--dim', `batch=${row.batch}`, '--format', 'json', '--no-suggestions'];
  try {
    const out = execFileSync('npx', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(out) as ProfileJson;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    return { error: (stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn')).pop() ?? String(error)).slice(0, 300) };
  }
}

function percent(x: number | null): string {
  return x === null ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
}

function summarise(label: string, outcomes: Outcome[]): string {
  const scored = outcomes.filter((o): o is Outcome & { predictedImgPerSec: number; error: number } => o.predictedImgPerSec !== null && o.error !== null);
  if (scored.length === 0) return `${label}: no rows`;
  const rho = scored.length >= 3 ? spearman(scored.map((o) => o.predictedImgPerSec), scored.map((o) => o.measuredImgPerSec)) : null;
  const med = median(scored.map((o) => Math.abs(o.error)));
  const signed = median(scored.map((o) => o.error));
  const banded = scored.filter((o) => o.band);
  const inside = banded.filter((o) => o.band && o.measuredImgPerSec >= o.band.low && o.measuredImgPerSec <= o.band.high).length;
  const coverage = banded.length > 0 ? `, measured inside the predicted band ${inside}/${banded.length}` : '';
  return `${label}: ${scored.length} rows, Spearman ρ ${rho === null ? '- (fewer than 3 rows)' : rho.toFixed(3)}, median |error| ${(med * 100).toFixed(1)}%, median signed error ${percent(signed)}${coverage}`;
}

function main(argv: string[]): void {
  const sourcesFile = path.resolve(flag(argv, '--sources') ?? path.join(ROOT, 'docs/validation/gpu-sources.json'));
  const cacheDir = flag(argv, '--cache') ?? path.join(os.tmpdir(), 'ridgepoint-gpu-validate');
  const group = flag(argv, '--group') ?? 'all';
  const only = flag(argv, '--only');
  const sources = JSON.parse(fs.readFileSync(sourcesFile, 'utf8')) as { evaluation: EvaluationRow[] };
  const rows = sources.evaluation.filter((r) => (group === 'all' || r.group === group) && (!only || r.id.includes(only)));
  fs.mkdirSync(cacheDir, { recursive: true });
  const foldAll = argv.includes('--fold-batchnorm');
  const geluOp = argv.includes('--gelu-op');
  const files = exportModels(rows, cacheDir, foldAll, geluOp);

  const outcomes: Outcome[] = [];
  for (const row of rows) {
    const measuredImgPerSec = measuredThroughput(row);
    const skip = (why: string): void => void outcomes.push({ row, measuredImgPerSec, predictedImgPerSec: null, error: null, skipped: why });
    if (!row.builder) {
      skip('no torchvision 0.14 builder for this architecture');
      continue;
    }
    const file = files.get(`${row.builder}:${row.resolution}:${foldsBatchNorm(row, foldAll)}`);
    if (!file || typeof file !== 'string') {
      skip(`export failed: ${file && typeof file !== 'string' ? file.error : 'not exported'}`);
      continue;
    }
    const report = profile(file, row);
    if ('error' in report) {
      skip(`profile failed: ${report.error}`);
      continue;
    }
    if (report.unboundSymbols.length > 0 || report.unknownOps.length > 0 || report.totals.unmodelledNodes > 0) {
      skip(`incomplete profile: ${report.unboundSymbols.length} unbound symbols, ${report.unknownOps.length} unknown ops, ${report.totals.unmodelledNodes} unmodelled nodes`);
      continue;
    }
    const predictedImgPerSec = row.batch / report.totals.timeSeconds;
    const { timeLowSeconds, timeHighSeconds } = report.totals;
    const band = timeLowSeconds !== undefined && timeHighSeconds !== undefined && timeLowSeconds > 0 ? { low: row.batch / timeHighSeconds, high: row.batch / timeLowSeconds } : null;
    outcomes.push({
      band,
      row,
      measuredImgPerSec,
      predictedImgPerSec,
      error: predictedImgPerSec / measuredImgPerSec - 1,
      bounds: { memory: report.totals.memoryBoundShare ?? 0, overhead: report.totals.overheadBoundShare ?? 0 },
    });
  }

  const header = `${'model'.padEnd(30)} ${'chip'.padEnd(10)} ${'batch'.padStart(5)} ${'res'.padStart(4)} ${'dtype'.padEnd(5)} ${'source'.padEnd(12)} ${'measured'.padStart(10)} ${'predicted'.padStart(10)} ${'error'.padStart(7)} ${'band'.padStart(13)}  note`;
  console.log(`Published GPU throughput (img/s) vs Ridgepoint (--peak achievable, --runtime per row${foldAll ? ', BatchNorm folded everywhere' : ''}${geluOp ? ', GELU as one op' : ''}); error = predicted/measured − 1\n`);
  console.log(header);
  for (const o of outcomes) {
    const r = o.row;
    const source = r.source.startsWith('timm') ? 'timm' : r.source.startsWith('NVIDIA DeepLearning') ? 'NVIDIA DLE' : r.source.slice(0, 12);
    const model = `${r.builder ?? r.model}${r.group === 'latency' ? ' (latency)' : ''}`;
    console.log(
      `${model.padEnd(30)} ${r.chip.padEnd(10)} ${String(r.batch).padStart(5)} ${String(r.resolution).padStart(4)} ${r.dtype.padEnd(5)} ${source.padEnd(12)} ${o.measuredImgPerSec.toFixed(0).padStart(10)} ${(o.predictedImgPerSec === null ? '-' : o.predictedImgPerSec.toFixed(0)).padStart(10)} ${percent(o.error).padStart(7)} ${(o.band ? `${o.band.low.toFixed(0)}–${o.band.high.toFixed(0)}` : '-').padStart(13)}  ${o.skipped ?? ''}${o.band && (o.measuredImgPerSec < o.band.low || o.measuredImgPerSec > o.band.high) ? 'measured outside the band' : ''}`,
    );
  }
  console.log('');
  const groups = [...new Set(outcomes.map((o) => o.row.group))];
  const summaries: string[] = [];
  for (const g of groups) {
    const inGroup = outcomes.filter((o) => o.row.group === g);
    summaries.push(summarise(`${g}, all chips`, inGroup));
    for (const chip of [...new Set(inGroup.map((o) => o.row.chip))]) summaries.push(summarise(`${g}, ${chip}`, inGroup.filter((o) => o.row.chip === chip)));
    summaries.push(summarise(`${g}, not from timm (no overlap with the likely held-back set)`, inGroup.filter((o) => !o.row.heldBackOverlap)));
  }
  for (const line of summaries) console.log(line);
  const skipped = outcomes.filter((o) => o.skipped).length;
  if (skipped > 0) console.log(`\n${skipped} rows skipped (reasons in the table)`);

  const jsonOut = flag(argv, '--json');
  if (jsonOut) {
    const label = flag(argv, '--label') ?? 'run';
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const record = {
      label,
      commit,
      foldBatchNorm: foldAll,
      geluOp,
      date: new Date().toISOString(),
      rows: outcomes.map((o) => ({ id: o.row.id, builder: o.row.builder, chip: o.row.chip, batch: o.row.batch, resolution: o.row.resolution, dtype: o.row.dtype, group: o.row.group, measured: o.measuredImgPerSec, predicted: o.predictedImgPerSec, error: o.error, band: o.band ?? null, skipped: o.skipped ?? null })),
      summaries,
    };
    fs.writeFileSync(jsonOut, `${JSON.stringify(record, null, 1)}\n`);
    console.log(`\nwrote ${jsonOut}`);
  }
}

main(process.argv.slice(2));
