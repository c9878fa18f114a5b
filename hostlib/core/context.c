/*
 * context.c - contexts: choosing and opening the device, child counts,
 * destroy, device info, the per-context last error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/abi.h"
#include "hostlib/base/error.h"
#include "hostlib/core/event.h"
#include "hostlib/core/options.h"
#include "hostlib/core/xclbin_path.h"
#include "hostlib/exec/exec.h"

static atomic_ullong next_ctx_id = 1;

/* One member of "DEV[+DEV...]" (@part, NUL-terminated) in @out: "cpu" or a
 * string the driver knows; @k is its 1-based position, 0 for a lone
 * device. */
static lf_status check_part(const char *part, unsigned k, const char *src,
			    const char *device)
{
	char why[LF__ERR_MAX / 2];
	if (strcmp(part, "cpu") == 0)
		return LF_OK;
	lf_status st = lf__exec_check(part, why, sizeof(why));
	if (!st)
		return LF_OK;
	if (k)
		return lf__err(0, st,
			       "lf_context_create: device %u \"%.64s\" of %s "
			       "\"%.64s\": %s",
			       k, part, src, device, why);
	return lf__err(0, st, "lf_context_create: %s \"%.64s\": %s", src,
		       device, why);
}

/* Split "DEV[+DEV...]" on '+' into @parts (each checked by the driver, or
 * "cpu"); *n devices, 0 for "the driver's default". */
static lf_status resolve_device(const char *device,
				char parts[][LF__DEV_STR_MAX], unsigned *n)
{
	const char *src = "device";
	*n = 0;
	if (!device) {
		device = getenv("LAYERFAB_DEVICE");
		src = "LAYERFAB_DEVICE";
		if (!device || !*device)
			return LF_OK;
	}
	int several = strchr(device, '+') != NULL;
	unsigned k = 0;
	const char *p = device;
	for (;;) {
		const char *e = strchr(p, '+');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (several && len == 0)
			return lf__err(0, LF_ERR_INVALID_ARG,
				       "lf_context_create: %s \"%.64s\" has an "
				       "empty device in its \"DEV+DEV\" list",
				       src, device);
		if (k == LF__MAX_DEVICES)
			return lf__err(0, LF_ERR_INVALID_ARG,
				       "lf_context_create: %s \"%.64s\" names "
				       "more than %d devices",
				       src, device, LF__MAX_DEVICES);
		if (len >= LF__DEV_STR_MAX)
			return lf__err(
			    0, LF_ERR_INVALID_ARG,
			    "lf_context_create: %s \"%.64s\": a "
			    "device string longer than %d characters",
			    src, device, LF__DEV_STR_MAX - 1);
		snprintf(parts[k], LF__DEV_STR_MAX, "%.*s", (int)len, p);
		lf_status st =
		    check_part(parts[k], several ? k + 1 : 0, src, device);
		if (st)
			return st;
		if (several && strcmp(parts[k], "cpu") == 0)
			return lf__err(0, LF_ERR_INVALID_ARG,
				       "lf_context_create: %s \"%.64s\": the "
				       "cpu device cannot be one of several",
				       src, device);
		k++;
		if (!e)
			break;
		p = e + 1;
	}
	*n = k;
	return LF_OK;
}

/* Open device @part (NULL: the driver's default) and load its bitstream. */
static lf_status open_device(uint64_t id, const char *part, const char *xclbin,
			     const struct lf__exec_opts *o,
			     struct lf__exec **out)
{
	struct lf__exec *d = NULL;
	char path[4096];
	lf_status st = lf__exec_open(id, part, o, &d);
	if (st)
		return st;
	struct lf_device_info di;
	lf__exec_info(d, &di);
	st = lf__xclbin_resolve(id, xclbin, lf__exec_xclbin_hint(d), di.name,
				path, sizeof(path));
	if (!st)
		st = lf__exec_load(id, d, path);
	if (st) {
		lf__exec_close(d);
		return st;
	}
	*out = d;
	return LF_OK;
}

/* LAYERFAB_FALLBACK: unset or empty is on; a value that is neither a yes
 * nor a no is an error, not a silent "on" (reliability review 2.5). */
static lf_status fallback_from_env(int *on)
{
	const char *v = getenv("LAYERFAB_FALLBACK");
	*on = 1;
	if (!v || !*v)
		return LF_OK;
	if ((*on = lf__onoff(v)) >= 0)
		return LF_OK;
	*on = 1;
	return lf__err(0, LF_ERR_INVALID_ARG,
		       "lf_context_create: LAYERFAB_FALLBACK=\"%.32s\" is "
		       "neither on (on, 1, yes, true) nor off (off, 0, no, "
		       "false)",
		       v);
}

lf_status lf_context_create(const char *device, const char *xclbin,
			    lf_context **out)
{
	return lf_context_create_opts(device, xclbin, NULL, out);
}

