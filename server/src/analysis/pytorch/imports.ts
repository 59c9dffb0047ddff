/**
 * Imports across files: `from ..ops.misc import Conv2dNormActivation`, `from torchvision.ops import
 * StochasticDepth`, `import a.b.c`, `import x as y`. The resolver (node side) finds a module's source;
 * this file parses it (cached per file and version, across analyses), runs its top level into its own
 * globals, and binds the imported names lazily: a name is evaluated on first use, so importing a module
 * loads only the definitions that are reached. torch, typing, functools… are the bridge's, never read
 * from disk. A module importing itself back while it loads gets the partly built module, as in Python,
 * and a diagnostic; a module that cannot be found is a located diagnostic and an unresolved name.
 */
import { ParsedPython, PythonParser, SyntaxNode } from './parser';
import { markImportedTree, rangeOf } from './syntax';
import { PythonModuleResolver, PythonModuleSource, SourceRange, UnresolvedName } from './types';
import { PyValue, Scope, unknown } from './values';
import { PythonRaise } from './python-raise';

/** Modules the evaluator models itself (the torch bridge and Python's standard library). */
const BRIDGE_MODULES = new Set([
  'torch', 'typing', 'typing_extensions', 'functools', 'collections', 'math', 'dataclasses', 'enum', 'warnings', 'logging',
  'os', 'sys', 'abc', 'itertools', 'copy', 'numbers', 'inspect', 'types', 're', 'operator', 'builtins', '__future__',
  'contextlib', 'weakref', 'json', 'pathlib', 'urllib', 'numpy', 'einops', 'random', 'time', 'importlib', 'string', 'io',
]);

export function isBridgeModule(dotted: string, level: number): boolean {
  return level === 0 && BRIDGE_MODULES.has(dotted.split('.')[0] ?? dotted);
}

/** What the import system needs from the evaluator. */
export interface ModuleHost {
  /** Runs a module's top-level statements into `globals`. */
  runModule(root: SyntaxNode, globals: Scope): void;
  diagnose(severity: 'error' | 'warning' | 'info', code: string, message: string, node: SyntaxNode | SourceRange | null): void;
  noteUnresolved(why: UnresolvedName): void;
  /** Whether an enclosing `try … except ImportError` handles a missing module (it raises then). */
  readonly importErrorHandled: boolean;
}

interface LoadedModule {
  readonly name: string;
  readonly path: string;
  readonly globals: Scope;
  loading: boolean;
}

type ModuleValue = Extract<PyValue, { kind: 'pymodule' }>;

/** Parses of imported files, per parser (trees belong to it), kept while the file's version holds. */
const parseCache = new WeakMap<PythonParser, Map<string, { version: string; parsed: ParsedPython }>>();

function parseCached(parser: PythonParser, source: PythonModuleSource): ParsedPython {
  let cache = parseCache.get(parser);
  if (cache === undefined) {
    cache = new Map();
    parseCache.set(parser, cache);
  }
  const hit = cache.get(source.path);
  if (hit !== undefined && hit.version === source.version) return hit.parsed;
  hit?.parsed.dispose();
  const parsed = parser.parse(source.text);
  markImportedTree(parsed.root, source.path);
  cache.set(source.path, { version: source.version, parsed });
  return parsed;
}

const MAX_MODULES = 400;

export class ImportSystem {
  /** Modules loaded in this analysis, by file. */
  private readonly loaded = new Map<string, LoadedModule>();
  /** Imported files this analysis read, for re-analysis when one changes. */
  readonly dependencies = new Set<string>();

  /** The analysed file, as a module: imported back (a cycle), it is the same globals, loading until its top level ends. */
  private readonly main: LoadedModule;

  constructor(
    private readonly parser: PythonParser,
    private readonly resolver: PythonModuleResolver,
    mainPath: string,
    mainGlobals: Scope,
    private readonly host: ModuleHost,
  ) {
    this.main = { name: '__main__', path: mainPath, globals: mainGlobals, loading: true };
    if (mainPath !== '') this.loaded.set(mainPath, this.main);
  }

  /** The analysed file's top level has run. */
  mainLoaded(): void {
    this.main.loading = false;
  }

