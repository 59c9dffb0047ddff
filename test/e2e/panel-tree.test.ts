/**
 * The roofline panel's "Cost by module" section (media/src/panel-tree.ts) in a real browser, in the panel
 * harness (test/e2e/panel-harness.ts): the section is there with the model's stages, a click on a name posts
 * the panel's 'reveal' for that row's costliest node without folding the row, and a module the user opened
 * stays open when the next report arrives (a chip or bindings change).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Browser, chromium } from 'playwright-core';
import type { HostToPanel, PanelToHost } from '../../media/src/panel-messages';
import type { ReportLike } from '../../media/src/report-types';
import { panelHarness } from './panel-harness';
import { stubVsCodeApi } from './panel-stub';
import { chromiumPrerequisite, ensurePrerequisites } from '../support/prerequisites';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ASSETS = ['roofline-panel.js', 'panel.css'].map((f) => path.join(ROOT, 'dist/media', f));
const CHROMIUM = process.env.RIDGEPOINT_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test/e2e/.artifacts');

describe('roofline panel: Cost by module (real browser)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let server: http.Server;
  let base: string;

  before(async function () {
    ensurePrerequisites(this, chromiumPrerequisite(CHROMIUM));
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const file = ASSETS.find((a) => `/${path.basename(a)}` === url.pathname);
      if (url.pathname === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(panelHarness(null));
      else if (file) res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(fs.readFileSync(file));
      else res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  });

  after(async function () {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('shows the stages, reveals a row’s costliest node on a click, keeps opened modules across reports', async function () {
    const r = spawnSync(process.execPath, [CLI, 'profile', path.join(ROOT, 'test/fixtures/pytorch/resnet.py'), '--entry', 'resnet18', '--input', '1x3x224x224', '--chip', 'h100', '--format', 'json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ReportLike;
    const layer1 = report.costTree?.children.find((c) => c.name === 'layer1');
    assert.ok(layer1?.revealNodeId, 'the report’s tree has layer1');
    // The node it reveals is the costliest op named under layer1 (module paths `layer1.0.conv1`, `layer1.0/Add`).
    const costliest = report.nodes.filter((n) => n.name.startsWith('layer1.')).reduce((a, b) => ((b.timeSeconds ?? 0) > (a.timeSeconds ?? 0) ? b : a));
    assert.equal(layer1.revealNodeId, costliest.id);

    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.addInitScript(stubVsCodeApi(null));
    await page.goto(base, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
    const message: HostToPanel = { type: 'report', model: 'resnet.py', uri: 'file:///models/resnet.py', report, compare: null, dims: [], chips: [] };
    await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);

    const stage = page.locator('#cost-tree details[data-path="layer1"]');
    await stage.waitFor({ state: 'visible' });
    for (const name of ['layer2', 'layer3', 'layer4']) assert.equal(await page.locator(`#cost-tree details[data-path="${name}"]`).count(), 1);
    assert.match((await stage.locator(':scope > summary').textContent()) ?? '', /layer1.*[\d.]+ µs/);

    await stage.locator(':scope > summary button.rp-tree-name').click();
    const reveals = (await page.evaluate(() => (globalThis as unknown as { __posted: PanelToHost[] }).__posted)).filter((m) => m.type === 'reveal');
    assert.deepEqual(reveals, [{ type: 'reveal', nodeId: costliest.id }]);
    assert.equal(await stage.getAttribute('open'), null, 'a click on the name does not unfold the row');

    // Opening the stage (a click on its bar), then a new report: it stays open, its blocks shown.
    await stage.locator(':scope > summary .rp-tree-bar').click();
    await page.locator('#cost-tree details[data-path="layer1 › 0"]').waitFor({ state: 'visible' });
    // Marks the drawn row, so that the wait below sees the redrawn one.
    await page.evaluate(`document.querySelector('#cost-tree details[data-path="layer1"]').dataset.drawn = 'before'`);
    await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
    await page.waitForFunction(`(() => { const d = document.querySelector('#cost-tree details[data-path="layer1"]'); return d !== null && d.dataset.drawn === undefined && d.open; })()`);
    await page.locator('#cost-tree details[data-path="layer1 › 0"]').waitFor({ state: 'visible' });
    await page.locator('#cost-tree').screenshot({ path: path.join(ARTIFACTS, 'panel-cost-tree.png') });
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
