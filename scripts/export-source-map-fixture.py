#!/usr/bin/env python3
"""Exports test/fixtures/source-map/tiny_net.py with the TorchScript ONNX exporter (verbose=True).

verbose=True makes torch.onnx.export keep each node's source range / Python stack in the NodeProto's
doc_string, which is what server/src/analysis/source-map/ reads. Run with a Python that has torch
(Debian: apt-get install python3-torch, then /usr/bin/python3 scripts/export-source-map-fixture.py).

BatchNorm is kept as a node so the fixture has a BatchNormalization to map too: with the default
training=TrainingMode.EVAL torch 1.13 folds it into the preceding Conv (`_jit_pass_onnx_eval_peephole`);
TrainingMode.PRESERVE on a model in eval mode skips that fold and still exports inference-mode BatchNorm.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "test", "fixtures", "source-map"))
sys.path.insert(0, FIXTURES)

from tiny_net import TinyNet  # noqa: E402


def main() -> None:
    torch.manual_seed(0)
    model = TinyNet().eval()
    example = torch.zeros(1, 3, 8, 8)
    out = os.path.join(FIXTURES, "tiny_net_torchscript.onnx")
    torch.onnx.export(
        model,
        (example,),
        out,
        verbose=True,
        opset_version=13,
        do_constant_folding=False,
        training=torch.onnx.TrainingMode.PRESERVE,
        input_names=["input"],
        output_names=["logits"],
    )
    print(f"wrote {out} ({os.path.getsize(out)} bytes) with torch {torch.__version__}")


if __name__ == "__main__":
    main()
