import { Command, Option } from 'commander';
import { AttentionImpl } from '../analysis/hf-config/types';
import { HfCliOptions } from './profile-hf';
import { ACTIVATION_OPTIONS, ActivationOption, KV_OPTIONS, KvOption, WEIGHT_OPTIONS, WeightOption } from '../analysis/hf-config/serving/precision';
import * as fs from 'node:fs';
import { builtinChips, Chip, findChip, parseChipsFile, PeakDtype, suggestChips } from '../analysis/cost/chips';
import { PeakMode } from '../analysis/cost/roofline';
import { Runtime, RUNTIMES } from '../analysis/cost/runtime';
import { Dim } from '../analysis/ir/dim';
import { Report } from '../analysis/report';
import { parseDimBinding, UsageError } from './args';
import { chipsJson, formatChipsTable } from './chips';
import { formatDiagnostic, formatMarkdown, formatTable } from './format';
import { renderHtmlReport } from './html';
import { profileFile } from './profile';
import { isPythonFile, parseInputOption, preparePythonParser } from './profile-python';
import { parseTraceTimeout, profileTracedPythonFile } from './profile-traced';
import { llmSection, parseCount } from './profile-hf';
import { findUserChip, registerCalibrate, statisticOption } from './calibrate';
import type { RunStatistic } from '../analysis/measure/join';
import { applyMeasuredProfile, formatMeasurement, registerMeasure } from './measure';
// The one field: esbuild bundles only the JSON properties imported by name.
import { version } from '../../../package.json';

/**
 * The headless CLI:
 *   ridgepoint profile MODEL... [--chip ID] [--peak datasheet|achievable] [--runtime eager|cuda-graphs|compiled] [--dtype T] [--dim N=V]...
 *                     [--input NAME=D1xD2]... [--format table|json|jsonl|markdown|html] [--out FILE] [--budget-ms N]
 *                     [--no-suggestions]
 *   ridgepoint chips [--chips FILE] [--format table|json]
 *   ridgepoint measure MODEL [--dim N=V]... [--threads N] [--runs N]   (needs onnxruntime-node; cli/measure.ts)
 *   ridgepoint calibrate [--threads N] [--chips FILE]                  (writes chip local-cpu; cli/calibrate.ts)
 * A thin view over the analysis core. Exit status: 0 fine, 1 a model had error diagnostics or an
 * incomplete definition (coverage), 2 usage
 * error, 3 the predicted time exceeded --budget-ms.
 */
interface ProfileFlags {
  /** --measured: per-op and run times from the runs' median or fastest. */
  statistic: RunStatistic;
  dim: Map<string, number>;
  input: Map<string, Dim[]>;
  /** PyTorch .py files: the class or factory function to profile. */
  entry?: string;
  /** The Python whose sys.path imports of a .py model are read from (default: python3 on PATH). */
  python?: string;
  /** PyTorch .py files: run forward once in that Python and cost the recorded aten ops (traced mode). */
  trace?: boolean;
  traceTimeout?: number;
  format: 'table' | 'json' | 'jsonl' | 'markdown' | 'html';
  chip: string;
  chips?: string;
  peak: PeakMode;
  dtype?: PeakDtype;
  runtime: Runtime;
  out?: string;
  budgetMs?: number;
  /** commander's --no-suggestions: false skips the advice engine. */
  suggestions: boolean;
  /** An ONNX Runtime profile to join (measured mode). */
  measured?: string;
  /** Hugging Face config.json: the phase and its sizes (cli/profile-hf.ts). */
  phase: 'prefill' | 'decode';
  batch: number;
  prompt: number;
  generated: number;
  pricePerHour?: number;
  /** Hugging Face config.json: per-tensor precision, parallelism, attention kernel, memory share (hf-config/serving/). */
  weights?: WeightOption;
  activations?: ActivationOption;
  kv?: KvOption;
  groupSize?: number;
  tp?: number;
  pp?: number;
  ep?: number;
  attention?: AttentionImpl;
  gpuMemoryUtilization?: number;
}

/** The config.json options from the flags (only those given: absent ones take the summary's defaults). */
function hfOptionsOf(opts: ProfileFlags): HfCliOptions {
  const given = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    phase: opts.phase,
    batch: opts.batch,
    prompt: opts.prompt,
    generated: opts.generated,
    ...given('pricePerGpuHour', opts.pricePerHour),
    ...given('weights', opts.weights),
    ...given('activations', opts.activations),
    ...given('kv', opts.kv),
    ...given('groupSize', opts.groupSize),
    ...given('tp', opts.tp),
    ...given('pp', opts.pp),
    ...given('ep', opts.ep),
    ...given('attention', opts.attention),
    ...given('memoryUtilization', opts.gpuMemoryUtilization),
  };
}

