import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: found by walking up, because the files using it run both from source and bundled into dist/. */
export const ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
