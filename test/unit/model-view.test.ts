/**
 * The readable model view (server/src/analysis/onnx/view): op first, names short within their module,
 * nodes grouped by module scope, shape-only ops and initializers under folded summary lines, and the
 * layout contract every rendering keeps (each node id has a span whose op token is its op type).
 * Expected texts are written out by hand from the rules in the printer's doc comment.
 */
import * as assert from 'node:assert/strict';
import { sym } from '../../server/src/analysis/ir/dim';
import { DataType } from '../../server/src/analysis/ir/dtype';
import { AttributeValue, FunctionDef, Graph, Model, Node, ValueInfo } from '../../server/src/analysis/ir/graph';
import { TensorInfo } from '../../server/src/analysis/ir/tensor';
import { ValueType } from '../../server/src/analysis/ir/types';
import { nameScopeOf, shortNames, shortValueName } from '../../server/src/analysis/onnx/view/names';
import { renderModelView, RenderedView } from '../../server/src/analysis/onnx/view/printer';
import { foldedNodes } from '../../server/src/analysis/onnx/view/shape-ops';

function tensorType(dtype: DataType, shape: Array<number | string>): ValueType {
  return { kind: 'tensor', dtype, shape: shape.map((d) => (typeof d === 'string' ? sym(d) : d)) };
}

function value(name: string, type: ValueType | null): ValueInfo {
  return { name, type };
}

function node(name: string, opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, extra: Partial<Node> = {}): Node {
  return { name, opType, domain: '', overload: '', inputs, outputs, attributes: new Map(Object.entries(attributes)), docString: '', metadata: new Map(), ...extra };
}

function graph(name: string, nodes: Node[], inputs: ValueInfo[], outputs: ValueInfo[], extra: Partial<Graph> = {}): Graph {
  return { name, nodes, inputs, outputs, valueInfo: [], initializers: [], sparseInitializers: [], metadata: new Map(), ...extra };
}

function model(main: Graph, extra: Partial<Model> = {}): Model {
  return { irVersion: 8, opsets: new Map([['', 17]]), producerName: 'pytorch', producerVersion: '1.13.0', domain: '', modelVersion: 0, docString: '', graph: main, functions: [], metadata: new Map(), ...extra };
}

function tensor(name: string, dtype: DataType, dims: number[]): TensorInfo {
  return { name, dtype, dims, data: { kind: 'numbers', values: new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(0) } };
}

const FLOAT = DataType.FLOAT;
const INT64 = DataType.INT64;

/** Every node id has one span; its statement is one line and its op token reads the op type. */
function assertSpans(view: RenderedView, expected: ReadonlyMap<string, string>): void {
  const ids = view.layout.nodes.map((n) => n.id);
  assert.deepEqual([...ids].sort(), [...expected.keys()].sort(), 'one span per node id');
  for (const span of view.layout.nodes) {
    assert.equal(view.text.slice(span.op.start, span.op.end), expected.get(span.id), `op token of ${span.id}`);
    assert.ok(!view.text.slice(span.statement.start, span.statement.end).includes('\n'), `${span.id}: the statement is its line`);
    assert.ok(span.statement.start <= span.op.start && span.op.end <= span.statement.end);
  }
}

/** The line (0-based) holding an offset. */
function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length - 1;
}

