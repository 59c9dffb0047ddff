/**
 * Holds Ridgepoint's PyTorch frontends to the torchvision ground truth (test/support/torchvision.ts):
 * per builder, the static analysis of the builder's own source file and, where the traced mode exists,
 * the traced analysis, each compared with torch's parameter count and the ONNX export's MACs. Shared by
 * test/corpus/torchvision.test.ts and scripts/torchvision-scoreboard.ts so both judge the same way.
 *
 * Both modes go through the CLI's own code: static through `profileFile` (what `ridgepoint profile
 * resnet.py --entry resnet50 --input 1x3x224x224` runs, so import resolution and coverage come with
 * it), traced through the CLI process with `--trace --python` (the flags agreed in INTERFACES.md).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Report } from '../../server/src/analysis/report';
import { profileFile } from '../../server/src/cli/profile';
import { preparePythonParser } from '../../server/src/cli/profile-python';
import { profilingChip, TorchvisionEntry } from './torchvision';

const ROOT = path.resolve(__dirname, '../..');
/** MACs agree when within this share of the ONNX analysis's total (issue 13). */
export const MAC_TOLERANCE = 0.01;

/** The coverage block of a report (docs/report-schema.md, added with issue 13); absent before it exists. */
interface ReportCoverage {
  readonly complete: boolean;
  readonly unresolved?: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

export interface ModeResult {
  readonly params: number | null;
  readonly macs: number | null;
  /** Parameter count equal to torch's and MACs within MAC_TOLERANCE of the ONNX analysis. */
  readonly exact: boolean;
  /** The report's coverage.complete; null when the report has no coverage block. */
  readonly complete: boolean | null;
  /** Why it is not exact: the first unresolved item or diagnostic, else the mismatch itself. */
  readonly reason: string | null;
  readonly seconds: number;
}

export interface ScoreRow {
  readonly entry: TorchvisionEntry;
  readonly static: ModeResult;
  /** Absent when the traced mode was not run. */
  readonly traced?: ModeResult;
}

function macsAgree(macs: number | null, truth: number | null): boolean {
  if (macs === null || truth === null) return false;
  if (truth === 0) return macs === 0;
  return Math.abs(macs - truth) <= MAC_TOLERANCE * truth;
}

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The first thing the report says it did not understand: coverage first, then errors, then warnings. */
function firstProblem(report: Report): string | null {
  const coverage = (report as Report & { coverage?: ReportCoverage }).coverage;
  const unresolved = coverage?.unresolved?.[0];
  if (unresolved) return oneLine(`${unresolved.name}: ${unresolved.reason}`);
  const diagnostic = report.diagnostics.find((d) => d.severity === 'error') ?? report.diagnostics.find((d) => d.severity === 'warning');
  return diagnostic ? oneLine(`${diagnostic.code}: ${diagnostic.message}`) : null;
}

export function judge(entry: TorchvisionEntry, report: Report, seconds: number): ModeResult {
  const params = report.totals?.params ?? null;
  const macs = report.totals?.macs ?? null;
  const exact = entry.params !== null && params === entry.params && macsAgree(macs, entry.onnxMacs);
  const coverage = (report as Report & { coverage?: ReportCoverage }).coverage;
  let reason: string | null = null;
  if (!exact) {
    const giga = (n: number | null): string => (n === null ? '?' : (n / 1e9).toFixed(3));
    const mismatch = [
      params !== entry.params ? `${params ?? '?'} of ${entry.params ?? '?'} parameters` : '',
      !macsAgree(macs, entry.onnxMacs) ? `${giga(macs)} of ${giga(entry.onnxMacs)} GMACs` : '',
    ].filter(Boolean).join(', ');
    reason = firstProblem(report) ?? `silent: no diagnostic, ${mismatch}`;
  } else if (coverage && !coverage.complete) {
    reason = firstProblem(report);
  }
  return { params, macs, exact, complete: coverage ? coverage.complete : null, reason, seconds };
}

function failed(reason: string, seconds: number): ModeResult {
  return { params: null, macs: null, exact: false, complete: null, reason: oneLine(reason), seconds };
}

/**
 * Static mode: the CLI's profileFile on the builder's source file. `python` is passed for the
 * site-packages module resolver (issue 13 part 2); a profileFile that does not take it ignores it.
 */
export function scoreStatic(entry: TorchvisionEntry, python: string): ModeResult {
  const started = Date.now();
  const options: Parameters<typeof profileFile>[1] & { python?: string } = {
    dim: new Map(),
    input: new Map([['', entry.input]]),
    entry: entry.builder,
    profile: { chip: profilingChip(), peakMode: 'datasheet' },
    suggestions: false,
    python,
  };
  try {
    return judge(entry, profileFile(entry.sourceFile, options), (Date.now() - started) / 1000);
  } catch (error) {
    return failed(`threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, (Date.now() - started) / 1000);
  }
}

/** The Python parser (wasm) loads asynchronously: call once before scoreStatic. */
export async function prepareStatic(): Promise<void> {
  await preparePythonParser();
}

/** The traced mode exists once the trace helper's node side is merged (INTERFACES.md). */
export function tracedModeAvailable(): boolean {
  return fs.existsSync(path.join(ROOT, 'server/src/python-env/trace.ts'));
}

/** Traced mode: `ridgepoint profile FILE --entry B --input 1x3x224x224 --trace --python PY --format json`, from source (tsx). */
export function scoreTraced(entry: TorchvisionEntry, python: string, timeoutMs = 300_000): Promise<ModeResult> {
  const started = Date.now();
  const args = [
    '--import', 'tsx', path.join(ROOT, 'server/src/cli/main.ts'), 'profile', entry.sourceFile,
    // --trace-timeout: vit_h_14 and regnet_y_128gf take longer than the default 60 s on a loaded two-core runner.
    '--entry', entry.builder, '--input', entry.input.join('x'), '--trace', '--python', python, '--trace-timeout', String(Math.ceil(timeoutMs / 1000)),
    '--format', 'json', '--no-suggestions', '--peak', 'datasheet',
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 512 * 1024 * 1024, timeout: timeoutMs + 60_000 }, (error, stdout, stderr) => {
      const seconds = (Date.now() - started) / 1000;
      let report: Report | null = null;
      try {
        report = JSON.parse(stdout) as Report;
      } catch {
        report = null;
      }
      // Exit status 1 (an incomplete graph, an error diagnostic) still prints the report.
      if (report !== null) resolve(judge(entry, report, seconds));
      else resolve(failed(`the CLI printed no report${error ? ` (${error.message})` : ''}: ${stderr}`, seconds));
    });
  });
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the order of the results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  });
  await Promise.all(lanes);
  return results;
}

export interface Summary {
  readonly builders: number;
  readonly staticExact: number;
  readonly staticInexact: number;
  /** Inexact builders whose report says coverage.complete === false. */
  readonly staticInexactFlagged: number;
  /** Inexact builders with no coverage block at all (before coverage exists). */
  readonly staticInexactUnknown: number;
  readonly traced: number | null;
  readonly tracedExact: number | null;
}

export function summarise(rows: readonly ScoreRow[]): Summary {
  const inexact = rows.filter((r) => !r.static.exact);
  const traced = rows.filter((r) => r.traced !== undefined);
  return {
    builders: rows.length,
    staticExact: rows.length - inexact.length,
    staticInexact: inexact.length,
    staticInexactFlagged: inexact.filter((r) => r.static.complete === false).length,
    staticInexactUnknown: inexact.filter((r) => r.static.complete === null).length,
    traced: traced.length > 0 ? traced.length : null,
    tracedExact: traced.length > 0 ? traced.filter((r) => r.traced?.exact).length : null,
  };
}

export function summaryLines(s: Summary): string[] {
  return [
    `static: ${s.staticExact} exact of ${s.builders}`,
    `static: ${s.staticInexactFlagged} flagged incomplete among ${s.staticInexact} inexact${s.staticInexactUnknown > 0 ? ` (${s.staticInexactUnknown} reports without a coverage block)` : ''}`,
    s.tracedExact === null ? 'traced: not run' : `traced: ${s.tracedExact} exact of ${s.traced}`,
  ];
}
