/**
 * A stand-in for VS Code's webview around the roofline panel (test/e2e/roofline-panel.test.ts and
 * bench/panel.ts): the extension's CSP (a nonce'd script, styles from the page's origin or inline, images
 * from the origin or data:), the body class and the --vscode-* variables VS Code sets for a theme, and
 * the two built assets (served beside the page as /panel.css and /roofline-panel.js). acquireVsCodeApi is
 * injected by the caller (page.addInitScript), as VS Code injects its own.
 */

export type ThemeVars = Readonly<Record<string, string>>;

/** VS Code's "Dark Modern" colours for the variables the panel and chart read. */
export const DARK_MODERN: ThemeVars = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'Consolas, "Courier New", monospace',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-widget-border': '#313131',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-editorHoverWidget-background': '#202020',
  '--vscode-editorHoverWidget-border': '#454545',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-input-background': '#313131',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-button-border': '#ffffff12',
  '--vscode-checkbox-background': '#313131',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-list-inactiveSelectionBackground': '#37373d',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-lines': '#cccccc80',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
};

/** VS Code's "Light Modern". */
export const LIGHT_MODERN: ThemeVars = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'Consolas, "Courier New", monospace',
  '--vscode-editor-background': '#ffffff',
  '--vscode-editor-foreground': '#3b3b3b',
  '--vscode-descriptionForeground': '#3b3b3b',
  '--vscode-focusBorder': '#005fb8',
  '--vscode-widget-border': '#e5e5e5',
  '--vscode-panel-border': '#e5e5e5',
  '--vscode-editorWidget-background': '#f8f8f8',
  '--vscode-editorWidget-border': '#c8c8c8',
  '--vscode-editorHoverWidget-background': '#f8f8f8',
  '--vscode-editorHoverWidget-border': '#c8c8c8',
  '--vscode-dropdown-background': '#ffffff',
  '--vscode-dropdown-border': '#cecece',
  '--vscode-dropdown-foreground': '#3b3b3b',
  '--vscode-input-background': '#ffffff',
  '--vscode-input-border': '#cecece',
  '--vscode-input-foreground': '#3b3b3b',
  '--vscode-button-background': '#005fb8',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#0258a8',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-button-secondaryHoverBackground': '#cccccc',
  '--vscode-checkbox-background': '#f8f8f8',
  '--vscode-list-hoverBackground': '#f2f2f2',
  '--vscode-list-inactiveSelectionBackground': '#e4e6f1',
  '--vscode-charts-foreground': '#616161',
  '--vscode-charts-lines': '#61616180',
  '--vscode-charts-red': '#e51400',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-charts-yellow': '#bf8803',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#388a34',
  '--vscode-charts-purple': '#652d90',
};

const NONCE = 'cmlkZ2Vwb2ludC1oYXJuZXNz';

/** The page: like client/src/roofline-panel.ts's, with a theme's variables on <html> as VS Code sets them. */
export function panelHarness(theme: ThemeVars | null): string {
  const dark = theme === DARK_MODERN;
  const style = theme ? Object.entries(theme).map(([k, v]) => `${k}: ${v.replace(/"/g, '&quot;')}`).join('; ') : '';
  const csp = [`default-src 'none'`, `script-src 'nonce-${NONCE}'`, `style-src 'self' 'unsafe-inline'`, `img-src 'self' data:`].join('; ');
  return [
    '<!DOCTYPE html>',
    `<html lang="en"${style ? ` style="${style}"` : ''}>`,
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="stylesheet" href="/panel.css">',
    '<title>Ridgepoint roofline</title>',
    '</head>',
    `<body class="${theme ? (dark ? 'vscode-dark' : 'vscode-light') : ''}">`,
    '<main id="app"><p class="rp-empty" id="status">Loading the roofline…</p></main>',
    `<script nonce="${NONCE}" src="/roofline-panel.js"></script>`,
    '</body>',
    '</html>',
  ].join('\n');
}
