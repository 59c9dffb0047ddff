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
import * as path from 'node:path';
import { Page } from 'playwright-core';
import { retry, waitUntil } from './vscode/support/retry';
import { CORPUS, crashToasts, shot, useCodeServer, waitForExtension } from './vscode/support/suite';
import {
  activeTab,
  findInEditor,
  hoverUntil,
  openFromExplorer,
  openPaletteAt,
  revealInEditor,
  runCommand,
  screenshot,
  statusBarItems,
  toastTexts,
  visible,
  waitForEditorText,
} from './vscode/support/workbench';

/** The workspace: two real models, and a truncated one. */
const CNN = 'mnist-8_cntk.onnx';
const TRANSFORMER = 'vespa_dummy_transformer.onnx';
const CORRUPT = 'corrupt-half.onnx';
const WORKSPACE_MODELS: ReadonlyArray<[string, string]> = [
  [CNN, 'models/cnn/mnist-8_cntk.onnx'],
  [TRANSFORMER, 'models/transformer/vespa_dummy_transformer.onnx'],
];

/**
 * A node line of the readable model view, `Conv   name (x, w)`, op type first (after the line-start
 * cost column, which ends in `│`): group 1 is the op name.
 */
const CONV_STATEMENT = /^(?:[^│]*│)?\s*(Conv)\s+\S/;
const MATMUL_STATEMENT = /^(?:[^│]*│)?\s*(MatMul)\s+\S/;
/** Work as the hover prints it: `313.6 kFLOP` (or FLOPs). */
const FLOPS = /\bFLOPs?\b|\d\s*[kMGTP]?FLOPs?\b/;
/** A time as the extension prints it. */
const TIME = /\d\s*(ns|µs|us|ms|s)\b/;

/**
 * Debian's python3-torchvision (.ci/run installs it), copied into the workspace at test time (never
 * committed): its Python sources as a package, so that resnet.py's `from ..utils import …` and
 * `from ._api import …` resolve as they do for a user who opens torchvision's own tree.
 */
const TORCHVISION = '/usr/lib/python3/dist-packages/torchvision';
/** Debian's Python with torch: ridgepoint.python.path in the e2e settings, and the ground truth here. */
const PYTHON = '/usr/bin/python3';
const RESNET = 'torchvision/models/resnet.py';
const VGG = 'torchvision/models/vgg.py';
/** README's screenshots (test/e2e/.artifacts/vscode/, copied by hand to docs/images/editor-pytorch-*.png). */
const RESNET_SHOT = 'resnet-hints.png';
const RESNET_ENTRY_SHOT = 'resnet-entry.png';
const VGG_SHOT = 'vgg-complete.png';
const INCOMPLETE_SHOT = 'pytorch-incomplete.png';

/**
 * A model of the user's own that truly cannot be counted from source: its head comes from timm, which
 * this Python does not have (`import timm` fails in it too; makeWorkspace checks). Hand count of what
 * is known: the stem conv 3·32·3·3 weights + 32 biases = 896 parameters; the head's are unknown. Of the
 * two layers that hold parameters (stem, head; the pool holds none), only the stem is resolved.
 */
const INCOMPLETE = 'classifier.py';
const INCOMPLETE_SOURCE = `import torch
import torch.nn as nn
from timm.layers import Mlp  # timm is not installed for this Python


class Classifier(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = Mlp(32, hidden_features=128, out_features=num_classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.stem(x))).flatten(1)
        return self.head(x)
`;
const INCOMPLETE_KNOWN_PARAMS = 3 * 32 * 3 * 3 + 32;

