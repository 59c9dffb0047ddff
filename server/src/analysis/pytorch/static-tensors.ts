/**
 * Tensors computed in __init__, outside forward(): their shape always, and for small 1-D ones their
 * values, because model code derives sizes from them (RegNet's widths come from `torch.arange`,
 * `torch.round`, `torch.log`… then `.int().tolist()`), and parameters are made from them
 * (`nn.Parameter(torch.ones(dim, 1, 1) * layer_scale)`, `torch.log(10 * torch.ones(...))`).
 * Nothing here emits IR: these are values of the Python evaluation, not graph tensors.
 */
import { allDefined, at } from '../ir/at';
import { Dim } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { broadcast } from './tensor-ops';
import { asItems, asNumber, int, PyValue, TensorValue } from './values';

/** Longest value list kept (RegNet has at most a few dozen blocks). */
const MAX_VALUES = 4096;

type Tensor = Extract<PyValue, { kind: 'tensor' }>;

function tensor(shape: readonly Dim[], dtype: DataType, values?: readonly number[]): Tensor {
  const t: TensorValue = values === undefined ? { name: '', shape, dtype } : { name: '', shape, dtype, values };
  return { kind: 'tensor', tensor: t };
}

function fromNumbers(values: readonly number[], dtype: DataType): Tensor {
  return tensor([values.length], dtype, values);
}

const isInteger = (dtype: DataType): boolean => dtype === DataType.INT64 || dtype === DataType.INT32;

