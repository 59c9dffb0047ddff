#!/usr/bin/env bash
# Reproduces the CPU figures in docs/validation/README.md: calibrate this machine, then measure each
# corpus model and five torchvision models against their predictions.
# Usage: docs/validation/run-cpu.sh [OUT_DIR] [THREADS]      (THREADS defaults to 1, as the issue asks)
# Needs onnxruntime-node, and /usr/bin/python3 with torch + torchvision for the torchvision exports
# (scripts/validation-export.py). Environment:
#   RUNS=20            measured runs per model and per calibration micro-model
#   STAT=median|min    per-op and run times: the median over the runs, or the fastest (--statistic)
#   MODELS_DIR=DIR     reuse torchvision exports already there (default OUT_DIR/models)
#   SKIP_CALIBRATE=1   keep OUT_DIR/chips.json
#   ONLY=REGEX         measure only the models whose file name matches
#   PIN=0|none         with one thread, run every ONNX Runtime session on this core (taskset; default 0)
#   MAX_LOAD=X         before calibrating and before each model, wait (up to WAIT_S=600 s) until the
#                      1-minute load average is at most X
# Each model is measured once (its ONNX Runtime profile kept) and that one profile is compared with two
# predictions from the same calibration: "local-cpu-1roof" (the calibrated roofs, no efficiency object:
# one roof per chip) and "local-cpu" (with the fitted per-class efficiency). Writes OUT_DIR/chips.json,
# OUT_DIR/grid.json (the calibration's measurements: `calibrate --refit` reads them),
# OUT_DIR/<model>.{profile,1roof,fitted}.json and OUT_DIR/summary.jsonl (one line per model and chip),
# and prints one summary line per model and chip with the load averages (`uptime`) around the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/ridgepoint-validation}
THREADS=${2:-1}
RUNS=${RUNS:-20}
STAT=${STAT:-median}
M=../shared/corpus/models
MODELS_DIR=${MODELS_DIR:-$OUT/models}
mkdir -p "$OUT"
: > "$OUT/summary.jsonl"
# One thread pinned to one core (taskset, when there is one): unpinned, the scheduler moves the thread
# between cores mid-run, and a depthwise-heavy model then measured 28–44 ms run to run (efficientnet_b0,
# load < 0.3); pinned it measured 28–30 ms on either core. PIN=none turns it off.
PIN=${PIN:-0}
if [ "$PIN" != none ] && [ "$THREADS" = 1 ] && command -v taskset >/dev/null; then
  rp() { taskset -c "$PIN" npx --no-install tsx server/src/cli/main.ts "$@"; }
else
  rp() { npx --no-install tsx server/src/cli/main.ts "$@"; }
fi
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*load average: //'; }
wait_quiet() {
  [ -n "${MAX_LOAD:-}" ] || return 0
  local waited=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }' && [ "$waited" -lt "${WAIT_S:-600}" ]; do
    sleep 10; waited=$((waited + 10))
  done
}
if [ "${SKIP_CALIBRATE:-0}" != 1 ]; then
  wait_quiet
  echo "load before calibrate: $(load)"
  rp calibrate --threads "$THREADS" --runs "$RUNS" --statistic "$STAT" --chips "$OUT/chips.json" --save-measurements "$OUT/grid.json"
  echo "load after calibrate: $(load)"
fi
# The same calibration without its efficiency object: the one-roof prediction ("before").
node -e '
  const fs = require("fs"); const file = process.argv[1]; const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const chips = doc.chips.filter((c) => c.id !== "local-cpu-1roof");
  const fitted = chips.find((c) => c.id === "local-cpu"); const { efficiency, ...oneRoof } = fitted;
  chips.push({ ...oneRoof, id: "local-cpu-1roof", name: oneRoof.name + ", one roof" });
  fs.writeFileSync(file, JSON.stringify({ ...doc, chips }, null, 2) + "\n");
