/**
 * The decode sweep panel, extension side: one webview per decoder config.json, beside the editor. It asks
 * the language server for the sweep (`ridgepoint/llmSweep`, computed with the config's code lenses) and
 * posts it to the webview (media/src/sweep-panel.ts), which draws it; it asks again whenever the server
 * re-profiles the config (an edit, the chip, the ridgepoint.llm settings).
 */
import * as vscode from 'vscode';
import type { HostToSweep } from '../../media/src/sweep-messages';
import { isSweepToHost } from '../../media/src/sweep-messages';
import { LlmSweepRequest, ProfiledParams } from '../../server/src/protocol';
import { errorMessage, isCancellation } from './command-runner';
import { RidgepointServer } from './language-client';
import { modelKey } from './model-uris';
import { panelHtml } from './roofline-html';
import { modelLabel } from './roofline-panel';

export const SWEEP_VIEW_TYPE = 'ridgepoint.decodeSweep';
const SWEEP_PAGE = { script: 'sweep-panel.js', title: 'Ridgepoint decode sweep', loading: 'Loading the decode sweep…' };
/** A re-profile notifies once per phase: one request for the burst. */
const REFRESH_DEBOUNCE_MS = 30;

export interface SweepServices {
  readonly extensionUri: vscode.Uri;
  readonly server: RidgepointServer;
  readonly output: vscode.OutputChannel;
}

/** The config itself: a `#decode` URI (the decode roofline's) names the same sweep. */
function configUri(model: vscode.Uri): vscode.Uri {
  return model.with({ fragment: '' });
}

/** All decode sweep panels, one per config. */
export class DecodeSweepPanels implements vscode.Disposable {
  private readonly panels = new Map<string, DecodeSweepPanel>();

  constructor(private readonly services: SweepServices) {}

  /** Opens the config's panel beside the editor without taking focus, or reveals it where it is. */
  show(model: vscode.Uri): void {
    const config = configUri(model);
    const key = modelKey(config);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return;
    }
    const media = vscode.Uri.joinPath(this.services.extensionUri, 'dist', 'media');
    const webview = vscode.window.createWebviewPanel(SWEEP_VIEW_TYPE, `Decode sweep — ${modelLabel(config)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [media] });
    const panel = new DecodeSweepPanel(webview, config, this.services, () => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    webview.webview.html = panelHtml(webview.webview, media, SWEEP_PAGE);
    this.panels.set(key, panel);
  }

  /** The server re-profiled a model: its sweep may have changed. */
  onProfiled(params: ProfiledParams): void {
    this.panels.get(modelKey(configUri(vscode.Uri.parse(params.uri, true))))?.scheduleRefresh();
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
  }
}

class DecodeSweepPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Each refresh takes a number; only the latest one's answer is posted. */
  private latest = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly model: vscode.Uri,
    private readonly services: SweepServices,
    private readonly onDispose: () => void,
  ) {
    this.disposables.push(
      // The page says 'ready' when it loads and each time it is shown again (it is not retained when hidden).
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (isSweepToHost(raw)) void this.refresh();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
  }

  scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.panel.visible) void this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    if (this.disposed) return;
    const id = ++this.latest;
    try {
      const client = await this.services.server.ready();
      const result = await client.sendRequest(LlmSweepRequest, { uri: this.model.toString() });
      if (id !== this.latest || this.disposed) return;
      this.post(result.sweep ? { type: 'sweep', model: modelLabel(this.model), sweep: result.sweep } : { type: 'status', text: `No decode sweep: ${result.reason ?? 'unknown reason'}.` });
    } catch (error) {
      if (id !== this.latest || this.disposed) return;
      const text = isCancellation(error) ? 'The sweep was cancelled.' : `The sweep failed: ${errorMessage(error)}`;
      this.services.output.appendLine(`Decode sweep of ${this.model.toString()}: ${text}`);
      this.post({ type: 'status', text });
    }
  }

  private post(message: HostToSweep): void {
    // A hidden webview has no script running; it says 'ready' again when shown, and gets the sweep then.
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
    this.onDispose();
  }
}
