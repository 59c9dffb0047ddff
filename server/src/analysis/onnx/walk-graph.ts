import { ModelFormatError } from '../diagnostics';
import { Attribute, AttributeValue, Graph, Node, normaliseDomain, ValueInfo } from '../ir/graph';
import { TensorInfo } from '../ir/tensor';
import { ValueType } from '../ir/types';
import { convertAttribute, convertNode, convertType, convertValueInfo } from './convert';
import { onnx } from './proto/onnx-decode';
import { isDecoderDepthLimit, MAX_GRAPH_DEPTH, ReadContext, toDiagnostic } from './read-context';
import { TENSOR_READ_AHEAD, walkSparseTensor, walkTensor } from './walk-tensor';
import { viewOf, WireCursor, WireType } from './wire';

/**
 * Walks a GraphProto with the wire cursor. Initializers are walked as tensors (payloads recorded as byte
 * ranges, not read); nodes and value infos, which carry the structure and are small, are decoded by the
 * generated decoders and converted. A node that is itself large (a Constant with a big inline tensor,
 * an If whose branches hold weights) is walked field by field too, so its payloads are skipped as well.
 */

/** Nodes up to this size are decoded by the generated decoders in one go; larger ones are walked lazily. */
const PROTO_DECODE_LIMIT = 1 << 20;

export function walkGraph(ctx: ReadContext, cur: WireCursor, depth: number, where: string): Graph {
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
  return decodeOrWalk(
    cur,
    (bytes) => convertNode(onnx.NodeProto.decode(bytes), depth, offset),
    () => walkNode(ctx, cur, depth, offset),
  );
}

/**
 * Decodes a message of up to PROTO_DECODE_LIMIT bytes with the generated decoders; walks it field by
 * field when it is larger, or when its subgraphs nest past the decoders' recursion limit (the walk
 * holds them to MAX_GRAPH_DEPTH instead).
 */
function decodeOrWalk<T>(cur: WireCursor, decode: (bytes: Uint8Array) => T, walk: () => T): T {
  const len = cur.end - cur.pos;
  if (len <= PROTO_DECODE_LIMIT) {
    const start = cur.pos;
    try {
      return decode(cur.bytes(len));
    } catch (error) {
      if (!isDecoderDepthLimit(error)) throw error;
      cur.pos = start;
    }
  }
  return walk();
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
        const attribute = readAttribute(ctx, sub, depth);
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

function readAttribute(ctx: ReadContext, cur: WireCursor, depth: number): Attribute {
  return decodeOrWalk(
    cur,
    (bytes) => convertAttribute(onnx.AttributeProto.decode(bytes), depth),
    () => walkAttribute(ctx, cur, depth),
  );
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
  const proto: onnx.AttributeProto.$Properties = { name, refAttrName: ref, type, f: scalars.f, i: scalars.i, floats, ints };
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
