/*
 * elem.c - pooling and add on the device: limits and descriptors (elem.h).
 */
#include <string.h>

#include "hostlib/plan/elem.h"
#include "hostlib/plan/pack.h"
#include "hostlib/plan/tile.h"

/* The descriptor's 16-bit geometry fields and the kernel's limit. */
static int fits(int64_t v, int64_t max)
{
	return v >= 0 && v <= max && v <= 65535;
}

int lf__elem_pool_desc(const struct lf__layer *L, const struct lf__plimits *pl,
		       lf_desc *d, const char **why)
{
	int avg = L->op == LF_KOP_AVGPOOL;
	int global = L->kh == L->ih && L->kw == L->iw && !L->pad_t &&
		     !L->pad_l && !L->pad_b && !L->pad_r;
	int ok = fits(L->n, pl->dim_max) && fits(L->ic, pl->dim_max) &&
		 fits(L->ih, pl->dim_max) && fits(L->iw, pl->dim_max) &&
		 fits(L->oh, pl->dim_max) && fits(L->ow, pl->dim_max) &&
		 fits(L->pad_t, pl->dim_max) && fits(L->pad_l, pl->dim_max) &&
		 fits(L->pad_b, pl->dim_max) && fits(L->pad_r, pl->dim_max) &&
		 fits(L->stride_h, pl->step_max) &&
		 fits(L->stride_w, pl->step_max) &&
		 fits(L->dil_h, pl->step_max) && fits(L->dil_w, pl->step_max);
	/* A global average reads whole rows; any other window one row of
	 * its (dilated) width at a time. */
	if (ok && !(avg && global))
		ok = fits(L->kh, pl->kdim_max) && fits(L->kw, pl->kdim_max) &&
		     ((int64_t)L->kw - 1) * L->dil_w + 1 <= pl->row_bytes;
	if (ok && avg && global)
		ok = (int64_t)L->ih * L->iw < (1 << 24);
	if (!ok) {
		*why = "pooling beyond the lfk_pool limits";
		return 0;
	}
	memset(d, 0, sizeof(*d));
	d->magic = LF_DESC_MAGIC;
	d->op = L->op;
	d->x_type = d->w_type = d->y_type =
	    L->x_type == LF_DTYPE_UINT8 ? LF_KDT_U8 : LF_KDT_I8;
	d->act_min = L->act_min;
	d->act_max = L->act_max;
	d->groups = 1;
	d->ic = d->oc = (uint32_t)L->ic;
	lf__desc_window(L, d);
	if (!avg)
		return 1;
	d->flags = L->count_include_pad ? LF_DF_COUNT_PAD : 0;
	d->x_zp = L->x_zp;
	d->y_zp = L->y_zp;
	d->x_scale = L->x_scale;
	d->y_scale = L->y_scale;
	if (global) {
		/* The global average's scale must be in ORT's range
		 * (lf_desc.h). */
		float sc = L->x_scale / (L->y_scale * (float)(L->ih * L->iw));
		if (!(sc >= 0x1p-32f && sc < 256.0f)) {
			*why = "average scale outside ORT's range";
			return 0;
		}
	}
	return 1;
}

static int same_dims(int ra, const int64_t *da, int rb, const int64_t *db)
{
	if (ra != rb)
		return 0;
	for (int i = 0; i < ra; i++)
		if (da[i] != db[i])
			return 0;
	return 1;
}

/* b (@rb dims @db) broadcasts onto a (@ra dims @da) as one value per
 * channel (axis 1). */
static int per_channel(int ra, const int64_t *da, int rb, const int64_t *db)
{
	if (ra < 2 || rb > ra || rb < ra - 1)
		return 0;
	for (int i = 0; i < rb; i++) {
		int ax = ra - rb + i; /* aligned axis of a */
		int64_t want = ax == 1 ? da[1] : 1;
		if (db[i] != want)
			return 0;
	}
	return 1;
}

/* b broadcasts onto a as one value per image and channel (axes 0 and
 * 1): b is [N, C, 1, ...] with a's N and C. */
static int per_image_channel(int ra, const int64_t *da, int rb,
			     const int64_t *db)
{
	if (ra < 2 || rb != ra)
		return 0;
	for (int i = 0; i < rb; i++)
		if (db[i] != (i < 2 ? da[i] : 1))
			return 0;
	return 1;
}

static int64_t count_of(int r, const int64_t *d)
{
	int64_t n = 1;
	for (int i = 0; i < r; i++)
		n *= d[i];
	return n;
}

