import * as fs from 'node:fs';
import * as path from 'node:path';
import { advise } from '../analysis/advise/index';
import { Chip } from '../analysis/cost/chips';
import { profileAnalysis, ProfileOptions } from '../analysis/cost/index';
import { analyzeHfConfig, LlmSummary, looksLikeHfConfig, PhaseFigures, summariseLlm } from '../analysis/hf-config/index';
import { formatPrice } from '../analysis/hf-config/token-cost';
import { HfProfileOptions } from '../analysis/hf-config/types';
import { buildReport, Report } from '../analysis/report';
import { humanBytes, humanCount, humanRatio, humanTime } from '../format/units';
import { UsageError } from './args';

/**
 * `ridgepoint profile config.json`: a Hugging Face config is built into the graph of one phase and
 * goes through the same profile, advice and report as an ONNX model; the report gains `llm`, the
 * prefill and decode summary, printed above the per-op table.
 */
export type HfCliOptions = Omit<HfProfileOptions, 'dtype'>;

export type HfReport = Report & { readonly llm?: LlmSummary };

/** Configs are small; anything larger is not one (and is not read whole to find out). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** `config.json`, or any .json whose top level has model_type or architectures. */
export function isHfConfigFile(file: string): boolean {
  if (path.extname(file).toLowerCase() !== '.json') return false;
  if (path.basename(file).toLowerCase() === 'config.json') return true;
  try {
    if (fs.statSync(file).size > MAX_CONFIG_BYTES) return false;
    return looksLikeHfConfig(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

export function parseCount(what: string, min: number): (text: string) => number {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${what} expects a whole number ≥ ${min}, got "${text}"`);
    return n;
  };
}

export function profileHfFile(file: string, options: { hf: HfCliOptions; profile?: ProfileOptions; suggestions?: boolean; chips?: readonly Chip[] }): HfReport {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return buildReport({ model: null, inference: null, diagnostics: [{ severity: 'error', code: 'io.open', message: `cannot open ${file}: ${error instanceof Error ? error.message : String(error)}` }] }, file, new Map());
  }
  const hfOptions = { ...options.hf, dtype: options.profile?.computeDtype };
  const analysed = analyzeHfConfig(text, hfOptions);
  const analysis = analysed.analysis === null ? { model: null, inference: null, diagnostics: analysed.diagnostics } : { ...analysed.analysis, diagnostics: analysed.diagnostics };
  if (analysed.analysis === null || options.profile === undefined) return buildReport(analysis, file, new Map());
  // The requested dtype is the graph's storage type; only integer/fp4 serving types stay a compute dtype.
  const profileOptions: ProfileOptions = { ...options.profile, computeDtype: analysed.servedAs ?? undefined };
  const profiled = profileAnalysis(analysis, profileOptions);
  const advice = profiled && options.suggestions !== false ? advise(analysis, { ...profileOptions, baseline: profiled.result, chips: options.chips }) : null;
  const report = buildReport(analysis, file, new Map(), profiled, advice);
  const llm = analysed.config === null ? null : summariseLlm(analysed.config, options.profile.chip, { ...hfOptions, peakMode: options.profile.peakMode, runtime: options.profile.runtime });
  if (llm === null) return report;
  // Options the summary could not honour (--tp on a chip without link figures…) are errors of the run.
  const known = new Set(report.diagnostics.map((d) => d.message));
  const extra = llm.errors.filter((m) => !known.has(m)).map((message) => ({ severity: 'error' as const, code: 'hf.bad-option', message }));
  return { ...report, diagnostics: [...report.diagnostics, ...extra], llm };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function rate(tokensPerSecond: number): string {
  return `${humanCount(tokensPerSecond)} tok/s`;
}

/** The LLM summary printed above the per-op table ('' for reports of other models). */
export function llmSection(report: Report): string {
  const s = (report as HfReport).llm;
  if (s === undefined) return '';
  const lines: string[] = [];
  const served = s.servedAs !== null ? `, served as ${s.servedAs}` : '';
  lines.push(`LLM       ${s.modelType} (${s.kind}), ${humanCount(s.params)} parameters${s.activeParams !== s.params ? ` (${humanCount(s.activeParams)} active per token)` : ''}, ${s.dtype}${served}: weights ${humanBytes(s.weightBytes)}`);
  lines.push(`Precision ${s.precision}`);
  const par = s.parallel;
  if (par.gpus > 1) lines.push(`GPUs      ${par.gpus} (TP ${par.tp}, PP ${par.pp}${par.ep > 1 ? `, EP ${par.ep}` : ''}) over ${par.link ?? 'no link'}: per GPU weights ${humanBytes(par.perGpu.weightBytes)}${par.perGpu.kvBytesPerToken !== null ? `, KV ${humanBytes(par.perGpu.kvBytesPerToken)} per token` : ''}`);
  if (s.kvBytesPerToken !== null) lines.push(`KV cache  ${humanBytes(s.kvBytesPerToken)} per token (${s.kvBytesPerToken} B), ${humanBytes(s.kvBytesPerToken * (s.prompt + s.generated))} per ${s.prompt + s.generated}-token sequence`);
  const comm = (f: PhaseFigures): string => (f.communication.seconds > 0 ? `, of which ${humanTime(f.communication.seconds)} collectives` : '');
  const p = s.prefill;
  lines.push(`Prefill   batch ${s.batch} × ${s.prompt} tokens: ${humanTime(p.timeSeconds)} = time to first token${comm(p)} (${humanTime(p.fusedTimeSeconds)} fused), ${rate(p.tokensPerSecond)}, ${p.bound}-bound (${percent(p.memoryBoundShare)} of time in memory-bound ops)`);
  const d = s.decode;
  if (d !== null) {
    lines.push(`Decode    batch ${s.batch}, step at position ${d.past}: ${humanTime(d.timePerTokenSeconds)} per token${comm(d)} (${humanTime(d.fusedTimeSeconds)} fused), ${rate(d.tokensPerSecond)}, ${d.bound}-bound (${percent(d.memoryBoundShare)}); reads ${humanBytes(d.weightBytesRead)} of weights + ${humanBytes(d.kvBytesRead)} of KV cache per step${par.pp > 1 ? ` by each tensor-parallel rank, summed over its ${par.pp} pipeline stages` : par.tp > 1 ? ' per GPU' : ''}`);
    for (const t of d.communication.terms) lines.push(`          decode: ${t.count} × ${t.what}, ${humanBytes(t.bytes)} each: ${humanTime(t.seconds)}`);
    if (s.generationSeconds !== null) lines.push(`Generate  ${s.generated} tokens after the prompt: ${humanTime(s.generationSeconds)} (TTFT + ${s.generated} × mean step)`);
  }
  if (s.cost !== undefined) {
    lines.push(`Cost      ${formatPrice(s.cost.perMillionInput)} per 1M input tokens${s.cost.perMillionOutput !== null ? `, ${formatPrice(s.cost.perMillionOutput)} per 1M output tokens` : ''} at ${s.cost.pricePerGpuHour} per GPU-hour × ${par.gpus} GPU${par.gpus > 1 ? 's' : ''}, batch ${s.batch} (predicted time only: no idle time, no prefill/decode overlap)`);
  }
  if (s.ridge !== null) {
    const r = s.ridge;
    const proj = r.projectionsComputeBoundBatch === null ? `not within batch ${r.searchedUpTo}` : `from batch ${r.projectionsComputeBoundBatch}`;
    const step = r.stepComputeBoundBatch === null ? `never within batch ${r.searchedUpTo}` : `from batch ${r.stepComputeBoundBatch}`;
    lines.push(`Ridge     decode projections (weight MatMuls) compute-bound ${proj}; whole step compute-bound ${step}`);
  }
  if (s.sweep.length > 0) {
    lines.push(`Sweep     decode batch → step time, tokens/s, bound, memory${par.gpus > 1 ? ' per GPU' : ''}`);
    for (const pt of s.sweep) lines.push(`          ${String(pt.batch).padStart(5)}  ${humanTime(pt.stepSeconds).padStart(10)}  ${rate(pt.tokensPerSecond).padStart(13)}  ${pt.bound.padEnd(13)}  ${pt.fits ? 'fits' : 'does NOT fit'}`);
  }
  const m = s.memory;
  const check = (c: typeof m.atBatch): string =>
    `${humanBytes(c.totalBytes)} (weights ${humanBytes(c.weightBytes)} + KV ${humanBytes(c.kvCacheBytes)} for ${c.batch} × ${c.contextTokens} tokens + activations ${humanBytes(c.activationBytes)}) of ${humanBytes(c.capacityBytes)} (${Math.round(m.utilization * 100)}% of ${humanBytes(c.deviceBytes)}${m.deviceMeasured ? '' : ', datasheet GB'}): ${c.fits ? 'fits' : 'does NOT fit'}`;
  lines.push(`Memory    ${par.gpus > 1 ? 'per GPU, ' : ''}batch ${m.atBatch.batch}: ${check(m.atBatch)}`);
  if (m.atRidge !== null) lines.push(`          ridge batch ${m.atRidge.batch}: ${check(m.atRidge)}`);
  lines.push(`          largest batch that fits with the full context: ${Number.isFinite(m.maxBatchThatFits) ? m.maxBatchThatFits : 'unbounded (no KV cache)'}`);
  if (s.smallestFit !== null && (s.smallestFit.gpus !== par.gpus || !m.atBatch.fits)) lines.push(`          fewest GPUs that fit batch ${s.batch} × ${m.atBatch.contextTokens} tokens: ${s.smallestFit.gpus} (--tp ${s.smallestFit.tp}${s.smallestFit.pp > 1 ? ` --pp ${s.smallestFit.pp}` : ''})`);
  else if (s.smallestFit === null && s.kind === 'decoder') lines.push(`          no layout up to 64 GPUs holds batch ${s.batch} × ${m.atBatch.contextTokens} tokens`);
  if (p.layers.length > 0) {
    const show = (f: PhaseFigures): string => {
      const l = f.layers[0];
      return l === undefined ? '-' : `${humanTime(l.timeSeconds)}, ${humanRatio(l.intensity)} FLOP/B, ${l.bound}-bound`;
    };
    lines.push(`Per layer prefill ${show(p)}${d !== null ? `; decode ${show(d)}` : ''} (layer 0 of ${p.layers.length})`);
  }
  for (const note of s.notes) lines.push(`Note      ${note}`);
  for (const error of s.errors) lines.push(`Error     ${error}`);
  return `${lines.join('\n')}\n\n`;
}
