/**
 * Python builtins and `math` over static values: enough of range, len, min/max, int, list/tuple/dict,
 * zip/enumerate, isinstance/hasattr and friends to evaluate model constructors. Loops and sequences
 * are capped so that hostile input (`range(10**12)`) ends in a diagnostic, not a hang.
 */
import { dimAdd, dimFloorDiv, dimMul, dimSub } from '../ir/dim';
import { allDefined, at } from '../ir/at';
import { asDim, asItems, asNumber, describe, firstUnknown, int, NONE, PyValue } from './values';

/** Most items a list may get (list(range(n)), [x] * n); larger sequences are unresolved. */
export const MAX_SEQUENCE = 100_000;

export const PYTHON_BUILTINS = new Set(['range', 'len', 'int', 'float', 'bool', 'str', 'min', 'max', 'sum', 'abs', 'round', 'list', 'tuple', 'dict', 'set', 'zip', 'enumerate', 'reversed', 'sorted', 'isinstance', 'issubclass', 'hasattr', 'getattr', 'setattr', 'print', 'any', 'all', 'super', 'type', 'iter', 'next', 'divmod', 'pow', 'callable', 'object', 'ValueError', 'TypeError', 'NotImplementedError', 'RuntimeError', 'AssertionError', 'Exception', 'KeyError', 'AttributeError', 'ImportError']);

export class SequenceTooLong extends Error {}

/** Iterates a value statically: lists, tuples, ranges, dict keys, strings. Undefined when not iterable. */
export function iterate(value: PyValue): PyValue[] | undefined {
  switch (value.kind) {
    case 'list':
    case 'tuple':
      return [...value.items];
    case 'range': {
      const count = rangeLength(value.start, value.stop, value.step);
      if (count > MAX_SEQUENCE) throw new SequenceTooLong(`range of ${count} items`);
      return Array.from({ length: count }, (_, i) => int(value.start + i * value.step));
    }
    case 'dict':
      return [...value.entries.keys()].map((k) => ({ kind: 'str', value: k }));
    case 'str':
      return [...value.value].map((c) => ({ kind: 'str', value: c }));
    default:
      return undefined;
  }
}

export function rangeLength(start: number, stop: number, step: number): number {
  if (step === 0) return 0;
  return Math.max(0, Math.ceil((stop - start) / step));
}

export function truthy(value: PyValue): boolean | undefined {
  switch (value.kind) {
    case 'bool':
      return value.value;
    case 'int':
      return typeof value.value === 'number' ? value.value !== 0 : true;
    case 'float':
      return value.value !== 0;
    case 'str':
      return value.value !== '';
    case 'none':
      return false;
    case 'list':
    case 'tuple':
      return value.items.length > 0;
    case 'dict':
      return value.entries.size > 0;
    case 'range':
      return rangeLength(value.start, value.stop, value.step) > 0;
    case 'unknown':
      return undefined;
    default:
      return true;
  }
}

