/*
 * emu_timing.c - the timing model and the timeline it records.
 *
 * Device time advances by modeled durations, never by sleeping:
 *   DMA  = setup + bytes / bandwidth of its direction        (ns, rounded)
 *   run  = launch + cycles / kernel clock                    (ns, rounded)
 * Resources, each with its own "free at" time: one DMA engine per
 * direction (H2D and D2H overlap each other and compute; transfers in one
 * direction serialize) and one timeline per CU. Start times:
 *   H2D/D2H  max(engine free, host now, end of the last run using the
 *            buffer)  (a transfer never overtakes a run on its buffer)
 *   run      max(CU free, last H2D end of any of its buffers, host now at
 *            submission)
 * "Host now" is where the host stands on the device clock: a sync blocks,
 * so it moves to the transfer's end; a successful wait moves it to the
 * run's end; a run start does not move it (runs are asynchronous), which
 * is what lets a transfer overlap a run.
 */
#include <math.h>
#include <string.h>

#include "driver/emu/emu_impl.h"

uint64_t lf__emu_max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;
	return m > c ? m : c;
}

static uint64_t ns_of(double ns)
{
	if (!(ns > 0))
		return 0;
	if (ns >= 1.8e19)
		return UINT64_MAX / 2;
	return (uint64_t)llround(ns);
}

uint64_t lf__emu_dma_ns(const lf_emu *e, enum lf_sync_dir dir, uint64_t bytes)
{
	double bps = dir == LF_SYNC_TO_DEVICE ? e->h2d_bps : e->d2h_bps;

	return e->setup_ns + ns_of((double)bytes * 1e9 / bps);
}

uint64_t lf__emu_run_ns(const lf_emu *e, uint64_t cycles, uint32_t clock_mhz)
{
	return e->launch_ns + ns_of((double)cycles * 1e3 / (double)clock_mhz);
}

void lf__emu_tl_record(lf_emu *e, const struct lf_tl_event *ev)
{
	struct lf_tl_event *slot = &e->ring[e->next_seq % e->ring_cap];

	*slot = *ev;
	slot->seq = e->next_seq++;
	if (ev->end_ns > e->ctr.device_ns)
		e->ctr.device_ns = ev->end_ns;
}

void lf__emu_timeline(lf_emu *e, uint64_t from_seq, struct lf_tl_event *out,
		      uint32_t max, uint32_t *n)
{
	uint64_t oldest, seq;
	uint32_t k = 0;

	pthread_mutex_lock(&e->mu);
	oldest = e->next_seq > e->ring_cap ? e->next_seq - e->ring_cap : 0;
	seq = from_seq > oldest ? from_seq : oldest;
	for (; seq < e->next_seq && k < max; seq++)
		out[k++] = e->ring[seq % e->ring_cap];
	pthread_mutex_unlock(&e->mu);
	*n = k;
}
