/*
 * launch.c - starting, waiting for and abandoning kernel runs (launch.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "hostlib/exec/exec_impl.h"
#include "hostlib/exec/launch.h"
#include "lf_desc.h"

lf_status lf__zombies_init(struct lf__zombies *zs)
{
	zs->head = NULL;
	return pthread_mutex_init(&zs->mu, NULL) ? LF_ERR_NO_MEMORY : LF_OK;
}

void lf__zombies_park(struct lf__zombies *zs, struct lf__zombie *z)
{
	pthread_mutex_lock(&zs->mu);
	z->next = zs->head;
	zs->head = z;
	pthread_mutex_unlock(&zs->mu);
}

void lf__zombies_drain(struct lf__exec *d, struct lf__zombies *zs)
{
	struct lf__zombie *z = zs->head;
	while (z) {
		struct lf__zombie *next = z->next;
		lf__dev_cu_abort(d->dev, z->cu);
		lf__run_wait(z->run, 1000);
		if (lf__run_free(z->run) == LF_OK) {
			for (int i = 0; i < z->nbos; i++)
				lf__bo_free(z->bos[i]);
		}
		free(z->bos);
		free(z);
		z = next;
	}
	zs->head = NULL;
	pthread_mutex_destroy(&zs->mu);
}

/* Starts CU @cu on @b (the kernel ABI's six arguments). */
static lf_status start(struct lf__exec *d, uint32_t cu,
		       const struct lf__launch_bufs *b, lf_run **run)
{
	struct lf_run_arg args[LF_KARG_COUNT] = {
	    lf__arg_bo(LF_KARG_DESC, b->desc, 0),
	    lf__arg_u32(LF_KARG_NDESC, b->ndesc),
	    lf__arg_bo(LF_KARG_PARAMS, b->params, 0),
	    lf__arg_u32(LF_KARG_PARAMS_BYTES, b->params_bytes),
	    lf__arg_bo(LF_KARG_ACT, b->act, 0),
	    lf__arg_u32(LF_KARG_ACT_BYTES, b->act_bytes),
	};
	return lf__run_start(d->dev, cu, args, LF_KARG_COUNT, run);
}

lf_status lf__launch_group(struct lf__exec *d, unsigned n, const uint32_t *cus,
			   const struct lf__launch_bufs *b, int *started,
			   lf_run **pending, char *msg, size_t msglen)
{
	lf_run *run[LF_DRV_MAX_CUS] = {0};
	lf_status first = LF_OK;
	if (n > LF_DRV_MAX_CUS)
		n = LF_DRV_MAX_CUS;
	for (unsigned i = 0; i < n; i++) {
		started[i] = 0;
		pending[i] = NULL;
	}
	pthread_mutex_lock(&d->group_mu);
	for (unsigned i = 0; i < n && first == LF_OK; i++) {
		first = start(d, cus[i], &b[i], &run[i]);
		if (first)
			snprintf(msg, msglen, "%s", lf__drv_last_error());
		started[i] = first == LF_OK;
	}
	pthread_mutex_unlock(&d->group_mu);
	/* A run that failed or never started leaves the others at their
	 * barriers: abort every CU of the group. */
	int aborted = first != LF_OK;
	for (unsigned j = 0; aborted && j < n; j++)
		if (started[j])
			lf__dev_cu_abort(d->dev, cus[j]);
	for (unsigned i = 0; i < n; i++) {
		if (!started[i])
			continue;
		lf_status st =
		    lf__run_wait(run[i], aborted ? 1000 : d->timeout_ms);
		if (st == LF_OK && b[i].model &&
		    lf__run_model(run[i], b[i].model) != LF_OK)
			b[i].model->clock_mhz = 0;
		if (st != LF_OK && first == LF_OK) {
			first = st;
			snprintf(msg, msglen, "%s", lf__drv_last_error());
		}
		if (st != LF_OK && !aborted) {
			aborted = 1;
			for (unsigned j = 0; j < n; j++)
				if (started[j])
					lf__dev_cu_abort(d->dev, cus[j]);
			lf__run_wait(run[i], 1000);
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (started[i] && lf__run_free(run[i]) != LF_OK)
			pending[i] = run[i];
	return lf__exec_note(d, first);
}

lf_status lf__launch(struct lf__exec *d, uint32_t cu,
		     const struct lf__launch_bufs *b, int *started,
		     lf_run **pending, char *msg, size_t msglen)
{
	lf_run *run;
	*started = 0;
	*pending = NULL;
	lf_status st = start(d, cu, b, &run);
	if (st) {
		snprintf(msg, msglen, "%s", lf__drv_last_error());
		return lf__exec_note(d, st);
	}
	*started = 1;
	st = lf__run_wait(run, d->timeout_ms);
	if (st == LF_OK) {
		/* Backends without a cycle model answer UNSUPPORTED: none. */
		if (b->model && lf__run_model(run, b->model) != LF_OK)
			b->model->clock_mhz = 0;
		lf__run_free(run);
		return LF_OK;
	}
	snprintf(msg, msglen, "%s", lf__drv_last_error());
	if (st == LF_ERR_TIMEOUT) {
		lf__dev_cu_abort(d->dev, cu);
		lf__run_wait(run, 1000);
	}
	if (lf__run_free(run) != LF_OK)
		*pending = run;
	return lf__exec_note(d, st);
}
