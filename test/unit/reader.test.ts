import * as assert from 'node:assert/strict';
import { analyzeModel } from '../../server/src/analysis/analyze';
import { DataType, dataTypeName, bytesForElements } from '../../server/src/analysis/ir/dtype';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { checkExternalData } from '../../server/src/analysis/onnx/external-data';
import { readModel } from '../../server/src/analysis/onnx/reader';
import { externalReferences, summariseWeights } from '../../server/src/analysis/ir/weights';
import { buildReport } from '../../server/src/analysis/report';
import { graphProto, modelProto, Msg, valueInfo } from '../../scripts/lib/onnx-writer';
import { Node } from '../../server/src/analysis/ir/graph';
import { VirtualSource } from '../support/virtual-source';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileByteSource } from '../../server/src/cli/file-source';
import { renderModel } from '../../server/src/analysis/onnx/text/printer';

const FLOAT = 1;
const INT64 = 7;

function mlp(initializerBytes: number, extra: Partial<Parameters<typeof modelProto>[0]> = {}): Msg {
  const n = Math.floor(initializerBytes / 4 / 16);
  return modelProto({
    irVersion: 8,
    opsets: { '': 17 },
    graph: {
      name: 'g',
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'], name: 'mm' }],
      inputs: [valueInfo('x', FLOAT, ['batch', 16])],
      outputs: [valueInfo('y', FLOAT, ['batch', n])],
      initializers: [{ name: 'w', dtype: FLOAT, dims: [16, n], rawZeros: 16 * n * 4 }],
    },
    ...extra,
  });
}

