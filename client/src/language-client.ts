/**
 * The language client: forks dist/server.js over IPC and keeps it running. A crash is restarted by
 * vscode-languageclient's default policy (up to 4 restarts in 3 minutes); this wrapper only adds a clear
 * warning when that happens. "Ridgepoint: Restart Server" restarts it, and builds a new client when the
 * old one can no longer start (a client whose first start failed refuses to start again).
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { LANGUAGE_ID, ProfiledNotification, ProfiledParams, RENDER_SCHEME, VIEW_LANGUAGE_ID } from '../../server/src/protocol';

const CLIENT_ID = 'ridgepoint';
const CLIENT_NAME = 'Ridgepoint';
export const RESTARTED_MESSAGE = "Ridgepoint's language server stopped and was restarted.";

export interface ServerHooks {
  /** The shared output channel (the client logs there, and so does the extension). */
  readonly output: vscode.OutputChannel;
  /** Called for every `ridgepoint/profiled` notification. */
  readonly onProfiled: (params: ProfiledParams) => void;
  /** Called once per hover the server answers (the walkthrough's "Hover an op" step). */
  readonly onHover: () => void;
}

export class RidgepointServer implements vscode.Disposable {
  private client: LanguageClient;
  private starting: Promise<void>;

  constructor(
    private readonly serverModule: string,
    private readonly hooks: ServerHooks,
  ) {
    this.client = this.create();
    this.starting = this.start(this.client);
  }

  /** The running client; waits for the start (or restart) in progress. Rejects when the server cannot start. */
  async ready(): Promise<LanguageClient> {
    await this.starting;
    return this.client;
  }

  async restart(): Promise<void> {
    const old = this.client;
    if (old.state === State.Running) {
      this.starting = old.restart();
      await this.starting;
      return;
    }
    // Not running: stopped after too many crashes, or its start failed. A fresh client is the reliable way back.
    await old.dispose().catch(() => undefined);
    this.client = this.create();
    this.starting = this.start(this.client);
    await this.starting;
  }

  dispose(): void {
    void this.client.dispose().catch(() => undefined);
  }

  /** For deactivate(): lets the server shut down cleanly. */
  async stop(): Promise<void> {
    if (this.client.state === State.Running) await this.client.stop();
  }

  private async start(client: LanguageClient): Promise<void> {
    try {
      await client.start();
    } catch (error) {
      this.hooks.output.appendLine(`Ridgepoint language server failed to start: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  private create(): LanguageClient {
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    // The handler is created for a client, and the client needs the handler: bind it after construction.
    const fallback: { handler?: ErrorHandler } = {};
    const errorHandler: ErrorHandler = {
      error: (error, message, count) => fallback.handler?.error(error, message, count) ?? { action: ErrorAction.Continue },
      closed: async (): Promise<CloseHandlerResult> => {
        const result = (await fallback.handler?.closed()) ?? { action: CloseAction.DoNotRestart };
        if (result.action === CloseAction.Restart) {
          this.hooks.output.appendLine(RESTARTED_MESSAGE);
          void vscode.window.showWarningMessage(RESTARTED_MESSAGE, 'Show Output').then((choice) => {
            if (choice === 'Show Output') this.hooks.output.show(true);
          });
          return { ...result, handled: true };
        }
        return result;
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { language: LANGUAGE_ID, scheme: 'file' },
        { language: LANGUAGE_ID, scheme: RENDER_SCHEME },
        { language: VIEW_LANGUAGE_ID, scheme: RENDER_SCHEME },
        // Model definitions: PyTorch sources and Hugging Face configs (the server ignores a .py without nn.Module).
        { language: 'python', scheme: 'file' },
        { scheme: 'file', pattern: '**/*config.json' },
      ],
      synchronize: { configurationSection: 'ridgepoint' },
      outputChannel: this.hooks.output,
      errorHandler,
      middleware: {
        provideHover: async (document, position, token, next) => {
          const hover = await next(document, position, token);
          if (hover) this.hooks.onHover();
          return hover;
        },
      },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    fallback.handler = client.createDefaultErrorHandler();
    // Registered before start, so it survives restarts of this client.
    client.onNotification(ProfiledNotification, (params) => this.hooks.onProfiled(params));
    return client;
  }
}
