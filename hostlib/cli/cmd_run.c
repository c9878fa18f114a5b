/*
 * cmd_run.c - `layerfab run MODEL.onnx`: load a model on a device, run it
 * once on a test vector or random input, print the outputs (or the top K
 * classes) and a per-layer table from the run profile: where each layer
 * ran, host time, modeled device time, bytes moved, launches; then every
 * device segment that failed, and a warning on stderr when one ran on the
 * CPU instead ("cpu!" in the table).
 */
#include <stdlib.h>
#include <string.h>

#include "hostlib/cli/cli.h"
#include "hostlib/onnx/onnx.h"

#define USAGE                                                                  \
	"MODEL.onnx [--input FILE.pb]... [--random SEED] [--batch N]\n"        \
	"                    [--device DEV] [--xclbin FILE] "                  \
	"[--trace FILE.json] [--top K]\n"                                      \
	"                    [--output FILE.pb] [--loops]"

#define MAX_INPUTS 16
#define MAX_ROWS   16 /* rows of an output printed before "..." */

struct run_opts {
	const char *model, *device, *xclbin, *trace, *output;
	const char *inputs[MAX_INPUTS];
	size_t ninputs;
	uint64_t seed, batch, top;
	int loops;
};

static int help(void)
{
	printf("usage: layerfab run %s\n\n"
	       "Runs an ONNX model once and prints its outputs and a "
	       "per-layer profile.\n"
	       "  --input FILE.pb  a TensorProto for each model input, in "
	       "order (an ONNX\n"
	       "                   test vector such as "
	       "test_data_set_0/input_0.pb)\n"
	       "  --random SEED    random inputs instead (float32: uniform "
	       "in [0,1)); the default,\n"
	       "                   with seed 1, when no --input is given\n"
	       "  --batch N        size of free input dimensions with "
	       "--random (default 1)\n"
	       "  --device DEV     emu, emu:<profile>, xrt:N, xrt:<PCI "
	       "address>, opencl:N,\n"
	       "                   opencl:<name>, aws:N, aws:sim, cpu "
	       "(default:\n"
	       "                   LAYERFAB_DEVICE, else the first card, "
	       "else emu)\n"
	       "  --xclbin FILE    bitstream (default: the device's in the "
	       "build or install tree)\n"
	       "  --trace FILE     write the run as Chrome/Perfetto trace "
	       "JSON\n"
	       "  --top K          print the K largest values of each row of "
	       "the last axis\n"
	       "  --output FILE.pb write each output as an ONNX TensorProto "
	       "(named after the\n"
	       "                   model's output); with several outputs, "
	       "output k goes to FILE\n"
	       "                   with _k before the extension (out.pb: "
	       "out_0.pb, out_1.pb, ...)\n"
	       "  --loops          add the cycle model's per-loop breakdown "
	       "(hls/lf_pipes.h\n"
	       "                   labels: calls, iterations, cycles, "
	       "memory stall, share)\n"
	       "Modeled device times are the timing model's projection of "
	       "the card, not\nmeasurements. MAC utilisation is over the "
	       "CUs that ran, named.\n",
	       USAGE);
	return LF__CLI_OK;
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->batch = 1;
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;
		int r = 0;
		if (lf__cli_is_help(argv[i]))
			return -1;
#define OPT(name) (r = lf__cli_opt("run", argc, argv, &i, name, &v)) != 0
		if (OPT("--input")) {
			if (r > 0 && o->ninputs == MAX_INPUTS)
				return lf__cli_usage_error(
				    "run", USAGE, "more than %d --input",
				    MAX_INPUTS);
			if (r > 0)
				o->inputs[o->ninputs++] = v;
		} else if (OPT("--random")) {
			if (r > 0 && lf__cli_parse_u64("run", "--random", v, 0,
						       UINT64_MAX, &o->seed))
				return LF__CLI_USAGE;
		} else if (OPT("--batch")) {
			if (r > 0 && lf__cli_parse_u64("run", "--batch", v, 1,
						       1 << 20, &o->batch))
				return LF__CLI_USAGE;
		} else if (OPT("--device")) {
			o->device = v;
		} else if (OPT("--xclbin")) {
			o->xclbin = v;
		} else if (OPT("--trace")) {
			o->trace = v;
		} else if (OPT("--output")) {
			o->output = v;
		} else if (OPT("--top")) {
			if (r > 0 && lf__cli_parse_u64("run", "--top", v, 1,
						       1000000, &o->top))
				return LF__CLI_USAGE;
		} else if (strcmp(argv[i], "--loops") == 0) {
			o->loops = 1;
		} else if (argv[i][0] == '-' || o->model) {
			return lf__cli_usage_error("run", USAGE,
						   "unexpected '%s'", argv[i]);
		} else {
			o->model = argv[i];
		}
#undef OPT
		if (r < 0)
			return LF__CLI_USAGE;
	}
	if (!o->model)
		return lf__cli_usage_error("run", USAGE, "MODEL is missing");
	return 0;
}

