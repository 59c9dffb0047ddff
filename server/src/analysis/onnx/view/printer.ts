/**
 * The readable model view: what a binary `.onnx` opens as. Unlike the ONNX textual syntax
 * (text/printer.ts, one command away as "Open as ONNX Text"), it is made for reading a real export:
 *
 * - a header with the model's facts, its inputs and outputs, and one summary line for the
 *   initializers (the list itself folded away);
 * - nodes grouped by module scope (scope.ts), one header line per scope level, nested and foldable;
 * - per node: the op type first, in a column, then its name and values short within the scope
 *   (names.ts), then attributes, so a line stays short and its cost column (the language server's
 *   inlay hint at the line start) lines up;
 * - shape-only ops and Identity nodes (shape-ops.ts) gathered at the start of their group under one
 *   folded summary line.
 *
 * The layout keeps the contract of every rendering (TextLayout): each node id has a NodeSpan whose
 * statement is its line and whose op is the op-type token, graphs have header spans; so hovers,
 * hints, diagnostics and reveal work unchanged. Time is linear in the node count; no weight is read.
 */
import { FunctionDef, Graph, Model, Node } from '../../ir/graph';
import { bytesForElements } from '../../ir/dtype';
import { elementCount } from '../../ir/tensor';
import { humanBytes, humanCount } from '../../../format/units';
import { onnxScopeOf, scopeLabel } from '../../scope';
import { GraphSpan, NodeSpan, TextSpan } from '../text/layout';
import { functionPath, opText } from '../text/printer';
import { FoldRegion, ScopeGroup, ViewLayout } from './layout';
import { attributesText, listText, MAX_NAME, OP_COLUMN, padRight, tensorShapeText, valueTypeText } from './line-format';
import { elideMiddle, nameScopeOf, shortNames, shortNodeName } from './names';
import { foldedNodes } from './shape-ops';

export interface RenderedView {
  readonly text: string;
  readonly layout: ViewLayout;
}

/** More graph inputs than this: the first few are listed, the rest (often weights) folded. */
const LISTED_INPUTS = 8;
const INDENT = 2;

export function renderModelView(model: Model): RenderedView {
  const printer = new ViewPrinter();
  printer.model(model);
  return printer.result();
}

interface OpenGroup {
  readonly scope: readonly string[];
  readonly graphPath: string;
  readonly header: TextSpan;
  readonly nodeIds: string[];
}

class ViewPrinter {
  private readonly parts: string[] = [];
  private pos = 0;
  /** Where the last line written ends (before its newline). */
  private lastLineEnd = 0;
  private readonly nodes: NodeSpan[] = [];
  private readonly graphs: GraphSpan[] = [];
  private readonly regions: FoldRegion[] = [];
  private readonly groups: ScopeGroup[] = [];

  result(): RenderedView {
    const byStart = (a: { start: number }, b: { start: number }): number => a.start - b.start;
    return {
      text: this.parts.join(''),
      layout: {
        nodes: [...this.nodes].sort((a, b) => byStart(a.statement, b.statement)),
        graphs: [...this.graphs].sort((a, b) => byStart(a.whole, b.whole)),
        regions: [...this.regions].sort(byStart),
        groups: [...this.groups].sort((a, b) => byStart(a.header, b.header)),
      },
    };
  }

  /** Writes one line at `indent`; returns its span (without the newline). */
  private line(indent: number, text: string): TextSpan {
    this.write(' '.repeat(indent));
    const start = this.pos;
    this.write(text);
    const span = { start, end: this.pos };
    this.lastLineEnd = this.pos;
    this.write('\n');
    return span;
  }

  private write(text: string): void {
    this.parts.push(text);
    this.pos += text.length;
  }

  model(model: Model): void {
    const facts = [model.producerName === '' ? 'unknown producer' : `${model.producerName} ${model.producerVersion}`.trim()];
    facts.push(...[...model.opsets].map(([domain, version]) => (domain === '' ? `opset ${version}` : `${domain} ${version}`)));
    facts.push(`ir ${model.irVersion}`);
    this.line(0, `# ${facts.join(' · ')}`);
    this.line(0, '# Names are short within their module; "Ridgepoint: Open as ONNX Text" shows the full model.');
    this.graph(model.graph, 'main', '', 0);
    for (const fn of model.functions) {
      this.write('\n');
      this.function(fn);
    }
  }

