import { strict as assert } from 'node:assert';
import type { CostTreeNode } from '../../server/src/analysis/cost-tree';
import { boundIcon, moreLabel, rootDescription, rowDescription, rowTooltip, shownChildren } from '../../client/src/cost-tree-labels';

function row(fields: Partial<CostTreeNode>): CostTreeNode {
  return { name: 'layer1', path: 'layer1', kind: 'module', timeSeconds: 1.234e-3, share: 0.041, flops: 2.5e9, bytes: 3e6, bound: 'memory', nodeCount: 12, revealNodeId: 'n3', children: [], ...fields };
}

describe('Cost by Module rows', () => {
  it('describes a module by time, share and bound; an op by its type first', () => {
    assert.equal(rowDescription(row({})), '1.234 ms · 4.1% · memory');
    assert.equal(rowDescription(row({ kind: 'op', name: 'conv1', opType: 'Conv', timeSeconds: 6.46e-6, share: 0.012, bound: 'compute' })), 'Conv · 6.46 µs · 1.2% · compute');
    // An op named after its type does not say it twice; a view launches no kernel.
    assert.equal(rowDescription(row({ kind: 'op', name: 'Reshape', opType: 'Reshape', timeSeconds: 0, share: 0, bound: 'none' })), 'no kernel');
    assert.equal(rowDescription(row({ note: '1 op not modelled: not in the time' })), '1.234 ms · 4.1% · memory · ⚠');
    assert.equal(rootDescription(row({ kind: 'model', timeSeconds: 5.32e-4 }), 'NVIDIA H100 SXM5 80GB'), '532 µs per run on NVIDIA H100 SXM5 80GB');
  });

  it('explains a row in its tooltip, names from the model cleaned of control characters', () => {
    const text = rowTooltip(row({ path: 'enc\u0007oder › layers', bound: 'mixed', note: '2 ops not modelled: not in the time' }), 'NVIDIA A100');
    assert.match(text, /^enc\\u0007oder › layers \(module, 12 nodes\)/);
    assert.match(text, /Time 1\.234 ms per run · 4\.1% of the model on NVIDIA A100/);
    // Bytes are binary: 3,000,000 / 2^20 = 2.861 MiB.
    assert.match(text, /FLOPs 2\.5 G · bytes 2\.861 MiB read and written/);
    assert.match(text, /Bound: mixed: no bound holds 60% of its time/);
    assert.match(text, /⚠ 2 ops not modelled/);
  });

  it('colours by bound as the chart does', () => {
    assert.deepEqual(boundIcon('memory'), { id: 'database', color: 'charts.blue' });
    assert.deepEqual(boundIcon('compute'), { id: 'zap', color: 'charts.orange' });
    assert.equal(boundIcon('mixed').id, 'layers');
  });

  it('shows at most MAX_CHILDREN rows and sums the rest', () => {
    const children = Array.from({ length: 5 }, (_, i) => row({ name: `op${i}`, timeSeconds: (5 - i) * 1e-6, share: (5 - i) / 100 }));
    const { shown, rest } = shownChildren(row({ children }), 3);
    assert.deepEqual(
      shown.map((c) => c.name),
      ['op0', 'op1', 'op2'],
    );
    // The two cheapest: 2 µs + 1 µs, 2% + 1%.
    assert.ok(rest);
    assert.equal(moreLabel(rest), '… 2 more (3 µs · 3.0%)');
    assert.equal(shownChildren(row({ children }), 5).rest, null);
    // Rows the server already left out are added to the sum.
    const more = shownChildren(row({ children, more: { count: 10, timeSeconds: 1e-6, share: 0.01 } }), 3).rest;
    assert.ok(more);
    assert.equal(moreLabel(more), '… 12 more (4 µs · 4.0%)');
  });
});
