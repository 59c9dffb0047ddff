/**
 * Parsing of types, tensor constants and attribute values (onnx/defs/parser.cc: Parse(TypeProto&),
 * Parse(TensorProto&, const TypeProto&), ParseSingleAttributeValue, Parse(AttributeProto&)). Graph
 * attribute values are handed back to the graph parser through a callback.
 */
import { Dim, sym } from '../../ir/dim';
import { DataType } from '../../ir/dtype';
import { AttributeValue, Graph } from '../../ir/graph';
import { elementCount, TensorData, TensorInfo } from '../../ir/tensor';
import { ValueType } from '../../ir/types';
import { isFloatWord } from './lexer';
import { ELIDED_KEY } from './printer-values';
import { AttributeTypeName, isAttributeTypeName, parseFloatText, primitiveType, startsType } from './syntax';
import { SyntaxFailure, TokenCursor } from './token-cursor';

/** Deeper nesting (of graphs in attributes, of types in types) is reported and skipped, never recursed into. */
export const MAX_TEXT_NESTING = 64;
export const TOO_DEEP = 'text.too-deep';

/** Parses a graph attribute value; undefined when it was skipped (too deep). */
export type GraphParser = (listIndex: number | undefined) => Graph | undefined;

export function atTypeStart(cursor: TokenCursor, offset = 0): boolean {
  const token = cursor.at(cursor.index + offset);
  return token.kind === 'id' && startsType(token.value);
}

export function parseType(cursor: TokenCursor, depth = 0): ValueType | null {
  const start = cursor.peek;
  if (depth >= MAX_TEXT_NESTING) {
    cursor.report(`types are nested more than ${MAX_TEXT_NESTING} deep here`, start.start, 'error', TOO_DEEP);
    // Step over the rest of the whole type, closing the parentheses the enclosing levels opened, so that
    // recovery resumes after it.
    let open = depth;
    while (!cursor.atEnd && open > 0) {
      const token = cursor.next();
      if (token.kind === 'punct' && token.text === '(') open++;
      else if (token.kind === 'punct' && token.text === ')') open--;
    }
    throw new SyntaxFailure();
  }
  const word = cursor.expectName('a type').value;
  const dtype = primitiveType(word);
  if (dtype !== undefined) return { kind: 'tensor', dtype, shape: parseShape(cursor) };
  switch (word) {
    case 'seq':
    case 'optional': {
      cursor.expectPunct('(', `after '${word}'`);
      const elem = parseType(cursor, depth + 1);
      cursor.expectPunct(')', `to close '${word}('`);
      return { kind: word === 'seq' ? 'sequence' : 'optional', elem };
    }
    case 'map': {
      cursor.expectPunct('(', "after 'map'");
      const keyToken = cursor.peek;
      const keyType = primitiveType(cursor.expectName('a map key type (an element type such as int64)').value);
      if (keyType === undefined) cursor.fail('a map key type (an element type such as int64)', keyToken);
      cursor.expectPunct(',', 'after the map key type');
      const valueType = parseType(cursor, depth + 1);
      cursor.expectPunct(')', "to close 'map('");
      return { kind: 'map', keyType, valueType };
    }
    case 'sparse_tensor': {
      cursor.expectPunct('(', "after 'sparse_tensor'");
      const elemToken = cursor.peek;
      const elem = primitiveType(cursor.expectName('an element type').value);
      if (elem === undefined) cursor.fail('an element type', elemToken);
      const shape = parseShape(cursor);
      cursor.expectPunct(')', "to close 'sparse_tensor('");
      return { kind: 'tensor', dtype: elem, shape, sparse: true };
    }
    case 'opaque': {
      // Ridgepoint's IR has no opaque type: the value's type is unknown.
      cursor.expectPunct('(', "after 'opaque'");
      while (!cursor.atEnd && !cursor.isPunct(')')) cursor.next();
      cursor.expectPunct(')', "to close 'opaque('");
      return null;
    }
    default:
      return cursor.fail('a type (float, int64[N,3], seq(...), ...)', start);
  }
}

