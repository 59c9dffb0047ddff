/**
 * The parser's position in the token list, its diagnostics, and the skipping it does to recover from a
 * syntax error. Errors are reported where they are found and then thrown as SyntaxFailure, which the
 * statement and list loops catch before skipping ahead; nothing escapes parseModelText.
 */
import { Diagnostic } from '../../diagnostics';
import { Token, tokenize } from './lexer';

export const SYNTAX_ERROR = 'text.syntax';

/** Thrown after the diagnostic is recorded; caught at the nearest recovery point. */
export class SyntaxFailure extends Error {
  constructor() {
    super('syntax error (already reported)');
    this.name = 'SyntaxFailure';
  }
}

export class TokenCursor {
  private readonly tokens: Token[];
  index = 0;
  readonly diagnostics: Diagnostic[] = [];

  constructor(text: string) {
    this.tokens = tokenize(text);
    for (const token of this.tokens) {
      if (token.unterminated) this.report(`expected a closing '"' for the string that starts here, found the end of the line`, token.start);
    }
  }

  get peek(): Token {
    return this.at(this.index);
  }

  at(index: number): Token {
    return this.tokens[Math.min(index, this.tokens.length - 1)] as Token;
  }

  /** The last token consumed (for the end of a span). */
  get previous(): Token {
    return this.at(Math.max(0, this.index - 1));
  }

  get atEnd(): boolean {
    return this.peek.kind === 'eof';
  }

  next(): Token {
    const token = this.peek;
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  isPunct(char: string, offset = 0): boolean {
    const token = this.at(this.index + offset);
    return token.kind === 'punct' && token.text === char;
  }

  matchPunct(char: string): boolean {
    if (!this.isPunct(char)) return false;
    this.index++;
    return true;
  }

  expectPunct(char: string, context: string): Token {
    if (!this.isPunct(char)) this.fail(`'${char}' ${context}`);
    return this.next();
  }

  expectArrow(context: string): void {
    if (this.peek.kind !== 'arrow') this.fail(`'=>' ${context}`);
    this.next();
  }

  /** True when the next token can be a name: an identifier or a quoted string. */
  get atName(): boolean {
    const kind = this.peek.kind;
    return kind === 'id' || kind === 'string';
  }

  expectName(what: string): Token {
    if (!this.atName) this.fail(what);
    return this.next();
  }

  report(message: string, offset: number, severity: Diagnostic['severity'] = 'error', code = SYNTAX_ERROR): void {
    this.diagnostics.push({ severity, code, message, location: { offset } });
  }

  /** Reports "expected X, found Y" at the next token and abandons the current construct. */
  fail(expected: string, token: Token = this.peek): never {
    this.report(`expected ${expected}, found ${describeToken(token)}`, token.start);
    throw new SyntaxFailure();
  }

  /** A `{` that ends its line opens a block (a node list); one followed by values on the line is a tensor literal. */
  private opensBlock(index: number): boolean {
    return this.at(index + 1).lineStart;
  }

  /**
   * Skips the rest of a broken statement: to the first token that starts a line outside any block the
   * statement opened, or to the `}` that closes the enclosing node list (left for the caller). Tensor
   * literal braces count only within their line, so an unclosed `{1, 2` does not swallow the file.
   */
  skipStatement(statementStart: number): void {
    if (this.index === statementStart && !this.isPunct('}')) this.next();
    let blocks = 0;
    let literals = 0;
    while (!this.atEnd) {
      const token = this.peek;
      if (token.lineStart) {
        literals = 0;
        if (blocks === 0 && this.index > statementStart) return;
      }
      if (token.kind === 'punct' && token.text === '}') {
        if (literals > 0) literals--;
        else if (blocks > 0) blocks--;
        else return;
      } else if (token.kind === 'punct' && token.text === '{') {
        if (this.opensBlock(this.index)) blocks++;
        else literals++;
      }
      this.next();
    }
  }

  /**
   * Skips the rest of a broken list element. Returns 'next' after consuming the `,` that starts the next
   * element, 'closed' after consuming the list's closing `close`, or 'abandoned' (consuming nothing more)
   * at a block `{`, a stray closer or the end of input, leaving the enclosing construct to report.
   */
  skipListElement(close: string): 'next' | 'closed' | 'abandoned' {
    let depth = 0;
    while (!this.atEnd) {
      const token = this.peek;
      if (token.kind === 'punct') {
        const char = token.text;
        if (depth === 0) {
          if (char === ',') {
            this.next();
            return 'next';
          }
          if (char === close) {
            this.next();
            return 'closed';
          }
          if ((char === '{' && this.opensBlock(this.index)) || char === ')' || char === ']' || char === '}') return 'abandoned';
        }
        if (char === '(' || char === '[' || char === '{') depth++;
        else if (char === ')' || char === ']' || char === '}') depth--;
      }
      this.next();
    }
    return 'abandoned';
  }

  /** Skips to the `{` that opens a node list (a `{` ending its line); true when one was found (not consumed). */
  skipToBlock(): boolean {
    while (!this.atEnd) {
      if (this.isPunct('{') && (this.opensBlock(this.index) || this.isPunct('}', 1))) return true;
      this.next();
    }
    return false;
  }

  /**
   * Skips one bracketed group starting at the current `(`, `[`, `{` or `<` without recursion (used to
   * step over constructs nested too deep to parse).
   */
  skipGroup(): void {
    const open = this.peek.text;
    const close = open === '(' ? ')' : open === '[' ? ']' : open === '{' ? '}' : '>';
    let depth = 0;
    while (!this.atEnd) {
      const token = this.next();
      if (token.kind !== 'punct') continue;
      if (token.text === open) depth++;
      else if (token.text === close && --depth === 0) return;
    }
  }
}

export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the text';
    case 'string':
      return `the string ${clip(token.text)}`;
    case 'bad':
      return `the unexpected character '${token.text}'`;
    case 'int':
    case 'float':
      return `the number ${clip(token.text)}`;
    case 'id':
      return `'${clip(token.text)}'`;
    default:
      return `'${token.text}'`;
  }
}

function clip(text: string): string {
  const oneLine = text.replace(/[\r\n\t]/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}
