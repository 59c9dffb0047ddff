/**
 * The shape-inference oracle: runs Ridgepoint on every ONNX backend node test in the shared corpus and
 * compares the inferred output types with the real outputs recorded in test_data_set_0.
 * Used by node-shapes.test.ts and by `npx tsx test/corpus/oracle.ts [filter]` while developing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { dimToJSON } from '../../server/src/analysis/ir/dim';
import { DataType, dataTypeName } from '../../server/src/analysis/ir/dtype';
import { ConstValue } from '../../server/src/analysis/ir/tensor';
import { ValueType } from '../../server/src/analysis/ir/types';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { readTensorContainer, readTensorFile } from '../support/onnx-tensor-files';
import { loadTensorValues } from '../../server/src/analysis/onnx/tensor-values';

import { CORPUS } from '../support/corpus';

export { CORPUS };
export const NODE_TESTS = path.join(CORPUS, 'onnx-backend/node');

export interface OracleResult {
  readonly test: string;
  readonly opTypes: string[];
  readonly pass: boolean;
  readonly reason?: string;
}

function readFile(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(file));
}

/** Expected output description from a .pb file, decoded according to the declared output type. */
function expectedOutput(file: string, declared: ValueType | null): { kind: 'tensor' | 'sequence' | 'optional'; tensors: Array<{ dtype: number; dims: readonly number[] }>; elemType?: number } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const source = bytesSource(readFile(file));
  if (declared?.kind === 'sequence' || declared?.kind === 'optional') {
    const { tensors, elemType } = readTensorContainer(source);
    return { kind: declared.kind, tensors: tensors.map((t) => ({ dtype: t.dtype, dims: t.dims })), elemType };
  }
  const { tensor } = readTensorFile(source);
  return tensor ? { kind: 'tensor', tensors: [{ dtype: tensor.dtype, dims: tensor.dims }] } : undefined;
}

function describe(type: ValueType | null): string {
  if (type === null) return 'unknown';
  if (type.kind === 'tensor') return `${dataTypeName(type.dtype)}${type.shape === null ? '[?]' : JSON.stringify(type.shape.map(dimToJSON))}`;
  if (type.kind === 'sequence' || type.kind === 'optional') return `${type.kind}(${describe(type.elem)})`;
  return type.kind;
}

function tensorMatches(type: ValueType | null, dtype: number, dims: readonly number[]): boolean {
  if (type?.kind !== 'tensor' || type.shape === null) return false;
  return type.dtype === dtype && type.shape.length === dims.length && type.shape.every((d, i) => d === dims[i]);
}

export function runNodeTest(dir: string, useInputValues = true): OracleResult {
  const test = path.basename(dir);
  const modelBytes = readFile(path.join(dir, 'model.onnx'));
  const dataDir = path.join(dir, 'test_data_set_0');
  const probe = analyzeModel(bytesSource(modelBytes), { trustDeclaredShapes: false });
  const graph = probe.model?.graph;
  if (!graph) return { test, opTypes: [], pass: false, reason: `model did not read: ${probe.diagnostics[0]?.message ?? ''}` };
  const opTypes = [...new Set(graph.nodes.map((n) => (n.domain ? `${n.domain}.${n.opType}` : n.opType)))];

  // Bind graph inputs to the recorded input tensors: their shapes always, their values when small.
  const inputValues = new Map<string, ConstValue>();
  const initializerNames = new Set(graph.initializers.map((t) => t.name));
  const realInputs = graph.inputs.filter((i) => !initializerNames.has(i.name));
  const inputTypes = new Map<string, ValueType>();
  realInputs.forEach((input, i) => {
    const file = path.join(dataDir, `input_${i}.pb`);
    if (!fs.existsSync(file)) return;
    if (input.type?.kind === 'sequence') {
      // A sequence input: its element type, with dims that differ between elements unknown.
      const { tensors } = readTensorContainer(bytesSource(readFile(file)));
      const first = tensors[0];
      if (first && tensors.every((t) => t.dtype === first.dtype && t.dims.length === first.dims.length)) {
        const shape = first.dims.map((d, k) => (tensors.every((t) => t.dims[k] === d) ? d : null));
        inputTypes.set(input.name, { kind: 'sequence', elem: { kind: 'tensor', dtype: first.dtype, shape } });
      }
      return;
    }
    if (input.type?.kind !== 'tensor') return;
    const { tensor } = readTensorFile(bytesSource(readFile(file)));
    if (!tensor) return;
    const value = useInputValues ? loadTensorValues(tensor, undefined) : undefined;
    inputValues.set(input.name, value ?? { dtype: tensor.dtype, dims: tensor.dims, data: shapeOnly(tensor.dims) });
  });
  const analysis = analyzeModel(bytesSource(modelBytes), { trustDeclaredShapes: false, inputValues, inputTypes });
  const outputs = analysis.inference?.graphOutputs ?? [];
  if (graph.outputs.length === 0) return { test, opTypes, pass: false, reason: 'the model declares no outputs' };
  let compared = 0;
  for (const [i, out] of graph.outputs.entries()) {
    const expected = expectedOutput(path.join(dataDir, `output_${i}.pb`), out.type);
    if (!expected) continue;
    compared++;
    const got = outputs[i]?.type ?? null;
    if (expected.kind === 'tensor') {
      const e = expected.tensors[0] as { dtype: number; dims: readonly number[] };
      if (!tensorMatches(got, e.dtype, e.dims)) return { test, opTypes, pass: false, reason: `output ${i} "${out.name}": expected ${dataTypeName(e.dtype)}${JSON.stringify(e.dims)}, inferred ${describe(got)}` };
    } else {
      const elem = got?.kind === expected.kind ? got.elem : null;
      if (got?.kind !== expected.kind) return { test, opTypes, pass: false, reason: `output ${i}: expected a ${expected.kind}, inferred ${describe(got)}` };
      for (const t of expected.tensors) {
        const ok = elem?.kind === 'tensor' && elem.dtype === t.dtype && elem.shape !== null && elem.shape.length === t.dims.length && elem.shape.every((d, k) => d === null || d === t.dims[k]);
        if (!ok) return { test, opTypes, pass: false, reason: `output ${i} element: expected ${dataTypeName(t.dtype)}${JSON.stringify(t.dims)}, inferred ${describe(elem)}` };
      }
      if (expected.tensors.length === 0 && expected.elemType === 0 && expected.kind === 'sequence' && elem?.kind !== 'tensor' && elem !== null) {
        return { test, opTypes, pass: false, reason: `output ${i}: inferred ${describe(got)}` };
      }
    }
  }
  if (compared === 0) return { test, opTypes, pass: false, reason: 'no recorded output to compare with' };
  return { test, opTypes, pass: true };
}

