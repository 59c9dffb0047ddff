/**
 * Tensor operations as forward() uses them, emitted as ONNX nodes with the output shape tracked here
 * too (forward code reads shapes back: `B, T, C = x.size()`). The shared shape engine re-infers every
 * node afterwards; this file only needs shapes right enough to keep the Python evaluation going.
 */
import { Dim, dimEquals, dimFloorDiv, dimMul, dimProduct } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { AttributeInit, GraphBuilder } from './graph-builder';
import { Parameter, TensorValue } from './values';
import { SourceRange } from './types';

/** Thrown when forward() cannot be followed; caught at the module call, which falls back. */
export class ForwardError extends Error {
  constructor(
    message: string,
    readonly range: SourceRange | null,
  ) {
    super(message);
  }
}

export interface EmitSite {
  /** Module path of the module whose forward is running ('' for the root). */
  readonly scope: string;
  /** The forward line being evaluated. */
  readonly called: SourceRange | null;
  /** The layer's construction line, for module nodes. */
  readonly defined?: SourceRange | null;
  /** Node name base: the module path for module nodes; `scope/Op` for functional ops when absent. */
  readonly name?: string;
}

export function normaliseAxis(axis: number, rank: number, site: EmitSite): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ForwardError(`axis ${axis} is out of range for a rank-${rank} tensor`, site.called);
  return a;
}

export function broadcast(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : dimEquals(x, y) ? x : x);
  }
  return out;
}

export class TensorOps {
  constructor(
    readonly builder: GraphBuilder,
    readonly floatType: DataType,
  ) {}

  private nameFor(op: string, site: EmitSite): string {
    return site.name ?? (site.scope ? `${site.scope}/${op}` : op);
  }

  emit(op: string, inputs: readonly string[], attrs: AttributeInit, shape: readonly Dim[], dtype: DataType, site: EmitSite): TensorValue {
    const name = this.builder.nodeOutput(op, inputs, attrs, this.nameFor(op, site), { defined: site.defined, called: site.called });
    return { name, shape, dtype };
  }

  emitMany(op: string, inputs: readonly string[], attrs: AttributeInit, shapes: readonly (readonly Dim[])[], dtype: DataType, site: EmitSite): TensorValue[] {
    const names = this.builder.node(op, inputs, attrs, this.nameFor(op, site), { defined: site.defined, called: site.called }, shapes.length);
    return names.map((name, i) => ({ name, shape: shapes[i] ?? [], dtype }));
  }

  /** The initializer of a parameter, in PyTorch's layout or transposed (2-D weights feeding MatMul). */
  weight(param: Parameter, layout: 'torch' | 'transposed', site: EmitSite): TensorValue {
    const shape = param.shape;
    if (shape === null) throw new ForwardError(`the shape of parameter ${param.name ?? '?'} is unresolved`, site.called);
    const wantTransposed = layout === 'transposed';
    const torchShape = [...shape];
    const transposedShape = [...shape].reverse();
    if (param.initializer === undefined) {
      const name = param.name ?? this.builder.freshValue('param');
      this.builder.initializer(name, wantTransposed ? transposedShape : torchShape, this.floatType);
      param.initializer = { name, transposed: wantTransposed };
    }
    const init = param.initializer;
    const stored = { name: init.name, shape: init.transposed ? transposedShape : torchShape, dtype: this.floatType };
    if (init.transposed === wantTransposed) return stored;
    // A tied weight used in the other layout (embedding shared with the LM head): folded at load time.
    const perm = stored.shape.map((_, i) => stored.shape.length - 1 - i);
    return this.emit('Transpose', [stored.name], { perm }, wantTransposed ? transposedShape : torchShape, this.floatType, { ...site, name: `${init.name}/Transpose` });
  }

  binary(op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow', a: TensorValue, b: TensorValue, site: EmitSite): TensorValue {
    return this.emit(op, [a.name, b.name], {}, broadcast(a.shape, b.shape), a.dtype === DataType.INT64 ? b.dtype : a.dtype, site);
  }

