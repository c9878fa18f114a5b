/*
 * cycles.c - the emulator's per-thread cycle counters behind LF_PIPE and
 * LF_DESC_DONE (lf_pipes.h). Host-C build only: in HLS and OpenCL builds
 * the counting macros compile to nothing and this file is not part of the
 * kernel.
 *
 * The emulator runs each compute unit on its own thread: it calls
 * lfk_cycles_reset(), the kernel entry point, then lfk_cycles_get() on that
 * thread to obtain the modeled clock cycles of the run.
 */
#include "lf_kernel.h"
#include "lf_pipes.h"

#if !defined(LF_OPENCL) && !defined(LF_HLS)
_Thread_local lf_u64 lfk__cycles;
_Thread_local lf_u64 lfk__descs;
_Thread_local struct lfk_pipe_stat lfk__pipe[LFP_COUNT];

#define LFP_NAME(label, ii, depth, port) #label,
static const char *const pipe_names[LFP_COUNT] = {LF_PIPES(LFP_NAME)};
#undef LFP_NAME

LF_EXPORT void lfk_cycles_reset(void)
{
	lfk__cycles = 0;
	lfk__descs = 0;
	for (lf_u32 i = 0; i < LFP_COUNT; i++) {
		lfk__pipe[i].calls = 0;
		lfk__pipe[i].iters = 0;
		lfk__pipe[i].cycles = 0;
	}
}

LF_EXPORT lf_u64 lfk_cycles_get(void)
{
	return lfk__cycles;
}

LF_EXPORT int lfk_pipe_stats(lf_u32 id, struct lfk_pipe_stat *out)
{
	if (id >= LFP_COUNT)
		return 0;
	*out = lfk__pipe[id];
	return 1;
}

LF_EXPORT const char *lfk_pipe_name(lf_u32 id)
{
	return id < LFP_COUNT ? pipe_names[id] : 0;
}
#endif