/**
 * A value whose elements are unknown: tells the engine the input's shape without giving data. Data of
 * large inputs is irrelevant to shapes for all but data-dependent ops.
 */
function shapeOnly(dims: readonly number[]): null[] {
  const count = dims.reduce((a, b) => a * b, 1);
  return count <= 1 << 16 ? new Array<null>(count).fill(null) : [];
}

/** Test folders of one backend corpus: `node`, `simple`, `pytorch-converted`, `pytorch-operator`. */
export function listBackendTests(kind: string): string[] {
  const dir = path.join(CORPUS, 'onnx-backend', kind);
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, 'model.onnx')))
    .sort()
    .map((d) => path.join(dir, d));
}

/**
 * The `light/` model-zoo CNNs (ResNet-50, VGG-19, …, weights replaced by ConstantOfShape): the model's
 * first output against `<name>_output_0.pb`. They take no recorded inputs; their input shapes are static.
 */
export function runLightModel(file: string): OracleResult {
  const test = path.basename(file, '.onnx');
  const analysis = analyzeModel(bytesSource(readFile(file)), { trustDeclaredShapes: false });
  const graph = analysis.model?.graph;
  const opTypes = [...new Set((graph?.nodes ?? []).map((n) => n.opType))];
  const expected = expectedOutput(file.replace(/\.onnx$/, '_output_0.pb'), graph?.outputs[0]?.type ?? null);
  const got = analysis.inference?.graphOutputs[0]?.type ?? null;
  const e = expected?.tensors[0];
  if (!e) return { test, opTypes, pass: false, reason: 'no recorded output' };
  if (!tensorMatches(got, e.dtype, e.dims)) return { test, opTypes, pass: false, reason: `expected ${dataTypeName(e.dtype)}${JSON.stringify(e.dims)}, inferred ${describe(got)}` };
  return { test, opTypes, pass: true };
}

export function listNodeTests(): string[] {
  return fs
    .readdirSync(NODE_TESTS)
    .filter((d) => fs.existsSync(path.join(NODE_TESTS, d, 'model.onnx')))
    .sort()
    .map((d) => path.join(NODE_TESTS, d));
}

export function runAll(filter?: RegExp, useInputValues = true): OracleResult[] {
  return listNodeTests()
    .filter((d) => !filter || filter.test(path.basename(d)))
    .map((d) => {
      try {
        return runNodeTest(d, useInputValues);
      } catch (error) {
        return { test: path.basename(d), opTypes: [], pass: false, reason: `crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
      }
    });
}

/** Per-op failure table: op type → [pass, total], ordered by failures. */
export function failureTable(results: readonly OracleResult[]): Array<{ op: string; pass: number; total: number }> {
  const byOp = new Map<string, { pass: number; total: number }>();
  for (const r of results) {
    // Attribute each test to its main op: the test name's op, approximated by the first node op type.
    const op = r.opTypes.length === 1 ? (r.opTypes[0] ?? '?') : r.test.replace(/^test_/, '').replace(/_expanded.*$/, ' (expanded)').split('_')[0] ?? '?';
    const row = byOp.get(op) ?? { pass: 0, total: 0 };
    row.total++;
    if (r.pass) row.pass++;
    byOp.set(op, row);
  }
  return [...byOp.entries()].map(([op, v]) => ({ op, ...v })).sort((a, b) => b.total - b.pass - (a.total - a.pass) || a.op.localeCompare(b.op));
}

void DataType;

if (require.main === module) {
  const pattern = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const filter = pattern ? new RegExp(pattern) : undefined;
  const results = runAll(filter, !process.argv.includes('--static'));
  const passed = results.filter((r) => r.pass).length;
  for (const r of results) if (!r.pass) console.log(`FAIL ${r.test}: ${r.reason}`);
  console.log('\nop | pass/total');
  for (const row of failureTable(results)) if (row.pass < row.total) console.log(`${row.op} | ${row.pass}/${row.total}`);
  console.log(`\n${passed}/${results.length} node tests pass (${((100 * passed) / results.length).toFixed(1)}%)`);
}
