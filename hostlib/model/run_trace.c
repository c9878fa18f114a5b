/*
 * run_trace.c - a run's profile (run_impl.h): a record per layer, host
 * spans, and the device's timeline events given to the layers and the
 * trace (with the cycle model, each layer its own descriptors' cycles).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/context.h"
#include "hostlib/core/event.h"
#include "hostlib/model/run_impl.h"

/* Add a record for @node; returns it, or NULL without memory for it. */
struct lf_layer_profile *lf__run_record(struct runctx *c, int node,
					const char *where, uint64_t host_ns,
					unsigned seg)
{
	const struct lf__gnode *n = &c->m->g->nodes[node];
	struct lf_layer_profile r;
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", n->name);
	snprintf(r.op, sizeof(r.op), "%s", n->label);
	snprintf(r.where, sizeof(r.where), "%s", where);
	r.segment = seg;
	r.host_ns = host_ns;
	r.macs = c->p->node[node].macs;
	r.cu = ~0u;
	if (lf__run_profile_add(c->prof, &r) != LF_OK)
		return NULL;
	return &c->prof->rec[c->prof->n - 1];
}

void lf__run_host_span(struct runctx *c, const char *name, const char *op,
		       uint64_t t0, uint64_t t1)
{
	struct lf__pevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.track = 0;
	ev.start_ns = t0 - c->t0;
	ev.dur_ns = t1 - t0;
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	snprintf(ev.op, sizeof(ev.op), "%s", op);
	lf__run_profile_event(c->prof, &ev);
}

static void add_track(lf_run_profile *p, const struct lf__mdev *md, uint32_t cu)
{
	for (size_t i = 0; i < p->ntracks; i++)
		if (p->tracks[i].cu == cu)
			return;
	if (p->ntracks == LF__PROFILE_TRACKS)
		return;
	p->tracks[p->ntracks].cu = cu;
	snprintf(p->tracks[p->ntracks].name, sizeof(p->tracks[0].name), "%s",
		 lf__mdev_cu_name(md, cu));
	p->ntracks++;
}

/* The record of node @node in this run's profile (the last one added). */
static struct lf_layer_profile *rec_of(struct runctx *c, size_t first, int node)
{
	const char *name = c->m->g->nodes[node].name;
	for (size_t i = first; i < c->prof->n; i++)
		if (strncmp(c->prof->rec[i].name, name,
			    sizeof(c->prof->rec[i].name) - 1) == 0)
			return &c->prof->rec[i];
	return &c->prof->rec[first];
}

static void attribute(struct lf_layer_profile *r, uint64_t start, uint64_t dur)
{
	if (!r->device_ns || start < r->dev_start_ns)
		r->dev_start_ns = start;
	r->device_ns += dur;
}

/*
 * Give run @e of launch @l its layers' device time. With the cycle model
 * (@mm, every descriptor of the launch counted) each layer gets its own
 * descriptors' cycles at the kernel clock, rounded on the running sum so
 * the parts add up to the run's kernel time, and the launch's first layer
 * the rest of the run (the launch overhead). Without it the run stays
 * undivided on the first layer, modeled 0: no made-up split.
 */
