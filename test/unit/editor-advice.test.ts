/**
 * The pure pieces behind suggestions and defaults in the editor: readable suggestion titles, the chip
 * picker's exact match, and the model's symbolic dims with their one-click defaults. Expectations are
 * written from the chip database's published aliases and from the models built here, never from output.
 */
import { strict as assert } from 'node:assert';
import { suggestionTitle } from '../../server/src/analysis/advise/titles';
import { builtinChips } from '../../server/src/analysis/cost/chips';
import { inputDims } from '../../server/src/analysis/example-dims';
import { parseModelText } from '../../server/src/analysis/onnx/text/parser';
import { exactChip } from '../../client/src/chip-match';
import type { ChipSummary } from '../../server/src/protocol';

const SUMMARIES: ChipSummary[] = builtinChips().map((c) => ({
  id: c.id,
  name: c.name,
  vendor: c.vendor,
  category: c.category,
  aliases: c.aliases,
  memoryBandwidthGBs: c.memoryBandwidthGBs,
  memoryGB: c.memoryGB,
  peakTFlops: null,
  peakDtype: null,
  origin: 'builtin',
}));

describe('suggestion titles', () => {
  it('names each kind in words, never by its id', () => {
    assert.equal(suggestionTitle({ kind: 'fuse', pattern: 'attention' }), 'Fuse attention');
    assert.equal(suggestionTitle({ kind: 'fuse', pattern: 'conv-batchnorm' }), 'Fold BatchNorm into Conv');
    assert.equal(suggestionTitle({ kind: 'fuse', pattern: 'epilogue' }), 'Fuse elementwise ops into GEMM/Conv');
    assert.equal(suggestionTitle({ kind: 'quantise', pattern: 'fp8-weights-and-activations' }), 'Use FP8 weights and activations');
    assert.equal(suggestionTitle({ kind: 'quantise', pattern: 'int4-weight-only' }), 'Use INT4 weights (weight-only)');
    assert.equal(suggestionTitle({ kind: 'smaller-model', pattern: 'fewer-blocks' }), 'Use a model with fewer blocks');
    const throughput = { baselineBatch: 1, batch: 50, baselineItemsPerSecond: 1, itemsPerSecond: 2, memoryBytes: 0, chipMemoryBytes: 0 };
    assert.equal(suggestionTitle({ kind: 'batch', pattern: 'bind', throughput }), 'Batch 50 instead of 1');
    const chip = { id: 'b200', name: 'NVIDIA B200 (HGX/DGX B200, 1000 W)', timeSeconds: 1, energyJoules: 1 };
    assert.equal(suggestionTitle({ kind: 'chip', pattern: 'fastest', chip }), 'Run on B200');
    assert.equal(suggestionTitle({ kind: 'chip', pattern: 'energy', chip }), 'Run on B200 (less energy)');
    // A pattern added later still reads as words.
    assert.equal(suggestionTitle({ kind: 'fuse', pattern: 'gelu-tanh' }), 'Fuse gelu tanh');
  });
});

describe('chip picker: an exact id or alias first', () => {
  const pick = (typed: string): string | undefined => exactChip(typed, SUMMARIES)?.id;

  it('h100 is the SXM5 80GB (its id), not the NVL a fuzzy sort puts first', () => {
    assert.equal(pick('h100'), 'h100');
    assert.equal(exactChip('h100', SUMMARIES)?.name, 'NVIDIA H100 SXM5 80GB');
    assert.equal(pick('H100'), 'h100');
    assert.equal(pick('h100-nvl'), 'h100-nvl');
  });

  it('a100 is the chip that lists `a100` as an alias (the SXM4 80GB), not the PCIe 40GB', () => {
    assert.equal(pick('a100'), 'a100-80gb');
    assert.equal(pick('a100-pcie'), 'a100-40gb');
  });

  it('full names and vendor words match; partial text does not', () => {
    assert.equal(pick('NVIDIA H100 SXM5 80GB'), 'h100');
    assert.equal(pick('nvidia h100'), 'h100');
    assert.equal(pick('h10'), undefined);
    assert.equal(pick(''), undefined);
  });
});

function model(text: string): NonNullable<ReturnType<typeof parseModelText>['model']> {
  const parsed = parseModelText(text);
  assert.ok(parsed.model, JSON.stringify(parsed.diagnostics));
  return parsed.model;
}

describe('a model\'s symbolic dims and their defaults', () => {
  it('names input and axis; the leading dim of an image input is its batch (1), height and width are asked for', () => {
    const m = model(`<ir_version: 8, opset_import: ["" : 17]>
g (float["p2o.DynamicDimension.0", 3, "p2o.DynamicDimension.1", "p2o.DynamicDimension.2"] x) => (float y) {
  y = Relu (x)
}`);
    const shape = '[p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2]';
    assert.deepEqual(inputDims(m), [
      { name: 'p2o.DynamicDimension.0', uses: [{ input: 'x', axis: 0, shape }], suggested: 1, suggestedFrom: 'batch' },
      { name: 'p2o.DynamicDimension.1', uses: [{ input: 'x', axis: 2, shape }], suggested: null, suggestedFrom: null },
      { name: 'p2o.DynamicDimension.2', uses: [{ input: 'x', axis: 3, shape }], suggested: null, suggestedFrom: null },
    ]);
  });

  it('takes the sizes the model records in its metadata (a shape for its input, a size by name)', () => {
    const m = model(`<ir_version: 8, opset_import: ["" : 17], metadata_props: ["x_shape": "1x3x640x480", "T": "77"]>
g (float[N, 3, H, W] x, int64[N, T] ids) => (float y) {
  y = Relu (x)
}`);
    const dims = new Map(inputDims(m).map((d) => [d.name, d]));
    assert.deepEqual([...dims.keys()], ['N', 'H', 'W', 'T']);
    assert.deepEqual(dims.get('N'), { name: 'N', uses: [{ input: 'x', axis: 0, shape: '[N, 3, H, W]' }, { input: 'ids', axis: 0, shape: '[N, T]' }], suggested: 1, suggestedFrom: 'batch' });
    assert.equal(dims.get('H')?.suggested, 640);
    assert.equal(dims.get('W')?.suggested, 480);
    assert.equal(dims.get('W')?.suggestedFrom, 'model');
    assert.equal(dims.get('T')?.suggested, 77);
  });

  it('a sequence dim is never given a default: only the user knows it', () => {
    const m = model(`<ir_version: 8, opset_import: ["" : 17]>
g (int64[batch, tokens] ids) => (int64 y) {
  y = Identity (ids)
}`);
    assert.deepEqual(
      inputDims(m).map((d) => [d.name, d.suggested]),
      [
        ['batch', 1],
        ['tokens', null],
      ],
    );
  });
});
