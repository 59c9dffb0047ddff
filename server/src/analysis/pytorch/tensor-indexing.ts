/**
 * Tensor indexing in forward() (`x[:, 0]`, `x[..., 0::2, 0::2, :]`, `x[:, None]`, `table[index]`): Gather
 * for integers and index tensors, Slice for ranges, Unsqueeze for None, as torch.onnx exports them.
 */
import { DataType } from '../ir/dtype';
import type { TorchEnv } from './torch-functions';
import { ForwardError } from './tensor-ops';
import { asDim, asItems, asNumber, PyValue, TensorValue } from './values';

/** `x[:, -1, :]`, `x[:, [-1], :]`, `x[..., :T]`: Gather for integers, Slice for ranges. */
export function indexTensor(env: TorchEnv, x: TensorValue, index: PyValue): PyValue | undefined {
  const { ops, site } = env;
  const parts = index.kind === 'tuple' ? index.items : [index];
  let t = x;
  let axis = 0;
  const ellipsisAt = parts.findIndex((p) => p.kind === 'builtin' && p.name === 'Ellipsis');
  for (const [i, p] of parts.entries()) {
    if (i === ellipsisAt) {
      axis = t.shape.length - (parts.length - 1 - i);
      continue;
    }
    if (p.kind === 'none') {
      t = ops.unsqueeze(t, axis, site);
      axis++;
      continue;
    }
    if (p.kind === 'slice') {
      const [start, stop, step] = [p.start, p.stop, p.step].map((v) => (v.kind === 'none' ? undefined : asDim(v)));
      const len = t.shape[axis];
      if (start === undefined && stop === undefined && step === undefined) {
        axis++;
        continue;
      }
      const s = start ?? 0;
      const e = stop ?? (typeof len === 'number' ? len : null);
      if (typeof s !== 'number' || typeof e !== 'number') return undefined;
      t = ops.slice(t, axis, s, e, typeof step === 'number' ? step : 1, site);
      axis++;
      continue;
    }
    const n = asNumber(p);
    if (n !== undefined) {
      t = ops.gatherIndex(t, axis, n, false, site);
      continue;
    }
    const indices = p.kind === 'tensor' ? env.toTensor(p) : undefined;
    if (indices) {
      // `table[index]` with an integer tensor (Swin's relative position bias): Gather along the axis.
      // Two tensor indices broadcast together in NumPy's rules; that is not modelled.
      if (parts.filter((q) => q.kind === 'tensor').length > 1 || indices.dtype === DataType.BOOL) throw new ForwardError('advanced indexing with several or boolean index tensors is not modelled', site.called);
      t = ops.emit('Gather', [t.name, indices.name], { axis }, [...t.shape.slice(0, axis), ...indices.shape, ...t.shape.slice(axis + 1)], t.dtype, site);
      axis += indices.shape.length;
      continue;
    }
    const list = asItems(p);
    const onlyIndex = list?.length === 1 ? asNumber(list[0]) : undefined;
    if (onlyIndex !== undefined) {
      t = ops.gatherIndex(t, axis, onlyIndex, true, site);
      axis++;
      continue;
    }
    throw new ForwardError('tensor indexing with this kind of index is not modelled', site.called);
  }
  return { kind: 'tensor', tensor: t };
}

