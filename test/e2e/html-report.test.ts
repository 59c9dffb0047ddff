/**
 * The self-contained HTML report in a real browser (Debian's chromium through playwright-core; CI
 * installs it, playwright never downloads one). Checks that the roofline draws one point per modelled op,
 * that the page logs no errors and requests nothing but itself, and that hostile node names stay text.
 * Screenshots land in test/e2e/.artifacts/ (gitignored).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser, chromium, Page } from 'playwright-core';
import { modelProto, valueInfo } from '../../scripts/lib/onnx-writer';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { builtinChips, findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { buildReport, Report, ReportNode } from '../../server/src/analysis/report';
import { renderHtmlReport } from '../../server/src/cli/html';
import { seconds } from '../../media/src/format';
import { CORPUS, corpusPrerequisite } from '../support/corpus';
import { chromiumPrerequisite, ensurePrerequisites } from '../support/prerequisites';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ASSETS = [path.join(ROOT, 'dist/media/report-page.js'), path.join(ROOT, 'dist/media/report.css')];
const ARTIFACTS = path.join(ROOT, 'test/e2e/.artifacts');
const CHROMIUM = process.env.RIDGEPOINT_CHROMIUM ?? '/usr/bin/chromium';

const HOSTILE_IMG = '<img src=x onerror="window.__xss=1">';
const HOSTILE_SCRIPT = '</script><script>window.__xss=2</script><!--';
const HOSTILE_PATH = '<svg onload="window.__xss=3">.onnx';

/** What the chart must draw: every costed op (modelled, counted, memory-, compute- or overhead-bound, with traffic and time; 0-FLOP data movement at the left edge). */
function drawnNodes(report: Report): ReportNode[] {
  return report.nodes.filter((n: ReportNode) => n.modelled === true && n.counted !== false && (n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead') && (n.bytesRead ?? 0) + (n.bytesWritten ?? 0) > 0 && (n.timeSeconds ?? 0) > 0);
}

function expectedPoints(report: Report): number {
  return drawnNodes(report).length;
}

/** The report the page embeds, read back from the HTML as the page does. */
function embeddedReport(html: string): Report {
  const m = /<script type="application\/json" id="ridgepoint-data">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'embedded report data');
  return JSON.parse(m[1]) as Report;
}

function newest(paths: string[]): number {
  let t = 0;
  const visit = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else t = Math.max(t, st.mtimeMs);
  };
  paths.forEach(visit);
  return t;
}

/** Builds when the bundle is missing or older than the page sources (npm test has just built it). */
function ensureBuilt(): void {
  const outputs = [CLI, ...ASSETS];
  const fresh = outputs.every((f) => fs.existsSync(f)) && Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs)) >= newest([path.join(ROOT, 'media/src'), path.join(ROOT, 'server/src/cli/html.ts')]);
  if (fresh) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `build failed: ${r.stderr}`);
}

interface PageRun {
  page: Page;
  errors: string[];
  requests: string[];
  points: number;
}

