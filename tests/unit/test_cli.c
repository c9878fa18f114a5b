/*
 * test_cli.c - the `layerfab` tool as a user runs it: the built binary
 * ($LF_BUILD/bin/layerfab, and lf-demo) is started with fork/exec from the
 * source root, and its exit status, stdout and stderr are checked.
 *
 * Expected model outputs come from ONNX Runtime's files
 * (tests/data/ort/fmnist_qop/test_data_set_N/output_0.pb, written by
 * scripts/ort/run_ort.js), never from layerfab itself.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostlib/demo/demo.h"
#include "hostlib/onnx/onnx.h"
#include "lf_test.h"
#include "onnx.pb-c.h"
#include "test_cli_util.h"
#include "test_model_util.h"

#define FMNIST "tests/data/ort/fmnist_qop"

static void test_help(void)
{
	static const char *const cmds[] = {"devices", "info", "run", "bench",
					   "conformance"};
	struct cli_res r;
	run_cli(&r, "--help");
	CU_ASSERT_EQUAL(r.status, 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, cmds[i]));
	cli_res_free(&r);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[64];
		run_cli(&r, cmds[i], "--help");
		snprintf(want, sizeof(want), "usage: layerfab %s", cmds[i]);
		CU_ASSERT_EQUAL(r.status, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want));
		cli_res_free(&r);
	}
}

/*
 * One version everywhere: the header's three numbers, LF_VERSION_STRING,
 * lf_version() of the static library, `layerfab --version`, and the shared
 * library the Makefile named from the header (real name
 * liblayerfab.so.MAJOR.MINOR.PATCH, reached through the soname link
 * liblayerfab.so.MAJOR). The install test (tests/install) checks the
 * installed .pc, the SONAME entry and the CMake package on top.
 */
static void test_version(void)
{
	char want[64], path[512];
	snprintf(want, sizeof(want), "%d.%d.%d", LF_VERSION_MAJOR,
		 LF_VERSION_MINOR, LF_VERSION_PATCH);
	CU_ASSERT_STRING_EQUAL(LF_VERSION_STRING, want);
	CU_ASSERT_EQUAL(LF_VERSION_NUMBER, LF_VERSION_MAJOR * 10000 +
					       LF_VERSION_MINOR * 100 +
					       LF_VERSION_PATCH);
	CU_ASSERT_STRING_EQUAL(lf_version(), want);

	struct cli_res r;
	run_cli(&r, "--version");
	CU_ASSERT_EQUAL(r.status, 0);
	snprintf(path, sizeof(path), "layerfab %s\n", want);
	CU_ASSERT_STRING_EQUAL(r.out, path);
	cli_res_free(&r);

	/* The soname is liblayerfab.so.MAJOR, or .0.MINOR before 1.0
	 * (Makefile, LF_ABI). */
	char soname[64];
	if (LF_VERSION_MAJOR == 0)
		snprintf(soname, sizeof(soname), "liblayerfab.so.0.%d",
			 LF_VERSION_MINOR);
	else
		snprintf(soname, sizeof(soname), "liblayerfab.so.%d",
			 LF_VERSION_MAJOR);
	const char *names[] = {"liblayerfab.so." LF_VERSION_STRING, soname,
			       "liblayerfab.so"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/lib/%s", lf_test_build_dir(),
			 names[i]);
		void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		CU_ASSERT_PTR_NOT_NULL(h);
		if (!h) {
			fprintf(stderr, "\n  dlopen %s: %s ", path, dlerror());
			continue;
		}
		const char *(*ver)(void) =
		    (const char *(*)(void))dlsym(h, "lf_version");
		CU_ASSERT_PTR_NOT_NULL(ver);
		if (ver)
			CU_ASSERT_STRING_EQUAL(ver(), want);
		dlclose(h);
	}
}

static void test_usage_errors(void)
{
	struct cli_res r;
	run_prog(&r, "layerfab", (char *)NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	cli_res_free(&r);
	run_cli(&r, "frobnicate");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown command 'frobnicate'"));
	cli_res_free(&r);
	run_cli(&r, "info");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "FILE is missing"));
	cli_res_free(&r);
	run_cli(&r, "run", FMNIST "/model.onnx", "--top", "0");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--top '0'"));
	cli_res_free(&r);
	run_cli(&r, "run", FMNIST "/model.onnx", "--device");
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--device needs a value"));
	cli_res_free(&r);
	run_cli(&r, "bench", "m.onnx", "--iters", "3", "--seconds", "1");
	CU_ASSERT_EQUAL(r.status, 2);
	cli_res_free(&r);
	run_cli(&r, "devices", "--bogus");
	CU_ASSERT_EQUAL(r.status, 2);
	cli_res_free(&r);
}

static void test_devices(void)
{
	struct cli_res r;
	run_cli(&r, "devices");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PCIe FPGA cards"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "emu     built"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "emu:aws-f1"));
	/* Every known backend is listed, built or not. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n  xrt "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n  opencl "));
	cli_res_free(&r);

	/* Cards from a dump: the U250's two functions. */
	run_cli(&r, "devices", "--pci-dump", "tests/data/pci/u250_pair.txt");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "cards (tests/data/pci/"
					     "u250_pair.txt): 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "0000:3b:00.1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Alveo U250"));
	cli_res_free(&r);

	run_cli(&r, "devices", "--pci-dump", "tests/data/pci/no_such_file");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "no_such_file"));
	cli_res_free(&r);
}

