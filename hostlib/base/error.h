/*
 * error.h - the last-error messages behind lf_last_error() and
 * lf_context_last_error().
 *
 * Messages live in thread-local storage: one for the thread, and a few
 * slots keyed by a context's unique id (never its address, which a later
 * context may reuse). A thread that alternates between more contexts than
 * there are slots loses the oldest context's message ("" afterwards); the
 * thread-wide message is always kept.
 */
#ifndef LF_CORE_ERROR_H
#define LF_CORE_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#include "layerfab.h"

/* Longest message kept, including the terminating NUL. */
#define LF__ERR_MAX 512

/*
 * lf__err() - record a formatted message for @status on the calling thread
 * (thread-wide, and for context @ctx_id when it is not 0) and return
 * @status, so a failing path reads `return lf__err(id, LF_ERR_SHAPE, ...)`.
 */
lf_status lf__err(uint64_t ctx_id, lf_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
lf_status lf__verr(uint64_t ctx_id, lf_status status, const char *fmt,
		   va_list ap);

/*
 * struct lf__diag - the internal error convention: a function that can
 * fail returns its lf_status and fills the caller's diag with that status
 * and a message saying what failed, where it failed; the API edge turns
 * it into the public status and last-error message once
 * (lf__diag_raise()). LF_ERR_UNSUPPORTED from the planner is a reason,
 * not an error: the caller runs the op on the CPU and may show the
 * message as the reason.
 */
struct lf__diag {
	lf_status status;
	char msg[LF__ERR_MAX];
};

/*
 * lf__diag_fail() - record @status and the formatted message in @d (NULL:
 * none) and return @status: `return lf__diag_fail(dg, LF_ERR_SHAPE, ...)`.
 */
lf_status lf__diag_fail(struct lf__diag *d, lf_status status, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));
lf_status lf__diag_vfail(struct lf__diag *d, lf_status status, const char *fmt,
			 va_list ap);

/*
 * lf__diag_raise() - at the API edge: @d's status, with "@prefix: message"
 * (or the message alone when @prefix is NULL) as the last error of the
 * calling thread and of context @ctx_id (0: the thread's only).
 */
lf_status lf__diag_raise(uint64_t ctx_id, const struct lf__diag *d,
			 const char *prefix);

/* Store an already-formatted message (e.g. carried by an event). */
void lf__err_set_msg(uint64_t ctx_id, const char *msg);

/* The calling thread's message for context @ctx_id, or "" if none. */
const char *lf__err_ctx_msg(uint64_t ctx_id);

/* Forget context @ctx_id's message on the calling thread (on destroy). */
void lf__err_forget(uint64_t ctx_id);

#endif /* LF_CORE_ERROR_H */
