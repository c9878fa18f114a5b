/*
 * aws_run.c - compute units driven through their HLS s_axilite control
 * registers on BAR0.
 *
 * A CU is a Vitis HLS IP block with the ap_ctrl_hs protocol (UG1399,
 * "S_AXILITE Control Register Map"): argument registers at the offsets the
 * description records (0x10, 0x1c, ...; a 64-bit pointer is two words, low
 * first), and the control word at 0x00: bit 0 ap_start (written 1 to
 * start, reads 1 until the IP accepts it), bit 1 ap_done (clear on read),
 * bit 2 ap_idle. An HLS block runs one call at a time, so the backend
 * keeps a queue per CU and starts the next run when it sees ap_done; the
 * queue advances whenever anyone waits. There is no interrupt: waiting
 * polls the control word, yielding first, then sleeping up to 1 ms.
 *
 * A control word of 0xffffffff (reserved bits set) is not an answer: the
 * CL is gone (AFI cleared, card lost), so every run ends with
 * LF_ERR_DEVICE_LOST. An ap_ctrl_hs CU cannot be stopped: aborting a run
 * that never finishes takes the CU out of service until the AFI is
 * reloaded (the simulated CL can abort, for tests).
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/aws/aws_impl.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int lf__aws_bo_in_use(struct aws_dev *d, const struct aws_bo *b, uint64_t off,
		      uint64_t size)
{
	for (uint32_t c = 0; c < d->ncus; c++)
		for (const struct aws_run *r = d->cus[c].head; r; r = r->next)
			for (uint32_t a = 0; a < r->nargs; a++)
				if (r->bo[a] == b && off + size > r->off[a])
					return 1;
	return 0;
}

static void finish(struct aws_dev *d, struct aws_run *r, lf_status st)
{
	r->state = AWS_RUN_DONE;
	r->status = st;
	for (uint32_t a = 0; a < r->nargs; a++)
		if (r->bo[a])
			r->bo[a]->users--;
	d->cus[r->base.cu].runs++;
	if (st == LF_ERR_DEVICE || st == LF_ERR_DEVICE_LOST)
		d->ctr.runs_aborted++;
}

/* The device stopped answering: end every run. With d->mu. */
static void lose(struct aws_dev *d)
{
	d->lost = 1;
	for (uint32_t c = 0; c < d->ncus; c++) {
		struct aws_run *r;

		while ((r = d->cus[c].head)) {
			d->cus[c].head = r->next;
			finish(d, r, LF_ERR_DEVICE_LOST);
		}
		d->cus[c].tail = NULL;
	}
}

/* Write the arguments and ap_start of the CU's head run. With d->mu. */
static lf_status start_head(struct aws_dev *d, uint32_t cu)
{
	struct aws_cu *c = &d->cus[cu];
	struct aws_run *r = c->head;
	const struct lf_xclbin_kernel *k = &d->xb->kernels[c->kernel];
	struct aws_bus *b = d->bus;

	if (b->ops->ocl_read32(b, c->base) == AWS_ALL_ONES) {
		lose(d);
		return lf__drv_error(LF_ERR_DEVICE_LOST,
				     "aws: %s: CU '%s' does not answer on BAR0 "
				     "(control word 0xffffffff): the CL is "
				     "gone (AFI cleared or card lost)",
				     d->name, d->xb->cus[cu].name);
	}
	for (uint32_t i = 0; i < k->nargs; i++) {
		const struct lf_xclbin_arg *a = &k->args[i];
		uint64_t v = a->id < r->nargs ? r->argv[a->id] : 0;

		b->ops->ocl_write32(b, c->base + a->offset, (uint32_t)v);
		if (a->size == 8)
			b->ops->ocl_write32(b, c->base + a->offset + 4,
					    (uint32_t)(v >> 32));
	}
	b->ops->ocl_write32(b, c->base, AWS_AP_START);
	r->state = AWS_RUN_STARTED;
	d->ctr.launches++;
	return LF_OK;
}

