/**
 * ONNX textual syntax: the printer's format (onnx/defs/printer.cc), the parser's grammar
 * (onnx/defs/parser.cc, docs/Syntax.md), quoting of hostile names, weight elision, layout ids, and the
 * parser's error recovery. Expected offsets are computed from the input text, never pasted.
 */
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { sym } from '../../server/src/analysis/ir/dim';
import { DataType } from '../../server/src/analysis/ir/dtype';
import { AttributeValue, FunctionDef, Graph, Model, Node, ValueInfo } from '../../server/src/analysis/ir/graph';
import { TensorInfo } from '../../server/src/analysis/ir/tensor';
import { typeToString, ValueType } from '../../server/src/analysis/ir/types';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { readModel } from '../../server/src/analysis/onnx/reader';
import { parseModelText } from '../../server/src/analysis/onnx/text/parser';
import { renderModel } from '../../server/src/analysis/onnx/text/printer';
import { modelProto, valueInfo as valueInfoProto } from '../../scripts/lib/onnx-writer';

// ---------------------------------------------------------------------------------------------
// IR builders

function tensorType(dtype: DataType, shape: Array<number | string | null> | null): ValueType {
  return { kind: 'tensor', dtype, shape: shape === null ? null : shape.map((d) => (typeof d === 'string' ? sym(d) : d)) };
}

function value(name: string, type: ValueType | null): ValueInfo {
  return { name, type };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, extra: Partial<Node> = {}): Node {
  return { name: '', opType, domain: '', overload: '', inputs, outputs, attributes: new Map(Object.entries(attributes)), docString: '', metadata: new Map(), ...extra };
}

function graph(name: string, nodes: Node[], inputs: ValueInfo[], outputs: ValueInfo[], extra: Partial<Graph> = {}): Graph {
  return { name, nodes, inputs, outputs, valueInfo: [], initializers: [], sparseInitializers: [], metadata: new Map(), ...extra };
}

function model(main: Graph, extra: Partial<Model> = {}): Model {
  return { irVersion: 8, opsets: new Map([['', 17]]), producerName: '', producerVersion: '', domain: '', modelVersion: 0, docString: '', graph: main, functions: [], metadata: new Map(), ...extra };
}

function int64s(name: string, values: number[], dims = [values.length]): TensorInfo {
  return { name, dtype: DataType.INT64, dims, data: { kind: 'numbers', values } };
}

const FLOAT = DataType.FLOAT;

/** Parses and asserts that there is no error or warning. */
function parseClean(text: string): Model {
  const parsed = parseModelText(text);
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity !== 'info'),
    [],
  );
  assert.ok(parsed.model);
  return parsed.model;
}

function errors(text: string): Array<{ offset: number | undefined; message: string }> {
  return parseModelText(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => ({ offset: d.location?.offset, message: d.message }));
}

// ---------------------------------------------------------------------------------------------

