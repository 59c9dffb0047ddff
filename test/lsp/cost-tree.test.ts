import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CostTreeNode } from '../../server/src/analysis/cost-tree';
import { Report } from '../../server/src/analysis/report';
import { CostTreeResult, RenderResult } from '../../server/src/protocol';
import { ensureBuilt, fileUri, LspSession } from '../../scripts/lib/lsp-session';
import { modelProto, valueInfo } from '../../scripts/lib/onnx-writer';

/**
 * `ridgepoint/costTree` as an editor asks for it: a binary model's view, a PyTorch source and a Hugging Face
 * config (prefill and `#decode`). The tree's times are checked against the nodes of the same profile
 * (`ridgepoint/profile`), summed here, and its structure against the model's own module names.
 */
const RESNET = path.resolve(__dirname, '../fixtures/pytorch/resnet.py');
const LLAMA = path.resolve(__dirname, '../fixtures/hf/llama-2-7b.json');
const FLOAT = 1;

/** A small torch-export-style graph: two blocks of conv → relu, and a head; `N` is symbolic (the settings' dims bind batch, not N). */
function blocksModel(): Uint8Array {
  const block = (b: number, input: string): Array<{ op: string; name: string; inputs: string[]; outputs: string[] }> => [
    { op: 'Conv', name: `/blocks/blocks.${b}/conv/Conv`, inputs: [input, `w${b}`], outputs: [`c${b}`] },
    { op: 'Relu', name: `/blocks/blocks.${b}/act/Relu`, inputs: [`c${b}`], outputs: [`r${b}`] },
  ];
  return modelProto({
    irVersion: 8,
    opsets: { '': 17 },
    graph: {
      name: 'blocks',
      nodes: [...block(0, 'x'), ...block(1, 'r0'), { op: 'GlobalAveragePool', name: '/pool/GlobalAveragePool', inputs: ['r1'], outputs: ['y'] }],
      inputs: [valueInfo('x', FLOAT, ['N', 16, 32, 32])],
      outputs: [valueInfo('y', FLOAT, null)],
      initializers: [0, 1].map((b) => ({ name: `w${b}`, dtype: FLOAT, dims: [16, 16, 3, 3], rawZeros: 16 * 16 * 9 * 4 })),
    },
  }).toBytes();
}

function find(row: CostTreeNode | null | undefined, name: string): CostTreeNode {
  const found = row?.children.find((c) => c.name === name);
  assert.ok(found, `${row?.name ?? 'no tree'} has ${name}; it has ${row?.children.map((c) => c.name).join(', ') ?? '-'}`);
  return found;
}

/** What the totals count, summed from the report's nodes. */
function nodesTime(report: Report): number {
  return report.nodes.filter((n) => n.counted !== false && n.modelled === true && (n.bound === 'memory' || n.bound === 'compute' || n.bound === 'overhead')).reduce((s, n) => s + (n.timeSeconds ?? 0), 0);
}

