#!/bin/sh
# bench-ort.sh - what `make bench` runs: the same models in ONNX Runtime
# (CPU, 1 thread, scripts/ort/run_ort.js bench) and in layerfab on the
# emulated AWS F1 card (`layerfab bench`), in one run, then lf-bench's
# layer lines. Models: Fashion-MNIST, ResNet-18 and MobileNetV2 at batch
# 1, ResNet-50 at batch 1 and BATCH. Prints per model: ORT ms, emulator ms
# and their ratio, launches, device segments, DMA transfers and bytes per
# inference, mean transfer size, modeled card time and MAC utilisation
# over the CUs that ran; whether the projected card is faster or slower
# than one CPU core; the cycle model's per-loop breakdown (--loops); for
# ResNet-18 the per-layer table (--layers) summed against the device
# timeline; then
# one summary row per model and batch.
#
#   BUILD=build sh scripts/bench-ort.sh      (from the source root)
#
# Environment: BUILD (build dir, default build), ITERS (timed runs of the
# small model, default 50), ITERS_LARGE (ResNet-18, ResNet-50 and
# MobileNetV2 at batch 1, default 3), BATCH (ResNet-50 is run again at
# this batch; default 8, 0: skip) and ITERS_BATCH (its timed runs, default
# 1), LF_BENCH_XCLBIN (bitstream for layerfab and lf-bench; default: the
# device's own in the build tree).
#
# Installs what is missing first: onnxruntime-node from npm into
# $BUILD/ort (`npm install --ignore-scripts`: the package carries its
# binaries, nothing is downloaded at install time) and the generated
# models in $BUILD/models (scripts/models/make_resnet18.py and
# make_torchvision.py, with Debian's /usr/bin/python3; about a minute
# the first time).
set -eu

BUILD=${BUILD:-build}
ITERS=${ITERS:-50}
ITERS_LARGE=${ITERS_LARGE:-3}
BATCH=${BATCH:-8}
ITERS_BATCH=${ITERS_BATCH:-1}
XCLBIN=${LF_BENCH_XCLBIN:-}
LAYERFAB=$BUILD/bin/layerfab
LF_BENCH=$BUILD/bin/lf-bench
ORT_DIR=$BUILD/ort

for t in "$LAYERFAB" "$LF_BENCH"; do
	if [ ! -x "$t" ]; then
		echo "bench-ort.sh: $t is not built (run make first)" >&2
		exit 1
	fi
done

# --- what is missing ------------------------------------------------------
if [ ! -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ]; then
	echo "bench: installing onnxruntime-node into $ORT_DIR" \
		"(npm install --ignore-scripts)"
	mkdir -p "$ORT_DIR"
	(cd "$ORT_DIR" && npm install --ignore-scripts --no-audit --no-fund \
		onnxruntime-node >/dev/null)
fi
# run_ort.js require()s from here: it must be an absolute path.
ORT_NM=$(cd "$ORT_DIR" && pwd)/node_modules
export ORT_NODE_MODULES="$ORT_NM"
RESNET=$BUILD/models/resnet18_qop.onnx
RESNET50=$BUILD/models/resnet50_qop.onnx
MOBILENET=$BUILD/models/mobilenetv2_qop.onnx
mkdir -p "$BUILD/models"
if [ ! -f "$RESNET" ]; then
	echo "bench: generating $RESNET (scripts/models/make_resnet18.py)"
	/usr/bin/python3 scripts/models/make_resnet18.py --out "$RESNET"
fi
if [ ! -f "$RESNET50" ]; then
	echo "bench: generating $RESNET50 (scripts/models/make_torchvision.py)"
	/usr/bin/python3 scripts/models/make_torchvision.py --arch resnet50 \
		--out "$RESNET50"
fi
if [ ! -f "$MOBILENET" ]; then
	echo "bench: generating $MOBILENET (scripts/models/make_torchvision.py)"
	/usr/bin/python3 scripts/models/make_torchvision.py \
		--arch mobilenet_v2 --out "$MOBILENET"
fi

ORT_VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
	"$ORT_NM/onnxruntime-node/package.json" | head -n 1)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null |
	head -n 1)
XOPT=""
if [ -n "$XCLBIN" ]; then
	XOPT="--xclbin $XCLBIN"
fi