/*
 * Poll CU @cu once: if its started run is done, finish it and start the
 * next. *ctrl gets the control word read. With d->mu.
 */
static void advance(struct aws_dev *d, uint32_t cu, uint32_t *ctrl)
{
	struct aws_cu *c = &d->cus[cu];
	struct aws_run *r = c->head;
	uint32_t v;

	if (!r || r->state != AWS_RUN_STARTED)
		return;
	v = d->bus->ops->ocl_read32(d->bus, c->base);
	*ctrl = v;
	if (v == AWS_ALL_ONES) {
		lf__drv_error(LF_ERR_DEVICE_LOST,
			      "aws: %s: CU '%s' reads 0xffffffff: the CL is "
			      "gone",
			      d->name, d->xb->cus[cu].name);
		lose(d);
		return;
	}
	if (!(v & AWS_AP_DONE) && !((v & AWS_AP_IDLE) && !(v & AWS_AP_START)))
		return;
	c->head = r->next;
	if (!c->head)
		c->tail = NULL;
	finish(d, r, LF_OK);
	while (c->head && start_head(d, cu) != LF_OK && !d->lost) {
		struct aws_run *n = c->head;

		c->head = n->next;
		if (!c->head)
			c->tail = NULL;
		finish(d, n, LF_ERR_DEVICE);
	}
}

lf_status lf__aws_run_start(lf_dev *dev, uint32_t cu,
			    const struct lf_run_arg *args, uint32_t nargs,
			    lf_run **out)
{
	struct aws_dev *d = lf__aws_dev(dev);
	struct aws_run *r = calloc(1, sizeof(*r));
	struct aws_cu *c;
	lf_status st = LF_OK;

	if (!r)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "aws: out of host memory");
	pthread_mutex_lock(&d->mu);
	if (d->lost) {
		st =
		    lf__drv_error(LF_ERR_DEVICE_LOST,
				  "aws: %s: run: the device was lost", d->name);
		goto fail;
	}
	c = &d->cus[cu];
	if (c->wedged) {
		st = lf__drv_error(LF_ERR_DEVICE,
				   "aws: %s: CU '%s' is out of service: an "
				   "earlier run never finished and an HLS "
				   "ap_ctrl_hs block cannot be stopped; reload "
				   "the AFI (`fpga-load-local-image -F`)",
				   d->name, d->xb->cus[cu].name);
		goto fail;
	}
	r->nargs = nargs;
	for (uint32_t i = 0; i < nargs; i++) {
		if (args[i].kind != LF_ARG_BO) {
			r->argv[i] = args[i].value;
			continue;
		}
		struct aws_bo *b = lf__aws_bo(args[i].bo);
		int m = lf__xclbin_arg_mem(d->xb, cu, i);
		uint32_t want = m >= 0 ? (uint32_t)m : 0;
		if (args[i].bo->bank != want) {
			st = lf__drv_error(
			    LF_ERR_RANGE,
			    "aws: CU '%s' argument %u: the buffer is in bank "
			    "%u '%s', the port reaches bank %u '%s'",
			    d->xb->cus[cu].name, i, args[i].bo->bank,
			    d->xb->mems[args[i].bo->bank].tag, want,
			    d->xb->mems[want].tag);
			goto fail;
		}
		r->bo[i] = b;
		r->off[i] = args[i].offset;
		r->argv[i] = b->addr + args[i].offset;
	}
	for (uint32_t i = 0; i < nargs; i++)
		if (r->bo[i])
			r->bo[i]->users++;
	r->state = AWS_RUN_QUEUED;
	if (c->tail)
		c->tail->next = r;
	else
		c->head = r;
	c->tail = r;
	if (c->head == r && (st = start_head(d, cu)) != LF_OK) {
		/* The CL is gone: lose() unlinked and finished every run. */
		pthread_mutex_unlock(&d->mu);
		free(r);
		return st;
	}
	pthread_mutex_unlock(&d->mu);
	*out = &r->base;
	return LF_OK;
