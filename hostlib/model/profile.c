/*
 * profile.c - struct lf_run_profile: the per-layer records of one run and
 * its Chrome trace (the JSON "traceEvents" format that chrome://tracing
 * and Perfetto read: complete events "ph":"X" with microsecond "ts" and
 * "dur", metadata events "ph":"M" naming processes and threads).
 *
 * Tracks: process 1 "host" (wall time since the run began: one span per
 * CPU node or device segment); process 2 "device (modeled)" with thread 1
 * DMA host->card, thread 2 DMA card->host and one thread per compute
 * unit, in the driver's modeled device time (microseconds from the run's
 * first device event), each launch labelled with its layers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/abi.h"
#include "hostlib/base/error.h"
#include "hostlib/model/model_impl.h"

lf_status lf_run_profile_create(lf_run_profile **out)
{
	if (!out)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_run_profile_create: out is NULL");
	lf_run_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return lf__err(0, LF_ERR_NO_MEMORY,
			       "lf_run_profile_create: no memory");
	*out = p;
	return LF_OK;
}

void lf_run_profile_destroy(lf_run_profile *p)
{
	if (!p)
		return;
	free(p->rec);
	free(p->dma_ns);
	free(p->ev);
	free(p->dcyc);
	free(p->dmhz);
	free(p);
}

void lf__run_profile_clear(struct lf_run_profile *p)
{
	p->n = 0;
	p->nev = 0;
	p->ntracks = 0;
	p->have_device = 0;
	p->nloops = 0;
}

void lf__run_profile_loops(struct lf_run_profile *p,
			   const struct lf_loop_profile *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < p->nloops && strcmp(p->loops[k].name, l[i].name))
			k++;
		if (k == p->nloops) {
			if (k == LF__MLOOPS)
				continue;
			p->loops[k] = l[i];
			p->nloops++;
			continue;
		}
		p->loops[k].calls += l[i].calls;
		p->loops[k].iters += l[i].iters;
		p->loops[k].cycles += l[i].cycles;
		p->loops[k].mem_stall += l[i].mem_stall;
	}
}

int lf__run_profile_desc(struct lf_run_profile *p, size_t n)
{
	if (n <= p->dcap)
		return 1;
	uint64_t *c = realloc(p->dcyc, n * sizeof(*c));
	if (!c)
		return 0;
	p->dcyc = c;
	uint32_t *m = realloc(p->dmhz, n * sizeof(*m));
	if (!m)
		return 0;
	p->dmhz = m;
	p->dcap = n;
	return 1;
}

size_t lf_run_profile_loop_count(const lf_run_profile *p)
{
	return p ? p->nloops : 0;
}

lf_status lf_run_profile_loop_get(const lf_run_profile *p, size_t i,
				  struct lf_loop_profile *rec)
{
	if (!p || !rec)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_run_profile_loop_get: %s is NULL",
			       p ? "rec" : "p");
	if (i >= p->nloops)
		return lf__err(0, LF_ERR_RANGE,
			       "lf_run_profile_loop_get: loop %zu requested, "
			       "%zu kept",
			       i, p->nloops);
	return LF__STRUCT_OUT(0, "lf_run_profile_loop_get", lf_loop_profile,
			      rec, &p->loops[i]);
}

static int grow(void **a, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 1;
	size_t c = *cap ? *cap * 2 : 32;
	void *r = realloc(*a, c * size);
	if (!r)
		return 0;
	*a = r;
	*cap = c;
	return 1;
}

lf_status lf__run_profile_add(struct lf_run_profile *p,
			      const struct lf_layer_profile *rec)
{
	size_t cap = p->cap;
	if (!grow((void **)&p->rec, &cap, p->n, sizeof(*p->rec)))
		return LF_ERR_NO_MEMORY;
	if (cap != p->cap || !p->dma_ns) {
		uint64_t *d = realloc(p->dma_ns, cap * sizeof(*d));
		if (!d)
			return LF_ERR_NO_MEMORY;
		p->dma_ns = d;
	}
	p->cap = cap;
	p->dma_ns[p->n] = 0;
	p->rec[p->n++] = *rec;
	return LF_OK;
}

lf_status lf__run_profile_event(struct lf_run_profile *p,
				const struct lf__pevent *ev)
{
	if (!grow((void **)&p->ev, &p->capev, p->nev, sizeof(*p->ev)))
		return LF_ERR_NO_MEMORY;
	p->ev[p->nev++] = *ev;
	return LF_OK;
}

size_t lf_run_profile_count(const lf_run_profile *p)
{
	return p ? p->n : 0;
}

lf_status lf_run_profile_get(const lf_run_profile *p, size_t i,
			     struct lf_layer_profile *rec)
{
	if (!p || !rec)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_run_profile_get: %s is NULL",
			       p ? "rec" : "p");
	if (i >= p->n)
		return lf__err(0, LF_ERR_RANGE,
			       "lf_run_profile_get: record %zu requested, %zu "
			       "kept",
			       i, p->n);
	return LF__STRUCT_OUT(0, "lf_run_profile_get", lf_layer_profile, rec,
			      &p->rec[i]);
}

/* A JSON string literal. */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void meta(FILE *f, const char *what, int pid, int tid, const char *name)
{
	fprintf(f, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%d,", what, pid);
	if (tid >= 0)
		fprintf(f, "\"tid\":%d,", tid);
	fprintf(f, "\"args\":{\"name\":");
	put_str(f, name);
	fprintf(f, "}},\n");
}

static void write_tracks(FILE *f, const lf_run_profile *p)
{
	meta(f, "process_name", 1, -1, "host");
	meta(f, "thread_name", 1, 0, "host (wall time)");
	if (!p->have_device)
		return;
	meta(f, "process_name", 2, -1, "device (modeled time)");
	meta(f, "thread_name", 2, 1, "DMA host->card");
	meta(f, "thread_name", 2, 2, "DMA card->host");
	for (size_t i = 0; i < p->ntracks; i++) {
		char name[160];
		snprintf(name, sizeof(name), "CU %u %s", p->tracks[i].cu,
			 p->tracks[i].name);
		meta(f, "thread_name", 2, 10 + (int)p->tracks[i].cu, name);
	}
}

lf_status lf_run_profile_write_trace(const lf_run_profile *p, const char *path)
{
	if (!p || !path)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_run_profile_write_trace: %s is NULL",
			       p ? "path" : "p");
	FILE *f = fopen(path, "w");
	if (!f)
		return lf__err(0, LF_ERR_IO,
			       "lf_run_profile_write_trace: %s: %s", path,
			       strerror(errno));
	uint64_t dev0 = UINT64_MAX;
	for (size_t i = 0; i < p->nev; i++)
		if (p->ev[i].track && p->ev[i].start_ns < dev0)
			dev0 = p->ev[i].start_ns;
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	write_tracks(f, p);
	for (size_t i = 0; i < p->nev; i++) {
		const struct lf__pevent *e = &p->ev[i];
		uint64_t ts = e->track ? e->start_ns - dev0 : e->start_ns;
		fprintf(f, "{\"name\":");
		put_str(f, e->name);
		fprintf(f,
			",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,"
			"\"dur\":%.3f,\"pid\":%d,\"tid\":%d,\"args\":{\"op\":",
			e->track ? "device" : "host", (double)ts / 1000.0,
			(double)e->dur_ns / 1000.0, e->track ? 2 : 1, e->track);
		put_str(f, e->op);
		if (e->track)
			fprintf(f, ",\"modeled\":true,\"bytes\":%llu",
				(unsigned long long)e->bytes);
		fprintf(f, "}},\n");
	}
	/* A closing metadata event keeps the list free of a trailing comma. */
	fprintf(f,
		"{\"name\":\"layerfab\",\"ph\":\"M\",\"pid\":1,\"args\":{"
		"\"layers\":%zu}}\n]}\n",
		p->n);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return lf__err(0, LF_ERR_IO,
			       "lf_run_profile_write_trace: %s: write failed",
			       path);
	return LF_OK;
}
