#!/usr/bin/env python3
"""Times GPU kernels with PyTorch and fits Ridgepoint's per-op-class efficiency for the chip (issue 16).

    python scripts/gpu-validate/bench.py --out gpu-results.json [--chip h100] [--dtype bf16] [--runs 30]
    python scripts/gpu-validate/bench.py --out /tmp/dry.json --dry-run        # CPU, tiny shapes: checks the script

One run (about 2-4 minutes on an H100, well under 8) measures:

- GEMMs over a grid: square 256..8192, skinny (M = 1..64 against 4096x4096 weights, LLM decode and small
  batches), odd sizes that are not tile multiples, and K = 4096 / 4100 / 4104 (tensor-core alignment);
- convolutions: dense 3x3 and 1x1 (ResNet shapes), grouped (ResNeXt 32 groups, RegNet group width 16 / 24 / 64),
  depthwise 3x3 / 5x5 / 7x7 (MobileNet, EfficientNet, ConvNeXt shapes), each at batch 32, NCHW;
- elementwise Add and GELU over sizes 4 KiB .. 1 GiB (where small tensors stop saturating HBM, and where
  the L2 holds them);
- reductions (LayerNorm, Softmax, sum over the last axis) over sizes;
- attention (F.scaled_dot_product_attention where the torch has it, and written out);
- launch cost: N back-to-back 1-element kernels issued eagerly (wall time per kernel, what a Python loop
  pays), and the same N captured in a CUDA graph and replayed (time per graph node).

Timing: CUDA events around a burst of `--runs` back-to-back calls after warm-up (kernel time; the launch
queue stays full for all but the smallest kernels); the median of 5 bursts is kept.

Then it fits, for the chip entry (docs/chips.md, INTERFACES16.md `ChipEfficiency`):

- computeUnits: the SM count the device reports;
- gemmTiles: of a few candidate tile sets (cuBLASLt's tile sizes, docs/validation/gpu-sources.json), the one
  whose tile-and-wave quantisation best explains the measured GEMM times (least squared log error);
- classes: per kernel class, the measured rate over the datasheet roof: compute for gemm / conv / attention
  (FLOPs / time / tensor peak), memory for conv-grouped / conv-depthwise / elementwise / reduction
  (bytes moved / time / bandwidth), from the large cases (the size curve is reported separately);
- channelAlign: 8 when a K that is not a multiple of 8 runs markedly slower than one that is, else 1;
- caches: the L2 the device reports, at the best bandwidth an elementwise kernel reached inside it;
- errorBands: per class, the 10th and 90th percentile of measured / predicted over the class's cases,
  predicted with the fitted parameters (in-sample: a floor for the real error, say so where shown);
- memoryHalfBytes: the tensor size at which elementwise kernels reach half their large-tensor bandwidth
  (rate = class rate x bytes / (bytes + half)); beside the efficiency object, not in it (no field yet);
- kernelOverheadUs (eager, per kernel) and cudaGraphNodeUs (per replayed node).

The datasheet roofs come from the chip entry in server/src/analysis/cost/chips.json (--chip, or picked
from the device name). Writes JSON: {"device", "sm_count", "torch", "cuda", "dryRun", "cases": [...],
"launch": {...}, "elementwiseSizeCurve": [...], "memoryHalfBytes", "chip": {"id", "kernelOverheadUs", "cudaGraphNodeUs",
"efficiency": {...}}}. `cases` keep the fields scripts/gpu-validate/compare.ts reads (name, op, dtype,
shape, median_ms). --dry-run runs everything on the CPU with tiny shapes and wall-clock timing: the
figures mean nothing, the point is that the script and the fit run end to end without a GPU.
Needs: python3, torch (with CUDA, except --dry-run).
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
ELEMENT_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2}
HERE = os.path.dirname(os.path.abspath(__file__))
CHIPS_JSON = os.path.join(HERE, "..", "..", "server", "src", "analysis", "cost", "chips.json")

# Output tile sets a GEMM library picks from (cuBLASLt's cublasLtMatmulTile_t sizes; gpu-sources.json).
TILE_CANDIDATES = {
    "large-only": [[256, 128], [128, 256]],
    "square-128": [[128, 128]],
    "cublaslt-tensor": [[256, 128], [128, 256], [128, 128], [256, 64], [64, 256], [128, 64], [64, 128], [64, 64]],
    "cublaslt-with-small": [[256, 128], [128, 256], [128, 128], [128, 64], [64, 128], [64, 64], [64, 32], [32, 64], [32, 32]],
}


class Timer:
    """Median time of one call, in ms: CUDA events around bursts on a GPU, wall clock on the CPU."""

    def __init__(self, cuda, runs, bursts=5, warmup=3):
        self.cuda, self.runs, self.bursts, self.warmup = cuda, runs, bursts, warmup

    def __call__(self, fn):
        for _ in range(self.warmup):
            fn()
        self.sync()
        per_call = []
        for _ in range(self.bursts):
            if self.cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                for _ in range(self.runs):
                    fn()
                end.record()
                end.synchronize()
                per_call.append(start.elapsed_time(end) / self.runs)
            else:
                t0 = time.perf_counter()
                for _ in range(self.runs):
                    fn()
                per_call.append((time.perf_counter() - t0) * 1e3 / self.runs)
        return statistics.median(per_call)

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()


# ---------------------------------------------------------------------------------------------- cases


def gemm_cases(d, dry):
    """(M, K, N): square, skinny, odd, K alignment. FLOPs 2MNK; bytes the three matrices once."""
    square = [256, 512, 1024, 2048, 4096, 8192]
    skinny = [(m, 4096, 4096) for m in (1, 8, 16, 32, 64, 128, 256)]
    odd = [(1000, 1000, 1000), (3000, 3000, 3000), (4095, 4095, 4095), (768, 3072, 768), (1536, 1536, 6144)]
    align = [(4096, 4096, 4096), (4096, 4100, 4096), (4096, 4104, 4096)]
    shapes = [(s, s, s) for s in square] + skinny + odd + align
    if dry:
        shapes = [(128, 32, 128), (256, 16, 256), (1, 32, 32), (33, 17, 9), (32, 36, 32), (32, 40, 32)]
    for m, k, n in shapes:
        a, b = torch.randn(m, k, **d), torch.randn(k, n, **d)
        yield dict(name=f"matmul_{m}x{k}x{n}", op="MatMul", kernelClass="gemm", shape=dict(M=m, K=k, N=n), flops=2 * m * n * k, elements=m * k + k * n + m * n), (lambda a=a, b=b: a @ b)


def conv_cases(d, dry):
    """NCHW convolutions, batch 32. (C, H, K, R, stride, groups). Dense, grouped, depthwise."""
    n = 2 if dry else 32
    dense = [(64, 56, 64, 3, 1, 1), (128, 28, 128, 3, 1, 1), (256, 14, 256, 3, 1, 1), (512, 7, 512, 3, 1, 1), (64, 56, 256, 1, 1, 1), (256, 56, 64, 1, 1, 1), (1024, 14, 256, 1, 1, 1), (3, 224, 64, 7, 2, 1)]
    grouped = [(128, 56, 128, 3, 1, 32), (256, 28, 256, 3, 1, 32), (512, 14, 512, 3, 1, 32), (96, 56, 96, 3, 1, 6), (192, 28, 192, 3, 1, 8), (432, 14, 432, 3, 1, 18), (1024, 7, 1024, 3, 1, 16)]
    depthwise = [(32, 112, 32, 3, 1, 32), (96, 112, 96, 3, 2, 96), (144, 56, 144, 3, 1, 144), (240, 28, 240, 5, 1, 240), (672, 14, 672, 5, 1, 672), (96, 56, 96, 7, 1, 96), (384, 14, 384, 7, 1, 384), (768, 7, 768, 7, 1, 768)]
    specs = dense + grouped + depthwise
    if dry:
        specs = [(8, 8, 8, 3, 1, 1), (8, 8, 8, 3, 1, 4), (8, 8, 8, 3, 1, 8), (8, 8, 8, 5, 2, 8)]
    for c, h, k, r, stride, g in specs:
        x, w = torch.randn(n, c, h, h, **d), torch.randn(k, c // g, r, r, **d)
        oh = (h + 2 * (r // 2) - r) // stride + 1
        kind = "conv" if g == 1 else ("conv-depthwise" if g == c and k == c else "conv-grouped")
        flops = 2 * n * k * oh * oh * (c // g) * r * r
        elements = n * c * h * h + k * (c // g) * r * r + n * k * oh * oh
        shape = dict(N=n, C=c, H=h, W=h, K=k, R=r, S=stride, G=g)
        yield dict(name=f"conv_{kind}_{n}x{c}x{h}_k{k}_r{r}_s{stride}_g{g}", op="Conv", kernelClass=kind, shape=shape, flops=flops, elements=elements), (lambda x=x, w=w, r=r, stride=stride, g=g: F.conv2d(x, w, stride=stride, padding=r // 2, groups=g))


def elementwise_sizes(dry):
    """Elements per tensor: 4 KiB .. 1 GiB of fp16/bf16 (2^11 .. 2^29 elements), every factor 4."""
    return [2 ** p for p in (range(6, 13, 2) if dry else range(11, 30, 2))]


def elementwise_cases(d, dry):
    for size in elementwise_sizes(dry):
        x, y = torch.randn(size, **d), torch.randn(size, **d)
        yield dict(name=f"add_{size}", op="Add", kernelClass="elementwise", shape=dict(rows=1, cols=size), flops=size, elements=3 * size), (lambda x=x, y=y: x + y)
        yield dict(name=f"gelu_{size}", op="Gelu", kernelClass="elementwise", shape=dict(rows=1, cols=size), flops=8 * size, elements=2 * size), (lambda x=x: F.gelu(x))


def reduction_cases(d, dry):
    shapes = [(64, 64), (256, 256)] if dry else [(1024, 1024), (8192, 1024), (32768, 4096), (4096, 768), (65536, 768), (16384, 50257 // 4)]
    for rows, cols in shapes:
        x = torch.randn(rows, cols, **d)
        ln = torch.nn.LayerNorm(cols, device=x.device, dtype=x.dtype)
        n = rows * cols
        yield dict(name=f"layernorm_{rows}x{cols}", op="LayerNormalization", kernelClass="reduction", shape=dict(rows=rows, cols=cols), flops=8 * n, elements=2 * n + 2 * cols), (lambda x=x, ln=ln: ln(x))
        yield dict(name=f"softmax_{rows}x{cols}", op="Softmax", kernelClass="reduction", shape=dict(rows=rows, cols=cols), flops=5 * n, elements=2 * n), (lambda x=x: torch.softmax(x, dim=-1))
        yield dict(name=f"reducesum_{rows}x{cols}", op="ReduceSum", kernelClass="reduction", shape=dict(rows=rows, cols=cols), flops=n, elements=n + rows), (lambda x=x: x.sum(dim=-1))


def attention_cases(d, dry):
    shapes = [(1, 2, 16, 8)] if dry else [(8, 16, 1024, 64), (4, 32, 4096, 128), (64, 12, 197, 64)]
    for b, h, s, e in shapes:
        q, k, v = (torch.randn(b, h, s, e, **d) for _ in range(3))
        shape = dict(B=b, H=h, S=s, E=e)
        flops = 4 * b * h * s * s * e
        if hasattr(F, "scaled_dot_product_attention"):
            yield dict(name=f"sdpa_fused_{b}x{h}x{s}x{e}", op="AttentionFused", kernelClass="attention", shape=shape, flops=flops, elements=4 * b * h * s * e), (lambda q=q, k=k, v=v: F.scaled_dot_product_attention(q, k, v))
        scale = e ** -0.5
        yield dict(name=f"attention_explicit_{b}x{h}x{s}x{e}", op="AttentionExplicit", kernelClass="attention-explicit", shape=shape, flops=flops, elements=4 * b * h * s * e + 2 * b * h * s * s), (lambda q=q, k=k, v=v: torch.softmax((q @ k.transpose(-1, -2)) * scale, dim=-1) @ v)


# ---------------------------------------------------------------------------------------------- launch cost


def launch_costs(cuda, dry, kernels=200, repeats=20):
    """µs per kernel: N dependent 1-element adds issued eagerly (wall time, synchronised), and the same N
    replayed from a CUDA graph. The eager figure is what Ridgepoint's kernelOverheadUs stands for."""
    device = "cuda" if cuda else "cpu"
    x = torch.zeros(1, device=device)

    def burst():
        for _ in range(kernels):
            x.add_(1.0)

    def wall_us(fn):
        samples = []
        for _ in range(repeats):
            if cuda:
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            fn()
            if cuda:
                torch.cuda.synchronize()
            samples.append((time.perf_counter() - t0) * 1e6 / kernels)
        return statistics.median(samples)

    burst()
    eager = wall_us(burst)
    out = dict(kernels=kernels, eagerUsPerKernel=eager, graphUsPerNode=None, graphNote=None)
    if cuda and not dry:
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            burst()  # warm-up on the side stream, as torch.cuda.graphs' docs ask
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            burst()
        graph.replay()
        out["graphUsPerNode"] = wall_us(graph.replay)
    else:
        out["graphNote"] = "no CUDA: graph replay not measured"
    return out


