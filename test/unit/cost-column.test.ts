/**
 * The cost column at the start of the view's node lines (server/src/lsp/handlers/cost-column.ts): one
 * width for every line, figure-space padding, time over the model's total as the share. Expected
 * strings are written out by hand.
 */
import * as assert from 'node:assert/strict';
import { ReportNode } from '../../server/src/analysis/report';
import { costColumn } from '../../server/src/lsp/handlers/cost-column';

const F = '\u2007';

function reportNode(fields: Partial<ReportNode>): ReportNode {
  return { id: 'n0', name: '', opType: 'Conv', domain: '', graph: '', opset: 17, status: 'ok', inputs: [], outputs: [], ...fields };
}

describe('cost column', () => {
  it('time, share of the model and bound at fixed widths, padded with figure spaces', () => {
    // 3.01 µs of 30.1 µs is 10.0%; "3.01 µs" is 7 characters, padded to 9.
    assert.equal(costColumn([reportNode({ timeSeconds: 3.01e-6, bound: 'memory' })], 30.1e-6), `${F}${F}3.01 µs ${F}10.0% mem${F}│`);
    // 1.5 ms (four significant digits, trailing zeros dropped: `1.5 ms`, 6 characters) of 3 ms is 50.0%.
    assert.equal(costColumn([reportNode({ timeSeconds: 1.5e-3, bound: 'compute' })], 3e-3), `${F}${F}${F}1.5 ms ${F}50.0% comp│`);
  });

  it('keeps the width where there is nothing to time, and says so where the op is not modelled or not counted', () => {
    const width = costColumn([reportNode({ timeSeconds: 3.01e-6, bound: 'memory' })], 30.1e-6).length;
    const view = costColumn([reportNode({ timeSeconds: 0, bound: 'none' })], 30.1e-6);
    const unmodelled = costColumn([reportNode({ modelled: false })], 30.1e-6);
    const excluded = costColumn([reportNode({ timeSeconds: 2e-6, bound: 'memory', counted: false })], 30.1e-6);
    assert.equal(view, `${F.repeat(8)}— ${F.repeat(6)} ${F.repeat(4)}│`);
    assert.ok(unmodelled.includes('unknown') && excluded.includes('excluded'), `${unmodelled} / ${excluded}`);
    for (const text of [view, unmodelled, excluded, costColumn([], 1)]) assert.equal(text.length, width, JSON.stringify(text));
  });

  it('sums a function body node over its calls; mixed bounds say mix', () => {
    const calls = [reportNode({ id: 'n1/f/n0', timeSeconds: 1e-6, bound: 'memory' }), reportNode({ id: 'n2/f/n0', timeSeconds: 2e-6, bound: 'compute' })];
    // 1 + 2 = 3 µs (`3 µs`, 4 characters) of 6 µs.
    assert.equal(costColumn(calls, 6e-6), `${F.repeat(5)}3 µs ${F}50.0% mix${F}│`);
  });

  it('says "unbound", not "unknown", for an op whose sizes wait on unbound dims; "ovhd" for a launch-bound op', () => {
    const unsized = costColumn([reportNode({ modelled: false, reason: 'input "x" has unbound symbolic dims (N); bind them' })], 0);
    assert.equal(unsized, `${F.repeat(2)}unbound ${F.repeat(6)} ?${F.repeat(3)}│`);
    // 0.1 µs of memory time under a 3 µs per-kernel cost: the fixed cost bounds it.
    const launch = costColumn([reportNode({ timeSeconds: 3.1e-6, bound: 'memory', memorySeconds: 0.1e-6, computeSeconds: 0, overheadSeconds: 3e-6 })], 31e-6);
    assert.equal(launch, `${F.repeat(3)}3.1 µs ${F}10.0% ovhd│`);
  });
});
