/*
 * ocl_run.c - runs: every argument set with clSetKernelArg, one command
 * on the CU's queue (clEnqueueTask on Xilinx, as UG1393 uses it; a 1x1
 * NDRange elsewhere, which OpenCL 1.2 defines clEnqueueTask to be), and
 * completion collected by polling the event's
 * CL_EVENT_COMMAND_EXECUTION_STATUS (clWaitForEvents when waiting without
 * a limit).
 *
 * Pointer arguments with an offset: OpenCL passes buffers, not addresses,
 * so an offset becomes a sub-buffer (clCreateSubBuffer, region [offset,
 * size)), which OpenCL allows only at multiples of
 * CL_DEVICE_MEM_BASE_ADDR_ALIGN; other offsets get LF_ERR_RANGE. The
 * Xilinx flavour refuses offsets (LF_ERR_UNSUPPORTED): under XRT 2.13's
 * software emulation a kernel given a sub-buffer read the wrong memory.
 *
 * A run counts as a user of each buffer it names until its completion is
 * collected; freeing or syncing such a buffer gets LF_ERR_BUSY. There is
 * no abort: OpenCL cannot cancel a command once it was submitted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/opencl/ocl_impl.h"

#define POLL_MIN_NS 20000ull   /* first sleep between polls */
#define POLL_MAX_NS 1000000ull /* longest sleep between polls */

static const struct lf_xclbin_arg *arg_info(const struct lf_xclbin_kernel *k,
					    uint32_t id)
{
	for (uint32_t i = 0; i < k->nargs && i < LF_XCLBIN_MAX_ARGS; i++)
		if (k->args[i].id == id)
			return &k->args[i];
	return NULL;
}

static void release_subs(struct ocl_dev *d, struct ocl_run *r)
{
	for (uint32_t i = 0; i < r->nsub; i++)
		lf__ocl_release_mem(d, &r->sub[i]);
	r->nsub = 0;
}

/* The buffer's bank is one the port reaches (d->mu held). */
static lf_status check_bank(struct ocl_dev *d, uint32_t cu, uint32_t arg,
			    const struct lf_xclbin_arg *info,
			    const struct ocl_bo *o)
{
	const struct ocl_image *img = d->img;
	uint32_t bank = o->base.bank;

	if ((img->reach[cu][arg][bank / 64] >> (bank % 64)) & 1u)
		return LF_OK;
	for (uint32_t b = 0; b < d->nbanks; b++)
		if ((img->reach[cu][arg][b / 64] >> (b % 64)) & 1u)
			return lf__drv_error(LF_ERR_RANGE,
					     "opencl: CU '%s' argument %u "
					     "'%s' reaches bank %u '%s' (and "
					     "maybe others), not bank %u "
					     "'%s' where the buffer is",
					     img->xb->cus[cu].name, arg,
					     info->name, b, d->banks[b].tag,
					     bank, d->banks[bank].tag);
	return lf__drv_error(LF_ERR_RANGE,
			     "opencl: CU '%s' argument %u '%s' reaches no "
			     "bank",
			     img->xb->cus[cu].name, arg, info->name);
}

/* A pointer argument: the buffer, or a sub-buffer at the offset. */
static lf_status set_bo_arg(struct ocl_dev *d, struct ocl_run *r,
			    struct ocl_cu *c, const struct lf_run_arg *a,
			    const struct lf_xclbin_arg *info)
{
	struct ocl_bo *o = ocl_bo_of(a->bo);
	cl_mem mem = o->mem;
	cl_int err = CL_SUCCESS;
	lf_status st = check_bank(d, r->cu, a->index, info, o);

	if (st != LF_OK)
		return st;
	if (a->offset && d->flavour == LF_OCL_XILINX)
		return lf__drv_error(LF_ERR_UNSUPPORTED,
				     "opencl: CU '%s' argument %u '%s': "
				     "offset %llu: the Xilinx flavour takes "
				     "pointer arguments at offset 0 only "
				     "(kernels given sub-buffers did not see "
				     "their data under XRT 2.13)",
				     d->img->xb->cus[r->cu].name, a->index,
				     info->name, (unsigned long long)a->offset);
	if (a->offset) {
		cl_buffer_region region = {(size_t)a->offset,
					   (size_t)(a->bo->size - a->offset)};

		if (a->offset % d->base_align != 0)
			return lf__drv_error(LF_ERR_RANGE,
					     "opencl: CU '%s' argument %u "
					     "'%s': offset %llu is not a "
					     "multiple of %llu bytes "
					     "(CL_DEVICE_MEM_BASE_ADDR_ALIGN); "
					     "OpenCL passes buffers, not "
					     "addresses, so an offset needs "
					     "a sub-buffer",
					     d->img->xb->cus[r->cu].name,
					     a->index, info->name,
					     (unsigned long long)a->offset,
					     (unsigned long long)d->base_align);
		mem = lf__cl.clCreateSubBuffer(o->mem, CL_MEM_READ_WRITE,
					       CL_BUFFER_CREATE_TYPE_REGION,
					       &region, &err);
		if (!mem)
			return lf__ocl_fail(
			    lf__ocl_status(err), "clCreateSubBuffer", err,
			    "argument %u '%s' at offset %llu", a->index,
			    info->name, (unsigned long long)a->offset);
		lf__ocl_obj_add(d, LF_OCL_MEM);
		r->sub[r->nsub++] = mem;
		d->st.sub_buffers++;
	}
	err = lf__cl.clSetKernelArg(c->k, a->index, sizeof(mem), &mem);
	if (err != CL_SUCCESS)
		return lf__ocl_fail(lf__ocl_status(err), "clSetKernelArg", err,
				    "argument %u '%s' (a buffer)", a->index,
				    info->name);
	if (r->nbos == 0)
		r->addr = a->offset;
	r->bos[r->nbos++] = o;
	return LF_OK;
}