describe('model view: names short within their module', () => {
  const attention = nameScopeOf('/encoder/layers/encoder_layer_0/self_attention/Gather_6');

  it('reads the scope from a node name, with the dotted module path of its weights', () => {
    assert.deepEqual(attention, { slashPrefix: '/encoder/layers/encoder_layer_0/self_attention/', dottedPath: 'encoder.layers.encoder_layer_0.self_attention' });
    // torch repeats a container's path in its children: /layer1/layer1.0/conv1 is module layer1.0.conv1.
    assert.equal(nameScopeOf('/layer1/layer1.0/conv1/Conv').dottedPath, 'layer1.0.conv1');
    assert.deepEqual(nameScopeOf('Conv_12'), { slashPrefix: '', dottedPath: '' });
  });

  it('drops the scope and the _output_0 of local values, and names the module of any other', () => {
    assert.equal(shortValueName('/encoder/layers/encoder_layer_0/self_attention/Gather_6_output_0', attention), 'Gather_6');
    assert.equal(shortValueName('/encoder/layers/encoder_layer_0/self_attention/Split_output_2', attention), 'Split:2');
    // An enclosing module's value keeps that module's name, so it never reads as a local one.
    assert.equal(shortValueName('/encoder/Add_output_0', attention), 'encoder/Add');
    assert.equal(shortValueName('/Concat_output_0', attention), '/Concat');
    // Another branch: the path from the common ancestor.
    assert.equal(shortValueName('/encoder/layers/encoder_layer_0/ln_1/LayerNormalization_output_0', attention), 'ln_1/LayerNormalization');
    // Weights lose the module path; other names print as they are.
    assert.equal(shortValueName('encoder.layers.encoder_layer_0.self_attention.in_proj_bias', attention), 'in_proj_bias');
    assert.equal(shortValueName('onnx::MatMul_1364', attention), 'onnx::MatMul_1364');
    assert.equal(shortValueName('input', attention), 'input');
  });

  it('reads tf2onnx names (no leading slash) the same way', () => {
    const conv = nameScopeOf('StatefulPartitionedCall/model/conv2d/Conv2D');
    assert.equal(shortValueName('StatefulPartitionedCall/model/conv2d/BiasAdd:0', conv), 'BiasAdd:0');
    assert.equal(shortValueName('StatefulPartitionedCall/model/dense/MatMul:0', conv), 'dense/MatMul:0');
    assert.equal(shortValueName('input_1', conv), 'input_1');
  });

  it('shortens container children as scope labels do (layer1 › 0)', () => {
    const conv2 = nameScopeOf('/layer1/layer1.1/conv2/Conv');
    assert.equal(shortValueName('/layer1/layer1.0/relu_2/Relu_output_0', conv2), '0/relu_2/Relu');
    assert.equal(shortValueName('/layer1/layer1.1/Add_output_0', nameScopeOf('/layer1/layer1.1/relu_2/Relu')), '1/Add');
  });

  it('prints both names in full where two values would print alike', () => {
    const scope = nameScopeOf('/block/MatMul');
    const names = shortNames(['/block/Add_output_0', 'block.Add', '/block/Mul_output_0'], scope);
    assert.equal(names.get('/block/Add_output_0'), '/block/Add_output_0');
    assert.equal(names.get('block.Add'), 'block.Add');
    assert.equal(names.get('/block/Mul_output_0'), 'Mul');
  });
});

describe('model view: shape-only ops', () => {
  it('folds Shape/Constant chains and what computes only on them, never data ops', () => {
    const g = graph(
      'g',
      [
        node('/Shape', 'Shape', ['x'], ['s']),
        node('/Constant', 'Constant', [], ['i'], { value: { type: 'tensor', value: tensor('', INT64, [1]) } }),
        node('/Gather', 'Gather', ['s', 'i'], ['g']),
        node('/Concat', 'Concat', ['g', 'axes'], ['shape'], { axis: { type: 'int', value: 0 } }),
        // Data in, so not shape-only, though its second input is.
        node('/Reshape', 'Reshape', ['x', 'shape'], ['r']),
        // A large constant is data.
        node('/Constant_1', 'Constant', [], ['big'], { value: { type: 'tensor', value: tensor('', FLOAT, [65]) } }),
        node('/Add', 'Add', ['big', 'i'], ['a']),
        node('Identity_0', 'Identity', ['w'], ['w2']),
      ],
      [value('x', tensorType(FLOAT, [2, 3]))],
      [value('r', null)],
      { initializers: [tensor('axes', INT64, [1]), tensor('w', FLOAT, [100])] },
    );
    assert.deepEqual(foldedNodes(g), [true, true, true, true, false, false, false, true]);
  });
});

