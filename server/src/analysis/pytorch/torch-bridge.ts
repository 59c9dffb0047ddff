/**
 * The torch bridge: what `torch`, `torch.nn` and `torch.nn.functional` are to the evaluator. Builds
 * nn layers and containers from their constructor arguments, does what nn.Module.__init__ does for a
 * subclass, and inside forward() turns tensors into IR values: calling a module emits its layer's ops
 * or runs the user's forward(), with a declaration-order fallback when forward cannot be followed.
 */
import { at, InternalInvariantError } from '../ir/at';
import { DataType } from '../ir/dtype';
import { argsOrLoneList, asDim, asItems, asNumber, describe, firstUnknown, int, ModuleObject, newModule, NONE, Parameter, PyValue, TensorValue, unknown } from './values';
import { mathFunction, PYTHON_BUILTINS } from './builtins';
import { constructContainer, constructLayer, CONTAINERS, isKnownLayer, LAYER_SIGNATURES } from './layers';
import { SyntaxNode } from './parser';
import { rangeOf } from './syntax';
import { callTensorMethod, callTorchFunction, indexTensor, tensorArithmetic, TorchEnv } from './torch-functions';
import { EmitSite, ForwardError, TensorOps } from './tensor-ops';
import { GraphBuilder } from './graph-builder';
import { SourceRange, UnresolvedName } from './types';
import { forwardLayer, LayerCall } from './layer-forward';
import { staticTensorArithmetic, staticTensorMethod, staticTorchCall } from './static-tensors';
import { canonicalTorch, isTorchNn } from './torch-names';
import { clip } from './evaluator';
import { ObjectModel } from './object-model';

interface ForwardState {
  readonly ops: TensorOps;
  readonly scopes: string[];
  called: SourceRange | null;
  /** Parameters materialised as initializers, to un-materialise on rollback. */
  readonly materialised: Parameter[];
  readonly indexInputs: Set<string>;
  /** Outside forward(): ops go to a scratch graph and only the shapes they compute are kept. */
  readonly shapeOnly?: boolean;
}


export class Interpreter extends ObjectModel {
  private forward: ForwardState | null = null;

