/* event.h - the context's async worker (event.c). */
#ifndef LF_CORE_EVENT_H
#define LF_CORE_EVENT_H

#include "layerfab.h"

/* Stop and join the worker; the caller made sure no event is alive. */
void lf__worker_stop(lf_context *ctx);

/*
 * struct lf__job - work other than a single op for the context's worker
 * (a model run): run(arg) on the worker in submission order, its status
 * and message the event's; then done(arg) (may be NULL) on the worker,
 * before the event completes, to release what the job held. The @nbusy
 * tensors in @busy (copied; NULL entries allowed) stay busy until the
 * event is waited for or destroyed, as an op's operands.
 */
struct lf__job {
	const char *name; /* "lf_model_run", for messages */
	lf_status (*run)(void *arg);
	void (*done)(void *arg);
	void *arg;
	lf_tensor *const *busy;
	size_t nbusy;
};

/* Queue @job; *out receives its event. LF_ERR_NO_MEMORY (nothing queued,
 * done not called). */
lf_status lf__job_submit(lf_context *ctx, const struct lf__job *job,
			 lf_event **out);

#endif /* LF_CORE_EVENT_H */
