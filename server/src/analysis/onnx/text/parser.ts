/**
 * A recursive-descent parser for ONNX textual syntax (the grammar of onnx/defs/parser.cc and
 * docs/Syntax.md), building the same IR the binary reader builds, with the layout that maps node ids to
 * statements. It never throws: a syntax error becomes a located diagnostic (UTF-16 offset into the text)
 * and parsing resumes at the next statement, so a file being edited still yields the rest of its graph.
 *
 * Accepted beyond onnx.parser (all of it printed by renderModel): quoted op types, domains, attribute
 * and graph names; quoted symbolic dims; sparse initializers typed `sparse_tensor(...)`; lists of
 * tensors, graphs and types as attribute values; Ridgepoint's `["elided": ...]` data marker.
 */
import { Diagnostic } from '../../diagnostics';
import { AttributeValue, FunctionDef, Graph, Model, Node, normaliseDomain, ValueInfo } from '../../ir/graph';
import { TensorInfo } from '../../ir/tensor';
import { GraphSpan, NodeSpan, TextLayout } from './layout';
import { atTypeStart, MAX_TEXT_NESTING, parseAttribute, parseAttributeAfterName, parseTensorData, parseType, TOO_DEEP } from './parse-values';
import { functionPath } from './printer';
import { SyntaxFailure, TokenCursor } from './token-cursor';

export interface ParsedText {
  readonly model: Model | null;
  readonly layout: TextLayout;
  readonly diagnostics: Diagnostic[];
}

/** The ai.onnx opset assumed when the text has no `opset_import` (a bare graph). */
export const DEFAULT_TEXT_OPSET = 21;
/** The IR version assumed when the text has no model header. */
export const DEFAULT_TEXT_IR_VERSION = 10;

export function parseModelText(text: string): ParsedText {
  try {
    return new TextParser(text).parse();
  } catch (error) {
    // Every syntax error is caught inside; reaching here is a bug in Ridgepoint, reported, never thrown.
    const message = error instanceof Error ? error.message : String(error);
    return { model: null, layout: { nodes: [], graphs: [] }, diagnostics: [{ severity: 'error', code: 'internal', message: `parsing stopped: ${message}` }] };
  }
}

interface ModelHeader {
  irVersion?: number;
  opsets?: Map<string, number>;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: Map<string, string>;
}

class TextParser {
  private readonly cursor: TokenCursor;
  private readonly nodeSpans: NodeSpan[] = [];
  private readonly graphSpans: GraphSpan[] = [];

  constructor(text: string) {
    this.cursor = new TokenCursor(text);
  }

  parse(): ParsedText {
    const cursor = this.cursor;
    const header: ModelHeader = { producerName: '', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadata: new Map() };
    if (cursor.isPunct('<')) this.recovering(() => this.modelHeader(header), () => this.skipPast('>'));
    const graph = this.mainGraph();
    const functions: FunctionDef[] = [];
    while (!cursor.atEnd) {
      const start = cursor.index;
      const mark = this.markLayout();
      const fn = this.recovering(
        () => this.functionDef(),
        () => {
          this.resetLayout(mark);
          this.skipToNextFunction(start);
        },
      );
      if (fn !== undefined) functions.push(fn);
    }
    const layout = this.layout();
    if (graph === undefined) return { model: null, layout, diagnostics: cursor.diagnostics };
    let opsets = header.opsets;
    if (opsets === undefined) {
      opsets = new Map([['', DEFAULT_TEXT_OPSET]]);
      cursor.report(`no opset_import in a model header: assuming ai.onnx opset ${DEFAULT_TEXT_OPSET}`, 0, 'info', 'text.default-opset');
    } else if (opsets.size === 0) {
      // As the binary reader does for IR version 1 models, which import no opsets.
      opsets.set('', 1);
    }
    const model: Model = {
      irVersion: header.irVersion ?? DEFAULT_TEXT_IR_VERSION,
      opsets,
      producerName: header.producerName,
      producerVersion: header.producerVersion,
      domain: header.domain,
      modelVersion: header.modelVersion,
      docString: header.docString,
      graph,
      functions,
      metadata: header.metadata,
    };
    return { model, layout, diagnostics: cursor.diagnostics };
  }

