import { strict as assert } from 'node:assert';
import { buildCostTree, CostTreeInput, CostTreeNode, pruneCostTree } from '../../server/src/analysis/cost-tree';
import { moduleNamePaths, pytorchScopeOf, scopeNamingOf } from '../../server/src/analysis/scope';

/** A report node as the profile gives it; times are per model run, FLOPs and bytes per execution. */
function node(id: string, name: string, opType: string, cost: Partial<CostTreeInput> = {}): CostTreeInput {
  return { id, name, opType, timeSeconds: 0, flops: 0, bytesRead: 0, bytesWritten: 0, bound: 'none', counted: true, modelled: true, executions: 1, ...cost };
}

const us = 1e-6;

function child(row: CostTreeNode, name: string): CostTreeNode {
  const found = row.children.find((c) => c.name === name);
  assert.ok(found, `${row.name || 'root'} has a child ${name}; it has ${row.children.map((c) => c.name).join(', ')}`);
  return found;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
}

describe('cost tree', () => {
  // A torch.onnx.export-style graph, costs chosen by hand.
  const exported: CostTreeInput[] = [
    node('n0', 'Identity_0', 'Identity'),
    node('n1', '/layer1/layer1.0/conv1/Conv', 'Conv', { timeSeconds: 4 * us, flops: 100, bytesRead: 30, bytesWritten: 10, bound: 'compute' }),
    node('n2', '/layer1/layer1.0/relu/Relu', 'Relu', { timeSeconds: 1 * us, flops: 5, bytesRead: 20, bytesWritten: 20, bound: 'memory' }),
    node('n3', '/layer1/layer1.0/Add', 'Add', { timeSeconds: 2 * us, flops: 5, bytesRead: 40, bytesWritten: 20, bound: 'memory' }),
    node('n4', '/layer1/layer1.1/conv1/Conv', 'Conv', { timeSeconds: 3 * us, flops: 80, bytesRead: 30, bytesWritten: 10, bound: 'compute' }),
    node('n5', '/fc/Gemm', 'Gemm', { timeSeconds: 2 * us, flops: 7, bytesRead: 3, bytesWritten: 1, bound: 'compute', executions: 2 }),
    node('n6', '/fc/Custom', 'Custom', { modelled: false, reason: 'no cost formula for Custom' }),
    node('n7', '/layer1/layer1.0/Loop', 'Loop', { timeSeconds: 9 * us, flops: 1, bytesRead: 1, bytesWritten: 1, bound: 'memory', counted: false }),
  ];

  it('adds up time, FLOPs and bytes per module, with shares of the model', () => {
    const root = buildCostTree(exported, { naming: 'onnx', modelName: 'resnet.onnx' });
    assert.ok(root);
    assert.equal(root.kind, 'model');
    assert.equal(root.name, 'resnet.onnx');
    // Counted ops: 4 + 1 + 2 + 3 + 2 = 12 µs; the Loop is not counted, Custom not modelled.
    close(root.timeSeconds, 12 * us, 'model time');
    assert.equal(root.share, 1);
    // FLOPs per run: 100 + 5 + 5 + 80 + 2×7 = 204; bytes: 40 + 40 + 60 + 40 + 2×4 = 188.
    assert.equal(root.flops, 204);
    assert.equal(root.bytes, 188);
    assert.equal(root.nodeCount, 8);
    assert.equal(root.revealNodeId, 'n1');

    const layer1 = child(root, 'layer1');
    assert.equal(layer1.kind, 'module');
    assert.equal(layer1.path, 'layer1');
    close(layer1.timeSeconds, 10 * us, 'layer1 time');
    close(layer1.share, 10 / 12, 'layer1 share');
    assert.equal(layer1.flops, 190);
    assert.equal(layer1.nodeCount, 5);
    // Compute holds 7 of 10 µs (≥ 60%).
    assert.equal(layer1.bound, 'compute');

    const block0 = child(layer1, '0');
    assert.equal(block0.path, 'layer1 › 0');
    close(block0.timeSeconds, 7 * us, 'layer1.0 time');
    // Compute 4 of 7 µs (57%) and memory 3 of 7: no majority.
    assert.equal(block0.bound, 'mixed');
    assert.equal(block0.revealNodeId, 'n1');
    assert.match(block0.note ?? '', /1 op not counted/);
    // A module with one op is that op's row, under the module's name.
    const conv1 = child(block0, 'conv1');
    assert.equal(conv1.kind, 'op');
    assert.equal(conv1.opType, 'Conv');
    assert.equal(conv1.revealNodeId, 'n1');
    assert.equal(conv1.path, 'layer1 › 0 › conv1');
    const loop = child(block0, 'Loop');
    assert.equal(loop.timeSeconds, 0);
    assert.match(loop.note ?? '', /not counted/);

    // layer1.1 holds only conv1, which holds only a Conv: one row.
    const block1 = child(layer1, '1 › conv1');
    assert.equal(block1.kind, 'op');
    close(block1.timeSeconds, 3 * us, 'layer1.1 time');

    const fc = child(root, 'fc');
    close(fc.timeSeconds, 2 * us, 'fc time');
    assert.equal(fc.flops, 14);
    assert.match(fc.note ?? '', /1 op not modelled: not in the time/);
    assert.match(child(fc, 'Custom').note ?? '', /not modelled: no cost formula for Custom/);
  });

  it('sorts children by time, costliest first, equal times in the model order', () => {
    const root = buildCostTree(exported, { naming: 'onnx', modelName: 'm' });
    assert.ok(root);
    assert.deepEqual(
      root.children.map((c) => c.name),
      ['layer1', 'fc'],
    );
    // Identity launches no kernel and costs nothing: counted under the model, not listed.
    assert.equal(root.noKernelOps, 1);
    assert.deepEqual(
      child(child(root, 'layer1'), '0').children.map((c) => c.name),
      ['conv1', 'Add', 'relu', 'Loop'],
    );
    const repeated = buildCostTree(
      [0, 1, 2].map((i) => node(`n${i}`, `/encoder/layers/encoder_layer_${i}/mlp/MatMul`, 'MatMul', { timeSeconds: us, bound: 'compute' })),
      { naming: 'onnx', modelName: 'm' },
    );
    assert.ok(repeated);
    // encoder › layers collapses into one row; the three identical layers stay three rows, in order.
    const layers = child(repeated, 'encoder › layers');
    assert.deepEqual(
      layers.children.map((c) => c.name),
      ['encoder_layer_0 › mlp', 'encoder_layer_1 › mlp', 'encoder_layer_2 › mlp'],
    );
  });

  it('prunes to the costliest children per row, summing the rest (the panel’s copy)', () => {
    // Five top-level ops of 5, 4, 3, 2 and 1 µs out of 15 µs.
    const flat = buildCostTree(
      [1, 2, 3, 4, 5].map((t) => node(`n${t}`, `Op_${t}`, 'Relu', { timeSeconds: t * us, bound: 'memory' })),
      { naming: 'onnx', modelName: 'm' },
    );
    assert.ok(flat);
    const pruned = pruneCostTree(flat, 2);
    assert.deepEqual(
      pruned.children.map((c) => c.name),
      ['Op_5', 'Op_4'],
    );
    assert.ok(pruned.more);
    assert.equal(pruned.more.count, 3);
    close(pruned.more.timeSeconds, 6 * us, 'the three cheapest');
    close(pruned.more.share, 6 / 15, 'their share');
    assert.equal(pruned.timeSeconds, flat.timeSeconds);
    assert.equal(pruneCostTree(flat, 5).more, undefined);
  });

  it('is null without costs', () => {
    assert.equal(buildCostTree([], { naming: 'onnx', modelName: 'm' }), null);
    assert.equal(buildCostTree([{ id: 'n0', name: 'a', opType: 'Relu' }], { naming: 'onnx', modelName: 'm' }), null);
  });

  it('reads the PyTorch source frontend: module paths, buffers in their layer, `#1` a second call, entry ops at the top', () => {
    const nodes = [
      node('n0', 'conv1', 'Conv', { timeSeconds: 5 * us, bound: 'compute' }),
      node('n1', 'bn1.running_mean/Constant', 'Constant'),
      node('n2', 'bn1', 'BatchNormalization', { timeSeconds: 2 * us, bound: 'memory' }),
      node('n3', 'layer1.0.conv1', 'Conv', { timeSeconds: 4 * us, bound: 'compute' }),
      node('n4', 'layer1.0.relu', 'Relu', { timeSeconds: 1 * us, bound: 'memory' }),
      node('n5', 'layer1.0/Add', 'Add', { timeSeconds: 1 * us, bound: 'memory' }),
      node('n6', 'layer1.0.relu#1', 'Relu', { timeSeconds: 1 * us, bound: 'memory' }),
      node('n7', 'Flatten', 'Flatten'),
      node('n8', 'fc', 'MatMul', { timeSeconds: 3 * us, bound: 'compute' }),
      node('n9', 'fc/Add', 'Add', { timeSeconds: 1 * us, bound: 'memory' }),
    ];
    assert.equal(scopeNamingOf('ridgepoint-pytorch-source'), 'module-path');
    const root = buildCostTree(nodes, { naming: 'module-path', modelName: 'resnet.py' });
    assert.ok(root);
    assert.deepEqual(
      root.children.map((c) => c.name),
      ['layer1 › 0', 'conv1', 'fc', 'bn1'],
    );
    const block = child(root, 'layer1 › 0');
    close(block.timeSeconds, 7 * us, 'layer1.0');
    const relu = child(block, 'relu');
    assert.deepEqual(
      relu.children.map((c) => c.name),
      ['Relu', 'Relu #1'],
    );
    close(relu.timeSeconds, 2 * us, 'relu called twice');
    assert.deepEqual(
      child(root, 'bn1').children.map((c) => c.name),
      ['BatchNormalization'],
    );
    assert.equal(child(root, 'bn1').noKernelOps, 1, 'its running_mean Constant: no kernel');
    // Flatten is a view (no kernel): counted, not a row.
    assert.equal(root.noKernelOps, 1);
    assert.equal(child(root, 'fc').nodeCount, 2);
  });

  it('reads traced names (`module/Op`, `/Op` for the entry) the same way', () => {
    const nodes = [
      node('n0', 'layer1.0.conv1/Conv', 'Conv', { timeSeconds: 4 * us, bound: 'compute' }),
      node('n1', 'layer1.0.conv1/Conv#1', 'Conv', { timeSeconds: 4 * us, bound: 'compute' }),
      node('n2', 'layer1.0/Add', 'Add', { timeSeconds: 1 * us, bound: 'memory' }),
      node('n3', '/Flatten', 'Flatten'),
    ];
    const root = buildCostTree(nodes, { naming: scopeNamingOf('ridgepoint-pytorch-trace'), modelName: 'm' });
    assert.ok(root);
    const block = child(root, 'layer1 › 0');
    assert.deepEqual(
      child(block, 'conv1').children.map((c) => c.name),
      ['Conv', 'Conv#1'],
    );
    assert.equal(root.noKernelOps, 1, 'the entry\'s Flatten: a view, counted but not listed');
  });

  it('reads Hugging Face config graphs: the attention op inside its module, one row per layer', () => {
    const layer = (i: number): CostTreeInput[] => [
      node(`q${i}`, `model.layers.${i}.self_attn.q_proj`, 'MatMul', { timeSeconds: 3 * us, bound: 'compute' }),
      node(`a${i}`, `model.layers.${i}.self_attn`, 'GroupQueryAttention', { timeSeconds: 2 * us, bound: 'memory' }),
      node(`r${i}`, `model.layers.${i}.residual_attn`, 'Add', { timeSeconds: 1 * us, bound: 'memory' }),
    ];
    const nodes = [node('e', 'model.embed_tokens', 'Gather', { timeSeconds: us, bound: 'memory' }), ...layer(0), ...layer(1), node('g', 'lm_head.last_position', 'Gather', { timeSeconds: us, bound: 'memory' }), node('h', 'lm_head', 'Gemm', { timeSeconds: 5 * us, bound: 'memory' })];
    assert.equal(scopeNamingOf('ridgepoint-hf-config'), 'module-path');
    const root = buildCostTree(nodes, { naming: 'module-path', modelName: 'config.json' });
    assert.ok(root);
    const model = child(root, 'model');
    const layers = child(model, 'layers');
    assert.deepEqual(
      layers.children.map((c) => c.name),
      ['0', '1'],
    );
    const attention = child(child(layers, '0'), 'self_attn');
    assert.deepEqual(
      attention.children.map((c) => c.name),
      ['q_proj', 'GroupQueryAttention'],
    );
    close(child(layers, '0').timeSeconds, 6 * us, 'one decoder layer');
    assert.deepEqual(
      child(root, 'lm_head').children.map((c) => c.name),
      ['Gemm', 'last_position'],
    );
  });

  it('puts subgraph and function-body nodes under the node that holds them', () => {
    const nodes = [
      node('n0', '/block/If', 'If'),
      node('n0/then_branch/n0', '/whatever/Add', 'Add', { timeSeconds: 2 * us, bound: 'memory' }),
      node('n0/else_branch/n0', '/other/Mul', 'Mul', { timeSeconds: 3 * us, bound: 'memory', counted: false }),
      node('n1', 'call', 'MyFunction'),
      node('n1/MyFunction/n0', 'inner', 'Relu', { timeSeconds: us, bound: 'memory' }),
    ];
    const root = buildCostTree(nodes, { naming: 'onnx', modelName: 'm' });
    assert.ok(root);
    // `block` holds only the If's module: one row.
    const ifModule = child(root, 'block › If');
    close(ifModule.timeSeconds, 2 * us, 'the counted branch');
    assert.deepEqual(
      ifModule.children.map((c) => c.name),
      ['then_branch', 'else_branch'],
    );
    // The If itself launches no kernel: its branches are its rows.
    assert.equal(ifModule.noKernelOps, 1);
    assert.equal(child(ifModule, 'then_branch').opType, 'Add');
    assert.match(child(ifModule, 'else_branch').note ?? '', /not counted/);
    // A function's name is the holder's op type: its body sits right under the call.
    const call = child(root, 'call');
    assert.deepEqual(
      call.children.map((c) => c.name),
      ['inner'],
    );
    assert.equal(call.noKernelOps, 1, 'the call node itself launches no kernel; its body does');
  });
});

describe('module scopes of the PyTorch frontends', () => {
  it('finds module paths in node names, without op-type names or buffer constants', () => {
    const paths = moduleNamePaths([
      { name: 'layer1.0.conv1', opType: 'Conv' },
      { name: 'bn1.running_mean/Constant', opType: 'Constant' },
      { name: 'attn/Softmax', opType: 'Softmax' },
      { name: 'Flatten', opType: 'Flatten' },
      { name: 'layer1.0.relu#1', opType: 'Relu' },
    ]);
    assert.deepEqual([...paths].sort(), ['attn', 'layer1', 'layer1.0', 'layer1.0.conv1', 'layer1.0.relu']);
    const isModule = (p: string): boolean => paths.has(p);
    assert.deepEqual(pytorchScopeOf('layer1.0.relu#1', isModule), ['layer1', '0', 'relu']);
    assert.deepEqual(pytorchScopeOf('layer1.0.conv1.weight/Constant', isModule), ['layer1', '0', 'conv1']);
    assert.deepEqual(pytorchScopeOf('Flatten', isModule), []);
  });
});
