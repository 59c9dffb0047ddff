/**
 * Coverage of a PyTorch source analysis (docs/report-schema.md, `coverage`): which layers are resolved
 * and in the graph, and what was not understood. Small fixtures of our own; every parameter count is
 * derived by hand in the test (Linear(i, o): i·o weights + o biases).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzePythonSource, PythonAnalysis } from '../../server/src/analysis/pytorch/index';
import { lineOf, pythonParser } from './pytorch-helpers';

const COMPLETE = `import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls = nn.Parameter(torch.zeros(1, 32))
        self.fc1 = nn.Linear(16, 32)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
`;

/** The shared partly understood module: `WIDTH` is defined nowhere, so fc2 cannot be built. */
const UNDEFINED_GLOBAL = fs.readFileSync(path.join(__dirname, '../..', 'test/fixtures/pytorch/partly_resolved.py'), 'utf8');

/** `head` is built by a class from a package not installed: a layer of unknown size. */
const UNKNOWN_LAYER = fs.readFileSync(path.join(__dirname, '../..', 'test/fixtures/pytorch/unknown_layer.py'), 'utf8');

/** forward() uses a function Ridgepoint does not model: the layers are chained in declaration order. */
const FALLBACK = `import torch
import torch.nn as nn

class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(100, 8)

    def forward(self, x):
        x = torch.special.bessel_j0(self.fc1(x))
        return self.fc2(x[..., :100])
`;

async function analyse(text: string, options: Parameters<typeof analyzePythonSource>[2] = {}): Promise<PythonAnalysis> {
  return analyzePythonSource(await pythonParser(), text, options);
}

