/**
 * Fuzz: ≥10,000 mutated and truncated variants of real corpus models. Every variant must analyse and
 * profile without an exception and without an internal-error diagnostic (a rule that crashed, caught by
 * the engine or the cost model: check-variant.ts), within 2 s, and a model that cannot be read must come
 * with an error diagnostic. Deterministic (seeded), so a failure names a reproducible variant.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listBackendTests, listNodeTests } from '../corpus/oracle';
import { CORPUS, corpusPrerequisite, listModels } from '../support/corpus';
import { requireInSuite } from '../support/prerequisites';
import { checkVariant } from './check-variant';

const VARIANTS = 10_000;
const LIMIT_MS = 2000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedModels(): Array<{ name: string; bytes: Uint8Array }> {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.onnx')) files.push(full);
    }
  };
  walk(path.join(CORPUS, 'models'));
  // A spread of operator tests (control flow, sequences, functions) as well as the real models.
  const nodeTests = listNodeTests();
  for (let i = 0; i < nodeTests.length; i += 15) files.push(path.join(nodeTests[i] as string, 'model.onnx'));
  files.push(path.resolve(__dirname, '../../examples/tiny-vit.onnx'));
  return files.map((f) => ({ name: path.relative(CORPUS, f), bytes: new Uint8Array(fs.readFileSync(f)) }));
}

type Mutation = (bytes: Uint8Array, rand: () => number) => Uint8Array;

const at = (n: number, rand: () => number): number => Math.floor(rand() * Math.max(1, n));

const MUTATIONS: Array<[string, Mutation]> = [
  ['truncate', (b, r) => b.slice(0, at(b.length, r))],
  ['flip bytes', (b, r) => {
    const out = b.slice();
    for (let i = 0, n = 1 + at(8, r); i < n; i++) out[at(out.length, r)] = at(256, r);
    return out;
  }],
  ['huge varint', (b, r) => {
    const out = b.slice();
    const p = at(out.length - 5, r);
    out.set([0xff, 0xff, 0xff, 0xff, 0x0f], Math.max(0, p));
    return out;
  }],
  ['insert junk', (b, r) => {
    const p = at(b.length, r);
    const junk = Uint8Array.from({ length: 1 + at(64, r) }, () => at(256, r));
    return Uint8Array.from([...b.subarray(0, p), ...junk, ...b.subarray(p)]);
  }],
  ['delete chunk', (b, r) => {
    const p = at(b.length, r);
    return Uint8Array.from([...b.subarray(0, p), ...b.subarray(p + 1 + at(64, r))]);
  }],
  ['duplicate chunk', (b, r) => {
    const p = at(b.length, r);
    const chunk = b.subarray(p, p + 1 + at(256, r));
    return Uint8Array.from([...b.subarray(0, p), ...chunk, ...chunk, ...b.subarray(p + chunk.length)]);
  }],
  ['random bytes', (b, r) => Uint8Array.from({ length: at(Math.min(b.length, 4096), r) }, () => at(256, r))],
];

describe('fuzz: corpus models as they are and mutated', function () {
  this.timeout(600_000);
  requireInSuite(corpusPrerequisite('models'), corpusPrerequisite('onnx-backend/node'));

  it('every unmutated corpus file (operator, backend and light tests, real models) analyses and profiles without an internal error', () => {
    const backend = ['node', 'simple', 'pytorch-converted', 'pytorch-operator'].flatMap((kind) => (kind === 'node' ? listNodeTests() : listBackendTests(kind)).map((dir) => path.join(dir, 'model.onnx')));
    const files = [...backend, ...listModels(path.join(CORPUS, 'onnx-backend/light')), ...listModels(path.join(CORPUS, 'models'))];
    assert.ok(files.length >= 1900, `expected the whole corpus, found ${files.length} files`);
    const internal = files.flatMap((f) => checkVariant(new Uint8Array(fs.readFileSync(f)), f).internalErrors.map((e) => `${path.relative(CORPUS, f)} ${e}`));
    assert.deepEqual(internal.slice(0, 5), [], `${internal.length} internal errors`);
  });

  it(`analyses ${VARIANTS} mutated/truncated variants with zero crashes and zero internal errors, each under ${LIMIT_MS} ms, every failure a diagnostic`, () => {
    const seeds = seedModels();
    assert.ok(seeds.length >= 100, `expected a broad seed set, got ${seeds.length}`);
    const rand = mulberry32(0x5eed);
    const crashes: string[] = [];
    const slow: string[] = [];
    const silent: string[] = [];
    const internal: string[] = [];
    const byOutcome = new Map<string, number>();
    let worstMs = 0;
    for (let i = 0; i < VARIANTS; i++) {
      const seed = seeds[i % seeds.length] as { name: string; bytes: Uint8Array };
      const [mutationName, mutate] = MUTATIONS[at(MUTATIONS.length, rand)] as [string, Mutation];
      const variant = mutate(seed.bytes, rand);
      const label = `#${i} ${mutationName} of ${seed.name}`;
      const started = performance.now();
      try {
        const { internalErrors, silent: unexplained, outcome } = checkVariant(variant, label);
        if (unexplained) silent.push(label);
        internal.push(...internalErrors.map((e) => `${label}: ${e}`));
        byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
      } catch (error) {
        crashes.push(`${label}: ${error instanceof Error ? error.stack : String(error)}`);
      }
      const ms = performance.now() - started;
      worstMs = Math.max(worstMs, ms);
      if (ms > LIMIT_MS) slow.push(`${label}: ${ms.toFixed(0)} ms`);
    }
    console.log(`      outcomes: ${[...byOutcome].map(([k, v]) => `${k} ${v}`).join(', ')}; slowest ${worstMs.toFixed(0)} ms`);
    assert.deepEqual(crashes.slice(0, 5), [], `${crashes.length} variants crashed`);
    assert.deepEqual(internal.slice(0, 5), [], `${internal.length} internal errors (a rule crashed and the engine or the cost model caught it)`);
    assert.deepEqual(slow.slice(0, 5), [], `${slow.length} variants took over ${LIMIT_MS} ms`);
    assert.deepEqual(silent.slice(0, 5), [], `${silent.length} unreadable variants had no error diagnostic`);
  });
});
