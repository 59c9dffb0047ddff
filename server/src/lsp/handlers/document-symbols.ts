import { DocumentSymbol, DocumentSymbolParams, SymbolKind } from 'vscode-languageserver';
import { GraphSpan, NodeSpan } from '../../analysis/onnx/text/layout';
import { LoadedModel, modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/** The outline: the main graph and functions, their nodes, and subgraphs nested under the node that owns them. */
export function registerDocumentSymbols(ctx: ServerContext): void {
  ctx.connection.onDocumentSymbol(
    runSafe(ctx.connection, 'textDocument/documentSymbol', [] as DocumentSymbol[], async (params: DocumentSymbolParams, token): Promise<DocumentSymbol[]> => {
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return [];
      const loaded = await ctx.models.load(ref, () => token.isCancellationRequested);
      return outline(loaded);
    }),
  );
}

/** The graph path a node belongs to: its id without the last segment. */
function parentPath(id: string): string {
  const cut = id.lastIndexOf('/');
  return cut < 0 ? '' : id.slice(0, cut);
}

export function outline(loaded: LoadedModel): DocumentSymbol[] {
  const graphSymbols = new Map<string, DocumentSymbol>();
  const nodeSymbols = new Map<string, DocumentSymbol>();
  const top: DocumentSymbol[] = [];
  const graphByPath = new Map<string, GraphSpan>(loaded.layout.graphs.map((g) => [g.path, g]));
  const symbolForGraph = (graph: GraphSpan): DocumentSymbol => {
    const kind = graph.kind === 'function' ? SymbolKind.Function : graph.kind === 'main' ? SymbolKind.Module : SymbolKind.Namespace;
    return { name: graph.name || (graph.kind === 'main' ? 'main graph' : graph.path), detail: graph.kind, kind, range: loaded.lines.range(graph.whole), selectionRange: loaded.lines.range(graph.header), children: [] };
  };
  for (const graph of loaded.layout.graphs) {
    const symbol = symbolForGraph(graph);
    graphSymbols.set(graph.path, symbol);
    if (graph.kind !== 'subgraph') top.push(symbol);
  }
  const addNode = (span: NodeSpan): void => {
    const statement = loaded.text.slice(span.statement.start, span.op.start);
    const outputs = statement.replace(/=\s*$/, '').trim();
    const op = loaded.text.slice(span.op.start, span.op.end);
    const symbol: DocumentSymbol = { name: outputs || op, detail: op, kind: SymbolKind.Operator, range: loaded.lines.range(span.statement), selectionRange: loaded.lines.range(span.op), children: [] };
    nodeSymbols.set(span.id, symbol);
    graphSymbols.get(parentPath(span.id))?.children?.push(symbol);
  };
  loaded.layout.nodes.forEach(addNode);
  // Subgraphs hang under the node whose attribute holds them.
  for (const [path, symbol] of graphSymbols) {
    if (graphByPath.get(path)?.kind !== 'subgraph') continue;
    const owner = nodeSymbols.get(parentPath(path));
    if (owner) owner.children?.push(symbol);
    else top.push(symbol);
  }
  return top;
}
