/*
 * cmd_bench.c - `layerfab bench MODEL.onnx`: warm-up runs, then timed runs
 * of one model on random input. Reports latency (min, median, p99) and
 * throughput in emulator wall time beside the modeled card time, what
 * crosses PCIe per inference (launches, DMA transfers, bytes, mean
 * transfer size) and MAC utilisation over the CUs that ran (named, with
 * their MAC rate from the loaded xclbin's limits); `--loops` adds the
 * cycle model's per-loop breakdown;
 * device segments that failed and ran on the CPU are counted, and warned
 * about on stderr (such runs did not time the device path).
 * `--kv` adds one machine-readable line for scripts/bench-ort.sh.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostlib/cli/cli.h"

#define USAGE                                                                  \
	"MODEL.onnx [--device DEV] [--xclbin FILE] [--warmup N]\n"             \
	"                      [--iters N | --seconds S] [--batch N] "         \
	"[--random SEED] [--loops] [--layers] [--kv]"

#define MAX_IO 16

struct bench_opts {
	const char *model, *device, *xclbin;
	uint64_t warmup, iters, seed, batch;
	double seconds;
	int kv, loops, layers;
};

/* Per-run samples and sums over the timed runs. */
struct bench_acc {
	uint64_t *wall, *dev; /* per run, ns */
	size_t n, cap;
	struct lf__cli_totals sum; /* field-wise sums over the runs */
	size_t fb_runs;		   /* runs with a segment on the CPU
				      after a device failure */
	unsigned fb_max;	   /* most such segments in one run */
	unsigned planned;	   /* device segments of the plan */
	int have_fb;
	struct lf_layer_profile first_fb; /* the first of them */
	struct lf__cli_loops loops;	  /* the cycle model's, summed */
};

static int help(void)
{
	printf("usage: layerfab bench %s\n\n"
	       "Times a model on random input: --warmup runs (default 3), "
	       "then --iters runs\n(default 20) or as many as fit in "
	       "--seconds. Prints latency and throughput\nin emulator wall "
	       "time and in modeled card time (the timing model's "
	       "projection,\nnot a measurement), launches, DMA transfers "
	       "and bytes per inference, and MAC\nutilisation = MACs / "
	       "(modeled time x MACs per cycle x clock) over the CUs that\n"
	       "ran (from the xclbin's limits). --loops adds the cycle "
	       "model's per-loop\nbreakdown (hls/lf_pipes.h labels). --layers "
	       "adds the last run's per-layer\ntable (as `layerfab run` "
	       "prints it). --kv adds a 'bench-kv:' line of\nkey=value "
	       "pairs.\n",
	       USAGE);
	return LF__CLI_OK;
}

static int parse(int argc, char **argv, struct bench_opts *o)
{
	int have_iters = 0;
	memset(o, 0, sizeof(*o));
	o->warmup = 3;
	o->iters = 20;
	o->seed = 1;
	o->batch = 1;
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;
		int r = 0;
		if (lf__cli_is_help(argv[i]))
			return -1;
#define OPT(name) (r = lf__cli_opt("bench", argc, argv, &i, name, &v)) != 0
		if (OPT("--device")) {
			o->device = v;
		} else if (OPT("--xclbin")) {
			o->xclbin = v;
		} else if (OPT("--warmup")) {
			if (r > 0 && lf__cli_parse_u64("bench", "--warmup", v,
						       0, 1000000, &o->warmup))
				return LF__CLI_USAGE;
		} else if (OPT("--iters")) {
			if (r > 0 && lf__cli_parse_u64("bench", "--iters", v, 1,
						       100000000, &o->iters))
				return LF__CLI_USAGE;
			have_iters = 1;
		} else if (OPT("--seconds")) {
			if (r > 0 &&
			    lf__cli_parse_double("bench", "--seconds", v, 0.001,
						 86400.0, &o->seconds))
				return LF__CLI_USAGE;
		} else if (OPT("--batch")) {
			if (r > 0 && lf__cli_parse_u64("bench", "--batch", v, 1,
						       1 << 20, &o->batch))
				return LF__CLI_USAGE;
		} else if (OPT("--random")) {
			if (r > 0 && lf__cli_parse_u64("bench", "--random", v,
						       0, UINT64_MAX, &o->seed))
				return LF__CLI_USAGE;
		} else if (strcmp(argv[i], "--kv") == 0) {
			o->kv = 1;
		} else if (strcmp(argv[i], "--loops") == 0) {
			o->loops = 1;
		} else if (strcmp(argv[i], "--layers") == 0) {
			o->layers = 1;
		} else if (argv[i][0] == '-' || o->model) {
			return lf__cli_usage_error("bench", USAGE,
						   "unexpected '%s'", argv[i]);
		} else {
			o->model = argv[i];
		}
#undef OPT
		if (r < 0)
			return LF__CLI_USAGE;
	}
	if (!o->model)
		return lf__cli_usage_error("bench", USAGE, "MODEL is missing");
	if (have_iters && o->seconds > 0)
		return lf__cli_usage_error("bench", USAGE,
					   "--iters and --seconds exclude each "
					   "other");
	return 0;
}

