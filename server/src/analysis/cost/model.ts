import './ops/index';
import { Diagnostic, internalErrorDiagnostic } from '../diagnostics';
import { Graph, Model } from '../ir/graph';
import { numericData } from '../ir/tensor';
import { isModelError } from '../ops/helpers';
import { InferenceResult, NodeRecord } from '../shape/engine';
import { NodeCostContext } from './context';
import { KernelShape, kernelShapeOf } from './kernel-class';
import { lookupCost, OpCost, unmodelled } from './types';

const OTHER_KERNEL: KernelShape = Object.freeze({ kind: 'other' });

/** A node's cost per execution, and how many times it executes. */
export interface NodeCost {
  readonly record: NodeRecord;
  readonly cost: OpCost;
  /** Executions per model run: the product of enclosing Loop/Scan trip counts (1 in the main graph). */
  readonly executions: number;
  /** For nodes inside an If branch analysed without a known condition: which If and which branch. */
  readonly branchOf?: { readonly ifNode: string; readonly branch: string };
  /** Control-flow and function-call nodes: their cost is their body's nodes, counted separately. */
  readonly container: boolean;
  readonly notes: readonly string[];
  /** The kernel class and (GEMMs, convs) GEMM shape: the key of the chip's per-class efficiency (cost/efficiency.ts). */
  readonly kernel: KernelShape;
  /** Set when the cost formula threw an exception no formula throws on purpose (a bug); the node is then unmodelled. */
  readonly internalError?: Diagnostic;
}

const CONTAINERS = new Set(['If', 'Loop', 'Scan', 'SequenceMap']);

/** Every initializer (all graphs) and every Constant output: the values that count as weights. */
export function weightNames(model: Model): Set<string> {
  let names = weightNamesCache.get(model);
  if (names === undefined) weightNamesCache.set(model, (names = collectWeightNames(model)));
  return new Set(names);
}

/** Models are immutable once read: their weight names are collected once (a copy is handed out, as callers add folded values). */
const weightNamesCache = new WeakMap<Model, ReadonlySet<string>>();

function collectWeightNames(model: Model): Set<string> {
  const names = new Set<string>();
  const visit = (graph: Graph, depth: number): void => {
    if (depth > 64) return;
    for (const t of graph.initializers) names.add(t.name);
    for (const node of graph.nodes) {
      if (node.opType === 'Constant' && node.domain === '') for (const o of node.outputs) names.add(o);
      for (const attr of node.attributes.values()) {
        if (attr.type === 'graph') visit(attr.value, depth + 1);
        else if (attr.type === 'graphs') attr.value.forEach((g) => visit(g, depth + 1));
      }
    }
  };
  visit(model.graph, 0);
  return names;
}

/** Ops whose result differs run to run: never folded at load time. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli', 'Dropout']);

/**
 * Nodes every input of which is a weight or another load-time constant: runtimes fold them once when
 * the model loads (ONNX Runtime's constant folding, TensorRT's), so they cost nothing per run and their
 * outputs are weights for the nodes that read them (e.g. ConstantOfShape-generated weights).
 */
function loadTimeConstants(inference: InferenceResult, weights: Set<string>): Set<string> {
  const folded = new Set<string>();
  for (const record of inference.nodes) {
    const { node } = record;
    if (record.status !== 'inferred' || node.opType === 'Constant' || NONDETERMINISTIC.has(node.opType)) continue;
    if (node.domain === '' && CONTAINERS.has(node.opType)) continue;
    const present = node.inputs.filter((name) => name !== '');
    if (present.length === 0 || !present.every((name) => weights.has(name))) continue;
    folded.add(record.id);
    for (const o of node.outputs) if (o) weights.add(o);
  }
  return folded;
}

/** Names of every value that is a weight at run time: initializers, Constant outputs, and outputs of nodes folded at load time. */
export function weightValueNames(model: Model, inference: InferenceResult): Set<string> {
  const weights = weightNames(model);
  loadTimeConstants(inference, weights);
  return weights;
}

