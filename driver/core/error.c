/*
 * error.c - the driver's per-thread error message.
 *
 * The driver cannot use hostlib's context, so it keeps its own message per
 * thread (as dlerror() does); hostlib copies it into its context when a
 * driver call fails.
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/lf_text.h"
#include "driver/core/backend.h"

#define LF_DRV_ERR_MAX 512

static _Thread_local char drv_err[LF_DRV_ERR_MAX];

const char *lf__drv_last_error(void)
{
	return drv_err;
}

void lf__drv_clear_error(void)
{
	drv_err[0] = '\0';
}

lf_status lf__drv_error(lf_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(drv_err, sizeof(drv_err), fmt, ap);
	va_end(ap);
	/* Names from xclbins may hold any bytes: shown escaped. */
	lf__text_sanitize(drv_err, sizeof(drv_err));
	return st;
}

const char *lf__drv_status_name(lf_status st)
{
	switch (st) {
#define LF__DRV_STATUS_CASE(name, value, msg)                                  \
	case LF_##name:                                                        \
		return "LF_" #name;
		LF_STATUS_MAP(LF__DRV_STATUS_CASE)
#undef LF__DRV_STATUS_CASE
	}
	return "LF_ERR_UNKNOWN";
}
