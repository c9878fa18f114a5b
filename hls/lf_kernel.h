/*
 * lf_kernel.h - portability layer for the kernel sources in hls/.
 *
 * Every kernel source builds three ways from the same text:
 *   - Vitis HLS C (v++ -c / vitis_hls): __SYNTHESIS__ or __VITIS_HLS__ set;
 *     `#pragma HLS` lines take effect.
 *   - plain host C (gcc), for the emulator and the unit tests; the pragmas
 *     are ignored (built with -Wno-unknown-pragmas).
 *   - OpenCL C (clBuildProgram on any OpenCL device, e.g. PoCL);
 *     __OPENCL_C_VERSION__ is set and address spaces come from LF_GLOBAL.
 *
 * Rules for code in hls/: no dynamic memory, no recursion, no function
 * pointers, static loop bounds or a LOOP_TRIPCOUNT pragma, only the fixed-
 * width types below, device memory only through the beat-typed ports and
 * the lf_ld_* / lf_st_* / lf_beat_* helpers below (no pointer casts between
 * element types in HLS code; the OpenCL branch of the helpers views the
 * same buffer as uchar, which OpenCL C allows).
 */
#ifndef LF_KERNEL_H
#define LF_KERNEL_H

#if defined(__OPENCL_C_VERSION__)
#define LF_OPENCL 1
#define LF_GLOBAL __global
#define LF_KERNEL __kernel
#define LF_INLINE static inline
typedef uchar lf_u8;
typedef char lf_i8;
typedef ushort lf_u16;
typedef short lf_i16;
typedef uint lf_u32;
typedef int lf_i32;
typedef ulong lf_u64;
typedef long lf_i64;
#else
#include <stdint.h>
#define LF_GLOBAL
#define LF_KERNEL
#define LF_INLINE static inline
typedef uint8_t lf_u8;
typedef int8_t lf_i8;
typedef uint16_t lf_u16;
typedef int16_t lf_i16;
typedef uint32_t lf_u32;
typedef int32_t lf_i32;
typedef uint64_t lf_u64;
typedef int64_t lf_i64;
#endif

/* Building for Vitis HLS synthesis (or C simulation inside vitis_hls). */
#if defined(__SYNTHESIS__) || defined(__VITIS_HLS__)
#define LF_HLS 1
#endif

/*
 * LF_EXPORT marks the symbols the emulator looks up in the kernel shared
 * object (entry points, lfk_cycles_*), so they stay visible even if the
 * kernels are ever built with -fvisibility=hidden.
 *
 * LF_ONCHIP declares an on-chip buffer in a kernel's top function, and
 * LF_LOCAL qualifies helper parameters that receive one:
 *   - HLS: a plain local array, which becomes BRAM/URAM/registers;
 *   - OpenCL C: __local (must sit at kernel function scope);
 *   - host C: static _Thread_local, so the buffers (a few hundred KB) are
 *     neither on the caller's stack nor shared between emulator threads.
 */
#if defined(LF_OPENCL)
#define LF_EXPORT
#define LF_ONCHIP __local
#define LF_LOCAL  __local
#elif defined(LF_HLS)
#define LF_EXPORT
#define LF_ONCHIP
#define LF_LOCAL
#else
#define LF_EXPORT __attribute__((visibility("default")))
#define LF_ONCHIP static _Thread_local
#define LF_LOCAL
#endif

/*
 * LF_CHAN2(type, name, d0, d1, outer) declares the channel `name` between
 * two processes of a DATAFLOW region (lf_pipes.h LF_OVERLAP), in the
 * region's loop body as UG1399's canonical form wants it:
 *   - HLS: a local array type name[d0][d1], which Vitis HLS makes a
 *     ping-pong buffer (two copies: producer and consumer run on
 *     different iterations at once); `outer` is not used;
 *   - OpenCL C and host C: the processes run one after the other, so one
 *     copy is enough: name points at `outer`, an on-chip buffer of the
 *     same shape the kernel top declared (LF_ONCHIP), as before.
 * Same bytes either way: each iteration's producer writes the channel
 * before its consumer reads it.
 */
