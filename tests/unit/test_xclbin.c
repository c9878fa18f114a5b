/*
 * test_xclbin.c - the xclbin reader and writer.
 *
 * Files are made two ways: by the writer (lf__xclbin_build), and by hand
 * from sections this file lays out itself with the <xrt/xclbin.h> structs,
 * so the reader is not only checked against its own writer. Malformed files
 * are good ones with one field broken; each must give LF_ERR_BAD_FILE with
 * a message naming the field, and leave *out untouched. Data files live in
 * tests/data/xclbin/ (run from the source root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xrt/xclbin.h>

#include "driver/xclbin/xclbin.h"
#include "lf_test.h"

#define OFF_HDR(field) offsetof(struct axlf, m_header.field)
#define OFF_TABLE      offsetof(struct axlf, m_sections)
#define SEC_BYTES      sizeof(struct axlf_section_header)
#define SEC_OFF(i)     (OFF_TABLE + (i)*SEC_BYTES)

static void st32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void st64(uint8_t *p, uint64_t v)
{
	st32(p, (uint32_t)v);
	st32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t ld64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static struct lf_xclbin *const SENTINEL = (struct lf_xclbin *)0x1;

/* Parses and expects LF_ERR_BAD_FILE with `what` in the message. */
static void expect_bad(const uint8_t *img, size_t n, const char *what)
{
	struct lf_xclbin *x = SENTINEL;
	char err[256] = "";
	lf_status st = lf__xclbin_parse(img, n, &x, err, sizeof(err));
	CU_ASSERT_EQUAL(st, LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_EQUAL(x, SENTINEL);
	if (!strstr(err, what)) {
		fprintf(stderr, "\n  expected \"%s\" in \"%s\"\n", what, err);
		CU_FAIL("error message does not name the problem");
	}
	if (st == LF_OK)
		lf__xclbin_free(x);
}

static struct lf_xclbin *parse_ok(const uint8_t *img, size_t n)
{
	struct lf_xclbin *x = NULL;
	char err[256] = "";
	lf_status st = lf__xclbin_parse(img, n, &x, err, sizeof(err));
	if (st)
		fprintf(stderr, "\n  parse failed: %s\n", err);
	CU_ASSERT_EQUAL(st, LF_OK);
	return st ? NULL : x;
}

/* ---- files built by the writer ------------------------------------------ */

static const char LIMITS[] = "# test limits\n"
			     "clock_mhz=250\n"
			     "lfk_conv2d.pe_oc = 16\n"
			     "lfk_matmul.kmax=-4096\r\n"
			     "\n"
			     "big=0x7fffffffffffffff\n";
static const uint8_t SO[] = "\x7f"
			    "ELF pretend kernels";

static void spec_init(struct lf_xclbin_spec *s, const char *platform)
{
	memset(s, 0, sizeof(*s));
	s->platform = lf__xclbin_platform_find(platform);
	s->bitstream = SO;
	s->bitstream_size = sizeof(SO);
	s->limits = LIMITS;
	s->limits_size = strlen(LIMITS);
	s->nkernels = 2;
	snprintf(s->kernels[0].name, LF_XCLBIN_NAME_MAX, "lfk_conv2d");
	s->kernels[0].ncus = 2;
	snprintf(s->kernels[1].name, LF_XCLBIN_NAME_MAX, "lfk_matmul");
	s->kernels[1].ncus = 1;
}

static uint8_t *build(const struct lf_xclbin_spec *s, size_t *n)
{
	uint8_t *img = NULL;
	char err[256] = "";
	lf_status st = lf__xclbin_build(s, &img, n, err, sizeof(err));
	if (st)
		fprintf(stderr, "\n  build failed: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	return img;
}

static void test_abi_offsets(void)
{
	/* HLS ap_ctrl_hs: args from 0x10; a 64-bit pointer takes 12 bytes,
	 * a 32-bit scalar 8: 0x10, 0x1c, 0x24, 0x30, 0x38, 0x44. */
	static const uint32_t want[] = {0x10, 0x1c, 0x24, 0x30, 0x38, 0x44};
	for (uint32_t i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(lf__xclbin_abi_offset(i), want[i]);
	CU_ASSERT_EQUAL(lf__xclbin_abi_offset(6), 0);
}

static void test_round_trip(void)
{
	struct lf_xclbin_spec s;
	size_t n;
	spec_init(&s, "tiny");
	uint8_t *img = build(&s, &n);
	struct lf_xclbin *x = parse_ok(img, n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->mode, XCLBIN_SW_EMU);
	CU_ASSERT_STRING_EQUAL(x->platform, "layerfab_tiny_emu_1");
	CU_ASSERT_EQUAL(x->uuid[6] >> 4, 8);	  /* version 8 */
	CU_ASSERT_EQUAL(x->uuid[8] & 0xc0, 0x80); /* RFC variant */
	CU_ASSERT_EQUAL(x->image_size, n);
	/* kernels and the lf_desc.h ABI */
	CU_ASSERT_EQUAL_FATAL(x->nkernels, 2);
	static const char *const names[] = {
	    "desc", "ndesc", "params", "params_bytes", "act", "act_bytes"};
	static const char *const ports[] = {"M_AXI_GMEM0", "S_AXI_CONTROL",
					    "M_AXI_GMEM1", "S_AXI_CONTROL",
					    "M_AXI_GMEM2", "S_AXI_CONTROL"};
	static const uint32_t offs[] = {0x10, 0x1c, 0x24, 0x30, 0x38, 0x44};
	for (uint32_t k = 0; k < 2; k++) {
		const struct lf_xclbin_kernel *kn = &x->kernels[k];
		CU_ASSERT_STRING_EQUAL(kn->name,
				       k ? "lfk_matmul" : "lfk_conv2d");
		CU_ASSERT_EQUAL_FATAL(kn->nargs, 6);
		for (uint32_t a = 0; a < 6; a++) {
			CU_ASSERT_STRING_EQUAL(kn->args[a].name, names[a]);
			CU_ASSERT_EQUAL(kn->args[a].id, a);
			CU_ASSERT_EQUAL(kn->args[a].offset, offs[a]);
			CU_ASSERT_EQUAL(kn->args[a].size, a % 2 ? 4 : 8);
			CU_ASSERT_EQUAL(kn->args[a].is_global, a % 2 == 0);
			CU_ASSERT_EQUAL(kn->args[a].addr_qualifier, a % 2 == 0);
			CU_ASSERT_STRING_EQUAL(kn->args[a].port, ports[a]);
		}
	}
	/* CUs: 0x1800000 + 0x10000 per CU, in kernel order */
	CU_ASSERT_EQUAL_FATAL(x->ncus, 3);
	CU_ASSERT_STRING_EQUAL(x->cus[0].name, "lfk_conv2d:lfk_conv2d_1");
	CU_ASSERT_STRING_EQUAL(x->cus[1].name, "lfk_conv2d:lfk_conv2d_2");
	CU_ASSERT_STRING_EQUAL(x->cus[2].name, "lfk_matmul:lfk_matmul_1");
	CU_ASSERT_EQUAL(x->cus[0].base, 0x1800000);
	CU_ASSERT_EQUAL(x->cus[1].base, 0x1810000);
	CU_ASSERT_EQUAL(x->cus[2].base, 0x1820000);
	CU_ASSERT_EQUAL(x->cus[2].kernel, 1);
	CU_ASSERT_EQUAL(lf__xclbin_find_cu(x, "lfk_matmul:lfk_matmul_1"), 2);
	CU_ASSERT_EQUAL(lf__xclbin_find_kernel(x, "lfk_matmul"), 1);
	CU_ASSERT_EQUAL(lf__xclbin_find_kernel(x, "nope"), -1);
	/* tiny: two 64 MiB DDR banks back to back from 0 */
	CU_ASSERT_EQUAL_FATAL(x->nmems, 2);
	CU_ASSERT_STRING_EQUAL(x->mems[0].tag, "DDR[0]");
	CU_ASSERT_STRING_EQUAL(x->mems[1].tag, "DDR[1]");
	CU_ASSERT_EQUAL(x->mems[0].type, MEM_DDR4);
	CU_ASSERT_EQUAL(x->mems[1].size, 64ull << 20);
	CU_ASSERT_EQUAL(x->mems[1].base, 64ull << 20);
	CU_ASSERT_EQUAL(x->mems[0].used, 1);
	/* Connectivity: bank = (lane * 3 + gmem) % 2, lane = CU index within
	 * its kernel. conv2d_1: desc 0, params 1, act 0; conv2d_2 (lane 1):
	 * 1, 0, 1; matmul_1 (lane 0) like conv2d_1. */
	CU_ASSERT_EQUAL(x->nconn, 9);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 0, 0), 0);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 0, 2), 1);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 0, 4), 0);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 1, 0), 1);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 1, 2), 0);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 1, 4), 1);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 2, 4), 0);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 0, 1), -1); /* a scalar */
	/* limits */
	CU_ASSERT_EQUAL(x->nlimits, 4);
	CU_ASSERT_EQUAL(lf__xclbin_limit(x, "clock_mhz", 0), 250);
	CU_ASSERT_EQUAL(lf__xclbin_limit(x, "lfk_conv2d.pe_oc", 0), 16);
	CU_ASSERT_EQUAL(lf__xclbin_limit(x, "lfk_matmul.kmax", 0), -4096);
	CU_ASSERT_EQUAL(lf__xclbin_limit(x, "big", 0), INT64_MAX);
	CU_ASSERT_EQUAL(lf__xclbin_limit(x, "absent", -7), -7);
	/* bitstream, verbatim */
	CU_ASSERT_EQUAL_FATAL(x->bitstream_size, sizeof(SO));
	CU_ASSERT_EQUAL(memcmp(x->bitstream, SO, sizeof(SO)), 0);
	/* the parse copied the image: the caller's buffer can go */
	CU_ASSERT_PTR_NOT_EQUAL(x->image, img);
	free(img);
	lf__xclbin_free(x);
	lf__xclbin_free(NULL);
}

