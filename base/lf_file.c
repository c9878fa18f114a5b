/*
 * lf_file.c - see lf_file.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/lf_file.h"

static lf_status fail(char *err, size_t errlen, lf_status st, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

static lf_status fail(char *err, size_t errlen, lf_status st, const char *fmt,
		      ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

void lf__file_size_str(uint64_t bytes, char *out, size_t cap)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
	int u = -1;
	uint64_t v = bytes;

	while (v >= 1024 && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, cap, "%llu bytes", (unsigned long long)bytes);
	else
		snprintf(out, cap, "%llu %s", (unsigned long long)v, unit[u]);
}

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

lf_status lf__file_open(const char *path, uint64_t max_bytes, int *fd,
			uint64_t *size, char *err, size_t errlen)
{
	struct stat sb;
	char lim[32];
	int f, e;

	if (!path || !fd || !size)
		return fail(err, errlen, LF_ERR_INVALID_ARG,
			    "lf__file_open: NULL argument");
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer. It changes nothing for the regular files read below. */
	f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (f < 0) {
		e = errno;
		return fail(err, errlen,
			    e == ENOENT ? LF_ERR_NOT_FOUND : LF_ERR_IO,
			    "%s: %s", path, strerror(e));
	}
	if (fstat(f, &sb) != 0) {
		e = errno;
		close(f);
		return fail(err, errlen, LF_ERR_IO, "%s: %s", path,
			    strerror(e));
	}
	if (!S_ISREG(sb.st_mode)) {
		close(f);
		return fail(err, errlen, LF_ERR_IO,
			    "%s: not a regular file (%s)", path,
			    kind(sb.st_mode));
	}
	if (sb.st_size < 0 || (uint64_t)sb.st_size > max_bytes) {
		close(f);
		lf__file_size_str(max_bytes, lim, sizeof(lim));
		return fail(err, errlen, LF_ERR_UNSUPPORTED,
			    "%s: %lld bytes is over the %s limit for this "
			    "kind of file",
			    path, (long long)sb.st_size, lim);
	}
	*fd = f;
	*size = (uint64_t)sb.st_size;
	return LF_OK;
}

lf_status lf__file_read(const char *path, uint64_t max_bytes, uint8_t **buf,
			size_t *len, char *err, size_t errlen)
{
	uint64_t size = 0;
	size_t got = 0;
	uint8_t *data;
	lf_status st;
	int fd = -1;

	if (!buf || !len)
		return fail(err, errlen, LF_ERR_INVALID_ARG,
			    "lf__file_read: NULL argument");
	st = lf__file_open(path, max_bytes, &fd, &size, err, errlen);
	if (st != LF_OK)
		return st;
	if (size > SIZE_MAX - 1) {
		close(fd);
		return fail(err, errlen, LF_ERR_NO_MEMORY,
			    "%s: %llu bytes do not fit in memory", path,
			    (unsigned long long)size);
	}
	data = malloc(size ? (size_t)size : 1);
	if (!data) {
		close(fd);
		return fail(err, errlen, LF_ERR_NO_MEMORY,
			    "%s: out of memory for %llu bytes", path,
			    (unsigned long long)size);
	}
	while (got < size) {
		ssize_t n = read(fd, data + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			st = fail(err, errlen, LF_ERR_IO,
				  "%s: short read (%zu of %llu bytes): %s",
				  path, got, (unsigned long long)size,
				  n < 0 ? strerror(errno) : "end of file");
			free(data);
			close(fd);
			return st;
		}
		got += (size_t)n;
	}
	close(fd);
	*buf = data;
	*len = (size_t)size;
	return LF_OK;
}
