import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import type { ReportValue } from '../analysis/report';
import { UsageError } from './args';

/**
 * The one place Ridgepoint runs a model: ONNX Runtime through `onnxruntime-node`, an optional
 * dependency loaded with a guarded require (esbuild keeps it external, scripts/build.mjs), so every
 * other command works without it. Used by `measure` and `calibrate`.
 */
export type Ort = typeof OrtModule;

export const INSTALL_HINT =
  'measured mode needs onnxruntime-node (an optional dependency): run `npm install onnxruntime-node` where Ridgepoint is installed ' +
  '(the CPU build is enough: add `--onnxruntime-node-install=skip`, or put `onnxruntime-node-install=skip` in .npmrc, to skip the CUDA download)';

let cached: Ort | null = null;

/** Loads onnxruntime-node, or throws a UsageError that says how to install it. */
export function loadOrt(): Ort {
  if (cached) return cached;
  try {
    // A runtime require, not an import: the package is optional and must not be bundled.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('onnxruntime-node') as Ort;
    return cached;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`${INSTALL_HINT}\n  (loading it failed: ${reason})`);
  }
}

export function ortVersion(ort: Ort): string {
  const v = (ort.env as { versions?: { node?: string; common?: string } }).versions;
  return v?.node ?? v?.common ?? 'unknown';
}

export interface RunOptions {
  /** Intra-op threads (ONNX Runtime's pool for one kernel); inter-op is 1 and execution sequential. */
  readonly threads: number;
  readonly warmup: number;
  readonly runs: number;
  /** false: graph optimisations off, so kernels map one to one to graph nodes. */
  readonly optimize: boolean;
}

export interface ProfiledRun {
  /** The profile file's text (Chrome trace JSON). */
  readonly profileText: string;
}

/** Deterministic inputs (mulberry32), so two measurements of one model see the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float32 value as IEEE half bits (no rounding subtleties needed for random data). */
function halfBits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  return sign | (Math.min(exp, 30) << 10) | ((u >>> 13) & 0x3ff);
}

/**
 * A random tensor of a report value's dtype and (fully bound) shape. Floats are uniform in [-1, 1);
 * integers are 0 or 1, valid as token ids, indices and masks alike; booleans random.
 */
export function randomTensor(ort: Ort, value: Pick<ReportValue, 'name' | 'dtype' | 'shape'>, seed: number): OrtModule.Tensor {
  const shape = value.shape;
  if (shape === null) throw new UsageError(`input "${value.name}" has an unknown rank: give its shape with --input ${value.name}=D1xD2…`);
  const unbound = shape.filter((d) => typeof d !== 'number');
  if (unbound.length > 0) throw new UsageError(`input "${value.name}" has unbound dims (${unbound.map((d) => d ?? '?').join(', ')}): bind them with --dim NAME=V or --input ${value.name}=D1xD2…`);
  const dims = shape as number[];
  const n = dims.reduce((a, b) => a * b, 1);
  const next = random(seed);
  const fill = <T extends { length: number; [i: number]: number }>(arr: T, f: () => number): T => {
    for (let i = 0; i < arr.length; i++) arr[i] = f();
    return arr;
  };
  const signed = (): number => next() * 2 - 1;
  const bit = (): number => (next() < 0.5 ? 0 : 1);
  switch (value.dtype) {
    case 'float':
      return new ort.Tensor('float32', fill(new Float32Array(n), signed), dims);
    case 'double':
      return new ort.Tensor('float64', fill(new Float64Array(n), signed), dims);
    case 'float16':
      return new ort.Tensor('float16', fill(new Uint16Array(n), () => halfBits(signed())), dims);
    case 'int64': {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(bit());
      return new ort.Tensor('int64', data, dims);
    }
    case 'uint64': {
      const data = new BigUint64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(bit());
      return new ort.Tensor('uint64', data, dims);
    }
    case 'int32':
      return new ort.Tensor('int32', fill(new Int32Array(n), bit), dims);
    case 'uint32':
      return new ort.Tensor('uint32', fill(new Uint32Array(n), bit), dims);
    case 'int16':
      return new ort.Tensor('int16', fill(new Int16Array(n), bit), dims);
    case 'uint16':
      return new ort.Tensor('uint16', fill(new Uint16Array(n), bit), dims);
    case 'int8':
      return new ort.Tensor('int8', fill(new Int8Array(n), () => Math.floor(next() * 256) - 128), dims);
    case 'uint8':
      return new ort.Tensor('uint8', fill(new Uint8Array(n), () => Math.floor(next() * 256)), dims);
    case 'bool':
      return new ort.Tensor('bool', fill(new Uint8Array(n), bit), dims);
    default:
      throw new UsageError(`input "${value.name}" has type ${value.dtype}, which measure cannot generate random data for`);
  }
}

/**
 * Runs a model `warmup + runs` times with profiling on and returns the profile text. The profile
 * file goes to a private temporary folder, removed afterwards. Rejects with ONNX Runtime's message
 * when the model cannot be loaded or run.
 */
export async function runProfiled(ort: Ort, model: string | Uint8Array, feeds: (inputNames: readonly string[]) => Record<string, OrtModule.Tensor>, options: RunOptions): Promise<ProfiledRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-ort-'));
  try {
    const sessionOptions: OrtModule.InferenceSession.SessionOptions = {
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'profile'),
      graphOptimizationLevel: options.optimize ? 'all' : 'disabled',
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      executionProviders: ['cpu'],
      logSeverityLevel: 3,
    };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
    try {
      const inputs = feeds(session.inputNames);
      for (let i = 0; i < options.warmup + options.runs; i++) await session.run(inputs);
      session.endProfiling();
    } finally {
      await session.release();
    }
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) throw new Error('ONNX Runtime wrote no profile file');
    return { profileText: fs.readFileSync(path.join(dir, file), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
