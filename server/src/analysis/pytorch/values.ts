/**
 * The value model of the static evaluator: the Python values a model definition computes with
 * (numbers, strings, tuples, config objects, classes, functions), nn.Module instances with their
 * parameters, and, inside forward(), tensors that stand for IR values with a tracked shape.
 * A value that cannot be known is `unknown` and carries the first reason (an unresolved name).
 */
import { Dim } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { SyntaxNode } from './parser';
import { SourceRange, UnresolvedName } from './types';

export interface FunctionInfo {
  readonly name: string;
  /** `Class.method` or the function name, for messages and bindings. */
  readonly qualifiedName: string;
  readonly node: SyntaxNode;
  /** The scope the function was defined in (closures and module globals). */
  readonly closure: Scope;
  readonly ownerClass: ClassInfo | null;
}

export interface ClassInfo {
  readonly name: string;
  readonly node: SyntaxNode;
  readonly bases: PyValue[];
  readonly methods: Map<string, FunctionInfo>;
  /** Class-level assignments (`expansion = 4`, dataclass field defaults), evaluated at definition. */
  readonly attributes: Map<string, PyValue>;
  /** Dataclass fields in declaration order (empty for other classes). */
  readonly fields: string[];
  readonly isDataclass: boolean;
  /** Methods decorated @property / @staticmethod / @classmethod. */
  readonly decorators: Map<string, string>;
}

export interface Parameter {
  /** PyTorch layout, e.g. Linear weight [out, in]. */
  readonly shape: readonly number[] | null;
  readonly unresolved: readonly UnresolvedName[];
  /** Assigned after construction: the first `named_parameters()` name. */
  name?: string;
  /** The IR initializer created for it, and whether it holds the transposed layout. */
  initializer?: { readonly name: string; readonly transposed: boolean };
}

export interface ModuleObject {
  /** `Linear`, `Conv2d`, `Sequential`, or the user class name. */
  readonly type: string;
  readonly userClass: ClassInfo | null;
  /** Constructor arguments of a built-in layer, by parameter name (`in_features`, `kernel_size`). */
  readonly config: Map<string, PyValue>;
  /** Plain attributes set on the instance (`self.n_head = ...`). */
  readonly attributes: Map<string, PyValue>;
  /** Registered submodules in registration order (`_modules`). */
  readonly children: Map<string, ModuleObject>;
  /** Registered parameters in registration order (`_parameters`). */
  readonly parameters: Map<string, Parameter>;
  readonly range: SourceRange | null;
  readonly unresolved: UnresolvedName[];
  /** A layer whose constructor could not be evaluated (`self.head = Mlp(...)`, `Mlp` unresolved): its size is unknown. */
  readonly unbuilt?: boolean;
  /** Assigned after construction: the `named_modules()` path ('' for the root). */
  path: string;
}

export interface TensorValue {
  /** IR value name. */
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly dtype: DataType;
  /** Values of a small tensor computed outside forward() (static-tensors.ts), when known. */
  readonly values?: readonly number[];
}

export type PyValue =
  | { readonly kind: 'int'; readonly value: Dim }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'tuple'; readonly items: readonly PyValue[] }
  | { readonly kind: 'list'; readonly items: PyValue[] }
  | { readonly kind: 'dict'; readonly entries: Map<string, PyValue> }
  | { readonly kind: 'range'; readonly start: number; readonly stop: number; readonly step: number }
  | { readonly kind: 'slice'; readonly start: PyValue; readonly stop: PyValue; readonly step: PyValue }
  | { readonly kind: 'class'; readonly cls: ClassInfo }
  | { readonly kind: 'function'; readonly fn: FunctionInfo; readonly self?: PyValue }
  | { readonly kind: 'partial'; readonly target: PyValue; readonly args: readonly PyValue[]; readonly kwargs: ReadonlyMap<string, PyValue> }
  /** Something from torch / math / builtins, by qualified name: `torch.nn.Linear`, `math.sqrt`, `range`. */
  | { readonly kind: 'builtin'; readonly name: string; readonly self?: PyValue; readonly owner?: ClassInfo }
  | { readonly kind: 'module'; readonly module: ModuleObject }
  | { readonly kind: 'object'; readonly cls: ClassInfo; readonly attributes: Map<string, PyValue> }
  | { readonly kind: 'tensor'; readonly tensor: TensorValue }
  | { readonly kind: 'parameter'; readonly parameter: Parameter }
  | { readonly kind: 'dtype'; readonly dtype: DataType }
  /** An imported Python module (`import torchvision.ops as ops`): its globals, submodules on demand. */
  | { readonly kind: 'pymodule'; readonly name: string; readonly path: string; readonly globals: Scope }
  | { readonly kind: 'unknown'; readonly why: UnresolvedName };

