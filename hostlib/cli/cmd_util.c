/*
 * cmd_util.c - helpers the `layerfab` subcommands and the demo share (see
 * cli.h): options, opening a device, model inputs, run-profile sums and
 * the card's peak MAC rate.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "driver/xclbin/xclbin.h"
#include "hostlib/cli/cli.h"
#include "hostlib/model/model_impl.h"
#include "hostlib/onnx/onnx.h"

int lf__cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int lf__cli_opt(const char *cmd, int argc, char **argv, int *i,
		const char *name, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "layerfab %s: %s needs a value\n", cmd, name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

int lf__cli_parse_u64(const char *cmd, const char *opt, const char *s,
		      uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-' || v < min || v > max) {
		fprintf(stderr,
			"layerfab %s: %s '%s': want a whole number from %llu "
			"to %llu\n",
			cmd, opt, s, (unsigned long long)min,
			(unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int lf__cli_parse_double(const char *cmd, const char *opt, const char *s,
			 double min, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= min && v <= max)) {
		fprintf(stderr,
			"layerfab %s: %s '%s': want a number from %g to %g\n",
			cmd, opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int lf__cli_usage_error(const char *cmd, const char *usage, const char *fmt,
			...)
{
	va_list ap;
	fprintf(stderr, "layerfab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: layerfab %s %s\n", cmd, usage);
	return LF__CLI_USAGE;
}

void lf__cli_report(const char *cmd, const lf_context *ctx, lf_status st,
		    const char *fmt, ...)
{
	va_list ap;
	const char *msg = ctx ? lf_context_last_error(ctx) : lf_last_error();
	if (!msg[0])
		msg = lf_last_error();
	fprintf(stderr, "layerfab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", msg[0] ? msg : lf_status_str(st),
		lf_status_name(st));
}

lf_status lf__cli_open(const char *cmd, const char *device, const char *xclbin,
		       lf_context **out)
{
	lf_status st = lf_context_create(device, xclbin, out);
	if (st != LF_OK)
		lf__cli_report(cmd, NULL, st, "cannot open device '%s'",
			       device ? device : "(default)");
	return st;
}

const char *lf__cli_dtype_name(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		return "uint8";
	case LF_DTYPE_INT8:
		return "int8";
	case LF_DTYPE_INT32:
		return "int32";
	case LF_DTYPE_FLOAT32:
		return "float32";
	}
	return "unknown";
}

void lf__cli_dims_str(const int64_t *dims, int ndim, char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	buf[0] = '\0';
	n += (size_t)snprintf(buf, len, "[");
	for (int i = 0; i < ndim && n < len; i++) {
		if (dims[i] < 0)
			n += (size_t)snprintf(buf + n, len - n, "%s?",
					      i ? "," : "");
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%lld",
					      i ? "," : "", (long long)dims[i]);
	}
	if (n < len)
		snprintf(buf + n, len - n, "]");
}

uint64_t lf__cli_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void lf__cli_progress(const char *cmd, const char *what, size_t done,
		      size_t total, uint64_t t0, uint64_t *last, int force)
{
	uint64_t now = lf__cli_now_ns();
	if (!isatty(STDERR_FILENO) || (!force && now - *last < 200000000ull))
		return;
	*last = now;
	if (total)
		fprintf(stderr, "\r%s: %s %zu/%zu, %.1f s   ", cmd, what, done,
			total, (double)(now - t0) / 1e9);
	else
		fprintf(stderr, "\r%s: %s %zu, %.1f s   ", cmd, what, done,
			(double)(now - t0) / 1e9);
}

void lf__cli_progress_end(void)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%60s\r", "");
}

lf_status lf__cli_tensor_read(lf_context *ctx, const char *path,
			      lf_tensor **out, char *err, size_t errlen)
{
	struct lf__tensor t;
	lf_dtype dt;
	lf_tensor *res;
	memset(&t, 0, sizeof(t));
	lf_status st = lf__onnx_tensor_read(path, &t, err, errlen);
	if (st != LF_OK)
		return st;
	st = lf__onnx_dtype_to_lf(t.dtype, &dt);
	if (st != LF_OK) {
		snprintf(err, errlen,
			 "%s: tensor type %s is not a layerfab "
			 "tensor type",
			 path, lf__onnx_dtype_name(t.dtype));
		goto out;
	}
	st = lf_tensor_create(ctx, dt, t.rank, t.dims, NULL, &res);
	if (st != LF_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 lf_context_last_error(ctx));
		goto out;
	}
	if (lf_tensor_bytes(res) != lf__tensor_bytes(&t)) {
		snprintf(err, errlen, "%s: %zu data bytes, the shape needs %zu",
			 path, lf__tensor_bytes(&t), lf_tensor_bytes(res));
		lf_tensor_destroy(res);
		st = LF_ERR_BAD_FILE;
		goto out;
	}
	if (t.count)
		memcpy(lf_tensor_data(res), t.data, lf_tensor_bytes(res));
	*out = res;
out:
	lf__tensor_release(&t);
	return st;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

lf_status lf__cli_tensor_random(lf_context *ctx,
				const struct lf_tensor_info *info,
				int64_t batch, uint64_t *rng, lf_tensor **out)
{
	int64_t dims[LF_MAX_DIMS];
	lf_tensor *t;
	for (int i = 0; i < info->ndim; i++)
		dims[i] = info->dims[i] < 0 ? batch : info->dims[i];
	lf_status st =
	    lf_tensor_create(ctx, info->dtype, info->ndim, dims, NULL, &t);
	if (st != LF_OK)
		return st;
	size_t n = lf_tensor_bytes(t) / lf_dtype_size(info->dtype);
	void *d = lf_tensor_data(t);
	for (size_t i = 0; i < n; i++) {
		uint64_t r = xorshift(rng);
		switch (info->dtype) {
		case LF_DTYPE_FLOAT32:
			((float *)d)[i] = (float)((double)(r >> 11) * 0x1p-53);
			break;
		case LF_DTYPE_INT32:
			((uint32_t *)d)[i] = (uint32_t)r;
			break;
		default:
			((uint8_t *)d)[i] = (uint8_t)(r >> 56);
			break;
		}
	}
	*out = t;
	return LF_OK;
}

void lf__cli_totals_of(const lf_run_profile *p, struct lf__cli_totals *t)
{
	/* Segment indices are small; a bitmap of the first 4096 suffices to
	 * count distinct ones. */
	uint64_t seen[64];
	memset(t, 0, sizeof(*t));
	memset(seen, 0, sizeof(seen));
	size_t n = lf_run_profile_count(p);
	for (size_t i = 0; i < n; i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		if (lf_run_profile_get(p, i, &r) != LF_OK)
			continue;
		int dev = strcmp(r.where, "device") == 0;
		t->layers++;
		t->host_ns += r.host_ns;
		t->device_ns += r.device_ns;
		t->h2d_bytes += r.h2d_bytes;
		t->d2h_bytes += r.d2h_bytes;
		t->dma_transfers += r.dma_transfers;
		t->launches += r.launches;
		t->macs += r.macs;
		if (dev) {
			t->device_layers++;
			t->device_macs += r.macs;
			t->cu_mask |= r.cu_mask;
			if (!r.cu_mask && r.cu < 64)
				t->cu_mask |= 1ull << r.cu;
		} else {
			t->cpu_host_ns += r.host_ns;
		}
		/* The records of one segment are consecutive and share
		 * its failure fields: count a segment at its first one. */
		if (r.segment == ~0u || r.segment >= 64 * 64 ||
		    (seen[r.segment / 64] & (1ull << (r.segment % 64))))
			continue;
		seen[r.segment / 64] |= 1ull << (r.segment % 64);
		t->segments += dev;
		t->fallbacks += r.fallback != 0;
		t->failed_segments += r.seg_failures > 0;
	}
}