/** Ground truth from real torch: `sum(p.numel() for p in torchvision.models.<builder>().parameters())`. */
function torchParameterCounts(builders: readonly string[]): Record<string, number> {
  const script = `import json, torchvision\nprint(json.dumps({b: sum(p.numel() for p in getattr(torchvision.models, b)().parameters()) for b in ${JSON.stringify(builders)}}))`;
  const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 0, `${PYTHON} counting torchvision's parameters: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
}

/**
 * A count as the lens prints it (format/units.ts: four significant digits, trailing zeros dropped),
 * written out here for millions: 25,557,032 → `25.56 M`, 138,357,544 → `138.4 M`, 2,049,000 → `2.049 M`.
 */
function millions(n: number): string {
  return `${Number((n / 1e6).toPrecision(4))} M`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens a workspace file by its relative path (Go to File…), as a user opens one deep in a tree. */
function openByPath(page: Page, relative: string): () => Promise<void> {
  return async () => {
    await runCommand(page, 'Go to File...', 30_000);
    await page.keyboard.type(relative);
    await visible(page.locator('.quick-input-list .monaco-list-row', { hasText: path.dirname(relative) === '.' ? path.basename(relative) : path.dirname(relative) }).first(), 20_000);
    await page.keyboard.press('Enter');
  };
}

/**
 * The full profile of a Python model: pick the entry with its code lens ("Profile <entry>" on its def
 * line; none when the entry already is the file's default), set the input shape with the entry's lens.
 */
async function profilePythonEntry(page: Page, file: string, entry: string, entryLine: number, input: string, open: () => Promise<void>, pickEntry = true): Promise<void> {
  await waitForExtension(page);
  await open();
  await visible(activeTab(page).filter({ hasText: path.basename(file) }), 30_000);
  await waitForEditorText(page, /import torch/, 45_000);
  await goToLine(page, entryLine + 1);
  if (pickEntry) {
    const profileLens = codeLens(page, new RegExp(`^Profile ${entry}$`));
    await visible(profileLens, 60_000);
    await profileLens.click();
  }
  await visible(codeLens(page, /^Set input shape…$/), 60_000);
  await codeLens(page, /^Set input shape…$/).click();
  const inputBox = page.locator('.quick-input-widget', { hasText: `input shape for ${path.basename(file)}` }).locator('input');
  await visible(inputBox, 15_000);
  await inputBox.fill(input);
  await page.keyboard.press('Enter');
}

/**
 * The titles of the code lenses shown (rendered with text) that match. The DOM also holds lens elements
 * with no rendered text (lines out of view, lenses being replaced); those are logged, not counted.
 */
async function shownLenses(page: Page, title: RegExp): Promise<string[]> {
  const all = page.locator('.codelens-decoration a', { hasText: title });
  const texts = await all.allInnerTexts();
  const stale = await all.evaluateAll((elements) => elements.map((e) => e.textContent ?? ''));
  if (texts.some((t) => t.trim() === '')) console.log(`      (lens elements not shown: ${JSON.stringify(stale.filter((_, i) => (texts[i] ?? '').trim() === ''))})`);
  return texts.filter((t) => t.trim() !== '');
}

/** The Ridgepoint status bar entry's text. */
async function statusText(page: Page): Promise<string> {
  return (await statusBarItems(page)).find((i) => i.id.endsWith('ridgepoint.chip'))?.text ?? '';
}

/** Waits for an editor line (scrolled into view first) to carry an inlay hint that starts with `label` and has a time. */
async function hintOn(page: Page, line: number, code: RegExp, label: string, timeout = 60_000): Promise<string> {
  await goToLine(page, line + 1);
  const found = await waitUntil(
    async () => {
      const at = await findInEditor(page, code);
      // VS Code cuts a hint at 43 characters by default: params, time and bound come first.
      return at && at.line.includes(`${label} params · `) && TIME.test(at.line) && /(memory|compute|overhead)/.test(at.line) ? at : false;
    },
    { timeout, message: `the inlay hint "${label} params · <time> · <bound>" on line ${line + 1}` },
  ).catch(async (e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; the line reads ${JSON.stringify((await findInEditor(page, code))?.line)}`);
  });
  return found.line.trim();
}

/** The first code lens whose title matches. */
function codeLens(page: Page, title: RegExp) {
  return page.locator('.codelens-decoration a', { hasText: title }).first();
}

