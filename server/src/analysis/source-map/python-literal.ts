/**
 * Python `repr()` of a list of strings, the form the dynamo exporter gives `pkg.torch.onnx.name_scopes`
 * and `pkg.torch.onnx.class_hierarchy` (`repr(name_scopes)` in torch/onnx/_internal/exporter/_core.py):
 *
 *     ['', 'layer1', 'layer1.0', 'layer1.0.conv1', 'conv2d']
 *
 * Strings are single- or double-quoted with backslash escapes (`\\`, `\'`, `\n`, `\xNN`, `\uNNNN`, …).
 * Anything else (a dict, a number, unbalanced quotes, more than LIMITS allow) gives null: the text is
 * untrusted and a wrong module path is worse than none.
 */
export function parsePythonStringList(text: string): string[] | null {
  if (text.length > LIMITS.textChars) return null;
  const reader = new LiteralReader(text);
  reader.skipSpace();
  if (!reader.take('[')) return null;
  const items: string[] = [];
  reader.skipSpace();
  if (reader.take(']')) return reader.atEndAfterSpace() ? items : null;
  for (;;) {
    reader.skipSpace();
    const item = reader.string();
    if (item === null || items.length >= LIMITS.items) return null;
    items.push(item);
    reader.skipSpace();
    if (reader.take(']')) return reader.atEndAfterSpace() ? items : null;
    if (!reader.take(',')) return null;
    reader.skipSpace();
    // Python allows a trailing comma: `['a',]`.
    if (reader.take(']')) return reader.atEndAfterSpace() ? items : null;
  }
}

const LIMITS = { textChars: 64 * 1024, items: 512 } as const;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0', a: '\u0007', b: '\b', f: '\f', v: '\v' };
const HEX_ESCAPE_DIGITS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

class LiteralReader {
  private at = 0;

  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] ?? '')) this.at++;
  }

  take(char: string): boolean {
    if (this.text[this.at] !== char) return false;
    this.at++;
    return true;
  }

  atEndAfterSpace(): boolean {
    this.skipSpace();
    return this.at === this.text.length;
  }

  /** A quoted string literal, or null when the text here is not one. */
  string(): string | null {
    const quote = this.text[this.at];
    if (quote !== "'" && quote !== '"') return null;
    this.at++;
    let value = '';
    while (this.at < this.text.length) {
      const char = this.text[this.at++] ?? '';
      if (char === quote) return value;
      if (char === '\n') return null;
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escape = this.escape();
      if (escape === null) return null;
      value += escape;
    }
    return null;
  }

  private escape(): string | null {
    const kind = this.text[this.at++];
    if (kind === undefined) return null;
    const simple = SIMPLE_ESCAPES[kind];
    if (simple !== undefined) return simple;
    const digits = HEX_ESCAPE_DIGITS[kind];
    if (digits === undefined) return null;
    const hex = this.text.slice(this.at, this.at + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return null;
    this.at += digits;
    const codePoint = parseInt(hex, 16);
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : null;
  }
}
