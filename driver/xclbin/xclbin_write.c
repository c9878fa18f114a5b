/*
 * xclbin_write.c - the xclbin writer: the axlf container (lf__xclbin_pack)
 * and emulation xclbins for the kernel ABI of hls/lf_desc.h
 * (lf__xclbin_build).
 *
 * The container is laid out as xclbinutil lays it out (XRT src/runtime_src/
 * tools/xclbinutil/XclBinClass.cxx: initializeHeader, writeXclBinBinary-
 * Sections): magic "xclbin2", m_signature_length -1, reserved bytes and key
 * block 0xFF, the section headers right after the header, each section
 * 8-byte aligned with zero padding, m_length the file size. Unlike
 * xclbinutil we write no JSON mirror data and no wall-clock time: the UUID
 * and m_uniqueId are derived from the content, so a rebuild from the same
 * inputs gives the same bytes.
 *
 * The register map follows Vitis HLS for an ap_ctrl_hs kernel on an
 * s_axilite control port (AMD UG1399 "S_AXILITE Control Register Map" and
 * "Controlling Hardware"): 0x00 control, 0x04 global interrupt enable,
 * 0x08 IP interrupt enable, 0x0c IP interrupt status, arguments from 0x10.
 * A scalar of up to 32 bits takes a data word and a reserved word (8
 * bytes: "0x10 : Data signal of a ... 0x14 : reserved ... 0x18 : Data
 * signal of b"); a 64-bit pointer takes two data words and a reserved word
 * (12 bytes), as in the vadd example v++ produced in XRT's xclbinutil
 * unittests (in1 0x10, in2 0x1C, out_r 0x28, size 0x34). Our six arguments
 * land at 0x10, 0x1c, 0x24, 0x30, 0x38, 0x44.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xrt/xclbin.h>

#include "driver/xclbin/xclbin_impl.h"

#define OFF_HDR(field) offsetof(struct axlf, m_header.field)
#define OFF_TABLE      offsetof(struct axlf, m_sections)
#define SEC_BYTES      sizeof(struct axlf_section_header)

/* The kernel ABI of hls/lf_desc.h, in argument order. */
static const struct abi_arg {
	const char *name;
	uint32_t size; /* register bytes */
	int gmem;      /* m_axi bundle index, or -1 for a scalar */
	const char *type;
} abi[] = {
    {"desc", 8, 0, "lf_desc*"},
    {"ndesc", 4, -1, "unsigned int"},
    {"params", 8, 1, "const unsigned char*"},
    {"params_bytes", 4, -1, "unsigned int"},
    {"act", 8, 2, "unsigned char*"},
    {"act_bytes", 4, -1, "unsigned int"},
};
#define NABI  (uint32_t)(sizeof(abi) / sizeof(abi[0]))
#define NGMEM 3

uint32_t lf__xclbin_abi_offset(uint32_t id)
{
	uint32_t off = 0x10;
	if (id >= NABI)
		return 0;
	for (uint32_t i = 0; i < id; i++)
		off += abi[i].size > 4 ? 12 : 8;
	return off;
}

/* ---- a growing text buffer ----------------------------------------------- */

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int need;
	if (b->oom)
		return;
	va_start(ap, fmt);
	need = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0,
			 fmt, ap);
	va_end(ap);
	if (need < 0) {
		b->oom = 1;
		return;
	}
	if (!b->p || b->n + (size_t)need + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + (size_t)need + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
	}
	b->n += (size_t)need;
}

/* ---- the container ------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * A 128-bit content hash (two FNV-1a lanes, each finished with a 64-bit
 * mixer), shaped as an RFC 9562 version-8 ("custom") UUID. Not
 * cryptographic: it only has to tell different builds apart.
 */
