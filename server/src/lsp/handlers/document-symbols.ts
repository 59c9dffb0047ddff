import { DocumentSymbol, DocumentSymbolParams, SymbolKind } from 'vscode-languageserver';
import { GraphSpan, NodeSpan } from '../../analysis/onnx/text/layout';
import { ScopeGroup, ViewLayout } from '../../analysis/onnx/view/layout';
import { scopeLabel } from '../../analysis/scope';
import { LoadedModel, modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/**
 * The outline: the main graph and functions, their nodes, and subgraphs nested under the node that owns
 * them. In the readable view of a binary model, nodes sit under their module-scope groups, so the
 * outline is the model's module tree.
 */
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
  const addNode = (span: NodeSpan, parent: DocumentSymbol | undefined): void => {
    const op = loaded.text.slice(span.op.start, span.op.end);
    // ONNX text: the outputs before `= Op`; the view: the node's short name after the op column.
    const name = loaded.view ? viewNodeName(loaded.text.slice(span.op.end, span.statement.end)) : loaded.text.slice(span.statement.start, span.op.start).replace(/=\s*$/, '').trim();
    const symbol: DocumentSymbol = { name: name || op, detail: op, kind: SymbolKind.Operator, range: loaded.lines.range(span.statement), selectionRange: loaded.lines.range(span.op), children: [] };
    nodeSymbols.set(span.id, symbol);
    (parent ?? graphSymbols.get(parentPath(span.id)))?.children?.push(symbol);
  };
  if (loaded.view) nodesUnderGroups(loaded, loaded.view, graphSymbols, addNode);
  else loaded.layout.nodes.forEach((span) => addNode(span, undefined));
  // Subgraphs hang under the node whose attribute holds them.
  for (const [path, symbol] of graphSymbols) {
    if (graphByPath.get(path)?.kind !== 'subgraph') continue;
    const owner = nodeSymbols.get(parentPath(path));
    if (owner) owner.children?.push(symbol);
    else top.push(symbol);
  }
  return top;
}

/** `   Gather_6 (Shape, Constant)  axis=0` → `Gather_6`. */
function viewNodeName(afterOp: string): string {
  const text = afterOp.replace(/^:\S*/, '').trim();
  return text.startsWith('(') ? '' : (text.split(' (')[0] ?? '').trim();
}

/**
 * Adds the view's scope groups under their graph (nested by containment) and each node under the
 * innermost group of its own graph that holds it: one sweep over groups and nodes in text order.
 */
function nodesUnderGroups(loaded: LoadedModel, view: ViewLayout, graphSymbols: ReadonlyMap<string, DocumentSymbol>, addNode: (span: NodeSpan, parent: DocumentSymbol | undefined) => void): void {
  type Item = { start: number; group?: ScopeGroup; node?: NodeSpan };
  const items: Item[] = [...view.groups.map((group) => ({ start: group.header.start, group })), ...view.nodes.map((node) => ({ start: node.statement.start, node }))];
  items.sort((a, b) => a.start - b.start || (a.group ? -1 : 1));
  const open: Array<{ end: number; graphPath: string; symbol: DocumentSymbol }> = [];
  const innermost = (start: number, graphPath: string): DocumentSymbol | undefined => {
    while (open.length > 0 && (open[open.length - 1]?.end ?? 0) < start) open.pop();
    const top = open[open.length - 1];
    return top && top.graphPath === graphPath ? top.symbol : graphSymbols.get(graphPath);
  };
  for (const item of items) {
    if (item.node) {
      addNode(item.node, innermost(item.start, parentPath(item.node.id)));
      continue;
    }
    const group = item.group as ScopeGroup;
    const symbol: DocumentSymbol = { name: group.scope[group.scope.length - 1] ?? '', detail: scopeLabel(group.scope), kind: SymbolKind.Namespace, range: loaded.lines.range(group.whole), selectionRange: loaded.lines.range(group.header), children: [] };
    innermost(item.start, group.graphPath)?.children?.push(symbol);
    open.push({ end: group.whole.end, graphPath: group.graphPath, symbol });
  }
}