describe('ONNX text: printer', () => {
  const conv = model(
    graph(
      'main_graph',
      [
        node('Conv', ['X', 'W'], ['Y'], { kernel_shape: { type: 'ints', value: [3, 3] }, alpha: { type: 'float', value: 1 }, auto_pad: { type: 'string', value: 'NOTSET' } }, { name: 'conv0' }),
        node('Attention', ['Y'], ['Z'], { num_heads: { type: 'int', value: 12 } }, { domain: 'com.microsoft' }),
      ],
      [value('X', tensorType(FLOAT, ['N', 3, 224, 224])), value('W', tensorType(FLOAT, [8, 3, 3, 3]))],
      [value('Z', tensorType(FLOAT, ['N', null, 222, 222]))],
      { initializers: [int64s('shape', [1, -1])] },
    ),
    { opsets: new Map([['', 17], ['com.microsoft', 1]]), producerName: 'pytorch' },
  );

  it("prints onnx.printer's layout: header, signature, initializer list, one node per line", () => {
    const { text } = renderModel(conv);
    const expected = [
      '<',
      '   ir_version: 8,',
      '   opset_import: ["" : 17, "com.microsoft" : 1],',
      '   producer_name: "pytorch"',
      '>',
      'main_graph (float[N,3,224,224] X, float[8,3,3,3] W) => (float[N,?,222,222] Z)',
      '   <int64[2] shape = {1, -1}>',
      '{',
      '   [conv0] Y = Conv <kernel_shape = [3, 3], alpha = 1.0, auto_pad = "NOTSET"> (X, W)',
      '   Z = com.microsoft.Attention <num_heads = 12> (Y)',
      '}',
      '',
    ].join('\n');
    assert.equal(text, expected);
  });

  it('records each statement and op span under the engine id', () => {
    const { text, layout } = renderModel(conv);
    assert.deepEqual(
      layout.nodes.map((n) => [n.id, text.slice(n.statement.start, n.statement.end), text.slice(n.op.start, n.op.end)]),
      [
        ['n0', '[conv0] Y = Conv <kernel_shape = [3, 3], alpha = 1.0, auto_pad = "NOTSET"> (X, W)', 'Conv'],
        ['n1', 'Z = com.microsoft.Attention <num_heads = 12> (Y)', 'com.microsoft.Attention'],
      ],
    );
    const main = layout.graphs[0];
    assert.ok(main);
    assert.equal(main.kind, 'main');
    assert.equal(main.path, '');
    assert.equal(text.slice(main.header.start, main.header.end), 'main_graph (float[N,3,224,224] X, float[8,3,3,3] W) => (float[N,?,222,222] Z)');
    assert.equal(text.slice(main.whole.start, main.whole.end).at(-1), '}');
  });

  it('prints subgraphs inline, nested and indented, after the inputs; ids follow the attribute names', () => {
    const branch = (name: string, op: string): Graph => graph(name, [node(op, ['x'], ['r'])], [], [value('r', tensorType(FLOAT, [2]))]);
    const loopBody = graph('body', [node('Identity', ['c'], ['c_out'])], [value('i', tensorType(DataType.INT64, [])), value('c', tensorType(DataType.BOOL, []))], [value('c_out', tensorType(DataType.BOOL, []))]);
    const m = model(
      graph(
        'g',
        [
          node('If', ['cond'], ['y'], { then_branch: { type: 'graph', value: branch('then_g', 'Relu') }, else_branch: { type: 'graph', value: branch('else_g', 'Neg') } }),
          node('Loop', ['', 'cond'], ['c_final'], { body: { type: 'graph', value: loopBody } }),
          node('Custom', ['x'], ['z'], { branches: { type: 'graphs', value: [branch('b0', 'Abs'), branch('b1', 'Exp')] } }, { domain: 'my.ops' }),
        ],
        [value('x', tensorType(FLOAT, [2])), value('cond', tensorType(DataType.BOOL, []))],
        [value('y', tensorType(FLOAT, [2]))],
      ),
    );
    const { text, layout } = renderModel(m);
    assert.ok(text.includes(['   y = If (cond) <then_branch = then_g () => (float[2] r) {', '      r = Relu (x)', '   }, else_branch = else_g () => (float[2] r) {', '      r = Neg (x)', '   }>'].join('\n')), text);
    assert.ok(text.includes('c_final = Loop ("", cond) <body = body (int64 i, bool c) => (bool c_out) {'), text);
    assert.deepEqual(
      layout.nodes.map((n) => n.id),
      ['n0', 'n0/then_branch/n0', 'n0/else_branch/n0', 'n1', 'n1/body/n0', 'n2', 'n2/branches/0/n0', 'n2/branches/1/n0'],
    );
    assert.deepEqual(
      layout.graphs.map((g) => `${g.kind}:${g.path}`),
      ['main:', 'subgraph:n0/then_branch', 'subgraph:n0/else_branch', 'subgraph:n1/body', 'subgraph:n2/branches/0', 'subgraph:n2/branches/1'],
    );
    // The engine gives the same ids to what it analyses (it folds nothing here, so both If branches run).
    const analysis = analyzeText(text);
    const layoutIds = new Set(layout.nodes.map((n) => n.id));
    for (const record of analysis.inference?.nodes ?? []) assert.ok(layoutIds.has(record.id), record.id);
    assert.deepEqual(renderModel(parseClean(text)).text, text);
  });

  it('prints functions after the graph, with attribute defaults and references; body ids are fn:<domain>::<name>/n<i>', () => {
    const fn: FunctionDef = {
      name: 'MyFn',
      domain: 'custom',
      overload: '',
      inputs: ['x'],
      outputs: ['y'],
      attributes: ['alpha', 'beta'],
      attributeDefaults: new Map([['beta', { type: 'float', value: 0.5 }]]),
      nodes: [node('Constant', [], ['a'], { value_float: { type: 'ref', value: 'alpha' } }), node('Mul', ['x', 'a'], ['y'])],
      opsets: new Map([['', 17]]),
      valueInfo: [],
    };
    const m = model(graph('g', [node('MyFn', ['x'], ['y'], { alpha: { type: 'float', value: 2 } }, { domain: 'custom' })], [value('x', tensorType(FLOAT, ['N']))], [value('y', tensorType(FLOAT, ['N']))]), {
      functions: [fn],
      opsets: new Map([['', 17], ['custom', 1]]),
    });
    const { text, layout } = renderModel(m);
    assert.ok(text.endsWith(['}', '', '<', '   domain: "custom",', '   opset_import: ["" : 17]', '>', 'MyFn <alpha, beta = 0.5> (x) => (y)', '{', '   a = Constant <value_float = @alpha> ()', '   y = Mul (x, a)', '}', ''].join('\n')), text);
    assert.deepEqual(
      layout.nodes.map((n) => n.id),
      ['n0', 'fn:custom::MyFn/n0', 'fn:custom::MyFn/n1'],
    );
    assert.deepEqual(
      layout.graphs.map((g) => [g.kind, g.path, g.name]),
      [
        ['main', '', 'g'],
        ['function', 'fn:custom::MyFn', 'MyFn'],
      ],
    );
    const parsed = parseClean(text);
    const back = parsed.functions[0];
    assert.ok(back);
    assert.deepEqual([back.name, back.domain, back.attributes, [...back.attributeDefaults]], ['MyFn', 'custom', ['alpha', 'beta'], [['beta', { type: 'float', value: 0.5 }]]]);
    assert.deepEqual(back.nodes[0]?.attributes.get('value_float'), { type: 'ref', value: 'alpha' });
    // The function expands at the call with alpha = 2: y keeps x's shape.
    const analysis = analyzeText(text);
    assert.equal(typeToString(analysis.inference?.graphOutputs[0]?.type), 'float[N]');
  });

  it('prints symbolic dims as names, unknown dims as ?, unknown rank as [], scalars bare, other types by constructor', () => {
    const types: Array<[ValueType, string]> = [
      [tensorType(FLOAT, ['batch', null, 3]), 'float[batch,?,3]'],
      [tensorType(FLOAT, null), 'float[]'],
      [tensorType(DataType.INT64, []), 'int64'],
      [tensorType(FLOAT, ['p2o.DynamicDimension.0']), 'float["p2o.DynamicDimension.0"]'],
      [{ kind: 'sequence', elem: tensorType(DataType.FLOAT16, [2]) }, 'seq(float16[2])'],
      [{ kind: 'optional', elem: tensorType(DataType.BOOL, []) }, 'optional(bool)'],
      [{ kind: 'map', keyType: DataType.INT64, valueType: tensorType(FLOAT, []) }, 'map(int64, float)'],
      [{ kind: 'tensor', dtype: FLOAT, shape: [4], sparse: true }, 'sparse_tensor(float[4])'],
    ];
    for (const [type, spelled] of types) {
      const m = model(graph('g', [], [value('x', type)], [value('x', type)]));
      const { text } = renderModel(m);
      assert.ok(text.includes(`g (${spelled} x) => (${spelled} x)`), text);
      const back = parseClean(text).graph.inputs[0]?.type ?? null;
      assert.equal(typeToString(back), typeToString(type));
    }
  });

  it('formats numbers so that they read back exactly', () => {
    const m = model(
      graph('g', [node('Op', [], ['y'], { f1: { type: 'float', value: 1 }, f2: { type: 'float', value: Math.fround(0.1) }, f3: { type: 'float', value: Math.fround(1e-7) }, f4: { type: 'floats', value: [1, -0.5] }, big: { type: 'int', value: 2 ** 63 }, empty: { type: 'ints', value: [] }, not_a_number: { type: 'float', value: NaN }, minus_inf: { type: 'float', value: -Infinity } })], [], [value('y', null)]),
    );
    const { text } = renderModel(m);
    assert.ok(text.includes('<f1 = 1.0, f2 = 0.1, f3 = 1e-7, f4 = [1.0, -0.5], big = 9223372036854775807, empty: ints = [], not_a_number = nan, minus_inf = -inf>'), text);
    const attrs = parseClean(text).graph.nodes[0]?.attributes;
    assert.deepEqual(attrs?.get('f2'), { type: 'float', value: Math.fround(0.1) });
    assert.deepEqual(attrs?.get('f3'), { type: 'float', value: Math.fround(1e-7) });
    assert.deepEqual(attrs?.get('f4'), { type: 'floats', value: [1, -0.5] });
    assert.deepEqual(attrs?.get('empty'), { type: 'ints', value: [] });
    assert.ok(Number.isNaN(attrs?.get('not_a_number')?.value));
  });
});

