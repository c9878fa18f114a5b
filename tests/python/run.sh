#!/bin/sh
# tests/python/run.sh BUILD [LIBRARY] - the tests of python/layerfab
# with Debian's /usr/bin/python3, against BUILD's liblayerfab.so, as
# `make test` runs them. Quiet on success but for one line; the whole
# unittest output when something fails.
set -u
B=${1:-build}
LIBRARY=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $B in
/*) ;;
*) B=$(pwd)/$B ;;
esac
PY=/usr/bin/python3
if ! "$PY" -c 'import numpy, onnx' 2>/dev/null; then
	echo "SKIP: python tests: $PY cannot import numpy and onnx" \
		"(python3-numpy, python3-onnx)"
	exit 0
fi
log=$(mktemp "${TMPDIR:-/tmp}/lf-python.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
cd "$ROOT" || exit 1
if env LAYERFAB_LIBRARY="${LIBRARY:-$B/lib/liblayerfab.so}" LAYERFAB_BUILD="$B" \
	LF_SRC="$ROOT" PYTHONPATH="$ROOT/python" PYTHONDONTWRITEBYTECODE=1 \
	"$PY" -m unittest discover -s tests/python -p 'test_*.py' \
	>"$log" 2>&1; then
	echo "python tests: $(grep -E '^Ran [0-9]+ test' "$log"), OK"
	exit 0
fi
cat "$log"
echo "FAIL: python tests (tests/python)"
exit 1
