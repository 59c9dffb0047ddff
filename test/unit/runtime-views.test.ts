import * as assert from 'node:assert/strict';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { buildReport } from '../../server/src/analysis/report';
import { formatTable } from '../../server/src/cli/format';
import { runtimeNote } from '../../server/src/format/runtime-text';
import { hintLabel } from '../../server/src/lsp/handlers/inlay-hints';
import { launchesText } from '../../media/src/report-types';
import { analyseText, builtinChip, ONNX_TEXT_HEADER as HEADER } from '../support/onnx-text';

/**
 * How the views name kernel launches and the runtime: the per-kernel figures come from chips.json (H100:
 * 3 µs eager) and cost/runtime.ts (1 µs a replayed graph node), written out here.
 */
const H100 = builtinChip('h100');

/** A 64 MiB Relu (20 µs of traffic at 3.35 TB/s: memory-bound) and a 32-byte Relu (overhead-bound). */
const MIXED = `${HEADER}g (float[4096,4096] big, float[1,8] small) => (float[4096,4096] y, float[1,8] z)
{
  y = Relu (big)
  z = Relu (small)
}`;

function reportOf(runtime: 'eager' | 'cuda-graphs' | 'compiled') {
  const { analysis, inferOptions } = analyseText(MIXED);
  const profiled = profileAnalysis(analysis, { chip: H100, peakMode: 'datasheet', runtime });
  assert.ok(profiled);
  return buildReport(analysis, 'mixed.onnx', inferOptions.bindings, profiled);
}

describe('views of the runtime and of kernel launches', () => {
  it('runtimeNote: nothing for eager; the per-kernel cost of a replayed graph otherwise', () => {
    assert.equal(H100.kernelOverheadUs, 3);
    assert.equal(runtimeNote('eager', H100), null);
    assert.equal(runtimeNote(undefined, H100), null);
    assert.equal(runtimeNote('cuda-graphs', H100), 'cuda-graphs: a replayed CUDA graph, 1 µs a kernel instead of 3 µs launched eagerly');
    assert.equal(runtimeNote('compiled', H100), "compiled: a replayed CUDA graph (1 µs a kernel) with elementwise chains fused into their producer's kernel");
    // A chip launching under 1 µs keeps its own figure (min of the two): the laptop CPU's 0.5 µs, written 500 ns.
    assert.match(runtimeNote('cuda-graphs', builtinChip('laptop-cpu')) ?? '', /500 ns a kernel instead of 500 ns/);
    assert.equal(runtimeNote('warp-drive', H100), null);
  });

  it('inlay hint: a launch-bound op names a runtime other than eager, other ops do not', () => {
    const report = reportOf('cuda-graphs');
    const [big, small] = report.nodes;
    assert.ok(big && small);
    assert.equal(small.bound, 'overhead');
    assert.equal(big.bound, 'memory');
    // 32 B in, 32 B out: 64 B / 3.35 TB/s = 0.019 ns, plus the graph node's 1 µs.
    assert.equal(hintLabel([small], 'cuda-graphs'), '1 µs · launch (cuda-graphs)');
    assert.equal(hintLabel([small], 'eager'), '1 µs · launch');
    assert.doesNotMatch(hintLabel([big], 'cuda-graphs') ?? '', /cuda-graphs/);
  });

  it('the report page and panel: the launch line with the runtime when not eager', () => {
    const eager = reportOf('eager');
    const t = eager.totals;
    assert.ok(t);
    // Eager: two kernels at 3 µs each, and 2 × 64 MiB + 64 B over 3.35 TB/s = 40.07 µs of traffic: 46.07 µs.
    const bytes = 2 * 4096 * 4096 * 4 + 2 * 8 * 4;
    const time = 6e-6 + bytes / (H100.memoryBandwidthGBs * 1e9);
    assert.ok(Math.abs(t.timeSeconds - time) < 1e-12, `${t.timeSeconds} vs ${time}`);
    // 6 / 46.07 = 13.0% launches; the small Relu's 3.00002 µs / 46.07 = 6.5% of the time is overhead-bound.
    assert.equal(launchesText(eager), '13% of the time (6.5% in overhead-bound ops)');
    assert.match(launchesText(reportOf('cuda-graphs')) ?? '', /^\d+(\.\d+)?% of the time \(\d+(\.\d+)?% in overhead-bound ops, cuda-graphs\)$/);
    // An older report without the overhead fields: no line rather than a wrong 0%.
    assert.equal(launchesText({ ...eager, totals: { ...t, overheadSeconds: undefined } }), null);
  });

  it('CLI top ops: bounds padded to the width of "overhead", so node ids line up', () => {
    const lines = formatTable(reportOf('eager')).split('\n');
    const start = lines.indexOf('Top ops by time:');
    const rows = lines.slice(start + 1, start + 3);
    assert.equal(rows.length, 2);
    assert.match(rows.join('\n'), /\bmemory\b/);
    assert.match(rows.join('\n'), /\boverhead\b/);
    const idColumn = rows.map((r) => r.search(/\bn[01] Relu/));
    assert.ok(idColumn[0] !== undefined && idColumn[0] > 0 && idColumn[0] === idColumn[1], rows.join('\n'));
    // Two spaces between the bound and the id even after the widest bound word.
    assert.ok(rows.some((r) => r.includes('overhead  n1 Relu')), rows.join('\n'));
  });
});
