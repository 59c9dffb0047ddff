import { Diagnostic, ModelFormatError } from '../diagnostics';
import { FunctionDef, Graph, Model, normaliseDomain } from '../ir/graph';
import { ByteSource } from './byte-source';
import { convertFunction, toNumber } from './convert';
import { onnx } from './proto/onnx-decode';
import { ReadContext, toDiagnostic } from './read-context';
import { sniffModel } from './sniff';
import { walkGraph } from './walk-graph';
import { WireCursor, WireType } from './wire';

/**
 * Reads an ONNX ModelProto from a ByteSource without reading weight payloads.
 *
 * The outer messages (ModelProto → GraphProto → TensorProto) are walked with a wire cursor (wire.ts)
 * so that `raw_data` and large typed fields are recorded as byte ranges and skipped: this file walks the
 * ModelProto, walk-graph.ts the graphs, nodes and attributes, walk-tensor.ts the tensors. Everything
 * that carries graph structure and is small (nodes, value infos, opsets, functions) is decoded by the
 * decoders generated from ONNX's onnx.proto (proto/, `npm run generate`) and converted to the IR by
 * convert.ts. Nodes that are themselves large (a Constant with a big inline tensor, an If whose
 * branches hold weights) are walked lazily too.
 *
 * Reading never throws on bad input: a format error ends the walk of the message it occurs in, is
 * reported with its byte offset, and whatever was read before it is kept.
 */

/** Read-ahead of the model and graph walks: enough for many small fields, little of any payload. */
const STRUCTURE_READ_AHEAD = 4096;

export interface ReadResult {
  readonly model: Model | null;
  readonly diagnostics: Diagnostic[];
}

export function readModel(source: ByteSource): ReadResult {
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
            functions.push(convertFunction(onnx.FunctionProto.decode(bytes), offset));
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
