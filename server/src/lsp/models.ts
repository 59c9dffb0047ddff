import { URI } from 'vscode-uri';
import '../analysis/ops/index';
import { Advice, adviseInSteps } from '../analysis/advise/index';
import { ModelAnalysis } from '../analysis/analyze';
import { builtinChips, Chip } from '../analysis/cost/chips';
import { ModelProfile, profileAnalysis } from '../analysis/cost/index';
import { PeakMode } from '../analysis/cost/roofline';
import { Runtime } from '../analysis/cost/runtime';
import { Diagnostic } from '../analysis/diagnostics';
import { Dim, dimSymbols, sym } from '../analysis/ir/dim';
import { Model } from '../analysis/ir/graph';
import { checkExternalData } from '../analysis/onnx/external-data';
import { readModel } from '../analysis/onnx/reader';
import { NodeSpan, TextLayout } from '../analysis/onnx/text/layout';
import { parseModelText } from '../analysis/onnx/text/parser';
import { ViewLayout } from '../analysis/onnx/view/layout';
import { renderModelView } from '../analysis/onnx/view/printer';
import { externalReferences } from '../analysis/ir/weights';
import { buildReport, Report, ReportNode } from '../analysis/report';
import { inferModel } from '../analysis/shape/engine';
import { analyzeHfConfig, HfConfigAnalysis } from '../analysis/hf-config/index';
import { HfProfileOptions } from '../analysis/hf-config/index';
import { LlmSettings } from '../settings';
import { analyzePythonSource, PythonAnalysis, PythonParser, PythonTree, TextChange, TorchDtype } from '../analysis/pytorch/index';
import { PythonImports } from './python-imports';
import { RENDER_SCHEME } from '../protocol';
import { LineIndex } from './line-index';
import { OpenModelFile, ServerRuntime } from './runtime';

/**
 * The server's cache of models, between the core and the handlers. A model is loaded once per file
 * version (binary: size and mtime; text: document version) and profiled once per (bindings, chip,
 * peak mode); handlers read the cached results, so a hover never re-runs an analysis. Work is split
 * in phases with a yield between them, so a long analysis never blocks cancellations or other
 * requests for its whole duration.
 */

/**
 * `binary` ONNX files and `text` (.onnxtxt) are graphs already; `python` (a PyTorch module's source) and
 * `hf-config` (a Hugging Face config.json) are model definitions that a frontend turns into a graph for
 * each profile (analysis/pytorch, analysis/hf-config), since what the graph is depends on the options.
 */
export type ModelKind = 'binary' | 'text' | 'python' | 'hf-config';

/** Which model a document URI is about. A binary model and its rendered view share one key (the file path). */
export interface ModelRef {
  readonly key: string;
  readonly kind: ModelKind;
  /** File-system path of the model file. */
  readonly path: string;
  /** The URI the request named. */
  readonly uri: string;
  /** The URI of the document holding the text (the request's, without a `#decode` phase fragment). */
  readonly documentUri?: string;
  /** A config.json's phase: `#decode` in the URI profiles one decode step, else the prefill. */
  readonly phase?: 'prefill' | 'decode';
}

/** A Hugging Face config by its file name (`config.json`, `llama-2-7b.config.json`); other JSON is not a model. */
const HF_CONFIG_NAME = /(^|[\\/.])config\.json$/i;

export function modelRefOf(uri: string): ModelRef | undefined {
  let parsed: URI;
  try {
    parsed = URI.parse(uri);
  } catch {
    return undefined;
  }
  if (parsed.scheme === RENDER_SCHEME) {
    const path = URI.file(parsed.path).fsPath;
    return { key: `binary:${path}`, kind: 'binary', path, uri };
  }
  if (parsed.scheme !== 'file') return { key: `text:${uri}`, kind: 'text', path: parsed.path, uri };
  const path = parsed.fsPath;
  if (/\.onnx$/i.test(path)) return { key: `binary:${path}`, kind: 'binary', path, uri };
  if (/\.py$/i.test(path)) return { key: `python:${path}`, kind: 'python', path, uri };
  if (HF_CONFIG_NAME.test(path)) {
    const phase = parsed.fragment === 'decode' ? 'decode' : 'prefill';
    return { key: `hf:${path}#${phase}`, kind: 'hf-config', path, uri, documentUri: parsed.with({ fragment: '' }).toString(), phase };
  }
  return { key: `text:${uri}`, kind: 'text', path, uri };
}

