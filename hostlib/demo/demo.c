/*
 * demo.c - lf-demo, what `make demo` runs: the 10,000 Fashion-MNIST test
 * images, read from Debian's dataset-fashion-mnist files, through
 * models/fmnist_qop.onnx on the emulated F1 card in batches. Prints the
 * accuracy next to ONNX Runtime's, images/s in emulation and the
 * projected images/s of an F1 card from the timing model.
 *
 *   lf-demo [--model FILE] [--data DIR] [--device DEV] [--xclbin FILE]
 *           [--batch N] [--limit N] [--expect-accuracy PCT]
 *
 * Exit: 0; 1 if anything fails or the accuracy differs from
 * --expect-accuracy (ORT's on the same images: 90.35 on the 10,000,
 * models/README.md); 2 usage. Progress on stderr when it is a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "hostlib/cli/cli.h"
#include "hostlib/demo/demo.h"

#define USAGE                                                                  \
	"[--model FILE] [--data DIR] [--device DEV] [--xclbin FILE]\n"         \
	"               [--batch N] [--limit N] [--expect-accuracy PCT]"

struct demo_opts {
	const char *model, *data, *device, *xclbin;
	uint64_t batch, limit;
	double expect;
};

static int help(void)
{
	printf("usage: lf-demo %s\n\n"
	       "Classifies the Fashion-MNIST test images with a quantized "
	       "model on a device.\n"
	       "  --model FILE   default models/fmnist_qop.onnx\n"
	       "  --data DIR     t10k-{images-idx3,labels-idx1}-ubyte.gz; "
	       "default\n"
	       "                 /usr/share/datasets/fashion-mnist "
	       "(Debian's dataset-fashion-mnist)\n"
	       "  --device DEV   default emu (the emulated AWS F1 card)\n"
	       "  --batch N      images per run, default 100\n"
	       "  --limit N      only the first N images\n"
	       "  --expect-accuracy PCT  fail unless the accuracy is PCT "
	       "(ONNX Runtime's on\n"
	       "                 the same images)\n"
	       "Progress goes to stderr when it is a terminal.\n",
	       USAGE);
	return LF__CLI_OK;
}

static int parse(int argc, char **argv, struct demo_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->model = "models/fmnist_qop.onnx";
	o->data = "/usr/share/datasets/fashion-mnist";
	o->device = "emu";
	o->batch = 100;
	o->expect = -1.0;
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		int r = 0;
		if (lf__cli_is_help(argv[i]))
			return -1;
#define OPT(name) (r = lf__cli_opt("demo", argc, argv, &i, name, &v)) != 0
		if (OPT("--model")) {
			o->model = v;
		} else if (OPT("--data")) {
			o->data = v;
		} else if (OPT("--device")) {
			o->device = v;
		} else if (OPT("--xclbin")) {
			o->xclbin = v;
		} else if (OPT("--batch")) {
			if (r > 0 && lf__cli_parse_u64("demo", "--batch", v, 1,
						       100000, &o->batch))
				return LF__CLI_USAGE;
		} else if (OPT("--limit")) {
			if (r > 0 && lf__cli_parse_u64("demo", "--limit", v, 1,
						       UINT32_MAX, &o->limit))
				return LF__CLI_USAGE;
		} else if (OPT("--expect-accuracy")) {
			if (r > 0 &&
			    lf__cli_parse_double("demo", "--expect-accuracy", v,
						 0.0, 100.0, &o->expect))
				return LF__CLI_USAGE;
		} else {
			fprintf(stderr,
				"lf-demo: unexpected '%s'\nusage: "
				"lf-demo %s\n",
				argv[i], USAGE);
			return LF__CLI_USAGE;
		}
#undef OPT
		if (r < 0)
			return LF__CLI_USAGE;
	}
	return 0;
}

/* The model must take [N,1,rows,cols] float32 and give [N,10] float32. */
static int check_model(lf_model *m, const struct lf__fmnist *d)
{
	struct lf_tensor_info in = LF_STRUCT_INIT(struct lf_tensor_info),
			      out = LF_STRUCT_INIT(struct lf_tensor_info);
	if (lf_model_input_count(m) != 1 || lf_model_output_count(m) != 1 ||
	    lf_model_input_info(m, 0, &in) != LF_OK ||
	    lf_model_output_info(m, 0, &out) != LF_OK) {
		fprintf(stderr, "lf-demo: the model must have one input and "
				"one output\n");
		return -1;
	}
	if (in.dtype != LF_DTYPE_FLOAT32 || in.ndim != 4 ||
	    (in.dims[1] != 1 && in.dims[1] != -1) ||
	    (in.dims[2] != (int64_t)d->rows && in.dims[2] != -1) ||
	    (in.dims[3] != (int64_t)d->cols && in.dims[3] != -1) ||
	    out.dtype != LF_DTYPE_FLOAT32 || out.ndim != 2 ||
	    (out.dims[1] != LF__FMNIST_CLASSES && out.dims[1] != -1)) {
		char a[128], b[128];
		lf__cli_dims_str(in.dims, in.ndim, a, sizeof(a));
		lf__cli_dims_str(out.dims, out.ndim, b, sizeof(b));
		fprintf(stderr,
			"lf-demo: model input '%s' %s %s, output '%s' %s %s; "
			"want float32 [N,1,%zu,%zu] -> float32 [N,10]\n",
			in.name, lf__cli_dtype_name(in.dtype), a, out.name,
			lf__cli_dtype_name(out.dtype), b, d->rows, d->cols);
		return -1;
	}
	return 0;
}

