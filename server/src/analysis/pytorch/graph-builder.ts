/**
 * Builds the IR `Model` a PyTorch module's forward pass amounts to: ONNX ops (opset 23) with weight
 * initializers that carry dims and dtype but no bytes (`data: empty`), so the shared shape engine, cost
 * model and report run unchanged. Node names are module paths; every node remembers its source.
 */
import { at } from '../ir/at';
import { Dim } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { AttributeValue, Model, Node, ValueInfo } from '../ir/graph';
import { TensorInfo } from '../ir/tensor';
import { SourceRange } from './types';

export const OPSET = 23;

export type AttributeInit = Record<string, number | string | readonly number[] | { readonly floats: readonly number[] } | { readonly float: number }>;

export class GraphBuilder {
  private nodes: Node[] = [];
  private initializers: TensorInfo[] = [];
  private readonly names = new Set<string>();
  private valueCounter = 0;
  readonly nodeSources = new Map<string, SourceRange>();
  readonly callSites = new Map<string, SourceRange>();
  private inputs: Array<{ name: string; shape: readonly Dim[]; dtype: DataType }> = [];

  addInput(name: string, shape: readonly Dim[], dtype: DataType): void {
    this.inputs.push({ name, shape, dtype });
  }

  /** Graph inputs used as embedding indices become int64 (token ids), decided once forward has run. */
  setInputDtype(name: string, dtype: DataType): void {
    const input = this.inputs.find((i) => i.name === name);
    if (input) input.dtype = dtype;
  }

  hasInput(name: string): boolean {
    return this.inputs.some((i) => i.name === name);
  }

  freshValue(hint: string): string {
    return `${hint}:${this.valueCounter++}`;
  }

  /** A unique node name from a module path or `path/Op`. */
  private uniqueNodeName(base: string): string {
    let name = base || 'model';
    for (let i = 1; this.names.has(name); i++) name = `${base}#${i}`;
    this.names.add(name);
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: AttributeInit, nameBase: string, source: { defined?: SourceRange | null; called?: SourceRange | null }, outputCount = 1): string[] {
    const name = this.uniqueNodeName(nameBase);
    const outputs = Array.from({ length: outputCount }, (_, i) => (outputCount === 1 ? this.freshValue(name) : this.freshValue(`${name}.${i}`)));
    const attrs = new Map<string, AttributeValue>();
    for (const [key, value] of Object.entries(attributes)) attrs.set(key, toAttribute(value));
    this.nodes.push({ name, opType, domain: '', overload: '', inputs, outputs, attributes: attrs, docString: '', metadata: new Map() });
    const where = source.defined ?? source.called;
    if (where) this.nodeSources.set(name, where);
    if (source.called) this.callSites.set(name, source.called);
    return outputs;
  }

  initializer(name: string, dims: readonly number[], dtype: DataType): string {
    this.initializers.push({ name, dims, dtype, data: { kind: 'empty' } });
    return name;
  }

  /** Small integer vectors (shapes, axes, split sizes) as Constant value_ints: not weights, so not parameters. */
  constInts(values: readonly number[], nameBase: string): string {
    return this.nodeOutput('Constant', [], { value_ints: values }, `${nameBase}/Constant`, {});
  }

  constInt(value: number, nameBase: string): string {
    return this.nodeOutput('Constant', [], { value_int: value }, `${nameBase}/Constant`, {});
  }

  constFloat(value: number, nameBase: string): string {
    return this.nodeOutput('Constant', [], { value_float: { float: value } }, `${nameBase}/Constant`, {});
  }

  /** Buffers (BatchNorm running statistics): read at run time but not parameters, so not initializers. */
  constFloats(count: number, nameBase: string): string {
    return this.nodeOutput('Constant', [], { value_floats: { floats: new Array<number>(count).fill(0) } }, `${nameBase}/Constant`, {});
  }

  /** A node with one output: that output's name. */
  nodeOutput(opType: string, inputs: readonly string[], attributes: AttributeInit, nameBase: string, source: { defined?: SourceRange | null; called?: SourceRange | null }): string {
    return at(this.node(opType, inputs, attributes, nameBase, source), 0, `${opType} outputs`);
  }

  mark(): { nodes: number; initializers: number; names: Set<string> } {
    return { nodes: this.nodes.length, initializers: this.initializers.length, names: new Set(this.names) };
  }

  /** Drops everything emitted since `mark` (a forward that could not be followed is replaced by a fallback). */
  rollback(mark: { nodes: number; initializers: number; names: Set<string> }): void {
    for (const node of this.nodes.slice(mark.nodes)) {
      this.nodeSources.delete(node.name);
      this.callSites.delete(node.name);
    }
    this.nodes = this.nodes.slice(0, mark.nodes);
    this.initializers = this.initializers.slice(0, mark.initializers);
    this.names.clear();
    for (const n of mark.names) this.names.add(n);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  build(outputs: readonly { name: string; dtype: DataType; shape: readonly Dim[] }[], graphName: string): Model {
    const info = (name: string, dtype: DataType, shape: readonly Dim[] | null): ValueInfo => ({ name, type: { kind: 'tensor', dtype, shape } });
    return {
      irVersion: 10,
      opsets: new Map([['', OPSET]]),
      producerName: 'ridgepoint-pytorch-source',
      producerVersion: '1',
      domain: '',
      modelVersion: 1,
      docString: '',
      graph: {
        name: graphName,
        nodes: this.nodes,
        inputs: this.inputs.map((i) => info(i.name, i.dtype, i.shape)),
        // Output types are left to inference: declaring them would only hide a disagreement.
        outputs: outputs.map((o) => info(o.name, o.dtype, null)),
        valueInfo: [],
        initializers: this.initializers,
        sparseInitializers: [],
        metadata: new Map(),
      },
      functions: [],
      metadata: new Map(),
    };
  }
}

/** A graph builder's attribute shorthand → the IR's attribute (also used by the traced frontend). */
export function toAttribute(value: AttributeInit[string]): AttributeValue {
  if (typeof value === 'number') return { type: 'int', value };
  if (typeof value === 'string') return { type: 'string', value };
  if ('floats' in value) return { type: 'floats', value: value.floats };
  if ('float' in value) return { type: 'float', value: value.float };
  return { type: 'ints', value: value as readonly number[] };
}
