/**
 * Elementwise operators: unary math and activations, binary arithmetic/comparison/logic with
 * multidirectional broadcasting, variadic Sum/Mean/Max/Min, Where, Cast/CastLike, Clip.
 * Specs: https://onnx.ai/onnx/operators/ (each op's page); broadcasting per docs/Broadcasting.md.
 *
 * Shape rule: output shape = broadcast of the input shapes. Dtype: the first input's, except
 * comparisons/logic (bool) and Cast (the `to` attribute). Small constant inputs are folded, including
 * symbolic integer elements, because exporters compute shapes with this arithmetic.
 */
import { Dim, dimAdd, dimEquals, dimFloorDiv, dimMax, dimMin, dimMul, dimSub } from '../ir/dim';
import { DataType, isIntegerType } from '../ir/dtype';
import { at } from '../ir/at';
import { ConstValue } from '../ir/tensor';
import { broadcastShapes, broadcastSteps, canFold, constOut, isConcrete, sameAs, stridedGather, tensorOf } from './helpers';
import { OpContext, OutputFacts, registerOps } from './registry';

type Unary = (x: number) => number;

const UNARY_MATH: Record<string, Unary | undefined> = {
  Abs: Math.abs,
  Neg: (x) => -x,
  Sqrt: Math.sqrt,
  Exp: Math.exp,
  Log: Math.log,
  Ceil: Math.ceil,
  Floor: Math.floor,
  Round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  Reciprocal: (x) => 1 / x,
  Sign: Math.sign,
  Sin: Math.sin,
  Cos: Math.cos,
  Tan: Math.tan,
  Asin: Math.asin,
  Acos: Math.acos,
  Atan: Math.atan,
  Sinh: Math.sinh,
  Cosh: Math.cosh,
  Asinh: Math.asinh,
  Acosh: Math.acosh,
  Atanh: Math.atanh,
  Tanh: Math.tanh,
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Relu: (x) => Math.max(0, x),
  Erf: undefined,
  IsNaN: undefined,
  IsInf: undefined,
  Softplus: (x) => Math.log(1 + Math.exp(x)),
  Softsign: (x) => x / (1 + Math.abs(x)),
  BitwiseNot: (x) => ~x,
};

/** Ops whose output has the input's shape and dtype (activations with attributes included). */
const SAME_TYPE_UNARY = [
  ...Object.keys(UNARY_MATH).filter((k) => k !== 'IsNaN' && k !== 'IsInf'),
  'Elu',
  'Selu',
  'LeakyRelu',
  'ThresholdedRelu',
  'HardSigmoid',
  'HardSwish',
  'Mish',
  'Celu',
  'Gelu',
  'Shrink',
  'Identity',
  'Dropout',
];

registerOps('', SAME_TYPE_UNARY, (ctx) => {
  if (ctx.node.opType === 'Identity') {
    // Identity passes any value through unchanged: tensors, sequences and optionals alike.
    const input = ctx.input(0);
    return [input === undefined ? null : { type: input.type, value: input.value }];
  }
  const out = sameAs(ctx, 0);
  const fn = UNARY_MATH[ctx.node.opType];
  const value = ctx.value(0);
  if (fn && value && value.data.every((v) => typeof v === 'number')) {
    const isInt = isIntegerType(value.dtype);
    const data = (value.data as number[]).map((v) => (isInt ? Math.trunc(fn(v)) : fn(v)));
    return [constOut({ ...value, data })];
  }
  if (ctx.node.opType === 'Neg' && value && isIntegerType(value.dtype)) {
    return [constOut({ ...value, data: (value.data as Dim[]).map((d) => dimSub(0, d)) })];
  }
  if (ctx.node.opType === 'Dropout') {
    // Dropout's optional mask output is bool with the input's shape.
    return [out, tensorOf(DataType.BOOL, out.shape)];
  }
  return [out];
});

registerOps('', ['IsNaN', 'IsInf', 'Not'], (ctx) => {
  const shape = ctx.shape(0);
  const value = ctx.value(0);
  if (ctx.node.opType === 'Not' && value && value.data.every((v) => typeof v === 'number')) {
    return [constOut({ dtype: DataType.BOOL, dims: value.dims, data: (value.data as number[]).map((v) => (v ? 0 : 1)) })];
  }
  return [tensorOf(DataType.BOOL, shape)];
});