/* A whole file as a string (NULL on failure); the caller frees it. */
static char *read_all(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char *t = lf_test_slurp_fd(fd);
	close(fd);
	return t;
}

/*
 * The value of `NAME := VALUE` in params.mk text @mk into @out: the plain
 * make syntax those files use, read here without make and without the
 * build's own parsing (bitstreams/module.mk includes the file).
 */
static int mk_value(const char *mk, const char *name, char *out, size_t n)
{
	size_t len = strlen(name);
	for (const char *l = mk; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (strncmp(l, name, len) != 0)
			continue;
		const char *v = l + len;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncmp(v, ":=", 2) != 0)
			continue;
		v += 2;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t k = strcspn(v, " \t\n#");
		if (k == 0 || k >= n)
			return -1;
		memcpy(out, v, k);
		out[k] = '\0';
		return 0;
	}
	return -1;
}

/* Does @out have a line equal to @line? */
static int has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	for (const char *l = out; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (strncmp(l, line, n) == 0 && (l[n] == '\n' || l[n] == '\0'))
			return 1;
	return 0;
}

/* Lines of @out that start with @prefix and contain @has. */
static unsigned count_lines(const char *out, const char *prefix,
			    const char *has)
{
	unsigned c = 0;
	size_t n = strlen(prefix);
	for (const char *l = out; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *e = strchr(l, '\n');
		const char *h = strstr(l, has);
		c += strncmp(l, prefix, n) == 0 && h && (!e || h < e);
	}
	return c;
}

/*
 * `layerfab info build/bitstreams/emu-<p>.xclbin` against bitstreams/<p>/:
 * every -DLF_X=$(HW_Y) of params.mk's HW_DEFS appears as "LF_X=<value of
 * HW_Y>", and the compute units and connectivity are exactly those of
 * link.cfg's nk= and sp= lines (a range HBM[a:b] is one entry per bank).
 */
