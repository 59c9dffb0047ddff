/**
 * torch / torch.nn.functional functions and Tensor methods inside forward(): matmul, @, arithmetic,
 * softmax, gelu, scaled_dot_product_attention, view/reshape/transpose/permute, cat, split, mean, size…
 * Each becomes the ONNX op an export would produce. Returns undefined for a name not modelled, so the
 * caller can report it.
 */
import { Dim } from '../ir/dim';
import { DataType } from '../ir/dtype';
import { linear, silu } from './layer-forward';
import { einsum } from './einsum';
import { adaptivePool, pool, poolWindow } from './pooling';
import { EmitSite, normaliseAxis, TensorOps } from './tensor-ops';
import { allDefined, at } from '../ir/at';
import { argsOrLoneList, asDim, asItems, asNumber, int, NONE, Parameter, PyValue, TensorValue } from './values';

export interface TorchEnv {
  readonly ops: TensorOps;
  readonly site: EmitSite;
  /** A tensor from a tensor, parameter or shape-only buffer; undefined for anything else. */
  toTensor(value: PyValue | undefined): TensorValue | undefined;
  markIndices(tensor: TensorValue): void;
}

const tensor = (t: TensorValue): PyValue => ({ kind: 'tensor', tensor: t });

function dimsFrom(args: readonly PyValue[]): Dim[] | undefined {
  return allDefined(argsOrLoneList(args).map(asDim));
}

function dimArg(args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>, index: number, name: string): number | undefined {
  return asNumber(args[index] ?? kwargs.get(name));
}

/** Elementwise binary op between tensors and Python numbers (`x * 0.5`, `1.0 - x`). */
export function tensorArithmetic(env: TorchEnv, op: string, a: PyValue, b: PyValue): PyValue | undefined {
  const onnx = ({ '+': 'Add', '-': 'Sub', '*': 'Mul', '/': 'Div', '**': 'Pow' } as const)[op as '+'];
  if (op === '@') {
    const [x, y] = [env.toTensor(a), env.toTensor(b)];
    if (!x || !y) return undefined;
    return tensor(env.ops.matmul(x, y, env.site));
  }
  if (onnx === undefined) return undefined;
  const x = env.toTensor(a);
  const y = env.toTensor(b);
  if (x && y) return tensor(env.ops.binary(onnx, x, y, env.site));
  const t = x ?? y;
  const n = asNumber(x ? b : a);
  if (!t || n === undefined) return undefined;
  const s = env.ops.scalar(n, t, env.site);
  return tensor(x ? env.ops.binary(onnx, t, s, env.site) : env.ops.binary(onnx, s, t, env.site));
}

