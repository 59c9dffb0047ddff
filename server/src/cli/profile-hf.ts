import * as fs from 'node:fs';
import * as path from 'node:path';
import { advise } from '../analysis/advise/index';
import { Chip } from '../analysis/cost/chips';
import { profileAnalysis, ProfileOptions } from '../analysis/cost/index';
import { analyzeHfConfig, LlmSummary, looksLikeHfConfig, Phase, PhaseFigures, summariseLlm } from '../analysis/hf-config/index';
import { buildReport, Report } from '../analysis/report';
import { humanBytes, humanCount, humanTime } from '../format/units';
import { UsageError } from './args';

/**
 * `ridgepoint profile config.json`: a Hugging Face config is built into the graph of one phase and
 * goes through the same profile, advice and report as an ONNX model; the report gains `llm`, the
 * prefill and decode summary, printed above the per-op table.
 */
export interface HfCliOptions {
  readonly phase: Phase;
  readonly batch: number;
  readonly prompt: number;
  readonly generated: number;
}

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
  return llm === null ? report : { ...report, llm };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function rate(tokensPerSecond: number): string {
  return tokensPerSecond >= 1e3 ? `${(tokensPerSecond / 1e3).toFixed(1)} k tok/s` : `${tokensPerSecond.toFixed(1)} tok/s`;
}

/** The LLM summary printed above the per-op table ('' for reports of other models). */
export function llmSection(report: Report): string {
  const s = (report as HfReport).llm;
  if (s === undefined) return '';
  const lines: string[] = [];
  const served = s.servedAs !== null ? `, served as ${s.servedAs}` : '';
  lines.push(`LLM       ${s.modelType} (${s.kind}), ${humanCount(s.params)} parameters${s.activeParams !== s.params ? ` (${humanCount(s.activeParams)} active per token)` : ''}, ${s.dtype}${served}: weights ${humanBytes(s.weightBytes)}`);
  if (s.kvBytesPerToken !== null) lines.push(`KV cache  ${humanBytes(s.kvBytesPerToken)} per token (${s.kvBytesPerToken} B), ${humanBytes(s.kvBytesPerToken * (s.prompt + s.generated))} per ${s.prompt + s.generated}-token sequence`);
  const p = s.prefill;
  lines.push(`Prefill   batch ${s.batch} × ${s.prompt} tokens: ${humanTime(p.timeSeconds)} = time to first token (${humanTime(p.fusedTimeSeconds)} fused), ${rate(p.tokensPerSecond)}, ${p.bound}-bound (${percent(p.memoryBoundShare)} of time in memory-bound ops)`);
  const d = s.decode;
  if (d !== null) {
    lines.push(`Decode    batch ${s.batch}, step at position ${d.past}: ${humanTime(d.timePerTokenSeconds)} per token (${humanTime(d.fusedTimeSeconds)} fused), ${rate(d.tokensPerSecond)}, ${d.bound}-bound (${percent(d.memoryBoundShare)}); reads ${humanBytes(d.weightBytesRead)} of weights + ${humanBytes(d.kvBytesRead)} of KV cache per step`);
    if (s.generationSeconds !== null) lines.push(`Generate  ${s.generated} tokens after the prompt: ${humanTime(s.generationSeconds)} (TTFT + ${s.generated} × mean step)`);
  }
  if (s.cost !== undefined) {
    const money = (x: number): string => (x >= 1 ? x.toFixed(2) : x.toPrecision(3));
    lines.push(`Cost      ${money(s.cost.perMillionInput)} per 1M input tokens${s.cost.perMillionOutput !== null ? `, ${money(s.cost.perMillionOutput)} per 1M output tokens` : ''} at ${s.cost.pricePerGpuHour} per GPU-hour, batch ${s.batch} (predicted time only: no idle time, no prefill/decode overlap)`);
  }
  if (s.ridge !== null) {
    const r = s.ridge;
    const proj = r.projectionsComputeBoundBatch === null ? `not within batch ${r.searchedUpTo}` : `from batch ${r.projectionsComputeBoundBatch}`;
    const step = r.stepComputeBoundBatch === null ? `never within batch ${r.searchedUpTo}` : `from batch ${r.stepComputeBoundBatch}`;
    lines.push(`Ridge     decode projections (weight MatMuls) compute-bound ${proj}; whole step compute-bound ${step}`);
  }
  const m = s.memory;
  const check = (c: typeof m.atBatch): string => `${humanBytes(c.totalBytes)} (weights ${humanBytes(c.weightBytes)} + KV ${humanBytes(c.kvCacheBytes)} for ${c.batch} × ${c.contextTokens} tokens) of ${(c.capacityBytes / 1e9).toFixed(0)} GB: ${c.fits ? 'fits' : 'does NOT fit'}`;
  lines.push(`Memory    batch ${m.atBatch.batch}: ${check(m.atBatch)}`);
  if (m.atRidge !== null) lines.push(`          ridge batch ${m.atRidge.batch}: ${check(m.atRidge)}`);
  lines.push(`          largest batch that fits with the full context: ${Number.isFinite(m.maxBatchThatFits) ? m.maxBatchThatFits : 'unbounded (no KV cache)'}`);
  if (p.layers.length > 0) {
    const show = (f: PhaseFigures): string => {
      const l = f.layers[0];
      return l === undefined ? '-' : `${humanTime(l.timeSeconds)}, ${l.intensity.toFixed(1)} FLOP/B, ${l.bound}-bound`;
    };
    lines.push(`Per layer prefill ${show(p)}${d !== null ? `; decode ${show(d)}` : ''} (layer 0 of ${p.layers.length})`);
  }
  for (const note of s.notes) lines.push(`Note      ${note}`);
  return `${lines.join('\n')}\n\n`;
}
