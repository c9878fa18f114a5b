/*
 * run.c - lf_model_run(): check the inputs, find (or make) the plan for
 * their shapes, take a run slot, run the steps (CPU nodes here, device
 * segments through hostlib/exec), hand back the outputs, and fill the
 * run profile.
 *
 * Reentrancy: everything a run writes (host buffers, device arenas and
 * descriptor buffers) belongs to its slot; the model, its graph, its
 * plans and the params on the device are read-only while runs go on.
 *
 * The stages are files of their own (run_impl.h): run_cache.c (inputs,
 * plans, slots), run_steps.c (steps, retry, CPU fallback), run_trace.c
 * (the profile), run_io.c (outputs, IO binding), run_split.c (batches in
 * parts and chunks).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/context.h"
#include "hostlib/core/event.h"
#include "hostlib/model/run_impl.h"

/* The batch whole on one slot of the first device (or the CPU), tensors
 * bound on the card where they can be (@bind, run_io.c). */
static lf_status run_whole(lf_model *m, struct lf__plan_entry *pe,
			   lf_tensor *const *inputs, size_t ninputs,
			   lf_tensor **outputs, size_t noutputs,
			   lf_run_profile *prof, struct lf__mbind *bind)
{
	uint64_t id = m->ctx->id;
	lf_status st = lf__run_bind_prepare(m, pe->p, inputs, ninputs, outputs,
					    noutputs, bind);
	if (st == LF_OK)
		st = lf__run_inputs_on_host(m, inputs, ninputs, bind);
	if (st != LF_OK)
		return st;
	void *inptr_buf[16];
	void **inptr = inptr_buf;
	if (ninputs > 16 && !(inptr = calloc(ninputs, sizeof(*inptr))))
		return lf__err(id, LF_ERR_NO_MEMORY, "lf_model_run: no memory");
	for (size_t i = 0; i < ninputs; i++)
		inptr[i] = inputs[i]->data;
	struct runctx c = {
	    .m = m, .p = pe->p, .md = m->md, .prof = prof, .bind = bind};
	c.slot = lf__run_get_slot(m);
	c.s = &m->slots[c.slot];
	c.lane = c.slot;
	c.tl_lane = -1;
	st = lf__run_prepare_slot(m, c.s, pe->p, inptr);
	if (inptr != inptr_buf)
		free(inptr);
	if (st != LF_OK) {
		lf__err(id, st, "lf_model_run: no memory for host buffers");
		goto out_slot;
	}
	if (prof) {
		lf__run_profile_clear(prof);
		c.t0 = lf__now_ns();
		c.cursor = UINT64_MAX;
		if (m->md)
			lf__mdev_timeline(m->md, -1, &c.cursor, NULL, 0, NULL);
	}
	st = lf__run_steps(&c);
	if (st == LF_OK)
		st = lf__run_deliver(m, pe->p, c.s, bind, outputs, noutputs);
out_slot:
	lf__run_put_slot(m, c.slot);
	return st;
}

