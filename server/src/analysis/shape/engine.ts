import { Diagnostic, internalErrorDiagnostic } from '../diagnostics';
import { bindDim, Dim, dimEquals, sym } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { AttributeValue, FunctionDef, functionKey, Graph, Model, Node, ValueInfo } from '../ir/graph';
import { ConstValue, TensorInfo } from '../ir/tensor';
import { TensorType, ValueType } from '../ir/types';
import { ByteSource } from '../onnx/byte-source';
import { loadTensorValues } from '../onnx/tensor-values';
import { isModelError } from '../ops/helpers';
import { lookupOp, OpContext, OutputFacts, SubgraphResult, ValueFacts } from '../ops/registry';
import { FactSource, resolveValue, Scope, ScopeEntry } from './scope';
import { topologicalOrder } from './topo';

/** Graphs are immutable once read: their declared types (value_info, then outputs) are indexed once per graph, not once per inference. */
const declaredCache = new WeakMap<Graph, ReadonlyMap<string, ValueType | null>>();

function declaredTypes(graph: Graph): ReadonlyMap<string, ValueType | null> {
  let declared = declaredCache.get(graph);
  if (declared === undefined) {
    const made = new Map<string, ValueType | null>();
    for (const info of [...graph.valueInfo, ...graph.outputs]) if (info.type) made.set(info.name, info.type);
    declaredCache.set(graph, (declared = made));
  }
  return declared;
}

export interface InferOptions {
  /** Symbolic dim bindings (`batch` → 1) applied to the graph inputs. */
  readonly bindings?: ReadonlyMap<string, number>;
  /** Whole-shape overrides for graph inputs (for unnamed dims). */
  readonly inputShapes?: ReadonlyMap<string, readonly Dim[]>;
  /** Known values of graph inputs (used by the corpus oracle and by users pinning a shape input). */
  readonly inputValues?: ReadonlyMap<string, ConstValue>;
  /** Whole-type overrides for graph inputs (e.g. a sequence input's element shape). */
  readonly inputTypes?: ReadonlyMap<string, ValueType>;
  /**
   * Fill gaps in inferred types from the model's declared value_info / outputs (default true). The
   * corpus test turns this off so that only inference is measured.
   */
  readonly trustDeclaredShapes?: boolean;
  /** The model file, for loading small initializer values (shape constants) on demand. */
  readonly source?: ByteSource;
}

export interface ValueRecord {
  readonly name: string;
  readonly type: ValueType | null;
  readonly source: FactSource;
  readonly value?: ConstValue;
}

export type NodeStatus = 'inferred' | 'unknown-op' | 'error' | 'function';

export interface NodeRecord {
  /** Stable id: `n3` in the main graph, `n3/then_branch/n0` in a subgraph, `n5/MyFn/n2` in a function body. */
  readonly id: string;
  /** Path of the graph holding the node: `main`, `n3/then_branch`, … */
  readonly graph: string;
  readonly node: Node;
  readonly inputs: ReadonlyArray<ValueRecord | null>;
  readonly outputs: ReadonlyArray<ValueRecord>;
  readonly status: NodeStatus;
  /** Opset version of the node's domain. */
  readonly opset: number;
}

export interface InferenceResult {
  readonly nodes: NodeRecord[];
  readonly graphInputs: ValueRecord[];
  readonly graphOutputs: ValueRecord[];
  readonly initializers: ReadonlyArray<TensorInfo>;
  readonly diagnostics: Diagnostic[];
  /** `domain::opType` → count, for ops with no shape rule. */
  readonly unknownOps: Map<string, number>;
  /** Symbols still present in graph input shapes after binding. */
  readonly unboundSymbols: string[];
}

const MAX_FUNCTION_DEPTH = 32;
const MAX_SUBGRAPH_DEPTH = 64;

/** Runs shape and dtype inference over a whole model. Never throws on model content. */
export function inferModel(model: Model, options: InferOptions = {}): InferenceResult {
  return new Engine(model, options).run();
}