static void derive_uuid(const uint8_t *p, size_t n, uint8_t uuid[16])
{
	uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
	for (size_t i = 0; i < n; i++) {
		a = (a ^ p[i]) * 0x100000001b3ull;
		b = (b ^ p[i] ^ (i & 0xff)) * 0x100000001b3ull;
	}
	a = mix64(a ^ n);
	b = mix64(b + 0x9e3779b97f4a7c15ull * n);
	for (int i = 0; i < 8; i++) {
		uuid[i] = (uint8_t)(a >> (56 - 8 * i));
		uuid[8 + i] = (uint8_t)(b >> (56 - 8 * i));
	}
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x80);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~7ull;
}

lf_status lf__xclbin_pack(const struct lf_xclbin_pack_info *info,
			  const struct lf_xclbin_section *sections,
			  uint32_t nsections, uint8_t **out, size_t *out_size,
			  char *err, size_t errlen)
{
	struct lf__xerr e = {err, errlen};
	size_t vlen_max = sizeof(((struct axlf_header *)0)->m_platformVBNV);
	size_t name_max =
	    sizeof(((struct axlf_section_header *)0)->m_sectionName);
	if (err && errlen)
		err[0] = 0;
	if (!info || !out || !out_size || (nsections && !sections))
		return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
				       "xclbin pack: NULL argument");
	if (info->vbnv && strlen(info->vbnv) >= vlen_max)
		return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
				       "platform name '%s' is longer than %zu "
				       "characters",
				       info->vbnv, vlen_max - 1);
	if (info->mode > UINT16_MAX)
		return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
				       "mode %u does not fit m_mode",
				       info->mode);
	uint64_t end = OFF_TABLE + (uint64_t)nsections * SEC_BYTES;
	for (uint32_t i = 0; i < nsections; i++) {
		const struct lf_xclbin_section *s = &sections[i];
		if (s->name && strlen(s->name) >= name_max)
			return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
					       "section name '%s' is longer "
					       "than %zu characters",
					       s->name, name_max - 1);
		if (s->size && !s->data)
			return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
					       "section %u has no data", i);
		end = align8(end);
		if (s->size > SIZE_MAX / 2 - end)
			return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
					       "sections add up to more than "
					       "the address space");
		end += s->size;
	}
	uint8_t *img = calloc(1, (size_t)end);
	if (!img)
		return lf__xclbin_fail(&e, LF_ERR_NO_MEMORY,
				       "out of memory for a %llu-byte xclbin",
				       (unsigned long long)end);
	memcpy(img, "xclbin2", 8);
	lf__st32(img + offsetof(struct axlf, m_signature_length), UINT32_MAX);
	memset(img + offsetof(struct axlf, reserved), 0xff,
	       sizeof(((struct axlf *)0)->reserved));
	memset(img + offsetof(struct axlf, m_keyBlock), 0xff,
	       sizeof(((struct axlf *)0)->m_keyBlock));
	lf__st64(img + OFF_HDR(m_length), end);
	lf__st64(img + OFF_HDR(m_timeStamp), info->timestamp);
	/* The XRT release whose <xrt/xclbin.h> we build against: 2.13.466. */
	lf__st16(img + OFF_HDR(m_versionPatch), 466);
	img[OFF_HDR(m_versionMajor)] = 2;
	img[OFF_HDR(m_versionMinor)] = 13;
	lf__st16(img + OFF_HDR(m_mode), (uint16_t)info->mode);
	if (info->vbnv)
		memcpy(img + OFF_HDR(m_platformVBNV), info->vbnv,
		       strlen(info->vbnv));
	lf__st32(img + OFF_HDR(m_numSections), nsections);
	uint64_t off = OFF_TABLE + (uint64_t)nsections * SEC_BYTES;
	for (uint32_t i = 0; i < nsections; i++) {
		const struct lf_xclbin_section *s = &sections[i];
		uint8_t *h = img + OFF_TABLE + (uint64_t)i * SEC_BYTES;
		off = align8(off);
		lf__st32(
		    h + offsetof(struct axlf_section_header, m_sectionKind),
		    s->kind);
		if (s->name)
			memcpy(h + offsetof(struct axlf_section_header,
					    m_sectionName),
			       s->name, strlen(s->name));
		lf__st64(
		    h + offsetof(struct axlf_section_header, m_sectionOffset),
		    off);
		lf__st64(
		    h + offsetof(struct axlf_section_header, m_sectionSize),
		    s->size);
		if (s->size)
			memcpy(img + off, s->data, (size_t)s->size);
		off += s->size;
	}
	uint8_t uuid[16];
	if (info->uuid)
		memcpy(uuid, info->uuid, 16);
	else
		derive_uuid(img, (size_t)end, uuid);
	memcpy(img + OFF_HDR(uuid), uuid, 16);
	/* XRT uses m_uniqueId to skip reloading the same file. */
	lf__st64(img + offsetof(struct axlf, m_uniqueId), lf__ld64(uuid));
	*out = img;
	*out_size = (size_t)end;
	return LF_OK;
}

