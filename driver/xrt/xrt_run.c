/*
 * xrt_run.c - runs: xrtRunOpen on the CU's own kernel handle,
 * xrtRunSetArg for each argument, a completion callback
 * (xrtRunSetCallback), xrtRunStart; waits sleep on that callback in short
 * slices, so that a lost device is noticed while waiting.
 *
 * Why not xrtRunWaitFor: in XRT 2.13 a run without a callback is
 * "unmanaged", and its timed wait loops on the shim's xclExecWait until
 * the command completes; libxrt_swemu's xclExecWait returns at once, so
 * in software emulation xrtRunWaitFor(run, 100) busy-waits until the run
 * ends, however long (xrt_kernel.cpp kernel_command::wait, kds.cpp
 * kds_device::exec_wait; shim.cxx CpuemShim::xclExecWait). A callback
 * makes the run "managed": XRT's monitor thread completes it and the
 * timeout is ours.
 *
 * Checks made before XRT sees a run, because XRT 2.13 would not report
 * them (xrt_kernel.cpp, run_impl::validate_bo_at_index): a buffer in a
 * bank the CU's port does not reach makes XRT pick other CUs or, with
 * none left, warn and pass a *copy* of the buffer in the right bank, so
 * the kernel's output never reaches the caller's buffer. Here it is
 * LF_ERR_RANGE naming both banks, as the emulator reports it. Pointer
 * arguments must also be 4-byte aligned, as in the emulator.
 *
 * Offsets into a buffer become sub-buffers (xrtBOSubAlloc), freed with
 * the run. Scalars are passed with the C type XRT reads them as (it takes
 * the width from the kernel's XML: 4 bytes -> unsigned int, 8 -> 64 bits).
 *
 * Abort: XRT 2.13's C API has no xrtRunAbort (only the C++
 * xrt::run::abort, and in software emulation the scheduler completes an
 * ERT_ABORT command without stopping the CU). cu_abort therefore reports
 * LF_ERR_UNSUPPORTED; a run that timed out stays pending, and a later
 * wait collects it. A CU that never finishes needs a device reset
 * (`xbutil reset` on a card; in emulation, the device process ends).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/xrt/xrt_impl.h"

static const char *state_name(enum ert_cmd_state s)
{
	switch (s) {
	case ERT_CMD_STATE_NEW:
		return "NEW";
	case ERT_CMD_STATE_QUEUED:
		return "QUEUED";
	case ERT_CMD_STATE_RUNNING:
		return "RUNNING";
	case ERT_CMD_STATE_COMPLETED:
		return "COMPLETED";
	case ERT_CMD_STATE_ERROR:
		return "ERROR";
	case ERT_CMD_STATE_ABORT:
		return "ABORT";
	case ERT_CMD_STATE_SUBMITTED:
		return "SUBMITTED";
	case ERT_CMD_STATE_TIMEOUT:
		return "TIMEOUT";
	case ERT_CMD_STATE_NORESPONSE:
		return "NORESPONSE";
	default:
		return "?";
	}
}

static int pending_state(enum ert_cmd_state s)
{
	return s == ERT_CMD_STATE_NEW || s == ERT_CMD_STATE_QUEUED ||
	       s == ERT_CMD_STATE_RUNNING || s == ERT_CMD_STATE_SUBMITTED;
}

static lf_status check_args(const struct xrt_dev *d, uint32_t cu,
			    const struct lf_run_arg *args, uint32_t nargs)
{
	const struct lf_xclbin *xb = d->xb;

	for (uint32_t i = 0; i < nargs; i++) {
		const struct lf_run_arg *a = &args[i];
		uint32_t want = d->arg_bank[cu][i];

		if (a->kind != LF_ARG_BO)
			continue;
		if (want != LF_DRV_NO_BANK && a->bo->bank != want)
			return lf__drv_error(
				LF_ERR_RANGE,
				"xrt: CU '%s' argument %u is connected to bank "
				"%u '%s', but its buffer is in bank %u '%s': "
				"wrong bank, unreachable from that port (XRT "
				"would silently run on a copy)",
				xb->cus[cu].name, i, want,
				want < xb->nmems ? xb->mems[want].tag : "?",
				a->bo->bank,
				a->bo->bank < xb->nmems ? xb->mems[a->bo->bank].tag
							: "?");
		if (a->offset % 4)
			return lf__drv_error(LF_ERR_RANGE,
					     "xrt: CU '%s' argument %u: offset "
					     "%llu is not 4-byte aligned",
					     xb->cus[cu].name, i,
					     (unsigned long long)a->offset);
	}
	return LF_OK;
}

/* Width XRT reads scalar argument @id with (from the kernel's XML). */
static uint32_t scalar_size(const struct lf_xclbin_kernel *k, uint32_t id)
{
	for (uint32_t i = 0; i < k->nargs; i++)
		if (k->args[i].id == id)
			return k->args[i].size;
	return 4;
}

