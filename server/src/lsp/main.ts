import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { nodeRuntime } from './runtime-node';
import { startServer } from './server';

/**
 * The language server's entry point: `node dist/server.js --stdio` for any LSP editor, or
 * `--node-ipc` when the VS Code client forks it (createConnection reads the transport from argv).
 */
const connection = createConnection(ProposedFeatures.all);
startServer(connection, nodeRuntime);

// Last line of defence: a bug that escapes every handler's guard is logged, and the server stays up.
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
process.on('uncaughtException', (error) => connection.console.error(`uncaught exception: ${error.stack ?? error.message}`));
