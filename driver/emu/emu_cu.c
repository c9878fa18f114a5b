/*
 * emu_cu.c - compute units: one worker thread per CU, runs queued per CU
 * and executed in order, completion signalled through a condition
 * variable. Several CUs run at once, each on its own thread and its own
 * modeled timeline.
 *
 * A run's kernel gets the layerfab kernel ABI's arguments (hls/lf_desc.h):
 * pointers into device memory at buffer + offset, the descriptor count,
 * and for params / act the number of bytes the kernel may touch: the
 * smaller of what the host passed and what the buffer holds from that
 * offset. That is the true size, so the kernel's own bounds checks
 * (LF_KST_BOUNDS) are what protects the emulator's memory, as they protect
 * a card's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/emu/emu_impl.h"

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *cu_name(const struct emu_cu *cu)
{
	return cu->img->xb->cus[cu->index].name;
}

/* Complete @r with @st (e->mu held). @executed: the kernel ran. */
static void finish_run(lf_emu *e, struct emu_cu *cu, lf_emu_run *r,
		       lf_status st, const char *why, int executed,
		       uint64_t cycles, uint64_t wall)
{
	struct lf_tl_event ev = {0};
	uint64_t start = lf__emu_max3(cu->free_ns, r->dep_ns, r->submit_ns);
	uint64_t end = start;

	if (executed) {
		end = start +
		      lf__emu_run_ns(e, cycles,
				     cu->img->kernels[cu->kernel].clock_mhz);
		cu->free_ns = end;
		cu->ctr.busy_model_ns += end - start;
		cu->ctr.busy_wall_ns += wall;
	}
	for (int i = 0; i < EMU_ABI_NARGS; i++) {
		struct emu_alloc *a = r->alloc[i];

		if (!a)
			continue;
		a->users--;
		if (executed && end > a->run_end_ns)
			a->run_end_ns = end;
	}
	r->start_ns = start;
	r->end_ns = end;
	r->cycles = cycles;
	r->executed = executed;
	r->clock_mhz = cu->img->kernels[cu->kernel].clock_mhz;
	r->status = st;
	if (st != LF_OK) {
		snprintf(r->msg, sizeof(r->msg),
			 "emu: run #%llu on CU '%s': %s",
			 (unsigned long long)r->id, cu_name(cu), why);
		e->ctr.runs_aborted++;
	}
	r->state = EMU_RUN_DONE;
	cu->ctr.runs++;
	ev.kind = LF_TL_RUN;
	ev.cu = cu->index;
	ev.status = st;
	ev.addr = r->argv[LF_KARG_DESC];
	ev.cycles = cycles;
	ev.start_ns = start;
	ev.end_ns = end;
	lf__emu_tl_record(e, &ev);
	pthread_cond_broadcast(&e->done_cv);
}

/*
 * The ring size of the barriers in @r's descriptor list (hls/lf_desc.h
 * "Barrier": sync's k), 0 for none: a run split across a launch group's
 * CUs, which all stream the act buffer they share.
 */
static uint32_t run_ring(const lf_emu_run *r)
{
	const uint8_t *p = r->alloc[LF_KARG_DESC]->mem + r->off[LF_KARG_DESC];
	uint32_t k = 0;
	for (uint32_t i = 0; i < r->ndesc; i++) {
		uint32_t w;
		memcpy(&w,
		       p + (uint64_t)i * LF_DESC_BYTES +
			   offsetof(lf_desc, sync),
		       4);
		if ((w & 0xffu) > k)
			k = w & 0xffu;
	}
	return k >= 2 ? k : 0;
}

/*
 * Tells the kernel (on this CU's thread) the bank behind each of its
 * m_axi ports for this run: the buffer's bank, its bandwidth shared by
 * the CUs that count against it (emu_kernels.c count_bank_cus), and for
 * a run split across a launch group (run_ring) the act bank by at least
 * the group's k CUs (hls/lf_pipes.h does the rest).
 */
