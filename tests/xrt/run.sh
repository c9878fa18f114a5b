#!/bin/sh
# tests/xrt/run.sh - run layerfab's XRT suites inside XRT's software
# emulation (Debian's libxrt_swemu, patched copy, with layerfab's device
# process), as `make test` does.
#
#   tests/xrt/run.sh [--self-check] [BUILD [SUITE...]]
#
# BUILD defaults to build, SUITE to "xrt xrt_fault xrt_opencl
# lf_tests:opencl_xilinx lf_tests:device_conformance lf_tests:realworld
# lf_tests:cu_split" (the last with emu-aws-f1.xclbin, whose kernels have
# the barrier ring: both engine CUs as one group through XRT).
# --self-check first proves the harness contains what it must: a suite
# that signals its whole process group (as the shim does, pitfall 4) and
# one that hangs (pitfall 5) both end without taking this script down.
#
# Each suite runs as its own process, through scripts/xrt-swemu-run (the
# same set-up a user gets for any command; see there):
#   - in its own session and process group, under
#     `timeout -k 5 $LF_XRT_TIMEOUT` (default 120 s): the shim kill()s its
#     process group on some errors, and a dead device process can leave
#     XRT spinning; neither may reach make;
#   - with XCL_EMULATION_MODE=sw_emu, XILINX_XRT = the private prefix
#     holding the patched libxrt_swemu.so.2 (scripts/xrt-swemu-setup.sh),
#     XILINX_VITIS = the tree holding the device process, a USER of its
#     own (the shim's socket is /tmp/$USER/...; without USER every run
#     shares /tmp/xcl_sock), EMCONFIG_PATH = a directory with an
#     emconfig.json describing emu-tiny.xclbin's platform and banks,
#     SDACCEL_EM_RUN_DIR and TMPDIR in a fresh temporary directory (the
#     shim leaves files behind), deleted after; the working directory is
#     another fresh one;
#   - OCL_ICD_VENDORS = a directory whose xilinx.icd names
#     libxilinxopencl, so OpenCL hosts see XRT's platform only.
# A suite's output (stdout and stderr: XRT prints "[XRT] ERROR" lines for
# the errors the suites provoke on purpose) is shown only when it fails.
#
# In an instrumented build (make check-asan) LeakSanitizer ignores what
# XRT's libraries leak (tests/xrt/lsan.supp).
#
# Exit status: 0 when every suite passed, or when XRT is not installed
# (prints "SKIP: ..."); 1 otherwise.
set -u

self_check=0
if [ "${1:-}" = "--self-check" ]; then
	self_check=1
	shift
