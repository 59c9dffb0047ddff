/**
 * PyTorch source → IR model → the shared analysis. Parses with tree-sitter, evaluates the file's
 * definitions, instantiates the entry (a factory function or a module class), walks its forward() from
 * the user's input shape emitting ONNX ops, then hands the model to `inferModel`: shapes, costs,
 * roofline, advice and report are the ONNX path's. Never throws: failures become diagnostics.
 */
import '../ops/index';
import { ModelAnalysis } from '../analyze';
import { Diagnostic } from '../diagnostics';
import { Dim } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { inferModel } from '../shape/engine';
import { Coverage } from '../coverage';
import { computeCoverage } from './coverage';
import { GraphBuilder } from './graph-builder';
import { BudgetExceeded, Interpreter, LIMITS } from './interpreter';
import { PythonRaise } from './python-raise';
import { chooseEntry, Entry, instantiateEntry, requiredParameters } from './entry';
import { ParsedPython, PythonParser, SyntaxNode } from './parser';
import { collectSyntaxErrors } from './syntax-errors';
import { namedChildren, rangeOf } from './syntax';
import { TensorOps } from './tensor-ops';
import { AnalyzeSourceOptions, LayerSummary, ModuleSummary, PythonAnalysis, PythonDiagnostic, UnresolvedName } from './types';
import { ClassInfo, FunctionInfo, ModuleObject, NONE, PyValue, TensorValue } from './values';

const FLOAT_TYPES = { float32: DataType.FLOAT, float16: DataType.FLOAT16, bfloat16: DataType.BFLOAT16 } as const;

