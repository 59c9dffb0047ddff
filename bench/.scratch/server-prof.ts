import { fileUri, LspSession } from '../../scripts/lib/lsp-session';
import { ProfileResult, RenderResult } from '../../server/src/protocol';
(async () => {
  const file = 'bench/.generated/vit-deep-5k.onnx';
  const session = new LspSession({ chip: 'h100', dims: { batch: 1 } }, require('node:path').resolve('bench/.scratch/prof-server.js'));
  await session.initialize();
  const uri = fileUri(require('node:path').resolve(file)).replace(/^file:/, 'ridgepoint-onnx:');
  const render = await session.request<RenderResult>('ridgepoint/render', { uri: fileUri(require('node:path').resolve(file)) });
  await session.open(uri, render.text);
  await session.until(() => session.profiled.find((p) => p.uri === uri), 120_000);
  const t: number[] = [];
  for (let i = 0; i < 10; i++) { const s = performance.now(); await session.request<ProfileResult>('ridgepoint/profile', { uri, chip: 'h100', bindings: { batch: 2 + i }, detail: 'chart' }); t.push(Math.round(performance.now() - s)); }
  console.log(t.join(' '));
  await session.dispose();
})();
