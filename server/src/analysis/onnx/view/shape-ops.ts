/**
 * Which nodes only compute shapes (or pass values through), so the view can fold them away: exporters
 * emit chains such as Shape → Gather → Unsqueeze → Concat → Reshape's shape input around every reshape,
 * which a reader skips. The rule is structural, no shape inference: a node is shape-only when it is a
 * Shape, Size or small Constant, or a cheap op from SHAPE_ARITHMETIC whose every input is shape-derived
 * (the output of a shape-only node, or an initializer of at most SMALL_ELEMENTS elements). Identity
 * nodes are gathered with them (they copy a value and cost nothing worth reading).
 */
import { Graph, Node } from '../../ir/graph';
import { elementCount } from '../../ir/tensor';

/** A constant this small is a shape, an axis or a scalar, not data (the same bound as the text printer's inline values). */
export const SMALL_ELEMENTS = 64;

const SHAPE_SOURCES = new Set(['Shape', 'Size']);
const SHAPE_ARITHMETIC = new Set([
  'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Slice', 'Cast', 'Reshape', 'Identity',
  'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Neg', 'Abs', 'Floor', 'Ceil', 'Sqrt', 'Min', 'Max', 'Pow',
  'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Where',
  'Range', 'ConstantOfShape', 'ReduceProd', 'ReduceSum', 'ReduceMin', 'ReduceMax',
]);

/** Per node of the graph (same index): true when the view gathers it under the shape-ops summary. */
export function foldedNodes(graph: Graph): boolean[] {
  const derived = new Set<string>();
  for (const t of graph.initializers) if (elementCount(t.dims) <= SMALL_ELEMENTS) derived.add(t.name);
  return graph.nodes.map((node) => {
    const shapeOnly = isShapeOnly(node, derived);
    if (shapeOnly) for (const output of node.outputs) if (output !== '') derived.add(output);
    return shapeOnly || (node.domain === '' && node.opType === 'Identity');
  });
}

function isShapeOnly(node: Node, derived: ReadonlySet<string>): boolean {
  if (node.domain !== '') return false;
  if (SHAPE_SOURCES.has(node.opType)) return true;
  if (node.opType === 'Constant') return isSmallConstant(node);
  if (!SHAPE_ARITHMETIC.has(node.opType)) return false;
  const inputs = node.inputs.filter((i) => i !== '');
  return inputs.length > 0 && inputs.every((i) => derived.has(i));
}

/** A Constant of a scalar or a short list (value_int(s), value_float(s), or a small `value` tensor). */
function isSmallConstant(node: Node): boolean {
  for (const value of node.attributes.values()) {
    if (value.type === 'tensor') return elementCount(value.value.dims) <= SMALL_ELEMENTS;
    if (value.type === 'ints' || value.type === 'floats' || value.type === 'strings') return value.value.length <= SMALL_ELEMENTS;
    if (value.type === 'sparseTensor') return false;
  }
  return true;
}
