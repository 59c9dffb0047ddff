/**
 * Which Python runs user code, and running it. The executable is the `ridgepoint.python.path` setting,
 * else the interpreter the VS Code Python extension has selected (the client asks that extension and
 * passes it on), else `python3` on PATH. `runPython` runs it with a timeout and cancellation, and ends
 * the whole process group (a model file may start subprocesses or threads), never more.
 */
import { spawn } from 'node:child_process';

export interface PythonChoice {
  /** `ridgepoint.python.path`, '' when unset. */
  readonly setting?: string;
  /** The Python extension's selected interpreter, when the client could ask for it. */
  readonly pythonExtension?: string;
}

export const DEFAULT_PYTHON = process.platform === 'win32' ? 'python' : 'python3';

export function choosePython(choice: PythonChoice): { executable: string; source: 'setting' | 'python-extension' | 'path' } {
  const setting = choice.setting?.trim();
  if (setting) return { executable: setting, source: 'setting' };
  const selected = choice.pythonExtension?.trim();
  if (selected) return { executable: selected, source: 'python-extension' };
  return { executable: DEFAULT_PYTHON, source: 'path' };
}

export interface RunPythonOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly cwd?: string;
  /** Added to (and overriding) the server's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  /** Output beyond this many bytes per stream is dropped (a runaway print loop cannot fill memory). */
  readonly maxOutputBytes?: number;
}

export interface RunPythonResult {
  /** Exit status; null when the process was killed or could not start. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Why the executable could not be started (ENOENT: not found), when it could not. */
  readonly spawnError?: string;
}

const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

export function runPython(executable: string, args: readonly string[], options: RunPythonOptions): Promise<RunPythonResult> {
  return new Promise((resolve) => {
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    if (options.signal?.aborted) {
      resolve({ code: null, stdout: '', stderr: '', timedOut: false, cancelled: true });
      return;
    }
    const child = spawn(executable, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so that a kill reaches whatever the user's code started (POSIX).
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const killGroup = (): void => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      killGroup();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (result: Omit<RunPythonResult, 'stdout' | 'stderr' | 'timedOut' | 'cancelled'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ ...result, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, cancelled });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < maxBytes) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < maxBytes) err.push(chunk);
      errBytes += chunk.length;
    });
    child.on('error', (error) => finish({ code: null, spawnError: error.message }));
    child.on('close', (code) => {
      // The group may outlive the main process (a daemon thread's subprocess): end it too.
      killGroup();
      finish({ code });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