  /** Runs an import statement written in `fromPath`, binding its names in `scope`. */
  importStatement(node: SyntaxNode, scope: Scope, fromPath: string): void {
    if (node.type === 'import_statement') {
      for (const item of node.namedChildren) {
        if (item === null) continue;
        const aliased = item.type === 'aliased_import';
        const dotted = (aliased ? item.childForFieldName('name')?.text : item.text) ?? '';
        if (isBridgeModule(dotted, 0)) {
          bindBridgeImport(item, null, scope);
          continue;
        }
        const target = this.find(fromPath, dotted, 0, item);
        if (target === null) {
          const alias = aliased ? (item.childForFieldName('alias')?.text ?? dotted) : (dotted.split('.')[0] ?? dotted);
          scope.set(alias, this.missing(dotted, item));
          continue;
        }
        if (aliased) {
          scope.setLazy(item.childForFieldName('alias')?.text ?? dotted, () => this.moduleValue(this.load(target, dotted, item)));
        } else {
          // `import a.b.c` binds `a`; `a.b.c` is found through a's attributes.
          const first = dotted.split('.')[0] ?? dotted;
          const top = first === dotted ? target : this.find(fromPath, first, 0, item);
          scope.setLazy(first, () => (top === null ? this.missing(first, item) : this.moduleValue(this.load(top, first, item))));
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    const { level, name: dotted } = relativeName(moduleNode?.text ?? '');
    if (isBridgeModule(dotted, level)) {
      for (const item of node.childrenForFieldName('name')) if (item !== null) bindBridgeImport(item, dotted, scope);
      return;
    }
    const site = moduleNode ?? node;
    const source = this.find(fromPath, dotted, level, site);
    const names = node.childrenForFieldName('name').filter((n): n is SyntaxNode => n !== null);
    if (source === null) {
      const missing = this.missing('.'.repeat(level) + dotted, site);
      for (const item of names) scope.set(boundName(item), missing);
      return;
    }
    if (names.length === 0 && node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
      const module = this.load(source, dotted, site);
      // Python's rule: the names in `__all__` when the module defines it, else those not starting with _.
      const all = module.globals.get('__all__');
      const exported = all?.kind === 'list' || all?.kind === 'tuple' ? all.items.flatMap((v) => (v.kind === 'str' ? [v.value] : [])) : module.globals.names().filter((n) => !n.startsWith('_'));
      for (const name of exported) scope.setLazy(name, () => module.globals.get(name) ?? this.missing(name, site));
      return;
    }
    for (const item of names) {
      const name = (item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text) ?? '';
      scope.setLazy(boundName(item), () => this.member(source, dotted, level, fromPath, name, item));
    }
  }

  /** `name` of module `source`: a global of it, else its submodule `name` (a package's file). */
  private member(source: PythonModuleSource, dotted: string, level: number, fromPath: string, name: string, site: SyntaxNode): PyValue {
    const module = this.load(source, dotted, site);
    const value = module.globals.get(name);
    if (value !== undefined) return value;
    const submodule = this.resolver.resolve(fromPath, dotted === '' ? name : `${dotted}.${name}`, level);
    if (submodule !== null) return this.moduleValue(this.load(submodule, `${module.name}.${name}`, site));
    if (module.loading) {
      const message = `circular import: \`${name}\` is not yet defined in \`${module.name}\` while that module is still loading`;
      this.host.diagnose('error', 'pytorch.circular-import', message, site);
      return this.noteMissing(name, message, site);
    }
    const message = `\`${module.name}\` has no \`${name}\``;
    this.host.diagnose('warning', 'pytorch.unresolved-import', message, site);
    return this.noteMissing(name, message, site);
  }

  /** An attribute of an imported module: its global, else its submodule (for a package). */
  attribute(module: ModuleValue, name: string, node: SyntaxNode): PyValue {
    const value = module.globals.get(name);
    if (value !== undefined) return value;
    if (/(^|[\\/])__init__\.py$/.test(module.path)) {
      const submodule = this.resolver.resolve(module.path, name, 1);
      if (submodule !== null) {
        const loaded = this.moduleValue(this.load(submodule, `${module.name}.${name}`, node));
        module.globals.set(name, loaded);
        return loaded;
      }
    }
    return unknown(`${module.name}.${name}`, `module \`${module.name}\` has no \`${name}\``, rangeOf(node));
  }

  private find(fromPath: string, dotted: string, level: number, site: SyntaxNode): PythonModuleSource | null {
    let source: PythonModuleSource | null = null;
    try {
      source = this.resolver.resolve(fromPath, dotted, level);
    } catch {
      source = null;
    }
    if (source === null) {
      const shown = '.'.repeat(level) + dotted;
      if (this.host.importErrorHandled) throw new PythonRaise('ModuleNotFoundError', `no module named ${shown}`, rangeOf(site));
      this.host.diagnose('warning', 'pytorch.unresolved-import', `module \`${shown}\` cannot be found (searched the package, the workspace and the Python's sys.path); what it defines is unknown`, site);
      this.host.noteUnresolved({ name: shown, reason: `module \`${shown}\` cannot be found`, range: rangeOf(site), module: true });
    }
    return source;
  }

  private missing(name: string, site: SyntaxNode): PyValue {
    return unknown(name, `module \`${name}\` cannot be found`, rangeOf(site));
  }

  private noteMissing(name: string, reason: string, site: SyntaxNode): PyValue {
    const why = { name, reason, range: rangeOf(site) };
    this.host.noteUnresolved(why);
    return { kind: 'unknown', why };
  }

  private load(source: PythonModuleSource, dotted: string, site: SyntaxNode): LoadedModule {
    const existing = this.loaded.get(source.path);
    if (existing !== undefined) {
      if (existing.loading) this.host.diagnose('info', 'pytorch.circular-import', `\`${existing.name}\` is imported again while it is still loading (a circular import); names it has not yet defined are unknown`, site);
      return existing;
    }
    const name = dotted === '' ? (source.path.split(/[\\/]/).at(-2) ?? '') : dotted.replace(/^\.+/, '');
    const module: LoadedModule = { name, path: source.path, globals: new Scope(null), loading: true };
    this.loaded.set(source.path, module);
    if (this.loaded.size > MAX_MODULES) {
      this.host.diagnose('warning', 'pytorch.too-many-modules', `more than ${MAX_MODULES} modules imported; \`${name}\` is not read`, site);
      this.host.noteUnresolved({ name, reason: `module \`${name}\` is not read (more than ${MAX_MODULES} modules)`, range: rangeOf(site), module: true });
      module.loading = false;
      return module;
    }
    this.dependencies.add(source.path);
    module.globals.set('__name__', { kind: 'str', value: name });
    try {
      const parsed = parseCached(this.parser, source);
      this.host.runModule(parsed.root, module.globals);
    } finally {
      module.loading = false;
    }
    return module;
  }

  private moduleValue(module: LoadedModule): ModuleValue {
    return { kind: 'pymodule', name: module.name, path: module.path, globals: module.globals };
  }
}

/** `..ops.misc` → level 2, `ops.misc`. */
function relativeName(text: string): { level: number; name: string } {
  const dots = /^\.*/.exec(text)?.[0].length ?? 0;
  return { level: dots, name: text.slice(dots) };
}

function boundName(item: SyntaxNode): string {
  if (item.type === 'aliased_import') return item.childForFieldName('alias')?.text ?? item.childForFieldName('name')?.text ?? '';
  return item.text;
}

/** A name of the bridge's modules: `import torch.nn as nn` → the builtin `torch.nn`; `from math import ceil` → `math.ceil`. */
export function bindBridgeImport(item: SyntaxNode, fromModule: string | null, scope: Scope): void {
  const aliased = item.type === 'aliased_import';
  const name = (aliased ? item.childForFieldName('name')?.text : item.text) ?? '';
  if (fromModule !== null) {
    scope.set(aliased ? (item.childForFieldName('alias')?.text ?? name) : name, { kind: 'builtin', name: `${fromModule}.${name}` });
  } else if (aliased) scope.set(item.childForFieldName('alias')?.text ?? name, { kind: 'builtin', name });
  else {
    const first = name.split('.')[0] ?? name;
    scope.set(first, { kind: 'builtin', name: first });
  }
}