class Engine {
  private readonly nodes: NodeRecord[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly unknownOps = new Map<string, number>();
  private readonly functions = new Map<string, FunctionDef>();
  private readonly trustDeclared: boolean;
  /** Subgraph paths inferred so far (a Loop body may be inferred more than once), with where their records start. */
  private readonly subgraphStarts = new Map<string, { nodes: number; diagnostics: number }>();

  constructor(
    private readonly model: Model,
    private readonly options: InferOptions,
  ) {
    for (const fn of model.functions) this.functions.set(functionKey(fn.domain, fn.name, fn.overload), fn);
    this.trustDeclared = options.trustDeclaredShapes ?? true;
  }

  run(): InferenceResult {
    const graph = this.model.graph;
    const scope = new Scope();
    const initializerNames = new Set(graph.initializers.map((t) => t.name));
    const graphInputs: ValueRecord[] = [];
    const symbols = new Set<string>();
    for (const input of graph.inputs) {
      // IR-3 models list every initializer as a graph input too; the initializer is the value.
      if (initializerNames.has(input.name)) continue;
      const entry = this.mainInputEntry(input);
      scope.set(input.name, entry);
      graphInputs.push({ name: input.name, type: entry.type, source: 'input', value: entry.value });
      if (entry.type?.kind === 'tensor') for (const d of entry.type.shape ?? []) collectSymbols(d, symbols);
    }
    const outputs = this.inferGraph(graph, scope, '', 'main', this.model.opsets, 0);
    return {
      nodes: this.nodes,
      graphInputs,
      graphOutputs: outputs,
      initializers: graph.initializers,
      diagnostics: this.diagnostics,
      unknownOps: this.unknownOps,
      unboundSymbols: [...symbols].sort(),
    };
  }

  private mainInputEntry(input: ValueInfo): ScopeEntry {
    const bindings = this.options.bindings ?? new Map<string, number>();
    const override = this.options.inputShapes?.get(input.name);
    const value = this.options.inputValues?.get(input.name);
    let type = this.options.inputTypes?.get(input.name) ?? input.type;
    if (type?.kind === 'tensor') {
      let shape = override ?? type.shape;
      if (value !== undefined) shape = value.dims;
      if (shape !== null) {
        // Unnamed dims become symbols named after the input and axis, so they can be bound and traced.
        shape = shape.map((d, axis) => {
          const bound = bindDim(d === null ? sym(`${input.name}:${axis}`) : d, bindings);
          if (typeof bound === 'number' && (bound < 0 || bound > Number.MAX_SAFE_INTEGER)) {
            this.diagnostics.push({ severity: 'warning', code: 'shape.absurd-dim', message: `graph input "${input.name}" declares dim ${axis} = ${bound}, which is not a usable size; treating it as unknown`, location: { value: input.name } });
            return null;
          }
          return bound;
        });
      }
      type = { ...type, shape };
    } else if (type === null && value !== undefined) {
      type = { kind: 'tensor', dtype: value.dtype, shape: value.dims };
    }
    return { type, source: 'input', value };
  }

  /** Infers a graph in `scope`; returns the facts of its outputs. */
  private inferGraph(graph: Graph, scope: Scope, idPrefix: string, graphPath: string, opsets: ReadonlyMap<string, number>, depth: number): ValueRecord[] {
    for (const init of graph.initializers) scope.set(init.name, this.initializerEntry(init));
    for (const init of graph.sparseInitializers) scope.set(init.name, { type: { kind: 'tensor', dtype: init.dtype, shape: init.dims, sparse: true }, source: 'initializer' });
    const declared = declaredTypes(graph);
    const { order, cyclic } = topologicalOrder(graph);
    if (cyclic.length > 0) {
      this.diagnostics.push({
        severity: 'error',
        code: 'graph.cycle',
        message: `graph ${graphPath} has a cycle through ${cyclic.length} node(s) (first: ${describeNode(graph.nodes[cyclic[0] ?? 0], cyclic[0] ?? 0)}); their inputs in the cycle are unknown`,
        location: { graph: graphPath, node: `${idPrefix}n${cyclic[0] ?? 0}` },
      });
    }
    for (const index of order) {
      const node = graph.nodes[index];
      if (node !== undefined) this.inferNode(node, `${idPrefix}n${index}`, graphPath, scope, declared, opsets, depth);
    }
    return graph.outputs.map((out) => {
      const entry = scope.get(out.name);
      if (entry === undefined) {
        this.diagnostics.push({ severity: 'error', code: 'graph.missing-output', message: `graph output "${out.name}" of ${graphPath} is produced by no node, initializer or input`, location: { graph: graphPath, value: out.name } });
        return { name: out.name, type: this.trustDeclared ? out.type : null, source: this.trustDeclared && out.type ? 'declared' : 'unknown' };
      }
      return { name: out.name, type: entry.type, source: entry.source, value: resolveValue(entry) };
    });
  }

  private initializerEntry(init: TensorInfo): ScopeEntry {
    const override = this.options.inputValues?.get(init.name);
    if (override !== undefined) return { type: { kind: 'tensor', dtype: override.dtype, shape: override.dims }, source: 'initializer', value: override };
    return {
      type: { kind: 'tensor', dtype: init.dtype, shape: init.dims },
      source: 'initializer',
      loadValue: () => loadTensorValues(init, this.options.source),
    };
  }

  private inferNode(node: Node, id: string, graphPath: string, scope: Scope, declared: ReadonlyMap<string, ValueType | null>, opsets: ReadonlyMap<string, number>, depth: number): void {
    const opset = opsets.get(node.domain) ?? (node.domain === '' ? 1 : 1);
    const inputs: Array<ValueRecord | null> = node.inputs.map((name) => {
      if (name === '') return null;
      const entry = scope.get(name);
      if (entry === undefined) {
        this.diagnostics.push({
          severity: 'error',
          code: 'graph.missing-producer',
          message: `${describeNode(node)} reads "${name}", which no node, initializer or graph input produces`,
          location: { node: id, value: name, offset: node.fileOffset },
        });
        const unknown: ScopeEntry = { type: null, source: 'unknown' };
        scope.set(name, unknown);
        return { name, type: null, source: 'unknown' };
      }
      // Known values are recorded, and tiny ones (scalars such as Loop trip counts or attention sequence
      // lengths stored as initializers) are loaded for the cost model; anything larger is never read here.
      return { name, type: entry.type, source: entry.source, value: entry.value ?? (isTiny(entry.type) ? resolveValue(entry) : undefined) };
    });

    let status: NodeStatus = 'inferred';
    let results: OutputFacts[] = [];
    const fn = this.functions.size === 0 ? undefined : this.functions.get(functionKey(node.domain, node.opType, node.overload));
    const rule = fn === undefined ? lookupOp(node.domain, node.opType) : undefined;
    if (fn !== undefined) {
      status = 'function';
      results = this.expandFunction(fn, node, id, scope, depth);
    } else if (rule === undefined) {
      status = 'unknown-op';
      const key = `${node.domain || 'ai.onnx'}::${node.opType}`;
      this.unknownOps.set(key, (this.unknownOps.get(key) ?? 0) + 1);
      this.diagnostics.push({
        severity: 'warning',
        code: 'shape.unknown-op',
        message: `${describeNode(node)}: no shape rule for ${node.domain ? `${node.domain}.` : ''}${node.opType} (opset ${opset}); its outputs are ${this.trustDeclared ? 'taken from the declared value_info where present, otherwise ' : ''}unknown`,
        location: { node: id, offset: node.fileOffset },
      });
    } else {
      const ctx = new NodeContext(this, node, id, opset, scope, depth);
      try {
        results = rule.infer(ctx);
      } catch (error) {
        status = 'error';
        const location = { node: id, offset: node.fileOffset };
        if (isModelError(error)) this.diagnostics.push({ severity: 'error', code: 'shape.inference-failed', message: `${describeNode(node)}: ${error.message}`, location });
        else this.diagnostics.push(internalErrorDiagnostic(`${describeNode(node)}: the ${node.domain || 'ai.onnx'}.${node.opType} shape rule`, error, location));
        results = [];
      }
    }

    const outputs: ValueRecord[] = node.outputs.map((name, i) => {
      const facts = normaliseFacts(results[i]);
      let type = facts.type;
      let source: FactSource = type === null ? 'unknown' : 'inferred';
      const declaredType = declared.get(name);
      if (declaredType && type && isIncomplete(type) && this.trustDeclared) {
        type = fillFromDeclared(type, declaredType);
        source = 'declared';
      } else if (declaredType && type === null && this.trustDeclared) {
        type = declaredType;
        source = 'declared';
      }
      if (name !== '') scope.set(name, { type, source, value: facts.value });
      return { name, type, source, value: facts.value };
    });
    this.nodes.push({ id, graph: graphPath, node, inputs, outputs, status, opset });
  }

  private expandFunction(fn: FunctionDef, call: Node, id: string, callerScope: Scope, depth: number): OutputFacts[] {
    if (depth >= MAX_FUNCTION_DEPTH) {
      this.diagnostics.push({ severity: 'error', code: 'shape.function-recursion', message: `${describeNode(call)}: function ${fn.name} expands more than ${MAX_FUNCTION_DEPTH} levels deep (recursive?); its outputs are unknown`, location: { node: id } });
      return [];
    }
    // Function bodies are closed: they see only their formal inputs, never the caller's scope.
    const scope = new Scope();
    fn.inputs.forEach((formal, i) => {
      const actual = call.inputs[i];
      if (actual === undefined || actual === '') return;
      const entry = callerScope.get(actual);
      if (entry !== undefined) scope.set(formal, { type: entry.type, source: entry.source, value: resolveValue(entry) });
    });
    const body: Graph = {
      name: fn.name,
      nodes: fn.nodes.map((n) => substituteAttributes(n, call, fn)),
      inputs: [],
      outputs: fn.outputs.map((name) => ({ name, type: null })),
      valueInfo: fn.valueInfo,
      initializers: [],
      sparseInitializers: [],
      metadata: new Map(),
    };
    const opsets = new Map(this.model.opsets);
    for (const [domain, version] of fn.opsets) opsets.set(domain, version);
    const outputs = this.inferGraph(body, scope, `${id}/${fn.name}/`, `${id}/${fn.name}`, opsets, depth + 1);
    return outputs.map((o) => ({ type: o.type, value: o.value }));
  }

  /** Called by NodeContext.inferSubgraph. */
  inferSubgraph(graph: Graph, inputs: ReadonlyArray<ValueFacts | null>, label: string, parentId: string, scope: Scope, depth: number): SubgraphResult {
    if (depth >= MAX_SUBGRAPH_DEPTH) {
      this.diagnostics.push({ severity: 'error', code: 'shape.too-deep', message: `subgraphs nest more than ${MAX_SUBGRAPH_DEPTH} deep at ${parentId}; not analysed further`, location: { node: parentId } });
      return { outputs: graph.outputs.map(() => ({ type: null })) };
    }
    const child = new Scope(scope);
    graph.inputs.forEach((formal, i) => {
      const given = inputs[i];
      const type = given?.type ?? formal.type;
      child.set(formal.name, { type, source: given?.type ? 'inferred' : formal.type ? 'declared' : 'unknown', value: given?.value });
    });
    const path = `${parentId}/${label}`;
    // Loop/Scan rules re-infer a body until its carried types settle: the last inference stands.
    this.forgetSubgraph(path);
    const outputs = this.inferGraph(graph, child, `${path}/`, path, this.opsetsFor(), depth + 1);
    return { outputs: outputs.map((o) => ({ type: o.type, value: o.value })) };
  }

  /**
   * Drops the node records, diagnostics and unknown-op counts of an earlier inference of subgraph `path`,
   * then notes where this inference starts. An earlier inference's records all lie at or after the
   * indices noted when it started, so only that tail is scanned.
   */
  private forgetSubgraph(path: string): void {
    const previous = this.subgraphStarts.get(path);
    if (previous !== undefined) {
      const prefix = `${path}/`;
      const inside = (p: string | undefined): boolean => p !== undefined && (p === path || p.startsWith(prefix));
      compactFrom(this.nodes, previous.nodes, (n) => {
        if (!inside(n.graph)) return true;
        if (n.status === 'unknown-op') {
          const key = `${n.node.domain || 'ai.onnx'}::${n.node.opType}`;
          const count = (this.unknownOps.get(key) ?? 0) - 1;
          if (count > 0) this.unknownOps.set(key, count);
          else this.unknownOps.delete(key);
        }
        return false;
      });
      compactFrom(this.diagnostics, previous.diagnostics, (d) => !inside(d.location?.graph) && !inside(d.location?.node));
      for (const [other, start] of this.subgraphStarts) {
        // Subgraphs nested in this one were dropped with it; the records of any that started after the
        // compacted range may have moved down, but never below its start.
        if (inside(other)) this.subgraphStarts.delete(other);
        else this.subgraphStarts.set(other, { nodes: Math.min(start.nodes, previous.nodes), diagnostics: Math.min(start.diagnostics, previous.diagnostics) });
      }
    }
    this.subgraphStarts.set(path, { nodes: this.nodes.length, diagnostics: this.diagnostics.length });
  }

  private opsetsFor(): ReadonlyMap<string, number> {
    return this.model.opsets;
  }

  warn(node: Node, id: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', code: 'shape.note', message: `${describeNode(node)}: ${message}`, location: { node: id, offset: node.fileOffset } });
  }

  get source(): ByteSource | undefined {
    return this.options.source;
  }
}

class NodeContext implements OpContext {
  readonly outputCount: number;
  readonly inputCount: number;