describe('ONNX reader', () => {
  it('reads fields added after ONNX 1.10: metadata_props, overload', () => {
    const model = modelProto({
      irVersion: 10,
      opsets: { '': 21, 'local': 1 },
      metadata: { author: 'me' },
      graph: {
        name: 'g',
        metadata: { stage: 'decoder' },
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'r', overload: 'ov1', metadata: { 'pkg.torch.source': 'model.py:12' } }],
        inputs: [valueInfo('x', FLOAT, [2])],
        outputs: [valueInfo('y', FLOAT, [2])],
      },
      functions: [{ name: 'F', domain: 'local', inputs: ['a'], outputs: ['b'], nodes: [{ op: 'Relu', inputs: ['a'], outputs: ['b'] }], opsets: { '': 21 }, overload: 'fast' }],
    });
    const { model: m, diagnostics } = readModel(bytesSource(model.toBytes()));
    assert.deepEqual(diagnostics, []);
    assert.ok(m);
    assert.equal(m.metadata.get('author'), 'me');
    assert.equal(m.graph.metadata.get('stage'), 'decoder');
    const node = m.graph.nodes[0];
    assert.equal(node?.overload, 'ov1');
    assert.equal(node?.metadata.get('pkg.torch.source'), 'model.py:12');
    assert.equal(m.functions[0]?.overload, 'fast');
  });

  it('names data types 17–26 and sizes packed sub-byte types', () => {
    const expected: Record<number, [string, number]> = {
      17: ['float8e4m3fn', 8], 18: ['float8e4m3fnuz', 8], 19: ['float8e5m2', 8], 20: ['float8e5m2fnuz', 8],
      21: ['uint4', 4], 22: ['int4', 4], 23: ['float4e2m1', 4], 24: ['float8e8m0', 8], 25: ['uint2', 2], 26: ['int2', 2],
    };
    const inits = Object.keys(expected).map((code) => ({ name: `t${code}`, dtype: Number(code), dims: [3, 5], rawZeros: 15 }));
    const model = modelProto({ irVersion: 11, opsets: { '': 23 }, graph: { name: 'g', nodes: [], inputs: [], outputs: [], initializers: inits } });
    const { model: m } = readModel(bytesSource(model.toBytes()));
    assert.ok(m);
    for (const t of m.graph.initializers) {
      const [name, bits] = expected[t.dtype] ?? ['?', 0];
      assert.equal(dataTypeName(t.dtype), name);
      assert.equal(bytesForElements(t.dtype, 15), Math.ceil((15 * bits) / 8));
    }
    assert.equal(bytesForElements(DataType.INT4, 15), 8);
  });

  it('never reads weight payloads: only the graph structure is touched', () => {
    const msg = mlp(64 << 20);
    const source = new VirtualSource(msg);
    const analysis = analyzeModel(source);
    assert.equal(analysis.diagnostics.filter((d) => d.severity === 'error').length, 0);
    const w = analysis.model?.graph.initializers[0];
    assert.ok(w && w.data.kind === 'range');
    // The structure walk reads ahead at most 4 KiB; the 64 MiB payload itself is never loaded.
    assert.ok(source.bytesReadWithin(w.data.offset, w.data.offset + w.data.length) <= 4096, 'the weight payload is not read');
    assert.ok(source.totalRead() < 256 << 10, `read ${source.totalRead()} bytes of a ${source.size}-byte model`);
  });

  it('reads a single-file model over 2 GiB (weights at offsets beyond 2^31)', () => {
    const msg = modelProto({
      irVersion: 8,
      opsets: { '': 17 },
      graph: {
        name: 'big',
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
          { op: 'MatMul', inputs: ['h', 'w2'], outputs: ['h2'] },
          { op: 'MatMul', inputs: ['h2', 'w3'], outputs: ['y'] },
        ],
        inputs: [valueInfo('x', FLOAT, ['batch', 16384])],
        outputs: [valueInfo('y', FLOAT, ['batch', 16384])],
        initializers: [
          { name: 'w1', dtype: FLOAT, dims: [16384, 16384], rawZeros: 16384 * 16384 * 4 },
          { name: 'w2', dtype: FLOAT, dims: [16384, 16384], rawZeros: 16384 * 16384 * 4 },
          { name: 'w3', dtype: FLOAT, dims: [16384, 16384], rawZeros: 16384 * 16384 * 4 },
        ],
      },
    });
    const source = new VirtualSource(msg);
    assert.ok(source.size > 3 * 2 ** 30);
    const { model, diagnostics } = readModel(source);
    assert.deepEqual(diagnostics, []);
    const w3 = model?.graph.initializers[2];
    assert.ok(w3 && w3.data.kind === 'range' && w3.data.offset > 2 ** 31);
    assert.ok(model);
    assert.equal(model.graph.nodes.length, 3);
    assert.equal(summariseWeights(model).bytes, 3 * 16384 * 16384 * 4);
  });

  it('resolves external data from its entries without opening the data file', () => {
    const model = modelProto({
      irVersion: 8,
      opsets: { '': 17 },
      graph: {
        name: 'g',
        nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
        inputs: [valueInfo('x', FLOAT, [1, 4])],
        outputs: [valueInfo('y', FLOAT, [1, 8])],
        initializers: [
          { name: 'w', dtype: FLOAT, dims: [4, 8], external: { location: 'weights.bin', offset: 4096, length: 128 } },
          { name: 'evil', dtype: FLOAT, dims: [1], external: { location: '../../etc/passwd', offset: 0, length: 4 } },
        ],
      },
    });
    const { model: m } = readModel(bytesSource(model.toBytes()));
    assert.ok(m);
    const refs = externalReferences(m);
    assert.deepEqual(refs[0], { tensor: 'w', location: 'weights.bin', offset: 4096, length: 128 });
    const looked: string[] = [];
    const present = checkExternalData(refs, (location) => {
      looked.push(location);
      return 4096 + 128;
    });
    assert.deepEqual(looked, ['weights.bin'], 'the unsafe location is never looked up');
    assert.deepEqual(present.map((d) => d.code), ['onnx.unsafe-external-location']);
    const short = checkExternalData([refs[0] as (typeof refs)[0]], () => 100);
    assert.deepEqual(short.map((d) => d.code), ['onnx.external-data-out-of-range']);
    const missing = checkExternalData([refs[0] as (typeof refs)[0]], () => undefined);
    assert.deepEqual(missing.map((d) => d.code), ['onnx.missing-external-data']);
    assert.equal(summariseWeights(m).externalBytes, 128 + 4);
  });

  it('handles IR-3 models that list initializers as graph inputs, and counts Constant nodes as weights', () => {
    const model = modelProto({
      irVersion: 3,
      opsets: { '': 8 },
      graph: {
        name: 'g',
        nodes: [
          { op: 'Constant', inputs: [], outputs: ['b'], attrs: { value: { tensor: { name: 'b', dtype: FLOAT, dims: [8], floatData: [0, 0, 0, 0, 0, 0, 0, 0] } } } },
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
          { op: 'Add', inputs: ['h', 'b'], outputs: ['y'] },
        ],
        inputs: [valueInfo('x', FLOAT, [2, 4]), valueInfo('w', FLOAT, [4, 8])],
        outputs: [valueInfo('y', FLOAT, [2, 8])],
        initializers: [{ name: 'w', dtype: FLOAT, dims: [4, 8], rawZeros: 128 }],
      },
    });
    const analysis = analyzeModel(bytesSource(model.toBytes()));
    const report = buildReport(analysis, 'ir3.onnx', new Map());
    assert.deepEqual(report.inputs.map((i) => i.name), ['x'], 'the initializer is a weight, not a user input');
    assert.equal(report.model.weights?.fromInitializers.parameters, 32);
    assert.equal(report.model.weights?.fromConstants.parameters, 8);
    assert.equal(report.model.weights?.parameters, 40);
  });

  it('expands model-local functions, substituting attribute references', () => {
    const model = modelProto({
      irVersion: 8,
      opsets: { '': 17, custom: 1 },
      graph: {
        name: 'g',
        nodes: [{ op: 'FlattenFrom', domain: 'custom', inputs: ['x'], outputs: ['y'], attrs: { at: 2 } }],
        inputs: [valueInfo('x', FLOAT, ['batch', 3, 4, 5])],
        outputs: [valueInfo('y', FLOAT, null)],
      },
      functions: [{ name: 'FlattenFrom', domain: 'custom', inputs: ['a'], outputs: ['b'], attributes: ['at'], nodes: [{ op: 'Flatten', inputs: ['a'], outputs: ['b'], attrs: { axis: { ref: 'at' } } }], opsets: { '': 17 } }],
    });
    const analysis = analyzeModel(bytesSource(model.toBytes()), { trustDeclaredShapes: false });
    const report = buildReport(analysis, 'f.onnx', new Map());
    assert.deepEqual(report.outputs[0]?.shape, ['3*batch', 20]);
    const inner = report.nodes.find((n) => n.opType === 'Flatten');
    assert.equal(inner?.id, 'n0/FlattenFrom/n0');
    assert.equal(inner?.graph, 'n0/FlattenFrom');
  });

  it('explains files that are not ONNX models', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(0), /empty/],
      [Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), /ZIP archive/],
      [new TextEncoder().encode('{"architectures": ["LlamaForCausalLM"]}'), /JSON/],
      [new TextEncoder().encode('<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>'), /textual syntax/],
    ];
    for (const [bytes, message] of cases) {
      const { model, diagnostics } = readModel(bytesSource(bytes));
      assert.equal(model, null);
      assert.match(diagnostics[0]?.message ?? '', message);
      assert.equal(diagnostics[0]?.code, 'onnx.not-onnx');
    }
  });

  it('reports truncation with the byte offset and keeps the nodes read before it', () => {
    const bytes = mlp(4096).toBytes();
    const { model, diagnostics } = readModel(bytesSource(bytes.subarray(0, bytes.length - 40)));
    const error = diagnostics.find((d) => d.severity === 'error');
    assert.ok(error, 'a truncated file yields an error diagnostic');
    assert.equal(error.code, 'onnx.truncated');
    assert.ok(typeof error.location?.offset === 'number' && error.location.offset > 0);
    assert.equal(model?.graph.nodes.length, 1, 'the node before the cut survives');
  });

  it('reads If subgraphs nested 64 deep, past the decoders\' 100-message recursion limit, and refuses 65', () => {
    // An If whose then_branch holds an If … `levels` deep, an Identity innermost. Each level is three
    // nested messages (node → attribute → graph), so 40 levels (121 messages) is past the generated
    // decoders' limit of 100 while within the reader's MAX_GRAPH_DEPTH of 64 subgraphs.
    const nested = (levels: number): Uint8Array => {
      let graph: Parameters<typeof graphProto>[0] = { name: 'inner', nodes: [{ op: 'Identity', inputs: ['c'], outputs: ['y'] }], inputs: [], outputs: [valueInfo('y', FLOAT, [1])] };
      for (let i = 0; i < levels; i++) {
        graph = { name: `level${i}`, nodes: [{ op: 'If', inputs: ['c'], outputs: ['y'], attrs: { then_branch: { graph: graphProto(graph) } } }], inputs: [], outputs: [valueInfo('y', FLOAT, [1])] };
      }
      return modelProto({ irVersion: 8, opsets: { '': 17 }, graph }).toBytes();
    };
    const depthOf = (node: Node | undefined): number => {
      let levels = 0;
      for (let n = node; n?.opType === 'If'; levels++) {
        const branch = n.attributes.get('then_branch');
        n = branch?.type === 'graph' ? branch.value.nodes[0] : undefined;
      }
      return levels;
    };
    for (const levels of [40, 64]) {
      const { model, diagnostics } = readModel(bytesSource(nested(levels)));
      assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], `${levels} levels`);
      assert.equal(depthOf(model?.graph.nodes[0]), levels);
    }
    const tooDeep = readModel(bytesSource(nested(65))).diagnostics.find((d) => d.severity === 'error');
    assert.equal(tooDeep?.code, 'onnx.too-deep');
  });

  it('keeps int64 initializer values for folding and reads them lazily', () => {
    const model = modelProto({
      irVersion: 8,
      opsets: { '': 17 },
      graph: {
        name: 'g',
        nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
        inputs: [valueInfo('x', FLOAT, ['batch', 6, 4])],
        outputs: [valueInfo('y', FLOAT, null)],
        initializers: [{ name: 'shape', dtype: INT64, dims: [3], int64Data: [0, -1, 2] }],
      },
    });
    const report = buildReport(analyzeModel(bytesSource(model.toBytes()), { trustDeclaredShapes: false }), 'r.onnx', new Map());
    assert.deepEqual(report.outputs[0]?.shape, ['batch', 12, 2]);
  });
});

describe('ONNX reader over a file descriptor', () => {
  it('reads the same values through FileByteSource (Node Buffers) as from one Uint8Array', () => {
    // Node Buffers come from a shared pool: decoding floats through `slice().buffer` once read pool garbage.
    const file = path.resolve(__dirname, '../../examples/tiny-vit.onnx');
    const fromFile = new FileByteSource(file);
    try {
      const viaFile = renderModel(readModel(fromFile).model!).text;
      const viaArray = renderModel(readModel(bytesSource(new Uint8Array(fs.readFileSync(file)))).model!).text;
      assert.equal(viaFile, viaArray);
      assert.match(viaFile, /attn_scale = \{0\.25\}/);
    } finally {
      fromFile.close();
    }
  });
});
