import { at } from '../ir/at';
/**
 * Reads an ONNX Runtime profile (`SessionOptions.enableProfiling`): a JSON array of Chrome trace events.
 * What we use:
 *   - `cat: "Node"`, `name: "<node name>_kernel_time"`: one kernel execution; `dur` in µs, `ts` its start,
 *     `args.op_name` (the kernel's op type, `FusedConv` etc. after fusion), `args.provider`,
 *     `args.input_type_shape` ([{float: [1, 3, 224, 224]}, …]).
 *   - `cat: "Node"`, `name: "<node name>_fence_before"` / `_fence_after`: synchronisation markers of older
 *     runtimes, not kernel time: skipped (counted).
 *   - `cat: "Session"`, `name: "model_run"`: one `InferenceSession.run`; kernels are assigned to the run
 *     whose interval holds their start.
 * Pure: takes the text, never throws; problems come back as `errors` (fatal) and `warnings`.
 */

export interface KernelEvent {
  /** The kernel name with the `_kernel_time` suffix removed: the graph node's name as ONNX Runtime saw it. */
  readonly nodeName: string;
  readonly opName: string;
  readonly provider: string;
  /** Start, µs since the session began. */
  readonly startUs: number;
  readonly durationUs: number;
  /** Input shapes as recorded (`null` where the entry was not a plain tensor shape). */
  readonly inputShapes: ReadonlyArray<readonly number[] | null>;
  /** Index of the `model_run` this kernel ran in, or -1 when the profile has no run events. */
  run: number;
}

export interface RunEvent {
  readonly startUs: number;
  readonly durationUs: number;
}

export interface OrtProfile {
  readonly kernels: KernelEvent[];
  readonly runs: RunEvent[];
  /** Execution providers that ran kernels (CPUExecutionProvider, CUDAExecutionProvider, …). */
  readonly providers: string[];
  readonly skippedFenceEvents: number;
  readonly errors: string[];
  readonly warnings: string[];
}

const KERNEL_SUFFIX = '_kernel_time';
const FENCE = /_fence_(before|after)$/;

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shapesOf(raw: unknown): Array<readonly number[] | null> {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry) => {
    if (!isObject(entry)) return null;
    const dims = Object.values(entry)[0];
    return Array.isArray(dims) && dims.every((d) => typeof d === 'number') ? (dims as number[]) : null;
  });
}

/** Parses profile text (or already-parsed JSON). A malformed file yields `errors` and no kernels. */
export function parseOrtProfile(input: string | unknown): OrtProfile {
  const errors: string[] = [];
  const warnings: string[] = [];
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (error) {
      return { kernels: [], runs: [], providers: [], skippedFenceEvents: 0, errors: [`not JSON: ${error instanceof Error ? error.message : String(error)}`], warnings };
    }
  }
  // Chrome's trace format allows `{ traceEvents: [...] }` as well as a bare array; ONNX Runtime writes the array.
  const events = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.traceEvents) ? data.traceEvents : null;
  if (events === null) {
    return { kernels: [], runs: [], providers: [], skippedFenceEvents: 0, errors: ['not an ONNX Runtime profile: expected a JSON array of trace events (or {"traceEvents": [...]})'], warnings };
  }
  const kernels: KernelEvent[] = [];
  const runs: RunEvent[] = [];
  const providers = new Set<string>();
  let fences = 0;
  let malformed = 0;
  for (const e of events) {
    if (!isObject(e) || typeof e.name !== 'string') {
      malformed++;
      continue;
    }
    const dur = e.dur;
    const ts = e.ts;
    if (e.cat === 'Session' && e.name === 'model_run') {
      if (typeof dur === 'number' && typeof ts === 'number') runs.push({ startUs: ts, durationUs: dur });
      else malformed++;
      continue;
    }
    if (e.cat !== 'Node') continue;
    if (FENCE.test(e.name)) {
      fences++;
      continue;
    }
    if (!e.name.endsWith(KERNEL_SUFFIX)) continue;
    if (typeof dur !== 'number' || !Number.isFinite(dur) || dur < 0 || typeof ts !== 'number') {
      malformed++;
      continue;
    }
    const args = isObject(e.args) ? e.args : {};
    const provider = typeof args.provider === 'string' ? args.provider : '';
    if (provider) providers.add(provider);
    kernels.push({
      nodeName: e.name.slice(0, -KERNEL_SUFFIX.length),
      opName: typeof args.op_name === 'string' ? args.op_name : '',
      provider,
      startUs: ts,
      durationUs: dur,
      inputShapes: shapesOf(args.input_type_shape),
      run: -1,
    });
  }
  if (malformed > 0) warnings.push(`${malformed} trace event${malformed === 1 ? '' : 's'} without the expected fields were skipped`);
  if (kernels.length === 0) errors.push('no kernel events (cat "Node", name "…_kernel_time") in the profile: was it written by ONNX Runtime with enableProfiling?');
  runs.sort((a, b) => a.startUs - b.startUs);
  assignRuns(kernels, runs);
  return { kernels, runs, providers: [...providers].sort(), skippedFenceEvents: fences, errors, warnings };
}

/** Puts each kernel in the run whose interval holds its start (runs are sorted and do not overlap). */
function assignRuns(kernels: KernelEvent[], runs: readonly RunEvent[]): void {
  if (runs.length === 0) return;
  for (const k of kernels) {
    let lo = 0;
    let hi = runs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (at(runs, mid, 'sorted runs').startUs <= k.startUs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const run = runs[found];
    k.run = run !== undefined && k.startUs <= run.startUs + run.durationUs ? found : -1;
  }
}
