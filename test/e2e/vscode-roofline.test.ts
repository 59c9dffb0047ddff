/**
 * The roofline panel end to end in a real VS Code (code-server + chromium, as test/e2e/vscode.test.ts;
 * docs/e2e.md): "Profile for H100" opens the panel beside the model; the chart has one point per modelled
 * op (counted independently by the CLI); a click on a point selects the node's statement in the editor;
 * switching chip in the panel moves the roofs; PNG export goes through the save dialog into a real PNG
 * file; a model whose names are HTML stays text everywhere; and the panel in dark and light themes.
 *
 * The webview is two iframes deep (`iframe.webview.ready` → `iframe#active-frame`); the panel's page is
 * found by its root element (main#app, client/src/roofline-html.ts). The chart's container (#roofline) carries data-points, data-roofs and
 * data-positions ({nodeId: [x, y]} in CSS px inside the container) for automation (media/src/roofline-chart.ts).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Frame, Page } from 'playwright-core';
import { DataType } from '../../server/src/analysis/ir/dtype';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { readModel } from '../../server/src/analysis/onnx/reader';
import { renderModelView } from '../../server/src/analysis/onnx/view/printer';
import { modelProto, valueInfo } from '../../scripts/lib/onnx-writer';
import { retry, waitUntil } from './vscode/support/retry';
import { CORPUS, crashToasts, ROOT, shot, useCodeServer, waitForExtension } from './vscode/support/suite';
import { activeTab, hoverUntil, openFromExplorer, revealInEditor, runCommand, screenshot, statusBarItems, toastTexts, visible, waitForEditorText } from './vscode/support/workbench';

const CNN = 'mnist-8_cntk.onnx';
const HOSTILE = 'hostile-names.onnx';
/** A node name and value name that would run script if anything pasted it into HTML. */
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
/** A node line of the readable model view, op type first (after the line-start cost column, `… │`): group 1 is the op. */
const CONV_STATEMENT = /^(?:[^│]*│)?\s*(Conv)\s+\S/;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Two nodes (a MatMul and a Relu) whose names and intermediate value name carry HOSTILE_NAME. */
function hostileModel(): Uint8Array {
  const mm = `${HOSTILE_NAME} mm`;
  return modelProto({
    irVersion: 8,
    opsets: { '': 17 },
    graph: {
      name: 'hostile',
      nodes: [
        { op: 'MatMul', name: HOSTILE_NAME, inputs: ['x', 'w'], outputs: [mm] },
        { op: 'Relu', name: `relu ${HOSTILE_NAME}`, inputs: [mm], outputs: ['y'] },
      ],
      inputs: [valueInfo('x', DataType.FLOAT, [64, 256]), valueInfo('w', DataType.FLOAT, [256, 256])],
      outputs: [valueInfo('y', DataType.FLOAT, [64, 256])],
    },
  }).toBytes();
}

function makeWorkspace(dir: string): void {
  fs.copyFileSync(path.join(CORPUS, 'models/cnn/mnist-8_cntk.onnx'), path.join(dir, CNN));
  fs.writeFileSync(path.join(dir, HOSTILE), hostileModel());
}

/** The ops the chart must draw, from the CLI (an independent path: no server, no webview). */
function modelledOps(file: string): Array<{ id: string; name: string; bound: string }> {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'profile', file, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ridgepoint profile failed: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { nodes: Array<{ id: string; name: string; bound?: string }> };
  return report.nodes.filter((n) => n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead').map((n) => ({ id: n.id, name: n.name, bound: n.bound ?? '' }));
}

/** 1-based first and last line of each node's statement in the model's readable view (what the editor shows). */
function statementLines(file: string): Map<string, [number, number]> {
  const read = readModel(bytesSource(new Uint8Array(fs.readFileSync(file))));
  assert.ok(read.model, `${file} reads`);
  const { text, layout } = renderModelView(read.model);
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  return new Map(layout.nodes.map((n) => [n.id, [lineOf(n.statement.start), lineOf(n.statement.end)]]));
}

/** The roofline panel's page (the inner webview frame holding the panel's main#app). */
async function panelFrame(page: Page, timeout = 45_000): Promise<Frame> {
  return waitUntil(
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame()) continue;
        // The page's <title> does not survive into the webview's frame; its #app root does.
        if ((await frame.locator('main#app').count().catch(() => 0)) > 0) return frame;
      }
      return false;
    },
    { timeout, message: 'the roofline panel webview' },
  );
}