/* ---- emulation xclbins ----------------------------------------------------
 */

static int is_ident(const char *s)
{
	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    *s == '_'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* Longest kernel name: "<k>_<n>" must fit an instance name. */
#define KNAME_MAX (LF_XCLBIN_NAME_MAX - 1 - 4)

static lf_status check_spec(const struct lf_xclbin_spec *s, uint32_t *ncus,
			    struct lf__xerr *e)
{
	uint32_t total = 0;
	if (!s->platform || !s->platform->nbanks)
		return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
				       "no platform profile");
	if (s->bank_size && (s->bank_size % 1024 || s->bank_size < 4096))
		return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
				       "bank size %llu is not a multiple of "
				       "1 KiB of at least 4 KiB",
				       (unsigned long long)s->bank_size);
	if (s->bank_size > UINT64_MAX / s->platform->nbanks)
		return lf__xclbin_fail(
		    e, LF_ERR_INVALID_ARG,
		    "bank size %llu times %u banks overflows "
		    "the 64-bit address space",
		    (unsigned long long)s->bank_size, s->platform->nbanks);
	if (!s->bitstream || !s->bitstream_size)
		return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
				       "no kernel shared object (BITSTREAM)");
	if (s->nkernels == 0 || s->nkernels > LF_XCLBIN_MAX_KERNELS)
		return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
				       "%u kernels; 1 to %d allowed",
				       s->nkernels, LF_XCLBIN_MAX_KERNELS);
	for (uint32_t k = 0; k < s->nkernels; k++) {
		const struct lf_xclbin_wkernel *w = &s->kernels[k];
		if (!memchr(w->name, 0, sizeof(w->name)) ||
		    !is_ident(w->name) || strlen(w->name) > KNAME_MAX)
			return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
					       "kernel %u: name must be a C "
					       "identifier of at most %d "
					       "characters",
					       k, KNAME_MAX);
		for (uint32_t j = 0; j < k; j++)
			if (strcmp(s->kernels[j].name, w->name) == 0)
				return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
						       "kernel '%s' listed "
						       "twice",
						       w->name);
		if (w->ncus == 0 || w->ncus > LF_XCLBIN_MAX_CUS - total)
			return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
					       "kernel '%s': %u CUs; 1 to %d "
					       "CUs in all",
					       w->name, w->ncus,
					       LF_XCLBIN_MAX_CUS);
		total += w->ncus;
	}
	*ncus = total;
	return LF_OK;
}

