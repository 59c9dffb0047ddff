import { CodeLens, Command } from 'vscode-languageserver';

/**
 * VS Code draws all the code lenses of one line in a single row that never wraps: a row wider than the
 * editor hides its last lenses (config.json's single ~1,400 px row did). Views with many lenses give
 * each group a row of its own by putting it on its own line.
 */

/**
 * Lines for `count` rows that belong to `anchor`'s line: the lines just above it when there are enough
 * (a lens row shows above its line, so they read as a block over the anchor), else the lines after it.
 * Never past the last line; rows that run out of lines share the last one.
 */
export function rowLines(anchor: number, count: number, lineCount: number): number[] {
  const last = Math.max(0, lineCount - 1);
  const lines: number[] = [];
  for (let i = 0; i < count; i++) lines.push(anchor >= count ? anchor - count + i : Math.min(anchor + 1 + i, last));
  return lines;
}

/** The lenses of rows placed at `lines` (row i on lines[i], which `rowLines` sized). */
export function lensRows(rows: readonly (readonly Command[])[], lines: readonly number[]): CodeLens[] {
  const lenses: CodeLens[] = [];
  rows.forEach((row, i) => {
    const line = lines[i] ?? lines[lines.length - 1] ?? 0;
    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    for (const command of row) lenses.push({ range, command });
  });
  return lenses;
}
