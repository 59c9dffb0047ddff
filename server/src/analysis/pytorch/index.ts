/**
 * The PyTorch source frontend (docs/pytorch-source.md): a model's .py file → the IR model the rest of
 * Ridgepoint analyses. Pure: the tree-sitter wasm bytes are passed in, nothing is read or run.
 */
export { createPythonParser } from './parser';
export type { PythonParser } from './parser';
export { analyzePythonSource } from './analyze';
export type { AnalyzeSourceOptions, LayerSummary, ModuleSummary, PythonAnalysis, PythonDiagnostic, PythonTree, SourcePosition, SourceRange, TextChange, TorchDtype, UnresolvedName } from './types';