static void xml_kernel(struct sbuf *b, const struct lf_xclbin_wkernel *w,
		       uint32_t first_cu)
{
	sb_printf(b,
		  "        <kernel name=\"%s\" language=\"c\" "
		  "vlnv=\"layerfab:hls:%s:1.0\" "
		  "preferredWorkGroupSizeMultiple=\"0\" workGroupSize=\"1\" "
		  "interrupt=\"true\" hwControlProtocol=\"ap_ctrl_hs\">\n",
		  w->name, w->name);
	for (int g = 0; g < NGMEM; g++)
		sb_printf(
		    b,
		    "          <port name=\"M_AXI_GMEM%d\" mode=\"master\" "
		    "range=\"0xFFFFFFFFFFFFFFFF\" dataWidth=\"512\" "
		    "portType=\"addressable\" base=\"0x0\"/>\n",
		    g);
	sb_printf(b, "          <port name=\"S_AXI_CONTROL\" mode=\"slave\" "
		     "range=\"0x1000\" dataWidth=\"32\" "
		     "portType=\"addressable\" base=\"0x0\"/>\n");
	for (uint32_t i = 0; i < NABI; i++) {
		char port[32];
		if (abi[i].gmem >= 0)
			snprintf(port, sizeof(port), "M_AXI_GMEM%d",
				 abi[i].gmem);
		else
			snprintf(port, sizeof(port), "S_AXI_CONTROL");
		sb_printf(b,
			  "          <arg name=\"%s\" addressQualifier=\"%d\" "
			  "id=\"%u\" port=\"%s\" size=\"0x%X\" "
			  "offset=\"0x%X\" hostOffset=\"0x0\" "
			  "hostSize=\"0x%X\" type=\"%s\"/>\n",
			  abi[i].name, abi[i].gmem >= 0, i, port, abi[i].size,
			  lf__xclbin_abi_offset(i), abi[i].size, abi[i].type);
	}
	sb_printf(b, "          <compileWorkGroupSize x=\"1\" y=\"1\" "
		     "z=\"1\"/>\n"
		     "          <maxWorkGroupSize x=\"1\" y=\"1\" z=\"1\"/>\n"
		     "          <string_table/>\n");
	for (uint32_t c = 0; c < w->ncus; c++)
		sb_printf(b,
			  "          <instance name=\"%s_%u\">\n"
			  "            <addrRemap base=\"0x%08llX\" "
			  "range=\"0x%llX\" port=\"S_AXI_CONTROL\"/>\n"
			  "          </instance>\n",
			  w->name, c + 1,
			  LF__XCLBIN_CU_BASE +
			      (first_cu + c) * LF__XCLBIN_CU_RANGE,
			  LF__XCLBIN_CU_RANGE);
	sb_printf(b, "        </kernel>\n");
}

/* EMBEDDED_METADATA in the shape v++ writes (see xclbin_xml.c). */
static void xml_build(struct sbuf *b, const struct lf_xclbin_spec *s,
		      uint32_t ncus, int64_t clock_mhz)
{
	uint32_t first = 0;
	sb_printf(b,
		  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<project name=\"layerfab\">\n"
		  "  <platform vendor=\"xilinx\" boardid=\"%s\" name=\"%s\" "
		  "featureRomTime=\"0\">\n"
		  "    <version major=\"1\" minor=\"0\"/>\n"
		  "    <description/>\n"
		  "    <board name=\"\" vendor=\"\" fpga=\"\">\n"
		  "      <interfaces/>\n"
		  "      <images/>\n"
		  "      <id>\n"
		  "        <vendor/>\n"
		  "        <device/>\n"
		  "        <subsystem/>\n"
		  "      </id>\n"
		  "    </board>\n"
		  "    <build_flow/>\n"
		  "    <host architecture=\"x86_64\"/>\n"
		  "    <device name=\"fpga0\" fpgaDevice=\"emulation\" "
		  "addrWidth=\"64\">\n"
		  "      <core name=\"OCL_REGION_0\" target=\"csim\" "
		  "type=\"clc_region\" clockFreq=\"0MHz\" "
		  "numComputeUnits=\"%u\">\n",
		  s->platform->name, s->platform->vbnv, ncus);
	/* XRT reads the kernel clock from KERNEL_CLK (get_kernel_freq). */
	if (clock_mhz > 0 && clock_mhz < 100000)
		sb_printf(b,
			  "        <kernelClocks>\n"
			  "          <clock port=\"KERNEL_CLK\" "
			  "frequency=\"%lld.000000MHz\"/>\n"
			  "          <clock port=\"DATA_CLK\" "
			  "frequency=\"%lld.000000MHz\"/>\n"
			  "        </kernelClocks>\n",
			  (long long)clock_mhz, (long long)clock_mhz);
	for (uint32_t k = 0; k < s->nkernels; k++) {
		xml_kernel(b, &s->kernels[k], first);
		first += s->kernels[k].ncus;
	}
	sb_printf(b, "      </core>\n"
		     "    </device>\n"
		     "  </platform>\n"
		     "</project>\n");
}

