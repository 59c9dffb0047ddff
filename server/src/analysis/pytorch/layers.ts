/**
 * The torch.nn layers the frontend knows: constructor signatures (PyTorch's parameter names, order and
 * defaults) and the parameters each builds, in PyTorch's layout and registration order, so that counts
 * match `sum(p.numel() for p in model.parameters())`. Forward semantics are in layer-forward.ts.
 */
import { SourceRange, UnresolvedName } from './types';
import { asDim, asItems, asNumber, firstUnknown, int, ModuleObject, newModule, NONE, Parameter, PyValue } from './values';

type Default = PyValue;
const T: Default = { kind: 'bool', value: true };
const F: Default = { kind: 'bool', value: false };
const num = (n: number): Default => int(n);
const flt = (n: number): Default => ({ kind: 'float', value: n });
const str = (s: string): Default => ({ kind: 'str', value: s });

/** Parameter names with defaults (undefined = required). */
type Signature = ReadonlyArray<readonly [string, Default | undefined]>;

const CONV: Signature = [['in_channels', undefined], ['out_channels', undefined], ['kernel_size', undefined], ['stride', num(1)], ['padding', num(0)], ['dilation', num(1)], ['groups', num(1)], ['bias', T], ['padding_mode', str('zeros')]];
const CONV_T: Signature = [['in_channels', undefined], ['out_channels', undefined], ['kernel_size', undefined], ['stride', num(1)], ['padding', num(0)], ['output_padding', num(0)], ['groups', num(1)], ['bias', T], ['dilation', num(1)], ['padding_mode', str('zeros')]];
const BATCHNORM: Signature = [['num_features', undefined], ['eps', flt(1e-5)], ['momentum', flt(0.1)], ['affine', T], ['track_running_stats', T]];
const MAXPOOL: Signature = [['kernel_size', undefined], ['stride', NONE], ['padding', num(0)], ['dilation', num(1)], ['return_indices', F], ['ceil_mode', F]];
const AVGPOOL: Signature = [['kernel_size', undefined], ['stride', NONE], ['padding', num(0)], ['ceil_mode', F], ['count_include_pad', T]];
const RNN: Signature = [['input_size', undefined], ['hidden_size', undefined], ['num_layers', num(1)], ['bias', T], ['batch_first', F], ['dropout', flt(0)], ['bidirectional', F], ['proj_size', num(0)]];
const NOARGS: Signature = [['inplace', F]];

export const LAYER_SIGNATURES: ReadonlyMap<string, Signature> = new Map<string, Signature>([
  ['Linear', [['in_features', undefined], ['out_features', undefined], ['bias', T]]],
  ['Conv1d', CONV],
  ['Conv2d', CONV],
  ['Conv3d', CONV],
  ['ConvTranspose1d', CONV_T],
  ['ConvTranspose2d', CONV_T],
  ['ConvTranspose3d', CONV_T],
  ['Embedding', [['num_embeddings', undefined], ['embedding_dim', undefined], ['padding_idx', NONE]]],
  ['LayerNorm', [['normalized_shape', undefined], ['eps', flt(1e-5)], ['elementwise_affine', T], ['bias', T]]],
  ['RMSNorm', [['normalized_shape', undefined], ['eps', NONE], ['elementwise_affine', T]]],
  ['BatchNorm1d', BATCHNORM],
  ['BatchNorm2d', BATCHNORM],
  ['BatchNorm3d', BATCHNORM],
  ['GroupNorm', [['num_groups', undefined], ['num_channels', undefined], ['eps', flt(1e-5)], ['affine', T]]],
  ['MultiheadAttention', [['embed_dim', undefined], ['num_heads', undefined], ['dropout', flt(0)], ['bias', T], ['add_bias_kv', F], ['add_zero_attn', F], ['kdim', NONE], ['vdim', NONE], ['batch_first', F]]],
  ['LSTM', RNN],
  ['GRU', RNN],
  ['MaxPool1d', MAXPOOL],
  ['MaxPool2d', MAXPOOL],
  ['MaxPool3d', MAXPOOL],
  ['AvgPool1d', AVGPOOL],
  ['AvgPool2d', AVGPOOL],
  ['AvgPool3d', AVGPOOL],
  ['AdaptiveAvgPool1d', [['output_size', undefined]]],
  ['AdaptiveAvgPool2d', [['output_size', undefined]]],
  ['AdaptiveAvgPool3d', [['output_size', undefined]]],
  ['AdaptiveMaxPool2d', [['output_size', undefined]]],
  ['ReLU', NOARGS],
  ['ReLU6', NOARGS],
  ['SiLU', NOARGS],
  ['Hardswish', NOARGS],
  ['Hardsigmoid', NOARGS],
  ['Mish', NOARGS],
  ['Sigmoid', []],
  ['Tanh', []],
  ['GELU', [['approximate', str('none')]]],
  ['LeakyReLU', [['negative_slope', flt(0.01)], ['inplace', F]]],
  ['ELU', [['alpha', flt(1)], ['inplace', F]]],
  ['Softmax', [['dim', NONE]]],
  ['LogSoftmax', [['dim', NONE]]],
  ['Identity', []],
  ['Dropout', [['p', flt(0.5)], ['inplace', F]]],
  ['Dropout1d', [['p', flt(0.5)], ['inplace', F]]],
  ['Dropout2d', [['p', flt(0.5)], ['inplace', F]]],
  ['Flatten', [['start_dim', num(1)], ['end_dim', num(-1)]]],
]);