describe('ONNX text: weights', () => {
  function readBinary(spec: Parameters<typeof modelProto>[0]): Model {
    const read = readModel(bytesSource(modelProto(spec).toBytes()));
    assert.ok(read.model);
    return read.model;
  }

  const weighted = readBinary({
    irVersion: 8,
    opsets: { '': 17 },
    graph: {
      name: 'g',
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] },
        { op: 'Reshape', inputs: ['m', 'shape'], outputs: ['y'] },
      ],
      inputs: [valueInfoProto('x', 1, ['batch', 256])],
      outputs: [valueInfoProto('y', 1, null)],
      initializers: [
        { name: 'w', dtype: 1, dims: [256, 512], rawZeros: 256 * 512 * 4 },
        { name: 'ext', dtype: 1, dims: [1024], external: { location: 'weights.bin', offset: 4096, length: 4096 } },
        { name: 'shape', dtype: 7, dims: [3], raw: new Uint8Array(new BigInt64Array([0n, -1n, 8n]).buffer) },
        { name: 'half', dtype: 10, dims: [2], raw: new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer) },
      ],
    },
  });

  it('elides payloads left in the file, keeps external references, inlines small values', () => {
    const { text } = renderModel(weighted);
    assert.ok(text.includes('<float[256,512] w = ["elided": "524288 bytes"],'), text);
    assert.ok(text.includes('float[1024] ext = ["location": "weights.bin", "offset": "4096", "length": "4096"],'), text);
    assert.ok(text.includes('int64[3] shape = {0, -1, 8},'), text);
    // float16 prints its bit pattern, as onnx.printer does.
    assert.ok(text.includes('float16[2] half = {15360, 49152}>'), text);
  });

  it('reads elided tensors back as dtype and dims with no data, external ones as external data', () => {
    const parsed = parseClean(renderModel(weighted).text);
    const byName = new Map(parsed.graph.initializers.map((t) => [t.name, t]));
    assert.deepEqual(byName.get('w'), { name: 'w', dtype: FLOAT, dims: [256, 512], data: { kind: 'empty' } });
    assert.deepEqual(byName.get('ext')?.data, { kind: 'external', location: 'weights.bin', offset: 4096, length: 4096 });
    assert.deepEqual(byName.get('shape')?.data, { kind: 'numbers', values: [0, -1, 8] });
  });

  it('keeps shape folding working through the text: Reshape reads the inlined shape constant', () => {
    const analysis = analyzeText(renderModel(weighted).text, { trustDeclaredShapes: false });
    assert.equal(typeToString(analysis.inference?.graphOutputs[0]?.type), 'float[batch,64,8]');
  });

  it('honours maxInlineElements', () => {
    assert.ok(renderModel(weighted, { maxInlineElements: 2 }).text.includes('int64[3] shape = ["elided": "24 bytes"]'));
    assert.ok(renderModel(weighted, { maxInlineElements: 0 }).text.includes('float16[2] half = ["elided": "4 bytes"]'));
  });

  it('elides a large Constant value with `=` so that onnx.parser reads it as a tensor', () => {
    const big: TensorInfo = { name: '', dtype: FLOAT, dims: [100], data: { kind: 'range', offset: 10, length: 400 } };
    const m = model(graph('g', [node('Constant', [], ['c'], { value: { type: 'tensor', value: big } })], [], [value('c', null)]));
    const { text } = renderModel(m);
    assert.ok(text.includes('c = Constant <value = float[100] = ["elided": "400 bytes"]> ()'), text);
    const analysis = analyzeText(text);
    assert.equal(typeToString(analysis.inference?.graphOutputs[0]?.type), 'float[100]');
  });
});