static double value_at(const lf_tensor *t, const void *d, size_t i)
{
	switch (lf_tensor_dtype(t)) {
	case LF_DTYPE_UINT8:
		return ((const uint8_t *)d)[i];
	case LF_DTYPE_INT8:
		return ((const int8_t *)d)[i];
	case LF_DTYPE_INT32:
		return ((const int32_t *)d)[i];
	default:
		return ((const float *)d)[i];
	}
}

static void print_value(const lf_tensor *t, double v)
{
	printf(lf_tensor_dtype(t) == LF_DTYPE_FLOAT32 ? "%.6g" : "%.0f", v);
}

/* The top @k of row @r (length @n), ties to the lower index. */
static void print_top(const lf_tensor *t, const void *d, size_t r, size_t n,
		      size_t k)
{
	char *used = calloc(n, 1);
	if (!used)
		return;
	printf("  row %zu:", r);
	for (size_t j = 0; j < k && j < n; j++) {
		size_t best = n;
		for (size_t c = 0; c < n; c++)
			if (!used[c] &&
			    (best == n || value_at(t, d, r * n + c) >
					      value_at(t, d, r * n + best)))
				best = c;
		used[best] = 1;
		printf("%s %zu (", j ? "," : "", best);
		print_value(t, value_at(t, d, r * n + best));
		printf(")");
	}
	printf("\n");
	free(used);
}

static void print_output(const struct lf_tensor_info *info, lf_tensor *t,
			 size_t top)
{
	int64_t dims[LF_MAX_DIMS];
	char ds[128];
	int nd = lf_tensor_shape(t, dims);
	lf_tensor_to_host(t);
	const void *d = lf_tensor_data(t);
	lf__cli_dims_str(dims, nd, ds, sizeof(ds));
	size_t count = lf_tensor_bytes(t) / lf_dtype_size(lf_tensor_dtype(t));
	size_t n = nd > 0 ? (size_t)dims[nd - 1] : 1;
	size_t rows = n ? count / n : 0;
	printf("output '%s': %s %s", info->name,
	       lf__cli_dtype_name(lf_tensor_dtype(t)), ds);
	if (top)
		printf(", top %zu of the last axis: index (value)", top);
	printf("\n");
	for (size_t r = 0; r < rows && r < MAX_ROWS; r++) {
		if (top) {
			print_top(t, d, r, n, top);
			continue;
		}
		printf("  row %zu:", r);
		for (size_t c = 0; c < n && c < 32; c++) {
			printf(" ");
			print_value(t, value_at(t, d, r * n + c));
		}
		printf("%s\n", n > 32 ? " ..." : "");
	}
	if (rows > MAX_ROWS)
		printf("  ... %zu more rows\n", rows - MAX_ROWS);
}

/* Which device segments kept their activations in the blocked layout
 * (LF_DF_BLK) and which in NCHW: one line, the plan's choice. */
