#!/bin/sh
# gen_vectors.sh - regenerate layerfab's ONNX Runtime oracle data from scratch.
# Run by hand from anywhere (not by make). Writes:
#   models/fmnist_qop.onnx, models/fmnist_qdq.onnx   (quantize.py)
#   tests/data/ort/fmnist_qop/, tests/data/ort/fmnist_qdq/   (3 test data sets each)
#   tests/data/ort/ops/<case>/   (58 single-op models, 2 test data sets each)
# and prints ORT's accuracy and the 'all' vs 'disabled' optimisation check.
#
#   scripts/ort/gen_vectors.sh            keep models/fmnist_float.onnx as committed
#   scripts/ort/gen_vectors.sh --train    retrain it first (python3-torch, ~1.5 min)
#
# Needs: Debian python3-onnx python3-numpy dataset-fashion-mnist (and
# python3-torch for --train), nodejs + npm. onnxruntime-node is installed
# into build/ort (not committed) with --ignore-scripts if it is missing.
set -eu

ORT_VERSION=1.30.0
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3      # Debian's modules do not import under a pyenv python
cd "$ROOT"

for p in python3-onnx python3-numpy dataset-fashion-mnist; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		{ echo "gen_vectors: missing Debian package $p (apt-get install $p)" >&2; exit 1; }
done
command -v node >/dev/null || { echo "gen_vectors: node not found" >&2; exit 1; }

if [ ! -f build/ort/node_modules/onnxruntime-node/package.json ]; then
	echo "gen_vectors: installing onnxruntime-node@$ORT_VERSION into build/ort"
	mkdir -p build/ort
	[ -f build/ort/package.json ] || echo '{"name":"layerfab-ort","private":true}' > build/ort/package.json
	(cd build/ort && npm install --ignore-scripts --no-audit --no-fund "onnxruntime-node@$ORT_VERSION")
fi
test -f build/ort/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node ||
	{ echo "gen_vectors: onnxruntime-node has no linux-x64 binary" >&2; exit 1; }

if [ "${1:-}" = "--train" ]; then
	$PY scripts/models/train_fmnist.py
fi

$PY scripts/models/quantize.py
$PY scripts/ort/make_op_models.py
node scripts/ort/run_ort.js ops
node scripts/ort/run_ort.js vectors
$PY scripts/ort/make_op_models.py --check
node scripts/ort/run_ort.js accuracy
# Informational: QDQ and float models legitimately differ between levels.
node scripts/ort/run_ort.js check-opt || true
du -sb tests/data/ort models