describe('ONNX text: names', () => {
  const hostile = ['<img src=x onerror=alert(1)>', 'line\nbreak', 'q"uote', 'back\\slash', 'float', 'nan', 'seq', 'a.b:c', '', ' spaced ', '\u2028sep', 'emoji 🙂'];

  it('quotes names that are not identifiers (or read as keywords) and round-trips them exactly', () => {
    for (const name of hostile) {
      const n = node('Relu', [name], [`${name}_out`], { [`${name}attr`]: { type: 'string', value: name } }, { name });
      const m = model(graph(name, [n], [value(name, tensorType(FLOAT, [name === '' ? 'd' : name]))], [value(`${name}_out`, null)]), { producerName: name, metadata: new Map([[name, name]]) });
      const { text } = renderModel(m);
      const back = parseClean(text);
      const bn = back.graph.nodes[0];
      assert.ok(bn, JSON.stringify(name));
      assert.deepEqual([back.graph.name, bn.name, bn.inputs, bn.outputs, [...bn.attributes], back.producerName, [...back.metadata]], [name, name, [name], [`${name}_out`], [[`${name}attr`, { type: 'string', value: name }]], name, [[name, name]]], JSON.stringify(name));
      assert.equal(renderModel(back).text, text, JSON.stringify(name));
    }
  });

  it('writes the HTML-looking name as a quoted string, escaping only backslash and quote (as onnx.printer)', () => {
    const m = model(graph('g', [node('Relu', ['<img src=x onerror=alert(1)>'], ['say "hi"\\'])], [], []));
    assert.ok(renderModel(m).text.includes('"say \\"hi\\"\\\\" = Relu ("<img src=x onerror=alert(1)>")'));
  });

  it('quotes op types and domains that are not dotted identifiers', () => {
    const m = model(graph('g', [node('my op', ['x'], ['y'], {}, { domain: 'org-1.ops' }), node('Op', ['y'], ['z'], {}, { domain: 'a.b', overload: 'v-2' })], [], []));
    const { text, layout } = renderModel(m);
    assert.ok(text.includes('y = "org-1.ops"."my op" (x)'), text);
    assert.ok(text.includes('z = a.b.Op:"v-2" (y)'), text);
    const back = parseClean(text).graph.nodes;
    assert.deepEqual(
      back.map((n) => [n.domain, n.opType, n.overload]),
      [
        ['org-1.ops', 'my op', ''],
        ['a.b', 'Op', 'v-2'],
      ],
    );
    assert.equal(text.slice(layout.nodes[0]?.op.start, layout.nodes[0]?.op.end), '"org-1.ops"."my op"');
  });
});

