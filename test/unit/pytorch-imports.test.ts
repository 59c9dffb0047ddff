/**
 * Imports across files (issue 13 part 2), on a package tree of our own (test/fixtures/pytorch/imports):
 * relative imports (`from ..ops.misc import ConvBN`, `from ._utils import _make_divisible`), a package's
 * re-export (`from proj.ops import ConvBN as PackagedConvBN`, through `from .misc import *` and
 * `__all__`), `import a.b.c as y` and `import a.b.c`; a missing module; an ImportError-guarded import;
 * a circular import; the parse cache across analyses; and what the resolver reads (open documents first).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzePythonSource } from '../../server/src/analysis/pytorch/index';
import { PythonModuleResolver, PythonModuleSource } from '../../server/src/analysis/pytorch/types';
import { PythonImports } from '../../server/src/lsp/python-imports';
import { FileModuleResolver, packageRoot } from '../../server/src/python-env/module-resolver';
import { pythonParser, reportParameters } from './pytorch-helpers';

const ROOT = path.join(__dirname, '../fixtures/pytorch/imports');
const file = (relative: string): string => path.join(ROOT, relative);

async function analyse(relative: string, entry: string, resolver: PythonModuleResolver = new FileModuleResolver({ roots: [] })) {
  const parser = await pythonParser();
  const text = fs.readFileSync(file(relative), 'utf8');
  return analyzePythonSource(parser, text, { entry, input: [1, 3, 32, 32], path: file(relative), modules: resolver });
}

/** Counts the files each resolve() returned, to see what an analysis reads. */
class CountingResolver implements PythonModuleResolver {
  readonly reads: string[] = [];
  constructor(private readonly inner: PythonModuleResolver) {}
  resolve(fromPath: string, module: string, level: number): PythonModuleSource | null {
    const found = this.inner.resolve(fromPath, module, level);
    if (found) this.reads.push(path.relative(ROOT, found.path));
    return found;
  }
}