/** Arithmetic on ints (possibly symbolic dims), floats and sequences. Undefined: not modelled here. */
export function arithmetic(op: string, a: PyValue, b: PyValue): PyValue | undefined {
  const u = firstUnknown([a, b]);
  if (u) return u;
  if ((a.kind === 'list' || a.kind === 'tuple') && op === '+' && a.kind === b.kind) return a.kind === 'list' ? { kind: 'list', items: [...a.items, ...(b as typeof a).items] } : { kind: 'tuple', items: [...a.items, ...(b as typeof a).items] };
  if ((a.kind === 'list' || a.kind === 'tuple') && op === '*') {
    const n = asNumber(b);
    if (n === undefined) return undefined;
    if (n * a.items.length > MAX_SEQUENCE) throw new SequenceTooLong(`a sequence of ${n * a.items.length} items`);
    const items = Array.from({ length: Math.max(0, n) }, () => a.items).flat();
    return a.kind === 'list' ? { kind: 'list', items } : { kind: 'tuple', items };
  }
  if (a.kind === 'str' && b.kind === 'str' && op === '+') return { kind: 'str', value: a.value + b.value };
  if (a.kind === 'str' && op === '%') return { kind: 'str', value: percentFormat(a.value, b) };
  const intLike = (v: PyValue): boolean => v.kind === 'int' || v.kind === 'bool';
  if (intLike(a) && intLike(b)) {
    const x = asDim(a);
    const y = asDim(b);
    if (x === undefined || y === undefined) return undefined; // never for ints and bools
    if (typeof x !== 'number' || typeof y !== 'number') {
      switch (op) {
        case '+':
          return int(dimAdd(x, y));
        case '-':
          return int(dimSub(x, y));
        case '*':
          return int(dimMul(x, y));
        case '//':
          return int(dimFloorDiv(x, y));
        default:
          return undefined;
      }
    }
    switch (op) {
      case '+':
        return int(x + y);
      case '-':
        return int(x - y);
      case '*':
        return int(x * y);
      case '//':
        return y === 0 ? undefined : int(Math.floor(x / y));
      case '%':
        return y === 0 ? undefined : int(((x % y) + y) % y);
      case '/':
        return y === 0 ? undefined : { kind: 'float', value: x / y };
      case '**':
        return y >= 0 ? int(x ** y) : { kind: 'float', value: x ** y };
      case '<<':
        return int(x * 2 ** y);
      case '>>':
        return int(Math.floor(x / 2 ** y));
      case '&':
        return int(x & y);
      case '|':
        return int(x | y);
      default:
        return undefined;
    }
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === undefined || y === undefined) return undefined;
  const f = (v: number): PyValue => ({ kind: 'float', value: v });
  switch (op) {
    case '+':
      return f(x + y);
    case '-':
      return f(x - y);
    case '*':
      return f(x * y);
    case '/':
      return y === 0 ? undefined : f(x / y);
    case '//':
      return y === 0 ? undefined : f(Math.floor(x / y));
    case '%':
      return y === 0 ? undefined : f(((x % y) + y) % y);
    case '**':
      return f(x ** y);
    default:
      return undefined;
  }
}

export function compare(op: string, a: PyValue, b: PyValue): PyValue | undefined {
  if (op === 'is' || op === 'is not') {
    const same = a.kind === 'none' || b.kind === 'none' ? a.kind === b.kind : a === b || (a.kind === 'bool' && b.kind === 'bool' && a.value === b.value) || identical(a, b) ? true : undefined;
    if (same === undefined) return a.kind === 'unknown' ? a : b.kind === 'unknown' ? b : { kind: 'bool', value: op === 'is not' };
    return { kind: 'bool', value: op === 'is' ? same : !same };
  }
  if (op === 'in' || op === 'not in') {
    const items = b.kind === 'dict' ? [...b.entries.keys()].map((k): PyValue => ({ kind: 'str', value: k })) : b.kind === 'str' ? undefined : iterate(b);
    if (b.kind === 'str' && a.kind === 'str') return { kind: 'bool', value: b.value.includes(a.value) === (op === 'in') };
    if (items === undefined) return firstUnknown([a, b]);
    const found = items.some((i) => equal(i, a) === true);
    return { kind: 'bool', value: found === (op === 'in') };
  }
  const u = firstUnknown([a, b]);
  if (u) return u;
  if (op === '==' || op === '!=') {
    const eq = equal(a, b);
    return eq === undefined ? undefined : { kind: 'bool', value: eq === (op === '==') };
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === undefined || y === undefined) return undefined;
  const r = op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : op === '>=' ? x >= y : undefined;
  return r === undefined ? undefined : { kind: 'bool', value: r };
}

export function equal(a: PyValue, b: PyValue): boolean | undefined {
  if (a.kind === 'str' && b.kind === 'str') return a.value === b.value;
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x === y;
  const xs = asItems(a);
  const ys = asItems(b);
  if (xs && ys) {
    if (xs.length !== ys.length) return false;
    for (const [i, x] of xs.entries()) {
      const e = equal(x, at(ys, i, 'compared items')); // the lengths are equal
      if (e !== true) return e;
    }
    return true;
  }
  if (a.kind === 'class' && b.kind === 'class') return a.cls === b.cls;
  if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
  return a === b;
}

