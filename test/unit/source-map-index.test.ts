import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeModel, ModelAnalysis } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { buildReport, Report } from '../../server/src/analysis/report';
import {
  bestFileMatch,
  buildSourceIndex,
  costsBySourceLine,
  costsForModule,
  costsForSourceFile,
  isCostedNode,
  matchSourceFile,
  nodesAtLine,
  nodesInModule,
  SourceIndex,
  sourceOfNode,
  TORCH_METADATA_KEYS,
} from '../../server/src/analysis/source-map';
import { modelProto, NodeSpec, valueInfo } from '../../scripts/lib/onnx-writer';

const FIXTURES = path.resolve(__dirname, '../fixtures/source-map');
const NET_SOURCE = fs.readFileSync(path.join(FIXTURES, 'tiny_net.py'), 'utf8');
const FLOAT = 1;

/** The 1-based line of tiny_net.py whose text is exactly `statement` (checked to be unique). */
function lineOf(statement: string): number {
  const lines = NET_SOURCE.split('\n').map((l) => l.trim());
  const first = lines.indexOf(statement);
  assert.ok(first >= 0, `tiny_net.py has no line "${statement}"`);
  assert.equal(lines.indexOf(statement, first + 1), -1, `"${statement}" is on more than one line`);
  return first + 1;
}

function profiledReport(analysis: ModelAnalysis): Report {
  const chip = findChip('h100');
  assert.ok(chip);
  return buildReport(analysis, 'm', new Map(), profileAnalysis(analysis, { chip, peakMode: 'datasheet' }));
}

/** The ids of the nodes of `opType` in report order. */
function idsOf(index: SourceIndex, opType: string): string[] {
  return [...index.nodes.values()].filter((n) => n.opType === opType).map((n) => n.id);
}

