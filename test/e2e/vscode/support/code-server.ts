/**
 * Starting and stopping code-server for the e2e suite (what @playwright/test's `webServer` gave):
 * runs start-code-server.sh in its own process group on a free port, waits for `/healthz`, and on
 * stop kills the whole group (code-server, its extension hosts and the language servers they forked).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { GiveUp, waitUntil } from './retry';

export const VSCODE_DIR = path.resolve(__dirname, '..');
export const INSTALL_SCRIPT = path.join(VSCODE_DIR, 'install-code-server.sh');
export const START_SCRIPT = path.join(VSCODE_DIR, 'start-code-server.sh');

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  /** home/, user-data/ (logs under user-data/logs/), extensions/ of this run. */
  readonly runDir: string;
  /** stdout and stderr of start-code-server.sh. */
  readonly logFile: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** The last `lines` lines of a text file ('' when it does not exist). */
export function tail(file: string, lines = 40): string {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * Runs a shell script with its output in `logFile`; throws with the log's tail when it fails.
 * Used for the one-time install of code-server (about a minute, mostly native compiles).
 */
export function runScript(script: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): void {
  const out = fs.openSync(logFile, 'w');
  try {
    const r = spawnSync('sh', [script, ...args], { stdio: ['ignore', out, out], env });
    if (r.status !== 0) throw new Error(`${path.basename(script)} failed (exit ${r.status ?? r.signal}); log ${logFile}:\n${tail(logFile)}`);
  } finally {
    fs.closeSync(out);
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export interface StartOptions {
  readonly workspace: string;
  readonly runDir: string;
  readonly vsix: string;
  /** Milliseconds to wait for /healthz (default 60 s; the .vsix install is part of it). */
  readonly timeout?: number;
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const port = await freePort();
  fs.mkdirSync(options.runDir, { recursive: true });
  const logFile = path.join(options.runDir, 'code-server.log');
  const out = fs.openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn('sh', [START_SCRIPT, String(port), options.workspace], {
      detached: true, // its own process group, so stop() reaches the extension hosts and language servers too
      stdio: ['ignore', out, out],
      env: { ...process.env, RUN_DIR: options.runDir, VSIX: options.vsix },
    });
  } finally {
    fs.closeSync(out);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn start-code-server.sh');
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = `exit ${code ?? signal}`;
      resolve();
    });
  });

  // If the test process ends without after() (Ctrl-C, a crash), take code-server's group down with it.
  const onExit = (): void => killGroup(pid, 'SIGKILL');
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    if (groupAlive(pid)) {
      killGroup(pid, 'SIGTERM');
      try {
        await waitUntil(() => exited !== undefined && !groupAlive(pid), { timeout: 10_000, message: 'code-server to exit' });
      } catch {
        killGroup(pid, 'SIGKILL');
      }
    }
    await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        if (exited) throw new GiveUp(`start-code-server.sh ended (${exited}) before /healthz answered:\n${tail(logFile)}`);
        try {
          const res = await fetch(`${url}/healthz`);
          return res.ok;
        } catch {
          return false;
        }
      },
      { timeout: options.timeout ?? 60_000, message: `code-server /healthz on port ${port} (log ${logFile})` },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, runDir: options.runDir, logFile, stop };
}
