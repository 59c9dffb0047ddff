/**
 * The "Cost by Module" view (`ridgepoint.costTree`, Explorer side bar): the active model's module hierarchy
 * with time, share and bound per row, from `ridgepoint/costTree`. It follows the active model (a model view,
 * `.onnxtxt`, a `.py` or config.json the server profiled, the roofline panel's model) and keeps the last
 * one's tree when the focus moves elsewhere; it asks again when the server re-profiles that model
 * (`ridgepoint/profiled`: chip, bindings or the file changed). A click shows the row's costliest node.
 */
import * as vscode from 'vscode';
import type { CostTreeNode } from '../../server/src/analysis/cost-tree';
import { Commands, CostTreeRequest, CostTreeResult, ProfiledParams } from '../../server/src/protocol';
import { ActiveModel } from './active-model';
import { boundIcon, moreLabel, rootDescription, rowDescription, rowLabel, rowTooltip, shownChildren } from './cost-tree-labels';
import { RidgepointServer } from './language-client';
import { modelKey } from './model-uris';

export const COST_TREE_VIEW = 'ridgepoint.costTree';
/** True once the view has had a model: package.json shows the view from then on. */
const HAS_MODEL_CONTEXT = 'ridgepoint.costTreeHasModel';

type Item =
  | { readonly type: 'row'; readonly row: CostTreeNode; readonly id: string }
  | { readonly type: 'message'; readonly text: string }
  | { readonly type: 'more'; readonly label: string; readonly id: string };

/** How long a cost tree request may stay unanswered before it is asked again, and how many times in a row. */
const UNANSWERED_MS = 10_000;
const MAX_UNANSWERED = 3;

