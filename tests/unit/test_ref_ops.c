/*
 * test_ref_ops.c - the CPU ops of hostlib/cpu on small cases whose expected
 * values are worked out by hand in the comments (never by running the code
 * under test). Rounding is half to even throughout unless said otherwise.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "lf_test.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void expect_u8(const uint8_t *got, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(got[i], want[i]);
}

static void expect_i8(const int8_t *got, const int8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(got[i], want[i]);
}

static void expect_f(const float *got, const float *want, size_t n, double tol)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_DOUBLE_EQUAL(got[i], want[i], tol);
}

/* A per-tensor axis over @n elements. */
static struct lf_ref_qaxis per_tensor(size_t n, const float *scale,
				      const int32_t *zp)
{
	struct lf_ref_qaxis q = {1, n, 1, scale, zp, 1};
	return q;
}

/* ---- QuantizeLinear ------------------------------------------------- */

static void test_quantize_half_even(void)
{
	/* scale 1, zp 0: 0.5->0, 1.5->2, 2.5->2, 3.5->4, -0.5->-0->0,
	 * 254.5->254, 255.5 is past 255 -> 255. */
	const float x[] = {0.5f, 1.5f, 2.5f, 3.5f, -0.5f, 254.5f, 255.5f};
	const uint8_t want[] = {0, 2, 2, 4, 0, 254, 255};
	float s = 1.0f;
	uint8_t y[N_OF(x)];
	struct lf_ref_qaxis q = per_tensor(N_OF(x), &s, NULL);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, x, LF_DTYPE_UINT8, y),
			LF_OK);
	expect_u8(y, want, N_OF(x));

	/* int8, scale 2: 1/2=0.5->0, 3/2=1.5->2, 5/2=2.5->2, -1/2->-0->0,
	 * -3/2=-1.5->-2, -5/2=-2.5->-2, 300/2=150->127, -150->-128. */
	const float x8[] = {1, 3, 5, -1, -3, -5, 300, -300};
	const int8_t want8[] = {0, 2, 2, 0, -2, -2, 127, -128};
	int8_t y8[N_OF(x8)];
	s = 2.0f;
	q = per_tensor(N_OF(x8), &s, NULL);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, x8, LF_DTYPE_INT8, y8),
			LF_OK);
	expect_i8(y8, want8, N_OF(x8));
}

/* The zero point is added after rounding: round(0.5)+1 = 1, not 2. */
static void test_quantize_zp_after_rounding(void)
{
	/* scale 1, zp 1: 0.5 -> 0 + 1 = 1 (adding first would give
	 * round(1.5) = 2); 1.5 -> 2 + 1 = 3 (first: round(2.5) = 2). */
	const float x[] = {0.5f, 1.5f};
	const uint8_t want[] = {1, 3};
	float s = 1.0f;
	int32_t zp = 1;
	uint8_t y[2];
	struct lf_ref_qaxis q = per_tensor(2, &s, &zp);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, x, LF_DTYPE_UINT8, y),
			LF_OK);
	expect_u8(y, want, 2);
}

static void test_quantize_saturation(void)
{
	/* uint8, zp 10, scale 1: -20 -> -10 (below -10 = 0 - zp) -> 0;
	 * 300 -> past 245 -> 255; NaN -> qmin (ORT's MAXPS rule) = 0;
	 * +inf -> 255; -inf -> 0; 12.5 -> 12 + 10 = 22. */
	const float x[] = {-20, 300, NAN, INFINITY, -INFINITY, 12.5f};
	const uint8_t want[] = {0, 255, 0, 255, 0, 22};
	float s = 1.0f;
	int32_t zp = 10;
	uint8_t y[N_OF(x)];
	struct lf_ref_qaxis q = per_tensor(N_OF(x), &s, &zp);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, x, LF_DTYPE_UINT8, y),
			LF_OK);
	expect_u8(y, want, N_OF(x));

	/* int8 NaN -> -128. */
	int8_t y8;
	float nan = NAN;
	q = per_tensor(1, &s, NULL);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, &nan, LF_DTYPE_INT8, &y8),
			LF_OK);
	CU_ASSERT_EQUAL(y8, -128);
}

static void test_quantize_per_axis(void)
{
	/* x[2][3][2], axis 1: scale {1, 2, 4}, zp {0, 10, 100}.
	 * outer 0: ch0 {1,2}->{1,2}; ch1 {4,6}/2={2,3}+10={12,13};
	 *          ch2 {8,-8}/4={2,-2}+100={102,98}
	 * outer 1: ch0 {3,4}->{3,4}; ch1 {5,-5}/2={2.5,-2.5}->{2,-2}+10=
	 *          {12,8}; ch2 {10,2}/4={2.5,0.5}->{2,0}+100={102,100} */
	const float x[] = {1, 2, 4, 6, 8, -8, 3, 4, 5, -5, 10, 2};
	const uint8_t want[] = {1, 2, 12, 13, 102, 98, 3, 4, 12, 8, 102, 100};
	const float s[] = {1, 2, 4};
	const int32_t zp[] = {0, 10, 100};
	uint8_t y[12];
	struct lf_ref_qaxis q = {2, 3, 2, s, zp, 3};
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, x, LF_DTYPE_UINT8, y),
			LF_OK);
	expect_u8(y, want, 12);
}

static void test_quantize_errors(void)
{
	float x = 1, s0 = 0, s1 = 1, s2[2] = {1, 1};
	int32_t big = 300;
	uint8_t y;
	struct lf_ref_qaxis q = per_tensor(1, &s0, NULL);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, &x, LF_DTYPE_UINT8, &y),
			LF_ERR_INVALID_ARG); /* scale 0 */
	q = per_tensor(1, &s1, &big);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, &x, LF_DTYPE_UINT8, &y),
			LF_ERR_INVALID_ARG); /* zp 300 does not fit uint8 */
	q = per_tensor(1, &s1, NULL);
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&q, &x, LF_DTYPE_INT32, &y),
			LF_ERR_UNSUPPORTED);
	struct lf_ref_qaxis bad = {1, 3, 1, s2, NULL, 2}; /* 2 != 3 */
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&bad, &x, LF_DTYPE_UINT8, &y),
			LF_ERR_SHAPE);
	struct lf_ref_qaxis huge = {SIZE_MAX, 2, 2, &s1, NULL, 1};
	CU_ASSERT_EQUAL(lf__ref_quantize_linear(&huge, &x, LF_DTYPE_UINT8, &y),
			LF_ERR_OVERFLOW);
}

/* ---- DequantizeLinear ----------------------------------------------- */

