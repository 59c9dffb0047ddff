#!/usr/bin/env bash
# One short GPU calibration run (docs/validation/gpu.md): about 2-4 minutes on an H100, capped at 8.
#   scripts/gpu-validate/run-h100.sh OUT_DIR [CHIP_ID]
# Writes OUT_DIR/bench.json (cases, launch costs, the fitted chip efficiency) and OUT_DIR/bench.log.
set -euo pipefail
out="${1:?usage: run-h100.sh OUT_DIR [CHIP_ID]}"
chip="${2:-h100}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,power.limit --format=csv | tee "$out/gpu.txt"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))' | tee -a "$out/gpu.txt"
timeout 480 python3 scripts/gpu-validate/bench.py --out "$out/bench.json" --chip "$chip" --dtype bf16 --runs 30 2>&1 | tee "$out/bench.log"
python3 - "$out/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"device": d["device"], "seconds": d["seconds"], "memoryHalfBytes": d["memoryHalfBytes"], "chip": d["chip"]}, indent=1))
PY
