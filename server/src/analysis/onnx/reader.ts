import { onnx } from 'onnx-proto';
import { Diagnostic, ModelFormatError } from '../diagnostics';
import { sym } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { Attribute, AttributeValue, FunctionDef, Graph, Model, Node, normaliseDomain, ValueInfo } from '../ir/graph';
import { TensorData, TensorInfo } from '../ir/tensor';
import { ValueType } from '../ir/types';
import { ByteSource } from './byte-source';
import { ExtendedFunctionProto, ExtendedGraphProto, ExtendedNodeProto, installProtoExtension } from './proto-extension';
import { sniffModel } from './sniff';
import { viewOf, WireCursor, WireType } from './wire';

/**
 * Reads an ONNX ModelProto from a ByteSource without reading weight payloads.
 *
 * The outer messages (ModelProto → GraphProto → TensorProto) are walked with a wire cursor so that
 * `raw_data` and large typed fields are recorded as byte ranges and skipped. Everything that carries
 * graph structure and is small (nodes, value infos, opsets, functions) is decoded by onnx-proto, with
 * the schema extension for fields added after ONNX 1.10. Nodes that are themselves large (a Constant
 * with a big inline tensor, an If whose branches hold weights) are walked lazily too.
 *
 * Reading never throws on bad input: a format error ends the walk of the message it occurs in, is
 * reported with its byte offset, and whatever was read before it is kept.
 */

/** Nodes up to this size are decoded by onnx-proto in one go; larger ones are walked lazily. */
const PROTO_DECODE_LIMIT = 1 << 20;
/** Payloads up to this size are read into memory (they may be shape constants). */
const INLINE_PAYLOAD_LIMIT = 4096;
/** Read-ahead of the model and graph walks: enough for many small fields, little of any payload. */
const STRUCTURE_READ_AHEAD = 4096;
/** Read-ahead inside TensorProto headers, so walking them barely touches the payload after them. */
const TENSOR_READ_AHEAD = 256;
/** Deepest nesting of subgraphs (If/Loop/Scan bodies) accepted. */
export const MAX_GRAPH_DEPTH = 64;

export interface ReadResult {
  readonly model: Model | null;
  readonly diagnostics: Diagnostic[];
}

interface ReadContext {
  readonly source: ByteSource;
  readonly diagnostics: Diagnostic[];
}

export function readModel(source: ByteSource): ReadResult {
  installProtoExtension();
  const diagnostics: Diagnostic[] = [];
  const sniff = sniffModel(source);
  if (!sniff.ok) {
    diagnostics.push({ severity: 'error', code: 'onnx.not-onnx', message: sniff.reason, location: { offset: 0 } });
    return { model: null, diagnostics };
  }
  const ctx: ReadContext = { source, diagnostics };
  try {
    return { model: walkModel(ctx, new WireCursor(source, 0, source.size, STRUCTURE_READ_AHEAD)), diagnostics };
  } catch (error) {
    diagnostics.push(toDiagnostic(error, 0));
    return { model: null, diagnostics };
  }
}

