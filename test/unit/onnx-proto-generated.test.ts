import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The checked-in ONNX protobuf code (server/src/analysis/onnx/proto/) is what `npm run generate` makes
 * from the vendored onnx.proto with the installed protobufjs-cli: the .js files are regenerated here
 * (pbjs, under a second each) and compared byte for byte; the .d.ts files (pbts runs jsdoc, seconds)
 * are checked through the hashes their header records: the .js they came from, and their own text.
 */

const ROOT = path.resolve(__dirname, '../..');
const PROTO_DIR = path.join(ROOT, 'server/src/analysis/onnx/proto');
const GENERATOR = path.join(ROOT, 'scripts/generate-onnx-proto.mjs');

interface GeneratedModule {
  readonly name: string;
}
interface Generator {
  readonly MODULES: readonly GeneratedModule[];
  generateModule(module: GeneratedModule): Promise<string>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const read = (name: string): string => fs.readFileSync(path.join(PROTO_DIR, name), 'utf8');

async function loadGenerator(): Promise<Generator> {
  return (await import(pathToFileURL(GENERATOR).href)) as Generator;
}

describe('generated ONNX protobuf code', () => {
  it('the vendored onnx.proto is the upstream text its header names', () => {
    const text = read('onnx.proto');
    const recorded = /^\/\/ upstream-sha256: ([0-9a-f]{64})$/m.exec(text)?.[1];
    assert.ok(recorded, 'onnx.proto header records no upstream-sha256');
    // The header ends at the first blank line; everything after it is upstream's file, unchanged.
    const upstream = text.slice(text.indexOf('\n\n') + 2);
    assert.equal(sha256(upstream), recorded, 'onnx.proto below its header was edited: vendor a release file unchanged and record its hash');
    assert.match(upstream, /^syntax = "proto2";$/m);
  });

  it('each .js equals a fresh generation from onnx.proto', async function () {
    this.timeout(60_000);
    const generator = await loadGenerator();
    assert.deepEqual(generator.MODULES.map((m) => m.name).sort(), ['onnx-decode', 'onnx-encode']);
    for (const module of generator.MODULES) {
      const fresh = await generator.generateModule(module);
      assert.ok(fresh === read(`${module.name}.js`), `${module.name}.js differs from a fresh generation: run \`npm run generate\``);
    }
  });

  it('each .d.ts was made from the checked-in .js and not edited since', () => {
    for (const name of ['onnx-decode', 'onnx-encode']) {
      const declarations = read(`${name}.d.ts`);
      const from = new RegExp(`^// from ${name}\\.js \\(sha256 ([0-9a-f]{64})\\), by pbts$`, 'm').exec(declarations)?.[1];
      const own = /^\/\/ declarations-sha256 ([0-9a-f]{64})$/m.exec(declarations);
      assert.ok(from && own, `${name}.d.ts has no generator header`);
      assert.equal(from, sha256(read(`${name}.js`)), `${name}.d.ts was made from another ${name}.js: run \`npm run generate\``);
      const body = declarations.slice(own.index + own[0].length + 1);
      assert.equal(sha256(body), own[1], `${name}.d.ts was edited by hand: run \`npm run generate\``);
    }
  });
});
