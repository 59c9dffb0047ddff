/**
 * The extension manifest (package.json `contributes`) against its single sources: settings
 * (server/src/settings.ts), command ids (server/src/protocol.ts) and the client code that registers the
 * commands, sets the context keys and names the custom editor. Also: every file the manifest points at
 * exists, and the .vsix holds exactly the whitelisted files.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Commands } from '../../server/src/protocol';
import { SETTINGS_SCHEMA } from '../../server/src/settings';

const ROOT = path.resolve(__dirname, '../..');

interface Contributed {
  command: string;
  title: string;
  category?: string;
}

interface MenuItem {
  command?: string;
  when?: string;
}

interface Manifest {
  main: string;
  engines: Record<string, string>;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string; restrictedConfigurations?: string[] }; virtualWorkspaces: boolean };
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  contributes: {
    languages: Array<{ id: string; extensions: string[]; aliases: string[]; configuration: string }>;
    grammars: Array<{ language: string; scopeName: string; path: string }>;
    customEditors: Array<{ viewType: string; selector: Array<{ filenamePattern: string }>; priority: string }>;
    commands: Contributed[];
    menus: Record<string, MenuItem[]>;
    keybindings?: Array<{ command: string }>;
    configuration: { title: string; properties: Record<string, unknown> };
    walkthroughs: Array<{ id: string; steps: Array<{ id: string; title: string; description: string; media: { markdown?: string; image?: string }; completionEvents?: string[] }> }>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const contributes = manifest.contributes;
const contributedIds = new Set(contributes.commands.map((c) => c.command));

function clientSources(): string {
  const dir = path.join(ROOT, 'client/src');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

/** Command ids passed to a registerCommand call in client/src, literal or `Commands.x`. */
function registeredCommands(source: string): Set<string> {
  const ids = new Set<string>();
  const commands = Commands as Record<string, string>;
  for (const m of source.matchAll(/registerCommand\(\s*(?:Commands\.(\w+)|'([^']+)'|"([^"]+)")/g)) {
    const id = m[1] !== undefined ? commands[m[1]] : (m[2] ?? m[3]);
    assert.ok(id, `registerCommand(Commands.${m[1]}) names no id in protocol.ts`);
    ids.add(id);
  }
  return ids;
}

describe('extension manifest', () => {
  it('contributes exactly the settings of SETTINGS_SCHEMA', () => {
    assert.equal(contributes.configuration.title, 'Ridgepoint');
    assert.deepEqual(contributes.configuration.properties, SETTINGS_SCHEMA);
  });

  it('contributes every command of protocol.ts, in the Ridgepoint category', () => {
    for (const id of Object.values(Commands)) assert.ok(contributedIds.has(id), `${id} is not in contributes.commands`);
    for (const c of contributes.commands) {
      assert.equal(c.category, 'Ridgepoint', `${c.command} has no Ridgepoint category`);
      assert.ok(c.title.length > 0);
    }
  });

  it('registers every contributed command in client/src', () => {
    const registered = registeredCommands(clientSources());
    for (const id of contributedIds) assert.ok(registered.has(id), `${id} is contributed but never registered`);
    for (const id of registered) assert.ok(contributedIds.has(id), `${id} is registered but not contributed`);
  });

  it('refers only to contributed commands in menus, keybindings and walkthroughs', () => {
    for (const [menu, items] of Object.entries(contributes.menus)) {
      for (const item of items) assert.ok(item.command && contributedIds.has(item.command), `menu ${menu} refers to ${item.command}`);
    }
    for (const k of contributes.keybindings ?? []) assert.ok(contributedIds.has(k.command), `keybinding refers to ${k.command}`);
    for (const step of contributes.walkthroughs.flatMap((w) => w.steps)) {
      for (const m of step.description.matchAll(/\(command:(ridgepoint\.[\w.]+)\)/g)) assert.ok(contributedIds.has(m[1]), `step ${step.id} links ${m[1]}`);
      for (const e of step.completionEvents ?? []) {
        if (e.startsWith('onCommand:ridgepoint.')) assert.ok(contributedIds.has(e.slice('onCommand:'.length)), `step ${step.id} waits for ${e}`);
      }
    }
  });

  it('hides revealNode from the palette and sets every ridgepoint.* context key it uses', () => {
    const palette = contributes.menus.commandPalette ?? [];
    assert.equal(palette.find((i) => i.command === Commands.revealNode)?.when, 'false');
    const source = clientSources();
    const whens = [...Object.values(contributes.menus).flat().map((i) => i.when ?? ''), ...contributes.walkthroughs.flatMap((w) => w.steps.flatMap((s) => s.completionEvents ?? []))];
    for (const key of new Set(whens.flatMap((w) => [...w.matchAll(/\b(ridgepoint\.\w+)\b/g)].map((m) => m[1])))) {
      if (contributedIds.has(key)) continue;
      assert.ok(source.includes(`'${key}'`), `context key ${key} is never set in client/src`);
    }
  });

  it('opens *.onnx with the custom editor the client registers', () => {
    assert.equal(contributes.customEditors.length, 1);
    const [editor] = contributes.customEditors;
    assert.deepEqual(editor.selector, [{ filenamePattern: '*.onnx' }]);
    assert.equal(editor.priority, 'default');
    assert.match(readFileSync(path.join(ROOT, 'client/src/model-uris.ts'), 'utf8'), new RegExp(`ONNX_VIEW_TYPE = '${editor.viewType.replace('.', '\\.')}'`));
    assert.ok(manifest.activationEvents.includes(`onCustomEditor:${editor.viewType}`));
    assert.ok(manifest.activationEvents.includes('onLanguage:onnxtxt'));
  });

  it('declares the onnxtxt language and grammar, and their files exist', () => {
    const language = contributes.languages.find((l) => l.id === 'onnxtxt');
    assert.ok(language);
    assert.deepEqual(language.extensions, ['.onnxtxt']);
    assert.deepEqual(language.aliases, ['ONNX Text']);
    assert.ok(existsSync(path.join(ROOT, language.configuration)), `${language.configuration} is missing`);
    const grammar = contributes.grammars.find((g) => g.language === 'onnxtxt');
    assert.ok(grammar);
    assert.equal(grammar.scopeName, 'source.onnxtxt');
    assert.ok(existsSync(path.join(ROOT, grammar.path)), `${grammar.path} is missing`);
  });

  it('has the three walkthrough steps, each with its media file', () => {
    const steps = contributes.walkthroughs.flatMap((w) => w.steps);
    assert.deepEqual(
      steps.map((s) => s.title),
      ['Open a model', 'Hover an op', 'Profile for H100'],
    );
    for (const s of steps) {
      const media = s.media.markdown ?? s.media.image;
      assert.ok(media && existsSync(path.join(ROOT, media)), `walkthrough step ${s.id}: ${media} is missing`);
      assert.ok((s.completionEvents ?? []).length > 0, `walkthrough step ${s.id} never completes`);
    }
  });

  it('works read-only in untrusted workspaces (traced mode and the Python path need trust), not in virtual ones', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['ridgepoint.python.path']);
    assert.equal(manifest.capabilities.virtualWorkspaces, false);
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('targets a VS Code no older than its @types/vscode (vsce refuses otherwise)', () => {
    const version = (range: string): number[] => (/(\d+)\.(\d+)/.exec(range) ?? []).slice(1).map(Number);
    const [engineMajor, engineMinor] = version(manifest.engines.vscode);
    const [typesMajor, typesMinor] = version(manifest.devDependencies['@types/vscode']);
    assert.ok(engineMajor > typesMajor || (engineMajor === typesMajor && engineMinor >= typesMinor));
  });
});

describe('extension package', function () {
  this.timeout(60_000);

  /** Files of the .vsix beside the whitelist in .vscodeignore. */
  const REQUIRED = [
    'package.json',
    'README.md',
    'dist/extension.js',
    'dist/server.js',
    // The PyTorch source frontend's parser: without them the installed extension cannot analyse a .py model.
    'dist/tree-sitter.wasm',
    'dist/tree-sitter-python.wasm',
    'dist/media/report-page.js',
    'dist/media/report.css',
    'dist/media/roofline-panel.js',
    'dist/python/ridgepoint_trace.py',
    'syntaxes/onnxtxt.tmLanguage.json',
    'syntaxes/language-configuration.json',
    ...contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown ?? '')).filter((m) => m !== ''),
  ];
  const ALLOWED = [/^dist\/(extension|server)\.js$/, /^dist\/tree-sitter(-python)?\.wasm$/, /^dist\/media\/[^/]+\.(js|css)$/, /^dist\/python\/ridgepoint_trace\.py$/, /^syntaxes\/[^/]+\.json$/, /^media\/walkthrough\/[^/]+\.md$/, /^(package\.json|README\.md|LICENSE)$/];

  it('holds exactly the whitelisted files (vsce ls)', function () {
    // `npm test` and `npm run test:unit` build before mocha runs; a bare mocha run on a fresh checkout has nothing to list.
    assert.ok(existsSync(path.join(ROOT, 'dist/server.js')) && existsSync(path.join(ROOT, 'dist/extension.js')), 'run `npm run build` first (npm run test:unit does)');
    const vsce = path.join(ROOT, 'node_modules/.bin/vsce');
    const listed = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    for (const file of listed) assert.ok(ALLOWED.some((re) => re.test(file)), `${file} should not be in the .vsix`);
    for (const file of REQUIRED) assert.ok(listed.includes(file), `${file} is missing from the .vsix`);
  });

  it('packages a .vsix that holds the required files, the grammar wasm byte for byte (vsce package, unzip -l)', function () {
    assert.ok(existsSync(path.join(ROOT, 'dist/server.js')) && existsSync(path.join(ROOT, 'dist/tree-sitter-python.wasm')), 'run `npm run build` first (npm run test:unit does)');
    this.timeout(120_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'ridgepoint-vsix-'));
    try {
      const vsix = path.join(dir, 'ridgepoint.vsix');
      execFileSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: ROOT, stdio: 'pipe' });
      // `unzip -l`: size, date, time, name per entry; the extension's files are under extension/.
      const sizes = new Map<string, number>();
      for (const line of execFileSync('unzip', ['-l', vsix], { encoding: 'utf8' }).split('\n')) {
        const m = /^\s*(\d+)\s+\S+\s+\S+\s+extension\/(.+)$/.exec(line);
        if (m) sizes.set(m[2] as string, Number(m[1]));
      }
      // vsce stores the README as readme.md.
      for (const file of REQUIRED) assert.ok(sizes.has(file === 'README.md' ? 'readme.md' : file), `${file} is missing from the packaged .vsix`);
      for (const wasm of ['dist/tree-sitter.wasm', 'dist/tree-sitter-python.wasm']) assert.equal(sizes.get(wasm), statSync(path.join(ROOT, wasm)).size, `${wasm} in the .vsix differs from dist/`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
