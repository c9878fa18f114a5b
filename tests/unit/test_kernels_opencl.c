/*
 * test_kernels_opencl.c - the kernel sources in hls/ built as OpenCL C and
 * run on whatever OpenCL platform the ICD loader finds (PoCL on a machine
 * without a card): each must build, and each run must produce the same
 * bytes as the host-C build of the same kernel and as the CPU reference.
 * Covered: lfk_conv2d, lfk_matmul, lfk_pool, lfk_add (with the additions
 * whose bytes need a true fused multiply-add) and lfk_engine (chains of
 * every op, and single conv / matmul layers through the engine).
 *
 * No OpenCL platform is not a failure: the suite says "SKIP: no OpenCL
 * platform" and passes. Under Valgrind (LF_UNDER_VALGRIND=1) it skips too:
 * PoCL compiles with LLVM in-process, and its allocations and JIT code are
 * not ours to check.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lf_config.h"
#include "lf_desc.h"
#include "lf_test.h"
#include "unit/csum_ref.h"
#include "unit/kernel_cases.h"
#include "unit/kernel_pool_cases.h"

/* LeakSanitizer suppressions for PoCL/LLVM: tests/test_main.c. */

enum { K_CONV, K_MATMUL, K_POOL, K_ADD, K_ENGINE, K_COUNT };

static const char *const k_file[K_COUNT] = {"conv2d.c", "matmul.c", "pool.c",
					    "add.c", "engine.c"};
static const char *const k_name[K_COUNT] = {
    "lfk_conv2d", "lfk_matmul", "lfk_pool", "lfk_add", "lfk_engine"};

/* The kernel that runs a generated launch (kernel_pool_cases.h). */
static int kernel_of(uint32_t op)
{
	switch (op) {
	case LF_KOP_CONV2D:
		return K_CONV;
	case LF_KOP_MATMUL:
		return K_MATMUL;
	case LF_KOP_MAXPOOL:
	case LF_KOP_AVGPOOL:
		return K_POOL;
	case LF_KOP_ADD:
	case LF_KOP_MUL:
		return K_ADD;
	default:
		return K_ENGINE;
	}
}