static void print_layouts(const lf_run_profile *p)
{
	unsigned last = ~0u, nblk = 0, nseg = 0, nfold = 0, nplaced = 0;
	unsigned nfused = 0, nfpool = 0;
	char line[512] = "";
	size_t len = 0;
	for (size_t i = 0; i < lf_run_profile_count(p); i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		if (lf_run_profile_get(p, i, &r) != LF_OK || r.segment == ~0u ||
		    !r.layout[0])
			continue;
		int fold = strcmp(r.layout, "folded") == 0;
		nfold += fold;
		nplaced += strcmp(r.layout, "placed") == 0;
		nfused += strcmp(r.layout, "fused") == 0 &&
			  strcmp(r.op, "MaxPool") != 0;
		nfpool += strcmp(r.layout, "fused") == 0 &&
			  strcmp(r.op, "MaxPool") == 0;
		if (r.segment == last)
			continue;
		last = r.segment;
		nseg++;
		if (fold)
			snprintf(r.layout, sizeof(r.layout), "blocked");
		nblk += strcmp(r.layout, "blocked") == 0;
		int k = snprintf(line + len, sizeof(line) - len, "%s %u %s",
				 len ? "," : "", r.segment, r.layout);
		if (k > 0 && (size_t)k < sizeof(line) - len)
			len += (size_t)k;
	}
	char placed[96] = "";
	int at = 0;
	if (nplaced) /* QLinearConcat written in place by its convs */
		at = snprintf(placed, sizeof(placed), ", %u concat%s placed",
			      nplaced, nplaced == 1 ? "" : "s");
	if (nfused && at >= 0 && (size_t)at < sizeof(placed))
		/* QLinearAdd in its conv's store (LF_DF_ADD) */
		at += snprintf(placed + at, sizeof(placed) - (size_t)at,
			       ", %u add%s fused", nfused,
			       nfused == 1 ? "" : "s");
	if (nfpool && at >= 0 && (size_t)at < sizeof(placed))
		/* MaxPool in its conv's store (LF_DF_POOL) */
		snprintf(placed + at, sizeof(placed) - (size_t)at,
			 ", %u max pool%s fused", nfpool,
			 nfpool == 1 ? "" : "s");
	if (nseg)
		printf("device layout: %u of %u segment%s blocked (channels "
		       "innermost, 64 per block), %u stem conv%s folded%s; "
		       "segment:%s\n",
		       nblk, nseg, nseg == 1 ? "" : "s", nfold,
		       nfold == 1 ? "" : "s", placed, line);
}

static void print_profile(lf_context *ctx, const lf_run_profile *p, int loops)
{
	struct lf__cli_totals t;
	struct lf__cli_peak pk;
	struct lf_device_info di = LF_STRUCT_INIT(struct lf_device_info);
	int have_peak = lf_context_device_info(ctx, &di) == LF_OK &&
			lf__cli_peak_of(di.xclbin, &pk) == LF_OK;
	printf("\n");
	lf__cli_layers_print(stdout, p, &pk, have_peak);
	lf__cli_totals_of(p, &t);
	printf("%zu layers, %zu on the device in %u segment%s; %.1f M MACs "
	       "(%.1f M on the device)\n",
	       t.layers, t.device_layers, t.segments,
	       t.segments == 1 ? "" : "s", (double)t.macs / 1e6,
	       (double)t.device_macs / 1e6);
	if (t.device_layers)
		lf__cli_util_print(stdout, &t, &pk, have_peak);
	if (loops) {
		struct lf__cli_loops acc;
		memset(&acc, 0, sizeof(acc));
		lf__cli_loops_add(&acc, p);
		lf__cli_loops_print(stdout, &acc, 1.0,
				    have_peak ? pk.clock_mhz : 0.0);
	}
	if (t.fallbacks)
		printf("cpu! = %u device segment%s failed on the device and "
		       "ran on the CPU\n",
		       t.fallbacks, t.fallbacks == 1 ? "" : "s");
	print_layouts(p);
	lf__cli_failures_print(p, stdout);
	lf__cli_cpu_why_print(p, stdout);
	struct lf_layer_profile fb = LF_STRUCT_INIT(struct lf_layer_profile);
	int have = lf__cli_first_fallback(p, &fb);
	lf__cli_fallback_warn("run", t.fallbacks, t.segments + t.fallbacks, "",
			      have ? &fb : NULL);
}