  protected callBuiltin(callee: Extract<PyValue, { kind: 'builtin' }>, args: PyValue[], kwargs: Map<string, PyValue>, node: SyntaxNode): PyValue {
    const name = callee.name;
    const range = rangeOf(node);
    // torch.nn.X(...) layers and containers.
    if (isTorchNn(name)) {
      const type = canonicalTorch(name).replace(/^torch\.nn\./, '');
      if (type.endsWith('.__init__')) return this.torchInit(type.replace(/\.__init__$/, ''), callee.self, args, kwargs, node);
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
    if (name === 'copy.copy' || name === 'copy.deepcopy') return args[0] ? copyValue(args[0], name === 'copy.deepcopy') : NONE;
    if (name === 'dataclass.__init__' && callee.owner && callee.self) return this.initDataclass(callee.owner, callee.self, args, kwargs, node);
    const plain = PYTHON_BUILTINS.has(name) ? this.pythonBuiltin(name, args, kwargs, node) : undefined;
    if (plain !== undefined) return plain;
    if (name.startsWith('math.')) return mathFunction(name.slice(5), args) ?? unknown(clip(node.text), `\`${name}\` cannot be evaluated statically`, range);
    if (name === 'functools.reduce') return this.reduce(args, node);
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
    if (name === 'collections.OrderedDict' || name === 'OrderedDict' || name === 'typing.OrderedDict' || name === 'collections.defaultdict') {
      const entries = new Map<string, PyValue>(args[0]?.kind === 'dict' ? args[0].entries : []);
      for (const pair of asItems(args[0]) ?? []) {
        const [k, v] = asItems(pair) ?? [];
        if (k?.kind === 'str' && v) entries.set(k.value, v);
      }
      return { kind: 'dict', entries };
    }
    if (name.startsWith('module.')) return this.moduleMethod(callee, name.slice(7), args, kwargs, node);
    if (name.startsWith('list.') || name.startsWith('dict.') || name.startsWith('str.')) return this.containerMethod(callee, args, kwargs, node);
    if (name.startsWith('object.') || name === 'object') return NONE;
    if (name === 'typing.cast') return args[1] ?? NONE;
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
        const short = name.replace(/^torch\.nn\.functional\./, 'F.');
        const u = firstUnknown([...args, ...kwargs.values()]);
        if (u?.kind === 'unknown') throw new ForwardError(`\`${short}\`: an argument is unresolved (${u.why.reason})`, u.why.range ?? range);
        throw new ForwardError(`\`${short}\` is not modelled`, range);
      }
    }
    if (name.startsWith('torch.') || name.startsWith('numpy.')) {
      const computed = staticTorchCall(name.slice(name.indexOf('.') + 1), args, kwargs);
      if (computed) return computed;
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
    if (name.startsWith('torch.') && name !== 'torch.tensor') {
      const r = this.shapeOnly(() => callTorchFunction(this.torchEnv(node), name, args, kwargs), node);
      if (r.kind !== 'unknown') return r;
    }
    if (name === 'torch.tensor' || name === 'torch.arange') return unknown(clip(node.text), 'tensor values outside forward() are not modelled', range);
    if (name.startsWith('tensor.') && callee.self?.kind === 'tensor') {
      const self = callee.self;
      const computed = staticTensorMethod(self.tensor, name.slice(7), args);
      if (computed) return computed;
      const r = this.shapeOnly(() => {
        const env = this.torchEnv(node);
        const t = env.toTensor(self);
        return t ? callTensorMethod(env, t, name.slice(7), args, kwargs) : undefined;
      }, node);
      if (r.kind !== 'unknown') return r;
    }
    if (name.startsWith('tensor.') && callee.self) {
      const method = name.slice(7);
      const t = callee.self;
      if (method === 'view' || method === 'reshape' || method === 'expand') {
        const dims = argsOrLoneList(args).map(asDim);
        if (dims.every((d): d is number => typeof d === 'number')) return { kind: 'tensor', tensor: { name: '', shape: dims, dtype: DataType.FLOAT } };
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

  /** functools.reduce(fn, items[, initial]). */
  private reduce(args: readonly PyValue[], node: SyntaxNode): PyValue {
    const [fn, iterable, initial] = args;
    const items = fn && iterable ? this.iterationItems(iterable, node) : undefined;
    if (fn === undefined || items === undefined) return unknown(clip(node.text), 'functools.reduce over an unresolved sequence', rangeOf(node));
    let acc = initial ?? items[0];
    for (const item of initial === undefined ? items.slice(1) : items) acc = this.call(fn, [acc ?? NONE, item], new Map(), node);
    return acc ?? unknown(clip(node.text), 'functools.reduce of an empty sequence with no initial value', rangeOf(node));
  }

  /** What nn.Module.__init__ / nn.Sequential.__init__ do when a subclass calls super().__init__(...). */
  protected torchInit(base: string, self: PyValue | undefined, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>, node: SyntaxNode): PyValue {
    const type = base.replace(/^torch\.nn\./, '');
    if (self?.kind !== 'module') return NONE;
    if (CONTAINERS.has(type)) this.containerInit(self.module, type, args);
    else if (LAYER_SIGNATURES.has(type)) {
      // A user class deriving from a layer (`class LayerNorm2d(nn.LayerNorm)`): the layer's parameters are its own.
      const range = rangeOf(node);
      const built = constructLayer(type, args, kwargs, range, (param) => ({ name: param, reason: `\`${type}\` needs \`${param}\``, range }));
      const m = self.module;
      for (const [k, v] of built.config) m.config.set(k, v);
      for (const [k, p] of built.parameters) m.parameters.set(k, p);
      for (const u of built.unresolved) {
        m.unresolved.push(u);
        this.noteUnresolved(u);
      }
    }
    return NONE;
  }

  protected parameterFrom(data: PyValue | undefined, node: SyntaxNode): PyValue {
    if (data?.kind === 'tensor') return { kind: 'parameter', parameter: { shape: data.tensor.shape.every((d) => typeof d === 'number') ? (data.tensor.shape as number[]) : null, unresolved: [] } };
    if (data?.kind === 'parameter') return data;
    const why = data?.kind === 'unknown' ? data.why : { name: clip(node.text), reason: 'the parameter shape cannot be evaluated statically', range: rangeOf(node) };
    this.noteUnresolved(why);
    return { kind: 'parameter', parameter: { shape: null, unresolved: [why] } };
  }


  // ---------------------------------------------------------------------------------------------
  // Tensors in forward()

  protected get inForward(): boolean {
    return this.forward !== null;
  }

  protected noteCallSite(node: SyntaxNode): void {
    if (this.forward) this.forward.called = rangeOf(node);
  }

  protected tensorBinary(op: string, left: PyValue, right: PyValue, node: SyntaxNode): PyValue {
    if (!this.forward) return staticTensorArithmetic(op, left, right) ?? this.shapeOnly(() => tensorArithmetic(this.torchEnv(), op, left, right), node);
    const env = this.torchEnv();
    const r = tensorArithmetic(env, op, left, right);
    if (r) return r;
    throw new ForwardError(`\`${clip(node.text)}\`: operator ${op} on ${describe(left)} and ${describe(right)} is not modelled`, rangeOf(node));
  }

  protected tensorComparison(left: PyValue, right: PyValue): PyValue {
    const t = left.kind === 'tensor' ? left.tensor : (right as { tensor: TensorValue }).tensor;
    return { kind: 'tensor', tensor: { ...t, dtype: DataType.BOOL } };
  }

  protected indexTensorValue(container: PyValue, key: PyValue, node: SyntaxNode): PyValue {
    if (!this.forward) return this.shapeOnly(() => this.indexTensorValue(container, key, node), node);
    const env = this.torchEnv(node);
    const t = env.toTensor(container);
    const r = t && indexTensor(env, t, key);
    if (r) return r;
    throw new ForwardError(`indexing \`${clip(node.text)}\` is not modelled`, rangeOf(node));
  }

  /**
   * Tensor code outside forward() (a buffer or parameter built in __init__: Swin's relative position
   * index, ConvNeXt's layer scale) runs through the same ops against a scratch graph that is never
   * built; only the shapes come back (tensors with no IR name). What cannot be followed is unknown.
   */
  private shapeOnly(run: () => PyValue | undefined, node: SyntaxNode): PyValue {
    if (this.forward) return run() ?? unknown(clip(node.text), 'not modelled', rangeOf(node));
    this.forward = { ops: new TensorOps(new GraphBuilder(), DataType.FLOAT), scopes: [], called: rangeOf(node), materialised: [], indexInputs: new Set(), shapeOnly: true };
    try {
      const r = run();
      return r === undefined ? unknown(clip(node.text), `\`${clip(node.text)}\` cannot be evaluated statically`, rangeOf(node)) : withoutIrNames(r);
    } catch (error) {
      if (error instanceof ForwardError) return unknown(clip(node.text), error.message, error.range ?? rangeOf(node));
      throw error;
    } finally {
      this.forward = null;
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

  /** The forward() being followed: tensor ops run only inside one. */
  private get activeForward(): ForwardState {
    if (this.forward === null) throw new InternalInvariantError('internal error: a tensor op outside forward()');
    return this.forward;
  }

  private get site(): EmitSite {
    const f = this.forward;
    return { scope: f?.scopes.at(-1) ?? '', called: f?.called ?? null };
  }

  torchEnv(node?: SyntaxNode): TorchEnv {
    const f = this.activeForward;
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
      // A shape-only evaluation must not claim the parameter's initializer for its scratch graph.
      if (f.shapeOnly) {
        const shape = v.parameter.shape;
        return shape === null ? undefined : f.ops.filled(shape, f.ops.floatType, site);
      }
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
    if (m.unbuilt === true) {
      // Nothing to emit and no shape to give: its output is unknown, like the call that should have built it.
      const why = at(m.unresolved, 0, 'reasons an unbuilt module was not built');
      this.leaveOut(m, why.reason);
      return { kind: 'unknown', why };
    }
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
    const f = this.activeForward;
    const [u] = m.unresolved;
    if (u !== undefined) {
      throw new ForwardError(`\`${m.path}\` (${m.type}) has an unresolved size: ${u.reason}`, u.range ?? m.range);
    }
    const site: EmitSite = { scope: m.path, called, defined: m.range, name: m.path };
    // Parameters and shape-only buffers passed to a layer become IR values first.
    const resolved = args.map((a): PyValue => {
      if (a.kind !== 'parameter' && !(a.kind === 'tensor' && a.tensor.name === '')) return a;
      const tensor = this.toTensor(a, site);
      return tensor ? { kind: 'tensor', tensor } : a;
    });
    const call: LayerCall = {
      ops: f.ops,
      site,
      callChild: (child, childArgs) => this.callModule(child, childArgs, new Map(), null),
      markIndices: (t) => f.indexInputs.add(t.name),
    };
    try {
      return forwardLayer(call, m, resolved, kwargs);
    } finally {
      // Also when the layer throws half-way: a rollback must then un-materialise what it created.
      for (const p of m.parameters.values()) if (p.initializer && !f.materialised.includes(p)) f.materialised.push(p);
    }
  }

  private markForward(): { builder: ReturnType<TensorOps['builder']['mark']>; materialised: number } {
    const f = this.activeForward;
    return { builder: f.ops.builder.mark(), materialised: f.materialised.length };
  }

  private rollbackForward(mark: { builder: ReturnType<TensorOps['builder']['mark']>; materialised: number }): void {
    const f = this.activeForward;
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
        if (leaf.type === 'Linear' && t.shape.length > 2) arg = { kind: 'tensor', tensor: this.activeForward.ops.flatten(t, 1, -1, { scope: m.path, called }) };
        const out = this.callKnownLayer(leaf, [arg], new Map(), called);
        const first = out.kind === 'tuple' ? out.items[0] : out;
        if (first?.kind === 'tensor') x = first;
      } catch (error) {
        if (!(error instanceof ForwardError)) throw error;
        this.rollbackForward(mark);
        this.leaveOut(leaf, error.message);
      }
    }
    return x;
  }

  /** Its parameters still count, but not its costs: an error, and the model is incomplete (coverage). */
  private leaveOut(layer: ModuleObject, why: string): void {
    this.diagnose('error', 'pytorch.layer-left-out', `\`${layer.path}\` (${layer.type}) is left out of the graph: ${why}`, layer.range, layer.path);
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

/** A value computed by a shape-only evaluation, its tensors stripped of their scratch IR names. */
function withoutIrNames(v: PyValue): PyValue {
  if (v.kind === 'tensor') return { kind: 'tensor', tensor: { ...v.tensor, name: '' } };
  if (v.kind === 'tuple') return { kind: 'tuple', items: v.items.map(withoutIrNames) };
  if (v.kind === 'list') return { kind: 'list', items: v.items.map(withoutIrNames) };
  return v;
}


/** copy.copy / copy.deepcopy: a new container or object; a deep copy of a module has its own parameters. */
export function copyValue(v: PyValue, deep: boolean, depth = 0): PyValue {
  if (depth > 64) return v;
  const inner = (x: PyValue): PyValue => (deep ? copyValue(x, deep, depth + 1) : x);
  switch (v.kind) {
    case 'list':
      return { kind: 'list', items: v.items.map(inner) };
    case 'dict':
      return { kind: 'dict', entries: new Map([...v.entries].map(([k, x]) => [k, inner(x)])) };
    case 'object':
      return { kind: 'object', cls: v.cls, attributes: new Map([...v.attributes].map(([k, x]) => [k, inner(x)])) };
    case 'parameter':
      return deep ? { kind: 'parameter', parameter: { shape: v.parameter.shape, unresolved: v.parameter.unresolved } } : v;
    case 'module':
      return deep ? { kind: 'module', module: copyModule(v.module, depth) } : v;
    default:
      return v;
  }
}

function copyModule(m: ModuleObject, depth: number): ModuleObject {
  const copy = newModule(m.type, m.userClass, m.range);
  for (const [k, v] of m.config) copy.config.set(k, v);
  for (const [k, v] of m.attributes) copy.attributes.set(k, copyValue(v, true, depth + 1));
  for (const [k, c] of m.children) copy.children.set(k, depth > 60 ? c : copyModule(c, depth + 1));
  for (const [k, p] of m.parameters) copy.parameters.set(k, { shape: p.shape, unresolved: p.unresolved });
  copy.unresolved.push(...m.unresolved);
  return m.unbuilt === true ? Object.assign(copy, { unbuilt: true }) : copy;
}