static void check_hw_info(const char *p)
{
	char path[512], want[256], val[64], xclbin[512];
	struct cli_res r;
	snprintf(path, sizeof(path), "bitstreams/%s/params.mk", p);
	char *mk = read_all(path);
	snprintf(path, sizeof(path), "bitstreams/%s/link.cfg", p);
	char *cfg = read_all(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	snprintf(xclbin, sizeof(xclbin), "%s/bitstreams/emu-%s.xclbin",
		 lf_test_build_dir(), p);
	run_cli(&r, "info", xclbin);
	CU_ASSERT_EQUAL(r.status, 0);

	/* HW_DEFS: from "HW_DEFS :=" over its backslash-continued lines. */
	const char *d0 = strstr(mk, "\nHW_DEFS :=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d0);
	const char *dend = d0 + 1;
	while ((dend = strchr(dend, '\n')) && dend[-1] == '\\')
		dend++;
	char *defs = strndup(d0, dend ? (size_t)(dend - d0) : strlen(d0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(defs);
	unsigned ndefs = 0;
	for (const char *d = strstr(defs, "-D"); d; d = strstr(d + 2, "-D")) {
		const char *eq = strchr(d, '=');
		CU_ASSERT_FATAL(eq != NULL);
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - d - 2), d + 2);
		if (strncmp(eq + 1, "$(", 2) == 0) {
			char var[64];
			const char *close = strchr(eq, ')');
			CU_ASSERT_FATAL(close != NULL);
			snprintf(var, sizeof(var), "%.*s",
				 (int)(close - eq - 3), eq + 3);
			CU_ASSERT_EQUAL_FATAL(
			    mk_value(mk, var, val, sizeof(val)), 0);
		} else {
			snprintf(val, sizeof(val), "%.*s",
				 (int)strcspn(eq + 1, " \t\\\n"), eq + 1);
		}
		snprintf(want, sizeof(want), "  %s=%s", name, val);
		if (!has_line(r.out, want))
			fprintf(stderr, "\n  %s: no '%s' in layerfab info", p,
				want);
		CU_ASSERT(has_line(r.out, want));
		ndefs++;
	}
	free(defs);
	CU_ASSERT(ndefs >= 12);

	/* link.cfg: nk=K:N, sp=CU.ARG:TAG[a] or TAG[a:b]. */
	unsigned ncus = 0, nconn = 0;
	for (const char *l = cfg; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		char line[256];
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n#"), l);
		if (strncmp(line, "nk=", 3) == 0) {
			char k[64];
			unsigned n = 0;
			CU_ASSERT_EQUAL_FATAL(
			    sscanf(line + 3, "%63[^:]:%u", k, &n), 2);
			for (unsigned i = 1; i <= n; i++) {
				snprintf(want, sizeof(want), "  %s:%s_%u ", k,
					 k, i);
				CU_ASSERT_EQUAL(
				    count_lines(r.out, want, " base 0x"), 1);
			}
			ncus += n;
		} else if (strncmp(line, "sp=", 3) == 0) {
			char cu[64], arg[32], tag[32];
			unsigned a, b;
			int got =
			    sscanf(line + 3, "%63[^.].%31[^:]:%31[^[][%u:%u]",
				   cu, arg, tag, &a, &b);
			CU_ASSERT_FATAL(got == 4 || got == 5);
			if (got == 4)
				b = a;
			char kern[64];
			snprintf(kern, sizeof(kern), "%.*s",
				 (int)(strrchr(cu, '_') - cu), cu);
			for (unsigned v = a; v <= b; v++) {
				/* "  K:CU arg N (ARG) -> [m] TAG[v]" */
				int found = 0;
				snprintf(want, sizeof(want), "  %s:%s arg ",
					 kern, cu);
				char tail[96], mid[48];
				snprintf(mid, sizeof(mid), " (%s) -> [", arg);
				snprintf(tail, sizeof(tail), "] %s[%u]", tag,
					 v);
				for (const char *o = strstr(r.out, want); o;
				     o = strstr(o + 1, want)) {
					size_t ll = strcspn(o, "\n");
					char ln[256];
					snprintf(ln, sizeof(ln), "%.*s",
						 (int)ll, o);
					size_t tl = strlen(tail);
					if (strstr(ln, mid) && ll >= tl &&
					    strcmp(ln + ll - tl, tail) == 0)
						found++;
				}
				CU_ASSERT_EQUAL(found, 1);
				nconn++;
			}
		}
	}
	CU_ASSERT(ncus > 0);
	snprintf(want, sizeof(want), "compute units: %u", ncus);
	CU_ASSERT(has_line(r.out, want));
	snprintf(want, sizeof(want), "connectivity: %u", nconn);
	CU_ASSERT(has_line(r.out, want));
	CU_ASSERT_PTR_NULL(strstr(r.out, "TEST-ONLY"));
	cli_res_free(&r);
	free(mk);
	free(cfg);
}

static void test_info(void)
{
	struct cli_res r;
	char xclbin[512];
	static const char *const hw[] = {"aws-f1", "aws-f2", "u250", "u280",
					 "u55c"};
	for (size_t i = 0; i < sizeof(hw) / sizeof(hw[0]); i++)
		check_hw_info(hw[i]);

	/* aws-f1: 2 lfk_engine CUs whose largest array is the blocked conv's
	 * 4x32x16 = 2048 MACs/cycle at 250 MHz (params.mk HW_LANES,
	 * HW_BLK_PIX x HW_BLK_IC x HW_BLK_OC, HW_CLOCK_MHZ). */
	snprintf(xclbin, sizeof(xclbin), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	run_cli(&r, "info", xclbin);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "DDR[0]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "DDR[3]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "macs_per_cycle="));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "peak: 2 CUs, 4096 MACs/cycle at 250 MHz"));
	cli_res_free(&r);

	/* The test-only profile says so. tiny.args: conv2d:2 matmul:1
	 * pool:2 add:2 engine:2: the conv and engine CUs 2048 MACs/cycle each
	 * (the default blocked array, 4x32x16), the matmul CU 256 (16x16),
	 * at 250 MHz: 4 x 2048 + 256 = 8448. */
	snprintf(xclbin, sizeof(xclbin), "%s/bitstreams/emu-tiny.xclbin",
		 lf_test_build_dir());
	run_cli(&r, "info", xclbin);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "profile: tiny, TEST-ONLY"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "lfk_conv2d:lfk_conv2d_2"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "peak: 5 CUs, 8448 MACs/cycle at 250 MHz"));
	cli_res_free(&r);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void test_info_corrupt(void)
{
	struct cli_res r;
	char src[512], bad[] = "/tmp/lf_cli_bad_XXXXXX";
	int fd = mkstemp(bad);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);

	/* Not an xclbin at all. */
	write_file(bad, "hello, world\n", 13);
	run_cli(&r, "info", bad);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "layerfab info: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LF_ERR_BAD_FILE"));
	CU_ASSERT_STRING_EQUAL(r.out, "");
	cli_res_free(&r);

	/* A real one cut short: its header promises more than is there. */
	snprintf(src, sizeof(src), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	FILE *f = fopen(src, "rb");
	CU_ASSERT_FATAL(f != NULL);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CU_ASSERT_FATAL(n == sizeof(buf));
	write_file(bad, buf, 1000);
	run_cli(&r, "info", bad);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "LF_ERR_BAD_FILE"));
	cli_res_free(&r);
	unlink(bad);

	run_cli(&r, "info", "/nonexistent/x.xclbin");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/nonexistent/x.xclbin"));
	cli_res_free(&r);
}

