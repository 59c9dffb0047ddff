import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findChip } from '../../server/src/analysis/cost/chips';
import { analyzeHfConfig, codeLensSummary, explainConfigKey, HfProfileOptions, summariseLlm } from '../../server/src/analysis/hf-config/index';

/** Bad configs give located diagnostics and never throw; key locations; hovers and the code lens. */
const OPTIONS: HfProfileOptions = { phase: 'decode', batch: 1, prompt: 2048, generated: 256 };
const fixture = (name: string): string => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'hf', `${name}.json`), 'utf8');
const LLAMA = fixture('llama-2-7b');

/** LLaMA-2-7B's config with one key replaced (kept in place, so its line is known). */
function llamaWith(key: string, value: string): string {
  const replaced = LLAMA.replace(new RegExp(`("${key}": )[^,\\n]+`), `$1${value}`);
  assert.notEqual(replaced, LLAMA, `fixture has ${key}`);
  return replaced;
}

function lineOf(text: string, key: string): number {
  return text.split('\n').findIndex((l) => l.includes(`"${key}"`));
}

describe('hf-config: bad input', () => {
  it('non-JSON: an error at the offending position, no analysis', () => {
    const text = '{\n  "model_type": "llama",\n  "hidden_size": 4096,,\n}';
    const result = analyzeHfConfig(text, OPTIONS);
    assert.equal(result.analysis, null);
    const [d] = result.diagnostics;
    assert.equal(d?.code, 'hf.not-json');
    assert.equal(d?.severity, 'error');
    // The second comma of line 3 (0-based offset of ",," + 1).
    assert.equal(d?.location?.offset, text.indexOf(',,') + 1);
    assert.match(d?.message ?? '', /line 3/);
  });

  it('JSON that is not an object, and empty text', () => {
    assert.equal(analyzeHfConfig('[1, 2]', OPTIONS).diagnostics[0]?.code, 'hf.not-object');
    assert.equal(analyzeHfConfig('', OPTIONS).diagnostics[0]?.code, 'hf.not-json');
  });

  it('unknown model_type with Llama keys: a warning at model_type, analysed as a Llama-style decoder', () => {
    const text = LLAMA.replace('"model_type": "llama"', '"model_type": "llamma"').replace('"LlamaForCausalLM"', '"SomethingForCausalLM"');
    const result = analyzeHfConfig(text, OPTIONS);
    const d = result.diagnostics.find((x) => x.code === 'hf.unknown-model-type');
    assert.equal(d?.severity, 'warning');
    assert.equal(d?.location?.offset, text.indexOf('"model_type"'));
    assert.match(d?.message ?? '', /did you mean "llama"/);
    assert.equal(result.params, 6_738_415_616);
  });

  it('unknown model_type without the standard keys: an error and no analysis', () => {
    const result = analyzeHfConfig('{"model_type": "whisper", "d_model": 512}', OPTIONS);
    assert.equal(result.analysis, null);
    assert.equal(result.diagnostics.find((d) => d.code === 'hf.unknown-model-type')?.severity, 'error');
  });

  it('the family comes from architectures when model_type is missing', () => {
    const text = LLAMA.replace('  "model_type": "llama",\n', '');
    const result = analyzeHfConfig(text, OPTIONS);
    assert.equal(result.family, 'llama');
    assert.equal(result.params, 6_738_415_616);
  });

  it('a missing core key falls back to the transformers default with a warning', () => {
    const text = LLAMA.replace('  "intermediate_size": 11008,\n', '').replace('  "num_hidden_layers": 32,\n', '');
    const result = analyzeHfConfig(text, OPTIONS);
    const missing = result.diagnostics.filter((d) => d.code === 'hf.missing-key');
    assert.deepEqual(missing.map((d) => d.severity), ['warning']);
    assert.match(missing[0]?.message ?? '', /num_hidden_layers.*32/);
    // intermediate_size is optional: LlamaConfig's default 11008 applies, so the count is unchanged.
    assert.equal(result.params, 6_738_415_616);
  });

  it('absurd and mistyped values: errors located at their key, and no graph', () => {
    const cases: Array<[string, string, string]> = [
      ['hidden_size', '-4096', 'hf.absurd-value'],
      ['num_hidden_layers', '1e9', 'hf.absurd-value'],
      ['vocab_size', '"32000"', 'hf.bad-value'],
      ['intermediate_size', '11008.5', 'hf.bad-value'],
      ['num_key_value_heads', '5', 'hf.inconsistent'],
    ];
    for (const [key, value, code] of cases) {
      const text = llamaWith(key, value);
      const result = analyzeHfConfig(text, OPTIONS);
      const d = result.diagnostics.find((x) => x.code === code);
      assert.ok(d, `${key} = ${value}: ${JSON.stringify(result.diagnostics)}`);
      assert.equal(d.severity, 'error');
      assert.equal(d.location?.offset, text.indexOf(`"${key}"`), key);
      assert.match(d.message, new RegExp(`line ${lineOf(text, key) + 1}\\)`));
      assert.equal(result.analysis, null, key);
    }
  });

  it('MoE with more experts per token than experts is an error at num_experts_per_tok', () => {
    const text = fixture('mixtral-8x7b').replace('"num_experts_per_tok": 2', '"num_experts_per_tok": 9');
    const d = analyzeHfConfig(text, OPTIONS).diagnostics.find((x) => x.code === 'hf.inconsistent');
    assert.equal(d?.location?.offset, text.indexOf('"num_experts_per_tok"'));
  });

  it('bad options and a context beyond max_position_embeddings', () => {
    assert.equal(analyzeHfConfig(LLAMA, { ...OPTIONS, batch: 0 }).diagnostics.find((d) => d.code === 'hf.bad-option')?.severity, 'error');
    assert.equal(analyzeHfConfig(LLAMA, { ...OPTIONS, prompt: 1.5 }).analysis, null);
    const long = analyzeHfConfig(LLAMA, { ...OPTIONS, prompt: 8192 });
    const d = long.diagnostics.find((x) => x.code === 'hf.context-too-long');
    assert.equal(d?.severity, 'warning');
    assert.equal(d?.location?.offset, LLAMA.indexOf('"max_position_embeddings"'));
    assert.ok(long.analysis, 'still analysed');
  });

  it('an encoder asked for decode profiles its forward pass, with a warning', () => {
    const result = analyzeHfConfig(fixture('bert-base-uncased'), { ...OPTIONS, prompt: 128 });
    assert.equal(result.phase, 'prefill');
    assert.ok(result.diagnostics.some((d) => d.code === 'hf.encoder-decode'));
  });

  it('never throws on arbitrary objects', () => {
    for (const text of ['{}', '{"model_type": 3}', '{"model_type": "llama", "hidden_size": null}', '{"model_type": "gpt2", "n_embd": {"a": 1}}', '{"model_type":"mixtral","num_local_experts":0}', 'null', '"llama"']) {
      assert.doesNotThrow(() => analyzeHfConfig(text, OPTIONS), text);
    }
  });
});