static lf_status set_args(struct xrt_dev *d, struct xrt_run *r, uint32_t cu,
			  const struct lf_run_arg *args, uint32_t nargs)
{
	const struct lf_xclbin_kernel *k = &d->xb->kernels[d->xb->cus[cu].kernel];

	for (uint32_t i = 0; i < nargs; i++) {
		const struct lf_run_arg *a = &args[i];
		int rc;

		if (a->kind == LF_ARG_BO) {
			struct xrt_bo *b = xbo(a->bo);
			xrtBufferHandle h = b->bh;

			if (a->offset) {
				h = xrtBOSubAlloc(b->bh,
						  (size_t)(a->bo->size - a->offset),
						  (size_t)a->offset);
				if (!h)
					return lf__drv_error(
						LF_ERR_DEVICE,
						"xrt: argument %u: "
						"xrtBOSubAlloc at %llu failed",
						i, (unsigned long long)a->offset);
				r->subs[i] = h;
			}
			rc = xrtRunSetArg(r->rh, (int)i, h);
			r->bos[r->nbos++] = b;
		} else if (scalar_size(k, i) > 4) {
			rc = xrtRunSetArg(r->rh, (int)i, (uint64_t)a->value);
		} else {
			rc = xrtRunSetArg(r->rh, (int)i, (unsigned)a->value);
		}
		if (rc != 0)
			return lf__drv_error(LF_ERR_DEVICE,
					     "xrt: xrtRunSetArg(%u) failed: %s",
					     i, strerror(errno));
	}
	return LF_OK;
}

static void release_run(struct xrt_run *r)
{
	for (uint32_t i = 0; i < LF_DRV_MAX_ARGS; i++)
		if (r->subs[i])
			xrtBOFree(r->subs[i]);
	if (r->rh)
		xrtRunClose(r->rh);
	free(r);
}

/* Count @r as a user of its buffers (@add) or stop counting it. */
static void use_bos(struct xrt_run *r, const struct lf_run_arg *args,
		    uint32_t nargs, int add)
{
	for (uint32_t i = 0; i < r->nbos; i++) {
		struct xrt_bo *b = r->bos[i];

		if (add) {
			b->users++;
			for (uint32_t a = 0; a < nargs; a++)
				if (args[a].kind == LF_ARG_BO &&
				    xbo(args[a].bo) == b &&
				    args[a].offset < b->min_off)
					b->min_off = args[a].offset;
		} else if (--b->users == 0) {
			b->min_off = UINT64_MAX;
		}
	}
}

/* XRT's completion callback (its command monitor thread). */
static void on_done(xrtRunHandle rh, enum ert_cmd_state state, void *arg)
{
	struct xrt_run *r = arg;
	struct xrt_dev *d = r->d;

	(void)rh;
	pthread_mutex_lock(&d->mu);
	r->cb_state = (int)state;
	r->cb_fired = 1;
	pthread_cond_broadcast(&d->run_cv);
	pthread_mutex_unlock(&d->mu);
}

