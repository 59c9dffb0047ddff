import { ModelAnalysis } from './analyze';
import { dataTypeName } from './ir/dtype';
import { shapeJSON, ValueType } from './ir/types';
import { declaredParameters, summariseWeights } from './ir/weights';
import { NodeRecord, ValueRecord } from './shape/engine';
import { ModelProfile } from './cost/index';
import { ProfiledNode } from './cost/totals';
import { ENERGY_BASIS, energySources } from './cost/energy';
import type { Advice } from './advise/types';
import { tensorText } from '../format/value-text';
import { buildCostTree, pruneCostTree } from './cost-tree';
import type { Report, ReportNode, ReportValue } from './report-schema';
import { SCHEMA_VERSION } from './report-schema';
import { scopeNamingOf } from './scope';

/** The report's types live in report-schema.ts (so the modules that build or extend a report import them, not each other); named here too for the views. */
export type { JsonShape, Report, ReportNode, ReportTotals, ReportValue } from './report-schema';
export { SCHEMA_VERSION } from './report-schema';

export function buildReport(analysis: ModelAnalysis, path: string, bindings: ReadonlyMap<string, number>, profiled?: ModelProfile | null, advice?: Advice | null): Report {
  const { model, inference } = analysis;
  const profiledOf = profiledNodes(profiled);
  const values = new ReportValues();
  const base: Report = {
    schemaVersion: SCHEMA_VERSION,
    model: {
      path,
      irVersion: model?.irVersion ?? null,
      opsets: model ? Object.fromEntries([...model.opsets].map(([domain, version]) => [domain || 'ai.onnx', version])) : {},
      producer: { name: model?.producerName ?? '', version: model?.producerVersion ?? '' },
      graphName: model?.graph.name ?? '',
      metadata: model ? Object.fromEntries(model.metadata) : {},
      weights: model ? summariseWeights(model) : null,
    },
    bindings: Object.fromEntries(bindings),
    inputs: (inference?.graphInputs ?? []).map(reportValue),
    outputs: (inference?.graphOutputs ?? []).map(reportValue),
    nodes: (inference?.nodes ?? []).map((record, i) => reportNode(record, profiledOf(record, i), values)),
    unknownOps: [...(inference?.unknownOps ?? new Map<string, number>())].map(([op, count]) => ({ op, count })),
    unboundSymbols: inference?.unboundSymbols ?? [],
    // A cost formula's internal error (a bug) is reported like the analysis's own.
    diagnostics: profiled ? [...analysis.diagnostics, ...profiled.result.nodes.flatMap((n) => (n.cost.internalError ? [n.cost.internalError] : []))] : analysis.diagnostics,
    ...(analysis.coverage ? { coverage: analysis.coverage } : {}),
  };
  const report = profiled ? withProfile(base, profiled) : base;
  return profiled && advice ? { ...report, suggestions: advice.suggestions, adviceNotes: advice.notes } : report;
}

/**
 * The profiled node of each inferred node: the profile's node at the same position (a profile of this
 * inference lists its nodes in the same order), else found by id.
 */
function profiledNodes(profiled: ModelProfile | null | undefined): (record: NodeRecord, index: number) => ProfiledNode | undefined {
  if (!profiled) return () => undefined;
  const nodes = profiled.result.nodes;
  let byId: Map<string, ProfiledNode> | undefined;
  return (record, index) => {
    const same = nodes[index];
    if (same !== undefined && same.cost.record === record) return same;
    byId ??= new Map(nodes.map((n) => [n.cost.record.id, n]));
    return byId.get(record.id);
  };
}

