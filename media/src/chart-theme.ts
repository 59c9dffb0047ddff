/**
 * Chart colours. In a VS Code webview they come from the theme's CSS variables (--vscode-*), so the
 * chart follows light, dark and high-contrast themes; elsewhere (the HTML report) from the report's own
 * light palette. VS Code swaps the variables and the body's class (vscode-light / vscode-dark /
 * vscode-high-contrast) when the user changes theme, so watchTheme() re-reads them on that change.
 */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface ChartTheme {
  readonly kind: ThemeKind;
  readonly foreground: string;
  readonly muted: string;
  readonly background: string;
  readonly gridLine: string;
  readonly memory: string;
  readonly compute: string;
  /** Launch-bound ops (the fixed per-kernel cost exceeds their work): neither roof limits them. */
  readonly launch: string;
  /** The memory roof and the ridge diamonds. */
  readonly memoryRoof: string;
  /** Compute roofs, one per unit/dtype in order. */
  readonly roofs: readonly string[];
  /** Op-type colouring, most time-consuming type first. */
  readonly categorical: readonly string[];
  readonly other: string;
  readonly tooltipBackground: string;
  readonly tooltipBorder: string;
  readonly fontFamily: string;
}

/** The HTML report's palette (report.css), also the fallback wherever a variable is missing. */
export const LIGHT_THEME: ChartTheme = {
  kind: 'light',
  foreground: '#111827',
  muted: '#4b5563',
  background: '#ffffff',
  gridLine: '#e5e7eb',
  memory: '#2563eb',
  compute: '#ea580c',
  launch: '#6b7280',
  memoryRoof: '#111827',
  roofs: ['#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d'],
  categorical: ['#2563eb', '#ea580c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f'],
  other: '#9ca3af',
  tooltipBackground: '#ffffff',
  tooltipBorder: '#d1d5db',
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
};

/** Used when the body says dark but a variable is missing (older VS Code themes lack some chart colours). */
const DARK_FALLBACK: ChartTheme = {
  ...LIGHT_THEME,
  kind: 'dark',
  foreground: '#cccccc',
  muted: '#9d9d9d',
  background: '#1f1f1f',
  gridLine: '#3c3c3c',
  memory: '#3794ff',
  compute: '#d18616',
  launch: '#8b8b8b',
  memoryRoof: '#cccccc',
  roofs: ['#89d185', '#b180d7', '#f14c4c', '#4ec9b0', '#cca700', '#f48771'],
  categorical: ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#4ec9b0', '#cca700', '#f48771', '#6a9955'],
  other: '#808080',
  tooltipBackground: '#252526',
  tooltipBorder: '#454545',
};

export function themeKind(body: HTMLElement): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  return 'light';
}

/** Reads the theme from the document's computed --vscode-* variables, falling back per colour. */
export function readTheme(doc: Document = document): ChartTheme {
  const body = doc.body;
  const kind = themeKind(body);
  const base = kind === 'dark' || kind === 'high-contrast' ? DARK_FALLBACK : LIGHT_THEME;
  const style = getComputedStyle(body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  // No editor background means no VS Code theme (the HTML report): keep the report's palette whole.
  if (!style.getPropertyValue('--vscode-editor-background').trim()) return { ...base, kind };
  const blue = v('--vscode-charts-blue', base.memory);
  const orange = v('--vscode-charts-orange', base.compute);
  const green = v('--vscode-charts-green', base.roofs[0]);
  const purple = v('--vscode-charts-purple', base.roofs[1]);
  const red = v('--vscode-charts-red', base.roofs[2]);
  const yellow = v('--vscode-charts-yellow', base.roofs[4]);
  const foreground = v('--vscode-editor-foreground', base.foreground);
  const highContrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  return {
    kind,
    foreground,
    muted: v('--vscode-descriptionForeground', base.muted),
    background: v('--vscode-editor-background', base.background),
    // Grid lines as faint as the editor's panel borders (charts-lines is a translucent foreground, too loud here).
    gridLine: highContrast ? v('--vscode-contrastBorder', base.gridLine) : v('--vscode-panel-border', v('--vscode-widget-border', base.gridLine)),
    memory: blue,
    compute: orange,
    launch: base.launch,
    memoryRoof: foreground,
    roofs: [green, purple, red, base.roofs[3], yellow, base.roofs[5]],
    categorical: [blue, orange, green, purple, red, yellow, ...base.categorical.slice(6)],
    other: base.other,
    tooltipBackground: v('--vscode-editorHoverWidget-background', v('--vscode-editorWidget-background', base.tooltipBackground)),
    tooltipBorder: v('--vscode-editorHoverWidget-border', v('--vscode-editorWidget-border', base.tooltipBorder)),
    // Single quotes: ECharts' SVG renderer writes the family into a double-quoted style attribute unescaped.
    fontFamily: v('--vscode-font-family', base.fontFamily).replace(/"/g, "'"),
  };
}

/** Calls `onChange` when VS Code switches theme (the body's class changes). Returns the disconnect. */
export function watchTheme(onChange: () => void, doc: Document = document): () => void {
  let last = doc.body.className;
  const observer = new MutationObserver(() => {
    if (doc.body.className === last) return;
    last = doc.body.className;
    onChange();
  });
  observer.observe(doc.body, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}
