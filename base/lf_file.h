/*
 * lf_file.h - opening and reading user-supplied input files safely.
 *
 * A path may name anything: a FIFO (fopen() blocks until a writer comes),
 * a directory (ftell() says LONG_MAX), a device, or a huge sparse file.
 * These helpers open with O_NONBLOCK, fstat() the descriptor they opened
 * (no race with a rename), refuse anything but a regular file and any
 * size over the caller's limit, and only then allocate and read.
 */
#ifndef LF_BASE_FILE_H
#define LF_BASE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"

/*
 * lf__file_open() - open @path for reading if it is a regular file of at
 * most @max_bytes bytes.
 * @fd:   set to the open descriptor (close() it); untouched on failure.
 * @size: set to the file's size in bytes.
 * @err, @errlen: message buffer (may be NULL); the message starts with
 *        @path.
 *
 * Return: LF_OK; LF_ERR_NOT_FOUND (no such file); LF_ERR_IO (cannot open
 * or stat it, or it is not a regular file: a directory, FIFO, socket or
 * device); LF_ERR_UNSUPPORTED (larger than @max_bytes); LF_ERR_INVALID_ARG.
 */
lf_status lf__file_open(const char *path, uint64_t max_bytes, int *fd,
			uint64_t *size, char *err, size_t errlen);

/*
 * lf__file_read() - read the whole of @path, as lf__file_open() admits it.
 * @buf: set to a malloc()ed copy of the content (free() it; at least one
 *       byte is allocated for an empty file); @len: its size. Both are
 *       untouched on failure.
 *
 * Return: as lf__file_open(), and LF_ERR_NO_MEMORY, LF_ERR_IO (a short
 * read: the file shrank while being read).
 */
lf_status lf__file_read(const char *path, uint64_t max_bytes, uint8_t **buf,
			size_t *len, char *err, size_t errlen);

/* What a size limit is called in messages: "2 GiB", "512 MiB", "1234
 * bytes". */
void lf__file_size_str(uint64_t bytes, char *out, size_t cap);

#endif /* LF_BASE_FILE_H */