static void test_reproducible(void)
{
	struct lf_xclbin_spec s;
	size_t n1, n2, n3;
	spec_init(&s, "aws-f1");
	uint8_t *a = build(&s, &n1);
	uint8_t *b = build(&s, &n2);
	CU_ASSERT_EQUAL_FATAL(n1, n2);
	CU_ASSERT_EQUAL(memcmp(a, b, n1), 0);
	s.kernels[1].ncus = 2; /* another design: another UUID */
	uint8_t *c = build(&s, &n3);
	CU_ASSERT(memcmp(a + OFF_HDR(uuid), c + OFF_HDR(uuid), 16) != 0);
	/* layout as xclbinutil: sections 8-aligned, m_length = size */
	CU_ASSERT_EQUAL(ld64(a + OFF_HDR(m_length)), n1);
	for (uint32_t i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(ld64(a + SEC_OFF(i) +
				     offsetof(struct axlf_section_header,
					      m_sectionOffset)) %
				    8,
				0);
	free(a);
	free(b);
	free(c);
}

static void test_platforms(void)
{
	static const struct {
		const char *name;
		uint32_t nbanks;
		const char *tag0, *tag_last;
		uint64_t size0, size_last;
	} want[] = {
	    {"aws-f1", 4, "DDR[0]", "DDR[3]", 16ull << 30, 16ull << 30},
	    {"u250", 4, "DDR[0]", "DDR[3]", 16ull << 30, 16ull << 30},
	    {"u280", 34, "HBM[0]", "DDR[1]", 256ull << 20, 16ull << 30},
	    {"u55c", 32, "HBM[0]", "HBM[31]", 512ull << 20, 512ull << 20},
	    {"tiny", 2, "DDR[0]", "DDR[1]", 64ull << 20, 64ull << 20},
	    {"aws-f2-hdk", 1, "DDR[0]", "DDR[0]", 64ull << 30, 64ull << 30},
	    {"aws-f2", 32, "HBM[0]", "HBM[31]", 512ull << 20, 512ull << 20},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct lf_xclbin_spec s;
		size_t n;
		spec_init(&s, want[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s.platform);
		uint8_t *img = build(&s, &n);
		struct lf_xclbin *x = parse_ok(img, n);
		free(img);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_EQUAL_FATAL(x->nmems, want[i].nbanks);
		CU_ASSERT_STRING_EQUAL(x->mems[0].tag, want[i].tag0);
		CU_ASSERT_STRING_EQUAL(x->mems[x->nmems - 1].tag,
				       want[i].tag_last);
		CU_ASSERT_EQUAL(x->mems[0].size, want[i].size0);
		CU_ASSERT_EQUAL(x->mems[x->nmems - 1].size, want[i].size_last);
		CU_ASSERT_STRING_EQUAL(x->platform, s.platform->vbnv);
		/* every gmem port is connected, to a bank of the first type */
		for (uint32_t c = 0; c < x->ncus; c++)
			for (uint32_t a = 0; a < 6; a += 2) {
				int m = lf__xclbin_arg_mem(x, c, a);
				CU_ASSERT(m >= 0 && (uint32_t)m < x->nmems);
				if (m >= 0)
					CU_ASSERT_EQUAL(x->mems[m].type,
							x->mems[0].type);
			}
		lf__xclbin_free(x);
	}
	CU_ASSERT_PTR_NULL(lf__xclbin_platform_find("u9000"));
	CU_ASSERT_PTR_NULL(lf__xclbin_platform_at(7));
	/* --bank-size: every bank that size, still back to back */
	struct lf_xclbin_spec s;
	size_t n;
	spec_init(&s, "u280");
	s.bank_size = 1 << 20;
	uint8_t *img = build(&s, &n);
	struct lf_xclbin *x = parse_ok(img, n);
	free(img);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->mems[33].size, 1 << 20);
	CU_ASSERT_EQUAL(x->mems[33].base, 33u << 20);
	/* u280 CU lane 1 of conv2d: HBM banks 3, 4, 5 */
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 1, 0), 3);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 1, 4), 5);
	lf__xclbin_free(x);
}

