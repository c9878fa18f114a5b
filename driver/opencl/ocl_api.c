/*
 * ocl_api.c - the OpenCL ICD loader loaded at first use (ocl_api.h).
 */
#include <string.h>

#include "driver/opencl/ocl_api.h"

struct lf__cl_api lf__cl;

#define LF__CL_NAME(f) #f,
static const char *const syms[] = {LF__CL_FUNCS(LF__CL_NAME)};
#undef LF__CL_NAME
#define NSYMS (sizeof(syms) / sizeof(*syms))

static void *fns[NSYMS];

static void fill(void *const *p)
{
	size_t i = 0;

#define LF__CL_COPY(f) memcpy(&lf__cl.f, &p[i++], sizeof(lf__cl.f));
	LF__CL_FUNCS(LF__CL_COPY)
#undef LF__CL_COPY
}

static struct lf__drv_dl dl = {
    .backend = "opencl",
    .hint = "Debian: apt install ocl-icd-libopencl1, plus an OpenCL "
	    "driver such as pocl-opencl-icd",
    .syms = syms,
    .nsyms = NSYMS,
    .fns = fns,
    .fill = fill,
    .mu = PTHREAD_MUTEX_INITIALIZER,
};

lf_status lf__cl_api_load(void)
{
	static const char *const libs[] = {"libOpenCL.so.1"};

	return lf__drv_dl_load(&dl, libs, 1);
}
