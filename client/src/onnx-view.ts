/**
 * The read-only view of a binary model: a TextDocumentContentProvider for `ridgepoint-onnx:` URIs whose
 * text the server renders (`ridgepoint/render`): the readable model view, language `ridgepoint-view`
 * (op first, grouped and foldable by module; "Open as ONNX Text" opens the full ONNX textual syntax). Reading a large model takes a while, so the request
 * runs under a cancellable progress notification and never blocks the UI. The view is re-rendered when the
 * `.onnx` file changes on disk. Each render's node ranges are kept so `ridgepoint.revealNode` can select a
 * node's statement.
 */
import * as vscode from 'vscode';
import { LANGUAGE_ID, NodeRange, RENDER_SCHEME, RenderRequest, RenderResult, VIEW_LANGUAGE_ID } from '../../server/src/protocol';
import { withCancellableProgress } from './command-runner';
import { RidgepointServer } from './language-client';
import { displayName, fileUriOf, isBinaryModelFile, modelKey, uriFromArgument, viewUriOf } from './model-uris';

/** A model quicker to read than this shows no progress notification. */
const PROGRESS_DELAY_MS = 300;
/** Saving a model writes it in several chunks: re-render once, after the writes settle. */
const RELOAD_DEBOUNCE_MS = 250;

