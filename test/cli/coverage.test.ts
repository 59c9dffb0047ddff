/**
 * The built CLI on PyTorch sources partly and fully understood: the Coverage header, totals labelled
 * as lower bounds (≥), `coverage` in the JSON, and exit status 1 for an incomplete model. Parameter
 * counts and layer counts are derived by hand in the tests.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Report } from '../../server/src/analysis/report';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const RESNET = path.join(ROOT, 'test/fixtures/pytorch/resnet.py');

/** The shared partly understood module: `WIDTH` is defined nowhere, so fc2 cannot be built. */
const PARTLY_RESOLVED = fs.readFileSync(path.join(ROOT, 'test/fixtures/pytorch/partly_resolved.py'), 'utf8');
/** 0-based line of fc2's construction. */
const FC2_LINE = PARTLY_RESOLVED.split('\n').findIndex((l) => l.includes('self.fc2 = nn.Linear(WIDTH'));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ridgepoint profile (CLI): coverage of a PyTorch source', () => {
  let tmp: string;
  let partial: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run `npm run build` first (npm test does)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-coverage-'));
    partial = path.join(tmp, 'net.py');
    fs.writeFileSync(partial, PARTLY_RESOLVED);
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('an incomplete model: INCOMPLETE in the header, totals labelled ≥, an error on the left-out layer, exit status 1', () => {
    const r = run('profile', partial, '--input', '4x16', '--no-suggestions');
    assert.equal(r.status, 1, r.stderr);
    // Layers with parameters: fc1 and fc2; fc2's size is unknown, so no parameter share.
    assert.match(r.stdout, /^Coverage {2}INCOMPLETE: 1 of 2 layers resolved; totals are lower bounds$/m);
    assert.match(r.stdout, /^ {10}first problem: `fc2` \(Linear\) is left out of the graph/m);
    // fc1 (16·32 + 32 = 544) and fc2's bias (10, its weight's size is unknown): 554, a lower bound.
    assert.match(r.stdout, /^Weights {3}≥ 554 parameters/m);
    assert.match(r.stdout, /^Time {6}≥ [\d.]+ [µm]?s predicted \(≥ /m);
    assert.match(r.stdout, /^Work {6}≥ .*FLOP \(≥ .*MAC\), ≥ /m);
    assert.match(r.stderr, new RegExp(`error pytorch\\.layer-left-out: ${partial.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${FC2_LINE + 1}:20: \`fc2\` \\(Linear\\) is left out of the graph`));
    const markdown = run('profile', partial, '--input', '4x16', '--no-suggestions', '--format', 'markdown');
    assert.equal(markdown.status, 1);
    assert.match(markdown.stdout, /^Coverage {2}INCOMPLETE: 1 of 2 layers resolved/m);
    assert.match(markdown.stdout, /^Weights {3}≥ 554 parameters/m);
  });

  it('coverage in the JSON report: counts, the problems with file and 0-based range', () => {
    const r = run('profile', partial, '--input', '4x16', '--no-suggestions', '--format', 'json');
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout) as Report;
    assert.ok(report.coverage);
    assert.equal(report.coverage.complete, false);
    assert.equal(report.coverage.layersResolved, 1);
    assert.equal(report.coverage.layersTotal, 2);
    assert.equal(report.coverage.parametersResolvedShare, null);
    const fc2 = report.coverage.unresolved.find((p) => p.name === 'fc2');
    assert.equal(fc2?.code, 'pytorch.layer-left-out');
    assert.equal(fc2?.file, partial);
    assert.equal(fc2?.range?.start.line, FC2_LINE, 'the line that constructs fc2');
    assert.ok(report.coverage.unresolved.some((p) => p.name === 'WIDTH'));
  });

  it('the same model with the name bound (--dim WIDTH=32) is complete and exits 0', () => {
    const r = run('profile', partial, '--input', '4x16', '--dim', 'WIDTH=32', '--no-suggestions');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Coverage {2}complete: 2 of 2 layers resolved, 100\.0% of parameters$/m);
    // 16·32 + 32 + 32·10 + 10 = 874 parameters, not a lower bound.
    assert.match(r.stdout, /^Weights {3}874 parameters/m);
  });

  it('torchvision-style ResNet-50: complete, 107 layers with parameters, exit 0', () => {
    const r = run('profile', RESNET, '--entry', 'resnet50', '--input', '1x3x224x224', '--no-suggestions');
    assert.equal(r.status, 0, r.stderr);
    // conv1, bn1, fc; 16 bottlenecks × (3 convs + 3 batch norms); 4 downsamples × (conv + batch norm): 3 + 96 + 8.
    assert.match(r.stdout, /^Coverage {2}complete: 107 of 107 layers resolved, 100\.0% of parameters$/m);
    assert.doesNotMatch(r.stdout, /≥/);
  });

  it('ONNX models have no coverage: no header line, no field', () => {
    const example = path.join(ROOT, 'examples/tiny-vit.onnx');
    assert.doesNotMatch(run('profile', example, '--dim', 'batch=1').stdout, /^Coverage/m);
    assert.equal((JSON.parse(run('profile', example, '--dim', 'batch=1', '--format', 'json').stdout) as Report).coverage, undefined);
  });
});
