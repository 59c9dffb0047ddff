/**
 * The Python evaluator: statements, expressions, scopes and calls of a model file's code, without Python.
 * What values *mean* beyond plain Python (classes and instances, nn.Module registration, torch calls and
 * tensors in forward()) is left to the subclasses: object-model.ts and torch-bridge.ts. Every loop,
 * sequence and call depth is bounded: hostile input ends in a diagnostic. Unknown values carry the
 * reason they are unknown.
 */
import { at } from '../ir/at';
import { arithmetic, compare, iterate, PYTHON_BUILTINS, SequenceTooLong, truthy } from './builtins';
import { bindBridgeImport, ImportSystem } from './imports';
import { PythonRaise } from './python-raise';
import { PythonParser, SyntaxNode } from './parser';
import { field, namedChildren, rangeOf, stringValue } from './syntax';
import { ForwardError } from './tensor-ops';
import { PythonDiagnostic, PythonModuleResolver, SourceRange, UnresolvedName } from './types';
import { asItems, asNumber, ClassInfo, describe, FunctionInfo, int, ModuleObject, newModule, NONE, PyValue, Scope, unknown } from './values';

export const LIMITS = { steps: 2_000_000, depth: 48, loopIterations: 100_000, whileIterations: 10_000 };

/** The evaluation budget ran out: stops the whole evaluation (caught at the top, turned into a diagnostic). */
export class BudgetExceeded extends Error {}

type Completion = { kind: 'normal' } | { kind: 'return'; value: PyValue } | { kind: 'break' } | { kind: 'continue' };
const NORMAL: Completion = { kind: 'normal' };

export interface Frame {
  readonly fn: FunctionInfo | null;
  readonly self: PyValue | undefined;  /** The exception an `except` block is handling (a bare `raise` re-raises it). */
  readonly handling?: string;
}

/** Python's exception classes that model code catches, each with the classes it derives from. */
const EXCEPTION_BASES: Record<string, readonly string[]> = {
  ModuleNotFoundError: ['ImportError', 'Exception', 'BaseException'],
  ImportError: ['Exception', 'BaseException'],
};

/** Whether an except clause catches `exception` (a bare `except:` catches all). */
function handles(clause: SyntaxNode, exception: string): boolean {
  const typeNode = namedChildren(clause).find((c) => c.type !== 'block');
  if (typeNode === undefined) return true;
  const typeText = typeNode.type === 'as_pattern' ? (namedChildren(typeNode)[0]?.text ?? '') : typeNode.text;
  const caught = new Set(typeText.split(/[^\w.]+/).map((n) => n.split('.').pop() ?? n));
  const lineage = [exception, ...(EXCEPTION_BASES[exception] ?? ['Exception', 'BaseException'])];
  return lineage.some((n) => caught.has(n));
}

/** What forward() evaluation needs: the ops emitter and the module path being run. */

export { PythonRaise };

export abstract class PythonEvaluator {
  readonly globals = new Scope(null);
  readonly classes: ClassInfo[] = [];
  readonly functions: FunctionInfo[] = [];
  private steps = 0;
  private depth = 0;
  private stepLimit = LIMITS.steps;
  /** try blocks being run whose handlers catch ImportError: a missing module raises there instead. */
  private importGuards = 0;
  /** try blocks being run: an exception raised inside propagates to them. */
  private tryDepth = 0;
  /** Imports of other files, when a resolver was given. */
  protected imports: ImportSystem | null = null;
  protected mainPath = '';

  /** Follows imports of other files through `resolver` (`mainPath`: the analysed file). */
  enableImports(parser: PythonParser, resolver: PythonModuleResolver, mainPath: string): ImportSystem {
    this.mainPath = mainPath;
    this.imports = new ImportSystem(parser, resolver, mainPath, this.globals, this);
    return this.imports;
  }

  constructor(
    private readonly bindings: ReadonlyMap<string, number>,
    readonly diagnostics: PythonDiagnostic[],
    readonly unresolved: Map<string, UnresolvedName>,
  ) {}

  /** Results of calls that could not be evaluated at all (an unknown callee, a call that raised). */
  protected readonly unevaluatedCalls = new WeakSet<PyValue>();

  /** The result of a call that could not be evaluated at all, marked as such. */
  private unevaluated(why: UnresolvedName): PyValue {
    const result: PyValue = { kind: 'unknown', why };
    this.unevaluatedCalls.add(result);
    return result;
  }

  /** Gives the next phase (a standalone instantiation) a fresh step budget. */
  resetBudget(steps = LIMITS.steps): void {
    this.steps = 0;
    this.stepLimit = steps;
  }

  protected tick(): void {
    if (++this.steps > this.stepLimit) throw new BudgetExceeded(`evaluation stopped after ${this.stepLimit} steps`);
  }

  diagnose(severity: PythonDiagnostic['severity'], code: string, message: string, node: SyntaxNode | SourceRange | null, modulePath?: string): void {
    const range = node === null ? null : 'type' in node ? rangeOf(node) : node;
    if (this.diagnostics.some((d) => d.code === code && d.message === message && d.range?.start.line === range?.start.line && d.range?.path === range?.path)) return;
    if (this.diagnostics.length < 500) this.diagnostics.push({ severity, code, message, range, ...(modulePath !== undefined ? { modulePath } : {}) });
  }

  noteUnresolved(why: UnresolvedName): void {
    const key = `${why.name}@${why.range?.start.line ?? -1}:${why.range?.start.character ?? -1}`;
    if (!this.unresolved.has(key)) this.unresolved.set(key, why);
  }

  // ---------------------------------------------------------------------------------------------
  // Module level

