/*
 * context.h - struct lf_context and what the rest of hostlib may ask of it.
 *
 * Locking: ctx->lock guards the profile ring and the async worker's start;
 * child counts are atomics. The device state (ctx->dev) does its own
 * locking (hostlib/exec/exec.h), so ops on one context run concurrently.
 */
#ifndef LF_CORE_CONTEXT_H
#define LF_CORE_CONTEXT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "layerfab.h"
#include "hostlib/core/profile.h"

#define LF__MAX_DEVICES 4
/* Longest member of a "DEV+DEV" device string, plus its NUL. */
#define LF__DEV_STR_MAX 128

struct lf__exec;
struct lf__worker;

struct lf_context {
	uint64_t id; /* unique for the process's lifetime, never 0 */
	char backend[16];
	char name[128];
	char xclbin[4096];
	int fallback; /* run on the CPU what the device cannot (default on) */
	unsigned cpu_threads; /* lf_options_set_cpu_threads(); default 1 */

	atomic_long live_tensors;
	atomic_long live_events;
	atomic_long live_models; /* lf_model objects (hostlib/model) */

	pthread_mutex_t lock;
	struct lf__profile_ring prof; /* guarded by lock */
	struct lf__worker *worker;    /* started on the first async op */

	struct lf__exec *dev; /* NULL for the "cpu" device; == devs[0] */
	/* "DEV+DEV[+...]": every device, all opened with the same xclbin
	 * rules. Single-op APIs and tensors use devs[0]; models are loaded
	 * on every one and lf_model_run() splits batches across them. */
	struct lf__exec *devs[LF__MAX_DEVICES];
	unsigned ndev; /* 0 for "cpu", else 1..LF__MAX_DEVICES */
};

#endif /* LF_CORE_CONTEXT_H */
