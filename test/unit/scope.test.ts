import { strict as assert } from 'node:assert';
import { onnxScopeOf, pytorchScopeOf, scopeLabel } from '../../server/src/analysis/scope';

describe('module scopes from node names', () => {
  it('reads torch.onnx.export names: one segment per module, the op dropped, container prefixes cut', () => {
    assert.deepEqual(onnxScopeOf('/encoder/layers/encoder_layer_0/self_attention/Gather_6'), ['encoder', 'layers', 'encoder_layer_0', 'self_attention']);
    assert.deepEqual(onnxScopeOf('/layer1/layer1.0/conv1/Conv'), ['layer1', '0', 'conv1']);
    assert.deepEqual(onnxScopeOf('/Conv_0'), []);
    assert.equal(scopeLabel(onnxScopeOf('/layer1/layer1.0/downsample/downsample.0/Conv')), 'layer1 › 0 › downsample › 0');
  });

  it('gives names without structure the top level', () => {
    assert.deepEqual(onnxScopeOf('p2o.Conv.0'), []);
    assert.deepEqual(onnxScopeOf(''), []);
    assert.deepEqual(onnxScopeOf('StatefulPartitionedCall/model/conv2d/Conv2D'), ['StatefulPartitionedCall', 'model', 'conv2d']);
  });

  it('reads the PyTorch frontend: dotted module paths, `/Op` suffixes, entry-level ops at the top', () => {
    const modules = new Set(['block.0', 'block.1', 'fc', 'layer1.0.conv1']);
    const isModule = (p: string): boolean => modules.has(p);
    assert.deepEqual(pytorchScopeOf('layer1.0.conv1', isModule), ['layer1', '0', 'conv1']);
    assert.deepEqual(pytorchScopeOf('fc/Add', isModule), ['fc']);
    assert.deepEqual(pytorchScopeOf('ReduceMean', isModule), []);
  });
});
