/*
 * xrt_run.c - runs: xrtRunOpen on the CU's own kernel handle,
 * xrtRunSetArg for each argument, xrtRunStart, and waits that look at the
 * device at least every XRT_WAIT_SLICE_MS, so that a lost device is
 * noticed while waiting.
 *
 * Waiting. On a card, xrtRunWaitFor(run, slice). In software emulation it
 * cannot be used: in XRT 2.13 a run is "unmanaged" and its timed wait
 * loops on the shim's xclExecWait until the command completes, and
 * libxrt_swemu's xclExecWait returns at once, so xrtRunWaitFor(run, 100)
 * busy-waits until the run ends, however long (xrt_kernel.cpp
 * kernel_command::wait, kds.cpp kds_device::exec_wait, cpu_em shim.cxx
 * CpuemShim::xclExecWait). There the backend polls xrtRunState, which
 * reads the command's state as the shim's scheduler updates it, sleeping
 * a little longer each time (50 us up to 1 ms). A completion callback
 * (xrtRunSetCallback) would make the run "managed" and the timeout work,
 * but XRT's monitor thread keeps using the command after the callback
 * returns: freeing the run then crashed XRT ("pure virtual method
 * called", a thread joining itself) under load.
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
	const struct lf_xclbin_kernel *k =
	    &d->xb->kernels[d->xb->cus[cu].kernel];

	for (uint32_t i = 0; i < nargs; i++) {
		const struct lf_run_arg *a = &args[i];
		int rc;

		if (a->kind == LF_ARG_BO) {
			struct xrt_bo *b = xbo(a->bo);
			xrtBufferHandle h = b->bh;

			if (a->offset) {
				h = lf__xrt.xrtBOSubAlloc(
				    b->bh, (size_t)(a->bo->size - a->offset),
				    (size_t)a->offset);
				if (!h)
					return lf__drv_error(
					    LF_ERR_DEVICE,
					    "xrt: argument %u: "
					    "xrtBOSubAlloc at %llu failed",
					    i, (unsigned long long)a->offset);
				r->subs[i] = h;
			}
			rc = lf__xrt.xrtRunSetArg(r->rh, (int)i, h);
			r->bos[r->nbos++] = b;
		} else if (scalar_size(k, i) > 4) {
			rc = lf__xrt.xrtRunSetArg(r->rh, (int)i,
						  (uint64_t)a->value);
		} else {
			rc = lf__xrt.xrtRunSetArg(r->rh, (int)i,
						  (unsigned)a->value);
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
			lf__xrt.xrtBOFree(r->subs[i]);
	if (r->rh)
		lf__xrt.xrtRunClose(r->rh);
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
	r->cu = cu;
	lf__xrt_sig_begin(d->emulation, &g);
	r->rh = lf__xrt.xrtRunOpen(d->kh[cu]);
	if (!r->rh)
		st = lf__drv_error(LF_ERR_DEVICE, "xrt: xrtRunOpen failed: %s",
				   strerror(errno));
	if (st == LF_OK)
		st = set_args(d, r, cu, args, nargs);
	if (st == LF_OK && lf__xrt.xrtRunStart(r->rh) != 0)
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
	if (r->cu < LF_DRV_MAX_CUS)
		d->ctr.cu[r->cu].runs++;
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
	} else if (state == ERT_CMD_STATE_COMPLETED) {
		finish(d, r, LF_OK, "");
	} else if (!pending_state((enum ert_cmd_state)state)) {
		snprintf(msg, sizeof(msg), "xrt: run on %s ended in state %s",
			 d->where, state_name((enum ert_cmd_state)state));
		finish(d, r, LF_ERR_DEVICE, msg);
	}
	return r->done;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Let up to @us microseconds pass, or less if the device is lost
 * (d->mu held; the watchdog broadcasts run_cv). On a card the time is
 * spent in xrtRunWaitFor instead, without the lock.
 */
static int look(struct xrt_dev *d, struct xrt_run *r, uint64_t us)
{
	struct lf__xrt_sigguard g;
	struct timespec ts;
	enum ert_cmd_state s;

	if (us && !d->emulation) {
		uint32_t ms = (uint32_t)((us + 999) / 1000);

		pthread_mutex_unlock(&d->mu);
		s = lf__xrt.xrtRunWaitFor(r->rh, ms);
		pthread_mutex_lock(&d->mu);
		return (int)s;
	}
	if (us) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)us * 1000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&d->run_cv, &d->mu, &ts);
	}
	pthread_mutex_unlock(&d->mu);
	lf__xrt_sig_begin(d->emulation, &g);
	s = lf__xrt.xrtRunState(r->rh);
	lf__xrt_sig_end(&g);
	pthread_mutex_lock(&d->mu);
	return (int)s;
}

lf_status lf__xrt_run_wait(lf_run *run, uint32_t timeout_ms)
{
	struct xrt_run *r = xrun(run);
	struct xrt_dev *d = r->d;
	uint64_t start = now_us(), limit = (uint64_t)timeout_ms * 1000u;
	uint64_t pause = 0;
	lf_status st;
	int over = 0, s;

	pthread_mutex_lock(&d->mu);
	s = look(d, r, 0);
	while (!ended(d, r, s)) {
		uint64_t spent = now_us() - start;

		if (timeout_ms != LF_DRV_WAIT_FOREVER && spent >= limit) {
			over = 1;
			break;
		}
		/* 50 us, doubling up to 1 ms (emulation); a slice of at
		 * most XRT_WAIT_SLICE_MS (card); never past the deadline. */
		pause = d->emulation ? (pause ? pause * 2 : 50)
				     : XRT_WAIT_SLICE_MS * 1000u;
		if (d->emulation && pause > 1000)
			pause = 1000;
		if (timeout_ms != LF_DRV_WAIT_FOREVER && pause > limit - spent)
			pause = limit - spent;
		s = look(d, r, pause ? pause : 1);
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
	int s, done, pending;

	pthread_mutex_lock(&d->mu);
	s = look(d, r, 0);
	done = ended(d, r, s);
	pthread_mutex_unlock(&d->mu);
	if (!done)
		return lf__drv_error(LF_ERR_BUSY,
				     "xrt: the run on %s has not completed; "
				     "wait for it before freeing it",
				     d->where);
	/* On a lost device XRT's scheduler still holds the command until
	 * the stand-in device (xrt_tomb.c) reports it done; closing it
	 * before would free it under the scheduler. */
	pending = pending_state((enum ert_cmd_state)s);
	for (int i = 0; i < 200 && pending; i++) {
		struct timespec ts = {0, 10000000L};

		nanosleep(&ts, NULL);
		lf__xrt_sig_begin(d->emulation, &g);
		pending = pending_state(lf__xrt.xrtRunState(r->rh));
		lf__xrt_sig_end(&g);
	}
	if (pending)
		return LF_OK; /* leaked on purpose: XRT still uses it */
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
