import { onnx } from 'onnx-proto';
import * as protobuf from 'protobufjs/minimal';

/**
 * Schema extension for onnx-proto.
 *
 * onnx-proto 8.0.1 is generated from ONNX 1.10.2 and skips fields that later ONNX versions added.
 * Real exports use them, so this module teaches the generated decoders the missing fields. The table
 * below is the difference between onnx.proto at v1.10.2 and at main
 * (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto); data types 17–26 need no decoder change
 * (they are plain enum integers) and are named in `ir/dtype.ts`.
 *
 * The generated decoders call each other through the shared `$root.onnx` namespace, so wrapping a
 * message's `decode` also takes effect for that message wherever it is nested.
 */
interface ExtensionField {
  readonly message: 'NodeProto' | 'GraphProto' | 'FunctionProto' | 'TensorProto';
  readonly id: number;
  /** Property name set on the decoded message (camelCase, as protobufjs would generate it). */
  readonly property: string;
  readonly type: 'string' | 'StringStringEntryProto' | 'AttributeProto' | 'ValueInfoProto';
  readonly repeated: boolean;
}

export const EXTENSION_FIELDS: readonly ExtensionField[] = [
  { message: 'NodeProto', id: 8, property: 'overload', type: 'string', repeated: false },
  { message: 'NodeProto', id: 9, property: 'metadataProps', type: 'StringStringEntryProto', repeated: true },
  { message: 'GraphProto', id: 16, property: 'metadataProps', type: 'StringStringEntryProto', repeated: true },
  { message: 'FunctionProto', id: 11, property: 'attributeProto', type: 'AttributeProto', repeated: true },
  { message: 'FunctionProto', id: 12, property: 'valueInfo', type: 'ValueInfoProto', repeated: true },
  { message: 'FunctionProto', id: 13, property: 'overload', type: 'string', repeated: false },
  { message: 'FunctionProto', id: 14, property: 'metadataProps', type: 'StringStringEntryProto', repeated: true },
  { message: 'TensorProto', id: 16, property: 'metadataProps', type: 'StringStringEntryProto', repeated: true },
];

/** Decoded-message shapes with the extension fields, for the converters. */
export interface ExtendedNodeProto extends onnx.INodeProto {
  overload?: string;
  metadataProps?: onnx.IStringStringEntryProto[];
}
export interface ExtendedGraphProto extends onnx.IGraphProto {
  metadataProps?: onnx.IStringStringEntryProto[];
}
export interface ExtendedFunctionProto extends onnx.IFunctionProto {
  attributeProto?: onnx.IAttributeProto[];
  valueInfo?: onnx.IValueInfoProto[];
  overload?: string;
  metadataProps?: onnx.IStringStringEntryProto[];
}

type Decoder = (reader: protobuf.Reader | Uint8Array, length?: number) => object;

let installed = false;

/** onnx-proto's generated type for a message named in EXTENSION_FIELDS (all exist in ONNX 1.10). */
function messageType(message: string): { decode: Decoder } {
  const type = (onnx as unknown as Record<string, { decode: Decoder } | undefined>)[message];
  if (type === undefined) throw new Error(`internal error: onnx-proto has no message ${message}`);
  return type;
}

/** Installs the extension once; idempotent. */
export function installProtoExtension(): void {
  if (installed) return;
  installed = true;
  const byMessage = new Map<string, ExtensionField[]>();
  for (const field of EXTENSION_FIELDS) {
    const list = byMessage.get(field.message) ?? [];
    list.push(field);
    byMessage.set(field.message, list);
  }
  for (const [message, fields] of byMessage) {
    const type = messageType(message);
    const original = type.decode;
    const byId = new Map(fields.map((f) => [f.id, f]));
    type.decode = function decodeExtended(input: protobuf.Reader | Uint8Array, length?: number): object {
      const reader = input instanceof protobuf.Reader ? input : protobuf.Reader.create(input);
      const start = reader.pos;
      const end = length === undefined ? reader.len : reader.pos + length;
      const decoded = original.call(type, reader, length) as Record<string, unknown>;
      // Second pass over the same bytes, picking up only the fields the generated code skipped.
      const rescan = protobuf.Reader.create(reader.buf);
      rescan.pos = start;
      rescan.len = end;
      while (rescan.pos < end) {
        const tag = rescan.uint32();
        const field = byId.get(tag >>> 3);
        if (field === undefined || (tag & 7) !== 2) {
          rescan.skipType(tag & 7);
          continue;
        }
        const value = field.type === 'string' ? rescan.string() : messageType(field.type).decode(rescan, rescan.uint32());
        if (field.repeated) {
          const list = (decoded[field.property] as unknown[] | undefined) ?? [];
          list.push(value);
          decoded[field.property] = list;
        } else {
          decoded[field.property] = value;
        }
      }
      return decoded;
    };
  }
}
