/*
 * test_xrt_devproc.c - the "xrt_devproc" suite: layerfab's software-
 * emulation device process (driver/xrt/devproc) and the XRT backend's
 * stand-in for a dead one (driver/xrt/xrt_tomb.c), driven over the wire
 * protocol by this test playing XRT's shim, without XRT.
 *
 * The test listens where the shim would (/tmp/$USER/$EMULATION_SOCKETID,
 * with a USER of its own), starts build/xrt-swemu/.../genericpciemodel,
 * and sends what libxrt_swemu 2.13 sends (reference xrt-swemu.md,
 * section 6.2): xclClose(false), xclLoadBitstream with the XML and the
 * kernel object, buffer allocations, copies, the register map written
 * twice (control word 0, then AP_START), control-word polls, xclClose.
 * Built where XRT is (LF_HAVE_XRT); elsewhere the suite is empty.
 */
#include "lf_test.h"

#if defined(LF_HAVE_XRT)
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xrt/xclbin.h>

#include "driver/xclbin/xclbin.h"
#include "driver/xrt/swemu_wire.h"
#include "driver/xrt/xrt_impl.h"
#include "lf_desc.h"
#include "swemu_rpc.pb-c.h"

#define CU_BASE 0x1800000ull

struct shim {
	char dir[80]; /* run directory: XML, BO files */
	char user[40];
	char sock[108];
	int listen_fd, fd;
	pid_t pid;
};

