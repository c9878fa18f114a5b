#!/bin/bash
# aws-afi.sh - turn a layerfab xclbin built for AWS F1 into an Amazon FPGA
# Image (AFI) and the .awsxclbin that XRT loads on an F1 instance.
#
# Usage:
#   scripts/aws-afi.sh [--dry-run] --xclbin FILE --bucket BUCKET
#                      [--dcp-key PREFIX] [--logs-key PREFIX] [--name NAME]
#                      [--out DIR] [--region REGION] [--profile PROFILE]
#                      [--platform aws-f1|aws-f2] [--wait [SECONDS]]
#   scripts/aws-afi.sh --platform aws-f2-hdk --tar FILE --bucket BUCKET [...]
#
#   --xclbin    the hardware xclbin (make hw PLATFORM=aws-f1 TARGET=hw)
#   --tar       aws-f2-hdk: the DCP tarball (*.Developer_CL.tar) that
#               make hw PLATFORM=aws-f2-hdk leaves in build/bitstreams/
#               aws-f2-hdk/cl_layerfab/build/checkpoints/
#   --bucket    an S3 bucket you own, in the region you create the AFI in
#   --dcp-key   S3 prefix for the design checkpoint tarball (default
#               layerfab/dcp); --logs-key for the AFI build logs (default
#               layerfab/logs)
#   --name      base name of the .awsxclbin (default: the xclbin's name)
#   --out       working directory (default: next to the xclbin, afi/)
#   --wait      poll describe-fpga-images until the AFI is available or
#               failed (default limit 10800 s; AFI builds take ~1 h)
#   --dry-run   print every command this would run and change nothing
#
# What it does, following aws-fpga's documented F1 Vitis flow (branch
# f1_xdma_shell, Vitis/README.md "2. Create an Amazon FPGA Image (AFI)"):
#   1. checks its arguments, the xclbin's platform, the AWS CLI (JSON
#      output, as aws-fpga's Setup_AWS_CLI_and_S3_Bucket.md requires) and
#      that the bucket is reachable;
#   2. runs aws-fpga's own $VITIS_DIR/tools/create_vitis_afi.sh, which
#      extracts the DCP and clocks from the xclbin, writes the AFI manifest,
#      uploads the tarball to s3://BUCKET/DCP-KEY/, calls
#      'aws ec2 create-fpga-image' and writes NAME.awsxclbin (the xclbin
#      with its bitstream replaced by the AGFI id) and <time>_afi_id.txt;
#   3. checks that the layerfab_limits section survived into the
#      .awsxclbin (create_vitis_afi.sh only removes PARTITION_METADATA and
#      SYSTEM_METADATA and replaces BITSTREAM), and optionally waits for
#      'aws ec2 describe-fpga-images' to report "available".
# The manifest (PCI ids, shell version, clock recipes) is left to AWS's
# script on purpose: it is AWS's contract and changes with their releases.
#
# F2: aws-fpga's F2 kit does not support Vitis AFI creation (ERRATA.md,
# "Only hardware emulation via Vitis 2024.1 is currently supported"; issue
# aws/aws-fpga#765 still open in Dec 2025), and its f2 branch ships no
# create_vitis_afi.sh. --platform aws-f2 therefore stops with that
# explanation. F2 AFIs exist only for the HDK (RTL) flow: --platform
# aws-f2-hdk takes the DCP tarball of the layerfab CL (bitstreams/
# aws-f2-hdk/) and follows aws-fpga f2 hdk/README.md, "Step 6. Submit
# Generated DCP for AFI Creation": 'aws s3 cp' of the tarball, then 'aws ec2
# create-fpga-image --name --description --input-storage-location
# Bucket=,Key=<prefix>/<tarball> --logs-storage-location Bucket=,Key=
# <prefix>/', which prints FpgaImageId (afi-...) and FpgaImageGlobalId
# (agfi-..., what fpga-load-local-image -I takes). UNVERIFIED: no AWS
# account here; make aws-afi-test runs its --dry-run and argument checks.
set -euo pipefail

dry=0
xclbin=""
tar=""
bucket=""
dcp_key="layerfab/dcp"
logs_key="layerfab/logs"
name=""
out=""
region=""
profile=""
platform="aws-f1"
wait_s=0