describe('ONNX text: parser', () => {
  it("reads docs/Syntax.md's example and infers through it", () => {
    const text = `<
  ir_version: 7,
  opset_import: [ "" : 10 ]
>
agraph (float[N, 128] X, float[128, 10] W, float[10] B) => (float[N, 10] C)
{
    T = MatMul(X, W)
    S = Add(T, B)
    C = Softmax(S)
}`;
    const m = parseClean(text);
    assert.equal(m.irVersion, 7);
    assert.deepEqual([...m.opsets], [['', 10]]);
    assert.deepEqual(
      m.graph.nodes.map((n) => n.opType),
      ['MatMul', 'Add', 'Softmax'],
    );
    const analysis = analyzeText(text, { trustDeclaredShapes: false });
    assert.deepEqual(analysis.diagnostics, []);
    assert.equal(typeToString(analysis.inference?.graphOutputs[0]?.type), 'float[N,10]');
    assert.deepEqual(
      analysis.layout.nodes.map((n) => [n.id, text.slice(n.statement.start, n.statement.end)]),
      [
        ['n0', 'T = MatMul(X, W)'],
        ['n1', 'S = Add(T, B)'],
        ['n2', 'C = Softmax(S)'],
      ],
    );
  });

  it('accepts a bare graph (assuming a recent opset), comments, typed attributes and attributes after inputs', () => {
    const text = `# a comment line
g (float[2,3] x, int64[2] shape = {3, 2}) => (y) {   # trailing comment
  [first] t = Transpose <perm: ints = [1, 0]> (x)
  y = Reshape (t, shape) <allowzero: int = 0>
}`;
    const parsed = parseModelText(text);
    assert.deepEqual(
      parsed.diagnostics.map((d) => [d.severity, d.code]),
      [['info', 'text.default-opset']],
    );
    const m = parsed.model;
    assert.ok(m);
    assert.equal(m.graph.nodes[0]?.name, 'first');
    assert.deepEqual(m.graph.nodes[0]?.attributes.get('perm'), { type: 'ints', value: [1, 0] });
    assert.deepEqual(m.graph.nodes[1]?.attributes.get('allowzero'), { type: 'int', value: 0 });
    // The input with a value is both a graph input and an initializer, as in onnx.parser.
    assert.deepEqual(
      m.graph.inputs.map((i) => i.name),
      ['x', 'shape'],
    );
    assert.deepEqual(m.graph.initializers[0], { name: 'shape', dtype: DataType.INT64, dims: [2], data: { kind: 'numbers', values: [3, 2] } });
    assert.equal(typeToString(analyzeText(text).inference?.graphOutputs[0]?.type), 'float[3,2]');
  });

  it('reads empty inputs the way onnx.parser does', () => {
    const m = parseClean('g (x) => (y) {\n a = Op (, x)\n b = Op (x, )\n c = Op ("")\n d, , e = Op ()\n}');
    assert.deepEqual(
      m.graph.nodes.map((n) => [n.inputs, n.outputs]),
      [
        [['', 'x'], ['a']],
        [['x'], ['b']],
        [[''], ['c']],
        [[], ['d', '', 'e']],
      ],
    );
  });

  it('reads value infos and initializers in the <...> list, tensors, types and lists as attribute values', () => {
    const text = `g (float[N] x) => (float[N] y)
   <float[2] w = {1.5, 2}, float[N] mid, string[2] names = {"a", "b"}>
{
  c = Constant <value = int64[2] {4, 5}> ()
  d = Constant <value: tensor = float c2 = {0.25}> ()
  e = Op <types = [float, seq(int64)], t = float16[2], ts = [int64 {1}, int64 {2}], s = ["x", "y"]> (x)
  y = Identity (x)
}`;
    const m = parseClean(text);
    assert.deepEqual(
      m.graph.valueInfo.map((v) => [v.name, typeToString(v.type)]),
      [['mid', 'float[N]']],
    );
    assert.deepEqual(
      m.graph.initializers.map((t) => [t.name, t.data]),
      [
        ['w', { kind: 'numbers', values: [1.5, 2] }],
        ['names', { kind: 'strings', values: ['a', 'b'] }],
      ],
    );
    const attrs = (i: number): ReadonlyMap<string, AttributeValue> => m.graph.nodes[i]?.attributes ?? new Map();
    assert.deepEqual(attrs(0).get('value'), { type: 'tensor', value: { name: '', dtype: DataType.INT64, dims: [2], data: { kind: 'numbers', values: [4, 5] } } });
    assert.deepEqual(attrs(1).get('value'), { type: 'tensor', value: { name: 'c2', dtype: FLOAT, dims: [], data: { kind: 'numbers', values: [0.25] } } });
    const types = attrs(2).get('types');
    assert.equal(types?.type, 'typeProtos');
    // typeToString spells a scalar `float[]` (rank 0).
    assert.deepEqual(types.value.map(typeToString), ['float[]', 'seq(int64[])']);
    assert.equal(attrs(2).get('t')?.type, 'typeProto');
    assert.equal(attrs(2).get('ts')?.type, 'tensors');
    assert.deepEqual(attrs(2).get('s'), { type: 'strings', value: ['x', 'y'] });
  });

  it('never throws on empty, blank or garbage input', () => {
    for (const text of ['', '   \n\t', '# only a comment', '%%%', '\u0000\u0001\uffff', '<', '<ir_version: 8', 'g (', 'g () => () {', '}}}}', '"', '\ud800', 'g (float[']) {
      const parsed = parseModelText(text);
      assert.ok(parsed.diagnostics.some((d) => d.severity === 'error'), JSON.stringify(text));
      assert.ok(
        parsed.diagnostics.every((d) => d.code !== 'internal'),
        JSON.stringify(text),
      );
      const analysis = analyzeText(text);
      assert.ok(analysis.diagnostics.length > 0);
    }
    const empty = parseModelText('');
    assert.equal(empty.model, null);
    assert.deepEqual(empty.diagnostics[0]?.location, { offset: 0 });
    assert.match(empty.diagnostics[0]?.message ?? '', /expected a graph .*found the end of the text/);
  });

  it('survives random token soup without an internal error', () => {
    const pieces = ['g', '(', ')', '[', ']', '{', '}', '<', '>', ',', '=', '=>', ':', '.', '@', '?', '"s"', '1', '-2.5', 'float', 'seq', 'x', '\n', ' ', '#c\n', 'If', 'nan'];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      let text = 'g (float[N] x) => (float[N] y) {\n';
      for (let i = 0; i < 40; i++) text += pieces[random(pieces.length)];
      const parsed = parseModelText(text);
      assert.ok(
        parsed.diagnostics.every((d) => d.code !== 'internal'),
        text,
      );
      for (const d of parsed.diagnostics) assert.ok((d.location?.offset ?? 0) <= text.length);
    }
  });
});

