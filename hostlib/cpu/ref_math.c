/*
 * ref_math.c - the generic elementwise ops: broadcasting binary arithmetic
 * and comparisons, float32 unary functions, Cast.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hostlib/cpu/ref.h"
#include "hostlib/cpu/ref_util.h"

size_t lf__ref_num_size(enum lf_ref_num t)
{
	switch (t) {
	case LF_REF_NUM_F32:
	case LF_REF_NUM_I32:
		return 4;
	case LF_REF_NUM_I64:
		return 8;
	case LF_REF_NUM_U8:
	case LF_REF_NUM_I8:
	case LF_REF_NUM_BOOL:
		return 1;
	}
	return 0;
}

/* Element @i of an integer tensor, widened. */
static int64_t load_i(enum lf_ref_num t, const void *p, size_t i)
{
	switch (t) {
	case LF_REF_NUM_I64:
		return ((const int64_t *)p)[i];
	case LF_REF_NUM_I32:
		return ((const int32_t *)p)[i];
	case LF_REF_NUM_U8:
	case LF_REF_NUM_BOOL:
		return ((const uint8_t *)p)[i];
	case LF_REF_NUM_I8:
		return ((const int8_t *)p)[i];
	case LF_REF_NUM_F32:
		break;
	}
	return 0;
}

/* Store the low bits of @v (integer types wrap, as in C++). */
static void store_i(enum lf_ref_num t, void *p, size_t i, uint64_t v)
{
	switch (t) {
	case LF_REF_NUM_I64:
		((int64_t *)p)[i] = (int64_t)v;
		break;
	case LF_REF_NUM_I32:
		((int32_t *)p)[i] = (int32_t)(uint32_t)v;
		break;
	case LF_REF_NUM_U8:
		((uint8_t *)p)[i] = (uint8_t)v;
		break;
	case LF_REF_NUM_I8:
		((int8_t *)p)[i] = (int8_t)(uint8_t)v;
		break;
	case LF_REF_NUM_BOOL:
		((uint8_t *)p)[i] = v != 0;
		break;
	case LF_REF_NUM_F32:
		break;
	}
}

static int is_cmp(enum lf_ref_binop op)
{
	return op == LF_REF_EQUAL || op == LF_REF_LESS || op == LF_REF_GREATER;
}

static float bin_f(enum lf_ref_binop op, float a, float b, int pow_k)
{
	switch (op) {
	case LF_REF_ADD:
		return a + b;
	case LF_REF_SUB:
		return a - b;
	case LF_REF_MUL:
		return a * b;
	case LF_REF_DIV:
		return a / b;
	case LF_REF_POW:
		if (pow_k == 2)
			return a * a;
		if (pow_k == 3)
			return a * a * a;
		return powf(a, b);
	case LF_REF_MIN:
		return fminf(a, b);
	case LF_REF_MAX:
		return fmaxf(a, b);
	case LF_REF_EQUAL:
		return a == b;
	case LF_REF_LESS:
		return a < b;
	case LF_REF_GREATER:
		return a > b;
	}
	return 0.0f;
}

/* Integer op; 0 for a zero divisor or INT64_MIN / -1. */
static int bin_i(enum lf_ref_binop op, int64_t a, int64_t b, uint64_t *r)
{
	switch (op) {
	case LF_REF_ADD:
		*r = (uint64_t)a + (uint64_t)b;
		return 1;
	case LF_REF_SUB:
		*r = (uint64_t)a - (uint64_t)b;
		return 1;
	case LF_REF_MUL:
		*r = (uint64_t)a * (uint64_t)b;
		return 1;
	case LF_REF_DIV:
		if (b == 0 || (a == INT64_MIN && b == -1))
			return 0;
		*r = (uint64_t)(a / b);
		return 1;
	case LF_REF_MIN:
		*r = (uint64_t)(a < b ? a : b);
		return 1;
	case LF_REF_MAX:
		*r = (uint64_t)(a > b ? a : b);
		return 1;
	case LF_REF_EQUAL:
		*r = a == b;
		return 1;
	case LF_REF_LESS:
		*r = a < b;
		return 1;
	case LF_REF_GREATER:
		*r = a > b;
		return 1;
	case LF_REF_POW:
		break;
	}
	return 0;
}

lf_status lf__ref_binary(enum lf_ref_binop op, enum lf_ref_num t,
			 const struct lf_ref_shape *as, const void *a,
			 const struct lf_ref_shape *bs, const void *b, void *y)
{
	struct lf__ref_bcast bc;
	const struct lf_ref_shape *ins[2] = {as, bs};
	lf_status st = lf__ref_bcast_init(&bc, 2, ins);
	if (st != LF_OK)
		return st;
	if (!lf__ref_num_size(t))
		return LF_ERR_UNSUPPORTED;
	if (bc.count && (!a || !b || !y))
		return LF_ERR_INVALID_ARG;
	if (t == LF_REF_NUM_BOOL && op != LF_REF_EQUAL)
		return LF_ERR_UNSUPPORTED;
	if (op == LF_REF_POW && t != LF_REF_NUM_F32)
		return LF_ERR_UNSUPPORTED;
	/* ORT's PowImpl: a one-element exponent of 2 or 3 is multiplied out. */
	int pow_k = 0;
	size_t nb;
	if (op == LF_REF_POW && lf__ref_shape_count(bs, &nb) == LF_OK &&
	    nb == 1) {
		float e = *(const float *)b;
		pow_k = e == 2.0f ? 2 : e == 3.0f ? 3 : 0;
	}
	for (size_t i = 0; i < bc.count; i++) {
		size_t off[LF__REF_BCAST_MAX];
		lf__ref_bcast_at(&bc, i, off);
		if (t == LF_REF_NUM_F32) {
			float r = bin_f(op, ((const float *)a)[off[0]],
					((const float *)b)[off[1]], pow_k);
			if (is_cmp(op))
				((uint8_t *)y)[i] = r != 0.0f;
			else
				((float *)y)[i] = r;
			continue;
		}
		uint64_t r;
		if (!bin_i(op, load_i(t, a, off[0]), load_i(t, b, off[1]), &r))
			return LF_ERR_INVALID_ARG;
		store_i(is_cmp(op) ? LF_REF_NUM_BOOL : t, y, i, r);
	}
	return LF_OK;
}