die() { printf 'aws-afi: error: %s\n' "$*" >&2; exit 2; }
note() { printf 'aws-afi: %s\n' "$*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
# Print a command; run it unless --dry-run. Arguments are shell-quoted.
run() {
	printf '+'
	printf ' %q' "$@"
	printf '\n'
	[ "$dry" = 1 ] || "$@"
}

while [ $# -gt 0 ]; do
	case $1 in
	--dry-run) dry=1 ;;
	--xclbin) [ $# -ge 2 ] || die "--xclbin needs a file"; xclbin=$2; shift ;;
	--tar) [ $# -ge 2 ] || die "--tar needs a file"; tar=$2; shift ;;
	--bucket) [ $# -ge 2 ] || die "--bucket needs a name"; bucket=$2; shift ;;
	--dcp-key) [ $# -ge 2 ] || die "--dcp-key needs a prefix"; dcp_key=$2; shift ;;
	--logs-key) [ $# -ge 2 ] || die "--logs-key needs a prefix"; logs_key=$2; shift ;;
	--name) [ $# -ge 2 ] || die "--name needs a value"; name=$2; shift ;;
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift ;;
	--region) [ $# -ge 2 ] || die "--region needs a value"; region=$2; shift ;;
	--profile) [ $# -ge 2 ] || die "--profile needs a value"; profile=$2; shift ;;
	--platform) [ $# -ge 2 ] || die "--platform needs aws-f1, aws-f2 or aws-f2-hdk"; platform=$2; shift ;;
	--wait)
		wait_s=10800
		if [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]]; then wait_s=$2; shift; fi
		;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done

# --- argument checks ----------------------------------------------------------
case $platform in
aws-f1) ;;
aws-f2)
	die "Vitis AFIs cannot be created for F2 yet: aws-fpga supports only Vitis
  hardware emulation on F2 (aws-fpga ERRATA.md; issue aws/aws-fpga#765).
  Use the HDK flow: make hw PLATFORM=aws-f2-hdk, then --platform aws-f2-hdk
  --tar <the DCP tarball>; or 'make hw PLATFORM=aws-f2 TARGET=hw_emu'." ;;
aws-f2-hdk) ;;
*) die "--platform must be aws-f1, aws-f2 or aws-f2-hdk, not '$platform'" ;;
esac
if [ "$platform" = aws-f2-hdk ]; then
	[ -z "$xclbin" ] || die "--platform aws-f2-hdk takes --tar (the DCP tarball), not --xclbin"
	[ -n "$tar" ] || die "--tar FILE is required for aws-f2-hdk (make hw PLATFORM=aws-f2-hdk leaves it in build/bitstreams/aws-f2-hdk/cl_layerfab/build/checkpoints/)"
	[ -f "$tar" ] || die "no such file: $tar"
	case $tar in
	*.tar) ;;
	*) die "$tar is not a DCP tarball (*.Developer_CL.tar)" ;;
	esac
	tar tf "$tar" >/dev/null 2>&1 || die "$tar is not a tar archive"
	xclbin=$tar # the checks below are on the file's name and place
elif [ -n "$tar" ]; then
	die "--tar is for --platform aws-f2-hdk; $platform takes --xclbin"
fi
if [ "$platform" = aws-f1 ]; then
[ -n "$xclbin" ] || die "--xclbin FILE is required (build it with: make hw PLATFORM=aws-f1)"
[ -f "$xclbin" ] || die "no such file: $xclbin"
[ -r "$xclbin" ] || die "cannot read $xclbin"
case $xclbin in
*.awsxclbin) die "$xclbin is already an .awsxclbin; pass the .xclbin that v++ built" ;;
esac
# The axlf header starts with the magic "xclbin2" and names its platform
# (m_platformVBNV); F1's is xilinx_aws-vu9p-f1_... (bitstreams/aws-f1).
if [ "$(head -c 7 "$xclbin")" != "xclbin2" ]; then
	die "$xclbin is not an xclbin (no 'xclbin2' magic)"
fi
if ! LC_ALL=C grep -a -q 'xilinx_aws-vu9p-f1' "$xclbin"; then
	die "$xclbin was not built for the F1 platform (xilinx_aws-vu9p-f1_shell-...):
  build it with 'make hw PLATFORM=aws-f1 TARGET=hw'"
fi
if LC_ALL=C grep -a -q 'hw_emu' <(head -c 4096 "$xclbin") 2>/dev/null; then
	note "warning: $xclbin looks like a hw_emu build; an AFI needs TARGET=hw"
