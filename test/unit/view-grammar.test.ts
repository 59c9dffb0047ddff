/**
 * The model view's TextMate grammar (syntaxes/ridgepoint-view.tmLanguage.json), through vscode-textmate
 * as VS Code runs it, on lines written by hand in the view's format (server/src/analysis/onnx/view/).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'ridgepoint-view.tmLanguage.json');
const SCOPE_NAME = 'source.ridgepoint-view';

let grammar: vsctm.IGrammar;

/** Each token of each line: its text and innermost scope. */
function tokenise(source: string): Array<Array<{ text: string; scope: string }>> {
  let state = vsctm.INITIAL;
  return source.split('\n').map((text) => {
    const result = grammar.tokenizeLine(text, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ text: text.slice(t.startIndex, Math.min(t.endIndex, text.length)), scope: t.scopes[t.scopes.length - 1] ?? '' }));
  });
}

function scopeOf(line: Array<{ text: string; scope: string }> | undefined, text: string): string | undefined {
  return line?.find((t) => t.text === text)?.scope;
}

describe('model view grammar', () => {
  before(async () => {
    await oniguruma.loadWASM(fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm')));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources), createOnigString: (text: string) => new oniguruma.OnigString(text) }),
      loadGrammar: async (scopeName: string) => (scopeName === SCOPE_NAME ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null),
    });
    const loaded = await registry.loadGrammar(SCOPE_NAME);
    assert.ok(loaded, 'the grammar loads');
    grammar = loaded;
  });

  it('colours the header, scope headers, op types, values, attributes and shapes', () => {
    const lines = tokenise(
      [
        '# pytorch 1.13.0 · opset 17 · ir 8',
        'graph main_graph',
        '  input  x: float[N, 3, ?]',
        '  2 initializers · 89 parameters · 360 B',
        '    block.attn.weight  float[4, 4]',
        '  layer1 › 0',
        '    ⋯ 3 shape ops (Shape, Constant, Gather)',
        '    Conv           Conv (maxpool/MaxPool, onnx::Conv_500) → y  kernel_shape=[1,1]',
        '    com.microsoft.Attention  Attention (x)',
        '    then_branch: graph then_g',
      ].join('\n'),
    );
    assert.equal(lines[0]?.[0]?.scope, 'comment.line.number-sign.ridgepoint-view');
    assert.equal(scopeOf(lines[1], 'graph'), 'keyword.other.graph.ridgepoint-view');
    assert.equal(scopeOf(lines[1], 'main_graph'), 'entity.name.function.declaration.ridgepoint-view');
    assert.equal(scopeOf(lines[2], 'input'), 'keyword.other.io.ridgepoint-view');
    assert.equal(scopeOf(lines[2], 'float'), 'storage.type.primitive.ridgepoint-view');
    assert.equal(scopeOf(lines[2], 'N'), 'variable.other.dim.ridgepoint-view');
    assert.equal(scopeOf(lines[2], '?'), 'constant.language.dim.unknown.ridgepoint-view');
    assert.ok(lines[3]?.every((t) => t.scope === 'comment.line.summary.ridgepoint-view' || t.text.trim() === ''), JSON.stringify(lines[3]));
    // An initializer line is a name and a type, not an op.
    assert.equal(scopeOf(lines[4], 'block.attn.weight'), 'variable.other.value.ridgepoint-view');
    assert.equal(scopeOf(lines[4], 'float'), 'storage.type.primitive.ridgepoint-view');
    assert.equal(scopeOf(lines[5], '›'), 'punctuation.separator.scope.ridgepoint-view');
    assert.equal(scopeOf(lines[5], 'layer1 '), 'entity.name.section.scope.ridgepoint-view');
    assert.ok(lines[6]?.some((t) => t.scope === 'comment.line.summary.ridgepoint-view' && t.text.includes('3 shape ops')));
    assert.equal(lines[7]?.find((t) => t.text === 'Conv')?.scope, 'entity.name.function.op.ridgepoint-view', JSON.stringify(lines[7]));
    assert.equal(scopeOf(lines[7], '→'), 'keyword.operator.arrow.ridgepoint-view');
    assert.equal(scopeOf(lines[7], 'kernel_shape'), 'variable.parameter.attribute.ridgepoint-view');
    assert.equal(scopeOf(lines[8], 'com.microsoft.'), 'entity.name.namespace.domain.ridgepoint-view');
    assert.equal(scopeOf(lines[8], 'Attention'), 'entity.name.function.op.ridgepoint-view');
    assert.equal(scopeOf(lines[9], 'then_branch'), 'variable.parameter.attribute.ridgepoint-view');
    assert.equal(scopeOf(lines[9], 'graph'), 'keyword.other.graph.ridgepoint-view');
  });
});