  scalar(value: number, like: TensorValue, site: EmitSite): TensorValue {
    const name = this.builder.constFloat(value, site.scope || 'const');
    return { name, shape: [], dtype: like.dtype };
  }

  unary(op: string, x: TensorValue, site: EmitSite, attrs: AttributeInit = {}): TensorValue {
    return this.emit(op, [x.name], attrs, x.shape, x.dtype, site);
  }

  matmul(a: TensorValue, b: TensorValue, site: EmitSite): TensorValue {
    if (a.shape.length === 0 || b.shape.length === 0) throw new ForwardError('matmul of a scalar', site.called);
    const aShape = a.shape.length === 1 ? [1, ...a.shape] : a.shape;
    const bShape = b.shape.length === 1 ? [...b.shape, 1] : b.shape;
    const batch = broadcast(aShape.slice(0, -2), bShape.slice(0, -2));
    const out: Dim[] = [...batch, aShape[aShape.length - 2] ?? null, bShape[bShape.length - 1] ?? null];
    if (a.shape.length === 1) out.splice(out.length - 2, 1);
    if (b.shape.length === 1) out.pop();
    return this.emit('MatMul', [a.name, b.name], {}, out, a.dtype, site);
  }

  transpose(x: TensorValue, perm: readonly number[], site: EmitSite): TensorValue {
    return this.emit('Transpose', [x.name], { perm }, perm.map((p) => x.shape[p] ?? null), x.dtype, site);
  }

  swapAxes(x: TensorValue, a: number, b: number, site: EmitSite): TensorValue {
    const rank = x.shape.length;
    const [i, j] = [normaliseAxis(a, rank, site), normaliseAxis(b, rank, site)];
    const perm = x.shape.map((_, k) => k);
    perm[i] = j;
    perm[j] = i;
    return this.transpose(x, perm, site);
  }

  /** view / reshape: one -1 is resolved from the element count. */
  reshape(x: TensorValue, dims: readonly Dim[], site: EmitSite): TensorValue {
    const total = dimProduct(x.shape);
    const minus = dims.findIndex((d) => d === -1);
    let out = [...dims];
    if (minus !== -1) {
      const rest = dimProduct(dims.filter((_, i) => i !== minus));
      out[minus] = total !== null && rest !== null ? dimFloorDiv(total, rest) : null;
    }
    if (out.some((d) => d === null)) throw new ForwardError('a reshape target dim is unknown', site.called);
    // Constant value_ints needs numbers: a symbolic dim becomes the one -1 the runtime resolves.
    const symbolic = out.filter((d) => typeof d !== 'number').length;
    if (symbolic > 1) throw new ForwardError('a reshape with more than one symbolic dim cannot be expressed', site.called);
    const spec = out.map((d) => (typeof d === 'number' ? d : -1));
    const shapeName = this.builder.constInts(spec, site.scope || 'reshape');
    out = out.map((d) => d);
    return this.emit('Reshape', [x.name, shapeName], {}, out, x.dtype, site);
  }

  flatten(x: TensorValue, start: number, end: number, site: EmitSite): TensorValue {
    const rank = x.shape.length;
    if (rank === 0) return x;
    const s = normaliseAxis(start, rank, site);
    const e = normaliseAxis(end, rank, site);
    if (e === rank - 1) {
      const out = [...x.shape.slice(0, s), dimProduct(x.shape.slice(s))];
      // ONNX Flatten gives 2-D only: use it when the result is 2-D (the classifier-head case).
      if (s === 1 && out.length === 2) return this.emit('Flatten', [x.name], { axis: 1 }, out, x.dtype, site);
      return this.reshape(x, out, site);
    }
    return this.reshape(x, [...x.shape.slice(0, s), dimProduct(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)], site);
  }

  softmax(x: TensorValue, axis: number, site: EmitSite, op = 'Softmax'): TensorValue {
    return this.emit(op, [x.name], { axis: normaliseAxis(axis, x.shape.length, site) }, x.shape, x.dtype, site);
  }

