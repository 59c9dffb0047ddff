/** Small helpers over tree-sitter nodes: ranges in LSP terms, children by kind, literal text. */
import { SyntaxNode } from './parser';
import { SourceRange } from './types';

/** Trees of imported modules → their file, so ranges inside them say which file they are in. */
const importedTreePaths = new WeakMap<object, string>();

export function markImportedTree(root: SyntaxNode, path: string): void {
  importedTreePaths.set(root.tree, path);
}

/**
 * What the evaluator asks of a node (children, fields, range), cached per node of a tree: every access
 * of a web-tree-sitter node crosses into wasm and allocates, and the evaluator walks the same function
 * bodies many times (each instance of a block runs its __init__). Keyed by the tree, so a new parse
 * starts afresh, and an imported file's tree (kept while its version holds) stays warm across analyses.
 */
interface NodeFacts {
  children?: SyntaxNode[];
  range?: SourceRange;
  fields?: Map<string, SyntaxNode | null>;
}

const factsByTree = new WeakMap<object, Map<number, NodeFacts>>();

function factsOf(node: SyntaxNode): NodeFacts {
  let byId = factsByTree.get(node.tree);
  if (byId === undefined) {
    byId = new Map();
    factsByTree.set(node.tree, byId);
  }
  let facts = byId.get(node.id);
  if (facts === undefined) {
    facts = {};
    byId.set(node.id, facts);
  }
  return facts;
}

export function rangeOf(node: SyntaxNode): SourceRange {
  const facts = factsOf(node);
  if (facts.range !== undefined) return facts.range;
  const range = { start: { line: node.startPosition.row, character: node.startPosition.column }, end: { line: node.endPosition.row, character: node.endPosition.column } };
  const path = importedTreePaths.get(node.tree);
  facts.range = path === undefined ? range : { ...range, path };
  return facts.range;
}

/** Named children without comments (a shared array: do not modify it). */
export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  const facts = factsOf(node);
  if (facts.children !== undefined) return facts.children;
  const out: SyntaxNode[] = [];
  for (let i = 0; i < node.namedChildCount; i++) {
    const child = node.namedChild(i);
    if (child !== null && child.type !== 'comment') out.push(child);
  }
  facts.children = out;
  return out;
}

export function field(node: SyntaxNode, name: string): SyntaxNode | null {
  const facts = factsOf(node);
  facts.fields ??= new Map();
  const hit = facts.fields.get(name);
  if (hit !== undefined) return hit;
  const found = node.childForFieldName(name);
  facts.fields.set(name, found);
  return found;
}

/** The decorators of a decorated_definition, and its definition. */
export function undecorate(node: SyntaxNode): { decorators: SyntaxNode[]; definition: SyntaxNode | null } {
  if (node.type !== 'decorated_definition') return { decorators: [], definition: node };
  return { decorators: namedChildren(node).filter((c) => c.type === 'decorator'), definition: field(node, 'definition') };
}

/** Python string literal → its value, for plain (non f-) strings; null otherwise. */
export function stringValue(node: SyntaxNode): string | null {
  if (node.type === 'concatenated_string') {
    const parts = namedChildren(node).map(stringValue);
    return parts.every((p): p is string => p !== null) ? parts.join('') : null;
  }
  if (node.type !== 'string') return null;
  let text = '';
  for (const part of namedChildren(node)) {
    if (part.type === 'string_content') text += part.text;
    else if (part.type === 'interpolation') return null;
    else if (part.type === 'escape_sequence') text += unescape(part.text);
  }
  return text;
}

function unescape(seq: string): string {
  const map: Record<string, string> = { '\\n': '\n', '\\t': '\t', '\\\\': '\\', "\\'": "'", '\\"': '"' };
  return map[seq] ?? seq;
}
