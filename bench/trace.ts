/**
 * `BENCH_ONLY=trace`: traced mode from a cold Python process (docs/BENCHMARKS.md): `traceModel` on
 * torchvision's resnet50 and vit_b_16, each run a fresh Python that imports torch, builds the model on
 * the meta device, runs forward under the recording dispatch mode and prints the trace, and then the
 * aten → IR mapping with shape inference. Compared with the floor: a bare `python -c "import torch,
 * torchvision"`. Python: BENCH_PYTHON (default /usr/bin/python3, Debian's, with python3-torch).
 */
import { spawnSync } from 'node:child_process';
import { traceModel } from '../server/src/python-env/trace';

const TORCHVISION = '/usr/lib/python3/dist-packages/torchvision/models';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export async function traceSection(runs: number): Promise<string> {
  const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
  const version = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
  const importMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(python, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
    importMs.push(performance.now() - started);
  }
  const rows = ['| model | IR nodes (without constants) | parameters | wall, cold Python process (ms, median / max) | in Python: import torch / import file / build / forward (ms, last run) | bare `import torch, torchvision` (ms, median) | runs |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const [label, file, entry] of [['resnet50', `${TORCHVISION}/resnet.py`, 'resnet50'], ['vit_b_16', `${TORCHVISION}/vision_transformer.py`, 'vit_b_16']] as const) {
    const wall: number[] = [];
    let nodes = 0;
    let parameters = '';
    let phases = '';
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const run = await traceModel({ python, file, entry, input: [1, 3, 224, 224], timeoutMs: 300_000 });
      wall.push(performance.now() - started);
      const model = run.analysis.analysis?.model;
      if (!model) throw new Error(`tracing ${entry} failed: ${run.analysis.diagnostics.map((d) => d.message).join('; ')}`);
      nodes = model.graph.nodes.filter((n) => n.opType !== 'Constant').length;
      parameters = model.metadata.get('ridgepoint.parameters') ?? '?';
      const t = run.analysis.pythonTimings;
      phases = ['importTorch', 'importFile', 'build', 'forward'].map((k) => ((t[k] ?? NaN) * 1000).toFixed(0)).join(' / ');
    }
    rows.push(`| ${label} | ${nodes} | ${Number(parameters).toLocaleString('en-US')} | ${median(wall).toFixed(0)} / ${Math.max(...wall).toFixed(0)} | ${phases} | ${median(importMs).toFixed(0)} | ${runs} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  return `\nTraced mode, ${python} (torch ${version}), Node ${process.version}: each run a fresh Python process (import, meta build, recorded forward, JSON), then the IR mapping and shape inference.\n\n${rows.join('\n')}\n`;
}
