/**
 * The extension end to end in a real VS Code, offline: code-server 4.100.3 (VS Code 1.100.3, server +
 * web build, a Node extension host) with the packaged .vsix installed, driven in Debian's chromium
 * through playwright-core. The recipe and its pitfalls: ../shared/design/E2E.md; how to run it:
 * docs/e2e.md. Screenshots land in test/e2e/.artifacts/vscode/ (gitignored), with logs for failures.
 *
 * before() checks the Debian packages, installs code-server once (~1 min, test/e2e/vscode/code-server/
 * node_modules), packages the extension (npm run package), makes a workspace with corpus models and
 * starts code-server on a free port. Each test loads the workbench in a fresh browser context.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { CodeServer, INSTALL_SCRIPT, runScript, startCodeServer, tail } from './vscode/support/code-server';
import { retry, waitUntil } from './vscode/support/retry';
import {
  activeTab,
  CHROMIUM,
  findInEditor,
  hoverUntil,
  launchChromium,
  openFromExplorer,
  openPaletteAt,
  openWorkbench,
  revealInEditor,
  runCommand,
  screenshot,
  statusBarItems,
  toastTexts,
  visible,
  waitForEditorText,
  Workbench,
} from './vscode/support/workbench';

const ROOT = path.resolve(__dirname, '../..');
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const ARTIFACTS = process.env.RIDGEPOINT_E2E_ARTIFACTS ? path.resolve(process.env.RIDGEPOINT_E2E_ARTIFACTS) : path.join(ROOT, 'test/e2e/.artifacts/vscode');
const VSIX = path.join(ROOT, 'dist/ridgepoint.vsix');

/** The workspace: two real models, and a truncated one. */
const CNN = 'mnist-8_cntk.onnx';
const TRANSFORMER = 'vespa_dummy_transformer.onnx';
const CORRUPT = 'corrupt-half.onnx';
const WORKSPACE_MODELS: ReadonlyArray<[string, string]> = [
  [CNN, 'models/cnn/mnist-8_cntk.onnx'],
  [TRANSFORMER, 'models/transformer/vespa_dummy_transformer.onnx'],
];

/** A node statement of the textual syntax, `Y = Conv <…> (X, W)`: group 1 is the op name. */
const CONV_STATEMENT = /= (Conv)\b/;
const MATMUL_STATEMENT = /= (MatMul)\b/;
/** Work as the hover prints it: `313.6 kFLOP` (or FLOPs). */
const FLOPS = /\bFLOPs?\b|\d\s*[kMGTP]?FLOPs?\b/;
/** A time as the extension prints it. */
const TIME = /\d\s*(ns|µs|us|ms|s)\b/;

function shot(name: string): string {
  return path.join(ARTIFACTS, name);
}

/** Fails with the apt packages to install when a machine prerequisite is missing. */
function checkPrerequisites(): void {
  const missing: string[] = [];
  if (!fs.existsSync(CHROMIUM)) missing.push(`chromium (no browser at ${CHROMIUM})`);
  if (spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).status !== 0) missing.push('ripgrep (no rg on PATH: seeds code-server\'s ripgrep download)');
  if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev (no /usr/include/gssapi/gssapi.h: code-server\'s kerberos module builds from source)');
  assert.deepEqual(missing, [], `missing Debian packages for the VS Code e2e suite: ${missing.join('; ')}.\nInstall them with: apt-get update && apt-get install -y chromium ripgrep libkrb5-dev`);
  assert.ok(fs.existsSync(CORPUS), `no corpus at ${CORPUS} (../shared/corpus beside the repository)`);
}

/** npm run package (or the same vsce call when the script is missing) → dist/ridgepoint.vsix, copied to `copy`. */
function packageExtension(logFile: string, copy: string): string {
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

function makeWorkspace(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, source] of WORKSPACE_MODELS) fs.copyFileSync(path.join(CORPUS, source), path.join(dir, name));
  const whole = fs.readFileSync(path.join(CORPUS, 'models/cnn/mnist-8_cntk.onnx'));
  fs.writeFileSync(path.join(dir, CORRUPT), whole.subarray(0, Math.floor(whole.length / 2)));
}