static void set_memory(struct emu_cu *cu, const lf_emu_run *r)
{
	struct emu_image *img = cu->img;
	static const int args[3] = {LF_KARG_DESC, LF_KARG_PARAMS, LF_KARG_ACT};
	uint32_t mhz = img->kernels[cu->kernel].clock_mhz;

	if (!img->mem_set)
		return;
	uint32_t ring = run_ring(r);
	for (uint32_t p = 0; p < 3; p++) {
		uint32_t bank = r->alloc[args[p]]->bank;
		uint32_t n = bank < LF_DRV_MAX_MEMS ? img->bank_cus[bank] : 0;
		if (args[p] == LF_KARG_ACT && n < ring)
			n = ring;

		img->mem_set(p, lf__emu_bank_bpc(cu->emu, bank, n, mhz),
			     LF_EMU_EFF_BURST, LF_EMU_EFF_SINGLE,
			     LF_EMU_DRAM_ATOM);
	}
}

/* Loops past this many table entries are not read (a sanity bound). */
#define EMU_MAX_LOOPS 512

/*
 * The kernels' own account of the run just executed on this thread: each
 * finished descriptor's cycles and each loop label's counters, kept on
 * the run for lf__run_model(). Without memory the run simply has none.
 */
static void collect_model(const struct emu_image *img, lf_emu_run *r)
{
	if (img->desc_cycles) {
		uint32_t n = img->desc_cycles(NULL, 0);
		uint64_t *d = n ? malloc((size_t)n * sizeof(*d)) : NULL;

		if (d && img->desc_cycles(d, n) == n) {
			r->desc_cycles = d;
			r->ndesc_done = n;
		} else {
			free(d);
		}
	}
	if (!img->pipe_stats)
		return;
	uint32_t used = 0, k = 0;
	struct emu_pipe_stat st;

	for (uint32_t id = 0; id < EMU_MAX_LOOPS && img->pipe_name(id); id++)
		used += img->pipe_stats(id, &st) && st.calls;
	r->loops = used ? calloc(used, sizeof(*r->loops)) : NULL;
	if (!r->loops)
		return;
	for (uint32_t id = 0; k < used && img->pipe_name(id); id++) {
		if (!img->pipe_stats(id, &st) || !st.calls)
			continue;
		snprintf(r->loops[k].name, sizeof(r->loops[k].name), "%s",
			 img->pipe_name(id));
		r->loops[k].calls = st.calls;
		r->loops[k].iters = st.iters;
		r->loops[k].cycles = st.cycles;
		r->loops[k].mem_stall = st.mem_stall;
		k++;
	}
	r->nloops = k;
}

/*
 * A launch group's barrier (hls/lf_desc.h "Barrier"), the kernels'
 * lfk_sync_set hook: one CU thread's run, its kernel's first cycle on
 * the device clock.
 */
struct emu_sync_ctx {
	lf_emu *e;
	double t0_ns;
	uint32_t mhz;
};

void lf__emu_sync_break(lf_emu *e)
{
	if (!e->sync_arrived)
		return;
	e->sync_broken[e->sync_gen % 64] = 1;
	e->sync_arrived = 0;
	e->sync_gen++;
	pthread_cond_broadcast(&e->sync_cv);
}

/*
 * Returns once @k CU threads have arrived (1), or when the barrier is
 * broken (0: an abort, a lost device, two rings at once). *cycles, this
 * run's count on arrival, becomes the count at the last arrival on the
 * device clock: the layer then costs the slowest CU's time on every CU
 * of the group (the caller adds the barrier's own cycles). The runs of
 * one group may start at different times; the arrival is compared as
 * start + cycles. As on a card, the group's runs must be queued in the
 * same order on every CU (the host starts a group's runs together).
 */