static int acc_push(struct bench_acc *a, uint64_t wall,
		    const struct lf__cli_totals *t)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 256;
		uint64_t *w = realloc(a->wall, cap * sizeof(*w));
		if (!w)
			return -1;
		a->wall = w;
		uint64_t *d = realloc(a->dev, cap * sizeof(*d));
		if (!d)
			return -1;
		a->dev = d;
		a->cap = cap;
	}
	a->wall[a->n] = wall;
	a->dev[a->n] = t->device_ns;
	a->n++;
	a->sum.host_ns += t->host_ns;
	a->sum.cpu_host_ns += t->cpu_host_ns;
	a->sum.device_ns += t->device_ns;
	a->sum.h2d_bytes += t->h2d_bytes;
	a->sum.d2h_bytes += t->d2h_bytes;
	a->sum.dma_transfers += t->dma_transfers;
	a->sum.launches += t->launches;
	a->sum.macs += t->macs;
	a->sum.device_macs += t->device_macs;
	a->sum.segments = t->segments;
	a->sum.cu_mask |= t->cu_mask;
	a->sum.fallbacks += t->fallbacks;
	a->sum.failed_segments += t->failed_segments;
	a->fb_runs += t->fallbacks > 0;
	if (t->fallbacks > a->fb_max)
		a->fb_max = t->fallbacks;
	if (t->segments + t->fallbacks > a->planned)
		a->planned = t->segments + t->fallbacks;
	a->sum.layers = t->layers;
	a->sum.device_layers = t->device_layers;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @p (0..100] of sorted @v[@n]. */
static uint64_t pct(const uint64_t *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
	return v[(k ? k : 1) - 1];
}

struct stats {
	double min, med, p99; /* ms */
};

static struct stats stats_of(uint64_t *v, size_t n)
{
	struct stats s;
	qsort(v, n, sizeof(*v), cmp_u64);
	s.min = (double)v[0] / 1e6;
	s.med = (double)pct(v, n, 50.0) / 1e6;
	s.p99 = (double)pct(v, n, 99.0) / 1e6;
	return s;
}

struct bench_io {
	lf_tensor *in[MAX_IO], *out[MAX_IO];
	size_t nin, nout;
	uint64_t io_bytes, io_max;
};

static lf_status make_io(lf_context *ctx, lf_model *m,
			 const struct bench_opts *o, struct bench_io *io)
{
	uint64_t rng = o->seed ? o->seed : 1;
	io->nin = lf_model_input_count(m);
	io->nout = lf_model_output_count(m);
	if (io->nin > MAX_IO || io->nout > MAX_IO) {
		fprintf(stderr,
			"layerfab bench: more than %d inputs or "
			"outputs\n",
			MAX_IO);
		return LF_ERR_UNSUPPORTED;
	}
	for (size_t i = 0; i < io->nin; i++) {
		struct lf_tensor_info info =
		    LF_STRUCT_INIT(struct lf_tensor_info);
		lf_status st = lf_model_input_info(m, i, &info);
		if (st == LF_OK)
			st = lf__cli_tensor_random(
			    ctx, &info, (int64_t)o->batch, &rng, &io->in[i]);
		if (st != LF_OK) {
			lf__cli_report("bench", ctx, st, "input %zu", i);
			return st;
		}
	}
	return LF_OK;
}

