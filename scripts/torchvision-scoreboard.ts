/**
 * How well Ridgepoint reads torchvision's own model zoo (issue 13): per classification builder, torch's
 * parameter count and the ONNX export's MACs (the ground truth, test/support/torchvision.ts) against the
 * static analysis of the builder's source file and, with --trace, the traced mode.
 *
 *   npx tsx scripts/torchvision-scoreboard.ts [--trace] [--only resnet50,vgg16] [--markdown]
 *
 * Needs a Python with torch and torchvision (/usr/bin/python3 on Debian with python3-torch and
 * python3-torchvision, or $RIDGEPOINT_TORCH_PYTHON). The first run exports every builder (minutes; cached
 * under the system temp folder). --markdown prints the per-family table of docs/pytorch-source.md.
 */
import { loadTorchvisionTruth } from '../test/support/torchvision';
import { mapLimited, prepareStatic, ScoreRow, scoreStatic, scoreTraced, summarise, summaryLines, tracedModeAvailable } from '../test/support/torchvision-score';

interface Flags {
  readonly trace: boolean;
  readonly markdown: boolean;
  readonly only?: string[];
}

function parseFlags(argv: readonly string[]): Flags {
  let trace = false;
  let markdown = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--trace') trace = true;
    else if (arg === '--markdown') markdown = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new Error('--only needs a comma-separated list of builders');
      only = value.split(',').map((s) => s.trim()).filter(Boolean);
    } else throw new Error(`unknown argument ${arg} (usage: [--trace] [--only a,b] [--markdown])`);
  }
  return { trace, markdown, only };
}

const num = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : n.toLocaleString('en-US'));
const giga = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : (n / 1e9).toFixed(3));
const flag = (b: boolean | null | undefined): string => (b === null || b === undefined ? '?' : b ? 'yes' : 'no');

function table(rows: readonly ScoreRow[], withTrace: boolean): string {
  const header = ['builder', 'truth params', 'static params', 'truth GMACs', 'static GMACs', 'exact', 'complete', ...(withTrace ? ['traced params', 'traced GMACs', 'traced exact'] : []), 'first unresolved / diagnostic'];
  const body = rows.map((r) => [
    r.entry.builder,
    num(r.entry.params),
    num(r.static.params),
    giga(r.entry.onnxMacs),
    giga(r.static.macs),
    r.static.exact ? 'yes' : 'no',
    flag(r.static.complete),
    ...(withTrace ? [num(r.traced?.params), giga(r.traced?.macs), r.traced ? (r.traced.exact ? 'yes' : 'no') : '-'] : []),
    r.static.exact ? '' : (r.entry.error ? `truth: ${r.entry.error}` : (r.static.reason ?? '')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => Math.min(row[i].length, i === header.length - 1 ? 0 : 99))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Why a builder missed, for the docs: site-packages paths shortened, one line. */
function missReason(r: ScoreRow): string {
  const reason = r.entry.error ? `truth: ${r.entry.error}` : (r.static.reason ?? '');
  const short = reason.replace(/\/\S*?\/(?:dist|site)-packages\//g, '');
  return short.length <= 180 ? short : `${short.slice(0, 179)}…`;
}

/** The docs table: per family, builders exact static / traced, and each static miss with its reason. */
function markdown(rows: readonly ScoreRow[], withTrace: boolean): string {
  const families = new Map<string, ScoreRow[]>();
  for (const r of rows) families.set(r.entry.family, [...(families.get(r.entry.family) ?? []), r]);
  const out = [
    `| family (torchvision/models/) | builders | exact static | static reported complete | exact traced |`,
    '|---|---:|---:|---:|---:|',
  ];
  for (const [family, members] of [...families].sort(([a], [b]) => a.localeCompare(b))) {
    const traced = withTrace ? `${members.filter((r) => r.traced?.exact).length}` : '-';
    out.push(`| \`${family}.py\` | ${members.length} | ${members.filter((r) => r.static.exact).length} | ${members.filter((r) => r.static.complete === true).length} | ${traced} |`);
  }
  const s = summarise(rows);
  out.push(`| **all** | **${s.builders}** | **${s.staticExact}** | **${rows.filter((r) => r.static.complete === true).length}** | **${s.tracedExact ?? '-'}** |`);
  const misses = rows.filter((r) => !r.static.exact);
  out.push('', '**Static misses, with the first reason Ridgepoint gives** (builders with the same reason, numbers aside, share a line):', '');
  if (misses.length === 0) out.push('None: every builder is exact statically.');
  for (const [family, members] of [...families].sort(([a], [b]) => a.localeCompare(b))) {
    const byReason = new Map<string, ScoreRow[]>();
    for (const r of members.filter((m) => !m.static.exact)) {
      const key = missReason(r).replace(/\d+/g, 'N');
      byReason.set(key, [...(byReason.get(key) ?? []), r]);
    }
    for (const group of byReason.values()) {
      const flagged = group.every((r) => r.static.complete === false) ? 'flagged incomplete' : group.some((r) => r.static.complete === true) ? '**not flagged**' : 'coverage unknown';
      out.push(`- \`${family}.py\` ${group.map((r) => `\`${r.entry.builder}\``).join(', ')} (${flagged}): ${missReason(group[0]).replace(/\|/g, '\\|')}`);
    }
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const truth = await loadTorchvisionTruth({ only: flags.only, log });
  await prepareStatic();
  const traceAvailable = flags.trace && tracedModeAvailable();
  if (flags.trace && !traceAvailable) log('--trace: the traced mode is not on this branch (server/src/python-env/trace.ts is missing); traced columns are left out');
  const staticRows = truth.entries.map((entry) => ({ entry, static: scoreStatic(entry, truth.python) }));
  const rows: ScoreRow[] = traceAvailable
    ? await mapLimited(staticRows, 2, async (r) => ({ ...r, traced: await scoreTraced(r.entry, truth.python) }))
    : staticRows;
  process.stdout.write(`${flags.markdown ? markdown(rows, traceAvailable) : table(rows, traceAvailable)}\n`);
  // The summary goes with the table; beside the Markdown (pasted into the docs) it goes to stderr.
  (flags.markdown ? log : (line: string) => void process.stdout.write(`${line}\n`))(`\n${summaryLines(summarise(rows)).join('\n')}`);
  log(`torch ${truth.torch}, torchvision ${truth.torchvision} (${truth.python}); cache ${truth.cacheDir}; truth script ${truth.scriptSeconds.toFixed(1)} s this run`);
}

main().catch((error: unknown) => {
  process.stderr.write(`torchvision-scoreboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
