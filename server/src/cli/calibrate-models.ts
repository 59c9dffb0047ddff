import { onnx } from '../analysis/onnx/proto/onnx-encode';

/**
 * The micro-models `ridgepoint calibrate` runs, built in memory with the encoder generated from onnx.proto (opset 17). Activations
 * are graph inputs, fed random data; weights (GEMM B, conv W and bias, LayerNorm scale and bias) are
 * initializers as in a real model, so ONNX Runtime pre-packs them as it does there. Each is a chain, or
 * parallel nodes reading one input, whose FLOPs and bytes the cost model itself counts, so measured
 * rates are in the cost model's units.
 */

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
export const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
export const INT8 = onnx.TensorProto.DataType.INT8;
export const UINT8 = onnx.TensorProto.DataType.UINT8;

export interface MicroModel {
  /** What it measures: `bandwidth`, `overhead`, `vector`, `matmul-<dtype>`, or a grid family (`gemm`, `conv`, …). */
  readonly kind: string;
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly dtype: string; readonly shape: readonly number[] }>;
  /** Most measured runs worth taking (large kernels: a few runs already give a stable median). */
  readonly maxRuns?: number;
  /** Elementwise sweep: bytes of one tensor (the working-set size the cache levels are read against). */
  readonly tensorBytes?: number;
}

const DTYPE_NAME: Record<number, string> = { [FLOAT]: 'float', [DOUBLE]: 'double', [FLOAT16]: 'float16', [INT8]: 'int8', [UINT8]: 'uint8' };

function valueInfo(name: string, elemType: number, shape: readonly number[]): onnx.ValueInfoProto.$Properties {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

interface Io {
  readonly name: string;
  readonly dtype: number;
  readonly shape: readonly number[];
}

/** A float32 initializer of uniform values in [-scale, scale) (a fixed LCG: calibration models repeat). */
function weight(name: string, shape: readonly number[], scale = 0.1): onnx.TensorProto.$Properties {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  let state = 12345;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = (state / 4294967296 * 2 - 1) * scale;
  }
  return { name, dataType: FLOAT, dims: [...shape], rawData: new Uint8Array(data.buffer) };
}

interface ModelOptions {
  readonly initializers?: onnx.TensorProto.$Properties[];
  readonly maxRuns?: number;
  readonly tensorBytes?: number;
}

function model(kind: string, label: string, nodes: onnx.NodeProto.$Properties[], inputs: readonly Io[], outputs: readonly Io[], options: ModelOptions = {}): MicroModel {
  const proto: onnx.ModelProto.$Properties = {
    irVersion: 8,
    producerName: 'ridgepoint-calibrate',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: kind,
      node: nodes,
      initializer: options.initializers ?? [],
      input: inputs.map((i) => valueInfo(i.name, i.dtype, i.shape)),
      output: outputs.map((o) => valueInfo(o.name, o.dtype, o.shape)),
    },
  };
  return {
    kind,
    label,
    bytes: onnx.ModelProto.encode(proto).finish(),
    inputs: inputs.map((i) => ({ name: i.name, dtype: DTYPE_NAME[i.dtype], shape: i.shape })),
    ...(options.maxRuns !== undefined ? { maxRuns: options.maxRuns } : {}),
    ...(options.tensorBytes !== undefined ? { tensorBytes: options.tensorBytes } : {}),
  };
}

/** One square MatMul with both operands inputs (MatMulInteger for int8: uint8 × int8 → int32): the peak of each dtype. */
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
export function elementwiseChain(kind: string, opType: string, elements: number, count: number, maxRuns?: number): MicroModel {
  const shape = [elements];
  const nodes: onnx.NodeProto.$Properties[] = [];
  for (let i = 0; i < count; i++) nodes.push({ name: `${opType.toLowerCase()}${i}`, opType, input: [i === 0 ? 'X' : `t${i}`, 'Y'], output: [i === count - 1 ? 'Z' : `t${i + 1}`] });
  return model(kind, `${count} × ${opType} over ${elements.toLocaleString('en-US')} floats`, nodes, [{ name: 'X', dtype: FLOAT, shape }, { name: 'Y', dtype: FLOAT, shape }], [{ name: 'Z', dtype: FLOAT, shape }], { maxRuns, tensorBytes: elements * 4 });
}