static uint8_t *ip_layout_build(const struct lf_xclbin_spec *s, uint32_t ncus,
				size_t *size)
{
	size_t n = offsetof(struct ip_layout, m_ip_data) +
		   (size_t)ncus * sizeof(struct ip_data);
	uint8_t *p = calloc(1, n);
	uint32_t g = 0;
	if (!p)
		return NULL;
	lf__st32(p, ncus);
	for (uint32_t k = 0; k < s->nkernels; k++) {
		for (uint32_t c = 0; c < s->kernels[k].ncus; c++, g++) {
			uint8_t *ip = p +
				      offsetof(struct ip_layout, m_ip_data) +
				      (size_t)g * sizeof(struct ip_data);
			/* ap_ctrl_hs, interrupt enabled, interrupt id = CU */
			uint32_t props = (AP_CTRL_HS << IP_CONTROL_SHIFT) |
					 IP_INT_ENABLE_MASK |
					 ((g << IP_INTERRUPT_ID_SHIFT) &
					  IP_INTERRUPT_ID_MASK);
			lf__st32(ip + offsetof(struct ip_data, m_type),
				 IP_KERNEL);
			lf__st32(ip + offsetof(struct ip_data, properties),
				 props);
			lf__st64(ip + offsetof(struct ip_data, m_base_address),
				 LF__XCLBIN_CU_BASE + g * LF__XCLBIN_CU_RANGE);
			snprintf((char *)ip + offsetof(struct ip_data, m_name),
				 sizeof(((struct ip_data *)0)->m_name),
				 "%s:%s_%u", s->kernels[k].name,
				 s->kernels[k].name, c + 1);
		}
	}
	*size = n;
	return p;
}

/* Banks laid out back to back from 0, as XRT's sw_emu shim lays them. */
static uint8_t *mem_topology_build(const struct lf_xclbin_spec *s, size_t *size)
{
	const struct lf_xclbin_platform *pf = s->platform;
	size_t n = offsetof(struct mem_topology, m_mem_data) +
		   (size_t)pf->nbanks * sizeof(struct mem_data);
	uint8_t *p = calloc(1, n);
	uint64_t base = 0;
	if (!p)
		return NULL;
	lf__st32(p, pf->nbanks);
	for (uint32_t i = 0; i < pf->nbanks; i++) {
		uint8_t *m = p + offsetof(struct mem_topology, m_mem_data) +
			     (size_t)i * sizeof(struct mem_data);
		uint64_t bytes =
		    s->bank_size ? s->bank_size : pf->banks[i].size;
		m[offsetof(struct mem_data, m_type)] =
		    (uint8_t)pf->banks[i].type;
		m[offsetof(struct mem_data, m_used)] = 1;
		lf__st64(m + offsetof(struct mem_data, m_size), bytes / 1024);
		lf__st64(m + offsetof(struct mem_data, m_base_address), base);
		snprintf((char *)m + offsetof(struct mem_data, m_tag),
			 sizeof(((struct mem_data *)0)->m_tag), "%s",
			 pf->banks[i].tag);
		base += bytes;
	}
	*size = n;
	return p;
}

/*
 * Which bank gmem port `port` of the lane-th CU of a kernel uses when the
 * spec has no sp entries: the three ports of a CU go to consecutive banks,
 * and each further CU starts three banks on, over the banks of the
 * profile's first memory type (HBM on the U280). The i-th CU of every
 * kernel is wired the same way, so a chain of layers handed from one
 * kernel to another on the same lane finds its activations in a bank both
 * CUs reach.
 */
static uint32_t conn_bank(const struct lf_xclbin_platform *pf, uint32_t lane,
			  uint32_t port)
{
	uint32_t n = 1;
	while (n < pf->nbanks && pf->banks[n].type == pf->banks[0].type)
		n++;
	return (lane * NGMEM + port) % n;
}

