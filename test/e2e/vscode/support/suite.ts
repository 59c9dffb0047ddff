/**
 * What every VS Code e2e suite file shares: the machine checks, packaging the .vsix, one code-server for
 * the file (started in before(), stopped in after()), a fresh workbench per test, and failure screenshots
 * with the logs. `useCodeServer` registers those mocha hooks and hands the tests their state.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { CodeServer, INSTALL_SCRIPT, runScript, startCodeServer, tail } from './code-server';
import { CHROMIUM, launchChromium, openPaletteAt, openWorkbench, screenshot, toastTexts, Workbench } from './workbench';
import { CORPUS, corpusPrerequisite } from '../../../support/corpus';
import { chromiumPrerequisite, ensurePrerequisites, pathPrerequisite } from '../../../support/prerequisites';

export const ROOT = path.resolve(__dirname, '../../../..');
export { CORPUS };
export const ARTIFACTS = process.env.RIDGEPOINT_E2E_ARTIFACTS ? path.resolve(process.env.RIDGEPOINT_E2E_ARTIFACTS) : path.join(ROOT, 'test/e2e/.artifacts/vscode');
const VSIX = path.join(ROOT, 'dist/ridgepoint.vsix');
/** The user settings each test starts from. */
export const BASE_SETTINGS = path.join(ROOT, 'test/e2e/vscode/settings.json');

export function shot(name: string): string {
  return path.join(ARTIFACTS, name);
}

/** Fails (or, with RIDGEPOINT_ALLOW_SKIP=1, skips) with the apt packages to install when a machine prerequisite is missing. */
export function checkPrerequisites(context: Mocha.Context): void {
  ensurePrerequisites(
    context,
    chromiumPrerequisite(CHROMIUM),
    { what: 'ripgrep (seeds code-server\'s ripgrep download)', missing: () => (spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).status === 0 ? undefined : 'no rg on PATH'), howToGet: 'apt-get install -y ripgrep (.ci/run does)' },
    pathPrerequisite('libkrb5-dev (code-server\'s kerberos module builds from source)', '/usr/include/gssapi/gssapi.h', 'apt-get install -y libkrb5-dev (.ci/run does)'),
    corpusPrerequisite('models'),
  );
}

/** npm run package (or the same vsce call when the script is missing) → dist/ridgepoint.vsix, copied to `copy`. */
export function packageExtension(logFile: string, copy: string): string {
  if (process.env.RIDGEPOINT_E2E_VSIX) return path.resolve(process.env.RIDGEPOINT_E2E_VSIX);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const command = pkg.scripts?.package
    ? 'npm run package'
    : 'npm run build --silent && npx vsce package --no-dependencies --allow-missing-repository --skip-license -o dist/ridgepoint.vsix';
  fs.rmSync(VSIX, { force: true });
  fs.mkdirSync(path.dirname(copy), { recursive: true });
  const out = fs.openSync(logFile, 'w');
  try {
    const r = spawnSync('sh', ['-c', command], { cwd: ROOT, stdio: ['ignore', out, out] });
    assert.equal(r.status, 0, `${command} failed:\n${tail(logFile)}`);
  } finally {
    fs.closeSync(out);
  }
  assert.ok(fs.existsSync(VSIX), `${command} made no ${VSIX}:\n${tail(logFile)}`);
  // a copy: another run (npm run package) may rewrite dist/ridgepoint.vsix while this one installs it
  fs.copyFileSync(VSIX, copy);
  return copy;
}

/** All files under `dir` whose path matches `pattern`. */
export function findFiles(dir: string, pattern: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(p, pattern));
    else if (pattern.test(p)) out.push(p);
  }
  return out;
}

/** Copies code-server's and the extension host's logs (output channels included) next to the screenshots. */
export function saveLogs(runDir: string, label: string): string {
  const dest = shot(`${label}-logs`);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const files = [...findFiles(path.join(runDir, 'user-data/logs'), /\.log$/), path.join(runDir, 'code-server.log')].filter((f) => fs.existsSync(f));
  for (const f of files) fs.copyFileSync(f, path.join(dest, path.relative(runDir, f).replace(/[\\/]/g, '__')));
  return dest;
}

