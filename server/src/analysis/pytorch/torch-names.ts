/** Names of torch things as model code spells them, and torch's dtypes by attribute name. */
import { DataType } from '../ir/dtype';

export const TORCH_DTYPES = new Map<string, DataType>([
  ['float32', DataType.FLOAT],
  ['float', DataType.FLOAT],
  ['float16', DataType.FLOAT16],
  ['half', DataType.FLOAT16],
  ['bfloat16', DataType.BFLOAT16],
  ['long', DataType.INT64],
  ['int64', DataType.INT64],
  ['int32', DataType.INT32],
  ['bool', DataType.BOOL],
]);

export function isTorchNn(name: string): boolean {
  return name === 'torch.nn.Module' || name.startsWith('torch.nn.') || name === 'nn.Module' || name.startsWith('nn.');
}

/** `nn.Linear` (an unresolved `nn`), `torch.nn.modules.linear.Linear` → `torch.nn.Linear`. */
export function canonicalTorch(name: string): string {
  let n = name.startsWith('nn.') ? `torch.${name}` : name;
  if (n === 'torch.nn.parameter.Parameter') return 'torch.nn.Parameter';
  const m = /^torch\.nn\.modules\.[a-z_]+\.(.+)$/.exec(n);
  if (m) n = `torch.nn.${m[1]}`;
  return n;
}

