import { strict as assert } from 'node:assert';
import { STEP_SERIES, sweepOption, SweepOption, SweepTheme, sweepTitle, tooltipRows, TOKENS_SERIES } from '../../media/src/sweep-option';
import type { SweepPoint } from '../../server/src/analysis/hf-config/summary';
import type { DecodeSweep } from '../../server/src/protocol';

/**
 * The decode sweep chart's option, from a sweep written out here: a made-up 7 batches where the step
 * time is 10 ms of weight reads plus 1 ms per sequence (so tokens/s = batch / step), the first four
 * memory-bound, the last two compute-bound, and memory for 11 sequences.
 */
/** Colours by name, so the test can tell which one a series got. */
const THEME: SweepTheme = {
  foreground: 'fg',
  muted: 'muted',
  gridLine: 'grid',
  memory: 'blue',
  compute: 'orange',
  launch: 'grey',
  roofs: ['green', 'purple'],
  other: 'other',
  tooltipBackground: 'tip',
  tooltipBorder: 'tip-border',
  fontFamily: 'sans-serif',
};

function point(batch: number, bound: SweepPoint['bound'], fits: boolean): SweepPoint {
  const stepSeconds = 0.01 + 0.001 * batch;
  return { batch, stepSeconds, tokensPerSecond: batch / stepSeconds, bound, fits };
}

const POINTS: SweepPoint[] = [
  point(1, 'memory', true),
  point(2, 'memory', true),
  point(4, 'memory', true),
  point(8, 'memory', true),
  point(16, 'memory', false),
  point(32, 'compute', false),
  point(64, 'compute', false),
];

function sweep(overrides: Partial<DecodeSweep> = {}): DecodeSweep {
  return {
    modelType: 'llama',
    chip: 'NVIDIA H100 SXM5 80GB',
    precision: 'w16a16 (fp16 weights, fp16 activations) · KV cache fp16',
    gpus: 1,
    layout: '',
    prompt: 2048,
    generated: 256,
    points: POINTS,
    projectionsComputeBoundBatch: 24,
    searchedUpTo: 65536,
    maxBatchThatFits: 11,
    ...overrides,
  };
}

type Series = { id?: string; name?: string; type?: string; itemStyle?: { color?: string }; yAxisIndex?: number; data?: unknown[]; markLine?: { data?: Array<{ xAxis?: number }>; label?: { formatter?: string } }; markArea?: { data?: Array<Array<{ xAxis?: number; name?: string }>> } };

function seriesOf(option: SweepOption): Series[] {
  return option.series as Series[];
}

function byId(option: SweepOption, id: string): Series {
  const s = seriesOf(option).find((x) => x.id === id);
  assert.ok(s, `no series ${id}`);
  return s;
}

/** The batches of a marker series and their symbols. */
function markers(s: Series): Array<[number, string]> {
  return (s.data as Array<{ value: [number, number]; symbol: string }>).map((d) => [d.value[0], d.symbol]);
}

