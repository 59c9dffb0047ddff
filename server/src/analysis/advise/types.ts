import { Chip } from '../cost/chips';
import { ProfileOptions } from '../cost/index';
import { Runtime } from '../cost/runtime';
import { ProfileResult } from '../cost/totals';
import { InferOptions } from '../shape/engine';
import { WhatIf } from './whatif';

/**
 * A suggestion with its predicted gain, computed by the same cost model on the chosen chip. Field
 * meanings are documented in docs/suggestions.md and docs/report-schema.md.
 */
export type SuggestionKind = 'fuse' | 'quantise' | 'batch' | 'smaller-model' | 'chip' | 'runtime';

export type Confidence = 'high' | 'medium' | 'low';

/** One point on the roofline: time per model run, bytes moved, FLOP per byte. */
export interface Figures {
  readonly timeSeconds: number;
  readonly bytes: number;
  readonly intensity: number | null;
}

/** A piece of a suggestion: one fused kernel, one quantised op, one MatMul's crossing batch. */
export interface SuggestionPart {
  readonly nodes: readonly string[];
  readonly before: Figures;
  readonly after: Figures;
  /** A short label ("crosses the ridge at batch 37"). */
  readonly note?: string;
}

export interface Suggestion {
  /** Stable within a report: `fuse:attention`, `quantise:int8-weight-only`, `batch`, `smaller-model`, `chip:fastest`, `runtime`, … */
  readonly id: string;
  readonly kind: SuggestionKind;
  /** The pattern or variant (`attention`, `layernorm`, `conv-batchnorm`, `int4-weight-only`, …). */
  readonly pattern: string;
  /** Node ids the suggestion is about (empty for whole-model suggestions such as chip). */
  readonly nodes: readonly string[];
  /** Readable name for menus and lenses ("Fuse attention", "Use FP8 weights and activations"): `suggestionTitle`, set by `advise` on every suggestion it returns. */
  readonly title?: string;
  /** One sentence with the predicted gain. */
  readonly message: string;
  /** Plain text (no markup), may span lines: the numbers behind the message, the assumptions. */
  readonly detail: string;
  /** Baseline total − what-if total, seconds per model run (per the baseline's batch for 'batch'); may be negative for a chip that is slower but uses less energy. */
  readonly predictedSavingSeconds: number;
  /** Bytes of memory traffic no longer moved per model run. */
  readonly bytesSaved: number;
  readonly confidence: Confidence;
  /** The change to re-profile with `profileWhatIf` (absent for 'chip': re-profile on `chip.id`). */
  readonly whatIf?: WhatIf;
  /** What to run or set to get it (a runtime option, a command). */
  readonly recipe?: string;
  /** The suggestion's nodes before and after (summed), for a roofline point. */
  readonly before?: Figures;
  readonly after?: Figures;
  readonly parts?: readonly SuggestionPart[];
  /** 'batch': the batch proposed, throughput before and after, and the memory check. */
  readonly throughput?: {
    readonly baselineBatch: number;
    readonly batch: number;
    readonly baselineItemsPerSecond: number;
    readonly itemsPerSecond: number;
    /** Weights plus peak live activations at `batch`. */
    readonly memoryBytes: number;
    readonly chipMemoryBytes: number;
  };
  /** 'runtime': the model's time under each runtime that removes launches (per model run), and the launches removed. */
  readonly runtime?: {
    readonly from: Runtime;
    readonly to: Runtime;
    readonly cudaGraphsSeconds: number;
    readonly compiledSeconds: number;
    /** Kernel runs of the baseline (each pays one launch). */
    readonly kernels: number;
  };
  /** 'chip': the chip proposed and the model's totals on it. */
  readonly chip?: { readonly id: string; readonly name: string; readonly timeSeconds: number; readonly energyJoules: number };
  /** Energy saved per model run (joules), where the suggestion changes it. */
  readonly energySavedJoules?: number;
}

export interface AdviseOptions extends ProfileOptions {
  /** The options the analysis was inferred with (bindings, input shapes, byte source), for re-inference under a 'bind' what-if. */
  readonly inferOptions?: InferOptions;
  /** Chips the chip suggestion compares (default: the built-in database). */
  readonly chips?: readonly Chip[];
  /** The baseline profile, when the caller has it already (same chip and options). */
  readonly baseline?: ProfileResult;
}

/** Suggestions, best saving first, and notes about rules that found nothing or failed. */
export interface Advice {
  readonly suggestions: Suggestion[];
  readonly notes: string[];
}