/** Toasts that say the extension host or the language server went down. */
export async function crashToasts(page: Page): Promise<string[]> {
  return (await toastTexts(page)).filter((t) => /terminated unexpectedly|crashed|server .* stopped|Couldn't start client/i.test(t));
}

/**
 * Waits until the workbench knows the extension's contributions (its palette commands show). A model
 * opened before that opens in the plain text editor ("binary file"), not in Ridgepoint's custom editor.
 */
export async function waitForExtension(page: Page): Promise<void> {
  await openPaletteAt(page, 'Ridgepoint: Restart Server', 45_000);
  await page.keyboard.press('Escape');
}

export interface SuiteState {
  /** The run's temp dir (removed in after() unless RIDGEPOINT_E2E_KEEP is set). */
  readonly tmp: string;
  /** The folder code-server opened. */
  readonly workspace: string;
  readonly server: CodeServer;
  readonly browser: Browser;
  /** The workbench of the running test. */
  readonly wb: Workbench;
}

export interface SuiteOptions {
  /** Prefix of this file's failure artifacts (`failed-<tag>-<test>.png`): each file clears only its own. */
  readonly tag: string;
  /** Fills the workspace folder before code-server starts. */
  readonly makeWorkspace: (dir: string) => void;
}

/**
 * Registers the suite's hooks: one code-server for the file, a fresh browser context per test, the user
 * settings reset before each test (tests change the chip and the theme), artifacts on failure. Returns the
 * state for the tests (valid inside a test).
 */
export function useCodeServer(options: SuiteOptions): () => SuiteState {
  let tmp = '';
  let workspace = '';
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench | undefined;
  const failedPrefix = `failed-${options.tag}-`;

  before(async function () {
    this.timeout(20 * 60_000);
    checkPrerequisites(this);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ridgepoint-vscode-e2e-${options.tag}-`));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // failure screenshots and logs of an earlier run of this file would mislead
    for (const stale of fs.readdirSync(ARTIFACTS).filter((f) => f.startsWith(failedPrefix))) fs.rmSync(path.join(ARTIFACTS, stale), { recursive: true, force: true });
    const t0 = Date.now();
    runScript(INSTALL_SCRIPT, [], path.join(tmp, 'install-code-server.log'), { ...process.env, TMPDIR: tmp });
    const t1 = Date.now();
    const vsix = packageExtension(path.join(tmp, 'package.log'), path.join(tmp, 'ridgepoint.vsix'));
    const t2 = Date.now();
    workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    options.makeWorkspace(workspace);
    server = await startCodeServer({ workspace, runDir: path.join(tmp, 'run'), vsix });
    browser = await launchChromium(path.join(tmp, 'browser-home'));
    console.log(`      code-server install ${((t1 - t0) / 1000).toFixed(1)} s, package ${((t2 - t1) / 1000).toFixed(1)} s, start ${((Date.now() - t2) / 1000).toFixed(1)} s; run dir ${server.runDir}`);
  });

  beforeEach(async function () {
    this.timeout(90_000);
    assert.ok(browser && server);
    // Picking a chip or a theme writes the user's settings: each test starts from the defaults (H100, dark).
    fs.copyFileSync(BASE_SETTINGS, path.join(server.runDir, 'user-data', 'User', 'settings.json'));
    fs.rmSync(path.join(workspace, '.vscode'), { recursive: true, force: true });
    wb = await openWorkbench(browser, server.url);
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (wb && test?.state === 'failed') {
      const label = `${failedPrefix}${test.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
      await screenshot(wb.page, shot(`${label}.png`)).catch(() => undefined);
      if (server) {
        const logs = saveLogs(server.runDir, label);
        fs.writeFileSync(path.join(logs, 'browser-console.txt'), [...wb.errors.map((e) => `pageerror: ${e}`), ...wb.console].join('\n'));
        console.log(`      screenshot ${shot(`${label}.png`)}, logs ${logs}`);
      }
    }
    await wb?.close();
    wb = undefined;
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await server?.stop();
    if (tmp && !process.env.RIDGEPOINT_E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  });

  return () => {
    assert.ok(server && browser && wb, 'the suite state is used inside a test');
    return { tmp, workspace, server, browser, wb };
  };
}
