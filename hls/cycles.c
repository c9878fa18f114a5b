/*
 * cycles.c - the emulator's per-thread cycle counter behind LF_CYCLES
 * (lf_kernel.h). Host-C build only: in HLS and OpenCL builds LF_CYCLES
 * compiles to nothing and this file is not part of the kernel.
 *
 * The emulator runs each compute unit on its own thread: it calls
 * lfk_cycles_reset(), the kernel entry point, then lfk_cycles_get() on that
 * thread to obtain the modeled clock cycles of the run.
 */
#include "lf_kernel.h"

#if !defined(LF_OPENCL) && !defined(LF_HLS)
_Thread_local lf_u64 lfk__cycles;

LF_EXPORT void lfk_cycles_reset(void)
{
	lfk__cycles = 0;
}

LF_EXPORT lf_u64 lfk_cycles_get(void)
{
	return lfk__cycles;
}
#endif
