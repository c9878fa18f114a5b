/*
 * xclbin_read.c - the xclbin reader: the axlf container and the binary
 * sections layerfab uses (MEM_TOPOLOGY, IP_LAYOUT, CONNECTIVITY, BITSTREAM,
 * USER_METADATA "layerfab_limits"). EMBEDDED_METADATA is parsed in
 * xclbin_xml.c, the limits text in xclbin_limits.c.
 *
 * Layouts are those of Debian's <xrt/xclbin.h> (XRT 2022.1, libxrt-dev);
 * field offsets come from offsetof() on those structs so the two cannot
 * drift. The image is untrusted and may be unaligned: every field is read
 * with explicit little-endian loads after a bounds check, and every sum of
 * offsets from the file is checked before it is used.
 *
 * What a file may contain that we accept: sections of kinds we do not use
 * (BUILD_METADATA, CLOCK_FREQ_TOPOLOGY, DEBUG_IP_LAYOUT, ... are skipped
 * after their bounds are checked), bytes no section covers (xclbinutil
 * appends its JSON "mirror data" after the last section, XRT
 * src/runtime_src/tools/xclbinutil/XclBinClass.cxx writeXclBinBinary), a
 * PKCS#7 signature counted in m_length (m_signature_length, XclBinSignature.
 * cxx), IP_LAYOUT entries that are not kernels, MEM_TOPOLOGY entries that
 * are unused or streams.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xrt/xclbin.h>

#include "base/lf_file.h"
#include "base/lf_text.h"
#include "driver/xclbin/xclbin_impl.h"

#define OFF_HDR(field) offsetof(struct axlf, m_header.field)
#define OFF_TABLE      offsetof(struct axlf, m_sections)
#define SEC_BYTES      sizeof(struct axlf_section_header)

/* Section kinds the reader takes at most one of. */
enum { K_XML, K_MEM, K_IP, K_CONN, K_BIT, K_LIMITS, K_COUNT };

struct rd {
	const uint8_t *img;
	uint64_t end; /* bytes sections may use: m_length minus signature */
	struct lf_xclbin *x;
	struct lf__xerr *e;
	uint32_t nsec;
	int64_t pick[K_COUNT]; /* section index, or -1 */
	uint32_t nips;	       /* IP_LAYOUT m_count (0 when absent) */
	int32_t *ip_cu;	       /* IP_LAYOUT index -> cus[] index, or -1 */
	uint32_t nmems_file;   /* MEM_TOPOLOGY m_count */
	struct lf__xclbin_xinsts insts;
};

struct span {
	uint64_t off, size;
	uint32_t idx;
};

lf_status lf__xclbin_fail(struct lf__xerr *e, lf_status st, const char *fmt,
			  ...)
{
	if (e && e->buf && e->len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
		lf__text_sanitize(e->buf, e->len);
	}
	return st;
}

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = {
	    "BITSTREAM",
	    "CLEARING_BITSTREAM",
	    "EMBEDDED_METADATA",
	    "FIRMWARE",
	    "DEBUG_DATA",
	    "SCHED_FIRMWARE",
	    "MEM_TOPOLOGY",
	    "CONNECTIVITY",
	    "IP_LAYOUT",
	    "DEBUG_IP_LAYOUT",
	    "DESIGN_CHECK_POINT",
	    "CLOCK_FREQ_TOPOLOGY",
	    "MCS",
	    "BMC",
	    "BUILD_METADATA",
	    "KEYVALUE_METADATA",
	    "USER_METADATA",
	    "DNA_CERTIFICATE",
	    "PDI",
	    "BITSTREAM_PARTIAL_PDI",
	    "PARTITION_METADATA",
	    "EMULATION_DATA",
	    "SYSTEM_METADATA",
	    "SOFT_KERNEL",
	    "ASK_FLASH",
	    "AIE_METADATA",
	    "ASK_GROUP_TOPOLOGY",
	    "ASK_GROUP_CONNECTIVITY",
	    "SMARTNIC",
	    "AIE_RESOURCES",
	    "OVERLAY",
	    "VENDER_METADATA",
	};
	return kind < sizeof(names) / sizeof(names[0]) ? names[kind]
						       : "unknown kind";
}

