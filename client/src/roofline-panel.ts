/**
 * The roofline panel, extension side: one webview per model. The webview (media/src/roofline-panel.ts)
 * draws what it is sent; this side profiles through the language server and answers the webview's
 * messages (media/src/panel-messages.ts, validated with isPanelToHost before use).
 *
 * One panel per model rather than one that follows the active model: the panel's choices (compare chip,
 * selection, bindings typed in it) belong to one model, a panel restored after a reload must know which
 * model it showed, and two models can then be looked at side by side. "Show Roofline" and the profile
 * commands reveal the model's panel when it exists.
 */
import * as vscode from 'vscode';
import type { HostToPanel, PanelChip, PanelToHost, PanelWhatIf, PeakModeName, Phase } from '../../media/src/panel-messages';
import { isPanelToHost } from '../../media/src/panel-messages';
import { ChartProfileRequest, ChipSummary, Commands, NodeRange, ProfiledParams, SetBindingsNotification, UnboundDimsRequest, WhatIfRequest } from '../../server/src/protocol';
import type { ChartReport, Report } from '../../server/src/analysis/report';
import { Chips } from './chips';
import { errorMessage, isCancellation } from './command-runner';
import { RidgepointServer } from './language-client';
import { displayName, fileUriOf, isModelDocument, modelKey } from './model-uris';
import { OnnxViewProvider } from './onnx-view';
import { saveExport } from './roofline-export';
import { panelHtml } from './roofline-html';

export const ROOFLINE_VIEW_TYPE = 'ridgepoint.roofline';
/** workspaceState: the models of the open panels, for a restored panel whose webview state names none. */
const OPEN_PANELS_KEY = 'ridgepoint.rooflinePanels';
/** Settings changes and server notifications come in bursts (one change → config event + re-analysis): one refresh. */
const REFRESH_DEBOUNCE_MS = 30;
/** A page waiting longer than this for its first report shows "Profiling …". */
const STATUS_DELAY_MS = 300;

export interface PanelServices {
  readonly extensionUri: vscode.Uri;
  readonly server: RidgepointServer;
  readonly chips: Chips;
  readonly views: OnnxViewProvider;
  readonly output: vscode.OutputChannel;
  readonly state: vscode.Memento;
}

function panelChip(chip: ChipSummary): PanelChip {
  return { id: chip.id, name: chip.name, memoryBandwidthGBs: chip.memoryBandwidthGBs, peakTFlops: chip.peakTFlops, peakDtype: chip.peakDtype };
}

/** A Hugging Face config.json (a name ending in config.json, as the language client selects them) is profiled per phase. */
function isHfConfig(model: vscode.Uri): boolean {
  return model.path.toLowerCase().endsWith('config.json');
}

/** A config.json's phase: `#decode` is one decode step, anything else the prefill; null for a model file. */
export function phaseOf(model: vscode.Uri): Phase | null {
  if (!isHfConfig(model)) return null;
  return model.fragment === 'decode' ? 'decode' : 'prefill';
}

/** `resnet50.onnx`; a config.json with its folder (`llama-2-7b config.json`), since every config has that name. */
export function modelLabel(model: vscode.Uri): string {
  const name = displayName(model);
  if (!isHfConfig(model)) return name;
  const segments = model.path.split('/').filter((s) => s.length > 0);
  const folder = segments.length >= 2 ? segments[segments.length - 2] : undefined;
  return folder ? `${folder} ${name}` : name;
}

/** `Roofline — llama-2-7b config.json (decode step)`: the tab says the model and, for a config, the phase. */
export function title(model: vscode.Uri): string {
  const phase = phaseOf(model);
  return `Roofline — ${modelLabel(model)}${phase === 'decode' ? ' (decode step)' : phase === 'prefill' ? ' (prefill)' : ''}`;
}

/**
 * The node whose statement is on the cursor's line: by line, not character, since the cursor usually sits
 * in the indentation before a statement (Go to Line, Home). The innermost wins (a subgraph's nodes sit
 * inside their If/Loop statement).
 */
export function nodeAt(nodes: readonly NodeRange[], position: vscode.Position): string | null {
  let best: NodeRange | undefined;
  for (const node of nodes) {
    const { start, end } = node.range;
    if (position.line < start.line || position.line > end.line) continue;
    if (!best || end.line - start.line <= best.range.end.line - best.range.start.line) best = node;
  }
  return best?.id ?? null;
}

