/**
 * Traced mode end to end with the real tracer in Debian's Python (/usr/bin/python3 with python3-torch and
 * python3-torchvision, as CI installs them). Ground truth is independent of Ridgepoint: parameter counts
 * from real torch instantiating the model in this test, MACs from Ridgepoint's ONNX analysis of torch's
 * own ONNX export of the same model (made here), or derived by hand for our small fixture. Bad input
 * (a raise at import, a missing package, a shape mismatch in forward, an endless loop) must each give one
 * located diagnostic. Without torch the suite fails (test/support/prerequisites.ts).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { findChip } from '../../server/src/analysis/cost/chips';
import { TracedAnalysis } from '../../server/src/analysis/pytorch-trace/index';
import { FileByteSource } from '../../server/src/cli/file-source';
import { traceModel } from '../../server/src/python-env/trace';
import { requireInSuite } from '../support/prerequisites';
import { pythonModulesPrerequisite } from '../support/torchvision';

const PYTHON = '/usr/bin/python3';
const FIXTURES = path.join(__dirname, '../fixtures/pytorch-trace');
const RESNET = '/usr/lib/python3/dist-packages/torchvision/models/resnet.py';
const CLI = path.join(__dirname, '../../dist/cli.js');

function python(code: string, timeout = 300_000): string {
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout, env: { ...process.env, CUDA_VISIBLE_DEVICES: '' } });
  if (r.status !== 0) throw new Error(`python failed (${String(r.status)}): ${r.stderr}`);
  return r.stdout.trim();
}

function macs(analysis: TracedAnalysis['analysis']): number | null {
  const chip = findChip('h100');
  assert.ok(chip && analysis);
  return profileAnalysis(analysis, { chip, peakMode: 'datasheet' })?.result.totals.macs ?? null;
}

function declaredParameters(traced: TracedAnalysis): number {
  return Number(traced.analysis?.model?.metadata.get('ridgepoint.parameters'));
}

describe('traced mode with real torch (/usr/bin/python3)', function () {
  this.timeout(600_000);

  requireInSuite(pythonModulesPrerequisite(PYTHON, ['torch', 'torchvision']));

  it('our small model: parameters as real torch counts them (tied weights once), MACs derived by hand, hints on the layer lines', async () => {
    const file = path.join(FIXTURES, 'small_net.py');
    const truth = Number(python(`import sys; sys.path.insert(0, ${JSON.stringify(FIXTURES)}); import small_net; print(sum(p.numel() for p in small_net.small_net().parameters()))`));
    const run = await traceModel({ python: PYTHON, file, entry: 'small_net', input: [1, 3, 32, 32] });
    const traced = run.analysis;
    assert.ok(traced.analysis, JSON.stringify(traced.diagnostics));
    assert.equal(traced.coverage.complete, true);
    assert.equal(declaredParameters(traced), truth);
    // stem Conv 3→16, 3×3, stride 2 on 32×32: 16·16·16 outputs × 27 = 110,592; two Block convs 16→16, 3×3
    // on 16×16: 2 × 16·16·16 × 144 = 1,179,648; head and aux Linear 16→10: 2 × 160.
    assert.equal(macs(traced.analysis), 110_592 + 1_179_648 + 320);
    const text = fs.readFileSync(file, 'utf8').split('\n');
    const lineOf = (needle: string): number => text.findIndex((l) => l.includes(needle));
    const sourceLines = (prefix: string): number[] => [...traced.nodeSources].filter(([n]) => n.startsWith(prefix)).map(([, r]) => r.start.line);
    // torch's own layers on the line that built them; the residual Add on the forward line that ran it.
    assert.deepEqual([...new Set(sourceLines('blocks.0.conv/Conv'))], [lineOf('self.conv = nn.Conv2d')]);
    assert.deepEqual([...new Set(sourceLines('blocks.1/Add'))], [lineOf('F.relu(self.bn(self.conv(x))) + x')]);
    assert.ok(traced.modules.some((m) => m.name === 'Block' && m.range.start.line === lineOf('class Block')));
  });

  it('a package module with relative imports and a config dataclass built with its defaults', async () => {
    const run = await traceModel({ python: PYTHON, file: path.join(FIXTURES, 'pkg/model.py'), entry: 'Net', input: [1, 3, 16, 16] });
    const traced = run.analysis;
    assert.ok(traced.analysis, JSON.stringify(traced.diagnostics));
    assert.match(traced.notes.join(' '), /Net\(NetConfig\(\)\)/);
    // conv 3→8 3×3 no bias (216) + BN 8 (16) + Linear 8→5 (45).
    assert.equal(declaredParameters(traced), 216 + 16 + 45);
    const custom = await traceModel({ python: PYTHON, file: path.join(FIXTURES, 'pkg/model.py'), entry: 'Net(NetConfig(width=4))', input: [1, 3, 16, 16] });
    assert.equal(declaredParameters(custom.analysis), 108 + 8 + 25);
  });

  it('a GPT-style token model: int64 ids found by the tracer, the entry as an expression, MACs derived by hand', async () => {
    const file = path.join(FIXTURES, 'token_model.py');
    const truth = (vocab: number): number => Number(python(`import sys; sys.path.insert(0, ${JSON.stringify(FIXTURES)}); import token_model as t; print(sum(p.numel() for p in t.GPT(t.GPTConfig(vocab_size=${vocab})).parameters()))`));
    // T=8 tokens, E=16, 2 heads of 8: c_attn 8·16·48 = 6,144; q·kᵀ 2·8·8·8 = 1,024; att·v 1,024; c_proj
    // 8·16·16 = 2,048; fc 8·16·64 = 8,192; proj 8·64·16 = 8,192; lm_head 8·16·V.
    const expected = (vocab: number): number => 6144 + 1024 + 1024 + 2048 + 8192 + 8192 + 8 * 16 * vocab;
    const byDefault = (await traceModel({ python: PYTHON, file, entry: 'GPT', input: [1, 8] })).analysis;
    assert.ok(byDefault.analysis, JSON.stringify(byDefault.diagnostics));
    assert.match(byDefault.notes.join(' '), /GPT\(GPTConfig\(\)\)/);
    assert.equal(byDefault.analysis.model?.graph.inputs[0]?.type?.kind === 'tensor' && byDefault.analysis.model.graph.inputs[0].type.dtype, 7 /* INT64 */);
    assert.equal(declaredParameters(byDefault), truth(100));
    assert.equal(macs(byDefault.analysis), expected(100));
    const expression = (await traceModel({ python: PYTHON, file, entry: 'GPT(GPTConfig(vocab_size=50))', input: [1, 8] })).analysis;
    assert.equal(declaredParameters(expression), truth(50));
    assert.equal(macs(expression.analysis), expected(50));
  });

  it("torchvision's resnet.py, resnet50: parameters equal real torch's, MACs within 1% of the ONNX export's", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-trace-'));
    const onnx = path.join(dir, 'resnet50.onnx');
    const truth = Number(
      python(
        [
          'import torch, torchvision',
          'torch.nn.init.kaiming_normal_ = lambda t, *a, **k: t',
          'm = torchvision.models.resnet50().eval()',
          `torch.onnx.export(m, torch.zeros(1, 3, 224, 224), ${JSON.stringify(onnx)}, opset_version=17, export_params=False)`,
          'print(sum(p.numel() for p in m.parameters()))',
        ].join('\n'),
      ),
    );
    const exported = analyzeModel(new FileByteSource(onnx));
    const onnxMacs = macs(exported);
    fs.rmSync(dir, { recursive: true, force: true });
    const run = await traceModel({ python: PYTHON, file: RESNET, entry: 'resnet50', input: [1, 3, 224, 224] });
    const traced = run.analysis;
    assert.ok(traced.analysis, JSON.stringify(traced.diagnostics));
    assert.equal(traced.coverage.complete, true);
    assert.equal(traced.torch?.device, 'meta');
    assert.equal(declaredParameters(traced), truth);
    const tracedMacs = macs(traced.analysis);
    assert.ok(onnxMacs && tracedMacs && Math.abs(tracedMacs - onnxMacs) / onnxMacs < 0.01, `traced ${String(tracedMacs)} vs ONNX ${String(onnxMacs)}`);
    // The entry's lens goes on `def resnet50`.
    const lines = fs.readFileSync(RESNET, 'utf8').split('\n');
    assert.equal(traced.modules[0]?.range.start.line, lines.findIndex((l) => l.startsWith('def resnet50(')));
  });

  it('vit_b_16: MACs as derived by hand, on the meta device and on CPU (where nn.MultiheadAttention takes its fused kernel)', async () => {
    // Patch embedding: 768 · 196 patches · 3·16·16 = 115,605,504. Per encoder layer over 197 tokens:
    // QKV 197·768·2304 = 348,585,984; scores and weighted values 2 · 12 heads · 197·197·64 = 59,610,624;
    // out-projection 197·768·768 = 116,195,328; MLP 2 · 197·768·3072 = 929,562,624. 12 layers, then the
    // head on the class token: 768·1000.
    const perLayer = 348_585_984 + 59_610_624 + 116_195_328 + 929_562_624;
    const expected = 115_605_504 + 12 * perLayer + 768_000;
    const file = '/usr/lib/python3/dist-packages/torchvision/models/vision_transformer.py';
    for (const device of ['meta', 'cpu'] as const) {
      const run = await traceModel({ python: PYTHON, file, entry: 'vit_b_16', input: [1, 3, 224, 224], device });
      assert.ok(run.analysis.analysis, JSON.stringify(run.analysis.diagnostics));
      assert.equal(run.analysis.coverage.complete, true, `${device}: ${JSON.stringify(run.analysis.coverage.unresolved)}`);
      assert.equal(macs(run.analysis.analysis), expected, device);
    }
  });

  it('an error raised at import is located on its line', async () => {
    const run = await traceModel({ python: PYTHON, file: path.join(FIXTURES, 'raises_at_import.py'), entry: 'Net', input: [1, 4] });
    const [d] = run.analysis.diagnostics;
    assert.equal(run.analysis.analysis, null);
    assert.equal(d?.code, 'trace.import-failed');
    assert.match(d?.message ?? '', /KeyError: 'large'/);
    assert.equal(d?.range?.start.line, 4);
  });

  it('a package that is not installed is named, on its import line', async () => {
    const run = await traceModel({ python: PYTHON, file: path.join(FIXTURES, 'missing_package.py'), entry: 'Net', input: [1, 4] });
    const [d] = run.analysis.diagnostics;
    assert.match(d?.message ?? '', /ModuleNotFoundError: No module named 'ridgepoint_no_such_package_xyz'/);
    assert.equal(d?.range?.start.line, 1);
  });

  it('a shape mismatch in forward is located on the forward line that raised it', async () => {
    const file = path.join(FIXTURES, 'shape_mismatch.py');
    const run = await traceModel({ python: PYTHON, file, entry: 'Net', input: [1, 32] });
    const [d] = run.analysis.diagnostics;
    assert.equal(d?.code, 'trace.forward-failed');
    assert.match(d?.message ?? '', /mat1 and mat2 shapes cannot be multiplied \(1x64 and 128x10\)/);
    assert.equal(d?.range?.start.line, fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('x = self.fc2(x)')));
  });

  it('an endless loop at module level ends at the timeout, with a diagnostic where it was', async () => {
    const started = Date.now();
    // Long enough for `import torch` on a loaded machine, so that the stack dump finds the loop.
    const run = await traceModel({ python: PYTHON, file: path.join(FIXTURES, 'endless_loop.py'), entry: 'Net', input: [1, 4], timeoutMs: 8000 });
    assert.ok(Date.now() - started < 15_000, 'stopped near the timeout');
    const [d] = run.analysis.diagnostics;
    assert.equal(d?.code, 'trace.timeout');
    assert.ok(d?.range && [4, 5].includes(d.range.start.line), `located in the loop, got ${JSON.stringify(d?.range)}`);
  });

  it('a trace is cancellable: the process group is ended', async () => {
    const controller = new AbortController();
    const pending = traceModel({ python: PYTHON, file: path.join(FIXTURES, 'endless_loop.py'), entry: 'Net', input: [1, 4], timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 500);
    const run = await pending;
    assert.equal(run.cancelled, true);
    assert.ok(run.wallMs < 10_000);
  });

  it('the CLI: profile resnet.py --entry resnet50 --trace', () => {
    assert.ok(fs.existsSync(CLI), 'run `npm run build` first (npm test does)');
    const r = spawnSync(process.execPath, [CLI, 'profile', RESNET, '--entry', 'resnet50', '--input', '1x3x224x224', '--trace', '--python', PYTHON, '--format', 'json', '--no-suggestions'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { totals: { params: number }; model: { producer: { name: string } } };
    assert.equal(report.model.producer.name, 'ridgepoint-pytorch-trace');
    assert.equal(report.totals.params, 25_557_032); // resnet50's count, as torchvision documents it
    // A forward that raises: exit status 1, the error located in the file.
    const broken = spawnSync(process.execPath, [CLI, 'profile', path.join(FIXTURES, 'shape_mismatch.py'), '--entry', 'Net', '--input', '1x32', '--trace', '--python', PYTHON], { encoding: 'utf8' });
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /error trace\.forward-failed: .*shape_mismatch\.py:13: running forward raised RuntimeError: mat1 and mat2 shapes cannot be multiplied/);
  });
});