static uint64_t sec_field64(const struct rd *r, uint32_t i, size_t field)
{
	return lf__ld64(r->img + OFF_TABLE + (uint64_t)i * SEC_BYTES + field);
}

static uint32_t sec_kind(const struct rd *r, uint32_t i)
{
	return lf__ld32(r->img + OFF_TABLE + (uint64_t)i * SEC_BYTES +
			offsetof(struct axlf_section_header, m_sectionKind));
}

static uint64_t sec_off(const struct rd *r, uint32_t i)
{
	return sec_field64(
	    r, i, offsetof(struct axlf_section_header, m_sectionOffset));
}

static uint64_t sec_size(const struct rd *r, uint32_t i)
{
	return sec_field64(r, i,
			   offsetof(struct axlf_section_header, m_sectionSize));
}

static const char *sec_name(const struct rd *r, uint32_t i)
{
	return (const char *)r->img + OFF_TABLE + (uint64_t)i * SEC_BYTES +
	       offsetof(struct axlf_section_header, m_sectionName);
}

/* Magic, m_length, signature, section count: everything before the table. */
static lf_status check_header(struct rd *r, uint64_t size)
{
	static const char magic[8] = "xclbin2";
	if (size < 8)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "file is %llu bytes: too short for an "
				       "xclbin",
				       (unsigned long long)size);
	if (memcmp(r->img, magic, sizeof(magic)) != 0)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "not an xclbin: magic is not "
				       "\"xclbin2\"");
	if (size < OFF_TABLE)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "file is %llu bytes, shorter than the "
				       "%zu-byte axlf header",
				       (unsigned long long)size, OFF_TABLE);
	uint64_t len = lf__ld64(r->img + OFF_HDR(m_length));
	if (len != size)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "header m_length is %llu but the file "
				       "has %llu bytes",
				       (unsigned long long)len,
				       (unsigned long long)size);
	int32_t sig = (int32_t)lf__ld32(
	    r->img + offsetof(struct axlf, m_signature_length));
	r->end = size;
	if (sig < -1)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "m_signature_length %d is negative",
				       (int)sig);
	if (sig > 0) {
		/* The signature is the tail of the file, after the sections. */
		if ((uint64_t)sig > size - OFF_TABLE)
			return lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "m_signature_length %d is longer than the %llu "
			    "bytes after the header",
			    (int)sig, (unsigned long long)(size - OFF_TABLE));
		r->end = size - (uint64_t)sig;
	}
	r->nsec = lf__ld32(r->img + OFF_HDR(m_numSections));
	if (r->nsec > (r->end - OFF_TABLE) / SEC_BYTES)
		return lf__xclbin_fail(
		    r->e, LF_ERR_BAD_FILE,
		    "m_numSections %u needs a %llu-byte header, the file "
		    "has %llu bytes",
		    r->nsec,
		    (unsigned long long)(OFF_TABLE +
					 (uint64_t)r->nsec * SEC_BYTES),
		    (unsigned long long)r->end);
	return LF_OK;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Each section inside the file, after the table, and no two overlapping. */