/** A chain of unary nodes (Softmax over the last axis, Tanh, Relu, …) over a float tensor. */
export function unaryChain(kind: string, opType: string, rows: number, cols: number, count: number, maxRuns?: number): MicroModel {
  const shape = rows === 1 ? [cols] : [rows, cols];
  const nodes: onnx.NodeProto.$Properties[] = [];
  for (let i = 0; i < count; i++) nodes.push({ name: `${opType.toLowerCase()}${i}`, opType, input: [i === 0 ? 'X' : `t${i}`], output: [i === count - 1 ? 'Z' : `t${i + 1}`] });
  const elements = rows * cols;
  return model(kind, `${count} × ${opType} over ${rows === 1 ? elements.toLocaleString('en-US') : `${rows}×${cols}`} floats`, nodes, [{ name: 'X', dtype: FLOAT, shape }], [{ name: 'Z', dtype: FLOAT, shape }], { maxRuns, tensorBytes: elements * 4 });
}

/** A GEMM as a linear layer: A [batch…, m, k] (input) · B [k, n] (initializer) → [batch…, m, n]. */
export function gemmModel(m: number, k: number, n: number): MicroModel {
  return model('gemm', `MatMul ${m}×${k}·${k}×${n}`, [{ name: 'mm', opType: 'MatMul', input: ['A', 'B'], output: ['Y'] }], [{ name: 'A', dtype: FLOAT, shape: [m, k] }], [{ name: 'Y', dtype: FLOAT, shape: [m, n] }], {
    initializers: [weight('B', [k, n])],
    maxRuns: 2 * m * n * k > 1e9 ? 5 : undefined,
  });
}

/** A batched GEMM of two activations, as attention's scores and context: A [b, m, k] · B [b, k, n]. */
export function batchedGemmModel(batch: number, m: number, k: number, n: number): MicroModel {
  return model('gemm', `MatMul ${batch}× ${m}×${k}·${k}×${n} (two activations)`, [{ name: 'mm', opType: 'MatMul', input: ['A', 'B'], output: ['Y'] }], [
    { name: 'A', dtype: FLOAT, shape: [batch, m, k] },
    { name: 'B', dtype: FLOAT, shape: [batch, k, n] },
  ], [{ name: 'Y', dtype: FLOAT, shape: [batch, m, n] }]);
}

export interface ConvSpec {
  readonly cin: number;
  readonly cout: number;
  /** Input height and width (square). */
  readonly size: number;
  readonly kernel: number;
  readonly stride?: number;
  readonly group?: number;
}

/** One Conv with "same" padding, weights and bias as initializers (a folded BatchNorm leaves a bias), batch 1. */
export function convModel(spec: ConvSpec): MicroModel {
  const { cin, cout, size, kernel } = spec;
  const stride = spec.stride ?? 1;
  const group = spec.group ?? 1;
  const pad = kernel >> 1;
  const out = Math.floor((size + 2 * pad - kernel) / stride) + 1;
  const kind = group === 1 ? 'conv' : group === cin && cin === cout ? 'conv-depthwise' : 'conv-grouped';
  const label = `Conv ${kernel}×${kernel}${stride > 1 ? ` /${stride}` : ''} ${cin}→${cout}${group > 1 ? ` groups ${group}` : ''} at ${size}²`;
  const attribute: onnx.AttributeProto.$Properties[] = [
    { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: group },
    { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [kernel, kernel] },
    { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [pad, pad, pad, pad] },
    { name: 'strides', type: onnx.AttributeProto.AttributeType.INTS, ints: [stride, stride] },
  ];
  return model(kind, label, [{ name: 'conv', opType: 'Conv', input: ['X', 'W', 'bias'], output: ['Y'], attribute }], [{ name: 'X', dtype: FLOAT, shape: [1, cin, size, size] }], [{ name: 'Y', dtype: FLOAT, shape: [1, cout, out, out] }], {
    initializers: [weight('W', [cout, cin / group, kernel, kernel]), weight('bias', [cout])],
  });
}

/**
 * `count` parallel nodes that each read X and write their own output (ops whose output shape differs
 * from the input's cannot chain): X stays where the cache level of its size holds it, as an
 * activation read by the next op does in a model.
 */
