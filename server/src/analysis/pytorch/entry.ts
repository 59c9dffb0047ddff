/**
 * Which module to profile, and building it. The entry is a class or factory of the file by name, or
 * any Python expression in the file's scope (`GPT(GPTConfig(vocab_size=50257))`). Without one, the
 * last public factory, else the top-level module class. A class whose `__init__(self, config)` takes
 * one config object is built with the file's `@dataclass` config defaults when that is unambiguous,
 * and a diagnostic says so.
 */
import { Interpreter } from './interpreter';
import { PythonParser, SyntaxNode } from './parser';
import { markImportedTree, namedChildren } from './syntax';
import { PythonDiagnostic } from './types';
import { ClassInfo, FunctionInfo, ModuleObject, PyValue } from './values';

export type Entry =
  | { kind: 'class'; name: string; cls: ClassInfo }
  | { kind: 'factory'; name: string; fn: FunctionInfo }
  | { kind: 'expression'; name: string; node: SyntaxNode };

/** The pseudo-file an `--entry` expression's ranges point at. */
export const ENTRY_EXPRESSION_PATH = '<entry>';

export function requiredParameters(node: SyntaxNode, skipSelf: boolean): number {
  const params = node.childForFieldName('parameters');
  const list = params ? namedChildren(params) : [];
  const required = list.filter((p) => p.type === 'identifier' || (p.type === 'typed_parameter' && namedChildren(p)[0]?.type === 'identifier')).length;
  return Math.max(0, required - (skipSelf ? 1 : 0));
}

export function chooseEntry(parser: PythonParser, interpreter: Interpreter, requested: string | undefined, classes: readonly ClassInfo[], factories: readonly FunctionInfo[], diagnostics: PythonDiagnostic[]): Entry | null {
  if (requested) {
    const cls = classes.find((c) => c.name === requested);
    if (cls) return { kind: 'class', name: cls.name, cls };
    const fn = factories.find((f) => f.name === requested);
    if (fn) return { kind: 'factory', name: fn.name, fn };
    const expression = parseExpression(parser, requested);
    const isName = /^[A-Za-z_][A-Za-z0-9_]*$/.test(requested.trim());
    if (expression !== null && !(isName && interpreter.globals.get(requested.trim()) === undefined)) return { kind: 'expression', name: requested, node: expression };
    const names = [...classes.map((c) => c.name), ...factories.map((f) => f.name)];
    const message = expression === null ? `\`${requested}\` is neither a class or factory of this file nor a Python expression` : `no nn.Module class or factory function named \`${requested}\``;
    diagnostics.push({ severity: 'error', code: 'pytorch.entry-not-found', message: `${message} (found: ${names.join(', ') || 'none'})`, range: null });
    return null;
  }
  const publicFactories = factories.filter((f) => !f.name.startsWith('_') && requiredParameters(f.node, false) === 0);
  const lastFactory = publicFactories.at(-1);
  if (lastFactory) return { kind: 'factory', name: lastFactory.name, fn: lastFactory };
  // The top-level module: a class no other definition refers to, preferring one that needs no arguments.
  const mentioned = new Set<string>();
  for (const cls of classes) {
    for (const other of classes) if (other !== cls && mentions(other.node, cls.name)) mentioned.add(cls.name);
  }
  const top = classes.filter((c) => !mentioned.has(c.name));
  const init = (c: ClassInfo): SyntaxNode | undefined => c.methods.get('__init__')?.node;
  const pick = top.filter((c) => {
    const node = init(c);
    return node ? requiredParameters(node, true) === 0 : true;
  }).at(-1) ?? top.at(-1) ?? classes.at(-1);
  if (!pick) {
    diagnostics.push({ severity: 'info', code: 'pytorch.no-module', message: 'no nn.Module subclass in this file', range: null });
    return null;
  }
  return { kind: 'class', name: pick.name, cls: pick };
}

