/**
 * A tensor as the chart and its tooltips show it: `float[1,16,14,14]`; `?` for an unknown dim, `float[?]`
 * for an unknown rank, `(none)` for an omitted input. One rule for the server's chart report
 * (analysis/report.ts) and the webview reading a whole report (media/src/roofline-data.ts).
 */
export function tensorText(value: { readonly dtype: string; readonly shape?: ReadonlyArray<number | string | null> | null } | null): string {
  if (!value) return '(none)';
  if (!value.shape) return `${value.dtype}[?]`;
  return `${value.dtype}[${value.shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
