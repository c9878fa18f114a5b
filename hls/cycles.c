/*
 * cycles.c - the emulator's per-thread cycle counters behind LF_PIPE and
 * LF_DESC_DONE (lf_pipes.h). Host-C build only: in HLS and OpenCL builds
 * the counting macros compile to nothing and this file is not part of the
 * kernel.
 *
 * The emulator runs each compute unit on its own thread: it calls
 * lfk_cycles_reset(), the kernel entry point, then lfk_cycles_get() on that
 * thread to obtain the modeled clock cycles of the run, lfk_desc_cycles()
 * for each descriptor's share and lfk_pipe_stats() for each loop's.
 */
#include "lf_kernel.h"
#include "lf_pipes.h"

#if !defined(LF_OPENCL) && !defined(LF_HLS)
_Thread_local lf_u64 lfk__cycles;
_Thread_local lf_u64 lfk__descs;
_Thread_local struct lfk_pipe_stat lfk__pipe[LFP_COUNT];
_Thread_local struct lfk_mem lfk__mem;
_Thread_local lf_u64 lfk__desc_end[LFK_DESC_MARKS];
_Thread_local lf_u32 lfk__ndesc_end;

#define LFP_NAME(label, ii, depth, port, rd, wr, seq) #label,
static const char *const pipe_names[LFP_COUNT] = {LF_PIPES(LFP_NAME)};
#undef LFP_NAME

LF_EXPORT void lfk_cycles_reset(void)
{
	lfk__cycles = 0;
	lfk__descs = 0;
	lfk__ndesc_end = 0;
	for (lf_u32 i = 0; i < LFP_COUNT; i++) {
		lfk__pipe[i].calls = 0;
		lfk__pipe[i].iters = 0;
		lfk__pipe[i].cycles = 0;
		lfk__pipe[i].mem_stall = 0;
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

LF_EXPORT lf_u32 lfk_desc_cycles(lf_u64 *out, lf_u32 max)
{
	lf_u32 n = lfk__ndesc_end;
	if (n > LFK_DESC_MARKS)
		return 0;
	lf_u64 prev = 0;
	for (lf_u32 i = 0; i < LFK_DESC_MARKS; i++) {
		if (i >= n || i >= max)
			break;
		out[i] = lfk__desc_end[i] - prev;
		prev = lfk__desc_end[i];
	}
	return n;
}

LF_EXPORT const char *lfk_pipe_name(lf_u32 id)
{
	return id < LFP_COUNT ? pipe_names[id] : 0;
}

LF_EXPORT int lfk_mem_set(lf_u32 port, float bytes_per_cycle, float eff_burst,
			  float eff_single, lf_u32 atom)
{
	if (port >= LFP_NPORTS || !(bytes_per_cycle >= 0.0f) ||
	    !(eff_burst > 0.0f && eff_burst <= 1.0f) ||
	    !(eff_single > 0.0f && eff_single <= 1.0f) || atom == 0)
		return 0;
	lfk__mem.bpc[port] = bytes_per_cycle;
	lfk__mem.eff_burst = eff_burst;
	lfk__mem.eff_single = eff_single;
	lfk__mem.atom = atom;
	return 1;
}
#endif
