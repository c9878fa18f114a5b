/*
 * load_file.c - lf__dev_load_xclbin_file(): read, parse, load, release.
 *
 * In its own file so that a program using only in-memory xclbins does not
 * pull in the xclbin reader from a static library.
 */
#include <stdio.h>

#include "driver/core/backend.h"

lf_status lf__dev_load_xclbin_file(lf_dev *dev, const char *path)
{
	struct lf_xclbin *xb = NULL;
	char err[256] = "";
	lf_status st;

	lf__drv_clear_error();
	if (!dev || !path)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__dev_load_xclbin_file: NULL argument");
	st = lf__xclbin_load(path, &xb, err, sizeof(err));
	if (st != LF_OK)
		return lf__drv_error(st, "xclbin '%s': %s", path,
				     err[0] ? err : "cannot be read");
	st = lf__dev_load_xclbin(dev, xb);
	if (st != LF_OK) {
		/* Keep the backend's message, prefixed with the file. */
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", lf__drv_last_error());
		lf__drv_error(st, "xclbin '%s': %s", path, msg);
	}
	lf__xclbin_free(xb);
	return st;
}
