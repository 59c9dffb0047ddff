import { at } from '../ir/at';
import { BYTES_PER_GB, bytesFromGB, humanBandwidth, humanBytes, humanEnergy, humanTime } from '../../format/units';
import { Chip } from '../cost/chips';
import { ChipTotals, totalsOnChips } from '../cost/on-chips';
import { AdviceContext, minConfidence, peakActivationBytes } from './context';
import { Suggestion } from './types';

/**
 * The chip suggestion: the same per-node costs re-timed on every chip of the database (same peak mode
 * and arithmetic type), energy from the same energy model. Chips whose memory cannot hold the weights
 * and the peak live activations are left out. Only chips of the current chip's category compete
 * (datacenter GPUs with a datacenter GPU, edge parts with an edge part): a laptop CPU "beating" an
 * H100 on a tiny model by its smaller launch overhead answers a question nobody asked. The chips are
 * timed together in one pass over the node costs (cost/on-chips.ts): the totals `profile` would give on
 * each, without a whole profile per chip.
 */
interface OnChip {
  readonly chip: Chip;
  readonly totals: ChipTotals;
}

export function chipSuggestions(ctx: AdviceContext, notes: string[]): Suggestion[] {
  const current = ctx.options.chip;
  const needed = ctx.weightBytes + peakActivationBytes(ctx.baseline, ctx.analysis.inference.graphInputs, ctx.weights);
  const comparable: Chip[] = [];
  const tooSmall: string[] = [];
  const sameCategory = ctx.chips.filter((chip) => chip.category === current.category && chip.id !== current.id);
  if (sameCategory.length === 0) notes.push(`chip: no other ${current.category} chip in the database to compare with`);
  // In the achievable mode a chip with per-op efficiency data pays for tile, wave and class losses that
  // a chip without it does not: their times are not comparable, so the latter are left out (and said).
  const shapeAware = ctx.options.peakMode === 'achievable' && current.efficiency !== undefined;
  const notComparable: string[] = [];
  for (const chip of sameCategory) {
    if (shapeAware && chip.efficiency === undefined) {
      notComparable.push(chip.id);
      continue;
    }
    if (bytesFromGB(chip.memoryGB) < needed) {
      tooSmall.push(chip.id);
      continue;
    }
    comparable.push(chip);
  }
  const onChips = totalsOnChips(ctx.costs, ctx.options, comparable, ctx.graphOutputs);
  const candidates: OnChip[] = comparable.map((chip, i) => ({ chip, totals: at(onChips, i, 'totals per chip') })).filter((c) => c.totals.timeSeconds > 0);
  if (notComparable.length) notes.push(`chip: left out, no per-op efficiency data (achievable times would be the plain roofline, not comparable with ${current.name}'s): ${notComparable.join(', ')}`);
  if (tooSmall.length) notes.push(`chip: left out for memory (the model needs ${humanBytes(needed)}): ${tooSmall.join(', ')}`);
  if (candidates.length === 0) return [];
  const base = ctx.baseline.totals;
  const byTime = [...candidates].sort((a, b) => a.totals.timeSeconds - b.totals.timeSeconds);
  const byEnergy = [...candidates].sort((a, b) => a.totals.energyJoules - b.totals.energyJoules || a.totals.timeSeconds - b.totals.timeSeconds);
  const ranking = (list: readonly OnChip[]): string[] => list.slice(0, 5).map((c, rank) => `${rank + 1}. ${c.chip.name} (${c.chip.id}): ${humanTime(c.totals.timeSeconds)}, ${humanEnergy(c.totals.energyJoules)}${c.chip.tdpW ? `, at most ${humanEnergy(c.chip.tdpW * c.totals.timeSeconds)} at board power` : ''}`);
  const suggestions: Suggestion[] = [];
  const fastest = at(byTime, 0, 'candidate chips by time');
  if (fastest.totals.timeSeconds < base.timeSeconds) suggestions.push(chipSuggestion(ctx, fastest, 'fastest', ranking(byTime)));
  else notes.push(`chip: ${current.name} is already the fastest for this model in the database`);
  const frugal = at(byEnergy, 0, 'candidate chips by energy');
  if (frugal.totals.energyJoules < base.energyJoules && frugal.chip.id !== fastest.chip.id) suggestions.push(chipSuggestion(ctx, frugal, 'energy', ranking(byEnergy)));
  return suggestions;
}

function chipSuggestion(ctx: AdviceContext, on: OnChip, which: 'fastest' | 'energy', ranking: string[]): Suggestion {
  const base = ctx.baseline.totals;
  const t = on.totals;
  const current = ctx.options.chip;
  const speed = base.timeSeconds / t.timeSeconds;
  const energyRatio = base.energyJoules > 0 ? t.energyJoules / base.energyJoules : 1;
  const message =
    which === 'fastest'
      ? `Fastest ${categoryLabel(current.category)} in the database for this model: ${on.chip.name}, ${humanTime(t.timeSeconds)} instead of ${humanTime(base.timeSeconds)} on ${current.name} (${speed.toFixed(2)}×)`
      : `Most energy-efficient ${categoryLabel(current.category)} for this model: ${on.chip.name}, ${humanEnergy(t.energyJoules)} instead of ${humanEnergy(base.energyJoules)} per run (${((1 - energyRatio) * 100).toFixed(0)}% less), ${humanTime(t.timeSeconds)} instead of ${humanTime(base.timeSeconds)}`;
  const detail = [
    `${which === 'fastest' ? 'By predicted time' : 'By predicted energy'} (${ctx.options.peakMode} peaks${ctx.options.computeDtype ? `, arithmetic in ${ctx.options.computeDtype}` : ''}), the same per-op costs re-timed on each chip:`,
    ...ranking,
    `On ${current.name}: ${humanTime(base.timeSeconds)}, ${humanEnergy(base.energyJoules)}.`,
    'Energy is arithmetic plus memory traffic from the energy model (docs/chips.md), without idle or static power; "at board power" is TDP × time, an upper bound.',
    ...(t.memoryBoundShare > 0.5 ? [`On ${on.chip.name} ${(t.memoryBoundShare * 100).toFixed(0)}% of the time is memory-bound: bandwidth (${humanBandwidth(on.chip.memoryBandwidthGBs * BYTES_PER_GB)}) decides.`] : []),
  ].join('\n');
  return {
    id: `chip:${which}`,
    kind: 'chip',
    pattern: which,
    nodes: [],
    message,
    detail,
    predictedSavingSeconds: base.timeSeconds - t.timeSeconds,
    bytesSaved: base.bytes - t.bytes,
    energySavedJoules: base.energyJoules - t.energyJoules,
    confidence: minConfidence(current.confidence, on.chip.confidence),
    recipe: `ridgepoint profile MODEL --chip ${on.chip.id}`,
    chip: { id: on.chip.id, name: on.chip.name, timeSeconds: t.timeSeconds, energyJoules: t.energyJoules },
    before: { timeSeconds: base.timeSeconds, bytes: base.bytes, intensity: base.bytes > 0 ? base.flops / base.bytes : null },
    after: { timeSeconds: t.timeSeconds, bytes: t.bytes, intensity: t.bytes > 0 ? t.flops / t.bytes : null },
  };
}

function categoryLabel(category: string): string {
  const labels: Record<string, string> = { datacenter_gpu: 'datacenter GPU', consumer_gpu: 'consumer GPU', edge: 'edge chip', tpu: 'TPU', cpu: 'CPU', apple_soc: 'Apple chip', accelerator: 'accelerator' };
  return labels[category] ?? 'chip';
}
