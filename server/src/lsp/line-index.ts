import { Position, Range } from 'vscode-languageserver';
import { TextSpan } from '../analysis/onnx/text/layout';

/**
 * Converts the core's UTF-16 text offsets to LSP positions and back. Built once per text (a binary
 * search per conversion), because a rendered model can have 10^5 lines and hovers must stay fast.
 */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - (this.lineStarts[lo] as number) };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[Math.max(0, position.line)] as number;
    const end = position.line + 1 < this.lineStarts.length ? (this.lineStarts[position.line + 1] as number) - 1 : this.text.length;
    return Math.min(start + Math.max(0, position.character), end);
  }

  range(span: TextSpan): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }

  /** The offset of the end of the line holding `offset` (before its newline). */
  lineEnd(offset: number): number {
    const line = this.positionAt(offset).line;
    return line + 1 < this.lineStarts.length ? (this.lineStarts[line + 1] as number) - 1 : this.text.length;
  }
}
