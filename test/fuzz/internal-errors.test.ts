/**
 * The fuzz check must see a crash inside an op rule, which the engine and the cost model catch: rules
 * planted here in a test-only domain throw a real TypeError (shape rule) and RangeError (cost formula),
 * next to a rule that rejects the model on purpose (ShapeError) and plain Relu nodes. Each crash is an
 * internal-error diagnostic naming its op and asking for a report; the deliberate rejection is not; the
 * analysis carries on for every other node.
 */
import * as assert from 'node:assert/strict';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { registerCost, unmodelled } from '../../server/src/analysis/cost/types';
import { INTERNAL_ERROR_CODE } from '../../server/src/analysis/diagnostics';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { ShapeError, tensorOf } from '../../server/src/analysis/ops/helpers';
import { registerOps } from '../../server/src/analysis/ops/registry';
import { buildReport } from '../../server/src/analysis/report';
import { modelProto, valueInfo } from '../../scripts/lib/onnx-writer';
import { checkVariant, internalErrors } from './check-variant';

const FLOAT = 1;
const TEST_DOMAIN = 'ridgepoint.test';

/** Stands for any rule that reads a field of something it did not check (here: the attributes of a missing input). */
interface Facts {
  readonly dims: number[];
}
registerOps(TEST_DOMAIN, ['CrashesInShapeRule'], (ctx) => {
  const absent = ctx.input(5) as unknown as Facts;
  return [tensorOf(ctx.dtype(0), absent.dims)];
});
registerOps(TEST_DOMAIN, ['RejectsTheModel'], () => {
  throw new ShapeError('X must have rank 3, got rank 2');
});
registerOps(TEST_DOMAIN, ['CrashesInCostFormula'], (ctx) => {
  const x = ctx.input(0)?.type;
  return [x?.kind === 'tensor' ? x : null];
});
registerCost(TEST_DOMAIN, ['CrashesInCostFormula'], (ctx) => {
  // A length computed from sizes without a check: an Array of -1 elements throws RangeError.
  const scratch = new Array<number>((ctx.inputElements(0) ?? 0) - 7);
  return unmodelled(`never reached (${scratch.length})`);
});

const MODEL = modelProto({
  irVersion: 8,
  opsets: { '': 17, [TEST_DOMAIN]: 1 },
  graph: {
    name: 'planted',
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['a'], name: 'before' },
      { op: 'CrashesInShapeRule', domain: TEST_DOMAIN, inputs: ['a'], outputs: ['b'], name: 'shape_bug' },
      { op: 'RejectsTheModel', domain: TEST_DOMAIN, inputs: ['a'], outputs: ['c'], name: 'invalid' },
      { op: 'CrashesInCostFormula', domain: TEST_DOMAIN, inputs: ['a'], outputs: ['d'], name: 'cost_bug' },
      { op: 'Relu', inputs: ['d'], outputs: ['e'], name: 'after' },
    ],
    inputs: [valueInfo('x', FLOAT, [2, 3])],
    outputs: [valueInfo('b', FLOAT, null), valueInfo('c', FLOAT, null), valueInfo('e', FLOAT, null)],
  },
}).toBytes();

describe('fuzz check: a crash inside an op rule is an internal error', () => {
  it('the shape rule TypeError is an internal-error diagnostic at its node; the ShapeError is the model\'s fault; other nodes are inferred', () => {
    const analysis = analyzeModel(bytesSource(MODEL));
    const internal = analysis.diagnostics.filter((d) => d.code === INTERNAL_ERROR_CODE);
    assert.equal(internal.length, 1, JSON.stringify(analysis.diagnostics));
    assert.equal(internal[0]?.location?.node, 'n1');
    assert.match(internal[0]?.message ?? '', /ridgepoint\.test\.CrashesInShapeRule shape rule/);
    assert.match(internal[0]?.message ?? '', /TypeError: Cannot read properties of undefined/);
    assert.match(internal[0]?.message ?? '', /please report it/);
    const rejected = analysis.diagnostics.filter((d) => d.location?.node === 'n2');
    assert.deepEqual(rejected.map((d) => d.code), ['shape.inference-failed']);
    const byId = new Map((analysis.inference?.nodes ?? []).map((r) => [r.id, r]));
    assert.deepEqual(['n0', 'n1', 'n2', 'n3', 'n4'].map((id) => byId.get(id)?.status), ['inferred', 'error', 'error', 'inferred', 'inferred']);
    const after = byId.get('n4')?.outputs[0]?.type;
    assert.deepEqual(after?.kind === 'tensor' ? after.shape : null, [2, 3], 'the Relu after the crashing cost rule node is inferred from its input');
  });

  it('the cost formula RangeError is an internal-error diagnostic in the report; the other nodes are costed', () => {
    const analysis = analyzeModel(bytesSource(MODEL));
    const chip = findChip('h100');
    assert.ok(chip);
    const profiled = profileAnalysis(analysis, { chip, peakMode: 'datasheet' });
    assert.ok(profiled);
    const report = buildReport(analysis, 'planted.onnx', new Map(), profiled);
    const fromCost = report.diagnostics.filter((d) => d.code === INTERNAL_ERROR_CODE && d.location?.node === 'n3');
    assert.equal(fromCost.length, 1, JSON.stringify(report.diagnostics));
    assert.match(fromCost[0]?.message ?? '', /ridgepoint\.test\.CrashesInCostFormula cost formula .*RangeError: Invalid array length/);
    const costs = new Map(profiled.result.nodes.map((n) => [n.cost.record.id, n.cost.cost]));
    assert.equal(costs.get('n3')?.modelled, false);
    // Relu on 2×3 floats: one op per element, 24 bytes in and 24 out (independent of the crash next door).
    for (const id of ['n0', 'n4']) {
      const cost = costs.get(id);
      assert.equal(cost?.modelled, true, `${id} is costed`);
      assert.equal(cost?.flops, 6);
      assert.equal((cost?.activationBytesRead ?? 0) + (cost?.weightBytes ?? 0), 24);
      assert.equal(cost?.bytesWritten, 24);
    }
  });

  it('the fuzz test\'s per-variant check flags both, and nothing in a model without planted bugs', () => {
    const planted = checkVariant(MODEL, 'planted');
    assert.equal(planted.internalErrors.length, 2, planted.internalErrors.join('\n'));
    assert.ok(planted.internalErrors.some((e) => e.startsWith('n1: ') && e.includes('TypeError')));
    assert.ok(planted.internalErrors.some((e) => e.startsWith('n3: ') && e.includes('RangeError')));
    const clean = modelProto({
      irVersion: 8,
      opsets: { '': 17, [TEST_DOMAIN]: 1 },
      graph: { name: 'clean', nodes: [{ op: 'RejectsTheModel', domain: TEST_DOMAIN, inputs: ['x'], outputs: ['y'], name: 'invalid' }], inputs: [valueInfo('x', FLOAT, [2, 3])], outputs: [valueInfo('y', FLOAT, null)] },
    }).toBytes();
    const outcome = checkVariant(clean, 'clean');
    assert.deepEqual(outcome.internalErrors, [], 'a model the rules reject on purpose is no internal error');
    assert.equal(outcome.outcome, 'partial, with errors');
    assert.deepEqual(internalErrors([{ severity: 'error', code: 'shape.inference-failed', message: 'x' }]), []);
  });
});