static void launch_time(struct runctx *c, size_t first_rec,
			const struct lf__mseg *s, const struct lf__mlaunch *l,
			const struct lf__mtl_event *e,
			const struct lf__mmodel *mm)
{
	uint64_t dur = e->end_ns - e->start_ns;
	int counted = mm && l->ndesc > 0;
	for (uint32_t k = 0; counted && k < l->ndesc; k++)
		counted = mm->desc_mhz[l->desc0 + k] != 0;
	for (int j = 0; j < l->count; j++) {
		struct lf_layer_profile *r =
		    rec_of(c, first_rec, s->nodes[l->first + j]);
		r->modeled = counted;
		r->cu = e->cu;
		if (e->cu < 64)
			r->cu_mask |= 1ull << e->cu;
	}
	struct lf_layer_profile *r0 = rec_of(c, first_rec, s->nodes[l->first]);
	if (!counted) {
		attribute(r0, e->start_ns, dur);
		return;
	}
	uint64_t cum = 0, at = 0, kern = 0;
	/* The kernel's time ends the run (the launch overhead first): where
	 * the trace's layer slices start. */
	for (uint32_t k = 0; k < l->ndesc; k++)
		cum += mm->desc_cycles[l->desc0 + k];
	uint64_t kend =
	    (uint64_t)((double)cum * 1e3 /
			   (double)mm->desc_mhz[l->desc0 + l->ndesc - 1] +
		       0.5);
	uint64_t k0 = e->start_ns + (dur > kend ? dur - kend : 0);
	struct lf__pevent pe; /* the trace's slice of the current layer */
	int cur = -1;
	cum = 0;
	memset(&pe, 0, sizeof(pe));
	pe.track = 10 + (int)e->cu;
	pe.layer = 1;
	for (uint32_t k = 0; k < l->ndesc; k++) {
		uint32_t i = l->desc0 + k;
		cum += mm->desc_cycles[i];
		uint64_t to =
		    (uint64_t)((double)cum * 1e3 / (double)mm->desc_mhz[i] +
			       0.5);
		int node = c->p->desc_node[i];
		struct lf_layer_profile *r = rec_of(c, first_rec, node);
		r->device_cycles += mm->desc_cycles[i];
		kern = to;
		if (to < at)
			continue;
		uint64_t part = to - at > dur ? dur : to - at;
		attribute(r, e->start_ns + at, part);
		if (node != cur) {
			if (cur >= 0)
				lf__run_profile_event(c->prof, &pe);
			cur = node;
			pe.start_ns = k0 + at;
			pe.dur_ns = 0;
			snprintf(pe.name, sizeof(pe.name), "%s", r->name);
			snprintf(pe.op, sizeof(pe.op), "%s", r->op);
		}
		pe.dur_ns += part;
		at = to;
	}
	/* Each layer's own kernel time as a slice inside the launch's run
	 * on the CU's track (the trace's per-layer view). */
	if (cur >= 0)
		lf__run_profile_event(c->prof, &pe);
	attribute(r0, e->start_ns, dur > kern ? dur - kern : 0);
}

/* Give the segment's device events to its layers and the trace. */
static void device_events(struct runctx *c, int si, size_t first_rec,
			  const struct lf__mseg_stats *stats)
{
	const struct lf__mseg *s = &c->p->seg[si];
	const struct lf__graph *g = c->m->g;
	const struct lf__mmodel *mm = stats->model;
	struct lf__mtl_event ev[64];
	uint32_t n, read;
	int run = 0;
	c->prof->have_device = 1;
	do {
		read = lf__mdev_timeline(c->md, c->tl_lane, &c->cursor, ev, 64,
					 &n);
		for (uint32_t k = 0; k < n; k++) {
			const struct lf__mtl_event *e = &ev[k];
			struct lf__pevent pe;
			memset(&pe, 0, sizeof(pe));
			pe.start_ns = e->start_ns;
			pe.dur_ns = e->end_ns - e->start_ns;
			pe.bytes = e->bytes;
			if (e->kind != LF__MTL_RUN) {
				int up = e->kind == LF__MTL_H2D;
				int node = s->nodes[up ? 0 : s->nnodes - 1];
				struct lf_layer_profile *r =
				    rec_of(c, first_rec, node);
				attribute(r, e->start_ns, pe.dur_ns);
				c->prof->dma_ns[r - c->prof->rec] += pe.dur_ns;
				pe.track = up ? 1 : 2;
				snprintf(pe.name, sizeof(pe.name),
					 "%s segment %d (%llu B)",
					 up ? "upload" : "download", si,
					 (unsigned long long)e->bytes);
				snprintf(pe.op, sizeof(pe.op), "dma");
				lf__run_profile_event(c->prof, &pe);
				continue;
			}
			add_track(c->prof, c->md, e->cu);
			pe.track = 10 + (int)e->cu;
			/* A segment split across CUs (stats->split): lane
			 * j's run beside lane 0's, which carries the layers'
			 * times (each layer's slowest lane and barrier); its
			 * CU counts for the layers, its run as part j. */
			unsigned lane = 0;
			while (lane < stats->split && lane < 8 &&
			       stats->cu[lane] != e->cu)
				lane++;
			if (stats->split > 1 && lane > 0 &&
			    lane < stats->split) {
				for (int j = 0; j < s->nnodes && e->cu < 64;
				     j++)
					rec_of(c, first_rec, s->nodes[j])
					    ->cu_mask |= 1ull << e->cu;
				pe.part = (int)lane;
				snprintf(pe.name, sizeof(pe.name),
					 "segment %d, part %u", si, lane);
				snprintf(pe.op, sizeof(pe.op), "%s",
					 lf_kernel_name(LF_KERNEL_ENGINE));
				lf__run_profile_event(c->prof, &pe);
				continue;
			}
			if (run >= s->nlaunch) {
				snprintf(pe.name, sizeof(pe.name), "run");
				lf__run_profile_event(c->prof, &pe);
				continue;
			}
			const struct lf__mlaunch *l = &s->launch[run++];
			launch_time(c, first_rec, s, l, e, mm);
			size_t len = 0;
			for (int j = 0; j < l->count; j++) {
				int node = s->nodes[l->first + j];
				int w = snprintf(
				    pe.name + len, sizeof(pe.name) - len,
				    "%s%s", j ? "+" : "", g->nodes[node].name);
				if (w > 0 && len + (size_t)w < sizeof(pe.name))
					len += (size_t)w;
			}
			snprintf(pe.op, sizeof(pe.op), "%s",
				 lf_kernel_name(lf__mk_kernel(l->kernel)));
			lf__run_profile_event(c->prof, &pe);
		}
	} while (read == 64);
}

