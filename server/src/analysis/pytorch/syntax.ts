/** Small helpers over tree-sitter nodes: ranges in LSP terms, children by kind, literal text. */
import { SyntaxNode } from './parser';
import { SourceRange } from './types';

/** Trees of imported modules → their file, so ranges inside them say which file they are in. */
const importedTreePaths = new WeakMap<object, string>();

export function markImportedTree(root: SyntaxNode, path: string): void {
  importedTreePaths.set(root.tree, path);
}

export function rangeOf(node: SyntaxNode): SourceRange {
  const range = { start: { line: node.startPosition.row, character: node.startPosition.column }, end: { line: node.endPosition.row, character: node.endPosition.column } };
  const path = importedTreePaths.get(node.tree);
  return path === undefined ? range : { ...range, path };
}

export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < node.namedChildCount; i++) {
    const child = node.namedChild(i);
    if (child !== null && child.type !== 'comment') out.push(child);
  }
  return out;
}

export function field(node: SyntaxNode, name: string): SyntaxNode | null {
  return node.childForFieldName(name);
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
