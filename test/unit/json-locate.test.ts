import * as assert from 'node:assert/strict';
import { analyzeHfConfig, HfProfileOptions } from '../../server/src/analysis/hf-config/index';
import { lineAndCharacter, parseLocatedJson } from '../../server/src/analysis/hf-config/json-locate';

/**
 * Where a config.json's problems and keys are (hf-config/json-locate.ts, on jsonc-parser): every
 * expected position is counted by hand from the text written out in the test.
 */
const OPTIONS: HfProfileOptions = { phase: 'decode', batch: 1, prompt: 2048, generated: 256 };

describe('json-locate: syntax errors and key locations', () => {
  it('a missing value on line 3: the error is at the comma where the value should be', () => {
    // Line 3 is `  "num_attention_heads": ,`: two spaces, 21 characters of key in quotes, a colon and a
    // space, then the comma at character 2 + 21 + 2 = 25 (0-based), column 26.
    const text = '{\n  "model_type": "llama",\n  "num_attention_heads": ,\n  "hidden_size": 4096\n}';
    const parsed = parseLocatedJson(text);
    assert.equal(parsed.value, undefined);
    assert.equal(parsed.error?.message, 'a value is expected');
    assert.equal(parsed.error?.offset, text.indexOf(': ,') + 2);
    assert.deepEqual(lineAndCharacter(text, parsed.error?.offset ?? -1), { line: 2, character: 25 });
    const [d] = analyzeHfConfig(text, OPTIONS).diagnostics;
    assert.equal(d?.code, 'hf.not-json');
    assert.equal(d?.location?.offset, text.indexOf(': ,') + 2);
    assert.match(d?.message ?? '', /^not valid JSON \(line 3, column 26\): a value is expected$/);
  });

  it('strict JSON as transformers reads it: comments and trailing commas are errors where they are', () => {
    const comment = '{\n  // tuned\n  "a": 1\n}';
    assert.equal(parseLocatedJson(comment).error?.message, 'comments are not allowed in JSON');
    assert.equal(parseLocatedJson(comment).error?.offset, 4);
    // `{"a": 1,}`: the brace at offset 8 comes where a property name should.
    const trailing = parseLocatedJson('{"a": 1,}');
    assert.equal(trailing.error?.message, 'a property name in double quotes is expected');
    assert.equal(trailing.error?.offset, 8);
    assert.equal(parseLocatedJson('').error?.message, 'a value is expected');
    assert.equal(parseLocatedJson('{"a": 1} 2').error?.offset, 9);
  });

  it('values are JSON.parse\'s (plain objects: a __proto__ key is data), keys located by path', () => {
    const text = '{"__proto__": {"polluted": true}, "x": {"y": [1, {"z": 2}]}, "x": {"w": 3}}';
    const parsed = parseLocatedJson(text);
    assert.equal(parsed.error, undefined);
    const value = parsed.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__', 'x']);
    // The last duplicate's value, as JSON.parse keeps it; the first one's location.
    assert.deepEqual(value.x, { w: 3 });
    assert.deepEqual(parsed.keys.get('x'), { offset: 34, length: 3, line: 0, character: 34 });
    assert.equal(parsed.keys.get('x.w')?.offset, text.indexOf('"w"'));
    assert.equal(parsed.keys.has('x.y.z'), false, 'keys inside arrays are not recorded');
    assert.equal(parsed.keys.has('z'), false);
  });

  it('line and character count UTF-16 units after the last newline', () => {
    const text = 'ab\n"é😀": 1\n';
    // Line 1 starts at offset 3; "é😀" is 1 + 1 + 2 + 1 code units, so the colon is at character 5.
    assert.deepEqual(lineAndCharacter(text, text.indexOf(':')), { line: 1, character: 5 });
    assert.deepEqual(lineAndCharacter(text, 0), { line: 0, character: 0 });
    assert.deepEqual(lineAndCharacter(text, text.length), { line: 2, character: 0 });
  });
});
