/**
 * The packaged .vsix in code-server (real VS Code 1.100.3) on real models nobody here wrote (issue 15):
 * torchvision's resnet50 and vit_b_16 exported with their weights by Debian's python3-torch (vit_b_16 is
 * 346 MB), a PP-OCR-like text detector whose batch, height and width are the dynamic dims Paddle2ONNX
 * names `p2o.DynamicDimension.0/1/2`, and LLaMA-2-7B's config.json. The exports are made in before()
 * (scripts/real-models-export.py, cached under os.tmpdir()); one code-server serves the whole file.
 *
 * For each model a screenshot (test/e2e/.artifacts/vscode/real-*.png, the path is printed) and, in the
 * viewport without scrolling (boxes inside the editor's text area or the window): a per-op cost at the
 * start of a node line, the "Cost by Module" tree with a module and its time, and a suggestion action.
 * The selectors are those agreed in INTERFACES.md (issue 15). Regression tests for the find widget that
 * blanked the view, for a large .onnx opened in the first seconds, and for the chip picker's matching.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Locator, Page } from 'playwright-core';
import { GiveUp, retry, waitUntil } from './vscode/support/retry';
import { linkOrCopy, LLAMA_CONFIG, realModelExports, RealModels } from './vscode/support/real-models';
import { ARTIFACTS, crashToasts, shot, useCodeServer, waitForExtension } from './vscode/support/suite';
import { assertBoxInViewport, Box, editorTextArea, expectInViewport } from './vscode/support/viewport';
import type { DomElement } from './vscode/support/dom';
import { activeTab, hoverWidget, openFromExplorer, runCommand, screenshot, statusBarItems, visible } from './vscode/support/workbench';

const RESNET = 'resnet50.onnx';
const VIT = 'vit_b_16.onnx';
const PPOCR = 'ppocr_det_like.onnx';
const LLAMA = 'llama-2-7b/config.json';
/** A time as the extension prints it. */
const TIME = /\d\s*(ns|µs|us|ms|s)\b/;
/** The PP-OCR-like export's dynamic dims: batch, height and width of its input x (scripts/real-models-export.py). */
const PPOCR_DIMS = ['p2o.DynamicDimension.0', 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'];
/** The built-in chip list (data, not Ridgepoint's output): which chip an exact id or alias names. */
const BUILT_IN_CHIPS = path.resolve(__dirname, '../../server/src/analysis/cost/chips.json');

let models: RealModels | undefined;

function makeWorkspace(dir: string): void {
  assert.ok(models, 'the exports are made before the workspace');
  linkOrCopy(models.files.resnet50, path.join(dir, RESNET));
  linkOrCopy(models.files.vit_b_16, path.join(dir, VIT));
  linkOrCopy(models.files.ppocr_det_like, path.join(dir, PPOCR));
  fs.mkdirSync(path.join(dir, path.dirname(LLAMA)), { recursive: true });
  fs.copyFileSync(LLAMA_CONFIG, path.join(dir, LLAMA));
}

/** The chip whose id or one of whose aliases is exactly `query`, from the built-in list. */
function chipNamed(query: string): { id: string; name: string } {
  const raw = JSON.parse(fs.readFileSync(BUILT_IN_CHIPS, 'utf8')) as Array<{ id: string; name: string; aliases?: string[] }> | { chips: Array<{ id: string; name: string; aliases?: string[] }> };
  const chips = Array.isArray(raw) ? raw : raw.chips;
  const exact = chips.filter((c) => c.id === query || (c.aliases ?? []).includes(query));
  assert.equal(exact.length, 1, `exactly one built-in chip has the id or alias ${query}: ${JSON.stringify(exact.map((c) => c.id))}`);
  return exact[0] as { id: string; name: string };
}

/** The editor's language mode as the status bar shows it ('' when no text editor is active). */
async function languageMode(page: Page): Promise<string> {
  return (await statusBarItems(page)).find((i) => i.id === 'status.editor.mode')?.text ?? '';
}

/** The Ridgepoint status bar entry's text. */
async function chipStatus(page: Page): Promise<string> {
  return (await statusBarItems(page)).find((i) => i.id.endsWith('ridgepoint.chip'))?.text ?? '';
}

/** What a binary or large file shown as text looks like: VS Code's placeholder, or control characters drawn as pictures. */
const BINARY_AS_TEXT = /Open Anyway|very large|binary|[\u2400-\u243f\ufffd]/i;

/** Waits until the active tab is `name` and shows the model view (rendered lines, not plain text); returns its first rendered text. */
async function waitForView(page: Page, name: string, timeout = 90_000): Promise<string> {
  return waitUntil(
    async () => {
      if ((await activeTab(page).filter({ hasText: path.basename(name) }).count()) === 0) return false;
      const mode = await languageMode(page);
      const text = await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText({ timeout: 1_000 }).catch(() => '');
      return mode !== '' && mode !== 'Plain Text' && /\w/.test(text) && !BINARY_AS_TEXT.test(text) ? text : false;
    },
    { timeout, message: `the model view of ${name}` },
  ).catch(async (e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; language ${JSON.stringify(await languageMode(page))}, tabs ${JSON.stringify(await page.locator('.tabs-container .tab').allInnerTexts())}`);
  });
}

/** Watches a model open until its view shows; fails at once if VS Code's text editor shows it, even for a moment. */
async function watchOpening(page: Page, name: string, toleratedTextMs = 0): Promise<string> {
  let asTextSince: number | null = null;
  return waitUntil(
    async () => {
      const mode = await languageMode(page);
      const text = await page.locator('.part.editor').innerText({ timeout: 1_000 }).catch(() => '');
      if (mode === 'Plain Text' || BINARY_AS_TEXT.test(text)) {
        asTextSince ??= Date.now();
        if (Date.now() - asTextSince >= toleratedTextMs) throw new GiveUp(`${name} opened in VS Code's text editor (${mode})${toleratedTextMs > 0 ? ` for over ${toleratedTextMs / 1000} s` : ''}: ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
        return false;
      }
      return (await activeTab(page).filter({ hasText: name }).count()) > 0 && mode !== '' && /\w/.test(text) ? mode : false;
    },
    { timeout: 90_000, intervals: [150], message: `the model view of ${name}` },
  );
}

