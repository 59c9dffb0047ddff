import { renderModel } from '../../analysis/onnx/text/printer';
import { RenderRequest, RenderResult } from '../../protocol';
import { LineIndex } from '../line-index';
import { modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/**
 * `ridgepoint/render`: the model's readable view (what the editor shows and every handler locates nodes
 * in) plus where each node is; or, with `syntax: 'onnx'`, the full ONNX textual syntax for "Open as
 * ONNX Text" (rendered on demand, never cached: the view is what the server analyses).
 */
export function registerRender(ctx: ServerContext): void {
  const fallback: RenderResult = { text: '# Ridgepoint could not render this model (see the Ridgepoint output channel).\n', nodes: [], error: 'internal error' };
  ctx.connection.onRequest(
    RenderRequest,
    runSafe(ctx.connection, RenderRequest.method, fallback, async (params, token) => {
      const ref = modelRefOf(params.uri);
      if (!ref) return { text: `# Not a model URI: ${params.uri.replace(/\r?\n/g, ' ')}\n`, nodes: [], error: 'not a model URI' };
      const loaded = await ctx.models.load(ref, () => token.isCancellationRequested);
      if (params.syntax === 'onnx' && loaded.model !== null) {
        const onnx = renderModel(loaded.model);
        const lines = new LineIndex(onnx.text);
        return { text: onnx.text, nodes: onnx.layout.nodes.map((n) => ({ id: n.id, range: lines.range(n.statement), opRange: lines.range(n.op) })) };
      }
      const result: RenderResult = {
        text: loaded.text,
        nodes: loaded.layout.nodes.map((n) => ({ id: n.id, range: loaded.lines.range(n.statement), opRange: loaded.lines.range(n.op) })),
      };
      if (loaded.model === null) return { ...result, error: loaded.loadDiagnostics.map((d) => d.message).join('; ') };
      return result;
    }),
  );
}
