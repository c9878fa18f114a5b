/*
 * test_xrt_opencl.c - the "xrt_opencl" suite: XRT's OpenCL implementation
 * (libxilinxopencl, reached through the ICD loader with OCL_ICD_VENDORS
 * naming only it, tests/xrt/run.sh) running emu-tiny.xclbin on the same
 * software-emulation device process as the XRT backend. This is the
 * "Xilinx flavour" an OpenCL backend meets on a card: platform "Xilinx",
 * an accelerator device named after the platform, programs from xclbin
 * binaries, one kernel argument per lf_desc.h ABI argument. A plain
 * OpenCL host runs one matmul and one conv and compares with the CPU
 * reference, byte for byte.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_xrt.h"
#include "unit/kernel_cases.h"

struct ocl {
	cl_platform_id platform;
	cl_device_id device;
	cl_context ctx;
	cl_command_queue q;
	cl_program prog;
};

static int find_xilinx(struct ocl *o)
{
	cl_platform_id ids[8];
	cl_uint n = 0;
	char name[128];

	if (clGetPlatformIDs(8, ids, &n) != CL_SUCCESS)
		return -1;
	for (cl_uint i = 0; i < n; i++) {
		if (clGetPlatformInfo(ids[i], CL_PLATFORM_NAME, sizeof(name),
				      name, NULL) == CL_SUCCESS &&
		    strcmp(name, "Xilinx") == 0) {
			o->platform = ids[i];
			return clGetDeviceIDs(ids[i],
					      CL_DEVICE_TYPE_ACCELERATOR, 1,
					      &o->device, NULL) == CL_SUCCESS
				   ? 0
				   : -1;
		}
	}
	return -1;
}

static int build(struct ocl *o)
{
	char path[512];
	unsigned char *bin = NULL;
	size_t len = 0;
	cl_int err, st;
	FILE *f;

	lf_xt_xclbin_path(LF_XT_PROFILE, path, sizeof(path));
	f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	bin = malloc(len);
	if (bin && fread(bin, 1, len, f) != len)
		len = 0;
	fclose(f);
	o->ctx = clCreateContext(NULL, 1, &o->device, NULL, NULL, &err);
	if (err == CL_SUCCESS)
		o->q = clCreateCommandQueue(o->ctx, o->device, 0, &err);
	if (err == CL_SUCCESS && bin && len)
		o->prog = clCreateProgramWithBinary(
		    o->ctx, 1, &o->device, &len, (const unsigned char **)&bin,
		    &st, &err);
	if (err == CL_SUCCESS && o->prog)
		err = clBuildProgram(o->prog, 1, &o->device, "", NULL, NULL);
	free(bin);
	return err == CL_SUCCESS && o->prog ? 0 : -1;
}

/* One launch of kernel @name; 0 when the result matches the reference. */
static int run_case(struct ocl *o, const char *name,
		    const struct lf_kc_launch *l)
{
	size_t dbytes = (size_t)l->ndesc * LF_DESC_BYTES;
	size_t pbytes = l->params_bytes ? l->params_bytes : 4;
	cl_mem m[3] = {NULL, NULL, NULL};
	cl_kernel k;
	cl_int err;
	uint8_t *out = malloc(l->act_bytes);
	int bad = -1;

	k = clCreateKernel(o->prog, name, &err);
	if (err != CL_SUCCESS || !out)
		goto out;
	m[0] = clCreateBuffer(o->ctx, CL_MEM_READ_WRITE, dbytes, NULL, &err);
	m[1] = clCreateBuffer(o->ctx, CL_MEM_READ_ONLY, pbytes, NULL, &err);
	m[2] =
	    clCreateBuffer(o->ctx, CL_MEM_READ_WRITE, l->act_bytes, NULL, &err);
	if (!m[0] || !m[1] || !m[2])
		goto out;
	/* Arguments first: XRT places each buffer in the bank its
	 * argument is connected to when it is first bound. */
	err = clSetKernelArg(k, 0, sizeof(cl_mem), &m[0]);
	err |= clSetKernelArg(k, 1, sizeof(cl_uint), &l->ndesc);
	err |= clSetKernelArg(k, 2, sizeof(cl_mem), &m[1]);
	err |= clSetKernelArg(k, 3, sizeof(cl_uint), &l->params_bytes);
	err |= clSetKernelArg(k, 4, sizeof(cl_mem), &m[2]);
	err |= clSetKernelArg(k, 5, sizeof(cl_uint), &l->act_bytes);
	err |= clEnqueueWriteBuffer(o->q, m[0], CL_TRUE, 0, dbytes, l->desc, 0,
				    NULL, NULL);
	if (l->params_bytes)
		err |= clEnqueueWriteBuffer(o->q, m[1], CL_TRUE, 0,
					    l->params_bytes, l->params, 0, NULL,
					    NULL);
	err |= clEnqueueWriteBuffer(o->q, m[2], CL_TRUE, 0, l->act_bytes,
				    l->act, 0, NULL, NULL);
	err |= clEnqueueTask(o->q, k, 0, NULL, NULL);
	err |= clFinish(o->q);
	err |= clEnqueueReadBuffer(o->q, m[2], CL_TRUE, 0, l->act_bytes, out, 0,
				   NULL, NULL);
	if (err != CL_SUCCESS)
		fprintf(stderr, "\n%s: OpenCL error %d\n", name, err);
	else
		bad = lf_kc_compare(l, out, "xrt opencl", 0, 0);
out:
	for (int i = 0; i < 3; i++)
		if (m[i])
			clReleaseMemObject(m[i]);
	if (k)
		clReleaseKernel(k);
	free(out);
	return bad;
}

static void test_opencl_host(void)
{
	struct ocl o;
	struct lf_kc_launch l;
	struct lf_rng r;
	char name[256] = "";

	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL_FATAL(find_xilinx(&o), 0);
	CU_ASSERT_EQUAL(
	    clGetDeviceInfo(o.device, CL_DEVICE_NAME, sizeof(name), name, NULL),
	    CL_SUCCESS);
	CU_ASSERT_STRING_EQUAL(name, "layerfab_tiny_emu_1");
	CU_ASSERT_EQUAL_FATAL(build(&o), 0);
	lf_rng_seed(&r, lf_kc_seed() ^ 0x0c1u);
	CU_ASSERT_EQUAL_FATAL(lf_kc_random_matmul(&r, 0, &l), 0);
	CU_ASSERT_EQUAL(run_case(&o, "lfk_matmul", &l), 0);
	lf_kc_free(&l);
	CU_ASSERT_EQUAL_FATAL(lf_kc_random_conv(&r, 0, &l), 0);
	CU_ASSERT_EQUAL(run_case(&o, "lfk_conv2d", &l), 0);
	lf_kc_free(&l);
	clReleaseProgram(o.prog);
	clReleaseCommandQueue(o.q);
	clReleaseContext(o.ctx);
}

void lf_test_suite_xrt_opencl(void)
{
	static const struct lf_test_case cases[] = {
	    {"opencl_host", test_opencl_host},
	    {NULL, NULL},
	};
	lf_test_add_suite("xrt_opencl", NULL, NULL, cases);
}
