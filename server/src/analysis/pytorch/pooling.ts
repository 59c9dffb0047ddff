/**
 * Pooling as forward() uses it, from a module (nn.MaxPool2d, nn.AdaptiveAvgPool2d) or a functional call
 * (F.max_pool2d, F.avg_pool2d, F.adaptive_avg_pool2d): one ONNX MaxPool / AveragePool / Global*Pool, with
 * the output size PyTorch computes (ceil_mode included).
 */
import { Dim, dimFloorDiv } from '../ir/dim';
import { sizeTuple } from './layers';
import { EmitSite, ForwardError, TensorOps } from './tensor-ops';
import { asNumber, PyValue, TensorValue } from './values';

export interface PoolWindow {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly pads: readonly number[];
  readonly dilation: readonly number[];
  readonly ceil: boolean;
}

/**
 * Output length of a convolution or pooling window (torch's formula). With ceil_mode the last window
 * must still start inside the input or its left padding, as in `pooling_output_shape`.
 */
export function windowOut(len: Dim, k: number, s: number, p: number, d: number, ceil = false): Dim {
  if (typeof len !== 'number') return len === null ? null : dimFloorDiv(len, s);
  const span = len + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= len + p) out--;
  return out;
}

/** The window from PyTorch arguments: `stride` None means the kernel size, ints expand to every axis. */
export function poolWindow(rank: number, kernelSize: PyValue | undefined, stride: PyValue | undefined, padding: PyValue | undefined, dilation: PyValue | undefined, ceilMode: PyValue | undefined, site: EmitSite): PoolWindow {
  const kernel = sizeTuple(kernelSize, rank);
  const strides = stride === undefined || stride.kind === 'none' ? kernel : sizeTuple(stride, rank);
  const pads = padding === undefined ? new Array<number>(rank).fill(0) : sizeTuple(padding, rank);
  const dilations = dilation === undefined ? new Array<number>(rank).fill(1) : sizeTuple(dilation, rank);
  if (kernel === null || strides === null || pads === null || dilations === null) throw new ForwardError('pooling sizes unresolved', site.called);
  return { kernel, stride: strides, pads, dilation: dilations, ceil: (asNumber(ceilMode) ?? 0) !== 0 };
}

export function pool(ops: TensorOps, x: TensorValue, kind: 'max' | 'avg', w: PoolWindow, site: EmitSite): TensorValue {
  const rank = w.kernel.length;
  if (x.shape.length < rank + 1) throw new ForwardError(`${rank}-D pooling of a rank-${x.shape.length} tensor`, site.called);
  const lead = x.shape.slice(0, x.shape.length - rank);
  const spatial = x.shape.slice(x.shape.length - rank).map((len, i) => windowOut(len, w.kernel[i] ?? 1, w.stride[i] ?? 1, w.pads[i] ?? 0, w.dilation[i] ?? 1, w.ceil));
  const attrs = {
    kernel_shape: w.kernel,
    strides: w.stride,
    pads: [...w.pads, ...w.pads],
    ceil_mode: w.ceil ? 1 : 0,
    ...(kind === 'max' && w.dilation.some((d) => d !== 1) ? { dilations: w.dilation } : {}),
  };
  return ops.emit(kind === 'max' ? 'MaxPool' : 'AveragePool', [x.name], attrs, [...lead, ...spatial], x.dtype, site);
}

/** Adaptive pooling: global when the target is 1, else a fixed window where the input divides evenly (as torch.onnx exports it). */
export function adaptivePool(ops: TensorOps, x: TensorValue, output: PyValue | undefined, rank: number, max: boolean, site: EmitSite): TensorValue {
  const target = sizeTuple(output, rank);
  if (target === null) throw new ForwardError('adaptive pooling output size unresolved', site.called);
  const lead = x.shape.slice(0, x.shape.length - rank);
  if (target.every((t) => t === 1)) return ops.emit(max ? 'GlobalMaxPool' : 'GlobalAveragePool', [x.name], {}, [...lead, ...target], x.dtype, site);
  const spatial = x.shape.slice(x.shape.length - rank);
  if (!spatial.every((d): d is number => typeof d === 'number') || !spatial.every((d, i) => d % (target[i] ?? 1) === 0)) throw new ForwardError('adaptive pooling to a size that does not divide the input', site.called);
  const kernel = spatial.map((d, i) => d / (target[i] ?? 1));
  return ops.emit(max ? 'MaxPool' : 'AveragePool', [x.name], { kernel_shape: kernel, strides: kernel }, [...lead, ...target], x.dtype, site);
}
