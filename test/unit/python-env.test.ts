/**
 * Which Python traced mode runs (setting, then the Python extension's interpreter, then python3 on PATH),
 * the settings that steer it, and `runPython`'s timeout and cancellation, which must end the whole
 * process group (a model file may start processes of its own).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { choosePython, runPython } from '../../server/src/python-env/python-exe';
import { readSettings } from '../../server/src/settings';
import { ensurePrerequisites } from '../support/prerequisites';

/** Running (a zombie that the container's init has not reaped yet is dead). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('python-env: choosing and running Python', () => {
  it('prefers ridgepoint.python.path, then the Python extension, then python3 on PATH', () => {
    assert.deepEqual(choosePython({ setting: '/opt/py/bin/python', pythonExtension: '/venv/bin/python' }), { executable: '/opt/py/bin/python', source: 'setting' });
    assert.deepEqual(choosePython({ setting: ' ', pythonExtension: '/venv/bin/python' }), { executable: '/venv/bin/python', source: 'python-extension' });
    assert.equal(choosePython({}).source, 'path');
  });

  it('reads the ridgepoint.python settings, replacing an invalid timeout by the default with a problem', () => {
    const fine = readSettings({ python: { path: ' /usr/bin/python3 ', traceTimeout: 5, traceOnSave: false } });
    assert.deepEqual(fine.settings.python, { path: '/usr/bin/python3', traceTimeout: 5, traceOnSave: false });
    const bad = readSettings({ python: { traceTimeout: 0 } });
    assert.equal(bad.settings.python.traceTimeout, 60);
    assert.ok(bad.problems.some((p) => p.includes('ridgepoint.python.traceTimeout')));
    assert.deepEqual(readSettings({}).settings.python, { path: '', traceTimeout: 60, traceOnSave: true });
  });

  it('a timeout kills the process group, background children included', async function () {
    ensurePrerequisites(this, { what: 'a POSIX shell at /bin/sh (process groups)', missing: () => (process.platform === 'win32' || spawnSync('/bin/sh', ['-c', 'true']).status !== 0 ? `not on ${process.platform}` : undefined), howToGet: 'run this test on Linux or macOS' });
    const started = Date.now();
    // The shell starts a background sleep and prints its pid, then waits: both must be gone after the kill.
    const run = await runPython('/bin/sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 500 });
    assert.equal(run.timedOut, true);
    assert.ok(Date.now() - started < 5000);
    const child = Number(run.stdout.trim());
    assert.ok(child > 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(child), false, 'the background child was killed with its group');
  });

  it('cancellation ends the run; a missing executable is reported, not thrown', async () => {
    const controller = new AbortController();
    const pending = runPython('/bin/sh', ['-c', 'sleep 30'], { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const run = await pending;
    assert.equal(run.cancelled, true);
    const missing = await runPython('/nonexistent/python3', [], { timeoutMs: 1000 });
    assert.match(missing.spawnError ?? '', /ENOENT/);
  });
});