describe('source map: the real TorchScript export of tiny_net.py (torch 1.13, verbose=True)', () => {
  const analysis = analyzeModel(bytesSource(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'tiny_net_torchscript.onnx')))));
  assert.ok(analysis.model && analysis.inference);
  const index = buildSourceIndex(analysis.model, analysis.inference);
  const netFile = path.join(FIXTURES, 'tiny_net.py');

  it('maps each op to the line of tiny_net.py that produced it', () => {
    const expected: Array<[string, string]> = [
      ['/conv1/Conv', 'x = self.conv1(x)'],
      ['/bn1/BatchNormalization', 'x = self.bn1(x)'],
      ['/relu/Relu', 'x = self.relu(x)'],
      // The block's conv and ReLU run inside nn.Sequential (torch code): the user's line is the call.
      ['/block/body/body.0/Conv', 'y = self.body(x)'],
      ['/block/body/body.1/Relu', 'y = self.body(x)'],
      ['/block/Add', 'return x + y'],
      ['/Flatten', 'x = torch.flatten(x, 1)'],
      ['/fc/Gemm', 'return self.fc(x)'],
    ];
    for (const [name, statement] of expected) {
      const [entry, ...more] = index.byName.get(name) ?? [];
      assert.ok(entry, `no node named ${name}`);
      assert.equal(more.length, 0);
      assert.equal(path.basename(entry.userFrame?.file ?? ''), 'tiny_net.py', name);
      assert.equal(entry.userFrame?.line, lineOf(statement), `${name} should map to "${statement}"`);
      assert.equal(entry.userFrame?.function, 'forward');
      assert.deepEqual(nodesAtLine(index, netFile, lineOf(statement)).includes(entry.id), true);
    }
  });

  it('finds the nodes of a call line, and every node of a module, with or without submodules', () => {
    const blockNodes = ['/block/body/body.0/Conv', '/block/body/body.1/Relu', '/block/Add'].map((name) => index.byName.get(name)?.[0]?.id);
    assert.deepEqual([...nodesAtLine(index, netFile, lineOf('x = self.block(x)'), 'calls')].sort(), [...blockNodes].sort());
    assert.deepEqual(nodesAtLine(index, netFile, lineOf('x = self.block(x)'), 'self'), []);
    assert.deepEqual(nodesInModule(index, 'block').sort(), [...blockNodes].sort());
    assert.deepEqual(nodesInModule(index, 'block', false), [index.byName.get('/block/Add')?.[0]?.id]);
    assert.deepEqual(nodesInModule(index, 'block.body.0'), [index.byName.get('/block/body/body.0/Conv')?.[0]?.id]);
    assert.deepEqual(sourceOfNode(index, idsOf(index, 'Gemm')[0] ?? '')?.modulePath, 'fc');
  });

  it('maps the export to a checkout of the same files on another machine, by path suffix', () => {
    const elsewhere = '/srv/ci/checkouts/ridgepoint/test/fixtures/source-map/tiny_net.py';
    const windows = 'D:\\work\\Ridgepoint\\test\\fixtures\\source-map\\tiny_net.py';
    const line = lineOf('return self.fc(x)');
    const gemm = idsOf(index, 'Gemm');
    assert.deepEqual(nodesAtLine(index, elsewhere, line), gemm);
    assert.deepEqual(nodesAtLine(index, windows, line), gemm);
    assert.deepEqual(nodesAtLine(index, '/srv/ci/other_net.py', line), []);
  });

  it('sums costs per source line to the report totals of the mapped nodes', () => {
    const report = profiledReport(analysis);
    assert.ok(report.totals);
    const rows = costsBySourceLine(index, report.nodes, { totalTimeSeconds: report.totals.timeSeconds });
    const costed = report.nodes.filter(isCostedNode);
    const mapped = costed.filter((n) => sourceOfNode(index, n.id)?.userFrame);
    // Every costed node of this export has a user frame, so the mapped totals are the model's totals.
    assert.equal(mapped.length, costed.length);
    const sum = (key: 'flops' | 'bytes' | 'timeSeconds' | 'share') => rows.reduce((s, r) => s + r[key], 0);
    assert.equal(sum('flops'), report.totals.flops);
    assert.equal(sum('bytes'), report.totals.bytes);
    assert.ok(Math.abs(sum('timeSeconds') - report.totals.timeSeconds) <= 1e-12 * report.totals.timeSeconds);
    assert.ok(Math.abs(sum('share') - 1) < 1e-9);
    // The block's body line holds the conv and the ReLU: their report costs, added.
    const byLine = costsForSourceFile(index, report.nodes, '/elsewhere/tiny_net.py');
    const body = byLine.get(lineOf('y = self.body(x)'));
    const conv = report.nodes.find((n) => n.name === '/block/body/body.0/Conv');
    const relu = report.nodes.find((n) => n.name === '/block/body/body.1/Relu');
    assert.ok(body && conv && relu);
    assert.deepEqual([...body.nodes].sort(), [conv.id, relu.id].sort());
    assert.equal(body.flops, (conv.flops ?? 0) + (relu.flops ?? 0));
    assert.equal(body.timeSeconds, (conv.timeSeconds ?? 0) + (relu.timeSeconds ?? 0));
    // A module's cost is the same whether reached by its lines or by its module path.
    const block = costsForModule(index, report.nodes, 'block');
    const add = byLine.get(lineOf('return x + y'));
    assert.ok(add);
    assert.equal(block.flops, body.flops + add.flops);
  });
});

