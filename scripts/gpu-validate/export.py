#!/usr/bin/env python3
"""ONNX exports of torchvision models for the GPU validation against published figures (published.ts).

    /usr/bin/python3 scripts/gpu-validate/export.py --out DIR [--fold-batchnorm] builder:resolution [...]

Writes DIR/<builder>_<resolution>.onnx (…_bnfold.onnx with --fold-batchnorm) for each pair (e.g. `resnet50:224`, `efficientnet_b4:380`) and
prints one JSON line: {"torch": ..., "torchvision": ..., "files": {"resnet50:224": path | null},
"errors": {"resnet50:224": message}}. A file already in DIR is kept (the exports are deterministic).

Each model is torchvision's builder with weights=None (random weights; profiling needs shapes only),
exported with export_params=False at batch 1 with the batch dimension dynamic (named `batch`), so the
profile binds the published batch with `--dim batch=N` instead of tracing a 1024-image forward on the
CPU. The speed-ups of scripts/torchvision-truth.py (no weight initialisation, no exporter shape
inference, swin's masks as constants) are reused from that script: same nodes, same MACs.

BatchNorm: eager PyTorch runs every BatchNorm2d as its own kernel after the convolution, so by default
the export keeps them (TrainingMode.PRESERVE on a model in eval mode: BatchNormalization nodes in
inference form). torch.onnx's default (TrainingMode.EVAL) folds them into the convolutions, which is what
TensorRT and compilers do: --fold-batchnorm, for rows measured with such a runtime.

GELU: torch 1.13 exports F.gelu at opset 17 as five nodes (Div by sqrt 2, Erf, Add 1, Mul, Mul 0.5),
five passes over the tensor, where eager PyTorch runs one GELU kernel. --gelu-op rewrites each such chain
into one com.microsoft Gelu node (ONNX Runtime's contrib op; the default domain gets Gelu only at opset
20, and raising the file's opset would change other ops' signatures, e.g. ReduceMean's axes at 18): the
file then has the kernels eager PyTorch launches. The rewrite only fires on the exact chain, with no
other consumers of its intermediate values.
"""
import argparse
import importlib.util
import json
import os
import sys
import warnings

OPSET = 17
HERE = os.path.dirname(os.path.abspath(__file__))


def truth_helpers():
    """scripts/torchvision-truth.py as a module (its file name has a hyphen)."""
    path = os.path.join(HERE, "..", "torchvision-truth.py")
    spec = importlib.util.spec_from_file_location("torchvision_truth", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def custom_builders():
    """Architectures a published table names that torchvision 0.14 has no builder for, built from its own
    classes: NVIDIA's ResNeXt101-32x4d is torchvision's ResNet with Bottleneck [3, 4, 23, 3], 32 groups of 4."""
    from torchvision.models.resnet import Bottleneck, ResNet

    return {"resnext101_32x4d": lambda: ResNet(Bottleneck, [3, 4, 23, 3], groups=32, width_per_group=4)}


def export(builder, resolution, path, fold_batchnorm):
    import torch
    import torchvision.models as models

    custom = custom_builders()
    model = (custom[builder]() if builder in custom else models.get_model(builder, weights=None)).eval()
    example = torch.zeros(1, 3, resolution, resolution)
    tmp = path + ".partial"
    # Not under torch.no_grad(): nn.MultiheadAttention's fused fast path cannot be exported by torch 1.13.
    torch.onnx.export(
        model,
        (example,),
        tmp,
        export_params=False,
        opset_version=OPSET,
        do_constant_folding=False,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        training=torch.onnx.TrainingMode.EVAL if fold_batchnorm else torch.onnx.TrainingMode.PRESERVE,
    )
    os.replace(tmp, path)


def fuse_gelu(path):
    """Rewrites Div(x, sqrt2) -> Erf -> Add(., 1) -> Mul(x, .) -> Mul(., 0.5) into Gelu(x); returns the count."""
    import onnx
    from onnx import helper

    model = onnx.load(path)
    graph = model.graph
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    by_output = {out: node for node in graph.node for out in node.output}

    def only_consumer(value, op_type):
        users = consumers.get(value, [])
        return users[0] if len(users) == 1 and users[0].op_type == op_type else None

    dead, replaced = set(), 0
    for div in list(graph.node):
        if div.op_type != "Div" or id(div) in dead:
            continue
        x = div.input[0]
        erf = only_consumer(div.output[0], "Erf")
        add = erf and only_consumer(erf.output[0], "Add")
        mul1 = add and only_consumer(add.output[0], "Mul")
        mul2 = mul1 and only_consumer(mul1.output[0], "Mul")
        if not mul2 or x not in mul1.input:
            continue
        gelu = helper.make_node("Gelu", [x], [mul2.output[0]], name=(mul2.name or div.name) + "/Gelu", domain="com.microsoft")
        graph.node.insert(list(graph.node).index(div), gelu)
        for node in (div, erf, add, mul1, mul2):
            dead.add(id(node))
        replaced += 1
    keep = [n for n in graph.node if id(n) not in dead]
    del graph.node[:]
    graph.node.extend(keep)
    if replaced and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    # Constants that fed only the removed nodes stay as unused nodes/initializers: harmless, no kernel.
    onnx.save(model, path)
    return replaced


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fold-batchnorm", action="store_true", help="fold BatchNorm into the convolutions (TensorRT, compilers)")
    ap.add_argument("--gelu-op", action="store_true", help="rewrite torch 1.13's five-node GELU into one Gelu node (opset 20)")
    ap.add_argument("models", nargs="+", help="builder:resolution")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    import torch
    import torchvision

    warnings.filterwarnings("ignore")
    torch.set_flush_denormal(True)
    helpers = truth_helpers()
    helpers.skip_weight_init(torch)
    helpers.skip_exporter_shape_inference()
    helpers.swin_masks_as_constants()
    helpers.export_zero_()

    files, errors = {}, {}
    for spec in args.models:
        builder, _, res = spec.partition(":")
        path = os.path.join(args.out, f"{builder}_{res}{'_bnfold' if args.fold_batchnorm else ''}{'_gelu' if args.gelu_op else ''}.onnx")
        try:
            if not os.path.exists(path):
                export(builder, int(res), path, args.fold_batchnorm)
                if args.gelu_op:
                    print(f"gpu-validate export: {spec}: {fuse_gelu(path)} GELU chains -> Gelu", file=sys.stderr, flush=True)
                print(f"gpu-validate export: {spec}", file=sys.stderr, flush=True)
            files[spec] = path
        except Exception as error:  # recorded per model, never fatal
            files[spec] = None
            errors[spec] = f"{type(error).__name__}: {error}"[:500]
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__, "files": files, "errors": errors}))


if __name__ == "__main__":
    main()
