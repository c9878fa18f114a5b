#!/bin/sh
# hdk-preflight.sh - check, before any tool call, that the AWS F2 HDK build
# of the layerfab CL can run (make hw PLATFORM=aws-f2-hdk): Vivado and
# vitis_hls on PATH, and an aws-fpga checkout (branch f2) whose hdk/ is
# HDK_DIR with the shell and the build scripts the flow uses. Each missing
# piece gets one message saying what it is and how to get it; the exit
# status is 1 if anything is missing.
#
#   scripts/hdk-preflight.sh HDK_DIR [VIVADO [VITIS_HLS]]
#
# Facts: aws-fpga f2 hdk/README.md ("source hdk_setup.sh" from the top of
# the checkout sets HDK_DIR; CL builds run hdk/cl/examples/<cl>/build/
# scripts/aws_build_dcp_from_cl.py with CL_DIR set); the shell's files live
# under hdk/common/shell_stable. UNVERIFIED against a real checkout here.
set -u

hdk=${1:-}
vivado=${2:-vivado}
hls=${3:-vitis_hls}
missing=0
say() { printf 'hdk-preflight: %s\n' "$*" >&2; }
lack() { missing=$((missing + 1)); say "MISSING: $*"; }

tools_help="install AMD Vivado/Vitis HLS in the release the aws-fpga f2 branch
  lists in supported_vivado_versions.txt (v2024.1 at release 2.0.2; the FPGA
  Developer AMI has it) and load it:
  source <install-dir>/Vivado/<version>/settings64.sh"
if ! command -v "$vivado" >/dev/null 2>&1; then
	lack "Vivado ('$vivado') is not on PATH. To get it,
  $tools_help"
fi
if ! command -v "$hls" >/dev/null 2>&1; then
	lack "Vitis HLS ('$hls') is not on PATH (it exports the kernels as IP). To get it,
  $tools_help"
fi

hdk_help="clone the AWS FPGA kit and load its HDK environment:
  git clone -b f2 https://github.com/aws/aws-fpga && cd aws-fpga && source hdk_setup.sh
  (that sets HDK_DIR=<checkout>/hdk), or pass HDK_DIR=<checkout>/hdk to make"
if [ -z "$hdk" ]; then
	lack "HDK_DIR is not set: no aws-fpga HDK checkout. To get one,
  $hdk_help"
elif [ ! -d "$hdk" ]; then
	lack "HDK_DIR=$hdk is not a directory. To get a checkout,
  $hdk_help"
else
	for f in common/shell_stable/design/interfaces/cl_ports.vh \
		common/shell_stable/build/scripts/synth_cl_header.tcl \
		cl/examples/CL_TEMPLATE/build/scripts/aws_build_dcp_from_cl.py; do
		if [ ! -e "$hdk/$f" ]; then
			lack "HDK_DIR=$hdk has no $f: not the hdk/ of an aws-fpga f2 checkout (git checkout f2)"
		fi
	done
fi

if [ "$missing" -gt 0 ]; then
	say "$missing missing: nothing was built (bitstreams/aws-f2-hdk/README.md says what the build needs)"
	exit 1
fi
say "Vivado, Vitis HLS and the HDK at $hdk: found"
exit 0
