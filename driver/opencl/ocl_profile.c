/*
 * ocl_profile.c - the timeline from OpenCL event profiling.
 *
 * Every queue is created with CL_QUEUE_PROFILING_ENABLE, so each finished
 * transfer or kernel event carries CL_PROFILING_COMMAND_START / _END in
 * nanoseconds of the device's clock (OpenCL 1.2, clGetEventProfilingInfo).
 * The timeline records those as MEASURED device time, in ns after the
 * device clock read at open (a marker command), unlike the emulator's
 * modeled times: the struct lf_tl_event fields are the same, the meaning
 * of start_ns / end_ns for this backend is "measured". Events appear in
 * the order their completion was collected, which for runs is when a wait
 * (or a reap) saw them finish.
 */
#include <string.h>
#include <time.h>

#include "driver/opencl/ocl_impl.h"

uint64_t lf__ocl_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void lf__ocl_tl_origin(struct ocl_dev *d)
{
	cl_event ev = NULL;
	cl_ulong t = 0;

	if (lf__cl.clEnqueueMarkerWithWaitList(d->dmaq, 0, NULL, &ev) !=
	    CL_SUCCESS)
		return;
	lf__ocl_obj_add(d, LF_OCL_EVENT);
	if (lf__cl.clWaitForEvents(1, &ev) == CL_SUCCESS &&
	    lf__cl.clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END,
					   sizeof(t), &t, NULL) == CL_SUCCESS) {
		d->t0 = t;
		d->t0_set = 1;
	}
	lf__ocl_release_event(d, &ev);
}

uint64_t lf__ocl_tl_record(struct ocl_dev *d, enum lf_tl_kind kind, uint32_t cu,
			   lf_status st, uint64_t addr, uint64_t bytes,
			   cl_event ev)
{
	struct lf_tl_event e;
	cl_ulong start = 0, end = 0;

	if (!ev ||
	    lf__cl.clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START,
					   sizeof(start), &start,
					   NULL) != CL_SUCCESS ||
	    lf__cl.clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END,
					   sizeof(end), &end,
					   NULL) != CL_SUCCESS ||
	    end < start)
		start = end = 0;
	if (!d->t0_set && start) {
		d->t0 = start;
		d->t0_set = 1;
	}
	memset(&e, 0, sizeof(e));
	e.seq = d->next_seq++;
	e.kind = kind;
	e.cu = cu;
	e.status = st;
	e.addr = addr;
	e.bytes = bytes;
	e.start_ns = start > d->t0 ? start - d->t0 : 0;
	e.end_ns = end > d->t0 ? end - d->t0 : 0;
	d->ring[e.seq % d->ring_cap] = e;
	if (e.end_ns > d->ctr.device_ns)
		d->ctr.device_ns = e.end_ns;
	return end - start;
}