/** Opens a workspace file by its relative path (Go to File…), as a user opens one in a folder. */
async function openByPath(page: Page, relative: string): Promise<void> {
  await runCommand(page, 'Go to File...', 30_000);
  await page.keyboard.type(relative);
  await visible(page.locator('.quick-input-list .monaco-list-row', { hasText: path.dirname(relative) }).first(), 20_000);
  await page.keyboard.press('Enter');
}

async function openModel(page: Page, name: string): Promise<string> {
  await waitForExtension(page);
  if (name.includes('/')) await openByPath(page, name);
  else await openFromExplorer(page, name);
  return waitForView(page, name);
}

interface LineStartHint {
  readonly hint: string;
  /** The rest of the rendered line. */
  readonly line: string;
  readonly box: Box;
  /** Where the line's first word (the op type) is drawn: the hover target. */
  readonly word: { readonly x: number; readonly y: number } | null;
}

/**
 * The editor rows that begin with an inlay hint (the line's first non-blank span is injected text,
 * `dyn-rule-*` / `ced-*`): the hint's text and box. Inlay hints are injected text in VS Code's DOM.
 */
async function lineStartHints(page: Page): Promise<LineStartHint[]> {
  const lines = page.locator('.editor-instance .monaco-editor .view-lines').first();
  if ((await lines.count()) === 0) return [];
  return lines.evaluate((root: unknown): LineStartHint[] => {
    const rows = (root as DomElement).querySelectorAll('.view-line');
    const out: LineStartHint[] = [];
    for (let r = 0; r < rows.length; r++) {
      const spans = rows[r].querySelectorAll('span > span');
      let hint = '';
      let line = '';
      let box: { x: number; y: number; right: number; bottom: number } | null = null;
      let started = false;
      let inHint = true;
      let word: { x: number; y: number } | null = null;
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i];
        const text = (span.textContent ?? '').replace(/\u00a0/g, ' ');
        const injected = /\b(dyn-rule-|ced-)/.test(span.className);
        if (!started && !injected && text.trim() === '') continue;
        started = true;
        if (inHint && injected) {
          hint += text;
          const rect = span.getBoundingClientRect();
          box = box
            ? { x: Math.min(box.x, rect.x), y: Math.min(box.y, rect.y), right: Math.max(box.right, rect.x + rect.width), bottom: Math.max(box.bottom, rect.y + rect.height) }
            : { x: rect.x, y: rect.y, right: rect.x + rect.width, bottom: rect.y + rect.height };
        } else {
          inHint = false;
          line += text;
          if (word === null && text.trim() !== '') {
            // Inside the end of the first word-bearing span: its leading blanks, if merged into it, come first.
            const rect = span.getBoundingClientRect();
            word = { x: rect.x + rect.width - 3, y: rect.y + rect.height / 2 };
          }
        }
      }
      if (box && hint.trim() !== '') out.push({ hint: hint.trim(), line: line.trim(), box: { x: box.x, y: box.y, width: box.right - box.x, height: box.bottom - box.y }, word });
    }
    return out;
  });
}

/** Rendered editor text spans whose boxes lie inside the text area: how many rows (by y) show text. */
async function rowsShowingText(page: Page, area: Box): Promise<number> {
  const lines = page.locator('.editor-instance .monaco-editor .view-lines').first();
  return lines.evaluate((root: unknown, a: Box): number => {
    const spans = (root as DomElement).querySelectorAll('.view-line span > span');
    const rows = new Set<number>();
    for (let i = 0; i < spans.length; i++) {
      if ((spans[i].textContent ?? '').replace(/\u00a0/g, ' ').trim() === '') continue;
      const r = spans[i].getBoundingClientRect();
      if (r.width > 0 && r.x < a.x + a.width && r.x + r.width > a.x && r.y >= a.y - 1 && r.y + r.height <= a.y + a.height + 1) rows.add(Math.round(r.y));
    }
    return rows.size;
  }, area);
}

