/*
 * cmd_devices.c - `layerfab devices`: the FPGA cards on the PCIe bus
 * (driver/pci, configuration space only) and, for every backend layerfab
 * knows, whether this build has it and which devices it can open
 * (enumerating opens nothing).
 */
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "driver/pci/pci.h"
#include "hostlib/cli/cli.h"

#define USAGE "[--pci-dump FILE | --sysfs DIR]"

static void print_link(const struct lf__pci_card *c)
{
	if (!c->link_speed && !c->link_width) {
		printf("link unknown");
		return;
	}
	printf("link %s x%u", lf__pci_speed_str(c->link_speed), c->link_width);
	if (c->link_speed_max != c->link_speed ||
	    c->link_width_max != c->link_width)
		printf(" (card: %s x%u)", lf__pci_speed_str(c->link_speed_max),
		       c->link_width_max);
}

static int list_cards(const struct lf__pci_opts *opts)
{
	char err[256];
	size_t n = 0;
	const char *from = opts->method == LF_PCI_DUMP ? opts->path
			   : opts->path		       ? opts->path
						       : "/sys/bus/pci";
	lf_status st = lf__pci_scan(opts, NULL, 0, &n, err, sizeof(err));
	if (st != LF_OK) {
		fprintf(stderr, "layerfab devices: PCIe scan of %s: %s (%s)\n",
			from, err, lf_status_name(st));
		return -1;
	}
	struct lf__pci_card *cards = NULL;
	if (n) {
		cards = calloc(n, sizeof(*cards));
		if (!cards) {
			fprintf(stderr, "layerfab devices: out of memory\n");
			return -1;
		}
		st = lf__pci_scan(opts, cards, n, &n, err, sizeof(err));
		if (st != LF_OK) {
			fprintf(stderr, "layerfab devices: %s (%s)\n", err,
				lf_status_name(st));
			free(cards);
			return -1;
		}
	}
	printf("PCIe FPGA cards (%s): %zu\n", from, n);
	for (size_t i = 0; i < n; i++) {
		const struct lf__pci_card *c = &cards[i];
		printf("  %s  %04x:%04x  %-12s %-4s ", c->bdf, c->vendor,
		       c->device, c->name,
		       c->role == LF_PCI_ROLE_USER ? "user" : "mgmt");
		print_link(c);
		if (c->numa_node >= 0)
			printf(", NUMA node %d", c->numa_node);
		printf("\n");
	}
	if (!n)
		printf("  none (the emulated card \"emu\" is the default)\n");
	free(cards);
	return 0;
}

static int list_backends(void)
{
	int bad = 0;
	/* Every backend the driver knows, built into this library or not. */
	const char *backends[LF_DRV_MAX_BACKENDS * 2];
	uint32_t nb = lf__backend_known(backends, LF_DRV_MAX_BACKENDS * 2);
	if (nb > LF_DRV_MAX_BACKENDS * 2)
		nb = LF_DRV_MAX_BACKENDS * 2;
	printf("\nbackends:\n");
	for (uint32_t b = 0; b < nb; b++) {
		uint32_t n = 0;
		lf_status st = lf__drv_enumerate(backends[b], NULL, 0, &n);
		if (st == LF_ERR_UNSUPPORTED || st == LF_ERR_NOT_FOUND) {
			printf("  %-7s not built: %s\n", backends[b],
			       lf__drv_last_error());
			continue;
		}
		if (st != LF_OK) {
			printf("  %-7s built; enumeration failed: %s (%s)\n",
			       backends[b], lf__drv_last_error(),
			       lf_status_name(st));
			bad = 1;
			continue;
		}
		printf("  %-7s built, %u device%s\n", backends[b], n,
		       n == 1 ? "" : "s");
		if (!n)
			continue;
		struct lf_dev_desc *d = calloc(n, sizeof(*d));
		if (!d) {
			fprintf(stderr, "layerfab devices: out of memory\n");
			return -1;
		}
		uint32_t m = n;
		st = lf__drv_enumerate(backends[b], d, n, &m);
		for (uint32_t i = 0; st == LF_OK && i < n && i < m; i++)
			printf("    %-16s %-14s %s\n", d[i].spec, d[i].name,
			       d[i].detail);
		free(d);
	}
	char reg[128];
	lf__backend_list(reg, sizeof(reg));
	printf("registered: %s\n", reg);
	return bad ? -1 : 0;
}

int lf__cli_devices(int argc, char **argv)
{
	struct lf__pci_opts opts = {LF_PCI_SYSFS, NULL};
	for (int i = 0; i < argc; i++) {
		const char *v;
		int r;
		if (lf__cli_is_help(argv[i])) {
			printf("usage: layerfab devices %s\n\n"
			       "Lists the FPGA cards on the PCIe bus (from "
			       "sysfs, or an `lspci -xxx` dump)\nand every "
			       "backend (emu, xrt, opencl): built or not, "
			       "and the devices it\ncan open. Nothing is "
			       "opened.\n",
			       USAGE);
			return LF__CLI_OK;
		}
		if ((r = lf__cli_opt("devices", argc, argv, &i, "--pci-dump",
				     &v)) != 0) {
			if (r < 0)
				return LF__CLI_USAGE;
			opts.method = LF_PCI_DUMP;
			opts.path = v;
		} else if ((r = lf__cli_opt("devices", argc, argv, &i,
					    "--sysfs", &v)) != 0) {
			if (r < 0)
				return LF__CLI_USAGE;
			opts.method = LF_PCI_SYSFS;
			opts.path = v;
		} else {
			return lf__cli_usage_error("devices", USAGE,
						   "unexpected '%s'", argv[i]);
		}
	}
	int bad = list_cards(&opts) != 0;
	bad |= list_backends() != 0;
	return bad ? LF__CLI_FAIL : LF__CLI_OK;
}
