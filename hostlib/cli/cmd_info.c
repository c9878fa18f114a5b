/*
 * cmd_info.c - `layerfab info FILE.xclbin`: what the reader makes of a
 * bitstream (the same description as `lf-xclbin --info`, from
 * driver/xclbin/xclbin_print.c), then the peak MAC rate its limits give,
 * which `bench` divides by for MAC utilisation.
 */
#include <string.h>

#include "driver/xclbin/xclbin.h"
#include "hostlib/cli/cli.h"

#define USAGE "FILE.xclbin"

int lf__cli_info(int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 0; i < argc; i++) {
		if (lf__cli_is_help(argv[i])) {
			printf("usage: layerfab info %s\n\n"
			       "Prints the kernels and their arguments, the "
			       "compute units, memory banks,\nconnectivity "
			       "and kernel limits of a bitstream, and the "
			       "card's peak MAC rate.\n",
			       USAGE);
			return LF__CLI_OK;
		}
		if (argv[i][0] == '-' || path)
			return lf__cli_usage_error("info", USAGE,
						   "unexpected '%s'", argv[i]);
		path = argv[i];
	}
	if (!path)
		return lf__cli_usage_error("info", USAGE, "FILE is missing");

	struct lf_xclbin *x;
	char err[512];
	lf_status st = lf__xclbin_load(path, &x, err, sizeof(err));
	if (st != LF_OK) {
		fprintf(stderr, "layerfab info: %s (%s)\n", err,
			lf_status_name(st));
		return LF__CLI_FAIL;
	}
	lf__xclbin_print(stdout, path, x);
	lf__xclbin_free(x);

	struct lf__cli_peak pk;
	if (lf__cli_peak_of(path, &pk) == LF_OK)
		printf("peak: %u CUs, %.0f MACs/cycle at %.0f MHz = %.1f "
		       "GMAC/s\n",
		       pk.ncus, pk.macs_per_cycle, pk.clock_mhz,
		       pk.macs_per_cycle * pk.clock_mhz / 1e3);
	else
		printf("peak: unknown (no macs_per_cycle / clock_mhz "
		       "limits)\n");
	return LF__CLI_OK;
}
