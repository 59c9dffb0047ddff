/**
 * The object model: classes and their instances, nn.Module instances with registration as
 * nn.Module.__setattr__ does it, attribute lookup through the bases (MRO) and super(), bound methods,
 * properties, dataclasses, and the Python builtins that ask about objects (isinstance, getattr…).
 */
import { SyntaxNode } from './parser';
import { field, namedChildren, rangeOf, undecorate } from './syntax';
import { canonicalTorch, isTorchNn, TORCH_DTYPES } from './torch-names';
import { constructContainer } from './layers';
import { callPlainBuiltin, MATH_CONSTANTS, SequenceTooLong } from './builtins';
import { asItems, ClassInfo, describe, FunctionInfo, int, ModuleObject, newModule, NONE, Parameter, PyValue, Scope, unknown } from './values';
import { clip, Frame, LIMITS, PythonEvaluator } from './evaluator';
import { DataType } from '../ir/dtype';
import { InternalInvariantError } from '../ir/at';

export abstract class ObjectModel extends PythonEvaluator {
  /** What nn.Module.__init__ (or a torch.nn base's) does for `self` when a subclass calls it (torch-bridge.ts). */
  protected abstract torchInit(base: string, self: PyValue | undefined, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>, node: SyntaxNode): PyValue;

  /**
   * `self.x = value`: registers a submodule or parameter the way nn.Module.__setattr__ does. A module's
   * attribute set from a call that could not be evaluated (`self.head = Mlp(...)`, `Mlp` unresolved) is
   * most likely a layer: it is registered as one of unknown size, so coverage does not claim it resolved.
   */
  protected setAttribute(target: PyValue, name: string, assigned: PyValue, source?: SyntaxNode): void {
    const value = target.kind === 'module' && !this.inForward ? this.unbuiltLayer(assigned, source) : assigned;
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

  /** The layer a call that could not be evaluated stands for, or `value` when it is not such a call. */
  private unbuiltLayer(value: PyValue, source: SyntaxNode | undefined): PyValue {
    if (source?.type !== 'call' || value.kind !== 'unknown' || !this.unevaluatedCalls.has(value)) return value;
    const range = rangeOf(source);
    const type = clip(field(source, 'function')?.text ?? source.text);
    const why = { name: type, reason: `\`${clip(source.text)}\` could not be evaluated (${value.why.reason}); the layer it builds is of unknown size`, range };
    return { kind: 'module', module: Object.assign(newModule(type, null, range), { unresolved: [why], unbuilt: true }) };
  }

  protected isModuleDict(m: ModuleObject): boolean {
    return m.type === 'ModuleDict' || (m.userClass !== null && this.torchBase(m.userClass) === 'torch.nn.ModuleDict');
  }

  protected deleteAttribute(target: PyValue, name: string): void {
    if (target.kind === 'module') {
      target.module.children.delete(name);
      target.module.parameters.delete(name);
      target.module.attributes.delete(name);
    } else if (target.kind === 'object') target.attributes.delete(name);
  }

  // ---------------------------------------------------------------------------------------------
  // Definitions and imports

  protected define(node: SyntaxNode, scope: Scope, ownerClass: ClassInfo | null = null): { name: string; value: PyValue; decorators: string[] } | null {
    const { decorators, definition } = undecorate(node);
    if (definition === null) return null;
    const name = field(definition, 'name')?.text;
    if (name === undefined) return null;
    const decoratorNames = decorators.map((d) => namedChildren(d)[0]?.text ?? '');
    decorators.forEach((d, i) => this.noteDecorator(decoratorNames[i] ?? '', d));
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

  /**
   * Decorators are taken as returning what they decorate. For those known to (registries such as
   * torchvision's `@register_model()`, `@torch.jit.*`, `@property`…) that is silent; for any other
   * it is an assumption, and said.
   */
  private noteDecorator(text: string, node: SyntaxNode): void {
    const callee = text.replace(/\(.*$/s, '');
    const last = callee.split('.').pop() ?? callee;
    if (IDENTITY_DECORATORS.has(last) || callee.startsWith('torch.jit.') || callee.startsWith('jit.')) return;
    this.diagnose('info', 'pytorch.decorator-assumed-identity', `decorator \`@${clip(callee)}\` is assumed to return the function it decorates unchanged`, node);
  }

  protected defineClass(node: SyntaxNode, name: string, decorators: string[], scope: Scope): ClassInfo {
    const supers = field(node, 'superclasses');
    const frame: Frame = { fn: null, self: undefined };
    const bases = supers ? namedChildren(supers).filter((c) => c.type !== 'keyword_argument').map((c) => this.evaluate(c, scope, frame)) : [];
    const cls: ClassInfo = { name, node, bases, methods: new Map(), attributes: new Map(), fields: [], isDataclass: decorators.some((d) => /(^|\.)dataclass\b/.test(d)) || bases.some((b) => b.kind === 'builtin' && /(^|\.)NamedTuple$/.test(b.name)), decorators: new Map() };
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

  // ---------------------------------------------------------------------------------------------
  // Attributes

  protected lookupClass(cls: ClassInfo, name: string, depth = 0): { fn?: FunctionInfo; value?: PyValue; owner: ClassInfo } | undefined {
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

  protected bindMethod(found: { fn?: FunctionInfo; value?: PyValue; owner: ClassInfo }, self: PyValue, name: string): PyValue {
    if (found.value !== undefined) return found.value;
    const fn = found.fn;
    if (fn === undefined) throw new InternalInvariantError(`internal error: class member \`${name}\` has neither a value nor a function`);
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
        const constant = object.name === 'math' ? MATH_CONSTANTS.get(name) : undefined;
        if (constant !== undefined) return { kind: 'float', value: constant };
        const dtype = object.name === 'torch' ? TORCH_DTYPES.get(name) : undefined;
        if (dtype !== undefined) return { kind: 'dtype', dtype };
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
      case 'pymodule':
        return this.imports?.attribute(object, name, node) ?? unknown(`${object.name}.${name}`, 'imports are not followed', rangeOf(node));
      case 'function':
        // torchvision's _log_api_usage_once(fn) in forward reads fn.__module__ / fn.__name__.
        if (name === '__name__') return { kind: 'str', value: object.fn.name };
        if (name === '__module__') return object.fn.closure.get('__name__') ?? { kind: 'str', value: '__main__' };
        return unknown(`${describe(object)}.${name}`, `cannot read \`${name}\` of ${describe(object)}`, rangeOf(node));
      default:
        return unknown(`${describe(object)}.${name}`, `cannot read \`${name}\` of ${describe(object)}`, rangeOf(node));
    }
  }

  /** `super().__init__(...)`: the next class after the method's owner; torch.nn bases do what nn.Module does. */
  protected superAttribute(proxy: Extract<PyValue, { kind: 'builtin' }>, name: string, node: SyntaxNode): PyValue {
    const self = proxy.self;
    const owner = proxy.owner;
    if (!self || !owner) return unknown('super', 'super() outside a method', rangeOf(node));
    for (const base of owner.bases) {
      if (base.kind === 'class') {
        const init = name === '__init__' ? this.initOf(base.cls) : undefined;
        if (init?.dataclass) return { kind: 'builtin', name: 'dataclass.__init__', self, owner: init.dataclass };
        const found = this.lookupClass(base.cls, name);
        if (found) return this.bindMethod(found, self, name);
        const torch = this.torchBase(base.cls);
        if (torch) return { kind: 'builtin', name: `${torch}.${name}`, self };
      }
      if (base.kind === 'builtin' && isTorchNn(base.name)) return { kind: 'builtin', name: `${canonicalTorch(base.name)}.${name}`, self };
    }
    return { kind: 'builtin', name: `object.${name}`, self };
  }

  /** Calls a class: an nn.Module subclass builds a module; a dataclass or plain class builds an object. */
  instantiate(cls: ClassInfo, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    if (this.isModuleClass(cls)) {
      const module = newModule(cls.name, cls, rangeOf(node));
      const self: PyValue = { kind: 'module', module };
      const init = this.lookupClass(cls, '__init__');
      if (init?.fn) this.callFunction(init.fn, args, kwargs, self, node);
      else this.torchInit(this.torchBase(cls) ?? '', self, args, kwargs, node);
      return self;
    }
    const object: PyValue = { kind: 'object', cls, attributes: new Map() };
    const init = this.initOf(cls);
    if (init?.fn) this.callFunction(init.fn, args, kwargs, object, node);
    else if (init?.dataclass) this.initDataclass(init.dataclass, object, args, kwargs, node);
    return object;
  }

  /** The __init__ a class runs: its own or an inherited one, or the one a dataclass (or NamedTuple) generates. */
  protected initOf(cls: ClassInfo, depth = 0): { fn?: FunctionInfo; dataclass?: ClassInfo } | undefined {
    if (depth > 32) return undefined;
    const own = cls.methods.get('__init__');
    if (own) return { fn: own };
    if (cls.isDataclass) return { dataclass: cls };
    for (const base of cls.bases) if (base.kind === 'class') {
      const found = this.initOf(base.cls, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /** What a dataclass's generated __init__ does: fields from arguments or defaults, then __post_init__. */
  protected initDataclass(cls: ClassInfo, self: PyValue, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>, node: SyntaxNode): PyValue {
    const attributes = self.kind === 'object' ? self.attributes : self.kind === 'module' ? self.module.attributes : null;
    if (attributes === null) return NONE;
    this.dataclassFields(cls).forEach((f, i) => {
      const v = i < args.length ? args[i] : (kwargs.get(f) ?? this.lookupClass(cls, f)?.value);
      attributes.set(f, v ?? unknown(f, `dataclass field \`${cls.name}.${f}\` has no default and no argument`, rangeOf(node)));
    });
    const post = this.lookupClass(cls, '__post_init__');
    if (post?.fn) this.callFunction(post.fn, [], new Map(), self, node);
    return NONE;
  }

  protected dataclassFields(cls: ClassInfo, depth = 0): string[] {
    if (depth > 16) return [];
    const inherited = cls.bases.flatMap((b) => (b.kind === 'class' ? this.dataclassFields(b.cls, depth + 1) : []));
    return [...inherited, ...cls.fields.filter((f) => !inherited.includes(f))];
  }

  protected containerInit(module: ModuleObject, type: string, args: readonly PyValue[]): void {
    const { module: built } = constructContainer(type, args, module.range);
    for (const [k, v] of built.children) module.children.set(k, v);
  }

  protected pythonBuiltin(name: string, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue | undefined {
    switch (name) {
      case 'isinstance': {
        const [v, t] = args;
        if (!v || !t) return undefined;
        const types = asItems(t) ?? [t];
        const hit = types.some((ty) => (ty.kind === 'class' && (v.kind === 'module' || v.kind === 'object') && this.isInstance(v, ty.cls)) || (ty.kind === 'builtin' && isBuiltinInstance(v, ty.name)));
        return { kind: 'bool', value: hit };
      }
      case 'setattr': {
        const [target, n, value] = args;
        if (target && n?.kind === 'str' && value) this.setAttribute(target, n.value, value);
        return NONE;
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
        // A module attribute that is not set reads as a bound nn.Module method name (`module.x`): missing.
        const missing = got.kind === 'unknown' || (v.kind === 'module' && got.kind === 'builtin' && got.name === `module.${n.value}`);
        return missing && fallback ? fallback : got;
      }
      case 'type': {
        const v = args[0];
        if (v?.kind === 'object') return { kind: 'class', cls: v.cls };
        if (v?.kind === 'module' && v.module.userClass) return { kind: 'class', cls: v.module.userClass };
        const builtinType = v === undefined ? undefined : BUILTIN_TYPES[v.kind];
        return builtinType === undefined ? undefined : { kind: 'builtin', name: builtinType };
      }
      case 'issubclass':
      case 'callable':
        return { kind: 'bool', value: true };
      default:
        if (/Error$|^Exception$/.test(name)) return NONE;
        try {
          // A module iterates as its children (a ModuleDict as its keys): enumerate(backbone), len(self.layers).
          const plain = args.map((a): PyValue => (a.kind === 'module' ? { kind: 'list', items: this.iterationItems(a, node) ?? [] } : a));
          return callPlainBuiltin(name, plain, kwargs);
        } catch (error) {
          if (error instanceof SequenceTooLong) {
            this.diagnose('error', 'pytorch.loop-too-long', `${error.message} exceeds the limit of ${LIMITS.loopIterations}; not evaluated`, node);
            return unknown(clip(node.text), 'sequence too long', rangeOf(node));
          }
          throw error;
        }
    }
  }

  protected isInstance(v: PyValue, cls: ClassInfo): boolean {
    const own = v.kind === 'module' ? v.module.userClass : v.kind === 'object' ? v.cls : null;
    const visit = (c: ClassInfo | null, depth: number): boolean => c !== null && depth < 32 && (c === cls || c.bases.some((b) => b.kind === 'class' && visit(b.cls, depth + 1)));
    return visit(own, 0);
  }

  /** Methods of nn.Module that model definitions call: add_module, register_buffer, append, children… */
  protected moduleMethod(callee: Extract<PyValue, { kind: 'builtin' }>, method: string, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
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
      case 'named_children':
      case 'items':
        return { kind: 'list', items: [...m.children].map(([n, c]) => ({ kind: 'tuple', items: [{ kind: 'str', value: n }, { kind: 'module', module: c }] })) };
      case 'keys':
        return { kind: 'list', items: [...m.children.keys()].map((n) => ({ kind: 'str', value: n })) };
      case 'values':
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

}

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


/** type(v) of a plain value: the builtin type's name (`type(None)` is NoneType). */
const BUILTIN_TYPES: Partial<Record<PyValue['kind'], string>> = { none: 'NoneType', int: 'int', float: 'float', bool: 'bool', str: 'str', list: 'list', tuple: 'tuple', dict: 'dict' };

/** isinstance(v, T) for a builtin or typing/abc type T, and torch.nn classes (`nn.Module`, `nn.Conv2d`). */
function isBuiltinInstance(v: PyValue, typeName: string): boolean {
  const short = typeName.split('.').pop() ?? typeName;
  if (v.kind === 'module') return canonicalTorch(typeName) === `torch.nn.${v.module.type}` || canonicalTorch(typeName) === 'torch.nn.Module';
  switch (short) {
    case 'int':
      return v.kind === 'int' || v.kind === 'bool';
    case 'float':
      return v.kind === 'float';
    case 'bool':
      return v.kind === 'bool';
    case 'str':
      return v.kind === 'str';
    case 'list':
    case 'List':
      return v.kind === 'list';
    case 'tuple':
    case 'Tuple':
      return v.kind === 'tuple';
    case 'dict':
    case 'Dict':
    case 'Mapping':
    case 'MutableMapping':
      return v.kind === 'dict';
    case 'Sequence':
    case 'Iterable':
    case 'Collection':
      return v.kind === 'list' || v.kind === 'tuple' || v.kind === 'str' || v.kind === 'range';
    case 'Tensor':
      return v.kind === 'tensor' || v.kind === 'parameter';
    case 'NoneType':
      return v.kind === 'none';
    case 'Callable':
      return v.kind === 'function' || v.kind === 'class' || v.kind === 'partial' || v.kind === 'builtin';
    default:
      return false;
  }
}

/** Decorators that return what they decorate (or a wrapper that calls it with the same arguments). */
const IDENTITY_DECORATORS = new Set([
  'property', 'staticmethod', 'classmethod', 'dataclass', 'register_model', 'handle_legacy_interface', 'no_grad', 'inference_mode',
  'wraps', 'abstractmethod', 'overload', 'final', 'lru_cache', 'cache', 'cached_property', 'wrap', 'unique', 'total_ordering',
  'setter', 'getter', 'deleter', 'autocast', 'enable_grad', 'contextmanager', 'override', 'dataclass_transform', 'runtime_checkable',
]);