/** `[d, d]` (rank known), `[]` (rank unknown) or nothing (a scalar). */
function parseShape(cursor: TokenCursor): Dim[] | null {
  if (!cursor.matchPunct('[')) return [];
  if (cursor.matchPunct(']')) return null;
  const dims: Dim[] = [];
  do {
    const token = cursor.peek;
    if (cursor.matchPunct('?')) dims.push(null);
    else if (token.kind === 'id' || token.kind === 'string') dims.push(sym(cursor.next().value));
    else if (token.kind === 'int') dims.push(Number(cursor.next().text));
    else cursor.fail("a dimension (a number, a symbol or '?')");
  } while (cursor.matchPunct(','));
  cursor.expectPunct(']', 'to close the shape');
  return dims;
}

/** The concrete dims a tensor constant needs; fails on a symbolic or unknown dim. */
function concreteDims(cursor: TokenCursor, type: ValueType | null, at: number): { dtype: DataType; dims: number[] } {
  if (type?.kind !== 'tensor' || type.dtype === null) {
    cursor.report('expected a tensor type before a tensor value', at);
    throw new SyntaxFailure();
  }
  const dims: number[] = [];
  for (const d of type.shape ?? []) {
    if (typeof d !== 'number') {
      cursor.report('expected numeric dimensions in the type of a tensor value, found a symbolic or unknown one', at);
      throw new SyntaxFailure();
    }
    dims.push(d);
  }
  return { dtype: type.dtype, dims };
}

/**
 * The data after a tensor's type and name: `{values}` or a `["key": "value", ...]` list, which is
 * external data or, with the `elided` key, Ridgepoint's marker for values that were not printed.
 */
export function parseTensorData(cursor: TokenCursor, name: string, type: ValueType | null, at: number): TensorInfo {
  const { dtype, dims } = concreteDims(cursor, type, at);
  let data: TensorData;
  if (cursor.matchPunct('{')) data = parseValues(cursor, dtype, dims, at);
  else if (cursor.matchPunct('[')) data = parseDataEntries(cursor);
  else return cursor.fail("the tensor's values '{...}' or external data '[...]'");
  return { name, dtype, dims, data };
}

function parseValues(cursor: TokenCursor, dtype: DataType, dims: readonly number[], at: number): TensorData {
  if (cursor.matchPunct('}')) return { kind: 'empty' };
  const strings: string[] = [];
  const numbers: number[] = [];
  const isString = dtype === DataType.STRING;
  // float tensors hold float32 values: rounding here keeps them equal to what the binary reader decodes.
  const round = dtype === DataType.FLOAT || dtype === DataType.COMPLEX64 ? Math.fround : (v: number): number => v;
  do {
    const token = cursor.peek;
    if (isString) {
      if (token.kind !== 'string') cursor.fail('a string value');
      strings.push(cursor.next().value);
    } else if (token.kind === 'int' || token.kind === 'float' || (token.kind === 'id' && isFloatWord(token.value))) {
      numbers.push(round(parseFloatText(cursor.next().text)));
    } else cursor.fail('a number');
  } while (cursor.matchPunct(','));
  cursor.expectPunct('}', "to close the tensor's values");
  const count = isString ? strings.length : numbers.length;
  const expected = elementCount(dims);
  if (count !== expected) cursor.report(`the tensor has ${expected} element(s) but ${count} value(s) are given`, at, 'warning', 'text.tensor-size');
  return isString ? { kind: 'strings', values: strings } : { kind: 'numbers', values: numbers };
}

function parseDataEntries(cursor: TokenCursor): TensorData {
  const entries = new Map<string, string>();
  if (!cursor.matchPunct(']')) {
    do {
      const key = cursor.peek;
      if (key.kind !== 'string') cursor.fail('a quoted key of the external data entry');
      cursor.next();
      cursor.expectPunct(':', 'after the external data key');
      const value = cursor.peek;
      if (value.kind !== 'string') cursor.fail('a quoted value of the external data entry');
      cursor.next();
      entries.set(key.value, value.value);
    } while (cursor.matchPunct(','));
    cursor.expectPunct(']', 'to close the external data entries');
  }
  if (entries.has(ELIDED_KEY)) return { kind: 'empty' };
  const offset = Number(entries.get('offset') ?? '0');
  const length = entries.has('length') ? Number(entries.get('length')) : null;
  return { kind: 'external', location: entries.get('location') ?? '', offset: Number.isFinite(offset) ? offset : 0, length: length !== null && Number.isFinite(length) ? length : null };
}

