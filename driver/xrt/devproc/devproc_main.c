/*
 * devproc_main.c - the device process: connect to the shim's socket, then
 * answer requests one at a time until xclClose(closeall=true).
 *
 * Lifecycle rules (reference xrt-swemu.md, sections 2.2, 2.3, 10):
 *   - the shim listens on /tmp/$USER/$EMULATION_SOCKETID (/tmp/xcl_sock
 *     without USER) after forking us, so we retry connect() every 10 ms
 *     for up to 300 s, giving up if our parent changes;
 *   - xclClose(closeall=true): reply, then exit (the shim waitpid()s);
 *     closeall=false: the shim loads another program next, stay;
 *   - never exit otherwise while the host is there: the shim spins
 *     forever on a closed socket. If the host is gone (end of stream on
 *     the socket, or our parent changed) there is nobody to answer, so
 *     exit then.
 *
 * Environment:
 *   LF_SWEMU_KEEPER_FD   set by layerfab's XRT backend: where to report
 *                        our pid, connection and request state
 *                        (keeper_send, swemu_wire.h)
 * and test hooks (driver/xrt/README.md):
 *   LF_SWEMU_VERBOSE=1   one line per request on stderr
 *   LF_SWEMU_HANG=N      the Nth run of each loaded program never ends
 *   LF_SWEMU_SLOW_MS=M   every run reports done no sooner than M ms
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "driver/xrt/devproc/devproc.h"
#include "driver/xrt/swemu_wire.h"
#include "swemu_rpc.pb-c.h"

#define CONNECT_TRIES  30000 /* x 10 ms = the shim's 300 s accept wait */
#define PARENT_POLL_MS 250

static struct dp g_dp;
/* The request state when no backend shares a page with us. */
static struct lf_swemu_state g_private_state;

void dp_log(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "genericpciemodel[layerfab %ld]: ", (long)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t env_u64(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : 0;
}

/* The shim's socket path (unix_socket.cxx in XRT 2022.1 common_em). */
static int socket_path(struct sockaddr_un *sa)
{
	const char *user = getenv("USER");
	const char *id = getenv("EMULATION_SOCKETID");
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (user)
		n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/tmp/%s/%s",
			     user, id && *id ? id : "xcl_sock");
	else
		n = snprintf(sa->sun_path, sizeof(sa->sun_path),
			     "/tmp/xcl_sock");
	return n > 0 && (size_t)n < sizeof(sa->sun_path) ? 0 : -1;
}