function fanOut(kind: string, label: string, opType: string, input: Io, outputShape: readonly number[], count: number, extra: { inputs?: string[]; attribute?: onnx.AttributeProto.$Properties[]; initializers?: onnx.TensorProto.$Properties[]; moreInputs?: Io[] } = {}): MicroModel {
  const nodes: onnx.NodeProto.$Properties[] = [];
  const outputs: Io[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push({ name: `${opType.toLowerCase()}${i}`, opType, input: [input.name, ...(extra.inputs ?? [])], output: [`Y${i}`], attribute: extra.attribute ?? [] });
    outputs.push({ name: `Y${i}`, dtype: FLOAT, shape: outputShape });
  }
  const elements = input.shape.reduce((a, b) => a * b, 1);
  return model(kind, `${count} × ${label}`, nodes, [input, ...(extra.moreInputs ?? [])], outputs, { initializers: extra.initializers, tensorBytes: elements * 4 });
}

const ints = (name: string, values: number[]): onnx.AttributeProto.$Properties => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const int = (name: string, value: number): onnx.AttributeProto.$Properties => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });

/** Reductions over the last axis of [rows, cols] (Softmax, LayerNormalization, ReduceMean) or over H×W (GlobalAveragePool of [1, rows, s, s], cols = s²). */
export function reductionModel(opType: 'Softmax' | 'LayerNormalization' | 'ReduceMean' | 'GlobalAveragePool', rows: number, cols: number, count: number): MicroModel {
  if (opType === 'GlobalAveragePool') {
    const side = Math.round(Math.sqrt(cols));
    return fanOut('reduction', `GlobalAveragePool [1, ${rows}, ${side}, ${side}]`, opType, { name: 'X', dtype: FLOAT, shape: [1, rows, side, side] }, [1, rows, 1, 1], count);
  }
  const x: Io = { name: 'X', dtype: FLOAT, shape: [rows, cols] };
  const label = `${opType} [${rows}, ${cols}]`;
  if (opType === 'Softmax') return fanOut('reduction', label, opType, x, [rows, cols], count, { attribute: [int('axis', -1)] });
  if (opType === 'ReduceMean') return fanOut('reduction', label, opType, x, [rows, 1], count, { attribute: [ints('axes', [-1]), int('keepdims', 1)] });
  return fanOut('reduction', label, opType, x, [rows, cols], count, { inputs: ['scale', 'bias'], attribute: [int('axis', -1)], initializers: [weight('scale', [cols]), weight('bias', [cols])] });
}

/**
 * Broadcasting elementwise ops (the `elementwise:broadcast` variant): X [rows, cols] with a [cols]
 * initializer stretched over the rows, as a bias or LayerNorm's γ and β after its reduction.
 */
export function broadcastModel(opType: 'Add' | 'Mul', rows: number, cols: number, count: number): MicroModel {
  return fanOut('elementwise', `${opType} [${rows}, ${cols}] with a [${cols}] operand (broadcast)`, opType, { name: 'X', dtype: FLOAT, shape: [rows, cols] }, [rows, cols], count, {
    inputs: ['B'],
    initializers: [weight('B', [cols])],
  });
}

/** Transpose of a [a, b, c, d] tensor by `perm`, or Concat of two [1, c, s, s] tensors along channels. */
export function transposeModel(shape: readonly number[], perm: readonly number[], count: number): MicroModel {
  const out = perm.map((p) => shape[p]);
  return fanOut('data-movement', `Transpose [${shape.join(', ')}] perm ${perm.join('')}`, 'Transpose', { name: 'X', dtype: FLOAT, shape }, out, count, { attribute: [ints('perm', [...perm])] });
}

export function concatModel(channels: number, side: number, count: number): MicroModel {
  const shape = [1, channels, side, side];
  return fanOut('data-movement', `Concat 2 × [${shape.join(', ')}] on channels`, 'Concat', { name: 'X', dtype: FLOAT, shape }, [1, 2 * channels, side, side], count, {
    inputs: ['X2'],
    attribute: [int('axis', 1)],
    moreInputs: [{ name: 'X2', dtype: FLOAT, shape }],
  });
}

/** Chain length for a tensor size: many nodes while each is short (their median is steadier), two once they take milliseconds. */
function chainLength(tensorBytes: number): number {
  return Math.max(2, Math.min(16, Math.round((8 << 20) / tensorBytes)));
}

/**
 * The calibration grid: the op classes issue 16 names, over shapes from small to large, so the fit
 * sees where each class falls off its roof. Small enough to run in about a minute on one thread.
 */