/* ORT's class for row @row of output_0.pb of data set @set. */
static int ort_class(int set, int row)
{
	char path[256], err[LF__ONNX_ERR_LEN];
	struct lf__tensor t;
	memset(&t, 0, sizeof(t));
	snprintf(path, sizeof(path), FMNIST "/test_data_set_%d/output_0.pb",
		 set);
	CU_ASSERT_EQUAL_FATAL(lf__onnx_tensor_read(path, &t, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(t.dtype, LF__ONNX_FLOAT);
	CU_ASSERT_EQUAL_FATAL(t.rank, 2);
	CU_ASSERT_EQUAL_FATAL(t.dims[1], 10);
	const float *v = (const float *)t.data + 10 * row;
	int best = 0;
	for (int c = 1; c < 10; c++)
		if (v[c] > v[best])
			best = c;
	lf__tensor_release(&t);
	return best;
}

static void test_run_top1(void)
{
	struct cli_res r;
	char want[64];
	/* Data set 1 holds 8 images: every row's class must be ORT's. */
	for (int set = 0; set <= 1; set++) {
		char in[128];
		snprintf(in, sizeof(in), FMNIST "/test_data_set_%d/input_0.pb",
			 set);
		run_cli(&r, "run", FMNIST "/model.onnx", "--input", in,
			"--device", "emu", "--top", "1");
		CU_ASSERT_EQUAL(r.status, 0);
		if (r.status)
			fprintf(stderr, "\n%s", r.err);
		for (int row = 0; row < (set ? 8 : 1); row++) {
			snprintf(want, sizeof(want), "row %d: %d (", row,
				 ort_class(set, row));
			CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want));
		}
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "per-layer profile"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "QLinearConv"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "device"));
		cli_res_free(&r);
	}
	/* A missing input file is a clear error. */
	run_cli(&r, "run", FMNIST "/model.onnx", "--input", "/nonexistent.pb",
		"--device", "emu");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/nonexistent.pb"));
	cli_res_free(&r);
	/* So is a file that is not a model. */
	run_cli(&r, "run", FMNIST "/test_data_set_0/input_0.pb", "--device",
		"emu");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "layerfab run: "));
	cli_res_free(&r);
}

/*
 * A device segment that fails and runs on the CPU is reported, not
 * hidden: on emu:tiny, whose CUs keep weights and activations in one
 * bank, banks capped at 256 KiB hold fmnist's constants but not the
 * activation arena of a batch of 8 (LF_ERR_NO_DEVICE_MEMORY), and not
 * one image's arena beside the constants within the margin the batch
 * chunking keeps (lf__mdev_arena_room), so the batch cannot run in
 * chunks either and the one segment falls back. The arithmetic: the
 * constants are the NCHW forms (25088 bytes: each conv's weights then
 * bias, w_zp and multiplier, 4 bytes a channel, each area 64-aligned)
 * and the blocked ones (plan/mparams.c blk_area: conv1 folded and conv2
 * as they are and folded, conv3, conv4 and the Gemm's 1x1 form, whole
 * 64 x 64 beats of weights and 64 records of 16 bytes each), about
 * 204 KiB, one group (a bank less the 16 KiB slack, 240 KiB, holds
 * them); an image's blocked arena starts with its folded stem input,
 * 28 x 28 pixels x 64 lanes = 50176 bytes, and conv1's output beside it,
 * as large: more than the 256 - 204 - 16 = 36 KiB left. With conv1's and
 * conv2's max pools fused into them (LF_DF_POOL) their outputs are never
 * stored and a part's arena, 62720 bytes, fits a 256 KiB bank: the bank
 * is 232 KiB (237568 bytes, 208896 of them the params: no 64 KiB range
 * free). The batch of 8
 * is split across tiny's two engine CUs (model/run_split.c), four images
 * each, and each part fails: "2 failed attempts". The classes
 * are still ORT's; `run` marks the layers "cpu!", lists the failure with its
 * reason and warns on stderr; `bench` counts the runs it happened in. A run
 * without failures warns of nothing.
 */
static void test_run_fallback(void)
{
	struct cli_res r;
	char want[64];
	run_cli(&r, "run", FMNIST "/model.onnx", "--input",
		FMNIST "/test_data_set_1/input_0.pb", "--device",
		"emu:tiny,bank_size=232K", "--top", "1");
	CU_ASSERT_EQUAL(r.status, 0);
	for (int row = 0; row < 8; row++) {
		snprintf(want, sizeof(want), "row %d: %d (", row,
			 ort_class(1, row));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, " cpu!  "));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "segment 0 ('conv1_quant'): 2 failed attempts, ran "
			  "on the CPU: LF_ERR_NO_DEVICE_MEMORY: "));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.err, "layerfab run: warning: 1 of 1 device segment "
			  "failed on the device and ran on the CPU (first: "
			  "segment 0, LF_ERR_NO_DEVICE_MEMORY: "));
	cli_res_free(&r);
	run_cli(&r, "bench", FMNIST "/model.onnx", "--device",
		"emu:tiny,bank_size=232K", "--batch", "8", "--warmup", "1",
		"--iters", "2", "--kv");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "device failures: 2 segment fallbacks to the CPU "
			  "in 2 of 2 runs"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, " fallbacks=2 fallback_runs=2 seg_failures=2"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.err, "layerfab bench: warning: 1 of 1 device segment "
			  "failed on the device and ran on the CPU in 2 of 2 "
			  "runs"));
	cli_res_free(&r);
	run_cli(&r, "run", FMNIST "/model.onnx", "--device", "emu");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NULL(strstr(r.err, "warning"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "cpu!"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "device failures"));
	cli_res_free(&r);
}

