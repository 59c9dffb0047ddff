import { ByteSource } from '../analysis/onnx/byte-source';
import type { TraceRequest, TraceRun } from '../python-env/trace';

/** A model file held open for reading; `close` releases it. */
export interface OpenModelFile extends ByteSource {
  close(): void;
}

export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Everything the language server needs from the outside world besides the LSP connection. Injected
 * by `startServer` so tests can run the server over in-memory files, and so the server never writes:
 * there is no write operation here to call.
 */
export interface ServerRuntime {
  /** Opens a model file for random-access reads. Throws (with the OS message) when it cannot. */
  openModel(path: string): OpenModelFile;
  /** Size and modification time, or undefined when the file does not exist. */
  stat(path: string): FileStamp | undefined;
  /** Reads a small text file (a chips file, an `.onnxtxt` not open in the editor). Throws when it cannot. */
  readText(path: string): string;
  /** Resolves `relative` against `base`'s directory (external data, chips file paths). */
  resolve(baseFile: string, relative: string): string;
  /**
   * Files under `root` whose names end with one of `extensions` (`.onnx`), at most `limit`, skipping
   * hidden folders, node_modules and __pycache__; a bounded walk, for joining source files and exports.
   */
  findFiles(root: string, extensions: readonly string[], limit: number): string[];
  /** The tree-sitter runtime and Python grammar (wasm) for the PyTorch source frontend. Throws when missing. */
  pythonGrammar(): { runtime: Uint8Array; python: Uint8Array };
  /** Lets queued messages (cancellations, other requests) run between phases of a long analysis. */
  yieldToEventLoop(): Promise<void>;
  now(): number;
  /** Traced mode: runs the user's Python on a model file (python-env/trace.ts); absent = no traced mode. */
  runTrace?(request: TraceRequest): Promise<TraceRun>;
}
