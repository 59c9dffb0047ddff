/**
 * What a model's weights add up to (tensors, parameters, bytes; external data) and where its external
 * data lives: summaries of the graph alone, shared by the frontends, the advice and the report, so they
 * sit with the graph rather than in the report that shows them.
 */
import { bytesForElements, DataType } from './dtype';
import { Graph, Model } from './graph';
import { elementCount, TensorInfo } from './tensor';

export interface WeightSummary {
  /** Number of weight tensors: initializers (all graphs) plus Constant nodes. */
  readonly tensors: number;
  readonly parameters: number;
  readonly bytes: number;
  readonly fromInitializers: { readonly tensors: number; readonly parameters: number; readonly bytes: number };
  readonly fromConstants: { readonly tensors: number; readonly parameters: number; readonly bytes: number };
  /** Bytes kept in external data files (never read). */
  readonly externalBytes: number;
}

/**
 * Model metadata by which a frontend that built the graph (analysis/hf-config) states its parameter count,
 * when some initializers are buffers (RoPE caches) that a count of initializer elements would include.
 */
export const PARAMETERS_METADATA = 'ridgepoint.parameters';

/** The parameter count the model states (PARAMETERS_METADATA), or null when it states none or an invalid one. */
export function declaredParameters(metadata: Readonly<Record<string, string>>): number | null {
  const text = metadata[PARAMETERS_METADATA];
  const n = text === undefined ? NaN : Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** Models are immutable once read: the weight summary is made once per model, not once per report. */
const weightSummaries = new WeakMap<Model, WeightSummary>();

/** Initializers of every graph (subgraphs included) and Constant nodes both count as weights. */
export function summariseWeights(model: Model): WeightSummary {
  let summary = weightSummaries.get(model);
  if (summary === undefined) weightSummaries.set(model, (summary = computeWeightSummary(model)));
  return summary;
}

function computeWeightSummary(model: Model): WeightSummary {
  const init = { tensors: 0, parameters: 0, bytes: 0 };
  const consts = { tensors: 0, parameters: 0, bytes: 0 };
  let externalBytes = 0;
  const add = (into: typeof init, t: TensorInfo): void => {
    const count = elementCount(t.dims);
    into.tensors++;
    into.parameters += count;
    const bytes = t.dtype === DataType.STRING ? 0 : bytesForElements(t.dtype, count);
    into.bytes += bytes;
    if (t.data.kind === 'external') externalBytes += t.data.length ?? bytes;
  };
  const visit = (graph: Graph, depth: number): void => {
    if (depth > 64) return;
    for (const t of graph.initializers) add(init, t);
    for (const t of graph.sparseInitializers) add(init, t);
    for (const node of graph.nodes) {
      for (const attr of node.attributes.values()) {
        if (attr.type === 'graph') visit(attr.value, depth + 1);
        else if (attr.type === 'graphs') attr.value.forEach((g) => visit(g, depth + 1));
      }
      if (node.opType === 'Constant' && node.domain === '') {
        const value = node.attributes.get('value') ?? node.attributes.get('sparse_value');
        if (value?.type === 'tensor' || value?.type === 'sparseTensor') add(consts, value.value);
      }
    }
  };
  visit(model.graph, 0);
  return {
    tensors: init.tensors + consts.tensors,
    parameters: init.parameters + consts.parameters,
    bytes: init.bytes + consts.bytes,
    fromInitializers: init,
    fromConstants: consts,
    externalBytes,
  };
}

/** External-data references, for the runtime to check (exist, in range) without reading them. */
export function externalReferences(model: Model): Array<{ tensor: string; location: string; offset: number; length: number | null }> {
  const refs: Array<{ tensor: string; location: string; offset: number; length: number | null }> = [];
  const visit = (graph: Graph, depth: number): void => {
    if (depth > 64) return;
    for (const t of graph.initializers) if (t.data.kind === 'external') refs.push({ tensor: t.name, location: t.data.location, offset: t.data.offset, length: t.data.length ?? bytesForElements(t.dtype, elementCount(t.dims)) });
    for (const node of graph.nodes) {
      for (const attr of node.attributes.values()) {
        if (attr.type === 'graph') visit(attr.value, depth + 1);
        else if (attr.type === 'graphs') attr.value.forEach((g) => visit(g, depth + 1));
      }
    }
  };
  visit(model.graph, 0);
  return refs;
}