static lf_status check_sections(struct rd *r)
{
	uint64_t table_end = OFF_TABLE + (uint64_t)r->nsec * SEC_BYTES;
	struct span *sp = calloc(r->nsec ? r->nsec : 1, sizeof(*sp));
	uint32_t n = 0;
	lf_status st = LF_OK;
	if (!sp)
		return lf__xclbin_fail(r->e, LF_ERR_NO_MEMORY,
				       "out of memory for %u sections",
				       r->nsec);
	for (uint32_t i = 0; i < r->nsec; i++) {
		uint64_t off = sec_off(r, i), size = sec_size(r, i);
		const char *kn = kind_name(sec_kind(r, i));
		if (off > r->end || size > r->end - off) {
			st = lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "section %u (%s): offset 0x%llx + size 0x%llx "
			    "is past the end of the data (%llu bytes)",
			    i, kn, (unsigned long long)off,
			    (unsigned long long)size,
			    (unsigned long long)r->end);
			goto out;
		}
		if (size == 0)
			continue;
		if (off < table_end) {
			st = lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "section %u (%s) at offset 0x%llx overlaps the "
			    "header, which ends at 0x%llx",
			    i, kn, (unsigned long long)off,
			    (unsigned long long)table_end);
			goto out;
		}
		sp[n++] = (struct span){off, size, i};
	}
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (uint32_t i = 1; i < n; i++) {
		if (sp[i - 1].off + sp[i - 1].size > sp[i].off) {
			st = lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "sections %u (%s, 0x%llx..0x%llx) and %u (%s, "
			    "0x%llx..0x%llx) overlap",
			    sp[i - 1].idx,
			    kind_name(sec_kind(r, sp[i - 1].idx)),
			    (unsigned long long)sp[i - 1].off,
			    (unsigned long long)(sp[i - 1].off +
						 sp[i - 1].size),
			    sp[i].idx, kind_name(sec_kind(r, sp[i].idx)),
			    (unsigned long long)sp[i].off,
			    (unsigned long long)(sp[i].off + sp[i].size));
			goto out;
		}
	}
out:
	free(sp);
	return st;
}

static lf_status pick_one(struct rd *r, int slot, uint32_t i)
{
	if (r->pick[slot] >= 0)
		return lf__xclbin_fail(
		    r->e, LF_ERR_BAD_FILE, "two %s sections (%lld and %u)",
		    slot == K_LIMITS ? "USER_METADATA \"" LF__XCLBIN_LIMITS_NAME
				       "\""
				     : kind_name(sec_kind(r, i)),
		    (long long)r->pick[slot], i);
	r->pick[slot] = i;
	return LF_OK;
}

/* Finds the sections we read; other kinds are left alone. */
static lf_status pick_sections(struct rd *r)
{
	for (int k = 0; k < K_COUNT; k++)
		r->pick[k] = -1;
	for (uint32_t i = 0; i < r->nsec; i++) {
		lf_status st = LF_OK;
		switch (sec_kind(r, i)) {
		case EMBEDDED_METADATA:
			st = pick_one(r, K_XML, i);
			break;
		case MEM_TOPOLOGY:
			st = pick_one(r, K_MEM, i);
			break;
		case IP_LAYOUT:
			st = pick_one(r, K_IP, i);
			break;
		case CONNECTIVITY:
			st = pick_one(r, K_CONN, i);
			break;
		case BITSTREAM:
			st = pick_one(r, K_BIT, i);
			break;
		case USER_METADATA:
			if (!memchr(sec_name(r, i), 0,
				    sizeof(((struct axlf_section_header *)0)
					       ->m_sectionName)))
				return lf__xclbin_fail(
				    r->e, LF_ERR_BAD_FILE,
				    "section %u (USER_METADATA): "
				    "m_sectionName is not NUL-terminated",
				    i);
			if (strcmp(sec_name(r, i), LF__XCLBIN_LIMITS_NAME) == 0)
				st = pick_one(r, K_LIMITS, i);
			break;
		default:
			break;
		}
		if (st)
			return st;
	}
	return LF_OK;
}

static lf_status read_identity(struct rd *r)
{
	const uint8_t *uuid = r->img + OFF_HDR(uuid);
	const char *vbnv = (const char *)r->img + OFF_HDR(m_platformVBNV);
	size_t vlen = sizeof(((struct axlf_header *)0)->m_platformVBNV);
	int nonzero = 0;
	for (int i = 0; i < 16; i++)
		nonzero |= uuid[i];
	if (!nonzero)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "header uuid is all zero");
	if (!memchr(vbnv, 0, vlen))
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "m_platformVBNV is not NUL-terminated "
				       "within its %zu bytes",
				       vlen);
	memcpy(r->x->uuid, uuid, 16);
	r->x->mode = lf__ld16(r->img + OFF_HDR(m_mode));
	snprintf(r->x->platform, sizeof(r->x->platform), "%s", vbnv);
	return LF_OK;
}