/* The host-C build of kernel k. */
static void host_call(int k, lf_desc *d, uint32_t nd, const uint8_t *params,
		      uint32_t pb, uint8_t *act, uint32_t ab)
{
	switch (k) {
	case K_CONV:
		lfk_conv2d(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
		break;
	case K_MATMUL:
		lfk_matmul(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
		break;
	case K_POOL:
		lfk_pool(lf_desc_words(d), nd, LF_KC_P(params), pb,
			 LF_KC_A(act), ab);
		break;
	case K_ADD:
		lfk_add(lf_desc_words(d), nd, LF_KC_P(params), pb, LF_KC_A(act),
			ab);
		break;
	default:
		lfk_engine(lf_desc_words(d), nd, LF_KC_P(params), pb,
			   LF_KC_A(act), ab);
		break;
	}
}

static struct {
	int state; /* 0 not tried, 1 ready, 2 skipped, -1 failed */
	cl_device_id dev;
	cl_context ctx;
	cl_command_queue q;
	cl_program prog[K_COUNT];
	cl_kernel kern[K_COUNT];
} g;

/*
 * Our POCL_CACHE_DIR, if we made one: <build>/tmp/pocl-XXXXXX, so a crashed
 * run leaves nothing outside the build tree. PoCL reads the variable once
 * per process and later suites may use OpenCL too, so the directory lives
 * until exit.
 */
static char g_cache[PATH_MAX + 16];

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_cache(void)
{
	if (g_cache[0])
		nftw(g_cache, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The hls/ directory: LF_SRC_DIR/hls, ./hls, or next to this file. */
static int hls_dir(char *out, size_t n)
{
	char buf[PATH_MAX];
	const char *src = getenv("LF_SRC_DIR");
	if (src && *src)
		snprintf(buf, sizeof buf, "%s/hls", src);
	else if (access("hls/conv2d.c", R_OK) == 0)
		snprintf(buf, sizeof buf, "hls");
	else
		snprintf(buf, sizeof buf, "%s/../../hls", __FILE__);
	char *r = realpath(buf, NULL);
	if (!r)
		return -1;
	snprintf(out, n, "%s", r);
	free(r);
	return 0;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *s = NULL;
	long n = -1;
	if (fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else {
			s[n] = '\0';
		}
	}
	fclose(f);
	return s;
}

static void print_build_log(cl_program p, const char *file)
{
	size_t n = 0;
	clGetProgramBuildInfo(p, g.dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
	char *log = malloc(n + 1);
	if (!log)
		return;
	if (clGetProgramBuildInfo(p, g.dev, CL_PROGRAM_BUILD_LOG, n, log,
				  NULL) != CL_SUCCESS)
		n = 0;
	log[n] = '\0';
	fprintf(stderr, "\nOpenCL build of hls/%s failed:\n%s\n", file, log);
	free(log);
}

/* Finds a device and builds every kernel; sets g.state. */
static void setup(void)
{
	if (g.state != 0)
		return;
	g.state = -1;
	if (lf_test_under_valgrind()) {
		printf("\n  SKIP: OpenCL under Valgrind (PoCL's LLVM is not "
		       "ours to check) ");
		g.state = 2;
		return;
	}
	/* PoCL needs a writable kernel cache; use a private one. */
	if (!getenv("POCL_CACHE_DIR")) {
		char base[PATH_MAX];
		snprintf(base, sizeof base, "%s/tmp", lf_test_build_dir());
		if (mkdir(base, 0777) != 0 && errno != EEXIST) {
			const char *t = getenv("TMPDIR");
			snprintf(base, sizeof base, "%s", t && *t ? t : "/tmp");
		}
		char *abs = realpath(base, NULL);
		snprintf(g_cache, sizeof g_cache, "%s/pocl-XXXXXX",
			 abs ? abs : base);
		free(abs);
		if (!mkdtemp(g_cache)) {
			fprintf(stderr, "mkdtemp %s: %s\n", g_cache,
				strerror(errno));
			g_cache[0] = '\0';
		} else {
			setenv("POCL_CACHE_DIR", g_cache, 1);
			atexit(rm_cache);
		}
	}

	cl_uint np = 0;
	cl_platform_id plats[8];
	if (clGetPlatformIDs(8, plats, &np) != CL_SUCCESS || np == 0) {
		printf("\n  SKIP: no OpenCL platform ");
		g.state = 2;
		return;
	}
	cl_uint nd = 0;
	cl_uint pi;
	for (pi = 0; pi < np && pi < 8; pi++)
		if (clGetDeviceIDs(plats[pi], CL_DEVICE_TYPE_ALL, 1, &g.dev,
				   &nd) == CL_SUCCESS &&
		    nd > 0)
			break;
	if (nd == 0) {
		printf("\n  SKIP: no OpenCL platform with a device ");
		g.state = 2;
		return;
	}
	char name[256] = "";
	clGetDeviceInfo(g.dev, CL_DEVICE_NAME, sizeof name, name, NULL);
	printf("\n  OpenCL device: %s ", name);

	cl_int err;
	g.ctx = clCreateContext(NULL, 1, &g.dev, NULL, NULL, &err);
	if (!g.ctx) {
		fprintf(stderr, "clCreateContext: %d\n", err);
		return;
	}
	g.q = clCreateCommandQueue(g.ctx, g.dev, 0, &err);
	if (!g.q) {
		fprintf(stderr, "clCreateCommandQueue: %d\n", err);
		return;
	}
	char dir[PATH_MAX], opts[PATH_MAX + 16], path[PATH_MAX + 16];
	if (hls_dir(dir, sizeof dir) != 0) {
		fprintf(stderr, "cannot find hls/ (set LF_SRC_DIR)\n");
		return;
	}
	snprintf(opts, sizeof opts, "-I %s", dir);
	for (int k = 0; k < K_COUNT; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, k_file[k]);
		char *src = read_text(path);
		if (!src) {
			fprintf(stderr, "cannot read %s\n", path);
			return;
		}
		const char *s = src;
		g.prog[k] = clCreateProgramWithSource(g.ctx, 1, &s, NULL, &err);
		free(src);
		if (!g.prog[k]) {
			fprintf(stderr, "clCreateProgramWithSource: %d\n", err);
			return;
		}
		err = clBuildProgram(g.prog[k], 1, &g.dev, opts, NULL, NULL);
		if (err != CL_SUCCESS) {
			print_build_log(g.prog[k], k_file[k]);
			return;
		}
		g.kern[k] = clCreateKernel(g.prog[k], k_name[k], &err);
		if (!g.kern[k]) {
			fprintf(stderr, "clCreateKernel %s: %d\n", k_name[k],
				err);
			return;
		}
	}
	g.state = 1;
}

static int suite_clean(void)
{
	for (int k = 0; k < K_COUNT; k++) {
		if (g.kern[k])
			clReleaseKernel(g.kern[k]);
		if (g.prog[k])
			clReleaseProgram(g.prog[k]);
	}
	if (g.q)
		clReleaseCommandQueue(g.q);
	if (g.ctx)
		clReleaseContext(g.ctx);
	memset(&g, 0, sizeof g);
	return 0;
}

static cl_mem buffer(cl_mem_flags flags, void *host, size_t n)
{
	cl_int err;
	/* A zero-sized buffer is invalid; the kernel never reads byte 0 then.
	 */
	static uint8_t dummy[4];
	cl_mem m = clCreateBuffer(g.ctx, flags | CL_MEM_COPY_HOST_PTR,
				  n ? n : sizeof dummy, n ? host : dummy, &err);
	if (!m)
		fprintf(stderr, "clCreateBuffer(%zu): %d\n", n, err);
	return m;
}

/*
 * Runs a launch through the OpenCL kernel: desc (ndesc entries) and act are
 * updated in place. Returns 0, or -1 on an OpenCL error.
 */
static int run_cl_kernel(cl_kernel kn, const char *kname, lf_desc *desc,
			 uint32_t ndesc, const uint8_t *params,
			 uint32_t params_bytes, uint8_t *act,
			 uint32_t act_bytes)
{
	int rc = -1;
	cl_mem md = buffer(CL_MEM_READ_WRITE, desc, sizeof(lf_desc) * ndesc);
	cl_mem mp = buffer(CL_MEM_READ_ONLY, (void *)params, params_bytes);
	cl_mem ma = buffer(CL_MEM_READ_WRITE, act, act_bytes);
	size_t one = 1;
	if (!md || !mp || !ma)
		goto out;
	if (clSetKernelArg(kn, 0, sizeof md, &md) != CL_SUCCESS ||
	    clSetKernelArg(kn, 1, sizeof ndesc, &ndesc) != CL_SUCCESS ||
	    clSetKernelArg(kn, 2, sizeof mp, &mp) != CL_SUCCESS ||
	    clSetKernelArg(kn, 3, sizeof params_bytes, &params_bytes) !=
		CL_SUCCESS ||
	    clSetKernelArg(kn, 4, sizeof ma, &ma) != CL_SUCCESS ||
	    clSetKernelArg(kn, 5, sizeof act_bytes, &act_bytes) != CL_SUCCESS) {
		fprintf(stderr, "clSetKernelArg failed\n");
		goto out;
	}
	cl_int err =
	    clEnqueueNDRangeKernel(g.q, kn, 1, NULL, &one, &one, 0, NULL, NULL);
	if (err != CL_SUCCESS) {
		fprintf(stderr, "clEnqueueNDRangeKernel %s: %d\n", kname, err);
		goto out;
	}
	if (clEnqueueReadBuffer(g.q, md, CL_TRUE, 0, sizeof(lf_desc) * ndesc,
				desc, 0, NULL, NULL) != CL_SUCCESS ||
	    clEnqueueReadBuffer(g.q, ma, CL_TRUE, 0, act_bytes, act, 0, NULL,
				NULL) != CL_SUCCESS) {
		fprintf(stderr, "clEnqueueReadBuffer failed\n");
		goto out;
	}
	rc = 0;
out:
	if (ma)
		clReleaseMemObject(ma);
	if (mp)
		clReleaseMemObject(mp);
	if (md)
		clReleaseMemObject(md);
	return rc;
}

/* run_cl_kernel on kernel k of the suite's programs. */
static int run_cl(int k, lf_desc *desc, uint32_t ndesc, const uint8_t *params,
		  uint32_t params_bytes, uint8_t *act, uint32_t act_bytes)
{
	return run_cl_kernel(g.kern[k], k_name[k], desc, ndesc, params,
			     params_bytes, act, act_bytes);
}

static void test_build(void)
{
	setup();
	CU_ASSERT(g.state == 1 || g.state == 2);
}

/*
 * One launch three ways: OpenCL, host C, reference (l->expect), through
 * the kernel for l->op or, with @engine, through lfk_engine. All statuses
 * OK and all three act buffers identical. Returns 0 on success.
 */
static int check_launch(const struct lf_kc_launch *l, int engine, uint64_t seed,
			int index)
{
	int k = engine ? K_ENGINE : kernel_of(l->op);
	size_t dn = sizeof(lf_desc) * l->ndesc;
	lf_desc *dc = malloc(dn), *dh = malloc(dn);
	uint8_t *ac = malloc(l->act_bytes), *ah = malloc(l->act_bytes);
	int bad = -1;
	if (!dc || !dh || !ac || !ah)
		goto out;
	memcpy(dc, l->desc, dn);
	memcpy(dh, l->desc, dn);
	memcpy(ac, l->act, l->act_bytes);
	memcpy(ah, l->act, l->act_bytes);
	if (run_cl(k, dc, l->ndesc, l->params, l->params_bytes, ac,
		   l->act_bytes) != 0)
		goto out;
	host_call(k, dh, l->ndesc, l->params, l->params_bytes, ah,
		  l->act_bytes);
	bad = 0;
	for (uint32_t i = 0; i < l->ndesc; i++)
		if (dc[i].status != LF_KST_OK || dh[i].status != LF_KST_OK) {
			fprintf(stderr,
				"\n%s seed=0x%llx case=%d desc %u: OpenCL "
				"status %d, host-C %d\n  %s\n",
				k_name[k], (unsigned long long)seed, index, i,
				dc[i].status, dh[i].status, l->what);
			bad = -1;
		}
	if (lf_kc_compare(l, ac, "OpenCL", seed, index) != 0 ||
	    lf_kc_compare(l, ah, "host-C", seed, index) != 0)
		bad = -1;
out:
	free(dc);
	free(dh);
	free(ac);
	free(ah);
	return bad;
}

static void run_random(int conv, int cases)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ (conv ? 0x0c1c0 : 0x0c1a7);
	int fails = 0;
	for (int i = 0; i < cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		lf_rng_seed(&r, seed * 0x9e3779b97f4a7c15ull + (uint64_t)i + 1);
		int big = i == cases - 1; /* the last one spans many tiles */
		int st = conv ? lf_kc_random_conv(&r, big, &l)
			      : lf_kc_random_matmul(&r, big, &l);
		CU_ASSERT_EQUAL_FATAL(st, 0);
		/* The first case also through the engine's conv / matmul. */
		if (check_launch(&l, 0, seed, i) != 0 ||
		    (i == 0 && check_launch(&l, 1, seed, i) != 0))
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void test_conv(void)
{
	run_random(1, 16);
}

static void test_matmul(void)
{
	run_random(0, 12);
}

/* A few launches from one of the kernel_pool_cases.h generators. */
static void run_gen(int (*gen)(struct lf_rng *, struct lf_kc_launch *),
		    uint64_t salt, int cases, int engine_too)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ salt;
	int fails = 0;
	for (int i = 0; i < cases; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		lf_rng_seed(&r, seed * 0x9e3779b97f4a7c15ull + (uint64_t)i + 1);
		CU_ASSERT_EQUAL_FATAL(gen(&r, &l), 0);
		if (check_launch(&l, 0, seed, i) != 0 ||
		    (engine_too && check_launch(&l, 1, seed, i) != 0))
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void test_pool(void)
{
	run_gen(lf_kpc_random_pool, 0x0c1900, 16, 0);
}

static void test_add(void)
{
	run_gen(lf_kpc_random_add, 0x0c1add, 12, 0);
	/* The bytes only a correctly rounded fma() gives. */
	run_gen(lf_kpc_add_fma_ties, 0x0c1f3a, 3, 1);
	/* Every (a, b) pair, the integer add of lf_kadd.h against the CPU
	 * reference (test_kernels_pool.c add_pairs). */
	run_gen(lf_kpc_add_pairs, 0x0c1a9a, 6, 1);
}

/* QLinearMul (the add's datapath): random, and every (a, b) pair for a
 * few scale sets (test_kernels_pool.c mul_pairs), also via the engine. */
static void test_mul(void)
{
	run_gen(lf_kpc_random_mul, 0x0c13a1, 12, 0);
	run_gen(lf_kpc_mul_pairs, 0x0c13a2, 4, 1);
	/* The bytes only MLAS's two roundings give (no contraction). */
	run_gen(lf_kpc_mul_fma_ties, 0x0c13a3, 2, 1);
}

static void test_engine(void)
{
	run_gen(lf_kpc_resnet_chain, 0x0c1e9e, 4, 0);
}

/* Blocked (LF_DF_BLK) pools, adds and muls, and a blocked engine chain:
 * the same bytes as the host-C build, pad lanes included. */
/* The streamed max pool's shapes (and the tiles' past them), in parts. */
static void test_blocked_rows(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0c1b40;
	int fails = 0, empty;
	for (int i = 0; i < lf_kpc_blk_rows_n; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		lf_rng_seed(&r, seed + (uint64_t)i);
		CU_ASSERT_EQUAL_FATAL(lf_kpc_blk_rows(&r, i, &l), 0);
		if (check_launch(&l, 0, seed, i) != 0 ||
		    check_launch(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_part_split(&l, &r, -1, &empty);
		if (check_launch(&l, 1, seed, i) != 0 ||
		    check_launch(&l, 0, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static void test_blocked(void)
{
	run_gen(lf_kpc_random_blk, 0x0c1b1c, 12, 1);
	run_gen(lf_kpc_random_blk_mul, 0x0c1b3a, 8, 1);
	run_gen(lf_kpc_blk_chain, 0x0c1bc4, 3, 0);
}

/*
 * add.c's blocked mul (add_blk_mul) as the hardware builds size it: lfk_add
 * built again with LF_ADD_BLK_MUL_LANES 1, 8, 32 and 64 (64, 8, 2 and 1
 * passes a beat; the suite's own build has the default 16), each run on
 * blocked muls whose channels end inside a pass (1, 17, 33, 63, 64, 65,
 * 100, 130; every broadcast) and on one set of every (a, b) pair: the
 * bytes the CPU reference gives (lf_kc_compare against l->expect).
 */
static void test_blocked_mul_lanes(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	static const int lanes[] = {1, 8, 32, 64};
	char dir[PATH_MAX], opts[PATH_MAX + 64], path[PATH_MAX + 16];
	CU_ASSERT_FATAL(hls_dir(dir, sizeof dir) == 0);
	snprintf(path, sizeof path, "%s/add.c", dir);
	char *src = read_text(path);
	CU_ASSERT_FATAL(src != NULL);
	uint64_t seed = lf_kc_seed() ^ 0x0c1b1a;
	int fails = 0, runs = 0;
	for (size_t li = 0; li < sizeof lanes / sizeof lanes[0]; li++) {
		cl_int err;
		const char *sp = src;
		cl_program pr =
		    clCreateProgramWithSource(g.ctx, 1, &sp, NULL, &err);
		CU_ASSERT_FATAL(pr != NULL);
		snprintf(opts, sizeof opts, "-I %s -DLF_ADD_BLK_MUL_LANES=%d",
			 dir, lanes[li]);
		err = clBuildProgram(pr, 1, &g.dev, opts, NULL, NULL);
		if (err != CL_SUCCESS)
			print_build_log(pr, "add.c");
		CU_ASSERT_FATAL(err == CL_SUCCESS);
		cl_kernel kn = clCreateKernel(pr, "lfk_add", &err);
		CU_ASSERT_FATAL(kn != NULL);
		for (int i = 0; i <= lf_kpc_blk_mul_shapes_n; i++) {
			struct lf_rng r;
			struct lf_kc_launch l, s;
			lf_rng_seed(&r, seed + (uint64_t)(li * 64 + (size_t)i));
			if (i < lf_kpc_blk_mul_shapes_n) {
				CU_ASSERT_EQUAL_FATAL(
				    lf_kpc_blk_mul_shape(&r, i, &l), 0);
			} else { /* every (a, b) pair, converted */
				CU_ASSERT_EQUAL_FATAL(lf_kpc_mul_pairs(&r, &s),
						      0);
				CU_ASSERT_EQUAL_FATAL(
				    lf_kpc_blk_convert(&r, &s, &l), 0);
				lf_kc_free(&s);
			}
			lf_desc *d = lf_kc_xmalloc(sizeof(lf_desc) * l.ndesc);
			memcpy(d, l.desc, sizeof(lf_desc) * l.ndesc);
			uint8_t *a = lf_kc_xmalloc(l.act_bytes);
			memcpy(a, l.act, l.act_bytes);
			int bad =
			    run_cl_kernel(kn, "lfk_add", d, l.ndesc, l.params,
					  l.params_bytes, a, l.act_bytes) != 0;
			for (uint32_t j = 0; !bad && j < l.ndesc; j++)
				bad = d[j].status != LF_KST_OK;
			if (bad || lf_kc_compare(&l, a, "OpenCL lanes", seed,
						 (int)li * 64 + i) != 0) {
				fprintf(stderr, "  (LF_ADD_BLK_MUL_LANES=%d)\n",
					lanes[li]);
				fails++;
			}
			runs++;
			free(a);
			free(d);
			lf_kc_free(&l);
		}
		clReleaseKernel(kn);
		clReleaseProgram(pr);
	}
	free(src);
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT_EQUAL(runs, 4 * (lf_kpc_blk_mul_shapes_n + 1));
}

/*
 * The blocked conv datapath (LF_DF_BLK, test_kernels_blk.c's shape cases)
 * through lfk_conv2d and lfk_engine: the same bytes as host C and the
 * reference, on the OpenCL build of the same source.
 */
static void test_blocked_conv(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0c1b10c;
	int fails = 0;
	/* the shapes, then the bands of several images */
	for (int i = 0; i < lf_kc_blk_ncases + lf_kc_blk_nband; i++) {
		struct lf_kc_launch l;
		const struct lf_kc_blk *c =
		    i < lf_kc_blk_ncases
			? &lf_kc_blk_cases[i]
			: &lf_kc_blk_band_cases[i - lf_kc_blk_ncases];
		CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(seed + (uint64_t)i, c, &l),
				      0);
		if (check_launch(&l, 0, seed, i) != 0 ||
		    check_launch(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * LF_DF_WPRE (lf_desc.h "Next block ahead") on the OpenCL build, which
 * has no resident block (LF_BLK_WRES_OCL 0) and takes the flag without
 * acting on it: each shape case followed by the next in one list, the
 * flag on the first, on both kernels: the reference's bytes from OpenCL
 * and from host C (which loads ahead where it pays).
 */
static void test_prefetch(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x3fe7a1;
	int fails = 0;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch a, b, l;
		int j = (i + 1) % lf_kc_blk_ncases;
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(seed + (uint64_t)i, &lf_kc_blk_cases[i], &a),
		    0);
		CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(seed + 100 + (uint64_t)j,
						     &lf_kc_blk_cases[j], &b),
				      0);
		lf_kc_blk_pair(&a, &b, &l);
		l.desc[0].flags |= LF_DF_WPRE;
		if (check_launch(&l, 0, seed, i) != 0 ||
		    check_launch(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
		lf_kc_free(&a);
		lf_kc_free(&b);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * Blocked layers computed in parts (lf_desc.h y_rows, y_blks), as the
 * host splits a layer across CUs: every conv shape and random pools,
 * adds and muls, cut at random rows and channel blocks, as one engine
 * launch of their parts: the whole layer's bytes (the reference's) on
 * the OpenCL build as in host C.
 */
static void test_parts(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0c9a27;
	int fails = 0, empty;
	for (int i = 0; i < lf_kc_blk_ncases + 12; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		lf_rng_seed(&r, seed + (uint64_t)i);
		int rc = i < lf_kc_blk_ncases
			     ? lf_kc_blk_conv(seed + (uint64_t)i,
					      &lf_kc_blk_cases[i], &l)
			     : lf_kpc_random_blk(&r, &l);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		lf_kc_part_split(&l, &r, -1, &empty);
		if (check_launch(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * Pad input lanes whose weights are NOT their channel's w_zp (a host that
 * broke lf_desc.h's packing rule): the array then sums garbage, and the
 * emulator's MAC (lf_conv_blk.h blk_host_last) must not take its shortcut
 * of dropping those lanes. The blocked dense shape cases with ic not a
 * multiple of 64, their pad-lane weights random: host C (AVX2 and SSE2
 * paths) byte for byte as the OpenCL build of the loop as written (no
 * reference: the result is the array's, not a convolution's). The dense
 * cases with correct packing are test_blocked_conv's.
 */
extern int lfk__blk_isa;
static void test_blocked_pad_weights(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0c1bad;
	int runs = 0, fails = 0, garbage = 0;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		const struct lf_kc_blk *c = &lf_kc_blk_cases[i];
		/* (folded cases: another weight layout, pad lanes from kw * ic)
		 */
		if (c->dwise || c->fold || c->ic % LF_BLK_LANES == 0)
			continue;
		struct lf_kc_launch l;
		CU_ASSERT_EQUAL_FATAL(lf_kc_blk_conv(seed + (uint64_t)i, c, &l),
				      0);
		struct lf_rng r;
		lf_rng_seed(&r, seed + (uint64_t)i);
		uint32_t icb =
		    (uint32_t)(c->ic + LF_BLK_LANES - 1) / LF_BLK_LANES;
		uint32_t ocb =
		    (uint32_t)(c->oc + LF_BLK_LANES - 1) / LF_BLK_LANES;
		uint8_t *w = l.params + l.desc[0].w_off;
		/* rows (ob, a, b, ib, o) of 64 lanes: the last ib's pad lanes
		 */
		for (uint32_t row = 0;
		     row < ocb * (uint32_t)(c->kh * c->kw) * icb * LF_BLK_LANES;
		     row++) {
			uint32_t ib = row / LF_BLK_LANES % icb;
			for (uint32_t ln = 0;
			     ib == icb - 1 && ln < LF_BLK_LANES; ln++)
				if (ib * LF_BLK_LANES + ln >= (uint32_t)c->ic)
					w[(size_t)row * LF_BLK_LANES + ln] =
					    (uint8_t)lf_rng_u32(&r);
		}
		uint8_t *ac = malloc(l.act_bytes), *ah = malloc(l.act_bytes);
		CU_ASSERT_FATAL(ac != NULL && ah != NULL);
		for (int isa = 0; isa < 2; isa++)
			for (int k = 0; k < 2; k++) {
				lf_desc dc = l.desc[0], dh = l.desc[0];
				int kn = k ? K_ENGINE : K_CONV;
				memcpy(ac, l.act, l.act_bytes);
				memcpy(ah, l.act, l.act_bytes);
				CU_ASSERT_EQUAL_FATAL(
				    run_cl(kn, &dc, 1, l.params, l.params_bytes,
					   ac, l.act_bytes),
				    0);
				lfk__blk_isa = isa;
				host_call(kn, &dh, 1, l.params, l.params_bytes,
					  ah, l.act_bytes);
				lfk__blk_isa = 0;
				runs++;
				if (dc.status != LF_KST_OK ||
				    dh.status != LF_KST_OK ||
				    memcmp(ac, ah, l.act_bytes) != 0) {
					fprintf(stderr,
						"\npad weights: case %d isa %d "
						"%s: status %d / %d, bytes "
						"%s\n  %s\n",
						i, isa, k_name[kn], dc.status,
						dh.status,
						memcmp(ac, ah, l.act_bytes)
						    ? "differ"
						    : "same",
						l.what);
					fails++;
				}
			}
		/* The garbage can show (not the convolution's bytes) where
		 * the array sums pad lanes, in an IC chunk with real
		 * channels (unless the outputs saturate): it must somewhere. */
		if (c->ic % LF_BLK_IC != 0 &&
		    memcmp(ah, l.expect, l.act_bytes) != 0)
			garbage++;
		free(ac);
		free(ah);
		lf_kc_free(&l);
	}
	CU_ASSERT(runs >= 8);
	CU_ASSERT(garbage >= 2);
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * The output table (LF_DF_LUT) on the OpenCL build: the blocked shape
 * cases and random NCHW convs with a random permutation table, through
 * lfk_conv2d and lfk_engine; the same bytes as host C and the reference
 * looked up by the test.
 */
static void test_lut(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0c1a7b;
	int fails = 0, nchw = 0;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		uint8_t tb[LF_LUT_BYTES];
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(seed + (uint64_t)i, &lf_kc_blk_cases[i], &l),
		    0);
		lf_rng_seed(&r, seed + 7 * (uint64_t)i);
		lf_kc_random_table(&r, tb);
		CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
		if (check_launch(&l, 0, seed, i) != 0 ||
		    check_launch(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	for (int i = 0; nchw < 6 && i < 40; i++) {
		struct lf_rng r;
		struct lf_kc_launch l;
		uint8_t tb[LF_LUT_BYTES];
		lf_rng_seed(&r, seed * 0x9e3779b97f4a7c15ull + (uint64_t)i + 1);
		CU_ASSERT_EQUAL_FATAL(lf_kc_random_conv(&r, 0, &l), 0);
		lf_kc_random_table(&r, tb);
		if (lf_kc_add_lut(&l, tb) == 0) {
			nchw++;
			if (check_launch(&l, 0, seed, 100 + i) != 0 ||
			    check_launch(&l, 1, seed, 100 + i) != 0)
				fails++;
		}
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(nchw, 6);
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * A placed output (LF_DF_YCB) on the OpenCL build: the blocked shape
 * cases written into a wider tensor, half with an output table, through
 * lfk_conv2d and lfk_engine; the blocks around it untouched.
 */
static void test_ycb(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0c19cb;
	int fails = 0;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		struct lf_kc_launch l;
		struct lf_rng r;
		uint8_t tb[LF_LUT_BYTES];
		CU_ASSERT_EQUAL_FATAL(
		    lf_kc_blk_conv(seed + (uint64_t)i, &lf_kc_blk_cases[i], &l),
		    0);
		lf_rng_seed(&r, seed + 5 * (uint64_t)i);
		if (i % 2) {
			lf_kc_random_table(&r, tb);
			CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
		}
		CU_ASSERT_EQUAL_FATAL(lf_kc_place_ycb(&l, (uint32_t)(i % 2),
						      1 + (uint32_t)(i % 3),
						      &r),
				      0);
		if (check_launch(&l, 0, seed, i) != 0 ||
		    check_launch(&l, 1, seed, i) != 0)
			fails++;
		lf_kc_free(&l);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * A fused residual add (LF_DF_ADD) on the OpenCL build: every blocked
 * shape case, both operand orders, the add's ReLU on a third, an output
 * table before the add on a quarter, placed (LF_DF_YCB) on a fifth,
 * exact ties often, through lfk_conv2d and lfk_engine, against the CPU
 * reference's conv then QLinearAdd (lf_kc_fuse_add): the OpenCL C build
 * of the fmas gives the same bytes as host C.
 */
static void test_fuse_add(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0cadd;
	int fails = 0;
	for (int i = 0; i < lf_kc_blk_ncases; i++) {
		for (int k = 0; k < 2; k++) {
			int j = 2 * i + k;
			struct lf_kc_launch l;
			struct lf_rng r;
			uint8_t tb[LF_LUT_BYTES];
			CU_ASSERT_EQUAL_FATAL(
			    lf_kc_blk_conv(seed + (uint64_t)j,
					   &lf_kc_blk_cases[i], &l),
			    0);
			lf_rng_seed(&r, seed + 11 * (uint64_t)j);
			if (j % 4 == 1) {
				lf_kc_random_table(&r, tb);
				CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
			}
			CU_ASSERT_EQUAL_FATAL(lf_kc_fuse_variant(&l, &r, j, k),
					      0);
			if (check_launch(&l, 0, seed, j) != 0 ||
			    check_launch(&l, 1, seed, j) != 0)
				fails++;
			lf_kc_free(&l);
		}
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * A fused max pool (LF_DF_POOL) on the OpenCL build: every conv + max
 * pool case (kernels_blk's), an output table before the pool on a third,
 * whole and in parts (random row and block cuts: parts of the pooled
 * rows, their halo conv rows computed twice), through lfk_conv2d and
 * lfk_engine, against the CPU reference's conv then MaxPool
 * (lf_kc_fuse_pool): the engine's __local budget holds (the accumulators
 * are the pool's row buffers, lent).
 */
static void test_fuse_pool(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	uint64_t seed = lf_kc_seed() ^ 0x0cf001;
	int fails = 0, empty;
	for (int i = 0; i < lf_kc_fpool_ncases; i++) {
		for (int k = 0; k < 2; k++) {
			const struct lf_kc_fpool *f = &lf_kc_fpool_cases[i];
			int j = 2 * i + k;
			struct lf_kc_launch l;
			struct lf_rng r;
			uint8_t tb[LF_LUT_BYTES];
			CU_ASSERT_EQUAL_FATAL(
			    lf_kc_blk_conv(seed + (uint64_t)j,
					   &lf_kc_blk_cases[f->conv], &l),
			    0);
			lf_rng_seed(&r, seed + 13 * (uint64_t)j);
			if (j % 3 == 1) {
				lf_kc_random_table(&r, tb);
				CU_ASSERT_EQUAL_FATAL(lf_kc_add_lut(&l, tb), 0);
			}
			CU_ASSERT_EQUAL_FATAL(lf_kc_fuse_pool(&l, &f->p, &r),
					      0);
			if (check_launch(&l, 0, seed, j) != 0 ||
			    check_launch(&l, 1, seed, j) != 0)
				fails++;
			lf_kc_part_split(&l, &r, -1, &empty);
			if (check_launch(&l, 1, seed, j) != 0)
				fails++;
			lf_kc_free(&l);
		}
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/*
 * The status protocol through OpenCL: a bad second descriptor stops the
 * list, the third stays PENDING, nothing of theirs is written.
 */
static void test_status(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	struct lf_rng r;
	struct lf_kc_launch l;
	lf_rng_seed(&r, 0x0c15);
	CU_ASSERT_EQUAL_FATAL(lf_kc_random_matmul(&r, 0, &l), 0);
	lf_desc d[3] = {l.desc[0], l.desc[0], l.desc[0]};
	d[1].op = LF_KOP_CONV2D;
	uint8_t *act = malloc(l.act_bytes);
	CU_ASSERT_FATAL(act != NULL);
	memcpy(act, l.act, l.act_bytes);
	CU_ASSERT_EQUAL(
	    run_cl(K_MATMUL, d, 3, l.params, l.params_bytes, act, l.act_bytes),
	    0);
	CU_ASSERT_EQUAL(d[0].status, LF_KST_OK);
	CU_ASSERT_EQUAL(d[1].status, LF_KST_BAD_OP);
	CU_ASSERT_EQUAL(d[2].status, LF_KST_PENDING);
	CU_ASSERT(memcmp(act, l.expect, l.act_bytes) == 0);
	free(act);
	lf_kc_free(&l);
}

/*
 * The checksum op (LF_KOP_CSUM) through PoCL: random ranges (unaligned
 * starts and lengths, empty, the whole of act), three a list with their
 * digests in the last descriptor's words, the same list words as the
 * host-C build and csum_ref's digests; a range past act's last whole
 * beat LF_KST_BOUNDS, the rest PENDING.
 */
static void test_csum(void)
{
	if (g.state != 1) {
		CU_ASSERT(g.state == 2);
		return;
	}
	struct lf_rng r;
	lf_rng_seed(&r, 0xc5c6);
	const uint32_t ab = 64 * 97 + 20; /* a partial last beat */
	uint8_t *act = malloc(ab), *hact = malloc(ab);
	CU_ASSERT_FATAL(act && hact);
	for (uint32_t i = 0; i < ab; i++)
		act[i] = (uint8_t)lf_rng_u32(&r);
	memcpy(hact, act, ab);
	uint8_t params[64] = {0};
	int bad = 0;
	for (int c = 0; c < 40; c++) {
		lf_desc d[3], h[3];
		uint32_t off[3], len[3];
		for (int j = 0; j < 3; j++) {
			uint32_t whole = 64 * 97;
			off[j] = (uint32_t)lf_rng_range(&r, 0, (int)whole - 1);
			int kind = lf_rng_range(&r, 0, 3);
			uint32_t room = whole - off[j];
			len[j] = kind == 0 ? 0
				 : kind == 1
				     ? room
				     : (uint32_t)lf_rng_range(&r, 1, (int)room);
			if (c == 0 && j == 0) {
				off[0] = 0;
				len[0] = whole;
			}
			memset(&d[j], 0, sizeof(d[j]));
			d[j].magic = LF_DESC_MAGIC;
			d[j].op = LF_KOP_CSUM;
			d[j].x_off = off[j];
			d[j].csum_len = len[j];
			d[j].y_off = 2 * LF_DESC_WORDS + 4 + 4 * (uint32_t)j;
		}
		memcpy(h, d, sizeof(d));
		if (run_cl(K_ENGINE, d, 3, params, 64, act, ab) != 0) {
			bad++;
			break;
		}
		lfk_engine(lf_desc_words(h), 3, LF_KC_P(params), 64,
			   LF_KC_A(hact), ab);
		const uint32_t *w = lf_desc_words(d);
		for (int j = 0; j < 3; j++) {
			uint32_t want[4];
			csum_ref(act, off[j], len[j], want);
			if (d[j].status != LF_KST_OK ||
			    memcmp(w + 2 * LF_DESC_WORDS + 4 + 4 * j, want,
				   16) != 0)
				bad++;
		}
		if (memcmp(d, h, sizeof(d)) != 0 || memcmp(act, hact, ab) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* the last beat is partial: a range ending in it is refused */
	lf_desc e[2];
	memset(e, 0, sizeof(e));
	for (int j = 0; j < 2; j++) {
		e[j].magic = LF_DESC_MAGIC;
		e[j].op = LF_KOP_CSUM;
		e[j].x_off = 64 * 97;
		e[j].csum_len = 1;
		e[j].y_off = 4;
	}
	CU_ASSERT_EQUAL(run_cl(K_ENGINE, e, 2, params, 64, act, ab), 0);
	CU_ASSERT_EQUAL(e[0].status, LF_KST_BOUNDS);
	CU_ASSERT_EQUAL(e[1].status, LF_KST_PENDING);
	free(act);
	free(hact);
}

void lf_test_suite_kernels_opencl(void)
{
	static const struct lf_test_case cases[] = {
	    {"build", test_build},
	    {"conv", test_conv},
	    {"matmul", test_matmul},
	    {"pool", test_pool},
	    {"add", test_add},
	    {"mul", test_mul},
	    {"engine", test_engine},
	    {"status", test_status},
	    {"blocked_conv", test_blocked_conv},
	    {"blocked", test_blocked},
	    {"blocked_mul_lanes", test_blocked_mul_lanes},
	    {"blocked_rows", test_blocked_rows},
	    {"lut", test_lut},
	    {"ycb", test_ycb},
	    {"fuse_add", test_fuse_add},
	    {"fuse_pool", test_fuse_pool},
	    {"blocked_pad_weights", test_blocked_pad_weights},
	    {"parts", test_parts},
	    {"csum", test_csum},
	    {"prefetch", test_prefetch},
	    {NULL, NULL},
	};
	lf_test_add_suite("kernels_opencl", NULL, suite_clean, cases);
}
