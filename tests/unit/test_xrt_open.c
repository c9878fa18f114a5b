/*
 * test_xrt_open.c - the "xrt_open" suite: asking for an XRT device on a
 * host where XRT cannot open one ends in a clean error, never in XRT's
 * SIGABRT (an uncaught C++ exception from xrtDeviceOpen: "XILINX_XRT not
 * set", "No such library .../libxrt_core.so.2"; reliability review 2.1).
 *
 * Every path the review found aborting is run in a child process: the
 * CLI's run, bench and conformance with --device, LAYERFAB_DEVICE, a
 * multi-device string, and lf_context_create() itself. The child must
 * exit (not die of a signal) with a non-zero status and say how to set
 * XRT up (or that no card was found). This host has no card, and the
 * tests assume so: on a machine with one, `layerfab devices` lists it and
 * the "no card" cases are skipped. Without the XRT backend built, the
 * same calls must fail cleanly too ("not built into this library").
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/driver.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_cli_util.h"

#define MODEL "models/fmnist_qop.onnx"

/* Installed by libxrt-dev/libxrt2 on Debian 12; XRT's hardware shim. */
#define SYSTEM_SHIM "/usr/lib/x86_64-linux-gnu/libxrt_core.so.2"

/* The environment of every case: no emulation, no default device. */
#define BASE_ENV "XCL_EMULATION_MODE", "LAYERFAB_DEVICE"

/* What the error must say: how to set XRT up, or that there is no card
 * (with the XRT backend built), or that it is not built. */
static int says_why(const char *err)
{
	return strstr(err, "XILINX_XRT") || strstr(err, "no card") ||
	       strstr(err, "not built");
}

static void expect_clean(const char *what, const char *const *env,
			 const char *const *argv)
{
	struct cli_res r;
	lf_test_cli_run(&r, env, "layerfab", argv);
	if (r.signal || r.status <= 0 || !says_why(r.err))
		fprintf(stderr, "\n%s: status %d signal %d\n%s\n", what,
			r.status, r.signal, r.err);
	CU_ASSERT_EQUAL(r.signal, 0);
	CU_ASSERT_TRUE(r.status > 0 && r.status != 127);
	CU_ASSERT_TRUE(says_why(r.err));
	CU_ASSERT_PTR_NULL(strstr(r.err, "terminate called"));
	cli_res_free(&r);
}

/* XILINX_XRT unset: the CLI paths of the review, each in a child. */
static void test_cli_paths_no_xrt_env(void)
{
	static const char *const env[] = {BASE_ENV, "XILINX_XRT", NULL};
	static const char *const dev_env[] = {BASE_ENV, "XILINX_XRT",
					      "LAYERFAB_DEVICE=xrt:0", NULL};
	static const char *const run0[] = {"run", MODEL, "--device", "xrt:0",
					   NULL};
	static const char *const run1[] = {"run", MODEL, "--device", "xrt:1",
					   NULL};
	static const char *const multi[] = {"run", MODEL, "--device",
					    "emu+xrt:0", NULL};
	static const char *const dflt[] = {"run", MODEL, NULL};
	static const char *const bench[] = {
	    "bench", MODEL, "--device", "xrt:1", "--iters", "1", NULL};
	static const char *const conf[] = {"conformance", "tests/data/onnx",
					   "--device", "xrt:0", NULL};
	expect_clean("run --device xrt:0", env, run0);
	expect_clean("run --device xrt:1", env, run1);
	expect_clean("run --device emu+xrt:0", env, multi);
	expect_clean("LAYERFAB_DEVICE=xrt:0 run", dev_env, dflt);
	expect_clean("bench --device xrt:1", env, bench);
	expect_clean("conformance --device xrt:0", env, conf);
}

/* XILINX_XRT naming a prefix without lib/libxrt_core.so.2. */
static void test_cli_bad_xrt_prefix(void)
{
	static const char *const none[] = {BASE_ENV, "XILINX_XRT=/nonexistent",
					   NULL};
	static const char *const usr[] = {BASE_ENV, "XILINX_XRT=/usr", NULL};
	static const char *const run0[] = {"run", MODEL, "--device", "xrt:0",
					   NULL};
	struct cli_res r;
	expect_clean("XILINX_XRT=/nonexistent", none, run0);
	expect_clean("XILINX_XRT=/usr", usr, run0);
#if defined(LF_HAVE_XRT)
	/* The message names the variable's value and the missing file. */
	lf_test_cli_run(&r, none, "layerfab", run0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "XILINX_XRT=/nonexistent"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "libxrt_core.so.2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LF_ERR_NOT_FOUND"));
	cli_res_free(&r);