export function calibrationGrid(): MicroModel[] {
  const grid: MicroModel[] = [];
  // GEMMs: square; skinny (few rows: decode, classifier heads) against large weights; tall and thin
  // (many rows, few columns or a short k); batched products of two activations (attention).
  for (const n of [64, 128, 256, 512, 1024]) grid.push(gemmModel(n, n, n));
  for (const [m, kn] of [[1, 1024], [16, 1024], [1, 4096], [4, 4096], [16, 4096]] as const) grid.push(gemmModel(m, kn, kn));
  for (const [m, k, n] of [[16384, 256, 16], [16384, 256, 64], [16384, 16, 256], [3136, 64, 64]] as const) grid.push(gemmModel(m, k, n));
  grid.push(batchedGemmModel(12, 256, 64, 256), batchedGemmModel(12, 256, 256, 64));
  // Dense convolutions: 3×3 and 1×1 at channel counts and image sizes from a stem to a last stage.
  grid.push(convModel({ cin: 3, cout: 32, size: 224, kernel: 3, stride: 2 }));
  for (const [c, size] of [[16, 112], [64, 56], [128, 28], [256, 14], [512, 7]] as const) grid.push(convModel({ cin: c, cout: c, size, kernel: 3 }));
  for (const [cin, cout, size] of [[16, 96, 112], [144, 24, 56], [64, 256, 56], [256, 64, 56], [256, 1024, 14], [1024, 256, 14], [512, 2048, 7]] as const) grid.push(convModel({ cin, cout, size, kernel: 1 }));
  // Grouped convolutions (ResNeXt, RegNet).
  for (const [c, size, group] of [[128, 56, 8], [256, 28, 8], [256, 28, 32], [512, 14, 32]] as const) grid.push(convModel({ cin: c, cout: c, size, kernel: 3, group }));
  // Depthwise convolutions: 3×3 and 5×5 at stride 1 and 2 (MobileNet, EfficientNet), 7×7 (ConvNeXt).
  for (const [c, size] of [[32, 112], [144, 56], [240, 28], [672, 14]] as const) {
    for (const kernel of [3, 5]) for (const stride of [1, 2]) grid.push(convModel({ cin: c, cout: c, size, kernel, stride, group: c }));
  }
  for (const [c, size] of [[96, 56], [384, 14]] as const) grid.push(convModel({ cin: c, cout: c, size, kernel: 7, group: c }));
  // Elementwise, tensors from 4 KiB to 256 MiB: every cache level and DRAM.
  for (let bytes = 4 << 10; bytes <= 256 << 20; bytes *= 4) {
    const elements = bytes / 4;
    const count = chainLength(bytes);
    const maxRuns = bytes >= 64 << 20 ? 4 : undefined;
    grid.push(elementwiseChain('elementwise', 'Add', elements, count, maxRuns), elementwiseChain('elementwise', 'Mul', elements, count, maxRuns));
    grid.push(unaryChain('elementwise', 'Relu', 1, elements, count, maxRuns), unaryChain('elementwise', 'Sigmoid', 1, elements, count, maxRuns));
  }
  // Broadcasting elementwise ops (a bias over rows): from cache-resident to DRAM.
  for (const [rows, cols] of [[64, 512], [512, 768], [4096, 768], [16384, 1024]] as const) {
    for (const op of ['Add', 'Mul'] as const) grid.push(broadcastModel(op, rows, cols, chainLength(rows * cols * 4)));
  }
  // Reductions at 256 KiB, 4 MiB and 48 MiB.
  for (const [rows, cols] of [[256, 256], [1024, 1024], [16384, 768]] as const) {
    const count = chainLength(rows * cols * 4);
    for (const op of ['Softmax', 'LayerNormalization', 'ReduceMean'] as const) grid.push(reductionModel(op, rows, cols, count));
  }
  for (const [c, side] of [[256, 56], [1280, 7], [2048, 7]] as const) grid.push(reductionModel('GlobalAveragePool', c, side * side, chainLength(c * side * side * 4)));
  // Data movement: attention's head split, NCHW → NHWC, channel concatenation.
  grid.push(transposeModel([1, 197, 12, 64], [0, 2, 1, 3], 8), transposeModel([1, 1024, 16, 64], [0, 2, 1, 3], 4), transposeModel([1, 256, 56, 56], [0, 2, 3, 1], 2));
  grid.push(concatModel(64, 56, 4), concatModel(256, 14, 8));
  return grid;
}
