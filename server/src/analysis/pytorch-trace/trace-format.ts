/**
 * The JSON document server/python/ridgepoint_trace.py prints (format 1), and its validation: the
 * document comes from another process running user code, so every field is checked before use and a
 * malformed document becomes an error, never an exception.
 */

/** A tensor argument or result: its value number (one per tensor version), shape and dtype. */
export interface TraceTensor {
  readonly t: number;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Set when the tensor is a parameter (its `named_parameters()` name) or a buffer. */
  readonly param?: string;
  readonly buffer?: string;
}

/** An argument as recorded: a tensor, a list of arguments, a scalar, a dtype, or the text of anything else. */
export type TraceArg = TraceTensor | { readonly dtype: string } | readonly TraceArg[] | number | boolean | string | null;

export interface TraceFrame {
  readonly file: string;
  /** 1-based, as Python numbers lines. */
  readonly line: number;
  readonly function?: string;
  /** False for frames in torch or Python's standard library (error tracebacks only). */
  readonly user?: boolean;
}

export interface TraceOp {
  /** `aten::convolution` */
  readonly op: string;
  /** `default`, `Tensor`, `Scalar`, … */
  readonly overload: string;
  readonly args: readonly TraceArg[];
  readonly kwargs: Readonly<Record<string, TraceArg>>;
  /** A tensor, a list of them, or a scalar. */
  readonly out: TraceArg;
  /** The innermost frame in the user's files (not torch's) when the op ran. */
  readonly frame?: TraceFrame;
  /** The innermost nn.Module being called (`layer1.0.conv1`; '' for the root). */
  readonly module?: string;
}

export interface TraceModule {
  readonly path: string;
  readonly type: string;
  readonly leaf: boolean;
  /** Defined in torch itself (`Conv2d`), not by the user. */
  readonly builtin: boolean;
  /** Where it was constructed (the innermost user frame outside its own __init__). */
  readonly site?: TraceFrame;
  /** Where its class is defined (user classes only). */
  readonly defined?: TraceFrame;
}

export interface TraceNamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

export interface TraceSuccess {
  readonly ok: true;
  readonly torch: string;
  /** `meta` (no weights allocated), or `cpu` where the meta device could not run the model. */
  readonly device: string;
  readonly entry: string;
  readonly model: string;
  readonly notes: readonly string[];
  readonly input: TraceTensor;
  readonly outputs: readonly TraceArg[];
  /** `named_parameters()`: shared parameters once. */
  readonly parameters: readonly TraceNamedTensor[];
  readonly buffers: readonly TraceNamedTensor[];
  readonly modules: readonly TraceModule[];
  readonly ops: readonly TraceOp[];
  /** Where the entry is defined, when it is a function or class of the user's file. */
  readonly entrySite?: TraceFrame;
  /** Seconds per phase in Python: importTorch, importFile, build, forward. */
  readonly timings: Readonly<Record<string, number>>;
}

export interface TraceFailure {
  readonly ok: false;
  /** What was being done: `import-torch`, `import`, `build`, `forward`, `arguments`. */
  readonly stage: string;
  readonly error: { readonly type: string; readonly message: string; readonly frames: readonly TraceFrame[] };
}

export type TraceDocument = TraceSuccess | TraceFailure;

export const TRACE_FORMAT = 1;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDims(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0);
}

export function isTraceTensor(v: unknown): v is TraceTensor {
  return isRecord(v) && typeof v.t === 'number' && isDims(v.shape) && typeof v.dtype === 'string';
}

function frameOf(v: unknown): TraceFrame | undefined {
  if (!isRecord(v) || typeof v.file !== 'string' || typeof v.line !== 'number') return undefined;
  return { file: v.file, line: v.line, ...(typeof v.function === 'string' ? { function: v.function } : {}), ...(typeof v.user === 'boolean' ? { user: v.user } : {}) };
}

