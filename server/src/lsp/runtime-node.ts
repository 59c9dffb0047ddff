import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileByteSource } from '../cli/file-source';
import { readPythonGrammar } from '../cli/profile-python';
import { traceModel } from '../python-env/trace';
import { ServerRuntime } from './runtime';

/** Folders never searched for models or sources: tools' caches and dependencies, not the user's files. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'site-packages', 'dist-packages']);
/** A walk stops after this many folders, so a huge workspace costs a bounded time. */
const MAX_FOLDERS = 5000;
const MAX_DEPTH = 12;

function findFiles(root: string, extensions: readonly string[], limit: number): string[] {
  const found: string[] = [];
  const queue: Array<[string, number]> = [[root, 0]];
  let folders = 0;
  while (queue.length > 0 && found.length < limit && folders < MAX_FOLDERS) {
    const [dir, depth] = queue.shift() as [string, number];
    folders++;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIPPED_FOLDERS.has(entry.name)) queue.push([full, depth + 1]);
      } else if (entry.isFile() && extensions.some((ext) => entry.name.toLowerCase().endsWith(ext))) {
        found.push(full);
        if (found.length >= limit) break;
      }
    }
  }
  return found.sort();
}

/** The runtime over Node's file system (read-only). */
export const nodeRuntime: ServerRuntime = {
  openModel: (file) => new FileByteSource(file),
  stat: (file) => {
    try {
      const st = fs.statSync(file);
      return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch {
      return undefined;
    }
  },
  readText: (file) => fs.readFileSync(file, 'utf8'),
  pythonGrammar: readPythonGrammar,
  findFiles,
  resolve: (baseFile, relative) => path.resolve(path.dirname(baseFile), relative),
  yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
  now: () => performance.now(),
  runTrace: traceModel,
};
