/*
 * test_emu_trust.c - the "emu_trust" suite: the emulated card runs only
 * kernel code it trusts (driver/emu/emu_trust.c; reliability review 2.7).
 *
 * The crafted BITSTREAM is $(BUILD)/tests/emu_ctor.so, a shared object
 * whose constructor creates the file named by LF_TEST_CTOR_MARK: if the
 * file exists afterwards, the emulator loaded foreign code. By default it
 * must not, on every way an xclbin reaches the emulator (the CLI's
 * --xclbin and LAYERFAB_XCLBIN, lf_context_create, the device core's
 * so_path door that XRT's device process uses); with the explicit opt-in
 * (LAYERFAB_TRUST_XCLBIN=1, the device option trust_xclbin=1) it does,
 * which shows the mark really detects a load. The library's own kernel
 * builds pass without opt-in; their digests are checked against
 * coreutils' sha256sum, an implementation independent of base/lf_sha256.c.
 */
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/lf_file.h"
#include "base/lf_sha256.h"
#include "driver/emu/emu.h"
#include "driver/xclbin/xclbin.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_cli_util.h"

#define MODEL "models/fmnist_qop.onnx"

static char g_dir[64], g_xclbin[128], g_mark[128], g_so[512];

static int exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* An aws-f1 xclbin whose BITSTREAM is emu_ctor.so, kernel lfk_conv2d. */
static int suite_init(void)
{
	struct lf_xclbin_spec *spec = calloc(1, sizeof(*spec));
	uint8_t *so = NULL, *img = NULL;
	size_t so_n = 0, img_n = 0;
	char err[256];
	FILE *f;
	int rc = -1;

	snprintf(g_dir, sizeof(g_dir), "/tmp/lf_trust_XXXXXX");
	snprintf(g_so, sizeof(g_so), "%s/tests/emu_ctor.so",
		 lf_test_build_dir());
	if (!spec || !mkdtemp(g_dir))
		goto out;
	snprintf(g_xclbin, sizeof(g_xclbin), "%s/ctor.xclbin", g_dir);
	snprintf(g_mark, sizeof(g_mark), "%s/ctor-ran", g_dir);
	if (lf__file_read(g_so, 1 << 24, &so, &so_n, err, sizeof(err)) !=
	    LF_OK) {
		fprintf(stderr, "\n%s\n", err);
		goto out;
	}
	spec->platform = lf__xclbin_platform_find("aws-f1");
	spec->bitstream = so;
	spec->bitstream_size = so_n;
	spec->nkernels = 1;
	snprintf(spec->kernels[0].name, sizeof(spec->kernels[0].name),
		 "lfk_conv2d");
	spec->kernels[0].ncus = 1;
	if (lf__xclbin_build(spec, &img, &img_n, err, sizeof(err)) != LF_OK)
		goto out;
	f = fopen(g_xclbin, "wb");
	if (f && fwrite(img, 1, img_n, f) == img_n)
		rc = 0;
	if (f)
		fclose(f);
out:
	free(so);
	free(img);
	free(spec);
	setenv("LF_TEST_CTOR_MARK", g_mark, 1);
	return rc;
}

static int suite_clean(void)
{
	unsetenv("LF_TEST_CTOR_MARK");
	unlink(g_mark);
	unlink(g_xclbin);
	return rmdir(g_dir);
}

/* FIPS 180-4's examples, and the build's kernels against sha256sum. */
static void test_sha256(void)
{
	char hex[65], cmd[600], want[65] = "";
	uint8_t *so = NULL;
	size_t n = 0;
	char path[512], err[256];
	FILE *p;

	lf__sha256_hex("abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223"
				    "b00361a396177a9cb410ff61f20015ad");
	lf__sha256_hex("", 0, hex);
	CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				    "27ae41e4649b934ca495991b7852b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomno"
			  "pnopq";
	lf__sha256_hex(two, strlen(two), hex);
	CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039"
				    "a33ce45964ff2167f6ecedd419db06c1");

	snprintf(path, sizeof(path), "%s/hls/lfkernels.so",
		 lf_test_build_dir());
	CU_ASSERT_EQUAL_FATAL(
	    lf__file_read(path, 1u << 30, &so, &n, err, sizeof(err)), LF_OK);
	lf__sha256_hex(so, n, hex);
	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(fscanf(p, "%64s", want), 1);
	pclose(p);
	CU_ASSERT_STRING_EQUAL(hex, want);
	free(so);
}