/* A scalar argument, as wide as the xclbin's register (4 or 8 bytes). */
static lf_status set_scalar_arg(struct ocl_cu *c, const struct lf_run_arg *a,
				const struct lf_xclbin_arg *info)
{
	uint32_t v32 = (uint32_t)a->value;
	uint64_t v64 = a->value;
	cl_int err;

	if (info->size == 8)
		err = lf__cl.clSetKernelArg(c->k, a->index, sizeof(v64), &v64);
	else
		err = lf__cl.clSetKernelArg(c->k, a->index, sizeof(v32), &v32);
	if (err != CL_SUCCESS)
		return lf__ocl_fail(lf__ocl_status(err), "clSetKernelArg", err,
				    "argument %u '%s' (a %u-byte scalar)",
				    a->index, info->name,
				    info->size == 8 ? 8u : 4u);
	return LF_OK;
}

/*
 * The run's command on its CU's queue. Portable flavour: after the last
 * kernel command enqueued on any CU (d->last_kev), so kernels run one at
 * a time: two lfk_engine CUs at once gave wrong bytes now and then under
 * PoCL 3.1 (README.md "Runs"). Called with d->mu held.
 */
static lf_status enqueue(struct ocl_dev *d, struct ocl_cu *c, cl_event *ev)
{
	size_t one = 1;
	cl_int err;

	if (d->flavour == LF_OCL_XILINX)
		err = lf__cl.clEnqueueTask(c->q, c->k, 0, NULL, ev);
	else
		err = lf__cl.clEnqueueNDRangeKernel(
		    c->q, c->k, 1, NULL, &one, &one, d->last_kev ? 1 : 0,
		    d->last_kev ? &d->last_kev : NULL, ev);
	if (err != CL_SUCCESS)
		return lf__ocl_fail(lf__ocl_status(err),
				    d->flavour == LF_OCL_XILINX
					? "clEnqueueTask"
					: "clEnqueueNDRangeKernel",
				    err, NULL);
	lf__ocl_obj_add(d, LF_OCL_EVENT);
	if (d->flavour != LF_OCL_XILINX) {
		lf__ocl_release_event(d, &d->last_kev);
		lf__cl.clRetainEvent(*ev);
		lf__ocl_obj_add(d, LF_OCL_EVENT);
		d->last_kev = *ev;
	}
	return LF_OK;
}

lf_status lf__ocl_run_start(lf_dev *dev, uint32_t cu,
			    const struct lf_run_arg *args, uint32_t nargs,
			    lf_run **out)
{
	struct ocl_dev *d = ocl_dev_of(dev);
	struct ocl_run *r = calloc(1, sizeof(*r));
	const struct lf_xclbin_kernel *xk;
	struct ocl_cu *c;
	lf_status st = LF_OK;

	if (!r)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: out of host memory");
	r->d = d;
	r->cu = cu;
	pthread_mutex_lock(&d->mu);
	c = &d->img->cus[cu];
	xk = &d->img->xb->kernels[c->kernel];
	for (uint32_t i = 0; i < nargs && st == LF_OK; i++) {
		const struct lf_xclbin_arg *info = arg_info(xk, args[i].index);

		if (!info)
			st = lf__drv_error(LF_ERR_INVALID_ARG,
					   "opencl: kernel '%s' has no "
					   "argument %u",
					   xk->name, args[i].index);
		else if (args[i].kind == LF_ARG_BO)
			st = set_bo_arg(d, r, c, &args[i], info);
		else
			st = set_scalar_arg(c, &args[i], info);
	}
	if (st == LF_OK)
		st = enqueue(d, c, &r->ev);
	if (st != LF_OK) {
		release_subs(d, r);
		pthread_mutex_unlock(&d->mu);
		free(r);
		return st;
	}
	for (uint32_t i = 0; i < r->nbos; i++)
		r->bos[i]->users++;
	r->start_wall_ns = lf__ocl_wall_ns();
	r->next = d->pending;
	if (d->pending)
		d->pending->prev = r;
	d->pending = r;
	d->ctr.launches++;
	pthread_mutex_unlock(&d->mu);
	/* Submit now, so the device runs while the host polls. (XRT's
	 * software emulation runs the whole kernel in here.) */
	lf__cl.clFlush(c->q);
	*out = &r->base;
	return LF_OK;
}

