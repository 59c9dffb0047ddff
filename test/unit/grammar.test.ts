/**
 * The TextMate grammar for ONNX textual syntax (syntaxes/onnxtxt.tmLanguage.json), run through the same
 * engine VS Code uses (vscode-textmate + the oniguruma wasm), so what passes here highlights the same in
 * the editor.
 *
 * Three kinds of check:
 *  - hand-written assertions, one or more per grammar rule, written from the syntax (onnx/defs/parser.cc
 *    and printer.cc), not from the grammar's output;
 *  - snapshots of realistic fixtures (test/fixtures/grammar/*.onnxtxt -> *.snap), which catch any change
 *    in tokenisation; `UPDATE_SNAPSHOTS=1` rewrites them, and a rewritten snapshot must be read by eye;
 *  - a generated 20,000-node file, to show the rule stack neither leaks nor drifts over a long graph.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'onnxtxt.tmLanguage.json');
const GRAMMAR_SOURCE_PATH = path.join(ROOT, 'syntaxes', 'onnxtxt.tmLanguage.mjs');
const LANGUAGE_CONFIG_PATH = path.join(ROOT, 'syntaxes', 'language-configuration.json');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'grammar');
const SCOPE_NAME = 'source.onnxtxt';
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

interface Token {
  /** 0-based line index. */
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Outermost first, starting with source.onnxtxt. */
  readonly scopes: readonly string[];
}

interface Tokenised {
  readonly lines: readonly (readonly Token[])[];
  /** Rule-stack depth after each line (1 = top level). */
  readonly depths: readonly number[];
}

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  // loadWASM is idempotent, so sharing the process with other users of oniguruma is harmless.
  await oniguruma.loadWASM(fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm')));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === SCOPE_NAME ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
  });
  const loaded = await registry.loadGrammar(SCOPE_NAME);
  if (!loaded) throw new Error(`grammar ${SCOPE_NAME} did not load`);
  return loaded;
}

function tokenise(source: string): Tokenised {
  const lines: Token[][] = [];
  const depths: number[] = [];
  let state = vsctm.INITIAL;
  source.split(/\r?\n/).forEach((text, line) => {
    const result = grammar.tokenizeLine(text, state);
    state = result.ruleStack;
    depths.push(state.depth);
    lines.push(
      result.tokens.map((t) => ({
        line,
        start: t.startIndex,
        // The engine reports the last token as running one past the end (the newline it appends).
        end: Math.min(t.endIndex, text.length),
        text: text.slice(t.startIndex, t.endIndex),
        scopes: t.scopes,
      })),
    );
  });
  return { lines, depths };
}

/** TextMate selector semantics: `a.b` matches `a.b` and `a.b.c`, not `a.bc`. */
function scopeMatches(scope: string, selector: string): boolean {
  return scope === selector || scope.startsWith(`${selector}.`);
}

function hasScope(token: Token, selector: string): boolean {
  return token.scopes.some((s) => scopeMatches(s, selector));
}

/**
 * The `nth` token (0-based, in text order) whose text is exactly `text`, optionally only on one line.
 * Exact text, so a test fails if the grammar splits or merges what should be one token.
 */
function find(tokens: Tokenised, text: string, opts: { line?: number; nth?: number } = {}): Token {
  // Only the one line when given: the 20,000-line test looks up a token on every line.
  const pool = opts.line === undefined ? tokens.lines.flat() : (tokens.lines[opts.line] ?? []);
  const all = pool.filter((t) => t.text === text);
  const hit = all[opts.nth ?? 0];
  if (!hit) {
    const dump = pool
      .map((t) => `  ${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`)
      .join('\n');
    assert.fail(`no token ${JSON.stringify(text)} (#${opts.nth ?? 0}) found; tokens:\n${dump}`);
  }
  return hit;
}

function expectScope(source: string | Tokenised, text: string, selector: string, opts: { line?: number; nth?: number } = {}): void {
  const tokens = typeof source === 'string' ? tokenise(source) : source;
  const token = find(tokens, text, opts);
  assert.ok(hasScope(token, selector), `${JSON.stringify(text)} should be ${selector}, got: ${token.scopes.join(' ')}`);
}

function expectNoScope(source: string | Tokenised, text: string, selector: string, opts: { line?: number; nth?: number } = {}): void {
  const tokens = typeof source === 'string' ? tokenise(source) : source;
  const token = find(tokens, text, opts);
  assert.ok(!hasScope(token, selector), `${JSON.stringify(text)} should not be ${selector}, got: ${token.scopes.join(' ')}`);
}

// ---- snapshots

const SNAPSHOT_HEADER = [
  '# Token snapshot of the fixture of the same name: one line per token,',
  "# line:firstCol-lastCol (1-based, inclusive) 'text' (\\ and ' escaped) scopes, outermost first.",
  '# source.onnxtxt and the .onnxtxt suffix of every scope are left out, as are whitespace tokens',
  '# that carry only meta scopes. Regenerate with UPDATE_SNAPSHOTS=1 and read the diff before committing.',
];