/** All roofline panels: opening, restoring after a reload, and routing editor and settings events to them. */
export class RooflinePanels implements vscode.Disposable {
  private readonly panels = new Map<string, RooflinePanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly services: PanelServices,
    private readonly onActiveChange: () => void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(ROOFLINE_VIEW_TYPE, { deserializeWebviewPanel: (panel, state) => this.restore(panel, state) }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (['ridgepoint.chip', 'ridgepoint.peakMode', 'ridgepoint.dims', 'ridgepoint.chipsFile'].some((s) => e.affectsConfiguration(s))) {
          for (const panel of this.panels.values()) panel.scheduleRefresh();
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.highlightFrom(e.textEditor)),
    );
  }

  /** Opens the model's panel beside the editor without taking focus, or reveals it where it is. */
  show(model: vscode.Uri): void {
    const file = fileUriOf(model);
    const existing = this.panels.get(modelKey(file));
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(ROOFLINE_VIEW_TYPE, title(file), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.adopt(panel, file);
  }

  /** Opens the model's panel with a suggestion's what-if as the comparison (the "re-profile as if applied" action). */
  showWhatIf(model: vscode.Uri, suggestion: string): void {
    this.show(model);
    this.panels.get(modelKey(fileUriOf(model)))?.compareWithWhatIf(suggestion);
  }

  /** The model of the focused panel (commands run from the panel apply to it). */
  activeModel(): vscode.Uri | undefined {
    for (const panel of this.panels.values()) if (panel.active) return panel.model;
    return undefined;
  }

  /** `ridgepoint/profiled`: the server re-analysed a model (new bindings from the command, a changed file…). */
  onProfiled(params: ProfiledParams): void {
    const key = modelKey(params.uri);
    // A config.json's decode roofline (`config.json#decode`) is its own panel, profiled from the same document.
    for (const [panelKey, panel] of this.panels) if (panelKey === key || panelKey.startsWith(`${key}#`)) panel.scheduleRefresh();
  }

  /** The node under the cursor of an editor showing `model`'s text, when one is visible. */
  currentNode(model: vscode.Uri): string | null | undefined {
    const key = modelKey(model);
    const editor = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].find((e) => e !== undefined && isModelDocument(e.document) && modelKey(e.document.uri) === key);
    const nodes = editor ? this.services.views.nodesOf(editor.document.uri) : undefined;
    return editor && nodes ? nodeAt(nodes, editor.selection.active) : undefined;
  }

  private highlightFrom(editor: vscode.TextEditor): void {
    if (!isModelDocument(editor.document)) return;
    const panel = this.panels.get(modelKey(editor.document.uri));
    // Node ranges exist for rendered binary models; an .onnxtxt file has none to map a line to a node.
    const nodes = this.services.views.nodesOf(editor.document.uri);
    if (panel && nodes) panel.highlight(nodeAt(nodes, editor.selection.active));
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    // Not retained when hidden: the webview keeps its view state with setState and asks again with 'ready'.
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [this.mediaRoot()] };
  }

  private mediaRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.services.extensionUri, 'dist', 'media');
  }

  private restore(panel: vscode.WebviewPanel, state: unknown): Thenable<void> {
    const fromState = typeof state === 'object' && state !== null && 'uri' in state && typeof state.uri === 'string' ? state.uri : undefined;
    // Without a uri in the webview's state: the panels open at the last save, the one with this panel's title first.
    const candidates = this.services.state.get<string[]>(OPEN_PANELS_KEY, []).filter((u) => !this.panels.has(modelKey(u)));
    const remembered = candidates.find((u) => title(vscode.Uri.parse(u)) === panel.title) ?? candidates[0];
    const uri = fromState ?? remembered;
    let model: vscode.Uri | undefined;
    try {
      model = uri ? fileUriOf(vscode.Uri.parse(uri, true)) : undefined;
    } catch {
      model = undefined;
    }
    if (!model || this.panels.has(modelKey(model))) {
      // Nothing tells which model it showed (or that model has its panel already): an empty panel helps nobody.
      panel.dispose();
      return Promise.resolve();
    }
    panel.webview.options = this.options();
    panel.title = title(model);
    this.adopt(panel, model);
    return Promise.resolve();
  }

  private adopt(webviewPanel: vscode.WebviewPanel, model: vscode.Uri): void {
    const key = modelKey(model);
    const panel = new RooflinePanel(webviewPanel, model, this.services, {
      currentNode: () => this.currentNode(model),
      onActiveChange: this.onActiveChange,
      onDispose: () => {
        if (this.panels.get(key) === panel) this.panels.delete(key);
        this.remember();
        this.onActiveChange();
      },
    });
    webviewPanel.webview.html = panelHtml(webviewPanel.webview, this.mediaRoot());
    this.panels.set(key, panel);
    this.remember();
  }

  private remember(): void {
    void this.services.state.update(
      OPEN_PANELS_KEY,
      [...this.panels.values()].map((p) => p.model.toString()),
    );
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

interface PanelHooks {
  readonly currentNode: () => string | null | undefined;
  readonly onActiveChange: () => void;
  readonly onDispose: () => void;
}

/**
 * What the panel compares with: another chip or peak mode, or the model as if a suggestion were applied.
 * `base` is the current chip and peak mode it was made against: once those change (the panel's picker,
 * the status bar, settings) the comparison no longer applies and is dropped.
 */
type Comparison = ({ readonly chip: string; readonly peakMode: PeakModeName } | { readonly suggestion: string }) & { readonly base: string };

/** One model's panel: profiles on the webview's requests and on changes, and posts the result. */
class RooflinePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private compare: Comparison | null = null;
  /** Each refresh takes a number; only the latest one's result is posted (answers can arrive out of order). */
  private latest = 0;
  /** A report was posted since the webview last said 'ready' (until then, failures show as its status line). */
  private showing = false;
  /** What the last posted report was computed for: event-driven refreshes that change nothing post nothing. */
  private lastSignature: string | undefined;
  /** An explicit request (ready, chip, compare, bindings) is waiting for its answer: post even if unchanged. */
  private mustPost = false;
  private highlighted: string | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    readonly model: vscode.Uri,
    private readonly services: PanelServices,
    private readonly hooks: PanelHooks,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (isPanelToHost(raw)) void this.handle(raw);
      }),
      panel.onDidChangeViewState(() => hooks.onActiveChange()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get active(): boolean {
    return this.panel.active;
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    // Shown or not, the numbers may be stale (a profile command changed the chip): refresh if they are.
    this.scheduleRefresh();
  }

  /** A refresh soon, merged with others that follow; a hidden webview refreshes when it says 'ready' again. */
  compareWithWhatIf(suggestion: string): void {
    this.compare = { suggestion, base: this.baseline() };
    this.scheduleRefresh();
  }

  /** The current chip and peak mode, which a comparison is made against. */
  private baseline(): string {
    return `${this.services.chips.current()}|${this.services.chips.peakMode()}`;
  }

  scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.panel.visible) void this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  highlight(nodeId: string | null): void {
    if (nodeId === this.highlighted) return;
    this.highlighted = nodeId;
    this.post({ type: 'highlight', nodeId });
  }

  private async handle(message: PanelToHost): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          // A new page (first load, or shown again after being hidden): it has nothing yet.
          this.showing = false;
          this.lastSignature = undefined;
          this.highlighted = undefined;
          await this.refresh(true);
          return;
        case 'reveal':
          await vscode.commands.executeCommand(Commands.revealNode, { uri: this.model.toString(), nodeId: message.nodeId, viewColumn: this.otherColumn() });
          return;
        case 'setChip':
          // A new baseline: the comparison and the what-if made against the old chip end here.
          this.compare = null;
          await this.services.chips.setCurrent(message.chip);
          await this.services.chips.setPeakMode(message.peakMode);
          await this.refresh(true);
          return;
        case 'compare':
          this.compare = message.chip === null ? null : { chip: message.chip, peakMode: message.peakMode, base: this.baseline() };
          await this.refresh(true);
          return;
        case 'whatIf':
          this.compare = { suggestion: message.suggestion, base: this.baseline() };
          await this.refresh(true);
          return;
        case 'setBindings': {
          const client = await this.services.server.ready();
          await client.sendNotification(SetBindingsNotification, { uri: this.model.toString(), bindings: { ...message.bindings } });
          // Passed again with the request: the profile then cannot depend on the notification's handling order.
          await this.refresh(true, message.bindings);
          return;
        }
        case 'export':
          await this.export(message.format, message.data);
          return;
      }
    } catch (error) {
      if (isCancellation(error)) return;
      this.services.output.appendLine(`Roofline panel (${message.type}) failed: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(`Ridgepoint: ${errorMessage(error)}`);
    }
  }

  private async export(format: 'png' | 'svg' | 'csv' | 'json', data: string): Promise<void> {
    try {
      this.post({ type: 'exported', format, path: await saveExport(this.model, format, data) });
    } catch (error) {
      this.post({ type: 'exported', format, path: null, error: errorMessage(error) });
      void vscode.window.showErrorMessage(`Ridgepoint: the ${format.toUpperCase()} export failed: ${errorMessage(error)}`);
    }
  }

  /** A group for the model's text that is not the panel's own (revealNode prefers the group already showing it). */
  private otherColumn(): vscode.ViewColumn {
    return this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
  }

  /** Profiles for the current chip, peak mode and bindings (and the comparison), then posts the report. */
  private async refresh(explicit = false, bindings?: Readonly<Record<string, number>>): Promise<void> {
    if (this.disposed) return;
    const id = ++this.latest;
    if (explicit) this.mustPost = true;
    const { server, chips } = this.services;
    const uri = this.model.toString();
    // A page with nothing yet says what it waits for, unless the answer comes quickly (a cached profile):
    // a status line flashed over a restored view would only flicker.
    const waiting = setTimeout(() => {
      if (!this.showing && id === this.latest && !this.disposed) this.post({ type: 'status', text: `Profiling ${displayName(this.model)}…` });
    }, STATUS_DELAY_MS);
    try {
      const client = await server.ready();
      const extra = { detail: 'chart' as const, ...(bindings ? { bindings: { ...bindings } } : {}) };
      // The chip or peak mode changed since the comparison was made: it compared with another baseline.
      if (this.compare && this.compare.base !== this.baseline()) this.compare = null;
      const compare = this.compare;
      const phase = phaseOf(this.model);
      let whatIf: PanelWhatIf | null = null;
      const [report, compared, dims, chipList] = await Promise.all([
        // A config.json's phases are small graphs and nothing else asks for their suggestions (the
        // diagnostics follow the document, not its `#decode` step): the panel asks for them itself.
        client.sendRequest(ChartProfileRequest, { uri, chip: chips.current(), peakMode: chips.peakMode(), ...extra, ...(phase ? { suggestions: true } : {}) }),
        !compare
          ? Promise.resolve(null)
          : 'suggestion' in compare
            ? // The what-if profile uses the current chip and bindings; null when it cannot be re-profiled.
              client.sendRequest(WhatIfRequest, { uri, suggestion: compare.suggestion, detail: 'chart' }).then((r) => {
                const suggestion = r?.suggestion as { title?: string; pattern?: string; kind?: string } | undefined;
                whatIf = { suggestion: compare.suggestion, title: suggestion?.title ?? suggestion?.pattern ?? suggestion?.kind ?? compare.suggestion, available: Boolean(r?.report) };
                return r?.report ?? null;
              })
            : client.sendRequest(ChartProfileRequest, { uri, chip: compare.chip, peakMode: compare.peakMode, ...extra }),
        client.sendRequest(UnboundDimsRequest, { uri }),
        chips.cached().catch(() => [] as readonly ChipSummary[]),
      ]);
      if (id !== this.latest || this.disposed) return;
      const signature = signatureOf(report, compared, dims.dims, chipList.length);
      if (!this.mustPost && signature === this.lastSignature) return;
      this.mustPost = false;
      this.lastSignature = signature;
      this.showing = true;
      this.panel.title = title(this.model);
      this.post({
        type: 'report',
        model: modelLabel(this.model),
        uri,
        phase,
        // Asked with `detail: 'chart'` (profiles and what-ifs alike): each node already cut to what the panel
        // reads, its tensors as text (ChartReport), so the message stays small.
        report,
        compare: compared,
        whatIf,
        dims: dims.dims,
        chips: chipList.map(panelChip),
      });
      // The editor's cursor may already be on a node: show it in the new page.
      const node = this.hooks.currentNode();
      if (node !== undefined) {
        this.highlighted = undefined;
        this.highlight(node);
      }
    } catch (error) {
      if (id !== this.latest || this.disposed) return;
      const text = isCancellation(error) ? 'Profiling was cancelled.' : `Profiling failed: ${errorMessage(error)}`;
      this.services.output.appendLine(`Roofline of ${uri}: ${text}`);
      // Before the first report the status line is all there is; later, keep the chart and say it in a message.
      if (!this.showing) this.post({ type: 'status', text });
      else void vscode.window.showErrorMessage(`Ridgepoint: ${text}`);
    } finally {
      clearTimeout(waiting);
    }
  }

  private post(message: HostToPanel): void {
    // A hidden webview has no script running; it says 'ready' again when shown, and gets everything then.
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
    this.hooks.onDispose();
  }
}

/** What a report was computed for and its headline numbers: equal signatures draw the same chart. */
function signatureOf(report: ChartReport | Report, compare: ChartReport | Report | null, dims: ReadonlyArray<{ name: string; value: number | null }>, chips: number): string {
  const part = (r: ChartReport | Report | null): unknown => r && [r.chip?.id, r.peakMode, r.bindings, r.totals?.timeSeconds, r.totals?.flops, r.totals?.bytes, r.nodes.length, r.unboundSymbols];
  return JSON.stringify([part(report), part(compare), dims, chips]);
}
