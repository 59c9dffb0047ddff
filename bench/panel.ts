/**
 * `BENCH_ONLY=panel npm run bench`: the roofline panel's in-place update in Chromium (Debian's
 * /usr/bin/chromium through playwright-core). The panel is loaded in the test harness page
 * (test/e2e/panel-harness.ts) with a 5,000-node report; then a new 'report' message is posted (as after
 * re-binding dims: the same model at another batch size) and the time until the chart has rendered it
 * (the container's data-render advanced, set after ECharts' 'finished') is measured inside the page.
 * The report is sent as the extension sends it: nodes cut to the panel's fields, tensors as text.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { HostToPanel } from '../media/src/panel-messages';
import type { ReportLike } from '../media/src/report-types';
import { chartDetail, Report } from '../server/src/analysis/report';
import { panelHarness } from '../test/e2e/panel-harness';
import { stubVsCodeApi } from '../test/e2e/panel-stub';

const ROOT = path.resolve(__dirname, '..');
const CHROMIUM = process.env.RIDGEPOINT_CHROMIUM ?? '/usr/bin/chromium';

export interface PanelBench {
  readonly nodes: number;
  /** Ops drawn (data-points) and the points they are drawn as (identical ops grouped: data-drawn). */
  readonly ops: number;
  readonly points: number;
  readonly firstRenderMs: number;
  readonly updateMs: readonly number[];
}

function report(model: string, batch: number): ReportLike {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'profile', model, '--dim', `batch=${batch}`, '--chip', 'h100', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`profile failed: ${r.stderr}`);
  const full = JSON.parse(r.stdout) as Report;
  // What the panel receives: the report with `detail: 'chart'` (server/src/lsp/handlers/profile.ts), its
  // nodes cut to what the panel reads, as the extension posts it (client/src/roofline-panel.ts).
  return chartDetail(full);
}

export async function benchPanel(model: string, runs: number): Promise<PanelBench> {
  const messages: HostToPanel[] = [1, 2].map((batch) => ({ type: 'report', model: path.basename(model), uri: `file://${model}`, report: report(model, batch), compare: null, dims: [{ name: 'batch', value: batch }], chips: [] }));
  const assets = new Map(['roofline-panel.js', 'panel.css'].map((f) => [`/${f}`, fs.readFileSync(path.join(ROOT, 'dist/media', f))]));
  const server = http.createServer((req, res) => {
    const body = req.url === '/' ? Buffer.from(panelHarness(null)) : assets.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': req.url === '/' ? 'text/html' : req.url?.endsWith('.css') ? 'text/css' : 'text/javascript' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.addInitScript(stubVsCodeApi(null));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.evaluate(`globalThis.__messages = ${JSON.stringify(messages)}`);
    // Inside the page: post a message and resolve when the chart says it rendered (a string: no tsx helpers).
    const post = async (index: number): Promise<number> =>
      page.evaluate(`new Promise((resolve) => {
        const el = document.getElementById('roofline');
        const before = el.getAttribute('data-render');
        const t0 = performance.now();
        const observer = new MutationObserver(() => {
          if (el.getAttribute('data-render') !== before) { observer.disconnect(); resolve(performance.now() - t0); }
        });
        observer.observe(el, { attributes: true, attributeFilter: ['data-render'] });
        window.postMessage(globalThis.__messages[${index}], '*');
      })`) as Promise<number>;
    const firstRenderMs = await post(0);
    const updateMs: number[] = [];
    for (let i = 0; i < runs; i++) updateMs.push(await post((i + 1) % 2));
    const ops = Number(await page.locator('#roofline').getAttribute('data-points'));
    const points = Number(await page.locator('#roofline').getAttribute('data-drawn'));
    return { nodes: messages[0].type === 'report' ? messages[0].report.nodes.length : 0, ops, points, firstRenderMs, updateMs };
  } finally {
    await browser.close();
    server.close();
  }
}