/**
 * A per-op cost in view: a row of the first screen that starts with an inlay hint holding a time, inside
 * the editor's text area; hovering the text right after it shows a node's hover (its FLOPs and bound),
 * so it is a node line. Nothing is scrolled.
 */
async function assertLineStartCost(page: Page, label: string, cost: RegExp = TIME): Promise<LineStartHint> {
  const area = await editorTextArea(page);
  const found = await waitUntil(
    async () => {
      const hints = await lineStartHints(page);
      return hints.find((h) => cost.test(h.hint) && h.box.x >= area.x - 1 && h.box.x + h.box.width <= area.x + area.width + 1 && h.box.y >= area.y && h.box.y + h.box.height <= area.y + area.height);
    },
    { timeout: 60_000, message: `${label}: an inlay hint with a time at the start of a node line on the first screen` },
  ).catch(async (e: unknown) => {
    const hints = await lineStartHints(page);
    const rows = await page.locator('.editor-instance .monaco-editor .view-line').allInnerTexts();
    throw new Error(`${e instanceof Error ? e.message : String(e)}; line-start hints: ${JSON.stringify(hints.slice(0, 5))}; first rows: ${JSON.stringify(rows.slice(0, 8).map((r) => r.slice(0, 120)))}`);
  });
  assertBoxInViewport(page, found.box, `${label}: the cost hint "${found.hint}"`, area);
  // The line is a node's: its hover (on its op type, the first word after the hint) gives the node's FLOPs and bound.
  const hover = hoverWidget(page);
  const text = await retry(
    async () => {
      // Lenses arriving (the suggestions, once computed) move the lines: find the line again each try.
      const now = (await lineStartHints(page)).find((h) => h.line === found.line) ?? found;
      const x = now.word?.x ?? now.box.x + now.box.width + 14;
      const y = now.word?.y ?? now.box.y + now.box.height / 2;
      await page.mouse.move(5, 5);
      await page.mouse.move(x, y, { steps: 2 });
      await hover.waitFor({ state: 'visible', timeout: 3_000 });
      return waitUntil(
        async () => {
          const t = await hover.innerText().catch(() => '');
          return /FLOP/.test(t) && /bound/i.test(t) ? t : false;
        },
        { timeout: 3_000, message: 'a node hover' },
      );
    },
    { timeout: 30_000, message: `${label}: a node's hover on the line of "${found.hint}" (${found.line.slice(0, 80)})` },
  );
  await page.mouse.move(5, 5);
  console.log(`      ${label} line-start cost: ${JSON.stringify(found.hint)} on ${JSON.stringify(found.line.slice(0, 80))}; hover ${JSON.stringify(text.slice(0, 100))}`);
  return found;
}

/** The Explorer's "Cost by Module" view: expanded, its first rows showing a module and a time, inside the window. */
async function assertCostTree(page: Page, label: string, cost: RegExp = TIME): Promise<string> {
  const header = page.locator('.pane-header', { hasText: /Cost by Module/i }).first();
  await visible(header, 30_000).catch(async (e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; side-bar views: ${JSON.stringify(await page.locator('.pane-header').allInnerTexts())}`);
  });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  // The Explorer's file list can take the whole side bar, leaving this view expanded but 0 px high (its
  // virtual list then renders no row: CI saw "rows: []" once): fold the file list while looking.
  const files = page.locator('.pane-header', { hasText: /^\s*workspace/i }).first();
  const folded = (await files.count()) > 0 && (await files.getAttribute('aria-expanded')) === 'true';
  if (folded) await files.click();
  try {
    return await costTreeRow(page, header, label, cost);
  } finally {
    if (folded) await files.click();
  }
}

async function costTreeRow(page: Page, header: Locator, label: string, cost: RegExp): Promise<string> {
  const pane = page.locator('.pane', { has: header });
  const rows = pane.locator('.monaco-list-row');
  const row = await waitUntil(
    async () => {
      const n = Math.min(await rows.count(), 8);
      for (let i = 0; i < n; i++) {
        const text = (await rows.nth(i).innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
        // A module: a name of its own (not the model's file) with its time.
        if (cost.test(text) && /[A-Za-z_]{2,}/.test(text.replace(cost, '')) && !text.includes(path.basename(label))) return { locator: rows.nth(i), text };
      }
      return false;
    },
    { timeout: 60_000, message: `${label}: a module row with a time in "Cost by Module"` },
  ).catch(async (e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; rows: ${JSON.stringify(await rows.allInnerTexts())}`);
  });
  await expectInViewport(row.locator, `${label}: the cost tree row "${row.text}"`);
  console.log(`      ${label} cost tree: ${JSON.stringify((await rows.allInnerTexts()).slice(0, 4).map((t) => t.replace(/\s+/g, ' ')))}`);
  return row.text;
}

