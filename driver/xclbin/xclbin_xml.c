/*
 * xclbin_xml.c - the EMBEDDED_METADATA section: kernels, their arguments
 * and instances, from the XML v++ writes.
 *
 * The shape we rely on is the one XRT reads (src/runtime_src/core/common/
 * xclbin_parser.cpp: get_kernel_arguments, get_cus) and that a v++ link
 * produces (XRT src/runtime_src/tools/xclbinutil/unittests/FixedKernel/
 * embedded_metadata.xml is a real "vadd.link" example):
 *
 *   <project name=...><platform ...><device ...><core ...>
 *     <kernel name="vadd" ... hwControlProtocol="ap_ctrl_chain">
 *       <module>...</module>          (HLS hierarchy, ignored)
 *       <port name="M_AXI_GMEM" mode="master" .../>
 *       <arg name="in1" addressQualifier="1" id="0" port="M_AXI_GMEM"
 *            size="0x8" offset="0x10" hostOffset="0x0" hostSize="0x8"
 *            type="void*"/>
 *       <instance name="vadd_1">
 *         <addrRemap base="0x00080000" range="0x10000" port=.../>
 *       </instance>
 *     </kernel>
 *     <connection .../>               (ignored)
 *
 * Numbers are hex with "0x" (either case, leading zeros) or decimal. An
 * <arg> with an empty id (XRT: "no_index", OpenCL's implicit arguments) is
 * skipped. Everything outside project/platform/device/core/kernel is
 * ignored, so the many other elements v++ writes do no harm. A DOCTYPE is
 * refused: no entity expansion ever happens.
 */
#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "driver/xclbin/xclbin_impl.h"

enum role {
	R_OTHER,
	R_PROJECT,
	R_PLATFORM,
	R_DEVICE,
	R_CORE,
	R_KERNEL,
	R_ARG,
	R_INSTANCE,
	R_REMAP
};

#define MAX_DEPTH 64

struct xctx {
	XML_Parser p;
	struct lf_xclbin *x;
	struct lf__xclbin_xinsts *insts;
	struct lf__xerr *e;
	lf_status st;
	unsigned depth;
	enum role roles[MAX_DEPTH];
	int cur_inst; /* index into insts, or -1 */
};

int lf__xclbin_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static void fail(struct xctx *c, lf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct xctx *c, lf_status st, const char *fmt, ...)
{
	if (c->st)
		return;
	c->st = st;
	if (c->e && c->e->buf && c->e->len) {
		va_list ap;
		int n = snprintf(c->e->buf, c->e->len,
				 "EMBEDDED_METADATA line %lu: ",
				 (unsigned long)XML_GetCurrentLineNumber(c->p));
		if (n >= 0 && (size_t)n < c->e->len) {
			va_start(ap, fmt);
			vsnprintf(c->e->buf + n, c->e->len - (size_t)n, fmt,
				  ap);
			va_end(ap);
		}
	}
	XML_StopParser(c->p, XML_FALSE);
}

static const char *attr(const XML_Char **a, const char *name)
{
	for (; a && a[0]; a += 2)
		if (strcmp(a[0], name) == 0)
			return a[1];
	return NULL;
}