describe('PyTorch source: coverage', () => {
  it('is complete when every layer is resolved and in the graph; a directly owned parameter counts as a layer', async () => {
    const r = await analyse(COMPLETE, { input: [4, 16] });
    // Layers holding parameters: Net itself (cls: 1·32), fc1 (16·32 + 32), fc2 (32·10 + 10); ReLU holds none.
    assert.deepEqual(r.coverage, { complete: true, layersResolved: 3, layersTotal: 3, parametersResolvedShare: 1, unresolved: [] });
    assert.deepEqual(r.analysis?.coverage, r.coverage, 'the IR analysis carries the same coverage (the report reads it there)');
  });

  it('a layer with an unresolved size, with an input: left out of the graph, an error on its construction line, incomplete', async () => {
    const r = await analyse(UNDEFINED_GLOBAL, { input: [4, 16] });
    const line = lineOf(UNDEFINED_GLOBAL, 'self.fc2 = nn.Linear(WIDTH');
    const leftOut = r.diagnostics.filter((d) => d.code === 'pytorch.layer-left-out');
    assert.equal(leftOut.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(leftOut[0]?.severity, 'error');
    assert.equal(leftOut[0]?.range?.start.line, line);
    assert.equal(r.coverage.complete, false);
    assert.equal(r.coverage.layersResolved, 1);
    assert.equal(r.coverage.layersTotal, 2);
    // fc2's parameter count is unknown, so no share can be given.
    assert.equal(r.coverage.parametersResolvedShare, null);
    const names = r.coverage.unresolved.map((p) => p.name);
    assert.ok(names.includes('fc2'), names.join(', '));
    assert.ok(names.includes('WIDTH'), names.join(', '));
    assert.equal(r.coverage.unresolved[0]?.code, 'pytorch.layer-left-out', 'errors come first');
    assert.equal(r.coverage.unresolved.find((p) => p.name === 'WIDTH')?.range?.start.line, line);
  });

  it('a layer with an unresolved size, without an input: an error saying it is not counted', async () => {
    const r = await analyse(UNDEFINED_GLOBAL);
    const notCounted = r.diagnostics.filter((d) => d.code === 'pytorch.layer-unresolved');
    assert.equal(notCounted.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(notCounted[0]?.severity, 'error');
    assert.equal(notCounted[0]?.range?.start.line, lineOf(UNDEFINED_GLOBAL, 'self.fc2 = nn.Linear(WIDTH'));
    assert.match(notCounted[0]?.message ?? '', /`fc2` \(Linear\) is not counted: .*WIDTH/);
    assert.equal(r.coverage.complete, false);
    assert.equal(r.coverage.layersResolved, 1);
  });

  it('is complete once the unresolved name is bound', async () => {
    const r = await analyse(UNDEFINED_GLOBAL, { input: [4, 16], bindings: new Map([['WIDTH', 32]]) });
    assert.equal(r.coverage.complete, true, JSON.stringify(r.coverage.unresolved));
    assert.equal(r.coverage.layersResolved, 2);
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
  });

  it('a forward that fell back is incomplete; a layer left out with a known size gives the parameter share', async () => {
    const r = await analyse(FALLBACK, { input: [4, 16] });
    assert.ok(r.diagnostics.some((d) => d.code === 'pytorch.forward-fallback'));
    // Declaration order feeds fc1's 32 features to fc2, which expects 100: fc2 is left out.
    const leftOut = r.diagnostics.find((d) => d.code === 'pytorch.layer-left-out');
    assert.equal(leftOut?.range?.start.line, lineOf(FALLBACK, 'self.fc2 = nn.Linear(100, 8)'));
    assert.equal(r.coverage.complete, false);
    assert.equal(r.coverage.layersResolved, 1);
    assert.equal(r.coverage.layersTotal, 2);
    const fc1 = 16 * 32 + 32;
    const fc2 = 100 * 8 + 8;
    assert.ok(Math.abs((r.coverage.parametersResolvedShare ?? -1) - fc1 / (fc1 + fc2)) < 1e-12, String(r.coverage.parametersResolvedShare));
    const fallback = r.coverage.unresolved.find((p) => p.code === 'pytorch.forward-fallback');
    assert.equal(fallback?.name, 'Odd', 'the entry itself is named by its class');
  });

  for (const input of [[1, 3, 32, 32], undefined]) {
    it(`a layer built by a call that cannot be evaluated (an unresolved import) is a layer of unknown size (${input ? 'with' : 'without'} an input)`, async () => {
      const r = await analyse(UNKNOWN_LAYER, input ? { input } : {});
      const entry = r.modules.find((m) => m.name === r.entry);
      // conv = nn.Conv2d(3, 32, 3): 32·3·3·3 weights + 32 biases = 896; head's size is unknown.
      const conv = entry?.layers.find((l) => l.path === 'conv');
      assert.equal(conv?.params, 3 * 32 * 3 * 3 + 32);
      const head = entry?.layers.find((l) => l.path === 'head');
      assert.equal(head?.type, 'Mlp');
      assert.equal(head?.params, null);
      assert.equal(head?.unresolved.length, 1);
      assert.equal(entry?.params, null, 'the entry\'s total is unknown too');
      assert.equal(r.coverage.complete, false);
      assert.equal(r.coverage.layersTotal, 2);
      assert.equal(r.coverage.layersResolved, 1);
      assert.equal(r.coverage.parametersResolvedShare, null);
      // One error, on the construction line: left out of the graph with an input, not counted without one.
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1, JSON.stringify(r.diagnostics));
      assert.equal(errors[0]?.code, input ? 'pytorch.layer-left-out' : 'pytorch.layer-unresolved');
      assert.equal(errors[0]?.modulePath, 'head');
      assert.equal(errors[0]?.range?.start.line, lineOf(UNKNOWN_LAYER, 'self.head = Mlp(32, 64, 10)'));
      assert.match(errors[0]?.message ?? '', /`head` \(Mlp\).*`Mlp\(32, 64, 10\)` could not be evaluated/);
      assert.equal(r.coverage.unresolved[0]?.name, 'head', 'the first problem names the layer');
    });
  }

  it('an unknown value that no call produced (`self.dim = cfg.dim`) is no layer', async () => {
    const text = `import torch.nn as nn
from timm.layers import Mlp, cfg

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.dim = cfg.dim
        self.fc = nn.Linear(16, 32)

    def forward(self, x):
        return self.fc(x)
`;
    const r = await analyse(text, { input: [4, 16] });
    const entry = r.modules.find((m) => m.name === r.entry);
    assert.deepEqual(entry?.layers.map((l) => l.path), ['fc']);
    assert.equal(entry?.params, 16 * 32 + 32);
    assert.equal(r.coverage.layersTotal, 1);
    assert.equal(r.coverage.layersResolved, 1);
  });

  it('a helper from a module not read, called for its effects: a warning on the call, incomplete though every layer resolved', async () => {
    const text = `import torch.nn as nn
from ._utils import _ovewrite_named_param

class Net(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        _ovewrite_named_param(kwargs, "width", 64)
        self.fc = nn.Linear(16, 32)

    def forward(self, x):
        return self.fc(x)
`;
    const r = await analyse(text, { input: [4, 16] });
    const call = r.diagnostics.find((d) => d.code === 'pytorch.unevaluated-call');
    assert.equal(call?.severity, 'warning');
    assert.equal(call?.range?.start.line, lineOf(text, '_ovewrite_named_param(kwargs'));
    assert.match(call?.message ?? '', /`\._utils\._ovewrite_named_param` is not read/);
    assert.equal(r.coverage.complete, false);
    assert.equal(r.coverage.layersResolved, 1);
    assert.equal(r.coverage.layersTotal, 1);
  });

  it('an in-place initialisation on a parameter slice (Swin V2: `bias[n:2n].data.zero_()`) changes no shape: still complete', async () => {
    const text = `import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(16, 48)
        length = self.qkv.bias.numel() // 3
        self.qkv.bias[length : 2 * length].data.zero_()
        self.qkv.weight.data.normal_(0.0, 0.02)

    def forward(self, x):
        return self.qkv(x)
`;
    const r = await analyse(text, { input: [4, 16] });
    assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code), []);
    assert.equal(r.coverage.complete, true);
    // Linear(16, 48): 16·48 weights + 48 biases.
    assert.equal(r.modules.find((m) => m.name === 'Net')?.params, 16 * 48 + 48);
  });

  it('a raise reached during evaluation is an error: what follows it is not built', async () => {
    const text = `import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        if MODE == "legacy":
            raise ValueError("legacy mode is gone")
        self.fc = nn.Linear(16, 32)
`;
    const r = await analyse(text);
    const raised = r.diagnostics.find((d) => d.code === 'pytorch.raises');
    assert.equal(raised?.severity, 'error');
    assert.equal(raised?.range?.start.line, lineOf(text, 'raise ValueError'));
    assert.equal(r.coverage.complete, false);
  });

  it('is incomplete, with no layers, when the entry does not exist', async () => {
    const r = await analyse(COMPLETE, { entry: 'Missing', input: [4, 16] });
    assert.equal(r.coverage.complete, false);
    assert.equal(r.coverage.layersTotal, 0);
    assert.ok(r.coverage.unresolved.some((p) => p.code === 'pytorch.entry-not-found'));
  });
});
