/*
 * fmnist.c - the Fashion-MNIST test set as the demo feeds it to the model
 * (see demo.h).
 */
#include <stdio.h>
#include <string.h>

#include "hostlib/demo/demo.h"

lf_status lf__fmnist_load(const char *images, const char *labels,
			  struct lf__fmnist *out, char *err, size_t errlen)
{
	struct lf__fmnist d;
	memset(&d, 0, sizeof(d));
	lf_status st = lf__idx_load(images, &d.img, err, errlen);
	if (st == LF_OK)
		st = lf__idx_load(labels, &d.lab, err, errlen);
	if (st != LF_OK)
		goto fail;
	st = LF_ERR_BAD_FILE;
	if (d.img.rank != 3) {
		snprintf(err, errlen, "%s: rank %d, images have rank 3", images,
			 d.img.rank);
		goto fail;
	}
	if (d.lab.rank != 1) {
		snprintf(err, errlen, "%s: rank %d, labels have rank 1", labels,
			 d.lab.rank);
		goto fail;
	}
	if (d.img.dims[0] != d.lab.dims[0]) {
		snprintf(err, errlen, "%s has %u images but %s has %u labels",
			 images, d.img.dims[0], labels, d.lab.dims[0]);
		goto fail;
	}
	for (size_t i = 0; i < d.lab.count; i++) {
		if (d.lab.data[i] >= LF__FMNIST_CLASSES) {
			snprintf(err, errlen,
				 "%s: label %zu is %u, want 0 to %d", labels, i,
				 d.lab.data[i], LF__FMNIST_CLASSES - 1);
			goto fail;
		}
	}
	d.n = d.img.dims[0];
	d.rows = d.img.dims[1];
	d.cols = d.img.dims[2];
	d.pixels = d.img.data;
	d.labels = d.lab.data;
	*out = d;
	return LF_OK;
fail:
	lf__idx_free(&d.img);
	lf__idx_free(&d.lab);
	return st;
}

void lf__fmnist_free(struct lf__fmnist *d)
{
	if (!d)
		return;
	lf__idx_free(&d->img);
	lf__idx_free(&d->lab);
	memset(d, 0, sizeof(*d));
}

lf_status lf__fmnist_batch(const struct lf__fmnist *d, size_t first,
			   size_t count, float *dst)
{
	if (first > d->n || count > d->n - first)
		return LF_ERR_RANGE;
	size_t px = d->rows * d->cols;
	const uint8_t *src = d->pixels + first * px;
	/* ORT's reference divides in double and stores into a Float32Array:
	 * the same rounding as here. */
	for (size_t i = 0; i < count * px; i++)
		dst[i] = (float)((double)src[i] / 255.0);
	return LF_OK;
}

size_t lf__argmax_f32(const float *v, size_t n)
{
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

size_t lf__fmnist_score(const struct lf__fmnist *d, size_t first, size_t count,
			const float *logits, size_t classes)
{
	size_t ok = 0;
	for (size_t i = 0; i < count && first + i < d->n; i++)
		ok += lf__argmax_f32(logits + i * classes, classes) ==
		      d->labels[first + i];
	return ok;
}