static void test_dequantize(void)
{
	/* uint8 zp 128 scale 0.5: (0-128)*0.5=-64, 0, (255-128)*0.5=63.5 */
	const uint8_t xu[] = {0, 128, 255};
	const float wu[] = {-64, 0, 63.5f};
	float s = 0.5f, y[3];
	int32_t zp = 128;
	struct lf_ref_qaxis q = per_tensor(3, &s, &zp);
	CU_ASSERT_EQUAL(lf__ref_dequantize_linear(&q, LF_DTYPE_UINT8, xu, y),
			LF_OK);
	expect_f(y, wu, 3, 0);

	/* int8 zp -1 scale 2: (-128+1)*2=-254, (127+1)*2=256 */
	const int8_t xi[] = {-128, 127};
	const float wi[] = {-254, 256};
	s = 2;
	zp = -1;
	q = per_tensor(2, &s, &zp);
	CU_ASSERT_EQUAL(lf__ref_dequantize_linear(&q, LF_DTYPE_INT8, xi, y),
			LF_OK);
	expect_f(y, wi, 2, 0);

	/* int32 scale 0.25, no zp: -8 -> -2, 1000000 -> 250000 */
	const int32_t x32[] = {-8, 1000000};
	const float w32[] = {-2, 250000};
	s = 0.25f;
	q = per_tensor(2, &s, NULL);
	CU_ASSERT_EQUAL(lf__ref_dequantize_linear(&q, LF_DTYPE_INT32, x32, y),
			LF_OK);
	expect_f(y, w32, 2, 0);
	/* ONNX: int32 has no zero point */
	zp = 5;
	q = per_tensor(2, &s, &zp);
	CU_ASSERT_EQUAL(lf__ref_dequantize_linear(&q, LF_DTYPE_INT32, x32, y),
			LF_ERR_INVALID_ARG);

	/* per-axis x[1][2][2]: scale {1, 0.5}, zp {0, 2}:
	 * ch0 {1,3} -> {1,3}; ch1 {4,6} -> {(4-2)*0.5, (6-2)*0.5} = {1,2} */
	const uint8_t xa[] = {1, 3, 4, 6};
	const float wa[] = {1, 3, 1, 2}, sa[] = {1, 0.5f};
	const int32_t za[] = {0, 2};
	struct lf_ref_qaxis qa = {1, 2, 2, sa, za, 2};
	float ya[4];
	CU_ASSERT_EQUAL(lf__ref_dequantize_linear(&qa, LF_DTYPE_UINT8, xa, ya),
			LF_OK);
	expect_f(ya, wa, 4, 0);
}

/* ---- Pooling ---------------------------------------------------------- */

/* A 2-D pool over x[1][1][h][w]. */
static struct lf_ref_pool pool2(int64_t h, int64_t w, int64_t k, int64_t s)
{
	struct lf_ref_pool p;
	memset(&p, 0, sizeof(p));
	p.nsp = 2;
	p.n = p.c = 1;
	p.in[0] = h;
	p.in[1] = w;
	p.kernel[0] = p.kernel[1] = k;
	p.stride[0] = p.stride[1] = s;
	p.dil[0] = p.dil[1] = 1;
	return p;
}

static struct lf_ref_pool pool1(int64_t w, int64_t k, int64_t s)
{
	struct lf_ref_pool p;
	memset(&p, 0, sizeof(p));
	p.nsp = 1;
	p.n = p.c = 1;
	p.in[0] = w;
	p.kernel[0] = k;
	p.stride[0] = s;
	p.dil[0] = 1;
	return p;
}

static const float x3x3[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static void test_maxpool_basic(void)
{
	/* [[1,2,3],[4,5,6],[7,8,9]], 2x2 stride 1 -> [[5,6],[8,9]] at flat
	 * indices 4, 5, 7, 8. */
	struct lf_ref_pool p = pool2(3, 3, 2, 1);
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT_EQUAL(p.out[0], 2);
	CU_ASSERT_EQUAL(p.out[1], 2);
	float y[4];
	int64_t idx[4];
	const float want[] = {5, 6, 8, 9};
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x3x3, y, idx, 0),
			LF_OK);
	expect_f(y, want, 4, 0);
	CU_ASSERT(idx[0] == 4 && idx[1] == 5 && idx[2] == 7 && idx[3] == 8);

	/* pads 1, kernel 2, stride 2: out = (3+2-2)/2+1 = 2. Windows start
	 * at -1 and 1: rows/cols {0} and {1,2}: x[0][0]=1, max of row 0
	 * cols 1-2 = 3, rows 1-2 col 0 = 7, rows 1-2 cols 1-2 = 9. */
	p = pool2(3, 3, 2, 2);
	p.pad_begin[0] = p.pad_begin[1] = p.pad_end[0] = p.pad_end[1] = 1;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.out[0] == 2 && p.out[1] == 2);
	const float want2[] = {1, 3, 7, 9};
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x3x3, y, NULL, 0),
			LF_OK);
	expect_f(y, want2, 4, 0);
}

static void test_maxpool_ceil_dilation(void)
{
	/* x[r][c] = 4r+c+1 on 4x4, x[1][1] replaced by 100. */
	float x[16];
	for (int i = 0; i < 16; i++)
		x[i] = (float)(i + 1);
	x[5] = 100;
	float y[4];

	/* kernel 3 stride 2 ceil: out = ceil((4-3)/2)+1 = 2; windows rows
	 * {0,1,2} and {2,3}, same for cols: max(rows 0-2, cols 0-2) = 100,
	 * (rows 0-2, cols 2-3) = x[2][3] = 12, (rows 2-3, cols 0-2) = 15,
	 * (rows 2-3, cols 2-3) = 16. Floor mode has only 1x1. */
	struct lf_ref_pool p = pool2(4, 4, 3, 2);
	p.ceil_mode = 1;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.out[0] == 2 && p.out[1] == 2);
	const float wceil[] = {100, 12, 15, 16};
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x, y, NULL, 0),
			LF_OK);
	expect_f(y, wceil, 4, 0);
	p.ceil_mode = 0;
	CU_ASSERT_EQUAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.out[0] == 1 && p.out[1] == 1);

	/* kernel 2 dilation 2 stride 1: out = (4-2-1)/1+1 = 2. Window (i,j)
	 * reads (i,j),(i,j+2),(i+2,j),(i+2,j+2): (0,0): 1,3,9,11 -> 11
	 * (skips the 100 at (1,1)); (0,1): 2,4,10,12 -> 12; (1,0): 5,7,13,
	 * 15 -> 15; (1,1): 100,8,14,16 -> 100. */
	p = pool2(4, 4, 2, 1);
	p.dil[0] = p.dil[1] = 2;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.out[0] == 2 && p.out[1] == 2);
	const float wdil[] = {11, 12, 15, 100};
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x, y, NULL, 0),
			LF_OK);
	expect_f(y, wdil, 4, 0);
}

