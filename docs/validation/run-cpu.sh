#!/usr/bin/env bash
# Reproduces the CPU figures in docs/validation/README.md: calibrate this machine, then measure each
# corpus model and five torchvision models against their predictions.
# Usage: docs/validation/run-cpu.sh [OUT_DIR] [THREADS]      (THREADS defaults to 1, as the issue asks)
# Needs onnxruntime-node, and /usr/bin/python3 with torch + torchvision for the torchvision exports
# (scripts/validation-export.py; MODELS_DIR=DIR reuses exports already there, SKIP_CALIBRATE=1 keeps
# OUT_DIR/chips.json). Writes OUT_DIR/chips.json (the calibrated chip), OUT_DIR/grid.json (the
# calibration's measurements: `calibrate --refit` reads them), OUT_DIR/<model>.json (the report
# with its measurement), OUT_DIR/summary.jsonl (one line per model) and prints one summary line per
# model with the load averages (`uptime`) before and after it.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/ridgepoint-validation}
THREADS=${2:-1}
RUNS=${RUNS:-20}
M=../shared/corpus/models
MODELS_DIR=${MODELS_DIR:-$OUT/models}
mkdir -p "$OUT"
: > "$OUT/summary.jsonl"
rp() { npx --no-install tsx server/src/cli/main.ts "$@"; }
load() { uptime | sed 's/.*load average: //'; }
if [ "${SKIP_CALIBRATE:-0}" != 1 ]; then
  echo "load before calibrate: $(load)"
  rp calibrate --threads "$THREADS" --runs "$RUNS" --chips "$OUT/chips.json" --save-measurements "$OUT/grid.json"
  echo "load after calibrate: $(load)"
fi
/usr/bin/python3 scripts/validation-export.py --out "$MODELS_DIR" >/dev/null
measure() {
  local file=$1; shift
  local name; name=$(basename "$file" .onnx)
  local before; before=$(load)
  if rp measure "$file" --chips "$OUT/chips.json" --chip local-cpu --threads "$THREADS" --runs "$RUNS" --format json --out "$OUT/$name.json" "$@"; then
    node -e '
      const fs = require("fs");
      const [file, model, args, before, after, summary] = process.argv.slice(1);
      const m = JSON.parse(fs.readFileSync(file, "utf8")).measurement;
      const f = (x, d = 3) => (x === null ? "-" : x.toFixed(d));
      const pct = (x) => (x === null ? "-" : (x * 100).toFixed(1) + "%");
      fs.appendFileSync(summary, JSON.stringify({ model, args, matched: m.matched, compared: m.compared, significantOps: m.significantOps,
        spearman: m.spearman, spearmanSignificant: m.spearmanSignificant, medianAbsError: m.medianAbsError, endToEndError: m.endToEndError,
        predictedSeconds: m.predictedSeconds, measuredRunSeconds: m.measuredRunSeconds, measuredKernelSeconds: m.measuredKernelSeconds, loadBefore: before, loadAfter: after }) + "\n");
      console.log([model, args, `matched ${m.matched} (compared ${m.compared}, unmatched nodes ${m.unmatchedNodes.length}, kernels ${m.unmatchedKernels.length})`,
        `spearman ${f(m.spearman)} (ops ≥1%: ${f(m.spearmanSignificant)})`, `median|err| ${pct(m.medianAbsError)} over ${m.significantOps}`,
        `end-to-end ${pct(m.endToEndError)} (pred ${(m.predictedSeconds * 1e3).toFixed(3)} ms, run ${(m.measuredRunSeconds * 1e3).toFixed(3)} ms; ` +
          `against the sum of per-op medians ${(m.measuredKernelSeconds * 1e3).toFixed(3)} ms: ${pct((m.predictedSeconds - m.measuredKernelSeconds) / m.measuredKernelSeconds)})`,
        `load ${before} → ${after}`].join(" | "));
    ' "$OUT/$name.json" "$file" "$*" "$before" "$(load)" "$OUT/summary.jsonl"
  else
    echo "$file | ONNX Runtime could not run it (see above) | load $before → $(load)"
  fi
}
measure $M/cnn/mnist-8_cntk.onnx
measure $M/cnn/super_resolution_ir1.onnx
measure $M/transformer/vespa_random_encoder.onnx --dim batch=16 --dim tokens=512
measure $M/transformer/vespa_dummy_transformer.onnx --dim batch=16 --dim tokens=512
measure $M/control-flow/tract_qlstm_scan.onnx --input input=32x3 --runs 5
measure $M/misc/tract_byte_sb_bidi_lstm.onnx --dim batch=16 --dim length=256
measure $M/misc/keras_conv1d_lstm_onnxconverter.onnx
measure $M/misc/pytorch_image_classifier32_resize.onnx --dim batch_size=64
for model in resnet50 mobilenet_v2 vit_b_16 efficientnet_b0 convnext_tiny; do
  measure "$MODELS_DIR/$model.onnx"
done