/* Every emulation xclbin the build made runs without any opt-in. */
static void test_own_kernels_trusted(void)
{
	char pattern[512], err[512];
	glob_t g;

	unsetenv("LAYERFAB_TRUST_XCLBIN");
	snprintf(pattern, sizeof(pattern), "%s/bitstreams/emu-*.xclbin",
		 lf_test_build_dir());
	CU_ASSERT_EQUAL_FATAL(glob(pattern, 0, NULL, &g), 0);
	CU_ASSERT(g.gl_pathc >= 1);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct lf_xclbin *x = NULL;
		CU_ASSERT_EQUAL_FATAL(
		    lf__xclbin_load(g.gl_pathv[i], &x, err, sizeof(err)),
		    LF_OK);
		lf_status st = lf__emu_trust_check(x->bitstream,
						   x->bitstream_size, 0, "it");
		if (st != LF_OK)
			fprintf(stderr, "\n%s: %s\n", g.gl_pathv[i],
				lf__drv_last_error());
		CU_ASSERT_EQUAL(st, LF_OK);
		lf__xclbin_free(x);
	}
	globfree(&g);
	/* The contexts tests and the CLI use, on the default device. */
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	lf_context_destroy(ctx);
}

/* Run the CLI on the crafted xclbin; the mark tells whether it loaded. */
static void cli_case(const char *what, const char *const *env,
		     const char *device, int via_env_xclbin, int want_loaded)
{
	const char *argv_x[] = {"run",	    MODEL,    "--device", device,
				"--xclbin", g_xclbin, NULL};
	const char *argv_e[] = {"run", MODEL, "--device", device, NULL};
	struct cli_res r;

	unlink(g_mark);
	lf_test_cli_run(&r, env, "layerfab", via_env_xclbin ? argv_e : argv_x);
	if (r.status <= 0 || exists(g_mark) != want_loaded)
		fprintf(stderr, "\n%s: status %d, constructor %s\n%s\n", what,
			r.status, exists(g_mark) ? "ran" : "did not run",
			r.err);
	/* Never a success: the code has no kernels, trusted or not. */
	CU_ASSERT_TRUE(r.status > 0 && r.status != 127);
	CU_ASSERT_EQUAL(exists(g_mark), want_loaded);
	if (!want_loaded)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LAYERFAB_TRUST_XCLBIN"));
	cli_res_free(&r);
}

static void test_crafted_cli(void)
{
	char xenv[160];
	snprintf(xenv, sizeof(xenv), "LAYERFAB_XCLBIN=%s", g_xclbin);
	const char *none[] = {"LAYERFAB_TRUST_XCLBIN", NULL};
	const char *zero[] = {"LAYERFAB_TRUST_XCLBIN=0", NULL};
	const char *by_env[] = {"LAYERFAB_TRUST_XCLBIN", xenv, NULL};
	const char *yes[] = {"LAYERFAB_TRUST_XCLBIN=1", NULL};
	const char *bogus[] = {"LAYERFAB_TRUST_XCLBIN=yes", NULL};

	cli_case("--xclbin, default", none, "emu", 0, 0);
	cli_case("--xclbin, TRUST=0", zero, "emu", 0, 0);
	cli_case("LAYERFAB_XCLBIN, default", by_env, "emu", 1, 0);
	cli_case("--xclbin, TRUST=1", yes, "emu", 0, 1);
	cli_case("--xclbin, trust_xclbin=1", none, "emu,trust_xclbin=1", 0, 1);

	/* A value that is neither 0 nor 1 is an error, not a yes. */
	struct cli_res r;
	const char *argv[] = {"run",	  MODEL,    "--device", "emu",
			      "--xclbin", g_xclbin, NULL};
	unlink(g_mark);
	lf_test_cli_run(&r, bogus, "layerfab", argv);
	CU_ASSERT_TRUE(r.status > 0);
	CU_ASSERT_FALSE(exists(g_mark));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LAYERFAB_TRUST_XCLBIN=yes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LF_ERR_INVALID_ARG"));
	cli_res_free(&r);
}

