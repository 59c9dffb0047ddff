/**
 * Ridgepoint's predictions next to published LLM serving measurements (docs/hf-config.md, "Against
 * published serving figures"). Each row names the measurement (copied, with its source, in
 * docs/validation/llm-serving.md) and the options that describe the same setup; the prediction comes
 * from summariseLlm on the model's public config.json (test/fixtures/hf/). Run:
 *
 *   npx tsx scripts/llm-serving-table.ts
 *
 * and paste the table it prints. Predictions use the achievable peaks (the realistic mode).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findChip } from '../server/src/analysis/cost/chips';
import { Runtime } from '../server/src/analysis/cost/runtime';
import { HfProfileOptions, LlmSummary, summariseLlm } from '../server/src/analysis/hf-config/index';

interface Row {
  /** Row number in docs/validation/llm-serving.md. */
  readonly row: number;
  readonly what: string;
  readonly config: string;
  readonly chip: string;
  readonly runtime: Runtime;
  readonly options: Omit<HfProfileOptions, 'phase'>;
  /** The measured figure, in the unit `read` returns. */
  readonly measured: number;
  readonly unit: 'ms/token' | 'ms TTFT' | 'tok/s per GPU';
  readonly read: (s: LlmSummary) => number | null;
}

const decodeMs = (s: LlmSummary): number | null => (s.decode === null ? null : s.decode.timePerTokenSeconds * 1e3);
const ttftMs = (s: LlmSummary): number => s.prefill.timeToFirstTokenSeconds * 1e3;
const outputPerGpu = (s: LlmSummary): number | null => (s.generationSeconds === null ? null : (s.batch * s.generated) / s.generationSeconds / s.parallel.gpus);

const gptFast = { runtime: 'compiled' as const, chip: 'a100-80gb' };
const b1 = (prompt: number, generated: number): Pick<HfProfileOptions, 'batch' | 'prompt' | 'generated'> => ({ batch: 1, prompt, generated });