/*
 * A minimal JSON checker: accepts exactly RFC 8259 values (objects,
 * arrays, strings with escapes, numbers, true/false/null).
 */
struct json {
	const char *p;
	int depth;
};

static void ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static int json_value(struct json *j);

static int json_string(struct json *j)
{
	if (*j->p++ != '"')
		return 0;
	while (*j->p && *j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return 0;
		if (*j->p == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    j->p[i]) ||
					    !j->p[i])
						return 0;
				j->p += 4;
			} else if (!*j->p || !strchr("\"\\/bfnrt", *j->p)) {
				return 0;
			}
		}
		j->p++;
	}
	return *j->p++ == '"';
}

static int json_number(struct json *j)
{
	const char *s = j->p;
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return 0;
	if (*j->p == '.') {
		j->p++;
		if (!(*j->p >= '0' && *j->p <= '9'))
			return 0;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!(*j->p >= '0' && *j->p <= '9'))
			return 0;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int json_seq(struct json *j, char close, int object)
{
	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return 1;
	}
	for (;;) {
		ws(j);
		if (object) {
			if (!json_string(j))
				return 0;
			ws(j);
			if (*j->p++ != ':')
				return 0;
		}
		if (!json_value(j))
			return 0;
		ws(j);
		if (*j->p == close) {
			j->p++;
			return 1;
		}
		if (*j->p++ != ',')
			return 0;
	}
}

static int json_value(struct json *j)
{
	int ok;
	ws(j);
	if (++j->depth > 64)
		return 0;
	switch (*j->p) {
	case '{':
		ok = json_seq(j, '}', 1);
		break;
	case '[':
		ok = json_seq(j, ']', 0);
		break;
	case '"':
		ok = json_string(j);
		break;
	case 't':
		ok = strncmp(j->p, "true", 4) == 0 && (j->p += 4);
		break;
	case 'f':
		ok = strncmp(j->p, "false", 5) == 0 && (j->p += 5);
		break;
	case 'n':
		ok = strncmp(j->p, "null", 4) == 0 && (j->p += 4);
		break;
	default:
		ok = json_number(j);
	}
	j->depth--;
	return ok;
}

static int json_valid(const char *text)
{
	struct json j = {text, 0};
	if (!json_value(&j))
		return 0;
	ws(&j);
	return *j.p == '\0';
}

static void test_json_checker(void)
{
	/* The checker itself must reject what is not JSON. */
	CU_ASSERT_TRUE(json_valid("{\"traceEvents\":[{\"ph\":\"X\",\"ts\":"
				  "1.5e3,\"a\":[true,false,null,-0]}]}"));
	CU_ASSERT_FALSE(json_valid("{\"traceEvents\":[}"));
	CU_ASSERT_FALSE(json_valid("{\"a\":1,}"));
	CU_ASSERT_FALSE(json_valid("{\"a\":01}"));
	CU_ASSERT_FALSE(json_valid("{\"a\":\"x\"} trailing"));
	CU_ASSERT_FALSE(json_valid("{\"a\":\"\\q\"}"));
}

static void test_run_trace(void)
{
	struct cli_res r;
	char trace[] = "/tmp/lf_cli_trace_XXXXXX";
	int fd = mkstemp(trace);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	run_cli(&r, "run", FMNIST "/model.onnx", "--input",
		FMNIST "/test_data_set_0/input_0.pb", "--device", "emu",
		"--trace", trace);
	CU_ASSERT_EQUAL(r.status, 0);
	cli_res_free(&r);
	fd = open(trace, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	char *text = lf_test_slurp_fd(fd);
	close(fd);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_TRUE(json_valid(text));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"traceEvents\""));
	/* The modeled device tracks carry kernel runs. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"ph\""));
	free(text);
	unlink(trace);

	/* An unwritable trace path fails the command, clearly. */
	run_cli(&r, "run", FMNIST "/model.onnx", "--device", "emu", "--trace",
		"/nonexistent/dir/t.json");
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/nonexistent/dir"));
	cli_res_free(&r);
}