static void test_build_rejects(void)
{
	struct lf_xclbin_spec s;
	uint8_t *img = (uint8_t *)"untouched";
	size_t n = 42;
	char err[256];
	spec_init(&s, "tiny");
	s.nkernels = 0;
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	spec_init(&s, "tiny");
	snprintf(s.kernels[1].name, LF_XCLBIN_NAME_MAX, "bad name");
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	spec_init(&s, "tiny");
	snprintf(s.kernels[1].name, LF_XCLBIN_NAME_MAX, "lfk_conv2d");
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "twice"));
	spec_init(&s, "tiny");
	s.kernels[0].ncus = LF_XCLBIN_MAX_CUS; /* + 1 matmul CU: too many */
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	spec_init(&s, "tiny");
	s.bank_size = 1000;
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	spec_init(&s, "tiny");
	s.limits = "ok=1\nbroken line\n";
	s.limits_size = strlen(s.limits);
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 2"));
	spec_init(&s, "tiny");
	s.bitstream_size = 0;
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	spec_init(&s, "tiny");
	s.platform = NULL;
	CU_ASSERT_EQUAL(lf__xclbin_build(&s, &img, &n, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_EQUAL(n, 42);
	CU_ASSERT_STRING_EQUAL((const char *)img, "untouched");
}

/*
 * Every parameter lf_config.h lets -D set ("#ifndef LF_X" + "#define
 * LF_X") is recorded in the limits text under its own name (LF_PARAMS), so
 * `layerfab info` can show which design an xclbin is of. Read here from
 * the header's text, not from LF_PARAMS.
 */
static void test_params_recorded(void)
{
	char path[512], name[64], want[80];
	FILE *f = fopen("hls/lf_config.h", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	snprintf(path, sizeof(path), "%s/hls/limits.txt", lf_test_build_dir());
	FILE *lf = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
	static char limits[16384];
	size_t n = fread(limits, 1, sizeof(limits) - 1, lf);
	limits[n] = '\0';
	fclose(lf);
	char line[256];
	unsigned found = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#ifndef %63s", name) != 1 ||
		    strncmp(name, "LF_", 3) != 0 ||
		    strcmp(name, "LF_CONFIG_H") == 0)
			continue;
		snprintf(want, sizeof(want), "\n%s=", name);
		if (!strstr(limits, want))
			fprintf(stderr, "\n  %s is not in LF_PARAMS", name);
		CU_ASSERT_PTR_NOT_NULL(strstr(limits, want));
		found++;
	}
	fclose(f);
	CU_ASSERT(found >= 20);
}

/* The xclbins `make` builds: every profile loads and runs our kernels. */
static void test_built_files(void)
{
	static const char *const profiles[] = {"aws-f1", "aws-f2", "u250",
					       "u280",	 "u55c",   "tiny"};
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		char path[512], err[512] = "";
		struct lf_xclbin *x = NULL;
		snprintf(path, sizeof(path), "%s/bitstreams/emu-%s.xclbin",
			 lf_test_build_dir(), profiles[i]);
		lf_status st = lf__xclbin_load(path, &x, err, sizeof(err));
		if (st)
			fprintf(stderr, "\n  %s (run make first)\n", err);
		CU_ASSERT_EQUAL_FATAL(st, LF_OK);
		CU_ASSERT_EQUAL(x->mode, XCLBIN_SW_EMU);
		/* tiny (test-only) has a CU of every kernel; the hardware
		 * builds the lfk_engine CUs of their link.cfg (test_cli.c
		 * compares those with link.cfg and params.mk). */
		CU_ASSERT(lf__xclbin_find_kernel(x, "lfk_engine") >= 0);
		if (strcmp(profiles[i], "tiny") == 0) {
			CU_ASSERT(lf__xclbin_find_kernel(x, "lfk_conv2d") >= 0);
			CU_ASSERT(lf__xclbin_find_kernel(x, "lfk_matmul") >= 0);
		}
		CU_ASSERT(x->ncus >= 2);
		CU_ASSERT(x->nlimits > 0);
		CU_ASSERT(lf__xclbin_limit(x, "clock_mhz", 0) > 0);
		CU_ASSERT_FATAL(x->bitstream_size > 4);
		CU_ASSERT_EQUAL(memcmp(x->bitstream,
				       "\x7f"
				       "ELF",
				       4),
				0);
		lf__xclbin_free(x);
	}
}

static void test_load_errors(void)
{
	struct lf_xclbin *x = SENTINEL;
	char err[256] = "";
	CU_ASSERT_EQUAL(lf__xclbin_load("tests/data/xclbin/none.xclbin", &x,
					err, sizeof(err)),
			LF_ERR_NOT_FOUND);
	CU_ASSERT_PTR_EQUAL(x, SENTINEL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "none.xclbin"));
	/* a file that is not an xclbin: the message names the file */
	CU_ASSERT_EQUAL(lf__xclbin_load("tests/data/xclbin/"
					"vpp_u250_metadata.xml",
					&x, err, sizeof(err)),
			LF_ERR_BAD_FILE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "vpp_u250_metadata.xml: not an "
					   "xclbin"));
	CU_ASSERT_EQUAL(lf__xclbin_parse(NULL, 10, &x, err, sizeof(err)),
			LF_ERR_INVALID_ARG);
	CU_ASSERT_PTR_EQUAL(x, SENTINEL);
}

