/* xclbin_path.c - finding a bitstream by file name (see xclbin_path.h). */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostlib/base/error.h"
#include "hostlib/core/xclbin_path.h"

/* DATADIR of the installation, compiled in (hostlib/module.mk: rebuilt by
 * `make install` when it differs from the last build's). */
#ifndef LF_DATADIR
#define LF_DATADIR "/usr/local/share"
#endif

/* The directory part of absolute @path into @out, or "" if it has none. */
static void parent_dir(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	out[0] = '\0';
	if (slash)
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* Directory of the running executable, or "" if unknown. */
static void exe_dir(char *out, size_t len)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	parent_dir(buf, out, len);
}

/*
 * Directory of the file this code was loaded from (liblayerfab.so, or the
 * executable it is statically linked into), or "" if unknown. An installed
 * library finds <libdir>/../share/layerfab/bitstreams from here, whatever
 * PREFIX it was installed to.
 */
static void lib_dir(char *out, size_t len)
{
	Dl_info info;
	out[0] = '\0';
	if (!dladdr((void *)lib_dir, &info) || !info.dli_fname)
		return;
	char buf[PATH_MAX];
	if (realpath(info.dli_fname, buf))
		parent_dir(buf, out, len);
}

static int try_dir(const char *dir, const char *file, char *out, size_t outlen,
		   char *tried, size_t triedlen)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	size_t used = strlen(tried);
	if (used < triedlen)
		snprintf(tried + used, triedlen - used, "%s%s",
			 used ? ", " : "", dir);
	if (access(path, R_OK) != 0)
		return 0;
	if ((size_t)n >= outlen)
		return 0;
	memcpy(out, path, (size_t)n + 1);
	return 1;
}

lf_status lf__xclbin_find(const char *file, char *out, size_t outlen,
			  char *tried, size_t triedlen)
{
	char dir[PATH_MAX + 64];
	char exe[PATH_MAX];
	if (triedlen)
		tried[0] = '\0';
	const char *b = getenv("LAYERFAB_BUILD");
	if (b && *b) {
		snprintf(dir, sizeof(dir), "%s/bitstreams", b);
		if (try_dir(dir, file, out, outlen, tried, triedlen))
			return LF_OK;
	}
	exe_dir(exe, sizeof(exe));
	if (exe[0]) {
		snprintf(dir, sizeof(dir), "%s/../bitstreams", exe);
		if (try_dir(dir, file, out, outlen, tried, triedlen))
			return LF_OK;
		snprintf(dir, sizeof(dir), "%s/../share/layerfab/bitstreams",
			 exe);
		if (try_dir(dir, file, out, outlen, tried, triedlen))
			return LF_OK;
	}
	lib_dir(exe, sizeof(exe));
	if (exe[0]) {
		/* build/lib/liblayerfab.so of a build tree (an application or
		 * the Python package using it), then an installed one. */
		snprintf(dir, sizeof(dir), "%s/../bitstreams", exe);
		if (try_dir(dir, file, out, outlen, tried, triedlen))
			return LF_OK;
		snprintf(dir, sizeof(dir), "%s/../share/layerfab/bitstreams",
			 exe);
		if (try_dir(dir, file, out, outlen, tried, triedlen))
			return LF_OK;
	}
	if (try_dir(LF_DATADIR "/layerfab/bitstreams", file, out, outlen, tried,
		    triedlen))
		return LF_OK;
	return LF_ERR_NOT_FOUND;
}

lf_status lf__xclbin_resolve(uint64_t id, const char *given, const char *hint,
			     const char *device, char *out, size_t outlen)
{
	if (!given) {
		const char *env = getenv("LAYERFAB_XCLBIN");
		if (env && *env)
			given = env;
	}
	if (given) {
		snprintf(out, outlen, "%s", given);
		return LF_OK;
	}
	char tried[1024];
	if (lf__xclbin_find(hint, out, outlen, tried, sizeof(tried)))
		return lf__err(
		    id, LF_ERR_NOT_FOUND,
		    "lf_context_create: no bitstream %s for device %s "
		    "(looked in %s; set LAYERFAB_XCLBIN or "
		    "LAYERFAB_BUILD)",
		    hint, device, tried);
	return LF_OK;
}
