/**
 * ONNX's other backend corpora: multi-op models converted from PyTorch, "simple" graphs, and the
 * light/ model-zoo CNNs (ResNet-50, DenseNet-121, Inception, VGG-19, …). Every output shape must match.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusPrerequisite } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';
import { CORPUS, listBackendTests, runLightModel, runNodeTest } from './oracle';

describe('shape inference vs ONNX backend model tests', function () {
  this.timeout(300_000);
  requireInSuite(corpusPrerequisite('onnx-backend'));

  for (const kind of ['simple', 'pytorch-converted', 'pytorch-operator']) {
    it(`${kind}: every test's outputs match the recorded ones`, () => {
      const results = listBackendTests(kind).map((dir) => runNodeTest(dir));
      assert.ok(results.length >= 20, `expected the ${kind} corpus, found ${results.length} tests`);
      assert.deepEqual(results.filter((r) => !r.pass).map((r) => `${r.test}: ${r.reason}`), []);
    });
  }

  it('light/ model-zoo CNNs: the output shape matches the reference output', () => {
    const dir = path.join(CORPUS, 'onnx-backend/light');
    const models = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => path.join(dir, f));
    assert.ok(models.length >= 5);
    const results = models.map(runLightModel);
    assert.deepEqual(results.filter((r) => !r.pass).map((r) => `${r.test}: ${r.reason}`), []);
  });
});
