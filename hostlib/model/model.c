/*
 * model.c - the public model API but running: lf_model_load(),
 * lf_model_load_memory(), lf_model_destroy() and the input/output
 * descriptions. Loading imports the graph (import.c), plans every device
 * layer once to pack the weights, and uploads them (hostlib/exec).
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/abi.h"
#include "hostlib/base/error.h"
#include "hostlib/core/options.h"
#include "hostlib/model/model_impl.h"

/* Run slots: two per CU of the kernel with the most CUs, so concurrent
 * runs keep every CU busy while others move data; on the CPU 4, or one
 * per thread a run may use. */
static unsigned slot_count(const lf_model *m)
{
	const lf_context *ctx = m->ctx;
	if (!ctx->dev)
		return m->cpu_threads > 4 ? m->cpu_threads : 4;
	unsigned n = 2 * lf__mdev_max_cus(ctx->dev);
	return n < 2 ? 2 : n > 16 ? 16 : n;
}

static lf_status info_of(const struct lf__graph *g, int v,
			 struct lf_tensor_info *info)
{
	const struct lf__gval *gv = &g->vals[v];
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", gv->name);
	if (lf__onnx_dtype_to_lf(gv->dtype, &info->dtype) != LF_OK)
		return LF_ERR_UNSUPPORTED;
	info->ndim = gv->decl_rank;
	for (int d = 0; d < gv->decl_rank && d < LF_MAX_DIMS; d++)
		info->dims[d] = gv->decl[d];
	return LF_OK;
}

/* Output ranks and dims as the load-time inference found them, where the
 * file declares none. */
static void fill_output_info(lf_model *m, const struct lf__gshape *sh)
{
	const struct lf__graph *g = m->g;
	for (size_t i = 0; i < g->noutputs; i++) {
		struct lf_tensor_info *info = &m->out_info[i];
		const struct lf__gshape *s = &sh[g->outputs[i]];
		if (info->ndim >= 0 && info->ndim == s->rank)
			continue;
		info->ndim = s->rank;
		for (int d = 0; d < s->rank; d++)
			info->dims[d] = s->d[d];
	}
}

static void free_model(lf_model *m)
{
	for (unsigned k = 0; k < LF__MAX_DEVICES; k++)
		lf__mdev_close(m->mds[k]);
	while (m->plans) {
		struct lf__plan_entry *e = m->plans;
		m->plans = e->next;
		lf__mplan_free(e->p);
		free(e);
	}
	for (unsigned i = 0; m->slots && i < m->nslots; i++) {
		free(m->slots[i].host);
		free(m->slots[i].ptr);
		free(m->slots[i].tmp);
	}
	free(m->slots);
	lf__mparams_free(&m->params);
	free(m->in_info);
	free(m->out_info);
	lf__graph_free(m->g);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cv);
	free(m);
}

/*
 * The most bytes one activation (a value that is not a constant) may
 * need at the load-time shapes: a model that declares more is refused at
 * load rather than allocating it at its first run (reliability review
 * 2.4: a 141-byte model declared a 10 GB input). The same 2 GiB as the
 * largest model file (LF__ONNX_FILE_MAX); a larger batch at run time is
 * the caller's request and is not capped here.
 */
#define LF__ACT_BYTES_MAX (1ull << 31)

static lf_status check_act_sizes(const struct lf__graph *g,
				 const struct lf__gshape *sh,
				 struct lf__diag *dg)
{
	for (size_t v = 0; v < g->nvals; v++) {
		size_t bytes = lf__gshape_bytes(&sh[v]);
		if (g->vals[v].cst || bytes <= LF__ACT_BYTES_MAX)
			continue;
		char dims[160] = "";
		size_t k = 0;
		for (int d = 0; d < sh[v].rank && k < sizeof(dims) - 24; d++)
			k += (size_t)snprintf(dims + k, sizeof(dims) - k,
					      "%s%lld", d ? "," : "",
					      (long long)sh[v].d[d]);
		return lf__diag_fail(
		    dg, LF_ERR_UNSUPPORTED,
		    "value '%s' (%s [%s]) needs %zu bytes with every free "
		    "dimension 1; one activation may need at most 2 GiB "
		    "(%llu bytes)",
		    g->vals[v].name, lf__onnx_dtype_name(sh[v].dtype), dims,
		    bytes, (unsigned long long)LF__ACT_BYTES_MAX);
	}
	return LF_OK;
}

