/**
 * `ridgepoint profile model.py --entry NAME --input 1x3x224x224 --trace [--python PATH] [--trace-timeout S]`:
 * traced mode from the CLI. The model's forward runs once in the user's Python (python-env/trace.ts) and
 * the recorded aten ops are costed like any graph; the report is the ONNX path's. Running the file is
 * what the user asked for by passing --trace, so no workspace-trust question arises here.
 */
import * as path from 'node:path';
import { advise } from '../analysis/advise/index';
import { Chip } from '../analysis/cost/chips';
import { profileAnalysis, ProfileOptions } from '../analysis/cost/index';
import { Diagnostic } from '../analysis/diagnostics';
import { Dim } from '../analysis/ir/dim';
import { PythonDiagnostic } from '../analysis/pytorch/index';
import { buildReport, Report } from '../analysis/report';
import { choosePython } from '../python-env/python-exe';
import { traceModel } from '../python-env/trace';
import { UsageError } from './args';

export interface TracedCliOptions {
  readonly dim: ReadonlyMap<string, number>;
  readonly input: ReadonlyMap<string, Dim[]>;
  readonly entry?: string;
  /** --python: the executable that runs the trace (default python3 on PATH). */
  readonly python?: string;
  /** --trace-timeout, seconds. */
  readonly timeoutSeconds?: number;
  readonly profile?: ProfileOptions;
  readonly suggestions?: boolean;
  readonly chips?: readonly Chip[];
}

const DTYPE_NAMES: Record<string, string> = { fp32: 'float32', fp16: 'float16', bf16: 'bfloat16' };

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
  const fail = (code: string, message: string): Report => buildReport({ model: null, inference: null, diagnostics: [{ severity: 'error', code, message }] }, file, options.dim);
  const input = options.input.get('') ?? [...options.input.values()][0];
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
  const about: Diagnostic[] = traced.torch ? [{ severity: 'info', code: 'trace.done', message: `traced with torch ${traced.torch.version} on ${traced.torch.device} in ${(run.wallMs / 1000).toFixed(1)} s${traced.notes.length ? `; ${traced.notes.join('; ')}` : ''}` }] : [];
  const analysis = traced.analysis ?? { model: null, inference: null, diagnostics: [], coverage: traced.coverage };
  const merged = { ...analysis, diagnostics: [...about, ...own, ...analysis.diagnostics] };
  const profiled = options.profile ? profileAnalysis(merged, options.profile) : null;
  const advice = profiled && options.profile && options.suggestions !== false ? advise(merged, { ...options.profile, baseline: profiled.result, chips: options.chips, inferOptions: { bindings: options.dim } }) : null;
  // The report says how much of the model the totals cover: every aten op mapped or not (merged.coverage).
  return buildReport(merged, file, options.dim, profiled, advice);
}
