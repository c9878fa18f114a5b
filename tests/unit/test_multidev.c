/*
 * test_multidev.c - the "multidev" suite: contexts holding several devices
 * ("DEV+DEV[+...]") and lf_model_run() splitting a batch across them
 * (hostlib/core/context.c, hostlib/model/run.c).
 *
 * - fmnist_qop on "emu:aws-f1+emu:aws-f1": every ORT data set (set 1 is
 *   batch 8) byte-exact with ORT and with the single-device run; both
 *   devices' driver counters show launches (both really used); batch 1
 *   runs whole on the first device.
 * - The profile of a split run sums the launches of both devices.
 * - Malformed device strings are rejected with clear messages.
 */
#include <stdio.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/tensor.h"
#include "hostlib/exec/exec_impl.h"
#include "hostlib/model/model_impl.h"
#include "layerfab.h"
#include "lf_test.h"
#include "test_hostlib_util.h"
#include "test_model_util.h"

#define DUO "emu:aws-f1+emu:aws-f1"

static unsigned long long launches_of(lf_context *ctx, unsigned k)
{
	struct lf_dev_counters c;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(lf__dev_counters(ctx->devs[k]->dev, &c), LF_OK);
	return c.launches;
}

static void destroy_outs(lf_tensor *o[8][4])
{
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 4; j++)
			lf_tensor_destroy(o[k][j]);
}

static lf_tensor *input_set(lf_context *ctx, int set)
{
	char path[256];
	snprintf(path, sizeof(path),
		 "%s/fmnist_qop/test_data_set_%d/input_0.pb", lft_ort_dir(),
		 set);
	return lft_tensor_pb(ctx, path);
}

/* ORT-exact on two devices, identical to one device, both devices used. */
static void test_fmnist_split(void)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/fmnist_qop", lft_ort_dir());
	lf_context *one = NULL, *two = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_context_create("emu:aws-f1", NULL, &one),
			      LF_OK);
	lf_status st = lf_context_create(DUO, NULL, &two);
	if (st != LF_OK)
		fprintf(stderr, "%s: %s\n", DUO, lf_last_error());
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	one->fallback = 0;
	two->fallback = 0;
	CU_ASSERT_EQUAL(two->ndev, 2);
	struct lf_device_info di = LF_STRUCT_INIT(struct lf_device_info);
	CU_ASSERT_EQUAL(lf_context_device_info(two, &di), LF_OK);
	CU_ASSERT_EQUAL(di.device_count, 2);
	CU_ASSERT_STRING_EQUAL(di.backend, "emu");
	CU_ASSERT_EQUAL(lf_context_device_info(one, &di), LF_OK);
	CU_ASSERT_EQUAL(di.device_count, 1);

	unsigned long long a0 = launches_of(two, 0), b0 = launches_of(two, 1);
	lf_tensor *o1[8][4] = {{NULL}}, *o2[8][4] = {{NULL}};
	int n1 = lft_run_case(one, dir, 1, o1);
	int n2 = lft_run_case(two, dir, 1, o2); /* ORT-exact, every set */
	CU_ASSERT_EQUAL(n1, 3);
	CU_ASSERT_EQUAL(n2, 3);
	for (int k = 0; k < 3 && n1 == 3 && n2 == 3; k++)
		CU_ASSERT(lft_same(o2[k][0], o1[k][0], 1, "two vs one"));
	CU_ASSERT(launches_of(two, 0) > a0);
	CU_ASSERT(launches_of(two, 1) > b0);
	destroy_outs(o1);
	destroy_outs(o2);

	/* Batch 8 alone: both devices launch; batch 1: only the first. */
	char path[300];
	snprintf(path, sizeof(path), "%s/model.onnx", dir);
	lf_model *m = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_model_load(two, path, &m), LF_OK);
	CU_ASSERT_EQUAL(m->nmd, 2);
	lf_tensor *in8 = input_set(two, 1), *in1 = input_set(two, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in1);
	CU_ASSERT_EQUAL(in8->dims[0], 8);
	CU_ASSERT_EQUAL(in1->dims[0], 1);
	lf_run_profile *prof = NULL;
	CU_ASSERT_EQUAL_FATAL(lf_run_profile_create(&prof), LF_OK);

	a0 = launches_of(two, 0);
	b0 = launches_of(two, 1);
	lf_tensor *out = NULL;
	CU_ASSERT_EQUAL(lf_model_run(m, &in8, 1, &out, 1, prof), LF_OK);
	unsigned long long da = launches_of(two, 0) - a0,
			   db = launches_of(two, 1) - b0;
	CU_ASSERT(da > 0);
	CU_ASSERT(db > 0);
	CU_ASSERT_EQUAL(out ? out->dims[0] : 0, 8);
	unsigned plaunch = 0;
	for (size_t i = 0; i < lf_run_profile_count(prof); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		CU_ASSERT_EQUAL(lf_run_profile_get(prof, i, &r), LF_OK);
		plaunch += r.launches;
	}
	CU_ASSERT_EQUAL(plaunch, da + db); /* both devices in the profile */
	lf_tensor_destroy(out);
	out = NULL;

	a0 = launches_of(two, 0);
	b0 = launches_of(two, 1);
	CU_ASSERT_EQUAL(lf_model_run(m, &in1, 1, &out, 1, NULL), LF_OK);
	CU_ASSERT(launches_of(two, 0) > a0);
	CU_ASSERT_EQUAL(launches_of(two, 1), b0);
	CU_ASSERT_EQUAL(out ? out->dims[0] : 0, 1);
	lf_tensor_destroy(out);

	lf_run_profile_destroy(prof);
	lf_tensor_destroy(in8);
	lf_tensor_destroy(in1);
	CU_ASSERT_EQUAL(lf_model_destroy(m), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(two), LF_OK);
	CU_ASSERT_EQUAL(lf_context_destroy(one), LF_OK);
}

static void rejected(const char *dev, const char *needle)
{
	lf_context *ctx = NULL;
	CU_ASSERT_EQUAL(lf_context_create(dev, NULL, &ctx), LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NULL(ctx);
	const char *msg = lf_last_error();
	if (!strstr(msg, needle))
		fprintf(stderr, "\"%s\": \"%s\" lacks \"%s\"\n", dev, msg,
			needle);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, needle));
	if (ctx)
		lf_context_destroy(ctx);
}

static void test_malformed(void)
{
	rejected("emu+", "empty device");
	rejected("+emu", "empty device");
	rejected("emu++emu", "empty device");
	rejected("emu+emu+emu+emu+emu", "more than 4 devices");
	rejected("emu+bogus", "device 2 \"bogus\"");
	rejected("cpu+emu", "cpu device cannot be one of several");
}

void lf_test_suite_multidev(void);
void lf_test_suite_multidev(void)
{
	static const struct lf_test_case cases[] = {
	    {"fmnist_split", test_fmnist_split},
	    {"malformed", test_malformed},
	    {NULL, NULL},
	};
	lf_test_add_suite("multidev", NULL, NULL, cases);
}
