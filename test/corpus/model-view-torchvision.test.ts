/**
 * The readable model view on real torch exports (issue 15: "Costs are off-screen", "No hierarchy"):
 * torchvision's resnet50 and vit_b_16 as torch.onnx.export writes them (test/support/torchvision.ts).
 *
 * - Every node of the report has a span, so hovers, hints and diagnostics reach every op.
 * - Lines a reader sees (outside the regions folded on open) fit 120 characters.
 * - The first screen (40 lines, folded regions closed) shows a node that costs time, not only
 *   initializers, weight inputs and Identity nodes.
 * - Groups follow torch's module names (resnet50's `layer1 › 0 › conv1`, vit's `encoder › layers › encoder_layer_0 › self_attention`).
 *
 * Without a Python with torch and torchvision the suite fails (test/support/prerequisites.ts).
 */
import * as assert from 'node:assert/strict';
import { readModel } from '../../server/src/analysis/onnx/reader';
import { renderModelView, RenderedView } from '../../server/src/analysis/onnx/view/printer';
import { scopeLabel } from '../../server/src/analysis/scope';
import { FileByteSource } from '../../server/src/cli/file-source';
import { profileFile } from '../../server/src/cli/profile';
import { loadTorchvisionTruth, profilingChip, requireTorchPython } from '../support/torchvision';

const MAX_VISIBLE_LINE = 120;
const FIRST_SCREEN_LINES = 40;

/** Lines shown when the view opens: those inside a details region (not its summary line) start folded. */
function visibleLines(view: RenderedView): number[] {
  const lineStarts = [0];
  for (let i = 0; i < view.text.length; i++) if (view.text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const hidden = new Set<number>();
  for (const region of view.layout.regions) {
    if (region.kind !== 'details') continue;
    for (let line = lineOf(region.start) + 1; line <= lineOf(region.end); line++) hidden.add(line);
  }
  return Array.from({ length: lineStarts.length }, (_, i) => i).filter((i) => !hidden.has(i));
}

describe('model view on real torchvision exports (issue 15)', function () {
  this.timeout(30 * 60_000);
  const exports = new Map<string, string>();

  before(async function () {
    requireTorchPython(this);
    const truth = await loadTorchvisionTruth({ only: ['resnet50', 'vit_b_16'], log: (line) => console.log(`    ${line}`) });
    for (const entry of truth.entries) if (entry.onnxPath) exports.set(entry.builder, entry.onnxPath);
    assert.deepEqual([...exports.keys()].sort(), ['resnet50', 'vit_b_16'], 'both exports made');
  });

  for (const [builder, firstGroups] of [
    ['resnet50', ['conv1', 'layer1', 'layer1 › 0', 'layer1 › 0 › conv1']],
    ['vit_b_16', ['conv_proj', 'encoder', 'encoder › layers', 'encoder › layers › encoder_layer_0', 'encoder › layers › encoder_layer_0 › ln_1', 'encoder › layers › encoder_layer_0 › self_attention']],
  ] as const) {
    it(`${builder}: a span per report node, short visible lines, a costed op on the first screen`, () => {
      const file = exports.get(builder) as string;
      const source = new FileByteSource(file);
      let view: RenderedView;
      try {
        const model = readModel(source).model;
        assert.ok(model, `${file} reads`);
        view = renderModelView(model);
      } finally {
        source.close();
      }
      const report = profileFile(file, { dim: new Map(), input: new Map(), profile: { chip: profilingChip(), peakMode: 'achievable' }, suggestions: false });
      assert.ok(report.totals && report.totals.timeSeconds > 0, 'the export is costed');
      const spans = new Map(view.layout.nodes.map((n) => [n.id, n]));
      const missing = report.nodes.filter((n) => !spans.has(n.id)).map((n) => n.id);
      assert.deepEqual(missing, [], 'every report node has a span');
      for (const node of report.nodes) {
        const span = spans.get(node.id);
        assert.equal(span && view.text.slice(span.op.start, span.op.end), node.opType, `${node.id}: its op token`);
      }

      const lines = view.text.split('\n');
      const visible = visibleLines(view);
      const long = visible.filter((i) => (lines[i] ?? '').length > MAX_VISIBLE_LINE).map((i) => `${i + 1}: ${lines[i] ?? ''}`);
      assert.deepEqual(long, [], `visible lines over ${MAX_VISIBLE_LINE} characters`);

      const timedLines = new Set(
        report.nodes
          .filter((n) => (n.timeSeconds ?? 0) > 0)
          .map((n) => spans.get(n.id))
          .map((span) => (span ? view.text.slice(0, span.statement.start).split('\n').length - 1 : -1)),
      );
      const firstScreen = visible.slice(0, FIRST_SCREEN_LINES);
      assert.ok(
        firstScreen.some((line) => timedLines.has(line)),
        `a costed node line among the first ${FIRST_SCREEN_LINES} visible lines:\n${firstScreen.map((i) => lines[i]).join('\n')}`,
      );

      const groups = view.layout.groups.filter((g) => g.graphPath === '').map((g) => scopeLabel(g.scope));
      for (const label of firstGroups) assert.ok(groups.includes(label), `a group ${label}: ${groups.slice(0, 12).join(' | ')}`);
      console.log(`      ${builder}: ${report.nodes.length} nodes, ${lines.length} lines (${visible.length} visible on open), ${groups.length} groups`);
    });
  }
});
