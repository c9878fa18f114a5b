/* profile.c - the profile ring and its public accessors. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostlib/core/context.h"
#include "hostlib/base/abi.h"
#include "hostlib/base/error.h"
#include "hostlib/core/profile.h"

lf_status lf__profile_init(struct lf__profile_ring *r)
{
	r->rec = calloc(LF__PROFILE_MAX, sizeof(*r->rec));
	r->head = 0;
	r->count = 0;
	return r->rec ? LF_OK : LF_ERR_NO_MEMORY;
}

void lf__profile_free(struct lf__profile_ring *r)
{
	free(r->rec);
	r->rec = NULL;
	r->count = 0;
}

void lf__profile_push(struct lf__profile_ring *r,
		      const struct lf_profile_record *rec)
{
	size_t slot = (r->head + r->count) % LF__PROFILE_MAX;
	r->rec[slot] = *rec;
	if (r->count < LF__PROFILE_MAX)
		r->count++;
	else
		r->head = (r->head + 1) % LF__PROFILE_MAX;
}

uint64_t lf__now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The public accessors take a const context but must lock it. */
static pthread_mutex_t *ctx_lock(const lf_context *ctx)
{
	return (pthread_mutex_t *)&ctx->lock;
}

size_t lf_context_profile_count(const lf_context *ctx)
{
	if (!ctx)
		return 0;
	pthread_mutex_lock(ctx_lock(ctx));
	size_t n = ctx->prof.count;
	pthread_mutex_unlock(ctx_lock(ctx));
	return n;
}

lf_status lf_context_profile_get(const lf_context *ctx, size_t i,
				 struct lf_profile_record *rec)
{
	if (!ctx || !rec)
		return lf__err(ctx ? ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_context_profile_get: %s is NULL",
			       ctx ? "rec" : "ctx");
	struct lf_profile_record r;
	lf_status st = LF_OK;
	pthread_mutex_lock(ctx_lock(ctx));
	if (i >= ctx->prof.count)
		st = LF_ERR_RANGE;
	else
		r = ctx->prof.rec[(ctx->prof.head + i) % LF__PROFILE_MAX];
	size_t n = ctx->prof.count;
	pthread_mutex_unlock(ctx_lock(ctx));
	if (st != LF_OK)
		return lf__err(ctx->id, st,
			       "lf_context_profile_get: record %zu requested, "
			       "%zu kept",
			       i, n);
	return LF__STRUCT_OUT(ctx->id, "lf_context_profile_get",
			      lf_profile_record, rec, &r);
}

void lf_context_profile_reset(lf_context *ctx)
{
	if (!ctx)
		return;
	pthread_mutex_lock(&ctx->lock);
	ctx->prof.head = 0;
	ctx->prof.count = 0;
	pthread_mutex_unlock(&ctx->lock);
}