fi
fi
[ -n "$bucket" ] || die "--bucket BUCKET is required (an S3 bucket you own; aws-fpga Vitis/docs/Setup_AWS_CLI_and_S3_Bucket.md)"
# S3 bucket naming rules: 3-63 characters, lower-case letters, digits,
# dots and hyphens, starting and ending with a letter or digit.
[[ $bucket =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] ||
	die "'$bucket' is not a valid S3 bucket name (give the name, not s3://...)"
for k in "$dcp_key" "$logs_key"; do
	[ -n "$k" ] || die "S3 key prefixes must not be empty"
	case $k in /* | *//* | s3:*) die "bad S3 key prefix '$k' (a path like layerfab/dcp)" ;; esac
done
xclbin_abs=$(cd "$(dirname "$xclbin")" && pwd)/$(basename "$xclbin")
[ -n "$name" ] || name=$(basename "$(basename "$xclbin" .xclbin)" .tar)
[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "--name '$name': use letters, digits, . _ -"
[ -n "$out" ] || out=$(dirname "$xclbin_abs")/afi
aws_opts=()
[ -z "$profile" ] || aws_opts+=(--profile "$profile")
[ -z "$region" ] || export AWS_DEFAULT_REGION=$region

# --- tools ----------------------------------------------------------------------
missing=0
need() {
	if [ "$dry" = 1 ]; then
		note "dry run: would need $1"
	else
		note "missing: $1"
		missing=1
	fi
}
command -v aws >/dev/null 2>&1 ||
	need "the AWS CLI ('aws'; docs.aws.amazon.com/cli, then 'aws configure' with output json)"
if [ "$platform" = aws-f1 ]; then
	create_afi=${VITIS_DIR:-}/tools/create_vitis_afi.sh
	if [ -z "${VITIS_DIR:-}" ] || [ ! -x "$create_afi" ]; then
		need "aws-fpga's create_vitis_afi.sh: clone aws/aws-fpga (branch f1_xdma_shell) and
  'source vitis_setup.sh' there (sets VITIS_DIR, RELEASE_VER, AWS_FPGA_REPO_DIR)"
		create_afi='$VITIS_DIR/tools/create_vitis_afi.sh'
	fi
	[ -n "${RELEASE_VER:-}" ] || need "RELEASE_VER (set by aws-fpga's vitis_setup.sh)"
	xclbinutil=${XILINX_XRT:-/opt/xilinx/xrt}/bin/xclbinutil
	[ -x "$xclbinutil" ] || need "XRT's xclbinutil at $xclbinutil (create_vitis_afi.sh calls /opt/xilinx/xrt/bin/xclbinutil)"
fi
if [ "$missing" = 1 ]; then
	die "prerequisites missing (above); nothing was done"
fi
if [ "$dry" = 0 ]; then
	fmt=$(aws "${aws_opts[@]}" configure get output 2>/dev/null || true)
	if [ -n "$fmt" ] && [ "$fmt" != json ]; then
		die "the AWS CLI output format is '$fmt'; the AFI tools need json ('aws configure set output json')"
	fi
	[ -e "$out/to_aws" ] && die "$out/to_aws exists (a previous run); remove it or use --out"
	[ -e "$out/$name.awsxclbin" ] && die "$out/$name.awsxclbin exists; remove it or use --name"
	[ -e "$out/${name}_afi_id.json" ] && die "$out/${name}_afi_id.json exists; remove it or use --name"
fi

# --- the F2 HDK flow (aws-fpga f2 hdk/README.md, step 6) -------------------------
f2_hdk_flow() {
	local tarname idjson
	tarname=$(basename "$xclbin_abs")
	idjson=$out/${name}_afi_id.json
	run aws "${aws_opts[@]}" s3 ls "s3://$bucket/"
	run aws "${aws_opts[@]}" s3 cp "$xclbin_abs" "s3://$bucket/$dcp_key/$tarname"
	run mkdir -p "$out"
	printf '+ (its JSON into %q)\n' "$idjson"
	if [ "$dry" = 1 ]; then
		run aws "${aws_opts[@]}" ec2 create-fpga-image --name "$name" \
			--description "layerfab CL for AWS F2 (bitstreams/aws-f2-hdk)" \
			--input-storage-location "Bucket=$bucket,Key=$dcp_key/$tarname" \
			--logs-storage-location "Bucket=$bucket,Key=$logs_key/"
		return
	fi
	run aws "${aws_opts[@]}" ec2 create-fpga-image --name "$name" \
		--description "layerfab CL for AWS F2 (bitstreams/aws-f2-hdk)" \
		--input-storage-location "Bucket=$bucket,Key=$dcp_key/$tarname" \
		--logs-storage-location "Bucket=$bucket,Key=$logs_key/" >"$idjson"
	afi_id=$(grep -o 'afi-[0-9a-f]*' "$idjson" | head -n 1 || true)
	agfi_id=$(grep -o 'agfi-[0-9a-f]*' "$idjson" | head -n 1 || true)
	[ -n "$afi_id" ] || die "create-fpga-image gave no afi-... id (see $idjson)"
	note "AFI $afi_id (global $agfi_id), ids in $idjson"
}

# --- the F1 Vitis flow -------------------------------------------------------------
f1_flow() {
	run aws "${aws_opts[@]}" s3 ls "s3://$bucket/"
	run mkdir -p "$out"
	printf '+ cd %q\n' "$out"
	[ "$dry" = 1 ] || cd "$out"
	afi_args=(-xclbin="$xclbin_abs" -o="$name" -s3_bucket="$bucket"
		-s3_dcp_key="$dcp_key" -s3_logs_key="$logs_key")
	[ -z "$profile" ] || afi_args+=(-aws_profile_name="$profile")
	run "$create_afi" "${afi_args[@]}"

	# create_vitis_afi.sh leaves <timestamp>_afi_id.txt (the create-fpga-image
	# JSON: FpgaImageId afi-..., FpgaImageGlobalId agfi-...).
	afi_id="afi-<from *_afi_id.txt>"
	if [ "$dry" = 0 ]; then
		idfile=$(ls -t ./*_afi_id.txt 2>/dev/null | head -n 1 || true)
		[ -n "$idfile" ] || die "create_vitis_afi.sh wrote no *_afi_id.txt in $out"
		afi_id=$(grep -o 'afi-[0-9a-f]*' "$idfile" | head -n 1 || true)
		agfi_id=$(grep -o 'agfi-[0-9a-f]*' "$idfile" | head -n 1 || true)
		[ -n "$afi_id" ] || die "no afi-... id in $idfile (see s3://$bucket/$logs_key/)"
		[ -f "$name.awsxclbin" ] || die "create_vitis_afi.sh made no $name.awsxclbin"
		note "AFI $afi_id (global $agfi_id), $out/$name.awsxclbin"
	fi

	# The limits the host library plans from must still be in the .awsxclbin.
	run "$xclbinutil" --input "$name.awsxclbin" \
		--dump-section "USER_METADATA:RAW:$name.limits.txt"
	if [ "$dry" = 0 ] && ! grep -q '^lfk_conv2d\.' "$name.limits.txt"; then
		die "$name.awsxclbin lost the layerfab_limits section"
	fi
}

afi_id="afi-<from the id file>"
agfi_id="agfi-<from the id file>"
if [ "$platform" = aws-f2-hdk ]; then
	f2_hdk_flow
else
	f1_flow
fi

if [ "$wait_s" -gt 0 ]; then
	printf '+ until state is available or failed (every 60 s, at most %s s):\n' "$wait_s"
	run aws "${aws_opts[@]}" ec2 describe-fpga-images --fpga-image-ids "$afi_id" \
		--query 'FpgaImages[0].State.Code' --output text
	if [ "$dry" = 0 ]; then
		waited=0
		while :; do
			state=$(aws "${aws_opts[@]}" ec2 describe-fpga-images --fpga-image-ids "$afi_id" \
				--query 'FpgaImages[0].State.Code' --output text)
			note "$afi_id: $state after ${waited} s"
			case $state in
			available) break ;;
			failed) die "AFI creation failed: logs in s3://$bucket/$logs_key/" ;;
			esac
			[ "$waited" -lt "$wait_s" ] || die "still '$state' after $wait_s s; check later with: aws ec2 describe-fpga-images --fpga-image-ids $afi_id"
			sleep 60
			waited=$((waited + 60))
		done
	fi
else
	note "next: aws ec2 describe-fpga-images --fpga-image-ids $afi_id   (wait for \"available\")"
fi
if [ "$platform" = aws-f2-hdk ]; then
	note "on the F2 instance: sudo fpga-load-local-image -S 0 -I $agfi_id, then
  LAYERFAB_DEVICE=aws:0 LAYERFAB_XCLBIN=build/bitstreams/aws-f2-hdk/aws-f2-hdk.xclbin <your program>
  (or open aws:0,afi=$agfi_id with the SDK's libfpga_mgmt installed)"
else
	note "on the F1 instance: LAYERFAB_DEVICE=xrt:0 LAYERFAB_XCLBIN=$out/$name.awsxclbin <your program>"
fi
[ "$dry" = 0 ] || note "dry run: nothing was changed"
