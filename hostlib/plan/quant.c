/* quant.c - output multipliers, activation ranges, host requantization. */
#include <math.h>

#include "hostlib/plan/quant.h"

float lf__quant_mult(float x_scale, float w_scale, float y_scale)
{
	/* Two float32 roundings, product first: what ORT and the kernels do. */
	float p = x_scale * w_scale;
	return p / y_scale;
}

void lf__dtype_range(lf_dtype t, int32_t *lo, int32_t *hi)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		*lo = 0;
		*hi = 255;
		break;
	case LF_DTYPE_INT8:
		*lo = -128;
		*hi = 127;
		break;
	default:
		*lo = INT32_MIN;
		*hi = INT32_MAX;
		break;
	}
}

/* Round half to even, saturated to a range well inside int32. */
static int32_t round_sat(float v)
{
	/* Any value past +-1e6 saturates every 8-bit output the same way. */
	if (!(v <= 1e6f))
		v = isnan(v) ? 0.0f : 1e6f;
	if (v < -1e6f)
		v = -1e6f;
	return (int32_t)nearbyintf(v);
}

static int32_t clamp32(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int32_t lf__quant_real(float v, float scale, int32_t zp, lf_dtype t)
{
	int32_t lo, hi;
	lf__dtype_range(t, &lo, &hi);
	return clamp32(round_sat(v / scale) + zp, lo, hi);
}

void lf__act_range(lf_dtype y_type, float y_scale, int32_t y_zp,
		   lf_activation act, float clip_min, float clip_max,
		   int32_t *lo, int32_t *hi)
{
	lf__dtype_range(y_type, lo, hi);
	if (y_type == LF_DTYPE_INT32)
		return;
	if (act == LF_ACT_RELU) {
		if (y_zp > *lo)
			*lo = y_zp;
	} else if (act == LF_ACT_CLIP) {
		int32_t qmin = lf__quant_real(clip_min, y_scale, y_zp, y_type);
		int32_t qmax = lf__quant_real(clip_max, y_scale, y_zp, y_type);
		if (qmin > *lo)
			*lo = qmin;
		if (qmax < *hi)
			*hi = qmax;
	}
}

int32_t lf__requant(int32_t acc, float mult, int32_t y_zp, int32_t lo,
		    int32_t hi)
{
	float v = (float)acc * mult;
	/* A NaN (only from an infinite mult) gives act_min, as the kernels. */
	if (isnan(v))
		return lo;
	return clamp32(round_sat(v) + y_zp, lo, hi);
}
