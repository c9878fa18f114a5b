/* pack.c - packing a plan's areas and unpacking its outputs (pack.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/pack.h"
#include "hostlib/plan/quant.h"

/* The device is little-endian, as are the hosts layerfab builds for. */
static void st_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

void lf__pack_params(const struct lf__plan *p, const struct lf__layer *L,
		     const void *w, const void *bias, uint8_t *params)
{
	for (int i = 0; i < p->nslices; i++)
		lf__copy_run(&p->slices[i].copy, params, w);
	int ch = lf__layer_channels(L);
	if (L->has_bias)
		memcpy(params + p->bias_off, bias, 4u * (size_t)ch);
	for (int c = 0; c < L->w_zp_count; c++)
		st_u32(params + p->w_zp_off + 4u * (size_t)c,
		       (uint32_t)L->w_zp[c]);
	if (L->w_scale_count > 0)
		for (int c = 0; c < L->w_zp_count; c++) {
			float ws = L->w_scale[L->w_scale_count == 1 ? 0 : c];
			float m = lf__quant_mult(L->x_scale, ws, L->y_scale);
			memcpy(params + p->mult_off + 4u * (size_t)c, &m, 4);
		}
	if (p->lut_off)
		memcpy(params + p->lut_off, L->lut, LF_LUT_BYTES);
}

void lf__pack_x(const struct lf__plan *p, const void *x, uint8_t *act)
{
	if (p->x_bytes)
		memcpy(act + p->x_off, x, p->x_bytes);
	for (int i = 0; i < p->ntiles; i++) {
		const struct lf__tile *t = &p->tiles[i];
		if (t->gather)
			lf__copy_run(&t->xin, act + p->xs_off, x);
	}
}

void lf__pack_desc(const struct lf__plan *p, uint64_t y_shift, uint8_t *desc)
{
	for (int i = 0; i < p->ntiles; i++) {
		lf_desc d = p->tiles[i].d;
		d.y_off += (uint32_t)y_shift;
		d.status = LF_KST_PENDING;
		memcpy(desc + (size_t)i * LF_DESC_BYTES, &d, sizeof(d));
	}
}

void lf__pack_desc_at(const struct lf__plan *p, uint64_t shift, uint8_t *desc)
{
	for (int i = 0; i < p->ntiles; i++) {
		lf_desc d = p->tiles[i].d;
		d.x_off += (uint32_t)shift;
		d.y_off += (uint32_t)shift;
		if (d.op == LF_KOP_ADD || d.op == LF_KOP_MUL ||
		    (d.flags & LF_DF_B_ACT))
			d.x2_off += (uint32_t)shift;
		d.status = LF_KST_PENDING;
		memcpy(desc + (size_t)i * LF_DESC_BYTES, &d, sizeof(d));
	}
}

int lf__qadd_swaps(int ra, const int64_t *da, int rb, const int64_t *db)
{
	int rmin = ra < rb ? ra : rb;
	if (rmin == 0)
		return ra == 0 || da[ra - 1] <= 1;
	for (int i = 0; i < rmin; i++) {
		int64_t a = da[ra - 1 - i], b = db[rb - 1 - i];
		int64_t big = a > b ? a : b, small = a < b ? a : b;
		int64_t use = small == 0 ? small : big;
		if (use <= 1 && i + 1 < rmin)
			continue;
		return a <= 1;
	}
	return 1;
}

int lf__desc_first_error(const struct lf__plan *p, const uint8_t *desc,
			 int32_t *status)
{
	for (int i = 0; i < p->ntiles; i++) {
		int32_t s;
		memcpy(&s,
		       desc + (size_t)i * LF_DESC_BYTES +
			   offsetof(lf_desc, status),
		       4);
		if (s != LF_KST_OK) {
			*status = s;
			return i;
		}
	}
	return -1;
}

static void store_y(lf_dtype t, uint8_t *base, uint64_t i, int32_t v)
{
	if (t == LF_DTYPE_INT32)
		memcpy(base + 4 * i, &v, 4);
	else
		base[i] = (uint8_t)v;
}

/* Requantize one output block's sum (int32 outputs pass through). */
static void requant_block(const struct lf__layer *L, const struct lf__tile *t,
			  const int32_t *acc, uint8_t *blk)
{
	for (uint64_t e = 0; e < t->nelem; e++) {
		int32_t v = acc[e];
		if (L->y_type != LF_DTYPE_INT32) {
			uint32_t c =
			    t->ch0 + (uint32_t)((e / t->ch_div) % t->ch_mod);
			int ci = L->w_scale_count == 1 ? 0 : (int)c;
			float m = lf__quant_mult(L->x_scale, L->w_scale[ci],
						 L->y_scale);
			v = lf__requant(v, m, L->y_zp, L->act_min, L->act_max);
			if (L->lut) /* the output table, as LF_DF_LUT */
				v = L->y_type == LF_DTYPE_UINT8
					? (int32_t)L->lut[(uint8_t)v]
					: (int32_t)(int8_t)L->lut[(uint8_t)v];
		}
		store_y(L->y_type, blk, e, v);
	}
}

/* Add the int32 partials of each output block, requantize, scatter. */
static lf_status reduce_partials(const struct lf__plan *p,
				 const struct lf__layer *L, const uint8_t *ys,
				 void *y)
{
	uint64_t ysz = lf__ysize(L->y_type);
	uint64_t maxe = 1;
	for (int i = 0; i < p->ntiles; i++)
		if (p->tiles[i].nelem > maxe)
			maxe = p->tiles[i].nelem;
	int32_t *acc = malloc(maxe * sizeof(int32_t));
	uint8_t *blk = malloc(maxe * ysz);
	if (!acc || !blk) {
		free(acc);
		free(blk);
		return LF_ERR_NO_MEMORY;
	}
	/* The tiles of one output block are consecutive. */
	for (int i = 0; i < p->ntiles;) {
		const struct lf__tile *t0 = &p->tiles[i];
		memset(acc, 0, t0->nelem * sizeof(int32_t));
		int j = i;
		for (; j < p->ntiles && p->tiles[j].out == t0->out; j++) {
			const uint8_t *src = ys + p->tiles[j].yout.src;
			for (uint64_t e = 0; e < t0->nelem; e++) {
				int32_t v;
				memcpy(&v, src + 4 * e, 4);
				/* int32 wrap-around, as the kernel adds. */
				acc[e] =
				    (int32_t)((uint32_t)acc[e] + (uint32_t)v);
			}
		}
		requant_block(L, t0, acc, blk);
		struct lf__copy c = t0->yout;
		c.src = 0;
		c.src_stride = c.block;
		lf__copy_run(&c, y, blk);
		i = j;
	}
	free(acc);
	free(blk);
	return LF_OK;
}

lf_status lf__unpack_y(const struct lf__plan *p, const struct lf__layer *L,
		       const uint8_t *act, uint64_t y_shift, void *y)
{
	if (p->nchunks > 1)
		return reduce_partials(p, L, act + p->ys_off + y_shift, y);
	if (p->y_bytes)
		memcpy(y, act + p->y_off + y_shift, p->y_bytes);
	for (int i = 0; i < p->ntiles; i++) {
		const struct lf__tile *t = &p->tiles[i];
		if (t->scatter)
			lf__copy_run(&t->yout, y, act + p->ys_off + y_shift);
	}
	return LF_OK;
}
