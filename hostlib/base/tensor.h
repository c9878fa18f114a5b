/*
 * tensor.h - struct lf_tensor: shape, dtype, quantization, host data and
 * the device copy.
 *
 * Residency: host_valid / dev_valid say which copies hold the current
 * data (at least one does). keep_on_device is set by lf_tensor_to_device()
 * and makes an op leave its output on the device only; cleared by
 * lf_tensor_to_host(). t->lock guards residency and the device copy; ops
 * take it briefly while they move data, never while a kernel runs.
 */
#ifndef LF_CORE_TENSOR_H
#define LF_CORE_TENSOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

struct lf__dbuf;

struct lf__tquant {
	int present;
	float *scale; /* count entries */
	int32_t *zp;  /* count entries (zeros when the caller gave none) */
	size_t count;
	int axis; /* normalized to 0..ndim-1 (0 for a scalar) */
};

struct lf_tensor {
	lf_context *ctx;
	lf_dtype dtype;
	int ndim;
	int64_t dims[LF_MAX_DIMS];
	size_t count; /* elements */
	size_t bytes;
	void *data;
	int owned;
	struct lf__tquant q;

	pthread_mutex_t lock;
	int host_valid, dev_valid, keep_on_device;
	struct lf__dbuf *dbuf; /* device copy, or NULL */
	/* Bumped whenever the host data may have changed (mark_host_dirty, an
	 * op writing it): caches of derived device data compare it. */
	atomic_ulong version;
	/* Async ops using the tensor that were not waited for yet. */
	atomic_int busy;
};

/* "uint8", "int8", "int32", "float32" or "unknown". */
const char *lf__dtype_name(lf_dtype t);

/* The tensor's zero point and scale (per-tensor or entry 0). */
static inline int32_t lf__tensor_zp(const struct lf_tensor *t)
{
	return t->q.present ? t->q.zp[0] : 0;
}

#endif /* LF_CORE_TENSOR_H */
