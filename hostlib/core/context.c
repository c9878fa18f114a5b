/*
 * context.c - contexts: choosing and opening the device, child counts,
 * destroy, device info, the per-context last error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/core/error.h"
#include "hostlib/core/event.h"
#include "hostlib/exec/exec.h"

static atomic_ullong next_ctx_id = 1;

static int parse_index(const char *s, unsigned *out)
{
	if (!*s || strlen(s) > 4)
		return 0;
	unsigned v = 0;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return 0;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 1;
}

static int parse_profile(const char *s, char *out, size_t len)
{
	size_t n = strlen(s);
	if (n == 0 || n >= len)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.,=:", s[i]))
			return 0;
	memcpy(out, s, n + 1);
	return 1;
}

/* Parse "cpu", "emu", "emu:<profile>", "xrt:N", "opencl:N". */
static int parse_device(const char *s, struct lf__exec_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	snprintf(spec->profile, sizeof(spec->profile), "aws-f1");
	if (strlen(s) >= sizeof(spec->text))
		return 0;
	snprintf(spec->text, sizeof(spec->text), "%s", s);
	if (strcmp(s, "cpu") == 0) {
		spec->kind = LF__EXEC_CPU;
		return 1;
	}
	if (strcmp(s, "emu") == 0) {
		spec->kind = LF__EXEC_EMU;
		return 1;
	}
	if (strncmp(s, "emu:", 4) == 0 || strncmp(s, "emu,", 4) == 0) {
		/* "emu:<profile>[,key=value]...": options go to the driver. */
		spec->kind = LF__EXEC_EMU;
		return parse_profile(s + 4, spec->profile,
				     sizeof(spec->profile));
	}
	if (strncmp(s, "xrt:", 4) == 0) {
		spec->kind = LF__EXEC_XRT;
		return parse_index(s + 4, &spec->index);
	}
	if (strncmp(s, "opencl:", 7) == 0) {
		spec->kind = LF__EXEC_OPENCL;
		return parse_index(s + 7, &spec->index);
	}
	return 0;
}

/* Split "DEV[+DEV...]" into specs; *n devices. */
static lf_status resolve_device(const char *device, struct lf__exec_spec *spec,
				unsigned *n)
{
	const char *src = "device";
	*n = 1;
	if (!device) {
		device = getenv("LAYERFAB_DEVICE");
		src = "LAYERFAB_DEVICE";
		if (!device || !*device) {
			memset(spec, 0, sizeof(*spec));
			spec->kind = LF__EXEC_AUTO;
			snprintf(spec->profile, sizeof(spec->profile),
				 "aws-f1");
			return LF_OK;
		}
	}
	if (strchr(device, '+')) {
		unsigned k = 0;
		const char *p = device;
		for (;;) {
			const char *e = strchr(p, '+');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (len == 0)
				return lf__err(
				    0, LF_ERR_INVALID_ARG,
				    "lf_context_create: %s \"%.64s\" has an "
				    "empty device in its \"DEV+DEV\" list",
				    src, device);
			if (k == LF__MAX_DEVICES)
				return lf__err(
				    0, LF_ERR_INVALID_ARG,
				    "lf_context_create: %s \"%.64s\" names "
				    "more than %d devices",
				    src, device, LF__MAX_DEVICES);
			char part[128];
			if (len >= sizeof(part) ||
			    (snprintf(part, sizeof(part), "%.*s", (int)len, p),
			     !parse_device(part, &spec[k])))
				return lf__err(
				    0, LF_ERR_INVALID_ARG,
				    "lf_context_create: device %u \"%.64s\" "
				    "of %s \"%.64s\" is not one of emu, "
				    "emu:<profile>, xrt:<N>, opencl:<N>",
				    k + 1, part, src, device);
			if (spec[k].kind == LF__EXEC_CPU)
				return lf__err(
				    0, LF_ERR_INVALID_ARG,
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
	if (!parse_device(device, spec))
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_context_create: %s \"%.64s\" is not one of "
			       "cpu, emu, emu:<profile>, xrt:<N>, opencl:<N>, "
			       "or DEV+DEV[+...] (up to %d)",
			       src, device, LF__MAX_DEVICES);
	return LF_OK;
}

static int fallback_from_env(void)
{
	const char *v = getenv("LAYERFAB_FALLBACK");
	if (!v)
		return 1;
	return !(strcmp(v, "off") == 0 || strcmp(v, "0") == 0 ||
		 strcmp(v, "no") == 0 || strcmp(v, "false") == 0);
}

lf_status lf_context_create(const char *device, const char *xclbin,
			    lf_context **out)
{
	if (!out)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_context_create: out is NULL");
	struct lf__exec_spec specs[LF__MAX_DEVICES];
	struct lf__exec_spec spec;
	unsigned ndev = 1;
	lf_status st = resolve_device(device, specs, &ndev);
	if (st)
		return st;
	spec = specs[0];
	if (spec.kind == LF__EXEC_CPU && xclbin)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_context_create: the cpu device loads no "
			       "xclbin (\"%.64s\" given)",
			       xclbin);

	lf_context *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return lf__err(0, LF_ERR_NO_MEMORY,
			       "lf_context_create: no memory");
	ctx->id = atomic_fetch_add(&next_ctx_id, 1);
	ctx->fallback = fallback_from_env();
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
	if (spec.kind == LF__EXEC_CPU) {
		snprintf(ctx->backend, sizeof(ctx->backend), "cpu");
		snprintf(ctx->name, sizeof(ctx->name),
			 "host CPU (reference kernels)");
	} else {
		for (unsigned k = 0; k < ndev; k++) {
			st = lf__exec_open(ctx->id, &specs[k], xclbin,
					   &ctx->devs[k]);
			if (st) {
				/* Keep the message, also thread-wide for ctx
				 * 0, naming the device when several. */
				char msg[LF__ERR_MAX];
				snprintf(msg, sizeof(msg), "%s",
					 lf__err_ctx_msg(ctx->id));
				if (ndev > 1)
					lf__err(0, st, "device %u (%.64s): %s",
						k + 1, specs[k].text, msg);
				else
					lf__err_set_msg(
					    0, lf__err_ctx_msg(ctx->id));
				lf__err_forget(ctx->id);
				while (k--)
					lf__exec_close(ctx->devs[k]);
				goto fail_prof;
			}
		}
		ctx->ndev = ndev;
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
	memset(info, 0, sizeof(*info));
	if (ctx->dev) {
		lf__exec_info(ctx->dev, info);
		info->device_count = ctx->ndev;
	} else {
		info->backend = ctx->backend;
		info->name = ctx->name;
		info->xclbin = "";
	}
	return LF_OK;
}