  loadModule(root: SyntaxNode): void {
    try {
      this.execBlock(namedChildren(root), this.globals, { fn: null, self: undefined }, true);
    } finally {
      this.imports?.mainLoaded();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  protected execBlock(statements: readonly SyntaxNode[], scope: Scope, frame: Frame, moduleLevel = false): Completion {
    for (const statement of statements) {
      let done: Completion;
      try {
        done = this.execStatement(statement, scope, frame, moduleLevel);
      } catch (error) {
        // A module's top level that raises (under a condition evaluated wrongly, say) loses that
        // statement only: the definitions after it are still read.
        if (!(moduleLevel && frame.fn === null && this.tryDepth === 0 && error instanceof PythonRaise)) throw error;
        this.diagnose('warning', 'pytorch.raises', `the module's top level raises \`${error.exception}\` here (${error.detail}); the statement is skipped`, error.range);
        continue;
      }
      if (done.kind !== 'normal') return done;
    }
    return NORMAL;
  }

  /** `raise X(...)`: a Python exception the enclosing try/except may catch (the exception's arguments are not evaluated); inside forward() a fallback. */
  private raise(node: SyntaxNode, frame: Frame): never {
    const expr = namedChildren(node)[0];
    const callee = expr?.type === 'call' ? field(expr, 'function') : expr;
    const exception = callee ? (callee.text.split('.').pop() ?? callee.text) : (frame.handling ?? 'Exception');
    const detail = clip(node.text);
    if (this.inForward) throw new ForwardError(`the code raises here (\`${detail}\`)`, rangeOf(node));
    throw new PythonRaise(exception, detail, rangeOf(node));
  }

  private execTry(node: SyntaxNode, scope: Scope, frame: Frame, moduleLevel: boolean): Completion {
    const clauses = namedChildren(node);
    const handlers = clauses.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
    const elseClause = clauses.find((c) => c.type === 'else_clause');
    const finallyClause = clauses.find((c) => c.type === 'finally_clause');
    const catchesImportError = handlers.some((h) => handles(h, 'ModuleNotFoundError'));
    let done: Completion = NORMAL;
    try {
      if (catchesImportError) this.importGuards++;
      this.tryDepth++;
      try {
        done = this.execBlock(this.body(field(node, 'body')), scope, frame, moduleLevel);
      } finally {
        this.tryDepth--;
        if (catchesImportError) this.importGuards--;
      }
      if (elseClause && done.kind === 'normal') done = this.execBlock(this.body(field(elseClause, 'body') ?? namedChildren(elseClause).at(-1) ?? null), scope, frame, moduleLevel);
    } catch (error) {
      if (!(error instanceof PythonRaise)) throw error;
      const handler = handlers.find((h) => handles(h, error.exception));
      if (handler === undefined) throw error;
      const alias = namedChildren(handler).find((c) => c.type === 'as_pattern');
      const target = alias ? field(alias, 'alias') : null;
      if (target?.type === 'as_pattern_target' || target?.type === 'identifier') scope.set(namedChildren(target)[0]?.text ?? target.text, { kind: 'str', value: error.detail });
      done = this.execBlock(this.body(namedChildren(handler).find((c) => c.type === 'block') ?? null), scope, { ...frame, handling: error.exception }, moduleLevel);
    } finally {
      if (finallyClause) this.execBlock(this.body(namedChildren(finallyClause).find((c) => c.type === 'block') ?? null), scope, frame, moduleLevel);
    }
    return done;
  }

  /** Whether an import's failure is handled by an enclosing `try … except ImportError`. */
  get importErrorHandled(): boolean {
    return this.importGuards > 0;
  }

  /**
   * `helper(kwargs, "groups", 32)` as a statement: run for its effects. A callee that is not understood
   * (undefined, or from a module not read) may change what is built, so it is reported, not skipped.
   */
  private callForEffect(node: SyntaxNode, scope: Scope, frame: Frame): void {
    const calleeNode = field(node, 'function');
    const callee = calleeNode ? this.evaluate(calleeNode, scope, frame) : NONE;
    const result = this.evaluate(node, scope, frame);
    if (isForeign(callee) && result.kind === 'unknown' && !isShapeKeepingInPlace(calleeNode)) {
      const why = callee.kind === 'unknown' ? callee.why.reason : `\`${callee.name}\` is not read`;
      this.diagnose('warning', 'pytorch.unevaluated-call', `\`${clip(node.text)}\` was not evaluated (${why}): whatever it changes is missing`, node);
    }
  }

  protected body(node: SyntaxNode | null): SyntaxNode[] {
    return node === null ? [] : namedChildren(node);
  }

  protected execStatement(node: SyntaxNode, scope: Scope, frame: Frame, moduleLevel: boolean): Completion {
    this.tick();
    switch (node.type) {
      case 'expression_statement': {
        for (const child of namedChildren(node)) {
          if (child.type === 'assignment') this.assign(child, scope, frame);
          else if (child.type === 'augmented_assignment') this.augmentedAssign(child, scope, frame);
          else if (!moduleLevel && child.type === 'call') this.callForEffect(child, scope, frame);
          else if (!moduleLevel && child.type !== 'string') this.evaluate(child, scope, frame);
        }
        return NORMAL;
      }
      case 'return_statement': {
        const expr = namedChildren(node)[0];
        return { kind: 'return', value: expr ? this.evaluate(expr, scope, frame) : NONE };
      }
      case 'if_statement':
        return this.execIf(node, scope, frame, moduleLevel);
      case 'for_statement':
        return moduleLevel ? NORMAL : this.execFor(node, scope, frame);
      case 'while_statement':
        return moduleLevel ? NORMAL : this.execWhile(node, scope, frame);
      case 'break_statement':
        return { kind: 'break' };
      case 'continue_statement':
        return { kind: 'continue' };
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
        this.define(node, scope);
        return NORMAL;
      case 'import_statement':
      case 'import_from_statement':
        this.importNames(node, scope);
        return NORMAL;
      case 'with_statement':
        return this.execBlock(this.body(field(node, 'body')), scope, frame, moduleLevel);
      case 'try_statement':
        return this.execTry(node, scope, frame, moduleLevel);
      case 'raise_statement':
        return this.raise(node, frame);
      case 'ERROR':
        return NORMAL;
      case 'delete_statement':
        for (const target of namedChildren(node).flatMap((t) => (t.type === 'expression_list' ? namedChildren(t) : [t]))) this.deleteTarget(target, scope, frame);
        return NORMAL;
      default:
        // pass, assert, global, nonlocal, print: nothing that changes sizes.
        return NORMAL;
    }
  }

  protected execIf(node: SyntaxNode, scope: Scope, frame: Frame, moduleLevel: boolean): Completion {
    const condition = field(node, 'condition');
    if (moduleLevel && condition?.text.includes('__name__')) return NORMAL;
    const branches: Array<{ condition: SyntaxNode | null; body: SyntaxNode | null }> = [{ condition, body: field(node, 'consequence') }];
    for (const alt of node.childrenForFieldName('alternative')) {
      if (alt === null) continue;
      if (alt.type === 'elif_clause') branches.push({ condition: field(alt, 'condition'), body: field(alt, 'consequence') });
      else branches.push({ condition: null, body: field(alt, 'body') });
    }
    for (const branch of branches) {
      if (branch.condition === null) return this.execBlock(this.body(branch.body), scope, frame, moduleLevel);
      const value = this.evaluate(branch.condition, scope, frame);
      const t = truthy(value);
      if (t === undefined) {
        const why = value.kind === 'unknown' ? value.why : { name: branch.condition.text, reason: 'the condition cannot be evaluated statically', range: rangeOf(branch.condition) };
        this.noteUnresolved(why);
        this.diagnose('warning', 'pytorch.unresolved-condition', `condition \`${clip(branch.condition.text)}\` is unresolved (${why.reason}); assuming it is true`, branch.condition);
        return this.execBlock(this.body(branch.body), scope, frame, moduleLevel);
      }
      if (t) return this.execBlock(this.body(branch.body), scope, frame, moduleLevel);
    }
    return NORMAL;
  }

  protected iterationItems(value: PyValue, site: SyntaxNode): PyValue[] | undefined {
    if (value.kind === 'module') {
      const m = value.module;
      if (this.isModuleDict(m)) return [...m.children.keys()].map((k) => ({ kind: 'str', value: k }));
      return [...m.children.values()].map((c) => ({ kind: 'module', module: c }));
    }
    if (value.kind === 'tensor' && this.inForward) {
      return undefined;
    }
    try {
      return iterate(value);
    } catch (error) {
      if (error instanceof SequenceTooLong) {
        this.diagnose('error', 'pytorch.loop-too-long', `loop over ${error.message} exceeds the limit of ${LIMITS.loopIterations} iterations; it is not evaluated`, site);
        return undefined;
      }
      throw error;
    }
  }

  protected execFor(node: SyntaxNode, scope: Scope, frame: Frame): Completion {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (left === null || right === null) return NORMAL;
    const iterable = this.evaluate(right, scope, frame);
    const items = this.iterationItems(iterable, right);
    if (items === undefined) {
      const why = iterable.kind === 'unknown' ? iterable.why : { name: right.text, reason: `cannot iterate over ${describe(iterable)} statically`, range: rangeOf(right) };
      this.noteUnresolved(why);
      if (this.inForward) throw new ForwardError(`loop over \`${clip(right.text)}\` cannot be followed: ${why.reason}`, rangeOf(right));
      this.diagnose('warning', 'pytorch.unresolved-loop', `loop over \`${clip(right.text)}\` is skipped: ${why.reason}`, right);
      return NORMAL;
    }
    for (const item of items) {
      this.bindTarget(left, item, scope, frame);
      const done = this.execBlock(this.body(field(node, 'body')), scope, frame);
      if (done.kind === 'break') return NORMAL;
      if (done.kind === 'return') return done;
    }
    return this.execBlock(this.body(field(node, 'alternative')), scope, frame);
  }

  protected execWhile(node: SyntaxNode, scope: Scope, frame: Frame): Completion {
    const condition = field(node, 'condition');
    if (condition === null) return NORMAL;
    for (let i = 0; ; i++) {
      if (i >= LIMITS.whileIterations) {
        this.diagnose('error', 'pytorch.loop-too-long', `while loop ran ${LIMITS.whileIterations} iterations without ending; evaluation of it stops`, node);
        return NORMAL;
      }
      const t = truthy(this.evaluate(condition, scope, frame));
      if (t !== true) {
        if (t === undefined) this.diagnose('warning', 'pytorch.unresolved-loop', `while condition \`${clip(condition.text)}\` is unresolved; the loop is skipped`, condition);
        return NORMAL;
      }
      const done = this.execBlock(this.body(field(node, 'body')), scope, frame);
      if (done.kind === 'break') return NORMAL;
      if (done.kind === 'return') return done;
    }
  }

  protected assign(node: SyntaxNode, scope: Scope, frame: Frame): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (left === null) return;
    if (right === null) return; // a bare annotation `x: int`
    const value = right.type === 'assignment' ? this.chained(right, scope, frame) : this.evaluate(right, scope, frame);
    this.bindTarget(left, value, scope, frame, right);
  }

  protected chained(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const right = field(node, 'right');
    const left = field(node, 'left');
    const value = right === null ? NONE : right.type === 'assignment' ? this.chained(right, scope, frame) : this.evaluate(right, scope, frame);
    if (left) this.bindTarget(left, value, scope, frame);
    return value;
  }

  protected augmentedAssign(node: SyntaxNode, scope: Scope, frame: Frame): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    const op = field(node, 'operator')?.type.replace('=', '') ?? '+';
    if (left === null || right === null) return;
    const current = this.evaluate(left, scope, frame);
    const operand = this.evaluate(right, scope, frame);
    // `+=` extends in place (list.__iadd__, nn.ModuleList.__iadd__): aliases see the new items.
    if (op === '+' && (current.kind === 'module' || current.kind === 'list')) {
      const items = current.kind === 'list' ? this.iterationItems(operand, right) : undefined;
      if (current.kind === 'module') this.call(this.getAttribute(current, 'extend', node), [operand], new Map(), node);
      else if (items !== undefined) current.items.push(...items);
      if (current.kind === 'module' || items !== undefined) return;
    }
    const value = this.binary(op, current, operand, node);
    this.bindTarget(left, value, scope, frame);
  }

