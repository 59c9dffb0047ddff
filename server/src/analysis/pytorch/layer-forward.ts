/**
 * Forward semantics of the known torch.nn layers, as ONNX ops: Linear → MatMul (+ Add), Conv → Conv,
 * norms → BatchNormalization / LayerNormalization / GroupNormalization / RMSNormalization, Embedding →
 * Gather, MultiheadAttention → in-projection MatMul, Attention, out-projection, LSTM/GRU → LSTM/GRU,
 * pools, activations. Node names are the module path; the construction line is the node's source.
 */
import { at } from '../ir/at';
import { DataType } from '../ir/dtype';
import { sizeTuple } from './layers';
import { adaptivePool, pool, poolWindow, windowOut } from './pooling';
import { EmitSite, ForwardError, TensorOps } from './tensor-ops';
import { asItems, asNumber, ModuleObject, NONE, Parameter, PyValue, TensorValue } from './values';

export interface LayerCall {
  readonly ops: TensorOps;
  readonly site: EmitSite;
  /** Calls a child module (it may be a user class with its own forward). */
  callChild(child: ModuleObject, args: PyValue[]): PyValue;
  /** Marks a graph input as token ids (int64) when it feeds an embedding. */
  markIndices(tensor: TensorValue): void;
}

const tensorOf = (v: PyValue | undefined, what: string, site: EmitSite): TensorValue => {
  if (v?.kind === 'tensor') return v.tensor;
  if (v?.kind === 'unknown') throw new ForwardError(`${what} expects a tensor, got an unresolved value (${v.why.reason})`, v.why.range ?? site.called);
  throw new ForwardError(`${what} expects a tensor, got ${v?.kind ?? 'nothing'}`, site.called);
};

function cfgNumber(m: ModuleObject, key: string, site: EmitSite): number {
  const n = asNumber(m.config.get(key));
  if (n === undefined) throw new ForwardError(`${m.path || m.type}: \`${key}\` is unresolved`, site.called);
  return n;
}

function cfgFlag(m: ModuleObject, key: string): boolean {
  const v = m.config.get(key);
  return v !== undefined && v.kind !== 'none' && (asNumber(v) ?? 1) !== 0;
}

function requireParam(m: ModuleObject, name: string, site: EmitSite): Parameter {
  const p = m.parameters.get(name);
  if (p === undefined) throw new ForwardError(`${m.path || m.type} has no parameter ${name}`, site.called);
  return p;
}

/** Linear: MatMul with the transposed weight, plus the bias. */
export function linear(ops: TensorOps, x: TensorValue, weight: Parameter, bias: Parameter | undefined, site: EmitSite): TensorValue {
  const w = ops.weight(weight, 'transposed', site);
  const inFeatures = w.shape[0];
  if (typeof inFeatures === 'number' && typeof x.shape.at(-1) === 'number' && x.shape.at(-1) !== inFeatures) {
    throw new ForwardError(`${site.name ?? 'linear'} expects ${inFeatures} input features, got ${String(x.shape.at(-1))}`, site.called);
  }
  let y = ops.matmul(x, w, site);
  if (bias) y = ops.binary('Add', y, ops.weight(bias, 'torch', { ...site, name: `${site.name ?? site.scope}/bias` }), { ...site, name: `${site.name ?? site.scope}/Add` });
  return y;
}