static int sync_wait(void *ctx, uint32_t k, uint64_t *cycles)
{
	struct emu_sync_ctx *c = ctx;
	lf_emu *e = c->e;
	double t = c->t0_ns + (double)*cycles * 1e3 / (double)c->mhz;
	int ok = 0;

	pthread_mutex_lock(&e->mu);
	if (e->lost || (e->sync_arrived && e->sync_k != k)) {
		lf__emu_sync_break(e);
		goto out;
	}
	if (!e->sync_arrived || t > e->sync_tmax)
		e->sync_tmax = t;
	e->sync_k = k;
	uint64_t gen = e->sync_gen;
	if (++e->sync_arrived == k) {
		e->sync_trel[gen % 64] = e->sync_tmax;
		e->sync_broken[gen % 64] = 0;
		e->sync_arrived = 0;
		e->sync_gen++;
		pthread_cond_broadcast(&e->sync_cv);
	} else {
		while (e->sync_gen == gen)
			pthread_cond_wait(&e->sync_cv, &e->mu);
	}
	if (e->sync_broken[gen % 64])
		goto out;
	double dt = e->sync_trel[gen % 64] - c->t0_ns;
	uint64_t at = dt > 0 ? (uint64_t)(dt * (double)c->mhz / 1e3 + 0.5) : 0;
	if (at > *cycles)
		*cycles = at;
	ok = 1;
out:
	pthread_mutex_unlock(&e->mu);
	return ok;
}

static void execute(struct emu_cu *cu, lf_emu_run *r, uint64_t *cycles,
		    uint64_t *wall)
{
	struct emu_image *img = cu->img;
	uint64_t t0 = wall_ns();
	/* This run's start on the device clock, as finish_run will set it
	 * (this thread alone moves cu->free_ns), then the launch. */
	uint32_t mhz = img->kernels[cu->kernel].clock_mhz;
	struct emu_sync_ctx sc = {
	    .e = cu->emu,
	    .t0_ns =
		(double)(lf__emu_max3(cu->free_ns, r->dep_ns, r->submit_ns) +
			 cu->emu->launch_ns),
	    .mhz = mhz ? mhz : 250,
	};

	set_memory(cu, r);
	if (img->sync_set)
		img->sync_set(sync_wait, &sc);
	img->cycles_reset();
	img->kernels[cu->kernel].fn(
	    (lf_u32 *)(void *)(r->alloc[LF_KARG_DESC]->mem +
			       r->off[LF_KARG_DESC]),
	    r->ndesc,
	    /* beat-typed ports (lf_kernel.h): byte members, alignment 1 */
	    (const lf_beat *)(const void *)(r->alloc[LF_KARG_PARAMS]->mem +
					    r->off[LF_KARG_PARAMS]),
	    r->params_bytes,
	    (lf_beat *)(void *)(r->alloc[LF_KARG_ACT]->mem +
				r->off[LF_KARG_ACT]),
	    r->act_bytes);
	*cycles = img->cycles_get();
	if (img->sync_set)
		img->sync_set(NULL, NULL);
	collect_model(img, r);
	*wall = wall_ns() - t0;
}

/* The injected STATUS_CORRUPT (emu_fault.c): no kernel, the last status
 * word a bare LF_KST_OK. */
static void skip_run(lf_emu_run *r)
{
	uint32_t ok = LF_KST_OK;

	if (r->ndesc)
		memcpy(r->alloc[LF_KARG_DESC]->mem + r->off[LF_KARG_DESC] +
			   (uint64_t)(r->ndesc - 1) * LF_DESC_BYTES +
			   offsetof(lf_desc, status),
		       &ok, 4);
}

