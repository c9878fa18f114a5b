/*
 * profile.h - the per-context ring of lf_profile_record, and what an op
 * fills in while it runs.
 */
#ifndef LF_CORE_PROFILE_H
#define LF_CORE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/* Records a context keeps; older ones are dropped first. */
#define LF__PROFILE_MAX 1024

struct lf__profile_ring {
	struct lf_profile_record *rec; /* LF__PROFILE_MAX entries */
	size_t head;		       /* index of the oldest */
	size_t count;
};

lf_status lf__profile_init(struct lf__profile_ring *r);
void lf__profile_free(struct lf__profile_ring *r);
/* Append (caller holds the context lock). */
void lf__profile_push(struct lf__profile_ring *r,
		      const struct lf_profile_record *rec);

/* Monotonic clock in nanoseconds. */
uint64_t lf__now_ns(void);

#endif /* LF_CORE_PROFILE_H */
