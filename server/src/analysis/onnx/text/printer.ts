/**
 * Renders a Model in ONNX textual syntax, the format of onnx.printer (onnx/defs/printer.cc), with the
 * layout that maps each node id to its statement. Differences from onnx.printer, all of which
 * onnx.parser still reads (docs/onnx-text.md): attributes print without the `: type` annotation unless
 * the literal is ambiguous (an empty list), floats always carry a decimal point or exponent, large or
 * out-of-memory tensors print an elision marker instead of their values, initializers print one per
 * line, and names spelled like type keywords are quoted.
 *
 * Rendering reads no weight bytes and does no work per weight element, so a model of any size renders
 * in time proportional to its node count.
 */
import { FunctionDef, Graph, Model, Node } from '../../ir/graph';
import { GraphSpan, NodeSpan, TextLayout } from './layout';
import { attributeValueText, tensorDataText, tensorText, tensorTypeText, valueInfoText } from './printer-values';
import { formatInt, identifierText, nameText, quote } from './syntax';

export interface RenderOptions {
  /** Tensors with more elements print elided (default 64: shape constants stay inline). */
  readonly maxInlineElements?: number;
}

export interface RenderedText {
  readonly text: string;
  readonly layout: TextLayout;
}

export const DEFAULT_MAX_INLINE_ELEMENTS = 64;
const INDENT = 3;

export function renderModel(model: Model, options: RenderOptions = {}): RenderedText {
  const printer = new ModelPrinter(options.maxInlineElements ?? DEFAULT_MAX_INLINE_ELEMENTS);
  printer.model(model);
  return printer.result();
}