/** The document whose text a model ref reads. */
export function documentUriOf(ref: ModelRef): string {
  return ref.documentUri ?? ref.uri;
}

/** The rendered view URI of a binary model file. */
export function renderUriOf(path: string): string {
  return URI.file(path).with({ scheme: RENDER_SCHEME }).toString();
}

export interface LoadedModel {
  readonly ref: ModelRef;
  /** Changes whenever the model's content may have. */
  readonly stamp: string;
  readonly model: Model | null;
  /** Reader or parser diagnostics, plus the external-data check. Offsets: bytes (binary) or text offsets (text). */
  readonly loadDiagnostics: Diagnostic[];
  /** The text the editor shows: the rendering of a binary model, or the document itself. */
  readonly text: string;
  readonly layout: TextLayout;
  /** The readable view's groups and fold regions (a binary model's rendering); null for a document's own text. */
  readonly view: ViewLayout | null;
  readonly lines: LineIndex;
  readonly nodeSpans: ReadonlyMap<string, NodeSpan>;
  /** Milliseconds spent reading and rendering (or parsing). */
  readonly loadMs: number;
  /** Open while the model is cached, for the shape engine's reads of small constants. */
  readonly file: OpenModelFile | null;
}

/** What a model definition's graph is built for, besides bindings (python: entry, input, dtype). */
export interface SourceModelOptions {
  readonly entry?: string;
  /** The entry's input shape, e.g. [1, 3, 224, 224] or ['batch', 'seq'] (names bound like symbolic dims); unset leaves forward shapes unknown. */
  readonly input?: ReadonlyArray<number | string>;
  readonly dtype?: TorchDtype;
}

/** A config.json's sizes when no binding gives them: one sequence, a 2,048-token prompt, 256 tokens generated. */
export const LLM_DEFAULTS: Readonly<Record<'batch' | 'prompt' | 'generated', number>> = { batch: 1, prompt: 2048, generated: 256 };

/** A config.json's batch, prompt and generated lengths: the bindings', else LLM_DEFAULTS. */
/** The config.json serving options of the `ridgepoint.llm.*` settings (only those set). */
export function llmServing(llm: LlmSettings | undefined): Omit<HfProfileOptions, 'phase' | 'batch' | 'prompt' | 'generated'> {
  if (llm === undefined) return {};
  return {
    ...(llm.weights !== '' ? { weights: llm.weights } : {}),
    ...(llm.activations !== '' ? { activations: llm.activations } : {}),
    ...(llm.kvCache !== '' ? { kv: llm.kvCache } : {}),
    ...(llm.tensorParallel > 1 ? { tp: llm.tensorParallel } : {}),
    ...(llm.pipelineParallel > 1 ? { pp: llm.pipelineParallel } : {}),
    ...(llm.expertParallel > 1 ? { ep: llm.expertParallel } : {}),
    ...(llm.attention !== 'fused' ? { attention: llm.attention } : {}),
    ...(llm.pricePerGpuHour > 0 ? { pricePerGpuHour: llm.pricePerGpuHour } : {}),
  };
}

export function llmSizes(bindings: ReadonlyMap<string, number>): { batch: number; prompt: number; generated: number } {
  return { batch: bindings.get('batch') ?? LLM_DEFAULTS.batch, prompt: bindings.get('prompt') ?? LLM_DEFAULTS.prompt, generated: bindings.get('generated') ?? LLM_DEFAULTS.generated };
}

export interface ProfileRequestOptions {
  readonly bindings: ReadonlyMap<string, number>;
  readonly source?: SourceModelOptions;
  readonly chip: Chip;
  readonly peakMode: PeakMode;
  /** How kernels are issued (cost/runtime.ts); absent: eager. */
  readonly runtime?: Runtime;
  /** Chips the chip suggestion compares (built-ins plus the user's chips file). */
  readonly chips?: readonly Chip[];
  /** config.json serving: precision, GPUs, attention, price (the ridgepoint.llm.* settings). */
  readonly llm?: LlmSettings;
}

