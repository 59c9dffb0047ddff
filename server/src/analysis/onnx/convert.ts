import { ModelFormatError } from '../diagnostics';
import { sym } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { Attribute, AttributeValue, FunctionDef, Graph, Node, normaliseDomain, ValueInfo } from '../ir/graph';
import { TensorData, TensorInfo } from '../ir/tensor';
import { ValueType } from '../ir/types';
import { onnx } from './proto/onnx-decode';
import { MAX_GRAPH_DEPTH } from './read-context';

/**
 * Converters from decoded protobuf messages (the generated decoders in proto/) to the IR. They take
 * the messages' property shapes, so the wire walk can also hand them messages it assembled itself.
 */

type NodeMessage = onnx.NodeProto.$Properties;
type AttributeMessage = onnx.AttributeProto.$Properties;
type TensorMessage = onnx.TensorProto.$Properties;
type SparseTensorMessage = onnx.SparseTensorProto.$Properties;
type GraphMessage = onnx.GraphProto.$Properties;
type ValueInfoMessage = onnx.ValueInfoProto.$Properties;
type TypeMessage = onnx.TypeProto.$Properties;
type FunctionMessage = onnx.FunctionProto.$Properties;
type StringStringEntryMessage = onnx.StringStringEntryProto.$Properties;

/** int64 fields decode as numbers or as Long objects (protobufjs uses Long when the `long` package loads). */
interface LongLike {
  toNumber(): number;
}