/* The banks of one CU port, as a bit set over the platform's banks. */
struct port_banks {
	uint64_t m[(LF_XCLBIN_MAX_MEMS + 63) / 64];
};

static int pb_empty(const struct port_banks *b)
{
	for (size_t i = 0; i < sizeof(b->m) / sizeof(b->m[0]); i++)
		if (b->m[i])
			return 0;
	return 1;
}

static int pb_has(const struct port_banks *b, uint32_t i)
{
	return (b->m[i / 64] >> (i % 64)) & 1;
}

/* Decimal digits s[0..n) into *v (at most 9 digits); 0 on success. */
static int parse_dec(const char *s, size_t n, uint32_t *v)
{
	*v = 0;
	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (uint32_t)(s[i] - '0');
	}
	return 0;
}

/* "DDR[3]" or "HBM[8:15]": the platform's banks of those tags into *b. */
static lf_status sp_banks(const struct lf_xclbin_platform *pf, const char *text,
			  struct port_banks *b, struct lf__xerr *e)
{
	const char *lb = strchr(text, '['), *rb = strchr(text, ']');
	const char *colon = lb ? strchr(lb, ':') : NULL;
	uint32_t lo, hi;
	if (!lb || !rb || rb < lb || rb[1] || lb == text ||
	    (colon && colon > rb))
		goto bad;
	if (parse_dec(lb + 1, (size_t)((colon ? colon : rb) - lb - 1), &lo))
		goto bad;
	hi = lo;
	if (colon && parse_dec(colon + 1, (size_t)(rb - colon - 1), &hi))
		goto bad;
	if (hi < lo || hi - lo >= LF_XCLBIN_MAX_MEMS)
		goto bad;
	memset(b, 0, sizeof(*b));
	for (uint32_t v = lo; v <= hi; v++) {
		char tag[LF_XCLBIN_NAME_MAX];
		uint32_t i;
		snprintf(tag, sizeof(tag), "%.*s[%u]", (int)(lb - text), text,
			 v);
		for (i = 0; i < pf->nbanks; i++)
			if (strcmp(pf->banks[i].tag, tag) == 0)
				break;
		if (i == pf->nbanks || i >= LF_XCLBIN_MAX_MEMS)
			return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
					       "sp bank %s: platform '%s' has "
					       "no bank %s",
					       text, pf->name, tag);
		b->m[i / 64] |= 1ull << (i % 64);
	}
	return LF_OK;
bad:
	return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
			       "sp bank '%s' is not TAG[N] or TAG[N:M]", text);
}

/*
 * The banks of every CU port: pb[g * NGMEM + port] for the g-th CU of the
 * build. From the sp entries when there are any (each port exactly once),
 * else conn_bank().
 */
