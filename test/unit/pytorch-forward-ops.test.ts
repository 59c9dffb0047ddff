/**
 * forward() constructs that torchvision's model files use, each on a small model written here, against
 * shapes and MAC counts derived by hand in the comments (and, for pooling, torch's own output sizes).
 */
import assert from 'node:assert/strict';
import { analyzePythonSource, PythonAnalysis } from '../../server/src/analysis/pytorch/index';
import { windowOut } from '../../server/src/analysis/pytorch/pooling';
import { pythonParser, reportParameters, totalMacs } from './pytorch-helpers';

const HEADER = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch import Tensor\n\n';

async function analyse(body: string, entry: string, input: number[]): Promise<PythonAnalysis> {
  return analyzePythonSource(await pythonParser(), HEADER + body, { entry, input });
}

function outputShape(r: PythonAnalysis): readonly unknown[] | null {
  const type = r.analysis?.inference?.graphOutputs[0]?.type;
  return type?.kind === 'tensor' ? (type.shape ?? null) : null;
}

function problems(r: PythonAnalysis): string[] {
  return r.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.code}: ${d.message}`);
}

describe('PyTorch source: forward() ops of torchvision models', () => {
  it('pooling output sizes follow torch, ceil_mode included', () => {
    // torch: F.max_pool2d(zeros(1,1,112,112), 3, 2, ceil_mode=True) → 56; avg_pool2d(35, 3, 1, 1) → 35;
    // max_pool2d(zeros(1,1,4,4), 2, 3, 1, ceil_mode=True) → 2: ceil((4+2-1-1)/3)+1 = 3, but the third
    // window would start at 6 ≥ 4 + 1 (inside the right padding), so torch drops it.
    assert.equal(windowOut(112, 3, 2, 0, 1, true), 56);
    assert.equal(windowOut(35, 3, 1, 1, 1, false), 35);
    assert.equal(windowOut(4, 2, 3, 1, 1, true), 2);
    assert.equal(windowOut(4, 2, 3, 1, 1, false), 2);
  });

  it('F.max_pool2d / F.avg_pool2d in forward (inception, googlenet) size the next conv', async () => {
    const r = await analyse(
      `class Pools(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, kernel_size=1, bias=False)

    def forward(self, x):
        x = F.max_pool2d(x, 3, stride=2, ceil_mode=True)
        x = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
        x = F.max_pool2d(x, 2, 3, 1, ceil_mode=True)
        return self.conv(x)