lf_status lf__xrt_run_start(lf_dev *dev, uint32_t cu,
			    const struct lf_run_arg *args, uint32_t nargs,
			    lf_run **out)
{
	struct xrt_dev *d = xdev(dev);
	struct lf__xrt_sigguard g;
	struct xrt_run *r;
	lf_status st = lf__xrt_check_lost(d, "run start");

	if (st != LF_OK)
		return st;
	if (!d->xb || cu >= d->xb->ncus || !d->kh[cu])
		return lf__drv_error(LF_ERR_STATE,
				     "xrt: %s has no program (the last xclbin "
				     "load failed)",
				     d->where);
	if ((st = check_args(d, cu, args, nargs)) != LF_OK)
		return st;
	r = calloc(1, sizeof(*r));
	if (!r)
		return lf__drv_error(LF_ERR_NO_MEMORY, "xrt: out of memory");
	r->d = d;
	lf__xrt_sig_begin(d->emulation, &g);
	r->rh = xrtRunOpen(d->kh[cu]);
	if (!r->rh)
		st = lf__drv_error(LF_ERR_DEVICE, "xrt: xrtRunOpen failed: %s",
				   strerror(errno));
	if (st == LF_OK)
		st = set_args(d, r, cu, args, nargs);
	if (st == LF_OK && xrtRunSetCallback(r->rh, ERT_CMD_STATE_COMPLETED,
					     on_done, r) != 0)
		st = lf__drv_error(LF_ERR_DEVICE,
				   "xrt: xrtRunSetCallback failed: %s",
				   strerror(errno));
	if (st == LF_OK && xrtRunStart(r->rh) != 0)
		st = lf__drv_error(LF_ERR_DEVICE, "xrt: xrtRunStart failed: %s",
				   strerror(errno));
	if (st != LF_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", lf__drv_last_error());
		release_run(r);
		lf__xrt_sig_end(&g);
		return lf__drv_error(st, "%s", msg);
	}
	lf__xrt_sig_end(&g);
	pthread_mutex_lock(&d->mu);
	use_bos(r, args, nargs, 1);
	d->ctr.launches++;
	pthread_mutex_unlock(&d->mu);
	*out = &r->base;
	return LF_OK;
}

/* Record the end of @r (d->mu held). */
static void finish(struct xrt_dev *d, struct xrt_run *r, lf_status st,
		   const char *msg)
{
	if (r->done)
		return;
	r->done = 1;
	r->status = st;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
	use_bos(r, NULL, 0, 0);
	if (st != LF_OK)
		d->ctr.runs_aborted++;
}

/* Has @r ended (d->mu held)? Records how, if so. */
static int ended(struct xrt_dev *d, struct xrt_run *r, int state)
{
	char msg[256];

	if (r->done)
		return 1;
	if (d->lost) {
		snprintf(msg, sizeof(msg), "xrt: run on %s: %s", d->where,
			 d->lost_why);
		finish(d, r, LF_ERR_DEVICE_LOST, msg);
	} else if (r->cb_fired || !pending_state((enum ert_cmd_state)state)) {
		if (r->cb_fired)
			state = r->cb_state;
		if (state == ERT_CMD_STATE_COMPLETED) {
			finish(d, r, LF_OK, "");
		} else {
			snprintf(msg, sizeof(msg),
				 "xrt: run on %s ended in state %s", d->where,
				 state_name((enum ert_cmd_state)state));
			finish(d, r, LF_ERR_DEVICE, msg);
		}
	}
	return r->done;
}