function quoteText(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\t/g, '\\t')}'`;
}

function renderSnapshot(tokens: Tokenised): string {
  const out = [...SNAPSHOT_HEADER];
  for (const line of tokens.lines) {
    for (const t of line) {
      if (t.start >= t.end) continue;
      const scopes = t.scopes.slice(1).map((s) => s.replace(/\.onnxtxt$/, ''));
      if (t.text.trim() === '' && scopes.every((s) => s.startsWith('meta.'))) continue;
      out.push(`${t.line + 1}:${t.start + 1}-${t.end} ${quoteText(t.text)} ${scopes.join(' ')}`.trimEnd());
    }
  }
  return `${out.join('\n')}\n`;
}

/** A short line diff for the failure message; mocha also prints its own full diff of the two strings. */
function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return `first difference at snapshot line ${i + 1}:\n- ${e[i] ?? '<end>'}\n+ ${a[i] ?? '<end>'}`;
  }
  return 'no difference';
}

function fixtureNames(): string[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.onnxtxt'))
    .sort();
}

/** Every scope name the grammar file can emit, collected from its `name` fields. */
function grammarScopeNames(): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown, key: string | null): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, null));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
    else if (key === 'name' && typeof node === 'string') node.split(' ').forEach((n) => names.add(n));
  };
  // Only the rules: the top level's own `name` is the language's display name, not a scope.
  const raw = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as { patterns: unknown; repository: unknown };
  walk([raw.patterns, raw.repository], null);
  return names;
}

