/**
 * Where things are in a model's ONNX textual syntax: the map between text offsets and the model's
 * node ids that the language server uses for hovers, inlay hints, symbols and diagnostics. Offsets
 * are UTF-16 code-unit offsets into the text (JavaScript string indices); the server converts them
 * to LSP positions.
 */

export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

export interface NodeSpan {
  /**
   * The node id the shape engine and the report use: `n3` in the main graph, `n3/body/n0` inside the
   * graph attribute `body` of node `n3` (nested the same way). Nodes of a function body, which the
   * engine expands per call, are `fn:<domain>::<name>/n<i>`.
   */
  readonly id: string;
  /** The whole statement `Y = Conv <…> (X, W)`. */
  readonly statement: TextSpan;
  /** The op name (`Conv`, `com.microsoft.Attention`) inside the statement. */
  readonly op: TextSpan;
}

export interface GraphSpan {
  readonly kind: 'main' | 'subgraph' | 'function';
  readonly name: string;
  /** '' for the main graph, the owning node id plus `/<attribute>` for a subgraph, `fn:<domain>::<name>` for a function. */
  readonly path: string;
  /** The signature line(s): `name (inputs) => (outputs)`. */
  readonly header: TextSpan;
  /** From the header to the closing brace. */
  readonly whole: TextSpan;
}

export interface TextLayout {
  /** In text order. */
  readonly nodes: readonly NodeSpan[];
  /** In text order; nested subgraphs follow their parent. */
  readonly graphs: readonly GraphSpan[];
}
