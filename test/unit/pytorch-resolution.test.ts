/**
 * PyTorch source frontend: unresolved names and bindings, syntax errors mid-edit, hostile input,
 * forward() fallback, incremental re-parse. Expected sizes are hand-computed.
 */
import assert from 'node:assert/strict';
import { analyzePythonSource } from '../../server/src/analysis/pytorch/index';
import { fixture, lineOf, pythonParser, reportParameters, totalMacs } from './pytorch-helpers';

const MLP = `import torch.nn as nn

class MLP(nn.Module):
    def __init__(self, dim, hidden=4 * 64):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
`;

describe('PyTorch source: resolution and robustness', () => {
  it('reports an unbound constructor parameter with its location, and uses a binding for it', async () => {
    const parser = await pythonParser();
    const open = analyzePythonSource(parser, MLP, { input: [8, 128] });
    const dim = open.unresolved.find((u) => u.name === 'dim');
    assert.ok(dim, 'dim is reported');
    assert.match(dim.reason, /`dim` is a parameter of `MLP.__init__`.*bind it/);
    assert.equal(dim.range?.start.line, lineOf(MLP, 'def __init__'));
    assert.equal(open.modules.find((m) => m.name === 'MLP')?.params, null);
    assert.ok(open.modules[0]?.layers.find((l) => l.path === 'fc1')?.unresolved.some((u) => u.name === 'dim'));

    const bound = analyzePythonSource(parser, MLP, { input: [8, 128], bindings: new Map([['dim', 128]]) });
    // fc1 128·256 + 256, fc2 256·128 + 128.
    assert.equal(bound.modules.find((m) => m.name === 'MLP')?.params, 128 * 256 + 256 + 256 * 128 + 128);
    assert.equal(reportParameters(bound), 65_920);
    assert.equal(totalMacs(bound), 2 * 8 * 128 * 256);
    assert.deepEqual(bound.unresolved, []);
  });

  it('names the parameter of the helper that cannot be resolved (ResNet built without its factory)', async () => {
    const parser = await pythonParser();
    const text = fixture('resnet.py');
    const r = analyzePythonSource(parser, text, { entry: 'ResNet', input: [1, 3, 224, 224] });
    const block = r.unresolved.find((u) => u.name === 'block');
    assert.ok(block);
    assert.match(block.reason, /parameter of `ResNet.__init__`/);
    assert.equal(block.range?.start.line, lineOf(text, 'block: Type[Union[BasicBlock, Bottleneck]],'));
    assert.doesNotThrow(() => JSON.stringify(r.diagnostics));
  });

  it('analyses what parses when the file has a syntax error mid-edit', async () => {
    const parser = await pythonParser();
    const broken = MLP.replace('        self.act = nn.ReLU()\n', '        self.act = nn.ReLU(\n        def oops(:\n');
    const r = analyzePythonSource(parser, broken, { input: [8, 128], bindings: new Map([['dim', 128]]) });
    assert.ok(r.diagnostics.some((d) => d.code === 'pytorch.syntax' && d.range !== null));
    assert.ok(r.modules.some((m) => m.name === 'MLP'));
    assert.equal(analyzePythonSource(parser, 'class (:\n  def\n', {}).entry, null);
  });

  it('stops a loop of 10**12 iterations with a diagnostic, quickly', async () => {
    const parser = await pythonParser();
    const text = `import torch.nn as nn
class Huge(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for i in range(10**12)])
        while True:
            pass
`;
    const started = performance.now();
    const r = analyzePythonSource(parser, text, { input: [1, 4] });
    assert.ok(performance.now() - started < 2000);
    assert.ok(r.diagnostics.some((d) => d.code === 'pytorch.loop-too-long' && d.range?.start.line === 4));
    assert.ok(r.diagnostics.some((d) => d.code === 'pytorch.loop-too-long' && d.range?.start.line === 5));
  });

  it('stops recursive construction with a diagnostic', async () => {
    const parser = await pythonParser();
    const text = `import torch.nn as nn
class Forever(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Forever()
        self.fc = nn.Linear(2, 2)
`;
    const r = analyzePythonSource(parser, text, { input: [1, 2] });
    assert.ok(r.diagnostics.some((d) => d.code === 'pytorch.recursion-limit'));
  });

  it('falls back to declaration order when forward() uses something not modelled', async () => {
    const parser = await pythonParser();
    const text = `import torch
import torch.nn as nn
class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 8)
    def forward(self, x):
        x = torch.special.bessel_j0(self.fc1(x))
        return self.fc2(x)
`;
    const r = analyzePythonSource(parser, text, { input: [4, 16] });
    const fallback = r.diagnostics.find((d) => d.code === 'pytorch.forward-fallback');
    assert.ok(fallback);
    assert.equal(fallback.range?.start.line, lineOf(text, 'bessel_j0'));
    assert.equal(totalMacs(r), 4 * 16 * 32 + 4 * 32 * 8);
  });

  it('re-parses incrementally after an edit and sees the new value', async () => {
    const parser = await pythonParser();
    const text = fixture('nanogpt.py');
    const first = analyzePythonSource(parser, text, { entry: 'gpt2_small', input: [1, 8] });
    const offset = text.indexOf('n_layer: int = 12') + 'n_layer: int = '.length;
    const edited = `${text.slice(0, offset)}6${text.slice(offset + 2)}`;
    const second = analyzePythonSource(parser, edited, { entry: 'gpt2_small', input: [1, 8], previous: { tree: first.tree as NonNullable<typeof first.tree>, changes: [{ offset, deletedLength: 2, insertedText: '6' }] } });
    // Six fewer blocks of 7,087,872 parameters each (see pytorch-models.test.ts for the block count).
    assert.equal(reportParameters(second), 124_439_808 - 6 * 7_087_872);
    second.tree?.dispose();
  });

  it('counts a two-layer LSTM as PyTorch does and emits one ONNX LSTM per layer', async () => {
    const parser = await pythonParser();
    const text = `import torch.nn as nn
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(10, 20, num_layers=2, batch_first=True)
        self.out = nn.Linear(20, 5)
    def forward(self, x):
        y, (h, c) = self.rnn(x)
        return self.out(y)
`;
    const r = analyzePythonSource(parser, text, { input: [3, 7, 10] });
    // Layer 0: 4·20·10 + 4·20·20 + 2·4·20; layer 1: 4·20·20 + 4·20·20 + 2·4·20; head 20·5 + 5.
    const expected = 800 + 1600 + 160 + (1600 + 1600 + 160) + 105;
    assert.equal(r.modules[0]?.params, expected);
    assert.equal(reportParameters(r), expected);
    assert.equal(r.analysis?.model?.graph.nodes.filter((n) => n.opType === 'LSTM').length, 2);
  });
});
