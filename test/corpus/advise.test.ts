/**
 * The advice engine on real corpus models: the unfused attention and LayerNorm of a transformer, the
 * Conv+BatchNorm+ReLU chains of ResNet-50, weight-only quantisation of the tiny GPT-2 decoder at batch 1.
 * Expected nodes and byte counts are derived here from the graphs' own shapes; every saving must equal
 * re-profiling the suggestion's what-if.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adviseModel, profileWhatIf, Suggestion } from '../../server/src/analysis/advise/index';
import { analyzeModel, ModelAnalysis } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { bytesForElements } from '../../server/src/analysis/ir/dtype';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { NodeRecord, ValueRecord } from '../../server/src/analysis/shape/engine';
import { CORPUS, corpusPrerequisite } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';

const H100 = findChip('h100');
if (!H100) throw new Error('no h100 in the chip database');
const OPTIONS = { chip: H100, peakMode: 'datasheet' as const };

function load(relative: string, bindings: Record<string, number> = {}): { analysis: ModelAnalysis; inferOptions: { bindings: Map<string, number>; source: ReturnType<typeof bytesSource> } } {
  const source = bytesSource(new Uint8Array(fs.readFileSync(path.join(CORPUS, relative))));
  const map = new Map(Object.entries(bindings));
  return { analysis: analyzeModel(source, { bindings: map }), inferOptions: { bindings: map, source } };
}

function find(list: readonly Suggestion[], id: string): Suggestion {
  const s = list.find((x) => x.id === id);
  assert.ok(s, `expected ${id}, got ${list.map((x) => x.id).join(', ')}`);
  return s;
}

function assertSavingMatchesWhatIf(s: Suggestion, loaded: ReturnType<typeof load>): void {
  assert.ok(s.whatIf);
  const base = profileAnalysis(loaded.analysis, OPTIONS);
  const after = profileWhatIf({ ...loaded.analysis, inferOptions: loaded.inferOptions }, OPTIONS, s.whatIf);
  assert.ok(base && after);
  assert.ok(Math.abs(base.result.totals.timeSeconds - after.totals.timeSeconds - s.predictedSavingSeconds) <= 1e-12 * base.result.totals.timeSeconds);
  assert.ok(Math.abs(base.result.totals.bytes - after.totals.bytes - s.bytesSaved) <= 1e-9 * base.result.totals.bytes);
  assert.ok(s.predictedSavingSeconds > 0);
}

function records(analysis: ModelAnalysis): Map<string, NodeRecord> {
  return new Map((analysis.inference?.nodes ?? []).map((r) => [r.id, r]));
}

function tensorBytes(v: ValueRecord | null | undefined): number {
  const t = v?.type;
  assert.ok(t?.kind === 'tensor' && t.dtype !== null && t.shape !== null && t.shape.every((d) => typeof d === 'number'), `concrete tensor ${v?.name}`);
  return bytesForElements(t.dtype, (t.shape as number[]).reduce((a, b) => a * b, 1));
}

describe('advice on corpus models', function () {
  this.timeout(120_000);
  requireInSuite(corpusPrerequisite('models'));

  it('vespa_dummy_transformer (batch=1, tokens=128): unfused attention and LayerNorm found, savings = re-profiled what-ifs', () => {
    const loaded = load('models/transformer/vespa_dummy_transformer.onnx', { batch: 1, tokens: 128 });
    const byId = records(loaded.analysis);
    const list = adviseModel(loaded.analysis, { ...OPTIONS, inferOptions: loaded.inferOptions });

    const attention = find(list, 'fuse:attention');
    assert.ok(attention.whatIf?.kind === 'fuse');
    assert.equal(attention.whatIf.groups.length, 2);
    let scoreTraffic = 0;
    for (const group of attention.whatIf.groups) {
      assert.deepEqual(group.map((id) => byId.get(id)?.node.opType), ['MatMul', 'Softmax', 'MatMul']);
      // The score matrix (QKᵀ) and its softmax are written and read once each when unfused.
      const [qk, softmax] = group.map((id) => byId.get(id) as NodeRecord);
      scoreTraffic += 2 * tensorBytes(qk?.outputs[0]) + 2 * tensorBytes(softmax?.outputs[0]);
    }
    assert.ok(attention.nodes.includes('n43') && attention.nodes.includes('n45'));
    assert.equal(attention.bytesSaved, scoreTraffic);
    assertSavingMatchesWhatIf(attention, loaded);

    const layerNorm = find(list, 'fuse:layernorm');
    assert.ok(layerNorm.whatIf?.kind === 'fuse');
    // Two encoder layers, two LayerNorms each.
    assert.equal(layerNorm.whatIf.groups.length, 4);
    for (const group of layerNorm.whatIf.groups) {
      const ops = group.map((id) => byId.get(id)?.node.opType);
      assert.deepEqual(ops.filter((op) => op !== 'Cast'), ['ReduceMean', 'Sub', 'Pow', 'ReduceMean', 'Add', 'Sqrt', 'Div', 'Mul', 'Add']);
    }
    assert.deepEqual(layerNorm.whatIf.groups[0], ['n55', 'n56', 'n57', 'n58', 'n59', 'n61', 'n62', 'n63', 'n64', 'n65']);
    assertSavingMatchesWhatIf(layerNorm, loaded);
  });

  it('light ResNet-50: Conv → BatchNormalization (→ Relu) chains fold, every BatchNorm disappears', () => {
    const loaded = load('onnx-backend/light/light_resnet50.onnx');
    const byId = records(loaded.analysis);
    const list = adviseModel(loaded.analysis, { ...OPTIONS, inferOptions: loaded.inferOptions });
    const fold = find(list, 'fuse:conv-batchnorm');
    assert.ok(fold.whatIf?.kind === 'fuse');
    const batchNorms = [...byId.values()].filter((r) => r.node.opType === 'BatchNormalization');
    assert.equal(batchNorms.length, 53);
    assert.equal(fold.whatIf.groups.length, 53);
    assert.deepEqual([...(fold.whatIf.folded ?? [])].sort(), batchNorms.map((r) => r.id).sort());
    let withRelu = 0;
    for (const group of fold.whatIf.groups) {
      const ops = group.map((id) => byId.get(id)?.node.opType);
      assert.deepEqual(ops.slice(0, 2), ['Conv', 'BatchNormalization']);
      if (ops[2] === 'Relu') withRelu++;
    }
    // ResNet-50 has 49 Relus; 16 of them follow the residual Sum, the other 33 read a BatchNorm's output.
    const bnOutputs = new Set(batchNorms.map((r) => r.outputs[0]?.name));
    const reluAfterBatchNorm = [...byId.values()].filter((r) => r.node.opType === 'Relu' && bnOutputs.has(r.inputs[0]?.name ?? '')).length;
    assert.equal(reluAfterBatchNorm, 33);
    assert.equal(withRelu, reluAfterBatchNorm);
    assertSavingMatchesWhatIf(fold, loaded);
  });

  it('tiny GPT-2 decoder at batch 1: weight-only int8 for its MatMuls, each shrinking by 3/4 of its fp32 weight', () => {
    const loaded = load('models/contrib-ops/ortgenai_tiny_random_gpt2_fp32_past.onnx', { batch_size: 1, seq_len: 1, past_seq_len: 127, total_seq_len: 128 });
    const byId = records(loaded.analysis);
    const list = adviseModel(loaded.analysis, { ...OPTIONS, inferOptions: loaded.inferOptions });
    const int8 = find(list, 'quantise:int8-weight-only');
    const matmuls = [...byId.values()].filter((r) => r.node.opType === 'MatMul');
    assert.equal(matmuls.length, 16);
    for (const m of matmuls) assert.ok(int8.nodes.includes(m.id), `${m.id} quantised`);
    for (const part of int8.parts ?? []) {
      const record = byId.get(part.nodes[0] as string) as NodeRecord;
      if (record.node.opType !== 'MatMul') continue;
      // The weight is the MatMul's second input, fp32: int8 keeps a quarter of its bytes.
      assert.equal(part.before.bytes - part.after.bytes, tensorBytes(record.inputs[1]) * (1 - 8 / 32));
    }
    assertSavingMatchesWhatIf(int8, loaded);
    const int4 = find(list, 'quantise:int4-weight-only');
    assert.match(int4.detail, /no int4 matrix units/);
    assertSavingMatchesWhatIf(int4, loaded);
  });
});
