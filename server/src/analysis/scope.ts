/**
 * A node's module scope: the path of modules that produced it, read from its name. This is what groups
 * a flat list of ops into the model's module hierarchy (the readable model view's groups and the cost
 * tree). Exporters name nodes after the module that emitted them:
 *
 * - torch.onnx.export (torch ≥ 1.13): `/encoder/layers/encoder_layer_0/self_attention/Gather_6`, one
 *   segment per module attribute, the last segment the op. Children of a container repeat its path as
 *   a prefix (`/layer1/layer1.0/conv1/Conv`), which reads as `layer1 › 0 › conv1` once the prefix is cut.
 * - tf2onnx and other exporters that use `/` the same way (`StatefulPartitionedCall/model/conv2d/Conv2D`).
 * - Ridgepoint's PyTorch frontends and Hugging Face config graphs: the module path with dots
 *   (`layer1.0.conv1`, `model.layers.0.mlp.down_proj`), with `/Op` for a module's extra ops (`fc/Add`,
 *   traced: `layer1.0.conv1/Conv`); see `pytorchScopeOf` and `scopeReader`.
 *
 * Names without such structure (`p2o.Conv.0`, `Conv_12`, '') have the empty scope: the model's top level.
 */

/** The suffix the frontends' graph builders add to make a repeated name unique. */
const UNIQUE_SUFFIX = /#\d+$/;

/** Scope segments of an ONNX node name: `/layer1/layer1.0/conv1/Conv` → ['layer1', '0', 'conv1']. */
export function onnxScopeOf(nodeName: string): string[] {
  if (!nodeName.includes('/')) return [];
  const parts = nodeName.split('/').filter((p) => p !== '');
  parts.pop(); // the op's own name
  return shortenRepeatedPrefixes(parts);
}

/**
 * Scope segments of a node of Ridgepoint's PyTorch frontend (static or traced) or of a Hugging Face config
 * graph: `layer1.0.conv1` → ['layer1', '0', 'conv1']; `fc/Add` → ['fc']; a name without a module path
 * (`ReduceMean`, an op of the entry module's own forward) → []. The scope is the longest dotted prefix of
 * the name's path that is a module, so a buffer's constant (`bn1.running_mean/Constant`) sits in `bn1`,
 * and the frontends' `#1` suffix (a module called twice: `layer1.0.relu#1`) is not part of the path.
 */
export function pytorchScopeOf(nodeName: string, isModulePath: (path: string) => boolean): string[] {
  const module = pytorchModuleOf(nodeName, isModulePath);
  return module === '' ? [] : module.split('.').filter((p) => p !== '');
}

/** The module path a PyTorch-frontend node belongs to ('' for the entry's own forward), see pytorchScopeOf. */
function pytorchModuleOf(nodeName: string, isModulePath: (path: string) => boolean): string {
  let path = modulePathPart(nodeName);
  while (path !== '') {
    if (isModulePath(path)) return path;
    const dot = path.lastIndexOf('.');
    path = dot < 0 ? '' : path.slice(0, dot);
  }
  return '';
}

/** `layer1.0.relu#1` → `layer1.0.relu`; `fc/Add#2` → `fc`: the module-path part of a frontend node name. */
function modulePathPart(nodeName: string): string {
  const slash = nodeName.indexOf('/');
  const path = slash >= 0 ? nodeName.slice(0, slash) : nodeName;
  return path.replace(UNIQUE_SUFFIX, '');
}

/**
 * The module paths among the node names of Ridgepoint's PyTorch frontends and Hugging Face config graphs,
 * read from the names alone (the report has nothing else): a name without `/` is the path of the module
 * that ran it (`layer1.0.conv1`, `model.layers.0.self_attn.q_proj`) unless it is just the op type (an op of
 * the entry's own forward, `Flatten`); the part before `/` names the module whose forward ran the op
 * (`layer1.0/Add`), except for Constants, which the static frontend names after a buffer
 * (`bn1.running_mean/Constant`). Every prefix of a module path is a module too (`layer1`, `layer1.0`).
 */
export function moduleNamePaths(nodes: Iterable<{ readonly name: string; readonly opType: string }>): Set<string> {
  const paths = new Set<string>();
  for (const node of nodes) {
    const hasSlash = node.name.includes('/');
    if (hasSlash && node.opType === 'Constant') continue;
    const path = modulePathPart(node.name);
    if (path === '' || (!hasSlash && path === node.opType)) continue;
    for (let end = path.length; end > 0 && !paths.has(path.slice(0, end)); end = path.lastIndexOf('.', end - 1)) paths.add(path.slice(0, end));
  }
  return paths;
}

/** How a graph's producer names its nodes: ONNX exporters' `/a/b/Op`, or Ridgepoint's frontends' dotted module paths. */
export type ScopeNaming = 'onnx' | 'module-path';

/** Producer names of the graphs Ridgepoint builds itself (analysis/pytorch, pytorch-trace, hf-config). */
const MODULE_PATH_PRODUCERS = new Set(['ridgepoint-pytorch-source', 'ridgepoint-pytorch-trace', 'ridgepoint-hf-config']);

export function scopeNamingOf(producerName: string): ScopeNaming {
  return MODULE_PATH_PRODUCERS.has(producerName) ? 'module-path' : 'onnx';
}

/** A node's scope and the short name it has inside that scope (the op's own row in a tree or a group). */
export interface NodeScope {
  /** Shared between siblings: never mutate it. */
  readonly scope: readonly string[];
  /** `Conv`, `Gather_6` (ONNX); for the frontends what the name adds to the module path (`Add`, `running_mean/Constant`, `q_proj`), else the op type. */
  readonly leaf: string;
}

/**
 * Reads the scope of every node of one graph by one rule. For `module-path` naming the module paths are
 * collected from all the names first (moduleNamePaths), so build one reader per graph, not per node.
 */
export function scopeReader(naming: ScopeNaming, nodes: Iterable<{ readonly name: string; readonly opType: string }>): (name: string, opType: string) => NodeScope {
  if (naming === 'onnx') {
    // Siblings share their scope: read each `/a/b/` prefix once.
    const scopes = new Map<string, string[]>();
    return (name, opType) => {
      const slash = name.lastIndexOf('/');
      const prefix = name.slice(0, slash + 1);
      let scope = scopes.get(prefix);
      if (scope === undefined) {
        scope = onnxScopeOf(name);
        scopes.set(prefix, scope);
      }
      const last = name.slice(slash + 1);
      return { scope, leaf: last !== '' ? last : opType };
    };
  }
  const modules = moduleNamePaths(nodes);
  const isModulePath = (path: string): boolean => modules.has(path);
  return (name, opType) => {
    const module = pytorchModuleOf(name, isModulePath);
    const rest = name.slice(module.length).replace(/^[./]/, '');
    const leaf = rest === '' ? opType : rest.startsWith('#') ? `${opType} ${rest}` : rest;
    return { scope: module === '' ? [] : module.split('.'), leaf };
  };
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