  /** A graph: its header, inputs, outputs, initializers, then its nodes grouped by scope. */
  private graph(graph: Graph, kind: GraphSpan['kind'], path: string, indent: number, attributeLabel?: string): void {
    const header = this.line(indent, attributeLabel === undefined ? `graph ${graph.name}` : `${attributeLabel}: graph ${graph.name}`);
    const inner = indent + INDENT;
    this.signature(graph, inner);
    this.initializers(graph, inner);
    this.body(graph.nodes, foldedNodes(graph), path, inner);
    this.graphs.push({ kind, name: graph.name, path, header, whole: { start: header.start, end: this.lastLineEnd } });
  }

  private signature(graph: Graph, indent: number): void {
    const initializers = new Set(graph.initializers.map((t) => t.name));
    const inputs = graph.inputs.filter((v) => !initializers.has(v.name));
    const listed = inputs.length > LISTED_INPUTS ? inputs.slice(0, 4) : inputs;
    for (const v of listed) this.line(indent, `input  ${elideMiddle(v.name, MAX_NAME)}: ${valueTypeText(v.type)}`);
    if (listed.length < inputs.length) {
      const rest = inputs.slice(listed.length);
      const summary = this.line(indent, `⋯ ${rest.length} more inputs`);
      for (const v of rest) this.line(indent + INDENT, `input  ${elideMiddle(v.name, MAX_NAME * 2)}: ${valueTypeText(v.type)}`);
      this.regions.push({ kind: 'details', start: summary.start, end: this.lastLineEnd });
    }
    for (const v of graph.outputs) this.line(indent, `output ${elideMiddle(v.name, MAX_NAME)}: ${valueTypeText(v.type)}`);
  }

  private initializers(graph: Graph, indent: number): void {
    const tensors = [...graph.initializers, ...graph.sparseInitializers];
    if (tensors.length === 0) return;
    let parameters = 0;
    let bytes = 0;
    for (const t of tensors) {
      const count = elementCount(t.dims);
      parameters += count;
      bytes += bytesForElements(t.dtype, count);
    }
    const summary = this.line(indent, `${tensors.length} initializer${tensors.length === 1 ? '' : 's'} · ${humanCount(parameters)} parameters · ${humanBytes(bytes)}`);
    const width = Math.min(MAX_NAME * 2, Math.max(...tensors.map((t) => t.name.length)));
    for (const t of tensors) this.line(indent + INDENT, `${padRight(elideMiddle(t.name, MAX_NAME * 2), width)}  ${tensorShapeText(t)}`);
    this.regions.push({ kind: 'details', start: summary.start, end: this.lastLineEnd });
  }

  /**
   * Nodes in graph order, grouped by scope: a run of nodes in one scope prints its folded nodes first,
   * under one summary line, then the others. Scope levels open and close as the runs' scopes change.
   */
  private body(nodes: readonly Node[], folded: readonly boolean[], path: string, indent: number): void {
    const open: OpenGroup[] = [];
    const close = (depth: number): void => {
      while (open.length > depth) {
        const group = open.pop() as OpenGroup;
        const whole = { start: group.header.start, end: this.lastLineEnd };
        this.groups.push({ scope: group.scope, graphPath: group.graphPath, header: group.header, whole, nodeIds: group.nodeIds });
        this.regions.push({ kind: 'scope', start: whole.start, end: whole.end });
      }
    };
    let index = 0;
    while (index < nodes.length) {
      const scope = onnxScopeOf((nodes[index] as Node).name);
      const key = scope.join('/');
      let end = index + 1;
      while (end < nodes.length && onnxScopeOf((nodes[end] as Node).name).join('/') === key) end++;
      let common = 0;
      while (common < open.length && common < scope.length && open[common]?.scope[common] === scope[common]) common++;
      close(common);
      for (let depth = common; depth < scope.length; depth++) {
        const levelScope = scope.slice(0, depth + 1);
        const header = this.line(indent + depth * INDENT, scopeLabel(levelScope));
        open.push({ scope: levelScope, graphPath: path, header, nodeIds: [] });
      }
      const ids: string[] = [];
      for (let i = index; i < end; i++) ids.push(nodeId(path, i));
      for (const group of open) group.nodeIds.push(...ids);
      this.run(nodes, folded, path, index, end, indent + scope.length * INDENT);
      index = end;
    }
    close(0);
  }

