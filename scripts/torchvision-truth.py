#!/usr/bin/env python3
"""Ground truth for every classification builder of torchvision, from real torch (issue 13).

    /usr/bin/python3 scripts/torchvision-truth.py --out DIR [--only resnet50,vgg16] [--timeout 600]

For each builder of `torchvision.models.list_models(module=torchvision.models)` (the classification
builders only: detection, segmentation, video, optical flow and quantized builders live in submodules)
it instantiates the model with weights=None in eval mode and records:

- params: sum(p.numel() for p in model.parameters()), which counts a shared parameter once;
- sourceFile: the file that defines the builder (decorators unwrapped), the file a user opens;
- input: 1x3x224x224, or 1x3x299x299 for inception_v3 (the size its architecture is defined for);
  every other builder is built with weights=None, whose default image size is 224 (vit_h_14's 518 and
  swin_v2's 256 belong to their pretrained weights, not to the architecture built here);
- an ONNX export of the model at that input (torch.onnx.export, opset 17, unfolded, no weights stored:
  export_params=False keeps a 600 M-parameter export at a few hundred KiB; the weights become graph
  inputs with their shapes, which is all a MAC count needs);
- publishedParams: `num_params` of the builder's DEFAULT weights, for information (it differs where
  those weights imply another configuration, e.g. vit_h_14's SWAG weights at 518).

Output: DIR/truth.json ({ torch, torchvision, opset, complete, builders: [...] }) and DIR/onnx/<builder>.onnx
(onnxPath is relative to DIR). With --only, builders already in DIR/truth.json are kept.
A builder that fails (construction, export, a crash or a timeout of its worker) is recorded with its
error; the run goes on. Each builder runs in a worker process that the parent restarts after a crash,
so one segfaulting export never aborts the run, and memory is returned to the system between workers.
Weight initialisation is skipped (torch.nn.init.* are no-ops): it costs seconds on the largest models
and never changes a shape. Two more savings leave the exported MAC-carrying nodes unchanged: the
exporter's own ONNX shape inference is off, and swin's attention masks are built with the tracer paused
(see skip_exporter_shape_inference and swin_masks_as_constants).

Why 80 builders: torchvision 0.14.1 (Debian's python3-torchvision) lists 118 with list_models(); the 38
others are detection, segmentation, video, optical-flow and quantized builders of the submodules.
"""
import argparse
import inspect
import json
import os
import subprocess
import sys
import time

OPSET = 17
SPECIAL_INPUT = {"inception_v3": [1, 3, 299, 299]}
DEFAULT_INPUT = [1, 3, 224, 224]
# Families whose exports take longest (many small nodes), slowest first.
SLOW_FAMILIES = ("swin_transformer", "maxvit", "vision_transformer", "densenet")


def describe_builders(names):
    """Name, family (the defining module), source file, input and published parameters of each builder."""
    import torchvision.models as models

    out = []
    for name in names:
        builder = models.get_model_builder(name)
        unwrapped = inspect.unwrap(builder)
        module = sys.modules[unwrapped.__module__]
        published = None
        try:
            published = models.get_model_weights(name).DEFAULT.meta.get("num_params")
        except Exception:  # a builder without weights: nothing published
            published = None
        out.append(
            {
                "builder": name,
                "family": unwrapped.__module__.rsplit(".", 1)[-1],
                "module": unwrapped.__module__,
                "sourceFile": os.path.realpath(inspect.getsourcefile(module) or module.__file__),
                "input": SPECIAL_INPUT.get(name, DEFAULT_INPUT),
                "publishedParams": published,
            }
        )
    return out


def skip_weight_init(torch):
    """torch.nn.init.* become no-ops: instantiation then costs allocation only, shapes are unchanged."""
    def keep(tensor, *args, **kwargs):
        return tensor

    for name in dir(torch.nn.init):
        if name.endswith("_") and not name.startswith("_") and callable(getattr(torch.nn.init, name)):
            setattr(torch.nn.init, name, keep)


def skip_exporter_shape_inference():
    """The exporter's per-node ONNX shape inference is a third of its time (swin_b: minutes) and only
    annotates value types: the nodes are the same (checked on swin_t: equal MACs by Ridgepoint's own
    inference, which is what reads the export). A torch without the switch exports as it always does."""
    try:
        from torch.onnx._globals import GLOBALS

        GLOBALS.onnx_shape_inference = False
    except (ImportError, AttributeError):
        pass


SWIN_MASK_START = "        attn_mask = x.new_zeros((pad_H, pad_W))\n"
SWIN_MASK_END = "        attn = attn.view(x.size(0) // num_windows, num_windows, num_heads, x.size(1), x.size(1))\n"