/*
 * Segment @si's records, ran on @where ("device" or "cpu"), with its
 * device failures @f, transfers @stats, host time t0..t1, and on the
 * device its timeline events (and loops, with the cycle model).
 */
void lf__run_seg_profile(struct runctx *c, int si, const char *where,
			 const struct segfail *f,
			 const struct lf__mseg_stats *stats, uint64_t t0,
			 uint64_t t1)
{
	const struct lf__mseg *s = &c->p->seg[si];
	size_t first = c->prof->n;
	for (int j = 0; j < s->nnodes; j++) {
		int node = s->nodes[j];
		/* The segment's wall time, undivided, on its first layer: the
		 * host cannot see how long each layer took on the device. */
		uint64_t host = j == 0 ? t1 - t0 : 0;
		struct lf_layer_profile *r =
		    lf__run_record(c, node, where, host, (unsigned)si);
		if (!r)
			return; /* the run is fine, its profile short */
		r->seg_failures = f->failures;
		r->fallback = where[0] == 'c';
		r->fail_status = f->st;
		/* Truncated to the field, always terminated (not snprintf:
		 * gcc -O1, as `make check` builds, rejects the truncation
		 * with -Wformat-truncation). */
		size_t wl = strnlen(f->why, sizeof(r->fail_reason) - 1);
		memcpy(r->fail_reason, f->why, wl);
		r->fail_reason[wl] = '\0';
		snprintf(r->layout, sizeof(r->layout), "%s",
			 !s->blk		   ? "nchw"
			 : c->p->node[node].folded ? "folded"
			 : c->p->node[node].placed ? "placed"
			 : c->p->node[node].fused  ? "fused"
						   : "blocked");
	}
	struct lf_layer_profile *r0 = &c->prof->rec[first];
	struct lf_layer_profile *rl = &c->prof->rec[c->prof->n - 1];
	r0->h2d_bytes = stats->h2d_bytes;
	r0->dma_transfers += stats->h2d_transfers;
	r0->d2d_bytes = stats->d2d_bytes;
	rl->d2h_bytes = stats->d2h_bytes;
	rl->dma_transfers += stats->d2h_transfers;
	for (int l = 0; l < s->nlaunch && where[0] == 'd'; l++)
		rec_of(c, first, s->nodes[s->launch[l].first])->launches +=
		    stats->split > 1 ? stats->split : 1;
	char name[96];
	snprintf(name, sizeof(name), "segment %d (%d layer%s)", si, s->nnodes,
		 s->nnodes == 1 ? "" : "s");
	lf__run_host_span(c, name, where, t0, t1);
	if (where[0] == 'd') {
		device_events(c, si, first, stats);
		if (stats->model)
			lf__run_profile_loops(c->prof, stats->model->loops,
					      stats->model->nloops);
	}
}