  /** Nodes [from, to) of one scope. */
  private run(nodes: readonly Node[], folded: readonly boolean[], path: string, from: number, to: number, indent: number): void {
    const first = nodes[from] as Node;
    const names = nameScopeOf(first.name);
    const values: string[] = [];
    for (let i = from; i < to; i++) values.push(...(nodes[i] as Node).inputs, ...(nodes[i] as Node).outputs);
    const short = shortNames(values, names);
    const hidden: number[] = [];
    const shown: number[] = [];
    for (let i = from; i < to; i++) (folded[i] ? hidden : shown).push(i);
    if (hidden.length > 0) {
      const types = [...new Set(hidden.map((i) => (nodes[i] as Node).opType))];
      const what = `${types.every((t) => t === 'Identity') ? 'identity' : 'shape'} op${hidden.length === 1 ? '' : 's'}`;
      const summary = this.line(indent, `⋯ ${hidden.length} ${what} (${elideMiddle(types.join(', '), 60)})`);
      for (const i of hidden) this.node(nodes[i] as Node, nodeId(path, i), indent + INDENT, short);
      this.regions.push({ kind: 'details', start: summary.start, end: this.lastLineEnd });
    }
    for (const i of shown) this.node(nodes[i] as Node, nodeId(path, i), indent, short);
  }

  /**
   * `Conv               Conv (maxpool/MaxPool, w, b)  kernel_shape=[1,1]`: op, name, inputs, then
   * `→ outputs` where they are not just the node's own name (torch names outputs after their node),
   * then attributes; then any subgraph bodies.
   */
  private node(node: Node, id: string, indent: number, short: ReadonlyMap<string, string>): void {
    this.write(' '.repeat(indent));
    const start = this.pos;
    const op = opText(node.domain, node.opType);
    this.write(op);
    const opSpan = { start, end: this.pos };
    if (node.overload !== '') this.write(`:${node.overload}`);
    const name = shortNodeName(node.name);
    const shortOf = (value: string): string => short.get(value) ?? value;
    const outputs = node.outputs.length === 1 && name !== '' && shortOf(node.outputs[0] ?? '') === name ? '' : ` → ${listText(node.outputs.map(shortOf))}`;
    const attributes = attributesText(node);
    const rest = `${name === '' ? '' : `${elideMiddle(name, MAX_NAME)} `}(${listText(node.inputs.map(shortOf))})${outputs}${attributes === '' ? '' : `  ${attributes}`}`;
    this.write(`${' '.repeat(Math.max(1, OP_COLUMN + 1 - (this.pos - start)))}${rest}`);
    this.nodes.push({ id, statement: { start, end: this.pos }, op: opSpan });
    this.lastLineEnd = this.pos;
    this.write('\n');
    for (const [attribute, value] of node.attributes) {
      if (value.type === 'graph') this.graph(value.value, 'subgraph', `${id}/${attribute}`, indent + INDENT, attribute);
      else if (value.type === 'graphs') value.value.forEach((g, k) => this.graph(g, 'subgraph', `${id}/${attribute}/${k}`, indent + INDENT, `${attribute}[${k}]`));
    }
  }

  private function(fn: FunctionDef): void {
    const path = functionPath(fn.domain, fn.name, fn.overload);
    const attributes = fn.attributes.length > 0 ? ` <${fn.attributes.join(', ')}>` : '';
    const header = this.line(0, `function ${opText(fn.domain, fn.name)}${attributes} (${listText(fn.inputs)}) → (${listText(fn.outputs)})`);
    const graph: Graph = { name: fn.name, nodes: fn.nodes, inputs: [], outputs: [], valueInfo: fn.valueInfo, initializers: [], sparseInitializers: [], metadata: new Map() };
    this.body(fn.nodes, foldedNodes(graph), path, INDENT);
    this.graphs.push({ kind: 'function', name: fn.name, path, header, whole: { start: header.start, end: this.lastLineEnd } });
  }
}

function nodeId(path: string, index: number): string {
  return `${path === '' ? '' : `${path}/`}n${index}`;
}