/* Send one request (header + body). */
static void call(int fd, uint32_t api, const ProtobufCMessage *msg)
{
	CallPacketInfo ci = CALL_PACKET_INFO__INIT;
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t hdr[32], *body = malloc(n ? n : 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	protobuf_c_message_pack(msg, body);
	ci.size = n;
	ci.has_xcl_api = 1;
	ci.xcl_api = api;
	CU_ASSERT_EQUAL(call_packet_info__pack(&ci, hdr), LF_SWEMU_CALL_HDR);
	CU_ASSERT_EQUAL(lf__swemu_write_full(fd, hdr, LF_SWEMU_CALL_HDR), 0);
	CU_ASSERT_EQUAL(lf__swemu_write_full(fd, body, n), 0);
	free(body);
}

/* Read one reply: exactly a 9-byte header, then its body (malloc'ed). */
static uint8_t *reply(int fd, size_t *len)
{
	uint8_t hdr[LF_SWEMU_REPLY_HDR], *body;
	ResponsePacketInfo *ri;

	CU_ASSERT_EQUAL_FATAL(lf__swemu_read_full(fd, hdr, sizeof(hdr)), 0);
	ri = response_packet_info__unpack(NULL, sizeof(hdr), hdr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ri);
	CU_ASSERT_FALSE(ri->has_xcl_api); /* the shim reads only 9 bytes */
	*len = (size_t)ri->size;
	response_packet_info__free_unpacked(ri, NULL);
	body = malloc(*len ? *len : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL_FATAL(lf__swemu_read_full(fd, body, *len), 0);
	return body;
}

static int close_call(int fd, int all)
{
	XclCloseCall c = XCL_CLOSE_CALL__INIT;
	XclCloseResponse *r;
	uint8_t *b;
	size_t n;
	int valid;

	c.has_closeall = 1;
	c.closeall = all;
	call(fd, LF_SWEMU_CLOSE, &c.base);
	b = reply(fd, &n);
	r = xcl_close_response__unpack(NULL, n, b);
	valid = r && r->valid;
	if (r)
		xcl_close_response__free_unpacked(r, NULL);
	free(b);
	return valid;
}

/* The EMBEDDED_METADATA section of an xclbin image, as the shim dumps it. */
static int write_xml(const uint8_t *img, size_t size, const char *path)
{
	const struct axlf *a = (const struct axlf *)(const void *)img;
	FILE *f;

	for (uint32_t i = 0; i < a->m_header.m_numSections; i++) {
		const struct axlf_section_header *s = &a->m_sections[i];

		if (s->m_sectionKind != EMBEDDED_METADATA ||
		    s->m_sectionOffset + s->m_sectionSize > size)
			continue;
		f = fopen(path, "wb");
		if (!f)
			return -1;
		fwrite(img + s->m_sectionOffset, 1, s->m_sectionSize, f);
		fclose(f);
		return 0;
	}
	return -1;
}

/* Build a one-CU probe xclbin for "tiny", dump its XML; 0 on success. */
static int make_program(struct shim *s, char *xml, char *so, size_t cap)
{
	struct lf_xclbin_spec spec;
	uint8_t *img = NULL;
	size_t n = 0;
	char err[256];
	int rc;

	snprintf(so, cap, "%s/tests/emu_probe.so", lf_test_build_dir());
	snprintf(xml, cap, "%s/xmltmp", s->dir);
	memset(&spec, 0, sizeof(spec));
	spec.platform = lf__xclbin_platform_find("tiny");
	spec.bitstream = "x"; /* only the XML is used from this file */
	spec.bitstream_size = 1;
	spec.nkernels = 1;
	snprintf(spec.kernels[0].name, sizeof(spec.kernels[0].name),
		 "lfk_probe");
	spec.kernels[0].ncus = 1;
	if (lf__xclbin_build(&spec, &img, &n, err, sizeof(err)) != LF_OK)
		return -1;
	rc = write_xml(img, n, xml);
	free(img);
	return rc;
}

static int start_devproc(struct shim *s)
{
	char path[512];
	struct sockaddr_un sa;

	memset(s, 0, sizeof(*s));
	s->fd = s->listen_fd = -1;
	snprintf(s->user, sizeof(s->user), "lf-devproc-test-%ld",
		 (long)getpid());
	snprintf(s->dir, sizeof(s->dir), "/tmp/%s", s->user);
	mkdir(s->dir, 0700);
	snprintf(s->sock, sizeof(s->sock), "%s/device0_1_%ld", s->dir,
		 (long)getpid());
	unlink(s->sock);
	snprintf(path, sizeof(path),
		 "%s/xrt-swemu/vitis/data/emulation/unified/cpu_em/"
		 "generic_pcie/model/genericpciemodel",
		 lf_test_build_dir());
	if (access(path, X_OK) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->sock);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 ||
	    bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->listen_fd, 1) != 0)
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		setenv("USER", s->user, 1);
		setenv("EMULATION_SOCKETID", strrchr(s->sock, '/') + 1, 1);
		unsetenv(LF_SWEMU_KEEPER_ENV);
		/* The probe kernel is test code: the device process runs it
		 * only with the explicit opt-in (driver/emu/emu_trust.c). */
		setenv("LAYERFAB_TRUST_XCLBIN", "1", 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	if (s->pid < 0)
		return -1;
	s->fd = accept(s->listen_fd, NULL, NULL);
	return s->fd >= 0 ? 0 : -1;
}

static void stop_devproc(struct shim *s)
{
	char cmd[512];
	int status = 0;

	if (s->fd >= 0)
		close(s->fd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->pid > 0 && waitpid(s->pid, &status, WNOHANG) == 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static int load(struct shim *s, const char *xml, const char *so)
{
	XclLoadBitstreamCall c = XCL_LOAD_BITSTREAM_CALL__INIT;
	XclLoadBitstreamCall__Ddrbank b[2], *bp[2] = {&b[0], &b[1]};
	XclLoadBitstreamResponse *r;
	uint8_t *body;
	size_t n;
	int ack;

	for (int i = 0; i < 2; i++) {
		xcl_load_bitstream_call__ddrbank__init(&b[i]);
		b[i].has_size = 1;
		b[i].size = 64ull << 20;
	}
	c.has_xmlfile = c.has_dlopenfilename = c.has_devicename = 1;
	c.has_devicedirectory = 1;
	c.xmlfile.data = (uint8_t *)xml;
	c.xmlfile.len = strlen(xml);
	c.dlopenfilename.data = (uint8_t *)so;
	c.dlopenfilename.len = strlen(so);
	c.devicename.data = (uint8_t *)"layerfab_tiny_emu_1";
	c.devicename.len = strlen("layerfab_tiny_emu_1");
	c.devicedirectory.data = (uint8_t *)s->dir;
	c.devicedirectory.len = strlen(s->dir);
	c.n_ddrbanks = 2;
	c.ddrbanks = bp;
	call(s->fd, LF_SWEMU_LOAD_BITSTREAM, &c.base);
	body = reply(s->fd, &n);
	r = xcl_load_bitstream_response__unpack(NULL, n, body);
	ack = r && r->ack;
	if (r)
		xcl_load_bitstream_response__free_unpacked(r, NULL);
	free(body);
	return ack;
}

/* Allocate at @addr; the host-view file name (malloc'ed) or NULL. */
static char *alloc(struct shim *s, uint64_t addr, uint64_t size)
{
	XclAllocDeviceBufferCall c = XCL_ALLOC_DEVICE_BUFFER_CALL__INIT;
	XclAllocDeviceBufferResponse *r;
	uint8_t *body;
	char *file = NULL;
	size_t n;

	c.has_ddraddress = c.has_size = c.has_peertopeer = 1;
	c.ddraddress = addr;
	c.size = size;
	c.peertopeer = 1;
	call(s->fd, LF_SWEMU_ALLOC, &c.base);
	body = reply(s->fd, &n);
	r = xcl_alloc_device_buffer_response__unpack(NULL, n, body);
	if (r && r->ack && r->filename && r->filename[0])
		file = strdup(r->filename);
	if (r)
		xcl_alloc_device_buffer_response__free_unpacked(r, NULL);
	free(body);
	return file;
}

static void h2d(struct shim *s, uint64_t addr, const void *src, size_t size)
{
	XclCopyBufferHost2DeviceCall c =
	    XCL_COPY_BUFFER_HOST2_DEVICE_CALL__INIT;
	uint8_t *body;
	size_t n;

	c.has_dest = c.has_src = c.has_size = c.has_seek = 1;
	c.dest = addr;
	c.src.data = (uint8_t *)(uintptr_t)src;
	c.src.len = size;
	c.size = size;
	call(s->fd, LF_SWEMU_H2D, &c.base);
	body = reply(s->fd, &n);
	free(body);
}

static void d2h(struct shim *s, uint64_t addr, void *dst, size_t size)
{
	XclCopyBufferDevice2HostCall c =
	    XCL_COPY_BUFFER_DEVICE2_HOST_CALL__INIT;
	XclCopyBufferDevice2HostResponse *r;
	uint8_t *body;
	size_t n;

	c.has_src = c.has_size = 1;
	c.src = addr;
	c.size = size;
	call(s->fd, LF_SWEMU_D2H, &c.base);
	body = reply(s->fd, &n);
	r = xcl_copy_buffer_device2_host_response__unpack(NULL, n, body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->size, size);
	CU_ASSERT_EQUAL(r->dest.len, size);
	if (r->dest.len == size)
		memcpy(dst, r->dest.data, size);
	xcl_copy_buffer_device2_host_response__free_unpacked(r, NULL);
	free(body);
}

static void write_regs(struct shim *s, const uint32_t *regs, uint32_t words)
{
	XclWriteAddrKernelCtrlCall c = XCL_WRITE_ADDR_KERNEL_CTRL_CALL__INIT;
	uint8_t *body;
	size_t n;

	c.has_addr = c.has_size = c.has_data = 1;
	c.addr = CU_BASE;
	c.size = words * 4;
	c.data.data = (uint8_t *)(uintptr_t)regs;
	c.data.len = words * 4;
	call(s->fd, LF_SWEMU_WRITE_KERNEL_CTRL, &c.base);
	body = reply(s->fd, &n);
	free(body);
}

static uint32_t read_ctrl(int fd)
{
	XclReadAddrKernelCtrlCall c = XCL_READ_ADDR_KERNEL_CTRL_CALL__INIT;
	XclReadAddrKernelCtrlResponse *r;
	uint32_t v = 0xdeadbeef;
	uint8_t *body;
	size_t n;

	c.has_addr = c.has_size = 1;
	c.addr = CU_BASE;
	c.size = 4;
	call(fd, LF_SWEMU_READ_KERNEL_CTRL, &c.base);
	body = reply(fd, &n);
	r = xcl_read_addr_kernel_ctrl_response__unpack(NULL, n, body);
	if (r && r->valid && r->has_data && r->data.len == 4)
		memcpy(&v, r->data.data, 4);
	if (r)
		xcl_read_addr_kernel_ctrl_response__free_unpacked(r, NULL);
	free(body);
	return v;
}

static void put64(uint32_t *regs, uint32_t off, uint64_t v)
{
	regs[off / 4] = (uint32_t)v;
	regs[off / 4 + 1] = (uint32_t)(v >> 32);
}

/*
 * The whole protocol on one probe run: data reaches the kernel only
 * through H2D, arguments come from the register map at the XML offsets,
 * the control word reads AP_START while pending, AP_DONE|AP_IDLE once,
 * then AP_IDLE; the host's mapped file is not device memory; closeall=
 * false keeps the process, closeall=true ends it.
 */
static void test_protocol(void)
{
	enum { DESC = 0x1000, PAR = 0x4001000, ACT = 0x2000 };
	char xml[512], so[512], *f_desc, *f_par, *f_act;
	uint8_t par[64], act[128], out[128];
	uint32_t regs[0x48 / 4 + 1] = {0}, v;
	struct shim s;
	lf_desc d;
	int status = 0, spins = 0;

	CU_ASSERT_EQUAL_FATAL(start_devproc(&s), 0);
	CU_ASSERT_EQUAL_FATAL(make_program(&s, xml, so, sizeof(xml)), 0);
	CU_ASSERT(close_call(s.fd, 0));
	CU_ASSERT(load(&s, xml, so));
	f_desc = alloc(&s, DESC, LF_DESC_BYTES);
	f_par = alloc(&s, PAR, sizeof(par)); /* bank 1 */
	f_act = alloc(&s, ACT, sizeof(act));
	CU_ASSERT_PTR_NOT_NULL(f_desc);
	CU_ASSERT_PTR_NOT_NULL(f_act);
	CU_ASSERT(f_par && access(f_par, R_OK | W_OK) == 0);
	CU_ASSERT_PTR_NULL(alloc(&s, ACT, 16)); /* already allocated */
	memset(&d, 0, sizeof(d));
	d.magic = LF_DESC_MAGIC;
	d.mm_k = 16;
	d.y_off = 64;
	for (int i = 0; i < 64; i++)
		par[i] = (uint8_t)i;
	for (int i = 0; i < 128; i++)
		act[i] = (uint8_t)(2 * i);
	h2d(&s, DESC, &d, sizeof(d));
	h2d(&s, PAR, par, sizeof(par));
	h2d(&s, ACT, act, sizeof(act));
	/* Idle before any start. */
	CU_ASSERT_EQUAL(read_ctrl(s.fd), 0x4u);
	for (uint32_t a = 0; a < 6; a++) {
		uint32_t off = lf__xclbin_abi_offset(a);

		if (a == 0)
			put64(regs, off, DESC);
		else if (a == 2)
			put64(regs, off, PAR);
		else if (a == 4)
			put64(regs, off, ACT);
		else
			regs[off / 4] = a == 1 ? 1 : a == 3 ? 64 : 128;
	}
	write_regs(&s, regs, 0x48 / 4); /* control word 0: no start */
	CU_ASSERT_EQUAL(read_ctrl(s.fd), 0x4u);
	regs[0] = 1;
	write_regs(&s, regs, 0x48 / 4); /* AP_START */
	while ((v = read_ctrl(s.fd)) == 0x1u && spins++ < 100000)
		;
	CU_ASSERT_EQUAL(v, 0x6u); /* AP_DONE | AP_IDLE, once */
	CU_ASSERT_EQUAL(read_ctrl(s.fd), 0x4u);
	d2h(&s, ACT, out, sizeof(out));
	for (int i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(out[64 + i], (uint8_t)(2 * i + i));
	d2h(&s, DESC, &d, sizeof(d));
	CU_ASSERT_EQUAL(d.status, LF_KST_OK);
	/* The program is dropped on closeall=false, the process stays. */
	CU_ASSERT(close_call(s.fd, 0));
	CU_ASSERT_EQUAL(access(f_act, F_OK), -1); /* BO files are gone */
	CU_ASSERT_EQUAL(waitpid(s.pid, &status, WNOHANG), 0);
	CU_ASSERT(load(&s, xml, so));
	CU_ASSERT(close_call(s.fd, 1));
	CU_ASSERT_EQUAL(waitpid(s.pid, &status, 0), s.pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s.pid = 0;
	free(f_desc);
	free(f_par);
	free(f_act);
	stop_devproc(&s);
}

/* Is @pid a live process (not gone, not a zombie)? */
static int alive(pid_t pid)
{
	char path[64], buf[256], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* A device process whose parent is gone exits by itself (its parent here
 * is a short-lived intermediate process). */
static void test_parent_gone(void)
{
	struct shim s;
	int p[2];
	pid_t mid, grandchild = 0;

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	memset(&s, 0, sizeof(s));
	mid = fork();
	if (mid == 0) {
		close(p[0]);
		if (start_devproc(&s) != 0)
			_exit(1);
		if (write(p[1], &s.pid, sizeof(s.pid)) != sizeof(s.pid))
			_exit(1);
		_exit(0); /* the device process loses its parent */
	}
	close(p[1]);
	CU_ASSERT_EQUAL(read(p[0], &grandchild, sizeof(grandchild)),
			(ssize_t)sizeof(grandchild));
	close(p[0]);
	waitpid(mid, NULL, 0);
	CU_ASSERT_FATAL(grandchild > 0);
	/* It notices within its parent-poll period (250 ms). */
	for (int i = 0; i < 100 && alive(grandchild); i++)
		usleep(20000);
	CU_ASSERT_FALSE(alive(grandchild));
	snprintf(s.dir, sizeof(s.dir), "/tmp/lf-devproc-test-%ld", (long)mid);
	s.fd = s.listen_fd = -1;
	s.pid = 0;
	stop_devproc(&s);
}

struct tomb_arg {
	int fd;
	struct lf_swemu_state state;
};

static void *tomb_main(void *arg)
{
	struct tomb_arg *t = arg;

	lf__xrt_tomb_serve(t->fd, &t->state);
	return NULL;
}

/*
 * The stand-in for a dead device: a request in flight (its reply not
 * started) gets a reply every response type parses; later requests get
 * typed answers (pending runs read as done); it ends when the shim
 * closes the connection.
 */
static void test_tomb(void)
{
	struct tomb_arg t;
	XclCopyBufferDevice2HostResponse *d;
	XclReadAddrKernelCtrlResponse *r;
	pthread_t th;
	uint8_t *b, buf[64];
	size_t n;
	int sp[2];

	CU_ASSERT_EQUAL_FATAL(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	memset(&t, 0, sizeof(t));
	t.fd = sp[1];
	atomic_store(&t.state.busy_api, LF_SWEMU_D2H); /* died mid-request */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, tomb_main, &t), 0);
	b = reply(sp[0], &n); /* the in-flight D2H's answer */
	d = xcl_copy_buffer_device2_host_response__unpack(NULL, n, b);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (d) {
		CU_ASSERT_EQUAL(d->size, 0);
		xcl_copy_buffer_device2_host_response__free_unpacked(d, NULL);
	}
	/* The same bytes parse as an allocation reply. */
	{
		XclAllocDeviceBufferResponse *a =
		    xcl_alloc_device_buffer_response__unpack(NULL, n, b);

		CU_ASSERT(a && !a->ack);
		if (a)
			xcl_alloc_device_buffer_response__free_unpacked(a,
									NULL);
	}
	free(b);
	CU_ASSERT_EQUAL(read_ctrl(sp[0]), 0x6u);
	{
		XclCopyBufferDevice2HostCall c =
		    XCL_COPY_BUFFER_DEVICE2_HOST_CALL__INIT;

		c.has_size = 1;
		c.size = sizeof(buf);
		call(sp[0], LF_SWEMU_D2H, &c.base);
		b = reply(sp[0], &n);
		d = xcl_copy_buffer_device2_host_response__unpack(NULL, n, b);
		CU_ASSERT(d && d->size == sizeof(buf) &&
			  d->dest.len == sizeof(buf));
		if (d)
			xcl_copy_buffer_device2_host_response__free_unpacked(
			    d, NULL);
		/* Any answer also parses as a control-word read. */
		r = xcl_read_addr_kernel_ctrl_response__unpack(NULL, n, b);
		CU_ASSERT_PTR_NOT_NULL(r);
		if (r)
			xcl_read_addr_kernel_ctrl_response__free_unpacked(r,
									  NULL);
		free(b);
	}
	CU_ASSERT(close_call(sp[0], 1));
	close(sp[0]);
	CU_ASSERT_EQUAL(pthread_join(th, NULL), 0);
	close(sp[1]);
}

void lf_test_suite_xrt_devproc(void)
{
	static const struct lf_test_case cases[] = {
	    {"protocol", test_protocol},
	    {"parent_gone", test_parent_gone},
	    {"tomb", test_tomb},
	    {NULL, NULL},
	};
	lf_test_add_suite("xrt_devproc", NULL, NULL, cases);
}
#else
void lf_test_suite_xrt_devproc(void)
{
}
#endif