`,
      'Pools',
      [1, 4, 112, 112],
    );
    // 112 → 56 (ceil) → 56 → ceil((56+2-1-1)/3)+1 = 20, last window starts at 57 ≥ 56+1 → 19.
    // 1×1 conv 4 → 8 on 19×19: 19·19·8·4 MACs.
    assert.deepEqual(problems(r), []);
    assert.deepEqual(outputShape(r), [1, 8, 19, 19]);
    assert.equal(totalMacs(r), 19 * 19 * 8 * 4);
  });

  it('Swin-style window attention: buffers built in __init__, F.pad, torch.roll, windows, gathered bias', async () => {
    const r = await analyse(
      `class WindowAttention(nn.Module):
    def __init__(self, dim, heads, window):
        super().__init__()
        self.heads = heads
        self.window = window
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.table = nn.Parameter(torch.zeros((2 * window - 1) * (2 * window - 1), heads))
        coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij"))
        flat = torch.flatten(coords, 1)
        rel = flat[:, :, None] - flat[:, None, :]
        rel = rel.permute(1, 2, 0).contiguous()
        rel[:, :, 0] += window - 1
        self.register_buffer("index", rel.sum(-1).flatten())
        self.scale = nn.Parameter(torch.ones(dim) * 1e-6)

    def forward(self, x):
        B, H, W, C = x.shape
        ws = self.window
        x = F.pad(x, (0, 0, 0, (ws - W % ws) % ws, 0, (ws - H % ws) % ws))
        _, pH, pW, _ = x.shape
        x = torch.roll(x, shifts=(-1, -1), dims=(1, 2))
        n = (pH // ws) * (pW // ws)
        x = x.view(B, pH // ws, ws, pW // ws, ws, C)
        x = x.permute(0, 1, 3, 2, 4, 5).reshape(B * n, ws * ws, C)
        qkv = self.qkv(x).reshape(x.size(0), x.size(1), 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * (C // self.heads) ** -0.5) @ k.transpose(-2, -1)
        bias = self.table[self.index].view(ws * ws, ws * ws, -1).permute(2, 0, 1).unsqueeze(0)
        attn = F.softmax(attn + bias, dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(x.size(0), x.size(1), C)
        x = self.proj(x) * self.scale
        x = x.view(B, pH // ws, pW // ws, ws, ws, C).permute(0, 1, 3, 2, 4, 5).reshape(B, pH, pW, C)
        x = torch.roll(x, shifts=(1, 1), dims=(1, 2))
        return x[:, :H, :W, :].contiguous()


def model():
    return WindowAttention(32, 4, 7)
`,
      'model',
      [1, 10, 10, 32],
    );
    assert.deepEqual(problems(r), []);
    // Parameters: qkv 32·96 + 96, proj 32·32 + 32, table 13·13·4, scale 32 (the buffer is not one).
    assert.equal(reportParameters(r), 32 * 96 + 96 + (32 * 32 + 32) + 13 * 13 * 4 + 32);
    // 10×10 padded to 14×14: 4 windows of 49 tokens, 4 heads of 8. qkv 4·49·32·96, q·kᵀ and attn·v
    // 4·4·49·49·8 each, proj 4·49·32·32.
    assert.equal(totalMacs(r), 4 * 49 * 32 * 96 + 2 * (4 * 4 * 49 * 49 * 8) + 4 * 49 * 32 * 32);
    assert.deepEqual(outputShape(r), [1, 10, 10, 32]);
    const gather = r.analysis?.inference?.nodes.find((n) => n.node.opType === 'Gather' && n.node.inputs[0] === 'table');
    const gathered = gather?.outputs[0]?.type;
    assert.deepEqual(gathered?.kind === 'tensor' ? gathered.shape : null, [49 * 49, 4], 'the relative position index has 49·49 entries');
  });

  it('Swin V2-style: cosine attention (F.normalize, clamp().exp()), a bias computed in forward, an MLP over a buffer made in __init__', async () => {
    const r = await analyse(
      `import math


class CosineAttention(nn.Module):
    def __init__(self, dim, heads, window):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.logit_scale = nn.Parameter(torch.log(10 * torch.ones((heads, 1, 1))))
        self.cpb_mlp = nn.Sequential(nn.Linear(2, 64), nn.ReLU(inplace=True), nn.Linear(64, heads, bias=False))
        h = torch.arange(-(window - 1), window, dtype=torch.float32)
        table = torch.stack(torch.meshgrid([h, h], indexing="ij")).permute(1, 2, 0).contiguous().unsqueeze(0)
        table = torch.sign(table) * torch.log2(torch.abs(table) + 1.0) / 3.0
        self.register_buffer("table", table)

    def forward(self, x):
        B, N, C = x.shape
        bias = self.qkv.bias.clone()
        bias[C : 2 * C].zero_()
        qkv = F.linear(x, self.qkv.weight, bias).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)
        attn = attn * torch.clamp(self.logit_scale, max=math.log(100.0)).exp()
        pos = 16 * torch.sigmoid(self.cpb_mlp(self.table).view(-1, self.heads))
        attn = F.softmax(attn + pos.mean(), dim=-1)
        return (attn @ v).transpose(1, 2).reshape(B, N, C)


def model():
    return CosineAttention(32, 4, 7)
`,
      'model',
      [1, 16, 32],
    );
    assert.deepEqual(problems(r), []);
    // qkv 32·96 + 96, logit scale 4·1·1, cpb_mlp 2·64 + 64 and 64·4 (the table is a buffer).
    assert.equal(reportParameters(r), 32 * 96 + 96 + 4 + (2 * 64 + 64) + 64 * 4);
    // qkv 16·32·96; q·kᵀ and attn·v 4 heads·16·16·8 each. cpb_mlp reads only weights and a buffer, so
    // the cost model folds it at load time (docs/cost-model-other.md), as it does in torch's export.
    assert.equal(totalMacs(r), 16 * 32 * 96 + 2 * (4 * 16 * 16 * 8));
    assert.deepEqual(outputShape(r), [1, 16, 32]);
    // …but it is in the graph, on the 13×13×2 table the buffer's shape gives.
    const cpb = r.analysis?.inference?.nodes.find((n) => n.node.name === 'cpb_mlp.0');
    const table = cpb?.inputs[0]?.type;
    assert.deepEqual(table?.kind === 'tensor' ? table.shape : null, [1, 13, 13, 2]);
  });

  it('DenseNet-style: a ModuleDict forward looping over self.items(), isinstance(x, Tensor), torch.cat of a list', async () => {
    const r = await analyse(
      `class Layer(nn.Module):
    def __init__(self, cin, growth):
        super().__init__()
        self.conv = nn.Conv2d(cin, growth, 3, padding=1, bias=False)

    def forward(self, input):
        if isinstance(input, Tensor):
            prev = [input]
        else:
            prev = input
        return self.conv(torch.cat(prev, 1))


class Block(nn.ModuleDict):
    def __init__(self, n, cin, growth):
        super().__init__()
        for i in range(n):
            self.add_module(f"layer{i + 1}", Layer(cin + i * growth, growth))

    def forward(self, x):
        features = [x]
        for name, layer in self.items():
            features.append(layer(features))
        return torch.cat(features, 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block(3, 4, 2)
        self.head = nn.Conv2d(10, 1, 1, bias=False)

    def forward(self, x):
        return self.head(self.block(x))
`,
      'Net',
      [1, 4, 8, 8],
    );
    assert.deepEqual(problems(r), []);
    // Layer i sees 4 + 2i channels: 8·8·2·(4 + 2i)·9 MACs for i = 0, 1, 2; the block ends with
    // 4 + 3·2 = 10 channels; the head adds 8·8·10.
    assert.equal(totalMacs(r), 64 * 2 * 9 * (4 + 6 + 8) + 64 * 10);
    assert.deepEqual(outputShape(r), [1, 1, 8, 8]);
  });

  it('ShuffleNet-style: chunk, torch.transpose channel shuffle, x.mean([2, 3])', async () => {
    const r = await analyse(
      `def channel_shuffle(x, groups):
    b, c, h, w = x.size()
    x = x.view(b, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(b, -1, h, w)


class Unit(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.branch = nn.Conv2d(c // 2, c // 2, 1, bias=False)

    def forward(self, x):
        x1, x2 = x.chunk(2, dim=1)
        out = torch.cat((x1, self.branch(x2)), dim=1)
        return channel_shuffle(out, 2).mean([2, 3])


def model():
    return Unit(8)
`,
      'model',
      [1, 8, 6, 6],
    );
    assert.deepEqual(problems(r), []);
    assert.equal(totalMacs(r), 6 * 6 * 4 * 4);
    assert.deepEqual(outputShape(r), [1, 8]);
  });

  it('ConvNeXt-style: a subclass of nn.LayerNorm with its own forward (F.layer_norm on self.normalized_shape), a layer scale built in __init__', async () => {
    const r = await analyse(
      `class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dw = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = LayerNorm2d(dim, eps=1e-6)
        self.pw = nn.Linear(dim, 4 * dim)
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 1e-6)

    def forward(self, x):
        z = x + self.layer_scale * self.norm(self.dw(x))
        return self.pw(z.permute(0, 2, 3, 1))


def model():
    return Block(8)
`,
      'model',
      [1, 8, 14, 14],
    );
    assert.deepEqual(problems(r), []);
    // dw 8·1·7·7 + 8, norm 8 + 8, pw 8·32 + 32, layer scale 8·1·1.
    assert.equal(reportParameters(r), 8 * 49 + 8 + 16 + (8 * 32 + 32) + 8);
    // Depthwise 7×7 on 14×14×8: 14·14·8·49; pointwise Linear on 196 positions: 196·8·32.
    assert.equal(totalMacs(r), 14 * 14 * 8 * 49 + 196 * 8 * 32);
    assert.deepEqual(outputShape(r), [1, 14, 14, 32]);
    assert.ok(r.analysis?.model?.graph.nodes.some((n) => n.opType === 'LayerNormalization' && n.inputs[1] === 'norm.weight'));
  });

  it('MaxViT-style: torch.einsum with the equation as written (spaces, capitals), torch.swapaxes', async () => {
    const r = await analyse(
      `class Attend(nn.Module):
    def forward(self, x):
        q = torch.swapaxes(x, -2, -3)[:, :, :5, :]
        k = torch.swapaxes(x, -2, -3)
        dot = torch.einsum("B H I D, B H J D -> B H I J", q, k)
        return torch.einsum("B H I J, B H J D -> B H I D", F.softmax(dot, dim=-1), k)
`,
      'Attend',
      [1, 6, 2, 4],
    );
    assert.deepEqual(problems(r), []);
    // x [1,6,2,4] → k [1,2,6,4], q [1,2,5,4]: each einsum loops over B·H·I·J·D = 1·2·5·6·4 products.
    assert.equal(totalMacs(r), 2 * (1 * 2 * 5 * 6 * 4));
    assert.deepEqual(outputShape(r), [1, 2, 5, 4]);
  });

  it('eval-mode branches: self.training is False, torch.jit.is_scripting() is False (aux heads are not run)', async () => {
    const r = await analyse(
      `class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)
        self.aux = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        x = self.conv(x)
        aux = None
        if self.aux is not None:
            if self.training:
                aux = self.aux(x)
        if torch.jit.is_scripting():
            return x, aux
        return x
`,
      'Net',
      [1, 3, 5, 5],
    );
    assert.deepEqual(problems(r), []);
    assert.equal(totalMacs(r), 5 * 5 * 4 * 3);
  });

  it('StochasticDepth-style: API-usage logging of a function in forward, identity in eval', async () => {
    const r = await analyse(
      `def _log_api_usage_once(obj):
    module = obj.__module__
    if not module.startswith("torchvision"):
        module = f"torchvision.internal.{module}"
    torch._C._log_api_usage_once(f"{module}.{obj.__name__}")


def stochastic_depth(x, p, training=True):
    if not torch.jit.is_scripting() and not torch.jit.is_tracing():
        _log_api_usage_once(stochastic_depth)
    if not training or p == 0.0:
        return x
    return x * 2


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1, bias=False)

    def forward(self, x):
        return stochastic_depth(self.conv(x), 0.1, self.training)
`,
      'Net',
      [1, 3, 5, 5],
    );
    assert.deepEqual(problems(r), []);
    assert.equal(totalMacs(r), 5 * 5 * 4 * 3);
    assert.deepEqual(r.analysis?.model?.graph.nodes.map((n) => n.opType).filter((op) => op !== 'Constant'), ['Conv'], 'eval: no drop-path multiply');
  });

  it('what cannot be followed stays a located diagnostic: an unmodelled op in forward, an unmodelled tensor op in __init__', async () => {
    const text = `class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)
        self.odd = nn.Parameter(torch.linalg.inv(torch.ones(3, 3)))

    def forward(self, x):
        x = torch.fft.fft2(self.conv(x))
        return x
`;
    const r = await analyse(text, 'Net', [1, 3, 5, 5]);
    const fallback = r.diagnostics.find((d) => d.code === 'pytorch.forward-fallback');
    assert.ok(fallback, problems(r).join('\n'));
    assert.equal(fallback.range?.start.line, (HEADER + text).split('\n').findIndex((l) => l.includes('torch.fft.fft2')));
    assert.ok(r.unresolved.some((u) => u.name.includes('torch.linalg.inv')), JSON.stringify(r.unresolved));
  });
});