function conv(call: LayerCall, m: ModuleObject, x: TensorValue): TensorValue {
  const { ops, site } = call;
  const rank = Number(/([123])d$/.exec(m.type)?.[1] ?? 2);
  const kernel = sizeTuple(m.config.get('kernel_size'), rank);
  const stride = sizeTuple(m.config.get('stride'), rank);
  const dilation = sizeTuple(m.config.get('dilation'), rank);
  const padValue = m.config.get('padding');
  let pads = padValue?.kind === 'str' ? null : sizeTuple(padValue, rank);
  if (kernel === null || stride === null || dilation === null) throw new ForwardError(`${m.path}: kernel, stride or dilation unresolved`, site.called);
  if (padValue?.kind === 'str') pads = padValue.value === 'same' ? kernel.map((k, i) => Math.floor(((dilation[i] ?? 1) * (k - 1)) / 2)) : kernel.map(() => 0);
  if (pads === null) throw new ForwardError(`${m.path}: padding unresolved`, site.called);
  const groups = cfgNumber(m, 'groups', site);
  const outC = cfgNumber(m, 'out_channels', site);
  const w = call.ops.weight(requireParam(m, 'weight', site), 'torch', site);
  const inputs = [x.name, w.name];
  const bias = m.parameters.get('bias');
  if (bias) inputs.push(ops.weight(bias, 'torch', site).name);
  const spatial = x.shape.slice(2);
  const transposed = m.type.startsWith('ConvTranspose');
  const outPad = transposed ? (sizeTuple(m.config.get('output_padding'), rank) ?? kernel.map(() => 0)) : [];
  const outSpatial = spatial.map((len, i) => {
    const [k, s, p, d] = [kernel[i] ?? 1, stride[i] ?? 1, pads?.[i] ?? 0, dilation[i] ?? 1];
    if (!transposed) return windowOut(len, k, s, p, d);
    return typeof len === 'number' ? (len - 1) * s - 2 * p + d * (k - 1) + (outPad[i] ?? 0) + 1 : null;
  });
  const attrs = { kernel_shape: kernel, strides: stride, pads: [...pads, ...pads], dilations: dilation, group: groups, ...(transposed ? { output_padding: outPad } : {}) };
  return ops.emit(transposed ? 'ConvTranspose' : 'Conv', inputs, attrs, [x.shape[0] ?? null, outC, ...outSpatial], x.dtype, site);
}

function poolLayer(call: LayerCall, m: ModuleObject, x: TensorValue): TensorValue {
  const rank = Number(/([123])d$/.exec(m.type)?.[1] ?? 2);
  const c = (key: string): PyValue | undefined => m.config.get(key);
  const window = poolWindow(rank, c('kernel_size'), c('stride'), c('padding'), c('dilation'), c('ceil_mode'), call.site);
  return pool(call.ops, x, m.type.startsWith('Max') ? 'max' : 'avg', window, call.site);
}

