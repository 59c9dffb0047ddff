#!/usr/bin/env python3
"""Real ONNX exports for the code-server suite on real models (test/e2e/vscode-real-models.test.ts).

    /usr/bin/python3 scripts/real-models-export.py --out DIR

Writes, with real torch (Debian's python3-torch and python3-torchvision), what a user exports:

- DIR/resnet50.onnx, DIR/vit_b_16.onnx: torchvision's builders (weights=None: random weights, the same
  sizes as the pretrained ones) exported WITH their weights (export_params=True, opset 17, torch's default
  constant folding), so the files have a user's size (vit_b_16: ~346 MB). scripts/torchvision-truth.py
  exports without weights (a MAC count needs none); the editor's behaviour on a large file does.
- DIR/ppocr_det_like.onnx: a small text detector shaped like PP-OCR's DB detector (a conv backbone that
  halves the image four times, an FPN-style neck that upsamples and adds, a head that upsamples back and
  ends in a sigmoid), exported with its batch, height and width dynamic under the names Paddle2ONNX gives
  them: p2o.DynamicDimension.0 / .1 / .2.

A file is written to a temporary name and renamed, so an interrupted run never leaves a half file.
Prints one JSON line: {"torch": ..., "torchvision": ..., "files": {name: path}}.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn
import torchvision

OPSET = 17


class ConvBnRelu(nn.Sequential):
    def __init__(self, cin, cout, stride=1):
        super().__init__(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Backbone(nn.Module):
    """Four stages, each halving the image: features at 1/2, 1/4, 1/8, 1/16."""

    def __init__(self):
        super().__init__()
        widths = [3, 16, 32, 64, 128]
        self.stages = nn.ModuleList(
            nn.Sequential(ConvBnRelu(widths[i], widths[i + 1], 2), ConvBnRelu(widths[i + 1], widths[i + 1])) for i in range(4)
        )

    def forward(self, x):
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features


class Neck(nn.Module):
    """FPN-style: 1x1 convs to one width, each coarser map upsampled and added to the finer one."""

    def __init__(self, widths=(16, 32, 64, 128), out=32):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(w, out, 1, bias=False) for w in widths)
        self.smooth = nn.Conv2d(out, out, 3, 1, 1, bias=False)

    def forward(self, features):
        x = self.lateral[-1](features[-1])
        for lateral, feature in zip(reversed(self.lateral[:-1]), reversed(features[:-1])):
            x = nn.functional.interpolate(x, scale_factor=2.0, mode="nearest") + lateral(feature)
        return self.smooth(x)


class Head(nn.Module):
    """DB's probability head: conv, then two transposed convs back to the input size, then a sigmoid."""

    def __init__(self, cin=32):
        super().__init__()
        self.conv = ConvBnRelu(cin, cin // 4)
        self.up1 = nn.Sequential(nn.ConvTranspose2d(cin // 4, cin // 4, 2, 2), nn.BatchNorm2d(cin // 4), nn.ReLU())
        self.up2 = nn.ConvTranspose2d(cin // 4, 1, 1, 1)

    def forward(self, x):
        x = nn.functional.interpolate(self.up1(self.conv(x)), scale_factor=1.0, mode="nearest")
        return torch.sigmoid(self.up2(x))


class TextDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.neck = Neck()
        self.head = Head()

    def forward(self, x):
        return self.head(self.neck(self.backbone(x)))


def export(model, example, path, **kwargs):
    tmp = path + ".tmp"
    # Not under torch.no_grad(): without autograd nn.MultiheadAttention takes its fused fast path
    # (aten::_native_multi_head_attention), which the 1.13 exporter cannot export (as torchvision-truth.py).
    torch.onnx.export(model.eval(), example, tmp, opset_version=OPSET, export_params=True, **kwargs)
    os.replace(tmp, path)


def export_all(out, names):
    """Exports each name (a torchvision builder, or ppocr_det_like) to OUT/<name>.onnx unless it is there; {name: path}."""
    os.makedirs(out, exist_ok=True)
    files = {}
    for name in names:
        path = os.path.join(out, name + ".onnx")
        if not os.path.exists(path):
            print(f"exporting {name}", file=sys.stderr, flush=True)
            # Seeded per model: a file's random weights do not depend on which others were exported with it.
            torch.manual_seed(0)
            if name == "ppocr_det_like":
                dims = {0: "p2o.DynamicDimension.0", 2: "p2o.DynamicDimension.1", 3: "p2o.DynamicDimension.2"}
                export(TextDetector(), torch.randn(1, 3, 640, 640), path, input_names=["x"], output_names=["sigmoid_0.tmp_0"],
                       dynamic_axes={"x": dims, "sigmoid_0.tmp_0": dims})
            else:
                model = torchvision.models.get_model(name, weights=None)
                export(model, torch.randn(1, 3, 224, 224), path, input_names=["input"], output_names=["output"])
        files[name] = path
    return files


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", default="resnet50,vit_b_16,ppocr_det_like")
    args = parser.parse_args()
    files = export_all(args.out, args.only.split(","))
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__, "files": files}))


if __name__ == "__main__":
    main()
