import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileByteSource } from '../cli/file-source';
import { ServerRuntime } from './runtime';

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
  resolve: (baseFile, relative) => path.resolve(path.dirname(baseFile), relative),
  yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
  now: () => performance.now(),
};