static void test_bench(void)
{
	struct cli_res r;
	run_cli(&r, "bench", FMNIST "/model.onnx", "--device", "emu",
		"--warmup", "1", "--iters", "3", "--kv");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "runs: 3 timed after 1 warm-up"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "latency p99"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "modeled card (projection)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "MAC utilisation: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "bench-kv: runs=3 "));
	/* The divisor is the CUs that ran, named: emu-aws-f1.xclbin has two
	 * lfk_engine CUs of 2048 MACs/cycle each (the blocked 4x32x16
	 * array, params.mk; test_info), and one model run at batch 1 runs
	 * its segment on both, a part of every layer each (their barrier
	 * ring, lfk_engine.sync = 2, and emu's cu_sync): 4096 a cycle, the
	 * same figure as over all of them. */
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "x 4096 MACs/cycle x 250 MHz) over the CUs that "
			  "ran: lfk_engine:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "(2 of 2 CUs with MACs; over "
					     "all 2: "));
	const char *kv = strstr(r.out, "bench-kv: ");
	const char *u = kv ? strstr(kv, " util_pct=") : NULL;
	const char *ua = kv ? strstr(kv, " util_all_pct=") : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ua);
	double used = strtod(u + 10, NULL), all = strtod(ua + 14, NULL);
	CU_ASSERT(used > 0.0);
	CU_ASSERT(used > all - 0.002 && used < all + 0.002);
	CU_ASSERT_PTR_NOT_NULL(strstr(kv, " cus_used=2 cus_mac=2 "));
	CU_ASSERT_PTR_NULL(strstr(r.out, "per-loop breakdown"));
	cli_res_free(&r);

	/* --loops: the cycle model's loops, the conv datapath's among them
	 * (fmnist's segment runs blocked: blk_mac); on the CPU there are
	 * none, and nothing claims a utilisation. */
	run_cli(&r, "bench", FMNIST "/model.onnx", "--device", "emu",
		"--warmup", "0", "--iters", "1", "--loops");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "per-loop breakdown"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\nblk_mac "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\nloops total "));
	cli_res_free(&r);
	run_cli(&r, "run", FMNIST "/model.onnx", "--device", "cpu", "--loops");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "per-loop breakdown: none (the device counts no "
			  "cycles)"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "MAC utilisation"));
	cli_res_free(&r);
}

static void test_conformance_device(void)
{
	struct cli_res r;
	/* Whole models (14 nodes) through the model API on the emulator. */
	run_cli(&r, "conformance", "tests/data/ort", "--filter", "fmnist",
		"--device", "emu");
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PASS fmnist_qop\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PASS fmnist_qdq\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r.out, "\n2 passed, 0 failed, 0 skipped\n"));
	cli_res_free(&r);
}

/* A TensorProto file: float32 @n values of shape @dims. */
static void write_pb(const char *path, int rank, const int64_t *dims,
		     const float *v, size_t n)
{
	Onnx__TensorProto t;
	onnx__tensor_proto__init(&t);
	t.has_data_type = 1;
	t.data_type = 1;
	t.n_dims = (size_t)rank;
	t.dims = (int64_t *)dims;
	t.has_raw_data = 1;
	t.raw_data.len = n * sizeof(float);
	t.raw_data.data = (uint8_t *)v;
	size_t len = onnx__tensor_proto__get_packed_size(&t);
	uint8_t *buf = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	onnx__tensor_proto__pack(&t, buf);
	write_file(path, buf, len);
	free(buf);
}

/* Folder @dir/@name with model.onnx (@ops: one or two float nodes on a
 * 2x2 input) and test_data_set_0 (values unchecked: it does not load). */
static void det_case(const char *dir, const char *name, int two)
{
	char path[600];
	int64_t d[2] = {2, 2};
	float x[4] = {1, 2, 3, 4}, y = -2.0f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	struct lft_onnx *b = lft_onnx_new(13);
	lft_onnx_input(b, "x", 1, 2, d);
	lft_onnx_output(b, "y", 1, 0, NULL);
	if (two)
		lft_onnx_node(b, "Relu", "", "relu", "x", "r");
	/* Det: an op the importer does not run */
	lft_onnx_node(b, "Det", "", "det", two ? "r" : "x", "y");
	size_t len;
	uint8_t *buf = lft_onnx_finish(b, &len);
	snprintf(path, sizeof(path), "%s/%s/model.onnx", dir, name);
	write_file(path, buf, len);
	free(buf);
	snprintf(path, sizeof(path), "%s/%s/test_data_set_0", dir, name);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/test_data_set_0/input_0.pb", dir,
		 name);
	write_pb(path, 2, d, x, 4);
	snprintf(path, sizeof(path), "%s/%s/test_data_set_0/output_0.pb", dir,
		 name);
	write_pb(path, 0, NULL, &y, 1);
}

/*
 * `conformance` on a folder of whole models: one that loads and matches
 * ORT passes (fmnist_qop, on the CPU path through the "cpu" device); one
 * the importer cannot load FAILS, its line saying so; a single-node test
 * of an op layerfab does not run still SKIPs. The same with --device.
 */
