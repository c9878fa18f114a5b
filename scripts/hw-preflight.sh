#!/bin/sh
# hw-preflight.sh - check, before any v++ call, that a hardware build can
# run: a known platform and target, Vitis (v++, XILINX_VITIS), XRT
# (XILINX_XRT, its xclbinutil) and the Vitis platform (.xpfm) installed.
# Each missing piece gets one message saying what it is and how to get it;
# the exit status is 1 if anything is missing, 2 for bad arguments.
#
#   scripts/hw-preflight.sh PLATFORM TARGET PLATFORM_NAME [VPP [XCLBINUTIL]]
#
# Called by `make hw` (bitstreams/hw.mk). PLATFORM_NAME is the Vitis
# platform name (searched for as <name>.xpfm) or a path to an .xpfm file.
set -u

platform=${1:-}
target=${2:-}
pname=${3:-}
vpp=${4:-v++}
xclbinutil=${5:-${XILINX_XRT:-/opt/xilinx/xrt}/bin/xclbinutil}

known="aws-f1 aws-f2 u250 u280 u55c"
missing=0
say() { printf 'hw-preflight: %s\n' "$*" >&2; }
lack() { missing=$((missing + 1)); say "MISSING: $*"; }

case " $known " in
*" $platform "*) ;;
*) say "unknown PLATFORM '$platform'; use one of: $known"; exit 2 ;;
esac
case $target in
hw | hw_emu) ;;
sw_emu) say "TARGET=sw_emu is not supported: the built-in emulator (LAYERFAB_DEVICE=emu) runs the same kernel C; use hw_emu or hw"; exit 2 ;;
*) say "unknown TARGET '$target'; use hw or hw_emu"; exit 2 ;;
esac
if [ -z "$pname" ]; then
	say "no platform name for $platform (bitstreams/$platform/params.mk sets HW_PLATFORM_NAME)"
	exit 2
fi

# --- Vitis ------------------------------------------------------------------
vitis_help="install AMD Vitis (Vitis 2022.1 or later for the Alveo platforms;
  the version aws-fpga names for AWS, 2024.1 on F2, usually via the FPGA
  Developer AMI) and run: source <install-dir>/Vitis/<version>/settings64.sh
  (on AWS: cd aws-fpga && source vitis_setup.sh)"
if [ -z "${XILINX_VITIS:-}" ]; then
	lack "XILINX_VITIS is not set: the Vitis environment is not loaded. To get it,
  $vitis_help"
elif [ ! -d "$XILINX_VITIS" ]; then
	lack "XILINX_VITIS=$XILINX_VITIS is not a directory: re-run settings64.sh of an installed Vitis"
fi
if ! command -v "$vpp" >/dev/null 2>&1; then
	lack "the Vitis compiler '$vpp' is not on PATH. To get it,
  $vitis_help"
fi

# --- XRT ----------------------------------------------------------------------
xrt_help="install XRT for your card/Vitis release (Alveo: the XRT package
  from the card's download page; AWS: aws-fpga's vitis_setup.sh offers the
  install) and run: source /opt/xilinx/xrt/setup.sh"
if [ -z "${XILINX_XRT:-}" ]; then
	lack "XILINX_XRT is not set: the XRT environment is not loaded. To get it,
  $xrt_help"
elif [ ! -x "$xclbinutil" ]; then
	lack "xclbinutil not found at $xclbinutil (needed to attach the
  layerfab_limits metadata). Debian's libxrt-utils has no working
  xclbinutil; use XRT's own: $xrt_help"
fi

# --- the platform -------------------------------------------------------------
found=""
case $pname in
*.xpfm)
	[ -f "$pname" ] && found=$pname
	;;
*)
	# v++ looks in PLATFORM_REPO_PATHS and the default install locations
	# (UG1393 "Platform Repository"); /opt/xilinx/platforms is where the
	# Alveo development packages install.
	IFS=:
	for dir in ${PLATFORM_REPO_PATHS:-} /opt/xilinx/platforms \
		${XILINX_VITIS:+$XILINX_VITIS/platforms} \
		${XILINX_VITIS:+$XILINX_VITIS/base_platforms}; do
		for f in "$dir/$pname/$pname.xpfm" "$dir/$pname.xpfm"; do
			if [ -z "$found" ] && [ -f "$f" ]; then
				found=$f
			fi
		done
	done
	unset IFS
	if [ -z "$found" ] && command -v platforminfo >/dev/null 2>&1 &&
		platforminfo -l 2>/dev/null | grep -q "$pname"; then
		found="(listed by platforminfo -l)"
	fi
	;;
esac
if [ -z "$found" ]; then
	case $platform in
	aws-f1) how="clone aws/aws-fpga (branch f1_xdma_shell) and 'source vitis_setup.sh':
  it sets PLATFORM_REPO_PATHS to the F1 platform in Vitis/aws_platform/" ;;
	aws-f2) how="clone aws/aws-fpga (branch f2) and 'source vitis_setup.sh': it
  installs $pname.xpfm. Note: aws-fpga supports only hw_emu with Vitis on F2
  so far (ERRATA.md); if your xpfm has another name, pass PLATFORM_NAME=" ;;
	*) how="install the card's development platform package (UG1120; Alveo
  downloads page for the card) - it installs into /opt/xilinx/platforms -
  or set PLATFORM_REPO_PATHS to the directory holding $pname.xpfm" ;;
	esac
	lack "Vitis platform '$pname' is not installed (looked for $pname.xpfm in
  PLATFORM_REPO_PATHS='${PLATFORM_REPO_PATHS:-}', /opt/xilinx/platforms and
  \$XILINX_VITIS/platforms; 'platforminfo -l' lists what v++ sees). To get it,
  $how"
fi

if [ "$missing" -gt 0 ]; then
	say "$missing prerequisite(s) missing for 'make hw PLATFORM=$platform TARGET=$target'; nothing was built"
	exit 1
fi
say "ok: $platform ($pname: $found), TARGET=$target, $(command -v "$vpp")"
if [ "$platform" = aws-f2 ] && [ "$target" = hw ]; then
	say "note: an F2 xclbin cannot yet become an AFI with Vitis (aws-fpga ERRATA.md); hw_emu is supported"
fi
exit 0