  /** Runs `parse`; on a syntax error (already reported) runs `recover` and returns undefined. */
  private recovering<T>(parse: () => T, recover: () => void): T | undefined {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof SyntaxFailure)) throw error;
      recover();
      return undefined;
    }
  }

  private markLayout(): { nodes: number; graphs: number } {
    return { nodes: this.nodeSpans.length, graphs: this.graphSpans.length };
  }

  private resetLayout(mark: { nodes: number; graphs: number }): void {
    this.nodeSpans.length = mark.nodes;
    this.graphSpans.length = mark.graphs;
  }

  private layout(): TextLayout {
    // Spans are recorded when a construct ends, so nested ones come first; the layout is in text order.
    return {
      nodes: [...this.nodeSpans].sort((a, b) => a.statement.start - b.statement.start),
      graphs: [...this.graphSpans].sort((a, b) => a.whole.start - b.whole.start),
    };
  }

  private skipPast(char: string): void {
    while (!this.cursor.atEnd && !this.cursor.matchPunct(char)) this.cursor.next();
  }

  // ---------------------------------------------------------------------------------------------
  // Lists

  /**
   * Parses `item (',' item)* close` after the opening bracket, recovering per element: a broken element
   * is reported and skipped, and the next one is parsed. Throws only when the list cannot be resynchronised.
   */
  private list(close: string, item: () => void): void {
    const cursor = this.cursor;
    if (cursor.matchPunct(close)) return;
    for (;;) {
      try {
        item();
        if (cursor.matchPunct(',')) continue;
        cursor.expectPunct(close, `',' or '${close}'`);
        return;
      } catch (error) {
        if (!(error instanceof SyntaxFailure)) throw error;
        const outcome = cursor.skipListElement(close);
        if (outcome === 'next') continue;
        if (outcome === 'closed') return;
        throw error;
      }
    }
  }

  /** Strict `item (',' item)* close` (inside a statement, where the statement recovers as a whole). */
  private strictList(close: string, item: () => void): void {
    const cursor = this.cursor;
    if (cursor.matchPunct(close)) return;
    do item();
    while (cursor.matchPunct(','));
    cursor.expectPunct(close, `',' or '${close}'`);
  }

  private stringValue(what: string): string {
    const token = this.cursor.peek;
    if (token.kind !== 'string') this.cursor.fail(`a quoted string for ${what}`);
    return this.cursor.next().value;
  }

  private intValue(what: string): number {
    const token = this.cursor.peek;
    if (token.kind !== 'int') this.cursor.fail(`an integer for ${what}`);
    return Number(this.cursor.next().text);
  }

  private opsetList(): Map<string, number> {
    const cursor = this.cursor;
    const opsets = new Map<string, number>();
    cursor.expectPunct('[', "to open the opset_import list");
    this.list(']', () => {
      const domain = this.stringValue('the opset domain');
      cursor.expectPunct(':', 'after the opset domain');
      opsets.set(normaliseDomain(domain), this.intValue('the opset version'));
    });
    return opsets;
  }

  // ---------------------------------------------------------------------------------------------
  // Model header and functions

  private modelHeader(header: ModelHeader): void {
    const cursor = this.cursor;
    cursor.expectPunct('<', 'to open the model header');
    this.list('>', () => {
      const keyToken = cursor.expectName('a model header key (ir_version, opset_import, producer_name, ...)');
      cursor.expectPunct(':', `after '${keyToken.value}'`);
      switch (keyToken.value) {
        case 'ir_version':
          header.irVersion = this.intValue('ir_version');
          break;
        case 'opset_import':
          header.opsets = this.opsetList();
          break;
        case 'producer_name':
          header.producerName = this.stringValue('producer_name');
          break;
        case 'producer_version':
          header.producerVersion = this.stringValue('producer_version');
          break;
        case 'domain':
          header.domain = this.stringValue('domain');
          break;
        case 'model_version':
          header.modelVersion = this.intValue('model_version');
          break;
        case 'doc_string':
          header.docString = this.stringValue('doc_string');
          break;
        case 'metadata_props':
          cursor.expectPunct('[', 'to open metadata_props');
          this.list(']', () => {
            const key = this.stringValue('a metadata key');
            cursor.expectPunct(':', 'after the metadata key');
            header.metadata.set(key, this.stringValue('a metadata value'));
          });
          break;
        default:
          cursor.fail('a model header key (ir_version, opset_import, producer_name, producer_version, domain, model_version, doc_string, metadata_props)', keyToken);
      }
    });
  }

  private skipToNextFunction(start: number): void {
    const cursor = this.cursor;
    if (cursor.index === start) cursor.next();
    while (!cursor.atEnd) {
      const token = cursor.peek;
      if (token.lineStart && (cursor.isPunct('<') || (cursor.atName && (cursor.isPunct('(', 1) || cursor.isPunct('<', 1))))) return;
      cursor.next();
    }
  }

  private functionDef(): FunctionDef {
    const cursor = this.cursor;
    let domain = '';
    let overload = '';
    const opsets = new Map<string, number>();
    if (cursor.matchPunct('<')) {
      this.list('>', () => {
        const key = cursor.expectName('a function header key (domain, opset_import, overload, doc_string)');
        cursor.expectPunct(':', `after '${key.value}'`);
        if (key.value === 'domain') domain = normaliseDomain(this.stringValue('domain'));
        else if (key.value === 'overload') overload = this.stringValue('overload');
        else if (key.value === 'opset_import') for (const [d, v] of this.opsetList()) opsets.set(d, v);
        else if (key.value === 'doc_string') this.stringValue('doc_string');
        else cursor.fail('a function header key (domain, opset_import, overload, doc_string)', key);
      });
    }
    const start = cursor.peek.start;
    const name = cursor.expectName('a function name').value;
    const path = functionPath(domain, name, overload);
    const attributes: string[] = [];
    const attributeDefaults = new Map<string, AttributeValue>();
    if (cursor.matchPunct('<')) {
      this.strictList('>', () => {
        const attribute = cursor.expectName('an attribute name').value;
        attributes.push(attribute);
        if (cursor.isPunct(':') || cursor.isPunct('=')) {
          const value = parseAttributeAfterName(cursor, attribute, (attr, index) => this.subgraph(`${path}/${attr}`, index, 1));
          if (value !== undefined) attributeDefaults.set(attribute, value);
        }
      });
    }
    const valueInfo: ValueInfo[] = [];
    const inputs = this.functionValues(valueInfo, 'to open the function inputs');
    cursor.expectArrow('between the function inputs and outputs');
    const outputs = this.functionValues(valueInfo, 'to open the function outputs');
    const header = { start, end: cursor.previous.end };
    if (cursor.matchPunct('<')) this.list('>', () => valueInfo.push(this.valueInfo()));
    cursor.expectPunct('{', 'to open the function body');
    const nodes = this.nodeList(`${path}/`, 1);
    this.graphSpans.push({ kind: 'function', name, path, header, whole: { start, end: cursor.previous.end } });
    return { name, domain, overload, inputs, outputs, attributes, attributeDefaults, nodes, opsets, valueInfo };
  }

  /** `(type? name, ...)`: the names, with the typed ones added to the function's value infos. */
  private functionValues(valueInfo: ValueInfo[], context: string): string[] {
    const cursor = this.cursor;
    cursor.expectPunct('(', context);
    const names: string[] = [];
    this.list(')', () => {
      const info = this.valueInfo();
      names.push(info.name);
      if (info.type !== null) valueInfo.push(info);
    });
    return names;
  }

  // ---------------------------------------------------------------------------------------------
  // Graphs

  private valueInfo(): ValueInfo {
    const type = atTypeStart(this.cursor) ? parseType(this.cursor) : null;
    return { name: this.cursor.expectName('a value name').value, type };
  }

  /** An input or a `<...>` declaration: `type? name`, an initializer when `= data` follows. */
  private declaration(): { info: ValueInfo; tensor?: TensorInfo } {
    const cursor = this.cursor;
    const at = cursor.peek.start;
    const info = this.valueInfo();
    if (!cursor.matchPunct('=')) return { info };
    return { info, tensor: parseTensorData(cursor, info.name, info.type, at) };
  }

  /** The main graph; undefined when the text holds none at all. */
  private mainGraph(): Graph | undefined {
    const cursor = this.cursor;
    if (cursor.atEnd) {
      cursor.report('expected a graph `name (inputs) => (outputs) { nodes }`, found the end of the text', cursor.peek.start);
      return undefined;
    }
    const builder = new GraphBuilder();
    const start = cursor.peek.start;
    let header = { start, end: start };
    const signatureOk = this.recovering(
      () => {
        this.graphSignature(builder);
        header = { start, end: builder.headerEnd };
        this.graphDeclarations(builder);
        cursor.expectPunct('{', 'to open the graph body');
        return true;
      },
      () => undefined,
    );
    if (signatureOk === undefined) {
      // Resume at the graph body, so a broken signature still leaves the nodes analysable.
      if (!cursor.skipToBlock()) return builder.nodes.length > 0 || builder.inputs.length > 0 ? builder.build() : undefined;
      cursor.next();
    }
    builder.nodes.push(...this.nodeList('', 0));
    this.graphSpans.push({ kind: 'main', name: builder.name, path: '', header, whole: { start, end: cursor.previous.end } });
    return builder.build();
  }

  private graphSignature(builder: GraphBuilder): void {
    const cursor = this.cursor;
    // A missing name (a graph that starts at its inputs) reads as the empty name.
    builder.name = cursor.isPunct('(') ? '' : cursor.expectName("a graph name followed by '(inputs) => (outputs)'").value;
    cursor.expectPunct('(', 'to open the graph inputs');
    this.list(')', () => {
      const { info, tensor } = this.declaration();
      builder.inputs.push(info);
      if (tensor !== undefined) builder.initializers.push(tensor);
    });
    cursor.expectArrow('between the graph inputs and outputs');
    cursor.expectPunct('(', 'to open the graph outputs');
    this.list(')', () => builder.outputs.push(this.valueInfo()));
    builder.headerEnd = cursor.previous.end;
  }

  private graphDeclarations(builder: GraphBuilder): void {
    if (!this.cursor.matchPunct('<')) return;
    this.list('>', () => {
      const { info, tensor } = this.declaration();
      if (tensor === undefined) builder.valueInfo.push(info);
      else if (info.type?.kind === 'tensor' && info.type.sparse) builder.sparseInitializers.push(tensor);
      else builder.initializers.push(tensor);
    });
  }

  /** A graph attribute value, nested `depth` graphs deep; skipped (undefined) past the nesting limit. */
  private subgraph(basePath: string, listIndex: number | undefined, depth: number): Graph | undefined {
    const cursor = this.cursor;
    const path = listIndex === undefined ? basePath : `${basePath}/${listIndex}`;
    const start = cursor.peek.start;
    if (depth >= MAX_TEXT_NESTING) {
      cursor.report(`graphs are nested more than ${MAX_TEXT_NESTING} deep here; this graph is skipped`, start, 'error', TOO_DEEP);
      this.skipGraph();
      return undefined;
    }
    const builder = new GraphBuilder();
    this.graphSignature(builder);
    const header = { start, end: builder.headerEnd };
    this.graphDeclarations(builder);
    cursor.expectPunct('{', 'to open the graph body');
    builder.nodes.push(...this.nodeList(`${path}/`, depth));
    this.graphSpans.push({ kind: 'subgraph', name: builder.name, path, header, whole: { start, end: cursor.previous.end } });
    return builder.build();
  }

  /** Steps over `name (…) => (…) <…>? {…}` without recursing, however deep its nesting. */
  private skipGraph(): void {
    const cursor = this.cursor;
    if (cursor.atName) cursor.next();
    if (cursor.isPunct('(')) cursor.skipGroup();
    if (cursor.peek.kind === 'arrow') cursor.next();
    if (cursor.isPunct('(')) cursor.skipGroup();
    if (cursor.isPunct('<')) cursor.skipGroup();
    if (cursor.isPunct('{')) cursor.skipGroup();
  }

  /** The statements after a `{` up to and including the closing `}`; node ids are `<prefix>n<i>`. */
  private nodeList(idPrefix: string, depth: number): Node[] {
    const cursor = this.cursor;
    const nodes: Node[] = [];
    for (;;) {
      if (cursor.matchPunct('}')) return nodes;
      if (cursor.atEnd) {
        cursor.report("expected '}' to close the graph body, found the end of the text", cursor.peek.start);
        return nodes;
      }
      const start = cursor.index;
      const mark = this.markLayout();
      const node = this.recovering(
        () => this.node(`${idPrefix}n${nodes.length}`, depth),
        () => {
          this.resetLayout(mark);
          cursor.skipStatement(start);
        },
      );
      if (node !== undefined) nodes.push(node);
    }
  }

  /** `[name]? outputs = domain.Op:overload <attrs>? (inputs) <attrs>?` */
  private node(id: string, depth: number): Node {
    const cursor = this.cursor;
    const start = cursor.peek.start;
    let name = '';
    if (cursor.matchPunct('[')) {
      if (cursor.atName) name = cursor.next().value;
      cursor.expectPunct(']', 'to close the node name');
    }
    const outputs = this.names('=');
    cursor.expectPunct('=', 'after the node outputs (a statement reads `outputs = Op (inputs)`)');
    const opStart = cursor.peek.start;
    const segments = [cursor.expectName('an op type').value];
    while (cursor.matchPunct('.')) segments.push(cursor.expectName("an op type after '.'").value);
    const op = { start: opStart, end: cursor.previous.end };
    let overload = '';
    if (cursor.matchPunct(':')) overload = cursor.expectName('an overload name').value;
    let attributes = new Map<string, AttributeValue>();
    if (cursor.isPunct('<')) attributes = this.attributes(id, depth);
    cursor.expectPunct('(', 'to open the node inputs');
    const inputs = this.names(')');
    cursor.expectPunct(')', 'to close the node inputs');
    if (attributes.size === 0 && cursor.isPunct('<')) attributes = this.attributes(id, depth);
    this.nodeSpans.push({ id, statement: { start, end: cursor.previous.end }, op });
    const opType = segments.pop() as string;
    return { name, opType, domain: normaliseDomain(segments.join('.')), overload, inputs, outputs, attributes, docString: '', metadata: new Map() };
  }

  /**
   * Node inputs or outputs: names separated by commas, where an entry may be empty (`""` or nothing);
   * an empty last entry after a comma is dropped, as in onnx.parser (`Op(x,)` has one input).
   */
  private names(terminator: string): string[] {
    const cursor = this.cursor;
    const names: string[] = [];
    if (cursor.isPunct(terminator)) return names;
    for (;;) {
      if (cursor.atName) names.push(cursor.next().value);
      else if (cursor.isPunct(',')) names.push('');
      else if (cursor.isPunct(terminator) && names.length > 0) return names;
      else cursor.fail(`a value name, ',' or '${terminator}'`);
      if (!cursor.matchPunct(',')) return names;
      if (cursor.isPunct(terminator)) return names;
    }
  }

  private attributes(nodeId: string, depth: number): Map<string, AttributeValue> {
    const cursor = this.cursor;
    const attributes = new Map<string, AttributeValue>();
    cursor.expectPunct('<', 'to open the attributes');
    this.strictList('>', () => {
      const { name, value } = parseAttribute(cursor, (attr, index) => this.subgraph(`${nodeId}/${attr}`, index, depth + 1));
      if (value !== undefined) attributes.set(name, value);
    });
    return attributes;
  }
}

class GraphBuilder {
  name = '';
  headerEnd = 0;
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly valueInfo: ValueInfo[] = [];
  readonly initializers: TensorInfo[] = [];
  readonly sparseInitializers: TensorInfo[] = [];
  readonly nodes: Node[] = [];

  build(): Graph {
    return {
      name: this.name,
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      valueInfo: this.valueInfo,
      initializers: this.initializers,
      sparseInitializers: this.sparseInitializers,
      metadata: new Map(),
    };
  }
}