static void test_maxpool_int_types(void)
{
	/* int8 1-D {-5,-3,-7,-128}, kernel 2, pads 1/1: out 5; padding never
	 * wins: {pad,-5}=-5, {-5,-3}=-3, {-3,-7}=-3, {-7,-128}=-7,
	 * {-128,pad}=-128. */
	const int8_t x[] = {-5, -3, -7, -128};
	const int8_t want[] = {-5, -3, -3, -7, -128};
	int8_t y[5];
	struct lf_ref_pool p = pool1(4, 2, 1);
	p.pad_begin[0] = p.pad_end[0] = 1;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT_EQUAL(p.out[0], 5);
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_INT8, x, y, NULL, 0),
			LF_OK);
	expect_i8(y, want, 5);

	/* uint8 3-D 2x2x2 kernel 2: one output, the max 200 at index 6. */
	const uint8_t xu[] = {1, 9, 3, 4, 5, 6, 200, 8};
	uint8_t yu;
	int64_t idx;
	struct lf_ref_pool p3;
	memset(&p3, 0, sizeof(p3));
	p3.nsp = 3;
	p3.n = p3.c = 1;
	for (int i = 0; i < 3; i++) {
		p3.in[i] = p3.kernel[i] = 2;
		p3.stride[i] = p3.dil[i] = 1;
	}
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p3), LF_OK);
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p3, LF_DTYPE_UINT8, xu, &yu, &idx, 0),
			LF_OK);
	CU_ASSERT_EQUAL(yu, 200);
	CU_ASSERT_EQUAL(idx, 6);
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p3, LF_DTYPE_INT32, xu, &yu, NULL, 0),
			LF_ERR_UNSUPPORTED);
}

static void test_maxpool_storage_order(void)
{
	/* x[2][3] = [[1,6,2],[3,4,5]], 2x2 stride 1 -> 1x2, both maxima are
	 * the 6 at (0,1): row-major index 0*3+1 = 1, column-major
	 * h + w*H = 0 + 1*2 = 2. */
	const float x[] = {1, 6, 2, 3, 4, 5};
	struct lf_ref_pool p = pool2(2, 3, 2, 1);
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	float y[2];
	int64_t idx[2];
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x, y, idx, 0),
			LF_OK);
	CU_ASSERT(y[0] == 6 && y[1] == 6 && idx[0] == 1 && idx[1] == 1);
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x, y, idx, 1),
			LF_OK);
	CU_ASSERT(idx[0] == 2 && idx[1] == 2);
}

static void test_pool_auto_pad(void)
{
	/* 1-D in 4, kernel 2, stride 1: pad needed = (4-1)*1+2-4 = 1.
	 * SAME_UPPER puts it at the end: windows {1,5},{5,2},{2,3},{3,pad}
	 * -> 5,5,3,3. SAME_LOWER at the start: {pad,1},{1,5},{5,2},{2,3} ->
	 * 1,5,5,3. VALID: 3 windows -> 5,5,3. */
	const float x[] = {1, 5, 2, 3};
	float y[4];
	struct lf_ref_pool p = pool1(4, 2, 1);
	p.auto_pad = LF_REF_AUTO_PAD_SAME_UPPER;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.pad_begin[0] == 0 && p.pad_end[0] == 1 && p.out[0] == 4);
	const float wu[] = {5, 5, 3, 3};
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x, y, NULL, 0),
			LF_OK);
	expect_f(y, wu, 4, 0);

	p = pool1(4, 2, 1);
	p.auto_pad = LF_REF_AUTO_PAD_SAME_LOWER;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.pad_begin[0] == 1 && p.pad_end[0] == 0 && p.out[0] == 4);
	const float wl[] = {1, 5, 5, 3};
	CU_ASSERT_EQUAL(lf__ref_maxpool(&p, LF_DTYPE_FLOAT32, x, y, NULL, 0),
			LF_OK);
	expect_f(y, wl, 4, 0);

	p = pool1(4, 2, 1);
	p.auto_pad = LF_REF_AUTO_PAD_VALID;
	p.pad_begin[0] = 1; /* ignored */
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.pad_begin[0] == 0 && p.out[0] == 3);

	/* stride 2, in 5, kernel 3: SAME: ceil(5/2)=3 outputs, pad needed
	 * (3-1)*2+3-5 = 2 -> 1 and 1. */
	p = pool1(5, 3, 2);
	p.auto_pad = LF_REF_AUTO_PAD_SAME_UPPER;
	CU_ASSERT_EQUAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT(p.pad_begin[0] == 1 && p.pad_end[0] == 1 && p.out[0] == 3);
}

static void test_pool_plan_errors(void)
{
	struct lf_ref_pool p = pool1(4, 2, 1);
	p.pad_begin[0] = 2; /* ORT: "Pad should be smaller than kernel" */
	CU_ASSERT_EQUAL(lf__ref_pool_plan(&p), LF_ERR_INVALID_ARG);
	p = pool1(2, 3, 1); /* kernel longer than the input */
	CU_ASSERT_EQUAL(lf__ref_pool_plan(&p), LF_ERR_SHAPE);
	p = pool1(4, 2, 0); /* stride 0 */
	CU_ASSERT_EQUAL(lf__ref_pool_plan(&p), LF_ERR_SHAPE);
	p = pool1(4, 2, 1);
	p.nsp = 4;
	CU_ASSERT_EQUAL(lf__ref_pool_plan(&p), LF_ERR_SHAPE);
	CU_ASSERT_EQUAL(lf__ref_pool_plan(NULL), LF_ERR_INVALID_ARG);
}

static void test_avgpool(void)
{
	float y[9];
	/* 2x2 stride 1 on 1..9: (1+2+4+5)/4=3, (2+3+5+6)/4=4, 6, 7 */
	struct lf_ref_pool p = pool2(3, 3, 2, 1);
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	const float w1[] = {3, 4, 6, 7};
	CU_ASSERT_EQUAL(lf__ref_avgpool(&p, x3x3, y), LF_OK);
	expect_f(y, w1, 4, 0);

	/* 3x3, pads 1: corner reads 1,2,4,5 (12), edge (0,1) reads rows 0-1
	 * (21), center all (45). Excluding padding: 12/4=3, 21/6=3.5, 45/9=
	 * 5. Including it: 12/9, 21/9, 45/9. */
	p = pool2(3, 3, 3, 1);
	for (int i = 0; i < 2; i++)
		p.pad_begin[i] = p.pad_end[i] = 1;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT_EQUAL(lf__ref_avgpool(&p, x3x3, y), LF_OK);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 3.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 3.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(y[4], 5.0, 0);
	p.count_include_pad = 1;
	CU_ASSERT_EQUAL(lf__ref_avgpool(&p, x3x3, y), LF_OK);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 12.0f / 9.0f, 0);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 21.0f / 9.0f, 0);
	CU_ASSERT_DOUBLE_EQUAL(y[4], 5.0, 0);
}

/*
 * ceil_mode window past the end: {1,2,3,4,5}, kernel 2 stride 2 ceil ->
 * out ceil(3/2)+1 = 3, last window reads only the 5. Excluding padding:
 * 5/1 = 5. count_include_pad divides by the whole kernel (2) even though
 * the window is past the (zero) padding, as ORT's MLAS does: 2.5.
 */