describe('onnxtxt TextMate grammar', function () {
  // The 20,000-line check takes a few seconds; the default 2 s applies when run with --no-config.
  this.timeout(60_000);

  before(async () => {
    grammar = await loadGrammar();
  });

  describe('files', () => {
    it('is valid JSON with the scope name the extension registers', () => {
      const raw = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as { scopeName?: string };
      assert.equal(raw.scopeName, SCOPE_NAME);
    });

    it('is exactly what its source, syntaxes/onnxtxt.tmLanguage.mjs, generates', () => {
      // Run as a separate process: the source is a plain ES module script, not part of the TS build.
      const generated = execFileSync(process.execPath, [GRAMMAR_SOURCE_PATH, '--print'], { encoding: 'utf8' });
      assert.ok(generated === fs.readFileSync(GRAMMAR_PATH, 'utf8'), 'stale JSON: run `node syntaxes/onnxtxt.tmLanguage.mjs`');
    });

    it('has a language configuration with # comments, the four bracket pairs and brace folding', () => {
      const config = JSON.parse(fs.readFileSync(LANGUAGE_CONFIG_PATH, 'utf8')) as {
        comments: { lineComment: string };
        brackets: string[][];
        autoClosingPairs: { open: string; close: string }[];
        surroundingPairs: string[][];
        folding: { markers: { start: string; end: string } };
      };
      assert.equal(config.comments.lineComment, '#');
      const pairs = [['{', '}'], ['[', ']'], ['(', ')'], ['<', '>']];
      assert.deepEqual(config.brackets, pairs);
      for (const [open, close] of pairs) {
        assert.ok(config.autoClosingPairs.some((p) => p.open === open && p.close === close), `auto-closes ${open}`);
        assert.ok(config.surroundingPairs.some((p) => p[0] === open && p[1] === close), `surrounds with ${open}`);
      }
      // The markers must fold a node list, and must not treat `}, else_branch: graph = g () => (…) {`
      // (which both closes one subgraph and opens the next) as the start of a region nobody closes.
      const start = new RegExp(config.folding.markers.start);
      const end = new RegExp(config.folding.markers.end);
      assert.ok(start.test('main_graph (float[N] x) => (float[N] y) {'));
      assert.ok(start.test('   y = If (c) <then_branch: graph = g () => (float a) {  # then'));
      assert.ok(end.test('   }>'));
      assert.ok(end.test('}'));
      const both = '   }, else_branch: graph = g2 () => (float b) {';
      assert.ok(!start.test(both) && !end.test(both));
    });
  });

  describe('comments and literals', () => {
    it('scopes # to the end of the line as a comment, anywhere whitespace may go', () => {
      const t = tokenise('# x\nmain (float x) => (float y) {  # trailing\n  y = Relu (x) # after a node\n}');
      expectScope(t, '#', 'punctuation.definition.comment', { line: 0 });
      expectScope(t, ' x', 'comment.line.number-sign', { line: 0 });
      expectScope(t, ' trailing', 'comment.line.number-sign');
      expectScope(t, ' after a node', 'comment.line.number-sign');
      expectScope(t, 'Relu', 'entity.name.function.op');
    });

    it('does not start a comment at a # inside a string', () => {
      const t = tokenise('m () => () {\n  y = Op <s = "a # b"> ()\n}');
      expectScope(t, 'a # b', 'string.quoted.double');
      expectScope(t, '>', 'punctuation.section.attributes.end');
    });

    it('keeps an escaped quote inside one string and scopes the escape', () => {
      const t = tokenise('m () => () {\n  y = Op <s = "a\\"b", t = "c\\\\"> ()\n}');
      expectScope(t, '"', 'punctuation.definition.string.begin', { nth: 0 });
      expectScope(t, 'a', 'string.quoted.double');
      expectScope(t, '\\"', 'constant.character.escape');
      expectScope(t, 'b', 'string.quoted.double');
      expectScope(t, '\\\\', 'constant.character.escape');
      // The string after the escaped backslash ends at its quote: `>` still closes the list.
      expectScope(t, '>', 'punctuation.section.attributes.end');
      expectScope(t, 't', 'variable.parameter.attribute');
    });

    it('marks an unterminated string to the end of its line and recovers on the next', () => {
      const t = tokenise('m () => () {\n  y = Op <s = "abc\n  z = Relu (y)\n}');
      expectScope(t, 'abc', 'invalid.illegal.unterminated-string');
      expectScope(t, 'Relu', 'entity.name.function.op');
      expectScope(t, '}', 'punctuation.section.block.end');
    });

    it('scopes integers, floats, exponents and the special floats', () => {
      const t = tokenise(
        'm () => () {\n  y = Op <a = 3, b = -7, c = 1.5, d = 1e-05, e = -2.5E+3, f = 1., g = inf, h = -nan, i = INF, j = -infinity> ()\n}',
      );
      expectScope(t, '3', 'constant.numeric.integer');
      expectScope(t, '-7', 'constant.numeric.integer');
      expectScope(t, '1.5', 'constant.numeric.float');
      expectScope(t, '1e-05', 'constant.numeric.float');
      expectScope(t, '-2.5E+3', 'constant.numeric.float');
      expectScope(t, '1.', 'constant.numeric.float');
      for (const special of ['inf', '-nan', 'INF', '-infinity']) expectScope(t, special, 'constant.numeric.float.special');
      expectNoScope(t, '3', 'constant.numeric.float');
    });

    it('does not read digits inside names as numbers', () => {
      const t = tokenise('m () => () {\n  conv1 = Conv (x1, layer2.w3)\n}');
      expectScope(t, 'conv1', 'variable.other.value');
      expectScope(t, 'x1', 'variable.other.value');
      expectScope(t, 'layer2.w3', 'variable.other.value');
    });
  });

  describe('header', () => {
    const header = [
      '<',
      '   ir_version: 8,',
      '   opset_import: ["" : 17, "com.microsoft" : 1],',
      '   producer_name: "pytorch",',
      '   producer_version: "2.1.0",',
      '   domain: "ai.example",',
      '   model_version: 3,',
      '   doc_string: "line one',
      'line # two",',
      '   metadata_props: ["author": "me"]',
      '>',
      'g () => () {}',
    ].join('\n');

    it('scopes every header key and its separator', () => {
      const t = tokenise(header);
      for (const key of ['ir_version', 'opset_import', 'producer_name', 'producer_version', 'domain', 'model_version', 'doc_string', 'metadata_props']) {
        expectScope(t, key, 'keyword.other.header');
      }
      expectScope(t, ':', 'punctuation.separator.key-value', { line: 1 });
      expectScope(t, '<', 'punctuation.section.header.begin');
      expectScope(t, '>', 'punctuation.section.header.end', { line: 10 });
    });

    it('scopes the opset list: domain strings, versions, brackets', () => {
      const t = tokenise(header);
      expectScope(t, 'com.microsoft', 'string.quoted.double');
      expectScope(t, '17', 'constant.numeric.integer');
      expectScope(t, '[', 'punctuation.section.brackets.begin', { line: 2 });
      expectScope(t, ':', 'punctuation.separator.key-value', { line: 2, nth: 1 });
      expectScope(t, '8', 'constant.numeric.integer');
    });

    it('lets doc_string span lines without a # inside it becoming a comment', () => {
      const t = tokenise(header);
      expectScope(t, 'line # two', 'string.quoted.double');
      expectNoScope(t, 'line # two', 'comment');
      expectScope(t, 'g', 'entity.name.function.declaration');
    });
  });

  describe('signatures', () => {
    const model = [
      'main_graph (float[batch,3,224,224] input, int64[2] "weird name") => (float[batch,1000] output)',
      '   <float[64,3,7,7] conv1.weight = [...], int64[2] shape_const = {1, -1}, float[8] ext = ["location": "w.bin", "offset": "0"]>',
      '{',
      '   relu = Relu (input)',
      '}',
    ].join('\n');

    it('scopes the graph name, the arrow, and typed names', () => {
      const t = tokenise(model);
      expectScope(t, 'main_graph', 'entity.name.function.declaration');
      expectScope(t, '=>', 'keyword.operator.arrow');
      expectScope(t, 'input', 'variable.other.value', { line: 0 });
      expectScope(t, 'output', 'variable.other.value');
      expectScope(t, '(', 'punctuation.section.parameters.begin', { line: 0 });
    });

    it('scopes element types and shapes: symbolic dims versus numbers', () => {
      const t = tokenise(model);
      expectScope(t, 'float', 'storage.type.primitive', { line: 0 });
      expectScope(t, 'int64', 'storage.type.primitive', { line: 0 });
      expectScope(t, 'batch', 'variable.other.dim');
      expectScope(t, 'batch', 'meta.shape');
      expectNoScope(t, 'batch', 'variable.other.value');
      expectScope(t, '224', 'constant.numeric.integer.dim');
      expectNoScope(t, '224', 'variable.other.dim');
      expectScope(t, '[', 'punctuation.section.shape.begin', { line: 0 });
      expectScope(t, ']', 'punctuation.section.shape.end', { line: 0 });
    });

    it('scopes a quoted name as a value name and a string', () => {
      const t = tokenise(model);
      expectScope(t, 'weird name', 'variable.other.value');
      expectScope(t, 'weird name', 'string.quoted.double');
    });

    it('scopes initializers: inline data, elided data and external data', () => {
      const t = tokenise(model);
      expectScope(t, '<', 'punctuation.section.value-infos.begin', { line: 1 });
      expectScope(t, 'conv1.weight', 'variable.other.value');
      expectScope(t, '...', 'constant.language.elided');
      expectScope(t, '...', 'meta.external-data');
      expectScope(t, '{', 'punctuation.section.data.begin');
      expectScope(t, '-1', 'constant.numeric.integer');
      expectScope(t, '-1', 'meta.tensor-data');
      expectScope(t, 'location', 'string.quoted.double');
      expectScope(t, '=', 'keyword.operator.assignment', { line: 1, nth: 1 });
      expectScope(t, '>', 'punctuation.section.value-infos.end', { line: 1 });
      expectScope(t, 'Relu', 'entity.name.function.op');
    });

    it('knows every element type the parser knows', () => {
      const types = [
        'float', 'float16', 'bfloat16', 'double', 'int2', 'int4', 'int8', 'int16', 'int32', 'int64',
        'uint2', 'uint4', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string', 'complex64', 'complex128',
        'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1',
      ];
      const t = tokenise(`g (${types.map((ty, i) => `${ty}[2] v${i}`).join(', ')}) => () {}`);
      types.forEach((ty, i) => {
        expectScope(t, ty, 'storage.type.primitive');
        expectScope(t, `v${i}`, 'variable.other.value');
      });
      expectNoScope(tokenise('g (float_input) => () {}'), 'float_input', 'storage.type');
    });

    it('scopes seq, map, optional, sparse_tensor and opaque types with their names', () => {
      const t = tokenise(
        'g (seq(float[N]) s, map(int64, seq(float)) m, optional(int32[?]) o, sparse_tensor(float[10,10]) sp, opaque(com.x, RNG) r, float[] u) => () {}',
      );
      for (const ctor of ['seq', 'map', 'optional', 'sparse_tensor', 'opaque']) expectScope(t, ctor, 'storage.type.constructor');
      expectScope(t, 'seq', 'storage.type.constructor', { nth: 1 });
      for (const name of ['s', 'm', 'o', 'sp', 'r', 'u']) expectScope(t, name, 'variable.other.value');
      expectScope(t, 'int64', 'storage.type.primitive');
      expectScope(t, '?', 'constant.language.dim.unknown');
      expectScope(t, 'RNG', 'entity.name.type.opaque');
      expectScope(t, '(', 'punctuation.section.type.begin', { nth: 1 });
      expectScope(t, 'N', 'variable.other.dim');
    });

    it('scopes quoted dims and keeps brackets inside them from closing the shape', () => {
      const t = tokenise('g (float["batch size", "a]b", 3] x) => () {}');
      expectScope(t, 'batch size', 'variable.other.dim');
      expectScope(t, 'a]b', 'variable.other.dim');
      expectScope(t, '3', 'constant.numeric.integer.dim');
      expectScope(t, 'x', 'variable.other.value');
    });

    it('scopes function attributes, untyped and typed function inputs, and value-infos', () => {
      const t = tokenise('MyFn <alpha, beta: float = 1.0, gamma = "linear"> (x, float[N] y) => (z) <float[N] tmp> {\n  z = Add (x, y)\n}');
      expectScope(t, 'MyFn', 'entity.name.function.declaration');
      expectScope(t, '<', 'punctuation.section.attributes.begin', { line: 0 });
      expectScope(t, 'alpha', 'variable.parameter.attribute');
      expectScope(t, 'beta', 'variable.parameter.attribute');
      expectScope(t, 'float', 'support.type.attribute', { line: 0 });
      expectScope(t, '1.0', 'constant.numeric.float');
      expectScope(t, 'gamma', 'variable.parameter.attribute');
      expectScope(t, 'linear', 'string.quoted.double');
      expectScope(t, 'x', 'variable.other.value', { line: 0 });
      expectScope(t, 'float', 'storage.type.primitive', { line: 0, nth: 1 });
      expectScope(t, 'tmp', 'variable.other.value');
      expectScope(t, 'tmp', 'meta.value-infos');
      expectScope(t, 'Add', 'entity.name.function.op');
    });

    it('scopes a quoted graph name', () => {
      const t = tokenise('"my graph" (float x) => (float y) {}');
      expectScope(t, 'my graph', 'entity.name.function.declaration');
    });

    it('flags stray closing brackets at the top level', () => {
      const t = tokenise('g () => () {}\n}');
      expectScope(t, '}', 'invalid.illegal.stray-bracket', { line: 1 });
    });
  });

  describe('nodes', () => {
    const body = (nodes: string): Tokenised => tokenise(`g () => () {\n${nodes}\n}`);

    it('scopes op names after =, with the domain prefix as a namespace', () => {
      const t = body('   y = com.microsoft.FusedMatMul <alpha = 1.0> (a, b)\n   z = Relu (y)');
      expectScope(t, 'FusedMatMul', 'entity.name.function.op');
      expectScope(t, 'com', 'entity.name.namespace');
      expectScope(t, 'microsoft', 'entity.name.namespace');
      expectScope(t, '.', 'punctuation.separator.namespace', { nth: 1 });
      expectNoScope(t, 'com', 'entity.name.function.op');
      expectNoScope(t, 'FusedMatMul', 'entity.name.namespace');
      expectScope(t, 'Relu', 'entity.name.function.op');
      expectNoScope(t, 'Relu', 'entity.name.namespace');
      expectScope(t, '=', 'keyword.operator.assignment', { line: 1 });
    });

    it('scopes outputs and inputs as value names, including several outputs and empty inputs', () => {
      const t = body('   a, "b c" = Split (x)\n   q = Op (, x, "")');
      expectScope(t, 'a', 'variable.other.value');
      expectScope(t, 'b c', 'variable.other.value');
      expectScope(t, 'x', 'meta.arguments');
      expectScope(t, '(', 'punctuation.section.arguments.begin', { line: 1 });
      expectScope(t, ')', 'punctuation.section.arguments.end', { line: 1 });
      expectScope(t, ',', 'punctuation.separator.comma', { line: 2 });
    });

    it('scopes node labels and op overloads', () => {
      const t = body('   [conv_1] y = Conv (x, w)\n   ["odd label"] z = local.Fn:v2 (y)');
      expectScope(t, 'conv_1', 'entity.name.label.node');
      expectScope(t, '[', 'punctuation.definition.label.begin');
      expectScope(t, 'odd label', 'entity.name.label.node');
      expectScope(t, 'local', 'entity.name.namespace');
      expectScope(t, 'Fn', 'entity.name.function.op');
      expectScope(t, ':', 'punctuation.separator.overload');
      expectScope(t, 'v2', 'entity.name.function.overload');
    });

    it('scopes a node with no outputs', () => {
      const t = body('   = Print (x)');
      expectScope(t, 'Print', 'entity.name.function.op');
    });

    it('scopes attribute names, their optional types, and values, before or after the inputs', () => {
      const t = body(
        '   y = Conv <dilations: ints = [1, 1], group: int = 1, auto_pad = "NOTSET"> (x, w)\n   z = Cast (y) <to = 1>',
      );
      expectScope(t, 'dilations', 'variable.parameter.attribute');
      expectScope(t, ':', 'punctuation.separator.type');
      expectScope(t, 'ints', 'support.type.attribute');
      expectScope(t, 'int', 'support.type.attribute');
      expectScope(t, '[', 'punctuation.section.brackets.begin', { line: 1 });
      expectScope(t, '1', 'meta.list', { line: 1 });
      expectScope(t, 'auto_pad', 'variable.parameter.attribute');
      expectScope(t, 'NOTSET', 'string.quoted.double');
      expectScope(t, 'to', 'variable.parameter.attribute');
      expectScope(t, 'to', 'meta.attributes');
      expectScope(t, '<', 'punctuation.section.attributes.begin', { line: 2 });
    });

    it('knows every attribute type and flags an unknown one', () => {
      const types = ['float', 'int', 'string', 'tensor', 'graph', 'sparse_tensor', 'type_proto', 'floats', 'ints', 'strings', 'tensors', 'graphs', 'sparse_tensors', 'type_protos'];
      const t = body(`   y = Op <${types.map((ty, i) => `a${i}: ${ty} = @r${i}`).join(', ')}, bad: intz = 1> ()`);
      types.forEach((ty) => expectScope(t, ty, 'support.type.attribute'));
      expectScope(t, 'intz', 'invalid.illegal.attribute-type');
    });

    it('scopes @references to the enclosing function attributes', () => {
      const t = body('   y = Mul <beta: float = @alpha, gamma = @"odd"> (x, x)');
      expectScope(t, '@', 'punctuation.definition.reference');
      expectScope(t, 'alpha', 'variable.other.reference.attribute');
      expectScope(t, 'odd', 'variable.other.reference.attribute');
      expectNoScope(t, 'alpha', 'variable.parameter.attribute');
    });

    it('scopes tensor and type attribute values, not mistaking the tensor name for an attribute', () => {
      const t = body('   c = Constant <value: tensor = float[2] cst = {1.5, -inf}, tp: type_protos = [seq(float), int64[3]]> ()');
      expectScope(t, 'float', 'storage.type.primitive');
      expectScope(t, 'cst', 'variable.other.value');
      expectNoScope(t, 'cst', 'variable.parameter.attribute');
      expectScope(t, '-inf', 'constant.numeric.float.special');
      expectScope(t, '{', 'punctuation.section.data.begin', { line: 1 });
      expectScope(t, 'seq', 'storage.type.constructor');
      expectScope(t, 'int64', 'storage.type.primitive');
      expectScope(t, 'tp', 'variable.parameter.attribute');
    });

    it('does not scope attribute-looking text outside attribute lists as attributes', () => {
      const t = body('   y = Relu (x)');
      expectNoScope(t, 'y', 'variable.parameter.attribute');
      expectScope(t, 'y', 'variable.other.value');
    });
  });

  describe('nested subgraphs', () => {
    const nested = [
      'main (bool c, float[N] x) => (float[N] out) {',
      '   out = If (c) <then_branch: graph = then_g () => (float[N] t) {',
      '      t = Loop (trip, c, x) <body: graph = body_g (int64 i, bool cin, float[N] xin) => (bool cout, float[N] xout) {',
      '         cout = Identity (cin)',
      '         xout = com.microsoft.Gelu (xin)',
      '      }>',
      '   }, else_branch: graph = else_g () => (float[N] e) { e = Neg (x) }>',
      '   after = Relu (out)',
      '}',
      'tail (a) => (b) { b = Abs (a) }',
    ].join('\n');

    it('scopes subgraph names, arrows and nodes at every depth', () => {
      const t = tokenise(nested);
      for (const g of ['then_g', 'body_g', 'else_g']) {
        expectScope(t, g, 'entity.name.function.subgraph');
        expectScope(t, g, 'meta.subgraph');
      }
      expectScope(t, '=>', 'keyword.operator.arrow', { line: 2 });
      for (const op of ['If', 'Loop', 'Identity', 'Gelu', 'Neg', 'Relu']) expectScope(t, op, 'entity.name.function.op');
      expectScope(t, 'com', 'entity.name.namespace');
      expectScope(t, 'int64', 'storage.type.primitive', { line: 2 });
      expectScope(t, 'cout', 'variable.other.value', { line: 3 });
    });

    it('returns to the enclosing attribute list and node list after each body', () => {
      const t = tokenise(nested);
      // `}>` on line 6 closes the loop body, then the Loop's attribute list.
      expectScope(t, '}', 'punctuation.section.block.end', { line: 5 });
      expectScope(t, '>', 'punctuation.section.attributes.end', { line: 5 });
      expectScope(t, 'else_branch', 'variable.parameter.attribute');
      expectNoScope(t, 'else_branch', 'meta.subgraph');
      expectScope(t, 'e', 'variable.other.value', { line: 6 });
      // The main graph's node list is back to its own depth for `after = Relu (out)`.
      expectNoScope(t, 'Relu', 'meta.subgraph');
      expectNoScope(t, 'Relu', 'meta.attributes');
      assert.equal(t.depths[7], t.depths[0], 'same rule stack depth as the first body line');
      // And the main graph closes: the following line is a top-level declaration of its own.
      assert.equal(t.depths[8], 1, 'top level after the main graph');
      expectScope(t, 'tail', 'entity.name.function.declaration');
      expectNoScope(t, 'tail', 'meta.block.nodes');
      expectScope(t, 'Abs', 'entity.name.function.op');
      expectNoScope(t, 'Abs', 'meta.subgraph');
    });

    it('scopes a list of graphs', () => {
      const t = tokenise('g () => () {\n   y = Op <gs: graphs = [a () => (float p) { p = One () }, b () => (float q) { q = Two () }]> ()\n   z = Three ()\n}');
      expectScope(t, 'a', 'entity.name.function.subgraph');
      expectScope(t, 'b', 'entity.name.function.subgraph');
      expectScope(t, 'One', 'entity.name.function.op');
      expectScope(t, 'Two', 'entity.name.function.op');
      expectScope(t, ']', 'punctuation.section.brackets.end');
      expectScope(t, 'Three', 'entity.name.function.op');
    });

    it('does not read a type or a float spelling followed by ( as a graph', () => {
      const t = tokenise('g () => () {\n   y = Op <t = seq(float), f = nan> ()\n}');
      expectScope(t, 'seq', 'storage.type.constructor');
      expectNoScope(t, 'seq', 'entity.name.function.subgraph');
      expectScope(t, 'nan', 'constant.numeric.float.special');
    });
  });

  describe('recovery from half-typed text', () => {
    it('closes a main graph whose } is missing at the next function header', () => {
      const t = tokenise('g (float x) => (float y) {\n   y = Relu (x)\n<\n  domain: "local",\n  opset_import: ["" : 1]\n>\nFn (a) => (b) {\n   b = Neg (a)\n}');
      expectScope(t, 'domain', 'keyword.other.header');
      expectNoScope(t, 'domain', 'meta.declaration');
      expectScope(t, 'Fn', 'entity.name.function.declaration');
      expectScope(t, 'Neg', 'entity.name.function.op');
    });

    it('closes a graph at a column-0 signature when its } is missing', () => {
      const t = tokenise('g (float x) => (float y) {\n   y = Relu (x)\nFn (a) => (b) {\n   b = Neg (a)\n}');
      expectScope(t, 'Fn', 'entity.name.function.declaration');
      expectScope(t, 'Neg', 'entity.name.function.op');
    });

    it('closes an unclosed argument list or attribute list at the next node statement', () => {
      const t = tokenise('g () => () {\n   a = Relu (x\n   b = Conv <strides = [2, 2]\n   c = Neg (b)\n}');
      expectScope(t, 'Conv', 'entity.name.function.op');
      expectNoScope(t, 'Conv', 'meta.arguments');
      expectScope(t, 'Neg', 'entity.name.function.op');
      expectNoScope(t, 'Neg', 'meta.attributes');
      expectScope(t, '}', 'punctuation.section.block.end', { line: 4 });
      assert.equal(t.depths[4], 1, 'back at the top level after the closing brace');
    });

    it('does not let a shape with no ] swallow the next parameter', () => {
      const t = tokenise('g (float[N,3 x, float[N] y) => (float z) {}');
      expectNoScope(t, 'x', 'variable.other.dim');
      expectScope(t, 'float', 'storage.type.primitive', { nth: 1 });
      expectScope(t, 'y', 'variable.other.value');
      expectScope(t, '=>', 'keyword.operator.arrow');
    });

    it('closes a header whose > is missing at the graph signature', () => {
      const t = tokenise('<\n   ir_version: 8\nmain (float x) => (float y) {\n   y = Relu (x)\n}');
      expectScope(t, 'main', 'entity.name.function.declaration');
      expectScope(t, 'Relu', 'entity.name.function.op');
    });

    it('ends a subgraph that has no body yet at the end of its attribute value', () => {
      const t = tokenise('g () => () {\n   y = If (c) <then_branch = tg () => (float a), else_branch = eg () => (float b) { b = One () }>\n   z = Two ()\n}');
      expectScope(t, 'else_branch', 'variable.parameter.attribute');
      expectNoScope(t, 'else_branch', 'meta.subgraph');
      expectScope(t, 'One', 'entity.name.function.op');
      expectScope(t, 'Two', 'entity.name.function.op');
    });
  });

  describe('snapshots', () => {
    const names = fixtureNames();

    it('has fixtures, and no snapshot without a fixture', () => {
      assert.ok(names.length >= 4, 'at least four fixtures');
      const orphans = fs
        .readdirSync(FIXTURES)
        .filter((f) => f.endsWith('.snap'))
        .filter((f) => !names.includes(f.replace(/\.snap$/, '.onnxtxt')));
      assert.deepEqual(orphans, []);
    });

    for (const name of names) {
      it(`tokenises ${name} as recorded`, () => {
        const snapPath = path.join(FIXTURES, name.replace(/\.onnxtxt$/, '.snap'));
        const actual = renderSnapshot(tokenise(fs.readFileSync(path.join(FIXTURES, name), 'utf8')));
        if (UPDATE) {
          fs.writeFileSync(snapPath, actual);
          return;
        }
        if (!fs.existsSync(snapPath)) assert.fail(`no snapshot ${path.basename(snapPath)}: run with UPDATE_SNAPSHOTS=1, then read it`);
        const expected = fs.readFileSync(snapPath, 'utf8');
        assert.equal(actual, expected, `${name} tokenises differently from ${path.basename(snapPath)}; ${firstDifference(expected, actual)}`);
      });
    }

    it('together with the fixtures, exercises every scope the grammar can emit', () => {
      const seen = new Set<string>();
      for (const name of names) {
        for (const t of tokenise(fs.readFileSync(path.join(FIXTURES, name), 'utf8')).lines.flat()) t.scopes.forEach((s) => seen.add(s));
      }
      const unused = [...grammarScopeNames()].filter((s) => !seen.has(s)).sort();
      assert.deepEqual(unused, [], 'scopes no fixture produces');
    });
  });

  describe('a large rendered file', () => {
    it('tokenises 20,000 node lines and a few very long ones without the rule stack drifting', () => {
      const NODES = 20_000;
      // A mix of the shapes Ridgepoint renders: attributes, domains, quoted names, comments and a
      // one-line subgraph every so often, so any state leaking from one shape shows up on the next.
      const templates = [
        (i: number) => `   t${i} = Conv <dilations: ints = [1, 1], group: int = 1, kernel_shape: ints = [3, 3], pads: ints = [1, 1, 1, 1], strides: ints = [1, 1]> (t${i - 1}, "w.${i}")`,
        (i: number) => `   t${i} = com.microsoft.FusedMatMul <alpha: float = 0.125, transA: int = 0> (t${i - 1}, w${i})`,
        (i: number) => `   ["/blocks.${i}/Add"] "t${i}" = Add ("t${i - 1}", b${i})  # residual`,
        (i: number) => `   t${i} = If (c${i}) <then_branch: graph = g${i} () => (float[?] a) { a = Identity (t${i - 1}) }, else_branch: graph = h${i} () => (float[?] b) { b = Neg (t${i - 1}) }>`,
        (i: number) => `   t${i}, m${i} = LayerNormalization <axis: int = -1, epsilon: float = 1e-05, s: string = "a\\"b>"> (t${i - 1}, g, b)`,
      ];
      const opOf = ['Conv', 'FusedMatMul', 'Add', 'If', 'LayerNormalization'];
      const lines = [
        '<',
        '   ir_version: 8,',
        '   opset_import: ["" : 17, "com.microsoft" : 1]',
        '>',
        'main_graph (float[batch,3,224,224] t0) => (float[batch,1000] out)',
        '   <float[64,3,3,3] w1 = [...], int64[2] shape = {1, -1}>',
        '{',
      ];
      const first = lines.length;
      for (let i = 1; i <= NODES; i++) lines.push(templates[i % templates.length](i));
      // Then single lines long enough that anything quadratic in line length would take minutes:
      // regexes that backtrack into a long name, or re-scan a long string from each escaped quote.
      const LONG = 20_000;
      const hostile = [
        `   h1 = Op <a = ${'x'.repeat(LONG)}> (t20000)`,
        `   h2 = Op <s: string = "${'a\\"'.repeat(LONG / 2)}"> (h1)`,
        `   h3 = Op <s: string = "${'a\\"'.repeat(LONG / 2)}`,
        `   h4 = Constant <value: tensor = float[${LONG}] {${Array.from({ length: LONG }, (_, i) => `${i}.5`).join(', ')}}> ()`,
        `   h5 = Concat (${Array.from({ length: LONG / 10 }, (_, i) => `"/m.${i}/out"`).join(', ')})`,
      ];
      lines.push(...hostile);
      lines.push('   out = Identity (h5)', '}', 'Fn (a) => (b) {', '   b = Neg (a)', '}');
      const t = tokenise(lines.join('\n'));

      const bodyDepth = t.depths[first - 1];
      for (let i = 1; i <= NODES; i++) {
        const line = first + i - 1;
        // Every node line leaves the stack exactly where it found it...
        if (t.depths[line] !== bodyDepth) assert.fail(`rule stack depth ${t.depths[line]} after line ${line + 1}, expected ${bodyDepth}`);
        // ...and its op is scoped as an op (checked on every line: cheap, and it pins the first bad line).
        const op = find(t, opOf[i % templates.length], { line });
        if (!hasScope(op, 'entity.name.function.op')) assert.fail(`op on line ${line + 1} scoped ${op.scopes.join(' ')}`);
      }
      // The last lines of the graph, and the function after it, are tokenised as if they stood alone.
      const lineOf = (i: number) => first + i - 1;
      const lastOf = (k: number) => NODES - ((NODES - k + templates.length) % templates.length); // last i with i % 5 == k
      expectScope(t, 'dilations', 'variable.parameter.attribute', { line: lineOf(lastOf(0)) });
      expectScope(t, 'com', 'entity.name.namespace', { line: lineOf(lastOf(1)) });
      expectScope(t, `/blocks.${lastOf(2)}/Add`, 'entity.name.label.node', { line: lineOf(lastOf(2)) });
      expectScope(t, ' residual', 'comment.line.number-sign', { line: lineOf(lastOf(2)) });
      expectScope(t, `h${lastOf(3)}`, 'entity.name.function.subgraph', { line: lineOf(lastOf(3)) });
      expectScope(t, '\\"', 'constant.character.escape', { line: lineOf(lastOf(4)) });
      expectScope(t, 'epsilon', 'variable.parameter.attribute', { line: lineOf(lastOf(4)) });
      const h = lineOf(NODES) + 1; // first hostile line
      expectScope(t, 't20000', 'variable.other.value', { line: h });
      expectScope(t, 'h1', 'meta.arguments', { line: h + 1 });
      expectScope(t, '\\"', 'constant.character.escape', { line: h + 1, nth: LONG / 2 - 1 });
      expectScope(t, '>', 'punctuation.section.attributes.end', { line: h + 1 });
      expectScope(t, 'Constant', 'entity.name.function.op', { line: h + 3 }); // after the unterminated string
      expectScope(t, `${LONG - 1}.5`, 'constant.numeric.float', { line: h + 3 });
      expectScope(t, `/m.${LONG / 10 - 1}/out`, 'variable.other.value', { line: h + 4 });
      expectScope(t, 'Identity', 'entity.name.function.op', { line: h + hostile.length });
      expectScope(t, 'Fn', 'entity.name.function.declaration');
      expectScope(t, 'Neg', 'entity.name.function.op', { line: h + hostile.length + 3 });
      assert.equal(t.depths[t.depths.length - 1], 1, 'back at the top level at the end');
    });
  });
});