static void *cu_main(void *arg)
{
	struct emu_cu *cu = arg;
	lf_emu *e = cu->emu;

	pthread_mutex_lock(&e->mu);
	for (;;) {
		lf_emu_run *r;
		uint64_t cycles = 0, wall = 0;

		while (!cu->stop && !cu->head)
			pthread_cond_wait(&cu->cv, &e->mu);
		if (!cu->head)
			break;
		r = cu->head;
		cu->head = r->next;
		if (!cu->head)
			cu->tail = NULL;
		r->next = NULL;
		r->state = EMU_RUN_RUNNING;
		cu->running = r;
		if (r->hang) {
			/* The injected hang: busy until someone ends it. */
			while (!r->abort_req)
				pthread_cond_wait(&cu->cv, &e->mu);
			finish_run(e, cu, r, r->abort_st, r->abort_why, 0, 0,
				   0);
		} else if (r->skip) {
			skip_run(r);
			finish_run(e, cu, r, LF_OK, NULL, 1, 0, 0);
		} else {
			pthread_mutex_unlock(&e->mu);
			execute(cu, r, &cycles, &wall);
			pthread_mutex_lock(&e->mu);
			finish_run(e, cu, r, LF_OK, NULL, 1, cycles, wall);
		}
		cu->running = NULL;
		pthread_cond_broadcast(&e->done_cv);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

void lf__emu_abort_queue(lf_emu *e, struct emu_cu *cu, lf_status st,
			 const char *why)
{
	while (cu->head) {
		lf_emu_run *r = cu->head;

		cu->head = r->next;
		r->next = NULL;
		finish_run(e, cu, r, st, why, 0, 0, 0);
	}
	cu->tail = NULL;
}

void lf__emu_cu_quiesce(lf_emu *e, struct emu_cu *cu, lf_status st,
			const char *why)
{
	lf__emu_abort_queue(e, cu, st, why);
	if (cu->running && cu->running->hang && !cu->running->abort_req) {
		cu->running->abort_req = 1;
		cu->running->abort_st = st;
		cu->running->abort_why = why;
		pthread_cond_broadcast(&cu->cv);
	}
	/* A kernel that is really executing cannot be interrupted; it ends
	 * in bounded time (static loop bounds) and completes normally, once
	 * a barrier it waits at is broken. */
	if (cu->running)
		lf__emu_sync_break(e);
	while (cu->running)
		pthread_cond_wait(&e->done_cv, &e->mu);
}

lf_status lf__emu_cus_start(lf_emu *e, struct emu_image *img)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < img->ncus; i++) {
		struct emu_cu *cu = &img->cus[i];

		cu->emu = e;
		cu->img = img;
		cu->index = i;
		cu->kernel = img->xb->cus[i].kernel;
		rc = pthread_cond_init(&cu->cv, NULL);
		if (rc != 0)
			break;
		rc = pthread_create(&cu->thread, NULL, cu_main, cu);
		if (rc != 0) {
			pthread_cond_destroy(&cu->cv);
			break;
		}
		cu->started = 1;
	}
	if (i == img->ncus)
		return LF_OK;
	return lf__drv_error(LF_ERR_NO_MEMORY,
			     "emu: cannot start the worker thread of CU %u "
			     "'%s': %s",
			     i, img->xb->cus[i].name, strerror(rc));
}

void lf__emu_image_free(lf_emu *e, struct emu_image *img)
{
	if (!img)
		return;
	if (img->cus) {
		pthread_mutex_lock(&e->mu);
		for (uint32_t i = 0; i < img->ncus; i++) {
			struct emu_cu *cu = &img->cus[i];

			if (!cu->started)
				continue;
			lf__emu_cu_quiesce(e, cu, LF_ERR_DEVICE,
					   "the xclbin was unloaded");
			cu->stop = 1;
			pthread_cond_broadcast(&cu->cv);
		}
		pthread_mutex_unlock(&e->mu);
		for (uint32_t i = 0; i < img->ncus; i++) {
			if (!img->cus[i].started)
				continue;
			pthread_join(img->cus[i].thread, NULL);
			pthread_cond_destroy(&img->cus[i].cv);
		}
		free(img->cus);
	}
	if (img->dl)
		dlclose(img->dl);
	free(img->xb);
	free(img);
}

