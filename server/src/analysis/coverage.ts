/**
 * How much of a model definition the frontend understood (docs/report-schema.md, `coverage`). A model
 * built from source (PyTorch) or a config (Hugging Face) can be partly resolved; every view then says so
 * and labels its totals as lower bounds, so that a partial answer is never shown as the whole one.
 * ONNX files have no coverage: their graph is the model.
 */

export interface CoveragePosition {
  /** 0-based line. */
  readonly line: number;
  /** 0-based UTF-16 column. */
  readonly character: number;
}

/** One thing not understood: an unresolved size or name, a layer left out, a forward that fell back, … */
export interface CoverageProblem {
  /** What is unresolved: a layer path (`features.0`), a name (`block`), a module (`torchvision.ops`). */
  readonly name: string;
  readonly reason: string;
  /** The stable diagnostic code behind it (`pytorch.layer-left-out`, `pytorch.unresolved`, …). */
  readonly code?: string;
  /** The file it is in, when known (the model's own file or an imported one). */
  readonly file?: string;
  readonly range?: { readonly start: CoveragePosition; readonly end: CoveragePosition };
}

export interface Coverage {
  /** True when every layer is resolved and in the graph and nothing was guessed: the totals are the model's. */
  readonly complete: boolean;
  /** Layers with parameters whose sizes are resolved and which are in the graph (or never called). */
  readonly layersResolved: number;
  /** Layers with parameters (leaf layers, and modules that own parameters directly). */
  readonly layersTotal: number;
  /** Share of the parameters in resolved layers; null when some layer's parameter count is unknown. */
  readonly parametersResolvedShare: number | null;
  readonly unresolved: readonly CoverageProblem[];
}

/** `13 of 16 layers resolved, 92.1% of parameters` (no share when it is unknown). */
export function coverageCounts(coverage: Coverage): string {
  const share = coverage.parametersResolvedShare;
  return `${coverage.layersResolved} of ${coverage.layersTotal} layers resolved${share === null ? '' : `, ${(share * 100).toFixed(1)}% of parameters`}`;
}

/** What the status bar needs of a coverage (the `ridgepoint/profiled` notification carries it). */
export interface CoverageSummary {
  readonly complete: boolean;
  readonly layersResolved: number;
  readonly layersTotal: number;
  /** How many problems `unresolved` lists. */
  readonly problems: number;
}

export function summariseCoverage(coverage: Coverage): CoverageSummary {
  return { complete: coverage.complete, layersResolved: coverage.layersResolved, layersTotal: coverage.layersTotal, problems: coverage.unresolved.length };
}

/**
 * The status bar's and code lens's words: `incomplete: 13 of 16 layers, see Problems`, or when every
 * layer is resolved but something else was not understood, `incomplete: 2 problems, see Problems`.
 */
export function coverageShort(coverage: CoverageSummary): string {
  if (coverage.layersResolved < coverage.layersTotal) return `incomplete: ${coverage.layersResolved} of ${coverage.layersTotal} layers, see Problems`;
  return `incomplete: ${coverage.problems} problem${coverage.problems === 1 ? '' : 's'}, see Problems`;
}

/** True when the totals built from this analysis are lower bounds (an incomplete model definition). */
export function isLowerBound(coverage: Coverage | undefined | null): boolean {
  return coverage !== undefined && coverage !== null && !coverage.complete;
}
