#!/bin/sh
# install-deps.sh - install every Debian package layerfab needs to build,
# test and demo. Idempotent and quiet when everything is present; works as
# root or through sudo. The Makefile runs it once per build directory.
#
#   scripts/install-deps.sh           install what is missing
#   scripts/install-deps.sh --check   exit 1 (and list them) if any is missing
#   scripts/install-deps.sh --realworld   also what `make realworld` needs
set -eu

# One package per line: what it is for.
PACKAGES="
gcc
make
pkg-config
libcunit1-dev
libprotobuf-c-dev
protobuf-c-compiler
libonnx-dev
libonnx-testdata
libpci-dev
libexpat1-dev
zlib1g-dev
ocl-icd-opencl-dev
opencl-headers
pocl-opencl-icd
libxrt-dev
libxrt1
libxrt-utils
valgrind
clang-format
clang
libclang-rt-14-dev
binutils
python3
python3-numpy
python3-onnx
cmake
groff-base
dataset-fashion-mnist
"
# Commands that may come from outside Debian (e.g. nodesource's nodejs,
# which bundles npm and conflicts with Debian's npm package): installed
# from Debian only when the command is missing. Format: command:package.
COMMANDS="node:nodejs npm:npm"
# Why each one: CUnit (tests); protobuf-c (ONNX files: onnx.proto from
# libonnx-dev, conformance data from libonnx-testdata); libpci (PCIe
# discovery); expat (xclbin kernel XML); zlib (the demo reads gzipped IDX images); OpenCL ICD loader + headers + PoCL
# (OpenCL backend, kernel OpenCL C builds; PoCL links with ld from
# binutils); XRT (XRT backend, <xrt/xclbin.h>); valgrind and clang-format
# (make check, make format-check); clang and its sanitizer/libFuzzer
# runtimes (make fuzz, tests/fuzz/README.md); python3 (make hls-lint); numpy, onnx
# (make bench generates the ResNet-18 model); dataset-fashion-mnist (make
# demo reads its test images); nodejs/npm (make bench installs ONNX Runtime
# from npm as the CPU baseline).

# Only for `make realworld` (scripts/models/realworld.py exports torchvision
# models with PyTorch), not for build and test.
if [ "${1:-}" = "--realworld" ]; then
	PACKAGES="$PACKAGES python3-torch python3-torchvision"
	shift
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

for cp in $COMMANDS; do
	if ! command -v "${cp%%:*}" >/dev/null 2>&1; then
		missing="$missing ${cp#*:}"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "missing Debian packages:$missing"
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet: update once, then retry.
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
echo "install-deps: done"
