/*
 * ocl_objects.c - live OpenCL object accounting.
 *
 * Each object the backend creates is counted once on its device and once
 * process-wide; each release helper releases, counts down and clears the
 * handle, so a second release of the same handle is harmless. Tests check
 * that the counts come back to zero after close and after every failure.
 */
#include "driver/opencl/ocl_impl.h"

static atomic_uint_fast64_t live_total;

void lf__ocl_obj_add(struct ocl_dev *d, enum lf_ocl_obj kind)
{
	atomic_fetch_add(&d->live_objs[kind], 1);
	atomic_fetch_add(&live_total, 1);
}

void lf__ocl_obj_del(struct ocl_dev *d, enum lf_ocl_obj kind)
{
	atomic_fetch_sub(&d->live_objs[kind], 1);
	atomic_fetch_sub(&live_total, 1);
}

uint64_t lf__ocl_live_total(void)
{
	return atomic_load(&live_total);
}

void lf__ocl_release_mem(struct ocl_dev *d, cl_mem *m)
{
	if (!*m)
		return;
	lf__cl.clReleaseMemObject(*m);
	*m = NULL;
	lf__ocl_obj_del(d, LF_OCL_MEM);
}

void lf__ocl_release_event(struct ocl_dev *d, cl_event *e)
{
	if (!*e)
		return;
	lf__cl.clReleaseEvent(*e);
	*e = NULL;
	lf__ocl_obj_del(d, LF_OCL_EVENT);
}

void lf__ocl_release_kernel(struct ocl_dev *d, cl_kernel *k)
{
	if (!*k)
		return;
	lf__cl.clReleaseKernel(*k);
	*k = NULL;
	lf__ocl_obj_del(d, LF_OCL_KERNEL);
}

void lf__ocl_release_program(struct ocl_dev *d, cl_program *p)
{
	if (!*p)
		return;
	lf__cl.clReleaseProgram(*p);
	*p = NULL;
	lf__ocl_obj_del(d, LF_OCL_PROGRAM);
}

void lf__ocl_release_queue(struct ocl_dev *d, cl_command_queue *q)
{
	if (!*q)
		return;
	lf__cl.clReleaseCommandQueue(*q);
	*q = NULL;
	lf__ocl_obj_del(d, LF_OCL_QUEUE);
}

void lf__ocl_release_context(struct ocl_dev *d, cl_context *c)
{
	if (!*c)
		return;
	lf__cl.clReleaseContext(*c);
	*c = NULL;
	lf__ocl_obj_del(d, LF_OCL_CONTEXT);
}
