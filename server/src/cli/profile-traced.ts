/**
 * `ridgepoint profile model.py --entry NAME --input 1x3x224x224 --trace [--python PATH] [--trace-timeout S]`:
 * traced mode from the CLI. The model's forward runs once in the user's Python (python-env/trace.ts) and
 * the recorded aten ops are costed like any graph; the report is the ONNX path's. Running the file is
 * what the user asked for by passing --trace, so no workspace-trust question arises here.
 */
import * as path from 'node:path';
import { Diagnostic } from '../analysis/diagnostics';
import { PythonDiagnostic } from '../analysis/pytorch/index';
import { Report } from '../analysis/report';
import { humanTime } from '../format/units';
import { choosePython } from '../python-env/python-exe';
import { traceModel } from '../python-env/trace';
import { UsageError } from './args';
import { DTYPE_NAMES, failedPythonReport, inputShape, PythonCliOptions, pythonReport } from './profile-python';

export interface TracedCliOptions extends PythonCliOptions {
  /** --trace-timeout, seconds. */
  readonly timeoutSeconds?: number;
}

/** `--trace-timeout S`: positive seconds. */
export function parseTraceTimeout(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--trace-timeout expects a positive number of seconds, got "${text}"`);
  return n;
}

function located(d: PythonDiagnostic, file: string): Diagnostic {
  const where = d.range ? `${file}:${d.range.start.line + 1}: ` : '';
  return { severity: d.severity, code: d.code, message: `${where}${d.message}` };
}

export async function profileTracedPythonFile(file: string, options: TracedCliOptions): Promise<Report> {
  const fail = (code: string, message: string): Report => failedPythonReport(file, options, code, message);
  const input = inputShape(options.input);
  if (!options.entry) return fail('trace.no-entry', '--trace needs --entry NAME (a factory, a class, or any Python expression in the file)');
  if (!input || input.some((d) => typeof d !== 'number')) {
    // A symbolic dim in the shape is bound from --dim, like the static frontend does.
    const bound = input?.map((d) => (typeof d === 'number' ? d : d === null ? undefined : options.dim.get(d.toString())));
    if (!bound || bound.some((d) => d === undefined)) return fail('trace.no-input', '--trace needs a whole-number input shape, e.g. --input 1x3x224x224 (bind names with --dim)');
    return profileTracedPythonFile(file, { ...options, input: new Map([['', bound as number[]]]) });
  }
  const python = choosePython({ setting: options.python }).executable;
  const run = await traceModel({
    python,
    file: path.resolve(file),
    entry: options.entry,
    input: input as number[],
    dtype: options.profile?.computeDtype ? DTYPE_NAMES[options.profile.computeDtype] : undefined,
    timeoutMs: options.timeoutSeconds !== undefined ? options.timeoutSeconds * 1000 : undefined,
  });
  const traced = run.analysis;
  const absolute = path.resolve(file);
  const own = traced.diagnostics.map((d) => located(d, absolute));
  const about: Diagnostic[] = traced.torch ? [{ severity: 'info', code: 'trace.done', message: `traced with torch ${traced.torch.version} on ${traced.torch.device} in ${humanTime(run.wallMs / 1000)}${traced.notes.length ? `; ${traced.notes.join('; ')}` : ''}` }] : [];
  const analysis = traced.analysis ?? { model: null, inference: null, diagnostics: [], coverage: traced.coverage };
  // The report says how much of the model the totals cover: every aten op mapped or not (analysis.coverage).
  return pythonReport({ ...analysis, diagnostics: [...about, ...own, ...analysis.diagnostics] }, file, options);
}