describe('language server: ridgepoint/costTree', function () {
  this.timeout(60_000);
  let session: LspSession;
  let tmp: string;

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ridgepoint-cost-tree-'));
    fs.writeFileSync(path.join(tmp, 'blocks.onnx'), blocksModel());
    fs.copyFileSync(LLAMA, path.join(tmp, 'config.json'));
    session = new LspSession({ chip: 'h100', peakMode: 'datasheet', pytorch: { input: '1x3x224x224' } });
    await session.initialize(tmp);
  });

  after(async () => {
    await session.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a binary model: says what is unbound, then gives the module tree once the dim is bound', async () => {
    const file = path.join(tmp, 'blocks.onnx');
    const render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(file) });
    const view = fileUri(file).replace(/^file:/, 'ridgepoint-onnx:');
    await session.open(view, render.text);
    const unbound = await session.request<CostTreeResult>('ridgepoint/costTree', { uri: view });
    assert.match(unbound.incomplete ?? '', /^not costed: bind N(;|$)/);

    await session.notify('ridgepoint/setBindings', { uri: view, bindings: { N: 2 } });
    const result = await session.request<CostTreeResult>('ridgepoint/costTree', { uri: view });
    assert.equal(result.incomplete, null);
    assert.equal(result.chipName, 'NVIDIA H100 SXM5 80GB');
    const root = result.root;
    assert.ok(root);
    assert.equal(root.name, 'blocks.onnx');
    // `/blocks/blocks.0/conv/Conv` reads blocks › 0 › conv; each block keeps its own row.
    const blocks = find(root, 'blocks');
    assert.deepEqual(blocks.children.map((c) => c.name).sort(), ['0', '1']);
    const conv = find(find(blocks, '0'), 'conv');
    assert.equal(conv.kind, 'op');
    assert.equal(conv.opType, 'Conv');
    // Node ids are file order: the first block's conv is n0.
    assert.equal(conv.revealNodeId, 'n0');
    const report = await session.request<Report>('ridgepoint/profile', { uri: view });
    const expected = nodesTime(report);
    assert.ok(expected > 0);
    assert.ok(Math.abs(root.timeSeconds - expected) <= 1e-9 * expected, `${root.timeSeconds} vs ${expected}`);
    // The file URI names the same model.
    const byFile = await session.request<CostTreeResult>('ridgepoint/costTree', { uri: fileUri(file) });
    assert.equal(byFile.root?.timeSeconds, root.timeSeconds);
  });

  it('an .onnxtxt file: scopes from its node names, each row revealing its statement', async () => {
    const text = ['<', '  ir_version: 8,', '  opset_import: ["" : 17]', '>', 'g (float[64,1024] x, float[1024,1024] w) => (float[64,1024] y) {', '  ["/blk/proj/MatMul"] h = MatMul (x, w)', '  ["/blk/act/Relu"] y = Relu (h)', '}', ''].join('\n');
    const uri = fileUri(path.join(tmp, 'blk.onnxtxt'));
    await session.open(uri, text);
    const result = await session.request<CostTreeResult>('ridgepoint/costTree', { uri });
    assert.equal(result.incomplete, null);
    const blk = find(result.root, 'blk');
    assert.deepEqual(blk.children.map((c) => c.name).sort(), ['act', 'proj']);
    const proj = find(blk, 'proj');
    assert.ok(proj.revealNodeId);
    const where = result.sources?.[proj.revealNodeId];
    assert.ok(where, 'the row has a place in the file');
    assert.equal(where.uri, uri);
    assert.equal(where.range.start.line, 5);
  });

  it('a PyTorch source: torchvision ResNet-50’s stages, each row revealing a line of the file', async () => {
    const py = fileUri(RESNET);
    const source = fs.readFileSync(RESNET, 'utf8');
    await session.open(py, source, 'python');
    const result = await session.request<CostTreeResult>('ridgepoint/costTree', { uri: py });
    const root = result.root;
    assert.ok(root, result.incomplete ?? 'a tree');
    const names = root.children.map((c) => c.name);
    for (const stage of ['layer1', 'layer2', 'layer3', 'layer4', 'fc']) assert.ok(names.includes(stage), `${stage} in ${names.join(', ')}`);
    // ResNet-50: [3, 4, 6, 3] Bottlenecks.
    assert.equal(find(root, 'layer3').children.length, 6);
    const layer1 = find(root, 'layer1');
    const where = layer1.revealNodeId ? result.sources?.[layer1.revealNodeId] : undefined;
    assert.ok(where, 'layer1 reveals a source line');
    assert.equal(where.uri, py);
    // Its costliest op is a conv of a Bottleneck: the line that builds it (`nn.Conv2d(` in the conv3x3 / conv1x1 helpers).
    assert.match(source.split('\n')[where.range.start.line] ?? '', /nn\.Conv2d\(/);
  });

  it('a config.json: the decoder layers, for the prefill and for one decode step (#decode)', async () => {
    const config = fileUri(path.join(tmp, 'config.json'));
    await session.open(config, fs.readFileSync(LLAMA, 'utf8'), 'json');
    const prefill = await session.request<CostTreeResult>('ridgepoint/costTree', { uri: config });
    const decode = await session.request<CostTreeResult>('ridgepoint/costTree', { uri: `${config}#decode` });
    for (const result of [prefill, decode]) {
      assert.equal(result.incomplete, null);
      // LLaMA-2-7B: 32 decoder layers (num_hidden_layers).
      const layers = find(find(result.root, 'model'), 'layers');
      assert.equal(layers.children.length, 32);
    }
    // One token against a 2,048-token prompt. By hand on the H100 (989 TFLOP/s dense bf16, 3.35 TB/s): the
    // prefill does at least 2 × 6.74e9 × 2048 FLOPs = 27.6 TFLOP (≥ 28 ms); a decode step reads the
    // 13.5 GB of fp16 weights once (≈ 4.0 ms) and does next to no arithmetic.
    const prefillTime = prefill.root?.timeSeconds ?? 0;
    const decodeTime = decode.root?.timeSeconds ?? 0;
    assert.ok(prefillTime >= 0.028, `prefill ${prefillTime} s`);
    assert.ok(decodeTime >= 0.004 && decodeTime < 0.006, `decode ${decodeTime} s`);
  });
});
