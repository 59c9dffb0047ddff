/**
 * The shape-inference oracle over ONNX's own operator tests: inferred output dtypes and shapes must
 * match the real outputs for at least 97% of the 1,802 tests. Prints a per-op table of failures.
 */
import * as assert from 'node:assert/strict';
import { corpusPrerequisite } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';
import { failureTable, runAll } from './oracle';

const REQUIRED = 0.97;

describe('shape inference vs ONNX backend node tests', function () {
  this.timeout(600_000);
  requireInSuite(corpusPrerequisite('onnx-backend/node'));

  it(`matches the recorded output dtypes and shapes for ≥ ${REQUIRED * 100}% of tests`, () => {
    const results = runAll();
    assert.ok(results.length >= 1800, `expected the full corpus, found ${results.length} tests`);
    const passed = results.filter((r) => r.pass).length;
    const crashed = results.filter((r) => r.reason?.startsWith('crashed'));
    const rows = failureTable(results).filter((r) => r.pass < r.total);
    console.log(`      ${passed}/${results.length} pass (${((100 * passed) / results.length).toFixed(1)}%); ops with failures:`);
    for (const row of rows) console.log(`        ${row.op.padEnd(40)} ${row.pass}/${row.total}`);
    for (const r of results.filter((x) => !x.pass)) console.log(`        ${r.test}: ${r.reason}`);
    assert.deepEqual(crashed.map((r) => r.test), [], 'no test may crash the analysis');
    assert.ok(passed / results.length >= REQUIRED, `${passed}/${results.length} is below ${REQUIRED * 100}%`);
  });
});