/* Copies a required string attribute that must fit a name field. */
static int get_name(struct xctx *c, const XML_Char **a, const char *what,
		    const char *key, char *dst, size_t dlen, int required)
{
	const char *v = attr(a, key);
	if (!v) {
		if (required)
			fail(c, LF_ERR_BAD_FILE, "%s has no '%s' attribute",
			     what, key);
		dst[0] = 0;
		return required ? -1 : 0;
	}
	if (strlen(v) >= dlen) {
		fail(c, LF_ERR_BAD_FILE, "%s: '%s' is longer than %zu bytes",
		     what, key, dlen - 1);
		return -1;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* A required number attribute that fits 32 bits. */
static int get_u32(struct xctx *c, const XML_Char **a, const char *what,
		   const char *key, uint32_t *out)
{
	const char *v = attr(a, key);
	uint64_t n;
	if (!v) {
		fail(c, LF_ERR_BAD_FILE, "%s has no '%s' attribute", what, key);
		return -1;
	}
	if (lf__xclbin_parse_u64(v, &n) != 0 || n > UINT32_MAX) {
		fail(c, LF_ERR_BAD_FILE, "%s: %s=\"%s\" is not a 32-bit number",
		     what, key, v);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

static void start_kernel(struct xctx *c, const XML_Char **a)
{
	struct lf_xclbin *x = c->x;
	char name[LF_XCLBIN_NAME_MAX];
	if (get_name(c, a, "<kernel>", "name", name, sizeof(name), 1))
		return;
	if (lf__xclbin_find_kernel(x, name) >= 0) {
		fail(c, LF_ERR_BAD_FILE, "kernel '%s' is described twice",
		     name);
		return;
	}
	if (x->nkernels >= LF_XCLBIN_MAX_KERNELS) {
		fail(c, LF_ERR_UNSUPPORTED, "more than %d kernels",
		     LF_XCLBIN_MAX_KERNELS);
		return;
	}
	struct lf_xclbin_kernel *k = &x->kernels[x->nkernels++];
	memset(k, 0, sizeof(*k));
	memcpy(k->name, name, sizeof(name));
}

static void start_arg(struct xctx *c, const XML_Char **a)
{
	struct lf_xclbin_kernel *k = &c->x->kernels[c->x->nkernels - 1];
	struct lf_xclbin_arg g;
	char what[LF_XCLBIN_NAME_MAX + 32];
	const char *id = attr(a, "id");
	memset(&g, 0, sizeof(g));
	snprintf(what, sizeof(what), "kernel '%s' <arg> %u", k->name, k->nargs);
	if (id && !*id)
		return; /* an implicit OpenCL argument, not in the register map
			 */
	if (get_name(c, a, what, "name", g.name, sizeof(g.name), 1) ||
	    get_u32(c, a, what, "id", &g.id) ||
	    get_u32(c, a, what, "addressQualifier", &g.addr_qualifier) ||
	    get_u32(c, a, what, "offset", &g.offset) ||
	    get_u32(c, a, what, "size", &g.size) ||
	    get_name(c, a, what, "port", g.port, sizeof(g.port), 0))
		return;
	g.is_global = g.addr_qualifier == 1 || g.addr_qualifier == 2;
	if (k->nargs >= LF_XCLBIN_MAX_ARGS) {
		fail(c, LF_ERR_UNSUPPORTED,
		     "kernel '%s' has more than %d "
		     "arguments",
		     k->name, LF_XCLBIN_MAX_ARGS);
		return;
	}
	k->args[k->nargs++] = g;
}

static void start_instance(struct xctx *c, const XML_Char **a)
{
	struct lf__xclbin_xinsts *in = c->insts;
	uint32_t kidx = c->x->nkernels - 1;
	char what[LF_XCLBIN_NAME_MAX + 32];
	snprintf(what, sizeof(what), "kernel '%s' <instance>",
		 c->x->kernels[kidx].name);
	if (in->n >= LF_XCLBIN_MAX_CUS) {
		fail(c, LF_ERR_UNSUPPORTED, "more than %d kernel instances",
		     LF_XCLBIN_MAX_CUS);
		return;
	}
	struct lf__xclbin_xinst *i = &in->v[in->n];
	memset(i, 0, sizeof(*i));
	if (get_name(c, a, what, "name", i->name, sizeof(i->name), 1))
		return;
	i->kernel = kidx;
	c->cur_inst = (int)in->n++;
}

static void start_remap(struct xctx *c, const XML_Char **a)
{
	struct lf__xclbin_xinst *i = &c->insts->v[c->cur_inst];
	const char *v = attr(a, "base");
	uint64_t base;
	if (i->has_base || !v)
		return; /* only the first remap with a base names the CU */
	if (lf__xclbin_parse_u64(v, &base) != 0) {
		fail(c, LF_ERR_BAD_FILE,
		     "instance '%s': addrRemap base=\"%s\" is not a number",
		     i->name, v);
		return;
	}
	i->base = base;
	i->has_base = 1;
}

/* The role of an element from its parent's role and its own name. */
static enum role role_of(enum role parent, unsigned depth, const char *name)
{
	static const struct {
		enum role parent, role;
		const char *name;
	} tree[] = {
	    {R_PROJECT, R_PLATFORM, "platform"},
	    {R_PLATFORM, R_DEVICE, "device"},
	    {R_DEVICE, R_CORE, "core"},
	    {R_CORE, R_KERNEL, "kernel"},
	    {R_KERNEL, R_ARG, "arg"},
	    {R_KERNEL, R_INSTANCE, "instance"},
	    {R_INSTANCE, R_REMAP, "addrRemap"},
	};
	if (depth == 0)
		return strcmp(name, "project") == 0 ? R_PROJECT : R_OTHER;
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		if (tree[i].parent == parent && strcmp(tree[i].name, name) == 0)
			return tree[i].role;
	return R_OTHER;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xctx *c = ud;
	enum role parent = c->depth ? c->roles[c->depth - 1] : R_OTHER;
	enum role r;
	if (c->st)
		return;
	if (c->depth >= MAX_DEPTH) {
		c->depth++;
		return; /* deeper than anything we read */
	}
	r = role_of(parent, c->depth, name);
	if (c->depth == 0 && r != R_PROJECT) {
		fail(c, LF_ERR_BAD_FILE, "root element is <%s>, not <project>",
		     name);
		return;
	}
	c->roles[c->depth++] = r;
	switch (r) {
	case R_KERNEL:
		start_kernel(c, a);
		break;
	case R_ARG:
		start_arg(c, a);
		break;
	case R_INSTANCE:
		start_instance(c, a);
		break;
	case R_REMAP:
		if (c->cur_inst >= 0)
			start_remap(c, a);
		break;
	default:
		break;
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xctx *c = ud;
	(void)name;
	if (c->depth == 0)
		return;
	c->depth--;
	if (c->depth < MAX_DEPTH && c->roles[c->depth] == R_INSTANCE)
		c->cur_inst = -1;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	fail(ud, LF_ERR_BAD_FILE, "DOCTYPE <%s> is not allowed", name);
}

lf_status lf__xclbin_parse_xml(const char *xml, size_t len, struct lf_xclbin *x,
			       struct lf__xclbin_xinsts *insts,
			       struct lf__xerr *e)
{
	struct xctx c;
	/* xclbinutil may pad a section with NULs; they are not XML. */
	while (len && xml[len - 1] == 0)
		len--;
	if (len == 0)
		return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
				       "EMBEDDED_METADATA is empty");
	if (len > INT_MAX)
		return lf__xclbin_fail(e, LF_ERR_BAD_FILE,
				       "EMBEDDED_METADATA: %zu bytes is too "
				       "large",
				       len);
	memset(&c, 0, sizeof(c));
	c.x = x;
	c.insts = insts;
	c.e = e;
	c.cur_inst = -1;
	c.p = XML_ParserCreate(NULL);
	if (!c.p)
		return lf__xclbin_fail(e, LF_ERR_NO_MEMORY,
				       "out of memory for the XML parser");
	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, on_start, on_end);
	XML_SetStartDoctypeDeclHandler(c.p, on_doctype);
	if (XML_Parse(c.p, xml, (int)len, XML_TRUE) == XML_STATUS_ERROR &&
	    !c.st) {
		enum XML_Error code = XML_GetErrorCode(c.p);
		c.st = lf__xclbin_fail(
		    e,
		    code == XML_ERROR_NO_MEMORY ? LF_ERR_NO_MEMORY
						: LF_ERR_BAD_FILE,
		    "EMBEDDED_METADATA line %lu column %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(c.p),
		    (unsigned long)XML_GetCurrentColumnNumber(c.p),
		    XML_ErrorString(code));
	}
	XML_ParserFree(c.p);
	if (!c.st && x->nkernels == 0)
		c.st = lf__xclbin_fail(e, LF_ERR_BAD_FILE,
				       "EMBEDDED_METADATA describes no kernel "
				       "under project/platform/device/core");
	return c.st;
}