describe('model view: printer', () => {
  // A torch-like export: a block with a shape chain and a child module, a head, and a root Identity.
  const exported = model(
    graph(
      'main_graph',
      [
        node('/block/Shape', 'Shape', ['x'], ['/block/Shape_output_0']),
        node('/block/Constant', 'Constant', [], ['/block/Constant_output_0'], { value: { type: 'tensor', value: tensor('', INT64, []) } }),
        node('/block/Gather', 'Gather', ['/block/Shape_output_0', '/block/Constant_output_0'], ['/block/Gather_output_0'], { axis: { type: 'int', value: 0 } }),
        node('/block/attn/MatMul', 'MatMul', ['x', 'block.attn.weight'], ['/block/attn/MatMul_output_0']),
        node('/block/Unsqueeze', 'Unsqueeze', ['/block/Gather_output_0', 'axes'], ['/block/Unsqueeze_output_0']),
        node('/block/Reshape', 'Reshape', ['/block/attn/MatMul_output_0', '/block/Unsqueeze_output_0'], ['/block/Reshape_output_0'], { allowzero: { type: 'int', value: 0 } }),
        node('/head/Conv', 'Conv', ['/block/Reshape_output_0', 'head.weight'], ['y'], { group: { type: 'int', value: 1 }, kernel_shape: { type: 'ints', value: [3, 3] }, strides: { type: 'ints', value: [2, 2] } }),
        node('Identity_0', 'Identity', ['head.weight'], ['w2']),
      ],
      [value('x', tensorType(FLOAT, ['N', 4]))],
      [value('y', tensorType(FLOAT, ['N', 8, 1, 1]))],
      { initializers: [tensor('block.attn.weight', FLOAT, [4, 4]), tensor('axes', INT64, [1]), tensor('head.weight', FLOAT, [8, 1, 3, 3])] },
    ),
  );
  const view = renderModelView(exported);

  it('prints the header, then op first and short names under one header line per module', () => {
    const expected = [
      '# pytorch 1.13.0 · opset 17 · ir 8',
      '# Names are short within their module; "Ridgepoint: Open as ONNX Text" shows the full model.',
      'graph main_graph',
      '  input  x: float[N, 4]',
      '  output y: float[N, 8, 1, 1]',
      // 16 + 1 + 72 parameters; float 4 bytes, int64 8: 64 + 8 + 288 = 360 bytes.
      '  3 initializers · 89 parameters · 360 B',
      '    block.attn.weight  float[4, 4]',
      '    axes               int64[1]',
      '    head.weight        float[8, 1, 3, 3]',
      '  block',
      '    ⋯ 3 shape ops (Shape, Constant, Gather)',
      '      Shape          Shape (x)',
      '      Constant       Constant ()  value=int64 {0}',
      // axis=0 is Gather's default: left out.
      '      Gather         Gather (Shape, Constant)',
      '    block › attn',
      '      MatMul         MatMul (x, weight)',
      '    ⋯ 1 shape op (Unsqueeze)',
      '      Unsqueeze      Unsqueeze (Gather, axes)',
      // allowzero=0 is Reshape's default: left out.
      '    Reshape        Reshape (attn/MatMul, Unsqueeze)',
      '  head',
      // group=1 is Conv's default; the output is not the node's own name, so it prints.
      '    Conv           Conv (block/Reshape, weight) → y  kernel_shape=[3,3] strides=[2,2]',
      '  ⋯ 1 identity op (Identity)',
      '    Identity       Identity_0 (head.weight) → w2',
      '',
    ].join('\n');
    assert.equal(view.text, expected);
  });

  it('keeps a span per node whose op token is the op type', () => {
    assertSpans(view, new Map(exported.graph.nodes.map((n, i) => [`n${i}`, n.opType])));
    const main = view.layout.graphs.find((g) => g.kind === 'main');
    assert.equal(main && view.text.slice(main.header.start, main.header.end), 'graph main_graph');
  });

  it('groups nodes by scope, nested, each group holding its nested groups\' nodes', () => {
    const groups = view.layout.groups.map((g) => ({ scope: g.scope.join('/'), header: view.text.slice(g.header.start, g.header.end), nodeIds: [...g.nodeIds] }));
    assert.deepEqual(groups, [
      { scope: 'block', header: 'block', nodeIds: ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'] },
      { scope: 'block/attn', header: 'block › attn', nodeIds: ['n3'] },
      { scope: 'head', header: 'head', nodeIds: ['n6'] },
    ]);
  });

  it('gives fold regions: details (initializers, shape ops) from their summary line, scopes from their header', () => {
    const lines = view.text.split('\n');
    const regions = view.layout.regions.map((r) => `${r.kind} ${lineOf(view.text, r.start)}-${lineOf(view.text, r.end)}`);
    const at = (text: string): number => lines.indexOf(text);
    assert.deepEqual(regions, [
      `details ${at('  3 initializers · 89 parameters · 360 B')}-${at('    head.weight        float[8, 1, 3, 3]')}`,
      `scope ${at('  block')}-${at('    Reshape        Reshape (attn/MatMul, Unsqueeze)')}`,
      `details ${at('    ⋯ 3 shape ops (Shape, Constant, Gather)')}-${at('      Gather         Gather (Shape, Constant)')}`,
      `scope ${at('    block › attn')}-${at('      MatMul         MatMul (x, weight)')}`,
      `details ${at('    ⋯ 1 shape op (Unsqueeze)')}-${at('      Unsqueeze      Unsqueeze (Gather, axes)')}`,
      `scope ${at('  head')}-${at('    Conv           Conv (block/Reshape, weight) → y  kernel_shape=[3,3] strides=[2,2]')}`,
      `details ${at('  ⋯ 1 identity op (Identity)')}-${at('    Identity       Identity_0 (head.weight) → w2')}`,
    ]);
  });

  it('folds a long list of graph inputs (weights exported as inputs) after the first four', () => {
    const inputs = ['input', ...Array.from({ length: 9 }, (_, i) => `layer.${i}.weight`)].map((n) => value(n, tensorType(FLOAT, [2])));
    const text = renderModelView(model(graph('g', [node('', 'Relu', ['input'], ['y'])], inputs, [value('y', null)]))).text;
    assert.ok(text.includes('  input  layer.2.weight: float[2]\n  ⋯ 6 more inputs\n    input  layer.3.weight: float[2]\n'), text);
    assert.ok(text.includes('  output y: ?\n  Relu           (input) → y\n'), text);
  });

  it('renders subgraphs and functions readable the same way, with nested ids', () => {
    const thenBranch = graph('then_g', [node('/then/Relu', 'Relu', ['x'], ['t'])], [], [value('t', null)]);
    const elseBranch = graph('else_g', [node('', 'Neg', ['x'], ['e'])], [], [value('e', null)]);
    const fn: FunctionDef = { name: 'Twice', domain: 'local', overload: '', inputs: ['a'], outputs: ['b'], attributes: [], attributeDefaults: new Map(), nodes: [node('/Add', 'Add', ['a', 'a'], ['b'])], opsets: new Map([['', 17]]), valueInfo: [] };
    const m = model(
      graph(
        'g',
        [
          node('/If', 'If', ['c'], ['y'], { then_branch: { type: 'graph', value: thenBranch }, else_branch: { type: 'graph', value: elseBranch } }),
          node('/Twice', 'Twice', ['y'], ['z'], {}, { domain: 'local' }),
        ],
        [value('c', tensorType(DataType.BOOL, [])), value('x', tensorType(FLOAT, [3]))],
        [value('z', null)],
      ),
      { functions: [fn], opsets: new Map([['', 17], ['local', 1]]) },
    );
    const rendered = renderModelView(m);
    assertSpans(rendered, new Map([['n0', 'If'], ['n0/then_branch/n0', 'Relu'], ['n0/else_branch/n0', 'Neg'], ['n1', 'local.Twice'], ['fn:local::Twice/n0', 'Add']]));
    assert.ok(
      rendered.text.includes(
        [
          '  If             If (c) → y',
          '    then_branch: graph then_g',
          '      output t: ?',
          '      then',
          '        Relu           Relu (x) → t',
          '    else_branch: graph else_g',
          '      output e: ?',
          '      Neg            (x) → e',
          '  local.Twice    Twice (y) → z',
          '',
          'function local.Twice (a) → (b)',
          '  Add            Add (a, a) → b',
        ].join('\n'),
      ),
      rendered.text,
    );
    const graphs = rendered.layout.graphs.map((g) => `${g.kind} ${g.path} ${rendered.text.slice(g.header.start, g.header.end).trim()}`);
    assert.deepEqual(graphs, ['main  graph g', 'subgraph n0/then_branch then_branch: graph then_g', 'subgraph n0/else_branch else_branch: graph else_g', 'function fn:local::Twice function local.Twice (a) → (b)']);
  });

  it('renders in time linear in the node count (20,000 nodes well under a second)', () => {
    const nodes: Node[] = [];
    for (let i = 0; i < 20_000; i++) nodes.push(node(`/layers/layers.${i >> 4}/mlp/Add_${i}`, 'Add', [i === 0 ? 'x' : `/layers/layers.${(i - 1) >> 4}/mlp/Add_${i - 1}_output_0`, 'b'], [`/layers/layers.${i >> 4}/mlp/Add_${i}_output_0`]));
    const started = performance.now();
    const rendered = renderModelView(model(graph('g', nodes, [value('x', null)], [value('y', null)])));
    const ms = performance.now() - started;
    assert.equal(rendered.layout.nodes.length, 20_000);
    assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
  });
});
