import * as assert from 'node:assert/strict';
import { Node } from '../../server/src/analysis/ir/graph';
import {
  innermostUserFrame,
  isUserFrame,
  moduleClasses,
  modulePath,
  modulePathFromNameScopes,
  modulePathFromNodeName,
  parsePythonStringList,
  parsePythonTraceback,
  parseTorchScriptStack,
  SOURCE_TEXT_LIMITS,
  sourceFrames,
  TORCH_METADATA_KEYS,
} from '../../server/src/analysis/source-map';

/** A bare IR node: the parsers read only its name, doc_string and metadata. */
function node(fields: { name?: string; docString?: string; metadata?: Record<string, string> }): Node {
  return {
    name: fields.name ?? '',
    opType: 'Conv',
    domain: '',
    overload: '',
    inputs: [],
    outputs: [],
    attributes: new Map(),
    docString: fields.docString ?? '',
    metadata: new Map(Object.entries(fields.metadata ?? {})),
  };
}

describe('source map: TorchScript doc_string stacks', () => {
  it('reads `path(line): function` lines, innermost first, and finds the innermost user frame', () => {
    const doc = [
      '/usr/lib/python3/dist-packages/torch/nn/modules/conv.py(459): _conv_forward',
      '/usr/lib/python3/dist-packages/torch/nn/modules/module.py(1194): _call_impl',
      '/home/alice/proj/net.py(33): forward',
      '/home/alice/proj/export.py(28): main',
      '',
    ].join('\n');
    const frames = parseTorchScriptStack(doc);
    assert.deepEqual(frames.map((f) => [f.file, f.line, f.function]), [
      ['/usr/lib/python3/dist-packages/torch/nn/modules/conv.py', 459, '_conv_forward'],
      ['/usr/lib/python3/dist-packages/torch/nn/modules/module.py', 1194, '_call_impl'],
      ['/home/alice/proj/net.py', 33, 'forward'],
      ['/home/alice/proj/export.py', 28, 'main'],
    ]);
    assert.deepEqual(innermostUserFrame(frames), { file: '/home/alice/proj/net.py', line: 33, function: 'forward' });
  });

  it('keeps parentheses inside the path and reads Windows paths and CRLF line ends', () => {
    const frames = parseTorchScriptStack('/home/me/proj (copy)/net(v2).py(12): forward\r\nC:\\Users\\bob\\net.py(7): <module>\r\n');
    assert.deepEqual(frames, [
      { file: '/home/me/proj (copy)/net(v2).py', line: 12, function: 'forward' },
      { file: 'C:\\Users\\bob\\net.py', line: 7, function: '<module>' },
    ]);
  });
});

describe('source map: Python tracebacks (dynamo pkg.torch.onnx.stack_trace)', () => {
  it('reads File/line/in headers with their code, outermost first in the text, innermost first out', () => {
    const text = [
      'File "/home/alice/proj/net.py", line 36, in forward',
      '    x = self.block(x)',
      '  File "/home/alice/proj/net.py", line 19, in forward',
      '    y = self.body(x)',
      '        ^^^^^^^^^^^^',
      '  File "/opt/conda/lib/python3.11/site-packages/torch/nn/modules/conv.py", line 554, in forward',
      '    return self._conv_forward(input, self.weight, self.bias)',
    ].join('\n');
    const frames = parsePythonTraceback(text);
    assert.deepEqual(frames, [
      { file: '/opt/conda/lib/python3.11/site-packages/torch/nn/modules/conv.py', line: 554, function: 'forward', code: 'return self._conv_forward(input, self.weight, self.bias)' },
      { file: '/home/alice/proj/net.py', line: 19, function: 'forward', code: 'y = self.body(x)' },
      { file: '/home/alice/proj/net.py', line: 36, function: 'forward', code: 'x = self.block(x)' },
    ]);
    assert.equal(innermostUserFrame(frames)?.line, 19);
  });

  it('prefers the dynamo stack_trace over the doc_string and falls back across formats', () => {
    const both = node({ docString: '/a/old.py(1): forward', metadata: { [TORCH_METADATA_KEYS.stackTrace]: 'File "/a/new.py", line 2, in forward\n    y = f(x)' } });
    assert.deepEqual(sourceFrames(both).map((f) => [f.file, f.line]), [['/a/new.py', 2]]);
    const emptyTrace = node({ docString: '/a/old.py(1): forward', metadata: { [TORCH_METADATA_KEYS.stackTrace]: '' } });
    assert.deepEqual(sourceFrames(emptyTrace).map((f) => [f.file, f.line]), [['/a/old.py', 1]]);
    const tracebackInDoc = node({ docString: 'File "/a/doc.py", line 3, in forward' });
    assert.deepEqual(sourceFrames(tracebackInDoc).map((f) => [f.file, f.line]), [['/a/doc.py', 3]]);
    assert.deepEqual(sourceFrames(node({})), []);
  });
});

