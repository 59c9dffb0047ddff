/**
 * Language-server benchmarks (part of `npm run bench`, docs/BENCHMARKS.md): over stdio, as an editor
 * drives it,
 *  - first render of a large model: `ridgepoint/render` from request to response, in a fresh server;
 *  - hover latency after the first analysis: many hovers on random nodes, p50 and p99;
 *  - re-profile with new bindings: `ridgepoint/profile` with another batch value each time (never cached),
 *    with `detail: 'chart'` as the panel asks it, the server's part of the roofline panel's "bindings change → chart updated" (target < 200 ms in all).
 */
import { Hover, InlayHint } from 'vscode-languageserver-protocol';
import { fileUri, LspSession } from '../scripts/lib/lsp-session';
import { ProfileResult, RenderResult } from '../server/src/protocol';

export interface LspMeasurement {
  readonly label: string;
  readonly nodes: number;
  readonly firstRenderMs: number[];
  readonly firstAnalysisMs: number;
  readonly hoverMs: { p50: number; p99: number; max: number; count: number };
  readonly inlayHintsMs: number;
  /** `ridgepoint/profile` round trips, each with a batch value not profiled before. */
  readonly reprofileMs: number[];
  /** The same requests repeated (cached profiles): the report's serialisation and transfer alone. */
  readonly cachedProfileMs: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

async function firstRender(file: string): Promise<{ ms: number; render: RenderResult }> {
  const session = new LspSession({ chip: 'h100', dims: { batch: 1 } });
  try {
    await session.initialize();
    const started = process.hrtime.bigint();
    const render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(file) });
    return { ms: ms(started), render };
  } finally {
    await session.dispose();
  }
}

/**
 * `ridgepoint/profile` with batch = 2, 3, … (the first analysis used 1, so every request is a new profile,
 * as when the user types a value), with `detail: 'chart'` as the panel asks; each repeated once (a cache
 * hit: what is left is the report's serialisation and transfer).
 */
async function reprofile(session: LspSession, uri: string, count: number): Promise<{ reprofileMs: number[]; cachedProfileMs: number[] }> {
  const reprofileMs: number[] = [];
  const cachedProfileMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    const report = await session.request<ProfileResult>('ridgepoint/profile', { uri, chip: 'h100', bindings: { batch: 2 + i }, detail: 'chart' });
    reprofileMs.push(ms(started));
    if (report.bindings.batch !== 2 + i || !report.totals) throw new Error(`re-profile ${i}: no costed report for batch ${2 + i}`);
    const again = process.hrtime.bigint();
    await session.request<ProfileResult>('ridgepoint/profile', { uri, chip: 'h100', bindings: { batch: 2 + i }, detail: 'chart' });
    cachedProfileMs.push(ms(again));
  }
  return { reprofileMs, cachedProfileMs };
}

/** The server's part of the panel's bindings change alone: open the model's view, then `count` re-profiles. */
export async function benchReprofile(file: string, count: number): Promise<{ reprofileMs: number[]; cachedProfileMs: number[] }> {
  const session = new LspSession({ chip: 'h100', dims: { batch: 1 } });
  try {
    await session.initialize();
    const render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(file) });
    if (render.error) throw new Error(`render failed: ${render.error}`);
    const uri = fileUri(file).replace(/^file:/, 'ridgepoint-onnx:');
    await session.open(uri, render.text);
    await session.until(() => session.profiled.find((p) => p.uri === uri), 120_000);
    return await reprofile(session, uri, count);
  } finally {
    await session.dispose();
  }
}

export async function benchLanguageServer(label: string, file: string, renders: number, hovers: number, reprofiles = 20): Promise<LspMeasurement> {
  const firstRenderMs: number[] = [];
  let render: RenderResult | undefined;
  for (let i = 0; i < renders; i++) {
    const r = await firstRender(file);
    firstRenderMs.push(r.ms);
    render = r.render;
  }
  if (!render || render.error) throw new Error(`render failed: ${render?.error}`);
  const session = new LspSession({ chip: 'h100', dims: { batch: 1 } });
  try {
    await session.initialize();
    const uri = fileUri(file).replace(/^file:/, 'ridgepoint-onnx:');
    await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(file) });
    const analysisStart = process.hrtime.bigint();
    await session.open(uri, render.text);
    await session.until(() => session.profiled.find((p) => p.uri === uri), 120_000);
    const firstAnalysisMs = ms(analysisStart);
    // Random nodes, deterministic sequence (a linear congruential generator) so runs are comparable.
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const times: number[] = [];
    for (let i = 0; i < hovers; i++) {
      const node = render.nodes[Math.floor(next() * render.nodes.length)];
      if (!node) continue;
      const started = process.hrtime.bigint();
      const hover = await session.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: node.opRange.start });
      times.push(ms(started));
      if (!hover) throw new Error(`no hover for ${node.id}`);
    }
    times.sort((a, b) => a - b);
    const lines = render.text.split('\n').length;
    const hintsStart = process.hrtime.bigint();
    // A screenful: what the editor asks for as the user scrolls.
    await session.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: Math.floor(lines / 2), character: 0 }, end: { line: Math.floor(lines / 2) + 60, character: 0 } } });
    const inlayHintsMs = ms(hintsStart);
    const { reprofileMs, cachedProfileMs } = await reprofile(session, uri, reprofiles);
    return { label, reprofileMs, cachedProfileMs, nodes: render.nodes.length, firstRenderMs, firstAnalysisMs, hoverMs: { p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: times[times.length - 1] ?? NaN, count: times.length }, inlayHintsMs };
  } finally {
    await session.dispose();
  }
}