export function toNumber(value: number | LongLike | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

const utf8 = new TextDecoder();

function bytesToString(bytes: Uint8Array | null | undefined): string {
  return bytes ? utf8.decode(bytes) : '';
}

function metadataMap(entries: StringStringEntryMessage[] | null | undefined): Map<string, string> {
  return new Map((entries ?? []).map((e) => [e.key ?? '', e.value ?? '']));
}

export function convertNode(proto: NodeMessage, depth: number, offset?: number): Node {
  const attributes = new Map<string, AttributeValue>();
  for (const a of proto.attribute ?? []) {
    const attribute = convertAttribute(a, depth);
    attributes.set(attribute.name, attribute.value);
  }
  return {
    name: proto.name ?? '',
    opType: proto.opType ?? '',
    domain: normaliseDomain(proto.domain),
    overload: proto.overload ?? '',
    inputs: proto.input ?? [],
    outputs: proto.output ?? [],
    attributes,
    docString: proto.docString ?? '',
    metadata: metadataMap(proto.metadataProps),
    fileOffset: offset,
  };
}

export function convertAttribute(proto: AttributeMessage, depth: number): Attribute {
  const name = proto.name ?? '';
  if (proto.refAttrName) return { name, value: { type: 'ref', value: proto.refAttrName } };
  const T = onnx.AttributeProto.AttributeType;
  // IR version 1 attributes carry no type: infer it from whichever field is set.
  let type = proto.type ?? 0;
  if (type === 0) {
    if (proto.floats?.length) type = T.FLOATS;
    else if (proto.ints?.length) type = T.INTS;
    else if (proto.strings?.length) type = T.STRINGS;
    else if (proto.tensors?.length) type = T.TENSORS;
    else if (proto.graphs?.length) type = T.GRAPHS;
    else if (proto.t) type = T.TENSOR;
    else if (proto.g) type = T.GRAPH;
    else if (proto.s?.length) type = T.STRING;
    else if (proto.i !== undefined && proto.i !== null && toNumber(proto.i) !== 0) type = T.INT;
    else if (proto.f) type = T.FLOAT;
    else type = T.INT;
  }
  let value: AttributeValue;
  switch (type) {
    case T.FLOAT:
      value = { type: 'float', value: proto.f ?? 0 };
      break;
    case T.INT:
      value = { type: 'int', value: toNumber(proto.i) };
      break;
    case T.STRING:
      value = { type: 'string', value: bytesToString(proto.s) };
      break;
    case T.TENSOR:
      value = { type: 'tensor', value: convertTensor(proto.t ?? {}) };
      break;
    case T.GRAPH:
      value = { type: 'graph', value: convertGraph(proto.g ?? {}, depth + 1) };
      break;
    case T.SPARSE_TENSOR:
      value = { type: 'sparseTensor', value: convertSparse(proto.sparseTensor ?? {}) };
      break;
    case T.TYPE_PROTO:
      value = { type: 'typeProto', value: proto.tp ? convertType(proto.tp) : null };
      break;
    case T.FLOATS:
      value = { type: 'floats', value: proto.floats ?? [] };
      break;
    case T.INTS:
      value = { type: 'ints', value: (proto.ints ?? []).map(toNumber) };
      break;
    case T.STRINGS:
      value = { type: 'strings', value: (proto.strings ?? []).map(bytesToString) };
      break;
    case T.TENSORS:
      value = { type: 'tensors', value: (proto.tensors ?? []).map(convertTensor) };
      break;
    case T.GRAPHS:
      value = { type: 'graphs', value: (proto.graphs ?? []).map((g) => convertGraph(g, depth + 1)) };
      break;
    case T.TYPE_PROTOS:
      value = { type: 'typeProtos', value: (proto.typeProtos ?? []).map(convertType) };
      break;
    default:
      value = { type: 'undefined', value: null };
  }
  return { name, value };
}

function convertTensor(proto: TensorMessage): TensorInfo {
  const dims = (proto.dims ?? []).map(toNumber);
  const dtype = (proto.dataType ?? 0) as DataType;
  const name = proto.name ?? '';
  let data: TensorData = { kind: 'empty' };
  if (proto.dataLocation === 1) {
    const entries = metadataMap(proto.externalData);
    data = { kind: 'external', location: entries.get('location') ?? '', offset: Number(entries.get('offset') ?? '0') || 0, length: entries.has('length') ? Number(entries.get('length')) : null };
  } else if (proto.rawData && proto.rawData.length > 0) data = { kind: 'bytes', bytes: proto.rawData };
  else if (proto.floatData?.length) data = { kind: 'numbers', values: proto.floatData };
  else if (proto.int32Data?.length) data = { kind: 'numbers', values: proto.int32Data };
  else if (proto.int64Data?.length) data = { kind: 'numbers', values: proto.int64Data.map(toNumber) };
  else if (proto.doubleData?.length) data = { kind: 'numbers', values: proto.doubleData };
  else if (proto.uint64Data?.length) data = { kind: 'numbers', values: proto.uint64Data.map(toNumber) };
  else if (proto.stringData?.length) data = { kind: 'strings', values: proto.stringData.map(bytesToString) };
  return { name, dtype, dims, data };
}

function convertSparse(proto: SparseTensorMessage): TensorInfo {
  const values = convertTensor(proto.values ?? {});
  return { ...values, dims: (proto.dims ?? []).map(toNumber) };
}

function convertGraph(proto: GraphMessage, depth: number): Graph {
  if (depth > MAX_GRAPH_DEPTH) {
    throw new ModelFormatError(`subgraphs are nested more than ${MAX_GRAPH_DEPTH} deep; refusing to read further`, 'onnx.too-deep');
  }
  return {
    name: proto.name ?? '',
    nodes: (proto.node ?? []).map((n) => convertNode(n, depth)),
    inputs: (proto.input ?? []).map(convertValueInfo),
    outputs: (proto.output ?? []).map(convertValueInfo),
    valueInfo: (proto.valueInfo ?? []).map(convertValueInfo),
    initializers: (proto.initializer ?? []).map(convertTensor),
    sparseInitializers: (proto.sparseInitializer ?? []).map(convertSparse),
    metadata: metadataMap(proto.metadataProps),
  };
}

export function convertValueInfo(proto: ValueInfoMessage): ValueInfo {
  return { name: proto.name ?? '', type: proto.type ? convertType(proto.type) : null, docString: proto.docString ?? '' };
}

export function convertType(proto: TypeMessage): ValueType | null {
  if (proto.tensorType || proto.sparseTensorType) {
    const t = (proto.tensorType ?? proto.sparseTensorType)!;
    // A dim is a oneof: dim_param (symbolic) or dim_value; neither set means an unnamed unknown dim.
    const shape = t.shape
      ? (t.shape.dim ?? []).map((d) => {
          if (d.dimParam) return sym(d.dimParam);
          if (Object.prototype.hasOwnProperty.call(d, 'dimValue')) return toNumber(d.dimValue);
          return null;
        })
      : null;
    const elem = t.elemType ? (t.elemType as DataType) : null;
    return { kind: 'tensor', dtype: elem, shape, sparse: proto.sparseTensorType ? true : undefined };
  }
  if (proto.sequenceType) return { kind: 'sequence', elem: proto.sequenceType.elemType ? convertType(proto.sequenceType.elemType) : null };
  if (proto.optionalType) return { kind: 'optional', elem: proto.optionalType.elemType ? convertType(proto.optionalType.elemType) : null };
  if (proto.mapType) return { kind: 'map', keyType: (proto.mapType.keyType ?? 0) as DataType, valueType: proto.mapType.valueType ? convertType(proto.mapType.valueType) : null };
  return null;
}

export function convertFunction(proto: FunctionMessage, offset: number): FunctionDef {
  const defaults = new Map<string, AttributeValue>();
  for (const a of proto.attributeProto ?? []) {
    const attribute = convertAttribute(a, 0);
    defaults.set(attribute.name, attribute.value);
  }
  return {
    name: proto.name ?? '',
    domain: normaliseDomain(proto.domain),
    overload: proto.overload ?? '',
    inputs: proto.input ?? [],
    outputs: proto.output ?? [],
    attributes: [...(proto.attribute ?? []), ...defaults.keys()],
    attributeDefaults: defaults,
    nodes: (proto.node ?? []).map((n) => convertNode(n, 1, offset)),
    opsets: new Map((proto.opsetImport ?? []).map((o) => [normaliseDomain(o.domain), toNumber(o.version)])),
    valueInfo: (proto.valueInfo ?? []).map(convertValueInfo),
  };
}