function makeWorkspace(dir: string): void {
  assert.ok(fs.existsSync(path.join(TORCHVISION, 'models/resnet.py')), `${TORCHVISION} is missing: apt-get install -y python3-torchvision (.ci/run does)`);
  // The package's Python sources (what resnet.py's and vgg.py's imports reach, and the rest of the package).
  fs.cpSync(TORCHVISION, path.join(dir, 'torchvision'), { recursive: true, filter: (f) => (fs.statSync(f).isDirectory() && path.basename(f) !== '__pycache__') || f.endsWith('.py') });
  const timm = spawnSync(PYTHON, ['-c', 'import timm'], { encoding: 'utf8' });
  assert.notEqual(timm.status, 0, `${INCOMPLETE} must import a package ${PYTHON} does not have, but timm is installed`);
  fs.writeFileSync(path.join(dir, INCOMPLETE), INCOMPLETE_SOURCE);
  for (const [name, source] of WORKSPACE_MODELS) fs.copyFileSync(path.join(CORPUS, source), path.join(dir, name));
  const whole = fs.readFileSync(path.join(CORPUS, 'models/cnn/mnist-8_cntk.onnx'));
  fs.writeFileSync(path.join(dir, CORRUPT), whole.subarray(0, Math.floor(whole.length / 2)));
}

/** Opens the CNN and waits for its view to show a Conv line. */
async function openCnn(page: Page): Promise<void> {
  await waitForExtension(page);
  await openFromExplorer(page, CNN);
  await visible(activeTab(page).filter({ hasText: 'mnist-8_cntk' }), 30_000);
  await waitForEditorText(page, /\w/, 45_000);
  await revealInEditor(page, CONV_STATEMENT, 1, 30_000);
}

