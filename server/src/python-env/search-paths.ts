/**
 * The directories a Python executable imports from (`sys.path`), asked once per executable and cached:
 * imported modules that live in site-packages (torchvision, timm, transformers) are read from there.
 * A Python that cannot be run gives no directories (the caller's workspace roots still apply).
 */
import { execFileSync } from 'node:child_process';

const cache = new Map<string, readonly string[]>();

const PRINT_SYS_PATH = 'import json, sys; print(json.dumps([p for p in sys.path if p]))';

export function pythonSearchPaths(python: string, timeoutMs = 10_000): readonly string[] {
  const cached = cache.get(python);
  if (cached !== undefined) return cached;
  let paths: readonly string[] = [];
  try {
    // -I: isolated (no user site, no PYTHONPATH surprises, the cwd not on the path); -S is not used,
    // since site-packages is what is wanted.
    const out = execFileSync(python, ['-I', '-c', PRINT_SYS_PATH], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'ignore'] });
    const parsed: unknown = JSON.parse(out.trim().split('\n').at(-1) ?? '[]');
    if (Array.isArray(parsed)) paths = parsed.filter((p): p is string => typeof p === 'string');
  } catch {
    paths = [];
  }
  cache.set(python, paths);
  return paths;
}
