/*
 * main.c - the `layerfab` command-line tool: one subcommand per entry of
 * the table below.
 *
 *   layerfab conformance DIR [--filter SUBSTR] [--device DEV]
 *       run the ONNX backend node tests under DIR on the CPU ops and
 *       whole models through the model API on the "cpu" device (with
 *       --device: everything through the model API on DEV); a whole model
 *       that cannot load or run fails, only node tests skip; exit 0 iff
 *       none failed
 *   layerfab devices | info | run | bench
 *       cmd_devices.c, cmd_info.c, cmd_run.c, cmd_bench.c (see cli.h)
 *   layerfab --version
 *       "layerfab MAJOR.MINOR.PATCH" (lf_version())
 */
#include <stdio.h>
#include <string.h>

#include "hostlib/cli/cli.h"
#include "hostlib/onnx/conformance.h"
#include "hostlib/onnx/onnx.h"

static int usage(FILE *f);

/* A node test on the CPU ops; a whole model through the model API on the
 * "cpu" device (*arg: that context, opened at the first whole model). */
static enum lf__conf_result cpu_test(void *arg, const char *dir, char *msg,
				     size_t len)
{
	lf_context **ctx = arg;
	if (lf__conformance_node_scope(dir))
		return lf__conformance_test(dir, msg, len);
	if (!*ctx && lf_context_create("cpu", NULL, ctx) != LF_OK) {
		snprintf(msg, len, "cannot open the cpu device: %s",
			 lf_last_error());
		return LF__CONF_FAIL;
	}
	return lf__cli_conformance_device_test(*ctx, dir, msg, len);
}

static int cmd_conformance(int argc, char **argv)
{
	const char *dir = NULL, *filter = NULL, *device = NULL;
	for (int i = 0; i < argc; i++) {
		if (lf__cli_is_help(argv[i])) {
			printf("usage: layerfab conformance DIR [--filter "
			       "SUBSTR] [--device DEV]\n");
			return 0;
		} else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
			device = argv[++i];
		} else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
			filter = argv[++i];
		} else if (strncmp(argv[i], "--filter=", 9) == 0) {
			filter = argv[i] + 9;
		} else if (argv[i][0] == '-' || dir) {
			fprintf(stderr,
				"layerfab conformance: unexpected '%s'\n",
				argv[i]);
			return usage(stderr);
		} else {
			dir = argv[i];
		}
	}
	if (!dir) {
		fprintf(stderr, "layerfab conformance: DIR is missing\n");
		return usage(stderr);
	}
	if (device)
		return lf__cli_conformance_device(dir, filter, device, stdout);
	struct lf__conf_totals t;
	char err[LF__ONNX_ERR_LEN];
	lf_context *cpu = NULL;
	lf_status st = lf__conformance_run_with(dir, filter, cpu_test, &cpu,
						stdout, &t, err, sizeof(err));
	lf_context_destroy(cpu);
	if (st != LF_OK) {
		fprintf(stderr, "layerfab conformance: %s\n", err);
		return 1;
	}
	return t.failed ? 1 : 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args, *help;
} cmds[] = {
    {"conformance", cmd_conformance, "DIR [--filter SUBSTR] [--device DEV]",
     "run ONNX backend node tests (DIR/test_*/) on the CPU ops and whole\n"
     "      models on the cpu device, or with --device everything through\n"
     "      lf_model_load/run on DEV; a whole model that does not load fails"},
    {"devices", lf__cli_devices, "[--pci-dump FILE]",
     "list FPGA cards on PCIe and every backend's devices"},
    {"info", lf__cli_info, "FILE.xclbin",
     "kernels, arguments, CUs, banks, connectivity, limits of a bitstream"},
    {"run", lf__cli_run,
     "MODEL.onnx [--input FILE.pb|--random SEED] [--device DEV]\n"
     "      [--trace trace.json] [--top K]",
     "run a model once: outputs and a per-layer profile"},
    {"bench", lf__cli_bench,
     "MODEL.onnx [--device DEV] [--warmup N] [--iters N|--seconds S]",
     "latency, throughput, transfers and MAC utilisation of a model"},
};

static int usage(FILE *f)
{
	fprintf(f, "usage: layerfab COMMAND [ARGS]\n"
		   "       layerfab --help | --version\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s %s\n      %s\n", cmds[i].name, cmds[i].args,
			cmds[i].help);
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0) {
		/* The library's version (lf_version()), which is also the
		 * header's, pkg-config's and the soname's: one source. */
		printf("layerfab %s\n", lf_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 2, argv + 2);
	fprintf(stderr, "layerfab: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