type Binary = (a: Dim, b: Dim, isInt: boolean) => Dim;

const num =
  (f: (a: number, b: number) => number): Binary =>
  (a, b) =>
    typeof a === 'number' && typeof b === 'number' ? f(a, b) : null;

const ARITHMETIC: Record<string, Binary> = {
  Add: (a, b) => dimAdd(a, b),
  Sub: (a, b) => dimSub(a, b),
  Mul: (a, b) => dimMul(a, b),
  Div: (a, b, isInt) => {
    if (isInt) {
      if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.trunc(a / b);
      return dimFloorDiv(a, b);
    }
    return num((x, y) => x / y)(a, b, false);
  },
  Pow: (a, b, isInt) => num((x, y) => (isInt ? Math.trunc(x ** y) : x ** y))(a, b, isInt),
  Mod: num((x, y) => (y === 0 ? NaN : x - Math.floor(x / y) * y)),
  BitShift: num((x, y) => x * 2 ** y),
  BitwiseAnd: num((x, y) => x & y),
  BitwiseOr: num((x, y) => x | y),
  BitwiseXor: num((x, y) => x ^ y),
  PRelu: num((x, slope) => (x < 0 ? slope * x : x)),
  Max: (a, b) => dimMax(a, b),
  Min: (a, b) => dimMin(a, b),
  Sum: (a, b) => dimAdd(a, b),
};

const COMPARE: Record<string, Binary> = {
  Equal: (a, b) => (dimEquals(a, b) ? 1 : typeof a === 'number' && typeof b === 'number' ? 0 : null),
  Less: num((x, y) => (x < y ? 1 : 0)),
  LessOrEqual: num((x, y) => (x <= y ? 1 : 0)),
  Greater: num((x, y) => (x > y ? 1 : 0)),
  GreaterOrEqual: num((x, y) => (x >= y ? 1 : 0)),
  And: num((x, y) => (x && y ? 1 : 0)),
  Or: num((x, y) => (x || y ? 1 : 0)),
  Xor: num((x, y) => (!x !== !y ? 1 : 0)),
};

/** Broadcast-folds constant inputs; returns undefined unless every input is known and small. */
export function foldBroadcast(values: ReadonlyArray<ConstValue | undefined>, dtype: DataType, f: (args: Dim[]) => Dim): ConstValue | undefined {
  const known = values.filter((v): v is ConstValue => v !== undefined);
  if (known.length !== values.length) return undefined;
  // "Shape only" values (data not loaded) cannot be folded.
  if (known.some((v) => v.data.length !== v.dims.reduce((a, b) => a * b, 1))) return undefined;
  const shape = broadcastShapes(known.map((v) => v.dims));
  if (!isConcrete(shape) || !canFold(shape)) return undefined;
  // Broadcast every input to the output shape, then combine element by element.
  const expanded = known.map((v) => stridedGather(v.data as Dim[], shape, broadcastSteps(v.dims, shape)));
  const count = shape.reduce((a, b) => a * b, 1);
  const data: Dim[] = new Array<Dim>(count);
  for (let i = 0; i < count; i++) data[i] = f(expanded.map((e) => at(e, i, 'broadcast-expanded input')));
  return { dtype, dims: shape, data };
}

