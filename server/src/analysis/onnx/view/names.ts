/**
 * Names as the readable view shows them: short within the module scope they are read in. Exporters
 * spell a node's module path into every name (`/encoder/layers/encoder_layer_0/self_attention/Gather_6`,
 * its output `…/Gather_6_output_0`, a weight `encoder.layers.encoder_layer_0.ln_1.weight`); the view
 * prints the module path once, in the group header, and names relative to it (`Gather_6`, `weight`).
 * The rules are structural, read from the names alone, and never merge two values: the printer falls
 * back to the full name where two short names would collide (see `shortNames`).
 */

/** How a scope is spelled inside names: the node-name prefix and the dotted module path of weights. */
export interface NameScope {
  /** `/encoder/layers/encoder_layer_0/ln_1/`; '' for a name without `/`. */
  readonly slashPrefix: string;
  /** `encoder.layers.encoder_layer_0.ln_1` (torch's `layer1/layer1.0` → `layer1.0`); '' at the top. */
  readonly dottedPath: string;
}

const TOP: NameScope = { slashPrefix: '', dottedPath: '' };

export function nameScopeOf(nodeName: string): NameScope {
  const cut = nodeName.lastIndexOf('/');
  if (cut < 0) return TOP;
  const slashPrefix = nodeName.slice(0, cut + 1);
  const modules: string[] = [];
  for (const part of slashPrefix.split('/')) {
    if (part === '') continue;
    const previous = modules[modules.length - 1];
    // A container's child repeats the container's path (`layer1/layer1.0`): the module is `layer1.0`.
    if (previous !== undefined && part.startsWith(`${previous}.`)) modules[modules.length - 1] = part;
    else modules.push(part);
  }
  return { slashPrefix, dottedPath: modules.join('.') };
}

/** A node's own name without its scope: `/encoder/ln/LayerNormalization` → `LayerNormalization`. */
export function shortNodeName(nodeName: string): string {
  return nodeName.slice(nodeName.lastIndexOf('/') + 1);
}

/** `Add_output_0` → `Add`, `Split_output_2` → `Split:2`: torch's output naming, the node name says it. */
function withoutOutputSuffix(name: string): string {
  const match = /_output_(\d+)$/.exec(name);
  if (!match || match.index === 0) return name;
  const base = name.slice(0, match.index);
  return match[1] === '0' ? base : `${base}:${match[1]}`;
}

/**
 * A value's name as read from a node in `scope`: local values lose the scope (`Gather_6`), values of an
 * enclosing scope keep the enclosing module's last segment (`encoder/Add`, `/Concat` for the top), values
 * of another branch keep the path from the common ancestor (`self_attention/Reshape_3`), weights lose the
 * dotted module path (`weight`, `out_proj.weight`). Anything else prints as it is.
 */
export function shortValueName(name: string, scope: NameScope): string {
  // torch writes `/a/b/Op_output_0`, tf2onnx `a/b/Op:0` (no leading slash): both are paths of modules.
  if (name.startsWith('/') || (scope.slashPrefix !== '' && name.includes('/'))) return withoutOutputSuffix(relativeSlashName(name, scope.slashPrefix));
  if (scope.dottedPath !== '' && name.startsWith(`${scope.dottedPath}.`) && name.length > scope.dottedPath.length + 1) return name.slice(scope.dottedPath.length + 1);
  return name;
}

function relativeSlashName(name: string, prefix: string): string {
  if (prefix !== '' && name.startsWith(prefix) && !name.slice(prefix.length).includes('/')) return name.slice(prefix.length);
  // The longest common run of whole segments.
  let common = 0;
  const limit = Math.min(prefix.length, name.length);
  for (let i = 0; i < limit; i++) {
    if (prefix.charCodeAt(i) !== name.charCodeAt(i)) break;
    if (name.charCodeAt(i) === 47 /* / */) common = i + 1;
  }
  const rest = name.slice(common);
  const enclosing = common > 0 ? name.slice(0, common - 1) : '';
  const enclosingParts = enclosing.split('/');
  const enclosingModule = withoutRepeatedPrefixes(enclosingParts[enclosingParts.length - 2] ?? '', enclosingParts[enclosingParts.length - 1] ?? '');
  if (rest.includes('/')) return withoutRepeatedPrefixes(enclosingModule, rest);
  // A value of an enclosing scope: name the enclosing module, so it never reads as a local value.
  return `${enclosingModule}/${rest}`;
}

/** `mlp/mlp.3/Add` → `mlp/3/Add` (and `layer1.0/…` under `layer1` → `0/…`), as scope.ts shows a container's children. */
function withoutRepeatedPrefixes(enclosingModule: string, path: string): string {
  const parts = path.split('/');
  return parts
    .map((part, i) => {
      const previous = i > 0 ? (parts[i - 1] ?? '') : enclosingModule;
      return previous !== '' && part.startsWith(`${previous}.`) && part.length > previous.length + 1 ? part.slice(previous.length + 1) : part;
    })
    .join('/');
}

/**
 * Short names for a set of values read in one scope, unambiguous among themselves: where two different
 * values would print alike, both print in full.
 */
export function shortNames(names: Iterable<string>, scope: NameScope): Map<string, string> {
  const byShort = new Map<string, string[]>();
  for (const name of names) {
    if (name === '') continue;
    const short = shortValueName(name, scope);
    const same = byShort.get(short);
    if (same === undefined) byShort.set(short, [name]);
    else if (!same.includes(name)) same.push(name);
  }
  const out = new Map<string, string>();
  for (const [short, full] of byShort) for (const name of full) out.set(name, full.length === 1 ? short : name);
  return out;
}

/** Elides the middle of a long name: `encoder.layers.enc…out_proj.weight`. */
export function elideMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.ceil((max - 1) * 0.55);
  return `${text.slice(0, max - 1 - tail)}…${text.slice(text.length - tail)}`;
}