/** `torch.*` and `torch.nn.functional.*` (by their short name) with tensor arguments. */
export function callTorchFunction(env: TorchEnv, qualified: string, args: PyValue[], kwargs: ReadonlyMap<string, PyValue>): PyValue | undefined {
  const { ops, site } = env;
  const name = qualified.replace(/^torch\.nn\.functional\./, 'F.').replace(/^torch\./, '');
  const x = env.toTensor(args[0] ?? kwargs.get('input'));
  switch (name) {
    case 'arange': {
      const nums = allDefined(args.map(asDim));
      if (nums === undefined) return undefined;
      const [a, b, c] = nums;
      const [start, stop, step] = args.length === 1 ? [0, a, 1] : [a, b, c ?? 1];
      if (typeof start !== 'number' || typeof step !== 'number') return undefined;
      return tensor(ops.arange(start, stop ?? null, step, site));
    }
    case 'zeros':
    case 'ones':
    case 'empty':
    case 'randn':
    case 'rand':
    case 'full': {
      const dims = dimsFrom(name === 'full' ? [args[0] ?? NONE] : args);
      return dims ? tensor(ops.filled(dims, ops.floatType, site)) : undefined;
    }
    case 'cat':
    case 'concat':
    case 'stack': {
      const listed = asItems(args[0] ?? kwargs.get('tensors'));
      const items = listed && allDefined(listed.map((v) => env.toTensor(v)));
      if (!items) return undefined;
      const dim = dimArg(args, kwargs, 1, 'dim') ?? 0;
      if (name === 'stack') return tensor(ops.concat(items.map((t) => ops.unsqueeze(t, dim, site)), dim, site));
      return tensor(ops.concat(items, dim, site));
    }
    case 'F.linear': {
      const w = args[1] ?? kwargs.get('weight');
      const b = args[2] ?? kwargs.get('bias');
      if (!x || w?.kind !== 'parameter') return undefined;
      if (b === undefined || b.kind === 'none' || b.kind === 'parameter') return tensor(linear(ops, x, w.parameter, b?.kind === 'parameter' ? b.parameter : undefined, site));
      // A bias computed in forward (Swin V2 zeroes the key part of a clone): MatMul, then Add.
      const bias = env.toTensor(b);
      if (!bias) return undefined;
      return tensor(ops.binary('Add', linear(ops, x, w.parameter, undefined, site), bias, site));
    }
    case 'meshgrid': {
      const vectors = allDefined(argsOrLoneList(args).map((v) => env.toTensor(v)));
      if (vectors === undefined || vectors.length === 0 || vectors.some((t) => t.shape.length !== 1)) return undefined;
      const indexing = kwargs.get('indexing');
      // indexing='xy' swaps the first two output axes.
      const axes = vectors.map((_, i) => i);
      if (indexing?.kind === 'str' && indexing.value === 'xy' && axes.length >= 2) [axes[0], axes[1]] = [1, 0];
      const lengths: Dim[] = new Array<Dim>(vectors.length).fill(1);
      vectors.forEach((t, i) => (lengths[at(axes, i, 'meshgrid axes')] = t.shape[0] ?? null));
      return {
        kind: 'tuple',
        items: vectors.map((t, i) => {
          const column = ops.reshape(t, lengths.map((d, k) => (k === axes[i] ? d : 1)), site);
          return tensor(ops.expand(column, lengths, site));
        }),
      };
    }
    case 'F.embedding': {
      const w = env.toTensor(args[1] ?? kwargs.get('weight'));
      if (!x || !w) return undefined;
      env.markIndices(x);
      return tensor(ops.emit('Gather', [w.name, x.name], { axis: 0 }, [...x.shape, w.shape[1] ?? null], w.dtype, site));
    }
    case 'einsum':
      return einsum(env, args);
    case 'F.scaled_dot_product_attention': {
      const [q, k, v] = (['query', 'key', 'value'] as const).map((keyword, i) => env.toTensor(args[i] ?? kwargs.get(keyword)));
      if (!q || !k || !v) return undefined;
      const causal = kwargs.get('is_causal') ?? args[5];
      const mask = env.toTensor(kwargs.get('attn_mask') ?? args[3]);
      const inputs = [q.name, k.name, v.name, ...(mask ? [mask.name] : [])];
      const isCausal = causal !== undefined && (asNumber(causal) ?? 0) !== 0;
      const out = [...q.shape.slice(0, -1), v.shape.at(-1) ?? null];
      return tensor(ops.emit('Attention', inputs, isCausal ? { is_causal: 1 } : {}, out, q.dtype, site));
    }
    case 'F.layer_norm': {
      const shapeArg = args[1] ?? kwargs.get('normalized_shape');
      const shape = asItems(shapeArg) ?? (shapeArg !== undefined && asNumber(shapeArg) !== undefined ? [shapeArg] : undefined);
      const w = env.toTensor(args[2] ?? kwargs.get('weight'));
      const b = env.toTensor(args[3] ?? kwargs.get('bias'));
      const eps = asNumber(args[4] ?? kwargs.get('eps')) ?? 1e-5;
      if (!x || !shape) return undefined;
      const scale = w ?? ops.filled(x.shape.slice(-shape.length), x.dtype, site);
      return tensor(ops.emit('LayerNormalization', [x.name, scale.name, ...(b ? [b.name] : [])], { axis: -shape.length, epsilon: { float: eps } }, x.shape, x.dtype, site));
    }
    case 'matmul':
    case 'bmm':
    case 'mm': {
      const y = env.toTensor(args[1]);
      return x && y ? tensor(ops.matmul(x, y, site)) : undefined;
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      return tensorArithmetic(env, { add: '+', sub: '-', mul: '*', div: '/', pow: '**' }[name], args[0] ?? NONE, args[1] ?? NONE);
    case 'flatten':
      return x ? tensor(ops.flatten(x, dimArg(args, kwargs, 1, 'start_dim') ?? 0, dimArg(args, kwargs, 2, 'end_dim') ?? -1, site)) : undefined;
    case 'F.adaptive_avg_pool2d':
    case 'F.adaptive_avg_pool1d':
      return x ? tensor(adaptivePool(ops, x, args[1] ?? kwargs.get('output_size'), name.endsWith('1d') ? 1 : 2, false, site)) : undefined;
    case 'F.max_pool1d':
    case 'F.max_pool2d':
    case 'F.max_pool3d':
    case 'max_pool2d':
    case 'F.avg_pool1d':
    case 'F.avg_pool2d':
    case 'F.avg_pool3d':
    case 'avg_pool2d': {
      if (!x) return undefined;
      const rank = Number(/([123])d$/.exec(name)?.[1] ?? 2);
      const max = name.includes('max');
      // max_pool(input, kernel_size, stride, padding, dilation, ceil_mode); avg_pool(input, kernel_size, stride, padding, ceil_mode, …)
      const arg = (i: number, key: string): PyValue | undefined => args[i] ?? kwargs.get(key);
      const window = poolWindow(rank, arg(1, 'kernel_size'), arg(2, 'stride'), arg(3, 'padding'), max ? arg(4, 'dilation') : undefined, max ? arg(5, 'ceil_mode') : arg(4, 'ceil_mode'), site);
      return tensor(pool(ops, x, max ? 'max' : 'avg', window, site));
    }
    case 'F.pad': {
      const pads = intList(args[1] ?? kwargs.get('pad'));
      const mode = args[2] ?? kwargs.get('mode');
      if (!x || !pads || (mode !== undefined && !(mode.kind === 'str' && mode.value === 'constant'))) return undefined;
      return tensor(ops.pad(x, pads, site));
    }
    case 'F.normalize': {
      // x / max(‖x‖_p, eps) along dim: ReduceL2 (keepdims) and a broadcast Div, as exported.
      const p = asNumber(args[1] ?? kwargs.get('p')) ?? 2;
      const dim = dimArg(args, kwargs, 2, 'dim') ?? 1;
      if (!x || p !== 2) return undefined;
      const norm = ops.reduce('ReduceL2', x, [dim], true, site);
      return tensor(ops.binary('Div', x, ops.clip(norm, 1e-12, undefined, site), site));
    }
    case 'F.relu6':
      return x ? tensor(ops.clip(x, 0, 6, site)) : undefined;
    case 'F.dropout':
    case 'F.dropout2d':
    case 'dropout':
    case 'F.alpha_dropout':
      return args[0];
    case 'jit.is_scripting':
    case 'jit.is_tracing':
    case 'onnx.is_in_onnx_export':
      // Eager inference: the branch torch.onnx.export itself takes.
      return { kind: 'bool', value: false };
    case '_C._log_api_usage_once':
      return NONE;
    case 'jit.annotate':
      return args[1];
    default:
      break;
  }
  const method = TENSOR_FUNCTIONS.get(name);
  if (x && method) return callTensorMethod(env, x, method, args.slice(1), kwargs);
  if (!x) return undefined;
  const activation = ACTIVATIONS.get(name.replace(/^F\./, ''));
  if (activation) return tensor(activation(env, x, args, kwargs));
  return undefined;
}

/** `torch.f(x, …)` that are the Tensor method `x.f(…)`. */
const TENSOR_FUNCTIONS = new Map<string, string>(
  ['transpose', 'swapaxes', 'permute', 'reshape', 'unsqueeze', 'squeeze', 'chunk', 'split', 'mean', 'sum', 'amax', 'roll', 'clamp', 'clip', 'masked_fill', 'numel'].map((n) => [n, n]),
);

type Activation = (env: TorchEnv, x: TensorValue, args: PyValue[], kwargs: ReadonlyMap<string, PyValue>) => TensorValue;

const unaryOp = (op: string): Activation => (env, x) => env.ops.unary(op, x, env.site);

const softmaxLike = (op: string): Activation => (env, x, args, kwargs) => env.ops.softmax(x, dimArg(args, kwargs, 1, 'dim') ?? -1, env.site, op);

const ACTIVATIONS = new Map<string, Activation>([
  ['relu', unaryOp('Relu')],
  ['relu_', unaryOp('Relu')],
  ['sigmoid', unaryOp('Sigmoid')],
  ['tanh', unaryOp('Tanh')],
  ['exp', unaryOp('Exp')],
  ['sqrt', unaryOp('Sqrt')],
  ['rsqrt', (env, x) => env.ops.unary('Reciprocal', env.ops.unary('Sqrt', x, env.site), env.site)],
  ['neg', unaryOp('Neg')],
  ['log', unaryOp('Log')],
  ['log2', unaryOp('Log')],
  ['sign', unaryOp('Sign')],
  ['floor', unaryOp('Floor')],
  ['ceil', unaryOp('Ceil')],
  ['round', unaryOp('Round')],
  ['abs', unaryOp('Abs')],
  ['erf', unaryOp('Erf')],
  ['hardswish', unaryOp('HardSwish')],
  ['hardsigmoid', unaryOp('HardSigmoid')],
  ['exp_', unaryOp('Exp')],
  ['silu', (env, x) => silu(env.ops, x, env.site)],
  ['gelu', (env, x, _args, kwargs) => {
    const approx = kwargs.get('approximate');
    return env.ops.unary('Gelu', x, env.site, approx?.kind === 'str' && approx.value === 'tanh' ? { approximate: 'tanh' } : {});
  }],
  ['leaky_relu', (env, x, args) => env.ops.unary('LeakyRelu', x, env.site, { alpha: { float: asNumber(args[1]) ?? 0.01 } })],
  ['softmax', softmaxLike('Softmax')],
  ['log_softmax', softmaxLike('LogSoftmax')],
]);

/** Tensor methods: `x.view(...)`, `x.transpose(1, 2)`, `x.size(-1)`, `x.mean(dim=-1)`… */
export function callTensorMethod(env: TorchEnv, x: TensorValue, method: string, args: PyValue[], kwargs: ReadonlyMap<string, PyValue>): PyValue | undefined {
  const { ops, site } = env;
  const rank = x.shape.length;
  switch (method) {
    case 'size':
    case 'dim': {
      if (method === 'dim') return int(rank);
      const axis = asNumber(args[0] ?? kwargs.get('dim'));
      if (axis === undefined) return { kind: 'tuple', items: x.shape.map((d) => int(d)) };
      return int(x.shape[normaliseAxis(axis, rank, site)] ?? null);
    }
    case 'numel':
      return int(x.shape.reduce<Dim>((a, b) => (typeof a === 'number' && typeof b === 'number' ? a * b : null), 1));
    case 'view':
    case 'reshape': {
      const dims = dimsFrom(args);
      return dims ? tensor(ops.reshape(x, dims, site)) : undefined;
    }
    case 'transpose':
    case 'swapaxes': {
      const [a, b] = [asNumber(args[0]), asNumber(args[1])];
      return a === undefined || b === undefined ? undefined : tensor(ops.swapAxes(x, a, b, site));
    }
    case 't':
      return tensor(ops.swapAxes(x, 0, 1, site));
    case 'permute': {
      const dims = dimsFrom(args);
      if (!dims?.every((d): d is number => typeof d === 'number')) return undefined;
      return tensor(ops.transpose(x, dims.map((d) => normaliseAxis(d, rank, site)), site));
    }
    case 'contiguous':
    case 'float':
    case 'to':
    case 'type_as':
    case 'clone':
    case 'detach':
    case 'half':
    case 'bfloat16':
      return tensor(x);
    case 'flatten':
      return tensor(ops.flatten(x, dimArg(args, kwargs, 0, 'start_dim') ?? 0, dimArg(args, kwargs, 1, 'end_dim') ?? -1, site));
    case 'unsqueeze': {
      const axis = asNumber(args[0]);
      return axis === undefined ? undefined : tensor(ops.unsqueeze(x, axis, site));
    }
    case 'squeeze':
      return tensor(ops.squeeze(x, asNumber(args[0]) ?? null, site));
    case 'expand': {
      const dims = dimsFrom(args);
      return dims ? tensor(ops.expand(x, dims, site)) : undefined;
    }
    case 'split':
    case 'chunk': {
      const axis = dimArg(args, kwargs, 1, 'dim') ?? (method === 'split' ? 0 : 0);
      const a = normaliseAxis(axis, rank, site);
      const len = x.shape[a];
      if (typeof len !== 'number') return undefined;
      const sizeList = asItems(args[0]);
      let sizes: number[];
      if (sizeList) sizes = sizeList.map((v) => asNumber(v) ?? 0);
      else {
        const n = asNumber(args[0]);
        if (n === undefined || n <= 0) return undefined;
        const piece = method === 'chunk' ? Math.ceil(len / n) : n;
        sizes = [];
        for (let left = len; left > 0; left -= piece) sizes.push(Math.min(piece, left));
      }
      return { kind: 'tuple', items: ops.split(x, sizes, a, site).map(tensor) };
    }
    case 'mean':
    case 'sum':
    case 'amax': {
      const dimValue = args[0] ?? kwargs.get('dim');
      const axes = dimValue === undefined || dimValue.kind === 'none' ? null : (asItems(dimValue)?.map((v) => asNumber(v) ?? 0) ?? [asNumber(dimValue) ?? 0]);
      const keep = (asNumber(args[1] ?? kwargs.get('keepdim')) ?? 0) !== 0;
      return tensor(ops.reduce(method === 'mean' ? 'ReduceMean' : method === 'sum' ? 'ReduceSum' : 'ReduceMax', x, axes, keep, site));
    }
    case 'softmax':
      return tensor(ops.softmax(x, dimArg(args, kwargs, 0, 'dim') ?? -1, site));
    case 'matmul':
    case 'mul':
    case 'add':
    case 'sub':
    case 'div':
    case 'pow':
      return callTorchFunction(env, method, [tensor(x), ...args], kwargs);
    case 'masked_fill': {
      const mask = env.toTensor(args[0]);
      const fill = asNumber(args[1]) ?? 0;
      if (!mask) return undefined;
      return tensor(ops.emit('Where', [mask.name, ops.scalar(fill, x, site).name, x.name], {}, x.shape, x.dtype, site));
    }
    case 'long':
    case 'int':
      return tensor({ ...x, dtype: DataType.INT64 });
    case 'roll': {
      const shifts = intList(args[0] ?? kwargs.get('shifts'));
      const dims = intList(args[1] ?? kwargs.get('dims'));
      if (!shifts) return undefined;
      // No dims: torch rolls the flattened tensor.
      if (!dims) return tensor(ops.reshape(ops.roll(ops.reshape(x, [-1], site), shifts, [0], site), x.shape, site));
      return tensor(ops.roll(x, shifts, dims, site));
    }
    case 'clamp':
    case 'clip':
    case 'clamp_': {
      const min = args[0] ?? kwargs.get('min');
      const max = args[1] ?? kwargs.get('max');
      const [lo, hi] = [min, max].map((v) => (v === undefined || v.kind === 'none' ? undefined : asNumber(v)));
      if ((min !== undefined && min.kind !== 'none' && lo === undefined) || (max !== undefined && max.kind !== 'none' && hi === undefined)) return undefined;
      return tensor(ops.clip(x, lo, hi, site));
    }
    case 'new_zeros':
    case 'new_ones':
    case 'new_empty': {
      const dims = dimsFrom(args);
      return dims ? tensor(ops.filled(dims, x.dtype, site)) : undefined;
    }
    case 'zero_':
    case 'fill_':
      // In-place fills keep the shape; the values do not change any cost.
      return tensor(x);
    case 'expand_as':
    case 'view_as':
    case 'reshape_as': {
      const other = env.toTensor(args[0]);
      if (!other) return undefined;
      return tensor(method === 'expand_as' ? ops.expand(x, other.shape, site) : ops.reshape(x, other.shape, site));
    }
    default: {
      const activation = ACTIVATIONS.get(method);
      if (activation) return tensor(activation(env, x, [tensor(x), ...args], kwargs));
      return undefined;
    }
  }
}

/** A list / tuple of known integers, or a single integer as a one-item list. */
function intList(value: PyValue | undefined): number[] | undefined {
  if (value === undefined || value.kind === 'none') return undefined;
  const items = asItems(value) ?? [value];
  const nums = items.map(asNumber);
  return nums.every((n): n is number => n !== undefined && Number.isInteger(n)) ? nums : undefined;
}

export { indexTensor } from './tensor-indexing';

export type { Parameter };