  reduce(op: 'ReduceMean' | 'ReduceSum' | 'ReduceMax' | 'ReduceL2', x: TensorValue, axes: readonly number[] | null, keepdims: boolean, site: EmitSite): TensorValue {
    const rank = x.shape.length;
    const norm = axes === null ? x.shape.map((_, i) => i) : axes.map((a) => normaliseAxis(a, rank, site));
    const out: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!norm.includes(i)) out.push(d);
      else if (keepdims) out.push(1);
    });
    const inputs = [x.name, this.builder.constInts(norm, site.scope || 'reduce')];
    return this.emit(op, inputs, { keepdims: keepdims ? 1 : 0 }, out, x.dtype, site);
  }

  concat(xs: readonly TensorValue[], axis: number, site: EmitSite): TensorValue {
    const first = xs[0];
    if (first === undefined) throw new ForwardError('torch.cat of nothing', site.called);
    const a = normaliseAxis(axis, first.shape.length, site);
    const out = [...first.shape];
    let sum: Dim = 0;
    for (const x of xs) {
      const d = x.shape[a];
      // A symbolic or unknown length anywhere makes the sum unknown.
      sum = typeof sum === 'number' && typeof d === 'number' ? sum + d : null;
    }
    out[a] = sum;
    return this.emit('Concat', xs.map((x) => x.name), { axis: a }, out, first.dtype, site);
  }

  split(x: TensorValue, sizes: readonly number[], axis: number, site: EmitSite): TensorValue[] {
    const a = normaliseAxis(axis, x.shape.length, site);
    const splitName = this.builder.constInts(sizes, site.scope || 'split');
    const shapes = sizes.map((s) => x.shape.map((d, i) => (i === a ? s : d)));
    return this.emitMany('Split', [x.name, splitName], { axis: a }, shapes, x.dtype, site);
  }

  /** x[..., i, ...] with an integer index: Gather along the axis (the axis disappears). */
  gatherIndex(x: TensorValue, axis: number, index: number, keepAxis: boolean, site: EmitSite): TensorValue {
    const indices = keepAxis ? this.builder.constInts([index], site.scope || 'index') : this.builder.constInt(index, site.scope || 'index');
    const out = keepAxis ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
    return this.emit('Gather', [x.name, indices], { axis }, out, x.dtype, site);
  }

  slice(x: TensorValue, axis: number, start: number, stop: number, step: number, site: EmitSite): TensorValue {
    const len = x.shape[axis];
    let size: Dim = null;
    if (typeof len === 'number') {
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + len : v, 0), len);
      const [s, e] = [clamp(start), clamp(stop)];
      size = Math.max(0, Math.ceil((e - s) / step));
    }
    const b = this.builder;
    const scope = site.scope || 'slice';
    const inputs = [x.name, b.constInts([start], scope), b.constInts([stop], scope), b.constInts([axis], scope), b.constInts([step], scope)];
    return this.emit('Slice', inputs, {}, x.shape.map((d, i) => (i === axis ? size : d)), x.dtype, site);
  }

  /** torch.roll along each axis: two Slices and a Concat per axis, as torch.onnx exports it. */
  roll(x: TensorValue, shifts: readonly number[], axes: readonly number[], site: EmitSite): TensorValue {
    if (shifts.length !== axes.length) throw new ForwardError('torch.roll with different numbers of shifts and dims', site.called);
    let t = x;
    axes.forEach((axis, i) => {
      const a = normaliseAxis(axis, t.shape.length, site);
      const len = t.shape[a];
      if (typeof len !== 'number') throw new ForwardError('torch.roll along a symbolic axis', site.called);
      const shift = (((shifts[i] ?? 0) % len) + len) % len;
      if (shift === 0) return;
      const tail = this.slice(t, a, len - shift, len, 1, site);
      const head = this.slice(t, a, 0, len - shift, 1, site);
      t = this.concat([tail, head], a, site);
    });
    return t;
  }

  /** F.pad: `pads` as PyTorch gives them (last axis first, begin/end pairs) → ONNX Pad. */
  pad(x: TensorValue, torchPads: readonly number[], site: EmitSite): TensorValue {
    const rank = x.shape.length;
    if (torchPads.length % 2 !== 0 || torchPads.length / 2 > rank) throw new ForwardError('F.pad with a malformed padding list', site.called);
    const begins = new Array<number>(rank).fill(0);
    const ends = new Array<number>(rank).fill(0);
    for (let i = 0; i < torchPads.length / 2; i++) {
      begins[rank - 1 - i] = torchPads[2 * i] ?? 0;
      ends[rank - 1 - i] = torchPads[2 * i + 1] ?? 0;
    }
    const out = x.shape.map((d, i) => (typeof d === 'number' ? d + (begins[i] ?? 0) + (ends[i] ?? 0) : (begins[i] ?? 0) + (ends[i] ?? 0) === 0 ? d : null));
    return this.emit('Pad', [x.name, this.builder.constInts([...begins, ...ends], site.scope || 'pad')], {}, out, x.dtype, site);
  }

  /** clamp(min, max) → Clip; a missing bound is an empty input. */
  clip(x: TensorValue, min: number | undefined, max: number | undefined, site: EmitSite): TensorValue {
    const inputs = [x.name, min === undefined ? '' : this.scalar(min, x, site).name];
    if (max !== undefined) inputs.push(this.scalar(max, x, site).name);
    return this.emit('Clip', inputs, {}, x.shape, x.dtype, site);
  }

  expand(x: TensorValue, dims: readonly Dim[], site: EmitSite): TensorValue {
    const offset = dims.length - x.shape.length;
    const out = dims.map((d, i) => (d === -1 ? (x.shape[i - offset] ?? null) : d));
    if (!out.every((d): d is number => typeof d === 'number')) throw new ForwardError('expand to a symbolic or unknown shape', site.called);
    return this.emit('Expand', [x.name, this.builder.constInts(out, site.scope || 'expand')], {}, out, x.dtype, site);
  }

  unsqueeze(x: TensorValue, axis: number, site: EmitSite): TensorValue {
    const a = axis < 0 ? axis + x.shape.length + 1 : axis;
    const out = [...x.shape];
    out.splice(a, 0, 1);
    return this.emit('Unsqueeze', [x.name, this.builder.constInts([a], site.scope || 'unsqueeze')], {}, out, x.dtype, site);
  }

  squeeze(x: TensorValue, axis: number | null, site: EmitSite): TensorValue {
    const axes = axis === null ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : [normaliseAxis(axis, x.shape.length, site)];
    const out = x.shape.filter((_, i) => !axes.includes(i));
    return this.emit('Squeeze', [x.name, this.builder.constInts(axes, site.scope || 'squeeze')], {}, out, x.dtype, site);
  }

  /** torch.arange(start, stop, step) as an int64 Range over scalar constants. */
  arange(start: number, stop: Dim, step: number, site: EmitSite): TensorValue {
    if (typeof stop !== 'number') throw new ForwardError('torch.arange with a symbolic end', site.called);
    const b = this.builder;
    const scope = site.scope || 'arange';
    const len = Math.max(0, Math.ceil((stop - start) / step));
    return this.emit('Range', [b.constInt(start, scope), b.constInt(stop, scope), b.constInt(step, scope)], {}, [len], DataType.INT64, site);
  }

  /** A tensor created in forward (torch.zeros/ones/…) or a buffer: ConstantOfShape, never a parameter. */
  filled(shape: readonly Dim[], dtype: DataType, site: EmitSite): TensorValue {
    if (!shape.every((d): d is number => typeof d === 'number')) throw new ForwardError('a tensor created with a symbolic shape', site.called);
    return this.emit('ConstantOfShape', [this.builder.constInts(shape, site.scope || 'filled')], {}, shape, dtype, site);
  }

  headSize(hidden: Dim, heads: number): Dim {
    return dimFloorDiv(hidden, heads);
  }

  mul(a: Dim, b: Dim): Dim {
    return dimMul(a, b);
  }
}
