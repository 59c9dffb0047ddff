/**
 * Ridgepoint's VS Code client: starts the language server and wires the editor parts to it. Each concern
 * lives in its own file: language-client.ts (the server), onnx-view.ts + custom-editor.ts (binary models as
 * read-only text), chips.ts, profile.ts, bind-dims.ts, export-report.ts (commands), status-bar.ts and
 * roofline-panel.ts, sweep-panel.ts. The extension never writes model files; the only files it writes are a report or a
 * roofline export the user chose in a save dialog.
 */
import * as vscode from 'vscode';
import { Commands, ProfiledParams, ProfileResult } from '../../server/src/protocol';
import { importMeasured } from './measured';
import { setPythonEntry, setPythonInput } from './source-options';
import { ActiveModel } from './active-model';
import { bindDefaultDims, bindDims } from './bind-dims';
import { reopenBinaryTextTabs } from './binary-tabs';
import { Chips } from './chips';
import { CostTreeView } from './cost-tree';
import { errorMessage, registerCommand } from './command-runner';
import { OnnxCustomEditor } from './custom-editor';
import { exportReport } from './export-report';
import { RidgepointServer } from './language-client';
import { SuggestionCommands } from './suggestions';
import { displayName, uriFromArgument } from './model-uris';
import { OnnxViewProvider } from './onnx-view';
import { Profiler, ReportActions } from './profile';
import { RooflinePanels } from './roofline-panel';
import { ChipStatusBar } from './status-bar';
import { DecodeSweepPanels } from './sweep-panel';
import { TracedMode } from './traced-mode';

/** Set once a hover came back from the server: completes the walkthrough's "Hover an op" step. */
const HOVERED_CONTEXT = 'ridgepoint.hoveredOp';