/** The code action menu's rows (Ctrl+.). */
function actionRows(page: Page): Locator {
  return page.locator('.action-widget .monaco-list-row');
}

/** Ctrl+. where the cursor is: the "Ridgepoint:" item of the menu, if any (the menu is closed again). */
async function ridgepointQuickFix(page: Page): Promise<{ text: string; box: Box } | null> {
  await page.keyboard.press('Control+.');
  // Editable documents: VS Code's code action menu. The read-only model view: VS Code disables its own
  // Quick Fix there, so Ctrl+. runs "Ridgepoint: Suggestions for This Line…", a quick pick of the same actions.
  const menu = actionRows(page).filter({ hasText: /^\s*Ridgepoint:/ });
  const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: /^\s*Ridgepoint:/ });
  const item = menu.or(pick).first();
  const shown = await item.waitFor({ state: 'visible', timeout: 10_000 }).then(
    () => true,
    () => false,
  );
  const result = shown ? { text: (await item.innerText()).trim(), box: assertBoxInViewport(page, await item.boundingBox(), 'the "Ridgepoint:" code action') } : null;
  if (!shown) console.log(`      (Ctrl+. listed ${JSON.stringify(await actionRows(page).allInnerTexts())})`);
  await page.keyboard.press('Escape');
  return result;
}

/**
 * A suggestion the user can act on where they work: the top "Suggestion:" code lens inside the editor's
 * text area, or Ctrl+. on a node line (the one given, else the first problem of the file, F8) offering an
 * item that starts "Ridgepoint:".
 */
async function assertSuggestionAction(page: Page, label: string, nodeLine?: LineStartHint): Promise<string> {
  const area = await editorTextArea(page);
  const lens = page.locator('.codelens-decoration a', { hasText: /^Suggestion:/ }).first();
  if (await lens.isVisible().catch(() => false)) {
    const box = await lens.boundingBox();
    if (box && box.x >= area.x - 1 && box.x + box.width <= area.x + area.width + 1 && box.y >= area.y && box.y + box.height <= area.y + area.height) {
      const text = await lens.innerText();
      console.log(`      ${label} suggestion lens: ${JSON.stringify(text)}`);
      return text;
    }
  }
  const tried: string[] = [];
  if (nodeLine) {
    // The cursor on the node line: a click on its text, right of the hint.
    await page.mouse.click(nodeLine.word?.x ?? nodeLine.box.x + nodeLine.box.width + 14, nodeLine.word?.y ?? nodeLine.box.y + nodeLine.box.height / 2);
    const fix = await ridgepointQuickFix(page);
    if (fix) {
      console.log(`      ${label} Ctrl+. on a node line: ${JSON.stringify(fix.text)}`);
      return fix.text;
    }
    tried.push('Ctrl+. on the node line of the cost hint');
  }
  // The first problem of the file (F8 puts the cursor on it), then Ctrl+. there.
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
  await page.keyboard.press('F8');
  await page.keyboard.press('Escape');
  const fix = await ridgepointQuickFix(page);
  if (fix) {
    console.log(`      ${label} Ctrl+. on the first problem: ${JSON.stringify(fix.text)}`);
    return fix.text;
  }
  tried.push('Ctrl+. on the first problem (F8)');
  const lenses = await page.locator('.codelens-decoration').allInnerTexts();
  assert.fail(`${label}: no suggestion action in view: no "Suggestion:" code lens inside the editor, nothing starting "Ridgepoint:" after ${tried.join(', ')}; lenses ${JSON.stringify(lenses.slice(0, 6))}`);
}

/** The code lenses rendered with text. */
async function lensTexts(page: Page): Promise<string[]> {
  return (await page.locator('.codelens-decoration a').allInnerTexts()).filter((t) => t.trim() !== '');
}

async function realShot(page: Page, name: string): Promise<void> {
  const file = shot(`real-${name}.png`);
  // The Explorer's file list folded for the picture, so the cost tree has the side bar's height.
  const files = page.locator('.pane-header', { hasText: /^\s*workspace/i }).first();
  const folded = (await files.count()) > 0 && (await files.getAttribute('aria-expanded')) === 'true';
  if (folded) await files.click();
  // Away from any tooltip's trigger (the window's title bar), and the tooltip given time to go.
  await page.mouse.move(700, 8, { steps: 5 });
  await page.waitForTimeout(800);
  await screenshot(page, file);
  if (folded) await files.click();
  console.log(`      screenshot ${file}`);
}