/* An equal-shape add of @cnt elements as [h][w] rows and the rest. */
static int add_rows(int64_t cnt, const struct lf__plimits *pl, lf_desc d[2],
		    uint64_t *second_at, const char **why)
{
	int64_t w = pl->add_dim_max > 65535 ? 65535 : pl->add_dim_max;
	int64_t h = cnt / w, r = cnt % w;
	if (h < 1 || h > w) {
		*why = "add beyond the lfk_add limits";
		return 0;
	}
	d[0].n = d[0].ic = d[0].oc = 1;
	d[0].ih = d[0].oh = (uint32_t)h;
	d[0].iw = d[0].ow = (uint32_t)w;
	if (!r)
		return 1;
	d[1] = d[0];
	d[1].ih = d[1].oh = 1;
	d[1].iw = d[1].ow = (uint32_t)r;
	*second_at = (uint64_t)(h * w);
	return 2;
}

int lf__elem_add_desc(int ra, const int64_t *da, int rb, const int64_t *db,
		      int ry, const int64_t *dy, const struct lf__layer *q,
		      const struct lf__plimits *pl, int max_desc, lf_desc d[2],
		      int *a_at_x, uint64_t *second_at, const char **why)
{
	*second_at = 0;
	if (pl->add_dim_max < 1) {
		*why = "no lfk_add limits in the xclbin";
		return 0;
	}
	int mul = q->op == LF_KOP_MUL;
	const char *bad_bc = mul ? "QLinearMul broadcast the kernel lacks"
				 : "QLinearAdd broadcast the kernel lacks";
	int a_full = same_dims(ra, da, ry, dy);
	int b_full = same_dims(rb, db, ry, dy);
	if (!a_full && !b_full) {
		*why = mul ? "QLinearMul broadcast both ways"
			   : "QLinearAdd broadcast both ways";
		return 0;
	}
	/* The full-shape operand goes at x. */
	int fr = a_full ? ra : rb, orank = a_full ? rb : ra;
	const int64_t *fd = a_full ? da : db, *od = a_full ? db : da;
	unsigned flags = 0;
	if (!(a_full && b_full)) {
		if (count_of(orank, od) == 1)
			flags = LF_DF_X2_SCALAR;
		else if (per_channel(fr, fd, orank, od))
			flags = LF_DF_X2_PER_CH;
		else if (per_image_channel(fr, fd, orank, od))
			flags = LF_DF_X2_PER_NC;
		else {
			*why = bad_bc;
			return 0;
		}
	}
	memset(d, 0, sizeof(*d)); /* d[1] only when written */
	d->magic = LF_DESC_MAGIC;
	d->op = mul ? LF_KOP_MUL : LF_KOP_ADD;
	d->x_type = d->w_type = d->y_type =
	    q->x_type == LF_DTYPE_UINT8 ? LF_KDT_U8 : LF_KDT_I8;
	d->act_min = q->act_min;
	d->act_max = q->act_max;
	d->groups = 1;
	d->dil_h = d->dil_w = 1;
	d->stride_h = d->stride_w = 1;
	d->flags = flags;
	/* ORT's outer operand: a, or b when it swaps; SWAP when that one is
	 * at x2. A product has no outer operand. */
	int outer_is_a = !lf__qadd_swaps(ra, da, rb, db);
	*a_at_x = a_full;
	if (!mul && outer_is_a != a_full)
		d->flags |= LF_DF_SWAP;
	d->x_scale = a_full ? q->x_scale : q->x2_scale;
	d->x_zp = a_full ? q->x_zp : q->x2_zp;
	d->x2_scale = a_full ? q->x2_scale : q->x_scale;
	d->x2_zp = a_full ? q->x2_zp : q->x_zp;
	d->y_scale = q->y_scale;
	d->y_zp = q->y_zp;
	/* View: [d0][d1][d2][rest] (1 where the rank is smaller). */
	int64_t vd[4] = {1, 1, 1, 1};
	int r = fr;
	if (r >= 1)
		vd[0] = fd[0];
	if (r >= 2)
		vd[1] = fd[1];
	if (r >= 3)
		vd[2] = r == 3 ? 1 : fd[2];
	for (int i = 3; i < r; i++)
		vd[3] *= fd[i];
	if (r == 3)
		vd[3] = fd[2];
	if (r == 1) { /* a vector: one plane */
		vd[0] = 1;
		vd[3] = fd[0];
	}
	if ((flags == LF_DF_X2_PER_CH || flags == LF_DF_X2_PER_NC) && r < 2) {
		*why = bad_bc;
		return 0;
	}
	int ok = 1;
	for (int i = 0; i < 4; i++)
		ok &= vd[i] >= 1 && fits(vd[i], pl->add_dim_max);
	if (!ok) {
		if (a_full && b_full && max_desc >= 2)
			return add_rows(count_of(fr, fd), pl, d, second_at,
					why);
		*why = mul ? "QLinearMul beyond the lfk_add limits"
			   : "QLinearAdd beyond the lfk_add limits";
		return 0;
	}
	d->n = (uint32_t)vd[0];
	d->ic = d->oc = (uint32_t)vd[1];
	d->ih = d->oh = (uint32_t)vd[2];
	d->iw = d->ow = (uint32_t)vd[3];
	return 1;
}
