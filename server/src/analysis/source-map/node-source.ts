import { Node } from '../ir/graph';
import { FrameCache, SourceFrame, innermostUserFrame } from './frame';
import { parsePythonStringList } from './python-literal';
import { parsePythonTraceback } from './python-traceback';
import { parseTorchScriptStack } from './torchscript-stack';

/** Node metadata_props keys the dynamo exporter writes (torch/onnx/_internal/exporter/_core.py, `_set_node_metadata`). */
export const TORCH_METADATA_KEYS = {
  stackTrace: 'pkg.torch.onnx.stack_trace',
  nameScopes: 'pkg.torch.onnx.name_scopes',
  classHierarchy: 'pkg.torch.onnx.class_hierarchy',
} as const;

/**
 * Where a node came from in the Python source, innermost frame first: the dynamo exporter's
 * `pkg.torch.onnx.stack_trace` metadata when present, else the TorchScript exporter's doc_string.
 * Each text is read in the format its exporter writes and, failing that, in the other one (a
 * hand-edited or re-saved model may have moved one into the other). Never throws; [] when unknown.
 * Pass one cache when reading many nodes of a model.
 */
export function sourceFrames(node: Node, cache?: FrameCache): SourceFrame[] {
  const stackTrace = node.metadata.get(TORCH_METADATA_KEYS.stackTrace);
  if (stackTrace !== undefined && stackTrace !== '') {
    const frames = parsePythonTraceback(stackTrace, cache);
    if (frames.length > 0) return frames;
    const alternative = parseTorchScriptStack(stackTrace, cache);
    if (alternative.length > 0) return alternative;
  }
  if (node.docString === '') return [];
  const frames = parseTorchScriptStack(node.docString, cache);
  return frames.length > 0 ? frames : parsePythonTraceback(node.docString, cache);
}

/** The innermost frame of the node's stack that is the user's own code (see `isUserFrame`). */
export function userSourceFrame(node: Node): SourceFrame | null {
  return innermostUserFrame(sourceFrames(node));
}

/**
 * The dotted path of the nn.Module that produced the node (`layer1.0.conv1`; '' for the root module),
 * as `model.named_modules()` names it: from `pkg.torch.onnx.name_scopes` when the dynamo exporter
 * wrote it, else from a TorchScript-style node name (`/layer1/layer1.0/conv1/Conv`). Null when unknown.
 */
export function modulePath(node: Node): string | null {
  const scopes = node.metadata.get(TORCH_METADATA_KEYS.nameScopes);
  if (scopes !== undefined) {
    const parsed = parsePythonStringList(scopes);
    const fromScopes = parsed === null ? null : modulePathFromNameScopes(parsed);
    if (fromScopes !== null) return fromScopes;
  }
  return modulePathFromNodeName(node.name);
}

/** The nn.Module classes from the root to the node's module, from `pkg.torch.onnx.class_hierarchy`; [] when absent. */
export function moduleClasses(node: Node): string[] {
  const text = node.metadata.get(TORCH_METADATA_KEYS.classHierarchy);
  const classes = text === undefined ? null : parsePythonStringList(text);
  // The last entry is the op the node was lowered from (`aten.conv2d.default`), not a module class.
  return classes === null || classes.length < 2 ? [] : classes.slice(0, -1);
}

const MAX_PATH_CHARS = 1024;
/** A module attribute name or a container index: what nn.Module accepts as a child name, less dots. */
const NAME_PART = /^[A-Za-z0-9_]+$/;

/**
 * From the dynamo exporter's name scopes: one entry per module on the nn_module_stack, fully qualified
 * (`''`, `layer1`, `layer1.0`), then the FX node's own name (`conv2d`). A list of one entry means the
 * node had no module stack. Dynamo-style paths (`L['self'].layer1[0]`) are normalised to `layer1.0`.
 */
export function modulePathFromNameScopes(scopes: readonly string[]): string | null {
  if (scopes.length < 2) return null;
  return normaliseModulePath(scopes[scopes.length - 2] ?? '');
}

/**
 * From a TorchScript exporter node name: the scope segments before the op, `/layer4/layer4.1/conv1/Conv`.
 * Children of containers are written qualified by their parent (`layer4.1` under `layer4`), others
 * plainly (`conv1`), so a segment that starts with the previous segment and a dot adds only its rest.
 * A name that does not start with `/` carries no module path (null); `/Flatten` is the root module ('').
 */
export function modulePathFromNodeName(name: string): string | null {
  if (!name.startsWith('/') || name.length > MAX_PATH_CHARS) return null;
  const segments = name.split('/').slice(1, -1);
  const parts: string[] = [];
  let previous = '';
  for (const segment of segments) {
    const own = previous !== '' && segment.startsWith(`${previous}.`) ? segment.slice(previous.length + 1) : segment;
    const ownParts = own.split('.');
    if (!ownParts.every((p) => NAME_PART.test(p))) return null;
    parts.push(...ownParts);
    previous = segment;
  }
  return parts.join('.');
}

/** `L['self'].layer1[0]._modules['conv1']` → `layer1.0.conv1`; null when the text is not a module path. */
function normaliseModulePath(path: string): string | null {
  if (path.length > MAX_PATH_CHARS) return null;
  const dotted = path
    .replace(/^L\[['"]self['"]\]/, '')
    .replace(/^self(?=\.|\[|$)/, '')
    .replace(/\[['"]([^'"\]]*)['"]\]|\[(\d+)\]/g, (_match, key: string | undefined, index: string | undefined) => `.${key ?? index ?? ''}`)
    .replace(/\._modules(?=\.)/g, '')
    .replace(/^\./, '');
  if (dotted === '') return '';
  const parts = dotted.split('.');
  return parts.every((p) => NAME_PART.test(p)) ? dotted : null;
}