static void test_avgpool_ceil_include_pad(void)
{
	const float x[] = {1, 2, 3, 4, 5};
	float y[3];
	struct lf_ref_pool p = pool1(5, 2, 2);
	p.ceil_mode = 1;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT_EQUAL(p.out[0], 3);
	const float wx[] = {1.5f, 3.5f, 5}, wi[] = {1.5f, 3.5f, 2.5f};
	CU_ASSERT_EQUAL(lf__ref_avgpool(&p, x, y), LF_OK);
	expect_f(y, wx, 3, 0);
	p.count_include_pad = 1;
	CU_ASSERT_EQUAL(lf__ref_avgpool(&p, x, y), LF_OK);
	expect_f(y, wi, 3, 0);
}

static void test_global_avgpool(void)
{
	/* {1,2,3} -> 2; {4,5,7} -> 16/3 */
	const float x[] = {1, 2, 3, 4, 5, 7};
	float y[2];
	CU_ASSERT_EQUAL(lf__ref_global_avgpool(2, 3, x, y), LF_OK);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 2.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 16.0f / 3.0f, 0);
	CU_ASSERT_EQUAL(lf__ref_global_avgpool(2, 0, x, y), LF_ERR_SHAPE);
}

static void test_qglobal_avgpool(void)
{
	/* uint8, x (0.5, zp 10), y (0.25, zp 20), image 4. scale =
	 * 0.5/(0.25*4) = 0.5; acc = sum - 10*4.
	 * {10,12,14,16}: acc 12 -> 6 -> 26
	 * {10,11,10,10}: acc 1 -> 0.5 -> 0 -> 20 (half to even)
	 * {10,13,10,10}: acc 3 -> 1.5 -> 2 -> 22
	 * {255 x4}: acc 980 -> 490 -> past 235 -> 255 */
	const uint8_t x[] = {10, 12, 14, 16, 10,  11,  10,  10,
			     10, 13, 10, 10, 255, 255, 255, 255};
	const uint8_t want[] = {26, 20, 22, 255};
	uint8_t y[4];
	struct lf_ref_q1 xq = {0.5f, 10}, yq = {0.25f, 20};
	CU_ASSERT_EQUAL(
	    lf__ref_qglobal_avgpool(4, 4, LF_DTYPE_UINT8, &xq, &yq, x, y),
	    LF_OK);
	expect_u8(y, want, 4);

	/* int8, scales 1, zps 0, image 2: {-3,-2}: -5*0.5 = -2.5 -> -2;
	 * {-3,0}: -1.5 -> -2. */
	const int8_t x8[] = {-3, -2, -3, 0};
	const int8_t w8[] = {-2, -2};
	int8_t y8[2];
	struct lf_ref_q1 one = {1, 0};
	CU_ASSERT_EQUAL(
	    lf__ref_qglobal_avgpool(2, 2, LF_DTYPE_INT8, &one, &one, x8, y8),
	    LF_OK);
	expect_i8(y8, w8, 2);

	/* ORT refuses scale = 1000/(1*1) >= 256. */
	struct lf_ref_q1 big = {1000, 0};
	CU_ASSERT_EQUAL(
	    lf__ref_qglobal_avgpool(1, 1, LF_DTYPE_UINT8, &big, &one, x, y),
	    LF_ERR_UNSUPPORTED);
}

static void test_qavgpool(void)
{
	struct lf_ref_q1 xq = {1, 0}, yq = {1, 1};
	uint8_t y[3];

	/* {1,2,4,7}, kernel 2 stride 1; y_zp 1 is added before rounding, as
	 * ORT's quantize_value: 1.5+1 = 2.5 -> 2 (QuantizeLinear's order
	 * would give 2+1 = 3), 3+1 = 4, 5.5+1 = 6.5 -> 6. */
	const uint8_t x[] = {1, 2, 4, 7};
	const uint8_t want[] = {2, 4, 6};
	struct lf_ref_pool p = pool1(4, 2, 1);
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT_EQUAL(lf__ref_qavgpool(&p, LF_DTYPE_UINT8, &xq, &yq, x, y),
			LF_OK);
	expect_u8(y, want, 3);

	/* {2,4}, kernel 2, pads 1/1 -> 3 windows {pad,2},{2,4},{4,pad}.
	 * y_zp 0. Excluding padding: 2, 3, 4. Including: 1, 3, 2. */
	const uint8_t x2[] = {2, 4};
	struct lf_ref_q1 y0 = {1, 0};
	p = pool1(2, 2, 1);
	p.pad_begin[0] = p.pad_end[0] = 1;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	const uint8_t wx[] = {2, 3, 4}, wi[] = {1, 3, 2};
	CU_ASSERT_EQUAL(lf__ref_qavgpool(&p, LF_DTYPE_UINT8, &xq, &y0, x2, y),
			LF_OK);
	expect_u8(y, wx, 3);
	p.count_include_pad = 1;
	CU_ASSERT_EQUAL(lf__ref_qavgpool(&p, LF_DTYPE_UINT8, &xq, &y0, x2, y),
			LF_OK);
	expect_u8(y, wi, 3);

	/* Kernel = whole image, no pads: ORT switches to the global kernel,
	 * which rounds before adding y_zp. x {10,11}, x_zp 10, y_zp 1:
	 * acc = 21-20 = 1, scale = 1/(1*2) = 0.5, 0.5 -> 0, + 1 = 1 (the
	 * float path would give round(0.5+1) = 2). */
	const uint8_t x3[] = {10, 11};
	struct lf_ref_q1 xz = {1, 10};
	p = pool1(2, 2, 1);
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT_EQUAL(lf__ref_qavgpool(&p, LF_DTYPE_UINT8, &xz, &yq, x3, y),
			LF_OK);
	CU_ASSERT_EQUAL(y[0], 1);

	p = pool1(4, 2, 1);
	p.dil[0] = 2;
	CU_ASSERT_EQUAL_FATAL(lf__ref_pool_plan(&p), LF_OK);
	CU_ASSERT_EQUAL(lf__ref_qavgpool(&p, LF_DTYPE_UINT8, &xq, &yq, x, y),
			LF_ERR_UNSUPPORTED);
}

/* ---- Elementwise ------------------------------------------------------ */

static struct lf_ref_shape shp(int rank, int64_t d0, int64_t d1, int64_t d2)
{
	struct lf_ref_shape s = {rank, {d0, d1, d2}};
	return s;
}

