/** End-to-end: the built CLI (`dist/cli.js`, built by `npm test` before mocha) on real files. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CORPUS, corpusPrerequisite } from '../support/corpus';
import { ensurePrerequisites } from '../support/prerequisites';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const EXAMPLE = path.join(ROOT, 'examples/tiny-vit.onnx');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ridgepoint profile (CLI)', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'run `npm run build` first (npm test does)'));

  it('prints a per-op table for the bundled example (what `npm start` runs)', () => {
    const r = run('profile', EXAMPLE, '--dim', 'batch=1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Inputs\s+pixel_values: float\[1,3,32,32\]/);
    assert.match(r.stdout, /Chip\s+NVIDIA H100 SXM5 80GB \(h100\), datasheet peaks/);
    // Conv 64x3x8x8 over a 4x4 output: 64*16*3*64 MACs = 196,608 → 393,216 FLOPs (+ bias 1,024).
    // 64.3 KiB at 3.35 TB/s is 19.6 ns, far under H100's 3 µs per kernel: overhead-bound (issue 16), not memory-bound.
    assert.match(r.stdout, /^n0\s+Conv\s+\/Conv_0\s+float\[1,64,4,4\]\s+394\.2 k\s.*tensor\s+overhead/m);
    assert.match(r.stdout, /0 errors, 0 warnings/);
  });

  it("--version prints package.json's version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = run(flag);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
    }
  });

  it('dist/cli.js gives the same report from the code cache and without it, and never runs a cache made for other bytes', () => {
    const withCache = run('profile', EXAMPLE, '--dim', 'batch=1', '--format', 'json');
    assert.equal(withCache.status, 0, withCache.stderr);
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli-main.cache')), 'the build writes the code cache');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-cli-cache-'));
    try {
      for (const file of ['cli.js', 'cli-main.js']) fs.copyFileSync(path.join(ROOT, 'dist', file), path.join(tmp, file));
      const copy = (...args: string[]) => spawnSync(process.execPath, [path.join(tmp, 'cli.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const without = copy('profile', EXAMPLE, '--dim', 'batch=1', '--format', 'json');
      assert.equal(without.status, 0, without.stderr);
      assert.equal(without.stdout, withCache.stdout);
      // A bundle changed after its cache was made (same length, so V8's own check cannot tell): the
      // launcher must run the new bundle, never the cached bytecode of the old one.
      fs.copyFileSync(path.join(ROOT, 'dist/cli-main.cache'), path.join(tmp, 'cli-main.cache'));
      const bundle = fs.readFileSync(path.join(tmp, 'cli-main.js'), 'utf8');
      assert.ok(bundle.includes('NVIDIA H100 SXM5 80GB'));
      fs.writeFileSync(path.join(tmp, 'cli-main.js'), bundle.replaceAll('NVIDIA H100 SXM5 80GB', 'NVIDIA H100 SXM5 80GX'));
      const stale = copy('profile', EXAMPLE, '--dim', 'batch=1', '--format', 'json');
      assert.equal(stale.status, 0, stale.stderr);
      assert.equal(stale.stdout, withCache.stdout.replaceAll('NVIDIA H100 SXM5 80GB', 'NVIDIA H100 SXM5 80GX'));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('without bound dims, sized ops are left out with a reason naming the symbol', () => {
    const r = run('profile', EXAMPLE);
    assert.match(r.stdout, /unbound: batch/);
    assert.match(r.stdout, /Not modelled:\n\s+n0 Conv\s*: input "pixel_values" has unbound symbolic dims \(batch\); bind them \(CLI: --dim/);
  });

  it('--budget-ms gates CI on the predicted time; unknown chips get suggestions', () => {
    const over = run('profile', EXAMPLE, '--dim', 'batch=1', '--budget-ms', '0.001');
    assert.equal(over.status, 3);
    assert.match(over.stderr, /exceeds the budget of 0.001 ms/);
    const within = run('profile', EXAMPLE, '--dim', 'batch=1', '--budget-ms', '1000');
    assert.equal(within.status, 0);
    const typo = run('profile', EXAMPLE, '--chip', 'h10');
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /unknown chip "h10"; did you mean .*h100/);
  });

  it('suggestions: a section in the table and Markdown, suggestions[] in JSON, none with --no-suggestions', function () {
    ensurePrerequisites(this, corpusPrerequisite('models'));
    const model = path.join(CORPUS, 'models/transformer/vespa_dummy_transformer.onnx');
    const table = run('profile', model, '--dim', 'batch=1', '--dim', 'tokens=128');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^Suggestions \(predicted on NVIDIA H100 SXM5 80GB/m);
    assert.match(table.stdout, /\[fuse: attention\] save [\d.]+ µs/);
    assert.match(table.stdout, /\[fuse: layernorm\] save [\d.]+ µs/);
    const markdown = run('profile', model, '--dim', 'batch=1', '--dim', 'tokens=128', '--format', 'markdown');
    assert.match(markdown.stdout, /^### Suggestions$/m);
    assert.match(markdown.stdout, /^\| \d+ \| fuse \(attention\) \|/m);
    const json = JSON.parse(run('profile', model, '--dim', 'batch=1', '--dim', 'tokens=128', '--format', 'json').stdout) as { schemaVersion: number; suggestions: Array<{ id: string; kind: string; nodes: string[]; predictedSavingSeconds: number; bytesSaved: number; confidence: string }> };
    assert.equal(json.schemaVersion, 2);
    const attention = json.suggestions.find((x) => x.id === 'fuse:attention');
    assert.ok(attention);
    assert.deepEqual(attention.nodes, ['n43', 'n44', 'n45', 'n123', 'n124', 'n125']);
    assert.ok(attention.predictedSavingSeconds > 0 && ['high', 'medium', 'low'].includes(attention.confidence));
    const savings = json.suggestions.map((x) => x.predictedSavingSeconds);
    assert.deepEqual(savings, [...savings].sort((a, b) => b - a));
    const off = JSON.parse(run('profile', model, '--dim', 'batch=1', '--dim', 'tokens=128', '--format', 'json', '--no-suggestions').stdout) as { suggestions?: unknown };
    assert.equal(off.suggestions, undefined);
  });

  it('--runtime cuda-graphs costs each kernel 1 µs instead of 3 µs: the total drops by 2 µs per costed kernel', () => {
    type Totals = { timeSeconds: number; overheadSeconds: number; costedNodes: number };
    const json = (...extra: string[]): { runtime: string; totals: Totals } => {
      const r = run('profile', EXAMPLE, '--dim', 'batch=1', '--format', 'json', '--no-suggestions', ...extra);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { runtime: string; totals: Totals };
    };
    const eager = json();
    const graphs = json('--runtime', 'cuda-graphs');
    assert.equal(eager.runtime, 'eager');
    assert.equal(graphs.runtime, 'cuda-graphs');
    // tiny-vit has no loops: every costed node runs once, one kernel each (H100: kernelOverheadUs 3; CUDA_GRAPH_NODE_US 1).
    const n = eager.totals.costedNodes;
    assert.ok(n > 0);
    assert.equal(graphs.totals.costedNodes, n);
    assert.ok(Math.abs(eager.totals.overheadSeconds - n * 3e-6) < 1e-12);
    assert.ok(Math.abs(graphs.totals.overheadSeconds - n * 1e-6) < 1e-12);
    assert.ok(Math.abs(eager.totals.timeSeconds - graphs.totals.timeSeconds - n * 2e-6) < 1e-12);
    const bad = run('profile', EXAMPLE, '--runtime', 'graphs');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--runtime/);
  });

  it('ridgepoint chips lists at least 20 chips', () => {
    const r = run('chips', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const { chips } = JSON.parse(r.stdout);
    assert.ok(Array.isArray(chips) && chips.length >= 20);
    assert.ok(chips.some((c: { id: string }) => c.id === 'h100'));
  });

  it('--dim binds a symbolic dim everywhere, --format json follows the schema', () => {
    const r = run('profile', EXAMPLE, '--dim', 'batch=8', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.schemaVersion, 2);
    assert.equal(report.chip.id, 'h100');
    assert.equal(report.peakMode, 'datasheet');
    assert.equal(report.totals.unmodelledNodes, 0);
    assert.deepEqual(report.bindings, { batch: 8 });
    assert.deepEqual(report.outputs[0].shape, [8, 10]);
    assert.deepEqual(report.unboundSymbols, []);
    // 4x4 patches of 8x8 pixels + the class token = 17 tokens; 64 wide.
    const softmax = report.nodes.find((n: { opType: string }) => n.opType === 'Softmax');
    assert.deepEqual(softmax.outputs[0].shape, [8, 4, 17, 17]);
    for (const node of report.nodes) for (const out of node.outputs) assert.ok(out.shape !== null && out.shape.every((d: unknown) => typeof d === 'number'), `${node.id} ${JSON.stringify(out)}`);
  });

  it('--input sets a whole input shape (for unnamed dims)', () => {
    const r = run('profile', EXAMPLE, '--input', 'pixel_values=2x3x64x64', '--format', 'json');
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.inputs[0].shape, [2, 3, 64, 64]);
    const conv = report.nodes.find((n: { opType: string }) => n.opType === 'Conv');
    assert.deepEqual(conv.outputs[0].shape, [2, 64, 8, 8]);
  });

  it('--format jsonl prints one report per model per line, and a bad model does not stop the others', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-'));
    const broken = path.join(dir, 'broken.onnx');
    fs.writeFileSync(broken, fs.readFileSync(EXAMPLE).subarray(0, 5000));
    const r = run('profile', EXAMPLE, broken, path.join(dir, 'missing.onnx'), '--format', 'jsonl');
    assert.equal(r.status, 1, 'an error in any model sets exit status 1');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.deepEqual(lines[0].diagnostics, []);
    assert.ok(lines[1].diagnostics.some((d: { code: string }) => d.code === 'onnx.truncated'));
    assert.equal(lines[2].diagnostics[0].code, 'io.open');
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects malformed flags with exit status 2 and a message', () => {
    const r = run('profile', EXAMPLE, '--dim', 'batch=many');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--dim expects NAME=VALUE/);
  });

  it('analyses every real model in the shared corpus', function () {
    ensurePrerequisites(this, corpusPrerequisite('models'));
    const files: string[] = [];
    for (const sub of fs.readdirSync(path.join(CORPUS, 'models'))) for (const f of fs.readdirSync(path.join(CORPUS, 'models', sub))) files.push(path.join(CORPUS, 'models', sub, f));
    const r = run('profile', ...files, '--format', 'jsonl');
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(reports.length, files.length);
    for (const report of reports) {
      const errors = report.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
      assert.deepEqual(errors, [], report.model.path);
      assert.ok(report.nodes.length > 0, report.model.path);
    }
  });
});
