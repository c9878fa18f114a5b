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

_Thread_local struct lfk_ovl lfk__ovl;
/* The emulator's barrier for this CU thread (lfk_sync_set). */
static _Thread_local lfk_sync_fn sync_fn;
static _Thread_local void *sync_ctx;
/* The host-C fast paths (lf_conv_blk.h, add.c): 0 the best SIMD the CPU
 * has, 1 no AVX2 (SSE2 only; the tests run both). */
int lfk__blk_isa;
/* lf_conv_blk.h blk_host_banks: pixel groups checked, and pairs of a
 * group's pixels in one line-buffer bank (the tests expect none). */
_Thread_local lf_u64 lfk__blk_bank_groups, lfk__blk_bank_clash;

#define LFP_NAME(label, ii, depth, port, rd, wr, seq) #label,
static const char *const pipe_names[LFP_COUNT] = {LF_PIPES(LFP_NAME)};
#undef LFP_NAME

/* Stages of each region, and each member's stage + 1 (0: no member). */
#define LFR_STAGES(region, stages) (stages),
static const lf_u32 ovl_stages[LFR_COUNT] = {LF_OVL_REGIONS(LFR_STAGES)};
#undef LFR_STAGES
#define LFO_STAGE(region, stage, kind, member)                                 \
	[LFR_##region][LFO_ID_##kind(member)] = (stage) + 1,
static const unsigned char ovl_member[LFR_COUNT][LFO_NID] = {
    LF_OVERLAP(LFO_STAGE)};
#undef LFO_STAGE

/*
 * Per frame, the members whose costs may be nonzero (a bit per id, set
 * by ovl_add): the steps below visit only those, in id order as loops
 * over every id would (the same sums, the same first maximum), so a
 * region step costs its few members, not LFO_NID of them per stage.
 */
#define OVL_W ((LFO_NID + 63) / 64)
static _Thread_local lf_u64 ovl_used[LFO_DEPTH][OVL_W];

/* The first member of frame @k at or after @id, or LFO_NID. */
static lf_u32 ovl_next(int k, lf_u32 id)
{
	for (lf_u32 w = id / 64; w < OVL_W; w++) {
		lf_u64 b = ovl_used[k][w];
		if (w == id / 64)
			b &= ~0ull << (id % 64);
		if (b)
			return w * 64 + (lf_u32)__builtin_ctzll(b);
	}
	return LFO_NID;
}

/* Every member of frame k, ascending. */
#define OVL_EACH(k, id)                                                        \
	for (lf_u32 id = ovl_next((k), 0); id < LFO_NID;                       \
	     id = ovl_next((k), id + 1))

/* The stage of @region that member @id runs in, or -1. */
static int ovl_stage(lf_u32 region, lf_u32 id)
{
	return region < LFR_COUNT && id < LFO_NID
		   ? (int)ovl_member[region][id] - 1
		   : -1;
}

/*
 * Cost of member @id as frame @k (0-based, @k < depth) or, for @k < 0, as
 * the clock sees it: the loop's counters and the cycle counter.
 */
static void ovl_add(int k, int stage, lf_u32 id, lf_u64 cyc, lf_u64 stall,
		    lf_u64 bank)
{
	if (k < 0 || stage < 0) {
		if (id < LFP_COUNT) {
			lfk__pipe[id].cycles += cyc;
			lfk__pipe[id].mem_stall += stall;
		}
		lfk__cycles += cyc;
		return;
	}
	struct lfk_ovl_cost *c = &lfk__ovl.f[k].cur[stage][id];
	ovl_used[k][id / 64] |= 1ull << (id % 64);
	c->cyc += cyc;
	c->stall += stall;
	c->bank += bank;
}

void lfk__charge(lf_u32 id, lf_u64 cyc, lf_u64 stall, lf_u64 bank)
{
	int k = (int)lfk__ovl.depth - 1;
	int s = k >= 0 ? ovl_stage(lfk__ovl.f[k].region, id) : -1;
	ovl_add(s >= 0 ? k : -1, s, id, cyc, stall, bank);
}

/*
 * Step lfk__ovl.f[depth-1].base done: its cost is the slowest stage's
 * (or the bank time of all its stages together, if more), charged to the
 * loops of that stage in the enclosing region's stage (or to the clock);
 * the other stages pass on only their bank time.
 */
static void ovl_emit(void)
{
	int k = (int)lfk__ovl.depth - 1;
	struct lfk_ovl_frame *f = &lfk__ovl.f[k];
	struct lfk_ovl_cost(*q)[LFO_NID] = f->q[f->base % f->stages];
	lf_u64 bank = 0, top = 0;
	lf_u32 crit = 0, big = LFO_NID;
	for (lf_u32 s = 0; s < LFO_STAGES && s < LFO_STAGES && s < f->stages; s++) {
		lf_u64 t = 0;
		OVL_EACH(k, id)
		{
			t += q[s][id].cyc;
			bank += q[s][id].bank;
		}
		if (t > top) {
			top = t;
			crit = s;
		}
	}
	OVL_EACH(k, id)
	{
		if (q[crit][id].cyc &&
		    (big == LFO_NID || q[crit][id].cyc > q[crit][big].cyc))
			big = id;
	}
	/* The enclosing frame's stage for this region. */
	int ps = k > 0 ? ovl_stage(lfk__ovl.f[k - 1].region,
				   LFP_COUNT + f->region)
		       : -1;
	int pk = ps >= 0 ? k - 1 : -1;
	for (lf_u32 s = 0; s < LFO_STAGES && s < LFO_STAGES && s < f->stages; s++) {
		OVL_EACH(k, id)
		{
			struct lfk_ovl_cost *c = &q[s][id];
			if (!(c->cyc | c->bank))
				continue;
			lf_u64 cyc = s == crit ? c->cyc : 0;
			lf_u64 stall = s == crit ? c->stall : 0;
			if (s == crit && id == big && bank > top) {
				cyc += bank - top;
				stall += bank - top;
			}
			ovl_add(pk, ps, id, cyc, stall, c->bank);
			c->cyc = c->stall = c->bank = 0;
		}
	}
	f->base++;
}

void lfk__ovl_begin(lf_u32 region)
{
	if (lfk__ovl.depth >= LFO_DEPTH || region >= LFR_COUNT ||
	    lfk__ovl.over) {
		lfk__ovl.over++; /* runs as if no region: costs add */
		return;
	}
	int k = (int)lfk__ovl.depth++;
	struct lfk_ovl_frame *f = &lfk__ovl.f[k];
	/* Zero what a region left in this frame (its members' entries:
	 * every other one is zero already). */
	OVL_EACH(k, id)
	{
		for (lf_u32 s = 0; s < LFO_STAGES; s++) {
			f->cur[s][id] = (struct lfk_ovl_cost){0, 0, 0};
			for (lf_u32 j = 0; j < LFO_STAGES; j++)
				f->q[j][s][id] = (struct lfk_ovl_cost){0, 0, 0};
		}
	}
	for (lf_u32 w = 0; w < OVL_W; w++)
		ovl_used[k][w] = 0;
	f->base = 0;
	f->region = region;
	f->stages = ovl_stages[region];
}

/* One iteration done: stage s's costs belong to step base + s. */
void lfk__ovl_step(lf_u32 region)
{
	(void)region;
	if (lfk__ovl.over || !lfk__ovl.depth)
		return;
	int k = (int)lfk__ovl.depth - 1;
	struct lfk_ovl_frame *f = &lfk__ovl.f[k];
	for (lf_u32 s = 0; s < LFO_STAGES && s < LFO_STAGES && s < f->stages; s++) {
		struct lfk_ovl_cost *d = f->q[(f->base + s) % f->stages][s];
		OVL_EACH(k, id)
		{
			d[id].cyc += f->cur[s][id].cyc;
			d[id].stall += f->cur[s][id].stall;
			d[id].bank += f->cur[s][id].bank;
		}
	}
	OVL_EACH(k, id)
	{
		for (lf_u32 s = 0; s < LFO_STAGES; s++)
			f->cur[s][id] = (struct lfk_ovl_cost){0, 0, 0};
	}
	ovl_emit();
}

/* The drain: the last stages - 1 steps. */
void lfk__ovl_end(lf_u32 region)
{
	(void)region;
	if (lfk__ovl.over) {
		lfk__ovl.over--;
		return;
	}
	if (!lfk__ovl.depth)
		return;
	int k = (int)lfk__ovl.depth - 1;
	struct lfk_ovl_frame *f = &lfk__ovl.f[k];
	for (lf_u32 s = 0; s < LFO_STAGES && s < LFO_STAGES && s < f->stages; s++) {
		OVL_EACH(k, id)
		{
			/* costs after the last step: a stage of their own */
			struct lfk_ovl_cost *c = &f->cur[s][id];
			if (c->cyc | c->bank)
				ovl_add(-1, -1, id, c->cyc, c->stall,
					c->bank);
		}
	}
	for (lf_u32 j = 1; j < LFO_STAGES && j < f->stages; j++)
		ovl_emit();
	lfk__ovl.depth--;
}

LF_EXPORT void lfk_cycles_reset(void)
{
	lfk__ovl.depth = 0;
	lfk__ovl.over = 0;
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
void lfk_sync_set(lfk_sync_fn fn, void *ctx)
{
	sync_fn = fn;
	sync_ctx = ctx;
}

int lfk__sync(lf_u32 k)
{
	lf_u64 c = lfk__cycles;
	if (!sync_fn || !sync_fn(sync_ctx, k, &c))
		return 0;
	if (c > lfk__cycles)
		lfk__cycles = c;
	lfk__cycles += LF_SYNC_CYCLES;
	return 1;
}

#endif
