/*
 * idx.h - reading IDX files (the MNIST / Fashion-MNIST format), plain or
 * gzipped, with every header field checked against the data.
 *
 * IDX, big-endian: two zero bytes, a type byte (0x08: unsigned byte, the
 * only type read here), a rank byte, one u32 extent per dimension, then
 * the elements, row-major. A file whose data is shorter or longer than its
 * extents say is rejected, as is a zero-length dimension.
 */
#ifndef LF_DEMO_IDX_H
#define LF_DEMO_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

#define LF__IDX_MAX_RANK 4
/* Largest decompressed file read (Fashion-MNIST's largest is 47 MB). */
#define LF__IDX_MAX_BYTES (1ull << 30)

/* A parsed IDX file of unsigned bytes. Release with lf__idx_free(). */
struct lf__idx {
	int rank;
	uint32_t dims[LF__IDX_MAX_RANK];
	size_t count;  /* product of dims */
	uint8_t *data; /* count bytes, owned */
};

/*
 * lf__idx_parse() - parse an IDX image in memory (copied).
 * @what: names the source in messages (a file name).
 * Return: LF_OK; LF_ERR_BAD_FILE (bad magic, rank 0 or > 4, a zero extent,
 * data shorter or longer than the header says); LF_ERR_UNSUPPORTED
 * (an element type other than unsigned byte); LF_ERR_OVERFLOW;
 * LF_ERR_NO_MEMORY. @out is untouched on failure; @err says why.
 */
lf_status lf__idx_parse(const uint8_t *buf, size_t len, const char *what,
			struct lf__idx *out, char *err, size_t errlen);

/*
 * lf__idx_load() - read @path (gzip or plain: zlib tells them apart) and
 * parse it. Adds LF_ERR_IO (cannot open or read) and LF_ERR_BAD_FILE for
 * a corrupt or truncated gzip stream or a file over LF__IDX_MAX_BYTES.
 */
lf_status lf__idx_load(const char *path, struct lf__idx *out, char *err,
		       size_t errlen);

/* Free what @x owns and zero it; NULL or a zeroed one does nothing. */
void lf__idx_free(struct lf__idx *x);

#endif /* LF_DEMO_IDX_H */
