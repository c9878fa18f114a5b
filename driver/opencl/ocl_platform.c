/*
 * ocl_platform.c - finding OpenCL devices: a scan of every platform the
 * ICD loader knows, flat device indices, and the selection strings of
 * "opencl:<selector>". Nothing here creates a context.
 *
 * The flavour follows the platform: "Xilinx" (the name XRT's OpenCL
 * runtime gives its platform; /work/shared/reference/xrt-swemu.md, 11)
 * loads the xclbin itself; any other platform builds the hls/ kernels
 * from their OpenCL C text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/opencl/ocl_impl.h"

/* A string property, always NUL-terminated ("" on failure). */
static void plat_str(cl_platform_id p, cl_platform_info what, char *out,
		     size_t len)
{
	out[0] = '\0';
	if (lf__cl.clGetPlatformInfo(p, what, len, out, NULL) != CL_SUCCESS)
		out[0] = '\0';
	out[len - 1] = '\0';
}

static void dev_str(cl_device_id d, cl_device_info what, char *out, size_t len)
{
	out[0] = '\0';
	if (lf__cl.clGetDeviceInfo(d, what, len, out, NULL) != CL_SUCCESS)
		out[0] = '\0';
	out[len - 1] = '\0';
}

/*
 * Long names come back as CL_INVALID_VALUE from clGet*Info when the
 * buffer is too small; OCL_INFO_MAX (128) holds every name seen so far,
 * and an empty name only makes a device harder to select by name.
 */
static void describe(cl_platform_id p, cl_device_id d, uint32_t index,
		     struct ocl_devinfo *v)
{
	memset(v, 0, sizeof(*v));
	v->plat = p;
	v->dev = d;
	v->index = index;
	plat_str(p, CL_PLATFORM_NAME, v->plat_name, sizeof(v->plat_name));
	plat_str(p, CL_PLATFORM_VERSION, v->plat_version,
		 sizeof(v->plat_version));
	dev_str(d, CL_DEVICE_NAME, v->dev_name, sizeof(v->dev_name));
	dev_str(d, CL_DEVICE_VENDOR, v->dev_vendor, sizeof(v->dev_vendor));
	dev_str(d, CL_DEVICE_VERSION, v->dev_version, sizeof(v->dev_version));
	dev_str(d, CL_DRIVER_VERSION, v->driver_version,
		sizeof(v->driver_version));
	if (lf__cl.clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof(v->type), &v->type,
				   NULL) != CL_SUCCESS)
		v->type = 0;
	v->flavour = strcmp(v->plat_name, "Xilinx") == 0 ? LF_OCL_XILINX
							 : LF_OCL_PORTABLE;
}

lf_status lf__ocl_scan(struct ocl_devinfo *out, uint32_t max, uint32_t *n)
{
	cl_platform_id plats[OCL_MAX_PLATFORMS];
	cl_uint np = 0;
	uint32_t total = 0;
	cl_int err;
	lf_status st = lf__cl_api_load();

	if (st != LF_OK)
		return st;
	err = lf__cl.clGetPlatformIDs(OCL_MAX_PLATFORMS, plats, &np);
	if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && !np)) {
		*n = 0;
		return LF_OK;
	}
	if (err != CL_SUCCESS)
		return lf__ocl_fail(LF_ERR_BACKEND, "clGetPlatformIDs", err,
				    NULL);
	if (np > OCL_MAX_PLATFORMS)
		np = OCL_MAX_PLATFORMS;
	for (cl_uint p = 0; p < np; p++) {
		cl_device_id devs[OCL_MAX_DEVICES];
		cl_uint nd = 0;

		/* A platform without devices (PoCL with an unwritable
		 * cache) is skipped, not an error. */
		err = lf__cl.clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL,
					    OCL_MAX_DEVICES, devs, &nd);
		if (err != CL_SUCCESS)
			continue;
		if (nd > OCL_MAX_DEVICES)
			nd = OCL_MAX_DEVICES;
		for (cl_uint i = 0; i < nd; i++, total++)
			if (total < max)
				describe(plats[p], devs[i], total, &out[total]);
	}
	*n = total;
	return LF_OK;
}

static const char *type_name(cl_device_type t)
{
	if (t & CL_DEVICE_TYPE_ACCELERATOR)
		return "accelerator";
	if (t & CL_DEVICE_TYPE_GPU)
		return "GPU";
	if (t & CL_DEVICE_TYPE_CPU)
		return "CPU";
	if (t & CL_DEVICE_TYPE_CUSTOM)
		return "custom";
	return "unknown type";
}

/* Append @s to @buf (@len bytes, @*used filled), cutting what overflows. */
static void append(char *buf, size_t len, size_t *used, const char *s)
{
	lf__ocl_copy_str(buf + *used, len - *used, s);
	*used += strlen(buf + *used);
}

/*
 * "portable flavour, CPU; platform P; vendor V; <version>", cut at @len:
 * long version strings lose their end, the line is for people. It starts
 * with "xilinx flavour" or "portable flavour", which callers may test
 * (the tests do; hostlib's choice of a default device could).
 */