/* Fill @in from the --input files or random data. */
static int make_inputs(const char *cmd, lf_context *ctx, lf_model *m,
		       const struct run_opts *o, lf_tensor **in, size_t nin)
{
	uint64_t rng = o->seed ? o->seed : 1;
	char err[512];
	if (o->ninputs && o->ninputs != nin) {
		fprintf(stderr,
			"layerfab %s: %zu --input file%s, the model has %zu "
			"input%s\n",
			cmd, o->ninputs, o->ninputs == 1 ? "" : "s", nin,
			nin == 1 ? "" : "s");
		return -1;
	}
	for (size_t i = 0; i < nin; i++) {
		struct lf_tensor_info info =
		    LF_STRUCT_INIT(struct lf_tensor_info);
		lf_status st = lf_model_input_info(m, i, &info);
		if (st == LF_OK && o->ninputs) {
			st = lf__cli_tensor_read(ctx, o->inputs[i], &in[i], err,
						 sizeof(err));
			if (st != LF_OK) {
				fprintf(stderr, "layerfab %s: %s (%s)\n", cmd,
					err, lf_status_name(st));
				return -1;
			}
		} else if (st == LF_OK) {
			st = lf__cli_tensor_random(
			    ctx, &info, (int64_t)o->batch, &rng, &in[i]);
		}
		if (st != LF_OK) {
			lf__cli_report(cmd, ctx, st, "input %zu", i);
			return -1;
		}
	}
	return 0;
}

static void print_header(lf_context *ctx, lf_model *m, const struct run_opts *o,
			 lf_tensor **in, size_t nin)
{
	struct lf_device_info di = LF_STRUCT_INIT(struct lf_device_info);
	if (lf_context_device_info(ctx, &di) == LF_OK)
		printf("device: %s (%s), %u CUs, xclbin %s\n", di.backend,
		       di.name, di.compute_units,
		       di.xclbin[0] ? di.xclbin : "-");
	printf("model: %s\n", o->model);
	for (size_t i = 0; i < nin; i++) {
		struct lf_tensor_info info =
		    LF_STRUCT_INIT(struct lf_tensor_info);
		int64_t dims[LF_MAX_DIMS];
		char ds[128];
		int nd = lf_tensor_shape(in[i], dims);
		lf__cli_dims_str(dims, nd, ds, sizeof(ds));
		if (lf_model_input_info(m, i, &info) != LF_OK)
			info.name[0] = '\0';
		printf("input '%s': %s %s from %s", info.name,
		       lf__cli_dtype_name(lf_tensor_dtype(in[i])), ds,
		       o->ninputs ? o->inputs[i] : "random data");
		if (!o->ninputs)
			printf(" (seed %llu)", (unsigned long long)o->seed);
		printf("\n");
	}
}

/* Output @k of @n goes to @base, or with several outputs to @base with
 * "_k" inserted before its extension ("out.pb" -> "out_1.pb"; "out" ->
 * "out_1"). */
static int output_path(const char *base, size_t k, size_t n, char *out,
		       size_t cap)
{
	const char *slash = strrchr(base, '/');
	const char *dot = strrchr(base, '.');
	int len;
	if (n == 1)
		return snprintf(out, cap, "%s", base) < (int)cap ? 0 : -1;
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : base))
		dot = base + strlen(base);
	len = snprintf(out, cap, "%.*s_%zu%s", (int)(dot - base), base, k, dot);
	return len >= 0 && len < (int)cap ? 0 : -1;
}