type SingleValue =
  | { kind: 'int' | 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorInfo }
  | { kind: 'typeProto'; value: ValueType | null }
  | { kind: 'graph'; value: Graph | undefined }
  | { kind: 'ref'; value: string };

function parseSingleValue(cursor: TokenCursor, parseGraph: GraphParser, listIndex: number | undefined): SingleValue {
  const token = cursor.peek;
  if (cursor.matchPunct('@')) return { kind: 'ref', value: cursor.expectName('the name of the referenced attribute').value };
  if (token.kind === 'int') return { kind: 'int', value: Number(cursor.next().text) };
  if (token.kind === 'float') return { kind: 'float', value: parseFloatText(cursor.next().text) };
  if (token.kind === 'string') {
    // A quoted name followed by `(` is a graph whose name is not an identifier (a Ridgepoint extension).
    if (cursor.isPunct('(', 1)) return { kind: 'graph', value: parseGraph(listIndex) };
    return { kind: 'string', value: cursor.next().value };
  }
  if (token.kind === 'id') {
    if (atTypeStart(cursor)) {
      const type = parseType(cursor);
      // A type followed by a name, `=` or values is a tensor constant; alone it is a type attribute.
      const next = cursor.peek;
      const named = (next.kind === 'id' || next.kind === 'string') && (cursor.isPunct('{', 1) || cursor.isPunct('=', 1) || cursor.isPunct('[', 1));
      if (named || cursor.isPunct('{') || cursor.isPunct('=')) {
        const name = named ? cursor.next().value : '';
        cursor.matchPunct('=');
        return { kind: 'tensor', value: parseTensorData(cursor, name, type, token.start) };
      }
      return { kind: 'typeProto', value: type };
    }
    if (isFloatWord(token.value)) return { kind: 'float', value: parseFloatText(cursor.next().text) };
    return { kind: 'graph', value: parseGraph(listIndex) };
  }
  return cursor.fail('an attribute value (a number, a string, a tensor, a type, a graph or @name)');
}

/** `name (: type)? = value`; the value is undefined when a graph in it was skipped. */
export function parseAttribute(cursor: TokenCursor, parseGraph: (name: string, listIndex: number | undefined) => Graph | undefined): { name: string; value: AttributeValue | undefined } {
  const name = cursor.expectName('an attribute name').value;
  return { name, value: parseAttributeAfterName(cursor, name, parseGraph) };
}

export function parseAttributeAfterName(cursor: TokenCursor, name: string, parseGraph: (name: string, listIndex: number | undefined) => Graph | undefined): AttributeValue | undefined {
  let annotation: AttributeTypeName | undefined;
  if (cursor.matchPunct(':')) {
    const token = cursor.peek;
    const word = cursor.expectName('an attribute type (int, floats, tensor, graph, ...)').value;
    if (!isAttributeTypeName(word)) cursor.fail('an attribute type (int, floats, tensor, graph, ...)', token);
    annotation = word;
  }
  cursor.expectPunct('=', `after the attribute name '${name}'`);
  const graphs: GraphParser = (listIndex) => parseGraph(name, listIndex);
  const at = cursor.peek;
  if (cursor.matchPunct('[')) {
    const items: SingleValue[] = [];
    if (!cursor.isPunct(']')) {
      do items.push(parseSingleValue(cursor, graphs, items.length));
      while (cursor.matchPunct(','));
    }
    cursor.expectPunct(']', 'to close the attribute value list');
    return listValue(cursor, items, annotation, at.start);
  }
  return singleValue(cursor, parseSingleValue(cursor, graphs, undefined), annotation, at.start);
}

function mismatch(cursor: TokenCursor, expected: string, found: string, at: number): never {
  cursor.report(`expected ${expected} value for the attribute, found ${found}`, at);
  throw new SyntaxFailure();
}

