import { at } from '../ir/at';
import { ModelAnalysis } from '../analyze';
import { Chip } from '../cost/chips';
import { graphOutputNames, ProfileOptions } from '../cost/index';
import { NodeCost, weightValueNames } from '../cost/model';
import { ProfiledNode, ProfileResult } from '../cost/totals';
import { bytesForElements } from '../ir/dtype';
import { summariseWeights } from '../ir/weights';
import { ValueRecord } from '../shape/engine';
import { Confidence, Figures } from './types';
import { profileWhatIf, WhatIf, WhatIfSubject } from './whatif';

/**
 * What every advice rule sees: the model, its baseline profile, a view of the graph (who produces and
 * who reads each value), and `evaluate`, which re-profiles a what-if and measures the saving against the
 * baseline, so that every rule computes its gain the same way.
 */
export interface Evaluation {
  readonly result: ProfileResult;
  readonly savingSeconds: number;
  readonly bytesSaved: number;
  readonly energySavedJoules: number;
}

export class AdviceContext {
  readonly nodes: readonly ProfiledNode[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly producerOf: ReadonlyMap<string, number>;
  /** Every reading input slot of a value (a node reading it twice appears twice). */
  readonly readers: ReadonlyMap<string, readonly number[]>;
  readonly graphOutputs: ReadonlySet<string>;
  readonly weights: ReadonlySet<string>;
  readonly weightBytes: number;

  constructor(
    readonly analysis: ModelAnalysis & { model: NonNullable<ModelAnalysis['model']>; inference: NonNullable<ModelAnalysis['inference']> },
    readonly subject: WhatIfSubject,
    readonly options: ProfileOptions,
    readonly costs: readonly NodeCost[],
    readonly baseline: ProfileResult,
    readonly chips: readonly Chip[],
  ) {
    this.nodes = baseline.nodes;
    this.indexOf = new Map(this.nodes.map((n, i) => [n.cost.record.id, i]));
    const producerOf = new Map<string, number>();
    const readers = new Map<string, number[]>();
    this.nodes.forEach((n, i) => {
      for (const o of n.cost.record.outputs) if (o.name) producerOf.set(o.name, i);
      for (const inp of n.cost.record.inputs) {
        if (!inp) continue;
        const list = readers.get(inp.name) ?? [];
        list.push(i);
        readers.set(inp.name, list);
      }
    });
    this.producerOf = producerOf;
    this.readers = readers;
    this.graphOutputs = graphOutputNames(analysis.model.graph);
    this.weights = weightValueNames(analysis.model, analysis.inference);
    // Weights made at load time (ConstantOfShape, folded subgraphs) are in memory too: count every weight value read.
    const seen = new Map<string, number>();
    for (const n of this.nodes) for (const inp of n.cost.record.inputs) if (inp && this.weights.has(inp.name) && !seen.has(inp.name)) seen.set(inp.name, valueBytes(inp));
    this.weightBytes = Math.max(summariseWeights(analysis.model).bytes, [...seen.values()].reduce((a, b) => a + b, 0));
  }

  node(i: number): ProfiledNode {
    return at(this.nodes, i, 'profiled nodes');
  }

  opType(i: number): string {
    return this.node(i).cost.record.node.opType;
  }

  id(i: number): string {
    return this.node(i).cost.record.id;
  }

  /** A node that runs a kernel in the baseline: counted, modelled, not a container or a view. */
  runs(i: number): boolean {
    const n = this.node(i);
    return n.counted && n.cost.cost.modelled && !n.cost.container && n.cost.cost.unit !== 'none';
  }

  /** Per model run. */
  timeOf(i: number): number {
    const n = this.node(i);
    return n.cost.executions * n.timing.timeSeconds;
  }

  isWeight(value: ValueRecord | null | undefined): boolean {
    return value !== null && value !== undefined && (value.source === 'initializer' || this.weights.has(value.name));
  }

  /** The one node reading `value` (not a graph output), or null. */
  soleReader(value: string): number | null {
    const list = this.readers.get(value);
    const only = list?.length === 1 ? list[0] : undefined;
    return only !== undefined && !this.graphOutputs.has(value) ? only : null;
  }

  /** Node indices reading the first output of node i. */
  readersOfOutput(i: number, output = 0): readonly number[] {
    const name = this.node(i).cost.record.outputs[output]?.name;
    return name ? (this.readers.get(name) ?? []) : [];
  }

  outputName(i: number, output = 0): string {
    return this.node(i).cost.record.outputs[output]?.name ?? '';
  }

  inputName(i: number, slot: number): string {
    return this.node(i).cost.record.inputs[slot]?.name ?? '';
  }

  /** Summed figures of a set of nodes in the baseline (per model run). */
  figures(indices: readonly number[], result: ProfileResult = this.baseline): Figures {
    let time = 0;
    let bytes = 0;
    let flops = 0;
    for (const i of indices) {
      const n = result.nodes[i];
      if (!n) continue;
      time += n.cost.executions * n.timing.timeSeconds;
      bytes += n.cost.executions * n.timing.bytes;
      flops += n.cost.executions * n.cost.cost.flops;
    }
    return { timeSeconds: time, bytes, intensity: bytes > 0 ? flops / bytes : null };
  }

  /** Re-profiles a what-if; the saving is baseline total − what-if total, exactly. */
  evaluate(whatIf: WhatIf): Evaluation | null {
    const result = profileWhatIf(this.subject, this.options, whatIf, this.costs);
    if (result === null) return null;
    return {
      result,
      savingSeconds: this.baseline.totals.timeSeconds - result.totals.timeSeconds,
      bytesSaved: this.baseline.totals.bytes - result.totals.bytes,
      energySavedJoules: this.baseline.totals.energyJoules - result.totals.energyJoules,
    };
  }

  /** Seconds of kernel overhead per model run the baseline pays for these nodes. */
  overheadOf(indices: readonly number[]): number {
    return indices.reduce((sum, i) => sum + this.node(i).cost.executions * this.node(i).timing.overheadSeconds, 0);
  }
}

/**
 * Peak bytes of live activations over one run: graph inputs live from the start; each value a kernel
 * writes lives from its producer until its last reader, in graph order. Views (Reshape, …) alias their
 * input and add nothing. An estimate for the memory-capacity check, not an allocator's plan.
 */
/** Bytes of a tensor value with a fully known shape (0 otherwise). */
export function valueBytes(v: ValueRecord | null | undefined): number {
  const t = v?.type;
  if (t?.kind !== 'tensor' || t.shape === null || t.dtype === null || !t.shape.every((d) => typeof d === 'number')) return 0;
  return bytesForElements(t.dtype, (t.shape as number[]).reduce((a, b) => a * b, 1));
}

export function peakActivationBytes(result: ProfileResult, graphInputs: readonly ValueRecord[], weights: ReadonlySet<string>): number {
  const size = valueBytes;
  const lastRead = new Map<string, number>();
  result.nodes.forEach((n, i) => {
    for (const inp of n.cost.record.inputs) if (inp) lastRead.set(inp.name, i);
  });
  let live = 0;
  const liveValues = new Map<string, number>();
  for (const v of graphInputs) {
    if (weights.has(v.name) || v.source === 'initializer') continue;
    const b = size(v);
    liveValues.set(v.name, b);
    live += b;
  }
  let peak = live;
  result.nodes.forEach((n, i) => {
    if (n.cost.cost.unit !== 'none' && !n.cost.container) {
      for (const o of n.cost.record.outputs) {
        if (!o.name || weights.has(o.name)) continue;
        const b = size(o);
        liveValues.set(o.name, b);
        live += b;
      }
    }
    peak = Math.max(peak, live);
    for (const name of [...liveValues.keys()]) {
      const last = lastRead.get(name);
      if (last === undefined || last <= i) {
        live -= liveValues.get(name) ?? 0;
        liveValues.delete(name);
      }
    }
  });
  // Graph outputs are held until the end; they were counted while live.
  return peak;
}

const LOWER: Readonly<Record<Confidence, Confidence>> = { high: 'medium', medium: 'low', low: 'low' };
const RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };

/** One level less sure (never below low). */
export function lowerConfidence(c: Confidence): Confidence {
  return LOWER[c];
}

export function minConfidence(a: Confidence, b: Confidence): Confidence {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Lists at most `limit` lines and says how many were left out. */
export function listLines(lines: readonly string[], limit = 8): string[] {
  return lines.length <= limit ? [...lines] : [...lines.slice(0, limit), `… and ${lines.length - limit} more`];
}

/** "MatMul ×12, Gemm ×1", most frequent first. */
export function opCounts(ctx: AdviceContext, indices: readonly number[]): string {
  const counts = new Map<string, number>();
  for (const i of indices) counts.set(ctx.opType(i), (counts.get(ctx.opType(i)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ×${n}`).join(', ');
}
