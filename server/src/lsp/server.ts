import { CodeActionKind, Connection, DidChangeConfigurationNotification, InitializeParams, InitializeResult, MessageType, ShowMessageNotification, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { DEFAULT_SETTINGS, isRecord, parseShapeText, readSettings, RidgepointSettings } from '../settings';
import { ChipStore } from './chips-store';
import { registerChips } from './handlers/chips';
import { registerCodeActions } from './handlers/code-actions';
import { registerCodeLens } from './handlers/code-lens';
import { registerCostTree } from './handlers/cost-tree';
import { publishModelState } from './handlers/diagnostics';
import { registerDims } from './handlers/dims';
import { registerDocumentSymbols } from './handlers/document-symbols';
import { registerFolding } from './handlers/folding';
import { registerHover } from './handlers/hover';
import { registerInlayHints } from './handlers/inlay-hints';
import { registerLlmSweep } from './handlers/llm-sweep';
import { MeasuredProfile, registerMeasured } from './handlers/measured';
import { registerProfile } from './handlers/profile';
import { registerRender } from './handlers/render';
import { registerWhatIf } from './handlers/what-if';
import { LLM_DEFAULTS, ModelRef, modelRefOf, ModelService, ProfiledModel, ProfileRequestOptions, SourceModelOptions } from './models';
import { ServerRuntime } from './runtime';
import { createPythonParser, PythonParser } from '../analysis/pytorch/index';
import { SourceLinks } from './source-links';
import { PythonImports } from './python-imports';
import { requestActivity } from './safe';
import { SetSourceOptionsNotification } from '../protocol';
import { registerTracing, TraceService } from './traces';
// The one field: esbuild bundles only the JSON properties imported by name.
import { version } from '../../../package.json';

/** Wait after the last keystroke before re-analysing an `.onnxtxt` being edited. */
const EDIT_DEBOUNCE_MS = 250;
/** The longest the first analyses wait for the client's settings. */
const SETTINGS_WAIT_MS = 2_000;
/** Suggestions are computed once the user has left the server alone this long (no request). */
const ADVICE_IDLE_MS = 750;

/**
 * Everything a handler needs: the connection, open documents, settings, chips, per-model bindings and
 * the model cache. One instance per server.
 */
export class ServerContext {
  readonly documents = new TextDocuments(TextDocument);
  readonly models: ModelService;
  readonly chips: ChipStore;
  /** ONNX nodes ↔ Python source lines across the workspace (exporters' stack traces). */
  readonly sourceLinks: SourceLinks;
  /** Traced mode: PyTorch sources run in the user's Python (trusted workspaces only). */
  readonly traces: TraceService = new TraceService(this);
  settings: RidgepointSettings = DEFAULT_SETTINGS;
  /** ONNX Runtime profiles the user imported, by model key: joined to that model's reports. */
  readonly measuredProfiles = new Map<string, MeasuredProfile>();
  /** Bindings the user set for one model (Bind Symbolic Dimensions…), over `ridgepoint.dims`. */
  readonly modelBindings = new Map<string, Record<string, number>>();
  workspaceRoot: string | null = null;
  /** Every workspace folder (imports of PyTorch sources are searched in them). */
  workspaceFolders: string[] = [];
  readonly pythonImports = new PythonImports({
    workspaceRoots: () => this.workspaceFolders,
    openText: (path) => {
      const doc = this.documents.get(URI.file(path).toString());
      return doc ? { text: doc.getText(), version: doc.version } : undefined;
    },
    searchPathsChanged: () => this.refreshAll(),
  });
  supportsConfiguration = false;
  supportsProgress = false;
  supportsInlayRefresh = false;
  supportsCodeLensRefresh = false;
  private readonly scheduled = new Map<string, ReturnType<typeof setTimeout>>();
  /** Scheduled documents whose client views are refreshed once they are published again. */
  private readonly refreshViewsAfter = new Set<string>();
  /** Documents waiting for their suggestions, computed when the server is idle. */
  private readonly adviceWaiting = new Set<string>();
  private adviceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly reportedChipProblems = new Set<string>();

  constructor(
    readonly connection: Connection,
    readonly runtime: ServerRuntime,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the source-link host reads the workspace root as it changes
    const context = this;
    let parser: Promise<PythonParser> | undefined;
    this.models = new ModelService(
      runtime,
      (uri) => {
        const doc = this.documents.get(uri);
        return doc ? { text: doc.getText(), version: doc.version } : undefined;
      },
      // The Python grammar loads on the first .py model, once. A failure (a .vsix without the wasm, a
      // grammar that does not load) is said once, in a notification and the log; every .py then gets an error diagnostic.
      {
        pythonParser: () =>
          (parser ??= Promise.resolve()
            .then(() => createPythonParser(runtime.pythonGrammar()))
            .catch((error: unknown) => {
              this.frontendFailed('the PyTorch source frontend (Python parser)', error);
              throw error;
            })),
        pythonImports: this.pythonImports,
        withTrace: (ref, stamp, options, analysis) => this.traces.withTrace(ref, stamp, options, analysis),
      },
    );
    this.chips = new ChipStore(runtime);
    this.sourceLinks = new SourceLinks({
      get workspaceRoot() {
        return context.workspaceRoot;
      },
      findFiles: (root, extensions, limit) => runtime.findFiles(root, extensions, limit),
      stat: (path) => runtime.stat(path),
      now: () => runtime.now(),
      currentProfile: (ref) => this.currentProfile(ref),
    });
  }

  /** Per PyTorch source (by model key): the entry and input shape text the user chose. */
  readonly sourceOptions = new Map<string, { entry?: string; input?: string }>();

  /** Bindings for a model: settings, then the model's own, then the request's (a config.json's sizes default to LLM_DEFAULTS). */
  bindingsFor(ref: ModelRef, extra?: Record<string, number>): Map<string, number> {
    const defaults = ref.kind === 'hf-config' ? LLM_DEFAULTS : {};
    const own = this.modelBindings.get(this.bindingsKey(ref)) ?? {};
    return new Map(Object.entries({ ...defaults, ...this.settings.dims, ...own, ...(extra ?? {}) }));
  }

  /** The key under which a model's own bindings are kept (a config.json's phases share one). */
  bindingsKey(ref: ModelRef): string {
    return ref.kind === 'hf-config' ? `hf:${ref.path}` : ref.key;
  }

  /** A PyTorch source's entry and input: the user's choice for the file, else the setting. */
  private sourceFor(ref: ModelRef): SourceModelOptions | undefined {
    if (ref.kind !== 'python') return undefined;
    const chosen = this.sourceOptions.get(ref.key) ?? {};
    const input = parseShapeText(chosen.input ?? this.settings.pytorch.input);
    return { ...(chosen.entry ? { entry: chosen.entry } : {}), ...(input ? { input } : {}) };
  }

  /** The profile options the editor views use: current chip, peak mode and bindings. */
  currentOptions(ref: ModelRef): ProfileRequestOptions {
    const { chip, problem } = this.chips.resolve(this.settings.chip);
    if (problem && !this.reportedChipProblems.has(problem)) {
      this.reportedChipProblems.add(problem);
      this.warn(`${problem} (setting ridgepoint.chip)`);
    }
    const source = this.sourceFor(ref);
    return { chip, peakMode: this.settings.peakMode, runtime: this.settings.runtime, bindings: this.bindingsFor(ref), chips: this.chips.all(), ...(ref.kind === 'hf-config' ? { llm: this.settings.llm } : {}), ...(source ? { source } : {}) };
  }

  /** The profile behind hovers, hints, lenses and diagnostics. */
  currentProfile(ref: ModelRef, isCancelled?: () => boolean): Promise<ProfiledModel> {
    return this.models.profile(ref, this.currentOptions(ref), isCancelled);
  }

  private markSettingsLoaded: () => void = () => undefined;
  /** Resolved once the client's settings were first read (or after SETTINGS_WAIT_MS, should it not answer). */
  readonly settingsLoaded: Promise<void> = new Promise<void>((resolve) => {
    this.markSettingsLoaded = resolve;
    setTimeout(resolve, SETTINGS_WAIT_MS).unref();
  });

  settingsLoadedNow(): void {
    this.markSettingsLoaded();
  }

  /**
   * Re-analyses a document soon (debounced), then publishes diagnostics and totals. `refreshViews`: once
   * published, ask the client for its hints and lenses again too (the document itself did not change, so
   * the client would not ask on its own: an imported file did). Kept until that publish, even when a later
   * schedule of the same document does not ask for it.
   */
  schedule(uri: string, delayMs = 0, refreshViews = false): void {
    const previous = this.scheduled.get(uri);
    if (previous) clearTimeout(previous);
    if (refreshViews) this.refreshViewsAfter.add(uri);
    this.scheduled.set(
      uri,
      setTimeout(() => {
        this.scheduled.delete(uri);
        const refresh = this.refreshViewsAfter.delete(uri);
        // The first analysis waits for the client's settings (input shape, chip, Python): one analysed
        // with the defaults would flash a wrong state (a PyTorch source "incomplete" for want of its input).
        this.settingsLoaded
          .then(() => publishModelState(this, uri))
          .then(() => {
            if (refresh) this.refreshViews();
          })
          .catch((error: unknown) => this.connection.console.error(`analysing ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
      }, delayMs),
    );
  }

  /** Asks the client to request inlay hints and code lenses again, where it supports being asked. */
  refreshViews(): void {
    if (this.supportsInlayRefresh) void this.connection.languages.inlayHint.refresh().catch(() => undefined);
    if (this.supportsCodeLensRefresh) void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  /**
   * Computes a document's suggestions in the background once no request has come for ADVICE_IDLE_MS
   * (any request postpones it), then publishes them. Suggestions take up to a second on a 5,000-node
   * model; hovers and hints must never wait behind them.
   */
  scheduleAdvice(uri: string): void {
    this.adviceWaiting.add(uri);
    this.postponeAdvice();
  }

  postponeAdvice(): void {
    if (this.adviceWaiting.size === 0) return;
    if (this.adviceTimer) clearTimeout(this.adviceTimer);
    this.adviceTimer = setTimeout(() => {
      this.adviceTimer = undefined;
      const uri = this.adviceWaiting.values().next().value;
      if (uri === undefined) return;
      this.adviceWaiting.delete(uri);
      publishModelState(this, uri, true)
        // The top suggestions are code lenses: ask the client for them again now that they exist.
        .then(() => this.refreshViews())
        .catch((error: unknown) => this.connection.console.error(`suggestions for ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
        .finally(() => this.postponeAdvice());
    }, ADVICE_IDLE_MS);
  }

  /** Settings, chips or bindings changed: every open model's views are out of date. */
  refreshAll(): void {
    for (const doc of this.documents.all()) this.schedule(doc.uri);
    this.refreshViews();
  }

  /**
   * The `ridgepoint` section the client last gave without being asked: `initializationOptions.settings`,
   * then each `workspace/didChangeConfiguration` push. A client that cannot answer
   * `workspace/configuration` has no other way to set anything, so a reload
   * keeps it rather than falling back to the defaults.
   */
  private clientSection: Record<string, unknown> | undefined;

  /** Settings from `initializationOptions` (`{ settings: { chip, … } }`): kept until the client pushes others. */
  useInitializationOptions(options: unknown): void {
    this.clientSection = ridgepointSection(isRecord(options) ? options.settings : undefined, true);
    this.settings = readSettings(this.clientSection ?? {}).settings;
  }

  /**
   * Reads the settings again: pulled with `workspace/configuration` where the client supports it,
   * else the section it pushed (`pushed`: a didChangeConfiguration's `settings`, `{ ridgepoint: { … } }`),
   * else the last one it gave (initializationOptions or an earlier push).
   */
  async reloadSettings(pushed?: unknown): Promise<void> {
    const given = ridgepointSection(pushed, false);
    if (given !== undefined) this.clientSection = given;
    let section: unknown = this.clientSection;
    if (this.supportsConfiguration) {
      try {
        section = await this.connection.workspace.getConfiguration('ridgepoint');
      } catch {
        // Keep the pushed or previous settings when the client cannot answer.
      }
    }
    const { settings, problems } = readSettings(section ?? {});
    this.settings = settings;
    this.pythonImports.usePython(this.traces.python());
    for (const problem of problems) this.warn(problem);
    const chipsPath = settings.chipsFile === '' ? '' : this.resolveUserPath(settings.chipsFile);
    const { errors, changed } = this.chips.refresh(chipsPath);
    if (changed) for (const error of errors) this.warn(error);
  }

  /**
   * A warning the user sees. Sent as a notification: `window.showWarningMessage` would send a request
   * that clients without `window/showMessageRequest` reject.
   */
  warn(message: string): void {
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Ridgepoint: ${message}` }).catch(() => undefined);
  }

  /** A frontend that cannot start: an error notification and the log, once per server. */
  frontendFailed(frontend: string, error: unknown): void {
    const why = error instanceof Error ? error.message : String(error);
    this.connection.console.error(`${frontend} cannot start: ${error instanceof Error ? (error.stack ?? why) : why}`);
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `Ridgepoint: ${frontend} cannot start, so .py models are not analysed: ${why}` }).catch(() => undefined);
  }

  private resolveUserPath(path: string): string {
    if (/^([/\\]|[A-Za-z]:)/.test(path) || this.workspaceRoot === null) return path;
    return this.runtime.resolve(`${this.workspaceRoot}/.`, path);
  }
}

/**
 * The `ridgepoint` section of settings a client gave: `{ ridgepoint: { chip, … } }` (a client's whole
 * settings, as didChangeConfiguration carries them), or with `bare` also the section itself (`{ chip,
 * … }`, as docs/protocol.md documents initializationOptions.settings). Undefined when it says nothing
 * about Ridgepoint.
 */
function ridgepointSection(value: unknown, bare: boolean): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  if ('ridgepoint' in value) return isRecord(value.ridgepoint) ? value.ridgepoint : undefined;
  return bare ? value : undefined;
}

/**
 * Starts Ridgepoint's language server on a connection. The runtime supplies file access, so tests can
 * drive the server over in-memory streams and files.
 */
export function startServer(connection: Connection, runtime: ServerRuntime): ServerContext {
  const ctx = new ServerContext(connection, runtime);
  requestActivity.notify = () => ctx.postponeAdvice();

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    ctx.supportsConfiguration = caps.workspace?.configuration === true;
    ctx.supportsProgress = caps.window?.workDoneProgress === true;
    ctx.supportsInlayRefresh = caps.workspace?.inlayHint?.refreshSupport === true;
    ctx.supportsCodeLensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    if (folder) ctx.workspaceRoot = URI.parse(folder).fsPath;
    ctx.workspaceFolders = (params.workspaceFolders ?? []).map((f) => URI.parse(f.uri).fsPath);
    if (ctx.workspaceFolders.length === 0 && ctx.workspaceRoot !== null) ctx.workspaceFolders = [ctx.workspaceRoot];
    ctx.useInitializationOptions(params.initializationOptions);
    return {
      capabilities: {
        // Saves are reported: a save is when traced mode runs (lsp/traces.ts).
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'ridgepoint', version },
    };
  });

  connection.onInitialized(() => {
    if (ctx.supportsConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'ridgepoint' }).catch(() => undefined);
    void ctx
      .reloadSettings(undefined)
      .then(() => ctx.refreshAll(), (error: unknown) => connection.console.error(`reading settings failed: ${String(error)}`))
      .finally(() => ctx.settingsLoadedNow());
  });

  // Clients that pull get `settings: null` here (the cue to pull again); clients that push (Neovim:
  // `{ settings: { ridgepoint: { … } } }`) carry the section in the params.
  connection.onDidChangeConfiguration((change) => {
    void ctx.reloadSettings(change.settings).then(() => ctx.refreshAll(), (error: unknown) => connection.console.error(`reading settings failed: ${String(error)}`));
  });

  ctx.documents.onDidOpen((e) => ctx.schedule(e.document.uri));
  ctx.documents.onDidChangeContent((e) => {
    if (e.document.version > 1) ctx.schedule(e.document.uri, EDIT_DEBOUNCE_MS);
    // A PyTorch source importing this file is re-analysed with it, and its hints and lenses asked for again.
    for (const dependent of ctx.pythonImports.changed(URI.parse(e.document.uri).fsPath)) ctx.schedule(URI.file(dependent).toString(), EDIT_DEBOUNCE_MS, true);
  });
  ctx.documents.onDidClose((e) => {
    const ref = modelRefOf(e.document.uri);
    // A binary model's cache is shared with its other views; keep it while any is open.
    if (ref && !ctx.documents.all().some((d) => modelRefOf(d.uri)?.key === ref.key)) {
      ctx.models.forget(ref);
      ctx.traces.forget(ref);
    }
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }).catch(() => undefined);
  });

  registerRender(ctx);
  registerProfile(ctx);
  registerChips(ctx);
  registerDims(ctx);
  registerHover(ctx);
  registerInlayHints(ctx);
  registerCodeLens(ctx);
  registerDocumentSymbols(ctx);
  registerFolding(ctx);
  registerCodeActions(ctx);
  registerWhatIf(ctx);
  registerMeasured(ctx);
  registerCostTree(ctx);
  registerLlmSweep(ctx);
  registerTracing(ctx);
  ctx.connection.onNotification(SetSourceOptionsNotification, (params) => {
    const ref = modelRefOf(params.uri);
    if (!ref || ref.kind !== 'python') return;
    const current = { ...(ctx.sourceOptions.get(ref.key) ?? {}) };
    if (params.entry !== undefined) current.entry = params.entry ?? undefined;
    if (params.input !== undefined) current.input = params.input ?? undefined;
    ctx.sourceOptions.set(ref.key, current);
    ctx.refreshAll();
  });

  connection.onShutdown(() => ctx.models.dispose());
  ctx.documents.listen(connection);
  connection.listen();
  return ctx;
}