lf_status lf_context_create_opts(const char *device, const char *xclbin,
				 const lf_options *opts, lf_context **out)
{
	if (!out)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_context_create: out is NULL");
	struct lf__exec_opts xo = {0, 0, 0};
	if (opts) {
		xo.timeout_ms = opts->timeout_ms;
		xo.trust_xclbin = opts->trust_xclbin < 0    ? 0
				  : opts->trust_xclbin == 1 ? 1
							    : -1;
		xo.mem_limit = opts->mem_limit;
	}
	char parts[LF__MAX_DEVICES][LF__DEV_STR_MAX];
	unsigned ndev = 0;
	int fallback;
	unsigned timeout_ms;
	lf_status st = resolve_device(device, parts, &ndev);
	if (st == LF_OK)
		st = fallback_from_env(&fallback);
	if (st == LF_OK)
		st = lf__exec_timeout_env(0, &timeout_ms);
	if (st)
		return st;
	/* ndev == 0: the driver picks (first card, else its emulator). */
	int cpu = ndev == 1 && strcmp(parts[0], "cpu") == 0;
	if (cpu && xclbin)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_context_create: the cpu device loads no "
			       "xclbin (\"%.64s\" given)",
			       xclbin);

	lf_context *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return lf__err(0, LF_ERR_NO_MEMORY,
			       "lf_context_create: no memory");
	ctx->id = atomic_fetch_add(&next_ctx_id, 1);
	ctx->fallback = opts && opts->fallback >= 0 ? opts->fallback : fallback;
	ctx->cpu_threads = opts && opts->cpu_threads ? opts->cpu_threads : 1;
	atomic_init(&ctx->live_tensors, 0);
	atomic_init(&ctx->live_events, 0);
	atomic_init(&ctx->live_models, 0);
	if (pthread_mutex_init(&ctx->lock, NULL)) {
		st = lf__err(0, LF_ERR_NO_MEMORY,
			     "lf_context_create: cannot create a mutex");
		goto fail_ctx;
	}
	if ((st = lf__profile_init(&ctx->prof))) {
		lf__err(0, st, "lf_context_create: no memory for profiles");
		goto fail_lock;
	}
	if (cpu) {
		snprintf(ctx->backend, sizeof(ctx->backend), "cpu");
		snprintf(ctx->name, sizeof(ctx->name),
			 "host CPU (reference kernels)");
	} else {
		unsigned nopen = ndev ? ndev : 1;
		for (unsigned k = 0; k < nopen; k++) {
			st = open_device(ctx->id, ndev ? parts[k] : NULL,
					 xclbin, &xo, &ctx->devs[k]);
			if (st) {
				/* Keep the message, also thread-wide for ctx
				 * 0, naming the device when several. */
				char msg[LF__ERR_MAX];
				snprintf(msg, sizeof(msg), "%s",
					 lf__err_ctx_msg(ctx->id));
				if (ndev > 1)
					lf__err(0, st, "device %u (%.64s): %s",
						k + 1, parts[k], msg);
				else
					lf__err_set_msg(
					    0, lf__err_ctx_msg(ctx->id));
				lf__err_forget(ctx->id);
				while (k--)
					lf__exec_close(ctx->devs[k]);
				goto fail_prof;
			}
		}
		ctx->ndev = nopen;
		ctx->dev = ctx->devs[0];
		struct lf_device_info di;
		lf__exec_info(ctx->dev, &di);
		snprintf(ctx->backend, sizeof(ctx->backend), "%s", di.backend);
		snprintf(ctx->name, sizeof(ctx->name), "%s", di.name);
		snprintf(ctx->xclbin, sizeof(ctx->xclbin), "%s", di.xclbin);
	}
	*out = ctx;
	return LF_OK;

fail_prof:
	lf__profile_free(&ctx->prof);
fail_lock:
	pthread_mutex_destroy(&ctx->lock);
fail_ctx:
	free(ctx);
	return st;
}

lf_status lf_context_destroy(lf_context *ctx)
{
	if (!ctx)
		return LF_OK;
	long nt = atomic_load(&ctx->live_tensors);
	long ne = atomic_load(&ctx->live_events);
	long nm = atomic_load(&ctx->live_models);
	if (nt || ne || nm)
		return lf__err(ctx->id, LF_ERR_BUSY,
			       "lf_context_destroy: %ld tensor%s, %ld event%s "
			       "and %ld model%s still alive; destroy them "
			       "first",
			       nt, nt == 1 ? "" : "s", ne, ne == 1 ? "" : "s",
			       nm, nm == 1 ? "" : "s");
	lf__worker_stop(ctx);
	for (unsigned k = 0; k < ctx->ndev; k++)
		lf__exec_close(ctx->devs[k]);
	lf__err_forget(ctx->id);
	lf__profile_free(&ctx->prof);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
	return LF_OK;
}

const char *lf_context_last_error(const lf_context *ctx)
{
	return ctx ? lf__err_ctx_msg(ctx->id) : "";
}

lf_status lf_context_device_info(const lf_context *ctx,
				 struct lf_device_info *info)
{
	if (!ctx || !info)
		return lf__err(ctx ? ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_context_device_info: %s is NULL",
			       ctx ? "info" : "ctx");
	struct lf_device_info di = LF_STRUCT_INIT(struct lf_device_info);
	if (ctx->dev) {
		lf__exec_info(ctx->dev, &di);
		di.device_count = ctx->ndev;
	} else {
		di.backend = ctx->backend;
		di.name = ctx->name;
		di.xclbin = "";
	}
	return LF__STRUCT_OUT(ctx->id, "lf_context_device_info", lf_device_info,
			      info, &di);
}

lf_status lf_context_native_handle(const lf_context *ctx, lf_native_kind kind,
				   void **out)
{
	if (!ctx || !out)
		return lf__err(ctx ? ctx->id : 0, LF_ERR_INVALID_ARG,
			       "lf_context_native_handle: %s is NULL",
			       ctx ? "out" : "ctx");
	if (!ctx->dev)
		return lf__err(ctx->id, LF_ERR_UNSUPPORTED,
			       "lf_context_native_handle: the cpu device has "
			       "no native handles");
	return lf__exec_native(ctx->dev, ctx->id, NULL, (uint32_t)kind, out);
}