/* ------------------------------------------------------------------------
 * Starting, waiting for and aborting runs.
 */

static const char *arg_name(const struct emu_cu *cu, uint32_t id)
{
	const struct lf_xclbin_kernel *k = &cu->img->xb->kernels[cu->kernel];

	for (uint32_t i = 0; i < k->nargs; i++)
		if (k->args[i].id == id)
			return k->args[i].name;
	return "?";
}

static int reach_bit(const struct emu_image *img, uint32_t cu, int arg,
		     uint32_t bank)
{
	return (int)((img->reach[cu][arg][bank / 64] >> (bank % 64)) & 1u);
}

/* Can port @arg of @cu reach every byte of @a? */
static int reaches(const lf_emu *e, const struct emu_image *img, uint32_t cu,
		   int arg, const struct emu_alloc *a)
{
	if (reach_bit(img, cu, arg, a->bank))
		return 1;
	/* Overlapping banks (grouped HBM): reachable if inside one. */
	for (uint32_t b = 0; b < e->nbanks; b++) {
		const struct emu_bank *k = &e->banks[b];
		if (reach_bit(img, cu, arg, b) && a->addr >= k->base &&
		    a->addr - k->base <= k->size &&
		    a->size <= k->size - (a->addr - k->base))
			return 1;
	}
	return 0;
}

static lf_status wrong_bank(const lf_emu *e, const struct emu_image *img,
			    const struct emu_cu *cu, int arg,
			    const struct emu_alloc *a)
{
	uint32_t first = 0, n = 0;

	for (uint32_t b = e->nbanks; b-- > 0;) {
		if (reach_bit(img, cu->index, arg, b)) {
			first = b;
			n++;
		}
	}
	return lf__drv_error(
	    LF_ERR_RANGE,
	    "emu: CU '%s' argument %d '%s' is connected to "
	    "bank %u '%s'%s, but its buffer at 0x%llx is in "
	    "bank %u '%s': wrong bank, unreachable from that "
	    "port (as on hardware)",
	    cu_name(cu), arg, arg_name(cu, (uint32_t)arg), first,
	    e->banks[first].tag, n > 1 ? " (and others)" : "",
	    (unsigned long long)a->addr, a->bank, e->banks[a->bank].tag);
}

static uint32_t cap32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Resolve the pointer arguments and the sizes the kernel is told. */
static lf_status bind_args(lf_emu *e, const struct emu_cu *cu,
			   const uint64_t *argv, lf_emu_run *r)
{
	static const int ptrs[] = {LF_KARG_DESC, LF_KARG_PARAMS, LF_KARG_ACT};
	uint64_t avail[EMU_ABI_NARGS] = {0};

	for (int k = 0; k < 3; k++) {
		int i = ptrs[k];
		struct emu_alloc *a = lf__emu_find_alloc(e, argv[i]);

		if (!a)
			return lf__drv_error(LF_ERR_RANGE,
					     "emu: CU '%s' argument %d '%s': "
					     "device address 0x%llx is not "
					     "inside any buffer",
					     cu_name(cu), i,
					     arg_name(cu, (uint32_t)i),
					     (unsigned long long)argv[i]);
		if (!reaches(e, cu->img, cu->index, i, a))
			return wrong_bank(e, cu->img, cu, i, a);
		if (argv[i] % 4)
			return lf__drv_error(LF_ERR_RANGE,
					     "emu: CU '%s' argument %d '%s': "
					     "address 0x%llx is not 4-byte "
					     "aligned",
					     cu_name(cu), i,
					     arg_name(cu, (uint32_t)i),
					     (unsigned long long)argv[i]);
		r->alloc[i] = a;
		r->off[i] = argv[i] - a->addr;
		avail[i] = a->size - r->off[i];
	}
	if (argv[LF_KARG_NDESC] > avail[LF_KARG_DESC] / LF_DESC_BYTES)
		return lf__drv_error(
		    LF_ERR_RANGE,
		    "emu: CU '%s': %llu descriptors of %d "
		    "bytes do not fit the %llu bytes behind "
		    "argument %d '%s'",
		    cu_name(cu), (unsigned long long)argv[LF_KARG_NDESC],
		    LF_DESC_BYTES, (unsigned long long)avail[LF_KARG_DESC],
		    LF_KARG_DESC, arg_name(cu, LF_KARG_DESC));
	r->ndesc = (uint32_t)argv[LF_KARG_NDESC];
	r->params_bytes =
	    cap32(argv[LF_KARG_PARAMS_BYTES] < avail[LF_KARG_PARAMS]
		      ? argv[LF_KARG_PARAMS_BYTES]
		      : avail[LF_KARG_PARAMS]);
	r->act_bytes = cap32(argv[LF_KARG_ACT_BYTES] < avail[LF_KARG_ACT]
				 ? argv[LF_KARG_ACT_BYTES]
				 : avail[LF_KARG_ACT]);
	return LF_OK;
}

