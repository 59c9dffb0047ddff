#!/usr/bin/env python3
"""Times GPU kernels with PyTorch for Ridgepoint's GPU validation (docs/validation/README.md).

Each case: warm-up, then N timed repetitions with CUDA events around every call; the median is kept.
Writes JSON: {"device": ..., "torch": ..., "cases": [{"name", "op", "dtype", "shape": {...}, "median_ms", "runs"}]}.
The shapes are what scripts/gpu-validate/compare.ts turns into ONNX models for the prediction.

    python scripts/gpu-validate/bench.py --out gpu-results.json [--dtype bf16] [--runs 50]
Needs: python3, torch with CUDA.
"""
import argparse
import json
import statistics

import torch
import torch.nn.functional as F

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def time_ms(fn, runs, warmup=10):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times), times


def cases(dt):
    d = dict(device="cuda", dtype=dt)
    # GEMMs from GEMV to large square: (M, K, N).
    for m, k, n in [(1, 4096, 4096), (8, 4096, 4096), (64, 4096, 4096), (512, 4096, 4096), (1024, 1024, 1024), (2048, 2048, 2048), (4096, 4096, 4096), (8192, 8192, 8192)]:
        a, b = torch.randn(m, k, **d), torch.randn(k, n, **d)
        yield dict(name=f"matmul_{m}x{k}x{n}", op="MatMul", shape=dict(M=m, K=k, N=n)), lambda a=a, b=b: a @ b
    for n, c, h, k, r in [(32, 64, 56, 64, 3), (32, 128, 28, 128, 3), (32, 256, 14, 256, 3), (32, 64, 56, 256, 1)]:
        x, w = torch.randn(n, c, h, h, **d), torch.randn(k, c, r, r, **d)
        yield dict(name=f"conv_{n}x{c}x{h}x{h}_k{k}_r{r}", op="Conv", shape=dict(N=n, C=c, H=h, W=h, K=k, R=r)), lambda x=x, w=w, r=r: F.conv2d(x, w, padding=r // 2)
    for rows, cols in [(8192, 1024), (32768, 4096)]:
        x = torch.randn(rows, cols, **d)
        ln = torch.nn.LayerNorm(cols, device="cuda", dtype=dt)
        yield dict(name=f"layernorm_{rows}x{cols}", op="LayerNormalization", shape=dict(rows=rows, cols=cols)), lambda x=x, ln=ln: ln(x)
        yield dict(name=f"softmax_{rows}x{cols}", op="Softmax", shape=dict(rows=rows, cols=cols)), lambda x=x: torch.softmax(x, dim=-1)
        y = torch.randn(rows, cols, **d)
        yield dict(name=f"add_{rows}x{cols}", op="Add", shape=dict(rows=rows, cols=cols)), lambda x=x, y=y: x + y
        yield dict(name=f"gelu_{rows}x{cols}", op="Gelu", shape=dict(rows=rows, cols=cols)), lambda x=x: F.gelu(x)
    for b, h, s, e in [(8, 16, 1024, 64), (4, 32, 4096, 128)]:
        q, k, v = (torch.randn(b, h, s, e, **d) for _ in range(3))
        shape = dict(B=b, H=h, S=s, E=e)
        yield dict(name=f"sdpa_fused_{b}x{h}x{s}x{e}", op="AttentionFused", shape=shape), lambda q=q, k=k, v=v: F.scaled_dot_product_attention(q, k, v)
        scale = e ** -0.5
        yield dict(name=f"attention_explicit_{b}x{h}x{s}x{e}", op="AttentionExplicit", shape=shape), lambda q=q, k=k, v=v: torch.softmax((q @ k.transpose(-1, -2)) * scale, dim=-1) @ v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="bf16")
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    assert torch.cuda.is_available(), "needs a CUDA GPU"
    dt = DTYPES[args.dtype]
    results = []
    with torch.inference_mode():
        for meta, fn in cases(dt):
            try:
                med, times = time_ms(fn, args.runs)
            except torch.cuda.OutOfMemoryError:
                print(f"{meta['name']}: out of memory, skipped")
                torch.cuda.empty_cache()
                continue
            results.append(dict(meta, dtype=args.dtype, median_ms=med, min_ms=min(times), runs=len(times)))
            print(f"{meta['name']:40s} {med:10.4f} ms")
            torch.cuda.empty_cache()
    props = torch.cuda.get_device_properties(0)
    out = dict(device=props.name, memory_gb=props.total_memory / 1e9, sm_count=props.multi_processor_count, torch=torch.__version__, cuda=torch.version.cuda, cases=results)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
    print(f"wrote {args.out}: {len(results)} cases on {props.name}")


if __name__ == "__main__":
    main()
