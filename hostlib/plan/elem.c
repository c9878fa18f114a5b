/*
 * elem.c - pooling layers on the device: limits and descriptor (elem.h).
 */
#include <string.h>

#include "hostlib/plan/elem.h"
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