/** Containers: their constructor arguments are modules. */
export const CONTAINERS = new Set(['Sequential', 'ModuleList', 'ModuleDict']);

export function isKnownLayer(type: string): boolean {
  return LAYER_SIGNATURES.has(type) || CONTAINERS.has(type);
}

/** Binds call arguments to a signature; extra keywords (device=, dtype=) are ignored, as they do not change sizes. */
export function bindSignature(signature: Signature, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>): Map<string, PyValue> {
  const bound = new Map<string, PyValue>();
  signature.forEach(([name, fallback], i) => {
    const value = i < args.length ? args[i] : kwargs.get(name);
    const v = value ?? fallback;
    if (v !== undefined) bound.set(name, v);
  });
  return bound;
}

/** A size tuple (`kernel_size=3` or `(3, 3)`) expanded to `rank` numbers, or null when unresolved. */
export function sizeTuple(value: PyValue | undefined, rank: number): number[] | null {
  const items = asItems(value);
  if (items) {
    const nums = items.map(asNumber);
    return nums.every((n): n is number => n !== undefined) ? nums : null;
  }
  const n = asNumber(value);
  return n === undefined ? null : new Array<number>(rank).fill(n);
}

function spatialRank(type: string): number {
  const m = /([123])d$/.exec(type);
  return m ? Number(m[1]) : 2;
}

