/* error.c - thread-local last-error messages (see error.h). */
#include <stdio.h>
#include <string.h>

#include "base/lf_text.h"
#include "hostlib/base/error.h"

/* Contexts one thread remembers a message for, least recently set first. */
#define LF__ERR_SLOTS 8

struct lf__err_slot {
	uint64_t ctx_id; /* 0: free */
	uint64_t stamp;	 /* when last written, for eviction */
	char msg[LF__ERR_MAX];
};

static _Thread_local char tl_msg[LF__ERR_MAX];
static _Thread_local struct lf__err_slot tl_slots[LF__ERR_SLOTS];
static _Thread_local uint64_t tl_clock;

static struct lf__err_slot *slot_for(uint64_t ctx_id, int create)
{
	struct lf__err_slot *oldest = &tl_slots[0];
	for (int i = 0; i < LF__ERR_SLOTS; i++) {
		if (tl_slots[i].ctx_id == ctx_id)
			return &tl_slots[i];
		if (tl_slots[i].stamp < oldest->stamp)
			oldest = &tl_slots[i];
	}
	if (!create)
		return NULL;
	oldest->ctx_id = ctx_id;
	oldest->msg[0] = '\0';
	return oldest;
}

void lf__err_set_msg(uint64_t ctx_id, const char *msg)
{
	snprintf(tl_msg, sizeof(tl_msg), "%s", msg);
	/* Messages quote names read from files (tensor, node, kernel names):
	 * control bytes and invalid UTF-8 are shown escaped, never raw. */
	lf__text_sanitize(tl_msg, sizeof(tl_msg));
	if (ctx_id == 0)
		return;
	struct lf__err_slot *s = slot_for(ctx_id, 1);
	s->stamp = ++tl_clock;
	memcpy(s->msg, tl_msg, sizeof(s->msg));
}

lf_status lf__verr(uint64_t ctx_id, lf_status status, const char *fmt,
		   va_list ap)
{
	char buf[LF__ERR_MAX];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	lf__err_set_msg(ctx_id, buf);
	return status;
}

lf_status lf__err(uint64_t ctx_id, lf_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lf__verr(ctx_id, status, fmt, ap);
	va_end(ap);
	return status;
}

lf_status lf__diag_vfail(struct lf__diag *d, lf_status status, const char *fmt,
			 va_list ap)
{
	if (d) {
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		d->status = status;
	}
	return status;
}

lf_status lf__diag_fail(struct lf__diag *d, lf_status status, const char *fmt,
			...)
{
	va_list ap;
	va_start(ap, fmt);
	lf__diag_vfail(d, status, fmt, ap);
	va_end(ap);
	return status;
}

lf_status lf__diag_raise(uint64_t ctx_id, const struct lf__diag *d,
			 const char *prefix)
{
	if (prefix)
		return lf__err(ctx_id, d->status, "%s: %s", prefix, d->msg);
	return lf__err(ctx_id, d->status, "%s", d->msg);
}

const char *lf__err_ctx_msg(uint64_t ctx_id)
{
	struct lf__err_slot *s = ctx_id ? slot_for(ctx_id, 0) : NULL;
	return s ? s->msg : "";
}

void lf__err_forget(uint64_t ctx_id)
{
	struct lf__err_slot *s = ctx_id ? slot_for(ctx_id, 0) : NULL;
	if (s) {
		s->ctx_id = 0;
		s->stamp = 0;
		s->msg[0] = '\0';
	}
}

const char *lf_last_error(void)
{
	return tl_msg;
}