export function analyzePythonSource(parser: PythonParser, text: string, options: AnalyzeSourceOptions = {}): PythonAnalysis {
  const diagnostics: PythonDiagnostic[] = [];
  const started = performance.now();
  let tree: ParsedPython | null = null;
  try {
    tree = parser.parse(text, options.previous);
  } catch (error) {
    diagnostics.push({ severity: 'error', code: 'pytorch.parse-failed', message: `the Python parser failed: ${message(error)}`, range: null });
    return { modules: [], entry: null, analysis: null, nodeSources: new Map(), callSites: new Map(), unresolved: [], diagnostics, coverage: computeCoverage({ entry: null, unresolved: [], diagnostics, graphDiagnostics: [] }).coverage, tree: null, timings: { parseMs: performance.now() - started, analyseMs: 0 } };
  }
  const parsed = performance.now();
  const result = analyseTree(parser, tree.root, options, diagnostics);
  return { ...result, tree, timings: { parseMs: parsed - started, analyseMs: performance.now() - parsed } };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type TreeResult = Omit<PythonAnalysis, 'tree' | 'timings'>;

function analyseTree(parser: PythonParser, root: SyntaxNode, options: AnalyzeSourceOptions, diagnostics: PythonDiagnostic[]): TreeResult {
  diagnostics.push(...collectSyntaxErrors(root));
  const unresolvedMap = new Map<string, UnresolvedName>();
  const interpreter = new Interpreter(options.bindings ?? new Map(), diagnostics, unresolvedMap);
  const imports = options.modules ? interpreter.enableImports(parser, options.modules, options.path ?? '') : null;
  try {
    interpreter.loadModule(root);
  } catch (error) {
    diagnostics.push(stopped(error, 'reading the file'));
    return { modules: [], entry: null, analysis: null, nodeSources: new Map(), callSites: new Map(), unresolved: [], diagnostics, dependencies: imports ? [...imports.dependencies] : [], coverage: withCoverage(null, [], diagnostics, null) };
  }
  const moduleClasses = interpreter.classes.filter((c) => interpreter.isModuleClass(c));
  // The file's own classes: those of the modules it imports (torchvision's transforms/_presets.py, read for
  // resnet.py's weights) are neither its default entry nor given lenses at their lines in another file.
  const ownClasses = moduleClasses.filter((c) => c.node.tree === root.tree);
  const factories = findFactories(interpreter, moduleClasses);
  const entry = chooseEntry(parser, interpreter, options.entry, ownClasses, factories, diagnostics);
  let root_: ModuleObject | null = null;
  let analysis: ModelAnalysis | null = null;
  let builder: GraphBuilder | null = null;
  if (entry !== null) {
    try {
      interpreter.resetBudget();
      root_ = instantiateEntry(interpreter, entry);
      if (root_ !== null) {
        assignNames(root_);
        const built = buildGraph(interpreter, root_, entry.name, options, diagnostics);
        builder = built.builder;
        analysis = built.analysis;
      }
    } catch (error) {
      diagnostics.push(stopped(error, `evaluating \`${entry.name}\``));
    }
  }
  const modules = summarise(interpreter, ownClasses, factories, root_, entry);
  const unresolved = [...unresolvedMap.values()];
  const entrySummary = root_ !== null ? (modules.find((m) => m.name === entry?.name) ?? null) : null;
  const coverage = withCoverage(entrySummary, unresolved, diagnostics, analysis);
  return {
    modules,
    entry: entry?.name ?? null,
    analysis: analysis ? { ...analysis, coverage } : null,
    nodeSources: builder?.nodeSources ?? new Map(),
    callSites: builder?.callSites ?? new Map(),
    unresolved,
    diagnostics,
    dependencies: imports ? [...imports.dependencies] : [],
    coverage,
  };
}

/** The entry's coverage; the errors for layers not counted are added to `diagnostics`. */
function withCoverage(entry: ModuleSummary | null, unresolved: readonly UnresolvedName[], diagnostics: PythonDiagnostic[], analysis: ModelAnalysis | null): Coverage {
  const result = computeCoverage({ entry, unresolved, diagnostics, graphDiagnostics: analysis?.diagnostics ?? [] });
  diagnostics.push(...result.diagnostics);
  return result.coverage;
}

function stopped(error: unknown, what: string): PythonDiagnostic {
  if (error instanceof PythonRaise) return { severity: 'error', code: 'pytorch.raises', message: `${what}: the code raises \`${error.exception}\` here (\`${error.detail}\`), on the path the static evaluation took`, range: error.range };
  if (error instanceof BudgetExceeded) return { severity: 'error', code: 'pytorch.budget-exceeded', message: `${what}: ${error.message} (a loop or recursion too large to evaluate statically)`, range: null };
  return { severity: 'error', code: 'internal', message: `${what} stopped: ${message(error)}`, range: null };
}


/** Top-level functions that return a module: `def resnet50(): return _resnet(...)`, found to a fixed point. */
function findFactories(interpreter: Interpreter, moduleClasses: readonly ClassInfo[]): FunctionInfo[] {
  const classNames = new Set(moduleClasses.map((c) => c.name));
  const factoryNames = new Set<string>();
  const returnsCallOf = (fn: FunctionInfo): string[] => {
    const names: string[] = [];
    const visit = (n: SyntaxNode, depth: number): void => {
      if (depth > 40) return;
      if (n.type === 'function_definition' && n !== fn.node) return;
      if (n.type === 'return_statement') {
        const expr = namedChildren(n)[0];
        if (expr?.type === 'call') names.push(expr.childForFieldName('function')?.text ?? '');
        else if (expr?.type === 'identifier') names.push(`=${expr.text}`);
      }
      for (const c of namedChildren(n)) visit(c, depth + 1);
    };
    visit(fn.node, 0);
    return names;
  };
  const assignedFromCall = (fn: FunctionInfo, variable: string): string[] => {
    const found: string[] = [];
    const visit = (n: SyntaxNode, depth: number): void => {
      if (depth > 40) return;
      if (n.type === 'assignment' && n.childForFieldName('left')?.text === variable) {
        const right = n.childForFieldName('right');
        if (right?.type === 'call') found.push(right.childForFieldName('function')?.text ?? '');
      }
      for (const c of namedChildren(n)) visit(c, depth + 1);
    };
    visit(fn.node, 0);
    return found;
  };
  const targets = new Map(interpreter.functions.map((fn) => [fn, returnsCallOf(fn).flatMap((t) => (t.startsWith('=') ? assignedFromCall(fn, t.slice(1)) : [t]))]));
  for (let changed = true, rounds = 0; changed && rounds < 32; rounds++) {
    changed = false;
    for (const [fn, names] of targets) {
      if (factoryNames.has(fn.name)) continue;
      if (names.some((n) => classNames.has(n) || factoryNames.has(n))) {
        factoryNames.add(fn.name);
        changed = true;
      }
    }
  }
  return interpreter.functions.filter((f) => factoryNames.has(f.name));
}

/** `named_modules()` paths and first `named_parameters()` names (shared modules and parameters once). */
export function assignNames(root: ModuleObject): void {
  const seenModules = new Set<ModuleObject>();
  const seenParams = new Set<object>();
  const visit = (m: ModuleObject, path: string, depth: number): void => {
    if (seenModules.has(m) || depth > 200) return;
    seenModules.add(m);
    m.path = path;
    for (const [name, p] of m.parameters) {
      if (seenParams.has(p)) continue;
      seenParams.add(p);
      p.name = path ? `${path}.${name}` : name;
    }
    for (const [name, child] of m.children) visit(child, path ? `${path}.${name}` : name, depth + 1);
  };
  visit(root, '', 0);
}

function buildGraph(interpreter: Interpreter, root: ModuleObject, name: string, options: AnalyzeSourceOptions, diagnostics: PythonDiagnostic[]): { builder: GraphBuilder; analysis: ModelAnalysis } {
  const floatType = FLOAT_TYPES[options.dtype ?? 'float32'];
  const builder = new GraphBuilder();
  const ops = new TensorOps(builder, floatType);
  const forwardFn = root.userClass ? root.userClass.methods.get('forward') : undefined;
  const inputName = forwardFn ? (inputParameterName(forwardFn.node) ?? 'input') : 'input';
  const shape: Dim[] = options.input ? [...options.input] : [];
  if (!options.input) diagnostics.push({ severity: 'warning', code: 'pytorch.no-input-shape', message: `no input shape given for \`${name}\`: pass one (e.g. 1x3x224x224, or batch x seq for token models) to follow forward()`, range: null });
  const input: TensorValue = { name: inputName, shape, dtype: floatType };
  builder.addInput(inputName, shape, floatType);
  interpreter.beginForward(ops);
  let output: PyValue = NONE;
  try {
    if (options.input) output = interpreter.callModule(root, [{ kind: 'tensor', tensor: input }], new Map(), null);
  } finally {
    const { indexInputs } = interpreter.endForward();
    if (indexInputs.has(inputName)) builder.setInputDtype(inputName, DataType.INT64);
  }
  // Parameters forward never touched (an unused head, a branch not taken) still count.
  materialiseRest(root, builder, floatType);
  const outputs = tensorsIn(output);
  const model = builder.build(outputs, name);
  const inference = inferModel(model, { bindings: options.bindings });
  const shapeDiagnostics: Diagnostic[] = [...inference.diagnostics];
  return { builder, analysis: { model, inference, diagnostics: shapeDiagnostics } };
}

function inputParameterName(fnNode: SyntaxNode): string | undefined {
  const params = fnNode.childForFieldName('parameters');
  const list = params ? namedChildren(params) : [];
  const second = list[1];
  if (!second) return undefined;
  const nameNode = second.type === 'identifier' ? second : second.type === 'typed_parameter' ? namedChildren(second)[0] : second.childForFieldName('name');
  return nameNode?.text;
}

function tensorsIn(value: PyValue, depth = 0): TensorValue[] {
  if (depth > 8) return [];
  if (value.kind === 'tensor' && value.tensor.name !== '') return [value.tensor];
  if (value.kind === 'tuple' || value.kind === 'list') return value.items.flatMap((v) => tensorsIn(v, depth + 1));
  if (value.kind === 'dict') return [...value.entries.values()].flatMap((v) => tensorsIn(v, depth + 1));
  return [];
}

function materialiseRest(root: ModuleObject, builder: GraphBuilder, dtype: DataType): void {
  for (const p of uniqueParameters(root)) {
    if (p.initializer !== undefined || p.shape === null || p.name === undefined) continue;
    builder.initializer(p.name, p.shape, dtype);
    p.initializer = { name: p.name, transposed: false };
  }
}

/** A module and its submodules, each once. */
function subtree(m: ModuleObject): ModuleObject[] {
  const seen = new Set<ModuleObject>();
  const visit = (x: ModuleObject, depth: number): void => {
    if (seen.has(x) || depth > 200) return;
    seen.add(x);
    for (const c of x.children.values()) visit(c, depth + 1);
  };
  visit(m, 0);
  return [...seen];
}

function uniqueParameters(m: ModuleObject): Array<ModuleObject['parameters'] extends Map<string, infer P> ? P : never> {
  return [...new Set(subtree(m).flatMap((x) => [...x.parameters.values()]))];
}

/** Parameters of a module and everything under it, null when a size is unresolved. */
export function countParameters(m: ModuleObject): number | null {
  if (subtree(m).some((x) => x.unbuilt === true)) return null; // a layer of unknown size
  let total = 0;
  for (const p of uniqueParameters(m)) {
    if (p.shape === null) return null;
    total += p.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

function subtreeUnresolved(m: ModuleObject): UnresolvedName[] {
  const out: UnresolvedName[] = [...m.unresolved];
  for (const p of m.parameters.values()) if (p.shape === null) for (const u of p.unresolved) if (!out.includes(u)) out.push(u);
  return out;
}

function layersOf(m: ModuleObject): LayerSummary[] {
  const out: LayerSummary[] = [];
  const seen = new Set<ModuleObject>();
  const visit = (x: ModuleObject, prefix: string, depth: number): void => {
    if (depth > 200) return;
    for (const [name, child] of x.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      const path = prefix ? `${prefix}.${name}` : name;
      out.push({ path, type: child.type, range: child.range, params: countParameters(child), unresolved: subtreeUnresolved(child) });
      if (out.length > 20_000) return;
      visit(child, path, depth + 1);
    }
  };
  visit(m, '', 0);
  return out;
}

function findInstance(root: ModuleObject | null, cls: ClassInfo): ModuleObject | null {
  if (root === null) return null;
  const stack = [root];
  const seen = new Set<ModuleObject>();
  for (let m = stack.shift(); m !== undefined; m = stack.shift()) {
    if (seen.has(m)) continue;
    seen.add(m);
    if (m.userClass === cls) return m;
    stack.push(...m.children.values());
  }
  return null;
}

/** One summary per module class and factory: from the entry's instance where it has one, else standalone. */
function summarise(interpreter: Interpreter, classes: readonly ClassInfo[], factories: readonly FunctionInfo[], root: ModuleObject | null, entry: Entry | null): ModuleSummary[] {
  const out: ModuleSummary[] = [];
  // Standalone instantiations must not add to the entry's diagnostics: those are restored afterwards.
  const standalone = (make: () => PyValue): ModuleObject | null => {
    const savedDiagnostics = interpreter.diagnostics.length;
    const savedUnresolved = new Map(interpreter.unresolved);
    try {
      interpreter.resetBudget(LIMITS.steps / 10);
      const v = make();
      if (v.kind !== 'module') return null;
      assignNames(v.module);
      return v.module;
    } catch {
      return null;
    } finally {
      interpreter.diagnostics.length = savedDiagnostics;
      interpreter.unresolved.clear();
      for (const [k, v] of savedUnresolved) interpreter.unresolved.set(k, v);
    }
  };
  for (const cls of classes) {
    const instance = findInstance(root, cls) ?? standalone(() => interpreter.instantiate(cls, [], new Map(), cls.node));
    out.push({ name: cls.name, kind: 'class', range: rangeOf(cls.node), params: instance ? countParameters(instance) : null, layers: instance ? layersOf(instance) : [] });
  }
  for (const fn of factories) {
    const isEntry = entry?.kind === 'factory' && entry.fn === fn;
    const instance = isEntry ? root : requiredParameters(fn.node, false) === 0 ? standalone(() => interpreter.callFunction(fn, [], new Map(), undefined, fn.node)) : null;
    out.push({ name: fn.name, kind: 'factory', range: rangeOf(fn.node), params: instance ? countParameters(instance) : null, layers: instance ? layersOf(instance) : [] });
  }
  return out;
}