describe('hf-config: key locations, hovers and the code lens', () => {
  it('records each key with offset, line and character, and nested keys by path', () => {
    const text = '{\n  "model_type": "llama",\n  "rope_scaling": {"factor": 2.0, "type": "linear"},\n  "list": [{"inner": 1}]\n}';
    const keys = analyzeHfConfig(text, OPTIONS).keyRanges;
    assert.deepEqual(keys.get('model_type'), { offset: 4, length: 12, line: 1, character: 2 });
    const factor = keys.get('rope_scaling.factor');
    assert.equal(factor?.line, 2);
    assert.equal(text.slice(factor?.offset, (factor?.offset ?? 0) + (factor?.length ?? 0)), '"factor"');
    assert.equal(keys.has('inner'), false, 'keys inside arrays are not recorded');
  });

  it('num_key_value_heads hover: 128 KiB/token for Mistral-7B, 512 KiB with 32 heads', () => {
    const chip = findChip('h100');
    assert.ok(chip);
    const text = explainConfigKey(fixture('mistral-7b'), 'num_key_value_heads', chip, OPTIONS);
    assert.ok(text);
    // 2 × 32 layers × 8 heads × 128 × 2 bytes = 128 KiB; with 32 heads 4× that.
    assert.match(text, /KV cache 128 KiB\/token/);
    assert.match(text, /With num_key_value_heads = 32: KV cache 512 KiB\/token/);
  });

  it('gpt2 spellings are explained (n_embd); keys without a cost are not', () => {
    const chip = findChip('h100');
    assert.ok(chip);
    const short = { ...OPTIONS, prompt: 512 };
    assert.match(explainConfigKey(fixture('gpt2'), 'n_embd', chip, short) ?? '', /124\.4 M parameters/);
    assert.equal(explainConfigKey(fixture('gpt2'), 'bos_token_id', chip, short), null);
    assert.equal(explainConfigKey(fixture('gpt2'), 'num_key_value_heads', chip, short), null, 'absent key');
  });

  it('code lens: parameters and both verdicts', () => {
    const chip = findChip('h100');
    assert.ok(chip);
    const s = summariseLlm(fixture('llama-2-7b'), chip, { ...OPTIONS, dtype: 'fp16' });
    assert.ok(s);
    const lens = codeLensSummary(s);
    // LLaMA-2-7B: 6,738,415,616 parameters = 6.738 G (SI, four significant digits).
    assert.match(lens, /^6\.738 G params/);
    assert.match(lens, /prefill 2048 tok: .*compute-bound/);
    assert.match(lens, /decode: .*memory-bound/);
  });
});
