/*
 * xrt_tomb.c - answering the sw_emu shim after its device process died.
 *
 * When the device process dies, the shim in this process is left waiting
 * for a reply that never comes: the read loops on end of file forever at
 * 100% CPU, holding the shim's RPC mutex, so every later XRT call that
 * needs the device waits behind it (reference xrt-swemu.md, pitfall 5).
 * The backend keeps a duplicate of the device's end of the connection
 * (xrt_swemu.c), so the connection stays open when the process dies; the
 * watchdog then serves that end here, as a device that answers everything
 * and does nothing:
 *
 *   xclClose                  valid (the shim then reaps the dead process)
 *   xclReadAddrKernelCtrl     AP_DONE | AP_IDLE, so the shim's scheduler
 *                             retires pending runs instead of polling
 *                             them forever
 *   xclCopyBufferDevice2Host  exactly the requested size, zeros (the shim
 *                             copies the reply's size without a check)
 *   xclAllocDeviceBuffer,     refused (ack = false)
 *   xclLoadBitstream
 *   everything else           acknowledged with defaults
 *
 * Every reply has a field 1 (varint) and a field 2 (bytes), whatever the
 * request: so it carries every required field of every response type
 * (the shim assert()s that a reply parses; Debian's build keeps
 * assert()s), and would still parse if it were read as the reply to
 * another request.
 *
 * It serves until the shim closes the connection (after xclClose with
 * closeall), which XRT may do well after lf__dev_close, from one of its
 * own threads, when it drops its last reference to the device.
 *
 * The backend has already marked the device lost, so none of these
 * answers reaches the application as data: its calls fail with
 * LF_ERR_DEVICE_LOST, while XRT's own state winds down and buffers, runs
 * and the device can be released normally.
 *
 * A request may have been in flight when the process died. The device
 * process notes in a page it shares with the backend which request it is
 * in, from before it consumes any byte of it until its reply is written,
 * and when it starts writing that reply (struct lf_swemu_state). If a
 * request was in progress and its reply not started, whatever is left of
 * the request in the connection is dropped and it gets
 * lf__swemu_reply_default(), which every response type parses as "not
 * valid / nothing / size 0", so the waiting call returns without touching
 * memory. If the reply was started, it was written (one write, and a
 * kill takes effect when the call returns). Then requests are read and
 * answered in order. (A reply of megabytes can be cut by the kill and
 * leave the shim waiting for the rest: not recoverable here; the
 * harness timeout is the net.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "driver/xrt/swemu_wire.h"
#include "driver/xrt/xrt_impl.h"
#include "swemu_rpc.pb-c.h"

#define AP_DONE_IDLE 0x6u

static void answer_ctrl_read(int fd, const uint8_t *b, size_t n)
{
	XclReadAddrKernelCtrlCall *c =
	    xcl_read_addr_kernel_ctrl_call__unpack(NULL, n, b);
	XclReadAddrKernelCtrlResponse r =
	    XCL_READ_ADDR_KERNEL_CTRL_RESPONSE__INIT;
	uint8_t data[4096] = {0};
	uint32_t size = c && c->size <= sizeof(data) ? c->size : 0;

	if (c)
		xcl_read_addr_kernel_ctrl_call__free_unpacked(c, NULL);
	data[0] = AP_DONE_IDLE;
	r.valid = 1;
	r.has_data = 1;
	r.data.data = data;
	r.data.len = size;
	lf__swemu_reply(fd, &r.base);
}

static void answer_d2h(int fd, const uint8_t *b, size_t n)
{
	XclCopyBufferDevice2HostCall *c =
	    xcl_copy_buffer_device2_host_call__unpack(NULL, n, b);
	XclCopyBufferDevice2HostResponse r =
	    XCL_COPY_BUFFER_DEVICE2_HOST_RESPONSE__INIT;
	uint8_t *zeros = c && c->size ? calloc(1, c->size) : NULL;

	if (zeros) {
		r.size = c->size;
		r.dest.data = zeros;
		r.dest.len = c->size;
	}
	if (c)
		xcl_copy_buffer_device2_host_call__free_unpacked(c, NULL);
	lf__swemu_reply(fd, &r.base);
	free(zeros);
}

static void answer(int fd, uint32_t api, const uint8_t *b, size_t n)
{
	switch (api) {
	case LF_SWEMU_READ_KERNEL_CTRL:
		answer_ctrl_read(fd, b, n);
		break;
	case LF_SWEMU_D2H:
		answer_d2h(fd, b, n);
		break;
	case LF_SWEMU_H2D: {
		/* size (field 1) as asked, and an empty field 2 */
		XclCopyBufferHost2DeviceCall *c =
		    xcl_copy_buffer_host2_device_call__unpack(NULL, n, b);
		XclCopyBufferDevice2HostResponse r =
		    XCL_COPY_BUFFER_DEVICE2_HOST_RESPONSE__INIT;

		r.size = c ? c->size : 0;
		if (c)
			xcl_copy_buffer_host2_device_call__free_unpacked(c,
									 NULL);
		lf__swemu_reply(fd, &r.base);
		break;
	}
	case LF_SWEMU_CLOSE:
	case LF_SWEMU_WRITE_KERNEL_CTRL:
	case LF_SWEMU_REG_WRITE:
	case LF_SWEMU_FREE: {
		/* valid / ack = 1 (field 1) and an empty field 2 */
		XclReadAddrKernelCtrlResponse r =
		    XCL_READ_ADDR_KERNEL_CTRL_RESPONSE__INIT;

		r.valid = 1;
		r.has_data = 1;
		lf__swemu_reply(fd, &r.base);
		break;
	}
	default:
		/* Allocations and loads are refused, the rest "not valid". */
		lf__swemu_reply_default(fd);
		break;
	}
}

static void drain(int fd)
{
	uint8_t junk[4096];

	while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
}

void lf__xrt_tomb_serve(int fd, const struct lf_swemu_state *state)
{
	if (state && atomic_load(&state->busy_api) &&
	    !atomic_load(&state->replying)) {
		drain(fd);
		lf__swemu_reply_default(fd);
	}
	for (;;) {
		uint8_t *body = NULL;
		uint32_t api = 0;
		size_t len = 0;
		int rc;

		rc = lf__swemu_read_call(fd, &api, &body, &len);
		if (rc == -2 || (rc != 0 && errno != EPROTO))
			return; /* the shim closed its end */
		if (rc != 0) {
			/* The dead process had read part of a request: drop
			 * what is left of it and answer it blindly. */
			drain(fd);
			lf__swemu_reply_default(fd);
			continue;
		}
		answer(fd, api, body, len);
		free(body);
	}
}
