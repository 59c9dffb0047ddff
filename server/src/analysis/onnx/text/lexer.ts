/**
 * Tokens of the ONNX textual syntax (onnx/defs/parser.h, ParserBase): identifiers, double-quoted
 * strings with backslash escapes, int and float literals, and single-character punctuation. `#` starts
 * a comment that runs to the end of the line. Offsets are UTF-16 code-unit offsets into the text.
 *
 * The lexer never fails: a character that starts no token becomes a `bad` token, and an unterminated
 * string ends at the end of its line (flagged), so that the parser can report it and go on.
 */

export type TokenKind = 'id' | 'string' | 'int' | 'float' | 'punct' | 'arrow' | 'bad' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for strings: with quotes and escapes). */
  readonly text: string;
  /** The decoded value of a string token; the text otherwise. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** True when a line break separates this token from the previous one (or it is the first token). */
  readonly lineStart: boolean;
  /** Set on a string token whose closing quote is missing. */
  readonly unterminated?: boolean;
}

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', '<', '>', ',', '=', ':', '.', '@', '?']);

function isIdStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isIdPart(code: number): boolean {
  return isIdStart(code) || isDigit(code);
}

/** C `isspace` plus the byte-order mark an editor may leave at the start. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xfeff;
}

/** `inf`, `infinity`, `nan` in any case: the float words ParserBase::NextIsValidFloatString accepts. */
export function isFloatWord(word: string): boolean {
  const lower = word.toLowerCase();
  return lower === 'inf' || lower === 'infinity' || lower === 'nan';
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  let pos = 0;
  let lineStart = true;
  const push = (kind: TokenKind, start: number, end: number, value?: string, unterminated?: boolean): void => {
    const source = text.slice(start, end);
    tokens.push({ kind, text: source, value: value ?? source, start, end, lineStart, ...(unterminated ? { unterminated } : {}) });
    lineStart = false;
  };
  while (pos < length) {
    const code = text.charCodeAt(pos);
    if (isSpace(code)) {
      if (code === 10 || code === 13) lineStart = true;
      pos++;
      continue;
    }
    if (code === 35 /* # */) {
      while (pos < length && text.charCodeAt(pos) !== 10 && text.charCodeAt(pos) !== 13) pos++;
      continue;
    }
    const start = pos;
    if (isIdStart(code)) {
      pos++;
      while (pos < length && isIdPart(text.charCodeAt(pos))) pos++;
      push('id', start, pos);
      continue;
    }
    if (code === 34 /* " */) {
      const { end, value, closed } = scanString(text, pos);
      pos = end;
      push('string', start, end, value, !closed);
      continue;
    }
    const negative = code === 45; /* - */
    const first = negative ? pos + 1 : pos;
    if (first < length && isDigit(text.charCodeAt(first))) {
      const { end, isFloat } = scanNumber(text, first);
      pos = end;
      push(isFloat ? 'float' : 'int', start, end);
      continue;
    }
    if (negative && first < length && isIdStart(text.charCodeAt(first))) {
      let end = first;
      while (end < length && isIdPart(text.charCodeAt(end))) end++;
      if (isFloatWord(text.slice(first, end))) {
        pos = end;
        push('float', start, end);
        continue;
      }
    }
    if (code === 61 /* = */ && text.charCodeAt(pos + 1) === 62 /* > */) {
      pos += 2;
      push('arrow', start, pos);
      continue;
    }
    const char = text[pos] ?? '';
    // A lone surrogate half still advances one code unit; a pair is one bad token.
    const width = code >= 0xd800 && code <= 0xdbff && pos + 1 < length ? 2 : 1;
    pos += width;
    push(PUNCTUATION.has(char) ? 'punct' : 'bad', start, pos);
  }
  tokens.push({ kind: 'eof', text: '', value: '', start: length, end: length, lineStart: true });
  return tokens;
}

/**
 * A string runs to the next unescaped quote; a backslash makes the next character literal (as
 * ParserBase::Parse(Literal&) does). Raw line breaks are part of the string, since onnx.printer writes
 * names verbatim. Without a closing quote the string ends at the end of its first line, so that one
 * stray quote does not swallow the rest of a file being edited.
 */
function scanString(text: string, open: number): { end: number; value: string; closed: boolean } {
  let pos = open + 1;
  let value = '';
  let chunkStart = pos;
  while (pos < text.length) {
    const code = text.charCodeAt(pos);
    if (code === 34) {
      value += text.slice(chunkStart, pos);
      return { end: pos + 1, value, closed: true };
    }
    if (code === 92 /* \ */ && pos + 1 < text.length) {
      value += text.slice(chunkStart, pos);
      chunkStart = pos + 1;
      pos += 2;
      continue;
    }
    pos++;
  }
  let lineEnd = open + 1;
  while (lineEnd < text.length && text.charCodeAt(lineEnd) !== 10 && text.charCodeAt(lineEnd) !== 13) lineEnd++;
  return { end: lineEnd, value: unescape(text.slice(open + 1, lineEnd)), closed: false };
}

function unescape(raw: string): string {
  return raw.replace(/\\([\s\S])/g, '$1');
}

/** Digits with at most one decimal point, then an optional exponent `e[+-]digits`. */
function scanNumber(text: string, from: number): { end: number; isFloat: boolean } {
  let pos = from;
  let isFloat = false;
  while (pos < text.length) {
    const code = text.charCodeAt(pos);
    if (isDigit(code)) pos++;
    else if (code === 46 /* . */ && !isFloat) {
      isFloat = true;
      pos++;
    } else break;
  }
  const e = text.charCodeAt(pos);
  if (e === 101 || e === 69) {
    let next = pos + 1;
    const sign = text.charCodeAt(next);
    if (sign === 43 || sign === 45) next++;
    if (isDigit(text.charCodeAt(next))) {
      while (isDigit(text.charCodeAt(next))) next++;
      pos = next;
      isFloat = true;
    }
  }
  return { end: pos, isFloat };
}
