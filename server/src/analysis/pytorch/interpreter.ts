/**
 * The static evaluator: runs a model file's definitions without Python. Module-level statements build
 * the globals (imports, classes, functions, constants); calling a module class runs its `__init__`
 * with arguments bound, registering submodules and parameters as PyTorch does; calling a module inside
 * forward() emits IR ops (forward.ts drives it). Every loop, sequence and call depth is bounded: hostile
 * input ends in a diagnostic. Unknown values carry the reason they are unknown.
 */
import { DataType } from '../ir/dtype';
import { arithmetic, callPlainBuiltin, compare, iterate, MATH_CONSTANTS, mathFunction, PYTHON_BUILTINS, SequenceTooLong, truthy } from './builtins';
import { constructContainer, constructLayer, CONTAINERS, isKnownLayer, LAYER_SIGNATURES } from './layers';
import { SyntaxNode } from './parser';
import { field, namedChildren, rangeOf, stringValue, undecorate } from './syntax';
import { callTensorMethod, callTorchFunction, indexTensor, tensorArithmetic, TorchEnv } from './torch-functions';
import { EmitSite, ForwardError, TensorOps } from './tensor-ops';
import { PythonDiagnostic, SourceRange, UnresolvedName } from './types';
import { asDim, asItems, asNumber, ClassInfo, describe, firstUnknown, FunctionInfo, int, ModuleObject, newModule, NONE, Parameter, PyValue, Scope, TensorValue, unknown } from './values';
import { forwardLayer, LayerCall } from './layer-forward';

export const LIMITS = { steps: 2_000_000, depth: 48, loopIterations: 100_000, whileIterations: 10_000 };

/** The evaluation budget ran out: stops the whole evaluation (caught at the top, turned into a diagnostic). */
export class BudgetExceeded extends Error {}

type Completion = { kind: 'normal' } | { kind: 'return'; value: PyValue } | { kind: 'break' } | { kind: 'continue' };
const NORMAL: Completion = { kind: 'normal' };

interface Frame {
  readonly fn: FunctionInfo | null;
  readonly self: PyValue | undefined;
}

/** What forward() evaluation needs: the ops emitter and the module path being run. */
interface ForwardState {
  readonly ops: TensorOps;
  readonly scopes: string[];
  called: SourceRange | null;
  /** Parameters materialised as initializers, to un-materialise on rollback. */
  readonly materialised: Parameter[];
  readonly indexInputs: Set<string>;
}

/** Callees whose calls as statements change nothing that is built: the standard library, torch, methods of known kinds. */
const UNDERSTOOD_CALLEES = /^(torch|math|typing|typing_extensions|warnings|logging|collections|functools|itertools|dataclasses|operator|numbers|copy|enum|abc|inspect|types|builtins|os|sys|re|module|list|dict|str|tensor|object|set|tuple)(\.|$)/;

export class Interpreter {
  readonly globals = new Scope(null);
  readonly classes: ClassInfo[] = [];
  readonly functions: FunctionInfo[] = [];
  private steps = 0;
  private depth = 0;
  private forward: ForwardState | null = null;
  private stepLimit = LIMITS.steps;

  constructor(
    private readonly bindings: ReadonlyMap<string, number>,
    readonly diagnostics: PythonDiagnostic[],
    readonly unresolved: Map<string, UnresolvedName>,
  ) {}

  /** Gives the next phase (a standalone instantiation) a fresh step budget. */
  resetBudget(steps = LIMITS.steps): void {
    this.steps = 0;
    this.stepLimit = steps;
  }

  private tick(): void {
    if (++this.steps > this.stepLimit) throw new BudgetExceeded(`evaluation stopped after ${this.stepLimit} steps`);
  }

  diagnose(severity: PythonDiagnostic['severity'], code: string, message: string, node: SyntaxNode | SourceRange | null, modulePath?: string): void {
    const range = node === null ? null : 'start' in node && 'end' in node && !('type' in node) ? (node as SourceRange) : rangeOf(node as SyntaxNode);
    if (this.diagnostics.some((d) => d.code === code && d.message === message && d.range?.start.line === range?.start.line)) return;
    if (this.diagnostics.length < 500) this.diagnostics.push({ severity, code, message, range, ...(modulePath !== undefined ? { modulePath } : {}) });
  }

  noteUnresolved(why: UnresolvedName): void {
    const key = `${why.name}@${why.range?.start.line ?? -1}:${why.range?.start.character ?? -1}`;
    if (!this.unresolved.has(key)) this.unresolved.set(key, why);
  }

  // ---------------------------------------------------------------------------------------------
  // Module level

  loadModule(root: SyntaxNode): void {
    this.execBlock(namedChildren(root), this.globals, { fn: null, self: undefined }, true);
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  private execBlock(statements: readonly SyntaxNode[], scope: Scope, frame: Frame, moduleLevel = false): Completion {
    for (const statement of statements) {
      const done = this.execStatement(statement, scope, frame, moduleLevel);
      if (done.kind !== 'normal') return done;
    }
    return NORMAL;
  }

  /**
   * `helper(kwargs, "groups", 32)` as a statement: run for its effects. A callee that is not understood
   * (undefined, or from a module not read) may change what is built, so it is reported, not skipped.
   */
  private callForEffect(node: SyntaxNode, scope: Scope, frame: Frame): void {
    const calleeNode = field(node, 'function');
    const callee = calleeNode ? this.evaluate(calleeNode, scope, frame) : NONE;
    const result = this.evaluate(node, scope, frame);
    const foreign = callee.kind === 'unknown' || (callee.kind === 'builtin' && !UNDERSTOOD_CALLEES.test(callee.name) && !PYTHON_BUILTINS.has(callee.name));
    if (foreign && result.kind === 'unknown') {
      const why = callee.kind === 'unknown' ? callee.why.reason : `\`${callee.name}\` is not read`;
      this.diagnose('warning', 'pytorch.unevaluated-call', `\`${clip(node.text)}\` was not evaluated (${why}): whatever it changes is missing`, node);
    }
  }

  private body(node: SyntaxNode | null): SyntaxNode[] {
    return node === null ? [] : namedChildren(node);
  }

  private execStatement(node: SyntaxNode, scope: Scope, frame: Frame, moduleLevel: boolean): Completion {
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
        // The happy path: `try: import x except ImportError: …` and guarded code alike.
        return this.execBlock(this.body(field(node, 'body')), scope, frame, moduleLevel);
      case 'raise_statement':
        // The real code would stop here: a condition before it was misjudged, and what follows is not built.
        if (!moduleLevel) this.diagnose('error', 'pytorch.raise-reached', `evaluation reached \`${clip(node.text)}\`: a condition before it was not understood, and nothing after it is built`, node);
        return { kind: 'return', value: unknown('raise', 'the code raises an exception here', rangeOf(node)) };
      case 'ERROR':
        return NORMAL;
      default:
        // pass, assert, global, nonlocal, del, print: nothing that changes sizes.
        return NORMAL;
    }
  }