/* lf-xclbin --info prints what the reader found. */
static void test_tool_info(void)
{
	char cmd[1024], line[512];
	int saw_cu = 0, saw_conn = 0, saw_limit = 0;
	snprintf(cmd, sizeof(cmd),
		 "%s/bin/lf-xclbin --info %s/bitstreams/emu-tiny.xclbin",
		 lf_test_build_dir(), lf_test_build_dir());
	FILE *p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (fgets(line, sizeof(line), p)) {
		saw_cu |= strstr(line, "lfk_conv2d:lfk_conv2d_2") &&
			  strstr(line, "0x1810000");
		saw_conn |= strstr(line, "arg 4 (act) -> [1] DDR[1]") != NULL;
		saw_limit |= strstr(line, "lfk_conv2d.pe_oc=") != NULL;
	}
	CU_ASSERT_EQUAL(pclose(p), 0);
	CU_ASSERT(saw_cu);
	CU_ASSERT(saw_conn);
	CU_ASSERT(saw_limit);
}

/* ---- files laid out by hand -----------------------------------------------
 */

static const char MINI_XML[] =
    "<?xml version=\"1.0\"?>\n<project name=\"mini\"><platform>"
    "<device><core><kernel name=\"k\">"
    "<arg name=\"buf\" addressQualifier=\"1\" id=\"0\" port=\"M_AXI_GMEM\" "
    "size=\"0x8\" offset=\"0x10\"/>"
    "<arg name=\"n\" addressQualifier=\"0\" id=\"1\" port=\"S_AXI_CONTROL\" "
    "size=\"0x4\" offset=\"0x1C\"/>"
    "<instance name=\"k_1\"><addrRemap base=\"0x1800000\" "
    "range=\"0x10000\"/></instance>"
    "</kernel></core></device></platform></project>\n";

#define MINI_MEMS 2
#define MINI_IPS  1
#define MINI_CONN 1

/* A one-kernel xclbin: XML, MEM_TOPOLOGY, IP_LAYOUT, CONNECTIVITY and a
 * BITSTREAM. Section i of the image is secs[i]. */
struct mini {
	const char *xml;
	uint8_t mem[offsetof(struct mem_topology, m_mem_data) +
		    MINI_MEMS * sizeof(struct mem_data)];
	uint8_t ip[offsetof(struct ip_layout, m_ip_data) +
		   MINI_IPS * sizeof(struct ip_data)];
	uint8_t conn[offsetof(struct connectivity, m_connection) +
		     MINI_CONN * sizeof(struct connection)];
	uint8_t bit[64];
	uint32_t mode;
};

#define MEM_AT(m, i)                                                           \
	((m)->mem + offsetof(struct mem_topology, m_mem_data) +                \
	 (i) * sizeof(struct mem_data))
#define IP_AT(m, i)                                                            \
	((m)->ip + offsetof(struct ip_layout, m_ip_data) +                     \
	 (i) * sizeof(struct ip_data))
#define CONN_AT(m, i)                                                          \
	((m)->conn + offsetof(struct connectivity, m_connection) +             \
	 (i) * sizeof(struct connection))

static void mini_init(struct mini *m)
{
	memset(m, 0, sizeof(*m));
	m->xml = MINI_XML;
	m->mode = XCLBIN_SW_EMU;
	st32(m->mem, MINI_MEMS);
	for (int i = 0; i < MINI_MEMS; i++) {
		uint8_t *d = MEM_AT(m, i);
		d[offsetof(struct mem_data, m_type)] = MEM_DDR4;
		d[offsetof(struct mem_data, m_used)] = 1;
		st64(d + offsetof(struct mem_data, m_size), 1024); /* KiB */
		st64(d + offsetof(struct mem_data, m_base_address),
		     (uint64_t)i << 20);
		snprintf((char *)d + offsetof(struct mem_data, m_tag), 16,
			 "bank%d", i);
	}
	st32(m->ip, MINI_IPS);
	st32(IP_AT(m, 0) + offsetof(struct ip_data, m_type), IP_KERNEL);
	st64(IP_AT(m, 0) + offsetof(struct ip_data, m_base_address), 0x1800000);
	snprintf((char *)IP_AT(m, 0) + offsetof(struct ip_data, m_name), 64,
		 "k:k_1");
	st32(m->conn, MINI_CONN);
	st32(CONN_AT(m, 0) + offsetof(struct connection, arg_index), 0);
	st32(CONN_AT(m, 0) + offsetof(struct connection, m_ip_layout_index), 0);
	st32(CONN_AT(m, 0) + offsetof(struct connection, mem_data_index), 1);
	memset(m->bit, 0xab, sizeof(m->bit));
}

enum { S_XML, S_MEM, S_IP, S_CONN, S_BIT, S_COUNT };

static uint8_t *mini_pack(const struct mini *m, size_t *n)
{
	struct lf_xclbin_section s[S_COUNT] = {
	    {EMBEDDED_METADATA, "", m->xml, strlen(m->xml)},
	    {MEM_TOPOLOGY, "", m->mem, sizeof(m->mem)},
	    {IP_LAYOUT, "", m->ip, sizeof(m->ip)},
	    {CONNECTIVITY, "", m->conn, sizeof(m->conn)},
	    {BITSTREAM, "", m->bit, sizeof(m->bit)},
	};
	struct lf_xclbin_pack_info info = {m->mode, "test_platform", NULL, 0};
	uint8_t *img = NULL;
	lf_status st = lf__xclbin_pack(&info, s, S_COUNT, &img, n, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(st, LF_OK);
	return img;
}

static uint8_t *mini_image(size_t *n)
{
	struct mini m;
	mini_init(&m);
	return mini_pack(&m, n);
}

static void test_mini_ok(void)
{
	size_t n;
	uint8_t *img = mini_image(&n);
	struct lf_xclbin *x = parse_ok(img, n);
	free(img);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->nkernels, 1);
	CU_ASSERT_EQUAL(x->kernels[0].args[1].offset, 0x1c);
	CU_ASSERT_EQUAL(x->ncus, 1);
	CU_ASSERT_EQUAL(x->mems[1].size, 1 << 20); /* 1024 KiB */
	CU_ASSERT_STRING_EQUAL(x->mems[1].tag, "bank1");
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 0, 0), 1);
	CU_ASSERT_EQUAL(x->nlimits, 0);
	CU_ASSERT_STRING_EQUAL(x->platform, "test_platform");
	lf__xclbin_free(x);
}

static void set_sec(uint8_t *img, uint32_t i, uint64_t off, uint64_t size)
{
	st64(img + SEC_OFF(i) +
		 offsetof(struct axlf_section_header, m_sectionOffset),
	     off);
	st64(img + SEC_OFF(i) +
		 offsetof(struct axlf_section_header, m_sectionSize),
	     size);
}

static uint64_t sec_off(const uint8_t *img, uint32_t i)
{
	return ld64(img + SEC_OFF(i) +
		    offsetof(struct axlf_section_header, m_sectionOffset));
}