  constructor(
    private readonly engine: Engine,
    readonly node: Node,
    private readonly id: string,
    readonly opset: number,
    private readonly scope: Scope,
    private readonly depth: number,
  ) {
    this.outputCount = node.outputs.length;
    this.inputCount = node.inputs.length;
  }

  hasInput(i: number): boolean {
    const name = this.node.inputs[i];
    return name !== undefined && name !== '';
  }

  private entry(i: number): ScopeEntry | undefined {
    const name = this.node.inputs[i];
    return name ? this.scope.get(name) : undefined;
  }

  input(i: number): ValueFacts | undefined {
    const entry = this.entry(i);
    if (entry === undefined) return undefined;
    return {
      type: entry.type,
      get value() {
        return resolveValue(entry);
      },
    };
  }

  tensor(i: number): TensorType | undefined {
    const type = this.entry(i)?.type;
    return type?.kind === 'tensor' ? type : undefined;
  }

  shape(i: number): readonly Dim[] | null {
    return this.tensor(i)?.shape ?? null;
  }

  dtype(i: number): DataType | null {
    return this.tensor(i)?.dtype ?? null;
  }

  value(i: number): ConstValue | undefined {
    const entry = this.entry(i);
    return entry === undefined ? undefined : resolveValue(entry);
  }

