/*
 * ocl_cache.c - the portable flavour's build cache: program binaries
 * (clGetProgramInfo CL_PROGRAM_BINARIES, OpenCL 1.2 section 5.6.7), so a
 * second start loads them with clCreateProgramWithBinary instead of
 * compiling the kernels again (PoCL needs about a second per kernel).
 *
 * Where: $LAYERFAB_CACHE_DIR, else $XDG_CACHE_HOME/layerfab, else
 * $HOME/.cache/layerfab (created if missing). One file per program,
 * "ocl-<128-bit hash of the key>.bin".
 *
 * The key is a text naming everything the binary depends on: the source
 * text (by two independent 64-bit hashes), the build options (which carry
 * the xclbin's kernel limits) and the device (platform name and version,
 * device name and version, driver version). The file stores the key text
 * itself and a checksum of the binary; an entry whose key text differs
 * (a hash collision) or that is damaged is rejected and rebuilt, never
 * used. Files are written to a temporary name and renamed, so concurrent
 * processes see a whole entry or none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver/opencl/ocl_impl.h"

#define CACHE_MAGIC	"LFOCLBIN1\n"
#define CACHE_MAGIC_LEN 10
#define CACHE_MAX_FILE	(1ull << 30)

/* FNV-1a, 64 bits, from an arbitrary basis (two bases: two hashes). */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_BASIS_A 0xcbf29ce484222325ull
#define FNV_BASIS_B 0x84222325cbf29ce4ull

void lf__ocl_cache_dir(char *out, size_t len)
{
	const char *v = getenv("LAYERFAB_CACHE_DIR");
	int w;

	out[0] = '\0';
	if (v && *v) {
		w = snprintf(out, len, "%s", v);
	} else if ((v = getenv("XDG_CACHE_HOME")) && *v) {
		w = snprintf(out, len, "%s/layerfab", v);
	} else if ((v = getenv("HOME")) && *v) {
		w = snprintf(out, len, "%s/.cache/layerfab", v);
	} else {
		return;
	}
	if (w < 0 || (size_t)w >= len)
		out[0] = '\0';
}

void lf__ocl_cache_key(const struct ocl_dev *d, const char *file,
		       const char *text, size_t len, const char *opts,
		       char *key, size_t keylen)
{
	snprintf(key, keylen,
		 "layerfab opencl build cache 1\n"
		 "source %s %016llx%016llx %zu\n"
		 "options %s\n"
		 "platform %s | %s\n"
		 "device %s | %s\n"
		 "driver %s\n",
		 file, (unsigned long long)fnv1a(FNV_BASIS_A, text, len),
		 (unsigned long long)fnv1a(FNV_BASIS_B, text, len), len, opts,
		 d->info.plat_name, d->info.plat_version, d->info.dev_name,
		 d->info.dev_version, d->info.driver_version);
}

static int entry_path(const char *dir, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	int w = snprintf(out, len, "%s/ocl-%016llx%016llx.bin", dir,
			 (unsigned long long)fnv1a(FNV_BASIS_A, key, klen),
			 (unsigned long long)fnv1a(FNV_BASIS_B, key, klen));

	return w >= 0 && (size_t)w < len ? 0 : -1;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Read a whole file of at most CACHE_MAX_FILE bytes. */
static lf_status read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return errno == ENOENT ? LF_ERR_NOT_FOUND
				       : lf__drv_error(LF_ERR_IO,
						       "opencl: build cache: "
						       "%s: %s",
						       path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    (uint64_t)n > CACHE_MAX_FILE || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "opencl: build cache: %s: unreadable or "
				     "too large",
				     path);
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return lf__drv_error(
		    LF_ERR_IO, "opencl: build cache: cannot read %s", path);
	}
	fclose(f);
	*data = buf;
	*size = (size_t)n;
	return LF_OK;
}

lf_status lf__ocl_cache_load(const char *dir, const char *key, uint8_t **bin,
			     size_t *size)
{
	char path[512];
	uint8_t *data = NULL, *out;
	size_t n = 0, klen = strlen(key), pos;
	uint64_t blen;
	lf_status st;

	if (entry_path(dir, key, path, sizeof(path)) != 0)
		return lf__drv_error(LF_ERR_IO,
				     "opencl: build cache: directory name too "
				     "long");
	st = read_file(path, &data, &n);
	if (st != LF_OK)
		return st;
	pos = CACHE_MAGIC_LEN;
	if (n < pos + 8 || memcmp(data, CACHE_MAGIC, CACHE_MAGIC_LEN) != 0 ||
	    get64(data + pos) != klen || n - pos - 8 < klen ||
	    memcmp(data + pos + 8, key, klen) != 0)
		goto bad;
	pos += 8 + klen;
	if (n - pos < 8)
		goto bad;
	blen = get64(data + pos);
	pos += 8;
	if (blen == 0 || blen > n - pos || n - pos - blen != 8 ||
	    get64(data + pos + blen) != fnv1a(FNV_BASIS_A, data + pos, blen))
		goto bad;
	out = malloc((size_t)blen);
	if (!out) {
		free(data);
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: out of host memory");
	}
	memcpy(out, data + pos, (size_t)blen);
	free(data);
	*bin = out;
	*size = (size_t)blen;
	return LF_OK;
bad:
	free(data);
	return lf__drv_error(LF_ERR_BAD_FILE,
			     "opencl: build cache: %s is damaged or belongs "
			     "to another key",
			     path);
}

/* mkdir -p, each component with mode 0777 & ~umask. */
static int make_dirs(const char *dir)
{
	char buf[512];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		buf[i] = i == n ? '\0' : '/';
	}
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

lf_status lf__ocl_cache_store(const char *dir, const char *key,
			      const uint8_t *bin, size_t size)
{
	char path[512], tmp[512];
	uint8_t hdr[8];
	size_t klen = strlen(key);
	int fd, bad = 0;

	if (entry_path(dir, key, path, sizeof(path)) != 0 ||
	    snprintf(tmp, sizeof(tmp), "%s/.ocl-tmp-XXXXXX", dir) >=
		(int)sizeof(tmp))
		return lf__drv_error(LF_ERR_IO,
				     "opencl: build cache: directory name too "
				     "long");
	if (make_dirs(dir) != 0)
		return lf__drv_error(LF_ERR_IO,
				     "opencl: build cache: cannot create %s: "
				     "%s",
				     dir, strerror(errno));
	fd = mkstemp(tmp);
	if (fd < 0)
		return lf__drv_error(LF_ERR_IO,
				     "opencl: build cache: cannot write in "
				     "%s: %s",
				     dir, strerror(errno));
	bad |= write_all(fd, CACHE_MAGIC, CACHE_MAGIC_LEN);
	put64(hdr, klen);
	bad |= write_all(fd, hdr, 8);
	bad |= write_all(fd, key, klen);
	put64(hdr, size);
	bad |= write_all(fd, hdr, 8);
	bad |= write_all(fd, bin, size);
	put64(hdr, fnv1a(FNV_BASIS_A, bin, size));
	bad |= write_all(fd, hdr, 8);
	bad |= close(fd);
	if (bad || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return lf__drv_error(LF_ERR_IO,
				     "opencl: build cache: writing %s: %s",
				     path, strerror(e));
	}
	return LF_OK;
}