static lf_status port_banks_of(const struct lf_xclbin_spec *s, uint32_t ncus,
			       struct port_banks *pb, struct lf__xerr *e)
{
	uint32_t g = 0;
	memset(pb, 0, (size_t)ncus * NGMEM * sizeof(*pb));
	if (s->platform->nbanks > LF_XCLBIN_MAX_MEMS)
		return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
				       "platform '%s': %u banks; at most %d",
				       s->platform->name, s->platform->nbanks,
				       LF_XCLBIN_MAX_MEMS);
	if (!s->nsp) {
		for (uint32_t k = 0; k < s->nkernels; k++)
			for (uint32_t c = 0; c < s->kernels[k].ncus; c++, g++)
				for (uint32_t p = 0; p < NGMEM; p++) {
					uint32_t b =
					    conn_bank(s->platform, c, p);
					pb[g * NGMEM + p].m[b / 64] |=
					    1ull << (b % 64);
				}
		return LF_OK;
	}
	if (s->nsp > LF_XCLBIN_MAX_SP)
		return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
				       "%u sp entries; at most %d", s->nsp,
				       LF_XCLBIN_MAX_SP);
	for (uint32_t i = 0; i < s->nsp; i++) {
		const struct lf_xclbin_wsp *w = &s->sp[i];
		uint32_t first = 0, cu = 0, found = 0, port = 0;
		lf_status st;
		for (uint32_t k = 0; k < s->nkernels && !found; k++) {
			size_t n = strlen(s->kernels[k].name);
			if (strncmp(w->cu, s->kernels[k].name, n) == 0 &&
			    w->cu[n] == '_' &&
			    parse_dec(w->cu + n + 1, strlen(w->cu + n + 1),
				      &cu) == 0 &&
			    cu >= 1 && cu <= s->kernels[k].ncus &&
			    w->cu[n + 1] != '0') {
				found = 1;
				cu = first + cu - 1;
			}
			first += s->kernels[k].ncus;
		}
		if (!found)
			return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
					       "sp %s.%s: no CU '%s' (CUs are "
					       "<kernel>_1 .. <kernel>_<n>)",
					       w->cu, w->arg, w->cu);
		found = 0;
		for (uint32_t a = 0; a < NABI && !found; a++)
			if (abi[a].gmem >= 0 &&
			    strcmp(abi[a].name, w->arg) == 0) {
				found = 1;
				port = (uint32_t)abi[a].gmem;
			}
		if (!found)
			return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
					       "sp %s.%s: no pointer argument "
					       "'%s' (desc, params, act)",
					       w->cu, w->arg, w->arg);
		struct port_banks *b = &pb[cu * NGMEM + port];
		if (!pb_empty(b))
			return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
					       "sp %s.%s given twice", w->cu,
					       w->arg);
		if ((st = sp_banks(s->platform, w->bank, b, e)))
			return st;
	}
	uint32_t nconn = 0;
	for (g = 0; g < ncus * NGMEM; g++)
		for (uint32_t m = 0; m < s->platform->nbanks; m++)
			nconn += (uint32_t)pb_has(&pb[g], m);
	if (nconn > LF_XCLBIN_MAX_CONN)
		return lf__xclbin_fail(e, LF_ERR_INVALID_ARG,
				       "%u connections; a reader takes at "
				       "most %d",
				       nconn, LF_XCLBIN_MAX_CONN);
	g = 0;
	for (uint32_t k = 0; k < s->nkernels; k++)
		for (uint32_t c = 0; c < s->kernels[k].ncus; c++, g++)
			for (uint32_t a = 0; a < NABI; a++)
				if (abi[a].gmem >= 0 &&
				    pb_empty(
					&pb[g * NGMEM + (uint32_t)abi[a].gmem]))
					return lf__xclbin_fail(
					    e, LF_ERR_INVALID_ARG,
					    "no sp entry for %s_%u.%s (with "
					    "sp entries, every pointer "
					    "argument needs one)",
					    s->kernels[k].name, c + 1,
					    abi[a].name);
	return LF_OK;
}

static uint8_t *connectivity_build(const struct lf_xclbin_spec *s,
				   uint32_t ncus, const struct port_banks *pb,
				   size_t *size)
{
	uint32_t nconn = 0, i = 0;
	for (uint32_t g = 0; g < ncus * NGMEM; g++)
		for (uint32_t m = 0; m < s->platform->nbanks; m++)
			nconn += (uint32_t)pb_has(&pb[g], m);
	size_t n = offsetof(struct connectivity, m_connection) +
		   (size_t)nconn * sizeof(struct connection);
	uint8_t *p = calloc(1, n);
	if (!p)
		return NULL;
	lf__st32(p, nconn);
	for (uint32_t g = 0; g < ncus; g++) {
		for (uint32_t a = 0; a < NABI; a++) {
			if (abi[a].gmem < 0)
				continue;
			const struct port_banks *b =
			    &pb[g * NGMEM + (uint32_t)abi[a].gmem];
			for (uint32_t m = 0; m < s->platform->nbanks; m++) {
				if (!pb_has(b, m))
					continue;
				uint8_t *e =
				    p +
				    offsetof(struct connectivity,
					     m_connection) +
				    (size_t)i++ * sizeof(struct connection);
				lf__st32(
				    e + offsetof(struct connection, arg_index),
				    a);
				lf__st32(e + offsetof(struct connection,
						      m_ip_layout_index),
					 g);
				lf__st32(e + offsetof(struct connection,
						      mem_data_index),
					 m);
			}
		}
	}
	*size = n;
	return p;
}