void lf__cli_failures_print(const lf_run_profile *p, FILE *out)
{
	unsigned last = ~0u;
	int any = 0;
	size_t n = lf_run_profile_count(p);
	for (size_t i = 0; i < n; i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		if (lf_run_profile_get(p, i, &r) != LF_OK || r.segment == ~0u ||
		    r.segment == last || !r.seg_failures)
			continue;
		last = r.segment;
		if (!any++)
			fprintf(out, "device failures (outputs are the same "
				     "bytes either way):\n");
		fprintf(
		    out,
		    "  segment %u ('%s'): %u failed attempt%s, %s: %s: %s\n",
		    r.segment, r.name, r.seg_failures,
		    r.seg_failures == 1 ? "" : "s",
		    r.fallback ? "ran on the CPU" : "then ran on the device",
		    lf_status_name(r.fail_status), r.fail_reason);
	}
}

/* Record @i of @p into *r; 0 if it is not a CPU layer with a reason. */
static int cpu_why_at(const lf_run_profile *p, size_t i,
		      struct lf_layer_profile *r)
{
	memset(r, 0, sizeof(*r));
	r->struct_size = sizeof(*r);
	return lf_run_profile_get(p, i, r) == LF_OK && r->cpu_why[0];
}

void lf__cli_cpu_why_print(const lf_run_profile *p, FILE *out)
{
	size_t n = lf_run_profile_count(p);
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		struct lf_layer_profile r, o;
		if (!cpu_why_at(p, i, &r))
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = cpu_why_at(p, j, &o) &&
			       strcmp(o.cpu_why, r.cpu_why) == 0;
		if (seen)
			continue;
		if (!any++)
			fprintf(out, "on the CPU by plan, and why:\n");
		unsigned k = 0;
		fprintf(out, "  %s:", r.cpu_why);
		for (size_t j = i; j < n; j++) {
			if (!cpu_why_at(p, j, &o) ||
			    strcmp(o.cpu_why, r.cpu_why) != 0)
				continue;
			if (k++ < 4)
				fprintf(out, "%s %s", k > 1 ? "," : "", o.name);
		}
		fprintf(out, "%s (%u layer%s)\n", k > 4 ? ", ..." : "", k,
			k == 1 ? "" : "s");
	}
}