/*
 * A counted array section: int32 m_count, then m_count fixed-size entries
 * at entries_off. Returns the count after checking it fits the section.
 */
static lf_status counted(struct rd *r, int slot, const char *what,
			 size_t entries_off, size_t entry_size, uint32_t *n,
			 const uint8_t **base)
{
	uint32_t i = (uint32_t)r->pick[slot];
	uint64_t size = sec_size(r, i);
	const uint8_t *p = r->img + sec_off(r, i);
	if (size < 4)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "%s: section has %llu bytes, no room "
				       "for m_count",
				       what, (unsigned long long)size);
	int32_t count = (int32_t)lf__ld32(p);
	if (count < 0)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "%s: m_count %d is negative", what,
				       (int)count);
	uint64_t need = entries_off + (uint64_t)count * entry_size;
	if (count > 0 && need > size)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "%s: m_count %d needs %llu bytes, "
				       "section has %llu",
				       what, (int)count,
				       (unsigned long long)need,
				       (unsigned long long)size);
	*n = (uint32_t)count;
	*base = p + entries_off;
	return LF_OK;
}

static lf_status read_mem_topology(struct rd *r)
{
	const uint8_t *p;
	uint32_t n;
	lf_status st;
	if (r->pick[K_MEM] < 0)
		return LF_OK;
	st = counted(r, K_MEM, "MEM_TOPOLOGY",
		     offsetof(struct mem_topology, m_mem_data),
		     sizeof(struct mem_data), &n, &p);
	if (st)
		return st;
	if (n > LF_XCLBIN_MAX_MEMS)
		return lf__xclbin_fail(r->e, LF_ERR_UNSUPPORTED,
				       "MEM_TOPOLOGY: %u banks, layerfab "
				       "handles %d",
				       n, LF_XCLBIN_MAX_MEMS);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *m = p + (uint64_t)i * sizeof(struct mem_data);
		struct lf_xclbin_mem *out = &r->x->mems[i];
		const char *tag =
		    (const char *)m + offsetof(struct mem_data, m_tag);
		if (!memchr(tag, 0, sizeof(out->tag)))
			return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
					       "MEM_TOPOLOGY[%u]: m_tag is not "
					       "NUL-terminated within 16 bytes",
					       i);
		memcpy(out->tag, tag, sizeof(out->tag));
		out->type = m[offsetof(struct mem_data, m_type)];
		out->used = m[offsetof(struct mem_data, m_used)];
		if (out->type == MEM_STREAMING ||
		    out->type == MEM_STREAMING_CONNECTION)
			continue; /* the fields are route and flow ids */
		uint64_t kb = lf__ld64(m + offsetof(struct mem_data, m_size));
		uint64_t base =
		    lf__ld64(m + offsetof(struct mem_data, m_base_address));
		/* m_size is in KiB (<xrt/xclbin.h>: "if mem_type DDR, then
		 * size in KB"), our size in bytes. */
		if (kb > UINT64_MAX / 1024 || base > UINT64_MAX - kb * 1024)
			return lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "MEM_TOPOLOGY[%u] '%s': base 0x%llx + %llu KiB "
			    "overflows 64 bits",
			    i, out->tag, (unsigned long long)base,
			    (unsigned long long)kb);
		out->size = kb * 1024;
		out->base = base;
	}
	r->x->nmems = n;
	r->nmems_file = n;
	return LF_OK;
}

