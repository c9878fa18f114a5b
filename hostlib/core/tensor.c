/* tensor.c - tensors: creation, quantization copies, residency. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/abi.h"
#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/exec/exec.h"

size_t lf_dtype_size(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
	case LF_DTYPE_INT8:
		return 1;
	case LF_DTYPE_INT32:
	case LF_DTYPE_FLOAT32:
		return 4;
	}
	return 0;
}

const char *lf__dtype_name(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		return "uint8";
	case LF_DTYPE_INT8:
		return "int8";
	case LF_DTYPE_INT32:
		return "int32";
	case LF_DTYPE_FLOAT32:
		return "float32";
	}
	return "unknown";
}

/* Element count and byte size of a shape, overflow-checked. */
static lf_status shape_size(uint64_t id, int ndim, const int64_t *dims,
			    lf_dtype dtype, size_t *count, size_t *bytes)
{
	size_t n = 1;
	for (int i = 0; i < ndim; i++) {
		if (dims[i] <= 0)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_tensor_create: dims[%d] is %lld, "
				       "extents must be > 0",
				       i, (long long)dims[i]);
		if ((uint64_t)dims[i] > SIZE_MAX / n)
			return lf__err(id, LF_ERR_OVERFLOW,
				       "lf_tensor_create: element count "
				       "overflows at dims[%d] = %lld",
				       i, (long long)dims[i]);
		n *= (size_t)dims[i];
	}
	size_t es = lf_dtype_size(dtype);
	if (n > SIZE_MAX / es)
		return lf__err(id, LF_ERR_OVERFLOW,
			       "lf_tensor_create: %zu elements of %zu bytes "
			       "overflow size_t",
			       n, es);
	*count = n;
	*bytes = n * es;
	return LF_OK;
}

static int zp_in_range(lf_dtype t, int32_t zp)
{
	if (t == LF_DTYPE_UINT8)
		return zp >= 0 && zp <= 255;
	if (t == LF_DTYPE_INT8)
		return zp >= -128 && zp <= 127;
	return 1;
}

static lf_status copy_quant(uint64_t id, lf_dtype dtype, int ndim,
			    const int64_t *dims, const struct lf_quant *q,
			    struct lf__tquant *out)
{
	struct lf_quant qv;
	memset(out, 0, sizeof(*out));
	if (!q)
		return LF_OK;
	lf_status st = LF__STRUCT_IN(id, "lf_tensor_create", lf_quant, q, &qv);
	if (st)
		return st;
	q = &qv;
	if (!q->scale || q->count == 0)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_tensor_create: quant has %s, need at least "
			       "one scale",
			       q->scale ? "count 0" : "a NULL scale array");
	int axis = q->axis;
	if (q->count > 1) {
		if (axis < 0)
			axis += ndim;
		if (axis < 0 || axis >= ndim)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_tensor_create: quant axis %d out "
				       "of range for rank %d",
				       q->axis, ndim);
		if ((int64_t)q->count != dims[axis])
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_tensor_create: quant has %zu "
				       "scales, dimension %d has %lld entries",
				       q->count, axis, (long long)dims[axis]);
	} else {
		axis = 0;
	}
	for (size_t i = 0; i < q->count; i++) {
		float s = q->scale[i];
		if (!(s > 0.0f) || isinf(s))
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_tensor_create: scale[%zu] is %g, "
				       "scales must be finite and > 0",
				       i, (double)s);
		int32_t zp = q->zero_point ? q->zero_point[i] : 0;
		if (!zp_in_range(dtype, zp))
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_tensor_create: zero_point[%zu] is "
				       "%d, out of range for %s",
				       i, (int)zp, lf__dtype_name(dtype));
	}
	out->scale = malloc(q->count * sizeof(float));
	out->zp = calloc(q->count, sizeof(int32_t));
	if (!out->scale || !out->zp) {
		free(out->scale);
		free(out->zp);
		memset(out, 0, sizeof(*out));
		return lf__err(id, LF_ERR_NO_MEMORY,
			       "lf_tensor_create: no memory for %zu scales",
			       q->count);
	}
	memcpy(out->scale, q->scale, q->count * sizeof(float));
	if (q->zero_point)
		memcpy(out->zp, q->zero_point, q->count * sizeof(int32_t));
	out->count = q->count;
	out->axis = axis;
	out->present = 1;
	return LF_OK;
}

static lf_status tensor_new(lf_context *ctx, lf_dtype dtype, int ndim,
			    const int64_t *dims, const struct lf_quant *quant,
			    void *data, size_t data_bytes, lf_tensor **out)
{
	if (!ctx)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_tensor_create: ctx is NULL");
	uint64_t id = ctx->id;
	if (!out)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_tensor_create: out is NULL");
	if (lf_dtype_size(dtype) == 0)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_tensor_create: unknown dtype %d",
			       (int)dtype);
	if (ndim < 0 || ndim > LF_MAX_DIMS)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_tensor_create: rank %d, must be 0..%d", ndim,
			       LF_MAX_DIMS);
	if (ndim > 0 && !dims)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_tensor_create: dims is NULL for rank %d",
			       ndim);
	size_t count = 0, bytes = 0;
	lf_status st = shape_size(id, ndim, dims, dtype, &count, &bytes);
	if (st)
		return st;
	if (data && data_bytes != bytes)
		return lf__err(
		    id, LF_ERR_INVALID_ARG,
		    "lf_tensor_create_borrowed: %zu bytes given, the "
		    "tensor needs %zu",
		    data_bytes, bytes);

	lf_tensor *t = calloc(1, sizeof(*t));
	if (!t)
		return lf__err(id, LF_ERR_NO_MEMORY,
			       "lf_tensor_create: no memory");
	st = copy_quant(id, dtype, ndim, dims, quant, &t->q);
	if (st)
		goto fail_tensor;
	if (data) {
		t->data = data;
	} else {
		t->data = calloc(1, bytes);
		if (!t->data) {
			st = lf__err(id, LF_ERR_NO_MEMORY,
				     "lf_tensor_create: no memory for %zu "
				     "bytes",
				     bytes);
			goto fail_quant;
		}
		t->owned = 1;
	}
	if (pthread_mutex_init(&t->lock, NULL)) {
		st = lf__err(id, LF_ERR_NO_MEMORY,
			     "lf_tensor_create: cannot create a mutex");
		goto fail_data;
	}
	t->ctx = ctx;
	t->dtype = dtype;
	t->ndim = ndim;
	for (int i = 0; i < ndim; i++)
		t->dims[i] = dims[i];
	t->count = count;
	t->bytes = bytes;
	t->host_valid = 1;
	atomic_init(&t->version, 1);
	atomic_init(&t->busy, 0);
	atomic_fetch_add(&ctx->live_tensors, 1);
	*out = t;
	return LF_OK;

