/* pool.c - the device buffer pool (see pool.h). */
#include <stdlib.h>

#include "hostlib/exec/pool.h"

lf_status lf__pool_init(struct lf__pool *p, lf_dev *dev, uint32_t nbanks)
{
	p->dev = dev;
	p->nbanks = nbanks ? nbanks : 1;
	p->idle_bytes = 0;
	p->allocs = 0;
	p->free =
	    calloc((size_t)p->nbanks * LF__POOL_CLASSES, sizeof(*p->free));
	if (!p->free)
		return LF_ERR_NO_MEMORY;
	if (pthread_mutex_init(&p->mu, NULL)) {
		free(p->free);
		return LF_ERR_NO_MEMORY;
	}
	return LF_OK;
}

static void buf_free(struct lf__pbuf *b)
{
	lf__bo_free(b->bo);
	free(b);
}

void lf__pool_fini(struct lf__pool *p)
{
	if (!p->free)
		return;
	for (size_t i = 0; i < (size_t)p->nbanks * LF__POOL_CLASSES; i++)
		while (p->free[i]) {
			struct lf__pbuf *b = p->free[i];
			p->free[i] = b->next;
			buf_free(b);
		}
	free(p->free);
	p->free = NULL;
	pthread_mutex_destroy(&p->mu);
}

static int size_class(uint64_t size)
{
	int c = 0;
	while (c < LF__POOL_CLASSES - 1 &&
	       (1ull << (c + LF__POOL_MIN_SHIFT)) < size)
		c++;
	return c;
}

lf_status lf__pool_get(struct lf__pool *p, uint32_t bank, uint64_t size,
		       struct lf__pbuf **out)
{
	int c = size_class(size);
	uint64_t csize = 1ull << (c + LF__POOL_MIN_SHIFT);
	if (csize < size || bank >= p->nbanks)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "pool: %llu bytes in bank %u",
				     (unsigned long long)size, bank);
	struct lf__pbuf **head = &p->free[bank * LF__POOL_CLASSES + c];
	pthread_mutex_lock(&p->mu);
	struct lf__pbuf *b = *head;
	if (b) {
		*head = b->next;
		p->idle_bytes -= b->size;
	}
	pthread_mutex_unlock(&p->mu);
	if (b) {
		b->next = NULL;
		*out = b;
		return LF_OK;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return LF_ERR_NO_MEMORY;
	lf_status st = lf__bo_alloc(p->dev, csize, bank, &b->bo);
	if (st) {
		free(b);
		return st;
	}
	void *host;
	st = lf__bo_map(b->bo, &host);
	if (st) {
		buf_free(b);
		return st;
	}
	b->host = host;
	b->size = csize;
	b->bank = bank;
	b->cls = c;
	pthread_mutex_lock(&p->mu);
	p->allocs++;
	pthread_mutex_unlock(&p->mu);
	*out = b;
	return LF_OK;
}

void lf__pool_put(struct lf__pool *p, struct lf__pbuf *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->idle_bytes + b->size > LF__POOL_KEEP) {
		pthread_mutex_unlock(&p->mu);
		buf_free(b);
		return;
	}
	struct lf__pbuf **head = &p->free[b->bank * LF__POOL_CLASSES + b->cls];
	b->next = *head;
	*head = b;
	p->idle_bytes += b->size;
	pthread_mutex_unlock(&p->mu);
}
