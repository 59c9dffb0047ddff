import { URI } from 'vscode-uri';
import '../analysis/ops/index';
import { Advice, adviseInSteps } from '../analysis/advise/index';
import { ModelAnalysis } from '../analysis/analyze';
import { builtinChips, Chip } from '../analysis/cost/chips';
import { ModelProfile, profileAnalysis } from '../analysis/cost/index';
import { PeakMode } from '../analysis/cost/roofline';
import { Diagnostic } from '../analysis/diagnostics';
import { dimSymbols } from '../analysis/ir/dim';
import { Model } from '../analysis/ir/graph';
import { checkExternalData } from '../analysis/onnx/external-data';
import { readModel } from '../analysis/onnx/reader';
import { NodeSpan, TextLayout } from '../analysis/onnx/text/layout';
import { parseModelText } from '../analysis/onnx/text/parser';
import { renderModel } from '../analysis/onnx/text/printer';
import { buildReport, externalReferences, Report, ReportNode } from '../analysis/report';
import { inferModel } from '../analysis/shape/engine';
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

export type ModelKind = 'binary' | 'text';

/** Which model a document URI is about. A binary model and its rendered view share one key (the file path). */
export interface ModelRef {
  readonly key: string;
  readonly kind: ModelKind;
  /** File-system path of the model file. */
  readonly path: string;
  /** The URI the request named. */
  readonly uri: string;
}

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
  return { key: `text:${uri}`, kind: 'text', path, uri };
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
  readonly lines: LineIndex;
  readonly nodeSpans: ReadonlyMap<string, NodeSpan>;
  /** Milliseconds spent reading and rendering (or parsing). */
  readonly loadMs: number;
  /** Open while the model is cached, for the shape engine's reads of small constants. */
  readonly file: OpenModelFile | null;
}

export interface ProfileRequestOptions {
  readonly bindings: ReadonlyMap<string, number>;
  readonly chip: Chip;
  readonly peakMode: PeakMode;
  /** Chips the chip suggestion compares (built-ins plus the user's chips file). */
  readonly chips?: readonly Chip[];
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
  ) {}

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
        ? adviseInSteps(profiled.analysis, { chip: options.chip, peakMode: options.peakMode, baseline: profile.result, chips: options.chips ?? builtinChips(), inferOptions: { bindings: options.bindings, source: loaded.file ?? undefined } }, () => this.runtime.yieldToEventLoop()).then((advice) => {
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

  /** Drops a model from the cache (document closed) and releases its file. */
  forget(ref: ModelRef): void {
    this.loaded.get(ref.key)?.file?.close();
    this.loaded.delete(ref.key);
    this.profiles.delete(ref.key);
  }

  dispose(): void {
    for (const model of this.loaded.values()) model.file?.close();
    this.loaded.clear();
    this.profiles.clear();
  }

  private stampOf(ref: ModelRef): string {
    if (ref.kind === 'text') {
      const open = this.openText(ref.uri);
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
    const rendered = renderModel(read.model);
    const diagnostics = [...read.diagnostics];
    diagnostics.push(
      ...checkExternalData(externalReferences(read.model), (location) => this.runtime.stat(this.runtime.resolve(ref.path, location))?.size),
    );
    return this.assemble(ref, stamp, started, read.model, diagnostics, rendered.text, rendered.layout, file);
  }

  private async loadText(ref: ModelRef, stamp: string, started: number): Promise<LoadedModel> {
    let text: string;
    const open = this.openText(ref.uri);
    if (open) text = open.text;
    else {
      try {
        text = this.runtime.readText(ref.path);
      } catch (error) {
        return this.failed(ref, stamp, started, { severity: 'error', code: 'io.open', message: `cannot read ${ref.path}: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    await this.runtime.yieldToEventLoop();
    const parsed = parseModelText(text);
    return this.assemble(ref, stamp, started, parsed.model, parsed.diagnostics, text, parsed.layout, null);
  }

  private failed(ref: ModelRef, stamp: string, started: number, ...diagnostics: Diagnostic[]): LoadedModel {
    const why = diagnostics.map((d) => d.message).join('; ');
    const text = ref.kind === 'binary' ? `# Ridgepoint could not read this model.\n# ${why.replace(/\r?\n/g, ' ')}\n` : (this.openText(ref.uri)?.text ?? '');
    return this.assemble(ref, stamp, started, null, diagnostics, text, { nodes: [], graphs: [] }, null);
  }

  private assemble(ref: ModelRef, stamp: string, started: number, model: Model | null, diagnostics: Diagnostic[], text: string, layout: TextLayout, file: OpenModelFile | null): LoadedModel {
    return {
      ref,
      stamp,
      model,
      loadDiagnostics: diagnostics,
      text,
      layout,
      lines: new LineIndex(text),
      nodeSpans: new Map(layout.nodes.map((n) => [n.id, n])),
      loadMs: this.runtime.now() - started,
      file,
    };
  }

  private async doProfile(loaded: LoadedModel, options: ProfileRequestOptions): Promise<ProfiledModel> {
    await this.runtime.yieldToEventLoop();
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
    await this.runtime.yieldToEventLoop();
    let profile: ModelProfile | null = null;
    try {
      profile = profileAnalysis(analysis, { chip: options.chip, peakMode: options.peakMode });
    } catch (error) {
      diagnostics.push({ severity: 'error', code: 'internal', message: `cost analysis stopped: ${error instanceof Error ? error.message : String(error)}` });
    }
    const report = buildReport(analysis, loaded.ref.path, options.bindings, profile);
    return {
      loaded,
      options,
      analysis,
      profile,
      report,
      advice: null,
      nodes: new Map(report.nodes.map((n) => [n.id, n])),
      symbols: inputSymbols(loaded.model),
    };
  }
}

function profileKey(options: ProfileRequestOptions): string {
  const bindings = [...options.bindings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([options.chip, options.peakMode, bindings, options.chips?.length ?? 0]);
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