describe('source map: dynamo exporter metadata (pkg.torch.onnx.*), built in code', () => {
  // What torch ≥ 2.5's exporter writes (torch/onnx/_internal/exporter/_core.py, _set_node_metadata):
  // repr() of the name scopes and class hierarchy, and the FX node's stack trace, outermost first,
  // keeping `forward` frames only (torch/fx/experimental/proxy_tensor.py). Paths are another machine's.
  const USER = '/home/alice/projects/nets/tiny_net.py';
  const TORCH = '/opt/conda/lib/python3.11/site-packages/torch/nn/modules';
  const frame = (file: string, statement: string, line = lineOf(statement)) => `File "${file}", line ${line}, in forward\n    ${statement}`;
  const meta = (scopes: string[], classes: string[], frames: string[]) => ({
    [TORCH_METADATA_KEYS.nameScopes]: `[${scopes.map((s) => `'${s}'`).join(', ')}]`,
    [TORCH_METADATA_KEYS.classHierarchy]: `[${classes.map((s) => `'${s}'`).join(', ')}]`,
    [TORCH_METADATA_KEYS.stackTrace]: frames.join('\n  '),
  });
  const nodes: NodeSpec[] = [
    { op: 'Conv', name: 'node_conv2d', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] }, metadata: meta(['', 'conv1', 'conv2d'], ['tiny_net.TinyNet', 'torch.nn.modules.conv.Conv2d', 'aten.conv2d.default'], [frame(USER, 'x = self.conv1(x)'), frame(`${TORCH}/conv.py`, 'return self._conv_forward(input, self.weight, self.bias)', 554)]) },
    { op: 'Relu', name: 'node_relu', inputs: ['c1'], outputs: ['r1'], metadata: meta(['', 'relu', 'relu'], ['tiny_net.TinyNet', 'torch.nn.modules.activation.ReLU', 'aten.relu.default'], [frame(USER, 'x = self.relu(x)'), frame(`${TORCH}/activation.py`, 'return F.relu(input, inplace=self.inplace)', 133)]) },
    { op: 'Conv', name: 'node_conv2d_1', inputs: ['r1', 'w2'], outputs: ['c2'], attrs: { pads: [1, 1, 1, 1] }, metadata: meta(['', 'block', 'block.body', 'block.body.0', 'conv2d_1'], ['tiny_net.TinyNet', 'tiny_net.Block', 'torch.nn.modules.container.Sequential', 'torch.nn.modules.conv.Conv2d', 'aten.conv2d.default'], [frame(USER, 'x = self.block(x)'), frame(USER, 'y = self.body(x)'), frame(`${TORCH}/container.py`, 'input = module(input)', 250), frame(`${TORCH}/conv.py`, 'return self._conv_forward(input, self.weight, self.bias)', 554)]) },
    { op: 'Add', name: 'node_add', inputs: ['r1', 'c2'], outputs: ['a'], metadata: meta(['', 'block', 'add'], ['tiny_net.TinyNet', 'tiny_net.Block', 'aten.add.Tensor'], [frame(USER, 'x = self.block(x)'), frame(USER, 'return x + y')]) },
    // A node the exporter found no module stack or trace for: it maps nowhere.
    { op: 'Relu', name: 'node_relu_1', inputs: ['a'], outputs: ['y'], metadata: { [TORCH_METADATA_KEYS.nameScopes]: "['relu_1']", [TORCH_METADATA_KEYS.stackTrace]: '' } },
  ];
  const bytes = modelProto({
    irVersion: 9,
    opsets: { '': 18 },
    graph: {
      name: 'main_graph',
      nodes,
      inputs: [valueInfo('x', FLOAT, [1, 3, 8, 8])],
      outputs: [valueInfo('y', FLOAT, [1, 4, 8, 8])],
      initializers: [
        { name: 'w1', dtype: FLOAT, dims: [4, 3, 3, 3], rawZeros: 4 * 27 * 4 },
        { name: 'b1', dtype: FLOAT, dims: [4], rawZeros: 16 },
        { name: 'w2', dtype: FLOAT, dims: [4, 4, 3, 3], rawZeros: 4 * 36 * 4 },
      ],
    },
  }).toBytes();
  const analysis = analyzeModel(bytesSource(bytes));
  assert.ok(analysis.model && analysis.inference);
  const index = buildSourceIndex(analysis.model, analysis.inference);
  const id = (name: string) => index.byName.get(name)?.[0]?.id ?? '';

  it('maps each node to its innermost user frame, with the code line the exporter recorded', () => {
    for (const [name, statement] of [['node_conv2d', 'x = self.conv1(x)'], ['node_relu', 'x = self.relu(x)'], ['node_conv2d_1', 'y = self.body(x)'], ['node_add', 'return x + y']] as const) {
      const entry = sourceOfNode(index, id(name));
      assert.equal(entry?.userFrame?.file, USER, name);
      assert.equal(entry?.userFrame?.line, lineOf(statement), name);
      assert.equal(entry?.userFrame?.code, statement, name);
    }
    assert.equal(sourceOfNode(index, id('node_relu_1'))?.userFrame, null);
  });

  it('takes module paths from name_scopes, since dynamo node names carry none', () => {
    assert.deepEqual([id('node_conv2d'), id('node_relu'), id('node_conv2d_1'), id('node_add'), id('node_relu_1')].map((n) => sourceOfNode(index, n)?.modulePath), ['conv1', 'relu', 'block.body.0', 'block', null]);
    assert.deepEqual(nodesInModule(index, 'block').sort(), [id('node_conv2d_1'), id('node_add')].sort());
  });

  it('sums line costs to the totals of the mapped nodes only', () => {
    const report = profiledReport(analysis);
    assert.ok(report.totals);
    const rows = costsBySourceLine(index, report.nodes);
    const mapped = report.nodes.filter((n) => isCostedNode(n) && n.name !== 'node_relu_1');
    const total = (key: 'flops' | 'timeSeconds') => mapped.reduce((s, n) => s + (n[key] ?? 0), 0);
    assert.equal(rows.reduce((s, r) => s + r.flops, 0), total('flops'));
    assert.ok(Math.abs(rows.reduce((s, r) => s + r.timeSeconds, 0) - total('timeSeconds')) < 1e-15);
    // The unmapped ReLU still counts in the model's time, so mapped shares add up to less than 1.
    const shares = rows.reduce((s, r) => s + r.share, 0);
    const unmapped = report.nodes.find((n) => n.name === 'node_relu_1');
    assert.ok(unmapped?.timeSeconds);
    assert.ok(Math.abs(shares - (1 - unmapped.timeSeconds / report.totals.timeSeconds)) < 1e-9);
    // "calls": the line `x = self.block(x)` holds the block's conv and add.
    const calls = costsForSourceFile(index, report.nodes, '/ws/tiny_net.py', { scope: 'calls' }).get(lineOf('x = self.block(x)'));
    assert.deepEqual([...(calls?.nodes ?? [])].sort(), [id('node_conv2d_1'), id('node_add')].sort());
  });
});

