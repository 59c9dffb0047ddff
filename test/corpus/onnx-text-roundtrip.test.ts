/**
 * Binary model → ONNX text → model again must analyse the same: for every real model in the shared
 * corpus and every 10th ONNX backend node test, the text re-parses without syntax errors, has the same
 * nodes and op types, the layout's node ids are the ids the shape engine reports, every node output has
 * the same inferred type as from the binary, and rendering is deterministic and idempotent
 * (render(parse(render(m))) is the same text, with the same layout).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeModel, analyzeText, ModelAnalysis } from '../../server/src/analysis/analyze';
import { Graph } from '../../server/src/analysis/ir/graph';
import { typeToString } from '../../server/src/analysis/ir/types';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { TextLayout } from '../../server/src/analysis/onnx/text/layout';
import { functionPath, renderModel } from '../../server/src/analysis/onnx/text/printer';
import { CORPUS, corpusPrerequisite, listModels } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';
import { listNodeTests } from './oracle';

const MODELS = path.join(CORPUS, 'models');
const OPTIONS = { trustDeclaredShapes: false } as const;


/** Every 10th node test; all of them with RIDGEPOINT_TEXT_ALL_NODE_TESTS=1. None without the corpus (the suite's prerequisite fails then). */
function nodeTestSample(): string[] {
  if (!fs.existsSync(path.join(CORPUS, 'onnx-backend/node'))) return [];
  const step = process.env.RIDGEPOINT_TEXT_ALL_NODE_TESTS === '1' ? 1 : 10;
  return listNodeTests()
    .filter((_, i) => i % step === 0)
    .map((dir) => path.join(dir, 'model.onnx'));
}

/** `domain.Op` of every node, subgraphs and function bodies included, in text order. */
function opTypes(graph: Graph): string[] {
  const out: string[] = [];
  for (const node of graph.nodes) {
    out.push(node.domain === '' ? node.opType : `${node.domain}.${node.opType}`);
    for (const attr of node.attributes.values()) {
      if (attr.type === 'graph') out.push(...opTypes(attr.value));
      else if (attr.type === 'graphs') for (const g of attr.value) out.push(...opTypes(g));
    }
  }
  return out;
}

function outputTypes(analysis: ModelAnalysis): string[] {
  return (analysis.inference?.nodes ?? []).map((n) => `${n.id} ${n.node.opType}: ${n.outputs.map((o) => `${o.name}=${typeToString(o.type)}`).join(', ')}`);
}

/**
 * Every id the engine reports is a statement in the layout: directly, or (for a node of an expanded
 * function body, `<call>/<Fn>/n<i>`) as that function's body statement `fn:<domain>::<Fn>/n<i>`.
 */
function assertIdsInLayout(analysis: ModelAnalysis, layout: TextLayout): void {
  const ids = new Set(layout.nodes.map((n) => n.id));
  const model = analysis.model;
  assert.ok(model);
  for (const record of analysis.inference?.nodes ?? []) {
    if (ids.has(record.id)) continue;
    const match = /\/([^/]+)\/(n\d+)$/.exec(record.id);
    const fn = match === null ? undefined : model.functions.find((f) => f.name === match[1]);
    assert.ok(fn && match && ids.has(`${functionPath(fn.domain, fn.name, fn.overload)}/${match[2]}`), `engine node ${record.id} has no statement in the layout`);
  }
  // And every main-graph statement is a node the engine analysed.
  const engineIds = new Set((analysis.inference?.nodes ?? []).map((n) => n.id));
  for (const span of layout.nodes) if (/^n\d+$/.test(span.id)) assert.ok(engineIds.has(span.id), `layout statement ${span.id} is no engine node`);
}

function checkRoundTrip(file: string): void {
  const binary = analyzeModel(bytesSource(new Uint8Array(fs.readFileSync(file))), OPTIONS);
  assert.ok(binary.model, `binary model reads: ${binary.diagnostics[0]?.message ?? ''}`);
  const rendered = renderModel(binary.model);
  assert.equal(renderModel(binary.model).text, rendered.text, 'rendering is deterministic');

  const text = analyzeText(rendered.text, OPTIONS);
  const syntax = text.diagnostics.filter((d) => d.code.startsWith('text.') && d.severity !== 'info').map((d) => `${d.code} @${d.location?.offset}: ${d.message}`);
  assert.deepEqual(syntax, [], 'the rendered text parses without syntax diagnostics');
  assert.ok(text.model, 'the text yields a model');

  assert.equal(text.model.graph.nodes.length, binary.model.graph.nodes.length, 'main-graph node count');
  assert.deepEqual(opTypes(text.model.graph), opTypes(binary.model.graph), 'op types');
  assert.deepEqual(text.model.functions.map((f) => opTypes({ ...text.model!.graph, nodes: f.nodes })), binary.model.functions.map((f) => opTypes({ ...binary.model!.graph, nodes: f.nodes })), 'function bodies');
  assert.deepEqual(text.layout, rendered.layout, 'the parsed layout is the rendered layout');
  assertIdsInLayout(binary, rendered.layout);
  assert.deepEqual(outputTypes(text), outputTypes(binary), 'inferred node output types');

  const again = renderModel(text.model);
  assert.equal(again.text, rendered.text, 'render(parse(render(m))) is the same text');
}

describe('ONNX text round trip over the shared corpus', function () {
  this.timeout(120000);
  requireInSuite(corpusPrerequisite('models'), corpusPrerequisite('onnx-backend/node'));
  const models = listModels(MODELS);
  const nodeTests = nodeTestSample();

  it('finds the corpus', () => {
    assert.ok(models.length >= 10, `found ${models.length} models`);
    assert.ok(nodeTests.length >= 100, `found ${nodeTests.length} sampled node tests`);
  });

  for (const file of models) {
    it(`models/${path.relative(MODELS, file).split(path.sep).join('/')}`, () => checkRoundTrip(file));
  }

  describe('every 10th ONNX backend node test', () => {
    for (const file of nodeTests) {
      it(path.basename(path.dirname(file)), () => checkRoundTrip(file));
    }
  });
});