describe('decode sweep chart option', () => {
  it('draws tokens/s on the left axis and the step time on the right, against batch on a log2 axis', () => {
    const option = sweepOption(sweep(), THEME);
    const x = option.xAxis as { type: string; logBase: number; min: number; max: number };
    assert.deepEqual([x.type, x.logBase, x.min, x.max], ['log', 2, 1, 64]);
    const tokens = byId(option, 'tokens-per-second');
    const step = byId(option, 'step-time');
    assert.deepEqual([tokens.name, tokens.yAxisIndex, step.name, step.yAxisIndex], [TOKENS_SERIES, 0, STEP_SERIES, 1]);
    // Batch 8: step 10 ms + 8 × 1 ms = 18 ms, 8 tokens per step → 444.4 tokens/s.
    assert.deepEqual((tokens.data as number[][])[3]?.[0], 8);
    assert.ok(Math.abs(((tokens.data as number[][])[3]?.[1] ?? 0) - 8 / 0.018) < 1e-9);
    assert.ok(Math.abs(((step.data as number[][])[3]?.[1] ?? 0) - 0.018) < 1e-12);
    assert.equal(tokens.data?.length, 7);
  });

  it('marks each batch by its bound on both axes, hollow where it does not fit in memory', () => {
    const option = sweepOption(sweep(), THEME);
    assert.deepEqual(markers(byId(option, 'bound:memory:tokens')), [
      [1, 'circle'],
      [2, 'circle'],
      [4, 'circle'],
      [8, 'circle'],
      [16, 'emptyCircle'],
    ]);
    assert.deepEqual(markers(byId(option, 'bound:compute:step')), [
      [32, 'emptyCircle'],
      [64, 'emptyCircle'],
    ]);
    assert.equal(byId(option, 'bound:memory:step').itemStyle?.color, 'blue');
    assert.equal(byId(option, 'bound:compute:tokens').itemStyle?.color, 'orange');
    // Bounds that no batch has get no series and no legend entry.
    assert.ok(!seriesOf(option).some((s) => s.id?.startsWith('bound:overhead') || s.id?.startsWith('bound:communication')));
    assert.deepEqual((option.legend as { data: string[] }).data, [TOKENS_SERIES, STEP_SERIES, 'memory-bound', 'compute-bound']);
  });

  it('puts a vertical mark at the compute-bound batch and shades the batches that do not fit', () => {
    const tokens = byId(sweepOption(sweep(), THEME), 'tokens-per-second');
    assert.deepEqual(tokens.markLine?.data, [{ xAxis: 24 }]);
    assert.equal(tokens.markLine?.label?.formatter, 'compute-bound from batch 24');
    // 11 sequences fit: the band starts at batch 12, left of the first hollow marker (16), and runs to the axis end.
    const [from, to] = tokens.markArea?.data?.[0] ?? [];
    assert.equal(from?.xAxis, 12);
    assert.equal(from?.name, 'memory runs out after batch 11');
    assert.equal(to?.xAxis, 64);
  });

  it('draws no ridge mark when the projections never turn compute-bound, and no band when memory never runs out', () => {
    const tokens = byId(sweepOption(sweep({ projectionsComputeBoundBatch: null, maxBatchThatFits: null }), THEME), 'tokens-per-second');
    assert.equal(tokens.markLine, undefined);
    assert.equal(tokens.markArea, undefined);
  });

  it('shades everything when the weights alone do not fit, and stretches the axis to a ridge beyond the last batch', () => {
    const option = sweepOption(sweep({ maxBatchThatFits: 0, projectionsComputeBoundBatch: 100 }), THEME);
    // 100 lies between 64 and 128: the axis ends at the next power of two.
    assert.equal((option.xAxis as { max: number }).max, 128);
    const [from, to] = byId(option, 'tokens-per-second').markArea?.data?.[0] ?? [];
    assert.deepEqual([from?.xAxis, from?.name, to?.xAxis], [1, 'the weights alone do not fit', 128]);
  });

  it("the tooltip gives a batch's tokens/s, step time, bound and fit", () => {
    // Batch 16: 10 ms + 16 ms = 26 ms per step, 16 / 0.026 = 615.4 tokens/s.
    assert.deepEqual(tooltipRows(sweep(), 16), [
      ['batch', '16'],
      ['tokens/s', '615.4 tok/s'],
      ['step time', '26 ms'],
      ['bound', 'memory-bound'],
      ['memory', 'does NOT fit'],
    ]);
  });

  it('the heading names the model, chip, precision and GPUs', () => {
    const title = sweepTitle('llama-2-70b config.json', sweep({ gpus: 2, layout: 'TP 2', precision: 'w4a16 (int4, group 128) · KV cache fp16' }));
    assert.equal(title.text, 'Decode sweep — llama-2-70b config.json');
    assert.equal(title.subtext, 'llama on NVIDIA H100 SXM5 80GB · w4a16 (int4, group 128) · KV cache fp16 · 2 GPUs (TP 2) · prompt 2048 + 256 generated');
  });
});
