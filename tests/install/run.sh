#!/bin/sh
# tests/install/run.sh BUILD - `make install` and `make uninstall` as a user
# runs them, in a temporary directory (run by `make test`).
#
# BUILD is copied (so the tree's own build keeps its configuration), and
# from the copy:
#   1. make install PREFIX=$T/prefix LIBDIR=lib/x86_64-linux-gnu (multiarch)
#      - which rebuilds what embeds the installation's DATADIR;
#   2. the versions agree: include/layerfab.h's three numbers (read with
#      sed), `pkg-config --modversion`, `layerfab --version`, lf_version()
#      and LF_VERSION_STRING in an application, the library's real name and
#      its SONAME (objdump), the CMake package's layerfab_VERSION, the
#      Python package's __version__; `pkg-config --validate` passes;
#   3. tests/install/app.c, built with pkg-config (shared, and static
#      against liblayerfab.a with --static) and with CMake
#      (find_package(layerfab CONFIG REQUIRED): layerfab::layerfab and
#      layerfab::layerfab_static), runs models/fmnist_qop.onnx on the emu
#      device from outside the prefix, with no LAYERFAB_* variable set, and
#      gives ONNX Runtime's bytes (tests/data/ort/fmnist_qop set 1);
#      the installed Python package gives them too;
#   4. liblayerfab.so has no NEEDED entry for libxrt*/libOpenCL, the
#      pkg-config file and the CMake package name neither, an emu run
#      (LD_DEBUG=libs) loads neither, and with both files made unloadable
#      (unshare -m, /dev/null bound over them) emu still runs while
#      opencl:0 fails naming libOpenCL.so.1;
#   4b. the man page renders without warnings;
#   5. make uninstall leaves no file or link under the prefix;
#   6. DESTDIR: make install DESTDIR=$T/stage PREFIX=/usr puts everything
#      under $T/stage/usr, and make uninstall with the same leaves nothing.
# Prints one line per step; the log of the failing step on failure.
set -u
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $B in
/*) ;;
*) B=$(pwd)/$B ;;
esac
ARCH=x86_64-linux-gnu
T=$(mktemp -d "${TMPDIR:-/tmp}/lf-install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
P=$T/prefix
LOG=$T/log
unset LAYERFAB_BUILD LAYERFAB_XCLBIN LAYERFAB_DEVICE LAYERFAB_LIBRARY \
	PKG_CONFIG_PATH LD_LIBRARY_PATH PYTHONPATH MAKEFLAGS MFLAGS MAKELEVEL

fail() {
	[ -f "$LOG" ] && tail -n 60 "$LOG"
	echo "FAIL: install test: $*"
	exit 1
}
step() {
	: >"$LOG"
	"$@" >>"$LOG" 2>&1
}

# The header's version, read independently of the Makefile.
part() { sed -n "s/^#define LF_VERSION_$1 \([0-9][0-9]*\)\$/\1/p" \
	"$ROOT/include/layerfab.h"; }
MAJ=$(part MAJOR)
V=$MAJ.$(part MINOR).$(part PATCH)
# The soname's suffix: MAJOR, or 0.MINOR while MAJOR is 0 (layerfab.h).
ABI=$MAJ
[ "$MAJ" = 0 ] && ABI=0.$(part MINOR)

mkdir -p "$T/build" "$T/app"
(cd "$B" && tar cf - --exclude=./asan --exclude=./xrt-swemu .) |
	(cd "$T/build" && tar xf -) || fail "copying $B"
MK="make -C $ROOT BUILD=$T/build"

start=$(date +%s)
step $MK PREFIX="$P" LIBDIR=lib/$ARCH install || fail "make install"
L=$P/lib/$ARCH
for f in include/layerfab.h lib/$ARCH/liblayerfab.a \
	lib/$ARCH/liblayerfab.so.$V lib/$ARCH/liblayerfab.so.$ABI \
	lib/$ARCH/liblayerfab.so lib/$ARCH/pkgconfig/layerfab.pc \
	lib/$ARCH/cmake/layerfab/layerfabConfig.cmake \
	lib/$ARCH/cmake/layerfab/layerfabConfigVersion.cmake bin/layerfab \
	share/layerfab/bitstreams/emu-aws-f1.xclbin share/man/man1/layerfab.1 \
	lib/python3/dist-packages/layerfab/__init__.py; do
	[ -e "$P/$f" ] || fail "make install did not write $f"
done
echo "install test: make install PREFIX=... LIBDIR=lib/$ARCH ($(($(date +%s) - start)) s)"

# Versions.
export PKG_CONFIG_PATH=$L/pkgconfig
step pkg-config --validate layerfab || fail "pkg-config --validate"
pcv=$(pkg-config --modversion layerfab)
cliv=$("$P/bin/layerfab" --version)
soname=$(objdump -p "$L/liblayerfab.so.$V" | awk '$1 == "SONAME" { print $2 }')
[ "$pcv" = "$V" ] || fail "pkg-config says $pcv, layerfab.h $V"
[ "$cliv" = "layerfab $V" ] || fail "layerfab --version says '$cliv', layerfab.h $V"
[ "$soname" = "liblayerfab.so.$ABI" ] || fail "SONAME '$soname', want liblayerfab.so.$ABI"
[ "$(readlink "$L/liblayerfab.so.$ABI")" = "liblayerfab.so.$V" ] ||
	fail "liblayerfab.so.$ABI does not point at liblayerfab.so.$V"
grep -q "^Requires.private: libprotobuf-c expat libpci" "$L/pkgconfig/layerfab.pc" ||
	fail "layerfab.pc: no Requires.private for protobuf-c, expat, libpci"

# ORT's bytes for set 1 (8 images), as raw files for app.c.
V1=$ROOT/tests/data/ort/fmnist_qop/test_data_set_1
step /usr/bin/python3 - "$V1" "$T/app" <<'PY' || fail "reading ORT's .pb files with onnx"
import sys, onnx
from onnx import numpy_helper
src, dst = sys.argv[1], sys.argv[2]
for name, out in (("input_0.pb", "in.raw"), ("output_0.pb", "want.raw")):
    t = onnx.TensorProto()
    t.ParseFromString(open("%s/%s" % (src, name), "rb").read())
    open("%s/%s" % (dst, out), "wb").write(numpy_helper.to_array(t).tobytes())
PY

# run_app NAME: run $T/app/NAME from outside the prefix on emu.
run_app() {
	(cd "$T/app" && step env -u LAYERFAB_BUILD "./$1" "$ROOT/models/fmnist_qop.onnx" \
		in.raw want.raw emu) || fail "$1: wrong output or error"
	grep -q "^version $V $V\$" "$LOG" || fail "$1: versions differ"
}
step cc -std=c11 -Wall -Wextra -Werror -o "$T/app/app_pc" "$ROOT/tests/install/app.c" \
	$(pkg-config --cflags --libs layerfab) -Wl,-rpath,"$L" || fail "building with pkg-config"
run_app app_pc
step cc -std=c11 -Wall -Wextra -Werror -o "$T/app/app_pc_static" "$ROOT/tests/install/app.c" \
	$(pkg-config --cflags layerfab) \
	$(pkg-config --static --libs layerfab | sed 's/-llayerfab /-l:liblayerfab.a /') ||
	fail "static link with pkg-config --static"
objdump -p "$T/app/app_pc_static" | grep -q 'NEEDED.*liblayerfab' &&
	fail "the static build links liblayerfab.so"
run_app app_pc_static
echo "install test: pkg-config $pcv, layerfab --version, SONAME $soname agree; shared and static (pkg-config --static) apps give ORT's bytes on emu"

step cmake -S "$ROOT/tests/install" -B "$T/cmake" -DCMAKE_PREFIX_PATH="$P" \
	-DLF_WANT_VERSION="$V" || fail "cmake configure (find_package)"
step cmake --build "$T/cmake" || fail "cmake --build"
cp "$T/cmake/app" "$T/app/app_cmake" && cp "$T/cmake/app_static" "$T/app/app_cmake_static"
run_app app_cmake
run_app app_cmake_static
echo "install test: CMake find_package(layerfab $V CONFIG): layerfab::layerfab and layerfab::layerfab_static give ORT's bytes"

# Vendor libraries are loaded by the backend that needs them (dlopen at
# first use), never linked: no NEEDED entry, nothing in pkg-config, and an
# emu run maps neither (LD_DEBUG=libs lists every library the loader
# looks up or initialises).
readelf -d "$L/liblayerfab.so.$V" >"$LOG" 2>&1 || fail "readelf -d"
grep -Eq 'NEEDED.*(libxrt|libOpenCL)' "$LOG" &&
	fail "liblayerfab.so has a NEEDED entry for XRT or OpenCL"
pkg-config --static --libs layerfab | grep -Eq -- '-l(OpenCL|xrt)' &&
	fail "pkg-config --static --libs names OpenCL or XRT"
grep -Eiq '^Requires.*opencl' "$L/pkgconfig/layerfab.pc" &&
	fail "layerfab.pc requires OpenCL"
grep -Eq 'OpenCL|xrt' "$L/cmake/layerfab/layerfabConfig.cmake" &&
	fail "the CMake package links OpenCL or XRT"
(cd "$T/app" && step env LD_DEBUG=libs ./app_pc "$ROOT/models/fmnist_qop.onnx" \
	in.raw want.raw emu) || fail "app_pc under LD_DEBUG=libs"
grep -Eq 'libxrt|libOpenCL' "$LOG" && fail "an emu run loaded XRT or OpenCL"
# Neither library loadable at all: in a private mount namespace, /dev/null
# is bound over both files (the host's files are untouched). emu still
# gives ORT's bytes; opencl:0 fails naming the library; devices lists no
# OpenCL device and succeeds.
hide=
for f in libOpenCL.so.1 libxrt_coreutil.so.2; do
	[ -e "/usr/lib/$ARCH/$f" ] && hide="$hide $(readlink -f "/usr/lib/$ARCH/$f")"
done
if [ -n "$hide" ] && unshare -m true 2>/dev/null; then
	cat >"$T/app/hidden.sh" <<EOS
set -u
for f in $hide; do mount --bind /dev/null "\$f" || exit 3; done
./app_pc "$ROOT/models/fmnist_qop.onnx" in.raw want.raw emu || exit 4
./app_pc "$ROOT/models/fmnist_qop.onnx" in.raw want.raw opencl:0 && exit 5
"$P/bin/layerfab" devices || exit 6
exit 0
EOS
	(cd "$T/app" && step unshare -m sh hidden.sh) ||
		fail "with libOpenCL and libxrt_coreutil unloadable (exit $?)"
	grep -q '^identical ' "$LOG" || fail "no emu run without the vendor libraries"
	grep -q 'opencl: cannot load libOpenCL.so.1' "$LOG" ||
		fail "opencl:0 without libOpenCL did not name the library"
	grep -Eq '^  opencl +built, 0 devices' "$LOG" ||
		fail "layerfab devices without libOpenCL"
	hidden="; with$hide unloadable (unshare -m) emu still runs, opencl:0 names libOpenCL.so.1"
else
	hidden="; (unshare -m not permitted here: the unloadable-library run was skipped)"
fi
echo "install test: no NEEDED libxrt/libOpenCL, none in pkg-config/CMake, none loaded by an emu run$hidden"

(cd "$T/app" && step env PYTHONPATH="$P/lib/python3/dist-packages" \
	PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - "$P" "$V" "$ROOT" "$V1" <<'PY') ||
import os, sys
import numpy as np, onnx
from onnx import numpy_helper
import layerfab
prefix, version, root, vec = sys.argv[1:5]
assert layerfab.__file__.startswith(prefix), layerfab.__file__
assert layerfab.__version__ == version, layerfab.__version__
def pb(p):
    t = onnx.TensorProto(); t.ParseFromString(open(p, "rb").read())
    return numpy_helper.to_array(t)
s = layerfab.InferenceSession(os.path.join(root, "models/fmnist_qop.onnx"), device="emu")
got, = s.run(None, {"input": pb(vec + "/input_0.pb")})
assert got.tobytes() == pb(vec + "/output_0.pb").tobytes(), "not ORT's bytes"
print("python ok", s.device_info()["xclbin"])
PY
	fail "installed Python package"
grep -q "python ok $P/share/layerfab/bitstreams/emu-aws-f1.xclbin" "$LOG" ||
	fail "Python did not use the installed bitstream"
echo "install test: the installed Python package gives ORT's bytes"

step sh -c "groff -man -ww -z -Tutf8 '$P/share/man/man1/layerfab.1' 2>&1 | grep . && exit 1; exit 0" ||
	fail "man page warnings"
grep -q "layerfab $V" "$P/share/man/man1/layerfab.1" || fail "man page lacks the version"

step $MK PREFIX="$P" LIBDIR=lib/$ARCH uninstall || fail "make uninstall"
left=$(find "$P" -type f -o -type l)
[ -z "$left" ] || { echo "$left" >"$LOG"; fail "make uninstall left files behind"; }

step $MK PREFIX=/usr LIBDIR=lib/$ARCH DESTDIR="$T/stage" install ||
	fail "make install DESTDIR=..."
grep -q '^prefix=/usr$' "$T/stage/usr/lib/$ARCH/pkgconfig/layerfab.pc" ||
	fail "DESTDIR install: layerfab.pc does not say prefix=/usr"
[ -x "$T/stage/usr/bin/layerfab" ] || fail "DESTDIR install: no usr/bin/layerfab"
step $MK PREFIX=/usr LIBDIR=lib/$ARCH DESTDIR="$T/stage" uninstall ||
	fail "make uninstall DESTDIR=..."
left=$(find "$T/stage" -type f -o -type l)
[ -z "$left" ] || { echo "$left" >"$LOG"; fail "DESTDIR uninstall left files behind"; }
echo "install test: make uninstall (PREFIX, and DESTDIR with PREFIX=/usr) left no file behind ($(($(date +%s) - start)) s)"