# Value of key $1 in the bench-kv line $KV.
kv() {
	printf '%s\n' "$KV" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# awk arithmetic and comparisons on decimal strings.
calc() {
	awk "BEGIN { printf \"$1\n\", $2 }"
}

SUMMARY=""
FAILED=0

bench_model() {
	model=$1
	iters=$2
	batch=$3
	extra=${4:-}
	name=$(basename "$model" .onnx)
	if [ "$batch" != 1 ]; then
		name="$name/b$batch"
	fi
	echo
	echo "=== $name ($model), batch $batch, $iters timed runs each"

	ort_out=$(node scripts/ort/run_ort.js bench "$model" --runs "$iters" \
		--batch "$batch" 2>&1) || {
		echo "ORT failed: $ort_out"
		FAILED=1
		return 0
	}
	ort_ms=$(printf '%s\n' "$ort_out" |
		sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
	echo "ORT: $ort_out"

	# shellcheck disable=SC2086 # XOPT and extra: empty or words
	# Modeled card times do not vary from run to run; the large models'
	# emulator runs are long, so they get no warm-up beyond the untimed
	# first run `layerfab bench` always makes.
	warmup=1
	if [ "$iters" -le 3 ]; then
		warmup=0
	fi
	lf_out=$("$LAYERFAB" bench "$model" --device emu $XOPT --warmup "$warmup" \
		--iters "$iters" --batch "$batch" --loops $extra --kv 2>&1) || {
		echo "layerfab bench failed:"
		printf '%s\n' "$lf_out" | sed 's/^/  /'
		FAILED=1
		SUMMARY="$SUMMARY
$(printf '%-18s %9s %10s %7s' "$name" "$ort_ms" "-" "-")  (layerfab failed)"
		return 0
	}
	printf '%s\n' "$lf_out" | grep -v '^bench-kv:' | grep -v '^bench: ' |
		sed 's/^/  /'
	KV=$(printf '%s\n' "$lf_out" | sed -n 's/^bench-kv: //p')
	if printf '%s\n' "$lf_out" | grep -q 'NOT EQUAL'; then
		echo "  the per-layer modeled times do not sum to the device timeline"
		FAILED=1
	fi

	emu_ms=$(kv wall_ms_median)
	ratio=$(calc "%.2f" "$emu_ms / $ort_ms")
	launches=$(kv launches)
	segments=$(kv segments)
	dma=$(kv dma)
	bytes=$(kv dma_bytes)
	io=$(kv io_bytes)
	io_max=$(kv io_max)
	mean=$(kv mean_xfer)
	dev_ms=$(kv dev_ms)
	util=$(kv util_pct)
	util_all=$(kv util_all_pct)
	cus=$(kv cus_used)
	cus_mac=$(kv cus_mac)
	cu_names=$(kv cus_used_names)
	io_ratio=$(calc "%.2f" "$bytes / ($io > 0 ? $io : 1)")

	card_ratio=$(calc "%.1f" "$dev_ms / $ort_ms")
	echo
	echo "  against ONNX Runtime (1 CPU thread, this run):"
	echo "    emulator $emu_ms ms vs ORT $ort_ms ms: ${ratio}x ORT's time"
	if awk "BEGIN { exit !($dev_ms > $ort_ms) }"; then
		echo "    projected card $dev_ms ms: ${card_ratio}x ORT's time," \
			"SLOWER than one CPU core (model projection, not measured)"
	else
		echo "    projected card $dev_ms ms: ${card_ratio}x ORT's time," \
			"faster than one CPU core (model projection, not measured)"
	fi
	echo "    $launches launches for $segments device segment(s); DMA:" \
		"$dma transfers, $bytes bytes (${io_ratio}x the model's" \
		"inputs+outputs), mean transfer $mean bytes; MAC utilisation" \
		"$util% over the $cus of $cus_mac CUs that ran ($cu_names;" \
		"over all $cus_mac: $util_all%)"
	SUMMARY="$SUMMARY
$(printf '%-18s %9s %10s %7s %9s %8s %7s %12s %11s %12s %7s' \
		"$name" "$ort_ms" "$emu_ms" "${ratio}x" "$launches" "$segments" \
		"$dma" "$bytes" "$mean" "$dev_ms" "$util%")"
}

echo "layerfab bench: ONNX Runtime $ORT_VERSION (CPU, 1 thread, graph" \
	"optimisation 'all') vs layerfab on the emulated card: emu:aws-f1 is" \
	"the bitstreams/aws-f1 build (layerfab info ${XCLBIN:-$BUILD/bitstreams/emu-aws-f1.xclbin} lists its parameters)"
echo "host: ${CPU:-unknown CPU}, $(nproc 2>/dev/null || echo '?') cores"
echo "modeled = the emulator's timing model's projection of the card," \
	"not a measurement"

bench_model models/fmnist_qop.onnx "$ITERS" 1
# ResNet-18 with its per-layer table (--layers: each layer's own modeled
# time, checked to sum to the device timeline's events).
bench_model "$RESNET" "$ITERS_LARGE" 1 --layers
bench_model "$RESNET50" "$ITERS_LARGE" 1
if [ "$BATCH" -gt 1 ]; then
	bench_model "$RESNET50" "$ITERS_BATCH" "$BATCH"
fi
bench_model "$MOBILENET" "$ITERS_LARGE" 1

echo
echo "=== summary (per run of the batch; emulator and ORT: median wall" \
	"ms, ratio = emu/ORT; card: modeled ms; MAC% over the CUs that ran)"
printf '%-18s %9s %10s %7s %9s %8s %7s %12s %11s %12s %7s\n' model \
	"ORT ms" "emu ms" ratio launches segments DMA "DMA bytes" \
	"mean xfer" "card ms" "MAC %"
printf '%s\n' "$SUMMARY" | sed '/^$/d'

echo
echo "=== layers (lf-bench)"
# shellcheck disable=SC2086
"$LF_BENCH" --device emu $XOPT || FAILED=1

echo
echo "reproduce: make bench   (or: BUILD=$BUILD ITERS=$ITERS" \
	"ITERS_LARGE=$ITERS_LARGE BATCH=$BATCH ITERS_BATCH=$ITERS_BATCH" \
	"${XCLBIN:+LF_BENCH_XCLBIN=$XCLBIN }sh scripts/bench-ort.sh)"
echo "one model: $LAYERFAB bench MODEL.onnx --device emu $XOPT --iters N" \
	"[--batch B]; ORT: node scripts/ort/run_ort.js bench MODEL.onnx" \
	"--runs N [--batch B]"
exit "$FAILED"