export interface ProfiledModel {
  readonly loaded: LoadedModel;
  readonly options: ProfileRequestOptions;
  readonly analysis: ModelAnalysis;
  readonly profile: ModelProfile | null;
  /** The report without suggestions; `withAdvice` adds them once computed. */
  readonly report: Report;
  /** Suggestions (docs/suggestions.md), once `ModelService.advise` computed them (null before, or when nothing was profiled). */
  advice: Advice | null;
  /** The computation of `advice`, started on first demand. */
  advicePromise?: Promise<Advice | null>;
  readonly nodes: ReadonlyMap<string, ReportNode>;
  /** Every symbol in the graph inputs' declared shapes, bound or not, in first-seen order. */
  readonly symbols: readonly string[];
  /** A PyTorch source's analysis (modules, layers, node → line), when the model is a .py file. */
  readonly python?: PythonAnalysis;
  /** A Hugging Face config's analysis (family, normalised config, key ranges), when the model is a config.json. */
  readonly hf?: HfConfigAnalysis;
}

/** The model-definition frontends' runtime needs (the Python grammar is a wasm module, loaded once). */
export interface SourceFrontends {
  pythonParser(): Promise<PythonParser>;
  /** Imports of other files (lsp/python-imports.ts); without it imports stay opaque names. */
  readonly pythonImports?: PythonImports;
  /** Traced mode (lsp/traces.ts): the analysis to show for this version and options, given the static one. */
  withTrace?(ref: ModelRef, stamp: string, options: ProfileRequestOptions, staticAnalysis: PythonAnalysis): PythonAnalysis;
}