/** The graph path of a model-local function, and the prefix of its body's node ids. */
export function functionPath(domain: string, name: string, overload: string): string {
  return overload === '' ? `fn:${domain}::${name}` : `fn:${domain}::${name}::${overload}`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Op types and domains are read as dotted identifiers; anything else is quoted (a Ridgepoint extension). */
export function opText(domain: string, opType: string): string {
  const op = identifierText(opType);
  if (domain === '') return op;
  const plainDomain = domain.split('.').every((segment) => IDENTIFIER.test(segment));
  return `${plainDomain ? domain : quote(domain)}.${op}`;
}

class ModelPrinter {
  private readonly parts: string[] = [];
  private pos = 0;
  private readonly nodes: NodeSpan[] = [];
  private readonly graphs: GraphSpan[] = [];

  constructor(private readonly maxInline: number) {}

  result(): RenderedText {
    // Spans are recorded when a statement ends, so nested ones come first; the layout is in text order.
    const byStart = (a: { start: number }, b: { start: number }): number => a.start - b.start;
    return {
      text: this.parts.join(''),
      layout: {
        nodes: [...this.nodes].sort((a, b) => byStart(a.statement, b.statement)),
        graphs: [...this.graphs].sort((a, b) => byStart(a.whole, b.whole)),
      },
    };
  }

  private write(text: string): void {
    this.parts.push(text);
    this.pos += text.length;
  }

  model(model: Model): void {
    const entries = [`ir_version: ${formatInt(model.irVersion)}`, `opset_import: [${[...model.opsets].map(([domain, version]) => `${quote(domain)} : ${formatInt(version)}`).join(', ')}]`];
    if (model.producerName !== '') entries.push(`producer_name: ${quote(model.producerName)}`);
    if (model.producerVersion !== '') entries.push(`producer_version: ${quote(model.producerVersion)}`);
    if (model.domain !== '') entries.push(`domain: ${quote(model.domain)}`);
    if (model.modelVersion !== 0) entries.push(`model_version: ${formatInt(model.modelVersion)}`);
    if (model.docString !== '') entries.push(`doc_string: ${quote(model.docString)}`);
    if (model.metadata.size > 0) entries.push(`metadata_props: [${[...model.metadata].map(([k, v]) => `${quote(k)}: ${quote(v)}`).join(', ')}]`);
    this.write(`<\n${entries.map((e) => `${pad(INDENT)}${e}`).join(',\n')}\n>\n`);
    this.graph(model.graph, 'main', '', INDENT);
    this.write('\n');
    for (const fn of model.functions) {
      this.write('\n');
      this.function(fn);
    }
  }

  /** Prints `name (inputs) => (outputs) <initializers, value infos> { nodes }`, nodes at `indent`. */
  private graph(graph: Graph, kind: GraphSpan['kind'], path: string, indent: number): void {
    const start = this.pos;
    this.write(`${nameText(graph.name)} (${graph.inputs.map((v) => valueInfoText(v.name, v.type)).join(', ')}) => (${graph.outputs.map((v) => valueInfoText(v.name, v.type)).join(', ')})`);
    const header = { start, end: this.pos };
    const declarations = [
      ...graph.initializers.map((t) => tensorText(t, this.maxInline, 'initializer')),
      // Sparse initializers have no onnx syntax; Ridgepoint prints them elided with a sparse_tensor type.
      ...graph.sparseInitializers.map((t) => `sparse_tensor(${tensorTypeText(t)}) ${nameText(t.name)} = ${tensorDataText(t, 0).text}`),
      ...graph.valueInfo.map((v) => valueInfoText(v.name, v.type)),
    ];
    if (declarations.length > 0) {
      this.write(`\n${pad(indent)}<${declarations.join(`,\n${pad(indent + 1)}`)}>\n${pad(indent - INDENT)}{\n`);
    } else {
      this.write(' {\n');
    }
    graph.nodes.forEach((node, index) => this.node(node, `${path === '' ? '' : `${path}/`}n${index}`, indent));
    this.write(`${pad(indent - INDENT)}}`);
    this.graphs.push({ kind, name: graph.name, path, header, whole: { start, end: this.pos } });
  }

  private node(node: Node, id: string, indent: number): void {
    this.write(pad(indent));
    const start = this.pos;
    if (node.name !== '') this.write(`[${identifierText(node.name)}] `);
    this.write(`${node.outputs.map(identifierText).join(', ')} = `);
    const opStart = this.pos;
    this.write(opText(node.domain, node.opType));
    const op = { start: opStart, end: this.pos };
    if (node.overload !== '') this.write(`:${identifierText(node.overload)}`);
    // onnx.printer puts the attributes after the inputs when one holds a graph, so the inputs stay on
    // the statement's first line.
    const hasGraph = [...node.attributes.values()].some((a) => a.type === 'graph' || a.type === 'graphs');
    if (!hasGraph) this.attributes(node, id, indent);
    this.write(` (${node.inputs.map(identifierText).join(', ')})`);
    if (hasGraph) this.attributes(node, id, indent);
    this.nodes.push({ id, statement: { start, end: this.pos }, op });
    this.write('\n');
  }

  private attributes(node: Node, id: string, indent: number): void {
    let first = true;
    for (const [name, value] of node.attributes) {
      if (value.type === 'graph' || value.type === 'graphs') {
        this.write(`${first ? ' <' : ', '}${identifierText(name)}`);
        first = false;
        if (value.type === 'graph') {
          this.write(' = ');
          this.graph(value.value, 'subgraph', `${id}/${name}`, indent + INDENT);
        } else if (value.value.length === 0) {
          this.write(': graphs = []');
        } else {
          this.write(' = [');
          value.value.forEach((g, k) => {
            if (k > 0) this.write(', ');
            this.graph(g, 'subgraph', `${id}/${name}/${k}`, indent + INDENT);
          });
          this.write(']');
        }
        continue;
      }
      const printed = attributeValueText(value, this.maxInline);
      if (printed === undefined) continue;
      this.write(`${first ? ' <' : ', '}${identifierText(name)}${printed.annotation ? `: ${printed.annotation}` : ''} = ${printed.text}`);
      first = false;
    }
    if (!first) this.write('>');
  }

  private function(fn: FunctionDef): void {
    const meta = [`domain: ${quote(fn.domain)}`];
    if (fn.overload !== '') meta.push(`overload: ${quote(fn.overload)}`);
    meta.push(`opset_import: [${[...fn.opsets].map(([domain, version]) => `${quote(domain)} : ${formatInt(version)}`).join(', ')}]`);
    this.write(`<\n${meta.map((m) => `${pad(INDENT)}${m}`).join(',\n')}\n>\n`);
    const path = functionPath(fn.domain, fn.name, fn.overload);
    const start = this.pos;
    this.write(nameText(fn.name));
    const attributes = fn.attributes.map((name) => {
      const fallback = fn.attributeDefaults.get(name);
      const printed = fallback === undefined ? undefined : attributeValueText(fallback, this.maxInline);
      if (printed === undefined) return identifierText(name);
      return `${identifierText(name)}${printed.annotation ? `: ${printed.annotation}` : ''} = ${printed.text}`;
    });
    if (attributes.length > 0) this.write(` <${attributes.join(', ')}>`);
    this.write(` (${fn.inputs.map(nameText).join(', ')}) => (${fn.outputs.map(nameText).join(', ')})`);
    const header = { start, end: this.pos };
    if (fn.valueInfo.length > 0) this.write(`\n${pad(INDENT)}<${fn.valueInfo.map((v) => valueInfoText(v.name, v.type)).join(`,\n${pad(INDENT + 1)}`)}>`);
    this.write('\n{\n');
    fn.nodes.forEach((node, index) => this.node(node, `${path}/n${index}`, INDENT));
    this.write('}\n');
    this.graphs.push({ kind: 'function', name: fn.name, path, header, whole: { start, end: this.pos - 1 } });
  }
}

const PADDING: string[] = [];
function pad(width: number): string {
  let text = PADDING[width];
  if (text === undefined) {
    text = ' '.repeat(Math.max(0, width));
    PADDING[width] = text;
  }
  return text;
}