lf_status lf__emu_run_start(lf_emu *e, uint32_t cu_index, const uint64_t *argv,
			    uint32_t nargs, lf_emu_run **out)
{
	struct emu_cu *cu;
	lf_emu_run *r = NULL;
	lf_status st;

	pthread_mutex_lock(&e->mu);
	st = lf__emu_op_begin(e, "a run start");
	if (st != LF_OK)
		goto fail;
	if (!e->img) {
		st = lf__drv_error(LF_ERR_STATE, "emu: no xclbin is loaded");
		goto fail;
	}
	if (cu_index >= e->img->ncus || nargs != EMU_ABI_NARGS) {
		st =
		    lf__drv_error(LF_ERR_INVALID_ARG,
				  "emu: run on CU %u with %u arguments: the "
				  "device has %u CUs, each taking %d",
				  cu_index, nargs, e->img->ncus, EMU_ABI_NARGS);
		goto fail;
	}
	cu = &e->img->cus[cu_index];
	r = calloc(1, sizeof(*r));
	if (!r) {
		st = lf__drv_error(LF_ERR_NO_MEMORY, "emu: out of host memory");
		goto fail;
	}
	memcpy(r->argv, argv, sizeof(r->argv));
	st = bind_args(e, cu, argv, r);
	if (st != LF_OK)
		goto fail;
	r->hang = lf__emu_fault_tick(e, LF_FAULT_CU_HANG, (int32_t)cu_index);
	r->skip = lf__emu_fault_tick(e, LF_FAULT_STATUS_CORRUPT, -1);
	r->id = ++e->next_run_id;
	r->cu = cu_index;
	r->state = EMU_RUN_QUEUED;
	r->submit_ns = e->now_ns;
	for (int i = 0; i < EMU_ABI_NARGS; i++) {
		if (!r->alloc[i])
			continue;
		r->alloc[i]->users++;
		if (r->alloc[i]->h2d_end_ns > r->dep_ns)
			r->dep_ns = r->alloc[i]->h2d_end_ns;
	}
	if (cu->tail)
		cu->tail->next = r;
	else
		cu->head = r;
	cu->tail = r;
	e->ctr.launches++;
	pthread_cond_broadcast(&cu->cv);
	pthread_mutex_unlock(&e->mu);
	*out = r;
	return LF_OK;
fail:
	pthread_mutex_unlock(&e->mu);
	free(r);
	return st;
}