describe('PyTorch source: imports across files', () => {
  it('follows relative, package-absolute and aliased imports: 18,218 parameters as torch counts them', async () => {
    const r = await analyse('proj/models/net.py', 'Net');
    // c1 = _make_divisible(30) = int(30 + 4) // 8 · 8 = 32; c2 = _make_divisible(50) = int(54) // 8 · 8 = 48 (≥ 0.9·50).
    // stem ConvBN(3, 32, 3): 3·32·9 + BN 2·32 = 928; block ConvBN(32, 48, 3): 32·48·9 + 2·48 = 13,920;
    // head ConvBN(48, 48, 1): 48·48 + 96 = 2,400; proj ConvBN(48, 16, 1): 48·16 + 32 = 800; fc 16·10 + 10 = 170.
    // (real torch, PYTHONPATH=imports: sum(p.numel() for p in Net().parameters()) = 18218)
    assert.equal(928 + 13_920 + 2_400 + 800 + 170, 18_218);
    assert.equal(reportParameters(r), 18_218);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), []);
    assert.deepEqual(r.unresolved, []);
    assert.deepEqual([...(r.dependencies ?? [])].map((p) => path.relative(ROOT, p)).sort(), ['proj/__init__.py', 'proj/models/_utils.py', 'proj/ops/__init__.py', 'proj/ops/misc.py']);
    // A layer built in the imported file says which file: its range carries the path.
    assert.equal(r.nodeSources.get('stem.0')?.path, file('proj/ops/misc.py'));
    // The modules of the file are its own: net.py defines Net alone (ConvBN is misc.py's, and its line
    // numbers are misc.py's), so the editor's lenses are Net's.
    assert.deepEqual(r.modules.map((m) => m.name), ['Net']);
  });

  it("the file's modules are its own: a class of a module run at import time is not given as this file's, nor picked as its entry", async () => {
    // main.py refers to Block at its top level, so blocks.py runs while main.py is read (torchvision's
    // resnet.py does so with transforms/_presets.py through its weights enums).
    const texts: Record<string, string> = {
      '/p/pkg/blocks.py': 'import torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 4)\n\n    def forward(self, x):\n        return self.fc(x)\n',
      '/p/pkg/__init__.py': '',
    };
    const main = 'import torch.nn as nn\nfrom .blocks import Block\n\nBLOCKS = {"default": Block}\n\n\nclass Net(nn.Module):\n    def __init__(self, width=8):\n        super().__init__()\n        self.block = BLOCKS["default"]()\n        self.fc = nn.Linear(4, width)\n\n    def forward(self, x):\n        return self.fc(self.block(x))\n';
    const modules: PythonModuleResolver = {
      resolve: (_from, module, level) => {
        const target = level === 1 ? `/p/pkg/${module.replace(/\./g, '/')}.py` : null;
        return target && texts[target] !== undefined ? { path: target, text: texts[target], version: '1' } : null;
      },
    };
    const r = analyzePythonSource(await pythonParser(), main, { input: [1, 4], path: '/p/pkg/main.py', modules });
    assert.deepEqual(r.modules.map((m) => m.name), ['Net']);
    assert.equal(r.entry, 'Net');
    // Net: Block's fc 4·4 + 4 = 20, its own fc 4·8 + 8 = 40.
    assert.equal(reportParameters(r), 60);
  });

  it('names a module that cannot be found in a located diagnostic and an unresolved name; an ImportError-guarded one is not an error', async () => {
    const r = await analyse('proj/models/missing.py', 'Net');
    const missing = r.diagnostics.filter((d) => d.code === 'pytorch.unresolved-import');
    assert.equal(missing.length, 1, JSON.stringify(r.diagnostics));
    assert.match(missing[0]?.message ?? '', /`\.nowhere`/);
    assert.equal(missing[0]?.range?.start.line, 1);
    // A module is named as unresolved, but not offered for binding like a number.
    assert.ok(r.unresolved.some((u) => u.name === '.nowhere' && u.module === true));
    assert.ok(!r.diagnostics.some((d) => d.message.includes('not_installed_anywhere')));
    // fc is still counted (8·4 + 4 = 36); Thing's parameters are unknown and that is said.
    assert.equal(reportParameters(r), 36);
  });

  it('a circular import ends in a diagnostic, not a hang (Python: "cannot import name DEPTH from partially initialized module")', async () => {
    const r = await analyse('proj/models/cycle_a.py', 'Net');
    assert.ok(r.diagnostics.some((d) => d.code === 'pytorch.circular-import' && d.severity === 'error' && d.message.includes('DEPTH')), JSON.stringify(r.diagnostics));
    assert.ok(r.unresolved.length > 0);
  });

  it('reads only what is reached, and parses an unchanged imported file once across analyses', async () => {
    const counting = new CountingResolver(new FileModuleResolver({ roots: [] }));
    const parser = await pythonParser();
    const source = 'import torch.nn as nn\nfrom proj.models._utils import _make_divisible\nfrom proj.models import net\n\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(_make_divisible(10), 2)\n';
    const main = file('main.py');
    const first = analyzePythonSource(parser, source, { entry: 'M', path: main, modules: counting });
    // fc = Linear(16, 2): 34 parameters. `net` is bound but never used, so net.py is never read.
    assert.equal(first.modules.find((m) => m.name === 'M')?.params, 16 * 2 + 2);
    assert.ok(!counting.reads.includes('proj/models/net.py'), counting.reads.join(', '));
    assert.deepEqual([...(first.dependencies ?? [])].map((p) => path.relative(ROOT, p)), ['proj/models/_utils.py']);
    const started = performance.now();
    for (let i = 0; i < 5; i++) analyzePythonSource(parser, source, { entry: 'M', path: main, modules: counting });
    assert.ok(performance.now() - started < 2000);
  });

  it('the resolver: packages to __init__.py, relative levels, search roots in order, open documents over the disk', () => {
    const overlay = new Map([[file('proj/models/_utils.py'), { text: 'X = 1\n', version: '7' }]]);
    const resolver = new FileModuleResolver({ roots: ['/nonexistent'], searchPaths: [ROOT], overlay: (f) => overlay.get(f) });
    const from = file('proj/models/net.py');
    assert.equal(resolver.resolve(from, 'ops.misc', 2)?.path, file('proj/ops/misc.py'));
    assert.equal(resolver.resolve(from, 'ops', 2)?.path, file('proj/ops/__init__.py'));
    assert.equal(resolver.resolve(from, '', 1)?.path, file('proj/models/__init__.py'));
    assert.equal(resolver.resolve('/elsewhere/x.py', 'proj.ops.misc', 0)?.path, file('proj/ops/misc.py'));
    assert.equal(resolver.resolve(from, 'nowhere', 1), null);
    const open = resolver.resolve(from, '_utils', 1);
    assert.equal(open?.text, 'X = 1\n');
    assert.equal(open?.version, 'open:7');
    assert.equal(packageRoot(from), ROOT);
  });

  it('language server: an edit of an imported file makes the importing model stale, and open documents are read', async () => {
    const open = new Map<string, { text: string; version: number }>();
    const imports = new PythonImports({ workspaceRoots: () => [ROOT], openText: (p) => open.get(p), searchPathsChanged: () => undefined });
    const main = file('proj/models/net.py');
    const r = await analyse('proj/models/net.py', 'Net', imports.resolver());
    imports.noteDependencies(main, r.dependencies ?? []);
    const before = imports.stamp(main);
    assert.deepEqual(imports.changed(file('proj/models/cycle_b.py')), []);
    assert.equal(imports.stamp(main), before);
    assert.deepEqual(imports.changed(file('proj/models/_utils.py')), [main]);
    assert.notEqual(imports.stamp(main), before);
    // The edited (unsaved) _utils.py is what the next analysis reads: _make_divisible now returns 8 →
    // stem ConvBN(3, 8, 3) 3·8·9 + 16 = 232; block ConvBN(8, 8, 3) 576 + 16 = 592; head ConvBN(8, 8, 1) 64 + 16 = 80;
    // proj ConvBN(8, 16, 1) 128 + 32 = 160; fc 170.
    open.set(file('proj/models/_utils.py'), { text: 'def _make_divisible(v, divisor=8, min_value=None):\n    return 8\n', version: 2 });
    const edited = await analyse('proj/models/net.py', 'Net', imports.resolver());
    assert.equal(reportParameters(edited), 232 + 592 + 80 + 160 + 170);
  });
});