export const NONE: PyValue = { kind: 'none' };

export function int(value: Dim): PyValue {
  return { kind: 'int', value };
}

export function unknown(name: string, reason: string, range: SourceRange | null): PyValue {
  return { kind: 'unknown', why: { name, reason, range } };
}

/** A lexical scope: function locals over their closure, module globals at the bottom. */
export class Scope {
  private readonly vars = new Map<string, PyValue>();
  /** Names bound by an import and evaluated on first use, so only the definitions reached are loaded. */
  private readonly lazy = new Map<string, () => PyValue>();
  constructor(readonly parent: Scope | null) {}
  get(name: string): PyValue | undefined {
    const own = this.vars.get(name);
    if (own !== undefined) return own;
    const thunk = this.lazy.get(name);
    if (thunk !== undefined) {
      this.lazy.delete(name);
      const value = thunk();
      this.vars.set(name, value);
      return value;
    }
    return this.parent?.get(name);
  }
  set(name: string, value: PyValue): void {
    this.lazy.delete(name);
    this.vars.set(name, value);
  }
  setLazy(name: string, thunk: () => PyValue): void {
    this.vars.delete(name);
    this.lazy.set(name, thunk);
  }
  has(name: string): boolean {
    return this.vars.has(name) || this.lazy.has(name);
  }
  /** The names bound here (not in parents). */
  names(): string[] {
    return [...this.vars.keys(), ...this.lazy.keys()];
  }
}

export function newModule(type: string, userClass: ClassInfo | null, range: SourceRange | null): ModuleObject {
  return { type, userClass, config: new Map(), attributes: new Map(), children: new Map(), parameters: new Map(), range, unresolved: [], path: '' };
}

/** A known integer (exact number), or undefined. */
export function asNumber(value: PyValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'int' && typeof value.value === 'number') return value.value;
  if (value.kind === 'float') return value.value;
  if (value.kind === 'bool') return value.value ? 1 : 0;
  return undefined;
}

export function asDim(value: PyValue | undefined): Dim | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'int') return value.value;
  if (value.kind === 'bool') return value.value ? 1 : 0;
  if (value.kind === 'float' && Number.isInteger(value.value)) return value.value;
  return undefined;
}

/** Items of a tuple / list, or undefined. */
export function asItems(value: PyValue | undefined): readonly PyValue[] | undefined {
  return value?.kind === 'tuple' || value?.kind === 'list' ? value.items : undefined;
}

/** `f(a, b, c)` or `f([a, b, c])`: the items of a lone list or tuple argument, otherwise the arguments. */
export function argsOrLoneList(args: readonly PyValue[]): readonly PyValue[] {
  return (args.length === 1 ? asItems(args[0]) : undefined) ?? args;
}

/** The first unknown among values, for propagating the reason. */
export function firstUnknown(values: readonly (PyValue | undefined)[]): PyValue | undefined {
  for (const v of values) {
    if (v?.kind === 'unknown') return v;
    const items = asItems(v);
    if (items) {
      const inner = firstUnknown(items);
      if (inner) return inner;
    }
  }
  return undefined;
}

export function describe(value: PyValue): string {
  switch (value.kind) {
    case 'int':
      return typeof value.value === 'number' ? String(value.value) : 'int';
    case 'float':
      return String(value.value);
    case 'str':
      return JSON.stringify(value.value);
    case 'module':
      return `${value.module.type} module`;
    case 'class':
      return `class ${value.cls.name}`;
    case 'function':
      return `function ${value.fn.qualifiedName}`;
    case 'builtin':
      return value.name;
    case 'pymodule':
      return `module ${value.name}`;
    case 'unknown':
      return `unknown (${value.why.name})`;
    default:
      return value.kind;
  }
}