/* Run every batch; fills @r. */
static lf_status run_all(lf_context *ctx, lf_model *m,
			 const struct lf__fmnist *d, size_t n, size_t batch,
			 struct lf__demo_report *r)
{
	size_t px = d->rows * d->cols;
	float *x = malloc(batch * px * sizeof(float));
	lf_run_profile *prof = NULL;
	lf_tensor *in = NULL, *out = NULL;
	lf_status st = x ? lf_run_profile_create(&prof) : LF_ERR_NO_MEMORY;
	uint64_t t0 = lf__cli_now_ns(), last = 0;
	for (size_t first = 0; st == LF_OK && first < n; first += batch) {
		lf__cli_progress("lf-demo", "images", first, n, t0, &last,
				 first == 0);
		size_t nb = n - first < batch ? n - first : batch;
		int64_t dims[4] = {(int64_t)nb, 1, (int64_t)d->rows,
				   (int64_t)d->cols};
		if (!in || nb != batch) { /* the last batch may be short */
			lf_tensor_destroy(in);
			lf_tensor_destroy(out);
			in = out = NULL;
			st = lf_tensor_create_borrowed(
			    ctx, LF_DTYPE_FLOAT32, 4, dims, NULL, x,
			    nb * px * sizeof(float), &in);
			if (st != LF_OK)
				break;
		}
		lf__fmnist_batch(d, first, nb, x);
		lf_tensor_mark_host_dirty(in);
		st = lf_model_run(m, &in, 1, &out, 1, prof);
		if (st != LF_OK)
			break;
		lf_tensor_to_host(out);
		r->correct += lf__fmnist_score(
		    d, first, nb, lf_tensor_data(out), LF__FMNIST_CLASSES);
		struct lf__cli_totals t;
		lf__cli_totals_of(prof, &t);
		r->device_ns += t.device_ns;
		r->cpu_ns += t.cpu_host_ns;
		r->launches += t.launches;
		r->dma_transfers += t.dma_transfers;
		r->dma_bytes += t.h2d_bytes + t.d2h_bytes;
		r->util.device_macs += t.device_macs;
		r->util.device_ns += t.device_ns;
		r->util.cu_mask |= t.cu_mask;
		r->batches++;
		r->images += nb;
	}
	lf__cli_progress_end();
	r->wall_ns = lf__cli_now_ns() - t0;
	lf_tensor_destroy(in);
	lf_tensor_destroy(out);
	lf_run_profile_destroy(prof);
	free(x);
	return st;
}

int main(int argc, char **argv)
{
	struct demo_opts o;
	struct lf__fmnist d;
	struct lf__demo_report r;
	char img[4096], lab[4096], err[1024];
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	int rc = LF__CLI_FAIL;
	int pr = parse(argc, argv, &o);
	if (pr < 0)
		return help();
	if (pr)
		return pr;

	snprintf(img, sizeof(img), "%s/t10k-images-idx3-ubyte.gz", o.data);
	snprintf(lab, sizeof(lab), "%s/t10k-labels-idx1-ubyte.gz", o.data);
	lf_status st = lf__fmnist_load(img, lab, &d, err, sizeof(err));
	if (st != LF_OK) {
		fprintf(stderr, "lf-demo: %s (%s)\n", err, lf_status_name(st));
		return LF__CLI_FAIL;
	}
	size_t n = o.limit && o.limit < d.n ? (size_t)o.limit : d.n;
	if (lf__cli_open("demo", o.device, o.xclbin, &ctx) != LF_OK)
		goto out;
	st = lf_model_load(ctx, o.model, &m);
	if (st != LF_OK) {
		lf__cli_report("demo", ctx, st, "%s", o.model);
		if (st == LF_ERR_UNSUPPORTED)
			fprintf(stderr,
				"lf-demo: the test set (%zu images) was read "
				"and checked; the model could not be\n"
				"loaded, so nothing was classified. Run "
				"`make demo` again once the model runner\n"
				"(lf_model_load / lf_model_run) is built.\n",
				d.n);
		goto out;
	}
	if (check_model(m, &d))
		goto out;

	struct lf_device_info di = LF_STRUCT_INIT(struct lf_device_info);
	struct lf__cli_peak pk;
	char dev[256];
	memset(&r, 0, sizeof(r));
	r.model = o.model;
	r.device = o.device;
	if (lf_context_device_info(ctx, &di) == LF_OK) {
		snprintf(dev, sizeof(dev), "%s (%s)", di.backend, di.name);
		r.xclbin = di.xclbin;
		r.device = dev;
		if (lf__cli_peak_of(di.xclbin, &pk) == LF_OK)
			r.peak = &pk;
	}
	r.batch = (size_t)o.batch;
	r.ort_accuracy = o.expect;
	/* --expect-accuracy is ORT's on the images classified: the
	 * 10,000 of models/README.md, or the first --limit ones. */
	r.ort_images = n;
	st = run_all(ctx, m, &d, n, (size_t)o.batch, &r);
	if (st != LF_OK) {
		lf__cli_report("demo", ctx, st, "%s, batch %zu", o.model,
			       r.batches);
		goto out;
	}
	rc = lf__demo_report_print(stdout, &r) == 0 ? LF__CLI_OK : LF__CLI_FAIL;
out:
	lf_model_destroy(m);
	lf_context_destroy(ctx);
	lf__fmnist_free(&d);
	return rc;
}