#if defined(LF_HLS)
#define LF_CHAN2(type, name, d0, d1, outer) type name[d0][d1]
#else
#define LF_CHAN2(type, name, d0, d1, outer) LF_LOCAL type(*name)[d1] = (outer)
#endif

/*
 * The emulator's cycle model: in the host-C build the kernels add the
 * modeled clock cycles of every pipelined loop they run to a per-thread
 * counter that the emulator reads after a run (lfk_cycles_reset /
 * lfk_cycles_get, exported by the kernel shared object). The loops count
 * themselves with LF_PIPE (lf_pipes.h); their II and depth are in one
 * table there. In HLS and OpenCL builds none of it exists.
 */
#if !defined(LF_OPENCL) && !defined(LF_HLS)
extern _Thread_local lf_u64 lfk__cycles;
/* Zero / read the calling thread's counters (hls/cycles.c). */
void lfk_cycles_reset(void);
lf_u64 lfk_cycles_get(void);
#endif

/*
 * The params and act ports are beat-typed: one element of the pointer is
 * one 64-byte (512-bit) beat of the AXI data bus, so a whole-beat access
 * (lf_beat_rd / lf_beat_wr) is one transfer of the port, and the port is
 * as wide as the bus without relying on automatic widening.
 *   - HLS and host C: a struct of 64 lf_u8. The issue asked for 16 x lf_u32;
 *     bytes are used because a byte store must be a store to one member
 *     (below) and a struct of 64 bytes is the same 512 bits, a power of two
 *     (UG1399 "Automatic Port Width Resizing": power-of-two structs on
 *     pointers aligned to the widened size; "Structs on the Interface":
 *     an interface struct is aggregated into one wide vector, first member
 *     at the LSB, so byte j of the struct is byte j of the beat, which is
 *     address 64 * i + j on the little-endian bus). Its alignment is 1, so
 *     host code may pass any byte buffer.
 *   - OpenCL C: uint16 (64 bytes; OpenCL has no 64-component uchar vector).
 * Byte and word accessors stay for the NCHW datapaths. Each is one access
 * of the port per byte (lf_ld_i32 is four), exactly as when the ports were
 * byte-typed: relabelling the port does not make them cheaper, and the
 * lf_pipes.h table and scripts/hls-lint count them that way.
 *
 * Byte stores (lf_st_u8): in HLS and host C the store writes one member of
 * one beat (`p[off / 64].b[off % 64] = v`); C gives it the meaning "this
 * byte changes, no other", with no read of the beat. The m_axi adapter
 * writes a partial beat with byte enables (the AXI write strobes, WSTRB);
 * a read-modify-write of the beat is never written in the source, so no
 * neighbouring byte (another descriptor's or another CU's output) can be
 * clobbered. What is relied on, and cannot be checked here (no Vitis):
 * that Vitis HLS maps a member store of an aggregated m_axi element to a
 * strobed write rather than a read followed by a full write (UG1399 does
 * not spell this out; a byte-aligned member is the case where a strobe is
 * possible at all: a sub-byte or unaligned bit range would need a read).
 * In OpenCL C the stores go through a uchar view of the same buffer (an
 * ordinary byte store); in host C the member store is a byte store.
 */
#define LF_BEAT_BYTES 64
#if defined(LF_OPENCL)
typedef uint16 lf_beat;
#else
typedef struct lf_beat {
	lf_u8 b[LF_BEAT_BYTES];
} lf_beat;
#endif

/* One byte of a beat-typed port, at byte offset @off: one access. */
LF_INLINE lf_u8 lf_ld_u8(LF_GLOBAL const lf_beat *p, lf_u32 off)
{
#if defined(LF_OPENCL)
	return ((LF_GLOBAL const lf_u8 *)p)[off];
#else
	return p[off >> 6].b[off & 63u];
#endif
}