function multiheadAttention(call: LayerCall, m: ModuleObject, args: PyValue[], kwargs: ReadonlyMap<string, PyValue>): PyValue {
  const { ops, site } = call;
  const q0 = tensorOf(args[0] ?? kwargs.get('query'), 'MultiheadAttention', site);
  const k0 = tensorOf(args[1] ?? kwargs.get('key'), 'MultiheadAttention', site);
  const v0 = tensorOf(args[2] ?? kwargs.get('value'), 'MultiheadAttention', site);
  const heads = cfgNumber(m, 'num_heads', site);
  const embed = cfgNumber(m, 'embed_dim', site);
  const batchFirst = cfgFlag(m, 'batch_first');
  // The Attention op takes [batch, seq, hidden]: sequence-first inputs are transposed in and out.
  const toBatchFirst = (t: TensorValue): TensorValue => (batchFirst || t.shape.length !== 3 ? t : ops.transpose(t, [1, 0, 2], { ...site, name: `${m.path}/Transpose` }));
  const [q1, k1, v1] = [toBatchFirst(q0), q0 === k0 ? null : toBatchFirst(k0), q0 === v0 ? null : toBatchFirst(v0)];
  const weight = requireParam(m, 'in_proj_weight', site);
  const bias = m.parameters.get('in_proj_bias');
  let q: TensorValue;
  let k: TensorValue;
  let v: TensorValue;
  if (k1 === null && v1 === null) {
    const packed = linear(ops, q1, weight, bias, { ...site, name: `${m.path}/in_proj` });
    const parts = ops.split(packed, [embed, embed, embed], -1, { ...site, name: `${m.path}/Split` });
    [q, k, v] = [at(parts, 0, 'in_proj split'), at(parts, 1, 'in_proj split'), at(parts, 2, 'in_proj split')];
  } else {
    // Cross-attention: the packed weight is sliced per projection (folded at load time).
    const w = ops.weight(weight, 'transposed', site);
    const slice = (i: number): TensorValue => ops.slice(w, 1, i * embed, (i + 1) * embed, 1, { ...site, name: `${m.path}/in_proj_weight_${i}` });
    const project = (x: TensorValue, i: number): TensorValue => ops.matmul(x, slice(i), { ...site, name: `${m.path}/in_proj_${i}` });
    q = project(q1, 0);
    k = project(k1 ?? q1, 1);
    v = project(v1 ?? q1, 2);
    if (bias) {
      const b = ops.weight(bias, 'torch', site);
      const bs = [0, 1, 2].map((i) => ops.slice(b, 0, i * embed, (i + 1) * embed, 1, { ...site, name: `${m.path}/in_proj_bias_${i}` }));
      const addBias = (t: TensorValue, i: number): TensorValue => ops.binary('Add', t, at(bs, i, 'in_proj bias slices'), { ...site, name: `${m.path}/in_proj_add_${i}` });
      [q, k, v] = [addBias(q, 0), addBias(k, 1), addBias(v, 2)];
    }
  }
  const attended = ops.emit('Attention', [q.name, k.name, v.name], { q_num_heads: heads, kv_num_heads: heads }, q.shape, q.dtype, { ...site, name: `${m.path}/Attention` });
  const outProj = m.children.get('out_proj');
  if (outProj === undefined) throw new ForwardError(`${m.path} has no out_proj`, site.called);
  const projected = call.callChild(outProj, [{ kind: 'tensor', tensor: attended }]);
  let out = tensorOf(projected, 'out_proj', site);
  if (!batchFirst && out.shape.length === 3) out = ops.transpose(out, [1, 0, 2], { ...site, name: `${m.path}/Transpose_out` });
  return { kind: 'tuple', items: [{ kind: 'tensor', tensor: out }, NONE] };
}

function recurrent(call: LayerCall, m: ModuleObject, x0: TensorValue): PyValue {
  const { ops, site } = call;
  const lstm = m.type === 'LSTM';
  const gates = lstm ? 4 : 3;
  const hidden = cfgNumber(m, 'hidden_size', site);
  const layers = cfgNumber(m, 'num_layers', site);
  const dirs = cfgFlag(m, 'bidirectional') ? 2 : 1;
  const batchFirst = cfgFlag(m, 'batch_first');
  const b = ops.builder;
  let x = x0;
  const [seq, batch] = batchFirst ? [x.shape[1] ?? null, x.shape[0] ?? null] : [x.shape[0] ?? null, x.shape[1] ?? null];
  const states: TensorValue[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const inSize = x.shape[2];
    if (typeof inSize !== 'number') throw new ForwardError(`${m.path}: input size unknown`, site.called);
    // ONNX packs both directions and both biases into W [dirs, G·H, in], R [dirs, G·H, H], B [dirs, 2·G·H]:
    // the same element counts as PyTorch's weight_ih/weight_hh/bias_ih/bias_hh of the layer.
    const names = [0, 1].slice(0, dirs).map((d) => `_l${layer}${d === 1 ? '_reverse' : ''}`);
    for (const n of names) for (const p of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
      const param = m.parameters.get(`${p}${n}`);
      if (param) param.initializer = { name: `${m.path}.${p}${n}`, transposed: false };
    }
    const w = b.initializer(`${m.path}.weight_ih_l${layer}`, [dirs, gates * hidden, inSize], ops.floatType);
    const r = b.initializer(`${m.path}.weight_hh_l${layer}`, [dirs, gates * hidden, hidden], ops.floatType);
    const inputs = [x.name, w, r];
    if (m.parameters.has(`bias_ih_l${layer}`)) inputs.push(b.initializer(`${m.path}.bias_l${layer}`, [dirs, 2 * gates * hidden], ops.floatType));
    const layout = batchFirst ? 1 : 0;
    const yShape = batchFirst ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
    const stateShape = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden];
    const outs = ops.emitMany(m.type, inputs, { hidden_size: hidden, direction: dirs === 2 ? 'bidirectional' : 'forward', layout, ...(lstm ? {} : { linear_before_reset: 1 }) }, [yShape, stateShape, ...(lstm ? [stateShape] : [])], x.dtype, { ...site, name: layers === 1 ? m.path : `${m.path}/l${layer}` });
    const y = at(outs, 0, `${m.type} outputs`);
    const merged = batchFirst ? y : ops.transpose(y, [0, 2, 1, 3], { ...site, name: `${m.path}/Transpose` });
    x = ops.reshape(merged, batchFirst ? [batch, seq, dirs * hidden] : [seq, batch, dirs * hidden], { ...site, name: `${m.path}/Reshape` });
    states.push(...outs.slice(1));
  }
  const tensor = (t: TensorValue): PyValue => ({ kind: 'tensor', tensor: t });
  const hN = states[0] ? tensor(states[0]) : NONE;
  const state: PyValue = lstm ? { kind: 'tuple', items: [hN, states[1] ? tensor(states[1]) : NONE] } : hN;
  return { kind: 'tuple', items: [tensor(x), state] };
}

