import { KeyRange } from './types';

/**
 * JSON with key locations, without a JSON library that reports them (jsonc-parser is not a dependency).
 * Values come from `JSON.parse`, which is exact and fast; a second pass walks the text with a minimal
 * scanner (strings with escapes, nesting) only to find where each object key starts. Keys are recorded
 * by path: `hidden_size` at the top level, `rope_scaling.factor` one object down; keys inside arrays
 * are not recorded (no config key of interest lives there). Never throws.
 */
export interface LocatedJson {
  readonly value: unknown;
  readonly keys: Map<string, KeyRange>;
  /** Set when the text is not JSON: the message and the UTF-16 offset of the problem. */
  readonly error?: { readonly message: string; readonly offset: number };
}

export function parseLocatedJson(text: string): LocatedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 says "… in JSON at position N" (and newer versions add "(line L column C)").
    const position = /position (\d+)/.exec(message);
    return { value: undefined, keys: new Map(), error: { message, offset: position ? Math.min(Number(position[1]), text.length) : 0 } };
  }
  return { value, keys: scanKeys(text) };
}

/** The 0-based line and UTF-16 character of an offset. */
export function lineAndCharacter(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: end - lineStart };
}

/** One open container while scanning: objects remember the key whose value they are. */
interface Frame {
  readonly kind: 'object' | 'array';
  readonly path: string | null;
  /** The last key read in this object (its value may be the next container). */
  lastKey: string | null;
}

function scanKeys(text: string): Map<string, KeyRange> {
  const keys = new Map<string, KeyRange>();
  const stack: Frame[] = [];
  let line = 0;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && nextNonSpace(text, i) === ':') {
        let key: string;
        try {
          key = JSON.parse(text.slice(start, i)) as string;
        } catch {
          key = text.slice(start + 1, i - 1);
        }
        top.lastKey = key;
        if (top.path !== null) {
          const path = top.path === '' ? key : `${top.path}.${key}`;
          if (!keys.has(path)) keys.set(path, { offset: start, length: i - start, line, character: start - lineStart });
        }
      }
    } else if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      let path: string | null = null;
      if (parent === undefined) path = c === '{' ? '' : null;
      else if (parent.kind === 'object' && parent.path !== null && parent.lastKey !== null) path = parent.path === '' ? parent.lastKey : `${parent.path}.${parent.lastKey}`;
      stack.push({ kind: c === '{' ? 'object' : 'array', path: c === '{' ? path : null, lastKey: null });
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else {
      i++;
    }
  }
  return keys;
}

function nextNonSpace(text: string, from: number): string | undefined {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return text[i];
}