static lf_status add_cu(struct rd *r, uint32_t ip, const char *name,
			uint64_t base)
{
	struct lf_xclbin *x = r->x;
	char kname[LF_XCLBIN_NAME_MAX];
	const char *colon = strchr(name, ':');
	size_t klen = colon ? (size_t)(colon - name) : 0;
	if (!colon || klen == 0 || colon[1] == 0)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "IP_LAYOUT[%u]: kernel name '%s' is "
				       "not 'kernel:instance'",
				       ip, name);
	if (klen >= sizeof(kname))
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "IP_LAYOUT[%u]: kernel name in '%s' "
				       "is longer than %d bytes",
				       ip, name, LF_XCLBIN_NAME_MAX - 1);
	memcpy(kname, name, klen);
	kname[klen] = 0;
	int k = lf__xclbin_find_kernel(x, kname);
	if (k < 0)
		return LF_OK; /* XRT too ignores CUs the metadata lacks */
	if (lf__xclbin_find_cu(x, name) >= 0)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "IP_LAYOUT[%u]: compute unit '%s' "
				       "appears twice",
				       ip, name);
	if (x->ncus >= LF_XCLBIN_MAX_CUS)
		return lf__xclbin_fail(r->e, LF_ERR_UNSUPPORTED,
				       "IP_LAYOUT: more than %d compute units",
				       LF_XCLBIN_MAX_CUS);
	struct lf_xclbin_cu *cu = &x->cus[x->ncus];
	snprintf(cu->name, sizeof(cu->name), "%s", name);
	cu->kernel = (uint32_t)k;
	cu->base = base;
	r->ip_cu[ip] = (int32_t)x->ncus++;
	return LF_OK;
}

static lf_status read_ip_layout(struct rd *r)
{
	const uint8_t *p;
	uint32_t n;
	lf_status st;
	if (r->pick[K_IP] < 0)
		return LF_OK;
	st =
	    counted(r, K_IP, "IP_LAYOUT", offsetof(struct ip_layout, m_ip_data),
		    sizeof(struct ip_data), &n, &p);
	if (st)
		return st;
	r->ip_cu = malloc((n ? n : 1) * sizeof(*r->ip_cu));
	if (!r->ip_cu)
		return lf__xclbin_fail(r->e, LF_ERR_NO_MEMORY,
				       "out of memory for %u IPs", n);
	r->nips = n;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *ip = p + (uint64_t)i * sizeof(struct ip_data);
		const char *name =
		    (const char *)ip + offsetof(struct ip_data, m_name);
		r->ip_cu[i] = -1;
		if (lf__ld32(ip + offsetof(struct ip_data, m_type)) !=
		    IP_KERNEL)
			continue;
		if (!memchr(name, 0, sizeof(((struct ip_data *)0)->m_name)))
			return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
					       "IP_LAYOUT[%u]: m_name is not "
					       "NUL-terminated within 64 bytes",
					       i);
		st = add_cu(
		    r, i, name,
		    lf__ld64(ip + offsetof(struct ip_data, m_base_address)));
		if (st)
			return st;
	}
	return LF_OK;
}

/*
 * Without IP_LAYOUT the CUs come from the metadata's instances (what XRT
 * does in sw_emu, xclbin_parser.cpp get_cus). With both, sw_emu XRT takes
 * the metadata's address and xrt::kernel the IP_LAYOUT's, so in an sw_emu
 * file they must agree.
 */
static lf_status reconcile_cus(struct rd *r)
{
	struct lf_xclbin *x = r->x;
	for (uint32_t i = 0; i < r->insts.n; i++) {
		const struct lf__xclbin_xinst *in = &r->insts.v[i];
		char name[LF_XCLBIN_NAME_MAX * 2];
		if (!in->has_base)
			continue;
		snprintf(name, sizeof(name), "%s:%s",
			 x->kernels[in->kernel].name, in->name);
		int c = lf__xclbin_find_cu(x, name);
		if (r->pick[K_IP] < 0) {
			if (c >= 0)
				return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
						       "EMBEDDED_METADATA: "
						       "instance '%s' appears "
						       "twice",
						       name);
			if (x->ncus >= LF_XCLBIN_MAX_CUS)
				return lf__xclbin_fail(
				    r->e, LF_ERR_UNSUPPORTED,
				    "EMBEDDED_METADATA: more than %d "
				    "instances",
				    LF_XCLBIN_MAX_CUS);
			struct lf_xclbin_cu *cu = &x->cus[x->ncus++];
			snprintf(cu->name, sizeof(cu->name), "%s", name);
			cu->kernel = in->kernel;
			cu->base = in->base;
		} else if (x->mode == XCLBIN_SW_EMU && c >= 0 &&
			   x->cus[c].base != in->base) {
			return lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "CU '%s': EMBEDDED_METADATA addrRemap base "
			    "0x%llx, IP_LAYOUT m_base_address 0x%llx",
			    name, (unsigned long long)in->base,
			    (unsigned long long)x->cus[c].base);
		}
	}
	return LF_OK;
}