function withProfile(base: Report, p: ModelProfile): Report {
  const { result, chip } = p;
  const total = result.totals.timeSeconds;
  const timed = result.nodes.filter((n) => n.counted && n.cost.cost.modelled && !n.cost.container && n.cost.cost.unit !== 'none');
  const runTime = (n: ProfiledNode): number => n.cost.executions * n.timing.timeSeconds;
  // Sorted by time computed once per node (a stable sort: ties keep graph order).
  const byTime = timed.map((n) => ({ n, time: runTime(n) }));
  const topOps = byTime
    .sort((a, b) => b.time - a.time)
    .slice(0, 10)
    .map(({ n, time }) => {
      return { id: n.cost.record.id, name: n.cost.record.node.name, opType: n.cost.record.node.opType, timeSeconds: time, share: total > 0 ? time / total : 0, bound: n.timing.bound };
    });
  const perType = new Map<string, { count: number; timeSeconds: number; flops: number; bytes: number }>();
  for (const n of timed) {
    const key = n.cost.record.node.domain ? `${n.cost.record.node.domain}.${n.cost.record.node.opType}` : n.cost.record.node.opType;
    const row = perType.get(key) ?? { count: 0, timeSeconds: 0, flops: 0, bytes: 0 };
    row.count++;
    row.timeSeconds += runTime(n);
    row.flops += n.cost.executions * n.cost.cost.flops;
    row.bytes += n.cost.executions * n.timing.bytes;
    perType.set(key, row);
  }
  const weights = base.model.weights;
  return {
    ...base,
    chip: { id: chip.id, name: chip.name, memoryBandwidthGBs: chip.memoryBandwidthGBs, peaks: chip.peaks, achievable: chip.achievable, kernelOverheadUs: chip.kernelOverheadUs, sources: chip.sources },
    peakMode: p.peakMode,
    runtime: p.runtime ?? 'eager',
    computeDtype: p.computeDtype ?? null,
    totals: { ...result.totals, params: declaredParameters(base.model.metadata) ?? weights?.parameters ?? 0, weightBytes: weights?.bytes ?? 0 },
    topOps,
    opTypes: [...perType].map(([opType, r]) => ({ opType, ...r, share: total > 0 ? r.timeSeconds / total : 0 })).sort((a, b) => b.timeSeconds - a.timeSeconds),
    unmodelled: result.nodes.filter((n) => n.counted && !n.cost.cost.modelled).map((n) => ({ id: n.cost.record.id, opType: n.cost.record.node.opType, reason: n.cost.cost.reason ?? '' })),
    fusedGroups: result.fusedGroups,
    profileNotes: result.notes,
    energySources: energySources(),
    energyBasis: ENERGY_BASIS,
    costTree: buildCostTree(base.nodes, { naming: scopeNamingOf(base.model.producer.name), modelName: modelNameOf(base.model.path, base.model.graphName) }),
  };
}

/** The cost tree's root: the model file's name, else the graph's. */
function modelNameOf(path: string, graphName: string): string {
  return path.split(/[\\/]/).pop() || graphName || 'model';
}

/**
 * One report node, cost fields included when profiled. Built as one object literal (V8 gives every
 * node one shape; reports can hold 10^4 nodes and are rebuilt on every bindings change), with the
 * field order of the JSON schema.
 */
function reportNode(record: NodeRecord, profiled: ProfiledNode | undefined, values: ReportValues): ReportNode {
  const { node } = record;
  const inputs = record.inputs.map((v) => (v === null ? null : values.of(v)));
  const outputs = record.outputs.map((v) => values.of(v));
  if (!profiled) return { id: record.id, name: node.name, opType: node.opType, domain: node.domain || 'ai.onnx', graph: record.graph, opset: record.opset, status: record.status, inputs, outputs };
  const c = profiled.cost.cost;
  const k = profiled.cost.executions;
  const t = profiled.timing;
  return {
    id: record.id,
    name: node.name,
    opType: node.opType,
    domain: node.domain || 'ai.onnx',
    graph: record.graph,
    opset: record.opset,
    status: record.status,
    inputs,
    outputs,
    flops: c.flops,
    macs: c.macs,
    bytesRead: c.activationBytesRead + c.weightBytes,
    weightBytes: c.weightBytes,
    bytesWritten: c.bytesWritten,
    intensity: t.intensity,
    unit: c.unit,
    peakDtype: t.peak?.dtype ?? null,
    bound: t.bound,
    ridge: t.ridge,
    ridgeRatio: t.ridgeRatio,
    executions: k,
    timeSeconds: k * t.timeSeconds,
    computeSeconds: k * t.computeSeconds,
    memorySeconds: k * t.memorySeconds,
    overheadSeconds: k * t.overheadSeconds,
    ...(t.range === null ? {} : { timeLowSeconds: k * t.range.low, timeHighSeconds: k * t.range.high, rangeCalibrated: t.range.calibrated }),
    kernelClass: t.kernelClass,
    computeEfficiency: t.efficiency.compute,
    memoryEfficiency: t.efficiency.memory,
    energyJoules: k * (t.energy.arithmetic + t.energy.memory),
    modelled: c.modelled,
    reason: c.reason,
    counted: profiled.counted,
    notes: c.notes ? profiled.notes.concat(c.notes) : profiled.notes.slice(),
  };
}