fail:
	pthread_mutex_unlock(&d->mu);
	free(r);
	return st;
}

lf_status lf__aws_run_wait(lf_run *run, uint32_t timeout_ms)
{
	struct aws_dev *d = lf__aws_dev(run->dev);
	struct aws_run *r = lf__container_of(run, struct aws_run, base);
	uint64_t t0 = now_ns(), sleep_ns = 0;
	uint32_t ctrl = 0, polls = 0;

	for (;;) {
		lf_status st;

		pthread_mutex_lock(&d->mu);
		if (r->state != AWS_RUN_DONE)
			advance(d, run->cu, &ctrl);
		if (r->state == AWS_RUN_DONE) {
			st = r->status;
			pthread_mutex_unlock(&d->mu);
			if (st == LF_ERR_DEVICE_LOST)
				return lf__drv_error(st,
						     "aws: %s: the run ended: "
						     "the device was lost",
						     d->name);
			if (st == LF_ERR_DEVICE)
				return lf__drv_error(st,
						     "aws: %s: the run was "
						     "aborted",
						     d->name);
			return st;
		}
		pthread_mutex_unlock(&d->mu);
		if (timeout_ms != LF_DRV_WAIT_FOREVER &&
		    now_ns() - t0 >= (uint64_t)timeout_ms * 1000000ull)
			return lf__drv_error(
			    LF_ERR_TIMEOUT,
			    "aws: %s: CU '%s' set no ap_done within %u ms "
			    "(control word 0x%08x%s); the run is still "
			    "pending",
			    d->name, d->xb->cus[run->cu].name, timeout_ms, ctrl,
			    r->state == AWS_RUN_QUEUED
				? ", this run is queued behind another"
				: "");
		/* Yield for the first polls (short kernels), then sleep,
		 * doubling up to 1 ms. */
		if (++polls < 64) {
			sched_yield();
			continue;
		}
		sleep_ns = sleep_ns ? sleep_ns * 2 : 10000;
		if (sleep_ns > 1000000)
			sleep_ns = 1000000;
		struct timespec ts = {0, (long)sleep_ns};
		nanosleep(&ts, NULL);
	}
}

lf_status lf__aws_run_free(lf_run *run)
{
	struct aws_dev *d = lf__aws_dev(run->dev);
	struct aws_run *r = lf__container_of(run, struct aws_run, base);
	int done;

	pthread_mutex_lock(&d->mu);
	done = r->state == AWS_RUN_DONE;
	pthread_mutex_unlock(&d->mu);
	if (!done)
		return lf__drv_error(LF_ERR_BUSY,
				     "aws: the run has not completed; wait for "
				     "it (or abort its CU) first");
	free(r);
	return LF_OK;
}

lf_status lf__aws_cu_abort(lf_dev *dev, uint32_t cu)
{
	struct aws_dev *d = lf__aws_dev(dev);
	struct aws_cu *c;
	struct aws_run *r, *started = NULL;
	uint32_t ctrl = 0;

	pthread_mutex_lock(&d->mu);
	if (!d->xb || cu >= d->ncus) {
		pthread_mutex_unlock(&d->mu);
		return lf__drv_error(LF_ERR_INVALID_ARG, "aws: no CU %u", cu);
	}
	c = &d->cus[cu];
	advance(d, cu, &ctrl);
	if (c->head && c->head->state == AWS_RUN_STARTED) {
		started = c->head;
		c->head = started->next;
	}
	while ((r = c->head)) {
		c->head = r->next;
		finish(d, r, LF_ERR_DEVICE);
	}
	c->tail = NULL;
	if (started) {
		if (d->bus->ops->cu_abort &&
		    d->bus->ops->cu_abort(d->bus, cu) == LF_OK) {
			/* The CL ended the run: collect its ap_done. */
			(void)d->bus->ops->ocl_read32(d->bus, c->base);
		} else {
			c->wedged = 1;
		}
		finish(d, started, LF_ERR_DEVICE);
	}
	pthread_mutex_unlock(&d->mu);
	return LF_OK;
}