static uint64_t sec_size(const uint8_t *img, uint32_t i)
{
	return ld64(img + SEC_OFF(i) +
		    offsetof(struct axlf_section_header, m_sectionSize));
}

static void test_container_errors(void)
{
	size_t n;
	uint8_t *img = mini_image(&n);
	uint8_t *t = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);

	expect_bad(img, 5, "too short");
	memcpy(t, img, n);
	t[6] = '1'; /* "xclbin1" */
	expect_bad(t, n, "magic");

	memcpy(t, img, n);
	st64(t + OFF_HDR(m_length), n + 8);
	expect_bad(t, n, "m_length");
	expect_bad(img, n - 1, "m_length"); /* truncated */

	memcpy(t, img, n);
	st32(t + OFF_HDR(m_numSections), 1000);
	expect_bad(t, n, "m_numSections 1000");
	memcpy(t, img, n);
	st32(t + OFF_HDR(m_numSections), 0xffffffff);
	expect_bad(t, n, "m_numSections 4294967295");

	memcpy(t, img, n);
	set_sec(t, S_BIT, n + 16, 8);
	expect_bad(t, n, "past the end");
	memcpy(t, img, n);
	set_sec(t, S_BIT, sec_off(img, S_BIT), sec_size(img, S_BIT) + 1);
	expect_bad(t, n, "past the end");
	/* offset + size wraps around 64 bits */
	memcpy(t, img, n);
	set_sec(t, S_BIT, 0xffffffffffffff00ull, 0x200);
	expect_bad(t, n, "offset 0xffffffffffffff00");
	memcpy(t, img, n);
	set_sec(t, S_BIT, sec_off(img, S_BIT), 0xffffffffffffff00ull);
	expect_bad(t, n, "past the end");

	/* BITSTREAM over the end of CONNECTIVITY */
	memcpy(t, img, n);
	set_sec(t, S_BIT, sec_off(img, S_CONN) + 4, 8);
	expect_bad(t, n, "overlap");
	/* two sections at the same place */
	memcpy(t, img, n);
	set_sec(t, S_BIT, sec_off(img, S_IP), 8);
	expect_bad(t, n, "overlap");
	/* a section inside the header table */
	memcpy(t, img, n);
	set_sec(t, S_BIT, OFF_TABLE, 8);
	expect_bad(t, n, "overlaps the header");
	/* an empty section may sit anywhere inside the file */
	memcpy(t, img, n);
	set_sec(t, S_BIT, 0, 0);
	struct lf_xclbin *x = parse_ok(t, n);
	CU_ASSERT_PTR_NOT_NULL(x);
	lf__xclbin_free(x);

	memcpy(t, img, n);
	memset(t + OFF_HDR(uuid), 0, 16);
	expect_bad(t, n, "uuid");
	memcpy(t, img, n);
	memset(t + OFF_HDR(m_platformVBNV), 'v', 64);
	expect_bad(t, n, "m_platformVBNV");

	memcpy(t, img, n);
	st32(t + offsetof(struct axlf, m_signature_length), (uint32_t)-2);
	expect_bad(t, n, "m_signature_length");
	/* a signature takes the tail: the bitstream is now inside it */
	memcpy(t, img, n);
	st32(t + offsetof(struct axlf, m_signature_length), 16);
	expect_bad(t, n, "past the end");

	/* no EMBEDDED_METADATA: the section becomes an unknown kind */
	memcpy(t, img, n);
	st32(t + SEC_OFF(S_XML), 200);
	expect_bad(t, n, "no EMBEDDED_METADATA");
	/* two IP_LAYOUTs */
	memcpy(t, img, n);
	st32(t + SEC_OFF(S_BIT), IP_LAYOUT);
	expect_bad(t, n, "two IP_LAYOUT sections");
	free(t);
	free(img);
}

static void test_binary_section_errors(void)
{
	struct mini m;
	size_t n;
	uint8_t *img;

	/* huge m_count: IP_LAYOUT has room for one entry (8 + 80 bytes) */
	mini_init(&m);
	st32(m.ip, 1000);
	img = mini_pack(&m, &n);
	expect_bad(img, n,
		   "IP_LAYOUT: m_count 1000 needs 80008 bytes, "
		   "section has 88");
	free(img);
	mini_init(&m);
	st32(m.mem, 0x7fffffff);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "MEM_TOPOLOGY: m_count 2147483647 needs");
	free(img);
	mini_init(&m);
	st32(m.mem, (uint32_t)-1);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "MEM_TOPOLOGY: m_count -1 is negative");
	free(img);
	mini_init(&m);
	st32(m.conn, 2);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "CONNECTIVITY: m_count 2 needs 28 bytes");
	free(img);

	/* strings that fill their field without a NUL */
	mini_init(&m);
	memset(IP_AT(&m, 0) + offsetof(struct ip_data, m_name), 'k', 64);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "IP_LAYOUT[0]: m_name is not NUL-terminated");
	free(img);
	mini_init(&m);
	memset(MEM_AT(&m, 1) + offsetof(struct mem_data, m_tag), 'b', 16);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "MEM_TOPOLOGY[1]: m_tag is not NUL-terminated");
	free(img);
	mini_init(&m);
	snprintf((char *)IP_AT(&m, 0) + offsetof(struct ip_data, m_name), 64,
		 "no_colon");
	img = mini_pack(&m, &n);
	expect_bad(img, n, "not 'kernel:instance'");
	free(img);

	/* a bank whose KiB size overflows bytes */
	mini_init(&m);
	st64(MEM_AT(&m, 0) + offsetof(struct mem_data, m_size),
	     0x0040000000000000ull);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "MEM_TOPOLOGY[0] 'bank0'");
	free(img);

	/* connectivity indices out of range */
	mini_init(&m);
	st32(CONN_AT(&m, 0) + offsetof(struct connection, m_ip_layout_index),
	     1);
	img = mini_pack(&m, &n);
	expect_bad(img, n,
		   "CONNECTIVITY[0]: m_ip_layout_index 1, IP_LAYOUT "
		   "has 1 entries");
	free(img);
	mini_init(&m);
	st32(CONN_AT(&m, 0) + offsetof(struct connection, mem_data_index), 2);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "mem_data_index 2, MEM_TOPOLOGY has 2 entries");
	free(img);
	mini_init(&m);
	st32(CONN_AT(&m, 0) + offsetof(struct connection, mem_data_index),
	     (uint32_t)-1);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "mem_data_index -1");
	free(img);
	mini_init(&m);
	st32(CONN_AT(&m, 0) + offsetof(struct connection, arg_index), 7);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "arg_index 7, kernel 'k' has no argument");
	free(img);
	mini_init(&m);
	st32(CONN_AT(&m, 0) + offsetof(struct connection, arg_index),
	     (uint32_t)-3);
	img = mini_pack(&m, &n);
	expect_bad(img, n, "arg_index -3 is negative");
	free(img);

	/* sw_emu: the metadata's CU address must be IP_LAYOUT's */
	mini_init(&m);
	st64(IP_AT(&m, 0) + offsetof(struct ip_data, m_base_address),
	     0x1900000);
	img = mini_pack(&m, &n);
	expect_bad(img, n,
		   "addrRemap base 0x1800000, IP_LAYOUT "
		   "m_base_address 0x1900000");
	free(img);
	/* ...but a hardware xclbin is not checked for it */
	m.mode = XCLBIN_FLAT;
	img = mini_pack(&m, &n);
	struct lf_xclbin *x = parse_ok(img, n);
	free(img);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->cus[0].base, 0x1900000);
	lf__xclbin_free(x);
}