int lf__cli_first_fallback(const lf_run_profile *p,
			   struct lf_layer_profile *rec)
{
	size_t n = p ? lf_run_profile_count(p) : 0;
	rec->struct_size = sizeof(*rec);
	for (size_t i = 0; i < n; i++)
		if (lf_run_profile_get(p, i, rec) == LF_OK && rec->fallback)
			return 1;
	return 0;
}

void lf__cli_fallback_warn(const char *cmd, unsigned fallbacks,
			   unsigned segments, const char *when,
			   const struct lf_layer_profile *first)
{
	if (!fallbacks)
		return;
	fprintf(stderr,
		"layerfab %s: warning: %u of %u device segment%s failed on "
		"the device and ran on the CPU%s",
		cmd, fallbacks, segments, segments == 1 ? "" : "s", when);
	if (first)
		fprintf(stderr, " (first: segment %u, %s: %s)", first->segment,
			lf_status_name(first->fail_status), first->fail_reason);
	fprintf(stderr, "; LAYERFAB_FALLBACK=off makes this an error\n");
}

lf_status lf__cli_peak_of(const char *xclbin_path, struct lf__cli_peak *out)
{
	struct lf_xclbin *x;
	char err[256];
	if (!xclbin_path || !xclbin_path[0])
		return LF_ERR_NOT_FOUND;
	lf_status st = lf__xclbin_load(xclbin_path, &x, err, sizeof(err));
	if (st != LF_OK)
		return st;
	struct lf__cli_peak p;
	memset(&p, 0, sizeof(p));
	p.clock_mhz = (double)lf__xclbin_limit(x, "clock_mhz", 0);
	for (uint32_t c = 0; c < x->ncus; c++) {
		char key[LF_XCLBIN_NAME_MAX + 32];
		snprintf(key, sizeof(key), "%s.macs_per_cycle",
			 x->kernels[x->cus[c].kernel].name);
		int64_t m = lf__xclbin_limit(x, key, 0);
		if (c < LF__CLI_MAX_CUS) {
			p.nall = c + 1;
			p.cu_macs[c] = m > 0 ? (double)m : 0.0;
			snprintf(p.cu_name[c], sizeof(p.cu_name[c]), "%s",
				 x->cus[c].name);
		}
		if (m > 0) {
			p.macs_per_cycle += (double)m;
			p.ncus++;
		}
	}
	lf__xclbin_free(x);
	if (p.macs_per_cycle <= 0 || p.clock_mhz <= 0)
		return LF_ERR_NOT_FOUND;
	*out = p;
	return LF_OK;
}

double lf__cli_mac_util(uint64_t macs, uint64_t device_ns,
			const struct lf__cli_peak *peak)
{
	if (!macs || !device_ns || !peak || peak->macs_per_cycle <= 0 ||
	    peak->clock_mhz <= 0)
		return 0.0;
	double peak_macs = (double)device_ns * 1e-9 * peak->macs_per_cycle *
			   peak->clock_mhz * 1e6;
	return 100.0 * (double)macs / peak_macs;
}