' "$OUT/chips.json"
/usr/bin/python3 scripts/validation-export.py --out "$MODELS_DIR" >/dev/null
summarise() {
  node -e '
    const fs = require("fs");
    const [file, model, args, chip, before, after, summary] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync(file, "utf8")).measurement;
    const f = (x, d = 3) => (x === null ? "-" : x.toFixed(d));
    const pct = (x) => (x === null ? "-" : (x * 100).toFixed(1) + "%");
    const kernelError = (m.predictedSeconds - m.measuredKernelSeconds) / m.measuredKernelSeconds;
    fs.appendFileSync(summary, JSON.stringify({ model, args, chip, statistic: m.statistic, runs: m.runs, matched: m.matched, compared: m.compared, significantOps: m.significantOps,
      spearman: m.spearman, spearmanSignificant: m.spearmanSignificant, medianAbsError: m.medianAbsError, endToEndError: m.endToEndError, kernelSumError: kernelError,
      predictedSeconds: m.predictedSeconds, measuredRunSeconds: m.measuredRunSeconds, measuredKernelSeconds: m.measuredKernelSeconds, loadBefore: before, loadAfter: after }) + "\n");
    console.log([model, args, chip, `${m.statistic} of ${m.runs} runs`, `matched ${m.matched} (compared ${m.compared})`,
      `spearman ${f(m.spearman)} (ops ≥1%: ${f(m.spearmanSignificant)})`, `median|err| ${pct(m.medianAbsError)} over ${m.significantOps}`,
      `end-to-end ${pct(m.endToEndError)} (pred ${(m.predictedSeconds * 1e3).toFixed(3)} ms, run ${(m.measuredRunSeconds * 1e3).toFixed(3)} ms; ` +
        `against the sum of per-op times ${(m.measuredKernelSeconds * 1e3).toFixed(3)} ms: ${pct(kernelError)})`,
      `load ${before} → ${after}`].join(" | "));
  ' "$@"
}
# measure FILE "ARGS SHARED WITH profile" [MEASURE-ONLY ARGS...]
measure() {
  local file=$1 shared=$2; shift 2
  local name; name=$(basename "$file" .onnx)
  [[ "$name" =~ ${ONLY:-.} ]] || return 0
  wait_quiet
  local before; before=$(load)
  # shellcheck disable=SC2086  # $shared holds several flags
  if rp measure "$file" $shared --chips "$OUT/chips.json" --chip local-cpu --threads "$THREADS" --runs "$RUNS" --statistic "$STAT" \
      --save-profile "$OUT/$name.profile.json" --format json --out "$OUT/$name.measure.json" "$@"; then
    local after; after=$(load)
    for chip in 1roof fitted; do
      local id=local-cpu; [ "$chip" = 1roof ] && id=local-cpu-1roof
      # shellcheck disable=SC2086
      rp profile "$file" $shared --chips "$OUT/chips.json" --chip "$id" --peak achievable --no-suggestions \
        --measured "$OUT/$name.profile.json" --statistic "$STAT" --format json --out "$OUT/$name.$chip.json" || true
      summarise "$OUT/$name.$chip.json" "$file" "$shared $*" "$chip" "$before" "$after" "$OUT/summary.jsonl" || echo "$file | $chip | no report (see above)"
    done
  else
    echo "$file | ONNX Runtime could not run it (see above) | load $before → $(load)"
  fi
}
measure $M/cnn/mnist-8_cntk.onnx ""
measure $M/cnn/super_resolution_ir1.onnx ""
measure $M/transformer/vespa_random_encoder.onnx "--dim batch=16 --dim tokens=512"
measure $M/transformer/vespa_dummy_transformer.onnx "--dim batch=16 --dim tokens=512"
measure $M/control-flow/tract_qlstm_scan.onnx "--input input=32x3" --runs 5
measure $M/misc/tract_byte_sb_bidi_lstm.onnx "--dim batch=16 --dim length=256"
measure $M/misc/keras_conv1d_lstm_onnxconverter.onnx ""
measure $M/misc/pytorch_image_classifier32_resize.onnx "--dim batch_size=64"
for model in resnet50 mobilenet_v2 vit_b_16 efficientnet_b0 convnext_tiny; do
  measure "$MODELS_DIR/$model.onnx" ""
done