describe('ONNX text: error recovery', () => {
  it('reports a missing parenthesis at the next statement and parses that statement', () => {
    const text = 'g (float[4] x) => (float[4] z) {\n  y = Relu (x\n  z = Neg (x)\n}';
    const analysis = analyzeText(text);
    const errs = errors(text);
    assert.deepEqual(errs, [{ offset: text.indexOf('z = Neg'), message: "expected ')' to close the node inputs, found 'z'" }]);
    assert.deepEqual(
      analysis.model?.graph.nodes.map((n) => n.opType),
      ['Neg'],
    );
    assert.deepEqual(
      analysis.layout.nodes.map((n) => [n.id, text.slice(n.statement.start, n.statement.end)]),
      [['n0', 'z = Neg (x)']],
    );
    assert.equal(typeToString(analysis.inference?.graphOutputs[0]?.type), 'float[4]');
  });

  it('recovers from several broken lines, an unclosed tensor literal and a bad character, reporting each where found', () => {
    const text = ['g (float[2] x) => (float[2] e) {', '  a = Foo <k = > (x)', '  b = Bar <t = float[2] {1, 2> (x)', '  c = Relu (x) %', '  d = = Relu (x)', '  e = Neg (x)', '}'].join('\n');
    const errs = errors(text);
    assert.deepEqual(errs, [
      { offset: text.indexOf('> (x)'), message: "expected an attribute value (a number, a string, a tensor, a type, a graph or @name), found '>'" },
      { offset: text.indexOf('> (x)', text.indexOf('{1, 2')), message: "expected '}' to close the tensor's values, found '>'" },
      { offset: text.indexOf('%'), message: "expected a value name, ',' or '=', found the unexpected character '%'" },
      { offset: text.indexOf('= Relu (x)', text.indexOf('d = ') + 2), message: "expected an op type, found '='" },
    ]);
    const m = parseModelText(text).model;
    assert.deepEqual(
      m?.graph.nodes.map((n) => n.outputs[0]),
      ['c', 'e'],
    );
  });

  it('skips a broken statement that opens a subgraph, as a whole', () => {
    const text = ['g (float[2] x) => (float[2] y) {', '  y = If (c) <then_branch = t (  => (float[2] r) {', '     r = Relu (x)', '  }, else_branch = e () => (float[2] r) {', '     r = Neg (x)', '  }>', '  z = Abs (x)', '}'].join('\n');
    const parsed = parseModelText(text);
    assert.deepEqual(
      parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.location?.offset),
      [text.indexOf('=> (float[2] r) {')],
    );
    assert.deepEqual(
      parsed.layout.nodes.map((n) => n.id),
      ['n0'],
    );
    assert.deepEqual(
      parsed.model?.graph.nodes.map((n) => n.opType),
      ['Abs'],
    );
  });

  it('recovers inside a subgraph without losing the enclosing statement', () => {
    const text = ['g (float[2] x, bool c) => (float[2] y) {', '  y = If (c) <then_branch = t () => (float[2] r) {', '     r = Relu (x', '     q = Abs (x)', '  }, else_branch = e () => (float[2] r) {', '     r = Neg (x)', '  }>', '}'].join('\n');
    const parsed = parseModelText(text);
    assert.deepEqual(
      parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.location?.offset),
      [text.indexOf('q = Abs')],
    );
    assert.deepEqual(
      parsed.layout.nodes.map((n) => n.id),
      ['n0', 'n0/then_branch/n0', 'n0/else_branch/n0'],
    );
  });

  it('reads the rest of a graph whose signature is broken, and per-element errors in lists', () => {
    const text = 'g (float[2] x, float[ y) => (float[2] z) {\n  z = Neg (x)\n}';
    const parsed = parseModelText(text);
    assert.deepEqual(
      parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.location?.offset, d.message]),
      [[text.indexOf('y)') + 1, "expected ']' to close the shape, found ')'"]],
    );
    assert.deepEqual(
      parsed.model?.graph.inputs.map((i) => i.name),
      ['x'],
    );
    assert.deepEqual(
      parsed.model?.graph.nodes.map((n) => n.opType),
      ['Neg'],
    );
    const header = '<ir_version: "x", opset_import: ["" : 13]>\ng (float[2] x) => (float[2] z) {\n  z = Neg (x)\n}';
    const fromHeader = parseModelText(header);
    assert.deepEqual(
      fromHeader.diagnostics.map((d) => [d.location?.offset, d.message]),
      [[header.indexOf('"x"'), 'expected an integer for ir_version, found the string "x"']],
    );
    assert.deepEqual([...(fromHeader.model?.opsets ?? [])], [['', 13]]);
  });

  it('reports a missing closing brace at the end of the text, and an unterminated string at its quote', () => {
    const text = 'g (float[2] x) => (float[2] z) {\n  z = Neg ("x)\n';
    assert.deepEqual(
      errors(text).map((e) => e.offset),
      [text.indexOf('"x)'), text.length, text.length],
    );
  });

  it('offsets are UTF-16 offsets', () => {
    const text = 'g (float[2] x) => (float[2] z) {\n  "🙂🙂" = Neg (x\n  z = Neg (x)\n}';
    assert.deepEqual(
      errors(text).map((e) => e.offset),
      [text.indexOf('z = Neg')],
    );
  });
});