void lf__cli_peak_used(const struct lf__cli_peak *all, uint64_t mask,
		       struct lf__cli_peak *out)
{
	*out = *all;
	out->ncus = 0;
	out->macs_per_cycle = 0.0;
	for (unsigned c = 0; c < all->nall; c++) {
		if (!(mask & (1ull << c)) || all->cu_macs[c] <= 0)
			continue;
		out->ncus++;
		out->macs_per_cycle += all->cu_macs[c];
	}
}

const char *lf__cli_cus_str(const struct lf__cli_peak *pk, uint64_t mask,
			    char *buf, size_t len)
{
	size_t at = 0;
	snprintf(buf, len, "-");
	for (unsigned c = 0; c < pk->nall && c < 64; c++) {
		if (!(mask & (1ull << c)))
			continue;
		int w = snprintf(buf + at, len - at, "%s%s", at ? ", " : "",
				 pk->cu_name[c]);
		if (w < 0 || (size_t)w >= len - at)
			break;
		at += (size_t)w;
	}
	return buf;
}

double lf__cli_util_print(FILE *out, const struct lf__cli_totals *t,
			  const struct lf__cli_peak *pk, int have_peak)
{
	struct lf__cli_peak used;
	char names[256];
	if (!have_peak) {
		fprintf(out, "MAC utilisation: unknown (the xclbin has no "
			     "macs_per_cycle / clock_mhz limits)\n");
		return 0.0;
	}
	lf__cli_peak_used(pk, t->cu_mask, &used);
	if (!used.ncus) {
		fprintf(out, "MAC utilisation: unknown (no device layer ran on "
			     "a CU with a MAC rate)\n");
		return 0.0;
	}
	double u = lf__cli_mac_util(t->device_macs, t->device_ns, &used);
	fprintf(out,
		"MAC utilisation: %.2f%% = device MACs / (modeled time x %.0f "
		"MACs/cycle x %.0f MHz) over the CU%s that ran: %s (%u of %u "
		"CUs with MACs; over all %u: %.2f%%)\n",
		u, used.macs_per_cycle, used.clock_mhz,
		used.ncus == 1 ? "" : "s",
		lf__cli_cus_str(pk, t->cu_mask, names, sizeof(names)),
		used.ncus, pk->ncus, pk->ncus,
		lf__cli_mac_util(t->device_macs, t->device_ns, pk));
	return u;
}

void lf__cli_loops_add(struct lf__cli_loops *acc, const lf_run_profile *p)
{
	size_t n = lf_run_profile_loop_count(p);
	for (size_t i = 0; i < n; i++) {
		struct lf_loop_profile l =
		    LF_STRUCT_INIT(struct lf_loop_profile);
		if (lf_run_profile_loop_get(p, i, &l) != LF_OK)
			continue;
		size_t k = 0;
		while (k < acc->n && strcmp(acc->l[k].name, l.name) != 0)
			k++;
		if (k == acc->n) {
			if (k == sizeof(acc->l) / sizeof(acc->l[0]))
				continue;
			acc->l[acc->n++] = l;
			continue;
		}
		acc->l[k].calls += l.calls;
		acc->l[k].iters += l.iters;
		acc->l[k].cycles += l.cycles;
		acc->l[k].mem_stall += l.mem_stall;
	}
}

static int by_cycles(const void *a, const void *b)
{
	const struct lf_loop_profile *x = a, *y = b;
	return x->cycles < y->cycles ? 1 : x->cycles > y->cycles ? -1 : 0;
}

void lf__cli_loops_print(FILE *out, const struct lf__cli_loops *acc,
			 double runs, double clock_mhz)
{
	struct lf_loop_profile l[64];
	uint64_t total = 0, stall = 0;
	size_t n = acc->n;
	if (!n) {
		fprintf(out, "\nper-loop breakdown: none (the device counts no "
			     "cycles)\n");
		return;
	}
	memcpy(l, acc->l, n * sizeof(l[0]));
	qsort(l, n, sizeof(l[0]), by_cycles);
	for (size_t i = 0; i < n; i++) {
		total += l[i].cycles;
		stall += l[i].mem_stall;
	}
	if (runs <= 0)
		runs = 1;
	fprintf(out,
		"\nper-loop breakdown (hls/lf_pipes.h labels; modeled cycles "
		"per run, of which\nmemory stall = cycles the loop's m_axi "
		"port or bank added beyond its compute):\n");
	fprintf(out, "%-16s %10s %14s %14s %14s %7s %11s\n", "loop", "calls",
		"iterations", "cycles", "mem stall", "share", "ms");
	for (size_t i = 0; i < n; i++)
		fprintf(
		    out, "%-16s %10.0f %14.0f %14.0f %14.0f %6.2f%% %11.3f\n",
		    l[i].name, (double)l[i].calls / runs,
		    (double)l[i].iters / runs, (double)l[i].cycles / runs,
		    (double)l[i].mem_stall / runs,
		    total ? 100.0 * (double)l[i].cycles / (double)total : 0.0,
		    clock_mhz > 0 ? (double)l[i].cycles / runs / clock_mhz / 1e3
				  : 0.0);
	fprintf(out, "%-16s %10s %14s %14.0f %14.0f %6.2f%% %11.3f\n",
		"loops total", "", "", (double)total / runs,
		(double)stall / runs, 100.0,
		clock_mhz > 0 ? (double)total / runs / clock_mhz / 1e3 : 0.0);
	fprintf(out, "(each descriptor also costs model.desc_cycles outside "
		     "any loop; launch and DMA are\nnot kernel cycles)\n");
}

