/**
 * The roofline panel's webview app (dist/media/roofline-panel.js + panel.css) in a real browser, without
 * VS Code: a harness page served over HTTP under the same CSP as the extension's webview, with
 * acquireVsCodeApi stubbed (it records posted messages and the state) and the host's messages posted
 * to the window. Reports come from the CLI (`ridgepoint profile --format json`) on corpus models.
 * Screenshots: test/e2e/.artifacts/panel-*.png (gitignored); roofline-panel-{dark,light}.png there are the ones
 * copied by hand to docs/images/ for the README (a test run never writes tracked files).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import type { HostToPanel, PanelChip, PanelDim, PanelToHost } from '../../media/src/panel-messages';
import type { ReportLike } from '../../media/src/report-types';
import { modelProto, valueInfo } from '../../scripts/lib/onnx-writer';
import { DARK_MODERN, LIGHT_MODERN, panelHarness, ThemeVars } from './panel-harness';
import { stubVsCodeApi } from './panel-stub';
import { CORPUS, corpusPrerequisite } from '../support/corpus';
import { chromiumPrerequisite, ensurePrerequisites } from '../support/prerequisites';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ASSETS = ['roofline-panel.js', 'panel.css'].map((f) => path.join(ROOT, 'dist/media', f));
const ARTIFACTS = path.join(ROOT, 'test/e2e/.artifacts');
const CHROMIUM = process.env.RIDGEPOINT_CHROMIUM ?? '/usr/bin/chromium';
const MNIST = path.join(CORPUS, 'models/cnn/mnist-8_cntk.onnx');
const TRANSFORMER = path.join(CORPUS, 'models/transformer/vespa_dummy_transformer.onnx');
const TINY_VIT = path.join(ROOT, 'examples/tiny-vit.onnx');
const HOSTILE = '<img src=x onerror=alert(1)>';

type Report = ReportLike & { nodes: Array<ReportLike['nodes'][number] & { bound?: string }> };

function profile(model: string, args: string[]): Report {
  const r = spawnSync(process.execPath, [CLI, 'profile', model, '--format', 'json', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.ok(r.status === 0 || r.status === 1, `profile ${model}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

/** What the panel must draw: one point per costed op. */
function costed(report: Report): number {
  return report.nodes.filter((n) => n.counted !== false && n.modelled === true && (n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead') && (n.timeSeconds ?? 0) > 0).length;
}

function chipsList(): PanelChip[] {
  const r = spawnSync(process.execPath, [CLI, 'chips', '--format', 'json'], { encoding: 'utf8' });
  const chips = (JSON.parse(r.stdout) as { chips: Array<{ id: string; name: string; memoryBandwidthGBs: number; peaks: { tensor?: Record<string, number> } }> }).chips;
  return chips.map((c) => ({ id: c.id, name: c.name, memoryBandwidthGBs: c.memoryBandwidthGBs, peakTFlops: c.peaks.tensor?.bf16 ?? null, peakDtype: c.peaks.tensor?.bf16 ? 'bf16' : null }));
}

function ensureBuilt(): void {
  if ([CLI, ...ASSETS].every((f) => fs.existsSync(f))) {
    const newest = Math.max(...fs.readdirSync(path.join(ROOT, 'media/src')).map((f) => fs.statSync(path.join(ROOT, 'media/src', f)).mtimeMs));
    if (Math.min(...ASSETS.map((f) => fs.statSync(f).mtimeMs)) >= newest) return;
  }
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `build failed: ${r.stderr}`);
}

interface Harness {
  page: Page;
  errors: string[];
  posted(): Promise<PanelToHost[]>;
  send(message: HostToPanel): Promise<void>;
  /** Sends a report and waits until the chart has rendered it (data-render advanced). */
  show(message: HostToPanel): Promise<number>;
  state(): Promise<unknown>;
}

describe('roofline panel webview (real browser, stubbed VS Code API)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let server: http.Server;
  let base: string;
  let chips: PanelChip[];
  let mnist: Report;
  let transformer: Report;
  let vit: Report;
  let vitCompare: Report;
  let tmp: string;

  before(async function () {
    ensurePrerequisites(this, chromiumPrerequisite(CHROMIUM), corpusPrerequisite('models'));
    ensureBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-panel-'));
    chips = chipsList();
    mnist = profile(MNIST, ['--chip', 'h100']);
    transformer = profile(TRANSFORMER, ['--chip', 'h100', '--dim', 'batch=1', '--dim', 'tokens=128']);
    vit = profile(TINY_VIT, ['--chip', 'h100', '--peak', 'achievable', '--dim', 'batch=64']);
    vitCompare = profile(TINY_VIT, ['--chip', 'a100-80gb', '--peak', 'achievable', '--dim', 'batch=64']);
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const theme = url.searchParams.get('theme');
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(panelHarness(theme === 'dark' ? DARK_MODERN : theme === 'light' ? LIGHT_MODERN : null));
        return;
      }
      const file = ASSETS.find((a) => `/${path.basename(a)}` === url.pathname);
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
      res.end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  });

  after(async function () {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function open(options: { state?: unknown; theme?: 'dark' | 'light'; width?: number; height?: number } = {}): Promise<Harness> {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 1000 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    // The stub VS Code injects into every webview: postMessage to the host, getState/setState.
    // A string, not a function: tsx's transform would add helper calls (__name) that do not exist in the page.
    await page.addInitScript(stubVsCodeApi(options.state ?? null));
    await page.goto(`${base}/${options.theme ? `?theme=${options.theme}` : ''}`, { waitUntil: 'load' });
    const posted = async (): Promise<PanelToHost[]> => page.evaluate(() => (globalThis as unknown as { __posted: PanelToHost[] }).__posted);
    // Posts the message, then a marker, and returns once the marker arrived: window messages are
    // dispatched in order, so the panel has handled the message by then. (A string: see stubVsCodeApi.)
    const send = async (message: HostToPanel): Promise<void> =>
      page.evaluate(`new Promise((resolve) => {
        const mark = { sync: Math.random() };
        const onMessage = (e) => { if (e.data && e.data.sync === mark.sync) { removeEventListener('message', onMessage); resolve(); } };
        addEventListener('message', onMessage);
        window.postMessage(${JSON.stringify(message)}, '*');
        window.postMessage(mark, '*');
      })`);
    // In-page code as strings: the tests typecheck without the DOM library.
    const renderCount = async (): Promise<number> => Number(await page.evaluate(`document.getElementById('roofline')?.getAttribute('data-render') ?? 0`));
    return {
      page,
      errors,
      posted,
      send,
      async show(message) {
        const before = await renderCount();
        await send(message);
        await rendered(page, before);
        return Number(await page.locator('#roofline').getAttribute('data-points'));
      },
      state: async () => page.evaluate(() => (globalThis as unknown as { __state: unknown }).__state),
    };
  }

  function reportMessage(model: string, report: Report, compare: Report | null = null, dims: PanelDim[] = []): Extract<HostToPanel, { type: 'report' }> {
    return { type: 'report', model, uri: `file:///models/${model}`, report, compare, dims, chips };
  }

  async function positions(page: Page): Promise<Record<string, [number, number, number]>> {
    return JSON.parse((await page.locator('#roofline').getAttribute('data-positions')) ?? '{}') as Record<string, [number, number, number]>;
  }

  /** The point whose centre other points crowd least (repeated layers draw identical points on top of each other). */
  function isolated(pos: Record<string, [number, number, number]>): string {
    const ids = Object.keys(pos);
    const room = (id: string): number => Math.min(Infinity, ...ids.filter((o) => o !== id).map((o) => Math.hypot(pos[o][0] - pos[id][0], pos[o][1] - pos[id][1]) - pos[o][2] / 2));
    return ids.map((id) => ({ id, room: room(id) })).reduce((a, b) => (b.room > a.room ? b : a)).id;
  }

  /** Points whose disc covers this pixel: a click there may land on any of them. */
  function under(pos: Record<string, [number, number, number]>, x: number, y: number): string[] {
    return Object.keys(pos).filter((id) => Math.hypot(pos[id][0] - x, pos[id][1] - y) <= pos[id][2] / 2 + 1);
  }

  async function noViolations(h: Harness): Promise<void> {
    assert.deepEqual(h.errors, []);
    assert.deepEqual(await h.page.evaluate(() => (globalThis as unknown as { __csp: string[] }).__csp), []);
  }

  it("posts 'ready', draws one point per costed op of a CNN, shows a status line", async function () {
    const h = await open();
    await h.page.waitForFunction(() => (globalThis as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
    assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
    await h.send({ type: 'status', text: 'Profiling mnist-8_cntk.onnx for H100…' });
    assert.equal(await h.page.locator('#status').textContent(), 'Profiling mnist-8_cntk.onnx for H100…');
    const points = await h.show(reportMessage('mnist-8_cntk.onnx', mnist));
    assert.equal(points, costed(mnist));
    assert.ok(points >= 10);
    assert.match((await h.page.locator('h1').textContent()) ?? '', /mnist-8_cntk\.onnx/);
    assert.match((await h.page.locator('.rp-meta').textContent()) ?? '', /H100.*datasheet peaks/);
    const roofs = JSON.parse((await h.page.locator('#roofline').getAttribute('data-roofs')) ?? '[]') as Array<{ label: string; value: number; kind: string }>;
    assert.equal(roofs.find((r) => r.kind === 'memory')?.value, 3350e9);
    assert.ok(roofs.some((r) => r.kind === 'ridge'));
    assert.equal(await h.page.locator('#roofline').getAttribute('role'), 'img');
    assert.match((await h.page.locator('#chart-summary').textContent()) ?? '', /ops drawn/);
    // The total with its band (every op ×0.5–×2 on H100, no class calibrated yet) and what the band is.
    const totals = (await h.page.locator('#totals').textContent()) ?? '';
    assert.match(totals, /Predicted time[\d.]+ µs \([\d.]+–[\d.]+\)/);
    assert.match(totals, /Time bandeach op class's calibration residuals, summed \(conservative\); uncalibrated classes ×0\.5–×2/);
    assert.equal(await h.page.locator('#top-ops tbody tr').count(), Math.min(10, points));
    // MNIST has no symbolic dims: no Dimensions row (and no Apply button with nothing to apply).
    assert.equal(await h.page.locator('#dims').isVisible(), false);
    assert.equal(await h.page.locator('#dims-apply').isVisible(), false);
    await noViolations(h);
    await h.page.context().close();
  });

  it('draws a transformer with dims bound; the dims inputs post setBindings; clicking a point posts reveal', async function () {
    const h = await open();
    const dims: PanelDim[] = [
      { name: 'batch', value: 1 },
      { name: 'tokens', value: 128 },
    ];
    const points = await h.show(reportMessage('vespa_dummy_transformer.onnx', transformer, null, dims));
    assert.equal(points, costed(transformer));
    assert.ok(points > 50, `${points} points`);

    assert.equal(await h.page.locator('#dims input[data-dim="tokens"]').inputValue(), '128');
    await h.page.getByLabel('tokens').fill('512');
    await h.page.getByLabel('tokens').press('Enter');
    await h.page.getByLabel('batch').fill('0');
    await h.page.locator('#dims-apply').click();
    assert.match((await h.page.locator('#status').textContent()) ?? '', /whole numbers/);
    const bindings = (await h.posted()).filter((m) => m.type === 'setBindings');
    assert.deepEqual(bindings, [{ type: 'setBindings', bindings: { batch: 1, tokens: 512 } }]);

    const pos = await positions(h.page);
    assert.equal(Object.keys(pos).length, points);
    const id = isolated(pos);
    const [x, y] = pos[id];
    // Identical layers give identical points: the click may land on any point drawn at that pixel.
    const candidates = under(pos, x, y);
    assert.ok(candidates.includes(id));
    const box = await h.page.locator('#roofline').boundingBox();
    assert.ok(box);
    await h.page.mouse.move(box.x + x, box.y + y);
    await h.page.locator('#roofline .rp-tooltip-title').waitFor({ state: 'visible' });
    const names = candidates.map((c) => transformer.nodes.find((n) => n.id === c)).map((n) => n?.name || `(unnamed ${n?.opType})`);
    assert.ok(names.includes((await h.page.locator('#roofline .rp-tooltip-title').textContent()) ?? ''));
    await h.page.mouse.click(box.x + x, box.y + y);
    const reveals = (await h.posted()).filter((m): m is Extract<PanelToHost, { type: 'reveal' }> => m.type === 'reveal');
    assert.equal(reveals.length, 1);
    assert.ok(candidates.includes(reveals[0].nodeId), `revealed ${reveals[0].nodeId}, expected one of ${candidates.join(',')}`);
    // On a lone point (tiny-vit's slowest op) the click reveals exactly that node.
    await h.show(reportMessage('tiny-vit.onnx', vit));
    const vitPos = await positions(h.page);
    const lone = isolated(vitPos);
    assert.deepEqual(under(vitPos, vitPos[lone][0], vitPos[lone][1]), [lone]);
    // No dims this time: the form is hidden and the chart moved up.
    const vitBox = await h.page.locator('#roofline').boundingBox();
    assert.ok(vitBox);
    await h.page.mouse.click(vitBox.x + vitPos[lone][0], vitBox.y + vitPos[lone][1]);
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'reveal').slice(1), [{ type: 'reveal', nodeId: lone }]);
    await noViolations(h);
    await h.page.context().close();
  });

  it('lists the suggestions; selecting one marks its nodes with before/after markers; the what-if button posts whatIf', async function () {
    const h = await open();
    const dims: PanelDim[] = [
      { name: 'batch', value: 1 },
      { name: 'tokens', value: 128 },
    ];
    await h.show(reportMessage('vespa_dummy_transformer.onnx', transformer, null, dims));
    const expected = transformer.suggestions ?? [];
    assert.ok(expected.some((s) => s.id === 'fuse:attention'), 'the CLI report has the attention suggestion');
    const buttons = h.page.locator('#suggestions button[data-suggestion]');
    assert.equal(await buttons.count(), expected.length);
    assert.equal(await h.page.locator('#roofline').getAttribute('data-markers'), '0');
    const before = Number(await h.page.locator('#roofline').getAttribute('data-render'));
    await h.page.locator('#suggestions button[data-suggestion="fuse:attention"]').click();
    await rendered(h.page, before);
    assert.equal(await h.page.locator('#suggestions button[data-suggestion="fuse:attention"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await h.page.locator('#roofline').getAttribute('data-markers'), '2');
    const attention = expected.find((s) => s.id === 'fuse:attention');
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'reveal'), [{ type: 'reveal', nodeId: attention?.nodes[0] }]);
    await h.page.locator('#suggestions button[data-what-if="fuse:attention"]').click();
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'whatIf'), [{ type: 'whatIf', suggestion: 'fuse:attention' }]);
    assert.equal(((await h.state()) as { suggestion?: string }).suggestion, 'fuse:attention');
    await h.page.locator('#suggestions').screenshot({ path: path.join(ARTIFACTS, 'panel-suggestions.png') });
    await noViolations(h);
    await h.page.context().close();
  });

  it('switching chip or peak mode posts setChip; highlight marks the row; exported results show', async function () {
    const h = await open();
    await h.show(reportMessage('tiny-vit.onnx', vit));
    assert.equal(await h.page.getByLabel('Chip', { exact: true }).inputValue(), 'h100');
    await h.page.getByLabel('Chip', { exact: true }).selectOption('mi300x');
    await h.page.locator('#peak-mode').selectOption('datasheet');
    const changes = (await h.posted()).filter((m) => m.type === 'setChip');
    assert.deepEqual(changes, [
      { type: 'setChip', chip: 'mi300x', peakMode: 'achievable' },
      { type: 'setChip', chip: 'mi300x', peakMode: 'datasheet' },
    ]);
    const slowest = await h.page.locator('#top-ops tbody tr').first().getAttribute('data-node-id');
    assert.ok(slowest);
    await h.send({ type: 'highlight', nodeId: slowest });
    await h.page.locator(`#top-ops tr[aria-current="true"][data-node-id="${slowest}"]`).waitFor();
    // Rows are keyboard-activatable.
    await h.page.locator('#top-ops tbody tr').nth(1).focus();
    await h.page.keyboard.press('Enter');
    const second = await h.page.locator('#top-ops tbody tr').nth(1).getAttribute('data-node-id');
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'reveal'), [{ type: 'reveal', nodeId: second }]);
    await h.send({ type: 'exported', format: 'png', path: '/tmp/roofline.png' });
    assert.equal(await h.page.locator('#status').textContent(), 'Saved PNG to /tmp/roofline.png');
    await h.send({ type: 'exported', format: 'csv', path: null });
    assert.match((await h.page.locator('#status').textContent()) ?? '', /cancelled/);
    await noViolations(h);
    await h.page.context().close();
  });

  it('measured mode: each measured op gets a hollow diamond joined to its prediction, a Measured column and the error figures', async function () {
    const h = await open();
    // A measurement as the core attaches it (server/src/analysis/measure/compare.ts): three ops measured
    // at twice, half and exactly their predicted time.
    const plotted = mnist.nodes.filter((n) => n.modelled === true && n.counted !== false && (n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead') && (n.timeSeconds ?? 0) > 0 && (n.flops ?? 0) > 0);
    const picked = [...plotted].sort((a, b) => (b.timeSeconds ?? 0) - (a.timeSeconds ?? 0)).slice(0, 3);
    const factors = [2, 0.5, 1];
    const ops = picked.map((n, i) => ({ id: n.id, measuredSeconds: (n.timeSeconds ?? 0) * factors[i], error: 1 / factors[i] - 1 }));
    const measurement = { source: 'onnxruntime-node test profile', matched: 3, compared: 3, spearman: 0.5, medianAbsError: 0.5, significantOps: 3, endToEndError: -0.1, ops };
    await h.show(reportMessage('mnist-8_cntk.onnx', { ...mnist, measurement } as Report));
    assert.equal(await h.page.locator('#roofline').getAttribute('data-measured'), '3');
    assert.equal(await h.page.locator('#measured').isVisible(), true);
    assert.equal(await h.page.locator('#top-ops th', { hasText: 'Measured' }).count(), 1);
    // The slowest op was measured at twice its prediction: "(−50%)" error on its row.
    const first = h.page.locator(`#top-ops tbody tr[data-node-id="${picked[0].id}"]`);
    assert.match((await first.textContent()) ?? '', /−50%/);
    const totals = (await h.page.locator('#totals').textContent()) ?? '';
    assert.match(totals, /Spearman\)0\.50/);
    assert.match(totals, /End-to-end error−10%/);
    // Unticking "Measured" removes the diamonds; the state remembers it.
    await h.page.getByLabel('Measured', { exact: true }).uncheck();
    await h.page.waitForFunction(`document.getElementById('roofline').getAttribute('data-measured') === '0'`);
    assert.equal(((await h.state()) as { measured: boolean }).measured, false);
    // A report without a measurement hides the toggle and the column.
    await h.show(reportMessage('mnist-8_cntk.onnx', mnist));
    assert.equal(await h.page.locator('#measured').isVisible(), false);
    assert.equal(await h.page.locator('#top-ops th', { hasText: 'Measured' }).count(), 0);
    await noViolations(h);
    await h.page.context().close();
  });

  it('an incomplete model definition: the totals say so and are labelled as lower bounds', async function () {
    const h = await open();
    const coverage = { complete: false, layersResolved: 13, layersTotal: 16, parametersResolvedShare: 0.921, unresolved: [{ name: 'features.0', reason: '`features.0` (Conv2d) is left out of the graph' }] };
    await h.show(reportMessage('mnist-8_cntk.onnx', { ...mnist, coverage } as Report));
    const totals = (await h.page.locator('#totals').textContent()) ?? '';
    assert.match(totals, /Incomplete13 of 16 layers resolved: totals are lower bounds/);
    assert.match(totals, /Predicted time≥ /);
    assert.match(totals, /Parameters≥ /);
    await h.show(reportMessage('mnist-8_cntk.onnx', { ...mnist, coverage: { ...coverage, complete: true } } as Report));
    assert.doesNotMatch((await h.page.locator('#totals').textContent()) ?? '', /≥|Incomplete/);
    await h.page.context().close();
  });

  it('a comparison adds dashed roofs and a ratio column; the compare select posts compare', async function () {
    const h = await open();
    await h.show(reportMessage('tiny-vit.onnx', vit));
    assert.equal(await h.page.locator('#top-ops th button[data-sort="ratio"]').count(), 0);
    await h.page.getByLabel('Compare with').selectOption('a100-80gb');
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'compare'), [{ type: 'compare', chip: 'a100-80gb', peakMode: 'achievable' }]);
    await h.show(reportMessage('tiny-vit.onnx', vit, vitCompare));
    const roofs = JSON.parse((await h.page.locator('#roofline').getAttribute('data-roofs')) ?? '[]') as Array<{ label: string; value: number; kind: string; compare: boolean; chip: string }>;
    const cmp = roofs.filter((r) => r.compare);
    assert.ok(cmp.length >= 3, JSON.stringify(roofs));
    assert.equal(cmp.find((r) => r.kind === 'memory')?.value, (vitCompare.chip?.memoryBandwidthGBs ?? 0) * 1e9 * ((vitCompare.chip?.achievable as { memoryBandwidth?: number }).memoryBandwidth ?? 1));
    assert.ok(cmp.every((r) => /A100/.test(r.chip)));
    assert.equal(await h.page.locator('#top-ops th button[data-sort="ratio"]').count(), 1);
    const ratios = await h.page.locator('#top-ops tbody td:last-child').allTextContents();
    assert.ok(ratios.every((r) => /^\d+(\.\d+)?×$/.test(r)), ratios.join(' '));
    // The points of the comparison, optionally.
    await h.page.getByLabel('Show its ops').check();
    assert.equal((await h.state()) !== null && (await h.state() as { comparePoints: boolean }).comparePoints, true);
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'panel-compare.png'), fullPage: true });
    await noViolations(h);
    await h.page.context().close();
  });

  it('sorts the table, colours by op type, and the fused view merges each group into one point', async function () {
    const h = await open();
    const all = await h.show(reportMessage('tiny-vit.onnx', vit));
    assert.equal(all, costed(vit));
    // Sort by FLOPs: descending first, then ascending.
    await h.page.locator('#top-ops th button[data-sort="flops"]').click();
    const flopsOf = async (): Promise<number[]> => {
      const ids = await Promise.all((await h.page.locator('#top-ops tbody tr').all()).map(async (r) => (await r.getAttribute('data-node-id')) ?? ''));
      return ids.map((id) => {
        const n = vit.nodes.find((m) => m.id === id);
        return (n?.flops ?? 0) * (n?.executions ?? 1);
      });
    };
    const desc = await flopsOf();
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    assert.equal(await h.page.locator('#top-ops th[aria-sort="descending"] button').textContent(), 'FLOPs');
    await h.page.locator('#top-ops th button[data-sort="flops"]').click();
    const asc = await flopsOf();
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));

    await h.page.getByLabel('Colour by').selectOption('opType');
    await h.page.locator('#roofline[data-colour-by="opType"]').waitFor({ state: 'attached' });
    const series = JSON.parse((await h.page.locator('#roofline').getAttribute('data-series')) ?? '[]') as string[];
    assert.ok(series.includes('MatMul'), series.join(','));
    assert.equal(Number(await h.page.locator('#roofline').getAttribute('data-points')), all);

    const groups = vit.fusedGroups ?? [];
    assert.ok(groups.length > 3);
    const before = Number(await h.page.locator('#roofline').getAttribute('data-render'));
    await h.page.getByLabel('Fused view').check();
    await rendered(h.page, before);
    const fused = Number(await h.page.locator('#roofline').getAttribute('data-points'));
    assert.equal(fused, all - (groups.reduce((s, g) => s + g.nodes.length, 0) - groups.length));
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'panel-fused-optype.png'), fullPage: true });
    const state = (await h.state()) as { colourBy: string; fused: boolean; sort: { key: string; descending: boolean } };
    assert.deepEqual([state.colourBy, state.fused, state.sort], ['opType', true, { key: 'flops', descending: false }]);
    await noViolations(h);
    await h.page.context().close();
  });

  it('restores the view state from getState when the webview is shown again', async function () {
    const saved = { colourBy: 'opType', fused: true, sort: { key: 'bytes', descending: true }, compareChip: null, comparePeakMode: 'achievable', comparePoints: false, selected: 'n8', scrollY: 0 };
    const h = await open({ state: saved });
    const points = await h.show(reportMessage('tiny-vit.onnx', vit));
    const groups = vit.fusedGroups ?? [];
    assert.equal(points, costed(vit) - (groups.reduce((s, g) => s + g.nodes.length, 0) - groups.length));
    assert.equal(await h.page.getByLabel('Colour by').inputValue(), 'opType');
    assert.equal(await h.page.getByLabel('Fused view').isChecked(), true);
    assert.equal(await h.page.locator('#top-ops th[aria-sort="descending"] button').textContent(), 'Bytes');
    assert.equal(await h.page.locator('#roofline').getAttribute('data-colour-by'), 'opType');
    // A restored comparison the host no longer has is asked for again.
    const h2 = await open({ state: { ...saved, compareChip: 'a100-80gb' } });
    await h2.show(reportMessage('tiny-vit.onnx', vit));
    assert.deepEqual((await h2.posted()).filter((m) => m.type === 'compare'), [{ type: 'compare', chip: 'a100-80gb', peakMode: 'achievable' }]);
    // …but not once the chip it was made against has changed (it would carry over to another chip).
    const h3 = await open({ state: { ...saved, compareChip: 'a100-80gb', compareBase: 'mi300x|achievable' } });
    await h3.show(reportMessage('tiny-vit.onnx', vit));
    assert.deepEqual((await h3.posted()).filter((m) => m.type === 'compare'), []);
    assert.equal(((await h3.state()) as { compareChip: string | null }).compareChip, null);
    await h3.page.context().close();
    await noViolations(h);
    await h.page.context().close();
    await h2.page.context().close();
  });

  it('exports PNG, SVG, CSV and JSON through postMessage (SVG under the strict CSP)', async function () {
    const h = await open();
    await h.show(reportMessage('tiny-vit.onnx', vit, vitCompare));
    for (const f of ['png', 'svg', 'csv', 'json']) await h.page.locator(`#export-${f}`).click();
    const exports = (await h.posted()).filter((m): m is Extract<PanelToHost, { type: 'export' }> => m.type === 'export');
    assert.deepEqual(
      exports.map((e) => e.format),
      ['png', 'svg', 'csv', 'json'],
    );
    const png = exports[0].data;
    assert.match(png, /^data:image\/png;base64,/);
    const bytes = Buffer.from(png.slice(png.indexOf(',') + 1), 'base64');
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = exports[1].data;
    fs.writeFileSync(path.join(ARTIFACTS, 'panel-export.svg'), svg);
    assert.match(svg, /^<svg[\s>]/);
    const parsed = (await h.page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
      return { root: doc.documentElement.nodeName, errors: doc.getElementsByTagName('parsererror').length, paths: doc.getElementsByTagName('path').length };
    })()`)) as { root: string; errors: number; paths: number };
    assert.deepEqual([parsed.root, parsed.errors], ['svg', 0]);
    assert.ok(parsed.paths > costed(vit), `${parsed.paths} paths`);
    const csv = exports[2].data.trimEnd().split('\r\n');
    assert.equal(csv[0], 'id,name,opType,timeSeconds,share,flops,bytes,intensity,bound');
    assert.equal(csv.length - 1, costed(vit));
    const json = JSON.parse(exports[3].data) as Array<{ id: string; bound: string }>;
    assert.equal(json.length, costed(vit));
    assert.ok(json.every((r) => r.bound === 'memory' || r.bound === 'compute'));
    fs.writeFileSync(path.join(ARTIFACTS, 'panel-export.png'), bytes);
    await noViolations(h);
    await h.page.context().close();
  });

  it('renders a hostile node name as text (no element created, no dialog), in the table, tooltip and exports', async function () {
    const FLOAT = 1;
    const file = path.join(tmp, 'hostile.onnx');
    modelProto({
      irVersion: 8,
      opsets: { '': 17 },
      graph: {
        name: 'g',
        nodes: [
          { op: 'MatMul', name: HOSTILE, inputs: ['x', 'w'], outputs: ['y'] },
          { op: 'Relu', name: '"quoted", =1+1', inputs: ['y'], outputs: ['z'] },
          { op: 'Add', name: 'line\u2028sep & <b>bold</b>', inputs: ['z', 'x'], outputs: ['out'] },
        ],
        inputs: [valueInfo('x', FLOAT, ['batch', 128, 256])],
        outputs: [valueInfo('out', FLOAT, null)],
        initializers: [{ name: 'w', dtype: FLOAT, dims: [256, 256], rawZeros: 256 * 256 * 4 }],
      },
    }).writeFile(file);
    const report = profile(file, ['--dim', 'batch=1']);
    const h = await open();
    const points = await h.show(reportMessage(HOSTILE, report, null, [{ name: HOSTILE, value: 1 }]));
    assert.equal(points, 3);
    const names = await h.page.locator('#top-ops tbody td.rp-name').allTextContents();
    assert.ok(names.some((n) => n.startsWith(HOSTILE)), names.join(' | '));
    assert.match((await h.page.locator('h1').textContent()) ?? '', /<img src=x/);
    const id = report.nodes.find((n) => n.name === HOSTILE)?.id ?? '';
    const pos = await positions(h.page);
    const box = await h.page.locator('#roofline').boundingBox();
    assert.ok(box);
    await h.page.mouse.move(box.x + pos[id][0], box.y + pos[id][1]);
    await h.page.locator('#roofline .rp-tooltip-title').waitFor({ state: 'visible' });
    assert.equal(await h.page.locator('#roofline .rp-tooltip-title').textContent(), HOSTILE);
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'panel-hostile.png'), fullPage: true });
    await h.page.locator('#export-csv').click();
    const csv = (await h.posted()).find((m) => m.type === 'export');
    assert.ok(csv && csv.type === 'export');
    assert.match(csv.data, /"'=1\+1|""quoted"", '?=1\+1"/);
    assert.equal(await h.page.locator('img').count(), 0);
    assert.equal(await h.page.locator('b').count(), 0);
    await noViolations(h);
    await h.page.context().close();
  });

  it('identical ops (repeated layers) are one point with a count; its tooltip lists the names; every member sits at its place', async function () {
    const h = await open();
    const dims: PanelDim[] = [
      { name: 'batch', value: 1 },
      { name: 'tokens', value: 128 },
    ];
    const ops = await h.show(reportMessage('vespa_dummy_transformer.onnx', transformer, null, dims));
    assert.equal(ops, costed(transformer));
    // Independently of the chart: costed nodes with the same op type, FLOPs and bytes per run.
    const sets = new Map<string, string[]>();
    for (const n of transformer.nodes) {
      if (n.counted === false || n.modelled !== true || (n.bound !== 'memory' && n.bound !== 'compute' && n.bound !== 'overhead') || (n.timeSeconds ?? 0) <= 0) continue;
      const k = n.executions ?? 1;
      const key = `${n.opType}|${(n.flops ?? 0) * k}|${((n.bytesRead ?? 0) + (n.bytesWritten ?? 0)) * k}`;
      sets.set(key, [...(sets.get(key) ?? []), n.id]);
    }
    const drawn = Number(await h.page.locator('#roofline').getAttribute('data-drawn'));
    assert.equal(drawn, sets.size);
    assert.ok(drawn < ops, `${drawn} points for ${ops} ops: repeated layers are grouped`);
    const biggest = [...sets.values()].sort((a, b) => b.length - a.length)[0];
    assert.ok(biggest.length >= 2);
    const pos = await positions(h.page);
    for (const id of biggest) assert.deepEqual(pos[id], pos[biggest[0]], `${id} drawn with its group`);
    // At most five labels, each "op type ×N time" for a grouped point.
    const labels = JSON.parse((await h.page.locator('#roofline').getAttribute('data-labels')) ?? '[]') as string[];
    assert.ok(labels.length > 0 && labels.length <= 5, labels.join(' | '));
    assert.ok(labels.some((l) => /×\d+ [\d.]+ (µs|ms|ns)$/.test(l)), labels.join(' | '));
    // The tooltip of a grouped point no other point overlaps: the count, the first names, the rest counted.
    const clear = [...sets.values()].filter((ids) => ids.length >= 2).find((ids) => under(pos, pos[ids[0]][0], pos[ids[0]][1]).every((id) => ids.includes(id)));
    assert.ok(clear, 'a grouped point stands clear of the others');
    const box = await h.page.locator('#roofline').boundingBox();
    assert.ok(box);
    await h.page.mouse.move(box.x + pos[clear[0]][0], box.y + pos[clear[0]][1]);
    await h.page.locator('#roofline .rp-tooltip-title').waitFor({ state: 'visible' });
    const tooltip = (await h.page.locator('#roofline .rp-tooltip').last().textContent()) ?? '';
    assert.match(tooltip, new RegExp(`×${clear.length}`));
    assert.match(tooltip, new RegExp(`${clear.length} ops with the same op type, FLOPs and bytes`));
    if (clear.length > 6) assert.match(tooltip, new RegExp(`and ${clear.length - 6} more`));
    // Its time with the band (the members' bands summed), and what the band is: H100 has no calibrated classes yet.
    assert.match(tooltip, /time[\d.]+ (µs|ms) \([\d.]+–[\d.]+\), \d+ × /);
    assert.match(tooltip, /bandband ×0\.5–×2: its op class is not calibrated on this chip/);
    // Every drawn point has a whisker (each op of the transformer has a band).
    assert.equal(Number(await h.page.locator('#roofline').getAttribute('data-error-bars')), drawn);
    await noViolations(h);
    await h.page.context().close();
  });

  it('launch-bound ops (3 µs per kernel on H100 > their work) get a third colour, a legend entry and an explanation', async function () {
    const FLOAT = 1;
    const file = path.join(tmp, 'small.onnx');
    // x: float[1,128,256] (128 KiB). MatMul with a 256×256 weight: 2·128·256·256 = 16.8 MFLOP (0.25 µs at
    // 66.9 TFLOP/s fp32) and 128 KiB + 256 KiB + 128 KiB = 512 KiB (0.16 µs at 3.35 TB/s); Relu: 256 KiB
    // moved (0.08 µs). Each is far under H100's fixed 3 µs per kernel (chips.json kernelOverheadUs).
    // The 4096³ GEMM: 2·4096³ = 137 GFLOP, 2.05 ms at 66.9 TFLOP/s: compute-bound, not launch-bound.
    modelProto({
      irVersion: 8,
      opsets: { '': 17 },
      graph: {
        name: 'g',
        nodes: [
          { op: 'MatMul', name: 'small_mm', inputs: ['x', 'w'], outputs: ['y'] },
          { op: 'Relu', name: 'relu', inputs: ['y'], outputs: ['z'] },
          { op: 'MatMul', name: 'big_mm', inputs: ['a', 'b'], outputs: ['c'] },
        ],
        inputs: [valueInfo('x', FLOAT, [1, 128, 256]), valueInfo('a', FLOAT, [4096, 4096]), valueInfo('b', FLOAT, [4096, 4096])],
        outputs: [valueInfo('z', FLOAT, null), valueInfo('c', FLOAT, null)],
        initializers: [{ name: 'w', dtype: FLOAT, dims: [256, 256], rawZeros: 256 * 256 * 4 }],
      },
    }).writeFile(file);
    const report = profile(file, ['--chip', 'h100']);
    const h = await open();
    await h.show(reportMessage('small.onnx', report));
    assert.equal(await h.page.locator('#roofline').getAttribute('data-launch-bound'), '2');
    const series = JSON.parse((await h.page.locator('#roofline').getAttribute('data-series')) ?? '[]') as string[];
    assert.deepEqual(series, ['memory-bound ops', 'compute-bound ops', 'launch-bound (fixed per-kernel cost > work)']);
    const note = (await h.page.locator('#launch-note').textContent()) ?? '';
    assert.match(note, /^2 of 3 ops are launch-bound/);
    assert.match(note, /fixed 3 µs per kernel on NVIDIA H100 SXM5 80GB \(its kernelOverheadUs\)/);
    const bounds = Object.fromEntries(
      await Promise.all((await h.page.locator('#top-ops tbody tr').all()).map(async (r) => [(await r.locator('td.rp-name').textContent())?.split(' ')[0], await r.locator('td').nth(6).textContent()])),
    ) as Record<string, string>;
    assert.deepEqual(bounds, { big_mm: 'compute', small_mm: 'overhead', relu: 'overhead' });
    await noViolations(h);
    await h.page.context().close();
  });

  it('says which roofs it draws: achievable figures as fractions of the datasheet ones', async function () {
    const h = await open();
    await h.show(reportMessage('tiny-vit.onnx', vit));
    // H100: 3,350 GB/s datasheet, 0.9 achievable (chips.json): 3.015 TB/s.
    assert.match((await h.page.locator('#roofs-note').textContent()) ?? '', /^Roofs: achievable: memory 3\.015 TB\/s = 90% of the 3\.35 TB\/s datasheet/);
    await h.show(reportMessage('mnist-8_cntk.onnx', mnist));
    assert.match((await h.page.locator('#roofs-note').textContent()) ?? '', /^Roofs: datasheet: memory 3\.35 TB\/s/);
    await h.page.context().close();
  });

  it('zooms with Ctrl+wheel and the sliders; Reset zoom restores the whole range; PNG export still works zoomed', async function () {
    const h = await open();
    await h.show(reportMessage('tiny-vit.onnx', vit));
    assert.equal(await h.page.locator('#roofline').getAttribute('data-zoomed'), 'false');
    const box = await h.page.locator('#roofline').boundingBox();
    assert.ok(box);
    const before = await positions(h.page);
    await h.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await h.page.keyboard.down('Control');
    for (let i = 0; i < 3; i++) await h.page.mouse.wheel(0, -300);
    await h.page.keyboard.up('Control');
    await h.page.waitForFunction(`document.getElementById('roofline').getAttribute('data-zoomed') === 'true'`);
    assert.notDeepEqual(await positions(h.page), before);
    await h.page.locator('#export-png').click();
    const png = (await h.posted()).find((m) => m.type === 'export');
    assert.ok(png && png.type === 'export' && png.data.startsWith('data:image/png;base64,'));
    await h.page.locator('#reset-zoom').click();
    await h.page.waitForFunction(`document.getElementById('roofline').getAttribute('data-zoomed') === 'false'`);
    assert.deepEqual(await positions(h.page), before);
    await noViolations(h);
    await h.page.context().close();
  });

  it('a what-if is its own view (header names the suggestion, never the chip); Reset clears header and markers', async function () {
    const h = await open();
    const dims: PanelDim[] = [
      { name: 'batch', value: 1 },
      { name: 'tokens', value: 128 },
    ];
    await h.show(reportMessage('vespa_dummy_transformer.onnx', transformer, null, dims));
    await h.page.locator('#suggestions button[data-suggestion="fuse:attention"]').click();
    await h.page.locator('#suggestions button[data-what-if="fuse:attention"]').click();
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'whatIf'), [{ type: 'whatIf', suggestion: 'fuse:attention' }]);
    // The host answers with the report as if applied (same chip) as the comparison, marked as a what-if.
    const whatIf = { suggestion: 'fuse:attention', title: 'Fuse the attention', available: true };
    await h.show({ ...reportMessage('vespa_dummy_transformer.onnx', transformer, transformer, dims), whatIf });
    const header = h.page.locator('#comparison');
    assert.equal(await header.isVisible(), true);
    assert.equal(await header.locator('strong').textContent(), 'What if: Fuse the attention — before → after');
    assert.doesNotMatch((await header.textContent()) ?? '', /H100|compared with/i);
    assert.doesNotMatch((await h.page.locator('.rp-meta').textContent()) ?? '', /compared with/i);
    const roofs = JSON.parse((await h.page.locator('#roofline').getAttribute('data-roofs')) ?? '[]') as Array<{ compare: boolean }>;
    assert.equal(roofs.filter((r) => r.compare).length, 0, 'the same chip: its roofs are not drawn twice');
    assert.equal(await h.page.locator('#roofline').getAttribute('data-markers'), '2');
    assert.equal(await h.page.getByLabel('Compare with').inputValue(), '', 'a what-if is not a chip comparison');
    assert.match((await h.page.locator('#totals').textContent()) ?? '', /After the what-if/);
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'panel-what-if.png'), fullPage: true });

    const render = Number(await h.page.locator('#roofline').getAttribute('data-render'));
    await h.page.locator('#reset-comparison').click();
    await rendered(h.page, render);
    assert.equal(await header.isVisible(), false);
    assert.equal(await h.page.locator('#roofline').getAttribute('data-markers'), '0');
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'compare'), [{ type: 'compare', chip: null, peakMode: 'achievable' }]);
    const state = (await h.state()) as { suggestion: string | null; compareChip: string | null };
    assert.deepEqual([state.suggestion, state.compareChip], [null, null]);
    // The host's plain report that follows keeps it that way.
    await h.show(reportMessage('vespa_dummy_transformer.onnx', transformer, null, dims));
    assert.equal(await header.isVisible(), false);
    assert.equal(await h.page.locator('#roofline').getAttribute('data-markers'), '0');
    await noViolations(h);
    await h.page.context().close();
  });

  it('Compare → none clears a selected suggestion\'s markers; switching chip or model drops the comparison', async function () {
    const h = await open();
    await h.show(reportMessage('tiny-vit.onnx', vit, vitCompare));
    assert.equal(await h.page.locator('#comparison strong').textContent(), 'Compare with NVIDIA A100 SXM4 80GB (achievable peaks)');
    const suggestion = vit.suggestions?.[0];
    assert.ok(suggestion, 'tiny-vit has a suggestion');
    let render = Number(await h.page.locator('#roofline').getAttribute('data-render'));
    await h.page.locator(`#suggestions button[data-suggestion="${suggestion.id}"]`).click();
    await rendered(h.page, render);
    assert.notEqual(await h.page.locator('#roofline').getAttribute('data-markers'), '0');
    render = Number(await h.page.locator('#roofline').getAttribute('data-render'));
    await h.page.getByLabel('Compare with').selectOption('');
    await rendered(h.page, render);
    assert.equal(await h.page.locator('#roofline').getAttribute('data-markers'), '0');
    assert.equal(await h.page.locator('#comparison').isVisible(), false);
    assert.equal(((await h.state()) as { suggestion: string | null }).suggestion, null);

    // Compare again, then switch the chip: the comparison is dropped at once, not carried to the new chip.
    await h.show(reportMessage('tiny-vit.onnx', vit, vitCompare));
    await h.page.getByLabel('Chip', { exact: true }).selectOption('mi300x');
    assert.equal(await h.page.locator('#comparison').isVisible(), false);
    assert.equal(((await h.state()) as { compareChip: string | null }).compareChip, null);
    assert.deepEqual((await h.posted()).filter((m) => m.type === 'setChip'), [{ type: 'setChip', chip: 'mi300x', peakMode: 'achievable' }]);

    // Another model in the same page: what was chosen for the last one does not apply.
    await h.show(reportMessage('tiny-vit.onnx', vit, vitCompare));
    await h.show({ ...reportMessage('mnist-8_cntk.onnx', mnist), uri: 'file:///models/other/mnist-8_cntk.onnx' });
    assert.equal(await h.page.locator('#comparison').isVisible(), false);
    assert.equal(((await h.state()) as { compareChip: string | null }).compareChip, null);
    await noViolations(h);
    await h.page.context().close();
  });

  it("a config.json's decode step says so in the title, header and suggestions", async function () {
    const h = await open();
    // A report whose suggestions were not computed (no `suggestions` field).
    await h.show({ ...reportMessage('llama-2-7b config.json', { ...mnist, suggestions: undefined }), phase: 'decode' });
    assert.equal(await h.page.locator('h1').textContent(), 'Roofline — llama-2-7b config.json (decode step)');
    assert.match((await h.page.locator('.rp-meta').textContent()) ?? '', /^one decode step · /);
    assert.equal(await h.page.locator('#suggestions h2').textContent(), 'Suggestions (decode step): not computed for the decode step');
    await h.show({ ...reportMessage('llama-2-7b config.json', mnist), phase: 'prefill' });
    assert.equal(await h.page.locator('h1').textContent(), 'Roofline — llama-2-7b config.json (prefill)');
    assert.equal(await h.page.locator('#suggestions h2').textContent(), `Suggestions (prefill) (${mnist.suggestions?.length ?? 0})`);
    await h.page.context().close();
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`${theme} theme: readable colours from the --vscode-* variables (screenshot for the README)`, async function () {
      const h = await open({ theme, width: 1500, height: 1050 });
      const dims: PanelDim[] = [{ name: 'batch', value: 64 }];
      await h.show(reportMessage('tiny-vit.onnx', vit, vitCompare, dims));
      const slowest = await h.page.locator('#top-ops tbody tr').first().getAttribute('data-node-id');
      await h.send({ type: 'highlight', nodeId: slowest });
      const vars: ThemeVars = theme === 'dark' ? DARK_MODERN : LIGHT_MODERN;
      const colours = (await h.page.evaluate(`({ body: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color })`)) as { body: string; fg: string };
      assert.equal(colours.body, hexToRgb(vars['--vscode-editor-background']));
      assert.equal(colours.fg, hexToRgb(vars['--vscode-editor-foreground']));
      const file = path.join(ARTIFACTS, `roofline-panel-${theme}.png`);
      await h.page.screenshot({ path: file, fullPage: false });
      // Switching theme re-renders the chart in place.
      const before = Number(await h.page.locator('#roofline').getAttribute('data-render'));
      await h.page.evaluate(`document.body.className = ${JSON.stringify(theme === 'dark' ? 'vscode-light' : 'vscode-dark')}`);
      await rendered(h.page, before);
      await noViolations(h);
      await h.page.context().close();
    });
  }
});

/** Waits until the chart has rendered again (its data-render counter passed `before`). */
async function rendered(page: Page, before: number): Promise<void> {
  await page.waitForFunction(`Number(document.getElementById('roofline')?.getAttribute('data-render') ?? 0) > ${before}`, undefined, { timeout: 30_000 });
}

function hexToRgb(hex: string): string {
  const n = parseInt(hex.slice(1, 7), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
