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
 * width types below, little-endian byte access through the lf_ld_* / lf_st_*
 * helpers (no pointer casts between element types: HLS m_axi ports and
 * OpenCL buffers are byte arrays here).
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

/* Little-endian loads and stores on byte-addressed device memory. */
LF_INLINE lf_i32 lf_ld_i32(LF_GLOBAL const lf_u8 *p, lf_u32 off)
{
	return (lf_i32)((lf_u32)p[off] | ((lf_u32)p[off + 1] << 8) |
			((lf_u32)p[off + 2] << 16) |
			((lf_u32)p[off + 3] << 24));
}

LF_INLINE void lf_st_i32(LF_GLOBAL lf_u8 *p, lf_u32 off, lf_i32 v)
{
	lf_u32 u = (lf_u32)v;
	p[off] = (lf_u8)(u & 0xffu);
	p[off + 1] = (lf_u8)((u >> 8) & 0xffu);
	p[off + 2] = (lf_u8)((u >> 16) & 0xffu);
	p[off + 3] = (lf_u8)(u >> 24);
}

/* An IEEE-754 binary32 stored little-endian (the host writes float32). */
LF_INLINE float lf_ld_f32(LF_GLOBAL const lf_u8 *p, lf_u32 off)
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
