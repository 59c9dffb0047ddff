import { DataType, isIntegerType } from '../ir/dtype';
import { ConstValue, elementCount, TensorInfo } from '../ir/tensor';
import { ByteSource } from './byte-source';
import { viewOf, WireCursor, WireType } from './wire';

/** Largest tensor whose values are ever loaded (for shape folding); weights are never loaded. */
export const MAX_LOADED_ELEMENTS = 1 << 16;

/**
 * Decodes a tensor's values when it is small enough to matter for shape folding. Returns undefined for
 * large tensors, external data (never opened by the core) and element types folding does not use.
 */
export function loadTensorValues(tensor: TensorInfo, source: ByteSource | undefined, maxElements = MAX_LOADED_ELEMENTS): ConstValue | undefined {
  const count = elementCount(tensor.dims);
  if (!Number.isFinite(count) || count > maxElements) return undefined;
  const data = tensor.data;
  let values: readonly number[] | readonly string[] | undefined;
  switch (data.kind) {
    case 'empty':
      values = count === 0 ? [] : undefined;
      break;
    case 'bytes':
      values = decodeRaw(tensor.dtype, data.bytes, count);
      break;
    case 'range':
      // Payloads in the file are only read for integer tensors (shape constants, indices): a float
      // tensor big enough to sit out of line is a weight, and weights are never read.
      if (source === undefined || data.length > maxElements * 16 || !isIntegerType(tensor.dtype)) return undefined;
      values = decodeRaw(tensor.dtype, source.read(data.offset, data.length), count);
      break;
    case 'numbers':
      values = decodeTypedField(tensor.dtype, data.values, count);
      break;
    case 'strings':
      values = data.values.length === count ? data.values : undefined;
      break;
    case 'fieldRange': {
      if (source === undefined || data.length > maxElements * 16 || !isIntegerType(tensor.dtype)) return undefined;
      const cursor = new WireCursor(source, data.offset, data.offset + data.length);
      const raw = readPackedField(cursor, data.field, data.length);
      values = raw && decodeTypedField(tensor.dtype, raw, count);
      break;
    }
    case 'external':
      return undefined;
  }
  if (values === undefined || values.length !== count) return undefined;
  return { dtype: tensor.dtype, dims: tensor.dims, data: values };
}

function readPackedField(cursor: WireCursor, field: number, length: number): number[] | undefined {
  const out: number[] = [];
  const end = cursor.pos + length;
  if (field === 4) {
    for (; cursor.pos + 4 <= end; ) out.push(viewOf(cursor.bytes(4)).getFloat32(0, true));
  } else if (field === 10) {
    for (; cursor.pos + 8 <= end; ) out.push(viewOf(cursor.bytes(8)).getFloat64(0, true));
  } else {
    while (cursor.pos < end) out.push(cursor.varint());
  }
  return out;
}


/** int32_data holds 16-bit floats, bools and small ints as their bit patterns; widen them. */
function decodeTypedField(dtype: DataType, values: readonly number[], count: number): number[] | undefined {
  switch (dtype) {
    case DataType.FLOAT16:
      return values.map((bits) => halfToFloat(bits & 0xffff));
    case DataType.BFLOAT16:
      return values.map((bits) => bfloatToFloat(bits & 0xffff));
    case DataType.UINT64:
    case DataType.UINT32:
      return values.map((v) => (v < 0 ? v + 2 ** 64 : v));
    case DataType.INT4:
    case DataType.UINT4: {
      const out: number[] = [];
      for (const packed of values) {
        for (const nibble of [packed & 0xf, (packed >> 4) & 0xf]) out.push(dtype === DataType.INT4 && nibble >= 8 ? nibble - 16 : nibble);
      }
      return out.slice(0, count);
    }
    default:
      return [...values];
  }
}

function decodeRaw(dtype: DataType, bytes: Uint8Array, count: number): number[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = new Array<number>(count);
  const need = (size: number): boolean => bytes.byteLength >= size * count;
  switch (dtype) {
    case DataType.FLOAT:
      if (!need(4)) return undefined;
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case DataType.DOUBLE:
      if (!need(8)) return undefined;
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    case DataType.INT64:
      if (!need(8)) return undefined;
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return out;
    case DataType.UINT64:
      if (!need(8)) return undefined;
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(i * 8, true));
      return out;
    case DataType.INT32:
      if (!need(4)) return undefined;
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    case DataType.UINT32:
      if (!need(4)) return undefined;
      for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true);
      return out;
    case DataType.INT16:
      if (!need(2)) return undefined;
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    case DataType.UINT16:
      if (!need(2)) return undefined;
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
      return out;
    case DataType.FLOAT16:
      if (!need(2)) return undefined;
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    case DataType.BFLOAT16:
      if (!need(2)) return undefined;
      for (let i = 0; i < count; i++) out[i] = bfloatToFloat(view.getUint16(i * 2, true));
      return out;
    case DataType.INT8:
      if (!need(1)) return undefined;
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return out;
    case DataType.UINT8:
    case DataType.BOOL:
      if (!need(1)) return undefined;
      for (let i = 0; i < count; i++) out[i] = bytes[i] ?? 0;
      return out;
    case DataType.INT4:
    case DataType.UINT4:
      if (bytes.byteLength < Math.ceil(count / 2)) return undefined;
      for (let i = 0; i < count; i++) {
        const nibble = ((bytes[i >> 1] ?? 0) >> ((i & 1) * 4)) & 0xf;
        out[i] = dtype === DataType.INT4 && nibble >= 8 ? nibble - 16 : nibble;
      }
      return out;
    default:
      return undefined;
  }
}

export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function bfloatToFloat(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16, false);
  return view.getFloat32(0, false);
}

export { WireType };