static void test_broadcast_shape(void)
{
	struct lf_ref_shape a = shp(3, 2, 1, 3), b = shp(2, 4, 1, 0), r;
	CU_ASSERT_EQUAL(lf__ref_broadcast_shape(&a, &b, &r), LF_OK);
	CU_ASSERT(r.rank == 3 && r.dim[0] == 2 && r.dim[1] == 4 &&
		  r.dim[2] == 3);
	a = shp(1, 2, 0, 0);
	b = shp(1, 3, 0, 0);
	CU_ASSERT_EQUAL(lf__ref_broadcast_shape(&a, &b, &r), LF_ERR_SHAPE);
	a = shp(0, 0, 0, 0);
	b = shp(2, 2, 3, 0);
	CU_ASSERT_EQUAL(lf__ref_broadcast_shape(&a, &b, &r), LF_OK);
	CU_ASSERT(r.rank == 2 && r.dim[0] == 2 && r.dim[1] == 3);

	size_t n;
	struct lf_ref_shape big = shp(2, INT64_C(1) << 62, 4, 0);
	CU_ASSERT_EQUAL(lf__ref_shape_count(&big, &n), LF_ERR_OVERFLOW);
	struct lf_ref_shape neg = shp(1, -1, 0, 0);
	CU_ASSERT_EQUAL(lf__ref_shape_count(&neg, &n), LF_ERR_SHAPE);
}

static void test_add(void)
{
	/* [2,3] + [3]: {1..6} + {10,20,30} = {11,22,33,14,25,36} */
	const float a[] = {1, 2, 3, 4, 5, 6}, b[] = {10, 20, 30};
	const float w1[] = {11, 22, 33, 14, 25, 36};
	float y[6];
	struct lf_ref_shape as = shp(2, 2, 3, 0), bs = shp(1, 3, 0, 0);
	CU_ASSERT_EQUAL(lf__ref_add(LF_DTYPE_FLOAT32, &as, a, &bs, b, y),
			LF_OK);
	expect_f(y, w1, 6, 0);

	/* [2,1] + [1,3]: {1,2} + {10,20,30} = {11,21,31,12,22,32} */
	const float w2[] = {11, 21, 31, 12, 22, 32};
	as = shp(2, 2, 1, 0);
	bs = shp(2, 1, 3, 0);
	CU_ASSERT_EQUAL(lf__ref_add(LF_DTYPE_FLOAT32, &as, a, &bs, b, y),
			LF_OK);
	expect_f(y, w2, 6, 0);

	/* Integer Add wraps: uint8 200+100 = 300 mod 256 = 44; int8
	 * 100+100 = 200 -> -56; int32 INT32_MAX+1 -> INT32_MIN. */
	const uint8_t ua[] = {200}, ub[] = {100};
	uint8_t uy;
	struct lf_ref_shape one = shp(1, 1, 0, 0);
	CU_ASSERT_EQUAL(lf__ref_add(LF_DTYPE_UINT8, &one, ua, &one, ub, &uy),
			LF_OK);
	CU_ASSERT_EQUAL(uy, 44);
	const int8_t ia[] = {100};
	int8_t iy;
	CU_ASSERT_EQUAL(lf__ref_add(LF_DTYPE_INT8, &one, ia, &one, ia, &iy),
			LF_OK);
	CU_ASSERT_EQUAL(iy, -56);
	const int32_t la[] = {INT32_MAX}, lb[] = {1};
	int32_t ly;
	CU_ASSERT_EQUAL(lf__ref_add(LF_DTYPE_INT32, &one, la, &one, lb, &ly),
			LF_OK);
	CU_ASSERT_EQUAL(ly, INT32_MIN);

	as = shp(2, 2, 3, 0);
	bs = shp(1, 2, 0, 0);
	CU_ASSERT_EQUAL(lf__ref_add(LF_DTYPE_FLOAT32, &as, a, &bs, b, y),
			LF_ERR_SHAPE);
}

