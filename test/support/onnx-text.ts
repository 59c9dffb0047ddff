import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { Chip, findChip } from '../../server/src/analysis/cost/chips';

/** Small models written in ONNX textual syntax, and the built-in chips they are profiled on, for unit tests. */
export const ONNX_TEXT_HEADER = '<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>\n';

export function builtinChip(id: string): Chip {
  const c = findChip(id);
  assert.ok(c, id);
  return c;
}

/** Analyses a textual model with these dim bindings; fails the test on any error diagnostic. */
export function analyseText(text: string, bindings?: Record<string, number>) {
  const map = new Map(Object.entries(bindings ?? {}));
  const analysis = analyzeText(text, { bindings: map });
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  return { analysis, inferOptions: { bindings: map } };
}
