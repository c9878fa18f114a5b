#!/bin/sh
# run.sh - test scripts/hls-lint against its fixtures.
#
# Every fixtures/bad_* file seeds violations and marks each expected one
# with a `LINT-EXPECT: <rule>` comment on the line the linter must report.
# A bad fixture passes when the linter exits 1 and reports exactly the
# marked (line, rule) pairs: nothing missing, nothing extra. Every
# fixtures/good_* file must pass with exit 0 and no finding. The last line
# is "N passed, M failed"; the exit status is 1 if anything failed.
# Failures are always printed; passes only with VERBOSE=1.
#
#   tests/hls_lint/run.sh            (from the repository root or anywhere)
#   VERBOSE=1 PYTHON=/usr/bin/python3 tests/hls_lint/run.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lint="$root/scripts/hls-lint"
python=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$python" ]; then
	echo "run.sh: $python not found: install Debian's python3 (scripts/install-deps.sh)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
pass() {
	passed=$((passed + 1))
	[ "${VERBOSE:-0}" = 0 ] || echo "PASS $1"
}
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

for f in "$here"/fixtures/bad_* "$here"/fixtures/good_*; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	"$python" "$lint" "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	# The linter's findings as "line rule", sorted.
	sed -n 's/^[^:]*:\([0-9][0-9]*\): \([a-z-]*\): .*/\1 \2/p' "$tmp/out" |
		sort -u >"$tmp/got"
	case $name in
	bad_*)
		grep -n 'LINT-EXPECT:' "$f" |
			sed 's/^\([0-9]*\):.*LINT-EXPECT: *\([a-z-]*\).*/\1 \2/' |
			sort -u >"$tmp/want"
		if [ ! -s "$tmp/want" ]; then
			fail "$name" "fixture has no LINT-EXPECT marker"
		elif [ "$rc" -ne 1 ]; then
			fail "$name" "exit status $rc, want 1 ($(cat "$tmp/err"))"
		elif ! cmp -s "$tmp/want" "$tmp/got"; then
			fail "$name" "findings differ from the LINT-EXPECT markers:
$(diff "$tmp/want" "$tmp/got" | sed -n 's/^</  missing:/p; s/^>/  extra:  /p')"
		else
			pass "$name ($(wc -l <"$tmp/want" | tr -d ' ') finding(s))"
		fi
		;;
	good_*)
		if [ "$rc" -ne 0 ] || [ -s "$tmp/got" ]; then
			fail "$name" "exit status $rc, want 0 with no finding:
$(cat "$tmp/out" "$tmp/err")"
		else
			pass "$name"
		fi
		;;
	esac
done

# Every rule the linter knows has at least one seeded fixture.
for rule in $("$python" "$lint" --rules | sed -n 's/^\([a-z][a-z-]*\)$/\1/p'); do
	if grep -q "LINT-EXPECT: $rule\b" "$here"/fixtures/bad_*; then
		pass "rule $rule has a seeded fixture"
	else
		fail "rule $rule" "no fixtures/bad_* file expects it"
	fi
done

# Usage errors are not findings: a missing file is exit status 2.
"$python" "$lint" "$tmp/no-such-file.c" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then
	pass "missing file gives exit status 2"
else
	fail "missing file" "exit status $rc, want 2"
fi

# All fixtures at once: the call graph spans files, and each file's own
# findings must survive being linted together.
"$python" "$lint" "$here"/fixtures/bad_recursion.c "$here"/fixtures/good_kernel.c \
	>"$tmp/out" 2>/dev/null
if grep -q 'bad_recursion.c:[0-9]*: recursion:' "$tmp/out" &&
	! grep -q 'good_kernel.c' "$tmp/out"; then
	pass "files linted together"
else
	fail "files linted together" "$(cat "$tmp/out")"
fi

echo "hls-lint-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
