/*
 * backend.h - what a backend needs beyond driver.h: the base structs it
 * embeds as the first member of its own device, buffer and run structs.
 *
 * The core owns the base fields: a backend allocates its struct, returns
 * a pointer to the embedded base, and the core fills the base in. Only
 * backends (driver/<backend>/) and driver/core include this header; users
 * of the driver see opaque handles.
 */
#ifndef LF_DRIVER_CORE_BACKEND_H
#define LF_DRIVER_CORE_BACKEND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "driver/driver.h"

#define lf__container_of(ptr, type, member)                                    \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct lf_backend_slot;

struct lf_dev {
	const struct lf_backend_ops *ops;
	struct lf_backend_slot *slot; /* registry entry (open-device count) */
	struct lf_dev_props *props;   /* cached after open and each load */
	atomic_uint_fast64_t live_bos;
	atomic_uint_fast64_t live_runs;
	uint64_t mem_limit;	       /* lf_dev_open_opts; 0: none */
	atomic_uint_fast64_t mem_used; /* bytes of live buffers */
};

struct lf_bo {
	lf_dev *dev;
	uint64_t size;
	uint32_t bank;
};

struct lf_run {
	lf_dev *dev;
	uint32_t cu;
};

/* Clear this thread's driver error message (each entry point does). */
void lf__drv_clear_error(void);

/*
 * A vendor library a backend loads at its first use (dynlib.c), so that
 * liblayerfab has no link-time dependency on it. The backend fills in the
 * fields above mu statically; lf__drv_dl_load() dlopen()s the first of
 * @libs (@nlibs sonames or paths; NULL or "" entries are skipped) that
 * loads, resolves every one of @syms into @fns and calls @fill (which
 * copies them into the backend's typed table) before any caller can see
 * the library as loaded. LF_OK at once when already loaded; else
 * LF_ERR_NOT_FOUND naming the library (the last of @libs), dlerror()'s
 * reasons and @hint (how to install it), or the missing function.
 */
struct lf__drv_dl {
	const char *backend; /* "xrt", "opencl": starts the messages */
	const char *hint;    /* e.g. "Debian: apt install ocl-icd-libopencl1" */
	const char *const *syms;
	size_t nsyms;
	void **fns; /* nsyms entries, filled on success */
	void (*fill)(void *const *fns);
	pthread_mutex_t mu;
	int loaded; /* (mu) */
	void *handle;
};
lf_status lf__drv_dl_load(struct lf__drv_dl *dl, const char *const *libs,
			  size_t nlibs);

/* The built-in backends, registered on first use of the registry. */
extern const struct lf_backend_ops lf__emu_backend;

#endif /* LF_DRIVER_CORE_BACKEND_H */
