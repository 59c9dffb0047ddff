import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedCorpus } from '../../scripts/lib/shared-corpus';
import { pathPrerequisite, Prerequisite } from './prerequisites';

const ROOT = path.resolve(__dirname, '../..');

/** The shared corpus: `../shared/corpus` beside the checkout, or RIDGEPOINT_CORPUS. */
export const CORPUS = sharedCorpus(ROOT);

/** The corpus (or one folder of it, e.g. `models`) as a suite's prerequisite (test/support/prerequisites.ts). */
export function corpusPrerequisite(folder = ''): Prerequisite {
  return pathPrerequisite(
    'the shared corpus',
    path.join(CORPUS, folder),
    'put the shared reference folder at ../shared beside the checkout (developer machines and CI have it; see ../shared/README.md), or set RIDGEPOINT_CORPUS to a copy of the corpus',
  );
}

/** Every `.onnx` file under `dir` (recursively), sorted; none when the corpus is absent (the suite's corpusPrerequisite fails then). */
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