/** Thrown to a waiting request whose client cancelled it; the shared work itself carries on and is cached. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

const PROFILES_PER_MODEL = 4;

export class ModelService {
  private readonly loaded = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, { stamp: string; promise: Promise<LoadedModel> }>();
  private readonly profiles = new Map<string, Array<{ key: string; promise: Promise<ProfiledModel> }>>();

  constructor(
    private readonly runtime: ServerRuntime,
    /** The text of an open text document, or undefined when the document is not open. */
    private readonly openText: (uri: string) => { text: string; version: number } | undefined,
    private readonly frontends?: SourceFrontends,
  ) {}

  /** Last parse of each Python model, reused for an incremental parse of its next version. */
  private readonly pythonTrees = new Map<string, PythonTree>();

  /** The model as last loaded, without checking for changes (for fast paths such as hover). */
  peek(ref: ModelRef): LoadedModel | undefined {
    return this.loaded.get(ref.key);
  }

  /** Loads (or returns the cached) model for the current file version or document version. */
  async load(ref: ModelRef, isCancelled: () => boolean = () => false): Promise<LoadedModel> {
    const stamp = this.stampOf(ref);
    const cached = this.loaded.get(ref.key);
    if (cached && cached.stamp === stamp) return cached;
    let pending = this.loading.get(ref.key);
    if (!pending || pending.stamp !== stamp) {
      const promise = this.doLoad(ref, stamp).then((model) => {
        const previous = this.loaded.get(ref.key);
        if (previous && previous !== model) previous.file?.close();
        this.loaded.set(ref.key, model);
        this.profiles.delete(ref.key);
        if (this.loading.get(ref.key)?.promise === promise) this.loading.delete(ref.key);
        return model;
      });
      pending = { stamp, promise };
      this.loading.set(ref.key, pending);
    }
    const result = await pending.promise;
    if (isCancelled()) throw new CancelledError();
    return result;
  }

  /** Profiles the current version of the model with these options (cached per options). */
  async profile(ref: ModelRef, options: ProfileRequestOptions, isCancelled: () => boolean = () => false): Promise<ProfiledModel> {
    const loaded = await this.load(ref, isCancelled);
    const key = profileKey(options);
    const list = this.profiles.get(ref.key) ?? [];
    let entry = list.find((e) => e.key === key);
    if (!entry) {
      entry = { key, promise: this.doProfile(loaded, options) };
      list.unshift(entry);
      if (list.length > PROFILES_PER_MODEL) list.pop();
      this.profiles.set(ref.key, list);
    }
    const result = await entry.promise;
    if (isCancelled()) throw new CancelledError();
    // The model changed while profiling: profile the new version.
    if (result.loaded !== this.loaded.get(ref.key) && this.loaded.has(ref.key)) return this.profile(ref, options, isCancelled);
    return result;
  }

  /**
   * The suggestions for a profile (computed once, in steps with yields between the rules, so requests
   * are served meanwhile). Null when nothing was profiled.
   */
  advise(profiled: ProfiledModel): Promise<Advice | null> {
    if (!profiled.advicePromise) {
      const profile = profiled.profile;
      const { options, loaded } = profiled;
      profiled.advicePromise = profile
        ? adviseInSteps(profiled.analysis, { chip: options.chip, peakMode: options.peakMode, runtime: options.runtime, baseline: profile.result, chips: options.chips ?? builtinChips(), inferOptions: { bindings: options.bindings, source: loaded.file ?? undefined } }, () => this.runtime.yieldToEventLoop()).then((advice) => {
            profiled.advice = advice;
            return advice;
          })
        : Promise.resolve(null);
    }
    return profiled.advicePromise;
  }

  /** The profile's report with its suggestions, when they have been computed. */
  static reportOf(profiled: ProfiledModel): Report {
    const advice = profiled.advice;
    return advice ? { ...profiled.report, suggestions: advice.suggestions, adviceNotes: advice.notes } : profiled.report;
  }

  /** Drops a model's profiles (a trace finished): the next request profiles it again. */
  invalidate(ref: ModelRef): void {
    this.profiles.delete(ref.key);
  }

  /** Drops a model from the cache (document closed) and releases its file. */
  forget(ref: ModelRef): void {
    this.pythonTrees.get(ref.key)?.dispose();
    this.pythonTrees.delete(ref.key);
    this.loaded.get(ref.key)?.file?.close();
    this.loaded.delete(ref.key);
    this.profiles.delete(ref.key);
  }

  dispose(): void {
    for (const tree of this.pythonTrees.values()) tree.dispose();
    this.pythonTrees.clear();
    for (const model of this.loaded.values()) model.file?.close();
    this.loaded.clear();
    this.profiles.clear();
  }

  private stampOf(ref: ModelRef): string {
    const own = this.ownStampOf(ref);
    const imports = ref.kind === 'python' ? this.frontends?.pythonImports : undefined;
    return imports ? `${own}|${imports.stamp(ref.path)}` : own;
  }

  private ownStampOf(ref: ModelRef): string {
    if (ref.kind !== 'binary') {
      const open = this.openText(documentUriOf(ref));
      if (open) return `v${open.version}`;
    }
    const stat = this.runtime.stat(ref.path);
    return stat ? `${stat.size}:${stat.mtimeMs}` : 'missing';
  }

  private async doLoad(ref: ModelRef, stamp: string): Promise<LoadedModel> {
    const started = this.runtime.now();
    await this.runtime.yieldToEventLoop();
    return ref.kind === 'binary' ? this.loadBinary(ref, stamp, started) : this.loadText(ref, stamp, started);
  }

  private async loadBinary(ref: ModelRef, stamp: string, started: number): Promise<LoadedModel> {
    let file: OpenModelFile;
    try {
      file = this.runtime.openModel(ref.path);
    } catch (error) {
      const message = `cannot open ${ref.path}: ${error instanceof Error ? error.message : String(error)}`;
      return this.failed(ref, stamp, started, { severity: 'error', code: 'io.open', message });
    }
    const read = readModel(file);
    if (read.model === null) {
      file.close();
      return this.failed(ref, stamp, started, ...read.diagnostics);
    }
    await this.runtime.yieldToEventLoop();
    const rendered = renderModelView(read.model);
    const diagnostics = [...read.diagnostics];
    diagnostics.push(
      ...checkExternalData(externalReferences(read.model), (location) => this.runtime.stat(this.runtime.resolve(ref.path, location))?.size),
    );
    return this.assemble(ref, stamp, started, read.model, diagnostics, rendered.text, rendered.layout, file, rendered.layout);
  }

  private async loadText(ref: ModelRef, stamp: string, started: number): Promise<LoadedModel> {
    let text: string;
    const open = this.openText(documentUriOf(ref));
    if (open) text = open.text;
    else {
      try {
        text = this.runtime.readText(ref.path);
      } catch (error) {
        return this.failed(ref, stamp, started, { severity: 'error', code: 'io.open', message: `cannot read ${ref.path}: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    await this.runtime.yieldToEventLoop();
    // A model definition becomes a graph per profile (its options decide the graph): only the text is kept.
    if (ref.kind === 'python' || ref.kind === 'hf-config') return this.assemble(ref, stamp, started, null, [], text, { nodes: [], graphs: [] }, null);
    const parsed = parseModelText(text);
    return this.assemble(ref, stamp, started, parsed.model, parsed.diagnostics, text, parsed.layout, null);
  }

  private failed(ref: ModelRef, stamp: string, started: number, ...diagnostics: Diagnostic[]): LoadedModel {
    const why = diagnostics.map((d) => d.message).join('; ');
    const text = ref.kind === 'binary' ? `# Ridgepoint could not read this model.\n# ${why.replace(/\r?\n/g, ' ')}\n` : (this.openText(documentUriOf(ref))?.text ?? '');
    return this.assemble(ref, stamp, started, null, diagnostics, text, { nodes: [], graphs: [] }, null);
  }

  private assemble(ref: ModelRef, stamp: string, started: number, model: Model | null, diagnostics: Diagnostic[], text: string, layout: TextLayout, file: OpenModelFile | null, view: ViewLayout | null = null): LoadedModel {
    return {
      ref,
      stamp,
      model,
      loadDiagnostics: diagnostics,
      text,
      layout,
      view,
      lines: new LineIndex(text),
      nodeSpans: new Map(layout.nodes.map((n) => [n.id, n])),
      loadMs: this.runtime.now() - started,
      file,
    };
  }

  /** A model definition's graph for these options, analysed by its frontend (never throws). */
  private async defineModel(loaded: LoadedModel, options: ProfileRequestOptions): Promise<{ analysis: ModelAnalysis; python?: PythonAnalysis; hf?: HfConfigAnalysis; symbols: string[] }> {
    const { ref } = loaded;
    const failed = (message: string): { analysis: ModelAnalysis; symbols: string[] } => ({ analysis: { model: null, inference: null, diagnostics: [{ severity: 'error', code: 'internal', message }] }, symbols: [] });
    try {
      if (ref.kind === 'hf-config') {
        const hf = analyzeHfConfig(loaded.text, { phase: ref.phase ?? 'prefill', ...llmSizes(options.bindings), ...llmServing(options.llm) });
        const analysis = hf.analysis ?? { model: null, inference: null, diagnostics: [] };
        // hf.diagnostics holds the config's own problems (located by text offset) and then the graph's.
        return { analysis: { ...analysis, diagnostics: [...hf.diagnostics] }, hf, symbols: ['batch', 'prompt', 'generated'] };
      }
      if (!this.frontends) return failed('Python models need the Python grammar, which this server was started without');
      let parser: PythonParser;
      try {
        parser = await this.frontends.pythonParser();
      } catch (error) {
        const why = `the Python parser could not be loaded, so this file is not analysed: ${error instanceof Error ? error.message : String(error)}`;
        return { analysis: { model: null, inference: null, diagnostics: [{ severity: 'error', code: 'pytorch.parser-unavailable', message: why }] }, symbols: [] };
      }
      const previousTree = this.pythonTrees.get(ref.key);
      this.pythonTrees.delete(ref.key);
      const previous = previousTree ? { tree: previousTree, changes: [textChange(previousTree.text, loaded.text)] } : undefined;
      const source = options.source ?? {};
      const input = source.input?.map((d): Dim => (typeof d === 'number' ? d : (options.bindings.get(d) ?? sym(d))));
      const imports = this.frontends.pythonImports;
      const staticPython = analyzePythonSource(parser, loaded.text, { entry: source.entry, input, dtype: source.dtype, bindings: options.bindings, previous, path: ref.path, modules: imports?.resolver() });
      imports?.noteDependencies(ref.path, staticPython.dependencies ?? []);
      if (staticPython.tree) this.pythonTrees.set(ref.key, staticPython.tree);
      const python = this.frontends.withTrace?.(ref, loaded.stamp, options, staticPython) ?? staticPython;
      const analysis = python.analysis ?? { model: null, inference: null, diagnostics: [], coverage: python.coverage };
      return { analysis, python, symbols: [...new Set(python.unresolved.map((u) => u.name))] };
    } catch (error) {
      // The frontends guard their own work; reaching here is a bug in Ridgepoint, reported, never thrown.
      return failed(`analysing ${ref.path} stopped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async doProfile(loaded: LoadedModel, requested: ProfileRequestOptions): Promise<ProfiledModel> {
    await this.runtime.yieldToEventLoop();
    // The report lists only the bindings the model used: `seq=2048` from the settings means nothing to a CNN.
    const bindings = new UsedBindings(requested.bindings);
    const options = { ...requested, bindings };
    if (loaded.ref.kind === 'python' || loaded.ref.kind === 'hf-config') {
      const defined = await this.defineModel(loaded, options);
      return this.costed(loaded, options, { ...defined.analysis, diagnostics: [...defined.analysis.diagnostics] }, defined.symbols, { python: defined.python, hf: defined.hf });
    }
    const diagnostics = [...loaded.loadDiagnostics];
    let analysis: ModelAnalysis = { model: loaded.model, inference: null, diagnostics };
    if (loaded.model) {
      try {
        const inference = inferModel(loaded.model, { bindings: options.bindings, source: loaded.file ?? undefined });
        diagnostics.push(...inference.diagnostics);
        analysis = { model: loaded.model, inference, diagnostics };
      } catch (error) {
        // The engine guards every node; reaching here is a bug in Ridgepoint, reported, never thrown.
        diagnostics.push({ severity: 'error', code: 'internal', message: `shape inference stopped: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    return this.costed(loaded, options, analysis, inputSymbols(loaded.model), {});
  }

  /** Costs, roofline and report for an analysed graph. */
  private async costed(loaded: LoadedModel, options: ProfileRequestOptions, analysis: ModelAnalysis, symbols: string[], frontend: { python?: PythonAnalysis; hf?: HfConfigAnalysis }): Promise<ProfiledModel> {
    await this.runtime.yieldToEventLoop();
    let profile: ModelProfile | null = null;
    try {
      profile = profileAnalysis(analysis, { chip: options.chip, peakMode: options.peakMode, runtime: options.runtime });
    } catch (error) {
      analysis.diagnostics.push({ severity: 'error', code: 'internal', message: `cost analysis stopped: ${error instanceof Error ? error.message : String(error)}` });
    }
    const used = options.bindings instanceof UsedBindings ? options.bindings.used() : options.bindings;
    const report = buildReport(analysis, loaded.ref.path, used, profile);
    return {
      loaded,
      options,
      analysis,
      profile,
      report,
      advice: null,
      nodes: nodesById(report.nodes),
      symbols,
      ...(frontend.python ? { python: frontend.python } : {}),
      ...(frontend.hf ? { hf: frontend.hf } : {}),
    };
  }
}

/** The report's nodes by id (a loop: no [id, node] pair per node of a 10^4-node report). */
function nodesById(nodes: readonly ReportNode[]): Map<string, ReportNode> {
  const byId = new Map<string, ReportNode>();
  for (const n of nodes) byId.set(n.id, n);
  return byId;
}

/** Bindings that remember which of them were looked up: the ones a model used. */
class UsedBindings extends Map<string, number> {
  private readonly looked = new Set<string>();

  override get(name: string): number | undefined {
    const value = super.get(name);
    if (value !== undefined) this.looked.add(name);
    return value;
  }

  used(): Map<string, number> {
    return new Map([...this.entries()].filter(([name]) => this.looked.has(name)));
  }
}

function profileKey(options: ProfileRequestOptions): string {
  const bindings = [...options.bindings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([options.chip, options.peakMode, options.runtime ?? 'eager', bindings, options.chips?.length ?? 0, options.source ?? null, options.llm ?? null]);
}

/** The one edit that turns `before` into `after` (common prefix and suffix kept): what an incremental parse needs. */
export function textChange(before: string, after: string): TextChange {
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return { offset: start, deletedLength: before.length - start - end, insertedText: after.slice(start, after.length - end) };
}

function inputSymbols(model: Model | null): string[] {
  const names = new Set<string>();
  if (!model) return [];
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  for (const input of model.graph.inputs) {
    if (initializers.has(input.name) || input.type?.kind !== 'tensor' || !input.type.shape) continue;
    for (const dim of input.type.shape) for (const name of dimSymbols(dim)) names.add(name);
  }
  return [...names];
}
