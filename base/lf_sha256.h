/*
 * lf_sha256.h - SHA-256 (FIPS 180-4), for identifying kernel code by its
 * bytes (the emulator's xclbin trust check, driver/emu/README.md).
 */
#ifndef LF_BASE_SHA256_H
#define LF_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define LF_SHA256_BYTES 32

struct lf__sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void lf__sha256_init(struct lf__sha256 *s);
void lf__sha256_update(struct lf__sha256 *s, const void *data, size_t n);
void lf__sha256_final(struct lf__sha256 *s, uint8_t out[LF_SHA256_BYTES]);

/* The digest of @n bytes at @data as 64 lowercase hex digits + NUL. */
void lf__sha256_hex(const void *data, size_t n, char out[65]);

#endif /* LF_BASE_SHA256_H */
