/**
 * What a test suite needs from outside the repository: the shared corpus, Debian's chromium, a Python with
 * torch. A suite that lacks one fails, naming what is missing and how to get it, so a run without it can
 * never pass by running less. RIDGEPOINT_ALLOW_SKIP=1 (a developer machine without, say, torch) skips the
 * suite instead: a SKIPPED line when it happens, its tests counted as pending by mocha, and a summary of
 * every skipped suite when the run ends. CI ignores RIDGEPOINT_ALLOW_SKIP: there everything must run.
 */
import * as fs from 'node:fs';

export interface Prerequisite {
  /** What is needed, e.g. "the shared corpus at /work/shared/corpus". */
  readonly what: string;
  /** Why it is missing (a short reason), or undefined when it is there. Called when the suite starts. */
  readonly missing: () => string | undefined;
  /** How to get it: a command to run or a variable to set. */
  readonly howToGet: string;
}

export const ALLOW_SKIP_VARIABLE = 'RIDGEPOINT_ALLOW_SKIP';
/** The start of the line printed for each skipped suite (the harness test looks for it). */
export const SKIPPED_PREFIX = `SKIPPED (${ALLOW_SKIP_VARIABLE}=1)`;

function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

function skipAllowed(): boolean {
  return process.env[ALLOW_SKIP_VARIABLE] === '1' && !inCi();
}

const skipped: string[] = [];

function recordSkip(line: string): void {
  if (skipped.length === 0) {
    // At exit, after mocha's own summary, so the count is the last thing a reader sees.
    process.on('exit', () => {
      process.stderr.write(`\n${SKIPPED_PREFIX}: ${skipped.length} suite(s) or test(s) did not run because something they need is missing:\n${skipped.map((s) => `  - ${s}\n`).join('')}`);
    });
  }
  skipped.push(line);
}

/**
 * Fails the running hook or test when a prerequisite is missing, or skips it (and, in a before() hook, its
 * whole suite) loudly when RIDGEPOINT_ALLOW_SKIP=1. Use it inside before(); `requireInSuite` registers that.
 */
export function ensurePrerequisites(context: Mocha.Context, ...needs: readonly Prerequisite[]): void {
  const absent = needs.flatMap((need) => {
    const why = need.missing();
    return why === undefined ? [] : [`${need.what} is missing (${why}); to get it: ${need.howToGet}`];
  });
  if (absent.length === 0) return;
  // In a before() hook the whole suite stops; in a test, that test.
  const runnable = context.test;
  const inHook = (runnable as { type?: string } | undefined)?.type === 'hook';
  const suite = (inHook ? runnable?.parent?.fullTitle() : runnable?.fullTitle()) || 'a test';
  if (!skipAllowed()) {
    const allow = inCi() ? `CI must run every suite (${ALLOW_SKIP_VARIABLE} is ignored when CI is set)` : `set ${ALLOW_SKIP_VARIABLE}=1 to skip such suites instead, with a count`;
    throw new Error(`"${suite}" cannot run: ${absent.join('; ')}. (${allow})`);
  }
  const line = `"${suite}": ${absent.join('; ')}`;
  console.warn(`\n  ${SKIPPED_PREFIX} ${line}\n`);
  recordSkip(line);
  context.skip();
}

/** In a describe() body: a before() hook that ensures `needs` (put it first, before hooks that use them). */
export function requireInSuite(...needs: readonly Prerequisite[]): void {
  before(function () {
    ensurePrerequisites(this, ...needs);
  });
}

/** A file or folder that must exist. */
export function pathPrerequisite(what: string, file: string, howToGet: string): Prerequisite {
  return { what: `${what} at ${file}`, missing: () => (fs.existsSync(file) ? undefined : 'no such file or folder'), howToGet };
}

/** The browser the e2e tests drive (Debian's chromium; playwright never downloads one). */
export function chromiumPrerequisite(executable: string): Prerequisite {
  return pathPrerequisite('a chromium browser', executable, 'apt-get install -y chromium (.ci/run does), or set RIDGEPOINT_CHROMIUM to a Chromium executable');
}
