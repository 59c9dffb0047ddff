import { at } from '../ir/at';
import { humanBytes, humanTime } from '../../format/units';
import { AdviceContext } from './context';
import { Suggestion } from './types';
import { WhatIf } from './whatif';

/**
 * The smaller-model suggestion: when weight traffic dominates, a model of the same family with fewer
 * repeated blocks is the lever. Blocks are recognised from node names as exporters write them
 * (`/layers.3/`, `/blocks.3/`, `encoder.layer.3.`, `/h.3/`); the estimate keeps the first half of the
 * blocks and drops the rest through a 'drop' what-if: the same graph, the same cost model.
 */
const BLOCK_NAME = /(^|[/.])((?:[A-Za-z_]+[._])?(?:layers?|blocks?|h))[._](\d+)(?=[/._]|$)/;
const WEIGHT_DOMINATED_SHARE = 0.5;

interface Blocks {
  readonly prefix: string;
  /** Block index → node indices. */
  readonly members: ReadonlyMap<number, number[]>;
}

/** The most populous family of numbered blocks in the node names, or null. */
export function findRepeatedBlocks(ctx: AdviceContext): Blocks | null {
  const families = new Map<string, Map<number, number[]>>();
  ctx.nodes.forEach((n, i) => {
    const match = BLOCK_NAME.exec(n.cost.record.node.name);
    if (!match) return;
    const prefix = n.cost.record.node.name.slice(0, (match.index ?? 0) + (match[1]?.length ?? 0)) + (match[2] ?? '');
    const index = Number(match[3]);
    const family = families.get(prefix) ?? new Map<number, number[]>();
    const list = family.get(index) ?? [];
    list.push(i);
    family.set(index, list);
    families.set(prefix, family);
  });
  const best = [...families].filter(([, f]) => f.size >= 2).sort((a, b) => b[1].size - a[1].size)[0];
  return best ? { prefix: best[0], members: best[1] } : null;
}

export function smallerModelSuggestions(ctx: AdviceContext, notes: string[]): Suggestion[] {
  const totals = ctx.baseline.totals;
  let weightTraffic = 0;
  for (const n of ctx.nodes) {
    if (!n.counted || !n.cost.cost.modelled || n.cost.container || n.cost.cost.unit === 'none') continue;
    const c = n.cost.cost;
    const raw = c.activationBytesRead + c.weightBytes + c.bytesWritten;
    weightTraffic += raw > 0 ? n.cost.executions * n.timing.bytes * (c.weightBytes / raw) : 0;
  }
  const weightShare = totals.bytes > 0 ? weightTraffic / totals.bytes : 0;
  if (weightShare < WEIGHT_DOMINATED_SHARE || totals.memoryBoundShare < 0.5) {
    notes.push(`smaller-model: weights are ${(weightShare * 100).toFixed(0)}% of the traffic, not dominant`);
    return [];
  }
  const blocks = findRepeatedBlocks(ctx);
  if (blocks === null) {
    notes.push('smaller-model: weight traffic dominates, but no repeated blocks were recognised in the node names (/layers.N/, /blocks.N/, encoder.layer.N, /h.N/)');
    return [];
  }
  const indices = [...blocks.members.keys()].sort((a, b) => a - b);
  const keep = Math.max(1, Math.floor(indices.length / 2));
  const dropped = indices.slice(keep).flatMap((b) => blocks.members.get(b) ?? []);
  const whatIf: WhatIf = { kind: 'drop', nodes: dropped.map((i) => ctx.id(i)) };
  const evaluation = ctx.evaluate(whatIf);
  if (evaluation === null || evaluation.savingSeconds <= 0) return [];
  const signature = (b: number): string => (blocks.members.get(b) ?? []).map((i) => ctx.opType(i)).join(',');
  const first = at(indices, 0, 'repeated blocks');
  const identical = indices.every((b) => signature(b) === signature(first));
  const chip = ctx.options.chip;
  const detail = [
    `Weights are ${(weightShare * 100).toFixed(0)}% of the ${humanBytes(totals.bytes)} moved per run, and ${(totals.memoryBoundShare * 100).toFixed(0)}% of the time is memory-bound.`,
    `${indices.length} repeated blocks named ${blocks.prefix}.N (${(blocks.members.get(first) ?? []).length} nodes each${identical ? ', identical op sequences' : ', op sequences differ'}): keeping the first ${keep} and dropping the rest.`,
    `${indices.length} blocks: ${humanTime(totals.timeSeconds)}; ${keep} blocks: ${humanTime(evaluation.result.totals.timeSeconds)} on ${chip.name}.`,
    'Same graph, same cost model, the dropped blocks\' nodes removed; embeddings, heads and everything outside the blocks are kept. Accuracy of a shallower (or distilled) model is not modelled.',
  ].join('\n');
  return [
    {
      id: 'smaller-model',
      kind: 'smaller-model',
      pattern: 'fewer-blocks',
      nodes: dropped.map((i) => ctx.id(i)),
      message: `A ${keep}-${/layer/i.test(blocks.prefix) ? 'layer' : 'block'} version (of ${indices.length}) would take ${humanTime(evaluation.result.totals.timeSeconds)} instead of ${humanTime(totals.timeSeconds)} on ${chip.name}: weights are ${(weightShare * 100).toFixed(0)}% of the traffic`,
      detail,
      predictedSavingSeconds: evaluation.savingSeconds,
      bytesSaved: evaluation.bytesSaved,
      energySavedJoules: evaluation.energySavedJoules,
      confidence: identical ? 'medium' : 'low',
      whatIf,
      recipe: 'Use a shallower checkpoint of the same family (e.g. a distilled variant with half the layers), or distil one; then profile it with ridgepoint.',
      before: { timeSeconds: totals.timeSeconds, bytes: totals.bytes, intensity: totals.bytes > 0 ? totals.flops / totals.bytes : null },
      after: { timeSeconds: evaluation.result.totals.timeSeconds, bytes: evaluation.result.totals.bytes, intensity: evaluation.result.totals.bytes > 0 ? evaluation.result.totals.flops / evaluation.result.totals.bytes : null },
    },
  ];
}
