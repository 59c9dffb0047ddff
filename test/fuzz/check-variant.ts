/**
 * What the fuzz test checks on every variant: it analyses and profiles without an exception, an unreadable
 * variant says why with an error diagnostic, and no diagnostic reports an internal error. The engine and the
 * cost model turn a rule's exceptions into diagnostics, so a crash inside an op rule would otherwise pass
 * unseen; INTERNAL_ERROR_CODE is how they tell such a bug from a fault of the model.
 */
import { analyzeModel } from '../../server/src/analysis/analyze';
import { findChip } from '../../server/src/analysis/cost/chips';
import { profileAnalysis } from '../../server/src/analysis/cost/index';
import { Diagnostic, INTERNAL_ERROR_CODE } from '../../server/src/analysis/diagnostics';
import { bytesSource } from '../../server/src/analysis/onnx/byte-source';
import { buildReport } from '../../server/src/analysis/report';

const H100 = findChip('h100');
if (!H100) throw new Error('no h100 in the chip database');
const PROFILE = { chip: H100, peakMode: 'datasheet' as const };

export interface VariantOutcome {
  /** The diagnostics that report a bug in Ridgepoint, as `location: message`. */
  readonly internalErrors: string[];
  /** Unreadable, and no error diagnostic says why. */
  readonly silent: boolean;
  /** `read`, `partial, with errors` or `unreadable: <code>`, for the run's summary. */
  readonly outcome: string;
}

/** The diagnostics that report a bug in Ridgepoint rather than a fault of the model. */
export function internalErrors(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.code === INTERNAL_ERROR_CODE).map((d) => `${d.location?.node ?? 'model'}: ${d.message}`);
}

/** Analyses, profiles and reports `bytes` as every view would; an exception escapes (the caller counts it as a crash). */
export function checkVariant(bytes: Uint8Array, label: string): VariantOutcome {
  const analysis = analyzeModel(bytesSource(bytes));
  const profiled = profileAnalysis(analysis, PROFILE);
  // The report (and its JSON form) is what every view consumes; it must survive too.
  const report = buildReport(analysis, label, new Map(), profiled);
  JSON.stringify(report);
  const hasError = analysis.diagnostics.some((d) => d.severity === 'error');
  return {
    internalErrors: internalErrors(report.diagnostics),
    silent: analysis.model === null && !hasError,
    outcome: analysis.model === null ? `unreadable: ${analysis.diagnostics[0]?.code}` : hasError ? 'partial, with errors' : 'read',
  };
}
