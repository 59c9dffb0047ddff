import { RenderRequest, RenderResult } from '../../protocol';
import { modelRefOf } from '../models';
import { runSafe } from '../safe';
import { ServerContext } from '../server';

/** `ridgepoint/render`: the model as ONNX textual syntax plus where each node is. */
export function registerRender(ctx: ServerContext): void {
  const fallback: RenderResult = { text: '# Ridgepoint could not render this model (see the Ridgepoint output channel).\n', nodes: [], error: 'internal error' };
  ctx.connection.onRequest(
    RenderRequest,
    runSafe(ctx.connection, RenderRequest.method, fallback, async (params, token) => {
      const ref = modelRefOf(params.uri);
      if (!ref) return { text: `# Not a model URI: ${params.uri.replace(/\r?\n/g, ' ')}\n`, nodes: [], error: 'not a model URI' };
      const loaded = await ctx.models.load(ref, () => token.isCancellationRequested);
      const result: RenderResult = {
        text: loaded.text,
        nodes: loaded.layout.nodes.map((n) => ({ id: n.id, range: loaded.lines.range(n.statement), opRange: loaded.lines.range(n.op) })),
      };
      if (loaded.model === null) return { ...result, error: loaded.loadDiagnostics.map((d) => d.message).join('; ') };
      return result;
    }),
  );
}
