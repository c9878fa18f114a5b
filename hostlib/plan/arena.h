/*
 * arena.h - offsets in one buffer for blocks with known lifetimes: two
 * blocks share bytes only if their lifetimes do not intersect. Used for
 * the activation arena on the device and the host buffers of a run.
 */
#ifndef LF_PLAN_ARENA_H
#define LF_PLAN_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

struct lf__interval {
	uint64_t size;	 /* bytes (0: no space needed) */
	int first, last; /* lifetime, inclusive, in steps */
	uint64_t off;	 /* assigned */
};

/*
 * lf__arena_assign() - greedy by size: the largest block first, each at
 * the lowest @align-aligned offset free during its whole lifetime.
 * *total receives the buffer size needed.
 * Return: LF_OK; LF_ERR_NO_MEMORY; LF_ERR_OVERFLOW (offsets past 2^62).
 */
lf_status lf__arena_assign(struct lf__interval *it, size_t n, uint64_t align,
			   uint64_t *total);

#endif /* LF_PLAN_ARENA_H */