function binaryRule(table: Record<string, Binary>, boolOut: boolean) {
  return (ctx: OpContext): OutputFacts[] => {
    const count = ctx.inputCount;
    const shapes = Array.from({ length: count }, (_, i) => ctx.shape(i));
    // PRelu broadcasts its slope to X one way (older exporters give a per-channel [C] slope that
    // numpy rules would reject), so the output is X's shape. Legacy (opset < 7) Add/Mul/… broadcast
    // only with broadcast=1 and keep the first input's shape.
    const firstWins = ctx.node.opType === 'PRelu' || (ctx.opset < 7 && ctx.int('broadcast', 0) === 1);
    const shape = firstWins ? (shapes[0] ?? null) : broadcastShapes(shapes);
    const dtype = boolOut ? DataType.BOOL : ctx.dtype(0);
    const op = table[ctx.node.opType];
    // Fold only when every operand's value is at hand: never load a weight to add it to an activation.
    if (op && !firstWins && Array.from({ length: count }, (_, i) => ctx.hasValue(i)).every(Boolean)) {
      const values = Array.from({ length: count }, (_, i) => ctx.value(i));
      const isInt = values[0] !== undefined && isIntegerType(values[0].dtype);
      const folded = values.length === 1 ? values[0] : foldBroadcast(values, dtype ?? values[0]?.dtype ?? DataType.FLOAT, (args) => args.reduce((a, b) => op(a, b, isInt)));
      if (folded && !folded.data.every((d) => typeof d === 'number' && Number.isNaN(d))) return [constOut(folded)];
    }
    return [tensorOf(dtype, shape)];
  };
}

registerOps('', ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'PRelu', 'Max', 'Min', 'Sum'], binaryRule(ARITHMETIC, false));
registerOps('', Object.keys(COMPARE), binaryRule(COMPARE, true));

registerOps('', ['Mean'], (ctx) => [tensorOf(ctx.dtype(0), broadcastShapes(Array.from({ length: ctx.inputCount }, (_, i) => ctx.shape(i))))]);

registerOps('', ['Where'], (ctx) => {
  const shape = broadcastShapes([ctx.shape(0), ctx.shape(1), ctx.shape(2)]);
  const dtype = ctx.dtype(1) ?? ctx.dtype(2);
  const folded = [0, 1, 2].every((i) => ctx.hasValue(i)) && foldBroadcast([ctx.value(0), ctx.value(1), ctx.value(2)], dtype ?? DataType.FLOAT, ([c, x, y]) => (c === null ? null : c ? (x ?? null) : (y ?? null)));
  return [folded ? constOut(folded) : tensorOf(dtype, shape)];
});

registerOps('', ['Clip'], (ctx) => {
  // Clip-6 takes min/max attributes; Clip-11+ optional scalar inputs. Known numbers fold.
  const bound = (attr: string, input: number): number | null | undefined => {
    if (ctx.opset < 11) return ctx.attr(attr) === undefined ? undefined : ctx.float(attr, 0);
    if (!ctx.hasInput(input)) return undefined;
    const v = ctx.value(input)?.data[0];
    return typeof v === 'number' ? v : null;
  };
  const lo = bound('min', 1);
  const hi = bound('max', 2);
  const value = ctx.value(0);
  if (value && lo !== null && hi !== null && value.data.length === value.dims.reduce((a, b) => a * b, 1) && value.data.every((v) => typeof v === 'number')) {
    const data = (value.data as number[]).map((v) => Math.min(hi ?? Infinity, Math.max(lo ?? -Infinity, v)));
    return [constOut({ ...value, data })];
  }
  return [sameAs(ctx, 0)];
});

registerOps('', ['Cast', 'CastLike'], (ctx) => {
  const to = ctx.node.opType === 'Cast' ? (ctx.int('to', 0) as DataType) : ctx.dtype(1);
  const value = ctx.value(0);
  const full = value !== undefined && value.data.length === value.dims.reduce((a, b) => a * b, 1);
  if (value && full && to !== null && (isIntegerType(to) || to === DataType.BOOL || to === DataType.FLOAT || to === DataType.DOUBLE)) {
    const data = (value.data as Dim[]).map((v) => {
      if (typeof v !== 'number') return isIntegerType(to) ? v : null;
      // NaN is true as a bool; integers truncate toward zero; float rounds to single precision.
      if (to === DataType.BOOL) return v !== 0 ? 1 : 0;
      if (isIntegerType(to)) return Math.trunc(v);
      return to === DataType.FLOAT ? Math.fround(v) : v;
    });
    if (value.data.every((v) => typeof v !== 'string')) return [constOut({ dtype: to, dims: value.dims, data })];
  }
  return [tensorOf(to, ctx.shape(0))];
});
