/*
 * report.c - what `make demo` prints (see demo.h). Two speeds, never
 * mixed up: the emulator's wall time on this machine, and the F1 card's
 * speed projected from the timing model's device time.
 */
#include <math.h>

#include "hostlib/demo/demo.h"

static double per_s(double n, uint64_t ns)
{
	return ns ? n / ((double)ns / 1e9) : 0.0;
}

int lf__demo_report_print(FILE *f, const struct lf__demo_report *r)
{
	double n = (double)r->images;
	double acc = r->images ? 100.0 * (double)r->correct / n : 0.0;
	double batches = r->batches ? (double)r->batches : 1.0;
	int ok = 1;

	fprintf(f, "Fashion-MNIST: %s on %s, xclbin %s\n", r->model, r->device,
		r->xclbin && r->xclbin[0] ? r->xclbin : "-");
	fprintf(f, "%zu test images in %zu batches of up to %zu\n\n", r->images,
		r->batches, r->batch);
	fprintf(f, "accuracy: %.2f%% (%zu of %zu)", acc, r->correct, r->images);
	if (r->ort_accuracy >= 0 && r->ort_images == r->images) {
		size_t want = (size_t)llround(r->ort_accuracy *
					      (double)r->ort_images / 100.0);
		ok = want == r->correct;
		fprintf(f, "; ONNX Runtime: %.2f%% (%zu) - %s\n",
			r->ort_accuracy, want, ok ? "identical" : "DIFFERENT");
	} else if (r->ort_accuracy >= 0) {
		fprintf(f,
			"; ONNX Runtime's %.2f%% is for %zu images, not "
			"compared\n",
			r->ort_accuracy, r->ort_images);
	} else {
		fprintf(f, "\n");
	}
	fprintf(f,
		"emulation (wall):      %10.0f images/s  (%.2f s on this "
		"machine, emulated card)\n",
		per_s(n, r->wall_ns), (double)r->wall_ns / 1e9);
	fprintf(f,
		"F1 card, projected:    %10.0f images/s  projected "
		"(timing model, not measured on hardware)\n",
		per_s(n, r->device_ns));
	fprintf(f,
		"  from %.3f ms modeled device time per batch; with this "
		"host's CPU layers\n  (%.3f ms per batch) run in series: "
		"%.0f images/s\n",
		(double)r->device_ns / batches / 1e6,
		(double)r->cpu_ns / batches / 1e6,
		per_s(n, r->device_ns + r->cpu_ns));
	fprintf(f,
		"per batch: %.1f launches, %.1f DMA transfers, %.1f KiB "
		"moved\n",
		(double)r->launches / batches,
		(double)r->dma_transfers / batches,
		(double)r->dma_bytes / batches / 1024.0);
	if (r->util.device_macs)
		lf__cli_util_print(f, &r->util, r->peak, r->peak != NULL);
	return ok ? 0 : -1;
}
