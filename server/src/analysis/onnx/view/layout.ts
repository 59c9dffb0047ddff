/**
 * Where things are in the readable model view (view/printer.ts): the TextLayout every view keeps (node
 * and graph spans, so hovers, hints and diagnostics find nodes the same way in any rendering), plus the
 * view's own structure: the module-scope groups and the regions an editor folds.
 */
import { TextLayout, TextSpan } from '../text/layout';

/**
 * A foldable range of lines: from the line holding `start` to the line holding `end`. `scope`: a
 * module group; `details`: what a reader skips at first (initializers, shape-only ops, weight inputs),
 * which the editor folds by default (LSP folding kind `imports`).
 */
export interface FoldRegion {
  readonly kind: 'scope' | 'details';
  readonly start: number;
  readonly end: number;
}

/** One module-scope group of a graph: its header line and every node under it (nested scopes included). */
export interface ScopeGroup {
  /** Scope segments (scope.ts), `['encoder', 'layers', 'encoder_layer_0']`. */
  readonly scope: readonly string[];
  /** The graph path the group belongs to ('' for the main graph, like GraphSpan.path). */
  readonly graphPath: string;
  /** The header line. */
  readonly header: TextSpan;
  /** From the header to the last line of its last node. */
  readonly whole: TextSpan;
  /** Ids of the graph's nodes in the group, nested scopes included (subgraph bodies are under their owner's id). */
  readonly nodeIds: readonly string[];
}

export interface ViewLayout extends TextLayout {
  /** In text order of their start. */
  readonly regions: readonly FoldRegion[];
  /** In text order; a nested scope follows its parent. */
  readonly groups: readonly ScopeGroup[];
}