/* Load-time shapes: every free dimension 1. */
static lf_status load_shapes(lf_model *m, struct lf__gshape **out,
			     struct lf__diag *dg)
{
	const struct lf__graph *g = m->g;
	struct lf__gshape *in = calloc(g->ninputs + 1, sizeof(*in));
	struct lf__gshape *sh = calloc(g->nvals + 1, sizeof(*sh));
	lf_status st = LF_ERR_NO_MEMORY;
	if (in && sh) {
		for (size_t i = 0; i < g->ninputs; i++) {
			const struct lf__gval *v = &g->vals[g->inputs[i]];
			in[i].rank = v->decl_rank;
			for (int d = 0; d < v->decl_rank; d++)
				in[i].d[d] = v->decl[d] < 0 ? 1 : v->decl[d];
		}
		st = lf__graph_infer(g, in, sh, LF_ERR_BAD_FILE, dg);
		dg->status = st;
		if (st == LF_OK)
			st = check_act_sizes(g, sh, dg);
	} else {
		lf__diag_fail(dg, st, "out of memory");
	}
	free(in);
	if (st != LF_OK) {
		free(sh);
		return st;
	}
	*out = sh;
	return LF_OK;
}

static lf_status setup(lf_model *m, struct lf__diag *dg)
{
	const struct lf__graph *g = m->g;
	m->in_info = calloc(g->ninputs + 1, sizeof(*m->in_info));
	m->out_info = calloc(g->noutputs + 1, sizeof(*m->out_info));
	m->nslots = slot_count(m);
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (!m->in_info || !m->out_info || !m->slots)
		return lf__diag_fail(dg, LF_ERR_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < g->ninputs; i++)
		info_of(g, g->inputs[i], &m->in_info[i]);
	for (size_t i = 0; i < g->noutputs; i++)
		info_of(g, g->outputs[i], &m->out_info[i]);
	struct lf__gshape *sh;
	lf_status st = load_shapes(m, &sh, dg);
	if (st != LF_OK)
		return st;
	fill_output_info(m, sh);
	lf__mdev_caps(m->ctx->dev, &m->caps);
	st = lf__mparams_build(g, sh, &m->caps, &m->params, dg);
	free(sh);
	return st;
}

/* Options of the device are the context's: say so rather than ignore. */
static lf_status check_opts(const lf_context *ctx, const lf_options *o)
{
	const char *dev = !o			 ? NULL
			  : o->timeout_ms	 ? "timeout_ms"
			  : o->trust_xclbin >= 0 ? "trust_xclbin"
			  : o->mem_limit	 ? "memory_limit"
						 : NULL;
	if (!dev)
		return LF_OK;
	return lf__err(ctx->id, LF_ERR_INVALID_ARG,
		       "lf_model_load: the %s option belongs to the context's "
		       "devices; give it to lf_context_create_opts() (a model "
		       "takes fallback and cpu_threads)",
		       dev);
}

static lf_status load(lf_context *ctx, const void *data, size_t size,
		      const char *what, const char *base_dir,
		      const lf_options *o, lf_model **out)
{
	struct lf__diag dg = {LF_OK, ""};
	lf_status st = check_opts(ctx, o);
	if (st != LF_OK)
		return st;
	lf_model *m = calloc(1, sizeof(*m));
	if (!m)
		return lf__err(ctx->id, LF_ERR_NO_MEMORY,
			       "lf_model_load: no memory");
	m->ctx = ctx;
	m->fallback = o ? o->fallback : -1;
	m->cpu_threads =
	    o && o->cpu_threads ? o->cpu_threads : ctx->cpu_threads;
	atomic_init(&m->active, 0);
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	st = lf__graph_import(data, size, what, base_dir, &m->g, &dg);
	if (st == LF_OK)
		st = setup(m, &dg);
	if (st != LF_OK) {
		free_model(m);
		dg.status = st;
		return lf__diag_raise(ctx->id, &dg, NULL);
	}
	/* A device lost earlier leaves the planner only the CPU (setup():
	 * lf__mdev_caps), which a fallback that is off forbids: the same
	 * error a model loaded before the loss gets from its next run. */
	int fallback = m->fallback >= 0 ? m->fallback : ctx->fallback;
	for (unsigned k = 0; ctx->dev && !fallback && k < ctx->ndev; k++)
		if (lf__mdev_dev_lost(ctx->devs[k])) {
			free_model(m);
			return lf__err(ctx->id, LF_ERR_DEVICE_LOST,
				       "lf_model_load: device %u of the "
				       "context was lost, and the fallback is "
				       "off (LAYERFAB_FALLBACK=off or the "
				       "fallback option): the model does not "
				       "run on the CPU instead",
				       k + 1);
		}
	/* Work the card has a kernel for but no bank room for would run on
	 * the CPU by plan: with the fallback off that is an error at load,
	 * not a silent CPU run. */
	for (size_t i = 0; ctx->dev && !fallback && i < m->params.nnodes; i++)
		if (m->params.node[i].no_room) {
			const struct lf__gnode *n = &m->g->nodes[i];
			lf__err(ctx->id, LF_ERR_NO_DEVICE_MEMORY,
				"lf_model_load: node '%s' (%s): %s, so it "
				"would run on the CPU, and the fallback is off "
				"(LAYERFAB_FALLBACK=off or the fallback "
				"option)",
				n->name, n->label, m->params.node[i].why);
			free_model(m);
			return LF_ERR_NO_DEVICE_MEMORY;
		}
	if (ctx->dev && m->params.kernels) {
		for (unsigned k = 0; k < ctx->ndev; k++) {
			struct lf__mdevcaps ck;
			if (k > 0) {
				lf__mdev_caps(ctx->devs[k], &ck);
				if (memcmp(&ck, &m->caps, sizeof(ck)) != 0) {
					free_model(m);
					return lf__err(
					    ctx->id, LF_ERR_UNSUPPORTED,
					    "lf_model_load: device %u of the "
					    "context has other kernels or "
					    "limits than device 1; a model "
					    "needs identical devices",
					    k + 1);
				}
			}
			st = lf__mdev_open(ctx->devs[k], ctx->id, &m->params,
					   m->nslots, &m->mds[k]);
			if (st != LF_OK) {
				if (ctx->ndev > 1) {
					char msg[LF__ERR_MAX];
					snprintf(msg, sizeof(msg), "%s",
						 lf__err_ctx_msg(ctx->id));
					lf__err(ctx->id, st,
						"lf_model_load: device %u: %s",
						k + 1, msg);
				}
				free_model(m);
				return st;
			}
			m->nmd = k + 1;
		}
		m->md = m->mds[0];
	}
	atomic_fetch_add(&ctx->live_models, 1);
	*out = m;
	return LF_OK;
}