static void test_conformance_whole_models(void)
{
	char dir[] = "/tmp/lf_conf_models_XXXXXX", path[600], cwd[512];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/fmnist_qop", dir);
	char target[600];
	snprintf(target, sizeof(target), "%s/" FMNIST, cwd);
	CU_ASSERT_EQUAL_FATAL(symlink(target, path), 0);
	det_case(dir, "det_model", 1);
	det_case(dir, "det_node", 0);
	for (int dev = 0; dev < 2; dev++) {
		struct cli_res r;
		if (dev)
			run_cli(&r, "conformance", dir, "--device", "emu");
		else
			run_cli(&r, "conformance", dir);
		CU_ASSERT_EQUAL(r.status, 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PASS fmnist_qop\n"));
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(r.out, "FAIL det_model: whole model not run: "
				  "cannot load: "));
		/* the importer's message names the op */
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Det"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "SKIP det_node: "));
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(r.out, "\n1 passed, 1 failed, 1 skipped\n"));
		if (!strstr(r.out, "1 passed, 1 failed, 1 skipped"))
			fprintf(stderr, "\n%s%s", r.out, r.err);
		cli_res_free(&r);
	}
	static const char *const files[] = {
	    "det_model/test_data_set_0/input_0.pb",
	    "det_model/test_data_set_0/output_0.pb",
	    "det_model/test_data_set_0",
	    "det_model/model.onnx",
	    "det_model",
	    "det_node/test_data_set_0/input_0.pb",
	    "det_node/test_data_set_0/output_0.pb",
	    "det_node/test_data_set_0",
	    "det_node/model.onnx",
	    "det_node",
	    "fmnist_qop"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (remove(path))
			fprintf(stderr, "\n  cannot remove %s", path);
	}
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/*
 * The demo's check in make test (the 10,000 images are `make demo`'s): the
 * first 500 test images, read by the demo's IDX reader, through
 * models/fmnist_qop.onnx on emu in batches of 100 as lf-demo runs them,
 * give ONNX Runtime's logits byte for byte
 * (tests/data/ort/fmnist_demo/logits_first500.pb, written by `node
 * scripts/ort/run_ort.js demo-logits`); and `lf-demo --limit 500` reports
 * ORT's accuracy on them, 464 of 500 = 92.80 % (printed by that same
 * command from ORT's logits and the dataset's labels). In slow mode
 * (ASan, Valgrind) only the first 100 images, without lf-demo.
 */