const DTYPES: readonly PeakDtype[] = ['fp64', 'fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'fp4'];

/** Built-in chips plus a user's chips file (its errors are usage errors naming file, chip and field). */
function loadChips(file: string | undefined): Chip[] {
  if (!file) return builtinChips();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read chips file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { chips, errors } = parseChipsFile(text, file);
  for (const e of errors) process.stderr.write(`ridgepoint: ${e}\n`);
  if (chips.length === 0 && errors.length > 0) throw new UsageError(`no usable chip in ${file}`);
  return [...chips, ...builtinChips()];
}

function resolveChip(id: string, chips: Chip[]): Chip {
  // A chip from `ridgepoint calibrate` is found in the default user chips file without --chips.
  const chip = findChip(id, chips) ?? findUserChip(id);
  if (chip) return chip;
  const near = suggestChips(id, chips);
  throw new UsageError(`unknown chip "${id}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (\`ridgepoint chips\` lists them)`);
}

function parseBudget(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--budget-ms expects a positive number of milliseconds, got "${text}"`);
  return n;
}

/** The predicted-versus-measured table after a report (`--measured`), fenced for Markdown. */
function measuredSection(report: Report, fence: string): string {
  if (!report.measurement) return '';
  const body = formatMeasurement(report.measurement);
  return fence ? `\n\n## Predicted versus measured\n\n${fence}\n${body}\n${fence}` : `\n\nPredicted versus measured\n${body}`;
}

function write(text: string, out: string | undefined): void {
  if (out) fs.writeFileSync(out, text);
  else process.stdout.write(text);
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('ridgepoint')
    .description('Profile ML models for memory- versus compute-bound ops.')
    .version(version, '-V, --version', "print Ridgepoint's version (package.json)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command('profile')
    .description("Analyse ONNX models: every tensor's shape, and per op FLOPs, bytes, intensity, bound and time on a chip")
    .argument('<model...>', 'ONNX model files')
    .option('--chip <id>', 'target chip (`ridgepoint chips` lists them)', 'h100')
    .option('--chips <file>', 'a JSON file of extra chips (docs/chips.md)')
    .addOption(new Option('--peak <mode>', 'datasheet peaks, or achievable (measured fractions)').choices(['datasheet', 'achievable']).default('datasheet'))
    .addOption(new Option('--runtime <runtime>', 'how kernels are issued: eager (a launch per op), cuda-graphs (a replayed graph: ~1 µs per kernel), compiled (cuda-graphs + elementwise chains fused)').choices([...RUNTIMES]).default('eager'))
    .addOption(new Option('--dtype <type>', 'run float arithmetic in this type (e.g. an fp32 model served in bf16)').choices([...DTYPES]))
    .option('--dim <NAME=VALUE>', 'bind a symbolic dim everywhere (repeatable)', parseDimBinding, new Map<string, number>())
    .option('--input <NAME=D1xD2x...>', "set a graph input's whole shape (repeatable); for a .py model a bare shape 1x3x224x224", parseInputOption, new Map<string, Dim[]>())
    .option('--entry <expr>', 'PyTorch .py model: the nn.Module class or factory to profile, or any Python expression in the file ("GPT(GPTConfig(n_layer=6))")')
    .option('--python <path>', "PyTorch .py model: the Python whose site-packages imports are read from and which runs --trace (default: python3 on PATH)")
    .option('--trace', 'PyTorch .py model: run forward once in --python (meta device, no GPU, no network) and profile the recorded ops: exact for any model that runs')
    .option('--trace-timeout <s>', 'PyTorch .py model with --trace: stop the Python process after this many seconds (default 60)', parseTraceTimeout)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'jsonl', 'markdown', 'html']).default('table'))
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--no-suggestions', 'skip the suggestions (fuse, quantise, batch, smaller model, chip)')
    .option('--budget-ms <ms>', 'exit with status 3 when the predicted time of any model exceeds this', parseBudget)
    .option('--measured <profile.json>', 'join an ONNX Runtime profile (enableProfiling) and compare predicted with measured per op')
    .addOption(statisticOption())
    .addOption(new Option('--phase <phase>', 'Hugging Face config.json: the phase whose ops are listed').choices(['prefill', 'decode']).default('prefill'))
    .option('--batch <n>', 'Hugging Face config.json: sequences per batch', parseCount('batch', 1), 1)
    .option('--prompt <n>', 'Hugging Face config.json: prompt tokens (prefill length)', parseCount('prompt', 1), 2048)
    .option('--price-per-hour <price>', 'Hugging Face config.json: price of one GPU-hour; adds the cost per 1M input and output tokens', (t: string) => {
      const v = Number(t);
      if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--price-per-hour expects a positive number, got "${t}"`);
      return v;
    })
    .option('--generated <n>', 'Hugging Face config.json: generated tokens (decode is profiled at the middle step)', parseCount('generated', 0), 256)
    .addOption(new Option('--weights <type>', 'Hugging Face config.json: the layers\' projection weights (int4/int8: group-quantised, weight-only)').choices([...WEIGHT_OPTIONS]))
    .addOption(new Option('--activations <type>', 'Hugging Face config.json: the activations (fp8 with --weights fp8: W8A8)').choices([...ACTIVATION_OPTIONS]))
    .addOption(new Option('--kv <type>', 'Hugging Face config.json: the KV cache').choices([...KV_OPTIONS]))
    .option('--group-size <n>', 'Hugging Face config.json: input features per scale of int4/int8 weights (default 128)', parseCount('group-size', 1))
    .option('--tp <n>', 'Hugging Face config.json: tensor-parallel GPUs (within one node)', parseCount('tp', 1))
    .option('--pp <n>', 'Hugging Face config.json: pipeline-parallel stages', parseCount('pp', 1))
    .option('--ep <n>', 'Hugging Face config.json: expert-parallel GPUs for MoE models (equal to --tp)', parseCount('ep', 1))
    .addOption(new Option('--attention <impl>', 'Hugging Face config.json: one fused attention kernel, or eager QKᵀ/softmax/·V kernels').choices(['fused', 'unfused']))
    .option('--gpu-memory-utilization <share>', 'Hugging Face config.json: share of each GPU\'s memory the engine plans with (default 0.9, as vLLM)', (t: string) => {
      const v = Number(t);
      if (!Number.isFinite(v) || v <= 0 || v > 1) throw new UsageError(`--gpu-memory-utilization expects a share in (0, 1], got "${t}"`);
      return v;
    })
    .action(async (models: string[], opts: ProfileFlags) => {
      const chips = loadChips(opts.chips);
      const chip = resolveChip(opts.chip, chips);
      if (opts.measured && models.length > 1) throw new UsageError('--measured joins one profile to one model: give one model');
      const reports: Report[] = [];
      const showProgress = process.stderr.isTTY && opts.format === 'table' && models.length > 1;
      for (const [i, file] of models.entries()) {
        if (showProgress) process.stderr.write(`\r[${i + 1}/${models.length}] ${file}…`);
        const options = { dim: opts.dim, input: opts.input, profile: { chip, peakMode: opts.peak, computeDtype: opts.dtype, runtime: opts.runtime }, suggestions: opts.suggestions, chips, entry: opts.entry, python: opts.python };
        const profiled = opts.trace && isPythonFile(file) ? await profileTracedPythonFile(file, { ...options, timeoutSeconds: opts.traceTimeout }) : profileFile(file, { ...options, hf: hfOptionsOf(opts) });
        const report = opts.measured ? applyMeasuredProfile(profiled, opts.measured, undefined, opts.statistic) : profiled;
        reports.push(report);
        // An incomplete model definition exits 1 too: its totals are lower bounds, not the model's.
        if (report.diagnostics.some((d) => d.severity === 'error') || report.coverage?.complete === false) exitCode = 1;
      }
      if (showProgress) process.stderr.write('\r\u001b[K');
      switch (opts.format) {
        case 'table':
          write(reports.map((r) => llmSection(r) + formatTable(r) + measuredSection(r, '')).join('\n\n') + '\n', opts.out);
          break;
        case 'markdown':
          write(reports.map((r) => formatMarkdown(r) + measuredSection(r, '```')).join('\n\n') + '\n', opts.out);
          break;
        case 'jsonl':
          write(reports.map((r) => JSON.stringify(r)).join('\n') + '\n', opts.out);
          break;
        case 'json':
          write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`, opts.out);
          break;
        case 'html':
          if (reports.length > 1 && opts.out) throw new UsageError('--format html writes one model per file: give one model with --out');
          write(reports.map(renderHtmlReport).join('\n'), opts.out);
          break;
      }
      if (opts.format === 'table' || opts.format === 'markdown') {
        for (const r of reports) for (const d of r.diagnostics) process.stderr.write(`${r.model.path}: ${formatDiagnostic(d)}\n`);
      }
      if (opts.budgetMs !== undefined) {
        for (const r of reports) {
          const ms = (r.totals?.timeSeconds ?? 0) * 1000;
          if (ms > opts.budgetMs) {
            process.stderr.write(`ridgepoint: ${r.model.path}: predicted ${ms.toFixed(3)} ms on ${chip.id} exceeds the budget of ${opts.budgetMs} ms\n`);
            exitCode = 3;
          }
        }
      }
    });
  program
    .command('chips')
    .description('List the chips Ridgepoint knows, with their bandwidth and peaks')
    .option('--chips <file>', 'include a JSON file of extra chips')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((opts: { chips?: string; format: 'table' | 'json' }) => {
      const chips = loadChips(opts.chips);
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(chipsJson(chips), null, 2)}\n` : `${formatChipsTable(chips)}\n`);
    });
  registerMeasure(program, { loadChips, resolveChip });
  registerCalibrate(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ridgepoint: ${error.message}\n`);
      return 2;
    }
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code === 0 ? 0 : 2;
    throw error;
  }
  return exitCode;
}

/** The Python parser loads asynchronously (wasm): prepared before a run that profiles a .py file. */
async function run(argv: readonly string[]): Promise<void> {
  if (argv.some(isPythonFile)) await preparePythonParser();
  process.exitCode = await main(argv);
}

void run(process.argv.slice(2));