static int connect_shim(struct dp *d)
{
	struct sockaddr_un sa;

	if (socket_path(&sa) != 0) {
		dp_log("socket path too long");
		return -1;
	}
	for (int i = 0; i < CONNECT_TRIES && getppid() == d->ppid; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	dp_log("no shim is listening on %s", sa.sun_path);
	return -1;
}

/* Copy a protobuf bytes field into a C string (truncating). */
static void cstr(char *dst, size_t cap, const ProtobufCBinaryData *b)
{
	size_t n = b->len < cap - 1 ? b->len : cap - 1;

	if (n)
		memcpy(dst, b->data, n);
	dst[n] = '\0';
}

static void on_load(struct dp *d, const XclLoadBitstreamCall *c,
		    XclLoadBitstreamResponse *r)
{
	char xml[PATH_MAX], so[PATH_MAX], name[256], dir[PATH_MAX];
	uint64_t banks[DP_MAX_BANKS];
	uint32_t nb = 0;

	cstr(xml, sizeof(xml), &c->xmlfile);
	cstr(so, sizeof(so), &c->dlopenfilename);
	cstr(name, sizeof(name), &c->devicename);
	cstr(dir, sizeof(dir), &c->devicedirectory);
	if (dir[0])
		snprintf(d->devdir, sizeof(d->devdir), "%s", dir);
	for (size_t i = 0; i < c->n_ddrbanks && nb < DP_MAX_BANKS; i++)
		banks[nb++] = c->ddrbanks[i]->size;
	/* The shim's "temp process" load carries no program. */
	r->ack = !xml[0] || dp_load(d, xml, so, name, banks, nb) == 0;
}

static void on_alloc(struct dp *d, const XclAllocDeviceBufferCall *c,
		     XclAllocDeviceBufferResponse *r)
{
	const char *file = NULL;

	r->ack = dp_alloc(d, c->ddraddress, c->size, c->peertopeer, &file) == 0;
	r->filename = (char *)(file ? file : "");
}

/*
 * Tell the XRT backend in the host (if it asked, LF_SWEMU_KEEPER_FD) our
 * pid, a duplicate of our connection to the shim and a page showing which
 * request we are in, so it can answer the shim for us if we die
 * (swemu_wire.h, driver/xrt/xrt_swemu.c).
 */
static void keeper_send(struct dp *d)
{
	const char *v = getenv(LF_SWEMU_KEEPER_ENV);
	int keeper = v && *v ? atoi(v) : -1;
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	int32_t pid = (int32_t)getpid();
	struct iovec io = {&pid, sizeof(pid)};
	struct msghdr m;
	struct cmsghdr *c;
	int fds[2] = {d->fd, -1};
	void *page;

	d->state = &g_private_state;
	unsetenv(LF_SWEMU_KEEPER_ENV);
	if (keeper < 0)
		return;
	fds[1] = memfd_create("lf-swemu-state", MFD_CLOEXEC);
	page = fds[1] >= 0 && ftruncate(fds[1], 4096) == 0
		   ? mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			  fds[1], 0)
		   : MAP_FAILED;
	if (page != MAP_FAILED) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = &io;
		m.msg_iovlen = 1;
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
		if (sendmsg(keeper, &m, MSG_NOSIGNAL) == (ssize_t)sizeof(pid))
			d->state = page;
		else
			munmap(page, 4096);
	}
	if (fds[1] >= 0)
		close(fds[1]);
	close(keeper);
}

/* Wait for the next request's header and note its API number before
 * consuming any of it; 0, or -1 when the host is gone. */
static int peek_request(struct dp *d)
{
	uint8_t hdr[LF_SWEMU_CALL_HDR];

	for (;;) {
		struct pollfd p = {d->fd, POLLIN, 0};
		int rc = poll(&p, 1, PARENT_POLL_MS);
		ssize_t n;

		if (getppid() != d->ppid) {
			dp_log("the host process is gone; exiting");
			return -1;
		}
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc <= 0)
			continue;
		n = recv(d->fd, hdr, sizeof(hdr), MSG_PEEK);
		if (n == 0 || (n < 0 && errno != EINTR))
			return -1;
		if (n == (ssize_t)sizeof(hdr))
			break;
		usleep(100); /* the rest of the header is on its way */
	}
	atomic_store(&d->state->busy_api, lf__swemu_peek_api(hdr)
					      ? lf__swemu_peek_api(hdr)
					      : UINT32_MAX);
	return 0;
}

/* Handle one request of kind @api; 1 when the process should exit. */
static int dispatch(struct dp *d, uint32_t api, const uint8_t *b, size_t n);

static void serve(struct dp *d)
{
	for (;;) {
		uint8_t *body = NULL;
		uint32_t api = 0;
		size_t len = 0;
		int rc;

		if (peek_request(d) != 0)
			return;
		rc = lf__swemu_read_call(d->fd, &api, &body, &len);
		if (rc != 0) {
			if (rc == -1)
				dp_log("reading a request: %s",
				       strerror(errno));
			return; /* the host closed the socket */
		}
		if (d->verbose)
			fprintf(stderr, "devproc: api %u, %zu bytes\n", api,
				len);
		rc = dispatch(d, api, body, len);
		free(body);
		atomic_store(&d->state->replying, 0);
		atomic_store(&d->state->busy_api, 0);
		if (rc)
			return;
	}
}

