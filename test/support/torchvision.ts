/**
 * Ground truth over torchvision's classification builders (issue 13), for the torchvision test and the
 * scoreboard (scripts/torchvision-scoreboard.ts).
 *
 * Real torch builds every builder and exports it to ONNX (scripts/torchvision-truth.py, run by a Python
 * that has torch and torchvision); the parameter counts come from the instantiated models, never from
 * Ridgepoint. The MAC count of each export is Ridgepoint's ONNX analysis (`onnxMacs`), the path the
 * corpus tests hold to external oracles, through the CLI's own `profileFile`. The exports are cached
 * under os.tmpdir() per torch / torchvision version and truth-script version; the MACs are recomputed
 * on every load (a second per all 80 exports) so a change to the ONNX analysis is never hidden.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chip, findChip } from '../../server/src/analysis/cost/chips';
import { profileFile } from '../../server/src/cli/profile';
import { ensurePrerequisites, Prerequisite } from './prerequisites';

const ROOT = path.resolve(__dirname, '../..');
const TRUTH_SCRIPT = path.join(ROOT, 'scripts/torchvision-truth.py');

export interface TorchvisionEntry {
  /** `resnet50`: the builder's name in torchvision.models. */
  readonly builder: string;
  /** The module that defines it: `resnet` (resnet*, resnext*, wide_resnet*), `swin_transformer`, … */
  readonly family: string;
  /** The .py file that defines the builder (what a user opens). */
  readonly sourceFile: string;
  /** [1, 3, 224, 224], or [1, 3, 299, 299] for inception_v3. */
  readonly input: number[];
  /** sum(p.numel() for p in model.parameters()) of the instantiated model; null when it failed. */
  readonly params: number | null;
  /** `num_params` of the builder's DEFAULT weights (informative: other weights may imply another configuration). */
  readonly publishedParams: number | null;
  readonly onnxPath: string | null;
  /** Ridgepoint's ONNX analysis of the export: total MACs; null when the export failed. */
  readonly onnxMacs: number | null;
  /** What makes onnxMacs unreliable (error diagnostics, unknown or unmodelled ops); empty when clean. */
  readonly onnxIssues: string[];
  /** Why torch could not build or export the builder; null when it did. */
  readonly error: string | null;
}

export interface TorchvisionTruth {
  readonly python: string;
  readonly torch: string;
  readonly torchvision: string;
  readonly cacheDir: string;
  /** Seconds the truth script ran in this load (0 when everything came from the cache). */
  readonly scriptSeconds: number;
  readonly entries: TorchvisionEntry[];
}

export interface TorchPython {
  readonly python: string;
  readonly torch: string;
  readonly torchvision: string;
}

/** Pythons to try: $RIDGEPOINT_TORCH_PYTHON, Debian's (where python3-torch installs), then python3 on PATH. */
function candidatePythons(): string[] {
  const fromEnv = process.env.RIDGEPOINT_TORCH_PYTHON;
  return [...(fromEnv ? [fromEnv] : []), '/usr/bin/python3', 'python3'];
}

/**
 * The first Python that imports torch and torchvision, or why none does (a message that says what to
 * install). Synchronous and quick (one import per candidate).
 */
export function findTorchPython(): TorchPython | { readonly missing: string } {
  // Each candidate imports torch (seconds): the answer is the same for the whole run.
  foundTorchPython ??= probeTorchPythons();
  return foundTorchPython;
}

let foundTorchPython: TorchPython | { readonly missing: string } | undefined;

function probeTorchPythons(): TorchPython | { readonly missing: string } {
  const tried: string[] = [];
  for (const python of candidatePythons()) {
    try {
      const out = execFileSync(python, ['-c', 'import json, torch, torchvision; print(json.dumps([torch.__version__, torchvision.__version__]))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
      const [torch, torchvision] = JSON.parse(out.trim().split('\n').pop() ?? '[]') as [string, string];
      return { python, torch, torchvision };
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      tried.push(`${python}: ${stderr.trim().split('\n').pop() || (error instanceof Error ? error.message : String(error))}`);
    }
  }
  return { missing: `no Python with torch and torchvision (apt-get install python3-torch python3-torchvision, or set RIDGEPOINT_TORCH_PYTHON); tried ${tried.join('; ')}` };
}

const TORCH_HOW_TO_GET = 'apt-get install python3-torch python3-torchvision (.ci/run does), or set RIDGEPOINT_TORCH_PYTHON to a Python that has them';

/** A Python with torch and torchvision (findTorchPython's), as a suite's prerequisite (test/support/prerequisites.ts). */
export const torchPrerequisite: Prerequisite = {
  what: 'a Python with torch and torchvision',
  missing: () => {
    const found = findTorchPython();
    return 'missing' in found ? found.missing : undefined;
  },
  howToGet: TORCH_HOW_TO_GET,
};

/** In a before() hook: the Python with torch and torchvision, or the hook fails (or skips, with RIDGEPOINT_ALLOW_SKIP=1). */
export function requireTorchPython(context: Mocha.Context): TorchPython {
  ensurePrerequisites(context, torchPrerequisite);
  const found = findTorchPython();
  if ('missing' in found) throw new Error(found.missing);
  return found;
}

/** `python` (a fixed interpreter, e.g. Debian's /usr/bin/python3) imports `modules`, as a suite's prerequisite. */
export function pythonModulesPrerequisite(python: string, modules: readonly string[]): Prerequisite {
  let missing: string | undefined | null = null;
  return {
    what: `${python} with ${modules.join(' and ')}`,
    missing: () => {
      if (missing === null) {
        const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
        missing = probe.status === 0 ? undefined : `it cannot import them: ${probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? ''}`;
      }
      return missing;
    },
    howToGet: TORCH_HOW_TO_GET,
  };
}

interface TruthFile {
  readonly torch: string;
  readonly torchvision: string;
  /** Every classification builder has an entry (a --only run leaves it false until the rest are in). */
  readonly complete?: boolean;
  readonly builders: Array<Omit<TorchvisionEntry, 'onnxMacs' | 'onnxIssues'>>;
}

/** One cache folder per torch, torchvision and truth-script version: a changed script re-exports. */
function cacheDirFor(found: TorchPython): string {
  const script = createHash('sha256').update(fs.readFileSync(TRUTH_SCRIPT)).digest('hex').slice(0, 12);
  const key = `${found.torchvision}-torch${found.torch}-${script}`.replace(/[^A-Za-z0-9.+_-]/g, '_');
  return path.join(os.tmpdir(), 'ridgepoint-torchvision-truth', key);
}

function readTruthFile(dir: string): TruthFile | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as TruthFile;
  } catch {
    return null;
  }
}