describe('source map: which frames are user code', () => {
  const frame = (file: string, fn = 'forward') => ({ file, line: 1, function: fn });
  it('skips torch, installed packages, the standard library, pseudo-files and the module call machinery', () => {
    assert.equal(isUserFrame(frame('/home/me/proj/net.py')), true);
    assert.equal(isUserFrame(frame('C:\\Users\\me\\proj\\net.py')), true);
    assert.equal(isUserFrame(frame('/usr/lib/python3/dist-packages/torch/nn/modules/conv.py')), false);
    assert.equal(isUserFrame(frame('/venv/lib/python3.11/site-packages/transformers/models/bert/modeling_bert.py')), false);
    assert.equal(isUserFrame(frame('C:\\Python311\\Lib\\site-packages\\torchvision\\models\\resnet.py')), false);
    assert.equal(isUserFrame(frame('/home/me/src/pytorch/torch/nn/functional.py')), false);
    assert.equal(isUserFrame(frame('/usr/lib/python3.11/contextlib.py', 'inner')), false);
    assert.equal(isUserFrame(frame('<frozen importlib._bootstrap>')), false);
    assert.equal(isUserFrame(frame('<eval_with_key>.3')), false);
    assert.equal(isUserFrame(frame('/home/me/proj/net.py', '_call_impl')), false);
    // A file named torch.py or a folder merely containing "torch" is the user's own.
    assert.equal(isUserFrame(frame('/home/me/torchnets/torch.py')), true);
  });
});