static void test_xml_errors(void)
{
	static const struct {
		const char *xml, *what;
	} cases[] = {
	    {"<project><platform>", "line 1"},	 /* unclosed */
	    {"<project></project><x/>", "junk"}, /* two roots */
	    {"<notproject/>", "root element is <notproject>"},
	    {"", "EMBEDDED_METADATA is empty"},
	    {"<project/>", "describes no kernel"},
	    {"<!DOCTYPE project [<!ENTITY a \"aaaaaaaaaa\">"
	     "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
	     "<project>&b;</project>",
	     "DOCTYPE"},
	    {"<project><platform><device><core><kernel/></core></device>"
	     "</platform></project>",
	     "<kernel> has no 'name'"},
	    {"<project><platform><device><core><kernel name=\"k\">"
	     "<arg name=\"a\" addressQualifier=\"1\" id=\"0\" size=\"8\"/>"
	     "</kernel></core></device></platform></project>",
	     "no 'offset'"},
	    {"<project><platform><device><core><kernel name=\"k\">"
	     "<arg name=\"a\" addressQualifier=\"1\" id=\"0\" size=\"8\" "
	     "offset=\"0x1g\"/></kernel></core></device></platform>"
	     "</project>",
	     "offset=\"0x1g\" is not a 32-bit number"},
	    {"<project><platform><device><core><kernel name=\"k\">"
	     "<arg name=\"a\" addressQualifier=\"1\" id=\"0\" size=\"8\" "
	     "offset=\"0x100000000\"/></kernel></core></device></platform>"
	     "</project>",
	     "not a 32-bit number"},
	    {"<project><platform><device><core><kernel name=\"k\"/>"
	     "<kernel name=\"k\"/></core></device></platform></project>",
	     "kernel 'k' is described twice"},
	    {"<project><platform><device><core><kernel name=\"k\">"
	     "<instance name=\"i\"><addrRemap base=\"12abc\"/></instance>"
	     "</kernel></core></device></platform></project>",
	     "base=\"12abc\" is not a number"},
	    {"<project><platform><device><core><kernel name=\"k\">"
	     "<arg name=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     "aaaaaaaaaaaaaaaaaaa\" addressQualifier=\"1\" id=\"0\" "
	     "size=\"8\" offset=\"16\"/></kernel></core></device>"
	     "</platform></project>",
	     "'name' is longer than 63 bytes"},
	    {"<project>\xff\xfe</project>", "line 1"}, /* not UTF-8 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mini m;
		size_t n;
		mini_init(&m);
		m.xml = cases[i].xml;
		uint8_t *img = mini_pack(&m, &n);
		expect_bad(img, n, cases[i].what);
		free(img);
	}
}

static void test_limits_errors(void)
{
	static const struct {
		const char *text, *what;
	} cases[] = {
	    {"a=1\nb\n", "line 2: no '='"},
	    {"a=1\na=2\n", "key 'a' appears twice"},
	    {"a=12x\n", "value \"12x\""},
	    {"a=9223372036854775808\n", "not a 64-bit integer"},
	    {"=5\n", "key must be 1 to 63"},
	    {"bad key=5\n", "character 0x20 in key"},
	    {"a=1\0b=2", "NUL byte"},
	};
	static const size_t lens[] = {0, 0, 0, 0, 0, 0, 7};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mini m;
		const char *t = cases[i].text;
		size_t tl = lens[i] ? lens[i] : strlen(t);
		mini_init(&m);
		struct lf_xclbin_section s[] = {
		    {EMBEDDED_METADATA, "", m.xml, strlen(m.xml)},
		    {USER_METADATA, "layerfab_limits", t, tl},
		};
		struct lf_xclbin_pack_info info = {XCLBIN_SW_EMU, "p", NULL, 0};
		uint8_t *img;
		size_t n;
		CU_ASSERT_EQUAL_FATAL(
		    lf__xclbin_pack(&info, s, 2, &img, &n, NULL, 0), LF_OK);
		expect_bad(img, n, cases[i].what);
		free(img);
	}
	/* a USER_METADATA name without NUL in its 16 bytes */
	struct lf_xclbin_section s[] = {
	    {EMBEDDED_METADATA, "", MINI_XML, strlen(MINI_XML)},
	    {USER_METADATA, "x", "a=1\n", 4},
	};
	struct lf_xclbin_pack_info info = {XCLBIN_SW_EMU, "p", NULL, 0};
	uint8_t *img;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(lf__xclbin_pack(&info, s, 2, &img, &n, NULL, 0),
			      LF_OK);
	memset(img + SEC_OFF(1) +
		   offsetof(struct axlf_section_header, m_sectionName),
	       'n', 16);
	expect_bad(img, n, "m_sectionName is not NUL-terminated");
	free(img);
}

/*
 * Every prefix of a small file: rejected as it is (m_length no longer
 * matches), and with m_length patched to the prefix so the deeper checks
 * run: either rejected with a message or parsed, never a crash or a read
 * past the prefix (ASan and Valgrind watch the copy the parser makes).
 */
static void test_truncation(void)
{
	size_t n;
	uint8_t *img = mini_image(&n);
	uint8_t *t = malloc(n);
	size_t ok = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t len = 0; len < n; len++) {
		struct lf_xclbin *x = SENTINEL;
		char err[256] = "";
		memcpy(t, img, len);
		CU_ASSERT_EQUAL(lf__xclbin_parse(t, len, &x, err, sizeof(err)),
				LF_ERR_BAD_FILE);
		CU_ASSERT(err[0] != 0);
		if (len >= OFF_HDR(m_length) + 8)
			st64(t + OFF_HDR(m_length), len);
		err[0] = 0;
		lf_status st = lf__xclbin_parse(t, len, &x, err, sizeof(err));
		CU_ASSERT(st == LF_OK || st == LF_ERR_BAD_FILE);
		if (st == LF_OK) {
			ok++;
			lf__xclbin_free(x);
		} else {
			CU_ASSERT(err[0] != 0);
			CU_ASSERT_PTR_EQUAL(x, SENTINEL);
		}
	}
	/* Only cutting the last section's tail padding could pass; this file
	 * has none (the BITSTREAM ends the file). */
	CU_ASSERT_EQUAL(ok, 0);
	free(t);
	free(img);
}