  hasValue(i: number): boolean {
    const name = this.node.inputs[i];
    return name !== undefined && name !== '' && this.scope.hasValue(name);
  }

  attr(name: string): AttributeValue | undefined {
    return this.node.attributes.get(name);
  }

  int(name: string, fallback: number): number {
    return this.intOrUndefined(name) ?? fallback;
  }

  intOrUndefined(name: string): number | undefined {
    const a = this.attr(name);
    if (a?.type === 'int') return a.value;
    if (a?.type === 'float') return Math.trunc(a.value);
    return undefined;
  }

  ints(name: string): readonly number[] | undefined {
    const a = this.attr(name);
    if (a?.type === 'ints') return a.value;
    if (a?.type === 'int') return [a.value];
    return undefined;
  }

  float(name: string, fallback: number): number {
    const a = this.attr(name);
    if (a?.type === 'float' || a?.type === 'int') return a.value;
    return fallback;
  }

  floats(name: string): readonly number[] | undefined {
    const a = this.attr(name);
    if (a?.type === 'floats' || a?.type === 'ints') return a.value;
    return undefined;
  }

  string(name: string, fallback: string): string {
    const a = this.attr(name);
    return a?.type === 'string' ? a.value : fallback;
  }

  strings(name: string): readonly string[] | undefined {
    const a = this.attr(name);
    return a?.type === 'strings' ? a.value : undefined;
  }

