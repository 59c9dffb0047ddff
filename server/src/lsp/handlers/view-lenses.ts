import { CodeLens } from 'vscode-languageserver';
import { ScopeGroup } from '../../analysis/onnx/view/layout';
import { UNBOUND_REASON } from '../../analysis/cost/context';
import { verdictOf } from '../../analysis/cost/launch-bound';
import { ReportNode } from '../../analysis/report';
import { humanTime } from '../../format/units';
import { Commands } from '../../protocol';
import { ProfiledModel } from '../models';

/** What a scope group of the readable view costs: its nodes' (and their subgraph bodies') report nodes summed. */
export interface GroupCost {
  readonly timeSeconds: number;
  readonly share: number;
  /** The bound that holds most of the group's time ('memory', 'compute'), '' when nothing is timed. */
  readonly bound: string;
  /** Nodes that launch a kernel (time above zero). */
  readonly ops: number;
  readonly unmodelled: number;
  /** Of the unmodelled nodes, those whose sizes depend on unbound symbolic dims (not costed, rather than not understood). */
  readonly unsized: number;
  /** The costliest node, where a click on the lens goes. */
  readonly costliest: string | null;
}

export function groupCost(profiled: ProfiledModel, group: ScopeGroup, byOwner: ReadonlyMap<string, readonly ReportNode[]>): GroupCost {
  const total = profiled.report.totals?.timeSeconds ?? 0;
  const timeByBound = new Map<string, number>();
  let timeSeconds = 0;
  let ops = 0;
  let unmodelled = 0;
  let unsized = 0;
  let costliest: { id: string; time: number } | null = null;
  for (const id of group.nodeIds) {
    for (const node of byOwner.get(id) ?? []) {
      if (node.counted === false) continue;
      if (node.modelled === false) {
        unmodelled++;
        if (node.reason?.includes(UNBOUND_REASON)) unsized++;
      }
      const time = node.timeSeconds ?? 0;
      if (time <= 0) continue;
      ops++;
      timeSeconds += time;
      const bound = verdictOf(node);
      if (bound !== undefined && bound !== 'none') timeByBound.set(bound, (timeByBound.get(bound) ?? 0) + time);
      if (costliest === null || time > costliest.time) costliest = { id: node.id, time };
    }
  }
  const bound = [...timeByBound].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  return { timeSeconds, share: total > 0 ? timeSeconds / total : 0, bound, ops, unmodelled, unsized, costliest: costliest?.id ?? null };
}

/** Report nodes by the id of the graph node that holds them: itself, or the control-flow node whose body runs them. */
function reportNodesByOwner(profiled: ProfiledModel): Map<string, ReportNode[]> {
  const byOwner = new Map<string, ReportNode[]>();
  for (const node of profiled.report.nodes) {
    // `n3/body/n0` runs inside `n3`; function calls' expansions `n5/<fn>/n0` inside `n5`.
    const slash = node.id.indexOf('/');
    for (const owner of slash < 0 ? [node.id] : [node.id, node.id.slice(0, slash)]) {
      const list = byOwner.get(owner) ?? [];
      list.push(node);
      byOwner.set(owner, list);
    }
  }
  return byOwner;
}

/**
 * `1.23 ms · 4.1% · memory-bound · 12 ops` above each module group of the readable view of a binary
 * model that holds more than one node (a one-node group's cost is already in its line's cost column,
 * and a lens costs a line of screen).
 */
export function viewGroupLenses(profiled: ProfiledModel, uri: string): CodeLens[] {
  const view = profiled.loaded.view;
  if (!view || !profiled.report.totals) return [];
  const byOwner = reportNodesByOwner(profiled);
  const lenses: CodeLens[] = [];
  for (const group of view.groups) {
    // Subgraph groups: their nodes' report ids are nested under the owner; only main-graph groups get lenses.
    if (group.graphPath !== '' || group.nodeIds.length < 2) continue;
    const cost = groupCost(profiled, group, byOwner);
    const range = profiled.loaded.lines.range({ start: group.header.start, end: group.header.start });
    // Nothing in the group could be sized: no time at all, rather than a misleading 0.00 µs.
    if (cost.ops === 0 && cost.unsized > 0) {
      lenses.push({ range, command: { title: `not costed: ${cost.unsized} op${cost.unsized === 1 ? '' : 's'} sized by unbound dims`, command: Commands.bindDims, arguments: [{ uri }] } });
      continue;
    }
    // Ops left out of the sum make the group's time a lower bound.
    const parts = [`${cost.unmodelled > 0 ? '≥ ' : ''}${humanTime(cost.timeSeconds)}`, `${(cost.share * 100).toFixed(1)}%`];
    if (cost.bound !== '') parts.push(`${cost.bound}-bound`);
    parts.push(`${cost.ops} op${cost.ops === 1 ? '' : 's'}`);
    if (cost.unsized > 0) parts.push(`${cost.unsized} unsized`);
    if (cost.unmodelled > cost.unsized) parts.push(`${cost.unmodelled - cost.unsized} not modelled`);
    const command = cost.costliest
      ? { title: parts.join(' · '), command: Commands.revealNode, arguments: [{ uri, nodeId: cost.costliest }] }
      : { title: parts.join(' · '), command: '' };
    lenses.push({ range, command });
  }
  return lenses;
}