#define DEMO_DATA  "/usr/share/datasets/fashion-mnist/"
#define DEMO_N	   500
#define DEMO_BATCH 100
static void test_demo_500(void)
{
	struct stat sb;
	if (stat(DEMO_DATA "t10k-images-idx3-ubyte.gz", &sb) != 0) {
		fprintf(stderr, "\n  [dataset-fashion-mnist not installed] ");
		return;
	}
	size_t n = lf_test_slow_mode() ? DEMO_BATCH : DEMO_N;
	char err[LF__ONNX_ERR_LEN];
	struct lf__fmnist d;
	struct lf__tensor want;
	memset(&want, 0, sizeof(want));
	CU_ASSERT_EQUAL_FATAL(
	    lf__fmnist_load(DEMO_DATA "t10k-images-idx3-ubyte.gz",
			    DEMO_DATA "t10k-labels-idx1-ubyte.gz", &d, err,
			    sizeof(err)),
	    LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf__onnx_tensor_read("tests/data/ort/fmnist_demo/"
						   "logits_first500.pb",
						   &want, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_FATAL(want.dtype == LF__ONNX_FLOAT && want.rank == 2 &&
			want.dims[0] == DEMO_N && want.dims[1] == 10);
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	float *x = malloc(DEMO_BATCH * 28 * 28 * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu", NULL, &ctx), LF_OK);
	CU_ASSERT_EQUAL_FATAL(lf_model_load(ctx, "models/fmnist_qop.onnx", &m),
			      LF_OK);
	size_t same = 0;
	for (size_t first = 0; first < n; first += DEMO_BATCH) {
		size_t nb = n - first < DEMO_BATCH ? n - first : DEMO_BATCH;
		int64_t dims[4] = {(int64_t)nb, 1, 28, 28};
		lf_tensor *in = NULL, *out = NULL;
		CU_ASSERT_EQUAL(lf__fmnist_batch(&d, first, nb, x), LF_OK);
		CU_ASSERT_EQUAL(lf_tensor_create_borrowed(
				    ctx, LF_DTYPE_FLOAT32, 4, dims, NULL, x,
				    nb * 28 * 28 * sizeof(float), &in),
				LF_OK);
		CU_ASSERT_EQUAL(lf_model_run(m, &in, 1, &out, 1, NULL), LF_OK);
		if (out && lf_tensor_to_host(out) == LF_OK &&
		    lf_tensor_bytes(out) == nb * 10 * sizeof(float)) {
			const float *got = lf_tensor_data(out);
			const float *w = (const float *)want.data + first * 10;
			for (size_t r = 0; r < nb; r++)
				same += memcmp(got + 10 * r, w + 10 * r,
					       10 * sizeof(float)) == 0;
		}
		lf_tensor_destroy(out);
		lf_tensor_destroy(in);
	}
	CU_ASSERT_EQUAL(same, n); /* images whose 10 logits are ORT's bytes */
	lf_model_destroy(m);
	lf_context_destroy(ctx);
	free(x);
	lf__tensor_release(&want);
	lf__fmnist_free(&d);
	if (lf_test_slow_mode())
		return;

	struct cli_res r;
	run_prog(&r, "lf-demo", "--device", "emu", "--limit", "500",
		 "--expect-accuracy", "92.80", (char *)NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "accuracy: 92.80% (464 of 500)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "identical"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "projected (timing model, not "
					     "measured on hardware)"));
	cli_res_free(&r);
}

/* --output: ORT's expected output, byte for byte, read back through the
 * TensorProto reader; several outputs get "_k" before the extension. */
static void test_run_output(void)
{
	char dir[] = "/tmp/lf_cli_out_XXXXXX", out[128], model[128], p0[128],
	     p1[128], err[512];
	struct lf__tensor got, want;
	struct cli_res r;
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(out, sizeof(out), "%s/logits.pb", dir);
	run_cli(&r, "run", FMNIST "/model.onnx", "--input",
		FMNIST "/test_data_set_0/input_0.pb", "--device", "emu",
		"--output", out);
	CU_ASSERT_EQUAL(r.status, 0);
	cli_res_free(&r);
	memset(&got, 0, sizeof(got));
	memset(&want, 0, sizeof(want));
	CU_ASSERT_EQUAL_FATAL(lf__onnx_tensor_read(out, &got, err, sizeof(err)),
			      LF_OK);
	CU_ASSERT_EQUAL_FATAL(
	    lf__onnx_tensor_read(FMNIST "/test_data_set_0/output_0.pb", &want,
				 err, sizeof(err)),
	    LF_OK);
	CU_ASSERT_STRING_EQUAL(got.name, "logits");
	CU_ASSERT_EQUAL(got.dtype, want.dtype);
	CU_ASSERT_EQUAL(got.rank, want.rank);
	CU_ASSERT_EQUAL(got.count, want.count);
	CU_ASSERT(got.count == want.count &&
		  memcmp(got.data, want.data, lf__tensor_bytes(&got)) == 0);
	lf__tensor_release(&got);
	lf__tensor_release(&want);
	unlink(out);

	/* Two outputs: y1 = Relu(x), y2 = Relu(y1), on x = [-1, 2]. */
	int64_t d[1] = {2};
	const float x[2] = {-1.0f, 2.0f};
	struct lft_onnx *b = lft_onnx_new(13);
	size_t len;
	lft_onnx_input(b, "x", 1, 1, d);
	lft_onnx_output(b, "y1", 1, 1, d);
	lft_onnx_output(b, "y2", 1, 1, d);
	lft_onnx_node(b, "Relu", "", "r1", "x", "y1");
	lft_onnx_node(b, "Relu", "", "r2", "y1", "y2");
	uint8_t *buf = lft_onnx_finish(b, &len);
	snprintf(model, sizeof(model), "%s/two.onnx", dir);
	FILE *f = fopen(model, "wb");
	CU_ASSERT_FATAL(f && fwrite(buf, 1, len, f) == len);
	fclose(f);
	free(buf);
	struct lf__tensor in;
	memset(&in, 0, sizeof(in));
	CU_ASSERT_EQUAL_FATAL(
	    lf__tensor_alloc(&in, LF__ONNX_FLOAT, 1, d, err, sizeof(err)),
	    LF_OK);
	memcpy(in.data, x, sizeof(x));
	snprintf(p0, sizeof(p0), "%s/x.pb", dir);
	CU_ASSERT_EQUAL_FATAL(lf__onnx_tensor_write(p0, &in, err, sizeof(err)),
			      LF_OK);
	lf__tensor_release(&in);
	run_cli(&r, "run", model, "--input", p0, "--device", "cpu", "--output",
		out);
	CU_ASSERT_EQUAL(r.status, 0);
	cli_res_free(&r);
	unlink(p0);
	snprintf(p0, sizeof(p0), "%s/logits_0.pb", dir);
	snprintf(p1, sizeof(p1), "%s/logits_1.pb", dir);
	const char *const paths[2] = {p0, p1}, *const names[2] = {"y1", "y2"};
	for (int k = 0; k < 2; k++) {
		memset(&got, 0, sizeof(got));
		CU_ASSERT_EQUAL_FATAL(
		    lf__onnx_tensor_read(paths[k], &got, err, sizeof(err)),
		    LF_OK);
		CU_ASSERT_STRING_EQUAL(got.name, names[k]);
		CU_ASSERT_EQUAL(got.count, 2);
		CU_ASSERT_EQUAL(((float *)got.data)[0], 0.0f);
		CU_ASSERT_EQUAL(((float *)got.data)[1], 2.0f);
		lf__tensor_release(&got);
		unlink(paths[k]);
	}
	/* An unwritable place fails the command, naming it. */
	snprintf(out, sizeof(out), "%s/no/such/dir/o.pb", dir);
	run_cli(&r, "run", FMNIST "/model.onnx", "--device", "cpu", "--output",
		out);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--output"));
	cli_res_free(&r);
	unlink(model);
	rmdir(dir);
}

void lf_test_suite_cli(void)
{
	static const struct lf_test_case cases[] = {
	    {"help", test_help},
	    {"version", test_version},
	    {"usage_errors", test_usage_errors},
	    {"devices", test_devices},
	    {"info", test_info},
	    {"info_corrupt", test_info_corrupt},
	    {"json_checker", test_json_checker},
	    {"run_top1_is_orts", test_run_top1},
	    {"run_trace_json", test_run_trace},
	    {"run_fallback_reported", test_run_fallback},
	    {"run_output", test_run_output},
	    {"bench", test_bench},
	    {"conformance_device", test_conformance_device},
	    {"conformance_whole_models", test_conformance_whole_models},
	    {"demo_500_is_orts", test_demo_500},
	    {NULL, NULL},
	};
	lf_test_add_suite("cli", NULL, NULL, cases);
}
