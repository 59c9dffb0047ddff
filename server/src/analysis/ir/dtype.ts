/**
 * ONNX tensor element types (TensorProto.DataType), including the ones added after ONNX 1.10
 * (FLOAT8*, INT4/UINT4, FLOAT4E2M1, FLOAT8E8M0, INT2/UINT2).
 * Source: ONNX's onnx.proto, vendored in onnx/proto/onnx.proto (message TensorProto, enum DataType).
 */
export enum DataType {
  UNDEFINED = 0,
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  STRING = 8,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  UINT32 = 12,
  UINT64 = 13,
  COMPLEX64 = 14,
  COMPLEX128 = 15,
  BFLOAT16 = 16,
  FLOAT8E4M3FN = 17,
  FLOAT8E4M3FNUZ = 18,
  FLOAT8E5M2 = 19,
  FLOAT8E5M2FNUZ = 20,
  UINT4 = 21,
  INT4 = 22,
  FLOAT4E2M1 = 23,
  FLOAT8E8M0 = 24,
  UINT2 = 25,
  INT2 = 26,
}

interface DataTypeInfo {
  /** Short lower-case name used in reports and in ONNX textual syntax. */
  readonly name: string;
  /** Storage bits per element; 0 where the size is not fixed (string). */
  readonly bits: number;
  readonly kind: 'float' | 'int' | 'uint' | 'bool' | 'string' | 'complex';
}

const INFO: Record<number, DataTypeInfo> = {
  [DataType.FLOAT]: { name: 'float', bits: 32, kind: 'float' },
  [DataType.UINT8]: { name: 'uint8', bits: 8, kind: 'uint' },
  [DataType.INT8]: { name: 'int8', bits: 8, kind: 'int' },
  [DataType.UINT16]: { name: 'uint16', bits: 16, kind: 'uint' },
  [DataType.INT16]: { name: 'int16', bits: 16, kind: 'int' },
  [DataType.INT32]: { name: 'int32', bits: 32, kind: 'int' },
  [DataType.INT64]: { name: 'int64', bits: 64, kind: 'int' },
  [DataType.STRING]: { name: 'string', bits: 0, kind: 'string' },
  [DataType.BOOL]: { name: 'bool', bits: 8, kind: 'bool' },
  [DataType.FLOAT16]: { name: 'float16', bits: 16, kind: 'float' },
  [DataType.DOUBLE]: { name: 'double', bits: 64, kind: 'float' },
  [DataType.UINT32]: { name: 'uint32', bits: 32, kind: 'uint' },
  [DataType.UINT64]: { name: 'uint64', bits: 64, kind: 'uint' },
  [DataType.COMPLEX64]: { name: 'complex64', bits: 64, kind: 'complex' },
  [DataType.COMPLEX128]: { name: 'complex128', bits: 128, kind: 'complex' },
  [DataType.BFLOAT16]: { name: 'bfloat16', bits: 16, kind: 'float' },
  [DataType.FLOAT8E4M3FN]: { name: 'float8e4m3fn', bits: 8, kind: 'float' },
  [DataType.FLOAT8E4M3FNUZ]: { name: 'float8e4m3fnuz', bits: 8, kind: 'float' },
  [DataType.FLOAT8E5M2]: { name: 'float8e5m2', bits: 8, kind: 'float' },
  [DataType.FLOAT8E5M2FNUZ]: { name: 'float8e5m2fnuz', bits: 8, kind: 'float' },
  [DataType.UINT4]: { name: 'uint4', bits: 4, kind: 'uint' },
  [DataType.INT4]: { name: 'int4', bits: 4, kind: 'int' },
  [DataType.FLOAT4E2M1]: { name: 'float4e2m1', bits: 4, kind: 'float' },
  [DataType.FLOAT8E8M0]: { name: 'float8e8m0', bits: 8, kind: 'float' },
  [DataType.UINT2]: { name: 'uint2', bits: 2, kind: 'uint' },
  [DataType.INT2]: { name: 'int2', bits: 2, kind: 'int' },
};

export function isKnownDataType(value: number): value is DataType {
  return INFO[value] !== undefined;
}

/** The report name of a data type; unknown codes print as `dtype(N)` so nothing is hidden. */
export function dataTypeName(dtype: DataType | null | undefined): string {
  if (dtype === null || dtype === undefined) return 'unknown';
  return INFO[dtype]?.name ?? `dtype(${dtype})`;
}

const BY_NAME = new Map<string, DataType>(
  Object.entries(INFO).map(([code, info]) => [info.name, Number(code) as DataType]),
);
BY_NAME.set('float32', DataType.FLOAT);
BY_NAME.set('fp32', DataType.FLOAT);
BY_NAME.set('fp16', DataType.FLOAT16);
BY_NAME.set('bf16', DataType.BFLOAT16);
BY_NAME.set('float64', DataType.DOUBLE);

export function dataTypeFromName(name: string): DataType | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Storage bits of one element (sub-byte types pack; see bytesForElements). */
export function dataTypeBits(dtype: DataType): number {
  return INFO[dtype]?.bits ?? 0;
}

/** Bytes occupied by `count` elements, rounding packed sub-byte types up to whole bytes. */
export function bytesForElements(dtype: DataType, count: number): number {
  return Math.ceil((count * dataTypeBits(dtype)) / 8);
}

export function isFloatType(dtype: DataType): boolean {
  return INFO[dtype]?.kind === 'float';
}

export function isIntegerType(dtype: DataType): boolean {
  const kind = INFO[dtype]?.kind;
  return kind === 'int' || kind === 'uint';
}