export function toDiagnostic(error: unknown, fallbackOffset: number | undefined): Diagnostic {
  if (error instanceof ModelFormatError) {
    return { severity: 'error', code: error.code, message: error.message, location: error.offset === undefined ? undefined : { offset: error.offset } };
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return { severity: 'error', code: 'onnx.too-deep', message: `model structure is nested too deeply to read (near byte ${fallbackOffset ?? 0})`, location: { offset: fallbackOffset } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { severity: 'error', code: 'onnx.malformed', message: `malformed protobuf near byte ${fallbackOffset ?? 0}: ${message}`, location: { offset: fallbackOffset } };
}

function walkModel(ctx: ReadContext, cur: WireCursor): Model {
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  let domain = '';
  let modelVersion = 0;
  let docString = '';
  let graph: Graph | null = null;
  const opsets = new Map<string, number>();
  const metadata = new Map<string, string>();
  const functions: FunctionDef[] = [];
  let sawOpsetImport = false;
  try {
    while (!cur.done) {
      const at = cur.pos;
      const { field, wireType } = cur.tag();
      if (wireType !== expectedModelWireType(field) && expectedModelWireType(field) !== undefined) {
        throw new ModelFormatError(`ModelProto field ${field} has wire type ${wireType}, expected ${expectedModelWireType(field)}, at byte ${at}: not an ONNX model or corrupt`, 'onnx.malformed', at);
      }
      switch (field) {
        case 1:
          irVersion = cur.varint();
          break;
        case 2:
          producerName = cur.string(cur.length());
          break;
        case 3:
          producerVersion = cur.string(cur.length());
          break;
        case 4:
          domain = cur.string(cur.length());
          break;
        case 5:
          modelVersion = cur.varint();
          break;
        case 6:
          docString = cur.string(cur.length());
          break;
        case 7: {
          // A truncated file usually ends inside the graph: walk what is there instead of giving up.
          const at = cur.pos;
          const declared = cur.varint();
          const available = cur.end - cur.pos;
          if (declared > available) {
            ctx.diagnostics.push({ severity: 'error', code: 'onnx.truncated', message: `file is truncated: the graph is declared as ${declared} bytes at byte ${at}, but only ${available} remain; reading what is there`, location: { offset: at } });
          }
          const sub = cur.sub(Math.min(declared, available), STRUCTURE_READ_AHEAD);
          graph = walkGraph(ctx, sub, 0, 'main');
          cur.pos = sub.end;
          break;
        }
        case 8: {
          const bytes = cur.bytes(cur.length());
          const opset = onnx.OperatorSetIdProto.decode(bytes);
          opsets.set(normaliseDomain(opset.domain), toNumber(opset.version));
          sawOpsetImport = true;
          break;
        }
        case 14: {
          const entry = onnx.StringStringEntryProto.decode(cur.bytes(cur.length()));
          metadata.set(entry.key, entry.value);
          break;
        }
        case 25: {
          const offset = cur.pos;
          const len = cur.length();
          const bytes = cur.bytes(len);
          try {
            functions.push(convertFunction(onnx.FunctionProto.decode(bytes) as ExtendedFunctionProto, offset));
          } catch (error) {
            ctx.diagnostics.push(toDiagnostic(error, offset));
          }
          break;
        }
        default:
          cur.skip(wireType);
      }
    }
  } catch (error) {
    ctx.diagnostics.push(toDiagnostic(error, cur.pos));
  }
  if (graph === null) {
    throw new ModelFormatError('the file holds no graph (ModelProto.graph is missing): not an ONNX model, or truncated before the graph', 'onnx.no-graph', 0);
  }
  if (!sawOpsetImport) {
    // IR version 1–2 models may omit opset_import; ONNX treats that as opset 1 of the default domain.
    opsets.set('', 1);
    ctx.diagnostics.push({ severity: 'info', code: 'onnx.no-opset', message: 'the model declares no opset_import; assuming ai.onnx opset 1 (IR version 1 convention)' });
  }
  return { irVersion, opsets, producerName, producerVersion, domain, modelVersion, docString, graph, functions, metadata };
}

function expectedModelWireType(field: number): WireType | undefined {
  switch (field) {
    case 1:
    case 5:
      return WireType.Varint;
    case 2:
    case 3:
    case 4:
    case 6:
    case 7:
    case 8:
    case 14:
    case 20:
    case 25:
      return WireType.LengthDelimited;
    default:
      return undefined;
  }
}

function walkGraph(ctx: ReadContext, cur: WireCursor, depth: number, where: string): Graph {
  if (depth > MAX_GRAPH_DEPTH) {
    throw new ModelFormatError(`subgraphs are nested more than ${MAX_GRAPH_DEPTH} deep (at ${where}); refusing to read further`, 'onnx.too-deep', cur.pos);
  }
  let name = '';
  const nodes: Node[] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const valueInfo: ValueInfo[] = [];
  const initializers: TensorInfo[] = [];
  const sparseInitializers: TensorInfo[] = [];
  const metadata = new Map<string, string>();
  try {
    while (!cur.done) {
      const { field, wireType } = cur.tag();
      if (wireType !== WireType.LengthDelimited) {
        cur.skip(wireType);
        continue;
      }
      const offset = cur.pos;
      const len = cur.length();
      const sub = cur.sub(len);
      switch (field) {
        case 1: {
          // A node that fails to decode is dropped with a located diagnostic; its neighbours are kept.
          try {
            nodes.push(readNode(ctx, sub, depth, offset));
          } catch (error) {
            ctx.diagnostics.push(toDiagnostic(error, offset));
          }
          break;
        }
        case 2:
          name = sub.string(len);
          break;
        case 5:
          initializers.push(walkTensor(ctx, cur.sub(len, TENSOR_READ_AHEAD), offset));
          break;
        case 15:
          sparseInitializers.push(walkSparseTensor(ctx, cur.sub(len, TENSOR_READ_AHEAD), offset));
          break;
        case 11:
        case 12:
        case 13: {
          const info = convertValueInfo(onnx.ValueInfoProto.decode(sub.bytes(len)));
          (field === 11 ? inputs : field === 12 ? outputs : valueInfo).push(info);
          break;
        }
        case 16: {
          const entry = onnx.StringStringEntryProto.decode(sub.bytes(len));
          metadata.set(entry.key, entry.value);
          break;
        }
        default:
          break;
      }
      cur.pos = sub.end;
    }
  } catch (error) {
    if (error instanceof ModelFormatError && error.code === 'onnx.too-deep') throw error;
    ctx.diagnostics.push(toDiagnostic(error, cur.pos));
  }
  return { name, nodes, inputs, outputs, valueInfo, initializers, sparseInitializers, metadata };
}

function readNode(ctx: ReadContext, cur: WireCursor, depth: number, offset: number): Node {
  const len = cur.end - cur.pos;
  if (len <= PROTO_DECODE_LIMIT) {
    const proto = onnx.NodeProto.decode(cur.bytes(len)) as ExtendedNodeProto;
    return convertNode(proto, depth, offset);
  }
  return walkNode(ctx, cur, depth, offset);
}

function walkNode(ctx: ReadContext, cur: WireCursor, depth: number, offset: number): Node {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  let overload = '';
  let docString = '';
  const attributes = new Map<string, AttributeValue>();
  const metadata = new Map<string, string>();
  while (!cur.done) {
    const { field, wireType } = cur.tag();
    if (wireType !== WireType.LengthDelimited) {
      cur.skip(wireType);
      continue;
    }
    const len = cur.length();
    switch (field) {
      case 1:
        inputs.push(cur.string(len));
        break;
      case 2:
        outputs.push(cur.string(len));
        break;
      case 3:
        name = cur.string(len);
        break;
      case 4:
        opType = cur.string(len);
        break;
      case 7:
        domain = cur.string(len);
        break;
      case 8:
        overload = cur.string(len);
        break;
      case 6:
        docString = cur.string(len);
        break;
      case 9: {
        const entry = onnx.StringStringEntryProto.decode(cur.bytes(len));
        metadata.set(entry.key, entry.value);
        break;
      }
      case 5: {
        const sub = cur.sub(len);
        const attribute = len <= PROTO_DECODE_LIMIT ? convertAttribute(onnx.AttributeProto.decode(sub.bytes(len)), depth) : walkAttribute(ctx, sub, depth);
        attributes.set(attribute.name, attribute.value);
        cur.pos = sub.end;
        break;
      }
      default:
        cur.skipBytes(len);
    }
  }
  return { name, opType, domain: normaliseDomain(domain), overload, inputs, outputs, attributes, docString, metadata, fileOffset: offset };
}

function walkAttribute(ctx: ReadContext, cur: WireCursor, depth: number): Attribute {
  let name = '';
  let ref = '';
  let type = 0;
  const scalars: { f?: number; i?: number; s?: string; t?: TensorInfo; g?: Graph; tp?: ValueType | null } = {};
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  const tensors: TensorInfo[] = [];
  const graphs: Graph[] = [];
  while (!cur.done) {
    const { field, wireType } = cur.tag();
    const at = cur.pos;
    switch (field) {
      case 1:
        name = cur.string(cur.length());
        break;
      case 21:
        ref = cur.string(cur.length());
        break;
      case 20:
        type = cur.varint();
        break;
      case 2:
        scalars.f = viewOf(cur.fixed32()).getFloat32(0, true);
        break;
      case 3:
        scalars.i = cur.varint();
        break;
      case 4:
        scalars.s = cur.string(cur.length());
        break;
      case 5: {
        const sub = cur.sub(cur.length());
        scalars.t = walkTensor(ctx, sub, at);
        cur.pos = sub.end;
        break;
      }
      case 10: {
        const sub = cur.sub(cur.length());
        tensors.push(walkTensor(ctx, sub, at));
        cur.pos = sub.end;
        break;
      }
      case 6:
      case 11: {
        const sub = cur.sub(cur.length());
        const graph = walkGraph(ctx, sub, depth + 1, `attribute ${name}`);
        if (field === 6) scalars.g = graph;
        else graphs.push(graph);
        cur.pos = sub.end;
        break;
      }
      case 7:
        if (wireType === WireType.LengthDelimited) {
          const len = cur.length();
          const end = cur.pos + len;
          while (cur.pos < end) floats.push(viewOf(cur.fixed32()).getFloat32(0, true));
        } else floats.push(viewOf(cur.fixed32()).getFloat32(0, true));
        break;
      case 8:
        cur.varints(wireType, ints);
        break;
      case 9:
        strings.push(cur.string(cur.length()));
        break;
      case 14:
        scalars.tp = convertType(onnx.TypeProto.decode(cur.bytes(cur.length())));
        break;
      default:
        cur.skip(wireType);
    }
  }
  const proto: onnx.IAttributeProto = { name, refAttrName: ref, type, f: scalars.f, i: scalars.i, floats, ints };
  if (ref) return { name, value: { type: 'ref', value: ref } };
  if (scalars.t) return { name, value: { type: 'tensor', value: scalars.t } };
  if (scalars.g) return { name, value: { type: 'graph', value: scalars.g } };
  if (tensors.length) return { name, value: { type: 'tensors', value: tensors } };
  if (graphs.length) return { name, value: { type: 'graphs', value: graphs } };
  if (strings.length) return { name, value: { type: 'strings', value: strings } };
  if (scalars.s !== undefined) return { name, value: { type: 'string', value: scalars.s } };
  if (scalars.tp !== undefined) return { name, value: { type: 'typeProto', value: scalars.tp } };
  return convertAttribute(proto, depth);
}

/** Walks a TensorProto, recording where its payload lies instead of reading it. */
function walkTensor(ctx: ReadContext, cur: WireCursor, offset: number): TensorInfo {
  const dims: number[] = [];
  let dtype = 0;
  let name = '';
  let data: TensorData = { kind: 'empty' };
  let dataLocation = 0;
  const external = new Map<string, string>();
  const numbers: number[] = [];
  const strings: string[] = [];
  while (!cur.done) {
    const { field, wireType } = cur.tag();
    switch (field) {
      case 1:
        cur.varints(wireType, dims);
        break;
      case 2:
        dtype = cur.varint();
        break;
      case 8:
        name = cur.string(cur.length());
        break;
      case 9: {
        const len = cur.length();
        if (len <= INLINE_PAYLOAD_LIMIT) data = { kind: 'bytes', bytes: cur.bytes(len).slice() };
        else {
          data = { kind: 'range', offset: cur.pos, length: len };
          cur.skipBytes(len);
        }
        break;
      }
      case 4:
      case 5:
      case 7:
      case 10:
      case 11: {
        if (wireType === WireType.LengthDelimited) {
          const len = cur.length();
          if (len > INLINE_PAYLOAD_LIMIT) {
            data = { kind: 'fieldRange', field, offset: cur.pos, length: len };
            cur.skipBytes(len);
            break;
          }
          const end = cur.pos + len;
          while (cur.pos < end) numbers.push(readScalar(cur, field));
        } else {
          numbers.push(readScalar(cur, field));
        }
        data = { kind: 'numbers', values: numbers };
        break;
      }
      case 6:
        strings.push(cur.string(cur.length()));
        data = { kind: 'strings', values: strings };
        break;
      case 13: {
        const entry = onnx.StringStringEntryProto.decode(cur.bytes(cur.length()));
        external.set(entry.key, entry.value);
        break;
      }
      case 14:
        dataLocation = cur.varint();
        break;
      default:
        cur.skip(wireType);
    }
  }
  if (dataLocation === 1) data = externalData(ctx, name, external, offset);
  return { name, dtype: dtype as DataType, dims, data, fileOffset: offset };
}

function readScalar(cur: WireCursor, field: number): number {
  if (field === 4) return viewOf(cur.bytes(4)).getFloat32(0, true);
  if (field === 10) return viewOf(cur.bytes(8)).getFloat64(0, true);
  return cur.varint();
}

function walkSparseTensor(ctx: ReadContext, cur: WireCursor, offset: number): TensorInfo {
  let values: TensorInfo | undefined;
  const dims: number[] = [];
  while (!cur.done) {
    const { field, wireType } = cur.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      const sub = cur.sub(cur.length());
      values = walkTensor(ctx, sub, offset);
      cur.pos = sub.end;
    } else if (field === 3) cur.varints(wireType, dims);
    else cur.skip(wireType);
  }
  return { name: values?.name ?? '', dtype: values?.dtype ?? DataType.UNDEFINED, dims, data: values?.data ?? { kind: 'empty' }, fileOffset: offset };
}

function externalData(ctx: ReadContext, name: string, entries: ReadonlyMap<string, string>, offset: number): TensorData {
  const location = entries.get('location') ?? '';
  const start = Number(entries.get('offset') ?? '0');
  const lengthText = entries.get('length');
  const length = lengthText === undefined ? null : Number(lengthText);
  if (!location || !Number.isFinite(start) || start < 0 || (length !== null && (!Number.isFinite(length) || length < 0))) {
    ctx.diagnostics.push({ severity: 'warning', code: 'onnx.bad-external-data', message: `tensor "${name}" has an invalid external data entry (location "${location}", offset ${entries.get('offset') ?? '-'}, length ${lengthText ?? '-'})`, location: { offset, value: name } });
  }
  return { kind: 'external', location, offset: Number.isFinite(start) ? start : 0, length: length !== null && Number.isFinite(length) ? length : null };
}

// ---------------------------------------------------------------------------------------------
// Converters from onnx-proto messages to the IR.

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

function metadataMap(entries: onnx.IStringStringEntryProto[] | null | undefined): Map<string, string> {
  return new Map((entries ?? []).map((e) => [e.key ?? '', e.value ?? '']));
}

export function convertNode(proto: ExtendedNodeProto, depth: number, offset?: number): Node {
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

export function convertAttribute(proto: onnx.IAttributeProto, depth: number): Attribute {
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

export function convertTensor(proto: onnx.ITensorProto): TensorInfo {
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

function convertSparse(proto: onnx.ISparseTensorProto): TensorInfo {
  const values = convertTensor(proto.values ?? {});
  return { ...values, dims: (proto.dims ?? []).map(toNumber) };
}

export function convertGraph(proto: ExtendedGraphProto, depth: number): Graph {
  if (depth > MAX_GRAPH_DEPTH) {
    throw new ModelFormatError(`subgraphs are nested more than ${MAX_GRAPH_DEPTH} deep; refusing to read further`, 'onnx.too-deep');
  }
  return {
    name: proto.name ?? '',
    nodes: (proto.node ?? []).map((n) => convertNode(n as ExtendedNodeProto, depth)),
    inputs: (proto.input ?? []).map(convertValueInfo),
    outputs: (proto.output ?? []).map(convertValueInfo),
    valueInfo: (proto.valueInfo ?? []).map(convertValueInfo),
    initializers: (proto.initializer ?? []).map(convertTensor),
    sparseInitializers: (proto.sparseInitializer ?? []).map(convertSparse),
    metadata: metadataMap(proto.metadataProps),
  };
}

export function convertValueInfo(proto: onnx.IValueInfoProto): ValueInfo {
  return { name: proto.name ?? '', type: proto.type ? convertType(proto.type) : null, docString: proto.docString ?? '' };
}

export function convertType(proto: onnx.ITypeProto): ValueType | null {
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

function convertFunction(proto: ExtendedFunctionProto, offset: number): FunctionDef {
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
    nodes: (proto.node ?? []).map((n) => convertNode(n as ExtendedNodeProto, 1, offset)),
    opsets: new Map((proto.opsetImport ?? []).map((o) => [normaliseDomain(o.domain), toNumber(o.version)])),
    valueInfo: (proto.valueInfo ?? []).map(convertValueInfo),
  };
}

/**
 * Reads a standalone TensorProto file (ONNX test data `input_0.pb`), never throwing: returns the
 * tensor, or a diagnostic.
 */
export function readTensorFile(source: ByteSource): { tensor?: TensorInfo; diagnostic?: Diagnostic } {
  const ctx: ReadContext = { source, diagnostics: [] };
  try {
    return { tensor: walkTensor(ctx, new WireCursor(source, 0, source.size), 0) };
  } catch (error) {
    return { diagnostic: toDiagnostic(error, 0) };
  }
}

/** Element tensors of a SequenceProto (field 3, tensor_values) or OptionalProto (field 3, tensor_value). */
export function readTensorContainer(source: ByteSource): { elemType: number; tensors: TensorInfo[]; diagnostic?: Diagnostic } {
  const ctx: ReadContext = { source, diagnostics: [] };
  const tensors: TensorInfo[] = [];
  let elemType = 0;
  try {
    const cur = new WireCursor(source, 0, source.size);
    while (!cur.done) {
      const { field, wireType } = cur.tag();
      if (field === 2 && wireType === WireType.Varint) elemType = cur.varint();
      else if (field === 3 && wireType === WireType.LengthDelimited) {
        const at = cur.pos;
        const sub = cur.sub(cur.length());
        tensors.push(walkTensor(ctx, sub, at));
        cur.pos = sub.end;
      } else cur.skip(wireType);
    }
    return { elemType, tensors };
  } catch (error) {
    return { elemType, tensors, diagnostic: toDiagnostic(error, 0) };
  }
}