lf_status lf__emu_run_wait(lf_emu *e, lf_emu_run *r, uint32_t timeout_ms)
{
	struct timespec dl;
	lf_status st;

	if (timeout_ms != LF_DRV_WAIT_FOREVER) {
		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&e->mu);
	while (r->state != EMU_RUN_DONE && !e->lost) {
		if (timeout_ms == LF_DRV_WAIT_FOREVER)
			pthread_cond_wait(&e->done_cv, &e->mu);
		else if (pthread_cond_timedwait(&e->done_cv, &e->mu, &dl) ==
			 ETIMEDOUT)
			break;
	}
	if (e->lost) {
		st = lf__drv_error(LF_ERR_DEVICE_LOST,
				   "emu: run #%llu on CU %u: the device was "
				   "lost",
				   (unsigned long long)r->id, r->cu);
	} else if (r->state != EMU_RUN_DONE) {
		st =
		    lf__drv_error(LF_ERR_TIMEOUT,
				  "emu: run #%llu on CU %u has not completed "
				  "after %u ms; it is still pending (wait "
				  "again, or abort the CU)",
				  (unsigned long long)r->id, r->cu, timeout_ms);
	} else {
		st = r->status;
		if (st == LF_OK) {
			if (r->end_ns > e->now_ns)
				e->now_ns = r->end_ns;
		} else {
			lf__drv_error(st, "%s", r->msg);
		}
	}
	pthread_mutex_unlock(&e->mu);
	return st;
}

lf_status lf__emu_run_free(lf_emu *e, lf_emu_run *r)
{
	lf_status st = LF_OK;

	pthread_mutex_lock(&e->mu);
	while (r->state != EMU_RUN_DONE && e->lost)
		pthread_cond_wait(&e->done_cv, &e->mu);
	if (r->state != EMU_RUN_DONE)
		st = lf__drv_error(LF_ERR_BUSY,
				   "emu: run #%llu on CU %u has not completed; "
				   "wait for it or abort the CU before "
				   "freeing it",
				   (unsigned long long)r->id, r->cu);
	pthread_mutex_unlock(&e->mu);
	if (st == LF_OK) {
		free(r->desc_cycles);
		free(r->loops);
		free(r);
	}
	return st;
}

lf_status lf__emu_run_model(lf_emu *e, lf_emu_run *r, struct lf_run_model *m)
{
	lf_status st = LF_OK;

	pthread_mutex_lock(&e->mu);
	if (r->state != EMU_RUN_DONE)
		st = lf__drv_error(LF_ERR_BUSY,
				   "emu: run #%llu on CU %u has not completed",
				   (unsigned long long)r->id, r->cu);
	else if (!r->executed)
		st = lf__drv_error(LF_ERR_NOT_FOUND,
				   "emu: run #%llu on CU %u did not execute",
				   (unsigned long long)r->id, r->cu);
	pthread_mutex_unlock(&e->mu);
	if (st != LF_OK)
		return st;
	/* A completed run is no longer written: no lock needed. */
	m->cycles = r->cycles;
	m->clock_mhz = r->clock_mhz;
	m->ndesc = r->ndesc_done;
	for (uint32_t i = 0; i < r->ndesc_done && i < m->desc_max; i++)
		m->desc[i] = r->desc_cycles[i];
	m->nloops = r->nloops;
	for (uint32_t i = 0; i < r->nloops && i < m->loop_max; i++)
		m->loops[i] = r->loops[i];
	return LF_OK;
}

lf_status lf__emu_cu_abort(lf_emu *e, uint32_t cu)
{
	lf_status st = LF_OK;

	pthread_mutex_lock(&e->mu);
	if (e->lost)
		st = lf__drv_error(LF_ERR_DEVICE_LOST,
				   "emu: abort: the device was lost");
	else if (!e->img || cu >= e->img->ncus)
		st = lf__drv_error(LF_ERR_INVALID_ARG, "emu: no CU %u", cu);
	else
		lf__emu_cu_quiesce(e, &e->img->cus[cu], LF_ERR_DEVICE,
				   "aborted");
	pthread_mutex_unlock(&e->mu);
	return st;
}