/** Per-node costs for a whole inferred model (chip-independent). Never throws on model content. */
export function computeCosts(model: Model, inference: InferenceResult): NodeCost[] {
  const weights = weightNames(model);
  const folded = loadTimeConstants(inference, weights);
  const byId = new Map(inference.nodes.map((r) => [r.id, r]));
  const executionsCache = new Map<string, { executions: number; notes: string[]; branchOf?: { ifNode: string; branch: string } }>();

  /** Walks up the graph path (`n5/body/n2` is in graph `n5/body`, inside node n5). */
  const contextOf = (graphPath: string): { executions: number; notes: string[]; branchOf?: { ifNode: string; branch: string } } => {
    const cached = executionsCache.get(graphPath);
    if (cached) return cached;
    let result: { executions: number; notes: string[]; branchOf?: { ifNode: string; branch: string } } = { executions: 1, notes: [] };
    if (graphPath !== 'main') {
      const cut = graphPath.lastIndexOf('/');
      const parentId = graphPath.slice(0, cut);
      const label = graphPath.slice(cut + 1);
      const parent = byId.get(parentId);
      const outer = parent ? contextOf(parent.graph) : { executions: 1, notes: [] };
      result = { executions: outer.executions, notes: [...outer.notes], branchOf: outer.branchOf };
      if (parent?.node.opType === 'Loop') {
        const trip = loopTripCount(parent);
        if (trip === null) result.notes.push(`Loop ${parentId}: trip count unknown, body counted once`);
        else result.executions *= trip;
      } else if (parent?.node.opType === 'Scan') {
        const trip = scanTripCount(parent);
        if (trip === null) result.notes.push(`Scan ${parentId}: sequence length unknown, body counted once`);
        else result.executions *= trip;
      } else if (parent?.node.opType === 'If') {
        const cond = parent.inputs[0]?.value;
        if (cond === undefined) result.branchOf = { ifNode: parentId, branch: label };
      }
    }
    executionsCache.set(graphPath, result);
    return result;
  };

  return inference.nodes.map((record) => {
    const where = contextOf(record.graph);
    const container = record.status === 'function' || (record.node.domain === '' && CONTAINERS.has(record.node.opType));
    let cost: OpCost;
    let internalError: Diagnostic | undefined;
    if (container) {
      cost = { flops: 0, macs: null, activationBytesRead: 0, weightBytes: 0, bytesWritten: 0, unit: 'none', dtype: null, modelled: true, notes: ['cost counted in its body nodes'] };
    } else if (folded.has(record.id)) {
      cost = { flops: 0, macs: null, activationBytesRead: 0, weightBytes: 0, bytesWritten: 0, unit: 'none', dtype: null, modelled: true, notes: ['computed once at load time (constant folding): every input is a weight or constant'] };
    } else if (record.status === 'unknown-op') {
      cost = unmodelled(`no shape rule for ${record.node.domain ? `${record.node.domain}.` : ''}${record.node.opType}, so its sizes are unknown`);
    } else if (record.status === 'error') {
      cost = unmodelled('shape inference failed for this node (see its diagnostic)');
    } else {
      const rule = lookupCost(record.node.domain, record.node.opType);
      if (rule === undefined) cost = unmodelled(`no cost formula for ${record.node.domain ? `${record.node.domain}.` : ''}${record.node.opType} yet`);
      else {
        try {
          cost = rule(new NodeCostContext(record, weights));
        } catch (error) {
          if (isModelError(error)) cost = unmodelled(`cost formula failed: ${error.message}`);
          else {
            internalError = internalErrorDiagnostic(`${record.node.opType} node ${record.id}: the ${record.node.domain || 'ai.onnx'}.${record.node.opType} cost formula`, error, { node: record.id, offset: record.node.fileOffset });
            cost = unmodelled(internalError.message);
          }
        }
      }
    }
    const kernel = container ? OTHER_KERNEL : kernelShapeOf(record, cost);
    return { record, cost, executions: where.executions, branchOf: where.branchOf, container, notes: where.notes, kernel, ...(internalError ? { internalError } : {}) };
  });
}

/** Loop's trip count: the M input when known (and no early exit can shorten it, which we cannot see). */
function loopTripCount(record: NodeRecord): number | null {
  const m = numericData(record.inputs[0]?.value ?? undefined)?.[0];
  return m !== undefined && Number.isSafeInteger(m) && m >= 0 ? m : null;
}

/** Scan's trip count: the length of the first scan input along its scan axis. */
function scanTripCount(record: NodeRecord): number | null {
  const numScanInputs = record.node.attributes.get('num_scan_inputs');
  const n = numScanInputs?.type === 'int' ? numScanInputs.value : 0;
  if (n <= 0) return null;
  // Opset 8 has a leading sequence_lens input and a batch axis; opset 9+ scans axis 0 (or scan_input_axes).
  const firstScan = record.opset < 9 ? record.inputs.length - n : record.inputs.length - n;
  const value = record.inputs[firstScan];
  const shape = value?.type?.kind === 'tensor' ? value.type.shape : null;
  const axesAttr = record.node.attributes.get('scan_input_axes');
  let axis = record.opset < 9 ? 1 : axesAttr?.type === 'ints' ? (axesAttr.value[0] ?? 0) : 0;
  if (shape === null) return null;
  if (axis < 0) axis += shape.length;
  const len = shape[axis];
  return typeof len === 'number' ? len : null;
}
