/**
 * Attribute values the view leaves out because they are the ONNX defaults of the op (from the operator
 * specs, onnx/docs/Operators.md): `group=1`, `dilations=[1,1]`, `pads=[0,0,0,0]`… say nothing a reader
 * needs, and they push the line past the screen. Only the common ops' defaults are listed; every
 * other attribute prints (the full model is one command away: "Open as ONNX Text").
 */
import { AttributeValue } from '../../ir/graph';

type DefaultTest = (value: AttributeValue) => boolean;

const intIs =
  (n: number): DefaultTest =>
  (v) =>
    v.type === 'int' && v.value === n;
const floatIs =
  (n: number): DefaultTest =>
  (v) =>
    v.type === 'float' && v.value === n;
const allInts =
  (n: number): DefaultTest =>
  (v) =>
    v.type === 'ints' && v.value.every((x) => x === n);
const stringIs =
  (s: string): DefaultTest =>
  (v) =>
    v.type === 'string' && v.value === s;

const CONV: Record<string, DefaultTest> = { group: intIs(1), dilations: allInts(1), strides: allInts(1), pads: allInts(0), auto_pad: stringIs('NOTSET') };
const POOL: Record<string, DefaultTest> = { ceil_mode: intIs(0), dilations: allInts(1), strides: allInts(1), pads: allInts(0), auto_pad: stringIs('NOTSET'), storage_order: intIs(0) };

const DEFAULTS: Readonly<Record<string, Record<string, DefaultTest>>> = {
  Conv: CONV,
  ConvTranspose: CONV,
  MaxPool: POOL,
  AveragePool: { ...POOL, count_include_pad: intIs(0) },
  Gemm: { alpha: floatIs(1), beta: floatIs(1), transA: intIs(0), transB: intIs(0) },
  Reshape: { allowzero: intIs(0) },
  Flatten: { axis: intIs(1) },
  Softmax: { axis: intIs(-1) },
  LayerNormalization: { axis: intIs(-1), stash_type: intIs(1) },
  BatchNormalization: { epsilon: (v) => v.type === 'float' && Math.abs(v.value - 1e-5) < 1e-12, momentum: (v) => v.type === 'float' && Math.abs(v.value - 0.9) < 1e-7 },
  Concat: {},
  Gather: { axis: intIs(0) },
  Elu: { alpha: floatIs(1) },
};

/** True when `name = value` is the default of a default-domain `opType`. */
export function isDefaultAttribute(opType: string, name: string, value: AttributeValue): boolean {
  return DEFAULTS[opType]?.[name]?.(value) ?? false;
}
