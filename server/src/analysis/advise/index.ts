import { ModelAnalysis } from '../analyze';
import { builtinChips } from '../cost/chips';
import { graphOutputNames } from '../cost/index';
import { computeCosts } from '../cost/model';
import { profile } from '../cost/totals';
import { batchSuggestions } from './batch';
import { chipSuggestions } from './chip';
import { AdviceContext } from './context';
import { fuseSuggestions } from './fuse';
import { quantiseSuggestions } from './quantise';
import { runtimeSuggestions } from './runtime';
import { smallerModelSuggestions } from './smaller-model';
import { suggestionTitle } from './titles';
import { Advice, AdviseOptions, Suggestion } from './types';

export * from './types';
export { suggestionTitle } from './titles';
export { profileWhatIf, applyToCosts, whatIfOptions, WEIGHT_BITS } from './whatif';
export type { WhatIf, WhatIfSubject, WeightQuantisation } from './whatif';

/**
 * The advice engine: every rule looks at the baseline profile, proposes a change, and prices it by
 * re-profiling the change through the same cost model on the same chip (docs/suggestions.md).
 */
type Rule = (ctx: AdviceContext, notes: string[]) => Suggestion[];

const RULES: ReadonlyArray<readonly [string, Rule]> = [
  ['fuse', fuseSuggestions],
  ['quantise', quantiseSuggestions],
  ['batch', batchSuggestions],
  ['smaller-model', smallerModelSuggestions],
  ['chip', chipSuggestions],
  ['runtime', runtimeSuggestions],
];

/** Suggestions (best saving first) and notes. Never throws: a rule that fails is skipped with a note. */
export function advise(analysis: ModelAnalysis, options: AdviseOptions): Advice {
  const run = adviseSteps(analysis, options);
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}

/**
 * The same advice, awaiting `pause` between rules: a language server computing it in the background
 * lets requests in between (a rule on a 5,000-node model takes up to a few hundred milliseconds).
 */
export async function adviseInSteps(analysis: ModelAnalysis, options: AdviseOptions, pause: () => Promise<void>): Promise<Advice> {
  const run = adviseSteps(analysis, options);
  let step = run.next();
  while (!step.done) {
    await pause();
    step = run.next();
  }
  return step.value;
}

function* adviseSteps(analysis: ModelAnalysis, options: AdviseOptions): Generator<void, Advice, void> {
  const notes: string[] = [];
  const { model, inference } = analysis;
  if (model === null || inference === null) return { suggestions: [], notes: ['no model to advise on'] };
  let ctx: AdviceContext;
  try {
    // The baseline's own node costs when the caller has profiled it (computeCosts of the same analysis):
    // what-ifs then keep those objects, and their timings (cost/totals.ts), for the nodes they leave alone.
    const costs = options.baseline ? options.baseline.nodes.map((n) => n.cost) : computeCosts(model, inference);
    const baseline = options.baseline ?? profile(costs, options, graphOutputNames(model.graph));
    const subject = { model, inference, inferOptions: options.inferOptions };
    ctx = new AdviceContext({ ...analysis, model, inference }, subject, options, costs, baseline, options.chips ?? builtinChips());
  } catch (error) {
    return { suggestions: [], notes: [`advice skipped: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (ctx.baseline.totals.timeSeconds <= 0) return { suggestions: [], notes: ['nothing was costed (bind the symbolic dims): no advice'] };
  const suggestions: Suggestion[] = [];
  for (const [name, rule] of RULES) {
    yield;
    try {
      suggestions.push(...rule(ctx, notes));
    } catch (error) {
      notes.push(`${name}: skipped, ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  suggestions.sort((a, b) => b.predictedSavingSeconds - a.predictedSavingSeconds);
  return { suggestions: suggestions.map((s) => ({ ...s, title: suggestionTitle(s) })), notes };
}

/** The suggestions alone, best saving first. Never throws. */
export function adviseModel(analysis: ModelAnalysis, options: AdviseOptions): Suggestion[] {
  return advise(analysis, options).suggestions;
}