/*
 * The logistic function as ONNX Runtime computes it on x86-64 with FMA3
 * (MLAS: logistic.cpp's constants and algorithm, the Eigen rational
 * approximation, run by its FMA3 kernel): x clamped to [-18, 18], odd
 * polynomial p(x) and even q(x) in x^2 by fused multiply-adds,
 * p / q + 0.5, clamped to [0, 1].
 */
static float logistic(float x)
{
	static const float a9 = 4.37031012579801e-11f,
			   a7 = 1.15627324459942e-07f,
			   a5 = 6.08574864600143e-05f,
			   a3 = 8.51377133304701e-03f,
			   a1 = 2.48287947061529e-01f,
			   b10 = 6.10247389755681e-13f,
			   b8 = 5.76102136993427e-09f,
			   b6 = 6.29106785017040e-06f,
			   b4 = 1.70198817374094e-03f,
			   b2 = 1.16817656904453e-01f,
			   b0 = 9.93151921023180e-01f;
	if (isnan(x))
		return x;
	float v = x < -18.0f ? -18.0f : x > 18.0f ? 18.0f : x;
	float v2 = v * v;
	float p = fmaf(v2, a9, a7);
	p = fmaf(p, v2, a5);
	p = fmaf(p, v2, a3);
	p = fmaf(p, v2, a1);
	p = p * v;
	float q = fmaf(v2, b10, b8);
	q = fmaf(q, v2, b6);
	q = fmaf(q, v2, b4);
	q = fmaf(q, v2, b2);
	q = fmaf(q, v2, b0);
	float y = p / q + 0.5f;
	return y < 0.0f ? 0.0f : y > 1.0f ? 1.0f : y;
}

static float unary1(enum lf_ref_unop op, float alpha, float beta, float x)
{
	switch (op) {
	case LF_REF_SQRT:
		return sqrtf(x);
	case LF_REF_ERF:
		return erff(x);
	case LF_REF_TANH:
		return tanhf(x);
	case LF_REF_SIGMOID:
		return logistic(x);
	case LF_REF_HARDSIGMOID:
		return fmaxf(0.0f, fminf(1.0f, alpha * x + beta));
	case LF_REF_HARDSWISH:
		return x * fmaxf(0.0f, fminf(1.0f, (1.0f / 6.0f) * x + 0.5f));
	case LF_REF_LEAKYRELU:
		return x >= 0.0f ? x : alpha * x;
	case LF_REF_EXP:
		return expf(x);
	case LF_REF_NEG:
		return -x;
	case LF_REF_ABS:
		return fabsf(x);
	case LF_REF_RECIPROCAL:
		return 1.0f / x;
	case LF_REF_FLOOR:
		return floorf(x);
	case LF_REF_CEIL:
		return ceilf(x);
	}
	return x;
}

lf_status lf__ref_unary(enum lf_ref_unop op, float alpha, float beta,
			size_t count, const float *x, float *y)
{
	if (count && (!x || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t i = 0; i < count; i++)
		y[i] = unary1(op, alpha, beta, x[i]);
	return LF_OK;
}

/* Float to integer as x86-64 C++ static_cast does through int64 (cvttss2si:
 * out of range and NaN give INT64_MIN). */
static uint64_t f2i(float v)
{
	if (!(v > -9223372036854775808.0f && v < 9223372036854775808.0f))
		return (uint64_t)INT64_MIN;
	return (uint64_t)(int64_t)v;
}

lf_status lf__ref_cast(enum lf_ref_num from, enum lf_ref_num to, size_t count,
		       const void *x, void *y)
{
	if (!lf__ref_num_size(from) || !lf__ref_num_size(to))
		return LF_ERR_UNSUPPORTED;
	if (count && (!x || !y))
		return LF_ERR_INVALID_ARG;
	for (size_t i = 0; i < count; i++) {
		if (from == LF_REF_NUM_F32) {
			float v = ((const float *)x)[i];
			if (to == LF_REF_NUM_F32)
				((float *)y)[i] = v;
			else if (to == LF_REF_NUM_BOOL)
				((uint8_t *)y)[i] = v != 0.0f;
			else
				store_i(to, y, i, f2i(v));
			continue;
		}
		int64_t v = load_i(from, x, i);
		if (to == LF_REF_NUM_F32)
			((float *)y)[i] = (float)v;
		else
			store_i(to, y, i, (uint64_t)v);
	}
	return LF_OK;
}