def swin_masks_as_constants():
    """Swin's shifted-window attention builds its attention mask in every forward from sizes alone
    (new_zeros, nine slice assignments, reshapes, masked_fill): thousands of exported nodes, and the
    exporter's passes grow faster than linearly with them (swin_b: minutes). Built with the tracer
    paused, the mask enters the export as one constant tensor; the nodes that carry MACs (MatMul, Gemm,
    Conv) are the same, and so are Ridgepoint's MACs (checked on swin_t: 4.4906 G either way, 75 MatMul).
    The function is recompiled from torchvision's own source with two lines added; if the source is not
    the expected one the model exports unchanged (only slower)."""
    import inspect

    import torch
    import torchvision.models.swin_transformer as swin

    source = inspect.getsource(swin.shifted_window_attention)
    if source.count(SWIN_MASK_START) != 1 or source.count(SWIN_MASK_END) != 1:
        return
    source = source.replace(SWIN_MASK_START, "        _tracing = torch._C._get_tracing_state()\n        torch._C._set_tracing_state(None)\n" + SWIN_MASK_START)
    source = source.replace(SWIN_MASK_END, "        torch._C._set_tracing_state(_tracing)\n" + SWIN_MASK_END)
    namespace = dict(vars(swin))
    exec(compile(source, inspect.getsourcefile(swin), "exec"), namespace)
    swin.shifted_window_attention = namespace["shifted_window_attention"]


def export_zero_():
    """swin_v2's attention zeroes a slice of its qkv bias in forward (`qkv_bias[n:2n].zero_()`), and the
    1.13 exporter has no symbolic for aten::zero. It is zeros of the input's shape (no arithmetic)."""
    import torch

    torch.onnx.register_custom_op_symbolic("aten::zero", lambda g, self: g.op("ConstantOfShape", g.op("Shape", self)), 9)


def export_one(entry, onnx_dir):
    """Instantiates one builder, counts its parameters and exports it; returns the fields to record."""
    import torch
    import torchvision.models as models

    started = time.monotonic()
    model = models.get_model(entry["builder"], weights=None).eval()
    params = sum(p.numel() for p in model.parameters())
    built = time.monotonic()
    path = os.path.join(onnx_dir, entry["builder"] + ".onnx")
    example = torch.zeros(*entry["input"])
    # Not under torch.no_grad(): without autograd nn.MultiheadAttention takes its fused fast path
    # (aten::_native_multi_head_attention), which the 1.13 exporter cannot export.
    torch.onnx.export(
        model,
        (example,),
        path,
        export_params=False,
        opset_version=OPSET,
        # No constant folding: with export_params=False a folded tensor would become a graph input
        # without its value (swin_v2's bias slicing folds into Expand/Reshape shapes that way), and the
        # shape computations it would fold are folded by Ridgepoint's own inference. Same MACs either way.
        do_constant_folding=False,
        input_names=["input"],
        output_names=["output"],
    )
    return {
        "params": params,
        "onnxPath": os.path.relpath(path, os.path.dirname(onnx_dir)),  # relative to the output folder: it can move
        "buildSeconds": round(built - started, 3),
        "exportSeconds": round(time.monotonic() - built, 3),
    }


def worker(args):
    """Processes builders in order, one JSON line per event, flushed, so the parent sees a crash's victim."""
    import warnings

    import torch

    warnings.filterwarnings("ignore")
    torch.set_flush_denormal(True)  # the skipped init leaves arbitrary values; keep the one forward fast
    skip_weight_init(torch)
    skip_exporter_shape_inference()
    swin_masks_as_constants()
    export_zero_()
    entries = json.loads(args.worker)
    with open(args.events, "a", encoding="utf-8") as events:
        for entry in entries:
            events.write(json.dumps({"event": "start", "builder": entry["builder"]}) + "\n")
            events.flush()
            try:
                result = {"event": "done", "builder": entry["builder"], **export_one(entry, os.path.join(args.out, "onnx")), "error": None}
            except Exception as error:  # recorded, never fatal
                message = f"{type(error).__name__}: {error}".strip()
                result = {"event": "done", "builder": entry["builder"], "error": message[:2000]}
            events.write(json.dumps(result) + "\n")
            events.flush()
            took = "failed: " + result["error"][:200] if result["error"] else f"{result['buildSeconds'] + result['exportSeconds']:.1f} s"
            print(f"torchvision-truth: {entry['builder']}: {took}", file=sys.stderr, flush=True)