export class OnnxViewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** modelKey → the node ranges of the latest render. */
  private readonly nodes = new Map<string, readonly NodeRange[]>();
  /** view URI → the watcher of its `.onnx` file. */
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly languageChanges = new Map<string, Promise<vscode.TextDocument>>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly server: RidgepointServer,
    private readonly output: vscode.OutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(RENDER_SCHEME, this),
      // A view opened any way (restored tabs, links, vscode.open) gets the view's language, so the server sees it.
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (document.uri.scheme === RENDER_SCHEME && document.languageId !== VIEW_LANGUAGE_ID) void this.setLanguage(document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme !== RENDER_SCHEME) return;
        // setTextDocumentLanguage closes and reopens the document: keep its state if it is still open.
        if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === document.uri.toString())) return;
        this.watchers.get(document.uri.toString())?.dispose();
        this.watchers.delete(document.uri.toString());
        this.nodes.delete(modelKey(document.uri));
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const name = displayName(uri);
    const result = await withCancellableProgress(
      `Ridgepoint: reading ${name}`,
      async (inner) => (await this.server.ready()).sendRequest(RenderRequest, { uri: uri.toString() }, inner),
      token,
      PROGRESS_DELAY_MS,
    ).catch((error: unknown) => {
      if (error instanceof vscode.CancellationError) void vscode.window.showInformationMessage(`Ridgepoint: reading ${name} was cancelled.`);
      throw error;
    });
    this.remember(uri, result);
    this.watch(uri);
    if (result.error) void vscode.window.showWarningMessage(`Ridgepoint: ${name} could not be read: ${result.error}`);
    return result.text;
  }

  /** Opens (renders) the view of a model file and gives it the view's language. */
  async openView(file: vscode.Uri): Promise<vscode.TextDocument> {
    const document = await vscode.workspace.openTextDocument(viewUriOf(fileUriOf(file)));
    return document.languageId === VIEW_LANGUAGE_ID ? document : this.setLanguage(document);
  }

  /**
   * `ridgepoint.openOnnxText`: the binary model's full ONNX textual syntax (every name and attribute, the
   * format onnx.parser reads) in a new untitled `onnxtxt` document, which the user may edit and save.
   */
  async openOnnxText(model: vscode.Uri): Promise<void> {
    const file = fileUriOf(model);
    if (!isBinaryModelFile(file)) {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(model));
      return;
    }
    const name = displayName(file);
    const result = await withCancellableProgress(`Ridgepoint: rendering ${name} as ONNX text`, async (token) => (await this.server.ready()).sendRequest(RenderRequest, { uri: file.toString(), syntax: 'onnx' }, token), undefined, PROGRESS_DELAY_MS);
    if (result.error) throw new Error(`${name} could not be read: ${result.error}`);
    const document = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: result.text });
    await vscode.window.showTextDocument(document, { preview: false });
  }

  /** The node ranges of the latest render of a model's view (undefined before its first render). */
  nodesOf(uri: vscode.Uri): readonly NodeRange[] | undefined {
    return this.nodes.get(modelKey(uri));
  }

  /**
   * `ridgepoint.revealNode` ({ uri, nodeId, viewColumn? }): shows the model and selects the node's
   * statement, in the editor group that already holds the model's text (visible or not), else in
   * `viewColumn` (the roofline panel names a group other than its own), else the first group.
   */
  async revealNode(arg: unknown): Promise<void> {
    const uri = uriFromArgument(arg);
    const nodeId = typeof arg === 'object' && arg !== null && 'nodeId' in arg ? (arg as { nodeId: unknown }).nodeId : undefined;
    if (!uri || typeof nodeId !== 'string') throw new Error('revealNode needs { uri, nodeId }');
    const document = isBinaryModelFile(uri) || uri.scheme === RENDER_SCHEME ? await this.openView(uri) : await vscode.workspace.openTextDocument(uri);
    const range = this.nodes.get(modelKey(document.uri))?.find((n) => n.id === nodeId)?.range;
    const target = range
      ? new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character)
      : await symbolRange(document.uri, nodeId);
    if (!target) {
      void vscode.window.showInformationMessage(`Ridgepoint: node ${nodeId} is not in ${displayName(document.uri)}.`);
      return;
    }
    const editor = await vscode.window.showTextDocument(document, { viewColumn: columnOf(document.uri) ?? requestedColumn(arg) ?? vscode.ViewColumn.One, preserveFocus: false });
    editor.selection = new vscode.Selection(target.start, target.end);
    editor.revealRange(target, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** One language change per document even when the open listener and openView both ask for it. */
  private setLanguage(document: vscode.TextDocument): Promise<vscode.TextDocument> {
    const key = document.uri.toString();
    const pending = this.languageChanges.get(key);
    if (pending) return pending;
    const change = (async () => {
      try {
        return await vscode.languages.setTextDocumentLanguage(document, VIEW_LANGUAGE_ID);
      } catch (error) {
        this.output.appendLine(`Cannot set the language of ${key}: ${error instanceof Error ? error.message : String(error)}`);
        return document;
      } finally {
        this.languageChanges.delete(key);
      }
    })();
    this.languageChanges.set(key, change);
    return change;
  }

  private remember(uri: vscode.Uri, result: RenderResult): void {
    this.nodes.set(modelKey(uri), result.nodes);
  }

  private watch(view: vscode.Uri): void {
    const key = view.toString();
    if (this.watchers.has(key)) return;
    const file = fileUriOf(view);
    const slash = file.path.lastIndexOf('/');
    const pattern = new vscode.RelativePattern(file.with({ path: file.path.slice(0, slash) || '/' }), file.path.slice(slash + 1));
    const watcher = vscode.workspace.createFileSystemWatcher(pattern, false, false, true);
    let timer: NodeJS.Timeout | undefined;
    const reload = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => this.changed.fire(view), RELOAD_DEBOUNCE_MS);
    };
    const subscriptions = [watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload)];
    this.watchers.set(
      key,
      new vscode.Disposable(() => {
        clearTimeout(timer);
        for (const s of subscriptions) s.dispose();
      }),
    );
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** The group showing `uri` as text: where it is the visible editor, else the active group or any group with its tab. */
function columnOf(uri: vscode.Uri): vscode.ViewColumn | undefined {
  const wanted = uri.toString();
  const groups = [vscode.window.tabGroups.activeTabGroup, ...vscode.window.tabGroups.all];
  const holds = (g: vscode.TabGroup): boolean => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === wanted);
  // A group where the model is on screen beats one where its tab is buried under others.
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === wanted);
  return shown?.viewColumn ?? groups.find(holds)?.viewColumn;
}

function requestedColumn(arg: unknown): vscode.ViewColumn | undefined {
  const column = typeof arg === 'object' && arg !== null && 'viewColumn' in arg ? (arg as { viewColumn: unknown }).viewColumn : undefined;
  return typeof column === 'number' && Number.isInteger(column) && column >= 1 && column <= 9 ? column : undefined;
}

/** For `.onnxtxt` files (no render): the document symbol (from the server) named or detailed by the node id. */
async function symbolRange(uri: vscode.Uri, nodeId: string): Promise<vscode.Range | undefined> {
  const symbols = await vscode.commands.executeCommand<Array<vscode.DocumentSymbol | vscode.SymbolInformation> | undefined>('vscode.executeDocumentSymbolProvider', uri);
  const stack = [...(symbols ?? [])];
  while (stack.length > 0) {
    const s = stack.pop();
    if (!s) break;
    if ('children' in s) {
      if (s.name === nodeId || s.detail === nodeId || s.detail.split(/\s+/).includes(nodeId)) return s.range;
      stack.push(...s.children);
    } else if (s.name === nodeId) return s.location.range;
  }
  return undefined;
}