  private execIf(node: SyntaxNode, scope: Scope, frame: Frame, moduleLevel: boolean): Completion {
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

  private iterationItems(value: PyValue, site: SyntaxNode): PyValue[] | undefined {
    if (value.kind === 'module') {
      const m = value.module;
      if (m.type === 'ModuleDict') return [...m.children.keys()].map((k) => ({ kind: 'str', value: k }));
      return [...m.children.values()].map((c) => ({ kind: 'module', module: c }));
    }
    if (value.kind === 'tensor' && this.forward) {
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

  private execFor(node: SyntaxNode, scope: Scope, frame: Frame): Completion {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (left === null || right === null) return NORMAL;
    const iterable = this.evaluate(right, scope, frame);
    const items = this.iterationItems(iterable, right);
    if (items === undefined) {
      const why = iterable.kind === 'unknown' ? iterable.why : { name: right.text, reason: `cannot iterate over ${describe(iterable)} statically`, range: rangeOf(right) };
      this.noteUnresolved(why);
      if (this.forward) throw new ForwardError(`loop over \`${clip(right.text)}\` cannot be followed: ${why.reason}`, rangeOf(right));
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

  private execWhile(node: SyntaxNode, scope: Scope, frame: Frame): Completion {
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

  private assign(node: SyntaxNode, scope: Scope, frame: Frame): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (left === null) return;
    if (right === null) return; // a bare annotation `x: int`
    const value = right.type === 'assignment' ? this.chained(right, scope, frame) : this.evaluate(right, scope, frame);
    this.bindTarget(left, value, scope, frame);
  }

  private chained(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const right = field(node, 'right');
    const left = field(node, 'left');
    const value = right === null ? NONE : right.type === 'assignment' ? this.chained(right, scope, frame) : this.evaluate(right, scope, frame);
    if (left) this.bindTarget(left, value, scope, frame);
    return value;
  }

  private augmentedAssign(node: SyntaxNode, scope: Scope, frame: Frame): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    const op = field(node, 'operator')?.type.replace('=', '') ?? '+';
    if (left === null || right === null) return;
    const current = this.evaluate(left, scope, frame);
    const value = this.binary(op, current, this.evaluate(right, scope, frame), node);
    this.bindTarget(left, value, scope, frame);
  }

  private bindTarget(target: SyntaxNode, value: PyValue, scope: Scope, frame: Frame): void {
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
        this.setAttribute(this.evaluate(object, scope, frame), attr, value);
        return;
      }
      case 'subscript': {
        const container = this.evaluate(field(target, 'value') as SyntaxNode, scope, frame);
        const key = this.evaluate(field(target, 'subscript') as SyntaxNode, scope, frame);
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

  /** `self.x = value`: registers a submodule or parameter the way nn.Module.__setattr__ does. */
  private setAttribute(target: PyValue, name: string, value: PyValue): void {
    if (target.kind === 'module') {
      const m = target.module;
      if (value.kind === 'module') {
        m.parameters.delete(name);
        m.attributes.delete(name);
        m.children.set(name, value.module);
      } else if (value.kind === 'parameter') {
        m.children.delete(name);
        m.attributes.delete(name);
        m.parameters.set(name, value.parameter);
      } else if (m.children.has(name) && value.kind === 'none') {
        m.children.delete(name);
        m.attributes.set(name, value);
      } else if (m.parameters.has(name) && value.kind === 'none') {
        m.parameters.delete(name);
        m.attributes.set(name, value);
      } else m.attributes.set(name, value);
    } else if (target.kind === 'object') target.attributes.set(name, value);
  }

  // ---------------------------------------------------------------------------------------------
  // Definitions and imports

  private define(node: SyntaxNode, scope: Scope, ownerClass: ClassInfo | null = null): { name: string; value: PyValue; decorators: string[] } | null {
    const { decorators, definition } = undecorate(node);
    if (definition === null) return null;
    const name = field(definition, 'name')?.text;
    if (name === undefined) return null;
    const decoratorNames = decorators.map((d) => namedChildren(d)[0]?.text ?? '');
    if (definition.type === 'function_definition') {
      const fn: FunctionInfo = { name, qualifiedName: ownerClass ? `${ownerClass.name}.${name}` : name, node: definition, closure: scope, ownerClass };
      const value: PyValue = { kind: 'function', fn };
      if (ownerClass === null) {
        scope.set(name, value);
        if (scope === this.globals) this.functions.push(fn);
      }
      return { name, value, decorators: decoratorNames };
    }
    if (definition.type === 'class_definition') {
      const cls = this.defineClass(definition, name, decoratorNames, scope);
      scope.set(name, { kind: 'class', cls });
      this.classes.push(cls);
      return { name, value: { kind: 'class', cls }, decorators: decoratorNames };
    }
    return null;
  }

  private defineClass(node: SyntaxNode, name: string, decorators: string[], scope: Scope): ClassInfo {
    const supers = field(node, 'superclasses');
    const frame: Frame = { fn: null, self: undefined };
    const bases = supers ? namedChildren(supers).filter((c) => c.type !== 'keyword_argument').map((c) => this.evaluate(c, scope, frame)) : [];
    const cls: ClassInfo = { name, node, bases, methods: new Map(), attributes: new Map(), fields: [], isDataclass: decorators.some((d) => /(^|\.)dataclass\b/.test(d)), decorators: new Map() };
    const classScope = new Scope(scope);
    for (const statement of this.body(field(node, 'body'))) {
      this.tick();
      if (statement.type === 'function_definition' || statement.type === 'decorated_definition') {
        const def = this.define(statement, scope, cls);
        if (def && def.value.kind === 'function') {
          cls.methods.set(def.name, def.value.fn);
          const kind = def.decorators.find((d) => d === 'property' || d === 'staticmethod' || d === 'classmethod');
          if (kind) cls.decorators.set(def.name, kind);
        }
      } else if (statement.type === 'expression_statement') {
        const assignment = namedChildren(statement)[0];
        if (assignment?.type !== 'assignment') continue;
        const left = field(assignment, 'left');
        const right = field(assignment, 'right');
        if (left?.type !== 'identifier') continue;
        if (field(assignment, 'type') !== null && cls.isDataclass) cls.fields.push(left.text);
        if (right === null) continue;
        let value = this.evaluate(right, classScope, frame);
        // dataclasses.field(default=…) / field(default_factory=…)
        if (value.kind === 'builtin' && value.name === 'dataclasses.field:value' && value.self) value = value.self;
        classScope.set(left.text, value);
        cls.attributes.set(left.text, value);
      } else if (statement.type === 'class_definition') {
        this.define(statement, classScope);
      }
    }
    return cls;
  }

  private importNames(node: SyntaxNode, scope: Scope): void {
    if (node.type === 'import_statement') {
      for (const item of namedChildren(node)) {
        if (item.type === 'aliased_import') {
          const dotted = field(item, 'name')?.text ?? '';
          const alias = field(item, 'alias')?.text ?? dotted;
          scope.set(alias, { kind: 'builtin', name: dotted });
        } else {
          const dotted = item.text;
          const first = dotted.split('.')[0] ?? dotted;
          scope.set(first, { kind: 'builtin', name: first });
        }
      }
      return;
    }
    const moduleName = field(node, 'module_name')?.text ?? '';
    for (const item of node.childrenForFieldName('name')) {
      if (item === null) continue;
      if (item.type === 'aliased_import') {
        const name = field(item, 'name')?.text ?? '';
        scope.set(field(item, 'alias')?.text ?? name, { kind: 'builtin', name: `${moduleName}.${name}` });
      } else scope.set(item.text, { kind: 'builtin', name: `${moduleName}.${item.text}` });
    }
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
            const key = this.evaluate(field(pair, 'key') as SyntaxNode, scope, frame);
            const value = this.evaluate(field(pair, 'value') as SyntaxNode, scope, frame);
            entries.set(key.kind === 'str' ? key.value : describe(key), value);
          } else if (pair.type === 'dictionary_splat') {
            const inner = this.evaluate(namedChildren(pair)[0] as SyntaxNode, scope, frame);
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
        const object = this.evaluate(field(node, 'object') as SyntaxNode, scope, frame);
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
        return { kind: 'slice', start: parts[0] as PyValue, stop: parts[1] as PyValue, step: parts[2] as PyValue };
      }
      case 'call':
        return this.evaluateCall(node, scope, frame);
      case 'binary_operator': {
        const left = this.evaluate(field(node, 'left') as SyntaxNode, scope, frame);
        const right = this.evaluate(field(node, 'right') as SyntaxNode, scope, frame);
        return this.binary(field(node, 'operator')?.type ?? '', left, right, node);
      }
      case 'unary_operator': {
        const v = this.evaluate(field(node, 'argument') as SyntaxNode, scope, frame);
        const op = field(node, 'operator')?.type;
        if (op === '-') {
          if (v.kind === 'tensor' && this.forward) return this.binary('*', v, int(-1), node);
          return arithmetic('-', int(0), v) ?? unknown(node.text, 'cannot negate this value', rangeOf(node));
        }
        return v;
      }
      case 'not_operator': {
        const t = truthy(this.evaluate(field(node, 'argument') as SyntaxNode, scope, frame));
        return t === undefined ? unknown(node.text, 'the operand is unresolved', rangeOf(node)) : { kind: 'bool', value: !t };
      }
      case 'boolean_operator': {
        const left = this.evaluate(field(node, 'left') as SyntaxNode, scope, frame);
        const t = truthy(left);
        const op = field(node, 'operator')?.type;
        if (t === undefined) return left;
        if ((op === 'and' && !t) || (op === 'or' && t)) return left;
        return this.evaluate(field(node, 'right') as SyntaxNode, scope, frame);
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
        return this.evaluate(namedChildren(node).at(-1) as SyntaxNode, scope, frame);
      case 'await':
      case 'named_expression':
        return this.evaluate(namedChildren(node).at(-1) as SyntaxNode, scope, frame);
      default:
        return unknown(clip(node.text), `\`${node.type}\` expressions are not evaluated`, rangeOf(node));
    }
  }

  /** f-strings (`f"encoder_layer_{i}"` names layers): interpolations of known values are formatted. */
  private formatString(node: SyntaxNode, scope: Scope, frame: Frame): string {
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

  private evaluateItems(nodes: readonly SyntaxNode[], scope: Scope, frame: Frame): PyValue[] {
    const out: PyValue[] = [];
    for (const n of nodes) {
      if (n.type === 'list_splat') {
        const inner = this.evaluate(namedChildren(n)[0] as SyntaxNode, scope, frame);
        out.push(...(this.iterationItems(inner, n) ?? [inner]));
      } else out.push(this.evaluate(n, scope, frame));
    }
    return out;
  }

  private comprehension(node: SyntaxNode, scope: Scope, frame: Frame): PyValue[] {
    const bodyNode = field(node, 'body');
    const clauses = namedChildren(node).filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const out: PyValue[] = [];
    const inner = new Scope(scope);
    const run = (i: number): void => {
      if (out.length > LIMITS.loopIterations) throw new SequenceTooLong('a comprehension');
      const clause = clauses[i];
      if (clause === undefined) {
        if (bodyNode?.type === 'pair') out.push({ kind: 'tuple', items: [this.evaluate(field(bodyNode, 'key') as SyntaxNode, inner, frame), this.evaluate(field(bodyNode, 'value') as SyntaxNode, inner, frame)] });
        else if (bodyNode) out.push(this.evaluate(bodyNode, inner, frame));
        return;
      }
      if (clause.type === 'if_clause') {
        if (truthy(this.evaluate(namedChildren(clause)[0] as SyntaxNode, inner, frame)) !== false) run(i + 1);
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

  private dictComprehension(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const entries = new Map<string, PyValue>();
    for (const pair of this.comprehension(node, scope, frame)) {
      const [key, value] = asItems(pair) ?? [];
      if (key && value) entries.set(key.kind === 'str' ? key.value : describe(key), value);
    }
    return { kind: 'dict', entries };
  }

  private comparison(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const operands: SyntaxNode[] = [];
    const operators: string[] = [];
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i);
      if (c === null) continue;
      if (c.isNamed && c.type !== 'comment') operands.push(c);
      else operators.push(c.type);
    }
    let left = this.evaluate(operands[0] as SyntaxNode, scope, frame);
    let result: PyValue = { kind: 'bool', value: true };
    for (let i = 0; i < operators.length; i++) {
      const right = this.evaluate(operands[i + 1] as SyntaxNode, scope, frame);
      const op = operators[i] as string;
      if ((left.kind === 'tensor' || right.kind === 'tensor') && this.forward) {
        const t = left.kind === 'tensor' ? left.tensor : (right as { tensor: TensorValue }).tensor;
        return { kind: 'tensor', tensor: { ...t, dtype: DataType.BOOL } };
      }
      const r = compare(op, left, right) ?? unknown(node.text, 'the comparison cannot be evaluated statically', rangeOf(node));
      if (r.kind !== 'bool') return r;
      if (!r.value) return r;
      result = r;
      left = right;
    }
    return result;
  }

  private binary(op: string, left: PyValue, right: PyValue, node: SyntaxNode): PyValue {
    if (this.forward && (left.kind === 'tensor' || right.kind === 'tensor' || left.kind === 'parameter' || right.kind === 'parameter')) {
      const env = this.torchEnv();
      const r = tensorArithmetic(env, op, left, right);
      if (r) return r;
      throw new ForwardError(`\`${clip(node.text)}\`: operator ${op} on ${describe(left)} and ${describe(right)} is not modelled`, rangeOf(node));
    }
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

  private subscript(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const container = this.evaluate(field(node, 'value') as SyntaxNode, scope, frame);
    const subs = node.childrenForFieldName('subscript').filter((s): s is SyntaxNode => s !== null);
    const keys = subs.map((s) => this.evaluate(s, scope, frame));
    const key: PyValue = keys.length === 1 ? (keys[0] as PyValue) : { kind: 'tuple', items: keys };
    if (container.kind === 'unknown') return container;
    if (this.forward && (container.kind === 'tensor' || container.kind === 'parameter')) {
      const env = this.torchEnv(node);
      const t = env.toTensor(container) as TensorValue;
      const r = indexTensor(env, t, key);
      if (r) return r;
      throw new ForwardError(`indexing \`${clip(node.text)}\` is not modelled`, rangeOf(node));
    }
    if (container.kind === 'dict') {
      if (key.kind === 'str') return container.entries.get(key.value) ?? unknown(node.text, `no key ${key.value}`, rangeOf(node));
      return unknown(node.text, 'the key is unresolved', rangeOf(node));
    }
    let items: readonly PyValue[] | undefined = asItems(container);
    if (container.kind === 'module') {
      if (container.module.type === 'ModuleDict' && key.kind === 'str') {
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
    if (container.kind === 'tensor' && !this.forward) {
      return unknown(node.text, 'tensor indexing outside forward()', rangeOf(node));
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

  private lookupName(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
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
  // Attributes

  private lookupClass(cls: ClassInfo, name: string, depth = 0): { fn?: FunctionInfo; value?: PyValue; owner: ClassInfo } | undefined {
    if (depth > 32) return undefined;
    const fn = cls.methods.get(name);
    if (fn) return { fn, owner: cls };
    const value = cls.attributes.get(name);
    if (value !== undefined) return { value, owner: cls };
    for (const base of cls.bases) if (base.kind === 'class') {
      const found = this.lookupClass(base.cls, name, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /** The torch.nn base a user class extends (`torch.nn.Module`, `torch.nn.Sequential`…), if any. */
  torchBase(cls: ClassInfo, depth = 0): string | undefined {
    if (depth > 32) return undefined;
    for (const base of cls.bases) {
      if (base.kind === 'builtin' && isTorchNn(base.name)) return canonicalTorch(base.name);
      if (base.kind === 'class') {
        const inner = this.torchBase(base.cls, depth + 1);
        if (inner) return inner;
      }
    }
    return undefined;
  }

  isModuleClass(cls: ClassInfo): boolean {
    return this.torchBase(cls) !== undefined;
  }

  private bindMethod(found: { fn?: FunctionInfo; value?: PyValue; owner: ClassInfo }, self: PyValue, name: string): PyValue {
    if (found.value !== undefined) return found.value;
    const fn = found.fn as FunctionInfo;
    const kind = found.owner.decorators.get(name);
    if (kind === 'staticmethod') return { kind: 'function', fn };
    if (kind === 'classmethod') return { kind: 'function', fn, self: { kind: 'class', cls: found.owner } };
    if (kind === 'property') return this.callFunction(fn, [], new Map(), self);
    return { kind: 'function', fn, self };
  }

  getAttribute(object: PyValue, name: string, node: SyntaxNode): PyValue {
    switch (object.kind) {
      case 'module': {
        const m = object.module;
        const child = m.children.get(name);
        if (child) return { kind: 'module', module: child };
        const p = m.parameters.get(name);
        if (p) return { kind: 'parameter', parameter: p };
        const a = m.attributes.get(name);
        if (a !== undefined) return a;
        if (m.userClass) {
          const found = this.lookupClass(m.userClass, name);
          if (found) return this.bindMethod(found, object, name);
        }
        const c = m.config.get(name);
        if (c !== undefined) return c;
        if (name === 'training') return { kind: 'bool', value: false };
        return { kind: 'builtin', name: `module.${name}`, self: object };
      }
      case 'object': {
        const a = object.attributes.get(name);
        if (a !== undefined) return a;
        const found = this.lookupClass(object.cls, name);
        if (found) return this.bindMethod(found, object, name);
        return unknown(`${object.cls.name}.${name}`, `\`${object.cls.name}\` has no attribute \`${name}\``, rangeOf(node));
      }
      case 'class': {
        const found = this.lookupClass(object.cls, name);
        if (found?.value !== undefined) return found.value;
        if (found?.fn) return found.owner.decorators.get(name) === 'classmethod' ? { kind: 'function', fn: found.fn, self: object } : { kind: 'function', fn: found.fn };
        const base = this.torchBase(object.cls);
        if (base && name === '__init__') return { kind: 'builtin', name: `${base}.__init__` };
        return unknown(`${object.cls.name}.${name}`, `class \`${object.cls.name}\` has no attribute \`${name}\``, rangeOf(node));
      }
      case 'builtin': {
        if (object.name === 'super') return this.superAttribute(object, name, node);
        if (object.name === 'math' && MATH_CONSTANTS.has(name)) return { kind: 'float', value: MATH_CONSTANTS.get(name) as number };
        if (object.name === 'torch' && DTYPES.has(name)) return { kind: 'dtype', dtype: DTYPES.get(name) as DataType };
        if (object.name === 'dataclasses.field:value') return unknown(name, 'dataclass field', rangeOf(node));
        return { kind: 'builtin', name: `${object.name}.${name}` };
      }
      case 'tensor':
        if (name === 'shape') return { kind: 'tuple', items: object.tensor.shape.map((d) => int(d)) };
        if (name === 'ndim') return int(object.tensor.shape.length);
        if (name === 'dtype') return { kind: 'dtype', dtype: object.tensor.dtype };
        if (name === 'device' || name === 'is_cuda') return { kind: 'str', value: 'cpu' };
        if (name === 'T') return { kind: 'builtin', name: 'tensor.T', self: object };
        return { kind: 'builtin', name: `tensor.${name}`, self: object };
      case 'parameter': {
        const shape = object.parameter.shape;
        if (name === 'shape' && shape) return { kind: 'tuple', items: shape.map((d) => int(d)) };
        if (name === 'dtype') return { kind: 'dtype', dtype: DataType.FLOAT };
        if (name === 'device') return { kind: 'str', value: 'cpu' };
        return { kind: 'builtin', name: `tensor.${name}`, self: object };
      }
      case 'dict':
      case 'list':
      case 'str':
        return { kind: 'builtin', name: `${object.kind}.${name}`, self: object };
      case 'unknown':
        return object;
      default:
        return unknown(`${describe(object)}.${name}`, `cannot read \`${name}\` of ${describe(object)}`, rangeOf(node));
    }
  }

  /** `super().__init__(...)`: the next class after the method's owner; torch.nn bases do what nn.Module does. */
  private superAttribute(proxy: Extract<PyValue, { kind: 'builtin' }>, name: string, node: SyntaxNode): PyValue {
    const self = proxy.self;
    const owner = proxy.owner;
    if (!self || !owner) return unknown('super', 'super() outside a method', rangeOf(node));
    for (const base of owner.bases) {
      if (base.kind === 'class') {
        const found = this.lookupClass(base.cls, name);
        if (found) return this.bindMethod(found, self, name);
        const torch = this.torchBase(base.cls);
        if (torch) return { kind: 'builtin', name: `${torch}.${name}`, self };
      }
      if (base.kind === 'builtin' && isTorchNn(base.name)) return { kind: 'builtin', name: `${canonicalTorch(base.name)}.${name}`, self };
    }
    return { kind: 'builtin', name: `object.${name}`, self };
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  private evaluateCall(node: SyntaxNode, scope: Scope, frame: Frame): PyValue {
    const fnNode = field(node, 'function') as SyntaxNode;
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
        if (a.type === 'keyword_argument') kwargs.set(field(a, 'name')?.text ?? '', this.evaluate(field(a, 'value') as SyntaxNode, scope, frame));
        else if (a.type === 'list_splat') {
          const v = this.evaluate(namedChildren(a)[0] as SyntaxNode, scope, frame);
          const items = this.iterationItems(v, a);
          if (items) args.push(...items);
          else args.push(v);
        } else if (a.type === 'dictionary_splat') {
          const v = this.evaluate(namedChildren(a)[0] as SyntaxNode, scope, frame);
          if (v.kind === 'dict') for (const [k, x] of v.entries) kwargs.set(k, x);
        } else args.push(this.evaluate(a, scope, frame));
      }
    }
    if (this.forward) this.forward.called = rangeOf(node);
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
      case 'builtin':
        return this.callBuiltin(callee, args, kwargs, node);
      case 'unknown':
        return callee;
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
    } finally {
      this.depth--;
    }
  }

  private bindParameters(fn: FunctionInfo, positional: PyValue[], kwargs: ReadonlyMap<string, PyValue>, scope: Scope): void {
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

  /** Calls a class: an nn.Module subclass builds a module; a dataclass or plain class builds an object. */
  instantiate(cls: ClassInfo, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    if (this.isModuleClass(cls)) {
      const module = newModule(cls.name, cls, rangeOf(node));
      const self: PyValue = { kind: 'module', module };
      const init = this.lookupClass(cls, '__init__');
      if (init?.fn) this.callFunction(init.fn, args, kwargs, self, node);
      else {
        const base = this.torchBase(cls) ?? '';
        const short = base.replace(/^torch\.nn\./, '');
        if (CONTAINERS.has(short)) this.containerInit(module, short, args);
      }
      return self;
    }
    const object: PyValue = { kind: 'object', cls, attributes: new Map() };
    if (cls.isDataclass) {
      const fields = this.dataclassFields(cls);
      fields.forEach((f, i) => {
        const v = i < args.length ? args[i] : (kwargs.get(f) ?? this.lookupClass(cls, f)?.value);
        object.attributes.set(f, v ?? unknown(f, `dataclass field \`${cls.name}.${f}\` has no default and no argument`, rangeOf(node)));
      });
      const post = this.lookupClass(cls, '__post_init__');
      if (post?.fn) this.callFunction(post.fn, [], new Map(), object, node);
      return object;
    }
    const init = this.lookupClass(cls, '__init__');
    if (init?.fn) this.callFunction(init.fn, args, kwargs, object, node);
    return object;
  }

  private dataclassFields(cls: ClassInfo, depth = 0): string[] {
    if (depth > 16) return [];
    const inherited = cls.bases.flatMap((b) => (b.kind === 'class' ? this.dataclassFields(b.cls, depth + 1) : []));
    return [...inherited, ...cls.fields.filter((f) => !inherited.includes(f))];
  }

  private containerInit(module: ModuleObject, type: string, args: readonly PyValue[]): void {
    const { module: built } = constructContainer(type, args, module.range);
    for (const [k, v] of built.children) module.children.set(k, v);
  }

  private callBuiltin(callee: Extract<PyValue, { kind: 'builtin' }>, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    const name = callee.name;
    const range = rangeOf(node);
    // torch.nn.X(...) layers and containers.
    if (isTorchNn(name)) {
      const type = canonicalTorch(name).replace(/^torch\.nn\./, '');
      if (type.endsWith('.__init__')) return this.torchInit(type.replace(/\.__init__$/, ''), callee.self, args);
      if (type === 'Parameter') return this.parameterFrom(args[0] ?? kwargs.get('data'), node);
      if (CONTAINERS.has(type)) {
        const { module, rejected } = constructContainer(type, args, range);
        for (const r of rejected) if (r.kind === 'unknown') {
          module.unresolved.push(r.why);
          this.noteUnresolved(r.why);
        }
        return { kind: 'module', module };
      }
      if (LAYER_SIGNATURES.has(type)) {
        const missing = (param: string): UnresolvedName => ({ name: param, reason: `\`${type}\` needs \`${param}\``, range });
        const module = constructLayer(type, args, kwargs, range, missing);
        for (const u of module.unresolved) this.noteUnresolved(u);
        return { kind: 'module', module };
      }
      if (name.startsWith('torch.nn.init.') || name.startsWith('torch.nn.utils.')) return NONE;
      if (!name.startsWith('torch.nn.functional.')) {
        const u = { name: type, reason: `\`nn.${type}\` is not a layer Ridgepoint knows; its parameters are not counted`, range };
        this.noteUnresolved(u);
        this.diagnose('warning', 'pytorch.unknown-layer', u.reason, node);
        return { kind: 'module', module: Object.assign(newModule(type, null, range), { unresolved: [u] }) };
      }
    }
    if (name === 'super') return callee;
    const plain = PYTHON_BUILTINS.has(name) ? this.pythonBuiltin(name, args, kwargs, node) : undefined;
    if (plain !== undefined) return plain;
    if (name.startsWith('math.')) return mathFunction(name.slice(5), args) ?? unknown(clip(node.text), `\`${name}\` cannot be evaluated statically`, range);
    if (name === 'functools.partial') {
      const target = args[0];
      return target ? { kind: 'partial', target, args: args.slice(1), kwargs } : NONE;
    }
    if (name === 'dataclasses.field') {
      const d = kwargs.get('default');
      if (d) return d;
      const factory = kwargs.get('default_factory');
      return factory ? this.call(factory, [], new Map(), node) : NONE;
    }
    if (name === 'collections.OrderedDict' || name === 'OrderedDict') {
      const entries = new Map<string, PyValue>();
      for (const pair of asItems(args[0]) ?? []) {
        const [k, v] = asItems(pair) ?? [];
        if (k?.kind === 'str' && v) entries.set(k.value, v);
      }
      return { kind: 'dict', entries };
    }
    if (name.startsWith('module.')) return this.moduleMethod(callee, name.slice(7), args, kwargs, node);
    if (name.startsWith('list.') || name.startsWith('dict.') || name.startsWith('str.')) return this.containerMethod(callee, args, kwargs, node);
    if (name.startsWith('object.') || name === 'object') return NONE;
    if (name === 'torch._assert' || name === 'torch.no_grad' || name.startsWith('typing.') || name.startsWith('warnings.') || name.startsWith('logging.')) return NONE;
    if (this.forward) {
      const env = this.torchEnv(node);
      if (name.startsWith('tensor.') && callee.self) {
        const t = env.toTensor(callee.self);
        const method = name.slice(7);
        if (t) {
          if (method === 'T') return { kind: 'tensor', tensor: env.ops.swapAxes(t, 0, 1, env.site) };
          const r = callTensorMethod(env, t, method, args, kwargs);
          if (r) return r;
        }
        throw new ForwardError(`tensor method \`.${method}()\` is not modelled`, range);
      }
      if (name.startsWith('torch.')) {
        const r = callTorchFunction(env, name, args, kwargs);
        if (r) return r;
        throw new ForwardError(`\`${name.replace(/^torch\.nn\.functional\./, 'F.')}\` is not modelled`, range);
      }
    }
    if (name.startsWith('torch.') && ['zeros', 'ones', 'empty', 'randn', 'rand', 'tril', 'triu', 'full'].includes(name.slice(6))) {
      // Outside forward a created tensor only has a shape (for nn.Parameter / register_buffer).
      const dimsArgs = name === 'torch.tril' || name === 'torch.triu' ? args[0] : name === 'torch.full' ? args[0] : args.length === 1 && asItems(args[0]) ? args[0] : { kind: 'tuple', items: args } as PyValue;
      if (dimsArgs?.kind === 'tensor') return dimsArgs;
      const dims = (asItems(dimsArgs) ?? []).map(asDim);
      if (dims.every((d) => typeof d === 'number')) return { kind: 'tensor', tensor: { name: '', shape: dims as number[], dtype: DataType.FLOAT } };
      const u = firstUnknown(asItems(dimsArgs) ?? []);
      return u ?? unknown(clip(node.text), 'tensor shape unresolved', range);
    }
    if (name === 'torch.tensor' || name === 'torch.arange') return unknown(clip(node.text), 'tensor values outside forward() are not modelled', range);
    if (name.startsWith('tensor.') && callee.self) {
      const method = name.slice(7);
      const t = callee.self;
      if (method === 'view' || method === 'reshape' || method === 'expand') {
        const dims = (args.length === 1 && asItems(args[0]) ? (asItems(args[0]) as PyValue[]) : args).map(asDim);
        if (dims.every((d) => typeof d === 'number')) return { kind: 'tensor', tensor: { name: '', shape: dims as number[], dtype: DataType.FLOAT } };
      }
      if (method === 'size' && t.kind === 'tensor') {
        const axis = asNumber(args[0]);
        return axis === undefined ? { kind: 'tuple', items: t.tensor.shape.map((d) => int(d)) } : int(t.tensor.shape.at(axis) ?? null);
      }
      if (method === 'numel' && t.kind === 'parameter' && t.parameter.shape) return int(t.parameter.shape.reduce((a, b) => a * b, 1));
      return t;
    }
    return unknown(clip(node.text), `\`${name}\` cannot be evaluated statically`, range);
  }

  /** What nn.Module.__init__ / nn.Sequential.__init__ do when a subclass calls super().__init__(...). */
  private torchInit(base: string, self: PyValue | undefined, args: readonly PyValue[]): PyValue {
    if (self?.kind === 'module' && CONTAINERS.has(base.replace(/^torch\.nn\./, ''))) this.containerInit(self.module, base.replace(/^torch\.nn\./, ''), args);
    return NONE;
  }

  private parameterFrom(data: PyValue | undefined, node: SyntaxNode): PyValue {
    if (data?.kind === 'tensor') return { kind: 'parameter', parameter: { shape: data.tensor.shape.every((d) => typeof d === 'number') ? (data.tensor.shape as number[]) : null, unresolved: [] } };
    if (data?.kind === 'parameter') return data;
    const why = data?.kind === 'unknown' ? data.why : { name: clip(node.text), reason: 'the parameter shape cannot be evaluated statically', range: rangeOf(node) };
    this.noteUnresolved(why);
    return { kind: 'parameter', parameter: { shape: null, unresolved: [why] } };
  }

  private pythonBuiltin(name: string, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue | undefined {
    switch (name) {
      case 'isinstance': {
        const [v, t] = args;
        if (!v || !t) return undefined;
        const types = asItems(t) ?? [t];
        const hit = types.some((ty) => (ty.kind === 'class' && (v.kind === 'module' || v.kind === 'object') && this.isInstance(v, ty.cls)) || (ty.kind === 'builtin' && v.kind === 'module' && canonicalTorch(ty.name) === `torch.nn.${v.module.type}`) || (ty.kind === 'builtin' && ((ty.name === 'int' && v.kind === 'int') || (ty.name === 'float' && v.kind === 'float') || ((ty.name === 'list' || ty.name === 'tuple') && v.kind === ty.name) || (ty.name === 'str' && v.kind === 'str'))));
        return { kind: 'bool', value: hit };
      }
      case 'hasattr': {
        const [v, n] = args;
        if (!v || n?.kind !== 'str') return undefined;
        if (v.kind === 'builtin') return { kind: 'bool', value: v.name.startsWith('torch') };
        const got = this.getAttribute(v, n.value, node);
        return { kind: 'bool', value: got.kind !== 'unknown' && !(got.kind === 'builtin' && got.name.startsWith('module.')) };
      }
      case 'getattr': {
        const [v, n, fallback] = args;
        if (!v || n?.kind !== 'str') return undefined;
        const got = this.getAttribute(v, n.value, node);
        return got.kind === 'unknown' && fallback ? fallback : got;
      }
      case 'type':
        return args[0]?.kind === 'object' ? { kind: 'class', cls: args[0].cls } : args[0]?.kind === 'module' && args[0].module.userClass ? { kind: 'class', cls: args[0].module.userClass } : undefined;
      case 'issubclass':
      case 'callable':
        return { kind: 'bool', value: true };
      default:
        if (/Error$|^Exception$/.test(name)) return NONE;
        try {
          return callPlainBuiltin(name, args, kwargs);
        } catch (error) {
          if (error instanceof SequenceTooLong) {
            this.diagnose('error', 'pytorch.loop-too-long', `${error.message} exceeds the limit of ${LIMITS.loopIterations}; not evaluated`, node);
            return unknown(clip(node.text), 'sequence too long', rangeOf(node));
          }
          throw error;
        }
    }
  }

  private isInstance(v: PyValue, cls: ClassInfo): boolean {
    const own = v.kind === 'module' ? v.module.userClass : v.kind === 'object' ? v.cls : null;
    const visit = (c: ClassInfo | null, depth: number): boolean => c !== null && depth < 32 && (c === cls || c.bases.some((b) => b.kind === 'class' && visit(b.cls, depth + 1)));
    return visit(own, 0);
  }

  private containerMethod(callee: Extract<PyValue, { kind: 'builtin' }>, args: PyValue[], _kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    const self = callee.self;
    const method = callee.name.split('.').pop() ?? '';
    if (self?.kind === 'list') {
      if (method === 'append' && args[0]) {
        if (self.items.length >= LIMITS.loopIterations) this.diagnose('error', 'pytorch.loop-too-long', 'list grows beyond the limit', node);
        else self.items.push(args[0]);
      } else if (method === 'extend' && args[0]) self.items.push(...(this.iterationItems(args[0], node) ?? []));
      else if (method === 'insert' && args[1]) self.items.splice(asNumber(args[0]) ?? 0, 0, args[1]);
      else if (method === 'pop') return self.items.pop() ?? NONE;
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

  /** Methods of nn.Module that model definitions call: add_module, register_buffer, append, children… */
  private moduleMethod(callee: Extract<PyValue, { kind: 'builtin' }>, method: string, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    const self = callee.self;
    if (self?.kind !== 'module') return NONE;
    const m = self.module;
    switch (method) {
      case 'add_module':
      case 'register_module': {
        const [n, v] = args;
        if (n?.kind === 'str' && v?.kind === 'module') m.children.set(n.value, v.module);
        return NONE;
      }
      case 'register_parameter': {
        const [n, v] = args;
        if (n?.kind === 'str' && v?.kind === 'parameter') m.parameters.set(n.value, v.parameter);
        return NONE;
      }
      case 'register_buffer': {
        const [n, v] = args;
        if (n?.kind === 'str' && v) m.attributes.set(n.value, v);
        return NONE;
      }
      case 'append':
        if (args[0]?.kind === 'module') m.children.set(String(m.children.size), args[0].module);
        return NONE;
      case 'extend':
        for (const v of this.iterationItems(args[0] ?? NONE, node) ?? []) if (v.kind === 'module') m.children.set(String(m.children.size), v.module);
        return NONE;
      case 'children':
        return { kind: 'list', items: [...m.children.values()].map((c) => ({ kind: 'module', module: c })) };
      case 'modules':
      case 'named_modules':
      case 'parameters':
      case 'named_parameters': {
        // Initialisation loops walk these; they change no sizes, but must evaluate without noise.
        const walked = walk(m);
        const str = (v: string): PyValue => ({ kind: 'str', value: v });
        if (method === 'modules') return { kind: 'list', items: walked.modules.map(([, x]) => ({ kind: 'module', module: x })) };
        if (method === 'named_modules') return { kind: 'list', items: walked.modules.map(([n, x]) => ({ kind: 'tuple', items: [str(n), { kind: 'module', module: x }] })) };
        if (method === 'parameters') return { kind: 'list', items: walked.parameters.map(([, p]) => ({ kind: 'parameter', parameter: p })) };
        return { kind: 'list', items: walked.parameters.map(([n, p]) => ({ kind: 'tuple', items: [str(n), { kind: 'parameter', parameter: p }] })) };
      }
      case 'apply':
        return self;
      case 'forward':
        return this.callModule(m, args, kwargs, node);
      case 'eval':
      case 'train':
      case 'to':
      case 'cuda':
      case 'float':
      case 'half':
      case 'requires_grad_':
        return self;
      default:
        return unknown(clip(node.text), `\`.${method}()\` on a module cannot be evaluated statically`, rangeOf(node));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Forward

  /** Starts a forward pass: tensors become IR values emitted through `ops`. */
  beginForward(ops: TensorOps): void {
    this.forward = { ops, scopes: [], called: null, materialised: [], indexInputs: new Set() };
  }

  endForward(): { indexInputs: Set<string> } {
    const state = this.forward;
    this.forward = null;
    return { indexInputs: state?.indexInputs ?? new Set() };
  }

  private get site(): EmitSite {
    const f = this.forward;
    return { scope: f?.scopes.at(-1) ?? '', called: f?.called ?? null };
  }

  torchEnv(node?: SyntaxNode): TorchEnv {
    const f = this.forward as ForwardState;
    if (node) f.called = rangeOf(node);
    const site = this.site;
    return {
      ops: f.ops,
      site,
      toTensor: (v) => this.toTensor(v, site),
      markIndices: (t) => f.indexInputs.add(t.name),
    };
  }

  private toTensor(v: PyValue | undefined, site: EmitSite): TensorValue | undefined {
    const f = this.forward;
    if (!f || v === undefined) return undefined;
    if (v.kind === 'tensor') {
      if (v.tensor.name !== '') return v.tensor;
      // A shape-only buffer made in __init__ (register_buffer): a constant of that shape.
      return f.ops.filled(v.tensor.shape, v.tensor.dtype, site);
    }
    if (v.kind === 'parameter') {
      const had = v.parameter.initializer !== undefined;
      const t = f.ops.weight(v.parameter, 'torch', site);
      if (!had) f.materialised.push(v.parameter);
      return t;
    }
    return undefined;
  }

  /** Calls a module inside forward(): a known layer emits its ops; a user module runs its forward. */
  callModule(m: ModuleObject, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode | null): PyValue {
    const f = this.forward;
    if (!f) return unknown(m.path || m.type, 'a module is called outside forward()', node ? rangeOf(node) : null);
    const called = node ? rangeOf(node) : f.called;
    if (m.userClass === null) return this.callKnownLayer(m, args, kwargs, called);
    const forwardFn = this.lookupClass(m.userClass, 'forward');
    const base = (this.torchBase(m.userClass) ?? '').replace(/^torch\.nn\./, '');
    const mark = this.markForward();
    f.scopes.push(m.path);
    try {
      if (forwardFn?.fn) return this.callFunction(forwardFn.fn, args, kwargs, { kind: 'module', module: m }, node ?? undefined);
      if (isKnownLayer(base)) return this.callKnownLayer({ ...m, type: base }, args, kwargs, called);
      throw new ForwardError(`\`${m.type}\` has no forward()`, m.range);
    } catch (error) {
      if (!(error instanceof ForwardError)) throw error;
      this.rollbackForward(mark);
      f.scopes.pop();
      f.scopes.push(m.path);
      this.diagnose('warning', 'pytorch.forward-fallback', `forward of \`${m.path || m.type}\` (${m.type}) cannot be followed: ${error.message}; its layers are chained in declaration order instead`, error.range ?? m.range, m.path);
      return this.sequentialFallback(m, args[0] ?? NONE, called);
    } finally {
      f.scopes.pop();
    }
  }

  private callKnownLayer(m: ModuleObject, args: PyValue[], kwargs: Map<string, PyValue>, called: SourceRange | null): PyValue {
    const f = this.forward as ForwardState;
    if (m.unresolved.length > 0) {
      const u = m.unresolved[0] as UnresolvedName;
      throw new ForwardError(`\`${m.path}\` (${m.type}) has an unresolved size: ${u.reason}`, u.range ?? m.range);
    }
    const site: EmitSite = { scope: m.path, called, defined: m.range, name: m.path };
    const resolved = args.map((a) => (a.kind === 'parameter' ? { kind: 'tensor', tensor: this.toTensor(a, site) as TensorValue } as PyValue : a));
    const call: LayerCall = {
      ops: f.ops,
      site,
      callChild: (child, childArgs) => this.callModule(child, childArgs, new Map(), null),
      markIndices: (t) => f.indexInputs.add(t.name),
    };
    const result = forwardLayer(call, m, resolved, kwargs);
    for (const p of m.parameters.values()) if (p.initializer && !f.materialised.includes(p)) f.materialised.push(p);
    return result;
  }

  private markForward(): { builder: ReturnType<TensorOps['builder']['mark']>; materialised: number } {
    const f = this.forward as ForwardState;
    return { builder: f.ops.builder.mark(), materialised: f.materialised.length };
  }

  private rollbackForward(mark: { builder: ReturnType<TensorOps['builder']['mark']>; materialised: number }): void {
    const f = this.forward as ForwardState;
    f.ops.builder.rollback(mark.builder);
    for (const p of f.materialised.splice(mark.materialised)) p.initializer = undefined;
  }

  /** The fallback: the module's leaf layers in declaration order, each applied to the previous output. */
  private sequentialFallback(m: ModuleObject, input: PyValue, called: SourceRange | null): PyValue {
    let x = input;
    for (const leaf of leaves(m)) {
      if (x.kind !== 'tensor') break;
      if (leaf.userClass !== null || leaf.type === 'Sequential') continue;
      const mark = this.markForward();
      try {
        const t = x.tensor;
        let arg: PyValue = x;
        // A classifier head after a feature extractor: PyTorch code flattens in forward().
        if (leaf.type === 'Linear' && t.shape.length > 2) arg = { kind: 'tensor', tensor: (this.forward as ForwardState).ops.flatten(t, 1, -1, { scope: m.path, called }) };
        const out = this.callKnownLayer(leaf, [arg], new Map(), called);
        const first = out.kind === 'tuple' ? out.items[0] : out;
        if (first?.kind === 'tensor') x = first;
      } catch (error) {
        if (!(error instanceof ForwardError)) throw error;
        this.rollbackForward(mark);
        // Its parameters still count, but not its costs: an error, and the model is incomplete (coverage).
        this.diagnose('error', 'pytorch.layer-left-out', `\`${leaf.path}\` (${leaf.type}) is left out of the graph: ${error.message}`, leaf.range, leaf.path);
      }
    }
    return x;
  }
}

/** Leaf modules of a module in registration order (containers expanded, user modules kept as found). */
export function leaves(m: ModuleObject, seen = new Set<ModuleObject>()): ModuleObject[] {
  const out: ModuleObject[] = [];
  for (const child of m.children.values()) {
    if (seen.has(child)) continue;
    seen.add(child);
    if (child.children.size > 0 && child.type !== 'MultiheadAttention') out.push(...leaves(child, seen));
    else out.push(child);
  }
  return out;
}

/** named_modules() / named_parameters() of a module under construction (each module and parameter once). */
function walk(root: ModuleObject): { modules: Array<[string, ModuleObject]>; parameters: Array<[string, Parameter]> } {
  const modules: Array<[string, ModuleObject]> = [];
  const parameters: Array<[string, Parameter]> = [];
  const seen = new Set<object>();
  const visit = (m: ModuleObject, path: string, depth: number): void => {
    if (seen.has(m) || depth > 200 || modules.length > 50_000) return;
    seen.add(m);
    modules.push([path, m]);
    for (const [n, p] of m.parameters) if (!seen.has(p)) {
      seen.add(p);
      parameters.push([path ? `${path}.${n}` : n, p]);
    }
    for (const [n, c] of m.children) visit(c, path ? `${path}.${n}` : n, depth + 1);
  };
  visit(root, '', 0);
  return { modules, parameters };
}

const DTYPES = new Map<string, DataType>([
  ['float32', DataType.FLOAT],
  ['float', DataType.FLOAT],
  ['float16', DataType.FLOAT16],
  ['half', DataType.FLOAT16],
  ['bfloat16', DataType.BFLOAT16],
  ['long', DataType.INT64],
  ['int64', DataType.INT64],
  ['int32', DataType.INT32],
  ['bool', DataType.BOOL],
]);

export function isTorchNn(name: string): boolean {
  return name === 'torch.nn.Module' || name.startsWith('torch.nn.') || name === 'nn.Module' || name.startsWith('nn.');
}

/** `nn.Linear` (an unresolved `nn`), `torch.nn.modules.linear.Linear` → `torch.nn.Linear`. */
export function canonicalTorch(name: string): string {
  let n = name.startsWith('nn.') ? `torch.${name}` : name;
  const m = /^torch\.nn\.modules\.[a-z_]+\.(.+)$/.exec(n);
  if (m) n = `torch.nn.${m[1]}`;
  return n;
}

function clip(text: string): string {
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
  for (let i = norm(start); step > 0 ? i < norm(stop) : i > norm(stop); i += step) out.push(items[i] as PyValue);
  return out;
}

