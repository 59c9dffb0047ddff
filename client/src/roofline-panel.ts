/**
 * The roofline panel (a minimal first version): one webview beside the model, showing the chart of the
 * HTML report. The page loads only the bundled script and stylesheet from dist/media under a strict CSP;
 * the report reaches it by postMessage once the script says 'ready' (and again whenever the webview is
 * reloaded), never inside the HTML. A click on an op reveals its statement in the model's text.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostToPanel } from '../../media/src/panel-messages';
import { isPanelToHost } from '../../media/src/panel-messages';
import type { ReportLike } from '../../media/src/report-types';
import { Commands, ProfileResult } from '../../server/src/protocol';
import { displayName } from './model-uris';

const VIEW_TYPE = 'ridgepoint.roofline';

/** What the chart needs: the report without the per-node tensor lists (the bulk of a large report). */
function panelReport(report: ProfileResult): ReportLike {
  return { ...report, nodes: report.nodes.map(({ inputs: _inputs, outputs: _outputs, ...rest }) => rest) };
}

export class RooflinePanel implements vscode.Disposable {
  private static current: RooflinePanel | undefined;

  private model: vscode.Uri;
  private message: HostToPanel;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows `report` of `model` (or a status line while it is computed) in the one roofline panel. */
  static show(extensionUri: vscode.Uri, model: vscode.Uri, content: ProfileResult | string, onActiveChange: () => void): RooflinePanel {
    const message: HostToPanel = typeof content === 'string' ? { type: 'status', text: content } : { type: 'report', model: displayName(model), report: panelReport(content) };
    const existing = RooflinePanel.current;
    if (existing) {
      existing.model = model;
      existing.post(message);
      existing.panel.title = `Roofline · ${displayName(model)}`;
      if (!existing.panel.visible) existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `Roofline · ${displayName(model)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [media],
    });
    RooflinePanel.current = new RooflinePanel(panel, media, model, message, onActiveChange);
    return RooflinePanel.current;
  }

  /** The panel's model while the panel is focused (so commands run from it apply to its model). */
  static activeModel(): vscode.Uri | undefined {
    const current = RooflinePanel.current;
    return current?.panel.active ? current.model : undefined;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    media: vscode.Uri,
    model: vscode.Uri,
    message: HostToPanel,
    onActiveChange: () => void,
  ) {
    this.model = model;
    this.message = message;
    panel.webview.html = html(panel.webview, media);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (!isPanelToHost(raw)) return;
        if (raw.type === 'ready') void panel.webview.postMessage(this.message);
        else void vscode.commands.executeCommand(Commands.revealNode, { uri: this.model.toString(), nodeId: raw.nodeId });
      }),
      panel.onDidChangeViewState(() => onActiveChange()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Replaces what the panel shows with the report or status line. */
  update(model: vscode.Uri, content: ProfileResult | string): void {
    this.model = model;
    this.post(typeof content === 'string' ? { type: 'status', text: content } : { type: 'report', model: displayName(model), report: panelReport(content) });
  }

  private post(message: HostToPanel): void {
    this.message = message;
    // A hidden webview may have no script running: it asks again with 'ready' when it is shown.
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (RooflinePanel.current === this) RooflinePanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }
}

function html(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource} 'unsafe-inline'`, `img-src ${webview.cspSource} data:`].join('; ');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'roofline-panel.js'));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'report.css'));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<link rel="stylesheet" href="${css.toString()}">`,
    '<title>Ridgepoint roofline</title>',
    '</head>',
    '<body>',
    '<main id="app"><p class="rp-empty" id="status">Loading the roofline…</p></main>',
    `<script nonce="${nonce}" src="${script.toString()}"></script>`,
    '</body>',
    '</html>',
  ].join('\n');
}