/** Elementwise unary functions of torch, on a tensor's values (or its shape alone). */
const UNARY: Record<string, (x: number) => number> = {
  round: (x) => roundHalfEven(x),
  log: Math.log,
  exp: Math.exp,
  sqrt: Math.sqrt,
  floor: Math.floor,
  ceil: Math.ceil,
  abs: Math.abs,
  neg: (x) => -x,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

/** torch.X(...) outside forward(); undefined when not one of these. */
export function staticTorchCall(fn: string, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>): PyValue | undefined {
  switch (fn) {
    case 'arange': {
      const nums = allDefined(args.map(asNumber));
      const [first, second, third] = nums ?? [];
      if (first === undefined) return undefined;
      const [start, stop, step] = second === undefined ? [0, first, 1] : [first, second, third ?? 1];
      if (step === 0 || (stop - start) / step > MAX_VALUES) return undefined;
      const values: number[] = [];
      for (let v = start; step > 0 ? v < stop : v > stop; v += step) values.push(v);
      const floaty = args.some((a) => a.kind === 'float');
      return fromNumbers(values, floaty ? DataType.FLOAT : DataType.INT64);
    }
    case 'tensor':
    case 'as_tensor': {
      const items = asItems(args[0]);
      if (items === undefined) {
        const n = asNumber(args[0]);
        return n === undefined ? undefined : tensor([], args[0]?.kind === 'float' ? DataType.FLOAT : DataType.INT64, [n]);
      }
      const nums = allDefined(items.map(asNumber));
      if (nums === undefined) return undefined;
      return fromNumbers(nums, items.some((i) => i.kind === 'float') ? DataType.FLOAT : DataType.INT64);
    }
    case 'linspace': {
      const [start, stop, steps] = args.map(asNumber);
      if (start === undefined || stop === undefined || steps === undefined || steps > MAX_VALUES || steps < 0) return undefined;
      const values = Array.from({ length: steps }, (_, i) => (steps === 1 ? start : start + ((stop - start) * i) / (steps - 1)));
      return fromNumbers(values, DataType.FLOAT);
    }
    case 'diff': {
      const t = args[0]?.kind === 'tensor' ? args[0].tensor : undefined;
      if (t?.values === undefined) return undefined;
      return fromNumbers(t.values.slice(1).map((v, i) => v - (t.values?.[i] ?? 0)), t.dtype);
    }
    case 'divide':
    case 'div':
    case 'true_divide':
      return staticTensorArithmetic('/', args[0], args[1]);
    case 'mul':
    case 'multiply':
      return staticTensorArithmetic('*', args[0], args[1]);
    case 'add':
      return staticTensorArithmetic('+', args[0], args[1]);
    case 'sub':
      return staticTensorArithmetic('-', args[0], args[1]);
    case 'pow':
      return staticTensorArithmetic('**', args[0], args[1]);
    default: {
      const f = UNARY[fn];
      if (f === undefined || args[0]?.kind !== 'tensor') return undefined;
      void kwargs;
      const t = args[0].tensor;
      return tensor(t.shape, fn === 'round' || fn === 'floor' || fn === 'ceil' ? t.dtype : DataType.FLOAT, t.values?.map(f));
    }
  }
}

/** `t.int()`, `t.tolist()`, `t.item()`… on a tensor made outside forward(); undefined when not modelled. */
export function staticTensorMethod(t: TensorValue, method: string, args: readonly PyValue[]): PyValue | undefined {
  switch (method) {
    case 'int':
    case 'long':
      return tensor(t.shape, DataType.INT64, t.values?.map(Math.trunc));
    case 'float':
    case 'double':
      return tensor(t.shape, DataType.FLOAT, t.values);
    case 'tolist':
      if (t.values === undefined) return undefined;
      if (t.shape.length === 0) return scalar(t.values[0] ?? 0, t.dtype);
      return { kind: 'list', items: t.values.map((v) => scalar(v, t.dtype)) };
    case 'item':
      return t.values?.length === 1 ? scalar(at(t.values, 0, 'one-element tensor values'), t.dtype) : undefined;
    case 'sum':
      return t.values === undefined || args.length > 0 ? undefined : scalar(t.values.reduce((a, b) => a + b, 0), t.dtype);
    case 'numel':
      return t.shape.every((d): d is number => typeof d === 'number') ? int(t.shape.reduce((a, b) => a * b, 1)) : undefined;
    default: {
      const f = UNARY[method];
      return f === undefined ? undefined : tensor(t.shape, t.dtype, t.values?.map(f));
    }
  }
}

function scalar(v: number, dtype: DataType): PyValue {
  return isInteger(dtype) ? int(v) : { kind: 'float', value: v };
}

/** `a op b` where a tensor made outside forward() is an operand: elementwise, broadcasting a scalar. */
export function staticTensorArithmetic(op: string, a: PyValue | undefined, b: PyValue | undefined): PyValue | undefined {
  if (a === undefined || b === undefined) return undefined;
  const f = ARITHMETIC[op];
  if (f === undefined) return undefined;
  const ta = a.kind === 'tensor' ? a.tensor : undefined;
  const tb = b.kind === 'tensor' ? b.tensor : undefined;
  const na = asNumber(a);
  const nb = asNumber(b);
  if ((ta === undefined && na === undefined) || (tb === undefined && nb === undefined)) return undefined;
  // Two tensors broadcast (Swin's `coords[:, :, None] - coords[:, None, :]` is [2, N, N]).
  const shape = ta && tb ? broadcast(ta.shape, tb.shape) : (ta ?? tb)?.shape;
  if (shape === undefined) return undefined;
  const floaty = op === '/' || (ta ? !isInteger(ta.dtype) : a.kind === 'float') || (tb ? !isInteger(tb.dtype) : b.kind === 'float');
  const dtype = floaty ? DataType.FLOAT : DataType.INT64;
  const va = ta ? ta.values : na === undefined ? undefined : [na];
  const vb = tb ? tb.values : nb === undefined ? undefined : [nb];
  if (va === undefined || vb === undefined) return tensor(shape, dtype);
  const sameShape = ta !== undefined && tb !== undefined && ta.shape.length === tb.shape.length && ta.shape.every((d, i) => d === tb.shape[i]);
  if (va.length !== 1 && vb.length !== 1 && !sameShape) return tensor(shape, dtype);
  const n = Math.max(va.length, vb.length);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = va[va.length === 1 ? 0 : i];
    const y = vb[vb.length === 1 ? 0 : i];
    // Values that do not line up (an empty operand against a scalar) leave the result's values unknown.
    if (x === undefined || y === undefined) return tensor(shape, dtype);
    values.push(f(x, y));
  }
  return tensor(shape, dtype, values);
}

const ARITHMETIC: Record<string, (x: number, y: number) => number> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
  '//': (x, y) => Math.floor(x / y),
  '**': (x, y) => x ** y,
};

/** torch.round rounds half to even, as Python's round does. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