const char *lf__cli_bytes_str(double bytes, char *buf, size_t len)
{
	if (bytes >= 1024.0 * 1024.0 * 1024.0)
		snprintf(buf, len, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
	else if (bytes >= 1024.0 * 1024.0)
		snprintf(buf, len, "%.2f MiB", bytes / (1024.0 * 1024.0));
	else if (bytes >= 1024.0)
		snprintf(buf, len, "%.1f KiB", bytes / 1024.0);
	else
		snprintf(buf, len, "%.0f B", bytes);
	return buf;
}

static int32_t onnx_dtype(lf_dtype t)
{
	switch (t) {
	case LF_DTYPE_UINT8:
		return LF__ONNX_UINT8;
	case LF_DTYPE_INT8:
		return LF__ONNX_INT8;
	case LF_DTYPE_INT32:
		return LF__ONNX_INT32;
	default:
		return LF__ONNX_FLOAT;
	}
}

lf_status lf__cli_tensor_to_onnx(lf_tensor *got, struct lf__tensor *t,
				 char *err, size_t errlen)
{
	int64_t dims[LF_MAX_DIMS];
	int nd = lf_tensor_shape(got, dims);
	lf_status st = lf_tensor_to_host(got);
	if (st == LF_OK)
		st = lf__tensor_alloc(t, onnx_dtype(lf_tensor_dtype(got)), nd,
				      dims, err, errlen);
	if (st == LF_OK && lf__tensor_bytes(t) != lf_tensor_bytes(got)) {
		snprintf(err, errlen, "output size mismatch");
		lf__tensor_release(t);
		return LF_ERR_INTERNAL;
	}
	if (st == LF_OK && t->count)
		memcpy(t->data, lf_tensor_data(got), lf__tensor_bytes(t));
	return st;
}

/* A layer's MACs over its own cycles on the CUs that ran it (a batch
 * split across CUs: the longest part's cycles, every part's MACs), or
 * "-". */
static const char *layer_util(const struct lf_layer_profile *r,
			      const struct lf__cli_peak *pk, int have_peak,
			      char *buf, size_t len)
{
	unsigned long long mask = r->cu_mask;
	double rate = 0.0;
	if (!mask && r->cu < 64)
		mask = 1ull << r->cu;
	for (unsigned c = 0; have_peak && c < pk->nall && c < 64; c++)
		if ((mask >> c) & 1u)
			rate += pk->cu_macs[c] > 0 ? pk->cu_macs[c] : 0.0;
	snprintf(buf, len, "-");
	if (have_peak && r->modeled && r->device_cycles && r->macs &&
	    rate > 0.0)
		snprintf(buf, len, "%.2f",
			 100.0 * (double)r->macs /
			     ((double)r->device_cycles * rate));
	return buf;
}

/*
 * lf__cli_layers_print() - the per-layer table of a profiled run on @out:
 * each layer's place, host wall time, modeled time and cycles, MAC %, CU,
 * transfers and launches, and the totals; then whether the layers'
 * modeled times add up to the run's modeled device time.
 */
void lf__cli_layers_print(FILE *out, const lf_run_profile *p,
			  const struct lf__cli_peak *pk, int have_peak)
{
	struct lf__cli_totals t;
	size_t n = lf_run_profile_count(p);
	unsigned long long sum_ns = 0;
	fprintf(out,
		"per-layer profile (modeled = projected by the timing "
		"model, not measured; a\nlayer's own kernel cycles at the "
		"kernel clock, the launch on a launch's first\nlayer, "
		"uploads on a segment's first, downloads on its last; - = "
		"the device\ncounts no cycles; MAC%% = the layer's MACs over "
		"its own cycles x its CUs' MACs/cycle; CU: 0+1 when a batch\n"
		"was split across CUs):\n");
	fprintf(out,
		"%3s %-28s %-22s %-6s %3s %9s %11s %11s %6s %3s %9s %9s %4s "
		"%6s\n",
		"#", "layer", "op", "where", "seg", "host ms", "modeled ms",
		"cycles", "MAC%", "CU", "H2D B", "D2H B", "DMA", "launch");
	for (size_t i = 0; i < n; i++) {
		struct lf_layer_profile r =
		    LF_STRUCT_INIT(struct lf_layer_profile);
		char seg[12] = "-", ms[24] = "-", cyc[24] = "-", ut[16],
		     cu[12] = "-";
		if (lf_run_profile_get(p, i, &r) != LF_OK)
			continue;
		if (r.segment != ~0u)
			snprintf(seg, sizeof(seg), "%u", r.segment);
		if (r.modeled || r.device_ns)
			sum_ns += r.device_ns;
		if (r.modeled) {
			snprintf(ms, sizeof(ms), "%.4f",
				 (double)r.device_ns / 1e6);
			snprintf(cyc, sizeof(cyc), "%llu", r.device_cycles);
		}
		if (r.cu != ~0u)
			snprintf(cu, sizeof(cu), "%u", r.cu);
		if (r.cu_mask & (r.cu_mask - 1)) /* several: "0+1" */
			for (unsigned k = 0, at = 0; k < 64; k++)
				if ((r.cu_mask >> k) & 1u) {
					int w =
					    snprintf(cu + at, sizeof(cu) - at,
						     "%s%u", at ? "+" : "", k);
					if (w < 0 ||
					    (size_t)w >= sizeof(cu) - at)
						break;
					at += (unsigned)w;
				}
		fprintf(
		    out,
		    "%3zu %-28.28s %-22.22s %-6s %3s %9.3f %11s %11s %6s %3s "
		    "%9llu %9llu %4u %6u\n",
		    i, r.name, r.op,
		    r.fallback			     ? "cpu!"
		    : strcmp(r.layout, "fused") == 0 ? "fused"
						     : r.where,
		    seg, (double)r.host_ns / 1e6, ms, cyc,
		    layer_util(&r, pk, have_peak, ut, sizeof(ut)), cu,
		    r.h2d_bytes, r.d2h_bytes, r.dma_transfers, r.launches);
	}
	lf__cli_totals_of(p, &t);
	fprintf(out,
		"%3s %-28s %-22s %-6s %3u %9.3f %11.4f %11s %6s %3s %9llu "
		"%9llu %4llu %6llu\n",
		"", "total", "", "", t.segments, (double)t.host_ns / 1e6,
		(double)t.device_ns / 1e6, "", "", "",
		(unsigned long long)t.h2d_bytes,
		(unsigned long long)t.d2h_bytes,
		(unsigned long long)t.dma_transfers,
		(unsigned long long)t.launches);
	/* The device's own timeline (its run and DMA events, recorded by the
	 * driver, not from the per-descriptor cycles the layers carry). A
	 * batch split across CUs (lf_layer_profile.cu_mask): its slices'
	 * runs side by side count the longest slice's, the transfers of all
	 * of them (one DMA engine per direction), as the layers do. */
	unsigned long long tl_ns = 0, run_ns[64] = {0}, runs = 0;
	for (size_t k = 0; k < p->nev; k++) {
		const struct lf__pevent *e = &p->ev[k];
		if (e->track < 1 || e->layer)
			continue;
		if (e->track < 10 || e->part < 0 || e->part >= 64)
			tl_ns += e->dur_ns;
		else
			run_ns[e->part] += e->dur_ns;
	}
	for (int k = 0; k < 64; k++)
		if (run_ns[k] > runs)
			runs = run_ns[k];
	tl_ns += runs;
	if (sum_ns && p->have_device)
		fprintf(out,
			"layers' modeled times sum to %.4f ms; the device "
			"timeline's runs and transfers to %.4f ms%s\n",
			(double)sum_ns / 1e6, (double)tl_ns / 1e6,
			sum_ns == tl_ns ? " (equal)" : " (NOT EQUAL)");
}
