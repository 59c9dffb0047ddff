/**
 * How types, tensors and non-graph attribute values print. Weight payloads are never read: a tensor's
 * values print only when they are already in memory ('bytes' / 'numbers' / 'strings') and few; any
 * other tensor prints an elision marker in the external-data position, which onnx.parser accepts
 * (`float[768] w = ["elided": "3072 bytes"]`, see docs/onnx-text.md).
 */
import { dimSymbols, Dim, sym } from '../../ir/dim';
import { bytesForElements, DataType } from '../../ir/dtype';
import { AttributeValue } from '../../ir/graph';
import { elementCount, TensorInfo } from '../../ir/tensor';
import { ValueType } from '../../ir/types';
import { asFloatLiteral, formatFloat32, formatFloat64, formatInt, identifierText, nameText, primitiveTypeName, quote } from './syntax';

/** The key that marks an elided tensor in the external-data list. */
export const ELIDED_KEY = 'elided';

export function dimText(dim: Dim): string {
  if (dim === null) return '?';
  if (typeof dim === 'number') return formatInt(dim);
  // A plain symbol prints as its name; a derived expression (`2*seq`) prints quoted, as one symbol.
  const names = dimSymbols(dim);
  const only = names.length === 1 ? names[0] : undefined;
  if (only !== undefined && sym(only).key === dim.key) return identifierText(only);
  return identifierText(dim.key);
}

/** The type in textual syntax, or undefined where it has no spelling (unknown element type). */
export function typeText(type: ValueType | null): string | undefined {
  if (type === null) return undefined;
  switch (type.kind) {
    case 'tensor': {
      const elem = primitiveTypeName(type.dtype);
      if (elem === undefined) return undefined;
      const shape = type.shape === null ? '[]' : type.shape.length === 0 ? '' : `[${type.shape.map(dimText).join(',')}]`;
      return type.sparse ? `sparse_tensor(${elem}${shape})` : `${elem}${shape}`;
    }
    case 'sequence':
    case 'optional': {
      const elem = typeText(type.elem);
      return elem === undefined ? undefined : `${type.kind === 'sequence' ? 'seq' : 'optional'}(${elem})`;
    }
    case 'map': {
      const key = primitiveTypeName(type.keyType);
      const value = typeText(type.valueType);
      return key === undefined || value === undefined ? undefined : `map(${key}, ${value})`;
    }
  }
}

export function valueInfoText(name: string, type: ValueType | null): string {
  const typed = typeText(type);
  return typed === undefined ? nameText(name) : `${typed} ${nameText(name)}`;
}

/** `float[3,4]`: a tensor's element type and concrete dims (a scalar has none). */
export function tensorTypeText(tensor: TensorInfo): string {
  const elem = primitiveTypeName(tensor.dtype) ?? 'undefined';
  return tensor.dims.length === 0 ? elem : `${elem}[${tensor.dims.map((d) => formatInt(d)).join(',')}]`;
}

/**
 * The tensor's data: `{1, 2, 3}` when inlined, else a bracketed list: the external-data entries of an
 * external tensor (as onnx.printer prints them), or the elision marker.
 */
export function tensorDataText(tensor: TensorInfo, maxInlineElements: number): { inline: boolean; text: string } {
  const data = tensor.data;
  if (data.kind === 'external') {
    const entries = [`${quote('location')}: ${quote(data.location)}`, `${quote('offset')}: ${quote(formatInt(data.offset))}`];
    if (data.length !== null) entries.push(`${quote('length')}: ${quote(formatInt(data.length))}`);
    return { inline: false, text: `[${entries.join(', ')}]` };
  }
  const values = inlineValues(tensor, maxInlineElements);
  if (values !== undefined) return { inline: true, text: `{${values.join(', ')}}` };
  return { inline: false, text: `[${quote(ELIDED_KEY)}: ${quote(elisionNote(tensor))}]` };
}

/**
 * What the elision marker says: the size the values would take. It depends only on the tensor's type
 * and dims, never on where the values were, so that re-rendering parsed text gives the same text.
 */
function elisionNote(tensor: TensorInfo): string {
  const count = elementCount(tensor.dims);
  if (tensor.dtype === DataType.STRING) return `${formatInt(count)} strings`;
  return `${formatInt(bytesForElements(tensor.dtype, count))} bytes`;
}

/** `float[3] name = {…}` as an initializer, or `float[3] name {…}` as an attribute value. */
export function tensorText(tensor: TensorInfo, maxInlineElements: number, role: 'initializer' | 'attribute'): string {
  const name = role === 'initializer' ? nameText(tensor.name) : identifierText(tensor.name);
  const head = tensor.name === '' ? tensorTypeText(tensor) : `${tensorTypeText(tensor)} ${name}`;
  const data = tensorDataText(tensor, maxInlineElements);
  // An attribute tensor whose data is a bracketed list needs the `=`: without it onnx.parser would take
  // `float[3] [` for a type followed by junk.
  return role === 'initializer' || !data.inline ? `${head} = ${data.text}` : `${head} ${data.text}`;
}

/**
 * The element values as printed, in the typed-field form onnx.printer uses (float16 as its 16-bit
 * pattern, bool as 0/1), or undefined when they must be elided: too many, not in memory, or of a type
 * whose field form packs several elements into one number (int4, float4, complex).
 */
