#!/bin/sh
# xrt-swemu-setup.sh - make the private XILINX_XRT prefix for XRT's software
# emulation on Debian 12: a fixed copy of libxrt_swemu. /usr is never touched.
#
#   scripts/xrt-swemu-setup.sh [PREFIX]    (default: build/xrt-swemu/xrt)
#
# Writes PREFIX/lib/libxrt_swemu.so.2, a patched copy of Debian's
# /usr/lib/x86_64-linux-gnu/libxrt_swemu.so.2.13.0 (libxrt1
# 202210.2.13.466+dfsg-8). Exit 0 when the copy is in place (made now or
# earlier), 2 when this machine's library is not the one the patch is for
# (the message names both checksums), 1 on any other failure.
#
# Why: in that build CpuemShim::alloc_void(size_t) calls realloc(buf, n)
# and drops the result instead of storing it in this->buf, so every later
# RPC is serialised into a freed block (heap corruption, then SIGSEGV or a
# deadlock; /work/shared/reference/xrt-swemu.md, pitfall 1). Upstream XRT
# 2022.1 (src/runtime_src/core/pcie/emulation/cpu_em/generic_pcie_hal2/
# shim.cxx, alloc_void) stores it.
#
# The patch, from `objdump -d` of the function (at 0x926e0; file offset
# equals the address in this segment: LOAD 0x70000 -> 0x70000). this is
# in %rbx, this->buf at 0x670(%rbx), the requested size in %rbp:
#
#   92727: e8 14 e6 fd ff        call realloc@plt
#   9272c: 48 85 c0              test %rax,%rax         <- patched from here
#   9272f: 75 e6                 jne  92717             (return new_size)
#   92731: 48 8b bb 70 06 00 00  mov  0x670(%rbx),%rdi  (realloc failed:
#   92738: e8 c3 e1 fd ff        call free@plt           free the old one)
#   9273d: eb d8                 jmp  92717
#   92717: 48 89 e8              mov  %rbp,%rax ; jmp to the epilogue
#
# The 9 bytes at 0x9272c (48 85 c0 75 e6 48 8b bb 70) become
#
#   9272c: 48 89 83 70 06 00 00  mov  %rax,0x670(%rbx)  this->buf = result
#   92733: eb e2                 jmp  92717             0x92717 - 0x92735
#
# so the result is always stored and the function returns new_size as
# before. The bytes left behind at 0x92735..0x9273e are unreachable (the
# jne was the only way into them). On a failed realloc buf becomes NULL
# and the old block leaks instead of being freed (upstream frees it and
# also leaves buf NULL); either way the next RPC cannot proceed.
set -eu

PREFIX=${1:-build/xrt-swemu/xrt}
SRC=${LF_XRT_SWEMU_LIB:-/usr/lib/x86_64-linux-gnu/libxrt_swemu.so.2.13.0}
OUT="$PREFIX/lib/libxrt_swemu.so.2"

# sha256 of Debian's unmodified file, and of the patched copy.
SHA_ORIG=7d6303a40e3f97ce410793734790859eed2b9aed61c3de5c3d86a6bf1e73b153
SHA_PATCHED=241f49881fb740e327ce0e79279b7b025b46ef04df3bb422371633d3d2e765c0
OFFSET=599852 # 0x9272c
BYTES_ORIG="48 85 c0 75 e6 48 8b bb 70"
BYTES_NEW="48 89 83 70 06 00 00 eb e2"

sha() { sha256sum "$1" | cut -d' ' -f1; }
bytes_at() { od -An -tx1 -v -j "$OFFSET" -N 9 "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

if [ -f "$OUT" ] && [ "$(sha "$OUT")" = "$SHA_PATCHED" ]; then
	exit 0
fi
if [ ! -f "$SRC" ]; then
	echo "xrt-swemu-setup: $SRC not found (is libxrt1 installed?)" >&2
	exit 2
fi
actual=$(sha "$SRC")
if [ "$actual" != "$SHA_ORIG" ]; then
	cat >&2 <<MSG
xrt-swemu-setup: refusing to patch $SRC:
  expected sha256 $SHA_ORIG
           (Debian 12 libxrt1 202210.2.13.466+dfsg-8)
  actual   sha256 $actual
The binary patch for the alloc_void heap corruption is only known to be
right for that one build; a different build needs its own analysis
(driver/xrt/README.md).
MSG
	exit 2
fi
mkdir -p "$PREFIX/lib"
tmp="$OUT.tmp.$$"
trap 'rm -f "$tmp"' EXIT
cp "$SRC" "$tmp"
chmod u+w "$tmp"
got=$(bytes_at "$tmp")
if [ "$got" != "$BYTES_ORIG" ]; then
	echo "xrt-swemu-setup: unexpected bytes at 0x9272c: '$got'," \
		"expected '$BYTES_ORIG'" >&2
	exit 2
fi
esc=""
for b in $BYTES_NEW; do
	esc="$esc\\0$(printf '%03o' "0x$b")"
done
printf '%b' "$esc" |
	dd of="$tmp" bs=1 seek="$OFFSET" count=9 conv=notrunc status=none
got=$(bytes_at "$tmp")
if [ "$got" != "$BYTES_NEW" ]; then
	echo "xrt-swemu-setup: writing the patch failed (read back '$got')" >&2
	exit 1
fi
if [ "$(sha "$tmp")" != "$SHA_PATCHED" ]; then
	echo "xrt-swemu-setup: patched copy has sha256 $(sha "$tmp")," \
		"expected $SHA_PATCHED" >&2
	exit 1
fi
mv "$tmp" "$OUT"
trap - EXIT
