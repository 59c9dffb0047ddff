/**
 * The test harness itself: a corpus test run with the corpus pointed at a folder that does not exist
 * (RIDGEPOINT_CORPUS) must fail, naming the folder and how to get it, never pass by running less; with
 * RIDGEPOINT_ALLOW_SKIP=1 it passes with a SKIPPED line and a count; CI ignores RIDGEPOINT_ALLOW_SKIP.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { SKIPPED_PREFIX } from '../support/prerequisites';

const ROOT = path.resolve(__dirname, '../..');
const MOCHA = require.resolve('mocha/bin/mocha.js');
const MISSING = path.join(os.tmpdir(), 'ridgepoint-no-corpus-here');
const CORPUS_TEST = 'test/corpus/models.test.ts';

function runCorpusTest(env: Record<string, string>): { status: number | null; output: string } {
  const base = { ...process.env };
  delete base.RIDGEPOINT_ALLOW_SKIP;
  delete base.CI;
  const run = spawnSync(process.execPath, [MOCHA, '--no-config', '--import=tsx', '--timeout', '120000', CORPUS_TEST], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...base, RIDGEPOINT_CORPUS: MISSING, ...env },
    timeout: 180_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('test prerequisites: a missing corpus is never a silent pass', function () {
  this.timeout(200_000);

  it('fails with what is missing and how to get it', () => {
    const { status, output } = runCorpusTest({});
    assert.notEqual(status, 0, output);
    assert.match(output, /"real models in the shared corpus" cannot run/);
    assert.ok(output.includes(`the shared corpus at ${path.join(MISSING, 'models')} is missing`), output);
    assert.match(output, /\.\.\/shared beside the checkout .* or set RIDGEPOINT_CORPUS/);
    assert.match(output, /set RIDGEPOINT_ALLOW_SKIP=1 to skip/);
    assert.match(output, /0 passing/);
  });

  it('with RIDGEPOINT_ALLOW_SKIP=1: passes, prints a SKIPPED line, counts the suite and its pending tests', () => {
    const { status, output } = runCorpusTest({ RIDGEPOINT_ALLOW_SKIP: '1' });
    assert.equal(status, 0, output);
    assert.ok(output.includes(`${SKIPPED_PREFIX} "real models in the shared corpus": the shared corpus at ${path.join(MISSING, 'models')} is missing`), output);
    assert.ok(output.includes(`${SKIPPED_PREFIX}: 1 suite(s) or test(s) did not run`), output);
    assert.match(output, /[1-9]\d* pending/);
  });

  it('in CI RIDGEPOINT_ALLOW_SKIP is ignored: it fails', () => {
    const { status, output } = runCorpusTest({ RIDGEPOINT_ALLOW_SKIP: '1', CI: 'true' });
    assert.notEqual(status, 0, output);
    assert.match(output, /CI must run every suite/);
    assert.ok(!output.includes(SKIPPED_PREFIX), output);
  });
});
