import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint, Linter } from 'eslint';

/**
 * The lint rules that hold the architecture (eslint.config.mjs), run through ESLint's Node API on planted
 * files: the layer order (ARCHITECTURE.md, "Layers": a file imports only from its own layer and earlier
 * ones) and the purity of the analysis core (no IO, no editor).
 *
 * The planted files do not exist on disk (lintText with a filePath inside the linted tree), so the
 * type-aware rules, which need the file in the TypeScript program, are turned off here; the layer rule
 * resolves the imported files on disk and the purity rule reads the import's name, neither needs types.
 */
const ROOT = path.resolve(__dirname, '../..');
const LAYER_RULE = 'boundaries/dependencies';

// Made once: ESLint reads the config (and resolves the plugins) on the first lint.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

async function lint(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  assert.ok(result, `no lint result for ${file}`);
  return result.messages;
}

function rulesOf(messages: readonly Linter.LintMessage[]): Array<string | null> {
  return messages.map((m) => m.ruleId);
}

describe('lint: the layer order', () => {
  it('an upward import fails: the cost model importing the advice', async () => {
    const messages = await lint('server/src/analysis/cost/planted-upward.ts', "import type { Suggestion } from '../advise/types';\nexport type Planted = Suggestion;\n");
    assert.deepEqual(rulesOf(messages), [LAYER_RULE]);
    assert.equal(messages[0]?.severity, 2);
    assert.equal(messages[0]?.line, 1);
    assert.match(messages[0]?.message ?? '', /costs layer must not import from a later layer .*advice/);
  });

  it('a downward import passes: the advice importing the cost model', async () => {
    const messages = await lint('server/src/analysis/advise/planted-downward.ts', "import type { Totals } from '../cost/totals';\nexport type Planted = Totals;\n");
    assert.deepEqual(messages, []);
  });

  it('the report importing measured times fails (measure/ sits above the report), measure/ importing the report passes', async () => {
    const fromReport = await lint('server/src/analysis/cost-tree.ts', "import { attachMeasurement } from './measure/compare';\nexport const planted = attachMeasurement;\n");
    assert.deepEqual(rulesOf(fromReport), [LAYER_RULE]);
    assert.match(fromReport[0]?.message ?? '', /report layer must not import from a later layer \(measured, views\)/);
    const fromMeasure = await lint('server/src/analysis/measure/planted.ts', "import type { Report } from '../report';\nexport type Planted = Report;\n");
    assert.deepEqual(fromMeasure, []);
  });

  it('a new file of the core that no layer names fails until the config places it', async () => {
    const messages = await lint('server/src/analysis/planted.ts', 'export const planted = 1;\n');
    assert.deepEqual(rulesOf(messages), ['boundaries/no-unknown-files']);
  });

  it('a re-export counts as an import: the graph re-exporting from the shape engine fails', async () => {
    const messages = await lint('server/src/analysis/ir/planted-reexport.ts', "export { inferModel } from '../shape/engine';\n");
    assert.deepEqual(rulesOf(messages), [LAYER_RULE]);
  });

  it('the core importing a view fails, a view importing the core passes', async () => {
    const up = await lint('server/src/analysis/advise/planted-view.ts', "import { RENDER_SCHEME } from '../../protocol';\nexport const planted = RENDER_SCHEME;\n");
    assert.deepEqual(rulesOf(up), [LAYER_RULE]);
    const down = await lint('server/src/cli/planted.ts', "import { buildReport } from '../analysis/report';\nexport const planted = buildReport;\n");
    assert.deepEqual(down, []);
  });

  it('the shared words import nothing of the project except where a view owns them (format/runtime-text.ts)', async () => {
    const words = await lint('server/src/format/planted.ts', "import { isRuntime } from '../analysis/cost/runtime';\nexport const planted = isRuntime;\n");
    assert.deepEqual(rulesOf(words), [LAYER_RULE]);
    const runtimeText = await lint('server/src/format/runtime-text.ts', "import { isRuntime } from '../analysis/cost/runtime';\nexport const planted = isRuntime;\n");
    assert.deepEqual(runtimeText, []);
  });
});

describe('lint: the analysis core stays pure', () => {
  it('fs, child_process and vscode imports in server/src/analysis fail', async () => {
    const code = "import * as fs from 'node:fs';\nimport { execFile } from 'child_process';\nimport * as vscode from 'vscode';\nexport const planted = [fs, execFile, vscode];\n";
    const messages = await lint('server/src/analysis/cost/planted-io.ts', code);
    assert.deepEqual(rulesOf(messages), ['no-restricted-imports', 'no-restricted-imports', 'no-restricted-imports']);
    assert.deepEqual(messages.map((m) => m.line), [1, 2, 3]);
  });

  it('the same imports in a view are allowed', async () => {
    const messages = await lint('server/src/cli/planted-io.ts', "import * as fs from 'node:fs';\nexport const planted = fs;\n");
    assert.deepEqual(messages, []);
  });
});