static lf_status read_connectivity(struct rd *r)
{
	const uint8_t *p;
	uint32_t n;
	lf_status st;
	struct lf_xclbin *x = r->x;
	if (r->pick[K_CONN] < 0)
		return LF_OK;
	st = counted(r, K_CONN, "CONNECTIVITY",
		     offsetof(struct connectivity, m_connection),
		     sizeof(struct connection), &n, &p);
	if (st)
		return st;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *c = p + (uint64_t)i * sizeof(struct connection);
		int32_t arg = (int32_t)lf__ld32(
		    c + offsetof(struct connection, arg_index));
		int32_t ip = (int32_t)lf__ld32(
		    c + offsetof(struct connection, m_ip_layout_index));
		int32_t mem = (int32_t)lf__ld32(
		    c + offsetof(struct connection, mem_data_index));
		if (arg < 0)
			return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
					       "CONNECTIVITY[%u]: arg_index %d "
					       "is negative",
					       i, (int)arg);
		if (ip < 0 || (uint32_t)ip >= r->nips)
			return lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "CONNECTIVITY[%u]: "
			    "m_ip_layout_index %d, IP_LAYOUT "
			    "has %u entries",
			    i, (int)ip, r->nips);
		if (mem < 0 || (uint32_t)mem >= r->nmems_file)
			return lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "CONNECTIVITY[%u]: mem_data_index "
			    "%d, MEM_TOPOLOGY has %u entries",
			    i, (int)mem, r->nmems_file);
		int32_t cu = r->ip_cu[ip];
		if (cu < 0)
			continue; /* not one of our compute units */
		uint32_t k = x->cus[cu].kernel;
		if (lf__xclbin_find_arg(x, k, (uint32_t)arg) < 0)
			return lf__xclbin_fail(
			    r->e, LF_ERR_BAD_FILE,
			    "CONNECTIVITY[%u]: arg_index %d, "
			    "kernel '%s' has no argument "
			    "with that id",
			    i, (int)arg, x->kernels[k].name);
		if (x->nconn >= LF_XCLBIN_MAX_CONN)
			return lf__xclbin_fail(r->e, LF_ERR_UNSUPPORTED,
					       "CONNECTIVITY: more than %d "
					       "connections",
					       LF_XCLBIN_MAX_CONN);
		x->conn[x->nconn++] = (struct lf_xclbin_conn){
		    (uint32_t)arg, (uint32_t)cu, (uint32_t)mem};
	}
	return LF_OK;
}

static lf_status read_all(struct rd *r, uint64_t size)
{
	lf_status st;
	if ((st = check_header(r, size)) || (st = check_sections(r)) ||
	    (st = pick_sections(r)) || (st = read_identity(r)))
		return st;
	if (r->pick[K_XML] < 0)
		return lf__xclbin_fail(r->e, LF_ERR_BAD_FILE,
				       "no EMBEDDED_METADATA section: the "
				       "kernels are not described");
	uint32_t xi = (uint32_t)r->pick[K_XML];
	st = lf__xclbin_parse_xml((const char *)r->img + sec_off(r, xi),
				  sec_size(r, xi), r->x, &r->insts, r->e);
	if (st || (st = read_mem_topology(r)) || (st = read_ip_layout(r)) ||
	    (st = reconcile_cus(r)) || (st = read_connectivity(r)))
		return st;
	if (r->pick[K_LIMITS] >= 0) {
		uint32_t li = (uint32_t)r->pick[K_LIMITS];
		st = lf__xclbin_parse_limits((const char *)r->img +
						 sec_off(r, li),
					     sec_size(r, li), r->x, r->e);
		if (st)
			return st;
	}
	if (r->pick[K_BIT] >= 0) {
		uint32_t bi = (uint32_t)r->pick[K_BIT];
		r->x->bitstream = r->img + sec_off(r, bi);
		r->x->bitstream_size = sec_size(r, bi);
	}
	return LF_OK;
}

