/** Shared setup for the PyTorch source frontend tests: one parser per process, fixtures by name. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { findChip } from '../../server/src/analysis/cost/chips';
import { createPythonParser, PythonAnalysis, PythonParser } from '../../server/src/analysis/pytorch/index';
import { summariseWeights } from '../../server/src/analysis/ir/weights';

let parser: Promise<PythonParser> | null = null;

export function pythonParser(): Promise<PythonParser> {
  parser ??= createPythonParser({
    runtime: fs.readFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm')),
    python: fs.readFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm')),
  });
  return parser;
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(__dirname, '../fixtures/pytorch', name), 'utf8');
}

/** Parameters the report counts (initializers of the built IR model). */
export function reportParameters(result: PythonAnalysis): number | null {
  const model = result.analysis?.model;
  return model ? summariseWeights(model).parameters : null;
}

/** Total MACs of one forward pass on H100 (the chip does not change MACs). */
export function totalMacs(result: PythonAnalysis): number | null {
  if (!result.analysis) return null;
  const chip = findChip('h100');
  if (!chip) throw new Error('h100 missing');
  return profileAnalysis(result.analysis, { chip, peakMode: 'datasheet' })?.result.totals.macs ?? null;
}

/** 0-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in text`);
  return index;
}