fi
B=${1:-build}
[ $# -gt 0 ] && shift
SUITES=${*:-xrt xrt_fault xrt_opencl lf_tests:opencl_xilinx lf_tests:device_conformance lf_tests:realworld lf_tests:cu_split}
TIMEOUT=${LF_XRT_TIMEOUT:-120}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $B in
/*) ;;
*) B=$(pwd)/$B ;;
esac
BIN=$B/tests/lf_tests_xrt
VITIS=$B/xrt-swemu/vitis
DEVPROC=$VITIS/data/emulation/unified/cpu_em/generic_pcie/model/genericpciemodel
PREFIX=$B/xrt-swemu/xrt
XCLBIN=$B/bitstreams/emu-tiny.xclbin
XCLBIN_F1=$B/bitstreams/emu-aws-f1.xclbin

if [ ! -x "$BIN" ] || [ ! -x "$DEVPROC" ]; then
	echo "SKIP: XRT not installed (libxrt-dev was not found when" \
		"$B was built, so there is no $BIN)"
	exit 0
fi
sh "$ROOT/scripts/xrt-swemu-setup.sh" "$PREFIX"
case $? in
0) ;;
2)
	echo "SKIP: XRT software emulation unavailable here (see the" \
		"message above); the XRT suites did not run"
	exit 0
	;;
*)
	echo "FAIL: scripts/xrt-swemu-setup.sh failed"
	exit 1
	;;
esac

# run_suite NAME TIMEOUT [VAR=VALUE...]: prints nothing; returns the
# suite's exit status (124: timed out). NAME is a suite of lf_tests_xrt,
# or BINARY:SUITE for another test binary of the build (e.g.
# lf_tests:opencl_xilinx, the OpenCL backend's Xilinx flavour). The
# "card" runs $SUITE_XCLBIN (default $XCLBIN).
run_suite() {
	name=${1#*:}
	bin=$BIN
	case $1 in
	*:*) bin=$B/tests/${1%%:*} ;;
	esac
	limit=$2
	shift 2
	dir=$(mktemp -d "${TMPDIR:-/tmp}/lf-xrt-$name.XXXXXX") || return 1
	(
		cd "$dir" &&
			env -u LAYERFAB_DEVICE -u LAYERFAB_XCLBIN LF_BUILD="$B" \
				LSAN_OPTIONS="suppressions=$ROOT/tests/xrt/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
				"$@" sh "$ROOT/scripts/xrt-swemu-run" --build "$B" \
				--xclbin "${SUITE_XCLBIN:-$XCLBIN}" --no-defaults \
				timeout -k 5 "$limit" "$bin" "$name"
	)
	rc=$?
	rm -rf "$dir"
	return $rc
}

fail=0
if [ $self_check = 1 ]; then
	run_suite xrt_harness 20 LF_XRT_HARNESS_CHECK=kill > /dev/null 2>&1
	k=$?
	run_suite xrt_harness 2 LF_XRT_HARNESS_CHECK=hang > /dev/null 2>&1
	h=$?
	if [ $k = 143 ] && [ $h = 124 ]; then
		echo "xrt harness self-check: a process-group kill (exit $k)" \
			"and a hang (exit $h) were contained"
	else
		echo "FAIL: xrt harness self-check: group kill exit $k" \
			"(want 143), hang exit $h (want 124)"
		fail=1
	fi
fi
for s in $SUITES; do
	start=$(date +%s)
	# In an instrumented build LeakSanitizer dies at the exit of
	# libxilinxopencl's threads ("Tracer caught signal 11"): no leak
	# check for the OpenCL suite, which runs none of layerfab's driver.
	if [ "$s" = xrt_opencl ] || [ "$s" = lf_tests:opencl_xilinx ]; then
		set -- "ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	elif [ "$s" = lf_tests:device_conformance ]; then
		# The ONNX node tests, the ORT op vectors and the demo model
		# on xrt:0, against emu:tiny with the same xclbin.
		set -- LF_TEST_DEVICE=xrt:0 LF_TEST_REF_DEVICE=emu:tiny \
			LAYERFAB_XCLBIN="$XCLBIN" LF_SRC="$ROOT"
	elif [ "$s" = lf_tests:realworld ]; then
		# The committed real-world exports (tests/data/realworld) on
		# xrt:0 against ONNX Runtime's outputs, the fallback off.
		set -- LF_TEST_DEVICE=xrt:0 LAYERFAB_XCLBIN="$XCLBIN" \
			LAYERFAB_FALLBACK=off \
			LF_REALWORLD_DIR="$ROOT/tests/data/realworld"
	elif [ "$s" = lf_tests:cu_split ]; then
		# A batch-1 segment on both engine CUs as one group
		# (xrt:0,cu_sync=1), ORT-exact; the aws-f1 build has the ring.
		set -- LF_TEST_SPLIT_DEVICE=xrt:0 LAYERFAB_XCLBIN="$XCLBIN_F1" \
			LF_SRC="$ROOT"
	else
		set --
	fi
	SUITE_XCLBIN=
	[ "$s" = lf_tests:cu_split ] && SUITE_XCLBIN=$XCLBIN_F1
	log=$(mktemp "${TMPDIR:-/tmp}/lf-xrt-log.XXXXXX") || exit 1
	run_suite "$s" "$TIMEOUT" "$@" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc = 0 ]; then
		echo "xrt suite $s: passed (${secs} s)"
	else
		cat "$log"
		if [ $rc = 124 ] || [ $rc = 137 ]; then
			echo "FAIL: xrt suite $s timed out after ${TIMEOUT} s" \
				"and was killed (exit $rc)"
		else
			echo "FAIL: xrt suite $s (exit $rc after ${secs} s)"
		fi
		fail=1
	fi
	rm -f "$log"
done
exit $fail
