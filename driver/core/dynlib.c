/*
 * dynlib.c - vendor libraries loaded when a backend first needs them.
 *
 * liblayerfab links no vendor runtime: the XRT backend loads
 * libxrt_coreutil and the OpenCL backend the ICD loader (libOpenCL) with
 * dlopen() at their first use, and calls them through a table of
 * function pointers (driver/xrt/xrt_api.h, driver/opencl/ocl_api.h). An
 * application that only uses cpu or emu never maps either library.
 *
 * A library that loaded is kept for the life of the process (never
 * dlclose()d): XRT's C++ runtime has static objects and threads whose
 * destructors run at exit, and the ICD loader keeps the vendors' drivers
 * loaded behind it.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "driver/core/backend.h"

lf_status lf__drv_dl_load(struct lf__drv_dl *dl, const char *const *libs,
			  size_t nlibs)
{
	char tried[384];
	size_t used = 0;
	void *h = NULL;
	const char *which = NULL;
	lf_status st = LF_OK;

	pthread_mutex_lock(&dl->mu);
	if (dl->loaded)
		goto out;
	tried[0] = '\0';
	for (size_t i = 0; !h && i < nlibs; i++) {
		const char *name = libs[i];
		int w;

		if (!name || !name[0])
			continue;
		h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			which = name;
			break;
		}
		w = snprintf(tried + used, sizeof(tried) - used, "%s%s",
			     used ? "; " : "", dlerror());
		if (w > 0 && (size_t)w < sizeof(tried) - used)
			used += (size_t)w;
	}
	if (!h) {
		st = lf__drv_error(LF_ERR_NOT_FOUND,
				   "%s: cannot load %s, which the %s backend "
				   "needs (%s); install it (%s) or use another "
				   "device",
				   dl->backend, libs[nlibs - 1], dl->backend,
				   tried, dl->hint);
		goto out;
	}
	for (size_t i = 0; i < dl->nsyms; i++) {
		void *p = dlsym(h, dl->syms[i]);

		if (!p) {
			st = lf__drv_error(LF_ERR_NOT_FOUND,
					   "%s: %s has no function %s (too "
					   "old a version?)",
					   dl->backend, which, dl->syms[i]);
			dlclose(h);
			goto out;
		}
		dl->fns[i] = p;
	}
	dl->fill(dl->fns);
	dl->handle = h;
	dl->loaded = 1;
out:
	pthread_mutex_unlock(&dl->mu);
	return st;
}