export class CostTreeView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Item | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Item>;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Models the server has profiled (a .py or config.json counts as a model once it has). */
  private readonly profiledModels = new Set<string>();
  private model: vscode.Uri | undefined;
  private result: CostTreeResult | undefined;
  /** The result is older than the model's latest profile: fetch when the view is visible. */
  private stale = false;
  private requests = 0;
  /** Requests re-sent in a row for want of an answer (see refresh). */
  private unanswered = 0;

  constructor(
    private readonly server: RidgepointServer,
    private readonly active: ActiveModel,
    profiled: vscode.Event<ProfiledParams>,
    private readonly output: vscode.OutputChannel,
  ) {
    this.view = vscode.window.createTreeView(COST_TREE_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      active.onDidChange(() => this.follow()),
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      profiled((params) => this.onProfiled(params)),
      this.view.onDidChangeVisibility(() => {
        // Also when nothing was ever shown: a request made while the model's profile was being replaced
        // may have gone unanswered.
        if (this.view.visible && (this.stale || this.result === undefined)) this.refresh();
      }),
    );
    this.follow();
  }

  /** The model to show: the active one, else a profiled model definition in the editor; unchanged when neither. */
  private follow(): void {
    const editor = vscode.window.activeTextEditor?.document.uri;
    const next = this.active.uri ?? (editor && this.profiledModels.has(modelKey(editor)) ? editor : undefined);
    if (!next || (this.model && modelKey(next) === modelKey(this.model))) return;
    this.model = next;
    // The previous model's rows must not stand under the new one while its tree is fetched.
    this.result = undefined;
    this.changed.fire(undefined);
    void vscode.commands.executeCommand('setContext', HAS_MODEL_CONTEXT, true);
    this.refresh();
  }

  private onProfiled(params: ProfiledParams): void {
    this.profiledModels.add(modelKey(params.uri));
    // A config.json's `#decode` profile changes with its document's (they share the bindings).
    if (this.model && modelKey(params.uri) === modelKey(this.model.with({ fragment: '' }))) this.refresh();
    // A .py or config.json in the editor becomes a model once the server profiled it.
    else this.follow();
  }

  private refresh(): void {
    const model = this.model;
    if (!model) return;
    if (!this.view.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const request = ++this.requests;
    this.view.description = this.result ? undefined : 'profiling…';
    // A request that stays unanswered is asked again, a few times, rather than leaving the view empty (CI
    // once saw the view stay empty for a minute after two quick chip changes; the cause is not known).
    const watchdog = setTimeout(() => {
      if (request !== this.requests || this.unanswered >= MAX_UNANSWERED) return;
      this.unanswered++;
      this.output.appendLine(`Cost by Module: no answer for ${model.toString()} in ${UNANSWERED_MS / 1000} s; asking again`);
      this.refresh();
    }, UNANSWERED_MS);
    void this.server
      .ready()
      .then((client) => client.sendRequest(CostTreeRequest, { uri: model.toString() }))
      .then(
        (result) => {
          clearTimeout(watchdog);
          // A later request (another model, a newer profile) wins.
          if (request !== this.requests) return;
          this.unanswered = 0;
          this.result = result;
          this.view.description = undefined;
          this.changed.fire(undefined);
        },
        (error: unknown) => {
          clearTimeout(watchdog);
          if (request !== this.requests) return;
          this.output.appendLine(`Cost by Module: ${error instanceof Error ? error.message : String(error)}`);
          this.view.description = 'not available';
        },
      );
  }

  getChildren(item?: Item): Item[] {
    const result = this.result;
    if (!result) return [];
    if (!item) {
      const top: Item[] = [];
      if (result.incomplete !== null) top.push({ type: 'message', text: result.incomplete });
      if (result.root) top.push({ type: 'row', row: result.root, id: 'model' });
      return top;
    }
    if (item.type !== 'row') return [];
    const { shown, rest } = shownChildren(item.row);
    const rows: Item[] = shown.map((row) => ({ type: 'row', row, id: row.kind === 'op' ? `op:${row.revealNodeId ?? row.path}` : `module:${row.path}` }));
    if (rest) rows.push({ type: 'more', label: moreLabel(rest), id: `more:${item.id}` });
    return rows;
  }

  getTreeItem(item: Item): vscode.TreeItem {
    if (item.type === 'message') {
      const tree = new vscode.TreeItem(item.text, vscode.TreeItemCollapsibleState.None);
      tree.id = 'message';
      tree.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      tree.tooltip = `${item.text}\n\nThe times below leave this out.`;
      tree.command = item.text.startsWith('not costed: bind')
        ? { command: Commands.bindDims, title: 'Bind Symbolic Dimensions', arguments: [{ uri: this.model?.toString() }] }
        : { command: 'workbench.actions.view.problems', title: 'Show Problems' };
      return tree;
    }
    if (item.type === 'more') {
      const tree = new vscode.TreeItem(item.label, vscode.TreeItemCollapsibleState.None);
      tree.id = item.id;
      tree.tooltip = 'The cheapest rows, summed: the report (Export Report…) lists every op.';
      return tree;
    }
    const { row } = item;
    const chipName = this.result?.chipName ?? '';
    const state = row.kind === 'model' ? vscode.TreeItemCollapsibleState.Expanded : row.children.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const tree = new vscode.TreeItem(rowLabel(row), state);
    tree.id = item.id;
    tree.description = row.kind === 'model' ? rootDescription(row, chipName) : rowDescription(row);
    tree.tooltip = rowTooltip(row, chipName);
    const icon = boundIcon(row.bound);
    tree.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    tree.contextValue = `ridgepoint.costTree.${row.kind}`;
    const reveal = this.revealCommand(row);
    if (reveal) tree.command = reveal;
    return tree;
  }

  /** Shows the row's costliest node: its line in the model's text, or the Python line that builds it. */
  private revealCommand(row: CostTreeNode): vscode.Command | undefined {
    const model = this.model;
    const nodeId = row.revealNodeId;
    if (!model || nodeId === null) return undefined;
    const sources = this.result?.sources;
    if (sources !== undefined) {
      // A model whose file is its text (.py, .onnxtxt): the node's line there (a node without one has nothing to show).
      const source = sources[nodeId];
      if (!source) return undefined;
      const { start, end } = source.range;
      const selection = new vscode.Range(start.line, start.character, end.line, end.character);
      return { command: 'vscode.open', title: 'Show in Source', arguments: [vscode.Uri.parse(source.uri), { selection, preserveFocus: false }] };
    }
    // A config.json's graph is built from a few keys: there is no line per node to show.
    if (/config\.json$/i.test(model.path)) return undefined;
    return { command: Commands.revealNode, title: 'Reveal Node', arguments: [{ uri: model.toString(), nodeId }] };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
