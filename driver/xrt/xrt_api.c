/*
 * xrt_api.c - libxrt_coreutil loaded at first use (xrt_api.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/xrt/xrt_api.h"

#define XRT_SONAME "libxrt_coreutil.so.2"

struct lf__xrt_api lf__xrt;

#define LF__XRT_NAME(f) #f,
static const char *const syms[] = {LF__XRT_FUNCS(LF__XRT_NAME)};
#undef LF__XRT_NAME
#define NSYMS (sizeof(syms) / sizeof(*syms))

static void *fns[NSYMS];

static void fill(void *const *p)
{
	size_t i = 0;

#define LF__XRT_COPY(f) memcpy(&lf__xrt.f, &p[i++], sizeof(lf__xrt.f));
	LF__XRT_FUNCS(LF__XRT_COPY)
#undef LF__XRT_COPY
}

static struct lf__drv_dl dl = {
    .backend = "xrt",
    .hint = "XRT's setup.sh, or Debian: apt install libxrt2",
    .syms = syms,
    .nsyms = NSYMS,
    .fns = fns,
    .fill = fill,
    .mu = PTHREAD_MUTEX_INITIALIZER,
};

lf_status lf__xrt_api_load(void)
{
	const char *root = getenv("XILINX_XRT");
	char own[4096] = "";
	const char *libs[2];

	if (root && root[0] &&
	    (size_t)snprintf(own, sizeof(own), "%s/lib/%s", root, XRT_SONAME) >=
		sizeof(own))
		own[0] = '\0';
	libs[0] = own;
	libs[1] = XRT_SONAME;
	return lf__drv_dl_load(&dl, libs, 2);
}