  tensorAttr(name: string): TensorInfo | undefined {
    const a = this.attr(name);
    return a?.type === 'tensor' || a?.type === 'sparseTensor' ? a.value : undefined;
  }

  tensorAttrValue(name: string): ConstValue | undefined {
    const t = this.tensorAttr(name);
    return t === undefined ? undefined : loadTensorValues(t, this.engine.source);
  }

  graph(name: string): Graph | undefined {
    const a = this.attr(name);
    return a?.type === 'graph' ? a.value : undefined;
  }

  inferSubgraph(graph: Graph, inputs: ReadonlyArray<ValueFacts | null>, label: string): SubgraphResult {
    return this.engine.inferSubgraph(graph, inputs, label, this.id, this.scope, this.depth);
  }

  warn(message: string): void {
    this.engine.warn(this.node, this.id, message);
  }
}

/** Keeps the items from index `from` on that pass `keep`, in place and in order. */
function compactFrom<T>(items: T[], from: number, keep: (item: T) => boolean): void {
  let n = Math.min(from, items.length);
  for (const item of items.slice(n)) {
    if (keep(item)) items[n++] = item;
  }
  items.length = n;
}

function isTiny(type: ValueType | null): boolean {
  if (type?.kind !== 'tensor' || type.shape === null) return false;
  let n = 1;
  for (const d of type.shape) {
    if (typeof d !== 'number') return false;
    n *= d;
  }
  return n <= 64;
}

function normaliseFacts(result: OutputFacts | undefined): ValueFacts {
  if (result === null || result === undefined) return { type: null };
  if ('kind' in result) return { type: result };
  const value = result.value;
  if (value !== undefined) {
    // A known value fixes the shape exactly, whatever the rule said about the type.
    const known = result.type;
    const dtype = known?.kind === 'tensor' && known.dtype !== null ? known.dtype : value.dtype;
    return { type: { kind: 'tensor', dtype, shape: value.dims }, value };
  }
  return { type: result.type };
}

function isIncomplete(type: ValueType): boolean {
  if (type.kind !== 'tensor') return false;
  return type.dtype === null || type.shape === null || type.shape.some((d) => d === null);
}

function fillFromDeclared(type: ValueType, declared: ValueType | null): ValueType {
  if (type.kind !== 'tensor' || declared?.kind !== 'tensor') return type;
  const dtype = type.dtype ?? declared.dtype;
  let shape = type.shape;
  if (shape === null) shape = declared.shape;
  else if (declared.shape !== null && declared.shape.length === shape.length) shape = shape.map((d, i) => d ?? declared.shape?.[i] ?? null);
  return { kind: 'tensor', dtype, shape };
}

function substituteAttributes(node: Node, call: Node, fn: FunctionDef): Node {
  let changed = false;
  const attributes = new Map<string, AttributeValue>();
  for (const [name, value] of node.attributes) {
    if (value.type !== 'ref') {
      attributes.set(name, value);
      continue;
    }
    changed = true;
    const actual = call.attributes.get(value.value) ?? fn.attributeDefaults.get(value.value);
    if (actual !== undefined) attributes.set(name, actual);
  }
  return changed ? { ...node, attributes } : node;
}

function collectSymbols(d: Dim, into: Set<string>): void {
  if (d !== null && typeof d !== 'number') {
    for (const name of d.key.split(/[^A-Za-z0-9_.:`]+/)) if (name && !/^\d+$/.test(name)) into.add(name.replace(/`/g, ''));
  }
}

export function describeNode(node: Node | undefined, index?: number): string {
  if (node === undefined) return `node ${index ?? '?'}`;
  const name = node.name ? `"${node.name}"` : index !== undefined ? `#${index}` : '(unnamed)';
  return `${node.opType || '(no op_type)'} node ${name}`;
}

export { dimEquals };
