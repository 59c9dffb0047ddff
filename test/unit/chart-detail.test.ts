import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { builtinChips, findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { pruneCostTree } from '../../server/src/analysis/cost-tree';
import { buildReport, CHART_TREE_CHILDREN, chartDetail } from '../../server/src/analysis/report';

type Json = Record<string, unknown>;
interface JsonValue {
  readonly dtype: string;
  readonly shape: ReadonlyArray<number | string | null> | null;
}

/** docs/protocol.md's promise for a chart node, written out here: the fields the panel reads, tensors as `dtype[dims]`. */
function panelNode(n: Json): Json {
  const text = (v: JsonValue | null): string => (v === null ? '(none)' : v.shape === null ? `${v.dtype}[?]` : `${v.dtype}[${v.shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`);
  const kept = ['id', 'name', 'opType', 'domain', 'flops', 'bytesRead', 'bytesWritten', 'unit', 'peakDtype', 'bound', 'executions', 'timeSeconds', 'computeSeconds', 'memorySeconds', 'overheadSeconds', 'timeLowSeconds', 'timeHighSeconds', 'rangeCalibrated', 'energyJoules', 'modelled', 'counted'];
  const out: Json = {};
  for (const k of kept) if (n[k] !== undefined) out[k] = n[k];
  out.inputText = (n.inputs as Array<JsonValue | null>).map(text);
  out.outputText = (n.outputs as JsonValue[]).map(text);
  return out;
}

describe("chartDetail (ProfileParams.detail = 'chart')", () => {
  it('is the report with each node cut to what the panel reads, tensors as text (docs/protocol.md)', () => {
    const bindings = new Map([['batch', 2]]);
    const analysis = analyzeModel(bytesSource(fs.readFileSync(path.resolve(__dirname, '../../examples/tiny-vit.onnx'))), { bindings });
    const chip = findChip('h100', builtinChips());
    assert.ok(chip);
    const report = buildReport(analysis, 'tiny-vit.onnx', bindings, profileAnalysis(analysis, { chip, peakMode: 'achievable' }));
    const chart = JSON.parse(JSON.stringify(chartDetail(report))) as Record<string, unknown> & { nodes: unknown[] };
    // What the protocol promises, built independently from the full report's JSON.
    const full = JSON.parse(JSON.stringify(report)) as Record<string, unknown> & { nodes: Array<Record<string, unknown>> };
    const expected = {
      ...full,
      // The cost tree is cut to the costliest rows per module (the rest summed in one row): its own tests cover the pruning.
      costTree: JSON.parse(JSON.stringify(report.costTree ? pruneCostTree(report.costTree, CHART_TREE_CHILDREN) : null)) as unknown,
      nodes: full.nodes.map(panelNode),
    };
    assert.ok(report.nodes.some((n) => (n.notes ?? []).length > 0), 'the model has notes to leave out');
    assert.ok(report.nodes.some((n) => n.timeLowSeconds !== undefined && n.timeHighSeconds !== undefined), 'the model has time bands to keep');
    assert.deepEqual(chart, expected);
  });
});