/** All files under `dir` whose path matches `pattern`. */
function findFiles(dir: string, pattern: RegExp): string[] {
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
function saveLogs(runDir: string, label: string): string {
  const dest = shot(`${label}-logs`);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const files = [...findFiles(path.join(runDir, 'user-data/logs'), /\.log$/), path.join(runDir, 'code-server.log')].filter((f) => fs.existsSync(f));
  for (const f of files) fs.copyFileSync(f, path.join(dest, path.relative(runDir, f).replace(/[\\/]/g, '__')));
  return dest;
}

/** Toasts that say the extension host or the language server went down. */
async function crashToasts(page: Page): Promise<string[]> {
  return (await toastTexts(page)).filter((t) => /terminated unexpectedly|crashed|server .* stopped|Couldn't start client/i.test(t));
}

/**
 * Waits until the workbench knows the extension's contributions (its palette commands show). A model
 * opened before that opens in the plain text editor ("binary file"), not in Ridgepoint's custom editor.
 */
async function waitForExtension(page: Page): Promise<void> {
  await openPaletteAt(page, 'Ridgepoint: Restart Server', 45_000);
  await page.keyboard.press('Escape');
}

/** Opens the CNN and waits for its textual syntax to show a Conv statement. */
async function openCnn(page: Page): Promise<void> {
  await waitForExtension(page);
  await openFromExplorer(page, CNN);
  await visible(activeTab(page).filter({ hasText: 'mnist-8_cntk' }), 30_000);
  await waitForEditorText(page, /\w/, 45_000);
  await revealInEditor(page, CONV_STATEMENT, 1, 30_000);
}

/** The Ridgepoint chip's status bar entry (id `…ridgepoint.chip`). */
function chipItem(page: Page) {
  return page.locator('.statusbar-item[id$="ridgepoint.chip"]');
}

describe('VS Code extension end to end (code-server + chromium)', function () {
  let tmp = '';
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench | undefined;

  before(async function () {
    this.timeout(20 * 60_000);
    checkPrerequisites();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-vscode-e2e-'));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // failure screenshots and logs of an earlier run would mislead
    for (const stale of fs.readdirSync(ARTIFACTS).filter((f) => f.startsWith('failed-'))) fs.rmSync(path.join(ARTIFACTS, stale), { recursive: true, force: true });
    const t0 = Date.now();
    runScript(INSTALL_SCRIPT, [], path.join(tmp, 'install-code-server.log'), { ...process.env, TMPDIR: tmp });
    const t1 = Date.now();
    const vsix = packageExtension(path.join(tmp, 'package.log'), path.join(tmp, 'ridgepoint.vsix'));
    const t2 = Date.now();
    const workspace = path.join(tmp, 'workspace');
    makeWorkspace(workspace);
    server = await startCodeServer({ workspace, runDir: path.join(tmp, 'run'), vsix });
    browser = await launchChromium(path.join(tmp, 'browser-home'));
    console.log(`      code-server install ${((t1 - t0) / 1000).toFixed(1)} s, package ${((t2 - t1) / 1000).toFixed(1)} s, start ${((Date.now() - t2) / 1000).toFixed(1)} s; run dir ${server.runDir}`);
  });

  beforeEach(async function () {
    this.timeout(90_000);
    assert.ok(browser && server);
    // Picking a chip writes the user's settings: each test starts from the defaults (H100).
    fs.copyFileSync(path.join(__dirname, 'vscode', 'settings.json'), path.join(server.runDir, 'user-data', 'User', 'settings.json'));
    fs.rmSync(path.join(tmp, 'workspace/.vscode'), { recursive: true, force: true });
    wb = await openWorkbench(browser, server.url);
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (wb && test?.state === 'failed') {
      const label = `failed-${test.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
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

  it('loads the workbench and lists the Ridgepoint commands in the palette', async function () {
    this.timeout(120_000);
    assert.ok(wb);
    const { page } = wb;
    assert.ok(server);
    // The manifest of the extension as installed from the .vsix
    const installed = fs.readdirSync(path.join(server.runDir, 'extensions')).find((d) => d.startsWith('ridgepoint.ridgepoint-'));
    assert.ok(installed, `the .vsix is installed in ${server.runDir}/extensions`);
    const pkg = JSON.parse(fs.readFileSync(path.join(server.runDir, 'extensions', installed, 'package.json'), 'utf8')) as {
      contributes?: { commands?: Array<{ command: string; title: string; category?: string }>; menus?: { commandPalette?: Array<{ command: string; when?: string }> } };
    };
    const hiddenOrConditional = new Set((pkg.contributes?.menus?.commandPalette ?? []).filter((m) => m.when !== undefined).map((m) => m.command));
    const expected = (pkg.contributes?.commands ?? []).filter((c) => !hiddenOrConditional.has(c.command)).map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));
    assert.ok(expected.length > 0, 'package.json contributes Ridgepoint commands shown in the palette');
    await openPaletteAt(page, 'Ridgepoint:', 45_000);
    const rows = page.locator('.quick-input-list .monaco-list-row');
    const listed = await waitUntil(
      async () => {
        const texts = await rows.allInnerTexts();
        return expected.every((title) => texts.some((t) => t.includes(title))) ? texts : false;
      },
      { timeout: 10_000, message: `palette lists ${JSON.stringify(expected)}` },
    );
    console.log(`      palette: ${JSON.stringify(listed.map((t) => t.split('\n')[0]))}`);
    await screenshot(page, shot('palette.png'));
    await page.keyboard.press('Escape');
  });

  it('opens a model from the explorer as highlighted ONNX textual syntax', async function () {
    this.timeout(120_000);
    assert.ok(wb);
    const { page } = wb;
    await openCnn(page);
    // The TextMate grammar gives the op name its own token colour: a span of its own, another class than `=`.
    const line = await waitUntil(
      async () => {
        const m = await findInEditor(page, CONV_STATEMENT, 1);
        if (!m) return false;
        const op = m.tokens.find((t) => t.text.trim() === 'Conv');
        const eq = m.tokens.find((t) => t.text.includes('='));
        return op && eq && /\bmtk\d+/.test(op.className) && op.className !== eq.className ? m : false;
      },
      { timeout: 30_000, message: 'the op name Conv highlighted as its own token' },
    ).catch(async (e: unknown) => {
      const m = await findInEditor(page, CONV_STATEMENT, 1);
      throw new Error(`${e instanceof Error ? e.message : String(e)}; line tokens: ${JSON.stringify(m?.tokens)}`);
    });
    assert.ok(new Set(line.tokens.map((t) => t.className)).size >= 3, `several token classes on ${JSON.stringify(line.tokens)}`);
    console.log(`      line: ${JSON.stringify(line.line.trim())}`);
    await screenshot(page, shot('model-text.png'));
  });

  it('hovers a Conv op: op type, FLOPs, bound and a time', async function () {
    this.timeout(120_000);
    assert.ok(wb);
    const { page } = wb;
    await openCnn(page);
    const text = await hoverUntil(page, CONV_STATEMENT, 1, (t) => /Conv/.test(t) && FLOPS.test(t) && /bound/i.test(t) && TIME.test(t), 60_000);
    console.log(`      hover: ${JSON.stringify(text.slice(0, 300))}`);
    await screenshot(page, shot('hover.png'));
  });

  it('runs "Ridgepoint: Profile for H100" from the palette and shows the prediction', async function () {
    this.timeout(120_000);
    assert.ok(wb);
    const { page } = wb;
    await openCnn(page);
    await runCommand(page, 'Ridgepoint: Profile for H100', 45_000);
    const message = await waitUntil(async () => (await toastTexts(page)).find((t) => /H100/.test(t) && TIME.test(t)), {
      timeout: 45_000,
      message: 'a notification with H100 and a time',
    }).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; toasts: ${JSON.stringify(await toastTexts(page))}`);
    });
    console.log(`      notification: ${JSON.stringify(message)}; tabs: ${JSON.stringify(await page.locator('.tabs-container .tab').allInnerTexts())}`);
    // the progress notification ("profiling … Cancel") closes once the result is in
    await waitUntil(async () => !(await toastTexts(page)).some((t) => /profiling/.test(t)), { timeout: 15_000, message: 'the progress notification to close' }).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; toasts: ${JSON.stringify(await toastTexts(page))}`);
    });
    await screenshot(page, shot('profile-notification.png'));
  });

  it('shows the chip in the status bar; a click picks another chip (A100)', async function () {
    this.timeout(120_000);
    assert.ok(wb);
    const { page } = wb;
    await openCnn(page);
    const chip = chipItem(page);
    await retry(
      async () => {
        await visible(chip, 2_000);
        assert.match(await chip.innerText(), /H100/);
      },
      { timeout: 45_000, message: 'status bar chip with H100' },
    ).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; status bar: ${JSON.stringify(await statusBarItems(page))}`);
    });
    console.log(`      status bar chip: ${JSON.stringify(await chip.innerText())}`);
    await screenshot(page, shot('status-bar-h100.png'));
    await chip.locator('.statusbar-item-label').click();
    const input = page.locator('.quick-input-widget input');
    await visible(input);
    await input.fill('a100');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: /A100/ }).first();
    await visible(row);
    await screenshot(page, shot('chip-quick-pick.png'));
    await row.click();
    await retry(async () => assert.match(await chip.innerText(), /A100/), { timeout: 30_000, message: 'status bar chip with A100' }).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; status bar: ${JSON.stringify(await statusBarItems(page))}`);
    });
    console.log(`      status bar chip: ${JSON.stringify(await chip.innerText())}`);
    // the model's code lens (its total) follows the new chip too
    await visible(page.locator('.codelens-decoration', { hasText: 'A100' }), 30_000).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; code lenses: ${JSON.stringify(await page.locator('.codelens-decoration').allInnerTexts())}`);
    });
    await screenshot(page, shot('status-bar-a100.png'));
    // The choice went to the user's settings: nothing was written into the workspace (the user's repository).
    assert.ok(!fs.existsSync(path.join(tmp, 'workspace', '.vscode')), 'picking a chip must not create .vscode/ in the workspace');
  });

  it('binds a transformer\'s symbolic dimension from the palette; the MatMul hover then has costs', async function () {
    this.timeout(120_000);
    assert.ok(wb);
    const { page } = wb;
    await waitForExtension(page);
    await openFromExplorer(page, TRANSFORMER);
    await visible(activeTab(page).filter({ hasText: 'vespa_dummy_transformer' }), 30_000);
    await waitForEditorText(page, /\w/, 45_000);
    await revealInEditor(page, MATMUL_STATEMENT, 1, 30_000);
    // Its sequence dimension is named `tokens`, which the default bindings (batch, seq) leave open.
    const unbound = await hoverUntil(page, MATMUL_STATEMENT, 1, (t) => /MatMul/.test(t) && /unbound symbolic dims? \(tokens\)/.test(t), 60_000);
    console.log(`      hover before binding: ${JSON.stringify(unbound.slice(0, 300))}`);
    await page.mouse.move(5, 5);
    // Ridgepoint: Bind Symbolic Dimensions… asks for each symbolic dim in an input box.
    await runCommand(page, 'Ridgepoint: Bind Symbolic Dimensions…', 45_000);
    const widget = page.locator('.quick-input-widget');
    const title = widget.locator('.quick-input-title');
    const input = widget.locator('input');
    await visible(title.filter({ hasText: 'bind symbolic dimensions' }));
    // one input box per dim, titled `… (i/n)`: keep a prefilled binding, give the open ones 128
    const total = Number(/\(\d+\/(\d+)\)/.exec(await title.innerText())?.[1] ?? 0);
    assert.ok(total > 0, `a step count in ${JSON.stringify(await title.innerText())}`);
    const asked: string[] = [];
    for (let i = 1; i <= total; i++) {
      await visible(title.filter({ hasText: `(${i}/${total})` }));
      const prompt = await widget.locator('.quick-input-message').innerText().catch(() => '');
      if ((await input.inputValue()).trim() === '') await input.fill('128');
      asked.push(`${prompt.split(' (Press')[0]} = ${await input.inputValue()}`);
      await page.keyboard.press('Enter');
    }
    await widget.waitFor({ state: 'hidden', timeout: 10_000 });
    console.log(`      asked: ${JSON.stringify(asked)}`);
    const text = await hoverUntil(page, MATMUL_STATEMENT, 1, (t) => /MatMul/.test(t) && /\b128\b/.test(t) && FLOPS.test(t) && /bound/i.test(t) && TIME.test(t), 60_000);
    console.log(`      hover after binding: ${JSON.stringify(text.slice(0, 300))}`);
    await screenshot(page, shot('transformer-hover.png'));
  });

  it('opens a truncated model without crashing and still answers hovers on another model', async function () {
    this.timeout(150_000);
    assert.ok(wb);
    const { page } = wb;
    await waitForExtension(page);
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await visible(page.locator('.markers-panel-container'));
    await openFromExplorer(page, CORRUPT);
    await visible(activeTab(page).filter({ hasText: 'corrupt-half' }), 30_000);
    // Evidence that the extension noticed: a problem for the file, or a message naming it.
    const evidence = await waitUntil(
      async () => {
        const problems = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join(' | ');
        if (/corrupt-half/.test(problems) && (await page.locator('.markers-panel .monaco-list-row').count()) > 1) return `problems: ${problems}`;
        const message = (await toastTexts(page)).find((t) => /corrupt-half/.test(t));
        return message ? `message: ${message}` : false;
      },
      { timeout: 45_000, message: 'a diagnostic or a message about corrupt-half.onnx' },
    ).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; problems: ${JSON.stringify(await page.locator('.markers-panel .monaco-list-row').allInnerTexts())}; toasts: ${JSON.stringify(await toastTexts(page))}`);
    });
    console.log(`      corrupt model: ${JSON.stringify(evidence.slice(0, 300))}`);
    await screenshot(page, shot('corrupt-model.png'));
    assert.deepEqual(await crashToasts(page), []);
    await openCnn(page);
    const text = await hoverUntil(page, CONV_STATEMENT, 1, (t) => /Conv/.test(t) && FLOPS.test(t) && TIME.test(t), 60_000);
    console.log(`      hover after the corrupt model: ${JSON.stringify(text.slice(0, 120))}`);
    assert.deepEqual(await crashToasts(page), []);
  });
});
