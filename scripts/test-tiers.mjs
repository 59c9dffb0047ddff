#!/usr/bin/env node
/**
 * Runs test tiers one after another, each with its own mocha config (.mocharc.<tier>.json), and goes on
 * after a failing tier so one run reports every tier; exits non-zero when any tier failed.
 * `npm test` runs all of them after typecheck, lint and build: node scripts/test-tiers.mjs unit corpus cli lsp e2e
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MOCHA = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');

const tiers = process.argv.slice(2);
if (tiers.length === 0) {
  console.error('usage: node scripts/test-tiers.mjs <tier>... (a tier is a .mocharc.<tier>.json)');
  process.exit(2);
}
for (const tier of tiers) {
  if (!fs.existsSync(path.join(ROOT, `.mocharc.${tier}.json`))) {
    console.error(`no .mocharc.${tier}.json: tiers are ${fs.readdirSync(ROOT).filter((f) => /^\.mocharc\.\w+\.json$/.test(f)).map((f) => f.split('.')[2]).join(', ')}`);
    process.exit(2);
  }
}

const results = tiers.map((tier) => {
  console.log(`\n=== test tier: ${tier} (.mocharc.${tier}.json) ===`);
  const run = spawnSync(process.execPath, [MOCHA, '--config', `.mocharc.${tier}.json`], { cwd: ROOT, stdio: 'inherit' });
  return { tier, status: run.status ?? 1, signal: run.signal };
});

console.log('\n=== test tiers ===');
for (const r of results) console.log(`  ${r.tier.padEnd(8)} ${r.status === 0 ? 'passed' : `FAILED (${r.signal ?? `exit ${r.status}`})`}`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