describe('VS Code on real models: torchvision exports, a PP-OCR-like detector, LLaMA-2-7B config (code-server + chromium)', function () {
  before(async function () {
    this.timeout(10 * 60_000);
    const started = Date.now();
    models = await realModelExports((line) => console.log(`      ${line}`));
    const sizes = Object.entries(models.files).map(([name, file]) => `${name} ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
    console.log(`      real exports (torch ${models.torch}, torchvision ${models.torchvision}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${sizes.join(', ')}; screenshots in ${ARTIFACTS}`);
  });
  const suite = useCodeServer({ tag: 'real', makeWorkspace });

  // First in the file: the workbench has just loaded, VS Code may not know the installed extensions yet.
  it('a 346 MB vit_b_16.onnx opened in the first seconds becomes the model view within seconds; later opens never show text', async function () {
    this.timeout(180_000);
    const { page } = suite().wb;
    assert.ok(fs.statSync(path.join(suite().workspace, VIT)).size > 300e6, 'vit_b_16 with its weights: a large file');
    const opened = Date.now();
    await openFromExplorer(page, VIT, 30_000);
    const states: string[] = [];
    let asTextSince: number | null = null;
    let asTextMs = 0;
    const viewText = await waitUntil(
      async () => {
        const mode = await languageMode(page);
        const text = (await page.locator('.part.editor').innerText({ timeout: 1_000 }).catch(() => '')).replace(/\s+/g, ' ').slice(0, 400);
        const state = `${mode || '-'}: ${text.slice(0, 100)}`;
        if (states.at(-1)?.replace(/^\S+ s /, '') !== state) states.push(`${((Date.now() - opened) / 1000).toFixed(1)} s ${state}`);
        // VS Code's own text editor: "very large … Open Anyway", or the bytes drawn as text.
        const asText = mode === 'Plain Text' || BINARY_AS_TEXT.test(text);
        if (asText && asTextSince === null) asTextSince = Date.now();
        if (!asText && asTextSince !== null) {
          asTextMs += Date.now() - asTextSince;
          asTextSince = null;
        }
        return !asText && mode !== '' && /\w/.test(text) && (await activeTab(page).filter({ hasText: 'vit_b_16' }).count()) > 0 ? text : false;
      },
      { timeout: 120_000, intervals: [150], message: 'the model view of vit_b_16.onnx' },
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; states: ${JSON.stringify(states)}`);
    });
    const took = (Date.now() - opened) / 1000;
    console.log(`      view after ${took.toFixed(1)} s (VS Code's text editor shown ${(asTextMs / 1000).toFixed(1)} s); states ${JSON.stringify(states)}`);
    // Before VS Code has registered the installed extensions (the first seconds of a fresh profile) it
    // opens a .onnx in its text editor ("very large … Open Anyway"): no extension can run before that.
    // The extension activates at startup (onStartupFinished) and replaces that tab with the view at once.
    assert.ok(asTextMs < 8_000, `VS Code's text editor was replaced by the view within 8 s (issue 15: ~8 s), not ${(asTextMs / 1000).toFixed(1)} s`);
    assert.doesNotMatch(viewText, /Open Anyway|very large/i);
    // The text tab is closed as the view opens; closing is asynchronous, so wait for it (a few seconds at most).
    const tabs = await waitUntil(
      async () => {
        const texts = await page.locator('.tabs-container .tab').allInnerTexts();
        return texts.filter((t) => t.includes('vit_b_16')).length === 1 ? texts : false;
      },
      { timeout: 10_000, message: 'one tab for the model, the view' },
    ).catch(async () => page.locator('.tabs-container .tab').allInnerTexts());
    assert.equal(tabs.filter((t) => t.includes('vit_b_16')).length, 1, `one tab for the model, the view: ${JSON.stringify(tabs)}`);
    // Once VS Code knows the extension, a .onnx opens straight as the view: never as text, not for a moment.
    await waitForExtension(page);
    await openFromExplorer(page, RESNET);
    console.log(`      resnet50.onnx opened as ${JSON.stringify(await watchOpening(page, 'resnet50'))}`);
    // A window of a profile that has had the extension once (the workbench reloaded): VS Code remembers
    // that an extension's editor claims *.onnx and waits for it, so even in the first seconds the large
    // model opens as the view (within the same 8 s when the machine is slow).
    await runCommand(page, 'View: Close All Editors');
    await page.reload();
    await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 60_000 });
    await openFromExplorer(page, VIT, 30_000);
    // Usually straight as the view; on a loaded machine VS Code may still show its text editor until the
    // extension host is back, which must then be brief.
    console.log(`      after a reload, vit_b_16.onnx opened as ${JSON.stringify(await watchOpening(page, 'vit_b_16', 8_000))}`);
    await realShot(page, 'vit-early-open');
    assert.deepEqual(await crashToasts(page), []);
  });

  it('Ctrl+F in the view of vit_b_16: the match and the lines around it stay on screen, nothing scrolls sideways', async function () {
    this.timeout(180_000);
    const { page } = suite().wb;
    await openModel(page, VIT);
    const area = await editorTextArea(page);
    await page.mouse.click(area.x + 40, area.y + 40);
    await page.keyboard.press('Control+f');
    const findInput = page.locator('.editor-instance .find-widget textarea, .editor-instance .find-widget input').first();
    await visible(findInput, 10_000);
    // `Mul_1_output_0` is a value of every attention block; its second match lies at column 326 of a
    // 400-character node line: the find widget scrolled the view ~1,800 px sideways, past the end of most
    // lines, which left them blank (on the graph signature line of an export without weights, ~36,000 px:
    // all blank). A view that shortens value names may only hold `Mul_1`.
    const matchesCount = page.locator('.editor-instance .find-widget .matchesCount');
    let term = '';
    for (const candidate of ['Mul_1_output_0', 'Mul_1', 'encoder_layer_11', 'LayerNormalization']) {
      term = candidate;
      // fill() focuses the find input first: on a loaded machine keystrokes sent right after Ctrl+F can land before it has focus.
      await findInput.fill(term);
      // The count of the previous term may still show for a moment: wait for matches of this one.
      const found = await waitUntil(
        async () => {
          const text = await matchesCount.innerText();
          return /\d+ of \d+/i.test(text) ? text : false;
        },
        { timeout: 8_000, message: `the find widget's count for ${term}` },
      ).catch(() => null);
      if (found !== null) break;
    }
    await page.keyboard.press('Enter');
    const matches = await matchesCount.innerText();
    assert.doesNotMatch(matches, /No results/i, `the view holds "${term}": ${matches}`);
    const check = async (when: string): Promise<number> => {
      const rows = await waitUntil(
        async () => {
          const n = await rowsShowingText(page, area);
          return n >= 10 ? n : false;
        },
        { timeout: 10_000, message: `${when}: rows of text inside the editor` },
      ).catch(async (e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; rows with text: ${await rowsShowingText(page, area)}; lines-content style ${await page.locator('.editor-instance .lines-content').first().getAttribute('style')}`);
      });
      // The lines start at the editor's left edge and end inside it: the view never scrolls sideways.
      const viewLines = await page.locator('.editor-instance .monaco-editor .view-lines').first().boundingBox();
      assertBoxInViewport(page, viewLines && { x: viewLines.x, y: area.y, width: viewLines.width, height: area.height }, `${when}: the editor's lines (horizontally)`, area);
      return rows;
    };
    await expectInViewport(page.locator('.editor-instance .currentFindMatch'), 'the current match', area);
    const afterEnter = await check('after Enter');
    await realShot(page, 'vit-find');
    await page.keyboard.press('Escape');
    const afterEscape = await check('after closing the find widget');
    console.log(`      find "${term}": ${matches}; rows showing text after Enter ${afterEnter}, after Escape ${afterEscape}`);
  });

  it('the chip picker takes an exact id or alias: "h100" → H100 SXM5, "a100" → the chip aliased a100', async function () {
    this.timeout(180_000);
    const { page } = suite().wb;
    await openModel(page, RESNET);
    const pick = async (query: string): Promise<string> => {
      const expected = chipNamed(query);
      const shortName = expected.name.replace(/^NVIDIA /, '');
      await runCommand(page, 'Ridgepoint: Pick Target Chip…', 45_000);
      const input = page.locator('.quick-input-widget input');
      await visible(input);
      await waitUntil(async () => (await page.locator('.quick-input-list .monaco-list-row').count()) > 1, { timeout: 30_000, message: 'the chip list' });
      await page.keyboard.type(query);
      await page.keyboard.press('Enter');
      const status = await waitUntil(async () => {
        const text = await chipStatus(page);
        return text.includes(shortName) ? text : false;
      }, { timeout: 30_000, message: `"${query}" + Enter: the status bar names ${expected.name} (${expected.id})` }).catch(async (e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; status bar: ${JSON.stringify(await chipStatus(page))}`);
      });
      console.log(`      "${query}" + Enter → ${JSON.stringify(status)}`);
      return status;
    };
    // a100 first: the default chip is H100 SXM5, so each pick changes the chip.
    await pick('a100');
    const h100 = await pick('h100');
    assert.match(h100, /H100 SXM5/);
    await realShot(page, 'chip-picker');
  });

  for (const [name, label] of [
    [RESNET, 'resnet50'],
    [VIT, 'vit_b_16'],
  ] as const) {
    it(`torchvision ${label} (exported by torch with its weights): per-op cost, cost tree and a suggestion on the first screen`, async function () {
      this.timeout(240_000);
      const { page } = suite().wb;
      await openModel(page, name);
      const nodeLine = await assertLineStartCost(page, label);
      await assertCostTree(page, label);
      await realShot(page, label);
      await assertSuggestionAction(page, label, nodeLine);
      // Once its suggestions are computed they head the view as lenses: the README's picture. The
      // action above may have moved the cursor to a problem far down (F8), which scrolls the head
      // lenses out of the DOM: back to the top first.
      await page.locator('.editor-instance .monaco-editor textarea').first().focus();
      await page.keyboard.press('Control+Home');
      await waitUntil(async () => (await lensTexts(page)).some((t) => t.startsWith('Suggestion:')), { timeout: 60_000, message: `${label}: the top suggestions as lenses` }).catch(async (e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; lenses ${JSON.stringify((await lensTexts(page)).slice(0, 8))}`);
      });
      await realShot(page, `${label}-suggestions`);
      assert.deepEqual(await crashToasts(page), []);
    });
  }

  it("vit_b_16's roofline: its 12 identical encoder layers drawn as grouped points (×12), launch-bound ops explained", async function () {
    this.timeout(240_000);
    const { page } = suite().wb;
    await openModel(page, VIT);
    await runCommand(page, 'Ridgepoint: Show Roofline', 45_000);
    // The panel's page sits two iframes deep; its chart container carries what it drew.
    const chart = await waitUntil(
      async () => {
        for (const frame of page.frames()) {
          if (frame === page.mainFrame()) continue;
          const roofline = frame.locator('#roofline[data-drawn]');
          if ((await roofline.count().catch(() => 0)) > 0 && Number(await roofline.getAttribute('data-points')) > 0) return { frame, roofline };
        }
        return false;
      },
      { timeout: 90_000, message: 'the roofline chart of vit_b_16' },
    );
    const points = Number(await chart.roofline.getAttribute('data-points'));
    const drawn = Number(await chart.roofline.getAttribute('data-drawn'));
    const launchBound = Number(await chart.roofline.getAttribute('data-launch-bound'));
    // ViT-B/16 repeats one encoder layer 12 times: each of its ops has 11 twins of the same op type,
    // FLOPs and bytes, so the ops drawn are well under half the ops.
    assert.ok(points > 100 && drawn > 0 && drawn * 2 < points, `ops ${points}, points drawn ${drawn}`);
    // At batch 1 on H100 most of its small ops take less than the 3 µs per-kernel cost: launch-bound, and said so.
    assert.ok(launchBound > 0, `launch-bound ops: ${launchBound}`);
    const note = await chart.frame.locator('body').innerText();
    assert.match(note, /launch-bound/i);
    await expectInViewport(chart.roofline, 'the roofline chart');
    await realShot(page, 'vit_b_16-roofline');
    console.log(`      vit_b_16 roofline: ${points} ops drawn as ${drawn} points, ${launchBound} launch-bound`);
    await runCommand(page, 'View: Close All Editors');
    assert.deepEqual(await crashToasts(page), []);
  });

  it('a PP-OCR-like detector with dims p2o.DynamicDimension.0/1/2: totals say not costed until bound, then costed once bound, with costs, tree and a suggestion in view', async function () {
    this.timeout(300_000);
    const { page } = suite().wb;
    await openModel(page, PPOCR);
    // Unbound: the totals must not read as a real 0.00 µs.
    const totals = await waitUntil(
      async () => {
        const texts = [await chipStatus(page), ...(await lensTexts(page))];
        return texts.some((t) => /not costed|bind/i.test(t)) ? texts : false;
      },
      { timeout: 60_000, message: 'the totals (status bar or the top code lens) saying "not costed" / "bind"' },
    ).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; status bar ${JSON.stringify(await chipStatus(page))}; lenses ${JSON.stringify(await lensTexts(page))}`);
    });
    console.log(`      unbound totals: ${JSON.stringify(totals)}`);
    for (const t of totals) assert.doesNotMatch(t, /(^|[^\d.])0(\.00 µs| s\b)/, `an unbound model's totals are not a zero time: ${t}`);
    // The module groups' lenses say the same (no 0.00 µs per module either).
    const groups = await waitUntil(
      async () => {
        const texts = await lensTexts(page);
        return texts.some((t) => /^not costed: \d+ ops? sized by unbound dims$/.test(t)) ? texts : false;
      },
      { timeout: 60_000, message: 'a module lens saying "not costed: N ops sized by unbound dims"' },
    );
    for (const t of groups) assert.doesNotMatch(t, /(^|[^\d.])0(\.00 µs| s\b)/, `no lens of the unbound model reads a zero time: ${t}`);
    await realShot(page, 'ppocr-unbound');
    // Bound in the workspace's settings (ridgepoint.dims: batch 1, a 640×640 image), as a user sets them
    // once for a folder of PP-OCR exports; the model is costed then, and the totals show its time.
    const [batch, height, width] = PPOCR_DIMS as [string, string, string];
    fs.mkdirSync(path.join(suite().workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(suite().workspace, '.vscode', 'settings.json'), JSON.stringify({ 'ridgepoint.dims': { batch: 1, seq: 2048, [batch]: 1, [height]: 640, [width]: 640 } }, null, 2));
    const bound = await waitUntil(
      async () => {
        const status = await chipStatus(page);
        return TIME.test(status) && !/(^|[^\d.])0(\.00 µs| s\b)/.test(status) && !/not costed|bind/i.test(status) ? status : false;
      },
      { timeout: 60_000, message: 'the status bar: a time for the bound model' },
    ).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; status bar ${JSON.stringify(await chipStatus(page))}; lenses ${JSON.stringify(await lensTexts(page))}`);
    });
    console.log(`      bound (${batch}=1, ${height}=${width}=640): ${JSON.stringify(bound)}`);
    const nodeLine = await assertLineStartCost(page, 'ppocr_det_like');
    await assertCostTree(page, 'ppocr_det_like');
    await realShot(page, 'ppocr-bound');
    await assertSuggestionAction(page, 'ppocr_det_like', nodeLine);
    assert.deepEqual(await crashToasts(page), []);
  });

  it("LLaMA-2-7B's config.json: the model's cost within the editor's width, the cost tree, a suggestion and the decode sweep chart", async function () {
    this.timeout(330_000);
    const { page } = suite().wb;
    await waitForExtension(page);
    await openByPath(page, LLAMA);
    await visible(activeTab(page).filter({ hasText: 'config.json' }), 30_000);
    const area = await editorTextArea(page);
    // The cost of the model: a code lens with a time, whole inside the editor (it was ~1,400 px wide).
    const lens = page.locator('.codelens-decoration a', { hasText: TIME }).first();
    await visible(lens, 90_000).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; lenses ${JSON.stringify(await lensTexts(page))}`);
    });
    await expectInViewport(lens, `the code lens "${await lens.innerText()}"`, area);
    const decoration = page.locator('.codelens-decoration', { has: page.locator('a', { hasText: TIME }) }).first();
    await expectInViewport(decoration, 'the whole code lens line', area);
    console.log(`      llama lenses: ${JSON.stringify(await lensTexts(page))}`);
    await assertCostTree(page, 'config.json');
    await realShot(page, 'llama-config');
    await assertSuggestionAction(page, 'llama-2-7b config.json');
    await assertDecodeSweep(page);
    assert.deepEqual(await crashToasts(page), []);
  });
});

