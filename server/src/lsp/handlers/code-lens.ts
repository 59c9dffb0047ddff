import { CodeLens, CodeLensParams } from 'vscode-languageserver';
import { humanTime } from '../../format/units';
import { Commands } from '../../protocol';
import { modelRefOf } from '../models';
import { runSafe } from '../safe';
import { hfCodeLenses, pythonCodeLenses } from './source-models';
import { viewGroupLenses } from './view-lenses';
import { ServerContext } from '../server';

/** Above the main graph's signature: total time on the chip, memory-bound share, and the roofline. */
export function registerCodeLens(ctx: ServerContext): void {
  ctx.connection.onCodeLens(
    runSafe(ctx.connection, 'textDocument/codeLens', [] as CodeLens[], async (params: CodeLensParams, token): Promise<CodeLens[]> => {
      const ref = modelRefOf(params.textDocument.uri);
      if (!ref) return [];
      const profiled = await ctx.currentProfile(ref, () => token.isCancellationRequested);
      if (ref.kind === 'python') return [...pythonCodeLenses(profiled, params.textDocument.uri), ...ctx.traces.codeLenses(profiled, params.textDocument.uri)];
      if (ref.kind === 'hf-config') return hfCodeLenses(profiled);
      const loaded = profiled.loaded;
      const main = loaded.layout.graphs.find((g) => g.kind === 'main');
      const { totals, chip } = profiled.report;
      if (!main || !totals || !chip) return [];
      const range = loaded.lines.range({ start: main.header.start, end: main.header.start });
      const args = [{ uri: params.textDocument.uri }];
      const lenses: CodeLens[] = [
        { range, command: { title: `${humanTime(totals.timeSeconds)} per run on ${chip.name}`, command: Commands.pickChip, arguments: args } },
        { range, command: { title: `${(totals.memoryBoundShare * 100).toFixed(0)}% memory-bound`, command: Commands.showRoofline, arguments: args } },
        { range, command: { title: 'Open roofline', command: Commands.showRoofline, arguments: args } },
      ];
      const unbound = profiled.report.unboundSymbols;
      if (unbound.length > 0) lenses.push({ range, command: { title: `Bind ${unbound.join(', ')}`, command: Commands.bindDims, arguments: args } });
      if (totals.unmodelledNodes > 0) lenses.push({ range, command: { title: `${totals.unmodelledNodes} op(s) not modelled`, command: Commands.showRoofline, arguments: args } });
      return [...lenses, ...viewGroupLenses(profiled, params.textDocument.uri)];
    }),
  );
}