function reportValue(value: ValueRecord): ReportValue {
  const type = value.type;
  if (type === null) return { name: value.name, dtype: 'unknown', shape: null, source: value.source };
  switch (type.kind) {
    case 'tensor':
      return { name: value.name, dtype: dataTypeName(type.dtype), shape: shapeJSON(type.shape), source: value.source };
    case 'sequence':
    case 'optional': {
      const elem = type.elem?.kind === 'tensor' ? { dtype: dataTypeName(type.elem.dtype), shape: shapeJSON(type.elem.shape) } : { dtype: type.elem?.kind ?? 'unknown', shape: null };
      return { name: value.name, dtype: type.kind, shape: null, elem, source: value.source };
    }
    case 'map':
      return { name: value.name, dtype: 'map', shape: null, source: value.source };
  }
}

/**
 * The report values of one report. A value's producer and each of its readers hold their own
 * ValueRecord but the same type object, so one ReportValue serves them all (built once, not once
 * per reading node).
 */
class ReportValues {
  private readonly byType = new Map<ValueType, ReportValue>();

  of(value: ValueRecord): ReportValue {
    if (value.type === null) return reportValue(value);
    const known = this.byType.get(value.type);
    if (known !== undefined && known.name === value.name && known.source === value.source) return known;
    const made = reportValue(value);
    if (known === undefined) this.byType.set(value.type, made);
    return made;
  }
}

/** Chart texts of one chart report: one per report value (report values are shared between a value's producer and readers). */
class ChartValues {
  private readonly made = new Map<ReportValue, string>();

  of(value: ReportValue | null): string {
    if (value === null) return tensorText(null);
    let text = this.made.get(value);
    if (text === undefined) this.made.set(value, (text = tensorText(value)));
    return text;
  }
}

/**
 * A node of the chart report: the fields the roofline panel reads (its points, tables and tooltips;
 * media/src/roofline-data.ts), its tensors as text. Nothing else: on the 5,003-node bench model this
 * report is 2.5 MB of JSON where the whole nodes made 3.9 MB, and the panel's update after a bindings
 * change waits for it to be written, sent and read.
 */
export interface ChartNode {
  readonly id: string;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly flops: number | undefined;
  readonly bytesRead: number | undefined;
  readonly bytesWritten: number | undefined;
  readonly unit: string | undefined;
  readonly peakDtype: string | null | undefined;
  readonly bound: string | undefined;
  readonly executions: number | undefined;
  readonly timeSeconds: number | undefined;
  readonly computeSeconds: number | undefined;
  readonly memorySeconds: number | undefined;
  readonly overheadSeconds: number | undefined;
  /** The time band (ReportNode's): the chart draws it as a whisker on the rate axis and in the tooltip. */
  readonly timeLowSeconds: number | undefined;
  readonly timeHighSeconds: number | undefined;
  readonly rangeCalibrated: boolean | undefined;
  readonly energyJoules: number | undefined;
  readonly modelled: boolean | undefined;
  readonly counted: boolean | undefined;
  readonly inputText: string[];
  readonly outputText: string[];
}

/** The report as the chart reads it (ProfileParams.detail = 'chart'). */
export type ChartReport = Omit<Report, 'nodes'> & { readonly nodes: ChartNode[] };

/**
 * One node of the chart report. Written out field by field rather than with rest/spread (V8 builds one
 * object shape; the spread copy took 90–190 ms on a 5,000-node model). Fields absent from the node stay
 * undefined, which the JSON leaves out.
 */
function chartNode(n: ReportNode, values: ChartValues): ChartNode {
  return {
    id: n.id,
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    flops: n.flops,
    bytesRead: n.bytesRead,
    bytesWritten: n.bytesWritten,
    unit: n.unit,
    peakDtype: n.peakDtype,
    bound: n.bound,
    executions: n.executions,
    timeSeconds: n.timeSeconds,
    computeSeconds: n.computeSeconds,
    memorySeconds: n.memorySeconds,
    overheadSeconds: n.overheadSeconds,
    timeLowSeconds: n.timeLowSeconds,
    timeHighSeconds: n.timeHighSeconds,
    rangeCalibrated: n.rangeCalibrated,
    energyJoules: n.energyJoules,
    modelled: n.modelled,
    counted: n.counted,
    inputText: n.inputs.map((v) => values.of(v)),
    outputText: n.outputs.map((v) => values.of(v)),
  };
}

/** Rows per module in the chart detail's cost tree (the panel redraws it on every report). */
export const CHART_TREE_CHILDREN = 50;

/** The report a chart draws (ProfileParams.detail = 'chart'): nodes as ChartNode, the cost tree pruned. */
export function chartDetail(report: Report): ChartReport {
  const values = new ChartValues();
  const nodes = report.nodes.map((n) => chartNode(n, values));
  return report.costTree ? { ...report, nodes, costTree: pruneCostTree(report.costTree, CHART_TREE_CHILDREN) } : { ...report, nodes };
}