int main(int argc, char **argv)
{
	struct dp *d = &g_dp;
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv; /* -debug -ppid ... only matter to Xilinx's model */
	d->ppid = getppid();
	d->verbose = env_u64("LF_SWEMU_VERBOSE") != 0;
	d->hang_nth = (uint32_t)env_u64("LF_SWEMU_HANG");
	d->slow_ms = env_u64("LF_SWEMU_SLOW_MS");
	snprintf(d->devdir, sizeof(d->devdir), "%s",
		 tmp && *tmp ? tmp : "/tmp");
	d->fd = connect_shim(d);
	if (d->fd < 0)
		return 1;
	keeper_send(d);
	serve(d);
	dp_drop_program(d);
	close(d->fd);
	free(d->bos);
	return 0;
}

/* Every reply goes through here: the shared state must show that it is
 * being written (struct lf_swemu_state). */
static void reply(struct dp *d, const ProtobufCMessage *msg)
{
	atomic_store(&d->state->replying, 1);
	if (msg)
		lf__swemu_reply(d->fd, msg);
	else
		lf__swemu_reply_default(d->fd);
}

#define REPLY(msg) reply(d, &(msg).base)

static int on_close(struct dp *d, const uint8_t *b, size_t n)
{
	XclCloseCall *c = xcl_close_call__unpack(NULL, n, b);
	XclCloseResponse r = XCL_CLOSE_RESPONSE__INIT;
	int all = c && c->closeall;

	if (c)
		xcl_close_call__free_unpacked(c, NULL);
	/* closeall=false comes before every program load: forget the old
	 * program and its buffers (the shim's memory managers restart too). */
	dp_drop_program(d);
	r.valid = 1;
	REPLY(r);
	return all;
}

static void on_copy(struct dp *d, uint32_t api, const uint8_t *b, size_t n)
{
	if (api == LF_SWEMU_H2D) {
		XclCopyBufferHost2DeviceCall *c =
		    xcl_copy_buffer_host2_device_call__unpack(NULL, n, b);
		XclCopyBufferHost2DeviceResponse r =
		    XCL_COPY_BUFFER_HOST2_DEVICE_RESPONSE__INIT;

		/* dest already includes the seek offset (do not add it). */
		if (c && c->src.len >= c->size &&
		    dp_h2d(d, c->dest, c->src.data, c->size) == 0)
			r.size = c->size;
		if (c)
			xcl_copy_buffer_host2_device_call__free_unpacked(c,
									 NULL);
		REPLY(r);
	} else {
		XclCopyBufferDevice2HostCall *c =
		    xcl_copy_buffer_device2_host_call__unpack(NULL, n, b);
		XclCopyBufferDevice2HostResponse r =
		    XCL_COPY_BUFFER_DEVICE2_HOST_RESPONSE__INIT;
		uint8_t *buf = c && c->size ? calloc(1, c->size) : NULL;

		/* The host copies r.size bytes without a bounds check:
		 * always exactly what it asked for (zeros on a failure,
		 * which is logged). */
		if (buf) {
			dp_d2h(d, c->src, buf, c->size);
			r.size = c->size;
			r.dest.data = buf;
			r.dest.len = c->size;
		}
		if (c)
			xcl_copy_buffer_device2_host_call__free_unpacked(c,
									 NULL);
		REPLY(r);
		free(buf);
	}
}

static void on_ctrl(struct dp *d, uint32_t api, const uint8_t *b, size_t n)
{
	if (api == LF_SWEMU_WRITE_KERNEL_CTRL) {
		XclWriteAddrKernelCtrlCall *c =
		    xcl_write_addr_kernel_ctrl_call__unpack(NULL, n, b);
		XclWriteAddrKernelCtrlResponse r =
		    XCL_WRITE_ADDR_KERNEL_CTRL_RESPONSE__INIT;

		if (c) {
			dp_ctrl_write(d, c->addr, c->data.data,
				      (uint32_t)c->data.len);
			xcl_write_addr_kernel_ctrl_call__free_unpacked(c, NULL);
		}
		r.valid = c != NULL;
		REPLY(r);
	} else {
		XclReadAddrKernelCtrlCall *c =
		    xcl_read_addr_kernel_ctrl_call__unpack(NULL, n, b);
		XclReadAddrKernelCtrlResponse r =
		    XCL_READ_ADDR_KERNEL_CTRL_RESPONSE__INIT;
		uint32_t size = c && c->size <= 4096 ? c->size : 0;
		uint8_t buf[4096];

		if (c) {
			dp_ctrl_read(d, c->addr, buf, size);
			xcl_read_addr_kernel_ctrl_call__free_unpacked(c, NULL);
		}
		r.valid = c != NULL;
		r.has_data = 1;
		r.data.data = buf;
		r.data.len = size;
		REPLY(r);
	}
}

