/**
 * Compares scripts/gpu-validate/bench.py's measured GPU times with Ridgepoint's predictions.
 *
 *   npx tsx scripts/gpu-validate/compare.ts gpu-results.json [--chip h100|h100-pcie|…] [--peak achievable|datasheet]
 *       [--runtime cuda-graphs|eager|compiled]
 *
 * Each case becomes a one- or few-node ONNX model in textual syntax and goes through the real analysis
 * (shape inference, cost model, roofline on the chip), so the prediction is exactly what `ridgepoint
 * profile` would say. The chip is picked from the JSON's device name (H100 SXM or PCIe, H200, A100, L4…)
 * unless --chip is given; achievable peaks by default. bench.py times bursts of back-to-back calls, in
 * which each launch overlaps the previous kernel, so the measured figure is kernel time: the default
 * runtime here is cuda-graphs (about 1 µs a kernel), not eager. Not part of the test suite.
 */
import * as fs from 'node:fs';
import { analyzeText } from '../../server/src/analysis/analyze';
import { Chip, findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { PeakMode } from '../../server/src/analysis/cost/roofline';
import { isRuntime } from '../../server/src/analysis/cost/runtime';
import { median, spearman } from '../../server/src/analysis/measure/stats';

interface Case {
  name: string;
  op: string;
  dtype: 'fp32' | 'fp16' | 'bf16';
  shape: Record<string, number>;
  median_ms: number;
}

const ONNX_TYPE = { fp32: 'float', fp16: 'float16', bf16: 'bfloat16' } as const;

/** The case as ONNX text: the ops PyTorch runs for it. */
function modelText(c: Case): string {
  const t = ONNX_TYPE[c.dtype];
  const s = c.shape;
  const header = '<\n  ir_version: 9,\n  opset_import: ["" : 23]\n>\n';
  switch (c.op) {
    case 'MatMul':
      return `${header}g (${t}[${s.M},${s.K}] a, ${t}[${s.K},${s.N}] b) => (${t}[${s.M},${s.N}] y) {\n  y = MatMul (a, b)\n}`;
    case 'Conv': {
      // Stride S and groups G default to 1 (cases written before bench.py measured grouped convs).
      const pad = Math.floor(s.R / 2);
      const stride = s.S ?? 1;
      const groups = s.G ?? 1;
      const out = Math.floor((s.H + 2 * pad - s.R) / stride) + 1;
      return `${header}g (${t}[${s.N},${s.C},${s.H},${s.W}] x, ${t}[${s.K},${s.C / groups},${s.R},${s.R}] w) => (${t}[${s.N},${s.K},${out},${out}] y) {\n  y = Conv <pads = [${pad}, ${pad}, ${pad}, ${pad}], strides = [${stride}, ${stride}], group = ${groups}> (x, w)\n}`;
    }
    case 'ReduceSum':
      return `${header}g (${t}[${s.rows},${s.cols}] x) => (${t}[${s.rows}] y) {\n  axes = Constant <value = int64[1] {-1}> ()\n  y = ReduceSum <keepdims = 0> (x, axes)\n}`;
    case 'LayerNormalization':
      return `${header}g (${t}[${s.rows},${s.cols}] x, ${t}[${s.cols}] g, ${t}[${s.cols}] b) => (${t}[${s.rows},${s.cols}] y) {\n  y = LayerNormalization <axis = -1> (x, g, b)\n}`;
    case 'Softmax':
      return `${header}g (${t}[${s.rows},${s.cols}] x) => (${t}[${s.rows},${s.cols}] y) {\n  y = Softmax <axis = -1> (x)\n}`;
    case 'Add':
      return `${header}g (${t}[${s.rows},${s.cols}] x, ${t}[${s.rows},${s.cols}] z) => (${t}[${s.rows},${s.cols}] y) {\n  y = Add (x, z)\n}`;
    case 'Gelu':
      return `${header}g (${t}[${s.rows},${s.cols}] x) => (${t}[${s.rows},${s.cols}] y) {\n  y = Gelu (x)\n}`;
    case 'AttentionFused':
      return `${header}g (${t}[${s.B},${s.H},${s.S},${s.E}] q, ${t}[${s.B},${s.H},${s.S},${s.E}] k, ${t}[${s.B},${s.H},${s.S},${s.E}] v) => (${t}[${s.B},${s.H},${s.S},${s.E}] y) {\n  y = Attention (q, k, v)\n}`;
    case 'AttentionExplicit':
      return `${header}g (${t}[${s.B},${s.H},${s.S},${s.E}] q, ${t}[${s.B},${s.H},${s.E},${s.S}] kt, ${t}[${s.B},${s.H},${s.S},${s.E}] v, ${t}[] scale) => (${t}[${s.B},${s.H},${s.S},${s.E}] y) {\n  sc = MatMul (q, kt)\n  ss = Mul (sc, scale)\n  p = Softmax <axis = -1> (ss)\n  y = MatMul (p, v)\n}`;
    default:
      throw new Error(`unknown case op ${c.op}`);
  }
}

function pickChip(device: string, override: string | undefined): Chip {
  const id = override ?? (/H100.*PCIe/i.test(device) ? 'h100-pcie' : /H100.*NVL/i.test(device) ? 'h100-nvl' : /H100/i.test(device) ? 'h100' : /H200/i.test(device) ? 'h200' : /A100.*40/i.test(device) ? 'a100-40gb' : /A100/i.test(device) ? 'a100-80gb' : /L40S/i.test(device) ? 'l40s' : /\bL4\b/i.test(device) ? 'l4' : 'h100');
  const chip = findChip(id);
  if (!chip) throw new Error(`unknown chip ${id}`);
  return chip;
}

function main(argv: string[]): void {
  const file = argv[0];
  if (!file) throw new Error('usage: compare.ts RESULTS.json [--chip ID] [--peak achievable|datasheet]');
  const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { device: string; cases: Case[] };
  const chip = pickChip(data.device, flag('--chip'));
  const peakMode = (flag('--peak') ?? 'achievable') as PeakMode;
  const runtime = flag('--runtime') ?? 'cuda-graphs';
  if (!isRuntime(runtime)) throw new Error(`--runtime: eager, cuda-graphs or compiled, not ${runtime}`);
  console.log(`${data.device}: predicted on ${chip.name} (${chip.id}), ${peakMode} peaks, runtime ${runtime}`);
  console.log(`${'case'.padEnd(40)} ${'predicted ms'.padStart(13)} ${'measured ms'.padStart(12)} ${'error'.padStart(8)}  bound`);
  const predicted: number[] = [];
  const measured: number[] = [];
  const errors: number[] = [];
  for (const c of data.cases) {
    const analysis = analyzeText(modelText(c));
    const profiled = profileAnalysis(analysis, { chip, peakMode, runtime });
    if (!profiled) continue;
    const seconds = profiled.result.totals.timeSeconds;
    const bounds = [...new Set(profiled.result.nodes.filter((n) => n.timing.bound !== 'none').map((n) => n.timing.bound))].join('+');
    const ms = seconds * 1e3;
    const err = (ms - c.median_ms) / c.median_ms;
    predicted.push(ms);
    measured.push(c.median_ms);
    errors.push(Math.abs(err));
    console.log(`${c.name.padEnd(40)} ${ms.toFixed(4).padStart(13)} ${c.median_ms.toFixed(4).padStart(12)} ${`${err >= 0 ? '+' : ''}${(err * 100).toFixed(0)}%`.padStart(8)}  ${bounds}`);
  }
  console.log(`\n${predicted.length} cases: Spearman ρ ${spearman(predicted, measured)?.toFixed(3) ?? '-'}, median |error| ${(median(errors) * 100).toFixed(1)}%`);
}

main(process.argv.slice(2));
