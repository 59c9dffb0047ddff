/**
 * A node's module scope: the path of modules that produced it, read from its name. This is what groups
 * a flat list of ops into the model's module hierarchy (the readable model view's groups and the cost
 * tree). Exporters name nodes after the module that emitted them:
 *
 * - torch.onnx.export (torch ≥ 1.13): `/encoder/layers/encoder_layer_0/self_attention/Gather_6`, one
 *   segment per module attribute, the last segment the op. Children of a container repeat its path as
 *   a prefix (`/layer1/layer1.0/conv1/Conv`), which reads as `layer1 › 0 › conv1` once the prefix is cut.
 * - tf2onnx and other exporters that use `/` the same way (`StatefulPartitionedCall/model/conv2d/Conv2D`).
 * - Ridgepoint's PyTorch source frontend: the module path with dots (`layer1.0.conv1`), with `/Op` for
 *   a module's extra ops (`fc/Add`); see `pytorchScopeOf`.
 *
 * Names without such structure (`p2o.Conv.0`, `Conv_12`, '') have the empty scope: the model's top level.
 */

/** Scope segments of an ONNX node name: `/layer1/layer1.0/conv1/Conv` → ['layer1', '0', 'conv1']. */
export function onnxScopeOf(nodeName: string): string[] {
  if (!nodeName.includes('/')) return [];
  const parts = nodeName.split('/').filter((p) => p !== '');
  parts.pop(); // the op's own name
  return shortenRepeatedPrefixes(parts);
}

/**
 * Scope segments of a node of Ridgepoint's PyTorch frontend (static or traced): `layer1.0.conv1` →
 * ['layer1', '0', 'conv1']; `fc/Add` → ['fc']; a name without a module path (`ReduceMean`, an op of the
 * entry module's own forward) → [].
 */
export function pytorchScopeOf(nodeName: string, isModulePath: (path: string) => boolean): string[] {
  const slash = nodeName.indexOf('/');
  const path = slash >= 0 ? nodeName.slice(0, slash) : nodeName;
  if (path === '' || !isModulePath(path)) return [];
  return path.split('.').filter((p) => p !== '');
}

/** `layer1.0` under `layer1` is shown as `0`: the container's name is already its parent. */
function shortenRepeatedPrefixes(parts: readonly string[]): string[] {
  const out: string[] = [];
  let previous = '';
  for (const part of parts) {
    const shown = previous !== '' && part.startsWith(`${previous}.`) && part.length > previous.length + 1 ? part.slice(previous.length + 1) : part;
    out.push(shown);
    previous = part;
  }
  return out;
}

/** How a scope is written for people: `encoder › layers › encoder_layer_0`. */
export const SCOPE_SEPARATOR = ' › ';

export function scopeLabel(scope: readonly string[]): string {
  return scope.join(SCOPE_SEPARATOR);
}
