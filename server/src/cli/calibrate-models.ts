import { onnx } from 'onnx-proto';

/**
 * The micro-models `ridgepoint calibrate` runs, built in memory with onnx-proto (opset 13, no
 * weights: every operand is a graph input, fed random data). Each is a chain or a single node whose
 * FLOPs and bytes the cost model itself counts, so the measured roofs are in the cost model's units.
 */

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
export const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
export const INT8 = onnx.TensorProto.DataType.INT8;
export const UINT8 = onnx.TensorProto.DataType.UINT8;

export interface MicroModel {
  /** What it measures: `bandwidth`, `overhead`, `vector`, or `matmul-<dtype>`. */
  readonly kind: string;
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly dtype: string; readonly shape: readonly number[] }>;
}

const DTYPE_NAME: Record<number, string> = { [FLOAT]: 'float', [DOUBLE]: 'double', [FLOAT16]: 'float16', [INT8]: 'int8', [UINT8]: 'uint8' };

function valueInfo(name: string, elemType: number, shape: readonly number[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

interface Io {
  readonly name: string;
  readonly dtype: number;
  readonly shape: readonly number[];
}

function model(kind: string, label: string, nodes: onnx.INodeProto[], inputs: readonly Io[], outputs: readonly Io[]): MicroModel {
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'ridgepoint-calibrate',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: kind,
      node: nodes,
      input: inputs.map((i) => valueInfo(i.name, i.dtype, i.shape)),
      output: outputs.map((o) => valueInfo(o.name, o.dtype, o.shape)),
    },
  });
  return { kind, label, bytes: onnx.ModelProto.encode(proto).finish(), inputs: inputs.map((i) => ({ name: i.name, dtype: DTYPE_NAME[i.dtype], shape: i.shape })) };
}

/** One square MatMul (MatMulInteger for int8: uint8 × int8 → int32). */
export function matmulModel(dtype: number, n: number): MicroModel {
  const integer = dtype === INT8;
  const a: Io = { name: 'A', dtype: integer ? UINT8 : dtype, shape: [n, n] };
  const b: Io = { name: 'B', dtype, shape: [n, n] };
  const y: Io = { name: 'Y', dtype: integer ? onnx.TensorProto.DataType.INT32 : dtype, shape: [n, n] };
  const op = integer ? 'MatMulInteger' : 'MatMul';
  return model(`matmul-${DTYPE_NAME[dtype]}`, `${op} ${n}×${n}×${n} ${DTYPE_NAME[dtype]}`, [{ name: 'mm', opType: op, input: ['A', 'B'], output: ['Y'] }], [a, b], [y]);
}

/**
 * A chain of `count` binary elementwise nodes over `elements` floats: x_{i+1} = op(x_i, y). Large
 * tensors (far beyond the last-level cache) measure DRAM bandwidth; tiny ones the per-kernel overhead;
 * cache-resident ones the vector rate.
 */
export function elementwiseChain(kind: string, opType: string, elements: number, count: number): MicroModel {
  const shape = [elements];
  const nodes: onnx.INodeProto[] = [];
  for (let i = 0; i < count; i++) nodes.push({ name: `${opType.toLowerCase()}${i}`, opType, input: [i === 0 ? 'X' : `t${i}`, 'Y'], output: [i === count - 1 ? 'Z' : `t${i + 1}`] });
  return model(kind, `${count} × ${opType} over ${elements.toLocaleString('en-US')} floats`, nodes, [{ name: 'X', dtype: FLOAT, shape }, { name: 'Y', dtype: FLOAT, shape }], [{ name: 'Z', dtype: FLOAT, shape }]);
}

/** A chain of unary nodes (Softmax over the last axis, Tanh, …) over a [rows, cols] float tensor. */
export function unaryChain(kind: string, opType: string, rows: number, cols: number, count: number): MicroModel {
  const shape = [rows, cols];
  const nodes: onnx.INodeProto[] = [];
  for (let i = 0; i < count; i++) nodes.push({ name: `${opType.toLowerCase()}${i}`, opType, input: [i === 0 ? 'X' : `t${i}`], output: [i === count - 1 ? 'Z' : `t${i + 1}`] });
  return model(kind, `${count} × ${opType} over ${rows}×${cols} floats`, nodes, [{ name: 'X', dtype: FLOAT, shape }], [{ name: 'Z', dtype: FLOAT, shape }]);
}
