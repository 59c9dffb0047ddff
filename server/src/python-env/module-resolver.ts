/**
 * The file-system side of imports (the core's PythonModuleResolver): a relative import resolves against
 * the importing file's package; an absolute one against the search roots in order: the importing file's
 * package root (the directory above its outermost `__init__.py` package), the workspace folders, then
 * the Python's sys.path. `a.b` is `a/b.py` or the package `a/b/__init__.py`. Open documents win over
 * the disk (`overlay`); a file's version is its overlay version or its mtime and size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PythonModuleResolver, PythonModuleSource } from '../analysis/pytorch/types';

export interface ModuleResolverOptions {
  /** Workspace folders (or the CLI's cwd). */
  readonly roots: readonly string[];
  /** The Python's sys.path, searched after the roots. */
  readonly searchPaths?: readonly string[];
  /** Open documents: path → text and version, read instead of the disk. */
  readonly overlay?: (file: string) => { text: string; version: string } | undefined;
}

export class FileModuleResolver implements PythonModuleResolver {
  /** Texts read from disk, re-read only when a file's mtime or size changes. */
  private readonly disk = new Map<string, PythonModuleSource>();

  constructor(private readonly options: ModuleResolverOptions) {}

  resolve(fromPath: string, module: string, level: number): PythonModuleSource | null {
    const parts = module === '' ? [] : module.split('.');
    if (level > 0) {
      let base = path.dirname(fromPath);
      for (let i = 1; i < level; i++) base = path.dirname(base);
      return this.readModule(base, parts);
    }
    for (const root of this.roots(fromPath)) {
      const found = this.readModule(root, parts);
      if (found !== null) return found;
    }
    return null;
  }

  private roots(fromPath: string): string[] {
    const roots = [packageRoot(fromPath), ...this.options.roots, ...(this.options.searchPaths ?? [])];
    return [...new Set(roots.filter((r) => r !== '').map((r) => path.resolve(r)))];
  }

  /** `base/a/b.py`, else `base/a/b/__init__.py`; `base/__init__.py` for no parts (`from . import x`). */
  private readModule(base: string, parts: readonly string[]): PythonModuleSource | null {
    const stem = path.join(base, ...parts);
    const candidates = parts.length === 0 ? [path.join(base, '__init__.py')] : [`${stem}.py`, path.join(stem, '__init__.py')];
    for (const file of candidates) {
      const source = this.read(file);
      if (source !== null) return source;
    }
    return null;
  }

  private read(file: string): PythonModuleSource | null {
    const open = this.options.overlay?.(file);
    if (open !== undefined) return { path: file, text: open.text, version: `open:${open.version}` };
    try {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (stat === undefined || !stat.isFile()) return null;
      const version = `disk:${stat.mtimeMs}:${stat.size}`;
      const cached = this.disk.get(file);
      if (cached !== undefined && cached.version === version) return cached;
      const source = { path: file, text: fs.readFileSync(file, 'utf8'), version };
      this.disk.set(file, source);
      return source;
    } catch {
      return null;
    }
  }
}

/** The directory that holds the outermost package around `file` (its own directory when not in a package). */
export function packageRoot(file: string): string {
  if (file === '') return '';
  let dir = path.dirname(path.resolve(file));
  for (let i = 0; i < 64 && fs.existsSync(path.join(dir, '__init__.py')); i++) dir = path.dirname(dir);
  return dir;
}