/** Plain builtins that need no interpreter: returns undefined when `name` is not one of them. */
export function callPlainBuiltin(name: string, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>): PyValue | undefined {
  const u = firstUnknown(args);
  switch (name) {
    case 'range': {
      if (u) return u;
      const nums = args.map(asNumber);
      if (!nums.every((n) => n !== undefined && Number.isInteger(n))) return undefined;
      const [a, b, c] = nums;
      return args.length === 1 ? { kind: 'range', start: 0, stop: a ?? 0, step: 1 } : { kind: 'range', start: a ?? 0, stop: b ?? 0, step: c ?? 1 };
    }
    case 'len': {
      const v = args[0];
      if (v === undefined) return undefined;
      if (v.kind === 'range') return int(rangeLength(v.start, v.stop, v.step));
      if (v.kind === 'dict') return int(v.entries.size);
      if (v.kind === 'str') return int(v.value.length);
      const items = asItems(v);
      if (items) return int(items.length);
      if (v.kind === 'module') return int(v.module.children.size);
      if (v.kind === 'tensor') return int(v.tensor.shape[0] ?? null);
      return v.kind === 'unknown' ? v : undefined;
    }
    case 'int': {
      const v = args[0] ?? int(0);
      if (v.kind === 'int') return v;
      const n = asNumber(v);
      if (v.kind === 'str' && /^-?\d+$/.test(v.value.trim())) return int(Number(v.value));
      return n === undefined ? (u ?? undefined) : int(Math.trunc(n));
    }
    case 'float': {
      const v = args[0];
      if (v?.kind === 'str') return { kind: 'float', value: v.value.trim() === 'inf' ? Infinity : v.value.trim() === '-inf' ? -Infinity : Number(v.value) };
      const n = asNumber(v ?? int(0));
      return n === undefined ? (u ?? undefined) : { kind: 'float', value: n };
    }
    case 'bool': {
      const t = truthy(args[0] ?? { kind: 'bool', value: false });
      return t === undefined ? u : { kind: 'bool', value: t };
    }
    case 'abs': {
      const v = args[0];
      const n = asNumber(v);
      return n === undefined ? u : v?.kind === 'float' ? { kind: 'float', value: Math.abs(n) } : int(Math.abs(n));
    }
    case 'round': {
      const n = asNumber(args[0]);
      return n === undefined ? u : int(Math.round(n));
    }
    case 'min':
    case 'max': {
      const items = args.length === 1 ? iterate(at(args, 0, 'min/max arguments')) : [...args];
      if (items === undefined || items.length === 0) return u;
      const inner = firstUnknown(items);
      if (inner) return inner;
      const nums = allDefined(items.map(asNumber));
      if (nums === undefined) return undefined;
      const pick = name === 'min' ? Math.min(...nums) : Math.max(...nums);
      return items[nums.indexOf(pick)];
    }
    case 'sum': {
      const items = iterate(args[0] ?? NONE);
      if (items === undefined) return u;
      let total: PyValue = args[1] ?? int(0);
      for (const i of items) total = arithmetic('+', total, i) ?? total;
      return total;
    }
    case 'list':
    case 'tuple': {
      const items = args[0] === undefined ? [] : iterate(args[0]);
      if (items === undefined) return u;
      return name === 'list' ? { kind: 'list', items } : { kind: 'tuple', items };
    }
    case 'set':
    case 'frozenset': {
      // A list of distinct items, in first-seen order (only len() and membership matter to model code).
      const items = args[0] === undefined ? [] : iterate(args[0]);
      if (items === undefined) return u;
      const seen = new Set<string>();
      return { kind: 'list', items: items.filter((i) => !seen.has(describe(i)) && seen.add(describe(i)) !== undefined) };
    }
    case 'dict': {
      const entries = new Map<string, PyValue>();
      const base = args[0];
      if (base?.kind === 'dict') for (const [k, v] of base.entries) entries.set(k, v);
      for (const [k, v] of kwargs) entries.set(k, v);
      return { kind: 'dict', entries };
    }
    case 'zip': {
      const lists = allDefined(args.map(iterate));
      if (lists === undefined) return u;
      const n = Math.min(...lists.map((l) => l.length));
      return { kind: 'list', items: Array.from({ length: n }, (_, i) => ({ kind: 'tuple', items: lists.map((l) => at(l, i, 'zipped list')) })) };
    }
    case 'enumerate': {
      const items = iterate(args[0] ?? NONE);
      if (items === undefined) return u;
      const start = asNumber(args[1] ?? kwargs.get('start')) ?? 0;
      return { kind: 'list', items: items.map((v, i) => ({ kind: 'tuple', items: [int(start + i), v] })) };
    }
    case 'reversed': {
      const items = iterate(args[0] ?? NONE);
      return items === undefined ? u : { kind: 'list', items: items.reverse() };
    }
    case 'sorted': {
      const items = iterate(args[0] ?? NONE);
      return items === undefined ? u : { kind: 'list', items };
    }
    case 'any':
    case 'all': {
      const items = iterate(args[0] ?? NONE);
      if (items === undefined) return u;
      const t = items.map(truthy);
      if (t.some((x) => x === undefined)) return firstUnknown(items);
      return { kind: 'bool', value: name === 'any' ? t.some(Boolean) : t.every(Boolean) };
    }
    case 'str': {
      const v = args[0];
      if (v === undefined) return { kind: 'str', value: '' };
      if (v.kind === 'str') return v;
      if (v.kind === 'int' && typeof v.value === 'number') return { kind: 'str', value: String(v.value) };
      if (v.kind === 'float') return { kind: 'str', value: Number.isInteger(v.value) ? `${v.value}.0` : String(v.value) };
      if (v.kind === 'bool') return { kind: 'str', value: v.value ? 'True' : 'False' };
      if (v.kind === 'none') return { kind: 'str', value: 'None' };
      return v.kind === 'unknown' ? v : undefined;
    }
    case 'divmod': {
      const [a, b] = args.map(asNumber);
      return a === undefined || b === undefined || b === 0 ? u : { kind: 'tuple', items: [int(Math.floor(a / b)), int(((a % b) + b) % b)] };
    }
    case 'pow':
      return arithmetic('**', args[0] ?? NONE, args[1] ?? NONE);
    case 'print':
    case 'setattr':
      return NONE;
    default:
      return undefined;
  }
}