const ROWS: Row[] = [
  { row: 1, what: 'Llama-2-7B bf16, gpt-fast', config: 'llama-2-7b', ...gptFast, options: { ...b1(5, 200), dtype: 'bf16' }, measured: 1000 / 104.9, unit: 'ms/token', read: decodeMs },
  { row: 2, what: 'Llama-2-7B int8 weight-only, gpt-fast', config: 'llama-2-7b', ...gptFast, options: { ...b1(5, 200), dtype: 'bf16', weights: 'int8' }, measured: 1000 / 155.58, unit: 'ms/token', read: decodeMs },
  { row: 3, what: 'Llama-2-7B int4 (group 32) weight-only, gpt-fast', config: 'llama-2-7b', ...gptFast, options: { ...b1(5, 200), dtype: 'bf16', weights: 'int4', groupSize: 32 }, measured: 1000 / 196.8, unit: 'ms/token', read: decodeMs },
  { row: 4, what: 'Llama-2-70B bf16 TP 2, gpt-fast', config: 'llama-2-70b', ...gptFast, options: { ...b1(5, 200), dtype: 'bf16', tp: 2 }, measured: 1000 / 21.32, unit: 'ms/token', read: decodeMs },
  { row: 5, what: 'Llama-2-70B bf16 TP 8, gpt-fast', config: 'llama-2-70b', ...gptFast, options: { ...b1(5, 200), dtype: 'bf16', tp: 8 }, measured: 1000 / 62.5, unit: 'ms/token', read: decodeMs },
  { row: 7, what: 'Mixtral-8x7B bf16 TP 8, gpt-fast', config: 'mixtral-8x7b', ...gptFast, options: { ...b1(5, 200), tp: 8 }, measured: 1000 / 203.69, unit: 'ms/token', read: decodeMs },
  { row: 8, what: 'Llama-2-7B fp16, LMDeploy', config: 'llama-2-7b', chip: 'a100-80gb', runtime: 'cuda-graphs', options: b1(1, 128), measured: 1000 / 100.02, unit: 'ms/token', read: decodeMs },
  { row: 9, what: 'Llama-2-13B fp16, LMDeploy', config: 'llama-2-13b', chip: 'a100-80gb', runtime: 'cuda-graphs', options: b1(1, 128), measured: 1000 / 57.49, unit: 'ms/token', read: decodeMs },
  { row: 10, what: 'Llama-2-70B fp16 TP 4, LMDeploy', config: 'llama-2-70b', chip: 'a100-80gb', runtime: 'cuda-graphs', options: { ...b1(1, 128), tp: 4 }, measured: 1000 / 33.94, unit: 'ms/token', read: decodeMs },
  { row: 11, what: 'Qwen2.5-7B bf16, vLLM 0.6.3', config: 'qwen2.5-7b-instruct', chip: 'a100-80gb', runtime: 'cuda-graphs', options: b1(1, 2048), measured: 1000 / 84.28, unit: 'ms/token', read: decodeMs },
  { row: 12, what: 'Qwen2.5-7B AWQ int4, vLLM 0.6.3', config: 'qwen2.5-7b-instruct', chip: 'a100-80gb', runtime: 'cuda-graphs', options: { ...b1(1, 2048), dtype: 'fp16', weights: 'int4' }, measured: 1000 / 148.1, unit: 'ms/token', read: decodeMs },
  { row: 13, what: 'Llama-3.3-70B fp8 TP 2, NIM (ITL)', config: 'llama-3.3-70b-instruct', chip: 'h100', runtime: 'cuda-graphs', options: { ...b1(500, 2000), weights: 'fp8', activations: 'fp8', tp: 2 }, measured: 18.91, unit: 'ms/token', read: decodeMs },
  { row: 14, what: 'Llama-3.3-70B fp8 TP 2, NIM (TTFT, 5000 tokens)', config: 'llama-3.3-70b-instruct', chip: 'h100', runtime: 'cuda-graphs', options: { ...b1(5000, 500), weights: 'fp8', activations: 'fp8', tp: 2 }, measured: 406.77, unit: 'ms TTFT', read: ttftMs },
  { row: 15, what: 'Llama-2-7B fp8 + fp8 KV, TensorRT-LLM (TTFT, 2048)', config: 'llama-2-7b', chip: 'h100', runtime: 'cuda-graphs', options: { ...b1(2048, 1), weights: 'fp8', activations: 'fp8', kv: 'fp8' }, measured: 36, unit: 'ms TTFT', read: ttftMs },
  { row: 16, what: 'Llama-2-70B fp8 + fp8 KV TP 4, TensorRT-LLM (TTFT, 2048)', config: 'llama-2-70b', chip: 'h100', runtime: 'cuda-graphs', options: { ...b1(2048, 1), weights: 'fp8', activations: 'fp8', kv: 'fp8', tp: 4 }, measured: 109, unit: 'ms TTFT', read: ttftMs },
  { row: 17, what: 'Llama-2-7B fp16, TensorRT-LLM (TTFT, 2048)', config: 'llama-2-7b', chip: 'a100-80gb', runtime: 'cuda-graphs', options: b1(2048, 1), measured: 133, unit: 'ms TTFT', read: ttftMs },
  { row: 17, what: 'Llama-2-70B fp16 TP 4, TensorRT-LLM (TTFT, 2048)', config: 'llama-2-70b', chip: 'a100-80gb', runtime: 'cuda-graphs', options: { ...b1(2048, 1), tp: 4 }, measured: 377, unit: 'ms TTFT', read: ttftMs },
  { row: 19, what: 'Llama-2-7B fp8 + fp8 KV, batch 768, 128/128, TensorRT-LLM', config: 'llama-2-7b', chip: 'h100', runtime: 'cuda-graphs', options: { batch: 768, prompt: 128, generated: 128, weights: 'fp8', activations: 'fp8', kv: 'fp8' }, measured: 19_694, unit: 'tok/s per GPU', read: outputPerGpu },
];

const fixtures = path.join(__dirname, '..', 'test', 'fixtures', 'hf');
const lines = ['| # | setup | chip | runtime | measured | Ridgepoint | predicted ÷ measured |', '|---|---|---|---|---|---|---|'];
const ratios: number[] = [];
for (const r of ROWS) {
  const chip = findChip(r.chip);
  if (chip === undefined) throw new Error(`no chip ${r.chip}`);
  const text = fs.readFileSync(path.join(fixtures, `${r.config}.json`), 'utf8');
  const s = summariseLlm(text, chip, { phase: 'prefill', ...r.options, peakMode: 'achievable', runtime: r.runtime, searchRidge: false });
  if (s === null || s.errors.length > 0) throw new Error(`row ${r.row}: ${s?.errors.join('; ') ?? 'not analysed'}`);
  const predicted = r.read(s);
  if (predicted === null) throw new Error(`row ${r.row}: no figure`);
  const ratio = predicted / r.measured;
  ratios.push(r.unit === 'tok/s per GPU' ? 1 / ratio : ratio);
  const show = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
  lines.push(`| ${r.row} | ${r.what} | ${chip.name.replace('NVIDIA ', '')} | ${r.runtime} | ${show(r.measured)} ${r.unit} | ${show(predicted)} ${r.unit} | ${ratio.toFixed(2)} |`);
}
const sorted = [...ratios].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
const abs = ratios.map((x) => Math.abs(Math.log(x))).sort((a, b) => a - b);
console.log(lines.join('\n'));
console.log(`\n${ROWS.length} rows; time ratio (predicted ÷ measured time; for throughput, measured ÷ predicted) median ${median.toFixed(2)}, median |error| ${((Math.exp(abs[Math.floor(abs.length / 2)] ?? 0) - 1) * 100).toFixed(0)}%`);
