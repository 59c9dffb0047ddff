import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Chip, findChip } from '../analysis/cost/chips';
import { PeakMode } from '../analysis/cost/roofline';
import { Dim } from '../analysis/ir/dim';
import { attachMeasurement } from '../analysis/measure/compare';
import { parseOrtProfile } from '../analysis/measure/ort-profile';
import type { RunStatistic } from '../analysis/measure/join';
import { Report } from '../analysis/report';
import { parseDimBinding, parseInputShape, UsageError } from './args';
import { CALIBRATED_CHIP_ID, findUserChip, positiveInt, statisticOption } from './calibrate';
import { formatMeasurement } from './measure-format';
import { loadOrt, Ort, ortVersion, randomTensor, runProfiled } from './ort-session';
import { profileFile } from './profile';

/**
 * `ridgepoint measure MODEL`: runs the model with ONNX Runtime (random inputs of the bound shapes,
 * profiling on, graph optimisations off so kernels map to nodes), joins each node's kernel time to its
 * prediction and prints predicted versus measured. And `profile --measured FILE`: the same join for a
 * profile recorded elsewhere. Exit status: 0 fine, 1 the model could not be analysed or run, 2 usage.
 */

export interface ChipResolver {
  loadChips(file: string | undefined): Chip[];
  resolveChip(id: string, chips: Chip[]): Chip;
}

interface MeasureFlags {
  dim: Map<string, number>;
  input: Map<string, Dim[]>;
  threads?: number;
  runs: number;
  warmup: number;
  chip?: string;
  chips?: string;
  peak: PeakMode;
  optimize: boolean;
  format: 'table' | 'json';
  out?: string;
  all: boolean;
  saveProfile?: string;
  statistic: RunStatistic;
}

/** `--chip` default for measure: the calibrated chip when there is one, else the modelled laptop CPU. */
function pickChip(flags: MeasureFlags, resolver: ChipResolver, chips: Chip[]): Chip {
  if (flags.chip) return resolver.resolveChip(flags.chip, chips);
  const calibrated = findChip(CALIBRATED_CHIP_ID, chips.filter((c) => c.id === CALIBRATED_CHIP_ID)) ?? (flags.chips ? undefined : findUserChip(CALIBRATED_CHIP_ID));
  if (calibrated) return calibrated;
  process.stderr.write(`ridgepoint: no calibrated chip "${CALIBRATED_CHIP_ID}" (run \`ridgepoint calibrate\`): predicting for laptop-cpu\n`);
  return resolver.resolveChip('laptop-cpu', chips);
}

function feedsFor(ort: Ort, report: Report): (names: readonly string[]) => Record<string, InstanceType<Ort['Tensor']>> {
  return (names) => {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    names.forEach((name, i) => {
      const value = report.inputs.find((v) => v.name === name);
      if (!value) throw new UsageError(`ONNX Runtime expects an input "${name}" that the analysis does not list as a graph input`);
      feeds[name] = randomTensor(ort, value, 0x5eed + i);
    });
    return feeds;
  };
}

async function measure(model: string, flags: MeasureFlags, resolver: ChipResolver): Promise<number> {
  const ort = loadOrt();
  const chips = resolver.loadChips(flags.chips);
  const chip = pickChip(flags, resolver, chips);
  const threads = flags.threads ?? os.availableParallelism();
  const report = profileFile(model, { dim: flags.dim, input: flags.input, profile: { chip, peakMode: flags.peak }, suggestions: false, chips });
  const fatal = report.diagnostics.filter((d) => d.severity === 'error');
  if (report.model.irVersion === null) {
    for (const d of fatal) process.stderr.write(`ridgepoint: ${model}: ${d.message}\n`);
    return 1;
  }
  let profileText: string;
  try {
    ({ profileText } = await runProfiled(ort, model, feedsFor(ort, report), { threads, warmup: flags.warmup, runs: flags.runs, optimize: flags.optimize }));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    process.stderr.write(`ridgepoint: ONNX Runtime cannot run ${model}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (flags.saveProfile) fs.writeFileSync(flags.saveProfile, profileText);
  const source = `onnxruntime-node ${ortVersion(ort)}, CPU, ${threads} thread${threads === 1 ? '' : 's'}, graph optimisations ${flags.optimize ? 'on' : 'off'}`;
  const joined = attachMeasurement(report, parseOrtProfile(profileText), source, { skipRuns: flags.warmup, statistic: flags.statistic });
  if (joined.errors.length > 0) {
    for (const e of joined.errors) process.stderr.write(`ridgepoint: ${model}: ${e}\n`);
    return 1;
  }
  writeMeasured(joined.report, flags.format, flags.out, flags.all);
  return fatal.length > 0 ? 1 : 0;
}

function writeMeasured(report: Report, format: 'table' | 'json', out: string | undefined, all: boolean): void {
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${report.model.path} on ${report.chip?.name ?? '?'} (${report.chip?.id ?? '?'}), ${report.peakMode} peaks\n${report.measurement ? formatMeasurement(report.measurement, all ? 0 : 30) : ''}\n`;
  if (out) fs.writeFileSync(out, text);
  else process.stdout.write(text);
}

/**
 * `profile --measured FILE`: joins a profile recorded elsewhere (any machine, any provider) to a report.
 * A profile that cannot be read or parsed is a usage error naming the file.
 */
export function applyMeasuredProfile(report: Report, file: string, skipRuns?: number, statistic?: RunStatistic): Report {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --measured ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const joined = attachMeasurement(report, parseOrtProfile(text), file, { skipRuns, statistic });
  if (joined.errors.length > 0) throw new UsageError(`--measured ${file}: ${joined.errors.join('; ')}`);
  return joined.report;
}

export { formatMeasurement };

/** Registers `measure`; the command runs asynchronously and sets the exit status when it ends. */
export function registerMeasure(program: Command, resolver: ChipResolver): void {
  program
    .command('measure')
    .description('Run a model with ONNX Runtime (CPU) and compare each op’s measured kernel time with its prediction')
    .argument('<model>', 'ONNX model file')
    .option('--dim <NAME=VALUE>', 'bind a symbolic dim everywhere (repeatable)', parseDimBinding, new Map<string, number>())
    .option('--input <NAME=D1xD2x...>', "set a graph input's whole shape (repeatable)", parseInputShape, new Map<string, Dim[]>())
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', positiveInt('--threads'))
    .option('--runs <n>', 'measured runs (the median is reported)', positiveInt('--runs'), 10)
    .addOption(statisticOption())
    .option('--warmup <n>', 'runs made first and not counted', (t) => (t === '0' ? 0 : positiveInt('--warmup')(t)), 2)
    .option('--chip <id>', `chip to predict for (default: ${CALIBRATED_CHIP_ID} from \`ridgepoint calibrate\`, else laptop-cpu)`)
    .option('--chips <file>', 'a JSON file of extra chips (docs/chips.md)')
    // A measurement is compared with the prediction, which is the achievable mode (per-op-class efficiencies, cost/efficiency.ts).
    .addOption(new Option('--peak <mode>', 'achievable (measured fractions and per-op-class efficiency: the prediction), or datasheet peaks (the textbook roofline)').choices(['datasheet', 'achievable']).default('achievable'))
    .option('--optimize', 'run with ONNX Runtime graph optimisations on (fused kernels join their first node; see docs/validation)', false)
    .option('--save-profile <file>', 'keep the ONNX Runtime profile JSON')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--all', 'list every op, not the 30 slowest', false)
    .action((model: string, flags: MeasureFlags) => {
      void measure(model, flags, resolver).then(
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
