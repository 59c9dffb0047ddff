import { Node, ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import { KeyRange } from './types';

/**
 * JSON with key locations. Microsoft's jsonc-parser (the one VS Code's own JSON support uses) gives the
 * syntax errors with their exact offsets and a tree with each key's offset; the values come from
 * `JSON.parse`, which is exact and builds plain objects (a `__proto__` key stays an ordinary property).
 * The text is read as strict JSON, as transformers' `json.load` reads a config.json: no comments, no
 * trailing commas. Keys are recorded by path: `hidden_size` at the top level, `rope_scaling.factor` one
 * object down; keys inside arrays are not recorded (no config key of interest lives there). Never throws.
 */
export interface LocatedJson {
  readonly value: unknown;
  readonly keys: Map<string, KeyRange>;
  /** Set when the text is not JSON: the first problem and its UTF-16 offset and length in the text. */
  readonly error?: { readonly message: string; readonly offset: number; readonly length: number };
}

const STRICT_JSON = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** jsonc-parser's error codes (by name: they are a const enum) in words. */
const PROBLEMS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a property name in double quotes is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing brace is expected',
  CloseBracketExpected: 'a closing bracket is expected',
  EndOfFileExpected: 'nothing may follow the top-level value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

export function parseLocatedJson(text: string): LocatedJson {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, STRICT_JSON);
  const keys = tree === undefined ? new Map<string, KeyRange>() : keyRanges(tree, positionsIn(text));
  const first = errors[0];
  if (first !== undefined) {
    const name = printParseErrorCode(first.error);
    const offset = Math.min(first.offset, text.length);
    return { value: undefined, keys, error: { message: PROBLEMS[name] ?? name, offset, length: first.length } };
  }
  if (tree === undefined) return { value: undefined, keys, error: { message: 'the text is empty', offset: 0, length: 0 } };
  try {
    return { value: JSON.parse(text) as unknown, keys };
  } catch (error) {
    // jsonc-parser accepted what JSON.parse refused: not expected, but said rather than guessed at.
    return { value: undefined, keys, error: { message: error instanceof Error ? error.message : String(error), offset: 0, length: 0 } };
  }
}

/** The 0-based line and UTF-16 character of an offset. */
export function lineAndCharacter(text: string, offset: number): LineAndCharacter {
  return positionsIn(text)(Math.max(0, Math.min(offset, text.length)));
}

interface LineAndCharacter {
  readonly line: number;
  readonly character: number;
}

/** Line and character of non-decreasing offsets, in one pass over the text however many are asked for. */
function positionsIn(text: string): (offset: number) => LineAndCharacter {
  let at = 0;
  let line = 0;
  let lineStart = 0;
  return (offset) => {
    for (; at < offset; at++) {
      if (text.charCodeAt(at) === 10) {
        line++;
        lineStart = at + 1;
      }
    }
    return { line, character: offset - lineStart };
  };
}

/**
 * Each object key reachable through objects only, by dotted path; the first of duplicate keys wins. The
 * walk meets keys in document order, so one pass over the text places them all.
 */
function keyRanges(root: Node, positionOf: (offset: number) => LineAndCharacter): Map<string, KeyRange> {
  const keys = new Map<string, KeyRange>();
  const walk = (object: Node, prefix: string): void => {
    for (const property of object.children ?? []) {
      const [name, value] = property.children ?? [];
      if (property.type !== 'property' || name === undefined || typeof name.value !== 'string') continue;
      const path = prefix === '' ? name.value : `${prefix}.${name.value}`;
      if (!keys.has(path)) keys.set(path, { offset: name.offset, length: name.length, ...positionOf(name.offset) });
      if (value?.type === 'object') walk(value, path);
    }
  };
  if (root.type === 'object') walk(root, '');
  return keys;
}
