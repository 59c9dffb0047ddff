/**
 * The words the client shows: profile notifications, chip quick-pick details, status bar text and input
 * validation. Pure (no `vscode` import) so unit tests run in plain Node. Model-supplied names are untrusted;
 * they only ever reach plain-text UI, cleaned of control characters and clipped.
 */
import { percent, seconds } from '../../media/src/format';
import type { ChipSummary, ProfiledParams, ProfileResult } from '../../server/src/protocol';
import { coverageShort } from '../../server/src/analysis/coverage';
import { sanitise } from '../../server/src/cli/format';

/** Longest model-supplied name put in a notification. */
const MAX_NAME = 80;

export function clipName(name: string, max = MAX_NAME): string {
  const clean = sanitise(name);
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

function trimNumber(value: number): string {
  return String(Number(value.toFixed(value >= 100 ? 0 : 1)));
}

/** `3350 GB/s · 989 TFLOP/s bf16 · 80 GB` (TOP/s for integer peaks). */
export function chipDetail(chip: ChipSummary): string {
  const parts = [`${trimNumber(chip.memoryBandwidthGBs)} GB/s`];
  if (chip.peakTFlops !== null) {
    const integer = chip.peakDtype !== null && /^u?int/i.test(chip.peakDtype);
    parts.push(`${trimNumber(chip.peakTFlops)} ${integer ? 'TOP/s' : 'TFLOP/s'}${chip.peakDtype ? ` ${chip.peakDtype}` : ''}`);
  }
  parts.push(`${trimNumber(chip.memoryGB)} GB`);
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

/**
 * `$(pulse) H100 SXM5 80GB · 1.23 ms`, or without the time before the first profile; an incomplete model
 * definition: `$(warning) H100 SXM5 80GB · ≥ 1.23 ms · incomplete: 13 of 16 layers, see Problems`.
 */
export function statusText(chipName: string, profiled: ProfiledParams | undefined): string {
  const name = shortChipName(profiled?.chipName ?? chipName);
  const coverage = profiled?.coverage;
  const incomplete = coverage && !coverage.complete ? ` · ${coverageShort(coverage)}` : '';
  const icon = incomplete ? '$(warning)' : '$(pulse)';
  if (!profiled || profiled.totalSeconds === null) return `${icon} ${name}${incomplete}`;
  return `${icon} ${name} · ${incomplete ? '≥ ' : ''}${seconds(profiled.totalSeconds)}${incomplete}`;
}

export function statusTooltip(chipName: string, profiled: ProfiledParams | undefined): string {
  const lines = [`Ridgepoint: ${profiled?.chipName ?? chipName}`];
  if (!profiled) lines.push('Not profiled yet.');
  else if (profiled.totalSeconds === null) lines.push('Nothing could be costed yet.');
  else {
    const bound = profiled.memoryBoundShare === null ? '' : `, ${percent(profiled.memoryBoundShare)} of it memory-bound`;
    lines.push(`Predicted ${isIncomplete(profiled) ? 'at least ' : ''}${seconds(profiled.totalSeconds)} per run${bound}.`);
  }
  if (profiled?.coverage && !profiled.coverage.complete) {
    lines.push(`Incomplete: ${profiled.coverage.layersResolved} of ${profiled.coverage.layersTotal} layers with parameters resolved; the totals are lower bounds. The Problems panel lists what is missing.`);
  }
  if (profiled && profiled.unboundDims.length > 0) {
    lines.push(`Unbound dims: ${profiled.unboundDims.map((d) => clipName(d, 40)).join(', ')} (Ridgepoint: Bind Symbolic Dimensions…).`);
  }
  lines.push('Click to pick another chip.');
  return lines.join('\n');
}

/**
 * `Ridgepoint: model.onnx on NVIDIA H100 SXM — 1.23 ms per run, 78% memory-bound; top op
 * /blocks.0/attn/MatMul (12%)`.
 */
export function profileSummary(modelName: string, report: ProfileResult): string {
  const chip = report.chip?.name ?? 'the chosen chip';
  const head = `Ridgepoint: ${clipName(modelName)} on ${chip}`;
  const totals = report.totals;
  if (!totals) return `${head} — nothing could be costed${unboundSuffix(report)}.`;
  let text = `${head} — ${seconds(totals.timeSeconds)} per run, ${percent(totals.memoryBoundShare)} memory-bound`;
  const top = report.topOps?.[0];
  if (top) text += `; top op ${clipName(top.name || `${top.opType} ${top.id}`)} (${percent(top.share)})`;
  return text + unboundSuffix(report);
}

function unboundSuffix(report: ProfileResult): string {
  if (report.unboundSymbols.length === 0) return '';
  return ` (unbound: ${report.unboundSymbols.map((s) => clipName(s, 40)).join(', ')})`;
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
