/**
 * Real models for the code-server suite on real models (test/e2e/vscode-real-models.test.ts): what a
 * user exports with real torch, made in the test setup by scripts/real-models-export.py (Debian's
 * python3-torch and python3-torchvision, the Python test/support/torchvision.ts finds), and Hugging
 * Face's LLaMA-2-7B config. The exports are cached under os.tmpdir() per torch / torchvision version and
 * script version (vit_b_16 with its weights is 346 MB: exporting it takes ~10 s, copying it none: the
 * workspace gets hard links where it can).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../../../scripts/lib/repo-root';
import { findTorchPython, runStreaming } from '../../../support/torchvision';

const EXPORT_SCRIPT = path.join(ROOT, 'scripts/real-models-export.py');
/** LLaMA-2-7B's config.json as Hugging Face publishes it (meta-llama/Llama-2-7b-hf). */
export const LLAMA_CONFIG = path.join(ROOT, 'test/fixtures/hf/llama-2-7b.json');

export const REAL_EXPORTS = ['resnet50', 'vit_b_16', 'ppocr_det_like'] as const;
export type RealExport = (typeof REAL_EXPORTS)[number];

export interface RealModels {
  readonly python: string;
  readonly torch: string;
  readonly torchvision: string;
  /** Export name → absolute path of its .onnx. */
  readonly files: Readonly<Record<RealExport, string>>;
}

/** Exports whatever the cache lacks (a minute at most on 2 cores), then returns the paths. */
export async function realModelExports(log: (line: string) => void = () => undefined): Promise<RealModels> {
  const found = findTorchPython();
  if ('missing' in found) throw new Error(found.missing);
  const script = createHash('sha256').update(fs.readFileSync(EXPORT_SCRIPT)).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), 'ridgepoint-real-models', `${found.torchvision}-torch${found.torch}-${script}`.replace(/[^A-Za-z0-9.+_-]/g, '_'));
  const files = Object.fromEntries(REAL_EXPORTS.map((name) => [name, path.join(dir, `${name}.onnx`)])) as Record<RealExport, string>;
  const missing = REAL_EXPORTS.filter((name) => !fs.existsSync(files[name]));
  if (missing.length > 0) {
    log(`exporting ${missing.join(', ')} with ${found.python} (torch ${found.torch}, torchvision ${found.torchvision}) into ${dir}`);
    await runStreaming(found.python, [EXPORT_SCRIPT, '--out', dir, '--only', missing.join(',')], log);
  }
  for (const name of REAL_EXPORTS) if (!fs.existsSync(files[name])) throw new Error(`${EXPORT_SCRIPT} made no ${files[name]}`);
  return { python: found.python, torch: found.torch, torchvision: found.torchvision, files };
}

/** A hard link to `source` at `target` (no copy of a 346 MB file), else a copy (another file system). */
export function linkOrCopy(source: string, target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    fs.linkSync(source, target);
  } catch {
    fs.copyFileSync(source, target);
  }
}