/* The library call, in this process. */
static void test_crafted_api(void)
{
	lf_context *ctx = NULL;

	unsetenv("LAYERFAB_TRUST_XCLBIN");
	unlink(g_mark);
	CU_ASSERT_EQUAL(lf_context_create("emu", g_xclbin, &ctx),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(lf_last_error(), "not one of the "
						       "kernel builds"));
	CU_ASSERT_FALSE(exists(g_mark));
	CU_ASSERT_EQUAL(lf_context_create("emu,trust_xclbin=2", NULL, &ctx),
			LF_ERR_INVALID_ARG);

	/* lf_options: trust_xclbin 1 opts in (loaded: the constructor ran,
	 * then refused for lacking kernels); 0 refuses even with
	 * LAYERFAB_TRUST_XCLBIN=1. */
	lf_options *o = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_options_create(&o), LF_OK);
	CU_ASSERT_EQUAL(lf_options_set_trust_xclbin(o, 1), LF_OK);
	unlink(g_mark);
	CU_ASSERT_EQUAL(lf_context_create_opts("emu", g_xclbin, o, &ctx),
			LF_ERR_BAD_FILE);
	CU_ASSERT_TRUE(exists(g_mark));
	CU_ASSERT_EQUAL(lf_options_set_trust_xclbin(o, 0), LF_OK);
	setenv("LAYERFAB_TRUST_XCLBIN", "1", 1);
	unlink(g_mark);
	CU_ASSERT_EQUAL(lf_context_create_opts("emu", g_xclbin, o, &ctx),
			LF_ERR_BAD_FILE);
	CU_ASSERT_FALSE(exists(g_mark));
	CU_ASSERT_PTR_NULL(ctx);
	unsetenv("LAYERFAB_TRUST_XCLBIN");
	lf_options_destroy(o);
}

/* The device core's door for XRT's device process: the kernels come as a
 * file (the shim's dlopenfilename). Refused unless the device opts in. */
static void test_so_path_door(void)
{
	struct lf_emu_config cfg = {.launch_ns = LF_EMU_DEFAULT,
				    .dma_setup_ns = LF_EMU_DEFAULT};
	struct lf_xclbin *x = NULL;
	char err[256];
	lf_emu *e = NULL;

	unsetenv("LAYERFAB_TRUST_XCLBIN");
	CU_ASSERT_EQUAL_FATAL(lf__xclbin_load(g_xclbin, &x, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__emu_profile_find("aws-f1", &cfg.profile),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__emu_create(&cfg, &e), LF_OK);
	unlink(g_mark);
	CU_ASSERT_EQUAL(lf__emu_load(e, x, g_so), LF_ERR_BAD_FILE);
	CU_ASSERT_FALSE(exists(g_mark));
	lf__emu_destroy(e);

	cfg.trust_xclbin = 1;
	CU_ASSERT_EQUAL_FATAL(lf__emu_create(&cfg, &e), LF_OK);
	/* Loaded (the constructor ran), then refused for lacking kernels. */
	CU_ASSERT_EQUAL(lf__emu_load(e, x, g_so), LF_ERR_BAD_FILE);
	CU_ASSERT_TRUE(exists(g_mark));
	lf__emu_destroy(e);
	lf__xclbin_free(x);
}

void lf_test_suite_emu_trust(void)
{
	static const struct lf_test_case cases[] = {
	    {"sha256", test_sha256},
	    {"own_kernels_trusted", test_own_kernels_trusted},
	    {"crafted_cli", test_crafted_cli},
	    {"crafted_api", test_crafted_api},
	    {"so_path_door", test_so_path_door},
	    {NULL, NULL}};
	lf_test_add_suite("emu_trust", suite_init, suite_clean, cases);
}
