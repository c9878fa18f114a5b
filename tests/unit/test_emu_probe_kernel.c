/*
 * test_emu_probe_kernel.c - lfk_probe, a kernel for the emulator's own
 * tests, built like build/hls/lfkernels.so into build/tests/emu_probe.so.
 *
 * It has the layerfab kernel ABI and does just enough to make the
 * emulator observable: per descriptor it records what it was told
 * (reserved8[1..3] = ndesc, params_bytes, act_bytes), adds
 * reserved8[0] modeled cycles, and computes
 *   act[y_off + i] = act[x_off + i] + params[w_off + i],  i < mm_k
 * after checking every byte against params_bytes / act_bytes
 * (LF_KST_BOUNDS otherwise), as the real kernels do.
 */
#include "lf_desc.h"

_Thread_local lf_u64 lfk__cycles;

void lfk_cycles_reset(void);
lf_u64 lfk_cycles_get(void);
void lfk_probe(lf_u32 *words, lf_u32 ndesc, const lf_u8 *params,
	       lf_u32 params_bytes, lf_u8 *act, lf_u32 act_bytes);

void lfk_cycles_reset(void)
{
	lfk__cycles = 0;
}

lf_u64 lfk_cycles_get(void)
{
	return lfk__cycles;
}

static int outside(lf_u32 off, lf_u32 n, lf_u32 size)
{
	return n > size || off > size - n;
}

void lfk_probe(lf_u32 *words, lf_u32 ndesc, const lf_u8 *params,
	       lf_u32 params_bytes, lf_u8 *act, lf_u32 act_bytes)
{
	/* A host-C test kernel: it may see the list as structs. */
	lf_desc *desc = (lf_desc *)(void *)words;

	for (lf_u32 d = 0; d < ndesc; d++) {
		lf_desc *p = &desc[d];
		lf_u32 n = p->mm_k;

		p->reserved8[1] = ndesc;
		p->reserved8[2] = params_bytes;
		p->reserved8[3] = act_bytes;
		if (p->magic != LF_DESC_MAGIC) {
			p->status = LF_KST_BAD_MAGIC;
			return;
		}
		lfk__cycles += p->reserved8[0];
		if (outside(p->x_off, n, act_bytes) ||
		    outside(p->y_off, n, act_bytes) ||
		    outside(p->w_off, n, params_bytes)) {
			p->status = LF_KST_BOUNDS;
			return;
		}
		for (lf_u32 i = 0; i < n; i++)
			act[p->y_off + i] =
			    (lf_u8)(act[p->x_off + i] + params[p->w_off + i]);
		p->status = LF_KST_OK;
	}
}
