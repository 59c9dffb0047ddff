import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { builtinChips, findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { pruneCostTree } from '../../server/src/analysis/cost-tree';
import { buildReport, CHART_TREE_CHILDREN, chartDetail } from '../../server/src/analysis/report';
import { panelNode } from '../../media/src/panel-report';
import type { ReportNodeLike } from '../../media/src/report-types';

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
      // Each node as the panel cuts a whole report's node (media/src/panel-report.ts, its own implementation).
      nodes: JSON.parse(JSON.stringify(full.nodes.map((n) => panelNode(n as unknown as ReportNodeLike)))) as unknown,
    };
    assert.ok(report.nodes.some((n) => (n.notes ?? []).length > 0), 'the model has notes to leave out');
    assert.deepEqual(chart, expected);
  });
});