/* Parses the limits as the reader will; *clock_mhz from "clock_mhz". */
static lf_status check_limits(const struct lf_xclbin_spec *s,
			      int64_t *clock_mhz, struct lf__xerr *e)
{
	struct lf_xclbin *scratch;
	lf_status st;
	*clock_mhz = 0;
	if (!s->limits || !s->limits_size)
		return LF_OK;
	scratch = calloc(1, sizeof(*scratch));
	if (!scratch)
		return lf__xclbin_fail(e, LF_ERR_NO_MEMORY,
				       "out of memory checking the limits");
	st = lf__xclbin_parse_limits(s->limits, s->limits_size, scratch, e);
	if (!st)
		*clock_mhz = lf__xclbin_limit(scratch, "clock_mhz", 0);
	free(scratch);
	return st == LF_ERR_BAD_FILE ? LF_ERR_INVALID_ARG : st;
}

lf_status lf__xclbin_build(const struct lf_xclbin_spec *spec, uint8_t **out,
			   size_t *out_size, char *err, size_t errlen)
{
	struct lf__xerr e = {err, errlen};
	struct sbuf xml = {0};
	uint8_t *ip = NULL, *mem = NULL, *conn = NULL;
	struct port_banks *pb = NULL;
	size_t ip_n = 0, mem_n = 0, conn_n = 0;
	uint32_t ncus = 0;
	int64_t clock_mhz;
	lf_status st;
	if (err && errlen)
		err[0] = 0;
	if (!spec || !out || !out_size)
		return lf__xclbin_fail(&e, LF_ERR_INVALID_ARG,
				       "xclbin build: NULL argument");
	if ((st = check_spec(spec, &ncus, &e)) ||
	    (st = check_limits(spec, &clock_mhz, &e)))
		return st;
	pb = calloc((size_t)ncus * NGMEM, sizeof(*pb));
	if (!pb)
		return lf__xclbin_fail(&e, LF_ERR_NO_MEMORY,
				       "out of memory building the sections");
	if ((st = port_banks_of(spec, ncus, pb, &e)))
		goto out;
	xml_build(&xml, spec, ncus, clock_mhz);
	ip = ip_layout_build(spec, ncus, &ip_n);
	mem = mem_topology_build(spec, &mem_n);
	conn = connectivity_build(spec, ncus, pb, &conn_n);
	if (xml.oom || !ip || !mem || !conn) {
		st = lf__xclbin_fail(&e, LF_ERR_NO_MEMORY,
				     "out of memory building the sections");
		goto out;
	}
	struct lf_xclbin_section secs[6] = {
	    {EMBEDDED_METADATA, "", xml.p, xml.n},
	    {MEM_TOPOLOGY, "", mem, mem_n},
	    {IP_LAYOUT, "", ip, ip_n},
	    {CONNECTIVITY, "", conn, conn_n},
	};
	uint32_t nsec = 4;
	if (spec->limits && spec->limits_size)
		secs[nsec++] = (struct lf_xclbin_section){
		    USER_METADATA, LF__XCLBIN_LIMITS_NAME, spec->limits,
		    spec->limits_size};
	secs[nsec++] = (struct lf_xclbin_section){
	    BITSTREAM, "", spec->bitstream, spec->bitstream_size};
	const struct lf_xclbin_pack_info info = {
	    .mode = XCLBIN_SW_EMU,
	    .vbnv = spec->platform->vbnv,
	    .uuid = NULL,
	    .timestamp = spec->timestamp,
	};
	st = lf__xclbin_pack(&info, secs, nsec, out, out_size, err, errlen);
out:
	free(pb);
	free(xml.p);
	free(ip);
	free(mem);
	free(conn);
	return st;
}
