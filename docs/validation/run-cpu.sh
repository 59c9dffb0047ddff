#!/usr/bin/env bash
# Reproduces the CPU figures in docs/validation/README.md: calibrate this machine, then measure each
# corpus model against its prediction. Usage: docs/validation/run-cpu.sh [OUT_DIR] [THREADS]
# Needs onnxruntime-node. Writes OUT_DIR/chips.json (the calibrated chip), OUT_DIR/<model>.json (the
# report with its measurement) and prints one summary line per model.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/ridgepoint-validation}
THREADS=${2:-$(node -p 'require("os").availableParallelism()')}
RUNS=${RUNS:-20}
M=../shared/corpus/models
mkdir -p "$OUT"
rp() { npx --no-install tsx server/src/cli/main.ts "$@"; }
rp calibrate --threads "$THREADS" --runs "$RUNS" --chips "$OUT/chips.json"
measure() {
  local file=$1; shift
  local name; name=$(basename "$file" .onnx)
  if rp measure "$M/$file" --chips "$OUT/chips.json" --chip local-cpu --threads "$THREADS" --runs "$RUNS" --format json --out "$OUT/$name.json" "$@"; then
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const m = r.measurement;
      const f = (x, d = 2) => (x === null ? "-" : x.toFixed(d));
      console.log([process.argv[2], process.argv[3], `matched ${m.matched} (compared ${m.compared}, unmatched nodes ${m.unmatchedNodes.length}, kernels ${m.unmatchedKernels.length})`,
        `spearman ${f(m.spearman, 3)}`, `median|err| ${m.medianAbsError === null ? "-" : (m.medianAbsError * 100).toFixed(1) + "%"} over ${m.significantOps}`,
        `end-to-end ${m.endToEndError === null ? "-" : (m.endToEndError * 100).toFixed(1) + "%"} (pred ${(m.predictedSeconds * 1e3).toFixed(3)} ms, run ${(m.measuredRunSeconds * 1e3).toFixed(3)} ms)`].join(" | "));
    ' "$OUT/$name.json" "$file" "$*"
  else
    echo "$file | ONNX Runtime could not run it (see above)"
  fi
}
measure cnn/mnist-8_cntk.onnx
measure cnn/super_resolution_ir1.onnx
measure transformer/vespa_random_encoder.onnx --dim batch=16 --dim tokens=512
measure transformer/vespa_dummy_transformer.onnx --dim batch=16 --dim tokens=512
measure control-flow/tract_qlstm_scan.onnx --input input=32x3 --runs 5
measure misc/tract_byte_sb_bidi_lstm.onnx --dim batch=16 --dim length=256
measure misc/keras_conv1d_lstm_onnxconverter.onnx
measure misc/pytorch_image_classifier32_resize.onnx --dim batch_size=64