  /** `source`: the assigned expression, when the whole of it is bound to `target`. */
  protected bindTarget(target: SyntaxNode, value: PyValue, scope: Scope, frame: Frame, source?: SyntaxNode): void {
    switch (target.type) {
      case 'identifier':
        scope.set(target.text, value);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const targets = namedChildren(target);
        const items = value.kind === 'module' ? this.iterationItems(value, target) : value.kind === 'unknown' ? undefined : (() => {
          try {
            return iterate(value);
          } catch {
            return undefined;
          }
        })();
        targets.forEach((t, i) => {
          const item = items?.[i] ?? (value.kind === 'unknown' ? value : unknown(t.text, `cannot unpack ${describe(value)}`, rangeOf(t)));
          this.bindTarget(t, item, scope, frame);
        });
        return;
      }
      case 'parenthesized_expression': {
        const inner = namedChildren(target)[0];
        if (inner) this.bindTarget(inner, value, scope, frame);
        return;
      }
      case 'attribute': {
        const object = field(target, 'object');
        const attr = field(target, 'attribute')?.text;
        if (object === null || attr === undefined) return;
        this.setAttribute(this.evaluate(object, scope, frame), attr, value, source);
        return;
      }
      case 'subscript': {
        const container = this.evaluatePart(field(target, 'value'), target, scope, frame);
        const key = this.evaluatePart(field(target, 'subscript'), target, scope, frame);
        if (container.kind === 'dict' && key.kind === 'str') container.entries.set(key.value, value);
        else if (container.kind === 'list') {
          const i = asNumber(key);
          if (i !== undefined && container.items[i < 0 ? i + container.items.length : i] !== undefined) container.items[i < 0 ? i + container.items.length : i] = value;
        } else if (container.kind === 'module' && key.kind === 'str' && value.kind === 'module') container.module.children.set(key.value, value.module);
        return;
      }
      default:
        return;
    }
  }

  /** `del d[k]`, `del l[i]`, `del obj.x`, `del name`: what model code deletes (a dict entry, most often). */
  private deleteTarget(target: SyntaxNode, scope: Scope, frame: Frame): void {
    if (target.type === 'subscript') {
      const container = this.evaluatePart(field(target, 'value'), target, scope, frame);
      const key = this.evaluatePart(field(target, 'subscript'), target, scope, frame);
      if (container.kind === 'dict' && key.kind === 'str') container.entries.delete(key.value);
      else if (container.kind === 'list') {
        const i = asNumber(key);
        if (i !== undefined) container.items.splice(i < 0 ? i + container.items.length : i, 1);
      } else if (container.kind === 'module' && key.kind === 'str') container.module.children.delete(key.value);
    } else if (target.type === 'attribute') {
      const object = field(target, 'object');
      const name = field(target, 'attribute')?.text;
      if (object !== null && name !== undefined) this.deleteAttribute(this.evaluate(object, scope, frame), name);
    } else if (target.type === 'identifier') scope.set(target.text, unknown(target.text, `\`${target.text}\` was deleted`, rangeOf(target)));
  }

  /** `self.x = value`: registers a submodule or parameter the way nn.Module.__setattr__ does. */
  protected importNames(node: SyntaxNode, scope: Scope): void {
    if (this.imports !== null) {
      this.imports.importStatement(node, scope, rangeOf(node).path ?? this.mainPath);
      return;
    }
    // No resolver: every import is an opaque name, as the bridge's are.
    if (node.type === 'import_statement') {
      for (const item of namedChildren(node)) bindBridgeImport(item, null, scope);
      return;
    }
    const moduleName = field(node, 'module_name')?.text ?? '';
    for (const item of node.childrenForFieldName('name')) if (item !== null) bindBridgeImport(item, moduleName, scope);
  }

  /** Runs an imported module's top level (the import system calls it). */
  runModule(root: SyntaxNode, globals: Scope): void {
    this.execBlock(namedChildren(root), globals, { fn: null, self: undefined }, true);
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  evaluate(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    this.tick();
    switch (node.type) {
      case 'integer': {
        const text = node.text.replace(/_/g, '').toLowerCase();
        const n = text.startsWith('0x') || text.startsWith('0o') || text.startsWith('0b') ? Number(text) : Number(text.replace(/l$/, ''));
        return Number.isFinite(n) ? int(n) : unknown(node.text, 'integer literal out of range', rangeOf(node));
      }
      case 'float':
        return { kind: 'float', value: Number(node.text.replace(/_/g, '')) };
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'none':
        return NONE;
      case 'ellipsis':
        return { kind: 'builtin', name: 'Ellipsis' };
      case 'string':
      case 'concatenated_string': {
        const s = stringValue(node);
        return { kind: 'str', value: s ?? this.formatString(node, scope, frame) };
      }
      case 'identifier':
        return this.lookupName(node, scope, frame);
      case 'parenthesized_expression': {
        const inner = namedChildren(node)[0];
        return inner ? this.evaluate(inner, scope, frame) : NONE;
      }
      case 'tuple':
      case 'expression_list':
        return { kind: 'tuple', items: this.evaluateItems(namedChildren(node), scope, frame) };
      case 'list':
        return { kind: 'list', items: this.evaluateItems(namedChildren(node), scope, frame) };
      case 'set':
        return { kind: 'list', items: this.evaluateItems(namedChildren(node), scope, frame) };
      case 'dictionary': {
        const entries = new Map<string, PyValue>();
        for (const pair of namedChildren(node)) {
          if (pair.type === 'pair') {
            const key = this.evaluatePart(field(pair, 'key'), pair, scope, frame);
            const value = this.evaluatePart(field(pair, 'value'), pair, scope, frame);
            entries.set(key.kind === 'str' ? key.value : describe(key), value);
          } else if (pair.type === 'dictionary_splat') {
            const inner = this.evaluatePart(namedChildren(pair)[0], pair, scope, frame);
            if (inner.kind === 'dict') for (const [k, v] of inner.entries) entries.set(k, v);
          }
        }
        return { kind: 'dict', entries };
      }
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
        return { kind: 'list', items: this.comprehension(node, scope, frame) };
      case 'dictionary_comprehension':
        return this.dictComprehension(node, scope, frame);
      case 'attribute': {
        const object = this.evaluatePart(field(node, 'object'), node, scope, frame);
        return this.getAttribute(object, field(node, 'attribute')?.text ?? '', node);
      }
      case 'subscript':
        return this.subscript(node, scope, frame);
      case 'slice': {
        const parts: PyValue[] = [NONE, NONE, NONE];
        let slot = 0;
        for (let i = 0; i < node.childCount; i++) {
          const child = node.child(i);
          if (child === null) continue;
          if (child.type === ':') slot++;
          else if (child.isNamed) parts[slot] = this.evaluate(child, scope, frame);
        }
        const [start = NONE, stop = NONE, step = NONE] = parts;
        return { kind: 'slice', start, stop, step };
      }
      case 'call':
        return this.evaluateCall(node, scope, frame);
      case 'binary_operator': {
        const left = this.evaluatePart(field(node, 'left'), node, scope, frame);
        const right = this.evaluatePart(field(node, 'right'), node, scope, frame);
        return this.binary(field(node, 'operator')?.type ?? '', left, right, node);
      }
      case 'unary_operator': {
        const v = this.evaluatePart(field(node, 'argument'), node, scope, frame);
        const op = field(node, 'operator')?.type;
        if (op === '-') {
          if (v.kind === 'tensor' && this.inForward) return this.binary('*', v, int(-1), node);
          return arithmetic('-', int(0), v) ?? unknown(node.text, 'cannot negate this value', rangeOf(node));
        }
        return v;
      }
      case 'not_operator': {
        const t = truthy(this.evaluatePart(field(node, 'argument'), node, scope, frame));
        return t === undefined ? unknown(node.text, 'the operand is unresolved', rangeOf(node)) : { kind: 'bool', value: !t };
      }
      case 'boolean_operator': {
        const left = this.evaluatePart(field(node, 'left'), node, scope, frame);
        const t = truthy(left);
        const op = field(node, 'operator')?.type;
        if (t === undefined) return left;
        if ((op === 'and' && !t) || (op === 'or' && t)) return left;
        return this.evaluatePart(field(node, 'right'), node, scope, frame);
      }
      case 'comparison_operator':
        return this.comparison(node, scope, frame);
      case 'conditional_expression': {
        const [a, condition, b] = namedChildren(node);
        if (!a || !condition || !b) return NONE;
        const t = truthy(this.evaluate(condition, scope, frame));
        if (t === undefined) return unknown(condition.text, 'the condition is unresolved', rangeOf(condition));
        return this.evaluate(t ? a : b, scope, frame);
      }
      case 'lambda': {
        const fn: FunctionInfo = { name: '<lambda>', qualifiedName: '<lambda>', node, closure: scope, ownerClass: null };
        return { kind: 'function', fn };
      }
      case 'keyword_argument':
      case 'list_splat':
        return this.evaluatePart(namedChildren(node).at(-1), node, scope, frame);
      case 'await':
      case 'named_expression':
        return this.evaluatePart(namedChildren(node).at(-1), node, scope, frame);
      default:
        return unknown(clip(node.text), `\`${node.type}\` expressions are not evaluated`, rangeOf(node));
    }
  }

  /**
   * Evaluates a part the grammar requires (an operand, a field) but a file with syntax errors can lack:
   * then the value is unknown, located at the incomplete expression, instead of a crash.
   */
  protected evaluatePart(part: SyntaxNode | null | undefined, parent: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    return part ? this.evaluate(part, scope, frame) : this.missingPart(parent);
  }

  protected missingPart(parent: SyntaxNode): PyValue {
    return unknown(clip(parent.text), `this \`${parent.type}\` is incomplete (a syntax error)`, rangeOf(parent));
  }

  /** f-strings (`f"encoder_layer_{i}"` names layers): interpolations of known values are formatted. */
  protected formatString(node: SyntaxNode, scope: Scope, frame: Frame): string {
    const parts = node.type === 'concatenated_string' ? namedChildren(node) : [node];
    let out = '';
    for (const part of parts) {
      for (const piece of namedChildren(part)) {
        if (piece.type === 'string_content') out += piece.text;
        else if (piece.type === 'interpolation') {
          const expr = field(piece, 'expression') ?? namedChildren(piece)[0];
          const v = expr ? this.evaluate(expr, scope, frame) : NONE;
          out += v.kind === 'int' || v.kind === 'float' ? describe(v) : v.kind === 'str' ? v.value : v.kind === 'bool' ? (v.value ? 'True' : 'False') : `{${expr?.text ?? ''}}`;
        }
      }
    }
    return out;
  }

  protected evaluateItems(nodes: readonly SyntaxNode[], scope: Scope, frame: Frame): PyValue[] {
    const out: PyValue[] = [];
    for (const n of nodes) {
      if (n.type === 'list_splat') {
        const inner = this.evaluatePart(namedChildren(n)[0], n, scope, frame);
        out.push(...(this.iterationItems(inner, n) ?? [inner]));
      } else out.push(this.evaluate(n, scope, frame));
    }
    return out;
  }

  protected comprehension(node: SyntaxNode, scope: Scope, frame: Frame): PyValue[] {
    const bodyNode = field(node, 'body');
    const clauses = namedChildren(node).filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const out: PyValue[] = [];
    const inner = new Scope(scope);
    const run = (i: number): void => {
      if (out.length > LIMITS.loopIterations) throw new SequenceTooLong('a comprehension');
      const clause = clauses[i];
      if (clause === undefined) {
        if (bodyNode?.type === 'pair') out.push({ kind: 'tuple', items: [this.evaluatePart(field(bodyNode, 'key'), bodyNode, inner, frame), this.evaluatePart(field(bodyNode, 'value'), bodyNode, inner, frame)] });
        else if (bodyNode) out.push(this.evaluate(bodyNode, inner, frame));
        return;
      }
      if (clause.type === 'if_clause') {
        if (truthy(this.evaluatePart(namedChildren(clause)[0], clause, inner, frame)) !== false) run(i + 1);
        return;
      }
      const right = field(clause, 'right');
      const left = field(clause, 'left');
      if (!right || !left) return;
      const iterable = this.evaluate(right, inner, frame);
      const items = this.iterationItems(iterable, right);
      if (items === undefined) {
        const why = iterable.kind === 'unknown' ? iterable.why : { name: right.text, reason: `cannot iterate over ${describe(iterable)} statically`, range: rangeOf(right) };
        this.noteUnresolved(why);
        this.diagnose('warning', 'pytorch.unresolved-loop', `comprehension over \`${clip(right.text)}\` is skipped: ${why.reason}`, right);
        return;
      }
      for (const item of items) {
        this.bindTarget(left, item, inner, frame);
        run(i + 1);
      }
    };
    try {
      run(0);
    } catch (error) {
      if (!(error instanceof SequenceTooLong)) throw error;
      this.diagnose('error', 'pytorch.loop-too-long', `comprehension exceeds ${LIMITS.loopIterations} items; it is not evaluated`, node);
      return [];
    }
    return out;
  }

  protected dictComprehension(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const entries = new Map<string, PyValue>();
    for (const pair of this.comprehension(node, scope, frame)) {
      const [key, value] = asItems(pair) ?? [];
      if (key && value) entries.set(key.kind === 'str' ? key.value : describe(key), value);
    }
    return { kind: 'dict', entries };
  }

  protected comparison(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const operands: SyntaxNode[] = [];
    const operators: string[] = [];
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i);
      if (c === null) continue;
      if (c.isNamed && c.type !== 'comment') operands.push(c);
      else operators.push(c.type);
    }
    let left = this.evaluatePart(operands[0], node, scope, frame);
    let result: PyValue = { kind: 'bool', value: true };
    for (const [i, op] of operators.entries()) {
      const right = this.evaluatePart(operands[i + 1], node, scope, frame);
      if ((left.kind === 'tensor' || right.kind === 'tensor') && this.inForward) return this.tensorComparison(left, right);
      const r = compare(op, left, right) ?? unknown(node.text, 'the comparison cannot be evaluated statically', rangeOf(node));
      if (r.kind !== 'bool') return r;
      if (!r.value) return r;
      result = r;
      left = right;
    }
    return result;
  }

  protected binary(op: string, left: PyValue, right: PyValue, node: SyntaxNode): PyValue {
    if (left.kind === 'tensor' || right.kind === 'tensor' || (this.inForward && (left.kind === 'parameter' || right.kind === 'parameter'))) return this.tensorBinary(op, left, right, node);
    const r = (() => {
      try {
        return arithmetic(op, left, right);
      } catch (error) {
        if (error instanceof SequenceTooLong) {
          this.diagnose('error', 'pytorch.loop-too-long', `${error.message} exceeds the limit; not evaluated`, node);
          return undefined;
        }
        throw error;
      }
    })();
    return r ?? unknown(clip(node.text), `operator ${op} on ${describe(left)} and ${describe(right)} cannot be evaluated statically`, rangeOf(node));
  }

  protected subscript(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const container = this.evaluatePart(field(node, 'value'), node, scope, frame);
    const subs = node.childrenForFieldName('subscript').filter((s): s is SyntaxNode => s !== null);
    const keys = subs.map((s) => this.evaluate(s, scope, frame));
    const [onlyKey, ...moreKeys] = keys;
    const key: PyValue = onlyKey !== undefined && moreKeys.length === 0 ? onlyKey : { kind: 'tuple', items: keys };
    if (container.kind === 'unknown') return container;
    if (container.kind === 'tensor' || (this.inForward && container.kind === 'parameter')) return this.indexTensorValue(container, key, node);
    if (container.kind === 'dict') {
      if (key.kind === 'str') return container.entries.get(key.value) ?? unknown(node.text, `no key ${key.value}`, rangeOf(node));
      return unknown(node.text, 'the key is unresolved', rangeOf(node));
    }
    let items: readonly PyValue[] | undefined = asItems(container);
    if (container.kind === 'module') {
      if (this.isModuleDict(container.module) && key.kind === 'str') {
        const child = container.module.children.get(key.value);
        return child ? { kind: 'module', module: child } : unknown(node.text, `no module ${key.value}`, rangeOf(node));
      }
      const children = [...container.module.children.values()];
      if (key.kind === 'slice') {
        const sliced = sliceItems(children.map((c): PyValue => ({ kind: 'module', module: c })), key);
        if (!sliced) return unknown(node.text, 'the slice is unresolved', rangeOf(node));
        const copy = newModule(container.module.type, null, container.module.range);
        copy.path = container.module.path;
        sliced.forEach((v) => v.kind === 'module' && copy.children.set(String([...container.module.children.values()].indexOf(v.module)), v.module));
        return { kind: 'module', module: copy };
      }
      items = children.map((c) => ({ kind: 'module', module: c }));
    }
    if (container.kind === 'range') items = iterate(container);
    if (container.kind === 'str') return container;
    if (items === undefined) {
      if (container.kind === 'builtin' || container.kind === 'class') return container; // typing generics: List[int]
      return unknown(node.text, `cannot index ${describe(container)}`, rangeOf(node));
    }
    if (key.kind === 'slice') {
      const sliced = sliceItems(items, key);
      return sliced ? { kind: container.kind === 'tuple' ? 'tuple' : 'list', items: sliced } : unknown(node.text, 'the slice is unresolved', rangeOf(node));
    }
    const i = asNumber(key);
    if (i === undefined) return key.kind === 'unknown' ? key : unknown(node.text, 'the index is unresolved', rangeOf(node));
    const item = items[i < 0 ? i + items.length : i];
    return item ?? unknown(node.text, `index ${i} is out of range`, rangeOf(node));
  }

  protected lookupName(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const name = node.text;
    const v = scope.get(name);
    if (v !== undefined) return v;
    if (name === 'self' && frame.self) return frame.self;
    if (PYTHON_BUILTINS.has(name)) return { kind: 'builtin', name };
    const bound = this.bindings.get(name);
    if (bound !== undefined) return int(bound);
    return unknown(name, `\`${name}\` is not defined in this file; bind it`, rangeOf(node));
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  protected evaluateCall(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const fnNode = field(node, 'function');
    if (fnNode === null) return this.missingPart(node);
    const argsNode = field(node, 'arguments');
    // super() needs the enclosing method's class and self, which only the frame knows.
    if (fnNode.type === 'identifier' && fnNode.text === 'super') {
      return { kind: 'builtin', name: 'super', self: frame.self ?? (frame.fn ? scope.get('self') : undefined), owner: frame.fn?.ownerClass ?? undefined } as PyValue;
    }
    const callee = this.evaluate(fnNode, scope, frame);
    const args: PyValue[] = [];
    const kwargs = new Map<string, PyValue>();
    if (argsNode?.type === 'generator_expression') args.push(this.evaluate(argsNode, scope, frame));
    else if (argsNode) {
      for (const a of namedChildren(argsNode)) {
        if (a.type === 'keyword_argument') kwargs.set(field(a, 'name')?.text ?? '', this.evaluatePart(field(a, 'value'), a, scope, frame));
        else if (a.type === 'list_splat') {
          const v = this.evaluatePart(namedChildren(a)[0], a, scope, frame);
          const items = this.iterationItems(v, a);
          if (items) args.push(...items);
          else args.push(v);
        } else if (a.type === 'dictionary_splat') {
          const v = this.evaluatePart(namedChildren(a)[0], a, scope, frame);
          if (v.kind === 'dict') for (const [k, x] of v.entries) kwargs.set(k, x);
        } else args.push(this.evaluate(a, scope, frame));
      }
    }
    this.noteCallSite(node);
    return this.call(callee, args, kwargs, node);
  }

  call(callee: PyValue, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    this.tick();
    switch (callee.kind) {
      case 'function':
        return this.callFunction(callee.fn, args, kwargs, callee.self, node);
      case 'partial': {
        const merged = new Map(callee.kwargs);
        for (const [k, v] of kwargs) merged.set(k, v);
        return this.call(callee.target, [...callee.args, ...args], merged, node);
      }
      case 'class':
        return this.instantiate(callee.cls, args, kwargs, node);
      case 'module':
        return this.callModule(callee.module, args, kwargs, node);
      case 'builtin': {
        const result = this.callBuiltin(callee, args, kwargs, node);
        return result.kind === 'unknown' && isForeign(callee) ? this.unevaluated(result.why) : result;
      }
      case 'unknown':
        return this.unevaluated(callee.why);
      default:
        return unknown(clip(node.text), `${describe(callee)} is not callable`, rangeOf(node));
    }
  }

  callFunction(fn: FunctionInfo, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>, self: PyValue | undefined, site?: SyntaxNode): PyValue {
    if (this.depth >= LIMITS.depth) {
      this.diagnose('error', 'pytorch.recursion-limit', `calls nest deeper than ${LIMITS.depth} (recursion?) at \`${fn.qualifiedName}\`; evaluation of this call stops`, site ?? fn.node);
      return unknown(fn.qualifiedName, 'recursion limit reached', site ? rangeOf(site) : rangeOf(fn.node));
    }
    this.depth++;
    try {
      const scope = new Scope(fn.closure);
      const positional = self !== undefined ? [self, ...args] : [...args];
      this.bindParameters(fn, positional, kwargs, scope);
      const bodyNode = field(fn.node, 'body');
      if (fn.node.type === 'lambda') return bodyNode ? this.evaluate(bodyNode, scope, { fn, self }) : NONE;
      const done = this.execBlock(this.body(bodyNode), scope, { fn, self });
      return done.kind === 'return' ? done.value : NONE;
    } catch (error) {
      // An exception no try/except around can catch: the call's result is unknown, and that is said.
      if (!(error instanceof PythonRaise) || this.tryDepth > 0) throw error;
      const why = { name: fn.qualifiedName, reason: `\`${fn.qualifiedName}\` raises \`${error.exception}\` on the path the static evaluation took (\`${error.detail}\`)`, range: error.range };
      this.diagnose('error', 'pytorch.raises', why.reason, error.range);
      this.noteUnresolved(why);
      return this.unevaluated(why);
    } finally {
      this.depth--;
    }
  }

  protected bindParameters(fn: FunctionInfo, positional: PyValue[], kwargs: ReadonlyMap<string, PyValue>, scope: Scope): void {
    const params = field(fn.node, 'parameters');
    const used = new Set<string>();
    let index = 0;
    let keywordOnly = false;
    for (const declared of params ? namedChildren(params) : []) {
      // `*args: Any` / `**kwargs: Any` are typed parameters around the splat pattern.
      const inner = declared.type === 'typed_parameter' ? namedChildren(declared)[0] : undefined;
      const p = inner && (inner.type === 'list_splat_pattern' || inner.type === 'dictionary_splat_pattern') ? inner : declared;
      if (p.type === 'list_splat_pattern') {
        const name = namedChildren(p)[0]?.text ?? 'args';
        scope.set(name, { kind: 'tuple', items: positional.slice(index) });
        index = positional.length;
        keywordOnly = true;
        continue;
      }
      if (p.type === 'dictionary_splat_pattern') {
        const name = namedChildren(p)[0]?.text ?? 'kwargs';
        const rest = new Map<string, PyValue>();
        for (const [k, v] of kwargs) if (!used.has(k)) rest.set(k, v);
        scope.set(name, { kind: 'dict', entries: rest });
        continue;
      }
      if (p.type === 'keyword_separator') {
        keywordOnly = true;
        continue;
      }
      if (p.type === 'positional_separator') continue;
      const nameNode = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? namedChildren(p)[0] : field(p, 'name');
      const name = nameNode?.text;
      if (name === undefined) continue;
      const defaultNode = field(p, 'value');
      let value: PyValue | undefined;
      if (!keywordOnly && index < positional.length) value = positional[index++];
      else if (kwargs.has(name)) value = kwargs.get(name);
      else if (defaultNode && p.type !== 'typed_parameter' && p.type !== 'identifier') value = this.evaluate(defaultNode, fn.closure, { fn: null, self: undefined });
      used.add(name);
      if (value === undefined) {
        const owner = fn.ownerClass ? fn.ownerClass.name : fn.name;
        const bound = this.bindings.get(`${owner}.${name}`) ?? this.bindings.get(`${fn.qualifiedName}.${name}`) ?? this.bindings.get(name);
        value = bound !== undefined ? int(bound) : unknown(name, `\`${name}\` is a parameter of \`${fn.qualifiedName}\` with no value here; bind it or open the caller`, rangeOf(p));
      }
      scope.set(name, value);
    }
  }

  protected containerMethod(callee: Extract<PyValue, { kind: 'builtin' }>, args: PyValue[], _kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    const self = callee.self;
    const method = callee.name.split('.').pop() ?? '';
    if (self?.kind === 'list' && SET_METHODS.has(method)) return setMethod(self, method, args, (v) => this.iterationItems(v, node));
    if (self?.kind === 'list') {
      if (method === 'append' && args[0]) {
        if (self.items.length >= LIMITS.loopIterations) this.diagnose('error', 'pytorch.loop-too-long', 'list grows beyond the limit', node);
        else self.items.push(args[0]);
      } else if (method === 'extend' && args[0]) self.items.push(...(this.iterationItems(args[0], node) ?? []));
      else if (method === 'insert' && args[1]) self.items.splice(asNumber(args[0]) ?? 0, 0, args[1]);
      else if (method === 'pop') return self.items.pop() ?? NONE;
      else if (method === 'copy') return { kind: 'list', items: [...self.items] };
      return NONE;
    }
    if (self?.kind === 'dict') {
      if (method === 'items') return { kind: 'list', items: [...self.entries].map(([k, v]) => ({ kind: 'tuple', items: [{ kind: 'str', value: k }, v] })) };
      if (method === 'keys') return { kind: 'list', items: [...self.entries.keys()].map((k) => ({ kind: 'str', value: k })) };
      if (method === 'values') return { kind: 'list', items: [...self.entries.values()] };
      if (method === 'get' && args[0]?.kind === 'str') return self.entries.get(args[0].value) ?? args[1] ?? NONE;
      if (method === 'pop' && args[0]?.kind === 'str') {
        const v = self.entries.get(args[0].value) ?? args[1] ?? NONE;
        self.entries.delete(args[0].value);
        return v;
      }
      if (method === 'update' && args[0]?.kind === 'dict') for (const [k, v] of args[0].entries) self.entries.set(k, v);
      return NONE;
    }
    if (self?.kind === 'str') {
      if (method === 'format' || method === 'lower' || method === 'upper' || method === 'strip') return self;
      if (method === 'startswith' || method === 'endswith') return { kind: 'bool', value: args[0]?.kind === 'str' && (method === 'startswith' ? self.value.startsWith(args[0].value) : self.value.endsWith(args[0].value)) };
    }
    return unknown(clip(node.text), `\`.${method}()\` cannot be evaluated statically`, rangeOf(node));
  }


  // ---------------------------------------------------------------------------------------------
  // What the object model and the torch bridge supply

  /** Defines a function or class at `node` in `scope` (object-model.ts). */
  protected abstract define(node: SyntaxNode, scope: Scope): unknown;
  /** `del obj.name` (a module's child, parameter or attribute). */
  protected abstract deleteAttribute(target: PyValue, name: string): void;
  /** Whether a module is an nn.ModuleDict (or derives from one): it iterates and indexes by key. */
  protected abstract isModuleDict(m: ModuleObject): boolean;
  /** `obj.name = value` (nn.Module registration lives in object-model.ts); `source`: the expression assigned. */
  protected abstract setAttribute(target: PyValue, name: string, value: PyValue, source?: SyntaxNode): void;
  abstract getAttribute(object: PyValue, name: string, node: SyntaxNode): PyValue;
  abstract instantiate(cls: ClassInfo, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue;
  abstract callModule(m: ModuleObject, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode | null): PyValue;
  protected abstract callBuiltin(callee: Extract<PyValue, { kind: 'builtin' }>, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue;
  /** Whether forward() is being evaluated: tensors are IR values then. */
  protected abstract get inForward(): boolean;
  /** A call inside forward() at `node`: later ops are attributed to it. */
  protected abstract noteCallSite(node: SyntaxNode): void;
  /** `op` with a tensor operand (inside forward(): an IR op; throws ForwardError when not modelled). */
  protected abstract tensorBinary(op: string, left: PyValue, right: PyValue, node: SyntaxNode): PyValue;
  /** A comparison with a tensor operand inside forward(). */
  protected abstract tensorComparison(left: PyValue, right: PyValue): PyValue;
  /** `tensor[key]` inside forward(); throws ForwardError when not modelled. */
  protected abstract indexTensorValue(container: PyValue, key: PyValue, node: SyntaxNode): PyValue;
}

/** Callees whose calls as statements change nothing that is built: the standard library, torch, methods of known kinds. */
const UNDERSTOOD_CALLEES = /^(torch|math|typing|typing_extensions|warnings|logging|collections|functools|itertools|dataclasses|operator|numbers|copy|enum|abc|inspect|types|builtins|os|sys|re|module|list|dict|str|tensor|object|set|tuple)(\.|$)/;

/** A callee from code Ridgepoint does not know: undefined, an unresolved import, a module not read. */
function isForeign(callee: PyValue): callee is Extract<PyValue, { kind: 'unknown' | 'builtin' }> {
  return callee.kind === 'unknown' || (callee.kind === 'builtin' && !UNDERSTOOD_CALLEES.test(callee.name) && !PYTHON_BUILTINS.has(callee.name));
}

/**
 * `self.qkv.bias[n:2 * n].data.zero_()`, `m.weight.normal_(0, 0.02)`: PyTorch's in-place tensor methods
 * (a trailing underscore) write values, never shapes or module structure, so an initialisation statement
 * Ridgepoint cannot evaluate changes nothing it counts. The three that do resize are not among them.
 */
function isShapeKeepingInPlace(callee: SyntaxNode | null): boolean {
  if (callee?.type !== 'attribute') return false;
  const method = field(callee, 'attribute')?.text ?? '';
  return /^[a-z][a-z0-9_]*[a-z0-9]_$/.test(method) && !['resize_', 'resize_as_', 'set_'].includes(method);
}

export function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
}

function sliceItems(items: readonly PyValue[], key: Extract<PyValue, { kind: 'slice' }>): PyValue[] | undefined {
  const n = items.length;
  const get = (v: PyValue, fallback: number): number | undefined => (v.kind === 'none' ? fallback : asNumber(v));
  const step = get(key.step, 1);
  if (step === undefined || step === 0) return undefined;
  const norm = (i: number): number => Math.min(Math.max(i < 0 ? i + n : i, step > 0 ? 0 : -1), step > 0 ? n : n - 1);
  const start = get(key.start, step > 0 ? 0 : n - 1);
  const stop = get(key.stop, step > 0 ? n : -n - 1);
  if (start === undefined || stop === undefined) return undefined;
  const out: PyValue[] = [];
  // norm() clamps to [0, n) for the indices the loop reads.
  for (let i = norm(start); step > 0 ? i < norm(stop) : i > norm(stop); i += step) out.push(at(items, i, 'sliced items'));
  return out;
}


/** Methods of `set` (sets are lists of distinct items here): what model code asks of layer names. */
const SET_METHODS = new Set(['issubset', 'issuperset', 'union', 'intersection', 'difference', 'isdisjoint', 'add', 'discard']);

function setMethod(self: Extract<PyValue, { kind: 'list' }>, method: string, args: readonly PyValue[], items: (v: PyValue) => PyValue[] | undefined): PyValue {
  const key = (v: PyValue): string => describe(v);
  const mine = new Set(self.items.map(key));
  if (method === 'add' || method === 'discard') {
    const item = args[0];
    const index = item === undefined ? -1 : self.items.findIndex((v) => key(v) === key(item));
    if (method === 'add' && item !== undefined && index < 0) self.items.push(item);
    if (method === 'discard' && index >= 0) self.items.splice(index, 1);
    return NONE;
  }
  const others = args.map(items);
  const other = others[0];
  if (other === undefined && method !== 'union') return unknown(method, `\`set.${method}\` of an unresolved sequence`, null);
  const theirs = new Set((other ?? []).map(key));
  switch (method) {
    case 'issubset':
      return { kind: 'bool', value: [...mine].every((k) => theirs.has(k)) };
    case 'issuperset':
      return { kind: 'bool', value: [...theirs].every((k) => mine.has(k)) };
    case 'isdisjoint':
      return { kind: 'bool', value: [...mine].every((k) => !theirs.has(k)) };
    case 'union':
      return { kind: 'list', items: [...self.items, ...others.flatMap((o) => o ?? []).filter((v, i, all) => !mine.has(key(v)) && all.findIndex((w) => key(w) === key(v)) === i)] };
    case 'intersection':
      return { kind: 'list', items: self.items.filter((v) => theirs.has(key(v))) };
    default:
      return { kind: 'list', items: self.items.filter((v) => !theirs.has(key(v))) };
  }
}
