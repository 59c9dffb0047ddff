/**
 * Static parameter counts of torchvision's builders against ground truth from real torch, in-process:
 *   npx tsx scripts/static-scoreboard.ts TRUTH.json [--only resnet50,vgg16] [--python /usr/bin/python3]
 * TRUTH.json: [{ builder, sourceFile, params, entry? }] or scripts/torchvision-truth.py's truth.json (what
 * /usr/bin/python3 instantiating each builder gives;
 * entry: the expression to profile when not the builder's name, e.g. `fcn_resnet50(weights_backbone=None)`).
 * Prints per builder: truth, static, exact or not, complete (no unresolved names), the first reason.
 */
import * as fs from 'node:fs';
import { preparePythonParser, profilePythonFile } from '../server/src/cli/profile-python';

interface Truth { builder: string; sourceFile: string; params: number | null; input?: number[]; entry?: string }

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const truthFile = args[0] ?? '';
  const only = args.includes('--only') ? new Set((args[args.indexOf('--only') + 1] ?? '').split(',')) : null;
  const python = args.includes('--python') ? args[args.indexOf('--python') + 1] : '/usr/bin/python3';
  // A plain list, or the truth script's truth.json (scripts/torchvision-truth.py: { builders: [...] }).
  const parsed = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as Truth[] | { builders: Truth[] };
  const truth = (Array.isArray(parsed) ? parsed : parsed.builders).filter((t) => only === null || only.has(t.builder));
  await preparePythonParser();
  let exact = 0;
  let flaggedMisses = 0;
  for (const t of truth) {
    const started = performance.now();
    const input = t.input ?? (t.builder === 'inception_v3' ? [1, 3, 299, 299] : [1, 3, 224, 224]);
    const report = profilePythonFile(t.sourceFile, { dim: new Map(), input: new Map([['', input]]), entry: t.entry ?? t.builder, python, suggestions: false });
    const ms = performance.now() - started;
    const params = report.model.weights?.parameters ?? null;
    const problems = report.diagnostics.filter((d) => d.severity !== 'info');
    const ok = params === t.params;
    if (ok) exact++;
    else if (problems.length > 0) flaggedMisses++;
    const first = problems[0]?.message.replace(/^\/\S+\//, '') ?? '';
    console.log(`${ok ? 'EXACT' : problems.length > 0 ? 'miss ' : 'SILENT'} ${t.builder.padEnd(22)} truth ${String(t.params).padStart(11)} static ${String(params).padStart(11)} ${ms.toFixed(0).padStart(5)} ms ${ok ? '' : first.slice(0, 160)}`);
  }
  console.log(`exact ${exact}/${truth.length}; inexact but flagged ${flaggedMisses}; silent ${truth.length - exact - flaggedMisses}`);
}

void main();
