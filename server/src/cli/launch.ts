import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/**
 * `dist/cli.js`: starts the CLI bundle (`dist/cli-main.js`, server/src/cli/main.ts) from V8's code
 * cache. Compiling the 0.9 MB bundle, and then each function the run calls, is a visible share of a
 * profile run; Node 22's `module.enableCompileCache` does not exist in Node 20, so the bundle is
 * compiled here through `vm.Script` with `cachedData`: the bytecode of every function a profile run
 * compiled (scripts/build.mjs writes `dist/cli-main.cache` by profiling examples/tiny-vit.onnx with
 * RIDGEPOINT_WRITE_CODE_CACHE set). docs/BENCHMARKS.md has the gain.
 *
 * The cache is only a speed-up, never needed: it is used only when its header holds the SHA-256 of the
 * bundle it was made from (a rebuilt bundle never runs stale bytecode), and V8 itself rejects bytecode
 * from another V8 version or flags; without it the bundle compiles as usual.
 */
const BUNDLE = path.join(__dirname, 'cli-main.js');
const CACHE = path.join(__dirname, 'cli-main.cache');
/** Where to write the code cache when the process ends (the build sets it; nobody else should). */
const WRITE_CACHE = process.env.RIDGEPOINT_WRITE_CODE_CACHE;
const HASH_BYTES = 32;

function readCache(digest: Buffer): Buffer | undefined {
  if (WRITE_CACHE) return undefined;
  let cache: Buffer;
  try {
    cache = fs.readFileSync(CACHE);
  } catch {
    return undefined;
  }
  return cache.length > HASH_BYTES && cache.subarray(0, HASH_BYTES).equals(digest) ? cache.subarray(HASH_BYTES) : undefined;
}

function start(): void {
  const source = fs.readFileSync(BUNDLE);
  const digest = createHash('sha256').update(source).digest();
  const script = new vm.Script(Module.wrap(source.toString('utf8')), {
    filename: BUNDLE,
    cachedData: readCache(digest),
    // web-tree-sitter's loader calls import(): resolved as it would be in a module Node loaded itself.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (WRITE_CACHE) process.once('exit', () => fs.writeFileSync(WRITE_CACHE, Buffer.concat([digest, script.createCachedData()])));
  const bundle = new Module(BUNDLE, module);
  bundle.filename = BUNDLE;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(bundle.exports, bundle.exports, Module.createRequire(BUNDLE), bundle, BUNDLE, __dirname);
}

start();