/* Random byte changes anywhere: any answer but a crash. */
static void test_fuzz(void)
{
	struct lf_xclbin_spec s;
	struct lf_rng r;
	size_t n;
	int iters = lf_test_slow_mode() ? 300 : 3000;
	spec_init(&s, "tiny");
	uint8_t *img = build(&s, &n);
	uint8_t *t = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	lf_rng_seed(&r, 0x5eed);
	/* The bitstream (the tail) is opaque: aim at what the reader reads. */
	size_t hot = n - sizeof(SO);
	for (int i = 0; i < iters; i++) {
		struct lf_xclbin *x = NULL;
		char err[256];
		memcpy(t, img, n);
		int flips = lf_rng_range(&r, 1, 4);
		for (int f = 0; f < flips; f++)
			t[lf_rng_u32(&r) % hot] ^=
			    (uint8_t)(1u << lf_rng_range(&r, 0, 7));
		lf_status st = lf__xclbin_parse(t, n, &x, err, sizeof(err));
		CU_ASSERT(st == LF_OK || st == LF_ERR_BAD_FILE ||
			  st == LF_ERR_UNSUPPORTED);
		if (st == LF_OK)
			lf__xclbin_free(x);
	}
	free(t);
	free(img);
}

/* ---- a file shaped like a v++ hardware build ------------------------------
 */

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	CU_ASSERT_FATAL(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void put_ip(uint8_t *p, int i, uint32_t type, uint64_t base,
		   const char *name)
{
	uint8_t *d = p + offsetof(struct ip_layout, m_ip_data) +
		     (size_t)i * sizeof(struct ip_data);
	st32(d + offsetof(struct ip_data, m_type), type);
	st32(d + offsetof(struct ip_data, properties), AP_CTRL_CHAIN << 8);
	st64(d + offsetof(struct ip_data, m_base_address), base);
	snprintf((char *)d + offsetof(struct ip_data, m_name), 64, "%s", name);
}

static void put_mem(uint8_t *p, int i, uint8_t type, uint8_t used,
		    uint64_t size_kb, uint64_t base, const char *tag)
{
	uint8_t *d = p + offsetof(struct mem_topology, m_mem_data) +
		     (size_t)i * sizeof(struct mem_data);
	d[offsetof(struct mem_data, m_type)] = type;
	d[offsetof(struct mem_data, m_used)] = used;
	st64(d + offsetof(struct mem_data, m_size), size_kb);
	st64(d + offsetof(struct mem_data, m_base_address), base);
	snprintf((char *)d + offsetof(struct mem_data, m_tag), 16, "%s", tag);
}

static void put_conn(uint8_t *p, int i, int32_t arg, int32_t ip, int32_t mem)
{
	uint8_t *d = p + offsetof(struct connectivity, m_connection) +
		     (size_t)i * sizeof(struct connection);
	st32(d + offsetof(struct connection, arg_index), (uint32_t)arg);
	st32(d + offsetof(struct connection, m_ip_layout_index), (uint32_t)ip);
	st32(d + offsetof(struct connection, mem_data_index), (uint32_t)mem);
}

static void test_vpp_sample(void)
{
	size_t xml_len;
	char *xml =
	    read_text("tests/data/xclbin/vpp_u250_metadata.xml", &xml_len);
	/* IP_LAYOUT as v++ writes it: kernel CUs sorted by address plus a
	 * memory IP, and a CU of a kernel the metadata does not describe
	 * (XRT ignores those; so do we). */
	uint8_t ip[offsetof(struct ip_layout, m_ip_data) +
		   5 * sizeof(struct ip_data)];
	memset(ip, 0, sizeof(ip));
	st32(ip, 5);
	put_ip(ip, 0, IP_KERNEL, 0x800000, "krnl_vscale:krnl_vscale_1");
	put_ip(ip, 1, IP_KERNEL, 0x810000, "krnl_vscale:krnl_vscale_2");
	put_ip(ip, 2, IP_KERNEL, 0x820000, "ocl_fill:ocl_fill_1");
	put_ip(ip, 3, IP_KERNEL, 0x830000, "hidden:hidden_1");
	put_ip(ip, 4, IP_MEM_DDR4, 0x4000000000ull, "MEM_DDR4_0");
	/* MEM_TOPOLOGY with an unused bank, PLRAM, host memory and a
	 * stream whose size/base fields are route and flow ids. */
	uint8_t mem[offsetof(struct mem_topology, m_mem_data) +
		    7 * sizeof(struct mem_data)];
	memset(mem, 0, sizeof(mem));
	st32(mem, 7);
	put_mem(mem, 0, MEM_DDR4, 1, 16ull << 20, 0x4000000000ull, "DDR[0]");
	put_mem(mem, 1, MEM_DDR4, 1, 16ull << 20, 0x5000000000ull, "DDR[1]");
	put_mem(mem, 2, MEM_DDR4, 0, 16ull << 20, 0x6000000000ull, "DDR[2]");
	put_mem(mem, 3, MEM_DRAM, 1, 128, 0x3000000ull, "PLRAM[0]");
	put_mem(mem, 4, MEM_HOST, 1, 16ull << 20, 0x2000000000000ull,
		"HOST[0]");
	put_mem(mem, 5, MEM_STREAMING, 1, 0xffffffffffffffffull,
		0xffffffffffffffffull, "stream0");
	put_mem(mem, 6, MEM_DDR4, 1, 16ull << 20, 0x7000000000ull, "DDR[3]");
	uint8_t conn[offsetof(struct connectivity, m_connection) +
		     7 * sizeof(struct connection)];
	memset(conn, 0, sizeof(conn));
	st32(conn, 7);
	put_conn(conn, 0, 0, 0, 0); /* vscale_1.src -> DDR[0] */
	put_conn(conn, 1, 1, 0, 1); /* vscale_1.dst -> DDR[1] */
	put_conn(conn, 2, 0, 1, 1); /* vscale_2.src -> DDR[1] */
	put_conn(conn, 3, 1, 1, 6); /* vscale_2.dst -> DDR[3] */
	put_conn(conn, 4, 0, 2, 3); /* ocl_fill_1.out -> PLRAM[0] */
	put_conn(conn, 5, 0, 3, 0); /* hidden_1: skipped */
	put_conn(conn, 6, 2, 4, 0); /* the memory IP: skipped */
	static const char build_md[] = "{\"build_metadata\": {}}";
	static const uint8_t clocks[138] = {1};
	static const char limits[] = "krnl_vscale.lanes=16\n";
	static const uint8_t bits[40] = {0};
	struct lf_xclbin_section s[] = {
	    {BUILD_METADATA, "", build_md, sizeof(build_md)},
	    {BITSTREAM, "", bits, sizeof(bits)},
	    {MEM_TOPOLOGY, "", mem, sizeof(mem)},
	    {CLOCK_FREQ_TOPOLOGY, "", clocks, sizeof(clocks)},
	    {IP_LAYOUT, "", ip, sizeof(ip)},
	    {USER_METADATA, "something_else", "x", 1},
	    {DEBUG_IP_LAYOUT, "", clocks, 10},
	    {CONNECTIVITY, "", conn, sizeof(conn)},
	    {EMBEDDED_METADATA, "", xml, xml_len},
	    {200, "future_kind", "??", 2},
	    {USER_METADATA, "layerfab_limits", limits, strlen(limits)},
	};
	struct lf_xclbin_pack_info info = {
	    XCLBIN_FLAT, "xilinx_u250_gen3x16_xdma_4_1_202210_1", NULL,
	    1700000000};
	uint8_t *img;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(lf__xclbin_pack(&info, s,
					      sizeof(s) / sizeof(s[0]), &img,
					      &n, NULL, 0),
			      LF_OK);
	free(xml);
	struct lf_xclbin *x = parse_ok(img, n);
	free(img);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->mode, XCLBIN_FLAT);
	CU_ASSERT_EQUAL_FATAL(x->nkernels, 2);
	const struct lf_xclbin_kernel *k = &x->kernels[0];
	CU_ASSERT_STRING_EQUAL(k->name, "krnl_vscale");
	CU_ASSERT_EQUAL_FATAL(k->nargs, 4);
	CU_ASSERT_STRING_EQUAL(k->args[1].name, "dst");
	CU_ASSERT_EQUAL(k->args[1].offset, 0x1c);
	CU_ASSERT_STRING_EQUAL(k->args[1].port, "M_AXI_GMEM1");
	CU_ASSERT_EQUAL(k->args[2].offset, 0x28);
	CU_ASSERT_EQUAL(k->args[2].size, 4);
	CU_ASSERT_EQUAL(k->args[2].is_global, 0);
	CU_ASSERT_EQUAL(k->args[3].offset, 0x30);
	CU_ASSERT_EQUAL(k->args[3].size, 8);
	CU_ASSERT_EQUAL(k->args[3].is_global, 0);
	k = &x->kernels[1];
	CU_ASSERT_STRING_EQUAL(k->name, "ocl_fill");
	CU_ASSERT_EQUAL(k->nargs, 2); /* the id="" argument is skipped */
	CU_ASSERT_STRING_EQUAL(k->args[1].name, "value");
	CU_ASSERT_EQUAL(k->args[1].offset, 0x1c);
	CU_ASSERT_EQUAL_FATAL(x->ncus, 3);
	CU_ASSERT_STRING_EQUAL(x->cus[1].name, "krnl_vscale:krnl_vscale_2");
	CU_ASSERT_EQUAL(x->cus[1].base, 0x810000);
	CU_ASSERT_EQUAL(x->cus[2].kernel, 1);
	CU_ASSERT_EQUAL(x->nmems, 7);
	CU_ASSERT_EQUAL(x->mems[2].used, 0);
	CU_ASSERT_EQUAL(x->mems[3].size, 128 * 1024);
	CU_ASSERT_EQUAL(x->mems[5].type, MEM_STREAMING);
	CU_ASSERT_EQUAL(x->mems[5].size, 0);
	CU_ASSERT_EQUAL(x->mems[6].base, 0x7000000000ull);
	CU_ASSERT_EQUAL(x->nconn, 5);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 0, 1), 1);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 1, 1), 6);
	CU_ASSERT_EQUAL(lf__xclbin_arg_mem(x, 2, 0), 3);
	CU_ASSERT_EQUAL(lf__xclbin_limit(x, "krnl_vscale.lanes", 0), 16);
	CU_ASSERT_EQUAL(x->bitstream_size, sizeof(bits));
	lf__xclbin_free(x);
}

