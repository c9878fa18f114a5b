#!/bin/sh
# run.sh - test scripts/check-includes against its fixtures.
#
# Each fixtures/<case>/ is a small tree with a hostlib/ of its own and an
# `expect` file: the exit status on its first line, then exactly the
# problem lines the checker must print (every line but its summary), in
# order. `good` must pass; the others seed a cycle, an include a README
# does not allow, a README without "May include:", and backend names in
# library code, so the checker is shown to fail when it should. The last
# line is "N passed, M failed"; the exit status is 1 if anything failed.
#
#   tests/check_includes/run.sh          (PYTHON=/usr/bin/python3 by default)
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
for dir in "$here"/fixtures/*/; do
	name=$(basename "$dir")
	"$python" "$root/scripts/check-includes" --root "$dir" >"$tmp/out" 2>&1
	rc=$?
	want_rc=$(head -n 1 "$dir/expect")
	tail -n +2 "$dir/expect" >"$tmp/want"
	sed '$d' "$tmp/out" >"$tmp/got"
	if [ "$rc" = "$want_rc" ] && cmp -s "$tmp/want" "$tmp/got"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: exit $rc (want $want_rc)"
		diff "$tmp/want" "$tmp/got" | sed 's/^/  /'
	fi
done
echo "check-includes fixtures: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