/** `math.*`: constants and functions over known numbers. */
export function mathFunction(name: string, args: readonly PyValue[]): PyValue | undefined {
  const u = firstUnknown(args);
  if (u) return u;
  const x = asNumber(args[0]);
  const f = (v: number): PyValue => ({ kind: 'float', value: v });
  switch (name) {
    case 'sqrt':
      return x === undefined ? undefined : f(Math.sqrt(x));
    case 'ceil':
      return args[0]?.kind === 'int' && typeof args[0].value !== 'number' ? args[0] : x === undefined ? undefined : int(Math.ceil(x));
    case 'floor':
      return x === undefined ? undefined : int(Math.floor(x));
    case 'log':
      return x === undefined ? undefined : f(Math.log(x) / (args[1] ? Math.log(asNumber(args[1]) ?? Math.E) : 1));
    case 'log2':
      return x === undefined ? undefined : f(Math.log2(x));
    case 'exp':
      return x === undefined ? undefined : f(Math.exp(x));
    case 'pow':
      return x === undefined ? undefined : f(x ** (asNumber(args[1]) ?? 1));
    case 'prod': {
      const items = iterate(args[0] ?? NONE) ?? [];
      return items.reduce<PyValue>((acc, v) => arithmetic('*', acc, v) ?? acc, int(1));
    }
    case 'gcd': {
      let [a, b] = args.map((v) => Math.abs(asNumber(v) ?? 0));
      while (b) [a, b] = [b, (a ?? 0) % b];
      return int(a ?? 0);
    }
    default:
      return undefined;
  }
}

export const MATH_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
  ['inf', Infinity],
]);

/** `"denseblock%d" % (i + 1)`: printf-style formatting of known values (layer names are built this way). */
function percentFormat(format: string, operand: PyValue): string {
  const values = operand.kind === 'tuple' ? [...operand.items] : [operand];
  return format.replace(/%(?:\.(\d+))?([sdirf%])/g, (whole, precision: string | undefined, conversion: string) => {
    if (conversion === '%') return '%';
    const v = values.shift();
    if (v === undefined) return whole;
    if (conversion === 'f') {
      const n = asNumber(v);
      return n === undefined ? whole : n.toFixed(precision === undefined ? 6 : Number(precision));
    }
    if (conversion === 'd' || conversion === 'i') {
      const n = asNumber(v);
      return n === undefined ? whole : String(Math.trunc(n));
    }
    return v.kind === 'str' ? v.value : v.kind === 'int' || v.kind === 'float' ? String(v.value) : v.kind === 'bool' ? (v.value ? 'True' : 'False') : v.kind === 'none' ? 'None' : whole;
  });
}

/** The same class, builtin type or module object (`type(x) is str`, `cls is Foo`), though not the same value object. */
function identical(a: PyValue, b: PyValue): boolean {
  if (a.kind === 'builtin' && b.kind === 'builtin') return a.name === b.name && a.self === b.self;
  if (a.kind === 'class' && b.kind === 'class') return a.cls === b.cls;
  if (a.kind === 'module' && b.kind === 'module') return a.module === b.module;
  return false;
}
