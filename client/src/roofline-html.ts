/**
 * A panel's page (the roofline's, the decode sweep's): only the bundled script and stylesheets from
 * dist/media, under a strict CSP (no inline script without the nonce, no network). The page carries no
 * data: it arrives by postMessage after the script says 'ready', so nothing from the model is ever
 * parsed as HTML here.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';

/** Stylesheets of dist/media the panel uses when the build made them (panel.css is the webview's own). */
const STYLESHEETS = ['report.css', 'panel.css'];

export const PANEL_SCRIPT = 'roofline-panel.js';

/** Which page: its script in dist/media, its title and what it says until the script has drawn. */
export interface PanelPage {
  readonly script: string;
  readonly title: string;
  readonly loading: string;
}

const ROOFLINE_PAGE: PanelPage = { script: PANEL_SCRIPT, title: 'Ridgepoint roofline', loading: 'Loading the roofline…' };

export function panelHtml(webview: vscode.Webview, media: vscode.Uri, page: PanelPage = ROOFLINE_PAGE): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource} 'unsafe-inline'`, `img-src ${webview.cspSource} data:`].join('; ');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, page.script));
  // A missing stylesheet would only cost a failed load, but the list follows what the build actually wrote.
  const styles = STYLESHEETS.filter((name) => media.scheme !== 'file' || existsSync(vscode.Uri.joinPath(media, name).fsPath)).map(
    (name) => `<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(media, name)).toString()}">`,
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...styles,
    `<title>${page.title}</title>`,
    '</head>',
    '<body>',
    `<main id="app"><p class="rp-empty" id="status">${page.loading}</p></main>`,
    `<script nonce="${nonce}" src="${script.toString()}"></script>`,
    '</body>',
    '</html>',
  ].join('\n');
}