describe('HTML report (real browser)', function () {
  let browser: Browser;
  let tmp: string;

  before(async function () {
    ensurePrerequisites(this, chromiumPrerequisite(CHROMIUM));
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-html-'));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async function () {
    await browser?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function open(file: string): Promise<PageRun> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // The page sets data-points once ECharts reports the chart finished drawing.
    const chart = page.locator('#roofline[data-points]');
    await chart.waitFor({ state: 'attached', timeout: 60_000 });
    const points = Number(await chart.getAttribute('data-points'));
    return { page, errors, requests, points };
  }

  /** Hovers the drawn point of the op with this name and returns the tooltip's title text. */
  async function hover(page: Page, name: string): Promise<string> {
    const pixel = await page.evaluate((wanted) => {
      const g = globalThis as unknown as {
        __ridgepoint: { chart: { convertToPixel(finder: object, value: number[]): number[] }; data: { points: Array<{ name: string; intensity: number; flopsPerSecond: number }> } };
      };
      const p = g.__ridgepoint.data.points.find((q) => q.name === wanted);
      return p ? g.__ridgepoint.chart.convertToPixel({ gridIndex: 0 }, [p.intensity, p.flopsPerSecond]) : null;
    }, name);
    assert.ok(pixel, `no point for ${name}`);
    const box = await page.locator('#roofline').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + pixel[0], box.y + pixel[1]);
    const title = page.locator('#roofline .rp-tooltip-title');
    await title.waitFor({ state: 'visible', timeout: 10_000 });
    return (await title.textContent()) ?? '';
  }

  it('draws tiny-vit from `ridgepoint profile --format html`: one point per modelled op, no errors, no network', async function () {
    const out = path.join(tmp, 'tiny-vit.html');
    const r = spawnSync(process.execPath, [CLI, 'profile', path.join(ROOT, 'examples/tiny-vit.onnx'), '--dim', 'batch=1', '--chip', 'h100', '--format', 'html', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const html = fs.readFileSync(out, 'utf8');
    // Nothing to load: no src/href attributes, no <link>, no CSS url() or @import (the request log below checks it too).
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
    assert.doesNotMatch(markup, /\s(src|href)=|<link|url\(|@import/i);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/);
    const expected = expectedPoints(embeddedReport(html));
    assert.ok(expected > 10, `tiny-vit has modelled ops (${expected})`);

    const { page, errors, requests, points } = await open(out);
    assert.equal(points, expected);
    // One whisker per drawn point whose op has a time band (identical ops are one point, one whisker).
    const drawn = Number(await page.locator('#roofline').getAttribute('data-drawn'));
    assert.ok(drawnNodes(embeddedReport(html)).every((n) => n.timeLowSeconds !== undefined), 'every drawn op has a band');
    assert.equal(Number(await page.locator('#roofline').getAttribute('data-error-bars')), drawn);
    // The totals: the time with its band, what the band is, and the launch share with the runtime.
    const totals = (await page.locator('.rp-totals').textContent()) ?? '';
    assert.match(totals, /Predicted time[\d.]+ µs \([\d.]+–[\d.]+\)/);
    assert.match(totals, /Time bandeach op class's calibration residuals, summed/);
    assert.match(totals, /Kernel launches[\d.]+% of the time/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'tiny-vit.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [pathToFileURL(out).href]);
    assert.match((await page.locator('h1').textContent()) ?? '', /Ridgepoint/);
    // The slowest-ops table sorts by a clicked column.
    const firstOp = async (): Promise<string> => (await page.locator('#top-ops tbody tr:first-child td:nth-child(3)').textContent()) ?? '';
    const slowest = await firstOp();
    await page.locator('#top-ops th button', { hasText: 'Time' }).click();
    assert.notEqual(await firstOp(), slowest);
    assert.equal(await page.locator('#top-ops th[aria-sort="ascending"] button').textContent(), 'Time');
    await page.context().close();
  });

  it('draws thousands of points (progressive rendering still reports the full count)', async function () {
    const bindings = new Map([['batch', 1]]);
    const analysis = analyzeModel(bytesSource(fs.readFileSync(path.join(ROOT, 'examples/tiny-vit.onnx'))), { bindings });
    const chip = findChip('h100', builtinChips());
    assert.ok(chip);
    const base = buildReport(analysis, 'tiny-vit.onnx', bindings, profileAnalysis(analysis, { chip, peakMode: 'achievable' }));
    // 100 copies with spread-out times, so the points differ in size and position.
    const nodes = Array.from({ length: 100 }, (_, k) => base.nodes.map((n) => ({ ...n, id: `${n.id}#${k}`, timeSeconds: (n.timeSeconds ?? 0) * (1 + k / 10) }))).flat();
    const report: Report = { ...base, nodes };
    const expected = expectedPoints(report);
    assert.ok(expected > 3000, `${expected} points`);
    const file = path.join(tmp, 'many.html');
    fs.writeFileSync(file, renderHtmlReport(report));
    const { page, errors, points } = await open(file);
    assert.equal(points, expected);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(ARTIFACTS, 'many.png') });
    await page.context().close();
  });

  it('lists the suggestions with their savings (transformer: the unfused attention and LayerNorm)', async function () {
    ensurePrerequisites(this, corpusPrerequisite('models'));
    const model = path.join(CORPUS, 'models', 'transformer', 'vespa_dummy_transformer.onnx');
    const out = path.join(tmp, 'transformer.html');
    const r = spawnSync(process.execPath, [CLI, 'profile', model, '--dim', 'batch=1', '--dim', 'tokens=128', '--chip', 'h100', '--format', 'html', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const suggestions = embeddedReport(fs.readFileSync(out, 'utf8')).suggestions ?? [];
    assert.ok(suggestions.some((s) => s.id === 'fuse:attention') && suggestions.some((s) => s.id === 'fuse:layernorm'), 'the transformer gets both fusion suggestions');
    const { page, errors } = await open(out);
    const items = page.locator('#suggestions li[data-suggestion]');
    assert.equal(await items.count(), suggestions.length);
    assert.deepEqual(await items.evaluateAll((li) => li.map((e) => e.getAttribute('data-suggestion'))), suggestions.map((s) => s.id));
    assert.match((await page.locator('#suggestions li[data-suggestion="fuse:attention"]').textContent()) ?? '', /saves .*µs.*less traffic per run/);
    assert.deepEqual(errors, []);
    await page.locator('#suggestions').screenshot({ path: path.join(ARTIFACTS, 'report-suggestions.png') });
    await page.context().close();
  });

  it('an incomplete PyTorch source: a banner before any figure, totals labelled ≥', async function () {
    // fc2's input width is defined nowhere: fc2 is left out, 1 of the 2 layers with parameters is resolved.
    const source = path.join(tmp, 'net.py');
    fs.writeFileSync(source, 'import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(16, 32)\n        self.fc2 = nn.Linear(WIDTH, 10)\n\n    def forward(self, x):\n        return self.fc2(self.fc1(x))\n');
    const out = path.join(tmp, 'net.html');
    const r = spawnSync(process.execPath, [CLI, 'profile', source, '--input', '4x16', '--format', 'html', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 1, 'an incomplete model exits 1');
    const { page, errors } = await open(out);
    assert.deepEqual(errors, []);
    assert.match((await page.locator('.rp-incomplete').textContent()) ?? '', /^Incomplete: 1 of 2 layers resolved; the totals are lower bounds\. First problem: `fc2` \(Linear\) is left out of the graph/);
    const totals = (await page.locator('.rp-totals').textContent()) ?? '';
    assert.match(totals, /Predicted time≥ /);
    assert.match(totals, /Parameters≥ /);
    await page.context().close();
  });

  it('shows the cost by module: ResNet-18’s stages with their times, a module opening on click', async function () {
    const out = path.join(tmp, 'resnet18.html');
    const r = spawnSync(process.execPath, [CLI, 'profile', path.join(ROOT, 'test/fixtures/pytorch/resnet.py'), '--entry', 'resnet18', '--input', '1x3x224x224', '--chip', 'h100', '--format', 'html', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = embeddedReport(fs.readFileSync(out, 'utf8'));
    const { page, errors } = await open(out);
    assert.deepEqual(errors, []);
    const tree = page.locator('#cost-tree .rp-tree');
    await tree.waitFor({ state: 'visible' });
    // The model's row is open: its modules are rows with a time. A stage's time is what its ops take,
    // summed here from the report's nodes by their module path (`layer1.0.conv1`, `layer1.1/Add`).
    const stageTime = (stage: string): number =>
      report.nodes.filter((n) => n.name.startsWith(`${stage}.`) && n.counted !== false && n.modelled === true && n.bound !== 'none').reduce((sum, n) => sum + (n.timeSeconds ?? 0), 0);
    for (const stage of ['layer1', 'layer2', 'layer3', 'layer4']) {
      const row = page.locator(`#cost-tree details[data-path="${stage}"] > summary`);
      await row.waitFor({ state: 'visible' });
      const cells = await row.locator(':scope > span').allTextContents();
      assert.equal(cells[0], stage);
      assert.ok(stageTime(stage) > 0);
      assert.equal(cells[2], seconds(stageTime(stage)), `${stage}'s time`);
    }
    // Rows are sorted by time, costliest first.
    const shares = await page.locator('#cost-tree details[data-path=""] > .rp-tree-children > * > .rp-tree-row > span:nth-child(4)').allTextContents();
    const values = shares.map((t) => Number.parseFloat(t));
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    // A stage's blocks appear once it is opened (built on first open).
    assert.equal(await page.locator('#cost-tree details[data-path="layer1 › 0"]').count(), 0);
    await page.locator('#cost-tree details[data-path="layer1"] > summary').click();
    await page.locator('#cost-tree details[data-path="layer1 › 0"] > summary').waitFor({ state: 'visible' });
    await page.locator('#cost-tree').screenshot({ path: path.join(ARTIFACTS, 'report-cost-tree.png') });
    await page.context().close();
  });

  it('says so when the report has no chip (data-points 0)', async function () {
    const analysis = analyzeModel(bytesSource(fs.readFileSync(path.join(ROOT, 'examples/tiny-vit.onnx'))), {});
    const file = path.join(tmp, 'nochip.html');
    fs.writeFileSync(file, renderHtmlReport(buildReport(analysis, 'tiny-vit.onnx', new Map())));
    const { page, errors, points } = await open(file);
    assert.equal(points, 0);
    assert.deepEqual(errors, []);
    assert.match((await page.locator('.rp-empty').textContent()) ?? '', /no cost fields/);
    await page.context().close();
  });

  it('renders hostile node names and paths as text (no script runs, the JSON cannot break out)', async function () {
    const FLOAT = 1;
    const bytes = modelProto({
      irVersion: 8,
      opsets: { '': 17 },
      graph: {
        name: '<b>graph</b>',
        nodes: [
          { op: 'MatMul', name: HOSTILE_IMG, inputs: ['x', 'w'], outputs: ['y'] },
          { op: 'Relu', name: HOSTILE_SCRIPT, inputs: ['y'], outputs: ['z'] },
          { op: 'Add', name: 'line\u2028sep\u2029& <>', inputs: ['z', 'x'], outputs: ['out'] },
        ],
        inputs: [valueInfo('x', FLOAT, ['batch', 128, 256])],
        outputs: [valueInfo('out', FLOAT, null)],
        initializers: [{ name: 'w', dtype: FLOAT, dims: [256, 256], rawZeros: 256 * 256 * 4 }],
      },
    }).toBytes();
    const bindings = new Map([['batch', 1]]);
    const analysis = analyzeModel(bytesSource(bytes), { bindings });
    const chip = findChip('h100', builtinChips());
    assert.ok(chip);
    const report = buildReport(analysis, HOSTILE_PATH, bindings, profileAnalysis(analysis, { chip, peakMode: 'datasheet' }));
    assert.equal(expectedPoints(report), 3);
    const html = renderHtmlReport(report);
    const data = /id="ridgepoint-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
    assert.ok(data.includes('\\u003cimg src=x'), 'markup in names is escaped in the embedded JSON');
    assert.doesNotMatch(data, /[<>&\u2028\u2029]/);
    const file = path.join(tmp, 'hostile.html');
    fs.writeFileSync(file, html);

    const { page, errors, requests, points } = await open(file);
    assert.equal(points, 3);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [pathToFileURL(file).href]);
    const cells = await page.locator('#top-ops tbody td:first-child').allTextContents();
    assert.ok(cells.includes(HOSTILE_IMG), `names as text: ${JSON.stringify(cells)}`);
    assert.ok(cells.includes(HOSTILE_SCRIPT));
    assert.match((await page.locator('.rp-meta').textContent()) ?? '', /<svg onload=/);
    assert.equal(await hover(page, HOSTILE_IMG), HOSTILE_IMG);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-hostile.png'), fullPage: true });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss), undefined);
    assert.equal(await page.locator('img, svg, main script').count(), 0);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
