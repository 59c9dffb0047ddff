import { DataType } from '../ir/dtype';
import { TensorData, TensorInfo } from '../ir/tensor';
import { onnx } from './proto/onnx-decode';
import { ReadContext } from './read-context';
import { viewOf, WireCursor, WireType } from './wire';

/**
 * Walks TensorProto messages with the wire cursor, recording where a payload lies instead of reading
 * it: a weight's bytes are never pulled into memory unless they are small enough to be a shape constant.
 */

/** Payloads up to this size are read into memory (they may be shape constants). */
const INLINE_PAYLOAD_LIMIT = 4096;
/** Read-ahead inside TensorProto headers, so walking them barely touches the payload after them. */
export const TENSOR_READ_AHEAD = 256;

/** Walks a TensorProto, recording where its payload lies instead of reading it. */
export function walkTensor(ctx: ReadContext, cur: WireCursor, offset: number): TensorInfo {
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

/** Walks a SparseTensorProto: its values tensor (field 1) and its dense dims (field 3). */
export function walkSparseTensor(ctx: ReadContext, cur: WireCursor, offset: number): TensorInfo {
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