/** The one expression of `text`, or null when it is not a single Python expression. */
function parseExpression(parser: PythonParser, text: string): SyntaxNode | null {
  let root: SyntaxNode;
  try {
    root = parser.parse(text).root;
  } catch {
    return null;
  }
  if (root.hasError) return null;
  const statements = namedChildren(root);
  const only = statements[0];
  if (statements.length !== 1 || only?.type !== 'expression_statement') return null;
  const expressions = namedChildren(only);
  if (expressions.length !== 1) return null;
  markImportedTree(root, ENTRY_EXPRESSION_PATH);
  return expressions[0] ?? null;
}

function mentions(node: SyntaxNode, name: string): boolean {
  if (!node.text.includes(name)) return false;
  const stack: SyntaxNode[] = [node];
  let budget = 200_000;
  for (let n = stack.pop(); n !== undefined && budget-- > 0; n = stack.pop()) {
    if (n.type === 'identifier' && n.text === name && n.parent?.type !== 'class_definition') return true;
    for (const c of namedChildren(n)) stack.push(c);
  }
  return false;
}

export function instantiateEntry(interpreter: Interpreter, entry: Entry): ModuleObject | null {
  const site = entry.kind === 'class' ? entry.cls.node : entry.kind === 'factory' ? entry.fn.node : entry.node;
  let value: PyValue;
  if (entry.kind === 'class') value = interpreter.instantiate(entry.cls, configDefaults(interpreter, entry.cls), new Map(), site);
  else if (entry.kind === 'factory') value = interpreter.callFunction(entry.fn, [], new Map(), undefined, site);
  else {
    value = interpreter.evaluate(entry.node, interpreter.globals, { fn: null, self: undefined });
    // `--entry resnet50` naming any function, or a class: called with no arguments.
    if (value.kind === 'function' || value.kind === 'class' || value.kind === 'partial') value = interpreter.call(value, [], new Map(), entry.node);
  }
  if (value.kind === 'module') return value.module;
  interpreter.diagnose('error', 'pytorch.entry-not-module', `\`${entry.name}\` did not produce an nn.Module (${value.kind === 'unknown' ? value.why.reason : value.kind})`, site);
  return null;
}

/**
 * `class GPT(nn.Module): def __init__(self, config)`: one required argument, and one dataclass to
 * build it from (the parameter's annotation, defined in the file or imported, else the only dataclass of
 * the file, when its fields all have defaults) → [that dataclass built with its defaults]. Otherwise no arguments (the class's own defaults).
 */
function configDefaults(interpreter: Interpreter, cls: ClassInfo): PyValue[] {
  const init = cls.methods.get('__init__');
  if (init === undefined || requiredParameters(init.node, true) !== 1) return [];
  const parameters = init.node.childForFieldName('parameters');
  const param = parameters === null ? undefined : namedChildren(parameters)[1];
  if (param === undefined) return [];
  const annotation = param.type === 'typed_parameter' ? param.childForFieldName('type')?.text : undefined;
  const dataclasses = interpreter.classes.filter((c) => c.isDataclass && !interpreter.isModuleClass(c));
  // The annotation names it (defined here or imported), else the file's only dataclass.
  const named = annotation === undefined ? undefined : interpreter.globals.get(annotation.replace(/^["']|["']$/g, ''));
  const annotated = named?.kind === 'class' && named.cls.isDataclass ? named.cls : undefined;
  const allDefaulted = dataclasses.filter((c) => c.fields.every((f) => c.attributes.has(f)));
  const config = annotated ?? (allDefaulted.length === 1 && dataclasses.length === 1 ? allDefaulted[0] : undefined);
  if (config === undefined) return [];
  interpreter.diagnose('info', 'pytorch.entry-config-defaults', `\`${cls.name}\` is built with \`${config.name}()\`, the defaults of the file's config dataclass; give another with --entry "${cls.name}(${config.name}(...))"`, init.node);
  return [interpreter.instantiate(config, [], new Map(), config.node)];
}
