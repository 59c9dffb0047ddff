/**
 * `BENCH_ONLY=cli`: the whole CLI process on a real 300+ MB export (docs/BENCHMARKS.md, "The CLI on a
 * real export"). torchvision's vit_b_16 with its weights (346 MB), exported in the set-up by real torch
 * through the end-to-end suite's helper (test/e2e/vscode/support/real-models.ts: Debian's python3-torch,
 * cached under os.tmpdir()). Each run is a fresh `node dist/cli.js profile FILE --format json`,
 * suggestions included, timed from spawn to exit; the median is compared with a full protobuf
 * decode (protobufjs, the decoders generated from onnx.proto) of the same file, in a fresh process too (the whole-process figure) and inside one (the
 * in-process figure the file benchmark's table gives). Where the time goes: the same runs without
 * suggestions, `--help` (Node plus the bundle's start-up) and a bare `node -e 0`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { realModelExports } from '../test/e2e/vscode/support/real-models';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
/** BENCH_CLI_BASELINE: another build's cli.js, timed in the same interleaved runs (before/after on one machine). */
const BASELINE = process.env.BENCH_CLI_BASELINE ? path.resolve(process.env.BENCH_CLI_BASELINE) : null;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Wall time of one fresh process, spawn to exit (its output read and dropped); throws when it fails. */
function timeProcess(args: readonly string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status ?? r.signal}: ${(r.stderr || '').slice(-500)}`);
  return ms;
}

/** Medians of `runs` interleaved runs of each command (interleaved, so a busy moment hits all alike). */
function measureAll(commands: ReadonlyArray<readonly string[]>, runs: number): number[] {
  const times = commands.map(() => [] as number[]);
  // One untimed run each: the page cache holds the 346 MB file from then on, as it does in the table above.
  for (const args of commands) timeProcess(args);
  for (let i = 0; i < runs; i++) commands.forEach((args, c) => times[c]?.push(timeProcess(args)));
  return times.map(median);
}

export async function cliSection(runs: number): Promise<string> {
  const models = await realModelExports((line) => process.stderr.write(`${line}\n`));
  const file = models.files.vit_b_16;
  const mib = fs.statSync(file).size / 2 ** 20;
  // The baseline: everything a tool that decodes the whole protobuf does before it can look at the graph.
  // The decoders generated from onnx.proto (protobufjs 8), as any protobufjs-based tool would use them.
  const decodeScript = `const { onnx } = require(${JSON.stringify(path.join(ROOT, 'server/src/analysis/onnx/proto/onnx-decode.js'))}); onnx.ModelProto.decode(require('fs').readFileSync(process.argv[1]));`;
  const [cli, noSuggestions, startUp, bare, decode, baseline] = measureAll(
    [
      [CLI, 'profile', file, '--format', 'json'],
      [CLI, 'profile', file, '--format', 'json', '--no-suggestions'],
      [CLI, '--help'],
      ['-e', '0'],
      ['-e', decodeScript, file],
      ...(BASELINE ? [[BASELINE, 'profile', file, '--format', 'json']] : []),
    ],
    runs,
  ) as [number, number, number, number, number, number | undefined];
  // In-process decode: the file benchmark's worker (bench.ts), timed inside its own process.
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/bench.js'), '--worker', 'decode', file], { encoding: 'utf8' });
    inProcess.push((JSON.parse(r.stdout) as { wallMs: number }).wallMs);
  }
  const decodeInProcess = median(inProcess);
  const rows = [
    '| what (each a fresh process) | median wall (ms) |',
    '|---|---:|',
    `| \`ridgepoint profile vit_b_16.onnx --format json\` (suggestions included) | ${cli.toFixed(0)} |`,
    `| the same with \`--no-suggestions\` | ${noSuggestions.toFixed(0)} |`,
    `| \`ridgepoint --help\` (Node and the CLI bundle's start-up) | ${startUp.toFixed(0)} |`,
    `| \`node -e 0\` (Node alone) | ${bare.toFixed(0)} |`,
    `| full protobuf decode (\`readFileSync\` + generated \`ModelProto.decode\`) | ${decode.toFixed(0)} |`,
    `| full protobuf decode, in-process part only (bench.ts worker) | ${decodeInProcess.toFixed(0)} |`,
    ...(BASELINE && baseline !== undefined ? [`| baseline build (${BASELINE}): \`profile --format json\` (suggestions included) | ${baseline.toFixed(0)} |`] : []),
  ];
  const ratio = decode / cli;
  return (
    `\nThe CLI on a real export: torchvision vit_b_16 (${mib.toFixed(0)} MiB, torch ${models.torch}, torchvision ${models.torchvision}), Node ${process.version}, ${runs} runs each (median, interleaved), warm page cache.\n\n${rows.join('\n')}\n\n` +
      `- whole process, suggestions included: ${cli.toFixed(0)} ms, ${ratio.toFixed(1)}x faster than the whole-process full decode (target >= 10x: ${ratio >= 10 ? 'met' : 'MISSED'}); ${(decodeInProcess / cli).toFixed(1)}x against the decode's in-process part alone\n` +
      `- where it goes: Node ${bare.toFixed(0)} ms, bundle start-up ${(startUp - bare).toFixed(0)} ms, read + shapes + costs + report ${(noSuggestions - startUp).toFixed(0)} ms, suggestions ${(cli - noSuggestions).toFixed(0)} ms\n`
  );
}