lf_status lf__xclbin_parse(const void *data, size_t size,
			   struct lf_xclbin **out, char *err, size_t errlen)
{
	struct lf__xerr e = {err, errlen};
	struct rd r;
	lf_status st;
	if (err && errlen)
		err[0] = 0;
	if (!out || (!data && size))
		return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
				       "xclbin parse: NULL argument");
	memset(&r, 0, sizeof(r));
	r.e = &e;
	r.x = calloc(1, sizeof(*r.x));
	if (r.x && size)
		r.x->image = malloc(size);
	if (!r.x || (size && !r.x->image)) {
		st = lf__xclbin_fail(&e, LF_ERR_NO_MEMORY,
				     "out of memory for a %zu-byte xclbin",
				     size);
		goto fail;
	}
	if (size)
		memcpy(r.x->image, data, size);
	r.x->image_size = size;
	r.img = r.x->image;
	st = read_all(&r, size);
	if (st)
		goto fail;
	free(r.ip_cu);
	*out = r.x;
	return LF_OK;
fail:
	free(r.ip_cu);
	lf__xclbin_free(r.x);
	return st;
}

lf_status lf__xclbin_load(const char *path, struct lf_xclbin **out, char *err,
			  size_t errlen)
{
	struct lf__xerr e = {err, errlen};
	uint8_t *buf = NULL;
	size_t len = 0;
	lf_status st;
	if (!path || !out)
		return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
				       "xclbin load: NULL argument");
	/* Not blocking on a FIFO, no "size" of a directory, nothing over
	 * LF_XCLBIN_FILE_MAX read (base/lf_file.h). */
	st = lf__file_read(path, LF_XCLBIN_FILE_MAX, &buf, &len, err, errlen);
	if (st != LF_OK)
		return st;
	st = lf__xclbin_parse(buf, len, out, err, errlen);
	if (st && err && errlen) {
		/* Prefix the file name without losing the detail. */
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	free(buf);
	return st;
}

void lf__xclbin_free(struct lf_xclbin *x)
{
	if (!x)
		return;
	free(x->image);
	free(x);
}

int64_t lf__xclbin_limit(const struct lf_xclbin *x, const char *key,
			 int64_t dflt)
{
	for (uint32_t i = 0; x && key && i < x->nlimits; i++)
		if (strcmp(x->limits[i].key, key) == 0)
			return x->limits[i].value;
	return dflt;
}

int lf__xclbin_find_kernel(const struct lf_xclbin *x, const char *name)
{
	for (uint32_t i = 0; x && name && i < x->nkernels; i++)
		if (strcmp(x->kernels[i].name, name) == 0)
			return (int)i;
	return -1;
}

int lf__xclbin_find_cu(const struct lf_xclbin *x, const char *name)
{
	for (uint32_t i = 0; x && name && i < x->ncus; i++)
		if (strcmp(x->cus[i].name, name) == 0)
			return (int)i;
	return -1;
}

int lf__xclbin_find_arg(const struct lf_xclbin *x, uint32_t k, uint32_t id)
{
	if (!x || k >= x->nkernels)
		return -1;
	for (uint32_t i = 0; i < x->kernels[k].nargs; i++)
		if (x->kernels[k].args[i].id == id)
			return (int)i;
	return -1;
}

int lf__xclbin_arg_mem(const struct lf_xclbin *x, uint32_t cu, uint32_t arg)
{
	for (uint32_t i = 0; x && i < x->nconn; i++)
		if (x->conn[i].cu == cu && x->conn[i].arg == arg)
			return (int)x->conn[i].mem;
	return -1;
}