describe('ONNX text: nesting limits', () => {
  it('does not overflow the stack on deeply nested graphs: reports the depth and parses what follows', () => {
    const depth = 5000;
    let text = 'g (bool c) => (float[1] y) {\n';
    for (let i = 0; i < depth; i++) text += `r${i} = If (c) <then_branch = t${i} () => (r${i + 1}) {\n`;
    for (let i = depth - 1; i >= 0; i--) text += `}, else_branch = e${i} () => (r${i + 1}) {\n}>\n`;
    text += 'y = Constant <value = float[1] {1}> ()\n}';
    const parsed = parseModelText(text);
    assert.deepEqual([...new Set(parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))], ['text.too-deep']);
    assert.ok(parsed.model);
    assert.deepEqual(
      parsed.model.graph.nodes.map((n) => n.opType),
      ['If', 'Constant'],
    );
    const analysis = analyzeText(text);
    assert.equal(typeToString(analysis.inference?.graphOutputs[0]?.type), 'float[1]');
  });

  it('does not overflow the stack on deeply nested types', () => {
    const text = `g (${'seq('.repeat(20000)}float${')'.repeat(20000)} x, float[2] w) => (float[2] y) {\n y = Neg (w)\n}`;
    const parsed = parseModelText(text);
    assert.deepEqual(
      parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
      ['text.too-deep'],
    );
    assert.deepEqual(
      parsed.model?.graph.inputs.map((i) => i.name),
      ['w'],
    );
  });
});
