#!/bin/sh
# aws-afi-test.sh - tests of scripts/aws-afi.sh that need no AWS account,
# network or Xilinx tool: --dry-run prints the documented F1 flow and
# changes nothing; bad arguments stop with exit status 2 before any
# command runs. Last line: "aws-afi-test: N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
afi="$here/aws-afi.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# A stand-in xclbin: the axlf magic and the F1 platform name are all the
# script reads from it.
printf 'xclbin2\000\000\000\000xilinx_aws-vu9p-f1_shell-v04261818_201920_3\000' >"$tmp/layerfab.xclbin"
printf 'xclbin2\000\000\000\000xilinx_u250_gen3x16_xdma_4_1_202210_1\000' >"$tmp/u250.xclbin"
printf 'not an xclbin' >"$tmp/junk.xclbin"
cp "$tmp/layerfab.xclbin" "$tmp/old.awsxclbin"

# 1. Dry run: the whole flow is printed, nothing is created.
bash "$afi" --dry-run --xclbin "$tmp/layerfab.xclbin" --bucket my-afi-bucket \
	--dcp-key lf/dcp --logs-key lf/logs --profile dev --wait 120 \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] &&
	grep -q 'create_vitis_afi.sh -xclbin=.*/layerfab.xclbin -o=layerfab -s3_bucket=my-afi-bucket -s3_dcp_key=lf/dcp -s3_logs_key=lf/logs -aws_profile_name=dev' "$tmp/out" &&
	grep -q '^+ aws --profile dev s3 ls s3://my-afi-bucket/' "$tmp/out" &&
	grep -q 'describe-fpga-images' "$tmp/out" &&
	grep -q 'USER_METADATA:RAW' "$tmp/out" &&
	grep -q 'nothing was changed' "$tmp/err" &&
	[ ! -e "$tmp/afi" ]; then
	ok
else
	bad "dry run (exit $rc): $(cat "$tmp/out" "$tmp/err")"
fi

# 2..8. Argument errors: exit 2, a message, no output directory.
expect_error() {
	what=$1
	pattern=$2
	shift 2
	bash "$afi" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -e "$pattern" "$tmp/err" && [ ! -e "$tmp/afi" ]; then
		ok
	else
		bad "$what (exit $rc, want 2 and /$pattern/): $(cat "$tmp/err")"
	fi
}
expect_error "no --xclbin" "--xclbin FILE is required" --bucket b1b
expect_error "missing file" "no such file" --xclbin "$tmp/none.xclbin" --bucket b1b
expect_error "not an xclbin" "not an xclbin" --xclbin "$tmp/junk.xclbin" --bucket b1b
expect_error "other platform" "not built for the F1 platform" --xclbin "$tmp/u250.xclbin" --bucket b1b
expect_error "awsxclbin input" "already an .awsxclbin" --xclbin "$tmp/old.awsxclbin" --bucket b1b
expect_error "bad bucket" "not a valid S3 bucket" --xclbin "$tmp/layerfab.xclbin" --bucket s3://Bad_Bucket
expect_error "no bucket" "--bucket BUCKET is required" --xclbin "$tmp/layerfab.xclbin"
expect_error "F2" "cannot be created for F2" --platform aws-f2 --xclbin "$tmp/layerfab.xclbin" --bucket b1b
expect_error "unknown option" "unknown argument" --xclbin "$tmp/layerfab.xclbin" --bucket b1b --bogus
expect_error "bad key" "bad S3 key prefix" --xclbin "$tmp/layerfab.xclbin" --bucket b1b --dcp-key /abs

echo "aws-afi-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