/* --output: every output as a TensorProto file. */
static int write_outputs(lf_context *ctx, lf_model *m, const char *base,
			 lf_tensor **out, size_t nout)
{
	for (size_t i = 0; i < nout; i++) {
		struct lf_tensor_info info =
		    LF_STRUCT_INIT(struct lf_tensor_info);
		struct lf__tensor t;
		char path[4096], err[512] = "";
		lf_status st;
		memset(&t, 0, sizeof(t));
		if (output_path(base, i, nout, path, sizeof(path))) {
			fprintf(stderr,
				"layerfab run: --output %s: path too "
				"long\n",
				base);
			return -1;
		}
		st = lf__cli_tensor_to_onnx(out[i], &t, err, sizeof(err));
		if (st == LF_OK && lf_model_output_info(m, i, &info) == LF_OK) {
			free(t.name);
			t.name = strdup(info.name);
			if (!t.name)
				st = LF_ERR_NO_MEMORY;
		}
		if (st == LF_OK)
			st = lf__onnx_tensor_write(path, &t, err, sizeof(err));
		lf__tensor_release(&t);
		if (st != LF_OK) {
			lf__cli_report("run", ctx, st, "--output %s: %s", path,
				       err);
			return -1;
		}
		printf("output %zu written to %s\n", i, path);
	}
	return 0;
}

int lf__cli_run(int argc, char **argv)
{
	struct run_opts o;
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	lf_run_profile *prof = NULL;
	lf_tensor **in = NULL, **out = NULL;
	size_t nin = 0, nout = 0;
	int rc = LF__CLI_FAIL;
	int pr = parse(argc, argv, &o);
	if (pr < 0)
		return help();
	if (pr)
		return pr;

	if (lf__cli_open("run", o.device, o.xclbin, &ctx) != LF_OK)
		return LF__CLI_FAIL;
	lf_status st = lf_model_load(ctx, o.model, &m);
	if (st != LF_OK) {
		lf__cli_report("run", ctx, st, "%s", o.model);
		goto out;
	}
	nin = lf_model_input_count(m);
	nout = lf_model_output_count(m);
	in = calloc(nin ? nin : 1, sizeof(*in));
	out = calloc(nout ? nout : 1, sizeof(*out));
	if (!in || !out) {
		fprintf(stderr, "layerfab run: out of memory\n");
		goto out;
	}
	if (make_inputs("run", ctx, m, &o, in, nin))
		goto out;
	st = lf_run_profile_create(&prof);
	if (st == LF_OK)
		st = lf_model_run(m, in, nin, out, nout, prof);
	if (st != LF_OK) {
		lf__cli_report("run", ctx, st, "%s", o.model);
		goto out;
	}
	print_header(ctx, m, &o, in, nin);
	for (size_t i = 0; i < nout; i++) {
		struct lf_tensor_info info =
		    LF_STRUCT_INIT(struct lf_tensor_info);
		if (lf_model_output_info(m, i, &info) != LF_OK)
			info.name[0] = '\0';
		print_output(&info, out[i], (size_t)o.top);
	}
	print_profile(ctx, prof, o.loops);
	rc = LF__CLI_OK;
	if (o.output && write_outputs(ctx, m, o.output, out, nout))
		rc = LF__CLI_FAIL;
	if (o.trace) {
		st = lf_run_profile_write_trace(prof, o.trace);
		if (st != LF_OK) {
			lf__cli_report("run", ctx, st, "--trace %s", o.trace);
			rc = LF__CLI_FAIL;
		} else {
			printf("trace: %s (open in ui.perfetto.dev or "
			       "chrome://tracing)\n",
			       o.trace);
		}
	}
out:
	for (size_t i = 0; in && i < nin; i++)
		lf_tensor_destroy(in[i]);
	for (size_t i = 0; out && i < nout; i++)
		lf_tensor_destroy(out[i]);
	free(in);
	free(out);
	lf_run_profile_destroy(prof);
	lf_model_destroy(m);
	lf_context_destroy(ctx);
	return rc;
}
