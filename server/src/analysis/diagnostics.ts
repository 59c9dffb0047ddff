/** Analysis diagnostics: plain data, converted to LSP or CLI output by the views. */
export type Severity = 'error' | 'warning' | 'info';

export interface DiagnosticLocation {
  /** Byte offset in the model file where the problem was found. */
  readonly offset?: number;
  /** Node id (see analysis report) the problem concerns. */
  readonly node?: string;
  /** Graph path, for problems about a graph as a whole. */
  readonly graph?: string;
  /** Value (tensor) name. */
  readonly value?: string;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable machine-readable code, e.g. `onnx.truncated`, `shape.unknown-op`. */
  readonly code: string;
  readonly message: string;
  readonly location?: DiagnosticLocation;
}

/**
 * The code of a diagnostic that reports a bug in Ridgepoint (an exception no rule throws on purpose: a
 * TypeError, a RangeError…), never a fault of the model. Tests fail on any (test/fuzz).
 */
export const INTERNAL_ERROR_CODE = 'internal';

/** `what` (e.g. `Conv node "c1": the ai.onnx.Conv shape rule`) failed with an unexpected exception: a bug to report. */
export function internalErrorDiagnostic(what: string, error: unknown, location?: DiagnosticLocation): Diagnostic {
  const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    severity: 'error',
    code: INTERNAL_ERROR_CODE,
    message: `${what} failed with an internal error, a bug in Ridgepoint and not a problem of the model; please report it with the model: ${cause}`,
    ...(location ? { location } : {}),
  };
}

/** Thrown only inside the reader for malformed input; always caught and turned into a Diagnostic. */
export class ModelFormatError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'ModelFormatError';
  }
}