static void deadline_after(struct timespec *ts, uint32_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* How long to sleep before looking again. */
static uint32_t slice_for(uint32_t timeout_ms, uint64_t spent)
{
	uint64_t left;

	if (timeout_ms == LF_DRV_WAIT_FOREVER)
		return XRT_WAIT_SLICE_MS;
	left = timeout_ms > spent ? timeout_ms - spent : 0;
	return left < XRT_WAIT_SLICE_MS ? (uint32_t)left : XRT_WAIT_SLICE_MS;
}

/* XRT's state of the run, read without our lock. */
static int xrt_state(const struct xrt_dev *d, const struct xrt_run *r)
{
	struct lf__xrt_sigguard g;
	enum ert_cmd_state s;

	lf__xrt_sig_begin(d->emulation, &g);
	s = xrtRunState(r->rh);
	lf__xrt_sig_end(&g);
	return (int)s;
}

lf_status lf__xrt_run_wait(lf_run *run, uint32_t timeout_ms)
{
	struct xrt_run *r = xrun(run);
	struct xrt_dev *d = r->d;
	uint64_t start = now_ms();
	lf_status st;
	int over = 0;

	for (;;) {
		int s = xrt_state(d, r);
		uint64_t spent = now_ms() - start;
		struct timespec ts;

		pthread_mutex_lock(&d->mu);
		if (ended(d, r, s))
			break;
		if (timeout_ms != LF_DRV_WAIT_FOREVER && spent >= timeout_ms) {
			over = 1;
			break;
		}
		/* Woken by the completion callback; the slice bounds how
		 * long a lost device goes unnoticed. */
		deadline_after(&ts, slice_for(timeout_ms, spent));
		pthread_cond_timedwait(&d->run_cv, &d->mu, &ts);
		pthread_mutex_unlock(&d->mu);
	}
	st = over ? LF_ERR_TIMEOUT : r->status;
	if (over)
		lf__drv_error(LF_ERR_TIMEOUT,
			      "xrt: run on %s has not completed after %u ms; "
			      "it is still pending (wait again; XRT 2.13 "
			      "cannot abort it)",
			      d->where, timeout_ms);
	else if (st != LF_OK)
		lf__drv_error(st, "%s", r->msg);
	pthread_mutex_unlock(&d->mu);
	return st;
}

lf_status lf__xrt_run_free(lf_run *run)
{
	struct xrt_run *r = xrun(run);
	struct xrt_dev *d = r->d;
	struct lf__xrt_sigguard g;
	int s = xrt_state(d, r), fired, done;

	pthread_mutex_lock(&d->mu);
	done = ended(d, r, s);
	pthread_mutex_unlock(&d->mu);
	if (!done)
		return lf__drv_error(LF_ERR_BUSY,
				     "xrt: the run on %s has not completed; "
				     "wait for it before freeing it",
				     d->where);
	/* On a lost device XRT still has the run until the stand-in
	 * device (xrt_tomb.c) reports it done; closing it before XRT's
	 * callback ran would let the callback see freed memory. */
	pthread_mutex_lock(&d->mu);
	for (int i = 0; i < 100 && !r->cb_fired; i++) {
		struct timespec ts;

		deadline_after(&ts, XRT_WAIT_SLICE_MS);
		pthread_cond_timedwait(&d->run_cv, &d->mu, &ts);
	}
	fired = r->cb_fired;
	pthread_mutex_unlock(&d->mu);
	if (!fired) {
		/* Leaked on purpose: XRT may still call back into it. */
		r->rh = NULL;
		return LF_OK;
	}
	lf__xrt_sig_begin(d->emulation, &g);
	release_run(r);
	lf__xrt_sig_end(&g);
	return LF_OK;
}

lf_status lf__xrt_cu_abort(lf_dev *dev, uint32_t cu)
{
	struct xrt_dev *d = xdev(dev);

	(void)cu;
	return lf__drv_error(LF_ERR_UNSUPPORTED,
			     "xrt: %s: XRT 2.13's C API cannot abort a run "
			     "(no xrtRunAbort); wait for it, or reset the "
			     "card (xbutil reset)",
			     d->where);
}
