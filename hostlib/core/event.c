/*
 * event.c - asynchronous ops. Each context has one worker thread, started
 * by its first async op, that runs the submitted ops in submission order;
 * an event reports one op's status.
 *
 * A tensor an async op uses stays busy (lf_tensor_destroy() says
 * LF_ERR_BUSY) until the op's event has been waited for successfully or
 * destroyed: the rule does not depend on how fast the worker is.
 *
 * The same worker runs jobs (struct lf__job: lf_model_run_async()), in
 * the same queue and order as the ops, with the same busy rule for the
 * tensors the job names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostlib/core/context.h"
#include "hostlib/base/error.h"
#include "hostlib/core/event.h"
#include "hostlib/core/op.h"
#include "hostlib/base/tensor.h"

struct lf_event {
	lf_context *ctx;
	struct lf__op op; /* a single op, when !is_job */
	int is_job;
	struct lf__job job;
	lf_tensor **busy; /* the job's tensors, copied (malloc'ed) */
	lf_status status;
	int done;     /* guarded by the worker's mutex */
	int released; /* the operands' busy counts were dropped */
	char msg[LF__ERR_MAX];
	struct lf_event *next;
};

struct lf__worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job was queued, or stop */
	pthread_cond_t done; /* some job finished (CLOCK_MONOTONIC) */
	struct lf_event *head, *tail;
	int stop;
};

static void *worker_main(void *arg)
{
	lf_context *ctx = arg;
	struct lf__worker *w = ctx->worker;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->head)
			break;
		struct lf_event *ev = w->head;
		w->head = ev->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);

		lf_status st = ev->is_job ? ev->job.run(ev->job.arg)
					  : lf__op_exec(ctx, &ev->op);
		if (st)
			strncpy(ev->msg, lf__err_ctx_msg(ctx->id),
				sizeof(ev->msg) - 1);
		if (ev->is_job && ev->job.done)
			ev->job.done(ev->job.arg);

		pthread_mutex_lock(&w->mu);
		ev->status = st;
		ev->done = 1;
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static lf_status worker_start(lf_context *ctx)
{
	struct lf__worker *w = calloc(1, sizeof(*w));
	if (!w)
		return LF_ERR_NO_MEMORY;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int bad = pthread_mutex_init(&w->mu, NULL) ||
		  pthread_cond_init(&w->work, NULL) ||
		  pthread_cond_init(&w->done, &ca);
	pthread_condattr_destroy(&ca);
	if (bad) {
		free(w);
		return LF_ERR_NO_MEMORY;
	}
	ctx->worker = w;
	if (pthread_create(&w->thread, NULL, worker_main, ctx)) {
		ctx->worker = NULL;
		pthread_cond_destroy(&w->done);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return LF_ERR_NO_MEMORY;
	}
	return LF_OK;
}

void lf__worker_stop(lf_context *ctx)
{
	struct lf__worker *w = ctx->worker;
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->mu);
	free(w);
	ctx->worker = NULL;
}

static const char *ev_name(const struct lf_event *ev)
{
	return ev->is_job ? ev->job.name : ev->op.name;
}

static void operands_busy(struct lf_event *ev, int delta)
{
	if (ev->is_job) {
		for (size_t i = 0; i < ev->job.nbusy; i++)
			if (ev->busy[i])
				atomic_fetch_add(&ev->busy[i]->busy, delta);
		return;
	}
	struct lf__op *op = &ev->op;
	lf_tensor *t[4] = {op->x, op->w, op->bias, op->y};
	for (int i = 0; i < 4; i++)
		if (t[i])
			atomic_fetch_add(&t[i]->busy, delta);
}

/* Start the worker if needed; a new event for @name. */
static lf_status new_event(lf_context *ctx, const char *name,
			   struct lf_event **out)
{
	pthread_mutex_lock(&ctx->lock);
	lf_status st = ctx->worker ? LF_OK : worker_start(ctx);
	pthread_mutex_unlock(&ctx->lock);
	if (st)
		return lf__err(ctx->id, st,
			       "%s_async: cannot start the worker thread",
			       name);
	struct lf_event *ev = calloc(1, sizeof(*ev));
	if (!ev)
		return lf__err(ctx->id, LF_ERR_NO_MEMORY,
			       "%s_async: no memory for the event", name);
	ev->ctx = ctx;
	*out = ev;
	return LF_OK;
}

/* Mark the operands busy and queue @ev for the worker. */
static void enqueue(lf_context *ctx, struct lf_event *ev)
{
	operands_busy(ev, 1);
	atomic_fetch_add(&ctx->live_events, 1);
	struct lf__worker *w = ctx->worker;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = ev;
	else
		w->head = ev;
	w->tail = ev;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

lf_status lf__op_submit(lf_context *ctx, const struct lf__op *op,
			lf_event **out)
{
	struct lf_event *ev;
	lf_status st = new_event(ctx, op->name, &ev);
	if (st)
		return st;
	ev->op = *op;
	enqueue(ctx, ev);
	*out = ev;
	return LF_OK;
}

lf_status lf__job_submit(lf_context *ctx, const struct lf__job *job,
			 lf_event **out)
{
	struct lf_event *ev;
	lf_status st = new_event(ctx, job->name, &ev);
	if (st)
		return st;
	ev->busy = calloc(job->nbusy + 1, sizeof(*ev->busy));
	if (!ev->busy) {
		free(ev);
		return lf__err(ctx->id, LF_ERR_NO_MEMORY,
			       "%s_async: no memory for the event", job->name);
	}
	if (job->nbusy)
		memcpy(ev->busy, job->busy, job->nbusy * sizeof(*ev->busy));
	ev->is_job = 1;
	ev->job = *job;
	ev->job.busy = NULL;
	enqueue(ctx, ev);
	*out = ev;
	return LF_OK;
}

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

lf_status lf_event_wait(lf_event *ev, int timeout_ms)
{
	if (!ev)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_event_wait: ev is NULL");
	lf_context *ctx = ev->ctx;
	struct lf__worker *w = ctx->worker;
	struct timespec dl;
	if (timeout_ms >= 0)
		deadline_after(&dl, timeout_ms);
	pthread_mutex_lock(&w->mu);
	while (!ev->done) {
		if (timeout_ms < 0) {
			pthread_cond_wait(&w->done, &w->mu);
		} else if (pthread_cond_timedwait(&w->done, &w->mu, &dl) ==
			   ETIMEDOUT) {
			break;
		}
	}
	int done = ev->done;
	pthread_mutex_unlock(&w->mu);
	if (!done)
		return lf__err(ctx->id, LF_ERR_TIMEOUT,
			       "lf_event_wait: %s still running after %d ms",
			       ev_name(ev), timeout_ms);
	if (!ev->released) {
		ev->released = 1;
		operands_busy(ev, -1);
	}
	if (ev->status)
		lf__err_set_msg(ctx->id, ev->msg);
	return ev->status;
}

lf_status lf_event_destroy(lf_event *ev)
{
	if (!ev)
		return LF_OK;
	lf_context *ctx = ev->ctx;
	lf_status st = lf_event_wait(ev, -1);
	free(ev->busy);
	free(ev);
	atomic_fetch_sub(&ctx->live_events, 1);
	return st;
}