static void test_qadd(void)
{
	/* ORT's order (ref_elementwise.c): rA = a_s/y_s, rB = b_s/y_s,
	 * fixed = y_zp - fma(rA, a_zp, rB*b_zp), y = rint(fma(a, rA,
	 * fma(b, rB, fixed))). Here a (0.5, zp 0), b (0.25, zp 10) is the
	 * repeated scalar, y (1, zp 5): rA = 0.5, rB = 0.25, fixed =
	 * 5 - (0 + 2.5) = 2.5, inner = 10*0.25 + 2.5 = 5, y = rint(a/2 + 5):
	 * a=1: 5.5 -> 6 (y_zp is added before rounding: dequantizing,
	 *      rounding 0.5 -> 0 and adding 5 would give 5)
	 * a=3: 6.5 -> 6;  a=4: 7;  a=255: 132.5 -> 132 */
	const uint8_t a[] = {1, 3, 4, 255}, b[] = {10};
	const uint8_t want[] = {6, 6, 7, 132};
	uint8_t y[4];
	struct lf_ref_shape as = shp(1, 4, 0, 0), bs = shp(1, 1, 0, 0);
	struct lf_ref_q1 aq = {0.5f, 0}, bq = {0.25f, 10}, yq = {1, 5};
	CU_ASSERT_EQUAL(
	    lf__ref_qadd(LF_DTYPE_UINT8, &as, a, &aq, &bs, b, &bq, &yq, y),
	    LF_OK);
	expect_u8(y, want, 4);

	/* Both operands vary: a=4, b=14: inner = 3.5 + 2.5 = 6, y = 2 + 6 =
	 * 8; a=2, b=12: inner = 3 + 2.5 = 5.5, y = 1 + 5.5 = 6.5 -> 6. */
	const uint8_t a2[] = {4, 2}, b2[] = {14, 12}, w2[] = {8, 6};
	as = shp(1, 2, 0, 0);
	CU_ASSERT_EQUAL(
	    lf__ref_qadd(LF_DTYPE_UINT8, &as, a2, &aq, &as, b2, &bq, &yq, y),
	    LF_OK);
	expect_u8(y, w2, 2);

	/* int8 saturation, all scales 1 and zps 0: 100+100 -> 127,
	 * -100-100 -> -128. */
	const int8_t i[] = {100, -100};
	const int8_t wi[] = {127, -128};
	int8_t yi[2];
	struct lf_ref_q1 u = {1, 0};
	CU_ASSERT_EQUAL(
	    lf__ref_qadd(LF_DTYPE_INT8, &as, i, &u, &as, i, &u, &u, yi), LF_OK);
	expect_i8(yi, wi, 2);

	struct lf_ref_q1 zero = {0, 0};
	CU_ASSERT_EQUAL(
	    lf__ref_qadd(LF_DTYPE_INT8, &as, i, &zero, &as, i, &u, &u, yi),
	    LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(
	    lf__ref_qadd(LF_DTYPE_INT32, &as, i, &u, &as, i, &u, &u, yi),
	    LF_ERR_UNSUPPORTED);
}

static void test_relu(void)
{
	const float xf[] = {-1, 0, 2.5f, NAN};
	float yf[4];
	CU_ASSERT_EQUAL(lf__ref_relu(LF_DTYPE_FLOAT32, 4, xf, yf), LF_OK);
	CU_ASSERT(yf[0] == 0 && yf[1] == 0 && yf[2] == 2.5f && yf[3] == 0);
	const int8_t xi[] = {-128, -1, 0, 127}, wi[] = {0, 0, 0, 127};
	int8_t yi[4];
	CU_ASSERT_EQUAL(lf__ref_relu(LF_DTYPE_INT8, 4, xi, yi), LF_OK);
	expect_i8(yi, wi, 4);
	const uint8_t xu[] = {0, 200};
	uint8_t yu[2];
	CU_ASSERT_EQUAL(lf__ref_relu(LF_DTYPE_UINT8, 2, xu, yu), LF_OK);
	expect_u8(yu, xu, 2);
	const int32_t x32[] = {-5, 5};
	int32_t y32[2];
	CU_ASSERT_EQUAL(lf__ref_relu(LF_DTYPE_INT32, 2, x32, y32), LF_OK);
	CU_ASSERT(y32[0] == 0 && y32[1] == 5);
}

static void test_clip(void)
{
	float y[3];
	const float x[] = {-2, 0.5f, 2}, lo = -1, hi = 1;
	const float w[] = {-1, 0.5f, 1};
	CU_ASSERT_EQUAL(lf__ref_clip(LF_DTYPE_FLOAT32, 3, x, &lo, &hi, y),
			LF_OK);
	expect_f(y, w, 3, 0);
	/* lower bound only: {-2, 0.5, 2} with lo 0 -> {0, 0.5, 2} */
	const float z = 0, wlo[] = {0, 0.5f, 2};
	CU_ASSERT_EQUAL(lf__ref_clip(LF_DTYPE_FLOAT32, 3, x, &z, NULL, y),
			LF_OK);
	expect_f(y, wlo, 3, 0);
	/* lo 2 > hi 1: everything becomes hi */
	const float lo2 = 2, w2[] = {1, 1, 1};
	CU_ASSERT_EQUAL(lf__ref_clip(LF_DTYPE_FLOAT32, 3, x, &lo2, &hi, y),
			LF_OK);
	expect_f(y, w2, 3, 0);

	/* int8 in [-10, 10]: {-128, 5, 127} -> {-10, 5, 10} */
	const int8_t xi[] = {-128, 5, 127}, li = -10, hi8 = 10;
	const int8_t wi[] = {-10, 5, 10};
	int8_t yi[3];
	CU_ASSERT_EQUAL(lf__ref_clip(LF_DTYPE_INT8, 3, xi, &li, &hi8, yi),
			LF_OK);
	expect_i8(yi, wi, 3);
	/* uint8 upper bound 100: {50, 200} -> {50, 100} */
	const uint8_t xu[] = {50, 200}, hu = 100, wu[] = {50, 100};
	uint8_t yu[2];
	CU_ASSERT_EQUAL(lf__ref_clip(LF_DTYPE_UINT8, 2, xu, NULL, &hu, yu),
			LF_OK);
	expect_u8(yu, wu, 2);
}

static void test_softmax(void)
{
	/* x[1][2][2] = {0, 0, ln3, ln3}.
	 * opset 13, axis 1: pairs (x000, x010) = (0, ln3) -> e = 1, 3 ->
	 * 0.25, 0.75; same for the other pair: {0.25, 0.25, 0.75, 0.75}.
	 * opset 11, axis 1: coerced to [1, 4]: e = {1,1,3,3}, sum 8 ->
	 * {0.125, 0.125, 0.375, 0.375}. */
	const float l3 = 1.09861228867f; /* ln 3 */
	const float x[] = {0, 0, l3, l3};
	const float w13[] = {0.25f, 0.25f, 0.75f, 0.75f};
	const float w11[] = {0.125f, 0.125f, 0.375f, 0.375f};
	struct lf_ref_shape s = shp(3, 1, 2, 2);
	float y[4];
	CU_ASSERT_EQUAL(lf__ref_softmax(&s, 1, 13, x, y), LF_OK);
	expect_f(y, w13, 4, 1e-6);
	CU_ASSERT_EQUAL(lf__ref_softmax(&s, 1, 11, x, y), LF_OK);
	expect_f(y, w11, 4, 1e-6);
	/* axis -1 (opset 13) on the last dim: pairs (0,0) and (ln3,ln3):
	 * all 0.5 */
	const float wl[] = {0.5f, 0.5f, 0.5f, 0.5f};
	CU_ASSERT_EQUAL(lf__ref_softmax(&s, -1, 13, x, y), LF_OK);
	expect_f(y, wl, 4, 1e-6);

	/* large values do not overflow: {1000, 1000} -> {0.5, 0.5} */
	const float big[] = {1000, 1000};
	struct lf_ref_shape s2 = shp(1, 2, 0, 0);
	CU_ASSERT_EQUAL(lf__ref_softmax(&s2, 0, 13, big, y), LF_OK);
	expect_f(y, wl, 2, 1e-6);

	CU_ASSERT_EQUAL(lf__ref_softmax(&s, 3, 13, x, y), LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(lf__ref_softmax(&s, -4, 13, x, y), LF_ERR_INVALID_ARG);
}

static void test_flatten_reshape(void)
{
	struct lf_ref_shape in = shp(3, 2, 3, 4), r;
	/* axis 0 -> [1, 24]; 2 -> [6, 4]; -1 -> [6, 4]; 3 -> [24, 1] */
	CU_ASSERT_EQUAL(lf__ref_flatten_shape(&in, 0, &r), LF_OK);
	CU_ASSERT(r.rank == 2 && r.dim[0] == 1 && r.dim[1] == 24);
	CU_ASSERT_EQUAL(lf__ref_flatten_shape(&in, 2, &r), LF_OK);
	CU_ASSERT(r.dim[0] == 6 && r.dim[1] == 4);
	CU_ASSERT_EQUAL(lf__ref_flatten_shape(&in, -1, &r), LF_OK);
	CU_ASSERT(r.dim[0] == 6 && r.dim[1] == 4);
	CU_ASSERT_EQUAL(lf__ref_flatten_shape(&in, 3, &r), LF_OK);
	CU_ASSERT(r.dim[0] == 24 && r.dim[1] == 1);
	CU_ASSERT_EQUAL(lf__ref_flatten_shape(&in, 4, &r), LF_ERR_INVALID_ARG);

	/* {0,-1}: 0 copies 2, -1 = 24/2 = 12 -> [2,12] */
	const int64_t s1[] = {0, -1};
	CU_ASSERT_EQUAL(lf__ref_reshape_shape(&in, s1, 2, 0, &r), LF_OK);
	CU_ASSERT(r.rank == 2 && r.dim[0] == 2 && r.dim[1] == 12);
	/* {4,0,-1}: 0 copies dim 1 (3), -1 = 24/12 = 2 -> [4,3,2] */
	const int64_t s2[] = {4, 0, -1};
	CU_ASSERT_EQUAL(lf__ref_reshape_shape(&in, s2, 3, 0, &r), LF_OK);
	CU_ASSERT(r.rank == 3 && r.dim[0] == 4 && r.dim[1] == 3 &&
		  r.dim[2] == 2);
	const int64_t two[] = {-1, -1}, bad[] = {5, 5};
	CU_ASSERT_EQUAL(lf__ref_reshape_shape(&in, two, 2, 0, &r),
			LF_ERR_SHAPE);
	CU_ASSERT_EQUAL(lf__ref_reshape_shape(&in, bad, 2, 0, &r),
			LF_ERR_SHAPE); /* 25 != 24 */

	/* allowzero: [0,3,4] -> {3,4,0} is a real 0: [3,4,0]. Without it
	 * the 0 copies dim 2 (4): [3,4,4] = 48 elements != 0. */
	struct lf_ref_shape e = shp(3, 0, 3, 4);
	const int64_t s3[] = {3, 4, 0};
	CU_ASSERT_EQUAL(lf__ref_reshape_shape(&e, s3, 3, 1, &r), LF_OK);
	CU_ASSERT(r.rank == 3 && r.dim[0] == 3 && r.dim[1] == 4 &&
		  r.dim[2] == 0);
	CU_ASSERT_EQUAL(lf__ref_reshape_shape(&e, s3, 3, 0, &r), LF_ERR_SHAPE);
	/* allowzero with both 0 and -1 is ambiguous */
	const int64_t s4[] = {0, -1};
	CU_ASSERT_EQUAL(lf__ref_reshape_shape(&e, s4, 2, 1, &r), LF_ERR_SHAPE);
}

/* Pad, hand-computed: negative pads crop; reflect and wrap repeat. */
static void test_pad(void)
{
	/* x = [1 2 3] (1-D); reflect by 4 before, 2 after. numpy.pad(x,
	 * (4, 2), mode='reflect') = [1 2 3 2 1 2 3 2 1]: period 2(n-1). */
	const uint8_t x[3] = {1, 2, 3};
	struct lf_ref_shape xs = {1, {3}}, ys = {1, {9}};
	int64_t b = 4;
	uint8_t y[9], v = 0;
	CU_ASSERT_EQUAL(
	    lf__ref_pad(1, LF_REF_PAD_REFLECT, &xs, x, &b, &ys, &v, y), LF_OK);
	const uint8_t want_r[9] = {1, 2, 3, 2, 1, 2, 3, 2, 1};
	CU_ASSERT(memcmp(y, want_r, 9) == 0);
	/* numpy.pad(x, (2, 1), mode='wrap') = [2 3 1 2 3 1] */
	struct lf_ref_shape ysw = {1, {6}};
	b = 2;
	CU_ASSERT_EQUAL(
	    lf__ref_pad(1, LF_REF_PAD_WRAP, &xs, x, &b, &ysw, &v, y), LF_OK);
	const uint8_t want_w[6] = {2, 3, 1, 2, 3, 1};
	CU_ASSERT(memcmp(y, want_w, 6) == 0);
	/* 2-D [[1 2 3][4 5 6]]: rows +1 before (constant 9), columns cropped
	 * by 1 before and padded by 1 after -> [[9 9 9][2 3 9][5 6 9]]. */
	const float x2[6] = {1, 2, 3, 4, 5, 6};
	struct lf_ref_shape xs2 = {2, {2, 3}}, ys2 = {2, {3, 3}};
	int64_t b2[2] = {1, -1};
	float y2[9], nine = 9;
	CU_ASSERT_EQUAL(
	    lf__ref_pad(4, LF_REF_PAD_CONSTANT, &xs2, x2, b2, &ys2, &nine, y2),
	    LF_OK);
	const float want2[9] = {9, 9, 9, 2, 3, 9, 5, 6, 9};
	CU_ASSERT(memcmp(y2, want2, sizeof(want2)) == 0);
	/* edge of an empty axis has nothing to copy */
	struct lf_ref_shape e0 = {1, {0}}, e2 = {1, {2}};
	int64_t one = 1;
	CU_ASSERT_EQUAL(
	    lf__ref_pad(1, LF_REF_PAD_EDGE, &e0, x, &one, &e2, &v, y),
	    LF_ERR_INVALID_ARG);
}

/* Resize, hand-computed; integer linear truncates as ORT's uint8 kernel. */
static void test_resize(void)
{
	struct lf_ref_resize p;
	memset(&p, 0, sizeof(p));
	p.mode = LF_REF_RESIZE_LINEAR;
	p.coord = LF_REF_COORD_HALF_PIXEL;
	p.scale[0] = 2.0f;
	/* x = [10 21], 2x half_pixel: coords -0.25 0.25 0.75 1.25 clamp to
	 * 0, 0.25, 0.75, 1 -> 10, 0.75*10+0.25*21 = 12.75, 0.25*10+0.75*21 =
	 * 18.25, 21; uint8 truncates to 10 12 18 21. */
	const uint8_t x[2] = {10, 21};
	struct lf_ref_shape xs = {1, {2}}, ys = {1, {4}};
	uint8_t y[4];
	CU_ASSERT_EQUAL(lf__ref_resize(LF_REF_NUM_U8, &p, &xs, x, &ys, y),
			LF_OK);
	const uint8_t want[4] = {10, 12, 18, 21};
	CU_ASSERT(memcmp(y, want, 4) == 0);
	float xf[2] = {10, 21}, yf[4];
	CU_ASSERT_EQUAL(lf__ref_resize(LF_REF_NUM_F32, &p, &xs, xf, &ys, yf),
			LF_OK);
	CU_ASSERT(yf[1] == 12.75f && yf[2] == 18.25f);
	/* nearest, asymmetric 3 -> 2 (scale 2/3): coords 0, 1.5 ->
	 * round_prefer_floor 0, 1; round_prefer_ceil 0, 2. */
	p.mode = LF_REF_RESIZE_NEAREST;
	p.coord = LF_REF_COORD_ASYMMETRIC;
	p.scale[0] = 2.0f / 3.0f;
	const uint8_t x3[3] = {7, 8, 9};
	struct lf_ref_shape xs3 = {1, {3}}, ys2 = {1, {2}};
	CU_ASSERT_EQUAL(lf__ref_resize(LF_REF_NUM_U8, &p, &xs3, x3, &ys2, y),
			LF_OK);
	CU_ASSERT(y[0] == 7 && y[1] == 8);
	p.nearest = LF_REF_NEAREST_ROUND_PREFER_CEIL;
	CU_ASSERT_EQUAL(lf__ref_resize(LF_REF_NUM_U8, &p, &xs3, x3, &ys2, y),
			LF_OK);
	CU_ASSERT(y[0] == 7 && y[1] == 9);
	/* bad input */
	p.mode = LF_REF_RESIZE_CUBIC;
	CU_ASSERT_EQUAL(lf__ref_resize(LF_REF_NUM_U8, &p, &xs3, x3, &ys2, y),
			LF_ERR_UNSUPPORTED);
	p.mode = LF_REF_RESIZE_LINEAR;
	p.scale[0] = 0.0f;
	CU_ASSERT_EQUAL(lf__ref_resize(LF_REF_NUM_U8, &p, &xs3, x3, &ys2, y),
			LF_ERR_INVALID_ARG);
	p.scale[0] = 1.0f;
	struct lf_ref_shape bad = {2, {1, 2}};
	CU_ASSERT_EQUAL(lf__ref_resize(LF_REF_NUM_U8, &p, &xs3, x3, &bad, y),
			LF_ERR_INVALID_ARG);
}

/*
 * Expand against index arithmetic written here: every shape pair of rank
 * <= 4 with dims from {1, 2, 3} on the output side and each x dimension
 * either the output's or 1 (and x possibly of lower rank), 2-byte
 * elements so a mixed-up element size shows.
 */
static void test_expand(void)
{
	enum { R = 4, MAXN = 81 };
	uint16_t x[MAXN], y[MAXN];
	long cases = 0;
	for (int yr = 1; yr <= R; yr++) {
		int ycombos = 1;
		for (int d = 0; d < yr; d++)
			ycombos *= 3;
		for (int yc = 0; yc < ycombos; yc++) {
			struct lf_ref_shape ys = {.rank = yr};
			for (int d = 0, k = yc; d < yr; d++, k /= 3)
				ys.dim[d] = 1 + k % 3;
			for (int xr = 0; xr <= yr; xr++)
				for (int mask = 0; mask < (1 << xr); mask++) {
					/* x dim i aligns with y dim yr-xr+i;
					 * bit i set: broadcast (1). */
					struct lf_ref_shape xs = {.rank = xr};
					size_t xn = 1, yn = 1;
					for (int i = 0; i < xr; i++) {
						xs.dim[i] =
						    (mask >> i & 1)
							? 1
							: ys.dim[yr - xr + i];
						xn *= (size_t)xs.dim[i];
					}
					for (int d = 0; d < yr; d++)
						yn *= (size_t)ys.dim[d];
					for (size_t i = 0; i < xn; i++)
						x[i] = (uint16_t)(0x1100 + i);
					memset(y, 0xEE, sizeof(y));
					CU_ASSERT_EQUAL_FATAL(
					    lf__ref_expand(2, &xs, x, &ys, y),
					    LF_OK);
					for (size_t o = 0; o < yn; o++) {
						/* y's multi-index, then x's
						 * row-major offset. */
						size_t rem = o, xo = 0,
						       xstride = 1;
						for (int d = yr - 1; d >= 0;
						     d--) {
							size_t id =
							    rem %
							    (size_t)ys.dim[d];
							rem /=
							    (size_t)ys.dim[d];
							int xd = d - (yr - xr);
							if (xd < 0)
								continue;
							if (xs.dim[xd] != 1)
								xo += id *
								      xstride;
							xstride *=
							    (size_t)xs.dim[xd];
						}
						if (y[o] != x[xo]) {
							CU_FAIL("expand: "
								"wrong "
								"element");
							return;
						}
					}
					cases++;
				}
		}
	}
	CU_ASSERT(cases > 500);
	/* Shapes that do not expand. */
	struct lf_ref_shape a = {.rank = 1, .dim = {3}},
			    b = {.rank = 1, .dim = {2}};
	CU_ASSERT_EQUAL(lf__ref_expand(2, &a, x, &b, y), LF_ERR_SHAPE);
}

/*
 * QLinearMul whose float result leaves int32's range (make fuzz: a
 * scale ratio of 2e26 was undefined behaviour in the float-to-int
 * conversion): x86's conversion gives INT32_MIN and MLAS's SSE2 kernel
 * saturates that to the low end, for either sign; in range, the usual
 * rounding. Hand-worked: (200-0)*(3-0)*1e-2 + 10 = 16.
 */
static void test_qmul_out_of_range(void)
{
	struct lf_ref_shape s = {.rank = 1, .dim = {3}};
	uint8_t a[3] = {200, 0, 200}, b[3] = {3, 3, 3}, y[3];
	struct lf_ref_q1 aq = {1e13f, 0}, bq = {1e13f, 0}, yq = {1.0f, 10};
	/* element 0: +6e28 -> low end; 1: 0*... + 10 = 10 */
	CU_ASSERT_EQUAL_FATAL(
	    lf__ref_qmul(LF_DTYPE_UINT8, &s, a, &aq, &s, b, &bq, &yq, y),
	    LF_OK);
	CU_ASSERT_EQUAL(y[0], 0);
	CU_ASSERT_EQUAL(y[1], 10);
	struct lf_ref_q1 bn = {1e13f, 4}; /* (3-4) < 0: -2e28 -> low end */
	CU_ASSERT_EQUAL_FATAL(
	    lf__ref_qmul(LF_DTYPE_UINT8, &s, a, &aq, &s, b, &bn, &yq, y),
	    LF_OK);
	CU_ASSERT_EQUAL(y[0], 0);
	struct lf_ref_q1 a1 = {0.1f, 0}, b1 = {0.1f, 0};
	CU_ASSERT_EQUAL_FATAL(
	    lf__ref_qmul(LF_DTYPE_UINT8, &s, a, &a1, &s, b, &b1, &yq, y),
	    LF_OK);
	CU_ASSERT_EQUAL(y[2], 16);
}

void lf_test_suite_ref_ops(void)
{
	static const struct lf_test_case cases[] = {
	    {"quantize_half_even", test_quantize_half_even},
	    {"quantize_zp_after_rounding", test_quantize_zp_after_rounding},
	    {"quantize_saturation", test_quantize_saturation},
	    {"quantize_per_axis", test_quantize_per_axis},
	    {"quantize_errors", test_quantize_errors},
	    {"dequantize", test_dequantize},
	    {"maxpool_basic", test_maxpool_basic},
	    {"maxpool_ceil_dilation", test_maxpool_ceil_dilation},
	    {"maxpool_int_types", test_maxpool_int_types},
	    {"maxpool_storage_order", test_maxpool_storage_order},
	    {"pool_auto_pad", test_pool_auto_pad},
	    {"pool_plan_errors", test_pool_plan_errors},
	    {"avgpool", test_avgpool},
	    {"avgpool_ceil_include_pad", test_avgpool_ceil_include_pad},
	    {"global_avgpool", test_global_avgpool},
	    {"qglobal_avgpool", test_qglobal_avgpool},
	    {"qavgpool", test_qavgpool},
	    {"broadcast_shape", test_broadcast_shape},
	    {"add", test_add},
	    {"qadd", test_qadd},
	    {"relu", test_relu},
	    {"clip", test_clip},
	    {"softmax", test_softmax},
	    {"flatten_reshape", test_flatten_reshape},
	    {"pad", test_pad},
	    {"resize", test_resize},
	    {"expand", test_expand},
	    {"qmul_out_of_range", test_qmul_out_of_range},
	    {NULL, NULL},
	};
	lf_test_add_suite("ref_ops", NULL, NULL, cases);
}
