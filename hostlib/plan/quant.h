/*
 * quant.h - the host's share of requantization: output multipliers, the
 * clamp range of a fused activation, and requantizing int32 accumulators
 * (for layers whose reduction is split across tiles).
 *
 * The formula is the one in hls/lf_desc.h, byte-exact with the kernels and
 * with ONNX Runtime:
 *   mult[c] = (x_scale * w_scale[c]) / y_scale                float32
 *   y = clamp(round_half_even((float)acc * mult[c]) + y_zp, act_min, act_max)
 */
#ifndef LF_PLAN_QUANT_H
#define LF_PLAN_QUANT_H

#include <stdint.h>

#include "layerfab.h"

/* (x_scale * w_scale) / y_scale in float32, in exactly that order. */
float lf__quant_mult(float x_scale, float w_scale, float y_scale);

/* Smallest and largest value of an 8-bit type (int32: the int32 range). */
void lf__dtype_range(lf_dtype t, int32_t *lo, int32_t *hi);

/*
 * lf__quant_real() - quantize a real value to @t with @scale/@zp, rounding
 * half to even and saturating (ONNX QuantizeLinear).
 */
int32_t lf__quant_real(float v, float scale, int32_t zp, lf_dtype t);

/*
 * lf__act_range() - act_min/act_max of an output of type @y_type with
 * @y_scale/@y_zp under activation @act: the dtype's range, narrowed to
 * [max(lo, y_zp), hi] by ReLU and to the quantized clip_min..clip_max by
 * Clip. An int32 output (raw accumulators) gets the int32 range.
 */
void lf__act_range(lf_dtype y_type, float y_scale, int32_t y_zp,
		   lf_activation act, float clip_min, float clip_max,
		   int32_t *lo, int32_t *hi);

/* Requantize one accumulator (see the formula above). */
int32_t lf__requant(int32_t acc, float mult, int32_t y_zp, int32_t lo,
		    int32_t hi);

#endif /* LF_PLAN_QUANT_H */