static void on_reg(struct dp *d, uint32_t api, const uint8_t *b, size_t n)
{
	if (api == LF_SWEMU_REG_WRITE) {
		XclRegWriteCall *c = xcl_reg_write_call__unpack(NULL, n, b);
		XclRegWriteResponse r = XCL_REG_WRITE_RESPONSE__INIT;

		if (c) {
			dp_ctrl_write(d, (uint64_t)c->baseaddress + c->offset,
				      c->data.data, (uint32_t)c->data.len);
			xcl_reg_write_call__free_unpacked(c, NULL);
		}
		r.valid = c != NULL;
		REPLY(r);
	} else {
		XclRegReadCall *c = xcl_reg_read_call__unpack(NULL, n, b);
		XclRegReadResponse r = XCL_REG_READ_RESPONSE__INIT;
		uint32_t size = c && c->size <= 4096 ? c->size : 0;
		uint8_t buf[4096];

		if (c) {
			dp_ctrl_read(d, (uint64_t)c->baseaddress + c->offset,
				     buf, size);
			xcl_reg_read_call__free_unpacked(c, NULL);
		}
		r.valid = c != NULL;
		r.has_data = 1;
		r.data.data = buf;
		r.data.len = size;
		REPLY(r);
	}
}

static int dispatch(struct dp *d, uint32_t api, const uint8_t *b, size_t n)
{
	switch (api) {
	case LF_SWEMU_CLOSE:
		return on_close(d, b, n);
	case LF_SWEMU_LOAD_BITSTREAM: {
		XclLoadBitstreamCall *c =
		    xcl_load_bitstream_call__unpack(NULL, n, b);
		XclLoadBitstreamResponse r = XCL_LOAD_BITSTREAM_RESPONSE__INIT;

		if (c) {
			on_load(d, c, &r);
			xcl_load_bitstream_call__free_unpacked(c, NULL);
		}
		REPLY(r);
		return 0;
	}
	case LF_SWEMU_ALLOC: {
		XclAllocDeviceBufferCall *c =
		    xcl_alloc_device_buffer_call__unpack(NULL, n, b);
		XclAllocDeviceBufferResponse r =
		    XCL_ALLOC_DEVICE_BUFFER_RESPONSE__INIT;

		if (c)
			on_alloc(d, c, &r);
		REPLY(r);
		if (c)
			xcl_alloc_device_buffer_call__free_unpacked(c, NULL);
		return 0;
	}
	case LF_SWEMU_FREE: {
		XclFreeDeviceBufferCall *c =
		    xcl_free_device_buffer_call__unpack(NULL, n, b);
		XclFreeDeviceBufferResponse r =
		    XCL_FREE_DEVICE_BUFFER_RESPONSE__INIT;

		r.ack = c && dp_free(d, c->ddraddress) == 0;
		if (c)
			xcl_free_device_buffer_call__free_unpacked(c, NULL);
		REPLY(r);
		return 0;
	}
	case LF_SWEMU_H2D:
	case LF_SWEMU_D2H:
		on_copy(d, api, b, n);
		return 0;
	case LF_SWEMU_WRITE_KERNEL_CTRL:
	case LF_SWEMU_READ_KERNEL_CTRL:
		on_ctrl(d, api, b, n);
		return 0;
	case LF_SWEMU_REG_WRITE:
	case LF_SWEMU_REG_READ:
		on_reg(d, api, b, n);
		return 0;
	default:
		/* Stream setup (xclSetupInstance) and anything else. */
		if (d->verbose)
			dp_log("request %u answered with the default reply",
			       api);
		reply(d, NULL);
		return 0;
	}
}
