/**
 * The Python that model code really uses (issue 13 part 2), each construct changing a parameter count,
 * against real torch (`sum(p.numel() for p in net_b().parameters())` run on the same fixture) and the
 * hand derivations written out below; and `--entry` as a Python expression, with config dataclass defaults.
 */
import assert from 'node:assert/strict';
import { analyzePythonSource } from '../../server/src/analysis/pytorch/index';
import { fixture, lineOf, pythonParser, reportParameters } from './pytorch-helpers';

describe('PyTorch source: Python features', () => {
  // features B: Conv 3→8 (3·8·9+8 = 224), 8→8 (584), 16 from 8 (1,168), 16→16 (2,320) = 4,296 (A: 224 + 1,168 = 1,392).
  // blocks (math.ceil of StageConfig.channels·1.5, a dataclass method): Residual(16, 24) 16·24·9 + BN 48 = 3,504;
  // Residual(24, 36) 7,776 + 72 = 7,848; Residual(36, 36) 11,664 + 72 = 11,736 → 23,088 (OrderedDict into nn.Sequential,
  // kw-only `norm=partial(nn.BatchNorm2d, eps=1e-3)` through *args/**kwargs and super().__init__).
  // heads (setattr, "head%d" % idx, zip/reversed over NamedTuples): Conv 36→18 (666) + 36→36 (1,332) = 1,998.
  // fc: Linear(36, round(10·1.04) + reduce(*, [2, 3], 1) − 6 = 10) = 370; mix ModuleDict 2·(16+4) = 40;
  // side: Conv2d(3, w, 1) for w in sorted(set([24, 56, 152, 152, 152, 152])) (RegNet-style torch arithmetic) = 4·232 = 928;
  // caught (try/except ValueError) 6; checked (isinstance on a user class) 4; scale Parameter(torch.ones(36,1,1)·1e-6) 36.
  const B = 4296 + 23_088 + 1998 + 370 + 40 + 928 + 6 + 4 + 36;
  const A = B - 4296 + 1392;

  it('counts net_b as torch does (30,766) and net_a through the decorated factory (27,862)', async () => {
    assert.equal(B, 30_766);
    assert.equal(A, 27_862);
    const parser = await pythonParser();
    for (const [entry, expected] of [['net_b', B], ['net_a', A]] as const) {
      const r = analyzePythonSource(parser, fixture('features.py'), { entry, input: [1, 3, 32, 32] });
      assert.equal(reportParameters(r), expected, entry);
      assert.deepEqual(r.unresolved, [], entry);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), [], entry);
    }
  });

  it('an unknown decorator is taken as identity and said; @register_model() is known', async () => {
    const parser = await pythonParser();
    const text = fixture('features.py');
    const r = analyzePythonSource(parser, text, { entry: 'net_a' });
    const notes = r.diagnostics.filter((d) => d.code === 'pytorch.decorator-assumed-identity');
    assert.deepEqual(notes.map((d) => [d.severity, d.range?.start.line]), [['info', lineOf(text, '@traced')]]);
  });

  it('an exception no try/except catches is an error on the raise line, not a silently empty module', async () => {
    const parser = await pythonParser();
    const text = 'import torch.nn as nn\n\nclass M(nn.Module):\n    def __init__(self, n=0):\n        super().__init__()\n        if n == 0:\n            raise ValueError("n must be positive")\n        self.fc = nn.Linear(n, n)\n';
    const r = analyzePythonSource(parser, text, { entry: 'M' });
    const raised = r.diagnostics.find((d) => d.code === 'pytorch.raises');
    assert.equal(raised?.severity, 'error');
    assert.equal(raised?.range?.start.line, 6);
    assert.ok(r.unresolved.length > 0);
  });

  it('torchvision\'s IntermediateLayerGetter pattern: set().issubset, str(), del of dict keys, getattr defaults on modules, isinstance with type(None)', async () => {
    const parser = await pythonParser();
    const r = analyzePythonSource(parser, fixture('layer-getter.py'), { entry: 'Net', input: [1, 3, 16, 16] });
    // stages = [0] + [1, 3] (the blocks with stride 2; the final Conv2d has no _is_cn) + [4] → the body keeps
    // children 0..3: Conv 3→8 (3·8·9+8 = 224), 8→16 (1,168), 16→16 (2,320), 16→32 (4,640); head Conv 32→10 1×1 (330).
    // (real torch: sum(p.numel() for p in Net().parameters()) = 8682, body children ['0', '1', '2', '3'])
    assert.equal(224 + 1168 + 2320 + 4640 + 330, 8682);
    assert.equal(reportParameters(r), 8682);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), []);
  });

  it('--entry as a Python expression in the file: GPT(GPTConfig(n_layer=2)) has 53,561,088 parameters', async () => {
    const parser = await pythonParser();
    // wte 50257·768 + wpe 1024·768 + ln_f 1536 + per block (2 LN 2·1536, c_attn 768·2304+2304, c_proj 768²+768,
    // c_fc 768·3072+3072, c_proj 3072·768+768) = 7,087,872; lm_head tied to wte.
    const perBlock = 2 * 1536 + (768 * 2304 + 2304) + (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768);
    const r = analyzePythonSource(parser, fixture('nanogpt.py'), { entry: 'GPT(GPTConfig(n_layer=2))', input: [1, 16] });
    assert.equal(reportParameters(r), 50257 * 768 + 1024 * 768 + 1536 + 2 * perBlock);
    assert.equal(r.entry, 'GPT(GPTConfig(n_layer=2))');
  });

  it('a module whose __init__ takes one config is built with the file\'s config dataclass defaults, and says so', async () => {
    const parser = await pythonParser();
    const text = fixture('nanogpt.py');
    const r = analyzePythonSource(parser, text, { entry: 'GPT', input: [1, 16] });
    // GPTConfig() defaults: GPT-2 small, 124,439,808 parameters (nanoGPT's published figure, lm_head tied).
    assert.equal(reportParameters(r), 124_439_808);
    const note = r.diagnostics.find((d) => d.code === 'pytorch.entry-config-defaults');
    assert.equal(note?.severity, 'info');
    assert.match(note?.message ?? '', /GPTConfig\(\)/);
  });

  it('an entry that is neither a name of the file nor an expression is a clear error', async () => {
    const parser = await pythonParser();
    const r = analyzePythonSource(parser, fixture('nanogpt.py'), { entry: 'GPT(' });
    assert.equal(r.diagnostics.find((d) => d.code === 'pytorch.entry-not-found')?.severity, 'error');
    assert.equal(r.analysis, null);
  });
});