static void detail_line(const struct ocl_devinfo *v, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	append(buf, len, &used,
	       v->flavour == LF_OCL_XILINX ? "xilinx" : "portable");
	append(buf, len, &used, " flavour, ");
	append(buf, len, &used, type_name(v->type));
	append(buf, len, &used, "; platform ");
	append(buf, len, &used, v->plat_name);
	append(buf, len, &used, "; vendor ");
	append(buf, len, &used, v->dev_vendor);
	append(buf, len, &used, "; ");
	append(buf, len, &used, v->dev_version);
}

lf_status lf__ocl_enumerate(struct lf_dev_desc *out, uint32_t max,
			    uint32_t *count)
{
	struct ocl_devinfo *v;
	uint32_t n = 0;
	lf_status st;

	/* Without the ICD loader there are no OpenCL devices to list;
	 * opening one says why (lf__ocl_scan). */
	if (lf__cl_api_load() != LF_OK) {
		lf__drv_clear_error();
		*count = 0;
		return LF_OK;
	}
	v = calloc(OCL_MAX_DEVICES, sizeof(*v));
	if (!v)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: out of host memory");
	st = lf__ocl_scan(v, OCL_MAX_DEVICES, &n);
	if (st != LF_OK) {
		free(v);
		return st;
	}
	for (uint32_t i = 0; i < n && i < max && i < OCL_MAX_DEVICES; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].backend, sizeof(out[i].backend), "opencl");
		out[i].index = i;
		lf__ocl_copy_str(out[i].name, sizeof(out[i].name),
				 v[i].dev_name);
		detail_line(&v[i], out[i].detail, sizeof(out[i].detail));
		out[i].is_card = v[i].flavour == LF_OCL_XILINX;
	}
	free(v);
	*count = n;
	return LF_OK;
}

/* @needle occurs in @hay, ignoring ASCII case; "" occurs everywhere. */
static int contains_ci(const char *hay, const char *needle, size_t nlen)
{
	size_t hlen = strlen(hay);

	if (nlen == 0)
		return 1;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j = 0;

		while (j < nlen && tolower((unsigned char)hay[i + j]) ==
				       tolower((unsigned char)needle[j]))
			j++;
		if (j == nlen)
			return 1;
	}
	return 0;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static lf_status not_found(const struct ocl_devinfo *v, uint32_t n,
			   const char *selector)
{
	char list[320];
	size_t used = 0;

	list[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		int w = snprintf(list + used, sizeof(list) - used,
				 "%s%u '%s' on '%s'", i ? ", " : "", i,
				 v[i].dev_name, v[i].plat_name);

		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	if (n == 0)
		return lf__drv_error(LF_ERR_NOT_FOUND,
				     "opencl: no OpenCL device found (is an "
				     "ICD installed? PoCL also hides its "
				     "device when POCL_CACHE_DIR is not "
				     "writable)");
	return lf__drv_error(LF_ERR_NOT_FOUND,
			     "opencl: no device matches \"%s\" (devices: %s)",
			     selector, list);
}

lf_status lf__ocl_select(const struct ocl_devinfo *v, uint32_t n,
			 const char *selector, uint32_t *index)
{
	const char *sep;

	if (n == 0)
		return not_found(v, n, selector);
	if (!*selector) {
		*index = 0;
		return LF_OK;
	}
	if (all_digits(selector)) {
		unsigned long i = strtoul(selector, NULL, 10);

		if (strlen(selector) > 9 || i >= n)
			return not_found(v, n, selector);
		*index = (uint32_t)i;
		return LF_OK;
	}
	sep = strchr(selector, '/');
	if (!sep)
		sep = strchr(selector, ':');
	for (uint32_t i = 0; i < n; i++) {
		int match;

		if (sep)
			match = contains_ci(v[i].plat_name, selector,
					    (size_t)(sep - selector)) &&
				contains_ci(v[i].dev_name, sep + 1,
					    strlen(sep + 1));
		else /* PoCL's platform is "Portable Computing Language";
		      * only its version says "PoCL" (opencl:pocl). */
			match = contains_ci(v[i].dev_name, selector,
					    strlen(selector)) ||
				contains_ci(v[i].plat_name, selector,
					    strlen(selector)) ||
				contains_ci(v[i].dev_vendor, selector,
					    strlen(selector)) ||
				contains_ci(v[i].plat_version, selector,
					    strlen(selector));
		if (match) {
			*index = i;
			return LF_OK;
		}
	}
	return not_found(v, n, selector);
}

lf_status lf__ocl_find_device(const char *selector, uint32_t *index)
{
	struct ocl_devinfo *v;
	uint32_t n = 0;
	lf_status st;

	if (!selector || !index)
		return lf__drv_error(LF_ERR_INVALID_ARG,
				     "lf__ocl_find_device: NULL argument");
	v = calloc(OCL_MAX_DEVICES, sizeof(*v));
	if (!v)
		return lf__drv_error(LF_ERR_NO_MEMORY,
				     "opencl: out of host memory");
	st = lf__ocl_scan(v, OCL_MAX_DEVICES, &n);
	if (st == LF_OK)
		st =
		    lf__ocl_select(v, n < OCL_MAX_DEVICES ? n : OCL_MAX_DEVICES,
				   selector, index);
	free(v);
	return st;
}
