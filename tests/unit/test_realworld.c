/*
 * test_realworld.c - quantized networks as people export them
 * (scripts/models/realworld.py: torchvision CNNs through PyTorch's FX and
 * eager flows and in ONNX Runtime's QDQ format, a transformer encoder),
 * run on cpu, emu and opencl:0 and compared with ONNX Runtime's outputs
 * byte for byte. The committed small cases are in tests/data/realworld;
 * LF_REALWORLD_DIR names another folder (`make realworld` sets it to the
 * full set in build/realworld).
 *
 * A case whose name starts with "encoder" has float transformer glue
 * (LayerNorm, GELU, Softmax) that ORT fuses and computes with its own
 * kernels and summation orders: it is compared within the ONNX
 * backend-test tolerance (rtol 1e-3), and the line says so. Its quantized
 * MatMuls and its float MatMul/Gemm match ORT byte for byte
 * (tests/data/realworld/README.md says where the rest differs).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layerfab.h"
#include "lf_test.h"
#include "test_model_util.h"

static int is_case(const char *dir)
{
	char p[1500];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/model.onnx", dir);
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted case folders of @root; returns the count (free with free_list). */
static size_t list_cases(const char *root, char ***out)
{
	DIR *d = opendir(root);
	size_t n = 0, cap = 0;
	char **v = NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[1400];
		snprintf(p, sizeof(p), "%s/%s", root, e->d_name);
		if (!is_case(p))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **w = realloc(v, cap * sizeof(*v));
			if (!w)
				break;
			v = w;
		}
		v[n++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The devices: cpu, emu (standard emulation xclbin), opencl:0 when
 * there is an OpenCL device (PoCL) and not under valgrind. */
static size_t open_devices(lf_context **ctx, const char **names)
{
	size_t n = 0;
	static char xclbin[1024];
	snprintf(xclbin, sizeof(xclbin), "%s/bitstreams/emu-aws-f1.xclbin",
		 lf_test_build_dir());
	const char *devs[3] = {"cpu", "emu", "opencl:0"};
	for (int i = 0; i < 3; i++) {
		if (i == 2 && (lf_test_under_valgrind() ||
			       getenv("LF_REALWORLD_NO_OPENCL")))
			continue;
		lf_context *c = NULL;
		lf_status st =
		    lf_context_create(devs[i], i ? xclbin : NULL, &c);
		if (st != LF_OK) {
			if (i < 2) {
				fprintf(stderr, "\n  %s: %s", devs[i],
					lf_last_error());
				CU_FAIL("cannot open the device");
			}
			continue;
		}
		ctx[n] = c;
		names[n++] = devs[i];
	}
	return n;
}

static void test_cases(void)
{
	const char *env = getenv("LF_REALWORLD_DIR");
	char root[1024];
	if (env && *env)
		snprintf(root, sizeof(root), "%s", env);
	else
		snprintf(root, sizeof(root), "tests/data/realworld");
	char **cases;
	size_t n = list_cases(root, &cases);
	if (!env || !*env)
		CU_ASSERT(n >= 3);
	lf_context *ctx[3] = {NULL};
	const char *names[3];
	size_t nd = open_devices(ctx, names);
	unsigned exact[3] = {0}, fail[3] = {0}, unsup[3] = {0};
	for (size_t i = 0; i < n; i++) {
		char dir[1400];
		snprintf(dir, sizeof(dir), "%s/%s", root, cases[i]);
		int tol = strncmp(cases[i], "encoder", 7) == 0;
		fprintf(stderr, "\n  %-34s", cases[i]);
		for (size_t k = 0; k < nd; k++) {
			int r = lft_run_case(ctx[k], dir, !tol, NULL);
			const char *what = r > 0
					       ? (tol ? "within-tol" : "exact")
					   : r == -2 ? "unsupported"
						     : "FAILED";
			fprintf(stderr, " %s:%s", names[k], what);
			if (r > 0)
				exact[k]++;
			else if (r == -2)
				unsup[k]++;
			else
				fail[k]++;
			CU_ASSERT(r > 0);
		}
	}
	for (size_t k = 0; k < nd; k++) {
		fprintf(stderr,
			"\n  %s: %u of %zu cases match ORT, %u failed, %u "
			"refused at load",
			names[k], exact[k], n, fail[k], unsup[k]);
		lf_context_destroy(ctx[k]);
	}
	free_list(cases, n);
}

void lf_test_suite_realworld(void)
{
	static const struct lf_test_case cases[] = {
	    {"cases", test_cases},
	    {NULL, NULL},
	};
	lf_test_add_suite("realworld", NULL, NULL, cases);
}