function namedTensors(v: unknown): TraceNamedTensor[] | null {
  if (!Array.isArray(v)) return null;
  const out: TraceNamedTensor[] = [];
  for (const item of v) {
    if (!isRecord(item) || typeof item.name !== 'string' || !isDims(item.shape) || typeof item.dtype !== 'string') return null;
    out.push({ name: item.name, shape: item.shape, dtype: item.dtype });
  }
  return out;
}

/** The document, or why it is not one. Ops that are malformed are counted, not trusted. */
export function parseTraceDocument(json: unknown): { document: TraceDocument | null; problem?: string } {
  if (!isRecord(json)) return { document: null, problem: 'the tracer printed something other than a JSON object' };
  if (json.format !== TRACE_FORMAT) return { document: null, problem: `the tracer's output is format ${String(json.format)}, this Ridgepoint reads format ${TRACE_FORMAT}` };
  if (json.ok === false) {
    const error = isRecord(json.error) ? json.error : {};
    const frames = Array.isArray(error.frames) ? error.frames.map(frameOf).filter((f): f is TraceFrame => f !== undefined) : [];
    return { document: { ok: false, stage: typeof json.stage === 'string' ? json.stage : 'unknown', error: { type: typeof error.type === 'string' ? error.type : 'Error', message: typeof error.message === 'string' ? error.message : '', frames } } };
  }
  const parameters = namedTensors(json.parameters);
  const buffers = namedTensors(json.buffers);
  if (json.ok !== true || !isTraceTensor(json.input) || !Array.isArray(json.ops) || parameters === null || buffers === null || !Array.isArray(json.modules)) {
    return { document: null, problem: 'the tracer output lacks its input, ops, parameters, buffers or modules' };
  }
  const ops: TraceOp[] = [];
  for (const op of json.ops) {
    if (!isRecord(op) || typeof op.op !== 'string' || !Array.isArray(op.args)) return { document: null, problem: 'the tracer output has a malformed op' };
    const frame = frameOf(op.frame);
    ops.push({
      op: op.op,
      overload: typeof op.overload === 'string' ? op.overload : 'default',
      args: op.args as TraceArg[],
      kwargs: isRecord(op.kwargs) ? (op.kwargs as Record<string, TraceArg>) : {},
      out: (op.out ?? null) as TraceArg,
      ...(frame ? { frame } : {}),
      ...(typeof op.module === 'string' ? { module: op.module } : {}),
    });
  }
  const modules: TraceModule[] = json.modules.filter(isRecord).map((m) => {
    const site = frameOf(m.site);
    const defined = frameOf(m.defined);
    return { path: String(m.path ?? ''), type: String(m.type ?? '?'), leaf: m.leaf === true, builtin: m.builtin === true, ...(site ? { site } : {}), ...(defined ? { defined } : {}) };
  });
  const entrySite = frameOf(json.entrySite);
  return {
    document: {
      ok: true,
      torch: String(json.torch ?? '?'),
      device: String(json.device ?? '?'),
      entry: String(json.entry ?? ''),
      model: String(json.model ?? ''),
      notes: Array.isArray(json.notes) ? json.notes.map(String) : [],
      input: json.input,
      outputs: Array.isArray(json.outputs) ? (json.outputs as TraceArg[]) : [],
      parameters,
      buffers,
      modules,
      ops,
      ...(entrySite ? { entrySite } : {}),
      timings: isRecord(json.timings) ? Object.fromEntries(Object.entries(json.timings).filter((e): e is [string, number] => typeof e[1] === 'number')) : {},
    },
  };
}

/** Frames of a faulthandler stack dump (`File "/p/x.py", line 3 in <module>`), innermost first. */
export function parseStackDump(text: string): TraceFrame[] {
  const frames: TraceFrame[] = [];
  for (const match of text.matchAll(/^\s*File "([^"]+)", line (\d+) in (\S+)/gm)) {
    const [, file, line, fn] = match;
    if (file !== undefined && fn !== undefined) frames.push({ file, line: Number(line), function: fn });
  }
  return frames;
}
