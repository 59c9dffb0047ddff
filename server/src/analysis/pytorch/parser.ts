/**
 * Python parsing with tree-sitter (web-tree-sitter runtime + tree-sitter-python grammar, both wasm).
 * The wasm bytes are handed in by the caller, so the core does no IO. Incremental re-parse: the
 * previous tree is told about each edit (`tree.edit`) and handed to `parser.parse` as the old tree.
 */
import { Edit, Language, Node, Parser, Point, Tree } from 'web-tree-sitter';
import { PythonTree, TextChange } from './types';

export type SyntaxNode = Node;

export interface PythonParser {
  /** Parses `text`; with `previous`, re-uses the previous tree (which is consumed). Never throws on text. */
  parse(text: string, previous?: { readonly tree: PythonTree; readonly changes: readonly TextChange[] }): ParsedPython;
  dispose(): void;
}

export interface ParsedPython extends PythonTree {
  readonly root: SyntaxNode;
}

let runtimeReady: Promise<void> | null = null;

/** Loads the tree-sitter runtime (once per process) and the Python grammar. */
export async function createPythonParser(wasm: { runtime: Uint8Array; python: Uint8Array }): Promise<PythonParser> {
  runtimeReady ??= Parser.init({ wasmBinary: wasm.runtime } as unknown as object);
  await runtimeReady;
  const language = await Language.load(wasm.python);
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(text, previous) {
      let oldTree: Tree | null = null;
      if (previous && isTreeSitterTree(previous.tree)) {
        oldTree = previous.tree.tree;
        let current = previous.tree.text;
        for (const change of previous.changes) {
          oldTree.edit(editFor(current, change));
          current = current.slice(0, change.offset) + change.insertedText + current.slice(change.offset + change.deletedLength);
        }
        // Edits that do not reproduce the new text mean the caller lost track: parse from scratch.
        if (current !== text) oldTree = null;
      }
      const tree = parser.parse(text, oldTree);
      if (previous) previous.tree.dispose();
      if (tree === null) throw new Error('tree-sitter returned no tree');
      return new TreeSitterTree(tree, text);
    },
    dispose() {
      parser.delete();
    },
  };
}

class TreeSitterTree implements ParsedPython {
  private disposed = false;
  constructor(
    readonly tree: Tree,
    readonly text: string,
  ) {}
  get root(): SyntaxNode {
    return this.tree.rootNode;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tree.delete();
  }
}

function isTreeSitterTree(tree: PythonTree): tree is TreeSitterTree {
  return tree instanceof TreeSitterTree;
}

/** Row/column (UTF-16) of a UTF-16 offset in `text`. */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

function editFor(oldText: string, change: TextChange): Edit {
  const start = pointAt(oldText, change.offset);
  const oldEnd = pointAt(oldText, change.offset + change.deletedLength);
  const inserted = change.insertedText;
  const lastBreak = inserted.lastIndexOf('\n');
  const newlines = inserted.split('\n').length - 1;
  const newEnd: Point = lastBreak === -1 ? { row: start.row, column: start.column + inserted.length } : { row: start.row + newlines, column: inserted.length - lastBreak - 1 };
  return {
    startIndex: change.offset,
    oldEndIndex: change.offset + change.deletedLength,
    newEndIndex: change.offset + inserted.length,
    startPosition: start,
    oldEndPosition: oldEnd,
    newEndPosition: newEnd,
  };
}