describe('source map: module paths', () => {
  it('reads TorchScript node names, where children of containers are qualified by their parent', () => {
    assert.equal(modulePathFromNodeName('/layer4/layer4.1/conv1/Conv'), 'layer4.1.conv1');
    assert.equal(modulePathFromNodeName('/block/body/body.0/Conv'), 'block.body.0');
    assert.equal(modulePathFromNodeName('/encoder/layers.0/self_attn/MatMul'), 'encoder.layers.0.self_attn');
    assert.equal(modulePathFromNodeName('/Flatten'), '');
    assert.equal(modulePathFromNodeName('Conv_0'), null);
    assert.equal(modulePathFromNodeName('node_conv2d'), null);
    assert.equal(modulePathFromNodeName(''), null);
    assert.equal(modulePathFromNodeName('/a b/Conv'), null);
    assert.equal(modulePathFromNodeName('/../etc/Conv'), null);
    assert.equal(modulePathFromNodeName(`/${'a/'.repeat(2000)}Conv`), null);
  });

  it('reads dynamo name_scopes (repr of a list: modules, then the FX node name) before the node name', () => {
    assert.equal(modulePathFromNameScopes(['', 'layer1', 'layer1.0', 'layer1.0.conv1', 'conv2d']), 'layer1.0.conv1');
    assert.equal(modulePathFromNameScopes(['', 'add']), '');
    assert.equal(modulePathFromNameScopes(['conv2d']), null);
    assert.equal(modulePathFromNameScopes(["L['self'].layer1[0]", 'conv2d']), 'layer1.0');
    const dynamo = node({ name: 'node_conv2d', metadata: { [TORCH_METADATA_KEYS.nameScopes]: "['', 'layer1', 'layer1.0', 'layer1.0.conv1', 'conv2d']", [TORCH_METADATA_KEYS.classHierarchy]: "['torchvision.models.resnet.ResNet', 'torch.nn.modules.container.Sequential', 'torchvision.models.resnet.BasicBlock', 'torch.nn.modules.conv.Conv2d', 'aten.conv2d.default']" } });
    assert.equal(modulePath(dynamo), 'layer1.0.conv1');
    assert.deepEqual(moduleClasses(dynamo).at(-1), 'torch.nn.modules.conv.Conv2d');
    // Unreadable scopes fall back to the node name.
    assert.equal(modulePath(node({ name: '/fc/Gemm', metadata: { [TORCH_METADATA_KEYS.nameScopes]: "['', 'fc'" } })), 'fc');
  });

  it('parses Python string-list reprs strictly', () => {
    assert.deepEqual(parsePythonStringList("['', 'a.b', \"it's\", 'tab\\there', '\\u00e9\\x41']"), ['', 'a.b', "it's", 'tab\there', 'éA']);
    assert.deepEqual(parsePythonStringList('[]'), []);
    assert.deepEqual(parsePythonStringList("['a',]"), ['a']);
    for (const bad of ["['a'", "['a' 'b']", "{'a': 1}", '[1, 2]', "['a\\q']", "['a'] trailing", "__import__('os')", "['\\U0011ffff']", '']) {
      assert.equal(parsePythonStringList(bad), null, bad);
    }
    assert.equal(parsePythonStringList(`[${"'x',".repeat(600)}]`), null);
  });
});

describe('source map: hostile text', () => {
  it('gives no frames for malformed lines and never throws', () => {
    const malformed = ['(12): forward', 'net.py(abc): forward', 'net.py(-3): forward', 'net.py(0): forward', 'net.py(99999999999): forward', '(', '):', 'File "x.py", line', 'File "x.py", line 1e3, in f', '\u0000\u0001'];
    for (const text of malformed) {
      assert.deepEqual(parseTorchScriptStack(text), [], text);
      assert.deepEqual(parsePythonTraceback(text), [], text);
    }
  });

  it('keeps markup as inert text and never treats a pseudo-file like <script> as user code', () => {
    const frames = parseTorchScriptStack('<script>alert(1)</script>(5): <img src=x onerror=alert(1)>\n/p/net.py(9): forward\u0007\u001b[31m');
    assert.equal(frames[0]?.file, '<script>alert(1)</script>');
    assert.equal(frames[0]?.function, '<img src=x onerror=alert(1)>');
    assert.equal(isUserFrame(frames[0]!), false);
    // Control characters (a bell, an ANSI escape's ESC) are removed from fields.
    assert.equal(frames[1]?.function, 'forward[31m');
    assert.equal(innermostUserFrame(frames)?.file, '/p/net.py');
  });

  it('bounds the work on huge text: a capped number of frames, and overlong lines skipped', () => {
    const huge = '/p/net.py(1): forward\n'.repeat(200_000);
    const started = Date.now();
    const frames = parseTorchScriptStack(huge);
    assert.equal(frames.length, SOURCE_TEXT_LIMITS.frames);
    const traceback = parsePythonTraceback('File "/p/net.py", line 1, in forward\n    x = 1\n'.repeat(200_000));
    assert.equal(traceback.length, SOURCE_TEXT_LIMITS.frames);
    assert.deepEqual(parseTorchScriptStack(`${'a'.repeat(10 * SOURCE_TEXT_LIMITS.lineChars)}(3): forward`), []);
    assert.deepEqual(parsePythonTraceback(`File "${'a'.repeat(10 * SOURCE_TEXT_LIMITS.lineChars)}", line 3, in forward`), []);
    assert.deepEqual(parseTorchScriptStack('x'.repeat(20_000_000)), []);
    assert.ok(Date.now() - started < 2000, 'parsing hostile text took too long');
  });
});
