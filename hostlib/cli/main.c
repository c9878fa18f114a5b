/*
 * main.c - the `layerfab` command-line tool: one subcommand per entry of
 * the table below.
 *
 *   layerfab conformance DIR [--filter SUBSTR]
 *       run the ONNX backend node tests under DIR on the CPU ops; exit 0
 *       iff none failed
 */
#include <stdio.h>
#include <string.h>

#include "hostlib/onnx/conformance.h"
#include "hostlib/onnx/onnx.h"

static int usage(FILE *f);

static int cmd_conformance(int argc, char **argv)
{
	const char *dir = NULL, *filter = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
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
	struct lf__conf_totals t;
	char err[LF__ONNX_ERR_LEN];
	lf_status st =
	    lf__conformance_run(dir, filter, stdout, &t, err, sizeof(err));
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
    {"conformance", cmd_conformance, "DIR [--filter SUBSTR]",
     "run ONNX backend node tests (DIR/test_*/) on the CPU ops"},
};

static int usage(FILE *f)
{
	fprintf(f, "usage: layerfab COMMAND [ARGS]\n\ncommands:\n");
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
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 2, argv + 2);
	fprintf(stderr, "layerfab: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