static void io_account(struct bench_io *io)
{
	io->io_bytes = io->io_max = 0;
	for (size_t i = 0; i < io->nin + io->nout; i++) {
		lf_tensor *t = i < io->nin ? io->in[i] : io->out[i - io->nin];
		uint64_t b = t ? lf_tensor_bytes(t) : 0;
		io->io_bytes += b;
		if (b > io->io_max)
			io->io_max = b;
	}
}

/* The used CUs' names without spaces, for the kv line ("a,b"). */
static const char *cu_list(const struct lf__cli_peak *pk, uint64_t mask,
			   char *buf, size_t len)
{
	lf__cli_cus_str(pk, mask, buf, len);
	char *w = buf;
	for (const char *r = buf; *r; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
	return buf;
}

static void report(const struct bench_opts *o, lf_context *ctx,
		   struct bench_acc *a, const struct bench_io *io,
		   const lf_run_profile *prof, uint64_t total_wall)
{
	struct lf_device_info di = LF_STRUCT_INIT(struct lf_device_info);
	struct lf__cli_peak pk;
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	double n = (double)a->n, batch = (double)o->batch;
	int have_peak = 0;
	if (lf_context_device_info(ctx, &di) != LF_OK) {
		memset(&di, 0, sizeof(di));
		di.backend = di.name = di.xclbin = "?";
	} else {
		have_peak = lf__cli_peak_of(di.xclbin, &pk) == LF_OK;
	}
	struct stats w = stats_of(a->wall, a->n);
	struct stats d = stats_of(a->dev, a->n);
	const struct lf__cli_totals *s = &a->sum;
	double dev_ms = (double)s->device_ns / n / 1e6;
	double wall_ips = batch * n / ((double)total_wall / 1e9);
	double dev_ips = dev_ms > 0 ? batch / (dev_ms / 1e3) : 0;
	double dma = (double)s->dma_transfers / n;
	double bytes = (double)(s->h2d_bytes + s->d2h_bytes) / n;
	double launches = (double)s->launches / n;
	struct lf__cli_peak used;
	char cus[256];
	memset(&used, 0, sizeof(used));
	if (have_peak)
		lf__cli_peak_used(&pk, s->cu_mask, &used);

	printf("model: %s, batch %llu, random input (seed %llu)\n", o->model,
	       (unsigned long long)o->batch, (unsigned long long)o->seed);
	printf("device: %s (%s), %u CUs, xclbin %s\n", di.backend, di.name,
	       di.compute_units, di.xclbin[0] ? di.xclbin : "-");
	printf("runs: %zu timed after %llu warm-up\n\n", a->n,
	       (unsigned long long)o->warmup);
	printf("%-22s %18s %28s\n", "", "emulator (wall)",
	       "modeled card (projection)");
	printf("%-22s %15.3f ms %25.4f ms\n", "latency min", w.min, d.min);
	printf("%-22s %15.3f ms %25.4f ms\n", "latency median", w.med, d.med);
	printf("%-22s %15.3f ms %25.4f ms\n", "latency p99", w.p99, d.p99);
	printf("%-22s %13.1f inf/s %23.1f inf/s\n", "throughput", wall_ips,
	       dev_ips);
	printf("CPU layers: %.3f ms per run (host wall, part of the emulator "
	       "column; the card\ncolumn is device time only)\n\n",
	       (double)s->cpu_host_ns / n / 1e6);
	printf("per run (batch %llu): %.1f launches for %u device segment%s "
	       "(%zu of %zu layers on the device)\n",
	       (unsigned long long)o->batch, launches, s->segments,
	       s->segments == 1 ? "" : "s", s->device_layers, s->layers);
	if (a->fb_runs)
		printf("  device failures: %u segment fallback%s to the CPU "
		       "in %zu of %zu runs (at most %u in one run): those "
		       "runs did not time the device path\n",
		       s->fallbacks, s->fallbacks == 1 ? "" : "s", a->fb_runs,
		       a->n, a->fb_max);
	else if (s->failed_segments)
		printf("  device failures: %u segment attempt%s failed and "
		       "were retried on the device\n",
		       s->failed_segments, s->failed_segments == 1 ? "" : "s");
	printf("  DMA: %.1f transfers, %s (H2D %s, D2H %s), mean transfer "
	       "%s\n",
	       dma, lf__cli_bytes_str(bytes, b1, sizeof(b1)),
	       lf__cli_bytes_str((double)s->h2d_bytes / n, b2, sizeof(b2)),
	       lf__cli_bytes_str((double)s->d2h_bytes / n, b3, sizeof(b3)),
	       lf__cli_bytes_str(dma > 0 ? bytes / dma : 0, b4, sizeof(b4)));
	printf("  model inputs+outputs %s (largest %s): DMA bytes = %.2fx "
	       "of them\n",
	       lf__cli_bytes_str((double)io->io_bytes, b5, sizeof(b5)),
	       lf__cli_bytes_str((double)io->io_max, b1, sizeof(b1)),
	       io->io_bytes ? bytes / (double)io->io_bytes : 0.0);
	printf("  MACs: %.2f M (%.2f M on the device)\n",
	       (double)s->macs / n / 1e6, (double)s->device_macs / n / 1e6);
	double util = lf__cli_util_print(stdout, s, &pk, have_peak);
	double util_all =
	    have_peak ? lf__cli_mac_util(s->device_macs, s->device_ns, &pk)
		      : 0.0;
	if (o->loops)
		lf__cli_loops_print(stdout, &a->loops, n,
				    have_peak ? pk.clock_mhz : 0.0);
	if (o->layers) {
		printf("\nthe last timed run, ");
		lf__cli_layers_print(stdout, prof, &pk, have_peak);
	}
	if (o->kv)
		printf("bench-kv: runs=%zu batch=%llu wall_ms_min=%.4f "
		       "wall_ms_median=%.4f wall_ms_p99=%.4f wall_ips=%.2f "
		       "dev_ms=%.5f dev_ips=%.2f cpu_ms=%.4f launches=%.2f "
		       "segments=%u dma=%.2f dma_bytes=%.0f h2d_bytes=%.0f "
		       "d2h_bytes=%.0f mean_xfer=%.0f io_bytes=%llu "
		       "io_max=%llu macs=%.0f dev_macs=%.0f util_pct=%.3f "
		       "fallbacks=%u fallback_runs=%zu seg_failures=%u "
		       "util_all_pct=%.3f cus_used=%u cus_mac=%u "
		       "cus_used_names=%s\n",
		       a->n, (unsigned long long)o->batch, w.min, w.med, w.p99,
		       wall_ips, dev_ms, dev_ips,
		       (double)s->cpu_host_ns / n / 1e6, launches, s->segments,
		       dma, bytes, (double)s->h2d_bytes / n,
		       (double)s->d2h_bytes / n, dma > 0 ? bytes / dma : 0.0,
		       (unsigned long long)io->io_bytes,
		       (unsigned long long)io->io_max, (double)s->macs / n,
		       (double)s->device_macs / n, util, s->fallbacks,
		       a->fb_runs, s->failed_segments, util_all,
		       have_peak ? used.ncus : 0, have_peak ? pk.ncus : 0,
		       have_peak ? cu_list(&pk, s->cu_mask, cus, sizeof(cus))
				 : "-");
	char when[64];
	snprintf(when, sizeof(when), " in %zu of %zu runs", a->fb_runs, a->n);
	lf__cli_fallback_warn("bench", a->fb_max, s->segments + a->fb_max, when,
			      a->have_fb ? &a->first_fb : NULL);
}

/* Warm-up, then the timed runs into @a. */
static lf_status bench_loop(const struct bench_opts *o, lf_model *m,
			    struct bench_io *io, lf_run_profile *prof,
			    struct bench_acc *a, uint64_t *total_wall)
{
	uint64_t t0 = lf__cli_now_ns(), last = 0;
	lf_status st;
	for (size_t i = 0; i < o->warmup; i++) {
		lf__cli_progress("bench", "warm-up", i, (size_t)o->warmup, t0,
				 &last, i == 0);
		st = lf_model_run(m, io->in, io->nin, io->out, io->nout, NULL);
		if (st != LF_OK)
			return st;
	}
	size_t total = o->seconds > 0 ? 0 : (size_t)o->iters;
	uint64_t start = lf__cli_now_ns();
	uint64_t limit = (uint64_t)(o->seconds * 1e9);
	for (size_t i = 0;; i++) {
		uint64_t now = lf__cli_now_ns();
		if (total ? i >= total : (i > 0 && now - start >= limit))
			break;
		lf__cli_progress("bench", "run", i, total, start, &last,
				 i == 0);
		uint64_t r0 = lf__cli_now_ns();
		st = lf_model_run(m, io->in, io->nin, io->out, io->nout, prof);
		uint64_t r1 = lf__cli_now_ns();
		if (st != LF_OK)
			return st;
		struct lf__cli_totals t;
		lf__cli_totals_of(prof, &t);
		if (acc_push(a, r1 - r0, &t))
			return LF_ERR_NO_MEMORY;
		lf__cli_loops_add(&a->loops, prof);
		if (t.fallbacks && !a->have_fb)
			a->have_fb = lf__cli_first_fallback(prof, &a->first_fb);
	}
	*total_wall = lf__cli_now_ns() - start;
	lf__cli_progress_end();
	fprintf(stderr, "bench: %zu runs in %.2f s after %llu warm-up\n", a->n,
		(double)*total_wall / 1e9, (unsigned long long)o->warmup);
	return LF_OK;
}

int lf__cli_bench(int argc, char **argv)
{
	struct bench_opts o;
	struct bench_io io;
	struct bench_acc a;
	lf_context *ctx = NULL;
	lf_model *m = NULL;
	lf_run_profile *prof = NULL;
	uint64_t total_wall = 0;
	int rc = LF__CLI_FAIL;
	int pr = parse(argc, argv, &o);
	if (pr < 0)
		return help();
	if (pr)
		return pr;
	memset(&io, 0, sizeof(io));
	memset(&a, 0, sizeof(a));

	if (lf__cli_open("bench", o.device, o.xclbin, &ctx) != LF_OK)
		return LF__CLI_FAIL;
	lf_status st = lf_model_load(ctx, o.model, &m);
	if (st != LF_OK) {
		lf__cli_report("bench", ctx, st, "%s", o.model);
		goto out;
	}
	if (make_io(ctx, m, &o, &io) != LF_OK)
		goto out;
	st = lf_run_profile_create(&prof);
	/* The first run allocates the outputs, which later runs reuse. */
	if (st == LF_OK)
		st = lf_model_run(m, io.in, io.nin, io.out, io.nout, NULL);
	if (st == LF_OK)
		st = bench_loop(&o, m, &io, prof, &a, &total_wall);
	if (st != LF_OK) {
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\n");
		lf__cli_report("bench", ctx, st, "%s", o.model);
		goto out;
	}
	io_account(&io);
	report(&o, ctx, &a, &io, prof, total_wall);
	rc = LF__CLI_OK;
out:
	for (size_t i = 0; i < io.nin; i++)
		lf_tensor_destroy(io.in[i]);
	for (size_t i = 0; i < io.nout; i++)
		lf_tensor_destroy(io.out[i]);
	free(a.wall);
	free(a.dev);
	lf_run_profile_destroy(prof);
	lf_model_destroy(m);
	lf_context_destroy(ctx);
	return rc;
}