describe('source map: function bodies inherit their call site', () => {
  it('gives a function-body node the frames and module path of the node that calls the function', () => {
    const bytes = modelProto({
      irVersion: 9,
      opsets: { '': 18, local: 1 },
      graph: {
        name: 'g',
        nodes: [{ op: 'Gelu', domain: 'local', name: 'node_gelu', inputs: ['x'], outputs: ['y'], metadata: { [TORCH_METADATA_KEYS.stackTrace]: 'File "/m/net.py", line 12, in forward\n    return self.act(x)', [TORCH_METADATA_KEYS.nameScopes]: "['', 'act', 'gelu']" } }],
        inputs: [valueInfo('x', FLOAT, [2, 8])],
        outputs: [valueInfo('y', FLOAT, [2, 8])],
      },
      functions: [{ name: 'Gelu', domain: 'local', inputs: ['a'], outputs: ['b'], nodes: [{ op: 'Relu', inputs: ['a'], outputs: ['b'] }], opsets: { '': 18 } }],
    }).toBytes();
    const analysis = analyzeModel(bytesSource(bytes));
    assert.ok(analysis.model && analysis.inference);
    const index = buildSourceIndex(analysis.model, analysis.inference);
    const body = [...index.nodes.values()].find((n) => n.opType === 'Relu');
    assert.ok(body && body.id.includes('/'), 'the function body is expanded under its call site');
    assert.equal(body.inherited, true);
    assert.equal(body.userFrame?.line, 12);
    assert.equal(body.modulePath, 'act');
    // Without the inference, ids of expanded bodies still resolve to the call site.
    const bare = buildSourceIndex(analysis.model);
    assert.equal(sourceOfNode(bare, body.id)?.userFrame?.line, 12);
  });
});

describe('source map: matching exported paths to workspace files', () => {
  it('scores the longest common path suffix, normalising separators, drive letters and dot segments', () => {
    assert.equal(matchSourceFile('/home/alice/proj/models/net.py', '/Users/bob/code/proj/models/net.py'), 3);
    assert.equal(matchSourceFile('C:\\Users\\bob\\proj\\models\\net.py', '/home/alice/proj/models/net.py'), 3);
    assert.equal(matchSourceFile('/a/scripts/../models/./net.py', '/b/models/net.py'), 2);
    assert.equal(matchSourceFile('/a/models/net.py', '/a/models/other.py'), 0);
    // Case folds only when a Windows path is involved.
    assert.equal(matchSourceFile('C:\\Proj\\Net.py', '/x/proj/net.py'), 2);
    assert.equal(matchSourceFile('/a/Proj/Net.py', '/x/proj/net.py'), 0);
  });

  it('picks the best candidate and refuses a tie', () => {
    const candidates = ['/ws/a/models/net.py', '/ws/b/models/net.py', '/ws/a/train.py'];
    assert.deepEqual(bestFileMatch('/home/alice/a/models/net.py', candidates), { file: '/ws/a/models/net.py', segments: 3 });
    assert.equal(bestFileMatch('/home/alice/c/models/net.py', candidates), null);
    assert.equal(bestFileMatch('/home/alice/c/missing.py', candidates), null);
  });
});
