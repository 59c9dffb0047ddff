/**
 * The report as the roofline panel's host posts it to the webview: each node reduced to what the panel
 * reads (roofline-data, the tables, the tooltips), with its tensors already as text. The webview
 * deserialises every object it is sent; on a 5,000-node model the full nodes and their tensor objects
 * (name, dtype, shape, source each) were about half of its update after a bindings change.
 * Pure: the extension (client/src/roofline-panel.ts) and bench/panel.ts both call it.
 */
import { valueText } from './roofline-data';
import type { ReportLike, ReportNodeLike } from './report-types';

/** Only the fields the panel uses; tensors as `float[1,16,14,14]` strings. */
export function panelNode(n: ReportNodeLike): ReportNodeLike {
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
    energyJoules: n.energyJoules,
    modelled: n.modelled,
    counted: n.counted,
    inputText: n.inputText ?? (n.inputs ?? []).map(valueText),
    outputText: n.outputText ?? (n.outputs ?? []).map(valueText),
  };
}

export function panelReport<R extends ReportLike>(report: R): R {
  return { ...report, nodes: report.nodes.map(panelNode) };
}
