/**
 * The words the client shows: profile notifications, chip quick-pick details, status bar text and input
 * validation. Pure (no `vscode` import) so unit tests run in plain Node. Model-supplied names are untrusted;
 * they only ever reach plain-text UI, cleaned of control characters and clipped.
 */
import { percent, seconds } from '../../media/src/format';
import { BYTES_PER_GB, datasheetMemory, humanBandwidth, humanSi } from '../../server/src/format/units';
import type { ChipSummary, DimUse, PeakModeName, ProfiledParams, ProfileResult } from '../../server/src/protocol';
import { LAUNCH_SHARE_WORTH_SAYING } from '../../server/src/analysis/cost/launch-bound';
import { coverageShort } from '../../server/src/analysis/coverage';
import { hasRange, totalRangeBasis, withRange } from '../../server/src/format/time-range';
import { sanitise } from '../../server/src/cli/format';
import { notCostedText, nothingCosted, unboundNames } from '../../server/src/format/unbound';

/** Longest model-supplied name put in a notification. */
const MAX_NAME = 80;

export function clipName(name: string, max = MAX_NAME): string {
  const clean = sanitise(name);
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/**
 * `3.35 TB/s datasheet · 989.4 TFLOP/s bf16 · 74.51 GiB (80 GB)`, and in the achievable peak mode what the
 * predictions time with (`achievable mode times with 90%: 3.015 TB/s`): the chart quotes the achievable
 * figure, the vendor the datasheet one, and the picker says which is which. TOP/s for integer peaks.
 */
export function chipDetail(chip: ChipSummary, mode: PeakModeName = 'datasheet'): string {
  const parts = [`${humanBandwidth(chip.memoryBandwidthGBs * BYTES_PER_GB)} datasheet`];
  if (chip.peakTFlops !== null) {
    const integer = chip.peakDtype !== null && /^u?int/i.test(chip.peakDtype);
    parts.push(`${humanSi(chip.peakTFlops * 1e12, integer ? 'OP/s' : 'FLOP/s')}${chip.peakDtype ? ` ${chip.peakDtype}` : ''}`);
  }
  parts.push(datasheetMemory(chip.memoryGB));
  const fraction = chip.achievableBandwidthFraction;
  if (mode === 'achievable') parts.push(fraction ? `achievable mode times with ${percent(fraction)}: ${humanBandwidth(chip.memoryBandwidthGBs * BYTES_PER_GB * fraction)}` : 'achievable mode: no measured fraction, times with the datasheet');
  return parts.join(' · ');
}

const VENDOR_PREFIX = /^(NVIDIA|AMD|Intel|Google|Apple|AWS|Qualcomm|Groq|Cerebras)\s+/i;

/** `H100 SXM5 80GB` from `NVIDIA H100 SXM5 80GB`: the status bar is narrow. */
export function shortChipName(name: string): string {
  const short = name.replace(VENDOR_PREFIX, '').trim();
  return short.length > 0 ? short : name;
}

/** True when the profile is of a model definition not fully understood (its time is a lower bound). */
export function isIncomplete(profiled: ProfiledParams | undefined): boolean {
  return profiled?.coverage?.complete === false;
}

/** True when symbolic dims are unbound: the time (if any) is a lower bound, and the status bar says what to bind. */
function hasUnbound(profiled: ProfiledParams | undefined): boolean {
  return (profiled?.unboundDims.length ?? 0) > 0;
}

/** Characters of dim names the status bar lists before "+N more". */
const STATUS_NAMES = 24;

/** True when kernel launches are a share of the time worth naming (the code lens and the runtime suggestion use the same bar). */
function launchesWorthSaying(profiled: ProfiledParams): profiled is ProfiledParams & { launchShare: number } {
  return typeof profiled.launchShare === 'number' && profiled.launchShare >= LAUNCH_SHARE_WORTH_SAYING;
}

/**
 * `$(pulse) H100 SXM5 80GB · 1.23 ms`, or without the time before the first profile; with `· 41% launches`
 * when kernel launches are at least a tenth of the time; an incomplete model
 * definition: `$(warning) H100 SXM5 80GB · ≥ 1.23 ms · incomplete: 13 of 16 layers, see Problems`; unbound
 * dims: `$(warning) H100 SXM5 80GB · not costed: bind batch, height` (with `≥ 12 µs ·` when part was costed).
 */
export function statusText(chipName: string, profiled: ProfiledParams | undefined): string {
  const name = shortChipName(profiled?.chipName ?? chipName);
  const coverage = profiled?.coverage;
  const incomplete = coverage && !coverage.complete ? ` · ${coverageShort(coverage)}` : '';
  const unbound = profiled && hasUnbound(profiled) ? ` · not costed: bind ${unboundNames(profiled.unboundDims, STATUS_NAMES)}` : '';
  const icon = incomplete || unbound ? '$(warning)' : '$(pulse)';
  if (!profiled || profiled.totalSeconds === null) return `${icon} ${name}${incomplete}${unbound}`;
  const launches = launchesWorthSaying(profiled) ? ` · ${percent(profiled.launchShare)} launches` : '';
  return `${icon} ${name} · ${incomplete || unbound ? '≥ ' : ''}${seconds(profiled.totalSeconds)}${launches}${incomplete}${unbound}`;
}

export function statusTooltip(chipName: string, profiled: ProfiledParams | undefined): string {
  const lines = [`Ridgepoint: ${profiled?.chipName ?? chipName}`];
  if (!profiled) lines.push('Not profiled yet.');
  else if (profiled.totalSeconds === null) lines.push(hasUnbound(profiled) ? 'Nothing could be costed: the sizes of its inputs are unbound.' : 'Nothing could be costed yet.');
  else {
    const bound = profiled.memoryBoundShare === null ? '' : `, ${percent(profiled.memoryBoundShare)} of it memory-bound`;
    const runtime = profiled.runtime && profiled.runtime !== 'eager' ? ` (${profiled.runtime})` : '';
    lines.push(`Predicted ${isIncomplete(profiled) || hasUnbound(profiled) ? 'at least ' : ''}${withRange(seconds(profiled.totalSeconds), profiled.totalLowSeconds, profiled.totalHighSeconds)} per run${runtime}${bound}.`);
    if (hasRange(profiled.totalLowSeconds, profiled.totalHighSeconds)) lines.push(`In brackets: ${totalRangeBasis(profiled.rangeCalibrated)}.`);
    if (launchesWorthSaying(profiled)) {
      const fix = !profiled.runtime || profiled.runtime === 'eager' ? ': CUDA graphs or torch.compile(mode="reduce-overhead") remove most of it (setting ridgepoint.runtime)' : '';
      lines.push(`${percent(profiled.launchShare)} of the time is kernel launches${fix}.`);
    }
  }
  if (profiled?.coverage && !profiled.coverage.complete) {
    lines.push(`Incomplete: ${profiled.coverage.layersResolved} of ${profiled.coverage.layersTotal} layers with parameters resolved; the totals are lower bounds. The Problems panel lists what is missing.`);
  }
  if (profiled && hasUnbound(profiled)) {
    lines.push(`Unbound dims: ${profiled.unboundDims.map((d) => clipName(d, 40)).join(', ')}: ops sized by them are not costed (Ridgepoint: Bind Symbolic Dimensions…, or the code lens "Use batch 1…").`);
  }
  lines.push('Click to pick another chip.');
  return lines.join('\n');
}

/**
 * `Ridgepoint: model.onnx on NVIDIA H100 SXM — 1.23 ms per run, 78% memory-bound; top op
 * /blocks.0/attn/MatMul (12%)`; with unbound dims `— not costed: bind batch, height, width.`, or the
 * time as a lower bound when part of the model was costed.
 */
export function profileSummary(modelName: string, report: ProfileResult): string {
  const chip = report.chip?.name ?? 'the chosen chip';
  const head = `Ridgepoint: ${clipName(modelName)} on ${chip}`;
  const totals = report.totals;
  const unbound = report.unboundSymbols.map((s) => clipName(s, 40));
  const notCosted = unbound.length > 0 ? notCostedText(unbound) : '';
  if (!totals || nothingCosted(unbound, totals.costedNodes)) return `${head} — ${notCosted || 'nothing could be costed'}.`;
  let text = `${head} — ${notCosted ? 'at least ' : ''}${seconds(totals.timeSeconds)} per run, ${percent(totals.memoryBoundShare)} memory-bound`;
  const top = report.topOps?.[0];
  if (top) text += `; top op ${clipName(top.name || `${top.opType} ${top.id}`)} (${percent(top.share)})`;
  return notCosted ? `${text}; ${notCosted}` : text;
}

/**
 * The bind prompt for one dim, naming where the model uses it: `x: [N, 3, H, W] → H (axis 2)`, and
 * `also in y, z` when other inputs share it. Without uses (a .py source, a config.json): the dim's name.
 */
export function dimPrompt(name: string, uses: readonly DimUse[] | undefined, unbound: boolean): string {
  const state = unbound ? ' (unbound now)' : '';
  const first = uses?.[0];
  if (!first) return `Value of ${clipName(name, 60)}${state}`;
  const others = [...new Set(uses.slice(1).map((u) => u.input))].filter((i) => i !== first.input);
  const also = others.length > 0 ? `; also in ${others.slice(0, 3).map((i) => clipName(i, 30)).join(', ')}${others.length > 3 ? '…' : ''}` : '';
  return `${clipName(first.input, 40)}: ${clipName(first.shape, 120)} → ${clipName(name, 60)} (axis ${first.axis})${also}${state}`;
}

/** InputBox validation for a dim value: a message, or undefined when `text` is a positive integer. */
export function validateDimValue(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return 'Enter a positive integer, e.g. 1 or 2048.';
  const value = Number(trimmed);
  if (value < 1) return 'The value must be at least 1.';
  if (!Number.isSafeInteger(value)) return 'The value is too large.';
  return undefined;
}

export type ReportFormat = 'json' | 'html' | 'markdown';

/** The report format a save path asks for, by its extension. */
export function reportFormatOf(path: string): ReportFormat | undefined {
  const match = /\.([a-z]+)$/i.exec(path);
  switch (match?.[1]?.toLowerCase()) {
    case 'json':
      return 'json';
    case 'html':
    case 'htm':
      return 'html';
    case 'md':
    case 'markdown':
      return 'markdown';
    default:
      return undefined;
  }
}