/** Puts the active editor's cursor on a 1-based line (Go to Line/Column…), which scrolls it into view. */
async function goToLine(page: Page, line: number): Promise<void> {
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
  await runCommand(page, 'Go to Line/Column...', 20_000);
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/** The Ridgepoint chip's status bar entry (id `…ridgepoint.chip`). */
function chipItem(page: Page) {
  return page.locator('.statusbar-item[id$="ridgepoint.chip"]');
}

describe('VS Code extension end to end (code-server + chromium)', function () {
  const suite = useCodeServer({ tag: 'editor', makeWorkspace });
  let counted: Record<string, number> | undefined;
  before(function () {
    this.timeout(300_000);
    counted = torchParameterCounts(['resnet50', 'vgg16']);
    console.log(`      torch counts: ${JSON.stringify(counted)}`);
  });
  const truths = (): Record<string, number> => {
    assert.ok(counted, 'the parameter counts from torch (before())');
    return counted;
  };

  it('loads the workbench and lists the Ridgepoint commands in the palette', async function () {
    this.timeout(120_000);
    const { wb, server } = suite();
    const { page } = wb;
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

  it('opens a model from the explorer as the highlighted readable view', async function () {
    this.timeout(120_000);
    const { page } = suite().wb;
    await openCnn(page);
    // The view's TextMate grammar gives the op name its own token colour: a span of its own, another class than the inputs' `(`.
    const line = await waitUntil(
      async () => {
        const m = await findInEditor(page, CONV_STATEMENT, 1);
        if (!m) return false;
        const op = m.tokens.find((t) => t.text.trim() === 'Conv');
        const paren = m.tokens.find((t) => t.text.includes('('));
        return op && paren && /\bmtk\d+/.test(op.className) && op.className !== paren.className ? m : false;
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
    const { page } = suite().wb;
    await openCnn(page);
    const text = await hoverUntil(page, CONV_STATEMENT, 1, (t) => /Conv/.test(t) && FLOPS.test(t) && /bound/i.test(t) && TIME.test(t), 60_000);
    console.log(`      hover: ${JSON.stringify(text.slice(0, 300))}`);
    await screenshot(page, shot('hover.png'));
  });

  it('"Ridgepoint: Open as ONNX Text" opens the full textual syntax in an untitled ONNX Text editor', async function () {
    this.timeout(120_000);
    const { page } = suite().wb;
    await openCnn(page);
    await runCommand(page, 'Ridgepoint: Open as ONNX Text', 45_000);
    await visible(activeTab(page).filter({ hasText: /Untitled/ }), 30_000);
    // onnx.printer's format: `Y = Conv <…> (X, W)`, which the model view does not use.
    const statement = await waitForEditorText(page, /= (Conv)\b/, 30_000);
    const language = await page.locator('[id="status.editor.mode"]').innerText();
    assert.match(language, /ONNX Text/);
    console.log(`      ONNX text: ${JSON.stringify(statement.line.trim())}; language: ${JSON.stringify(language.trim())}`);
    // The untitled document is never saved: revert and close it.
    await runCommand(page, 'View: Revert and Close Editor', 20_000);
    await visible(activeTab(page).filter({ hasText: 'mnist-8_cntk' }), 30_000);
  });

  it('runs "Ridgepoint: Profile for H100" from the palette and shows the prediction', async function () {
    this.timeout(120_000);
    const { page } = suite().wb;
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
    const { page } = suite().wb;
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
    assert.ok(!fs.existsSync(path.join(suite().workspace, '.vscode')), 'picking a chip must not create .vscode/ in the workspace');
  });

  it('binds a transformer\'s symbolic dimension from the palette; the MatMul hover then has costs', async function () {
    this.timeout(120_000);
    const { page } = suite().wb;
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

  it("torchvision's resnet.py inside its package, static: resnet50 complete, its parameters as torch counts them, hints on its layer lines", async function () {
    this.timeout(240_000);
    const { page } = suite().wb;
    const source = fs.readFileSync(path.join(TORCHVISION, 'models/resnet.py'), 'utf8').split('\n');
    // ResNet.__init__'s stem: nn.Conv2d(3, 64, kernel_size=7, bias=False) holds 64·3·7·7 = 9,408 weights;
    // its head nn.Linear(512 * 4, 1000): 2048·1000 weights + 1000 biases = 2,049,000.
    const stemLabel = '9.408 k';
    const fcLabel = millions(2048 * 1000 + 1000);
    const stemLine = source.findIndex((l) => l.includes('self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7'));
    const fcLine = source.findIndex((l) => l.includes('self.fc = nn.Linear(512 * block.expansion, num_classes)'));
    const entryLine = source.findIndex((l) => l.startsWith('def resnet50('));
    assert.ok(stemLine > 0 && fcLine > 0 && entryLine > 0, 'the stem conv, the fc and resnet50 in torchvision/models/resnet.py');
    const truth = truths().resnet50 as number;
    await profilePythonEntry(page, RESNET, 'resnet50', entryLine, '1x3x224x224', openByPath(page, RESNET));
    // Complete: the whole count, not a lower bound (`≥ `), and no coverage lens.
    const entryLens = codeLens(page, new RegExp(`^${escapeRegExp(millions(truth))} params · .*per forward on NVIDIA H100`));
    const lensText = await waitUntil(async () => ((await entryLens.isVisible()) ? await entryLens.innerText() : false), { timeout: 90_000, message: `resnet50's code lens "${millions(truth)} params · … per forward on NVIDIA H100"` }).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; lenses: ${JSON.stringify(await page.locator('.codelens-decoration').allInnerTexts())}`);
    });
    console.log(`      resnet50 lens: ${JSON.stringify(lensText)}`);
    assert.deepEqual(await shownLenses(page, /incomplete/), []);
    const hover = await hoverUntil(page, /^def (resnet50)\(/, 1, (t) => /resnet50/.test(t) && /(Complete|Incomplete)/.test(t), 60_000);
    console.log(`      resnet50 hover: ${JSON.stringify(hover.slice(0, 300))}`);
    assert.ok(hover.includes(`(${truth.toLocaleString('en-US')})`), `the hover gives torch's ${truth.toLocaleString('en-US')} parameters exactly: ${hover}`);
    assert.match(hover, /Complete: /);
    // resnet50's lens and its hover (the exact count, the coverage) in one picture.
    await screenshot(page, shot(RESNET_ENTRY_SHOT));
    await page.mouse.move(5, 5);
    console.log(`      fc line: ${JSON.stringify(await hintOn(page, fcLine, /self\.fc = nn\.Linear\(512/, fcLabel))}`);
    console.log(`      stem conv line: ${JSON.stringify(await hintOn(page, stemLine, /self\.conv1 = nn\.Conv2d\(3, self\.inplanes/, stemLabel))}`);
    const status = await statusText(page);
    console.log(`      status bar: ${JSON.stringify(status)}`);
    assert.ok(/H100/.test(status) && TIME.test(status) && !/incomplete|≥/.test(status), `the status bar: the model's time, complete (${JSON.stringify(status)})`);
    assert.deepEqual(await crashToasts(page), []);
    // The ResNet class (its stem and first layers) and the status bar in one picture.
    await screenshot(page, shot(RESNET_SHOT));
  });

  it("traced mode on the same resnet.py: the lens says traced, the same exact parameters, the stem conv keeps its 9,408 and gets a time", async function () {
    this.timeout(300_000);
    const { page } = suite().wb;
    const source = fs.readFileSync(path.join(TORCHVISION, 'models/resnet.py'), 'utf8').split('\n');
    // 64·3·7·7 = 9,408 weights.
    const stemLabel = '9.408 k';
    const stemLine = source.findIndex((l) => l.includes('self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7'));
    const entryLine = source.findIndex((l) => l.startsWith('def resnet50('));
    const truth = truths().resnet50 as number;
    await profilePythonEntry(page, RESNET, 'resnet50', entryLine, '1x3x224x224', openByPath(page, RESNET));
    // Debian's Python with torch (ridgepoint.python.path in the e2e settings) runs the file: the workspace is trusted.
    const traceLens = codeLens(page, /Trace with Python/);
    await visible(traceLens, 90_000);
    await traceLens.click();
    const traced = codeLens(page, /^traced \(/);
    const tracedText = await waitUntil(async () => ((await traced.isVisible()) ? await traced.innerText() : false), { timeout: 180_000, message: 'the lens to say the traced result is shown' });
    const entryLens = await codeLens(page, /params · .*per forward on NVIDIA H100/).innerText();
    console.log(`      traced lens: ${JSON.stringify(tracedText)}; entry lens: ${JSON.stringify(entryLens)}`);
    assert.ok(entryLens.startsWith(`${millions(truth)} params · `), `traced: every parameter, not a lower bound: ${entryLens}`);
    assert.deepEqual(await shownLenses(page, /incomplete/), []);
    const hover = await hoverUntil(page, /^def (resnet50)\(/, 1, (t) => /resnet50/.test(t) && /(Complete|Incomplete)/.test(t), 60_000);
    console.log(`      resnet50 hover (traced): ${JSON.stringify(hover.slice(0, 300))}`);
    assert.ok(hover.includes(`(${truth.toLocaleString('en-US')})`), `the traced hover gives torch's ${truth.toLocaleString('en-US')} parameters exactly: ${hover}`);
    await screenshot(page, shot('resnet-traced-entry.png'));
    await page.mouse.move(5, 5);
    console.log(`      stem conv line (traced): ${JSON.stringify(await hintOn(page, stemLine, /self\.conv1 = nn\.Conv2d\(3, self\.inplanes/, stemLabel))}`);
    const status = await statusText(page);
    console.log(`      status bar: ${JSON.stringify(status)}`);
    assert.ok(TIME.test(status) && !/incomplete|≥/.test(status), `the status bar: the traced time, complete (${JSON.stringify(status)})`);
    await screenshot(page, shot('resnet-traced.png'));
  });

  it("torchvision's vgg.py inside its package: vgg16 complete, 138,357,544 parameters as torch counts them and as derived by hand", async function () {
    this.timeout(240_000);
    const { page } = suite().wb;
    const source = fs.readFileSync(path.join(TORCHVISION, 'models/vgg.py'), 'utf8').split('\n');
    const entryLine = source.findIndex((l) => l.startsWith('def vgg16('));
    assert.ok(entryLine > 0);
    // VGG-16 (configuration D) by hand: 13 3×3 convs (weights + biases), then 3 linear layers.
    const widths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];
    let params = 0;
    widths.forEach((out, i) => (params += (i === 0 ? 3 : (widths[i - 1] as number)) * out * 9 + out));
    params += 512 * 7 * 7 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000;
    assert.equal(params, truths().vgg16, 'the hand count is what torch counts');
    await profilePythonEntry(page, VGG, 'vgg16', entryLine, '1x3x224x224', openByPath(page, VGG));
    const entryLens = codeLens(page, new RegExp(`^${escapeRegExp(millions(params))} params · .*per forward on NVIDIA H100`));
    const lensText = await waitUntil(async () => ((await entryLens.isVisible()) ? await entryLens.innerText() : false), { timeout: 90_000, message: `vgg16's code lens "${millions(params)} params · …"` }).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; lenses: ${JSON.stringify(await page.locator('.codelens-decoration').allInnerTexts())}`);
    });
    console.log(`      vgg16 lens: ${JSON.stringify(lensText)}; status bar: ${JSON.stringify(await statusText(page))}`);
    assert.deepEqual(await shownLenses(page, /incomplete/), []);
    const hover = await hoverUntil(page, /^def (vgg16)\(/, 1, (t) => /vgg16/.test(t) && /(Complete|Incomplete)/.test(t), 60_000);
    assert.ok(hover.includes(`(${params.toLocaleString('en-US')})`) && /Complete: /.test(hover), `the hover: complete, ${params.toLocaleString('en-US')} parameters: ${hover}`);
    await waitUntil(async () => !/incomplete|≥/.test(await statusText(page)) && TIME.test(await statusText(page)), { timeout: 30_000, message: 'the status bar: a time, complete' });
    await screenshot(page, shot(VGG_SHOT));
  });

  it('a model whose head comes from a package this Python does not have: the lens, the status bar and Problems say incomplete, the totals are lower bounds', async function () {
    this.timeout(240_000);
    const { page } = suite().wb;
    const lines = INCOMPLETE_SOURCE.split('\n');
    const classLine = lines.findIndex((l) => l.startsWith('class Classifier('));
    // The only model in the file is its entry already: no "Profile Classifier" lens to pick it.
    await profilePythonEntry(page, INCOMPLETE, 'Classifier', classLine, '1x3x32x32', () => openFromExplorer(page, INCOMPLETE), false);
    const entryLens = codeLens(page, /params · .*per forward on NVIDIA H100/);
    const lensText = await waitUntil(async () => ((await entryLens.isVisible()) ? await entryLens.innerText() : false), { timeout: 90_000, message: "Classifier's code lens with its time" });
    const coverageLens = codeLens(page, /incomplete: .*see Problems/);
    await visible(coverageLens, 30_000);
    const coverage = await coverageLens.innerText();
    console.log(`      Classifier lens: ${JSON.stringify(lensText)}; coverage lens: ${JSON.stringify(coverage)}`);
    assert.match(coverage, /incomplete: 1 of 2 layers, see Problems$/, 'the head is a layer of unknown size, not a resolved one');
    // What is known (the stem) is counted, as a lower bound: the head's parameters are not.
    assert.ok(lensText.startsWith(`≥ ${INCOMPLETE_KNOWN_PARAMS} params · `), `a lower bound of the ${INCOMPLETE_KNOWN_PARAMS} parameters known: ${lensText}`);
    await waitUntil(async () => (await statusText(page)).includes(coverage.replace(/^\W+/, '')), { timeout: 30_000, message: `the status bar to say ${coverage} (${await statusText(page)})` });
    const status = await statusText(page);
    assert.match(status, /≥ /);
    console.log(`      status bar: ${JSON.stringify(status)}`);
    // The lens opens the Problems panel, which names the module that cannot be found, on its import line.
    await coverageLens.click();
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: /timm\.layers.*cannot be found/ }).first();
    await visible(problem, 30_000);
    // And the head, on its construction line, as an error: it is left out of the graph.
    const headLine = lines.findIndex((l) => l.includes('self.head = Mlp(')) + 1;
    const head = page.locator('.markers-panel .monaco-list-row', { hasText: new RegExp(`\`head\` \\(Mlp\\) is left out of the graph.*\\[Ln ${headLine}, `) }).first();
    await visible(head, 30_000);
    console.log(`      problems: ${JSON.stringify((await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).slice(0, 4))}`);
    assert.deepEqual(await crashToasts(page), []);
    await screenshot(page, shot(INCOMPLETE_SHOT));
  });

  it('opens a truncated model without crashing and still answers hovers on another model', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
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