/* Stores one byte at byte offset @off (a strobed partial beat, above). */
LF_INLINE void lf_st_u8(LF_GLOBAL lf_beat *p, lf_u32 off, lf_u8 v)
{
#if defined(LF_OPENCL)
	((LF_GLOBAL lf_u8 *)p)[off] = v;
#else
	p[off >> 6].b[off & 63u] = v;
#endif
}

/* Little-endian 32-bit loads and stores: four byte accesses each. */
LF_INLINE lf_i32 lf_ld_i32(LF_GLOBAL const lf_beat *p, lf_u32 off)
{
	return (lf_i32)((lf_u32)lf_ld_u8(p, off) |
			((lf_u32)lf_ld_u8(p, off + 1) << 8) |
			((lf_u32)lf_ld_u8(p, off + 2) << 16) |
			((lf_u32)lf_ld_u8(p, off + 3) << 24));
}

LF_INLINE void lf_st_i32(LF_GLOBAL lf_beat *p, lf_u32 off, lf_i32 v)
{
	lf_u32 u = (lf_u32)v;
	lf_st_u8(p, off, (lf_u8)(u & 0xffu));
	lf_st_u8(p, off + 1, (lf_u8)((u >> 8) & 0xffu));
	lf_st_u8(p, off + 2, (lf_u8)((u >> 16) & 0xffu));
	lf_st_u8(p, off + 3, (lf_u8)(u >> 24));
}

/*
 * Whole beats: beat index @i (byte offset 64 * i) to / from 64 on-chip
 * bytes (private arrays). One read / one write of the port, all 64
 * strobes set.
 */
LF_INLINE void lf_beat_rd(LF_GLOBAL const lf_beat *p, lf_u32 i,
			  lf_u8 out[LF_BEAT_BYTES])
{
	lf_beat v = p[i];
#if defined(LF_OPENCL)
	vstore16(as_uchar16(v.lo.lo), 0, out);
	vstore16(as_uchar16(v.lo.hi), 1, out);
	vstore16(as_uchar16(v.hi.lo), 2, out);
	vstore16(as_uchar16(v.hi.hi), 3, out);
#else
	/* Unrolled by HLS (a constant-bound loop in a pipelined caller);
	 * no pragma here: host code includes this header too. */
	for (lf_u32 j = 0; j < LF_BEAT_BYTES; j++)
		out[j] = v.b[j];
#endif
}

LF_INLINE void lf_beat_wr(LF_GLOBAL lf_beat *p, lf_u32 i,
			  const lf_u8 in[LF_BEAT_BYTES])
{
	lf_beat v;
#if defined(LF_OPENCL)
	v.lo.lo = as_uint4(vload16(0, in));
	v.lo.hi = as_uint4(vload16(1, in));
	v.hi.lo = as_uint4(vload16(2, in));
	v.hi.hi = as_uint4(vload16(3, in));
#else
	for (lf_u32 j = 0; j < LF_BEAT_BYTES; j++)
		v.b[j] = in[j];
#endif
	p[i] = v;
}

/* An IEEE-754 binary32 stored little-endian (the host writes float32). */
LF_INLINE float lf_ld_f32(LF_GLOBAL const lf_beat *p, lf_u32 off)
{
#if defined(LF_OPENCL)
	return as_float((lf_u32)lf_ld_i32(p, off));
#else
	union {
		lf_u32 u;
		float f;
	} v;
	v.u = (lf_u32)lf_ld_i32(p, off);
	return v.f;
#endif
}

/* The float32 whose bits are @u (a record's mult). */
LF_INLINE float lf_bits_f32(lf_u32 u)
{
#if defined(LF_OPENCL)
	return as_float(u);
#else
	union {
		lf_u32 u;
		float f;
	} v;
	v.u = u;
	return v.f;
#endif
}

/* The bits of a float32 (for exact rounding without libm). */
LF_INLINE lf_u32 lf_f32_bits(float f)
{
#if defined(LF_OPENCL)
	return as_uint(f);
#else
	union {
		lf_u32 u;
		float f;
	} v;
	v.f = f;
	return v.u;
#endif
}

#endif /* LF_KERNEL_H */