fail_data:
	if (t->owned)
		free(t->data);
fail_quant:
	free(t->q.scale);
	free(t->q.zp);
fail_tensor:
	free(t);
	return st;
}

lf_status lf_tensor_create(lf_context *ctx, lf_dtype dtype, int ndim,
			   const int64_t *dims, const struct lf_quant *quant,
			   lf_tensor **out)
{
	return tensor_new(ctx, dtype, ndim, dims, quant, NULL, 0, out);
}

lf_status lf_tensor_create_borrowed(lf_context *ctx, lf_dtype dtype, int ndim,
				    const int64_t *dims,
				    const struct lf_quant *quant, void *data,
				    size_t bytes, lf_tensor **out)
{
	if (!data)
		return lf__err(ctx ? ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_tensor_create_borrowed: data is NULL");
	return tensor_new(ctx, dtype, ndim, dims, quant, data, bytes, out);
}

lf_status lf_tensor_destroy(lf_tensor *t)
{
	if (!t)
		return LF_OK;
	lf_context *ctx = t->ctx;
	int busy = atomic_load(&t->busy);
	if (busy)
		return lf__err(ctx->id, LF_ERR_BUSY,
			       "lf_tensor_destroy: %d asynchronous op%s using "
			       "the tensor %s not been waited for",
			       busy, busy == 1 ? "" : "s",
			       busy == 1 ? "has" : "have");
	if (ctx->dev)
		lf__exec_tensor_release(ctx->dev, t);
	pthread_mutex_destroy(&t->lock);
	if (t->owned)
		free(t->data);
	free(t->q.scale);
	free(t->q.zp);
	free(t);
	atomic_fetch_sub(&ctx->live_tensors, 1);
	return LF_OK;
}

void *lf_tensor_data(lf_tensor *t)
{
	return t ? t->data : NULL;
}

size_t lf_tensor_bytes(const lf_tensor *t)
{
	return t ? t->bytes : 0;
}

int lf_tensor_shape(const lf_tensor *t, int64_t *dims)
{
	if (!t)
		return -1;
	if (dims)
		for (int i = 0; i < t->ndim; i++)
			dims[i] = t->dims[i];
	return t->ndim;
}

lf_dtype lf_tensor_dtype(const lf_tensor *t)
{
	return t ? t->dtype : (lf_dtype)-1;
}

lf_status lf_tensor_to_device(lf_tensor *t)
{
	if (!t)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_tensor_to_device: t is NULL");
	lf_context *ctx = t->ctx;
	lf_status st = LF_OK;
	pthread_mutex_lock(&t->lock);
	t->keep_on_device = 1;
	/* The "cpu" device (or a lost card): the host copy is the device's. */
	if (ctx->dev && !lf__exec_lost(ctx->dev) && !t->dev_valid)
		st = lf__exec_tensor_upload(ctx->dev, ctx->id, t);
	pthread_mutex_unlock(&t->lock);
	return st;
}

lf_status lf_tensor_to_host(lf_tensor *t)
{
	if (!t)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_tensor_to_host: t is NULL");
	lf_context *ctx = t->ctx;
	lf_status st = LF_OK;
	pthread_mutex_lock(&t->lock);
	t->keep_on_device = 0;
	if (!t->host_valid) {
		if (!ctx->dev)
			st = lf__err(ctx->id, LF_ERR_INTERNAL,
				     "lf_tensor_to_host: no valid copy");
		else
			st = lf__exec_tensor_download(ctx->dev, ctx->id, t);
	}
	pthread_mutex_unlock(&t->lock);
	return st;
}

lf_status lf_tensor_mark_host_dirty(lf_tensor *t)
{
	if (!t)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_tensor_mark_host_dirty: t is NULL");
	pthread_mutex_lock(&t->lock);
	t->host_valid = 1;
	t->dev_valid = 0;
	atomic_fetch_add(&t->version, 1);
	pthread_mutex_unlock(&t->lock);
	return LF_OK;
}

lf_status lf_tensor_native_handle(lf_tensor *t, lf_native_kind kind, void **out)
{
	if (!t || !out)
		return lf__err(t ? t->ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_tensor_native_handle: %s is NULL",
			       t ? "out" : "t");
	lf_context *ctx = t->ctx;
	if (!ctx->dev)
		return lf__err(ctx->id, LF_ERR_UNSUPPORTED,
			       "lf_tensor_native_handle: the cpu device has "
			       "no native handles");
	pthread_mutex_lock(&t->lock);
	lf_status st =
	    lf__exec_native(ctx->dev, ctx->id, t, (uint32_t)kind, out);
	pthread_mutex_unlock(&t->lock);
	return st;
}
