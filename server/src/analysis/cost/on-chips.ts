import { Chip } from './chips';
import { NodeCost } from './model';
import { isCostedKernel, kernelTime, rooflineConstants, RooflineConstants, RooflineOptions, servedTraffic } from './roofline';
import { fusesElementwise } from './runtime';
import { cheaperBranches, profile, Totals } from './totals';

/**
 * The same per-node costs timed on many chips at once, totals only: what the chip comparison
 * (advise/chip.ts) ranks by. `profile` on each chip gives the same figures but also builds every
 * node's timing, the graph index and the fused view, 25 times over (about 200 ms on a 1,400-node ViT);
 * this walks the nodes once, timing each on every chip with the roofline's own `kernelTime`.
 *
 * The sums run over the nodes in the same order as `profile`'s, so every figure is bit for bit the one
 * `profile(costs, { ...options, chip }).totals` gives (test/unit/on-chips.test.ts holds them equal).
 * Under a runtime that fuses elementwise chains (`compiled`) a chip's time depends on its fused
 * kernels, which only `profile` evaluates: there each chip is profiled in full.
 */
export type ChipTotals = Pick<Totals, 'flops' | 'bytes' | 'timeSeconds' | 'energyJoules' | 'memoryBoundShare'>;

export function totalsOnChips(costs: readonly NodeCost[], options: RooflineOptions, chips: readonly Chip[], graphOutputs: ReadonlySet<string>): ChipTotals[] {
  if (fusesElementwise(options.runtime)) return chips.map((chip) => pick(profile(costs, { ...options, chip }, graphOutputs).totals));
  // One lane per chip: its options, roofline constants, excluded branches and running sums.
  const lanes = chips.map((chip) => {
    const chipOptions = { ...options, chip };
    const constants = rooflineConstants(chipOptions);
    return { options: chipOptions, constants, excluded: excludedBranches(costs, chipOptions, constants), sum: { flops: 0, bytes: 0, time: 0, memoryTime: 0, arithmeticJoules: 0, memoryJoules: 0 } };
  });
  for (const [i, cost] of costs.entries()) {
    // profile's totals: counted, modelled kernels only (views and containers move nothing).
    if (!isCostedKernel(cost)) continue;
    const c = cost.cost;
    const { dtype, bytes } = servedTraffic(c, options);
    const k = cost.executions;
    for (const { options: chipOptions, constants, excluded, sum } of lanes) {
      if (excluded?.has(i)) continue;
      const t = kernelTime(cost, dtype, bytes, chipOptions, constants);
      sum.flops += k * c.flops;
      sum.bytes += k * bytes;
      sum.time += k * t.timeSeconds;
      if (t.bound === 'memory') sum.memoryTime += k * t.timeSeconds;
      sum.arithmeticJoules += k * t.energy.arithmetic;
      sum.memoryJoules += k * t.energy.memory;
    }
  }
  return lanes.map(({ sum: s }) => ({
    flops: s.flops,
    bytes: s.bytes,
    timeSeconds: s.time,
    energyJoules: s.arithmeticJoules + s.memoryJoules,
    memoryBoundShare: s.time > 0 ? s.memoryTime / s.time : 0,
  }));
}

function pick(t: Totals): ChipTotals {
  return { flops: t.flops, bytes: t.bytes, timeSeconds: t.timeSeconds, energyJoules: t.energyJoules, memoryBoundShare: t.memoryBoundShare };
}

/** The nodes of an If's cheaper branches on this chip (null when the model has no such If): left out of its totals, as `profile` leaves them out. */
function excludedBranches(costs: readonly NodeCost[], options: RooflineOptions, constants: RooflineConstants): Set<number> | null {
  if (!costs.some((c) => c.branchOf)) return null;
  const times = costs.map((cost) => {
    if (!cost.branchOf || !isCostedKernel(cost)) return cost.branchOf ? { timeSeconds: 0 } : undefined;
    const { dtype, bytes } = servedTraffic(cost.cost, options);
    return { timeSeconds: kernelTime(cost, dtype, bytes, options, constants).timeSeconds };
  });
  return cheaperBranches(costs, times, []);
}
