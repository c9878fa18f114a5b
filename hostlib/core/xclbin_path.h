/*
 * xclbin_path.h - where a context finds its bitstream when the caller
 * names none: LAYERFAB_XCLBIN, then the build tree, then the installed
 * share/layerfab/bitstreams.
 */
#ifndef LF_CORE_XCLBIN_PATH_H
#define LF_CORE_XCLBIN_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/*
 * lf__xclbin_find() - the path of bitstream file @file ("u55c.xclbin", as the
 * driver names it in lf_dev_props.xclbin_hint)
 * in the search directories, in order:
 *   $LAYERFAB_BUILD/bitstreams        a build tree named explicitly
 *   <exe>/../bitstreams               the build tree of a program built
 *                                     in it (build/tests, build/bin)
 *   <exe>/../share/layerfab/bitstreams  an installed program's prefix
 *   <lib>/../bitstreams               the build tree of liblayerfab.so
 *                                     (<lib>: the file this code is in)
 *   <lib>/../share/layerfab/bitstreams  a relocated installation
 *   $(DATADIR)/layerfab/bitstreams    the installation the library was
 *                                     built for (make install rebuilds it)
 * LAYERFAB_XCLBIN, when set, wins over all of them (the caller checks it).
 * Return: LF_OK with the path in @out; LF_ERR_NOT_FOUND with the
 * directories tried listed in @tried.
 */
lf_status lf__xclbin_find(const char *file, char *out, size_t outlen,
			  char *tried, size_t triedlen);

/*
 * lf__xclbin_resolve() - the bitstream a context loads on a device: @given
 * (the caller's), else LAYERFAB_XCLBIN, else @hint (the file the driver
 * names for device @device) found by lf__xclbin_find(). The path is
 * written to @out. Errors are recorded for context @ctx_id.
 * Return: LF_OK; LF_ERR_NOT_FOUND (the message lists where it looked).
 */
lf_status lf__xclbin_resolve(uint64_t ctx_id, const char *given,
			     const char *hint, const char *device, char *out,
			     size_t outlen);

#endif /* LF_CORE_XCLBIN_PATH_H */