/**
 * The "Decode sweep" lens opens the chart beside the config, and the chart agrees with the lenses: its
 * compute-bound mark at the lens's ridge batch, its memory band from the batch after the lens's "up to
 * batch N", and batches 1, 2, 4, … past the ridge. By hand, for LLaMA-2-7B in fp16 on an 80 GB card:
 * weights (13.48 GB) + 1.21 GB of KV cache per 2,304-token sequence leave room for at most 52 sequences
 * in 90% of 81,559 MiB, so memory runs out by batch 53.
 */
async function assertDecodeSweep(page: Page): Promise<void> {
  const texts = await lensTexts(page);
  const lensRidge = Number(/projections compute-bound from batch (\d+)/.exec(texts.join('\n'))?.[1]);
  const lensMaxFit = Number(/up to batch (\d+)/.exec(texts.join('\n'))?.[1]);
  assert.ok(lensRidge > 0 && lensMaxFit > 0, `lenses ${JSON.stringify(texts)}`);
  const lens = page.locator('.codelens-decoration a', { hasText: /^Decode sweep$/ }).first();
  await visible(lens, 30_000);
  await lens.click();
  // The panel's page sits two iframes deep; its chart container carries what it drew.
  const chart = await waitUntil(
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame()) continue;
        const sweep = frame.locator('#sweep[data-render]');
        if ((await sweep.count().catch(() => 0)) > 0 && Number(await sweep.getAttribute('data-points')) > 0) return { frame, sweep };
      }
      return false;
    },
    { timeout: 90_000, message: 'the decode sweep chart of llama-2-7b' },
  );
  const points = Number(await chart.sweep.getAttribute('data-points'));
  const ridge = Number(await chart.sweep.getAttribute('data-ridge'));
  const memoryFrom = Number(await chart.sweep.getAttribute('data-memory-from'));
  assert.equal(ridge, lensRidge, 'the chart marks the ridge batch the lens names');
  assert.equal(memoryFrom, lensMaxFit + 1, 'the band starts after the largest batch the lens says fits');
  assert.ok(memoryFrom <= 53, `memory runs out at batch ${memoryFrom}`);
  assert.ok(2 ** (points - 1) >= ridge, `${points} batches (1 … ${2 ** (points - 1)}) reach past the ridge at ${ridge}`);
  const heading = await chart.frame.locator('h1').innerText();
  assert.match(heading, /Decode sweep — llama-2-7b config\.json/);
  assert.match(await chart.frame.locator('.rp-meta').innerText(), /llama on NVIDIA H100 SXM5 80GB · w16a16 .* · 1 GPU/);
  await expectInViewport(chart.sweep.locator('canvas').first(), 'the decode sweep chart');
  await realShot(page, 'llama-decode-sweep');
  console.log(`      llama decode sweep: ${points} batches, compute-bound from batch ${ridge}, memory runs out at batch ${memoryFrom}`);
}
