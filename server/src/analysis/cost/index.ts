import { ModelAnalysis } from '../analyze';
import { Graph } from '../ir/graph';
import { Chip, PeakDtype } from './chips';
import { computeCosts } from './model';
import { PeakMode } from './roofline';
import { Runtime } from './runtime';
import { profile, ProfileResult } from './totals';

export interface ProfileOptions {
  readonly chip: Chip;
  readonly peakMode: PeakMode;
  readonly computeDtype?: PeakDtype;
  /** How kernels are issued (cost/runtime.ts); absent: eager. */
  readonly runtime?: Runtime;
}

export interface ModelProfile extends ProfileOptions {
  readonly result: ProfileResult;
}

/** shapes → costs → roofline: the Core II step over a Core I analysis. Null when nothing was read. */
export function profileAnalysis(analysis: ModelAnalysis, options: ProfileOptions): ModelProfile | null {
  if (analysis.model === null || analysis.inference === null) return null;
  const costs = computeCosts(analysis.model, analysis.inference);
  return { ...options, result: profile(costs, options, modelOutputNames(analysis.model.graph)) };
}

/** Graphs are immutable once read: their output names are collected once per graph, not once per profile. */
const outputNamesCache = new WeakMap<Graph, ReadonlySet<string>>();

function modelOutputNames(graph: Graph): ReadonlySet<string> {
  let names = outputNamesCache.get(graph);
  if (names === undefined) outputNamesCache.set(graph, (names = graphOutputNames(graph)));
  return names;
}

/**
 * Values every graph hands out (main graph and subgraph outputs): they are written to memory whatever
 * fuses, so the fused view never counts them as saved.
 */
export function graphOutputNames(graph: Graph, into = new Set<string>(), depth = 0): Set<string> {
  if (depth > 64) return into;
  for (const output of graph.outputs) into.add(output.name);
  for (const node of graph.nodes) {
    for (const value of node.attributes.values()) {
      if (value.type === 'graph') graphOutputNames(value.value, into, depth + 1);
      else if (value.type === 'graphs') for (const g of value.value) graphOutputNames(g, into, depth + 1);
    }
  }
  return into;
}