/* Completion: timeline, counters, release what the run held. */
static void finish_locked(struct ocl_dev *d, struct ocl_run *r, lf_status st,
			  cl_int err)
{
	struct ocl_cu *c = &d->img->cus[r->cu];
	uint64_t dur;

	r->done = 1;
	r->status = st;
	if (st != LF_OK)
		snprintf(r->msg, sizeof(r->msg),
			 "opencl: the run on CU '%s' failed: %s (%d)",
			 d->img->xb->cus[r->cu].name, lf__ocl_err_name(err),
			 (int)err);
	dur = lf__ocl_tl_record(d, LF_TL_RUN, r->cu, st, r->addr, 0, r->ev);
	c->ctr.runs++;
	c->ctr.busy_model_ns += dur;
	c->ctr.busy_wall_ns += lf__ocl_wall_ns() - r->start_wall_ns;
	lf__ocl_release_event(d, &r->ev);
	release_subs(d, r);
	for (uint32_t i = 0; i < r->nbos; i++)
		r->bos[i]->users--;
	if (r->prev)
		r->prev->next = r->next;
	else
		d->pending = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

/* 1 when the run has completed (its completion collected), else 0. */
static int poll_locked(struct ocl_dev *d, struct ocl_run *r)
{
	cl_int s = CL_QUEUED, err;

	if (r->done)
		return 1;
	err = lf__cl.clGetEventInfo(r->ev, CL_EVENT_COMMAND_EXECUTION_STATUS,
				    sizeof(s), &s, NULL);
	if (err != CL_SUCCESS)
		finish_locked(d, r, LF_ERR_DEVICE, err);
	else if (s == CL_COMPLETE)
		finish_locked(d, r, LF_OK, CL_SUCCESS);
	else if (s < 0)
		finish_locked(d, r, LF_ERR_DEVICE, s);
	return r->done;
}

void lf__ocl_reap_locked(struct ocl_dev *d)
{
	struct ocl_run *r = d->pending, *next;

	for (; r; r = next) {
		next = r->next;
		poll_locked(d, r);
	}
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ull),
			      (long)(ns % 1000000000ull)};

	nanosleep(&ts, NULL);
}

lf_status lf__ocl_run_wait(lf_run *run, uint32_t timeout_ms)
{
	struct ocl_run *r = ocl_run_of(run);
	struct ocl_dev *d = r->d;
	uint64_t deadline =
	    lf__ocl_wall_ns() + (uint64_t)timeout_ms * 1000000ull;
	uint64_t nap = POLL_MIN_NS;

	for (;;) {
		cl_event ev = NULL;
		uint64_t now;
		int done;

		pthread_mutex_lock(&d->mu);
		done = poll_locked(d, r);
		if (done && r->status != LF_OK)
			lf__drv_error(r->status, "%s", r->msg);
		if (!done && timeout_ms == LF_DRV_WAIT_FOREVER) {
			/* Our own reference, so a reap elsewhere may
			 * release the run's. */
			ev = r->ev;
			lf__cl.clRetainEvent(ev);
		}
		pthread_mutex_unlock(&d->mu);
		if (done)
			return r->status;
		if (ev) {
			lf__cl.clWaitForEvents(1, &ev);
			lf__cl.clReleaseEvent(ev);
			continue;
		}
		now = lf__ocl_wall_ns();
		if (now >= deadline)
			return lf__drv_error(
			    LF_ERR_TIMEOUT,
			    "opencl: the run on CU %u is still "
			    "pending after %u ms",
			    r->cu, timeout_ms);
		sleep_ns(deadline - now < nap ? deadline - now : nap);
		nap = nap * 2 > POLL_MAX_NS ? POLL_MAX_NS : nap * 2;
	}
}

lf_status lf__ocl_run_free(lf_run *run)
{
	struct ocl_run *r = ocl_run_of(run);
	struct ocl_dev *d = r->d;
	int done;

	pthread_mutex_lock(&d->mu);
	done = poll_locked(d, r);
	pthread_mutex_unlock(&d->mu);
	if (!done)
		return lf__drv_error(LF_ERR_BUSY,
				     "opencl: the run on CU %u has not "
				     "completed",
				     r->cu);
	free(r);
	return LF_OK;
}
