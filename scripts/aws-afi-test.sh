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

# F2 through the HDK: the DCP tarball is uploaded and registered with
# create-fpga-image (aws-fpga f2 hdk/README.md, step 6).
mkdir -p "$tmp/cl/to_aws"
printf 'dcp' >"$tmp/cl/to_aws/cl.dcp"
(cd "$tmp/cl" && tar cf ../2026_12_07-040000.Developer_CL.tar to_aws)
bash "$afi" --dry-run --platform aws-f2-hdk --tar "$tmp/2026_12_07-040000.Developer_CL.tar" \
	--bucket my-afi-bucket --dcp-key lf/dcp --logs-key lf/logs --wait 60 \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] &&
	grep -q '^+ aws s3 cp .*/2026_12_07-040000.Developer_CL.tar s3://my-afi-bucket/lf/dcp/2026_12_07-040000.Developer_CL.tar' "$tmp/out" &&
	grep 'ec2 create-fpga-image --name 2026_12_07-040000.Developer_CL ' "$tmp/out" |
	grep -F -e '--input-storage-location Bucket=my-afi-bucket\,Key=lf/dcp/2026_12_07-040000.Developer_CL.tar' |
	grep -q -F -e '--logs-storage-location Bucket=my-afi-bucket\,Key=lf/logs/' &&
	grep -q 'describe-fpga-images' "$tmp/out" &&
	grep -q 'fpga-load-local-image' "$tmp/err" &&
	! grep -q 'create_vitis_afi' "$tmp/out" &&
	[ ! -e "$tmp/afi" ]; then
	ok
else
	bad "aws-f2-hdk dry run (exit $rc): $(cat "$tmp/out" "$tmp/err")"
fi
expect_error "hdk without --tar" "--tar FILE is required" --platform aws-f2-hdk --bucket b1b
expect_error "hdk with --xclbin" "takes --tar" --platform aws-f2-hdk --xclbin "$tmp/layerfab.xclbin" --bucket b1b
expect_error "hdk not a tar" "not a DCP tarball" --platform aws-f2-hdk --tar "$tmp/junk.xclbin" --bucket b1b
printf 'junk' >"$tmp/junk.tar"
expect_error "hdk broken tar" "not a tar archive" --platform aws-f2-hdk --tar "$tmp/junk.tar" --bucket b1b
expect_error "--tar for F1" "--tar is for --platform aws-f2-hdk" --tar "$tmp/junk.tar" --bucket b1b

echo "aws-afi-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