function singleValue(cursor: TokenCursor, item: SingleValue, annotation: AttributeTypeName | undefined, at: number): AttributeValue | undefined {
  if (item.kind === 'graph') {
    if (annotation !== undefined && annotation !== 'graph') mismatch(cursor, `a ${annotation}`, 'a graph', at);
    return item.value === undefined ? undefined : { type: 'graph', value: item.value };
  }
  // A reference takes the type of the caller's attribute; its annotation is not kept in the IR.
  if (item.kind === 'ref') return { type: 'ref', value: item.value };
  switch (annotation) {
    case undefined:
      break;
    case 'float':
      if (item.kind === 'int' || item.kind === 'float') return { type: 'float', value: Math.fround(item.value) };
      return mismatch(cursor, 'a float', `a ${item.kind}`, at);
    case 'sparse_tensor':
      if (item.kind === 'tensor') return { type: 'sparseTensor', value: item.value };
      return mismatch(cursor, 'a sparse_tensor', `a ${item.kind}`, at);
    case 'int':
    case 'string':
    case 'tensor':
      if (item.kind !== annotation) mismatch(cursor, `a ${annotation}`, `a ${item.kind}`, at);
      break;
    case 'type_proto':
      if (item.kind !== 'typeProto') mismatch(cursor, 'a type_proto', `a ${item.kind}`, at);
      break;
    default:
      return mismatch(cursor, `a list (${annotation})`, `a single ${item.kind}`, at);
  }
  switch (item.kind) {
    case 'int':
      return { type: 'int', value: item.value };
    case 'float':
      return { type: 'float', value: Math.fround(item.value) };
    case 'string':
      return { type: 'string', value: item.value };
    case 'tensor':
      return { type: 'tensor', value: item.value };
    case 'typeProto':
      return { type: 'typeProto', value: item.value };
  }
}

const LIST_OF: Partial<Record<AttributeTypeName, SingleValue['kind'] | 'sparse'>> = {
  floats: 'float',
  ints: 'int',
  strings: 'string',
  tensors: 'tensor',
  graphs: 'graph',
  type_protos: 'typeProto',
  sparse_tensors: 'sparse',
};

function listValue(cursor: TokenCursor, items: SingleValue[], annotation: AttributeTypeName | undefined, at: number): AttributeValue {
  if (annotation !== undefined && LIST_OF[annotation] === undefined) mismatch(cursor, `a single ${annotation}`, 'a list', at);
  if (items.length === 0) {
    switch (annotation) {
      case 'floats':
        return { type: 'floats', value: [] };
      case 'ints':
        return { type: 'ints', value: [] };
      case 'strings':
        return { type: 'strings', value: [] };
      case 'tensors':
      case 'sparse_tensors':
        return { type: 'tensors', value: [] };
      case 'graphs':
        return { type: 'graphs', value: [] };
      case 'type_protos':
        return { type: 'typeProtos', value: [] };
      default:
        cursor.report("expected a type annotation on an empty list attribute (such as 'axes: ints = []')", at);
        throw new SyntaxFailure();
    }
  }
  const kinds = new Set(items.map((i) => i.kind));
  // Ints in a float list are floats (onnx.parser does the same cast for a `floats` annotation).
  const numeric = [...kinds].every((k) => k === 'int' || k === 'float');
  const wantsFloat = annotation === 'floats' || kinds.has('float');
  if (numeric && annotation === 'ints' && kinds.has('float')) mismatch(cursor, 'an ints', 'a float in the list', at);
  if (numeric && (annotation === undefined || annotation === 'floats' || annotation === 'ints')) {
    if (wantsFloat) return { type: 'floats', value: items.map((i) => Math.fround(i.value as number)) };
    return { type: 'ints', value: items.map((i) => i.value as number) };
  }
  if (kinds.size === 1) {
    const only = items[0] as SingleValue;
    const expected = annotation === undefined ? undefined : LIST_OF[annotation];
    if (expected === undefined || expected === only.kind || (expected === 'sparse' && only.kind === 'tensor')) {
      switch (only.kind) {
        case 'string':
          return { type: 'strings', value: items.map((i) => i.value as string) };
        case 'tensor':
          return { type: 'tensors', value: items.map((i) => i.value as TensorInfo) };
        case 'graph':
          return { type: 'graphs', value: items.flatMap((i) => (i.value === undefined ? [] : [i.value as Graph])) };
        case 'typeProto':
          return { type: 'typeProtos', value: items.map((i) => i.value as ValueType | null) };
        default:
          break;
      }
    }
  }
  return mismatch(cursor, annotation === undefined ? 'a list of one kind of' : `a ${annotation}`, `a list of ${[...kinds].join(' and ')}`, at);
}