let server: RidgepointServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Ridgepoint');
  const active = new ActiveModel();
  const profiled = new vscode.EventEmitter<ProfiledParams>();
  let hovered = false;
  server = new RidgepointServer(context.asAbsolutePath('dist/server.js'), {
    output,
    onProfiled: (params) => profiled.fire(params),
    onHover: () => {
      if (hovered) return;
      hovered = true;
      void vscode.commands.executeCommand('setContext', HOVERED_CONTEXT, true);
    },
  });
  const rp = server;
  // A failed start is already logged and will be reported by the first command that needs the server.
  rp.ready().then(
    () => undefined,
    (error: unknown) => void vscode.window.showErrorMessage(`Ridgepoint: the language server did not start: ${errorMessage(error)}`),
  );

  const chips = new Chips(rp);
  const statusBar = new ChipStatusBar(active, chips);
  const views = new OnnxViewProvider(rp, output);
  const profiler = new Profiler(rp, chips);
  context.subscriptions.push(output, profiled, active, rp, statusBar, views, OnnxCustomEditor.register(views, output));
  const panels = new RooflinePanels({ extensionUri: context.extensionUri, server: rp, chips, views, output, state: context.workspaceState }, () => active.update());
  context.subscriptions.push(panels, profiled.event((params) => statusBar.update(params)), profiled.event((params) => panels.onProfiled(params)));
  const sweeps = new DecodeSweepPanels({ extensionUri: context.extensionUri, server: rp, output });
  context.subscriptions.push(sweeps, profiled.event((params) => sweeps.onProfiled(params)));
  context.subscriptions.push(profiled.event((params) => active.noteProfiled(params)));
  context.subscriptions.push(active.addPanelModel(() => panels.activeModel()), reopenBinaryTextTabs(output));
  context.subscriptions.push(new CostTreeView(rp, active, profiled.event, output));

  // The status bar names the chip: load the list once the server is up, and again when the chips file changes.
  const loadChips = (): void => {
    void chips.load().then(
      () => statusBar.render(),
      () => undefined,
    );
  };
  void rp.ready().then(loadChips, () => undefined);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('ridgepoint.chipsFile')) {
        chips.invalidate();
        loadChips();
      }
    }),
  );

  /** The model a command applies to: its argument, else the active one. */
  const target = (arg: unknown): vscode.Uri => {
    const uri = uriFromArgument(arg) ?? active.uri;
    if (!uri) throw new Error('open a model first (.onnx, .onnxtxt, a PyTorch .py with an nn.Module, or a Hugging Face config.json)');
    return uri;
  };

  // The panel profiles by itself once its page is up (a cache hit in the server right after a profile command).
  const showRoofline = (model: vscode.Uri): Promise<void> => {
    panels.show(model);
    return Promise.resolve();
  };
  const exportFor = (model: vscode.Uri, report?: ProfileResult): Promise<void> => exportReport(model, () => (report?.suggestions ? Promise.resolve(report) : profiler.report(model, undefined, true)));
  const actions: ReportActions = { showRoofline: showRoofline, exportReport: exportFor };
  const suggestions = new SuggestionCommands(rp, (model, id) => panels.showWhatIf(model, id));
  const traced = new TracedMode(rp, output);
  context.subscriptions.push(traced);
  void traced.start().catch(() => undefined);
  const pythonModel = (arg: unknown): vscode.Uri => uriFromArgument(arg) ?? vscode.window.activeTextEditor?.document.uri ?? target(arg);

  context.subscriptions.push(
    registerCommand(Commands.profileForH100, 'Profile for H100', output, (arg) => profiler.profileOn(target(arg), 'h100', actions)),
    registerCommand(Commands.profileForChip, 'Profile for Chip', output, async (arg) => {
      const model = target(arg);
      const chip = await chips.pick(`Ridgepoint: profile ${displayName(model)} for…`);
      if (chip) await profiler.profileOn(model, chip.id, actions);
    }),
    registerCommand(Commands.pickChip, 'Pick Chip', output, async () => {
      const chip = await chips.pick('Ridgepoint: target chip');
      if (chip) await chips.setCurrent(chip.id);
    }),
    registerCommand(Commands.bindDims, 'Bind Symbolic Dimensions', output, (arg) => bindDims(rp, target(arg))),
    registerCommand(Commands.bindDefaultDims, 'Use Default Sizes', output, (arg) => bindDefaultDims(rp, target(arg))),
    registerCommand(Commands.showRoofline, 'Show Roofline', output, (arg) => showRoofline(target(arg))),
    registerCommand(Commands.showDecodeSweep, 'Show Decode Sweep', output, (arg) => sweeps.show(target(arg))),
    registerCommand(Commands.exportReport, 'Export Report', output, (arg) => exportFor(target(arg))),
    registerCommand(Commands.restartServer, 'Restart Server', output, async () => {
      await rp.restart();
      await traced.report();
      void vscode.window.showInformationMessage('Ridgepoint: the language server was restarted.');
    }),
    registerCommand(Commands.revealNode, 'Reveal Node', output, (arg) => views.revealNode(arg)),
    registerCommand(Commands.openOnnxText, 'Open as ONNX Text', output, (arg) => views.openOnnxText(target(arg))),
    registerCommand(Commands.showSuggestion, 'Show Suggestion', output, (arg) => suggestions.show(arg)),
    registerCommand(Commands.applyWhatIf, 'Re-profile as if Applied', output, (arg) => suggestions.applyWhatIf(arg)),
    registerCommand(Commands.copyRecipe, 'Copy Recipe', output, (arg) => suggestions.copyRecipe(arg)),
    registerCommand(Commands.quickFix, 'Suggestions for This Line', output, () => suggestions.actionsHere()),
    registerCommand(Commands.importMeasured, 'Import Measured Profile', output, (arg) => importMeasured(rp, target(arg), showRoofline)),
    registerCommand(Commands.setPythonInput, 'Set Input Shape', output, (arg) => setPythonInput(rp, uriFromArgument(arg) ?? vscode.window.activeTextEditor?.document.uri ?? target(arg))),
    registerCommand(Commands.setPythonEntry, 'Profile Module', output, (arg) => setPythonEntry(rp, arg)),
    registerCommand(Commands.traceWithPython, 'Trace with Python', output, async (arg) => {
      const model = pythonModel(arg);
      // The lens names its file; from the command palette the user may name the entry too.
      if (uriFromArgument(arg)) return traced.trace(model);
      const entry = await traced.askEntry(model);
      if (entry !== undefined) await traced.trace(model, entry);
    }),
    registerCommand(Commands.cancelTrace, 'Cancel Trace', output, (arg) => traced.cancel(pythonModel(arg))),
  );
}

export async function deactivate(): Promise<void> {
  await server?.stop().catch(() => undefined);
  server = undefined;
}