/** Builds a known layer module with its parameters (and child modules, for MultiheadAttention). */
export function constructLayer(type: string, args: readonly PyValue[], kwargs: ReadonlyMap<string, PyValue>, range: SourceRange | null, missing: (param: string) => UnresolvedName): ModuleObject {
  const module = newModule(type, null, range);
  const signature = LAYER_SIGNATURES.get(type) ?? [];
  const bound = bindSignature(signature, args, kwargs);
  for (const [name, v] of bound) module.config.set(name, v);
  for (const [name, fallback] of signature) if (fallback === undefined && !bound.has(name)) module.unresolved.push(missing(name));
  const dims = (names: readonly string[]): Array<number | null> =>
    names.map((n) => {
      const v = bound.get(n);
      const d = asDim(v);
      if (typeof d === 'number') return d;
      const u = firstUnknown([v]);
      if (u?.kind === 'unknown' && !module.unresolved.includes(u.why)) module.unresolved.push(u.why);
      return null;
    });
  const flag = (name: string): boolean => {
    const v = bound.get(name);
    return v !== undefined && v.kind !== 'none' && (asNumber(v) ?? 1) !== 0 && !(v.kind === 'str' && v.value === '');
  };
  const param = (name: string, shape: Array<number | null>): void => {
    const known = shape.every((d): d is number => d !== null);
    const p: Parameter = { shape: known ? shape : null, unresolved: known ? [] : [...module.unresolved] };
    module.parameters.set(name, p);
  };
  switch (type) {
    case 'Linear': {
      const [inF, outF] = dims(['in_features', 'out_features']);
      param('weight', [outF ?? null, inF ?? null]);
      if (flag('bias')) param('bias', [outF ?? null]);
      break;
    }
    case 'Conv1d':
    case 'Conv2d':
    case 'Conv3d':
    case 'ConvTranspose1d':
    case 'ConvTranspose2d':
    case 'ConvTranspose3d': {
      const [inC, outC, groups] = dims(['in_channels', 'out_channels', 'groups']);
      const kernel = sizeTuple(bound.get('kernel_size'), spatialRank(type));
      if (kernel === null) dims(['kernel_size']);
      const g = groups ?? 1;
      const perGroup = (c: number | null): number | null => (c === null ? null : Math.floor(c / g));
      const k = kernel ?? new Array<number | null>(spatialRank(type)).fill(null);
      param('weight', type.startsWith('ConvTranspose') ? [inC ?? null, perGroup(outC ?? null), ...k] : [outC ?? null, perGroup(inC ?? null), ...k]);
      if (flag('bias')) param('bias', [outC ?? null]);
      break;
    }
    case 'Embedding': {
      const [n, d] = dims(['num_embeddings', 'embedding_dim']);
      param('weight', [n ?? null, d ?? null]);
      break;
    }
    case 'LayerNorm':
    case 'RMSNorm': {
      const items = asItems(bound.get('normalized_shape'));
      const shape = items
        ? items.map((v) => {
            const d = asDim(v);
            return typeof d === 'number' ? d : null;
          })
        : dims(['normalized_shape']);
      if (items && shape.some((d) => d === null)) dims(['normalized_shape']);
      if (flag('elementwise_affine')) {
        param('weight', shape);
        if (type === 'LayerNorm' && flag('bias')) param('bias', shape);
      }
      break;
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d':
    case 'BatchNorm3d': {
      const [c] = dims(['num_features']);
      if (flag('affine')) {
        param('weight', [c ?? null]);
        param('bias', [c ?? null]);
      }
      break;
    }
    case 'GroupNorm': {
      const [, c] = dims(['num_groups', 'num_channels']);
      if (flag('affine')) {
        param('weight', [c ?? null]);
        param('bias', [c ?? null]);
      }
      break;
    }
    case 'MultiheadAttention': {
      const [e] = dims(['embed_dim', 'num_heads']);
      const embed = e ?? null;
      // Same kdim/vdim as embed_dim: one packed in_proj_weight (PyTorch's _qkv_same_embed_dim).
      param('in_proj_weight', [embed === null ? null : 3 * embed, embed]);
      if (flag('bias')) param('in_proj_bias', [embed === null ? null : 3 * embed]);
      const outProj = constructLayer('Linear', [int(embed), int(embed)], new Map([['bias', bound.get('bias') ?? T]]), range, missing);
      module.children.set('out_proj', outProj);
      if (flag('add_bias_kv')) {
        param('bias_k', [1, 1, embed]);
        param('bias_v', [1, 1, embed]);
      }
      break;
    }
    case 'LSTM':
    case 'GRU': {
      const [input = null, hidden = null, layers = null] = dims(['input_size', 'hidden_size', 'num_layers']);
      const gates = type === 'LSTM' ? 4 : 3;
      const dirs = flag('bidirectional') ? 2 : 1;
      for (let layer = 0; layer < (layers ?? 1); layer++) {
        for (let dir = 0; dir < dirs; dir++) {
          const suffix = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
          const inSize = layer === 0 ? input : hidden === null ? null : hidden * dirs;
          const g = hidden === null ? null : gates * hidden;
          param(`weight_ih${suffix}`, [g, inSize ?? null]);
          param(`weight_hh${suffix}`, [g, hidden ?? null]);
          if (flag('bias')) {
            param(`bias_ih${suffix}`, [g]);
            param(`bias_hh${suffix}`, [g]);
          }
        }
      }
      break;
    }
    default:
      break;
  }
  return module;
}

/** Sequential / ModuleList / ModuleDict from their constructor arguments (modules, a list, a dict). */
export function constructContainer(type: string, args: readonly PyValue[], range: SourceRange | null): { module: ModuleObject; rejected: PyValue[] } {
  const module = newModule(type, null, range);
  const rejected: PyValue[] = [];
  const add = (name: string, v: PyValue): void => {
    if (v.kind === 'module') module.children.set(name, v.module);
    else rejected.push(v);
  };
  if (type === 'Sequential') {
    const only = args[0];
    if (args.length === 1 && only?.kind === 'dict') for (const [k, v] of only.entries) add(k, v);
    else args.forEach((v, i) => add(String(i), v));
  } else if (type === 'ModuleList') {
    (asItems(args[0]) ?? []).forEach((v, i) => add(String(i), v));
  } else if (type === 'ModuleDict') {
    const d = args[0];
    if (d?.kind === 'dict') for (const [k, v] of d.entries) add(k, v);
    else for (const pair of asItems(d) ?? []) {
      const [k, v] = asItems(pair) ?? [];
      if (k?.kind === 'str' && v) add(k.value, v);
    }
  }
  return { module, rejected };
}
