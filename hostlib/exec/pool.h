/*
 * pool.h - device buffers by bank and size class, reused across ops so a
 * steady-state op allocates nothing on the device.
 *
 * Sizes round up to a power of two (at least 4 KiB); a freed buffer goes
 * back on its (bank, class) list. At most LF__POOL_KEEP bytes are kept
 * idle; beyond that, returned buffers are freed. Thread-safe.
 */
#ifndef LF_EXEC_POOL_H
#define LF_EXEC_POOL_H

#include <pthread.h>
#include <stdint.h>

#include "driver/driver.h"

#define LF__POOL_CLASSES   40
#define LF__POOL_MIN_SHIFT 12
#define LF__POOL_KEEP	   (512ull << 20)

struct lf__pbuf {
	lf_bo *bo;
	uint8_t *host; /* mapped host view */
	uint64_t size; /* class size */
	uint32_t bank;
	int cls;
	struct lf__pbuf *next;
};

struct lf__pool {
	lf_dev *dev;
	pthread_mutex_t mu;
	uint32_t nbanks;
	struct lf__pbuf **free; /* [nbanks][LF__POOL_CLASSES] */
	uint64_t idle_bytes;
	uint64_t allocs; /* device allocations made (for tests and stats) */
};

lf_status lf__pool_init(struct lf__pool *p, lf_dev *dev, uint32_t nbanks);
/* Free every idle buffer; buffers still out must have been put back. */
void lf__pool_fini(struct lf__pool *p);

/* A buffer of at least @size bytes in @bank (errors: the driver's). */
lf_status lf__pool_get(struct lf__pool *p, uint32_t bank, uint64_t size,
		       struct lf__pbuf **out);
/* Give a buffer back (NULL: nothing). */
void lf__pool_put(struct lf__pool *p, struct lf__pbuf *b);

#endif /* LF_EXEC_POOL_H */
