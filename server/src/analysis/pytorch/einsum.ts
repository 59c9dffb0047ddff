/**
 * torch.einsum in forward(): one ONNX Einsum with the equation kept as written (spaces, capitals), as
 * torch.onnx exports it, so the cost model counts the same MACs; the output shape is tracked here.
 */
import { Dim } from '../ir/dim';
import type { TorchEnv } from './torch-functions';
import { EmitSite, ForwardError } from './tensor-ops';
import { allDefined } from '../ir/at';
import { argsOrLoneList, PyValue, TensorValue } from './values';

export function einsum(env: TorchEnv, args: readonly PyValue[]): PyValue | undefined {
  const { ops, site } = env;
  const equation = args[0]?.kind === 'str' ? args[0].value : undefined;
  const tensors = allDefined(argsOrLoneList(args.slice(1)).map((v) => env.toTensor(v)));
  if (equation === undefined || tensors === undefined || tensors.length === 0) return undefined;
  const out = ops.emit('Einsum', tensors.map((t) => t.name), { equation }, einsumShape(equation, tensors, site), tensors[0]?.dtype ?? ops.floatType, site);
  return { kind: 'tensor', tensor: out };
}

/** Output shape of an explicit einsum (`"bhid,bhjd->bhij"`); ellipses and implicit outputs are not modelled. */
export function einsumShape(equation: string, operands: readonly TensorValue[], site: EmitSite): Dim[] {
  const compact = equation.replace(/\s+/g, '');
  const [lhs, rhs] = compact.split('->');
  if (rhs === undefined || lhs === undefined || compact.includes('...')) throw new ForwardError(`einsum "${equation}": only explicit equations without ellipsis are modelled`, site.called);
  const terms = lhs.split(',');
  if (terms.length !== operands.length) throw new ForwardError(`einsum "${equation}" names ${terms.length} operands, got ${operands.length}`, site.called);
  const sizes = new Map<string, Dim>();
  terms.forEach((term, i) => {
    const shape = operands[i]?.shape ?? [];
    if (term.length !== shape.length) throw new ForwardError(`einsum "${equation}": operand ${i} has rank ${shape.length}, the equation says ${term.length}`, site.called);
    [...term].forEach((label, axis) => {
      const d = shape[axis] ?? null;
      const known = sizes.get(label);
      if (known === undefined || known === 1) sizes.set(label, d);
    });
  });
  return [...rhs].map((label) => {
    if (!sizes.has(label)) throw new ForwardError(`einsum "${equation}": output label ${label} is not in any operand`, site.called);
    return sizes.get(label) ?? null;
  });
}

