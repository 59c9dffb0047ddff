// Bundles the CLI, the benchmark and the HTML report's page (media/) with esbuild. One bundler for the whole extension.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// web-tree-sitter's ESM build reads import.meta.url, which is empty in a CommonJS bundle: bundle its CJS build.
// jsonc-parser's main (UMD) requires its parts through a wrapper esbuild cannot follow: bundle its ESM build.
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs', 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' } };

// 1. The report page: one browser script (ECharts included) and one stylesheet, written to dist/media/,
//    where the CLI reads them when it writes an HTML report (and the webview will load them).
const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2020', minify: true, legalComments: 'eof', define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'warning' };
const [page, css] = await Promise.all([
  build({ ...browser, entryPoints: ['media/src/report-page.ts'], write: false, outfile: 'dist/media/report-page.js' }),
  build({ entryPoints: ['media/src/report.css'], bundle: true, minify: true, write: false, outfile: 'dist/media/report.css', logLevel: 'warning' }),
  // The roofline webview's script and stylesheet (client/src/roofline-panel.ts loads both from dist/media/).
  build({ ...browser, entryPoints: ['media/src/roofline-panel.ts'], outfile: 'dist/media/roofline-panel.js' }),
  // The decode sweep webview's script (client/src/sweep-panel.ts; it shares panel.css).
  build({ ...browser, entryPoints: ['media/src/sweep-panel.ts'], outfile: 'dist/media/sweep-panel.js' }),
  build({ entryPoints: ['media/src/panel.css'], bundle: true, minify: true, outfile: 'dist/media/panel.css', logLevel: 'warning' }),
]);
const text = (result) => new TextDecoder().decode(result.outputFiles[0].contents);
const assets = { script: text(page), css: text(css) };
mkdirSync('dist/media', { recursive: true });
writeFileSync('dist/media/report-page.js', assets.script);
writeFileSync('dist/media/report.css', assets.css);

// 2. The CLI, minified because its start-up (parsing the bundle) is a visible share of a profile run.
await Promise.all([
  // onnxruntime-node (an optional dependency, for `measure` and `calibrate`) stays a runtime require: it
  // loads native binaries from its own folder, and a missing install must fail only those commands.
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli-main.js', minify: true, keepNames: true, external: ['onnxruntime-node'] }),
  // dist/cli.js starts dist/cli-main.js from V8's code cache (server/src/cli/launch.ts; the cache is step 6).
  build({ ...common, entryPoints: ['server/src/cli/launch.ts'], outfile: 'dist/cli.js', minify: true, banner: { js: '#!/usr/bin/env node' } }),
  // playwright-core stays a runtime require: it cannot be bundled (it resolves its own files at run time).
  build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js', external: ['playwright-core', 'onnxruntime-node'] }),
  // 3. The language server (stdio for any LSP editor, IPC when the VS Code client forks it) and the client.
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js', minify: true, keepNames: true }),
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true, keepNames: true }),
]);

// 4. The PyTorch source frontend's parser: the tree-sitter runtime and Python grammar (wasm), loaded by
//    the CLI and the language server from next to their bundles (server/src/cli/profile-python.ts).
copyFileSync('node_modules/web-tree-sitter/tree-sitter.wasm', 'dist/tree-sitter.wasm');
copyFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm');

// 5. Traced mode's tracer, run by the CLI and the language server in the user's Python from dist/python/
//    (server/src/python-env/trace-script.ts).
mkdirSync('dist/python', { recursive: true });
copyFileSync('server/python/ridgepoint_trace.py', 'dist/python/ridgepoint_trace.py');

// 6. The CLI's code cache (server/src/cli/launch.ts): the bytecode of every function a profile run of the
//    bundled example compiles, written when that run ends. Only a speed-up: a CLI without it compiles as usual.
const cacheRun = spawnSync(process.execPath, ['dist/cli.js', 'profile', 'examples/tiny-vit.onnx', '--dim', 'batch=1', '--format', 'json'], {
  env: { ...process.env, RIDGEPOINT_WRITE_CODE_CACHE: 'dist/cli-main.cache' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (cacheRun.status !== 0) throw new Error(`writing the CLI's code cache: the profile run exited with ${cacheRun.status ?? cacheRun.signal}`);
