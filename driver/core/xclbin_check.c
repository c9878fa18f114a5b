/*
 * xclbin_check.c - the checks every backend makes on a parsed xclbin
 * before using it (see lf__drv_check_xclbin() in driver/driver.h).
 */
#include "driver/driver.h"

lf_status lf__drv_check_xclbin(const struct lf_xclbin *xb, const char *who)
{
	if (xb->nkernels > LF_XCLBIN_MAX_KERNELS ||
	    xb->ncus > LF_XCLBIN_MAX_CUS || xb->nmems > LF_XCLBIN_MAX_MEMS ||
	    xb->nconn > LF_XCLBIN_MAX_CONN ||
	    xb->nlimits > LF_XCLBIN_MAX_LIMITS)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "%s: xclbin counts out of range (%u "
				     "kernels, %u CUs, %u banks, %u "
				     "connections, %u limits)",
				     who, xb->nkernels, xb->ncus, xb->nmems,
				     xb->nconn, xb->nlimits);
	if (xb->ncus == 0)
		return lf__drv_error(LF_ERR_BAD_FILE,
				     "%s: the xclbin has no compute units "
				     "(IP_LAYOUT)",
				     who);
	for (uint32_t i = 0; i < xb->ncus; i++)
		if (xb->cus[i].kernel >= xb->nkernels)
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "%s: CU %u '%s' names kernel %u; "
					     "there are %u",
					     who, i, xb->cus[i].name,
					     xb->cus[i].kernel, xb->nkernels);
	for (uint32_t i = 0; i < xb->nkernels; i++)
		if (xb->kernels[i].nargs > LF_DRV_MAX_ARGS)
			return lf__drv_error(LF_ERR_BAD_FILE,
					     "%s: kernel '%s' has %u arguments "
					     "(at most %d)",
					     who, xb->kernels[i].name,
					     xb->kernels[i].nargs,
					     LF_DRV_MAX_ARGS);
	return LF_OK;
}