/** Runs a known layer's forward; containers call their children in order. */
export function forwardLayer(call: LayerCall, m: ModuleObject, args: PyValue[], kwargs: ReadonlyMap<string, PyValue>): PyValue {
  const { ops, site } = call;
  if (m.type === 'Sequential') {
    let value: PyValue = args[0] ?? NONE;
    for (const child of m.children.values()) value = call.callChild(child, [value]);
    return value;
  }
  if (m.type === 'MultiheadAttention') return multiheadAttention(call, m, args, kwargs);
  const x = tensorOf(args[0] ?? kwargs.get('input'), m.type, site);
  const keep = (t: TensorValue): PyValue => ({ kind: 'tensor', tensor: t });
  switch (m.type) {
    case 'Linear':
      return keep(linear(ops, x, requireParam(m, 'weight', site), m.parameters.get('bias'), site));
    case 'Conv1d':
    case 'Conv2d':
    case 'Conv3d':
    case 'ConvTranspose1d':
    case 'ConvTranspose2d':
    case 'ConvTranspose3d':
      return keep(conv(call, m, x));
    case 'Embedding': {
      call.markIndices(x);
      const w = ops.weight(requireParam(m, 'weight', site), 'torch', site);
      return keep(ops.emit('Gather', [w.name, x.name], { axis: 0 }, [...x.shape, w.shape[1] ?? null], w.dtype, site));
    }
    case 'LayerNorm':
    case 'RMSNorm': {
      const items = asItems(m.config.get('normalized_shape'));
      const axes = items ? items.length : 1;
      const eps = asNumber(m.config.get('eps')) ?? 1e-5;
      const inputs = [x.name];
      const weight = m.parameters.get('weight');
      if (weight) inputs.push(ops.weight(weight, 'torch', site).name);
      else inputs.push(ops.filled(x.shape.slice(-axes), x.dtype, { ...site, name: `${m.path}/ones` }).name);
      const bias = m.parameters.get('bias');
      if (bias) inputs.push(ops.weight(bias, 'torch', site).name);
      const op = m.type === 'LayerNorm' ? 'LayerNormalization' : 'RMSNormalization';
      return keep(ops.emit(op, inputs, { axis: -axes, epsilon: { float: eps } }, x.shape, x.dtype, site));
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d':
    case 'BatchNorm3d': {
      const c = cfgNumber(m, 'num_features', site);
      const scale = m.parameters.get('weight');
      const bias = m.parameters.get('bias');
      const inputs = [
        x.name,
        scale ? ops.weight(scale, 'torch', site).name : ops.builder.constFloats(c, m.path),
        bias ? ops.weight(bias, 'torch', site).name : ops.builder.constFloats(c, m.path),
        ops.builder.constFloats(c, `${m.path}.running_mean`),
        ops.builder.constFloats(c, `${m.path}.running_var`),
      ];
      return keep(ops.emit('BatchNormalization', inputs, { epsilon: { float: asNumber(m.config.get('eps')) ?? 1e-5 } }, x.shape, x.dtype, site));
    }
    case 'GroupNorm': {
      const inputs = [x.name];
      const weight = m.parameters.get('weight');
      const bias = m.parameters.get('bias');
      const c = cfgNumber(m, 'num_channels', site);
      inputs.push(weight ? ops.weight(weight, 'torch', site).name : ops.builder.constFloats(c, m.path));
      inputs.push(bias ? ops.weight(bias, 'torch', site).name : ops.builder.constFloats(c, m.path));
      return keep(ops.emit('GroupNormalization', inputs, { num_groups: cfgNumber(m, 'num_groups', site), epsilon: { float: asNumber(m.config.get('eps')) ?? 1e-5 } }, x.shape, x.dtype, site));
    }
    case 'LSTM':
    case 'GRU':
      return recurrent(call, m, x);
    case 'MaxPool1d':
    case 'MaxPool2d':
    case 'MaxPool3d':
    case 'AvgPool1d':
    case 'AvgPool2d':
    case 'AvgPool3d':
      return keep(poolLayer(call, m, x));
    case 'AdaptiveAvgPool1d':
    case 'AdaptiveAvgPool2d':
    case 'AdaptiveAvgPool3d':
    case 'AdaptiveMaxPool2d':
      return keep(adaptivePool(ops, x, m.config.get('output_size'), Number(/([123])d$/.exec(m.type)?.[1] ?? 2), m.type.includes('Max'), site));
    case 'ReLU':
      return keep(ops.unary('Relu', x, site));
    case 'ReLU6':
      return keep(ops.emit('Clip', [x.name, ops.scalar(0, x, site).name, ops.scalar(6, x, site).name], {}, x.shape, x.dtype, site));
    case 'SiLU':
      return keep(silu(ops, x, site));
    case 'Hardswish':
      return keep(ops.unary('HardSwish', x, site));
    case 'Hardsigmoid':
      return keep(ops.unary('HardSigmoid', x, site));
    case 'Mish':
      return keep(ops.unary('Mish', x, site));
    case 'Sigmoid':
      return keep(ops.unary('Sigmoid', x, site));
    case 'Tanh':
      return keep(ops.unary('Tanh', x, site));
    case 'GELU': {
      const approx = m.config.get('approximate');
      return keep(ops.unary('Gelu', x, site, approx?.kind === 'str' && approx.value === 'tanh' ? { approximate: 'tanh' } : {}));
    }
    case 'LeakyReLU':
      return keep(ops.unary('LeakyRelu', x, site, { alpha: { float: asNumber(m.config.get('negative_slope')) ?? 0.01 } }));
    case 'ELU':
      return keep(ops.unary('Elu', x, site, { alpha: { float: asNumber(m.config.get('alpha')) ?? 1 } }));
    case 'Softmax':
    case 'LogSoftmax': {
      const dim = asNumber(m.config.get('dim')) ?? -1;
      return keep(ops.softmax(x, dim, site, m.type));
    }
    case 'Flatten':
      return keep(ops.flatten(x, asNumber(m.config.get('start_dim')) ?? 1, asNumber(m.config.get('end_dim')) ?? -1, site));
    case 'Identity':
    case 'Dropout':
    case 'Dropout1d':
    case 'Dropout2d':
      // Inference: dropout is the identity, as in an exported graph.
      return args[0] ?? NONE;
    default:
      throw new ForwardError(`${m.type} has no forward semantics here`, site.called);
  }
}

export function silu(ops: TensorOps, x: TensorValue, site: EmitSite): TensorValue {
  const s = ops.unary('Sigmoid', x, { ...site, name: site.name ? `${site.name}/Sigmoid` : undefined });
  return ops.binary('Mul', x, s, site);
}

export const INDEX_DTYPE = DataType.INT64;
