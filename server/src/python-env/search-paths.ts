/**
 * The directories a Python executable imports from (`sys.path`), asked once per executable and cached:
 * imported modules that live in site-packages (torchvision, timm, transformers) are read from there.
 * A Python that cannot be run gives no directories (the caller's workspace roots still apply).
 */
import { execFileSync } from 'node:child_process';
import { runPython } from './python-exe';

const cache = new Map<string, readonly string[]>();

const PRINT_SYS_PATH = 'import json, sys; print(json.dumps([p for p in sys.path if p]))';

// -I: isolated (no user site, no PYTHONPATH, not the cwd); site-packages stays, since that is what is wanted.
const ARGS = ['-I', '-c', PRINT_SYS_PATH];

function parsePaths(out: string): readonly string[] {
  try {
    const parsed: unknown = JSON.parse(out.trim().split('\n').at(-1) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** The same, without blocking (the language server's event loop): resolves to [] on any failure. */
export async function pythonSearchPathsAsync(python: string, timeoutMs = 10_000): Promise<readonly string[]> {
  const cached = cache.get(python);
  if (cached !== undefined) return cached;
  const run = await runPython(python, ARGS, { timeoutMs });
  const paths = run.code === 0 ? parsePaths(run.stdout) : [];
  cache.set(python, paths);
  return paths;
}

export function pythonSearchPaths(python: string, timeoutMs = 10_000): readonly string[] {
  const cached = cache.get(python);
  if (cached !== undefined) return cached;
  let paths: readonly string[] = [];
  try {
    paths = parsePaths(execFileSync(python, ARGS, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    paths = [];
  }
  cache.set(python, paths);
  return paths;
}