/** Waits for the chart to have drawn `count` points; returns the frame (it changes when the webview reloads). */
async function chartWithPoints(page: Page, count: number, timeout = 45_000): Promise<Frame> {
  let last = '';
  return waitUntil(
    async () => {
      const frame = await panelFrame(page, 2_000).catch(() => undefined);
      if (!frame) return false;
      last = (await frame.locator('#roofline').getAttribute('data-points', { timeout: 1_000 }).catch(() => null)) ?? `none; status ${await frame.locator('#status').innerText({ timeout: 500 }).catch(() => '?')}`;
      return last === String(count) ? frame : false;
    },
    { timeout, message: `a chart with ${count} points` },
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; data-points: ${last}`);
  });
}

async function roofs(frame: Frame): Promise<string> {
  return (await frame.locator('#roofline').getAttribute('data-roofs')) ?? '';
}

/** The status bar's "Ln X, Col Y": the active editor's cursor line. */
async function cursorLine(page: Page): Promise<number | null> {
  const text = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText().catch(() => '');
  const m = /Ln (\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Picks a colour theme as a user does, with "Preferences: Color Theme" (an edit of settings.json on disk
 * is not picked up by a loaded code-server workbench).
 */
async function pickTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme', 30_000);
  const input = page.locator('.quick-input-widget input');
  await visible(input);
  await input.fill(theme);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first();
  await visible(row);
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The workbench's and the webview body's theme classes for each kind of theme the tests pick. */
const THEME_CLASSES = {
  dark: { workbench: '.monaco-workbench.vs-dark', body: /\bvscode-dark\b/ },
  light: { workbench: '.monaco-workbench.vs', body: /\bvscode-light\b/ },
  'high-contrast': { workbench: '.monaco-workbench.hc-black', body: /\bvscode-high-contrast\b/ },
} as const;

/** Waits for the workbench and the panel's webview to be in a theme of this kind; returns the panel's frame. */
async function themed(page: Page, kind: keyof typeof THEME_CLASSES): Promise<Frame> {
  const classes = THEME_CLASSES[kind];
  await waitUntil(async () => (await page.locator(classes.workbench).count()) > 0, { timeout: 30_000, message: `the workbench in a ${kind} theme` });
  return waitUntil(
    async () => {
      const f = await panelFrame(page, 2_000).catch(() => undefined);
      const body = f ? await f.locator('body').getAttribute('class').catch(() => '') : '';
      return f && classes.body.test(body ?? '') ? f : false;
    },
    { timeout: 30_000, message: `the webview in a ${kind} theme` },
  );
}

/** Waits until the chart has drawn again after `before` renders (a theme change redraws it). */
async function redrawn(frame: Frame, before: number, why: string): Promise<number> {
  return waitUntil(
    async () => {
      const n = Number(await frame.locator('#roofline').getAttribute('data-render'));
      return n > before ? n : false;
    },
    { timeout: 15_000, message: `the chart to redraw for ${why}` },
  );
}

/** Closes the notifications (the profile summary toast sits over the panel's chart in screenshots). */
async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications', 20_000);
  await waitUntil(async () => (await toastTexts(page)).length === 0, { timeout: 10_000, message: 'no notification toasts' });
}

/** The node the panel marks as the current one (its row in the ops table has aria-current). */
async function panelHighlight(frame: Frame): Promise<string | null> {
  return frame.locator('#top-ops tr[aria-current="true"]').first().getAttribute('data-node-id', { timeout: 1_000 }).catch(() => null);
}

function chipItem(page: Page) {
  return page.locator('.statusbar-item[id$="ridgepoint.chip"]');
}

/** Opens a workspace model as ONNX text and runs "Profile for H100" on it: the panel should open beside it. */
async function openAndProfile(page: Page, name: string, statement: RegExp): Promise<void> {
  await waitForExtension(page);
  await openFromExplorer(page, name);
  await visible(activeTab(page).filter({ hasText: name.replace(/\.onnx$/, '') }), 30_000);
  await waitForEditorText(page, /\w/, 45_000);
  await revealInEditor(page, statement, 1, 30_000);
  await runCommand(page, 'Ridgepoint: Profile for H100', 45_000);
}

/** The point to click: the one farthest from any other (points may overlap), with its position. */
function isolatedPoint(positions: Record<string, [number, number]>, candidates: ReadonlySet<string>): { id: string; x: number; y: number } {
  const entries = Object.entries(positions).filter(([id]) => candidates.has(id));
  let best: { id: string; x: number; y: number; gap: number } | undefined;
  for (const [id, [x, y]] of entries) {
    let gap = Infinity;
    for (const [other, [ox, oy]] of Object.entries(positions)) if (other !== id) gap = Math.min(gap, Math.hypot(ox - x, oy - y));
    if (!best || gap > best.gap) best = { id, x, y, gap };
  }
  assert.ok(best, `a point among ${JSON.stringify(positions)}`);
  return best;
}

describe('Roofline panel end to end (code-server + chromium)', function () {
  const suite = useCodeServer({ tag: 'roofline', makeWorkspace });
  const cnnOps = (): ReturnType<typeof modelledOps> => modelledOps(path.join(suite().workspace, CNN));

  it('"Profile for H100" opens the panel beside the model with one point per modelled op', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
    const expected = cnnOps();
    assert.ok(expected.length > 3, `the CLI models several ops of the CNN: ${JSON.stringify(expected)}`);
    await openAndProfile(page, CNN, CONV_STATEMENT);
    const frame = await chartWithPoints(page, expected.length);
    // Beside the editor: two editor groups, the model's text stays the active editor (preserveFocus).
    assert.equal(await page.locator('.editor-group-container').count(), 2, 'the panel opened in a second group');
    assert.match(await activeTab(page).first().innerText(), /mnist-8_cntk/);
    const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    // webview.cspSource is several sources in code-server ('self' https://*.vscode-cdn.net)
    assert.match(csp ?? '', /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'; style-src [^;']*'self'[^;]* 'unsafe-inline'; img-src [^;']*'self'[^;]* data:$/);
    const parsedRoofs = JSON.parse(await roofs(frame)) as Array<{ label: string; value: number; kind: string }>;
    assert.ok(parsedRoofs.length >= 2, `a memory roof and a compute roof: ${JSON.stringify(parsedRoofs)}`);
    console.log(`      ${expected.length} points (CLI: ${expected.length} modelled ops); roofs ${JSON.stringify(parsedRoofs.map((r) => r.label))}`);
    // code-server's default theme follows the browser (light when headless): pick the dark one.
    await pickTheme(page, 'Default Dark Modern');
    await themed(page, 'dark');
    await clearNotifications(page);
    await page.mouse.move(5, 5);
    await screenshot(page, shot('panel-dark.png'));
    assert.deepEqual(await crashToasts(page), []);
  });

  it('clicking a point selects its node\'s statement in the editor; the editor\'s cursor line highlights its node in the panel', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
    const expected = cnnOps();
    const lines = statementLines(path.join(suite().workspace, CNN));
    await openAndProfile(page, CNN, CONV_STATEMENT);
    const frame = await chartWithPoints(page, expected.length);
    const positions = JSON.parse((await frame.locator('#roofline').getAttribute('data-positions')) ?? '{}') as Record<string, [number, number]>;
    const target = isolatedPoint(positions, new Set(expected.map((n) => n.id)));
    const [first, last] = lines.get(target.id) ?? [NaN, NaN];
    assert.ok(Number.isFinite(first), `node ${target.id} has a statement`);
    // Somewhere else first, so the check below sees the reveal move the cursor.
    assert.notEqual(await cursorLine(page), first);
    await frame.locator('#roofline').click({ position: { x: target.x, y: target.y } });
    const line = await waitUntil(
      async () => {
        const l = await cursorLine(page);
        return l !== null && l >= first && l <= last ? l : false;
      },
      { timeout: 20_000, message: `the cursor on ${target.id}'s statement (lines ${first}-${last})` },
    ).catch(async (e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; cursor line ${await cursorLine(page)}; status bar ${JSON.stringify(await statusBarItems(page))}`);
    });
    const selected = await page.locator('.editor-instance .monaco-editor .selected-text').count();
    assert.ok(selected > 0, 'the statement is selected');
    console.log(`      clicked ${target.id} at (${target.x.toFixed(0)}, ${target.y.toFixed(0)}); editor at line ${line} (statement ${first}-${last})`);
    await screenshot(page, shot('panel-reveal.png'));
    // The other way: the editor's cursor on another node's statement highlights that node in the panel.
    const other = [...lines.entries()].find(([id, [from]]) => id !== target.id && expected.some((n) => n.id === id) && from !== first);
    assert.ok(other, 'another modelled node');
    const [otherId, [otherLine]] = other;
    await page.locator('.editor-instance .monaco-editor textarea').first().focus();
    await runCommand(page, 'Go to Line/Column...', 20_000);
    await page.keyboard.type(String(otherLine));
    await page.keyboard.press('Enter');
    await waitUntil(async () => (await cursorLine(page)) === otherLine, { timeout: 10_000, message: `the cursor on line ${otherLine}` });
    const highlighted = await waitUntil(async () => {
      const id = await panelHighlight(await panelFrame(page, 2_000));
      return id === otherId ? id : false;
    }, { timeout: 15_000, message: `the panel to highlight ${otherId}` }).catch(async (e: unknown) => {
      const f = await panelFrame(page, 2_000);
      const rows = await f.locator('#top-ops tr[data-node-id]').evaluateAll((els: unknown[]) => els.map((e) => (e as { outerHTML: string }).outerHTML.slice(0, 120)));
      throw new Error(`${e instanceof Error ? e.message : String(e)}; highlighted: ${await panelHighlight(f)}; rows: ${JSON.stringify(rows)}`);
    });
    console.log(`      cursor on line ${otherLine} → panel highlights ${highlighted}`);
  });

  it('switching chip in the panel moves the roofs and makes it the current chip', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
    const expected = cnnOps();
    await openAndProfile(page, CNN, CONV_STATEMENT);
    let frame = await chartWithPoints(page, expected.length);
    const before = await roofs(frame);
    await frame.locator('#chip').selectOption('a100-80gb');
    const after = await waitUntil(
      async () => {
        frame = await panelFrame(page, 2_000);
        const now = await roofs(frame);
        return now !== '' && now !== before ? now : false;
      },
      { timeout: 30_000, message: 'the roofs to change' },
    );
    const memoryRoof = (json: string): number | undefined => (JSON.parse(json) as Array<{ kind: string; value: number }>).find((r) => /memory|bandwidth/i.test(r.kind))?.value;
    console.log(`      memory roof ${memoryRoof(before)} → ${memoryRoof(after)}`);
    await retry(async () => assert.match(await chipItem(page).innerText(), /A100/), { timeout: 30_000, message: 'status bar chip with A100' });
    await screenshot(page, shot('panel-a100.png'));
    // The choice went to the user's settings, not into the workspace.
    assert.ok(!fs.existsSync(path.join(suite().workspace, '.vscode')), 'switching chip must not create .vscode/ in the workspace');
  });

  it('exports the chart as PNG through the save dialog', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
    const { workspace } = suite();
    const expected = cnnOps();
    await openAndProfile(page, CNN, CONV_STATEMENT);
    const frame = await chartWithPoints(page, expected.length);
    const target = path.join(workspace, 'exports', 'cnn-roofline.png');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(target, { force: true });
    await frame.locator('#export-png').click();
    // code-server's save dialog is VS Code's simple file dialog: a quick input holding a path.
    const input = page.locator('.quick-input-widget input');
    await visible(input, 20_000);
    // The dialog fills its input in steps (the folder, then the name).
    const proposed = await waitUntil(async () => {
      const value = await input.inputValue();
      return value.endsWith('.png') ? value : false;
    }, { timeout: 10_000, message: 'the proposed file name' }).catch(async () => input.inputValue());
    assert.match(proposed, /mnist-8_cntk-roofline\.png$/, `the default name is <model>-roofline.png: ${JSON.stringify(proposed)}`);
    await input.fill(target);
    // The dialog re-reads the folder as the path is typed and can swallow an early accept: press OK until it closes.
    await retry(
      async () => {
        if (await input.isVisible()) await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first().click({ timeout: 2_000 });
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 2_000 });
      },
      { timeout: 20_000, message: 'the save dialog to accept the path' },
    );
    const bytes = await waitUntil(() => (fs.existsSync(target) && fs.statSync(target).size > PNG_MAGIC.length ? fs.readFileSync(target) : false), { timeout: 20_000, message: `${target} written` });
    assert.deepEqual(bytes.subarray(0, PNG_MAGIC.length), PNG_MAGIC, 'the file starts with the PNG signature');
    console.log(`      dialog proposed ${proposed}; wrote ${target}, ${bytes.length} bytes`);
    // the model itself is untouched
    assert.deepEqual(fs.readFileSync(path.join(workspace, CNN)), fs.readFileSync(path.join(CORPUS, 'models/cnn/mnist-8_cntk.onnx')));
  });

  it('shows the panel in light and high-contrast themes', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
    const expected = cnnOps();
    // From dark to light while the panel shows: the chart has to follow the change, not only a fresh load.
    await openAndProfile(page, CNN, CONV_STATEMENT);
    await chartWithPoints(page, expected.length);
    await pickTheme(page, 'Default Dark Modern');
    let frame = await themed(page, 'dark');
    const rendersBefore = Number(await frame.locator('#roofline').getAttribute('data-render'));
    await pickTheme(page, 'Default Light Modern');
    frame = await themed(page, 'light');
    // The chart reads the theme's colours: it redraws on the theme change.
    const rendersAfter = await redrawn(frame, rendersBefore, 'the light theme');
    console.log(`      chart renders ${rendersBefore} → ${rendersAfter}`);
    await clearNotifications(page);
    await page.mouse.move(5, 5);
    await screenshot(page, shot('panel-light.png'));
    // High contrast: the chart redraws in the theme's colours (its grid takes the contrast border).
    await pickTheme(page, 'Dark High Contrast');
    frame = await themed(page, 'high-contrast');
    await redrawn(frame, rendersAfter, 'the high-contrast theme');
    await clearNotifications(page);
    await page.mouse.move(5, 5);
    await screenshot(page, shot('panel-high-contrast.png'));
    await pickTheme(page, 'Default Dark Modern');
    await themed(page, 'dark');
  });

  it('restores the panel with its chart after the window reloads', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
    const expected = cnnOps();
    await openAndProfile(page, CNN, CONV_STATEMENT);
    await chartWithPoints(page, expected.length);
    // An orderly reload (the workbench saves its editors first); a bare page reload may lose them.
    await runCommand(page, 'Developer: Reload Window', 30_000);
    await page.waitForLoadState('load', { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // The serializer brings the panel back for the same model, which profiles it again.
    await chartWithPoints(page, expected.length, 60_000);
    const tab = page.locator('.tabs-container .tab', { hasText: 'Roofline — mnist-8_cntk.onnx' });
    await visible(tab, 10_000);
  });

  it('keeps a model\'s HTML-like names as text: panel, hover; no <img>, no dialog', async function () {
    this.timeout(150_000);
    const { page } = suite().wb;
    const dialogs: string[] = [];
    // Dialogs of every frame (webviews included) are reported on the page.
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => undefined);
    });
    const expected = modelledOps(path.join(suite().workspace, HOSTILE));
    assert.equal(expected.length, 2);
    await openAndProfile(page, HOSTILE, /^(?:[^│]*│)?\s*(MatMul)\s+\S/);
    const frame = await chartWithPoints(page, expected.length);
    const text = await waitUntil(
      async () => {
        const t = await frame.locator('body').innerText();
        return t.includes(HOSTILE_NAME) ? t : false;
      },
      { timeout: 20_000, message: `the panel shows ${HOSTILE_NAME} as text` },
    );
    assert.equal(await frame.locator('img').count(), 0, 'no <img> element in the panel');
    // Any webview frame at all: none has an element made from the name.
    for (const f of page.frames()) if (f !== page.mainFrame()) assert.equal(await f.locator('img[src="x"]').count().catch(() => 0), 0, `no <img src=x> in ${f.url()}`);
    console.log(`      panel text: ${JSON.stringify(text.slice(text.indexOf(HOSTILE_NAME) - 40, text.indexOf(HOSTILE_NAME) + 60))}`);
    // The chart's tooltip: hover the MatMul's point.
    const positions = JSON.parse((await frame.locator('#roofline').getAttribute('data-positions')) ?? '{}') as Record<string, [number, number]>;
    const matmul = positions.n0;
    assert.ok(matmul, 'the MatMul has a point');
    await frame.locator('#roofline').hover({ position: { x: matmul[0], y: matmul[1] } });
    // The tooltip names the op as text and shows its tensors' shapes (the host asks for `detail: 'chart'`).
    const tip = await waitUntil(async () => (await frame.locator('#roofline .rp-tooltip-title').textContent().catch(() => null)) === HOSTILE_NAME, { timeout: 10_000, message: 'a tooltip naming the op' });
    assert.ok(tip);
    const tipText = (await frame.locator('#roofline .rp-tooltip').innerText()) ?? '';
    assert.match(tipText, /inputs\s+float\[64,256\] float\[256,256\]/, `the tooltip shows the input shapes: ${tipText}`);
    assert.equal(await frame.locator('img').count(), 0, 'no <img> after hovering the chart');
    await clearNotifications(page);
    await frame.locator('#roofline').hover({ position: matmul ? { x: matmul[0], y: matmul[1] } : { x: 10, y: 10 } });
    await screenshot(page, shot('panel-hostile.png'));
    // The editor's hover names the node as text.
    // The Relu's op name is on screen (the MatMul's is past the right edge beside the panel); its node is `relu <img …>`.
    const hover = await hoverUntil(page, /^(?:[^│]*│)?\s*(Relu)\s+\S/, 1, (t) => t.includes(HOSTILE_NAME) && /Relu/.test(t), 60_000);
    assert.equal(await page.locator('.monaco-hover-content img').count(), 0, 'no <img> in the hover');
    console.log(`      hover: ${JSON.stringify(hover.slice(0, 120))}`);
    await screenshot(page, shot('hover-hostile.png'));
    assert.deepEqual(dialogs, [], 'no dialog fired');
    assert.deepEqual(await crashToasts(page), []);
    assert.deepEqual(
      (await toastTexts(page)).filter((t) => /failed/i.test(t)),
      [],
    );
  });
});
