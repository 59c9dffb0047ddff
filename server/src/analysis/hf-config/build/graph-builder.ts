import { InternalInvariantError } from '../../ir/at';
import { DataType, dataTypeBits } from '../../ir/dtype';
import { AttributeValue, Graph, Model, Node, ValueInfo } from '../../ir/graph';
import { TensorData, TensorInfo } from '../../ir/tensor';
import { tensorType } from '../../ir/types';
import { PARAMETERS_METADATA } from '../../ir/weights';

/**
 * Collects the nodes, initializers and graph inputs/outputs of one synthetic ONNX model. Weights are
 * initializers with dims and dtype only (`data: empty`): the cost model reads sizes, never values.
 * Each initializer is tagged by what Hugging Face would call it: a parameter, an expert's parameter
 * (only k of E are active per token), or a buffer (RoPE caches, shape constants: not parameters).
 */
export type WeightKind = 'param' | 'expert' | 'buffer';

export type AttributeInput = number | string | readonly number[] | { readonly float: number };

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers = new Map<string, TensorInfo>();
  private readonly kinds = new Map<string, WeightKind>();
  /** Weights created inside the layer stack (the rest: embeddings, final norm, lm_head). */
  private readonly layerWeights = new Set<string>();
  /** Parameters a weight stands for when not its element count (packed n-bit weights; their scales count 0). */
  private readonly paramCounts = new Map<string, number>();
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly names = new Set<string>();
  /** Node name → decoder layer, for the per-layer roofline. */
  readonly layerOf = new Map<string, number>();
  /** The layer the next nodes belong to (null outside the layer stack). */
  layer: number | null = null;

  /** A weight initializer; the same name twice is one tensor (tied embeddings). Returns its value name. */
  weight(name: string, dims: readonly number[], dtype: DataType, kind: WeightKind = 'param', params?: number): string {
    if (!this.initializers.has(name)) {
      this.initializers.set(name, { name, dtype, dims: [...dims], data: { kind: 'empty' } });
      this.kinds.set(name, kind);
      if (params !== undefined) this.paramCounts.set(name, params);
      if (this.layer !== null) this.layerWeights.add(name);
    }
    return name;
  }

  /** A small constant whose values shape rules read (TopK's k, Reshape's shape, a gather index). */
  constant(name: string, dtype: DataType, dims: readonly number[], values: readonly number[]): string {
    if (!this.initializers.has(name)) {
      const data: TensorData = { kind: 'numbers', values: [...values] };
      this.initializers.set(name, { name, dtype, dims: [...dims], data });
      this.kinds.set(name, 'buffer');
    }
    return name;
  }

  input(name: string, dtype: DataType, dims: readonly number[]): string {
    this.inputs.push({ name, type: tensorType(dtype, [...dims]) });
    return name;
  }

  hasInput(name: string): boolean {
    return this.inputs.some((i) => i.name === name);
  }

  output(name: string): void {
    this.outputs.push({ name, type: null });
  }

  /**
   * Adds a node named `name` (an HF module path); its outputs are `name`, `name:1`, …, or the given
   * output names. Returns the output value names (at least one: the first is typed as present).
   */
  node(opType: string, name: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeInput>> = {}, options: { domain?: string; outputs?: number | readonly string[] } = {}): [string, ...string[]] {
    const unique = this.uniqueName(name);
    const outputNames = Array.isArray(options.outputs) ? [...(options.outputs as readonly string[])] : Array.from({ length: (options.outputs as number | undefined) ?? 1 }, (_, i) => (i === 0 ? unique : `${unique}:${i}`));
    const attrs = new Map<string, AttributeValue>();
    for (const [key, value] of Object.entries(attributes)) attrs.set(key, toAttribute(value));
    this.nodes.push({ name: unique, opType, domain: options.domain ?? '', overload: '', inputs: [...inputs], outputs: outputNames, attributes: attrs, docString: '', metadata: new Map() });
    if (this.layer !== null) this.layerOf.set(unique, this.layer);
    const [first, ...rest] = outputNames;
    if (first === undefined) throw new InternalInvariantError(`internal error: ${opType} node ${unique} was given no outputs`);
    return [first, ...rest];
  }

  /** Parameter counts by kind (elements of the initializers). */
  counts(): Record<WeightKind, number> {
    const counts: Record<WeightKind, number> = { param: 0, expert: 0, buffer: 0 };
    for (const [name, t] of this.initializers) counts[this.kinds.get(name) ?? 'param'] += this.paramCounts.get(name) ?? t.dims.reduce((a, b) => a * b, 1);
    return counts;
  }

  /** Bytes the weights occupy in memory (parameters and experts, not buffers), by their element types. */
  weightBytes(): { readonly total: number; readonly inLayers: number } {
    let total = 0;
    let inLayers = 0;
    for (const [name, t] of this.initializers) {
      if (this.kinds.get(name) === 'buffer') continue;
      const bytes = (t.dims.reduce((a, b) => a * b, 1) * dataTypeBits(t.dtype)) / 8;
      total += bytes;
      if (this.layerWeights.has(name)) inLayers += bytes;
    }
    return { total, inLayers };
  }

  model(graphName: string, docString: string): Model {
    const graph: Graph = {
      name: graphName,
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      valueInfo: [],
      initializers: [...this.initializers.values()],
      sparseInitializers: [],
      metadata: new Map(),
    };
    return {
      irVersion: 10,
      // Opset 24 for RMSNormalization (23), Swish (24) and Attention (23); com.microsoft for GroupQueryAttention.
      opsets: new Map([
        ['', 24],
        ['com.microsoft', 1],
      ]),
      producerName: 'ridgepoint-hf-config',
      producerVersion: '1',
      domain: '',
      modelVersion: 0,
      docString,
      graph,
      functions: [],
      // Buffers (RoPE caches, shape constants) are initializers but not parameters: the report counts these.
      metadata: new Map([[PARAMETERS_METADATA, String(this.counts().param + this.counts().expert)]]),
    };
  }

  private uniqueName(name: string): string {
    let candidate = name;
    for (let n = 1; this.names.has(candidate); n++) candidate = `${name}_${n}`;
    this.names.add(candidate);
    return candidate;
  }
}

function toAttribute(value: AttributeInput): AttributeValue {
  if (typeof value === 'number') return { type: 'int', value };
  if (typeof value === 'string') return { type: 'string', value };
  if (Array.isArray(value)) return { type: 'ints', value: value as readonly number[] };
  return { type: 'float', value: (value as { float: number }).float };
}
