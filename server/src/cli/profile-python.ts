/**
 * `ridgepoint profile model.py --entry NAME --input 1x3x224x224`: the PyTorch source frontend from the
 * CLI. The tree-sitter runtime and Python grammar are wasm files: next to the bundle in dist/ (the
 * build copies them there), else in node_modules. Loading them is asynchronous, so the CLI prepares the
 * parser once before it runs (`preparePythonParser`) and profiling itself stays synchronous.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { advise } from '../analysis/advise/index';
import { Chip } from '../analysis/cost/chips';
import { profileAnalysis, ProfileOptions } from '../analysis/cost/index';
import { Diagnostic } from '../analysis/diagnostics';
import { Dim } from '../analysis/ir/dim';
import { ModelAnalysis } from '../analysis/analyze';
import { analyzePythonSource, createPythonParser, PythonDiagnostic, PythonParser, TorchDtype } from '../analysis/pytorch/index';
import { buildReport, Report } from '../analysis/report';
import { FileModuleResolver } from '../python-env/module-resolver';
import { choosePython } from '../python-env/python-exe';
import { pythonSearchPaths } from '../python-env/search-paths';
import { parseInputShape } from './args';

let prepared: PythonParser | null = null;
let prepareError: string | null = null;

export function isPythonFile(file: string): boolean {
  return file.toLowerCase().endsWith('.py');
}

/** The wasm files: dist/ next to this bundle first, then the packages in node_modules. */
function locateWasm(fileName: string, packageFile: string): string {
  const nextToBundle = path.join(__dirname, fileName);
  if (fs.existsSync(nextToBundle)) return nextToBundle;
  return require.resolve(packageFile);
}

/** The tree-sitter runtime and Python grammar bytes (the CLI's and the language server's parser). Throws when missing. */
export function readPythonGrammar(): { runtime: Uint8Array; python: Uint8Array } {
  return {
    runtime: fs.readFileSync(locateWasm('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm')),
    python: fs.readFileSync(locateWasm('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm')),
  };
}

/** Loads the parser once; a failure is reported by each .py profile instead of stopping the CLI. */
export async function preparePythonParser(): Promise<void> {
  if (prepared !== null || prepareError !== null) return;
  try {
    prepared = await createPythonParser(readPythonGrammar());
  } catch (error) {
    prepareError = error instanceof Error ? error.message : String(error);
  }
}

export interface PythonCliOptions {
  readonly dim: ReadonlyMap<string, number>;
  readonly input: ReadonlyMap<string, Dim[]>;
  readonly entry?: string;
  /** The Python whose sys.path imported modules are read from (and which runs --trace); default `python3` on PATH. */
  readonly python?: string;
  readonly profile?: ProfileOptions;
  readonly suggestions?: boolean;
  readonly chips?: readonly Chip[];
}

/** `--input NAME=D1xD2` as for ONNX, or a bare `D1xD2x...` (a .py model's first forward argument), kept under ''. */
export function parseInputOption(text: string, into: Map<string, Dim[]>): Map<string, Dim[]> {
  if (text.includes('=')) return parseInputShape(text, into);
  const parsed = parseInputShape(`input=${text}`, new Map());
  into.set('', parsed.get('input') ?? []);
  return into;
}

/** `--input 1x3x224x224` (stored under '') or `--input x=1x3x224x224`: the first forward argument's shape. */
export function inputShape(input: ReadonlyMap<string, Dim[]>): Dim[] | undefined {
  return input.get('') ?? [...input.values()][0];
}

function asDiagnostic(d: PythonDiagnostic, file: string): Diagnostic {
  const where = d.range ? `${d.range.path ?? file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ` : '';
  return { severity: d.severity, code: d.code, message: `${where}${d.message}` };
}

/** `--dtype` → the torch dtype a PyTorch source's float tensors get (static and traced mode). */
export const DTYPE_NAMES: Record<string, TorchDtype> = { fp32: 'float32', fp16: 'float16', bf16: 'bfloat16' };

/** A .py model that could not be analysed at all: a report with the one error. */
export function failedPythonReport(file: string, options: PythonCliOptions, code: string, message: string): Report {
  return buildReport({ model: null, inference: null, diagnostics: [{ severity: 'error', code, message }] }, file, options.dim);
}

/** A .py model's analysis (static or traced) → costs on the chip, suggestions, the report. */
export function pythonReport(analysis: ModelAnalysis, file: string, options: PythonCliOptions): Report {
  const profiled = options.profile ? profileAnalysis(analysis, options.profile) : null;
  const advice = profiled && options.profile && options.suggestions !== false ? advise(analysis, { ...options.profile, baseline: profiled.result, chips: options.chips, inferOptions: { bindings: options.dim } }) : null;
  return buildReport(analysis, file, options.dim, profiled, advice);
}

export function profilePythonFile(file: string, options: PythonCliOptions): Report {
  const fail = (code: string, message: string): Report => failedPythonReport(file, options, code, message);
  if (prepared === null) return fail('pytorch.parser-unavailable', `the Python parser could not be loaded: ${prepareError ?? 'not prepared'}`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return fail('io.open', `cannot open ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const dtype = options.profile?.computeDtype ? DTYPE_NAMES[options.profile.computeDtype] : undefined;
  const modules = new FileModuleResolver({ roots: [process.cwd()], searchPaths: pythonSearchPaths(choosePython({ setting: options.python }).executable) });
  const result = analyzePythonSource(prepared, text, { entry: options.entry, input: inputShape(options.input), bindings: options.dim, dtype, path: path.resolve(file), modules });
  result.tree?.dispose();
  const sourceDiagnostics = result.diagnostics.map((d) => asDiagnostic(d, file));
  const unresolved: Diagnostic[] = result.unresolved.map((u) => ({ severity: 'warning', code: 'pytorch.unresolved', message: `${u.range ? `${u.range.path ?? file}:${u.range.start.line + 1}:${u.range.start.character + 1}: ` : ''}\`${u.name}\` is unresolved: ${u.reason}${u.module ? '' : ` (bind it with --dim ${u.name}=N)`}` }));
  const analysis = result.analysis ?? { model: null, inference: null, diagnostics: [] };
  // Problems located in the source without a file of their own are in this file.
  const coverage = { ...result.coverage, unresolved: result.coverage.unresolved.map((p) => (p.range && p.file === undefined ? { ...p, file } : p)) };
  return pythonReport({ ...analysis, diagnostics: [...sourceDiagnostics, ...unresolved, ...analysis.diagnostics], coverage }, file, options);
}
