#!/usr/bin/env python3
"""Torchvision models WITH weights for the CPU validation (docs/validation/README.md, run-cpu.sh).

    /usr/bin/python3 scripts/validation-export.py --out DIR [--only resnet50,mobilenet_v2,...]

Writes DIR/<name>.onnx for resnet50, mobilenet_v2, vit_b_16, efficientnet_b0 and convnext_tiny:
torchvision's builders with weights=None (random weights, the pretrained sizes), eval mode, batch 1,
3×224×224, fixed shapes, opset 17, exported with their weights so ONNX Runtime can run them (the
exports of scripts/torchvision-truth.py have none). The export itself is real-models-export.py's
`export_all()` (same opset, same temporary-name-then-rename, weights seeded per model). A file already there is kept.
Prints one JSON line: {"torch": ..., "torchvision": ..., "files": {name: path}}.
"""
import argparse
import importlib.util
import json
import os

import torch
import torchvision

MODELS = ["resnet50", "mobilenet_v2", "vit_b_16", "efficientnet_b0", "convnext_tiny"]


def real_models_export():
    """scripts/real-models-export.py as a module (its file name has a hyphen, so no plain import)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "real-models-export.py")
    spec = importlib.util.spec_from_file_location("real_models_export", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", default=",".join(MODELS))
    args = parser.parse_args()
    files = real_models_export().export_all(args.out, args.only.split(","))
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__, "files": files}))


if __name__ == "__main__":
    main()
