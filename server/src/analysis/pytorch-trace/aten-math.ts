/** aten arithmetic, activations, reductions and softmax → ONNX elementwise, Reduce* and Softmax ops. */
import { AtenContext, AtenMapper, AttributeInit, axis, bool, nodeOutput, num, out0, tensorArg } from './aten-context';

// --- arithmetic -------------------------------------------------------------------------------------

export function firstDtype(ctx: AtenContext): string {
  const t = tensorArg(ctx, 0) ?? tensorArg(ctx, 1);
  return t?.dtype ?? out0(ctx)?.dtype ?? 'float32';
}

export function unary(opType: string, attributes: (ctx: AtenContext) => AttributeInit = () => ({})): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self') ?? tensorArg(ctx, 0, 'input');
    return x ? [ctx.node(opType, [ctx.value(x)], attributes(ctx))[0]] : null;
  };
}

export function binary(opType: string, options: { alpha?: boolean; swap?: boolean; not?: boolean } = {}): AtenMapper {
  return (ctx) => {
    const dtype = firstDtype(ctx);
    let a = ctx.operand(ctx.arg(0, 'self'), dtype);
    let b = ctx.operand(ctx.arg(1, 'other'), dtype);
    const alpha = options.alpha ? num(ctx, 2, 'alpha', 1) : 1;
    if (alpha !== 1) b = nodeOutput(ctx, 'Mul', [b, ctx.operand(alpha, dtype)]);
    if (options.swap) [a, b] = [b, a];
    const result = nodeOutput(ctx, opType, [a, b]);
    return [options.not ? ctx.node('Not', [result])[0] : result];
  };
}

export const div: AtenMapper = (ctx) => {
  const mode = ctx.arg(2, 'rounding_mode');
  const quotient = binary('Div')(ctx)?.[0];
  if (quotient === undefined) return null;
  if (mode === 'floor') return [ctx.node('Floor', [quotient])[0]];
  if (mode === 'trunc') return [ctx.node('Floor', [nodeOutput(ctx, 'Abs', [quotient])])[0]];
  return [quotient];
};

export const where: AtenMapper = (ctx) => {
  const cond = tensorArg(ctx, 0, 'condition');
  if (!cond) return null;
  const dtype = out0(ctx)?.dtype ?? 'float32';
  return [ctx.node('Where', [ctx.value(cond), ctx.operand(ctx.arg(1, 'self'), dtype), ctx.operand(ctx.arg(2, 'other'), dtype)])[0]];
};

/** masked_fill(x, mask, value) = Where(mask, value, x). */
export const maskedFill: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  const mask = tensorArg(ctx, 1, 'mask');
  if (!x || !mask) return null;
  return [ctx.node('Where', [ctx.value(mask), ctx.operand(ctx.arg(2, 'value'), x.dtype), ctx.value(x)])[0]];
};

/** clamp / hardtanh / clamp_min / clamp_max: Clip with scalar bounds (absent ones omitted). */
export function clip(minIndex: number | null, maxIndex: number | null, fixed?: { min?: number; max?: number }): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    if (!x) return null;
    const bound = (i: number | null, name: string, fallback: number | undefined): string => {
      const a = i === null ? undefined : ctx.arg(i, name);
      const v = a ?? fallback;
      return v === undefined || v === null ? '' : ctx.operand(v, x.dtype);
    };
    return [ctx.node('Clip', [ctx.value(x), bound(minIndex, 'min', fixed?.min), bound(maxIndex, 'max', fixed?.max)])[0]];
  };
}

export const rsqrt: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  return x ? [ctx.node('Reciprocal', [nodeOutput(ctx, 'Sqrt', [ctx.value(x)])])[0]] : null;
};

export const silu: AtenMapper = unary('Swish');

export const gelu = unary('Gelu', (ctx) => ({ approximate: ctx.arg(1, 'approximate') === 'tanh' ? 'tanh' : 'none' }));

/** mean.dim / sum.dim_IntList / amax (x, dims, keepdim): a Reduce over those axes; no dims: all of them. */
export function reduce(opType: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    if (!x) return null;
    const dims = ctx.arg(1, 'dim');
    const list = typeof dims === 'number' ? [dims] : Array.isArray(dims) && dims.every((d) => typeof d === 'number') ? (dims as number[]) : [];
    const keep = bool(ctx, 2, 'keepdim', false);
    const axes = list.map((d) => axis(d, x.shape.length));
    const inputs = [ctx.value(x), ...(axes.length > 0 ? [ctx.constInts(axes)] : [])];
    return [ctx.node(opType, inputs, { keepdims: keep ? 1 : 0 })[0]];
  };
}

/** norm.ScalarOpt_dim(x, p, dim, keepdim) / linalg_vector_norm(x, ord, dim, keepdim): ReduceL2, ReduceL1 or max |x|. */
export const norm: AtenMapper = (ctx) => {
  const x = tensorArg(ctx, 0, 'self');
  if (!x) return null;
  const p = ctx.arg(1, ctx.op.op === 'aten::linalg_vector_norm' ? 'ord' : 'p') ?? 2;
  const dims = ctx.arg(2, 'dim');
  const list = typeof dims === 'number' ? [dims] : Array.isArray(dims) && dims.every((d) => typeof d === 'number') ? (dims as number[]) : [];
  const axes = list.map((d) => axis(d, x.shape.length));
  const keepdims = bool(ctx, 3, 'keepdim', false) ? 1 : 0;
  const axesInput = axes.length > 0 ? [ctx.constInts(axes)] : [];
  if (p === 2) return [ctx.node('ReduceL2', [ctx.value(x), ...axesInput], { keepdims })[0]];
  if (p === 1) return [ctx.node('ReduceL1', [ctx.value(x), ...axesInput], { keepdims })[0]];
  if (p === 'inf') return [ctx.node('ReduceMax', [nodeOutput(ctx, 'Abs', [ctx.value(x)]), ...axesInput], { keepdims })[0]];
  return null;
};

/** max.dim / min.dim (x, dim, keepdim) → [values, indices]. */
export function reduceWithIndex(reduceOp: string, argOp: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    if (!x) return null;
    const dim = axis(num(ctx, 1, 'dim', 0), x.shape.length);
    const keep = bool(ctx, 2, 'keepdim', false) ? 1 : 0;
    return [ctx.node(reduceOp, [ctx.value(x), ctx.constInts([dim])], { keepdims: keep })[0], ctx.node(argOp, [ctx.value(x)], { axis: dim, keepdims: keep })[0]];
  };
}

export function softmax(opType: string): AtenMapper {
  return (ctx) => {
    const x = tensorArg(ctx, 0, 'self');
    return x ? [ctx.node(opType, [ctx.value(x)], { axis: axis(num(ctx, 1, 'dim', -1), x.shape.length) })[0]] : null;
  };
}