# ---------------------------------------------------------------------------------------------- fit


def load_chip(chip_id, device_name):
    with open(CHIPS_JSON, encoding="utf-8") as f:
        chips = json.load(f)["chips"]
    if not chip_id:
        name = device_name or ""
        rules = [("H100.*PCIe", "h100-pcie"), ("H100.*NVL", "h100-nvl"), ("H100", "h100"), ("H200", "h200"), ("A100.*40", "a100-40gb"), ("A100", "a100-80gb"), ("L40S", "l40s"), (r"\bL4\b", "l4"), ("4090", "rtx-4090"), ("3090", "rtx-3090"), ("T4", "t4"), ("A10", "a10")]
        import re

        chip_id = next((cid for pattern, cid in rules if re.search(pattern, name)), "h100")
    chip = next((c for c in chips if c["id"] == chip_id), None)
    if chip is None:
        raise SystemExit(f"unknown chip {chip_id} (server/src/analysis/cost/chips.json)")
    return chip


def tensor_peak_flops(chip, dtype):
    peaks = chip.get("peaks", {})
    tflops = peaks.get("tensor", {}).get(dtype) or peaks.get("vector", {}).get(dtype)
    return (tflops or 1.0) * 1e12


def vector_peak_flops(chip, dtype):
    vector = chip.get("peaks", {}).get("vector", {})
    return (vector.get(dtype) or vector.get("fp32") or 1.0) * 1e12


