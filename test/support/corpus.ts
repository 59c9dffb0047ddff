import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every `.onnx` file under `dir` (recursively), sorted; none when the corpus is absent. */
export function listModels(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listModels(p));
    else if (entry.name.endsWith('.onnx')) out.push(p);
  }
  return out.sort();
}
