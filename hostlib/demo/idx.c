/*
 * idx.c - IDX files through zlib (see idx.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hostlib/demo/idx.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

lf_status lf__idx_parse(const uint8_t *buf, size_t len, const char *what,
			struct lf__idx *out, char *err, size_t errlen)
{
	struct lf__idx x;
	char dummy[8];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	what = what ? what : "IDX data";
	if (!out || (!buf && len)) {
		snprintf(err, errlen, "%s: NULL argument", what);
		return LF_ERR_INVALID_ARG;
	}
	if (len < 4 || buf[0] != 0 || buf[1] != 0) {
		snprintf(err, errlen,
			 "%s: not an IDX file (%zu bytes; an IDX file starts "
			 "with two zero bytes, a type and a rank)",
			 what, len);
		return LF_ERR_BAD_FILE;
	}
	if (buf[2] != 0x08) {
		snprintf(err, errlen,
			 "%s: element type 0x%02x; only 0x08 (unsigned byte) "
			 "is read",
			 what, buf[2]);
		return LF_ERR_UNSUPPORTED;
	}
	memset(&x, 0, sizeof(x));
	x.rank = buf[3];
	if (x.rank < 1 || x.rank > LF__IDX_MAX_RANK) {
		snprintf(err, errlen, "%s: rank %d, want 1 to %d", what, x.rank,
			 LF__IDX_MAX_RANK);
		return LF_ERR_BAD_FILE;
	}
	size_t head = 4 + 4 * (size_t)x.rank;
	if (len < head) {
		snprintf(err, errlen,
			 "%s: truncated header: %zu bytes, rank %d needs %zu",
			 what, len, x.rank, head);
		return LF_ERR_BAD_FILE;
	}
	x.count = 1;
	for (int i = 0; i < x.rank; i++) {
		x.dims[i] = be32(buf + 4 + 4 * (size_t)i);
		if (x.dims[i] == 0) {
			snprintf(err, errlen, "%s: dimension %d is 0", what, i);
			return LF_ERR_BAD_FILE;
		}
		if (x.count > SIZE_MAX / x.dims[i]) {
			snprintf(err, errlen,
				 "%s: element count overflows at "
				 "dimension %d",
				 what, i);
			return LF_ERR_OVERFLOW;
		}
		x.count *= x.dims[i];
	}
	if (len - head != x.count) {
		snprintf(err, errlen,
			 "%s: %s: %zu data bytes, the header says %zu", what,
			 len - head < x.count ? "truncated" : "trailing data",
			 len - head, x.count);
		return LF_ERR_BAD_FILE;
	}
	x.data = malloc(x.count);
	if (!x.data) {
		snprintf(err, errlen, "%s: out of memory (%zu bytes)", what,
			 x.count);
		return LF_ERR_NO_MEMORY;
	}
	memcpy(x.data, buf + head, x.count);
	*out = x;
	return LF_OK;
}

/* The whole (decompressed) file into a malloc'ed buffer. */
static lf_status slurp(const char *path, uint8_t **buf, size_t *len, char *err,
		       size_t errlen)
{
	gzFile f = gzopen(path, "rb");
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;
	lf_status st = LF_OK;
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 errno ? strerror(errno) : "out of memory");
		return LF_ERR_IO;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= LF__IDX_MAX_BYTES) {
				snprintf(err, errlen,
					 "%s: more than %llu bytes "
					 "uncompressed",
					 path, LF__IDX_MAX_BYTES);
				st = LF_ERR_BAD_FILE;
				break;
			}
			size_t ncap = cap ? 2 * cap : 1u << 20;
			uint8_t *nb = realloc(b, ncap);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory",
					 path);
				st = LF_ERR_NO_MEMORY;
				break;
			}
			b = nb;
			cap = ncap;
		}
		size_t want = cap - n > (1u << 30) ? (1u << 30) : cap - n;
		int got = gzread(f, b + n, (unsigned)want);
		int zerr = Z_OK;
		const char *zmsg = gzerror(f, &zerr);
		if (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
			/* A truncated gzip stream reads as far as it goes
			 * and then reports Z_BUF_ERROR. */
			snprintf(err, errlen, "%s: corrupt or truncated: %s",
				 path,
				 zerr == Z_ERRNO ? strerror(errno) : zmsg);
			st = zerr == Z_ERRNO ? LF_ERR_IO : LF_ERR_BAD_FILE;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzclose(f);
	if (st != LF_OK) {
		free(b);
		return st;
	}
	*buf = b;
	*len = n;
	return LF_OK;
}

lf_status lf__idx_load(const char *path, struct lf__idx *out, char *err,
		       size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char dummy[8];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!path || !out) {
		snprintf(err, errlen, "lf__idx_load: NULL argument");
		return LF_ERR_INVALID_ARG;
	}
	errno = 0;
	lf_status st = slurp(path, &buf, &len, err, errlen);
	if (st != LF_OK)
		return st;
	st = lf__idx_parse(buf, len, path, out, err, errlen);
	free(buf);
	return st;
}

void lf__idx_free(struct lf__idx *x)
{
	if (!x)
		return;
	free(x->data);
	memset(x, 0, sizeof(*x));
}