def wave_efficiency(m, n, sms, tiles):
    """Best over the tile set of useful output area / area the launched waves cover."""
    best = 0.0
    for tm, tn in tiles:
        count = math.ceil(m / tm) * math.ceil(n / tn)
        waves = math.ceil(count / sms)
        best = max(best, (m * n) / (waves * sms * tm * tn))
    return best


def significant(x):
    """Three significant digits, never zero (a zero efficiency would make every time infinite)."""
    return max(float(f"{x:.3g}"), 1e-6)


def percentile(values, q):
    s = sorted(values)
    if not s:
        return None
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def fit(cases, chip, dtype, sms, l2_bytes, launch, dry):
    peak = tensor_peak_flops(chip, dtype)
    bandwidth = chip["memoryBandwidthGBs"] * 1e9
    eb = ELEMENT_BYTES[dtype]
    for c in cases:
        seconds = c["median_ms"] / 1e3
        c["achievedTflops"] = c["flops"] / seconds / 1e12
        c["achievedGBs"] = c["elements"] * eb / seconds / 1e9

    # gemmTiles: the candidate whose wave quantisation, times one class efficiency, best fits the GEMMs.
    gemms = [c for c in cases if c["kernelClass"] == "gemm" and c["shape"]["M"] >= 128]
    best_name, best_err, best_scale = None, None, None
    for name, tiles in TILE_CANDIDATES.items():
        ratios = [c["flops"] / (c["median_ms"] / 1e3) / peak / wave_efficiency(c["shape"]["M"], c["shape"]["N"], sms, tiles) for c in gemms]
        if not ratios:
            continue
        scale = math.exp(statistics.median([math.log(r) for r in ratios]))
        err = sum(math.log(r / scale) ** 2 for r in ratios)
        if best_err is None or err < best_err:
            best_name, best_err, best_scale = name, err, scale
    tiles = TILE_CANDIDATES[best_name or "cublaslt-tensor"]

    def class_rate(kind, key, roof, min_bytes=0):
        picked = [c for c in cases if c["kernelClass"] == kind and c["elements"] * eb >= min_bytes]
        if not picked:
            return None
        rates = [(c["achievedTflops"] * 1e12 if key == "compute" else c["achievedGBs"] * 1e9) / roof for c in picked]
        return significant(min(1.0, statistics.median(sorted(rates)[len(rates) // 2:])))  # upper half: the shapes that saturate

    big = 0 if dry else 64 * 2 ** 20  # beyond any L2 so far (H100 50 MB, H200 60 MB? B200 126 MB: see caches)
    classes = {
        "gemm": {"compute": significant(min(1.0, best_scale))} if best_scale else None,
        "conv": {"compute": class_rate("conv", "compute", peak)},
        "conv-grouped": {"memory": class_rate("conv-grouped", "memory", bandwidth)},
        "conv-depthwise": {"memory": class_rate("conv-depthwise", "memory", bandwidth)},
        "elementwise": {"memory": class_rate("elementwise", "memory", bandwidth, big)},
        "reduction": {"memory": class_rate("reduction", "memory", bandwidth)},
        "attention": {"compute": class_rate("attention", "compute", peak)},
    }
    classes = {k: v for k, v in classes.items() if v and all(x is not None for x in v.values())}

    # K alignment: 4100 (a multiple of 4, not of 8) against 4096 and 4104.
    by_name = {c["name"]: c for c in cases}
    a, b, c8 = (by_name.get(f"matmul_4096x{k}x4096") for k in (4096, 4100, 4104))
    channel_align = None
    if a and b and c8:
        channel_align = 8 if b["median_ms"] > 1.3 * max(a["median_ms"], c8["median_ms"]) else 1

    # L2: best elementwise bandwidth among tensors that fit in it (all operands), above the launch floor.
    caches = None
    if l2_bytes:
        # Kernels under ~5 µs measure the launch floor, not the cache.
        inside = [c for c in cases if c["kernelClass"] == "elementwise" and c["elements"] * eb <= l2_bytes and (dry or c["median_ms"] * 1e3 >= 5)]
        if inside:
            caches = [{"name": "L2", "bytes": l2_bytes, "bandwidthGBs": round(max(c["achievedGBs"] for c in inside), 1)}]

    # Small tensors do not saturate HBM: rate = class rate x bytes / (bytes + half), half fitted on the
    # elementwise size curve (powers of two, least squared log error). Not a ChipEfficiency field yet:
    # reported beside it (memoryHalfBytes) for the core model to adopt or ignore.
    def size_factor(nbytes, half):
        return nbytes / (nbytes + half)

    elementwise = [c for c in cases if c["kernelClass"] == "elementwise"]
    mem_half = None
    if elementwise and "elementwise" in classes:
        top = classes["elementwise"]["memory"] * bandwidth
        best = None
        for p in range(8, 34):
            half = 2 ** p
            err = sum(math.log(c["achievedGBs"] * 1e9 / (top * size_factor(c["elements"] * eb, half))) ** 2 for c in elementwise)
            if best is None or err < best[0]:
                best = (err, half)
        mem_half = best[1]

    # Error bands: measured / predicted with the fitted parameters, per class (in-sample).
    def predicted_ms(c):
        kind = c["kernelClass"]
        eff = classes.get(kind, {})
        compute_s = c["flops"] / (peak * eff.get("compute", 1.0) * (wave_efficiency(c["shape"]["M"], c["shape"]["N"], sms, tiles) if kind == "gemm" else 1.0))
        memory_s = c["elements"] * eb / (bandwidth * eff.get("memory", 1.0))
        if mem_half and kind in ("elementwise", "reduction"):
            memory_s /= size_factor(c["elements"] * eb, mem_half)
        if kind in ("conv-grouped", "conv-depthwise", "elementwise", "reduction"):
            compute_s = c["flops"] / vector_peak_flops(chip, dtype)  # these run on the CUDA cores, not the tensor cores
        # Kernel time only: in a burst the launches overlap the previous kernels.
        return max(compute_s, memory_s) * 1e3

    bands = {}
    for kind in classes:
        ratios = [c["median_ms"] / predicted_ms(c) for c in cases if c["kernelClass"] == kind]
        if ratios:
            bands[kind] = {"low": significant(percentile(ratios, 0.1)), "high": significant(percentile(ratios, 0.9)), "samples": len(ratios)}

    efficiency = {
        "computeUnits": sms,
        "gemmTiles": tiles,
        "classes": classes,
        "errorBands": bands,
        "basis": f"scripts/gpu-validate/bench.py on {chip['name']} ({'DRY RUN on the CPU: meaningless figures' if dry else 'measured'}), {dtype}; "
        f"gemmTiles: best of {sorted(TILE_CANDIDATES)} by tile-and-wave fit ({best_name}); classes: median of the upper half of measured rate / datasheet roof; "
        "errorBands: in-sample 10th/90th percentile of measured / predicted",
    }
    if channel_align is not None:
        efficiency["channelAlign"] = channel_align
    if caches:
        efficiency["caches"] = caches
    return efficiency, best_name, mem_half


# ---------------------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chip", help="chip id in chips.json for the datasheet roofs (default: from the device name)")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="bf16")
    ap.add_argument("--runs", type=int, default=30, help="calls per timed burst")
    ap.add_argument("--dry-run", action="store_true", help="CPU, tiny shapes, wall clock: checks the script and the fit, no GPU figures")
    args = ap.parse_args()
    cuda = torch.cuda.is_available() and not args.dry_run
    if not cuda and not args.dry_run:
        raise SystemExit("needs a CUDA GPU (or --dry-run)")
    dt = torch.float32 if args.dry_run else DTYPES[args.dtype]
    dtype_name = "fp32" if args.dry_run else args.dtype
    d = dict(device="cuda" if cuda else "cpu", dtype=dt)
    timer = Timer(cuda, 2 if args.dry_run else args.runs, bursts=2 if args.dry_run else 5, warmup=1 if args.dry_run else 3)
    started = time.monotonic()

    results = []
    with torch.inference_mode():
        for family in (gemm_cases, conv_cases, elementwise_cases, reduction_cases, attention_cases):
            for meta, fn in family(d, args.dry_run):
                try:
                    med = timer(fn)
                except RuntimeError as error:  # out of memory, or an op this torch lacks on the device
                    print(f"{meta['name']}: skipped ({str(error).splitlines()[0][:120]})")
                    if cuda:
                        torch.cuda.empty_cache()
                    continue
                results.append(dict(meta, dtype=dtype_name, median_ms=med))
                print(f"{meta['name']:48s} {med:10.4f} ms", flush=True)
            if cuda:
                torch.cuda.empty_cache()
    launch = launch_costs(cuda, args.dry_run)
    print(f"launch: eager {launch['eagerUsPerKernel']:.2f} us/kernel, graph {launch['graphUsPerNode'] if launch['graphUsPerNode'] is None else round(launch['graphUsPerNode'], 3)} us/node")

    if cuda:
        props = torch.cuda.get_device_properties(0)
        device, sms, memory_gb = props.name, props.multi_processor_count, props.total_memory / 1e9
        l2_bytes = getattr(props, "L2_cache_size", None)
    else:
        device, sms, memory_gb, l2_bytes = "cpu (dry run)", 132, None, 50 * 2 ** 20
    chip = load_chip(args.chip or ("h100" if args.dry_run else None), device)
    efficiency, tile_set, mem_half = fit(results, chip, dtype_name if dtype_name in ("fp16", "bf16") else "fp32", sms, l2_bytes, launch, args.dry_run)

    curve = [dict(bytes=c["elements"] * ELEMENT_BYTES[dtype_name], op=c["op"], GBs=round(c["achievedGBs"], 1)) for c in results if c["kernelClass"] == "elementwise"]
    out = dict(
        device=device, sm_count=sms, memory_gb=memory_gb, torch=torch.__version__, cuda=torch.version.cuda, dryRun=args.dry_run,
        seconds=round(time.monotonic() - started, 1), cases=results, launch=launch, elementwiseSizeCurve=curve,
        memoryHalfBytes=mem_half,
        chip=dict(id=chip["id"], kernelOverheadUs=round(launch["eagerUsPerKernel"], 2), cudaGraphNodeUs=None if launch["graphUsPerNode"] is None else round(launch["graphUsPerNode"], 3), efficiency=efficiency),
    )
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)
    print(f"wrote {args.out}: {len(results)} cases on {device} in {out['seconds']} s; tiles {tile_set}; classes {json.dumps(efficiency['classes'])}")


if __name__ == "__main__":
    main()
