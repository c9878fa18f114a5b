/*
 * demo.h - the pieces of the Fashion-MNIST demo (`make demo`) that do not
 * need the model runner, so they are tested on their own: the test set,
 * batches as the model's float input, scoring, and the report.
 */
#ifndef LF_DEMO_H
#define LF_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hostlib/cli/cli.h"
#include "hostlib/demo/idx.h"
#include "layerfab.h"

#define LF__FMNIST_CLASSES 10

/* A labelled image set: @n images of rows x cols pixels, labels 0..9. */
struct lf__fmnist {
	size_t n, rows, cols;
	const uint8_t *pixels;	 /* n * rows * cols, image after image */
	const uint8_t *labels;	 /* n */
	struct lf__idx img, lab; /* own the bytes above */
};

/*
 * lf__fmnist_load() - read an images file (IDX rank 3) and a labels file
 * (IDX rank 1) and check that they belong together: same count, labels
 * below LF__FMNIST_CLASSES. Return: lf__idx_load()'s statuses, and
 * LF_ERR_BAD_FILE for a mismatch. Release with lf__fmnist_free().
 */
lf_status lf__fmnist_load(const char *images, const char *labels,
			  struct lf__fmnist *out, char *err, size_t errlen);
void lf__fmnist_free(struct lf__fmnist *d);

/*
 * lf__fmnist_batch() - images [first, first + count) as the model input
 * [count, 1, rows, cols] float32, pixel / 255 rounded to float32 as ONNX
 * Runtime's scripts/ort/run_ort.js computes it. @dst holds count * rows *
 * cols floats. Return: LF_OK; LF_ERR_RANGE past the end of the set.
 */
lf_status lf__fmnist_batch(const struct lf__fmnist *d, size_t first,
			   size_t count, float *dst);

/* Index of the largest of @v[@n] (the first on ties, as numpy.argmax). */
size_t lf__argmax_f32(const float *v, size_t n);

/*
 * lf__fmnist_score() - count the images of a batch whose argmax over
 * @logits [count, classes] equals its label.
 */
size_t lf__fmnist_score(const struct lf__fmnist *d, size_t first, size_t count,
			const float *logits, size_t classes);

/* What a demo run measured. */
struct lf__demo_report {
	const char *model, *device, *xclbin;
	size_t images, correct, batches, batch;
	uint64_t wall_ns;   /* emulator wall time, all batches */
	uint64_t device_ns; /* modeled device time, all batches */
	uint64_t cpu_ns;    /* host time of the layers run on the CPU */
	uint64_t launches, dma_transfers, dma_bytes;
	double ort_accuracy; /* percent; < 0: not known */
	size_t ort_images;   /* images ort_accuracy was measured on */
	/* MAC utilisation over the CUs that ran: device MACs, device time
	 * and the CUs used, summed over the batches (util.device_macs,
	 * .device_ns, .cu_mask), and the xclbin's peak (NULL: unknown) */
	struct lf__cli_totals util;
	const struct lf__cli_peak *peak;
};

/*
 * lf__demo_report_print() - accuracy (and whether it equals ONNX
 * Runtime's), images/s in emulation (wall) and the F1 projection from
 * the timing model, labelled as such. Return: 0 if @r->correct is the
 * count @r->ort_accuracy gives on @r->ort_images images (or the reference
 * is unknown, or was measured on another number of images), else -1.
 */
int lf__demo_report_print(FILE *f, const struct lf__demo_report *r);

#endif /* LF_DEMO_H */
