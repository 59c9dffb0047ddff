import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { LogMessageParams, PublishDiagnosticsParams, ShowMessageParams } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { ProfiledParams } from '../../server/src/protocol';
import { ROOT } from './repo-root';
import { sharedCorpus } from './shared-corpus';

export { ROOT };

/** The corpus's real models (scripts/lib/shared-corpus.ts says where the corpus is). */
export const CORPUS = path.join(sharedCorpus(ROOT), 'models');
const SERVER = path.join(ROOT, 'dist', 'server.js');

/** Builds dist/ when the bundled server is missing (a single test file run outside `npm test`). */
export function ensureBuilt(): void {
  if (fs.existsSync(SERVER)) return;
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build failed');
}

export function fileUri(file: string): string {
  return URI.file(file).toString();
}

/**
 * The bundled language server, spawned as `node dist/server.js --stdio` and driven the way an editor
 * drives it: initialize with client capabilities, answer its configuration requests, collect what it
 * publishes.
 */
export class LspSession {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly messages: ShowMessageParams[] = [];
  /** What the server logged (`window/logMessage`: the editor's output channel). */
  readonly logs: LogMessageParams[] = [];
  readonly profiled: ProfiledParams[] = [];
  readonly stderr: string[] = [];
  /** `$/progress` values the server sent (begin / report / end), in order. */
  /** How often the server asked for `workspace/configuration` (a client without the capability must never be asked). */
  configurationRequests = 0;
  readonly progress: Array<{ token: string | number; value: { kind: string; title?: string; message?: string } }> = [];
  private readonly process: ChildProcess;
  readonly connection: MessageConnection;
  private waiters: Array<() => void> = [];
  private versions = new Map<string, number>();

  /** `server`: another bundle to run (a copy of dist/server.js without the files beside it). */
  constructor(
    private settings: Record<string, unknown> = {},
    server = SERVER,
  ) {
    this.process = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) => {
      this.configurationRequests++;
      return params.items.map(() => this.settings);
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.wake();
    });
    this.connection.onNotification('window/showMessage', (p: ShowMessageParams) => {
      this.messages.push(p);
      this.wake();
    });
    this.connection.onNotification('ridgepoint/profiled', (p: ProfiledParams) => {
      this.profiled.push(p);
      this.wake();
    });
    this.connection.onNotification('window/logMessage', (p: LogMessageParams) => this.logs.push(p));
    this.connection.onNotification('$/progress', (p: { token: string | number; value: { kind: string; title?: string; message?: string } }) => {
      this.progress.push(p);
      this.wake();
    });
    this.connection.listen();
  }

  /**
   * `client.configuration: false` plays a client without `workspace/configuration`: it does not
   * advertise the capability, and gives its settings in `initializationOptions`.
   */
  async initialize(rootDir = ROOT, client: { configuration?: boolean; initializationOptions?: unknown } = {}): Promise<void> {
    const configuration = client.configuration ?? true;
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: fileUri(rootDir),
      workspaceFolders: [{ uri: fileUri(rootDir), name: 'root' }],
      ...(client.initializationOptions !== undefined ? { initializationOptions: client.initializationOptions } : {}),
      capabilities: {
        workspace: { configuration, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } },
        window: { workDoneProgress: true },
        textDocument: { hover: { contentFormat: ['markdown'] }, inlayHint: {}, documentSymbol: { hierarchicalDocumentSymbolSupport: true } },
      },
    });
    await this.connection.sendNotification('initialized', {});
  }

  setSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    return this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { ridgepoint: settings } });
  }

  open(uri: string, text: string, languageId = 'onnxtxt'): Promise<void> {
    this.versions.set(uri, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  change(uri: string, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  request<R>(method: string, params?: unknown): Promise<R> {
    return (params === undefined ? this.connection.sendRequest(method) : this.connection.sendRequest(method, params)) as Promise<R>;
  }

  /** Resolves once `condition` holds after some notification (or throws after `timeoutMs`). */
  async until<T>(condition: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = condition();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`condition not met in ${timeoutMs} ms; server stderr: ${this.stderr.join('').slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  async dispose(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // The server may already be gone; killing it below is enough.
    }
    this.connection.dispose();
    this.process.kill();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