lf_status lf_model_run(lf_model *m, lf_tensor *const *inputs, size_t ninputs,
		       lf_tensor **outputs, size_t noutputs,
		       lf_run_profile *prof)
{
	if (!m)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_model_run: m is NULL");
	uint64_t id = m->ctx->id;
	if (ninputs && !inputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: inputs is NULL");
	struct lf__gshape in[LF_MAX_DIMS * 4];
	struct lf__gshape *shapes = in;
	if (m->g->ninputs > sizeof(in) / sizeof(in[0])) {
		shapes = calloc(m->g->ninputs, sizeof(*shapes));
		if (!shapes)
			return lf__err(id, LF_ERR_NO_MEMORY,
				       "lf_model_run: no memory");
	}
	atomic_fetch_add(&m->active, 1);
	struct lf__plan_entry *pe = NULL;
	struct lf__mbind bind = {0};
	lf_status st = lf__run_check_inputs(m, inputs, ninputs, shapes);
	if (st == LF_OK)
		st = lf__run_get_plan(m, shapes, &pe);
	if (st == LF_OK)
		st = lf__run_check_outputs(m, pe->p, outputs, noutputs);
	if (st != LF_OK)
		goto out;
	size_t chunk = lf__run_chunk_rows(m, inputs, ninputs, shapes, pe->p);
	if (chunk) {
		st = lf__run_inputs_on_host(m, inputs, ninputs, NULL);
		if (st == LF_OK)
			st = lf__run_chunks(
			    m, pe->p, inputs, shapes, outputs, noutputs, prof,
			    lf__run_batch_of(m, inputs, ninputs), chunk);
		goto out;
	}
	size_t bsplit = lf__run_split_batch(m, inputs, ninputs, pe->p);
	if (bsplit) {
		st = lf__run_inputs_on_host(m, inputs, ninputs, NULL);
		if (st == LF_OK)
			st = lf__run_split(m, pe, inputs, shapes, outputs,
					   noutputs, prof, bsplit);
		goto out;
	}
	st = run_whole(m, pe, inputs, ninputs, outputs, noutputs, prof, &bind);
out:
	lf__run_bind_free(&bind);
	if (pe)
		lf__run_put_plan(m, pe);
	if (shapes != in)
		free(shapes);
	atomic_fetch_sub(&m->active, 1);
	return st;
}

struct arun {
	lf_model *m;
	lf_tensor **in; /* copied: the caller's array may go */
	size_t nin;
	lf_tensor **out; /* the caller's: NULL slots are filled */
	size_t nout;
	lf_run_profile *prof;
};

static lf_status arun_run(void *arg)
{
	struct arun *a = arg;
	return lf_model_run(a->m, a->in, a->nin, a->out, a->nout, a->prof);
}

/* On the worker, before the event completes: the model may be destroyed
 * from then on. */
static void arun_done(void *arg)
{
	struct arun *a = arg;
	atomic_fetch_sub(&a->m->active, 1);
	free(a->in);
	free(a);
}

lf_status lf_model_run_async(lf_model *m, lf_tensor *const *inputs,
			     size_t ninputs, lf_tensor **outputs,
			     size_t noutputs, lf_run_profile *prof,
			     lf_event **ev)
{
	if (!m)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: m is NULL");
	uint64_t id = m->ctx->id;
	if (!ev)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: ev is NULL");
	if (ninputs && !inputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: inputs is NULL");
	if (noutputs && !outputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: outputs is NULL");
	/* What can be checked now is: inputs (count, context, dtype,
	 * shape); the rest (outputs against the plan, the run) on wait. */
	struct lf__gshape in[LF_MAX_DIMS * 4];
	struct lf__gshape *shapes = in;
	if (m->g->ninputs > sizeof(in) / sizeof(in[0]) &&
	    !(shapes = calloc(m->g->ninputs, sizeof(*shapes))))
		return lf__err(id, LF_ERR_NO_MEMORY,
			       "lf_model_run_async: no memory");
	lf_status st = lf__run_check_inputs(m, inputs, ninputs, shapes);
	if (shapes != in)
		free(shapes);
	if (st != LF_OK)
		return st;
	struct arun *a = calloc(1, sizeof(*a));
	lf_tensor **busy = calloc(ninputs + noutputs + 1, sizeof(*busy));
	if (a)
		a->in = calloc(ninputs + 1, sizeof(*a->in));
	if (!a || !busy || !a->in) {
		if (a)
			free(a->in);
		free(a);
		free(busy);
		return lf__err(id, LF_ERR_NO_MEMORY,
			       "lf_model_run_async: no memory");
	}
	a->m = m;
	if (ninputs)
		memcpy(a->in, inputs, ninputs * sizeof(*a->in));
	a->nin = ninputs;
	a->out = outputs;
	a->nout = noutputs;
	a->prof = prof;
	if (ninputs)
		memcpy(busy, inputs, ninputs * sizeof(*busy));
	for (size_t i = 0; i < noutputs; i++)
		busy[ninputs + i] = outputs[i];
	struct lf__job job = {"lf_model_run", arun_run,		 arun_done, a,
			      busy,	      ninputs + noutputs};
	atomic_fetch_add(&m->active, 1);
	st = lf__job_submit(m->ctx, &job, ev);
	free(busy);
	if (st != LF_OK) {
		atomic_fetch_sub(&m->active, 1);
		free(a->in);
		free(a);
	}
	return st;
}