#else
	(void)r;
#endif
}

/* A prefix whose lib/libxrt_core.so.2 is the real shim passes the
 * environment check; then enumeration (no card here) must refuse before
 * XRT is called. */
static void test_cli_no_card(void)
{
#if defined(LF_HAVE_XRT)
	char dir[] = "/tmp/lf_xrt_prefix_XXXXXX", lib[128], link[160],
	     envv[160];
	static const char *const run0[] = {"run", MODEL, "--device", "xrt:0",
					   NULL};
	const char *env[] = {BASE_ENV, envv, NULL};
	struct cli_res r;

	if (access(SYSTEM_SHIM, R_OK) != 0) {
		fprintf(stderr, "\nSKIP: no %s\n", SYSTEM_SHIM);
		return;
	}
	run_cli(&r, "devices");
	/* "PCIe FPGA cards (/sys/bus/pci): 0" */
	const char *cards = strstr(r.out, "PCIe FPGA cards");
	const char *colon = cards ? strchr(cards, ':') : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(colon);
	if (strncmp(colon, ": 0\n", 4) != 0) {
		fprintf(stderr, "\nSKIP: this host lists FPGA cards\n");
		cli_res_free(&r);
		return;
	}
	cli_res_free(&r);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(lib, sizeof(lib), "%s/lib", dir);
	snprintf(link, sizeof(link), "%s/libxrt_core.so.2", lib);
	snprintf(envv, sizeof(envv), "XILINX_XRT=%s", dir);
	CU_ASSERT_FATAL(mkdir(lib, 0755) == 0);
	CU_ASSERT_FATAL(symlink(SYSTEM_SHIM, link) == 0);

	expect_clean("no card, xrt:0", env, run0);
	lf_test_cli_run(&r, env, "layerfab", run0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "no card xrt:0"));
	CU_ASSERT_PTR_NULL(strstr(r.err, "[XRT]")); /* XRT never called */
	cli_res_free(&r);
	/* By PCI address, through the driver (hostlib's device strings do
	 * not take one yet), in a child. */
	fflush(NULL);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		lf_dev *dev = NULL;
		setenv("XILINX_XRT", dir, 1);
		unsetenv("XCL_EMULATION_MODE");
		lf_status st = lf__dev_open("xrt:0000:65:00.1", &dev);
		_exit(st == LF_ERR_NOT_FOUND && !dev &&
			      strstr(lf__drv_last_error(), "no card at")
			  ? 0
			  : 1);
	}
	int ws = 0;
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &ws, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);

	unlink(link);
	rmdir(lib);
	rmdir(dir);
#endif
}

/* lf_context_create("xrt:0") in a forked child: the library, not only the
 * CLI, must return an error status. */
static void test_context_create(void)
{
	static const char *const prefixes[] = {NULL, "/nonexistent", "/usr"};
	for (size_t i = 0; i < 3; i++) {
		pid_t pid;
		int ws = 0;
		fflush(NULL);
		pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			lf_context *ctx = NULL;
			lf_status st;
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 2);
			unsetenv("XCL_EMULATION_MODE");
			if (prefixes[i])
				setenv("XILINX_XRT", prefixes[i], 1);
			else
				unsetenv("XILINX_XRT");
			st = lf_context_create("xrt:0", NULL, &ctx);
			/* 0: an error status and ctx untouched. */
			_exit(st < 0 && ctx == NULL ? 0 : 1);
		}
		CU_ASSERT_EQUAL_FATAL(waitpid(pid, &ws, 0), pid);
		if (!WIFEXITED(ws))
			fprintf(stderr,
				"\nlf_context_create(xrt:0), "
				"XILINX_XRT=%s: signal %d\n",
				prefixes[i] ? prefixes[i] : "(unset)",
				WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
		CU_ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	}
}

void lf_test_suite_xrt_open(void)
{
	static const struct lf_test_case cases[] = {
	    {"cli_paths_no_xrt_env", test_cli_paths_no_xrt_env},
	    {"cli_bad_xrt_prefix", test_cli_bad_xrt_prefix},
	    {"cli_no_card", test_cli_no_card},
	    {"context_create", test_context_create},
	    {NULL, NULL}};
	lf_test_add_suite("xrt_open", NULL, NULL, cases);
}
