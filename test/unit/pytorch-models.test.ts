/**
 * PyTorch source frontend on models in the styles real code uses, against published figures and
 * hand-derived MAC counts (derivations in the comments, not copied from the output).
 */
import assert from 'node:assert/strict';
import { analyzePythonSource } from '../../server/src/analysis/pytorch/index';
import { fixture, lineOf, pythonParser, reportParameters, totalMacs } from './pytorch-helpers';

const within = (actual: number | null, expected: number, tolerance: number): void => {
  assert.ok(actual !== null, 'no value');
  assert.ok(Math.abs(actual - expected) / expected <= tolerance, `${actual} not within ${tolerance * 100}% of ${expected}`);
};

describe('PyTorch source: published models', () => {
  it('nanoGPT GPT-2 small: 124,439,808 parameters (tied lm_head) and the hand-counted MACs at 1x1024', async () => {
    const parser = await pythonParser();
    const text = fixture('nanogpt.py');
    const r = analyzePythonSource(parser, text, { entry: 'gpt2_small', input: [1, 1024] });
    // wte 50257·768 + wpe 1024·768 + 12 blocks · (2 LN 2·1536 + c_attn 768·2304+2304 + c_proj 768²+768
    // + c_fc 768·3072+3072 + c_proj 3072·768+768) + ln_f 1536; lm_head shares wte's weight.
    const perBlock = 2 * 1536 + (768 * 2304 + 2304) + (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768);
    const expected = 50257 * 768 + 1024 * 768 + 12 * perBlock + 1536;
    assert.equal(expected, 124_439_808);
    assert.equal(reportParameters(r), expected);
    assert.equal(r.modules.find((m) => m.name === 'GPT')?.params, expected);
    // Per block at T = 1024: c_attn T·768·2304, causal attention H·T(T+1)/2·(64+64), c_proj T·768²,
    // MLP 2·T·768·3072; lm_head only on the last position (nanoGPT's inference path): 768·50257.
    const T = 1024;
    const block = T * 768 * 2304 + 12 * ((T * (T + 1)) / 2) * 128 + T * 768 * 768 + 2 * T * 768 * 3072;
    within(totalMacs(r), 12 * block + 768 * 50257, 0.0025);
    assert.equal(r.analysis?.inference?.graphInputs[0]?.type?.kind === 'tensor' && r.analysis.inference.graphInputs[0].type.dtype, 7, 'token ids are int64');
    assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), []);
  });

  it('names nodes by module path and maps them to the construction line', async () => {
    const parser = await pythonParser();
    const text = fixture('nanogpt.py');
    const r = analyzePythonSource(parser, text, { entry: 'gpt2_small', input: [1, 64] });
    const names = new Set(r.analysis?.model?.graph.nodes.map((n) => n.name));
    for (const name of ['transformer.wte', 'transformer.h.3.attn.c_attn', 'transformer.h.11.mlp.c_proj', 'lm_head']) assert.ok(names.has(name), name);
    assert.equal(r.nodeSources.get('transformer.h.3.attn.c_attn')?.start.line, lineOf(text, 'self.c_attn = nn.Linear'));
    assert.equal(r.callSites.get('transformer.h.3.attn.c_attn')?.start.line, lineOf(text, 'q, k, v  = self.c_attn(x)'));
    const block = r.modules.find((m) => m.name === 'Block');
    assert.deepEqual(block?.layers.map((l) => l.path).slice(0, 2), ['ln_1', 'attn']);
    assert.equal(block?.layers.find((l) => l.path === 'attn.c_attn')?.range?.start.line, lineOf(text, 'self.c_attn = nn.Linear'));
  });

  it('torchvision ResNet-50 through resnet50() → _resnet → _make_layer: 25,557,032 parameters, 4.089 G MACs', async () => {
    const parser = await pythonParser();
    const r = analyzePythonSource(parser, fixture('resnet.py'), { entry: 'resnet50', input: [1, 3, 224, 224] });
    assert.equal(reportParameters(r), 25_557_032);
    assert.equal(r.modules.find((m) => m.name === 'resnet50')?.params, 25_557_032);
    within(totalMacs(r), 4.089e9, 0.0025);
    assert.ok(r.nodeSources.has('layer1.0.downsample.0'));
    assert.ok(r.nodeSources.has('layer4.2.conv3'));
  });

  it('ResNet-18 from the same file: 11,689,512 parameters, 1.814 G MACs (torchvision figures)', async () => {
    const parser = await pythonParser();
    const r = analyzePythonSource(parser, fixture('resnet.py'), { entry: 'resnet18', input: [1, 3, 224, 224] });
    assert.equal(reportParameters(r), 11_689_512);
    within(totalMacs(r), 1.814e9, 0.0025);
  });

  it('torchvision ViT-B/16 with nn.MultiheadAttention: 86,567,656 parameters, 17.56 G MACs', async () => {
    const parser = await pythonParser();
    const r = analyzePythonSource(parser, fixture('vit.py'), { input: [1, 3, 224, 224] });
    assert.equal(r.entry, 'vit_b_16');
    assert.equal(reportParameters(r), 86_567_656);
    // Patch conv 196·768·768; per layer at S = 197: QKV S·768·2304, scores+PV 12·S²·128, out S·768²,
    // MLP 2·S·768·3072; head 768·1000. torchvision publishes 17.56 GFLOPS (multiply-adds).
    const S = 197;
    const layer = S * 768 * 2304 + 12 * S * S * 128 + S * 768 * 768 + 2 * S * 768 * 3072;
    within(totalMacs(r), 196 * 768 * 768 + 12 * layer + 768 * 1000, 0.0025);
    within(totalMacs(r), 17.56e9, 0.0025);
  });

  it('builds float16 weights when dtype is float16', async () => {
    const parser = await pythonParser();
    const r = analyzePythonSource(parser, fixture('resnet.py'), { entry: 'resnet18', input: [1, 3, 224, 224], dtype: 'float16' });
    const inits = r.analysis?.model?.graph.initializers ?? [];
    assert.ok(inits.length > 0 && inits.every((t) => t.dtype === 10));
  });
});
