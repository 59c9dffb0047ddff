/**
 * Imports of PyTorch sources in the language server: one resolver over the workspace folders and the
 * chosen Python's sys.path (asked in the background; until it answers, the workspace alone), open
 * documents read instead of the disk; and, per analysed file, the imported files it read, so that an
 * edit of one of them re-analyses the files importing it (their stamp includes a generation for that).
 */
import { PythonModuleResolver } from '../analysis/pytorch/types';
import { FileModuleResolver } from '../python-env/module-resolver';
import { pythonSearchPathsAsync } from '../python-env/search-paths';

export interface PythonImportsHost {
  workspaceRoots(): readonly string[];
  /** An open document's text and version by file path. */
  openText(path: string): { text: string; version: number } | undefined;
  /** sys.path arrived or changed: models should be re-analysed. */
  searchPathsChanged(): void;
}

export class PythonImports {
  private python: string | null = null;
  private searchPaths: readonly string[] = [];
  private cached: { key: string; resolver: FileModuleResolver } | null = null;
  private readonly dependencies = new Map<string, readonly string[]>();
  private readonly generations = new Map<string, number>();

  constructor(private readonly host: PythonImportsHost) {}

  /** Uses this Python's sys.path (the executable traced mode runs too: lsp/traces.ts `python()`). */
  usePython(python: string): void {
    if (python === this.python) return;
    this.python = python;
    void pythonSearchPathsAsync(python).then((paths) => {
      if (this.python !== python) return;
      this.searchPaths = paths;
      this.host.searchPathsChanged();
    });
  }

  resolver(): PythonModuleResolver {
    const roots = this.host.workspaceRoots();
    const key = JSON.stringify([roots, this.searchPaths]);
    if (this.cached?.key !== key) {
      const overlay = (file: string): { text: string; version: string } | undefined => {
        const open = this.host.openText(file);
        return open ? { text: open.text, version: String(open.version) } : undefined;
      };
      this.cached = { key, resolver: new FileModuleResolver({ roots, searchPaths: this.searchPaths, overlay }) };
    }
    return this.cached.resolver;
  }

  noteDependencies(file: string, imported: readonly string[]): void {
    this.dependencies.set(file, imported);
  }

  /**
   * Part of a model's stamp: bumped when a file it imported changed (`changed`), so the model is
   * re-analysed then and only then.
   */
  stamp(file: string): string {
    return `g${this.generations.get(file) ?? 0}`;
  }

  /** An imported file changed (edited, saved): the analysed files that imported it, now stale. */
  changed(path: string): string[] {
    const stale = [...this.dependencies].filter(([, deps]) => deps.includes(path)).map(([file]) => file);
    for (const file of stale) this.generations.set(file, (this.generations.get(file) ?? 0) + 1);
    return stale;
  }
}