function inlineValues(tensor: TensorInfo, maxInlineElements: number): string[] | undefined {
  const count = elementCount(tensor.dims);
  if (!Number.isFinite(count) || count > maxInlineElements) return undefined;
  const data = tensor.data;
  switch (data.kind) {
    case 'empty':
      // A tensor with elements but no data (an elided one read back) stays elided.
      return count === 0 ? [] : undefined;
    case 'strings':
      return data.values.length <= maxInlineElements ? data.values.map(quote) : undefined;
    case 'numbers': {
      if (data.values.length > maxInlineElements) return undefined;
      const format = numberFormatter(tensor.dtype);
      return format === undefined ? undefined : data.values.map(format);
    }
    case 'bytes':
      return rawValues(tensor.dtype, data.bytes, count);
    default:
      return undefined;
  }
}

function numberFormatter(dtype: DataType): ((value: number) => string) | undefined {
  switch (dtype) {
    case DataType.FLOAT:
      return formatFloat32;
    case DataType.DOUBLE:
      return formatFloat64;
    case DataType.UINT64:
    case DataType.UINT32:
      // The reader keeps uint64_data as signed varints; the binary analysis reads negatives as v + 2^64.
      return (value) => formatInt(value < 0 ? value + 2 ** 64 : value, true);
    case DataType.COMPLEX64:
    case DataType.COMPLEX128:
    case DataType.INT4:
    case DataType.UINT4:
    case DataType.FLOAT4E2M1:
    case DataType.INT2:
    case DataType.UINT2:
    case DataType.STRING:
    case DataType.UNDEFINED:
      return undefined;
    default:
      return (value) => formatInt(value);
  }
}

/** Decodes little-endian raw_data into the printed field form; undefined unless the size fits exactly. */
function rawValues(dtype: DataType, bytes: Uint8Array, count: number): string[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (size: number, get: (offset: number) => string): string[] | undefined => {
    if (bytes.byteLength !== size * count) return undefined;
    const out: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) out[i] = get(i * size);
    return out;
  };
  switch (dtype) {
    case DataType.FLOAT:
      return read(4, (at) => formatFloat32(view.getFloat32(at, true)));
    case DataType.DOUBLE:
      return read(8, (at) => formatFloat64(view.getFloat64(at, true)));
    case DataType.INT8:
      return read(1, (at) => String(view.getInt8(at)));
    case DataType.UINT8:
    case DataType.BOOL:
    case DataType.FLOAT8E4M3FN:
    case DataType.FLOAT8E4M3FNUZ:
    case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0:
      return read(1, (at) => String(view.getUint8(at)));
    case DataType.INT16:
      return read(2, (at) => String(view.getInt16(at, true)));
    case DataType.UINT16:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return read(2, (at) => String(view.getUint16(at, true)));
    case DataType.INT32:
      return read(4, (at) => String(view.getInt32(at, true)));
    case DataType.UINT32:
      return read(4, (at) => String(view.getUint32(at, true)));
    case DataType.INT64:
      // Through a number, as the binary reader decodes them, so that the text reads back to the same IR.
      return read(8, (at) => formatInt(Number(view.getBigInt64(at, true))));
    case DataType.UINT64:
      return read(8, (at) => formatInt(Number(view.getBigUint64(at, true)), true));
    default:
      return undefined;
  }
}

/**
 * A non-graph attribute value: its text and, where the literal alone does not tell the attribute type
 * (empty lists, sparse tensors), the `: type` annotation. Undefined for values with no spelling
 * (an undefined attribute, an unknown type proto); those are left out.
 */
export function attributeValueText(value: AttributeValue, maxInlineElements: number): { annotation?: string; text: string } | undefined {
  const list = (items: readonly string[], annotation: string): { annotation?: string; text: string } => (items.length === 0 ? { annotation, text: '[]' } : { text: `[${items.join(', ')}]` });
  switch (value.type) {
    case 'float':
      return { text: asFloatLiteral(formatFloat32(value.value)) };
    case 'int':
      return { text: formatInt(value.value) };
    case 'string':
      return { text: quote(value.value) };
    case 'tensor':
      return { text: tensorText(value.value, maxInlineElements, 'attribute') };
    case 'sparseTensor':
      return { annotation: 'sparse_tensor', text: tensorText(value.value, 0, 'attribute') };
    case 'floats':
      return list(
        value.value.map((v) => asFloatLiteral(formatFloat32(v))),
        'floats',
      );
    case 'ints':
      return list(value.value.map((v) => formatInt(v)), 'ints');
    case 'strings':
      return list(value.value.map(quote), 'strings');
    case 'tensors':
      return list(
        value.value.map((t) => tensorText(t, maxInlineElements, 'attribute')),
        'tensors',
      );
    case 'typeProto': {
      const text = typeText(value.value);
      return text === undefined ? undefined : { text };
    }
    case 'typeProtos': {
      const texts = value.value.map(typeText);
      if (texts.some((t) => t === undefined)) return undefined;
      return list(texts as string[], 'type_protos');
    }
    case 'ref':
      return { text: `@${identifierText(value.value)}` };
    case 'graph':
    case 'graphs':
    case 'undefined':
      return undefined;
  }
}
