/*
 * core.h - private to driver/core: the registry as device.c sees it.
 */
#ifndef LF_DRIVER_CORE_CORE_H
#define LF_DRIVER_CORE_CORE_H

#include "driver/core/backend.h"

struct lf_backend_slot {
	const struct lf_backend_ops *ops; /* NULL: free slot */
	uint32_t open_devs;		  /* guarded by the registry lock */
};

/*
 * lf__backend_acquire() - find backend @name and count one more open
 * device on it, so that it cannot be unregistered meanwhile.
 * Return: LF_OK; LF_ERR_NOT_FOUND; LF_ERR_UNSUPPORTED (known, not built).
 */
lf_status lf__backend_acquire(const char *name, struct lf_backend_slot **out);
void lf__backend_release(struct lf_backend_slot *slot);

#endif /* LF_DRIVER_CORE_CORE_H */
