/**
 * Traced mode's core (docs/pytorch-source.md, "Traced mode"): the JSON ridgepoint_trace.py prints →
 * the IR model and the same `PythonAnalysis` the static frontend gives. Pure: running Python is the
 * node side's job (server/src/python-env/trace.ts).
 */
export { traceFailure, traceToAnalysis } from './analysis';
export type { TraceCoverage, TracedAnalysis, TraceProblem, TraceToAnalysisOptions } from './analysis';
export { parseStackDump, parseTraceDocument } from './trace-format';
export type { TraceDocument, TraceFrame } from './trace-format';
export { traceToGraph } from './to-analysis';
export type { TraceGraph, TraceLocation } from './to-analysis';
