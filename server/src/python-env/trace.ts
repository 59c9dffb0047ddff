/**
 * Traced mode, node side: runs ridgepoint_trace.py in the user's Python on one file and entry, and turns
 * what it prints into a `TracedAnalysis` (analysis/pytorch-trace). It runs user code, so callers only
 * use it in a trusted workspace. Never a GPU (CUDA_VISIBLE_DEVICES is empty), never the network (the
 * script refuses connections), nothing written (no .pyc files); it ends at the timeout (the stack at
 * that moment locates an infinite loop) or when cancelled, and never throws.
 */
import * as path from 'node:path';
import { parseStackDump, parseTraceDocument, traceFailure, TracedAnalysis, traceToAnalysis } from '../analysis/pytorch-trace/index';
import { runPython } from './python-exe';
import { traceScriptPath } from './trace-script';

export const DEFAULT_TRACE_TIMEOUT_MS = 60_000;
/** The script dumps its stack and exits this long before the hard kill, so the dump gets out. */
const DUMP_MARGIN_MS = 1_500;

export interface TraceRequest {
  /** The Python executable (python-exe.ts `choosePython`). */
  readonly python: string;
  readonly file: string;
  /** Any Python expression in the file's scope: `resnet50`, `GPT(GPTConfig(vocab_size=50257))`. */
  readonly entry: string;
  /** The first forward argument's shape. */
  readonly input: readonly number[];
  /** Float type the model is built in: float32 (default), float16, bfloat16. */
  readonly dtype?: string;
  /** `auto` (int64 token ids when the model starts with an Embedding, else the float type), or a dtype. */
  readonly inputDtype?: string;
  /** `meta` (default: no weights or activations allocated, CPU only where meta cannot run) or `cpu` (always). */
  readonly device?: 'meta' | 'cpu';
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface TraceRun {
  readonly analysis: TracedAnalysis;
  /** Wall time of the Python process, milliseconds. */
  readonly wallMs: number;
  readonly cancelled: boolean;
  /** What the user's code and Python printed on stderr (the last 8 KiB), for the log. */
  readonly stderrTail: string;
}

const samePath = (a: string, b: string): boolean => (process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b);

export async function traceModel(request: TraceRequest): Promise<TraceRun> {
  const file = path.resolve(request.file);
  const timeoutMs = request.timeoutMs ?? DEFAULT_TRACE_TIMEOUT_MS;
  const options = { file, entry: request.entry, samePath };
  const started = performance.now();
  const args = ['-B', traceScriptPath(), '--file', file, '--entry', request.entry, '--input', request.input.join('x'), '--dtype', request.dtype ?? 'float32', '--input-dtype', request.inputDtype ?? 'auto', '--device', request.device ?? 'meta'];
  // The script's own deadline comes first so that it can say where it was; the kill is the backstop.
  const scriptSeconds = Math.max(0.5, (timeoutMs - DUMP_MARGIN_MS) / 1000);
  args.push('--timeout', String(scriptSeconds));
  const env = { CUDA_VISIBLE_DEVICES: '', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' };
  const run = await runPython(request.python, args, { timeoutMs, signal: request.signal, cwd: path.dirname(file), env });
  const wallMs = performance.now() - started;
  const result = (analysis: TracedAnalysis): TraceRun => ({ analysis, wallMs, cancelled: run.cancelled, stderrTail: run.stderr.slice(-8192) });
  const failed = (code: string, message: string, frames = parseStackDump(run.stderr).reverse()): TraceRun => result(traceFailure({ code, message, frames }, { ...options, traceMs: wallMs }));
  if (run.spawnError !== undefined) return failed('trace.no-python', `cannot run the Python executable "${request.python}": ${run.spawnError} (set ridgepoint.python.path, or --python)`, []);
  if (run.cancelled) return failed('trace.cancelled', 'the trace was cancelled', []);
  const timedOutMessage = `the trace did not finish within ${(timeoutMs / 1000).toFixed(0)} s and was stopped (an endless loop at module level or in forward? a very large model?); raise ridgepoint.python.traceTimeout or --trace-timeout if it only needs longer`;
  const line = run.stdout.split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (line === undefined) {
    if (run.timedOut || /Timeout \(\d+:\d\d:\d\d/.test(run.stderr)) return failed('trace.timeout', timedOutMessage);
    const tail = run.stderr.trim().split('\n').slice(-3).join(' | ');
    return failed('trace.no-result', `the tracer ended (exit ${String(run.code)}) without a result${tail ? `: ${tail}` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return failed('trace.bad-output', `the tracer's output is not JSON: ${error instanceof Error ? error.message : String(error)}`, []);
  }
  const parsed = parseTraceDocument(json);
  if (parsed.document === null) return failed('trace.bad-output', parsed.problem ?? 'the tracer output is not a trace', []);
  return result(traceToAnalysis(parsed.document, { ...options, traceMs: wallMs }));
}