/* Without IP_LAYOUT (older sw_emu files) the CUs come from the XML. */
static void test_cus_from_xml(void)
{
	struct lf_xclbin_section s[] = {
	    {EMBEDDED_METADATA, "", MINI_XML, strlen(MINI_XML)},
	};
	struct lf_xclbin_pack_info info = {XCLBIN_SW_EMU, "p", NULL, 0};
	uint8_t *img;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(lf__xclbin_pack(&info, s, 1, &img, &n, NULL, 0),
			      LF_OK);
	struct lf_xclbin *x = parse_ok(img, n);
	free(img);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(x->ncus, 1);
	CU_ASSERT_STRING_EQUAL(x->cus[0].name, "k:k_1");
	CU_ASSERT_EQUAL(x->cus[0].base, 0x1800000);
	CU_ASSERT_EQUAL(x->nmems, 0);
	CU_ASSERT_PTR_NULL(x->bitstream);
	lf__xclbin_free(x);
}

void lf_test_suite_xclbin(void)
{
	static const struct lf_test_case cases[] = {
	    {"abi_offsets", test_abi_offsets},
	    {"round_trip", test_round_trip},
	    {"reproducible", test_reproducible},
	    {"platforms", test_platforms},
	    {"build_rejects", test_build_rejects},
	    {"built_files", test_built_files},
	    {"params_recorded", test_params_recorded},
	    {"load_errors", test_load_errors},
	    {"tool_info", test_tool_info},
	    {"mini_ok", test_mini_ok},
	    {"container_errors", test_container_errors},
	    {"binary_section_errors", test_binary_section_errors},
	    {"xml_errors", test_xml_errors},
	    {"limits_errors", test_limits_errors},
	    {"truncation", test_truncation},
	    {"fuzz", test_fuzz},
	    {"vpp_sample", test_vpp_sample},
	    {"cus_from_xml", test_cus_from_xml},
	    {NULL, NULL},
	};
	lf_test_add_suite("xclbin", NULL, NULL, cases);
}