/** The chip reports are profiled for: MACs and parameters do not depend on it, but totals need one. */
export function profilingChip(): Chip {
  const chip = findChip('h100');
  if (!chip) throw new Error('the built-in chip h100 is missing');
  return chip;
}

/** Total MACs of an export by Ridgepoint's ONNX analysis (the CLI's profileFile), with anything that makes them unreliable. */
export function onnxMacsOf(onnxPath: string): { macs: number | null; issues: string[] } {
  const report = profileFile(onnxPath, { dim: new Map(), input: new Map(), profile: { chip: profilingChip(), peakMode: 'datasheet' }, suggestions: false });
  const issues = [
    ...report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`),
    ...report.unknownOps.map((u) => `unknown op ${u.op} ×${u.count}`),
    ...(report.unmodelled ?? []).map((u) => `unmodelled ${u.opType} ${u.id}: ${u.reason}`),
  ];
  return { macs: report.totals?.macs ?? null, issues };
}

/** Runs the truth script, passing its progress lines (stderr) on as they come; rejects on a non-zero exit. */
export function runStreaming(python: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let pending = '';
    let last = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log((last = line));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending.trim()) log((last = pending));
      if (code === 0) resolve();
      else reject(new Error(`${python} ${args.join(' ')} exited with ${code}: ${last}`));
    });
  });
}

export interface LoadOptions {
  /** Only these builders (default: every classification builder). */
  readonly only?: readonly string[];
  /** Progress lines (the truth script's stderr is passed through as it runs). */
  readonly log?: (line: string) => void;
}

/**
 * Ground truth for every classification builder (or `only`): runs the truth script for whatever the
 * cache lacks, then analyses each export. Throws with the reason when no Python has torch.
 */
export async function loadTorchvisionTruth(options: LoadOptions = {}): Promise<TorchvisionTruth> {
  const found = findTorchPython();
  if ('missing' in found) throw new Error(found.missing);
  const cacheDir = cacheDirFor(found);
  const cached = readTruthFile(cacheDir);
  const have = new Set(cached?.builders.map((b) => b.builder) ?? []);
  // A full run is wanted unless the cache is complete (its count is every builder) or the caller asked for some.
  const complete = cached?.complete === true;
  const missing = options.only ? options.only.filter((b) => !have.has(b)) : complete ? [] : null;
  let scriptSeconds = 0;
  if (missing === null || missing.length > 0) {
    const started = Date.now();
    const args = [TRUTH_SCRIPT, '--out', cacheDir, ...(missing ? ['--only', missing.join(',')] : [])];
    options.log?.(`torchvision truth: ${found.python} ${[path.relative(ROOT, TRUTH_SCRIPT), ...args.slice(1)].join(' ')} (torch ${found.torch}, torchvision ${found.torchvision})`);
    await runStreaming(found.python, args, options.log ?? (() => undefined));
    scriptSeconds = (Date.now() - started) / 1000;
  }
  const truth = readTruthFile(cacheDir);
  if (truth === null) throw new Error(`the truth script wrote no ${path.join(cacheDir, 'truth.json')}`);
  const wanted = options.only ? new Set(options.only) : null;
  const entries = truth.builders
    .filter((b) => wanted === null || wanted.has(b.builder))
    .map((b): TorchvisionEntry => {
      if (b.onnxPath === null || b.error !== null) return { ...b, onnxMacs: null, onnxIssues: [] };
      const onnxPath = path.resolve(cacheDir, b.onnxPath);
      const { macs, issues } = onnxMacsOf(onnxPath);
      return { ...b, onnxPath, onnxMacs: macs, onnxIssues: issues };
    });
  return { python: found.python, torch: truth.torch, torchvision: truth.torchvision, cacheDir, scriptSeconds, entries };
}