lf_status lf_model_load(lf_context *ctx, const char *path, lf_model **out)
{
	return lf_model_load_opts(ctx, path, NULL, out);
}

lf_status lf_model_load_opts(lf_context *ctx, const char *path,
			     const lf_options *opts, lf_model **out)
{
	if (!ctx || !path || !out)
		return lf__err(ctx ? ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_model_load: %s is NULL",
			       !ctx    ? "ctx"
			       : !path ? "path"
				       : "out");
	/* hostlib/onnx/ writes its message into a buffer: dg's. */
	struct lf__diag dg = {LF_OK, ""};
	uint8_t *buf;
	size_t len;
	lf_status st =
	    lf__onnx_read_file(path, &buf, &len, dg.msg, sizeof(dg.msg));
	if (st != LF_OK) {
		dg.status = st;
		return lf__diag_raise(ctx->id, &dg, "lf_model_load");
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	st = load(ctx, buf, len, path, dirname(dir), opts, out);
	free(buf);
	return st;
}

lf_status lf_model_load_memory(lf_context *ctx, const void *data, size_t size,
			       const char *base_dir, lf_model **out)
{
	return lf_model_load_memory_opts(ctx, data, size, base_dir, NULL, out);
}

lf_status lf_model_load_memory_opts(lf_context *ctx, const void *data,
				    size_t size, const char *base_dir,
				    const lf_options *opts, lf_model **out)
{
	if (!ctx || !data || !out)
		return lf__err(ctx ? ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_model_load_memory: %s is NULL",
			       !ctx    ? "ctx"
			       : !data ? "data"
				       : "out");
	return load(ctx, data, size, "model", base_dir, opts, out);
}

lf_status lf_model_destroy(lf_model *m)
{
	if (!m)
		return LF_OK;
	lf_context *ctx = m->ctx;
	int n = atomic_load(&m->active);
	if (n)
		return lf__err(ctx->id, LF_ERR_BUSY,
			       "lf_model_destroy: %d run%s of the model in "
			       "progress",
			       n, n == 1 ? "" : "s");
	free_model(m);
	atomic_fetch_sub(&ctx->live_models, 1);
	return LF_OK;
}

size_t lf_model_input_count(const lf_model *m)
{
	return m ? m->g->ninputs : 0;
}

size_t lf_model_output_count(const lf_model *m)
{
	return m ? m->g->noutputs : 0;
}

lf_status lf_model_input_info(const lf_model *m, size_t i,
			      struct lf_tensor_info *info)
{
	if (!m || !info || i >= m->g->ninputs)
		return lf__err(m ? m->ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_model_input_info: %s",
			       !m || !info ? "NULL argument" : "no such input");
	return LF__STRUCT_OUT(m->ctx->id, "lf_model_input_info", lf_tensor_info,
			      info, &m->in_info[i]);
}

lf_status lf_model_output_info(const lf_model *m, size_t i,
			       struct lf_tensor_info *info)
{
	if (!m || !info || i >= m->g->noutputs)
		return lf__err(m ? m->ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_model_output_info: %s",
			       !m || !info ? "NULL argument"
					   : "no such output");
	return LF__STRUCT_OUT(m->ctx->id, "lf_model_output_info",
			      lf_tensor_info, info, &m->out_info[i]);
}