def read_events(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class Slot:
    """One worker process and the builders it was given; its events file says how far it got."""

    def __init__(self, out, index, batch, threads):
        self.batch = batch
        self.events = os.path.join(out, f"events-{index}.jsonl")
        if os.path.exists(self.events):
            os.remove(self.events)
        command = [sys.executable, os.path.abspath(__file__), "--out", out, "--events", self.events, "--worker", json.dumps(batch)]
        # Workers run side by side: each gets its share of the cores, so BLAS and OpenMP do not oversubscribe.
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
        self.process = subprocess.Popen(command, env=env)
        self.current = None
        self.since = time.monotonic()

    def stuck(self, timeout):
        started = [e["builder"] for e in read_events(self.events) if e["event"] == "start"]
        if started and started[-1] != self.current:
            self.current, self.since = started[-1], time.monotonic()
        return time.monotonic() - self.since > timeout

    def collect(self, code, results):
        """Records what finished, and an error for the builder a dead or killed worker was on."""
        events = read_events(self.events)
        for event in events:
            if event["event"] == "done":
                results[event["builder"]] = event
        for event in events:
            if event["event"] == "start" and event["builder"] not in results:
                why = "timed out" if code is None else f"the worker process died (exit code {code})"
                results[event["builder"]] = {"builder": event["builder"], "error": why}
        if not any(e["builder"] in results for e in self.batch):  # died before its first builder: do not retry forever
            for e in self.batch:
                results[e["builder"]] = {"builder": e["builder"], "error": f"the worker process failed to start (exit code {code})"}
        if os.path.exists(self.events):
            os.remove(self.events)


def run_workers(entries, out, timeout, per_worker, jobs):
    """Runs the builders in up to `jobs` worker processes of `per_worker` builders each, restarting after a crash or a stuck builder."""
    results = {}
    pending = list(entries)
    running = []
    next_index = 0
    while pending or running:
        while pending and len(running) < jobs:
            # A slow builder gets a worker of its own, so the two lanes stay balanced.
            size = 1 if pending[0]["family"] in SLOW_FAMILIES else per_worker
            batch, pending = pending[:size], pending[size:]
            running.append(Slot(out, next_index, batch, max(1, (os.cpu_count() or 1) // jobs)))
            next_index += 1
        time.sleep(0.5)
        for slot in list(running):
            code = slot.process.poll()
            if code is None and slot.stuck(timeout):
                slot.process.kill()
                slot.process.wait()
            elif code is None:
                continue
            running.remove(slot)
            slot.collect(code, results)
            pending = [e for e in slot.batch if e["builder"] not in results] + pending
    return results


def merged_with_cache(path, entries, results):
    """Builders of an earlier run (a --only run into the same folder) are kept unless re-run now."""
    rows = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            rows = {b["builder"]: b for b in json.load(f).get("builders", [])}
    for entry in entries:
        r = results.get(entry["builder"], {"error": "no result"})
        rows[entry["builder"]] = {
            **entry,
            "params": r.get("params"),
            "onnxPath": r.get("onnxPath"),
            "buildSeconds": r.get("buildSeconds"),
            "exportSeconds": r.get("exportSeconds"),
            "error": r.get("error"),
        }
    return [rows[name] for name in sorted(rows)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output directory (truth.json, onnx/)")
    parser.add_argument("--only", default="", help="comma-separated builder names (default: all)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one builder may take")
    parser.add_argument("--per-worker", type=int, default=6, help="builders per worker process")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes at once")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--events", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args)
        return

    started = time.monotonic()
    import torch
    import torchvision
    import torchvision.models as models

    names = sorted(models.list_models(module=models))
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            sys.exit(f"not classification builders of torchvision {torchvision.__version__}: {', '.join(unknown)}")
        names = [n for n in names if n in wanted]
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    entries = describe_builders(names)
    # The slowest exports first, so the workers finish together rather than one of them ending on swin_v2_b.
    entries.sort(key=lambda e: (SLOW_FAMILIES.index(e["family"]) if e["family"] in SLOW_FAMILIES else len(SLOW_FAMILIES), e["builder"]))
    results = run_workers(entries, args.out, args.timeout, max(1, args.per_worker), max(1, args.jobs))
    path = os.path.join(args.out, "truth.json")
    builders = merged_with_cache(path, entries, results)
    every = set(models.list_models(module=models))
    truth = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "opset": OPSET,
        "count": len(builders),
        # True when every classification builder has an entry (a cache a full run can reuse).
        "complete": every <= {b["builder"] for b in builders},
        "wallSeconds": round(time.monotonic() - started, 1),
        "builders": builders,
    }
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=1)
    os.replace(path + ".tmp", path)  # a reader never sees a half-written file
    failed = [b["builder"] for b in builders if b["error"]]
    print(f"{len(entries)} builders run, {len(builders)} recorded in {truth['wallSeconds']} s; {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}", file=sys.stderr)


if __name__ == "__main__":
    main()
