/*
 * swemu_wire.h - framing of XRT's software-emulation RPC protocol, shared
 * by the device process (driver/xrt/devproc/) and the XRT backend's
 * lost-device responder (xrt_tomb.c). Internal to driver/xrt/.
 *
 * A Unix stream socket between the sw_emu shim (libxrt_swemu, in the host
 * process) and the device process it forks. Requests come from the shim,
 * replies from the device, strictly one at a time
 * (/work/shared/reference/xrt-swemu.md, section 5):
 *
 *   request: call_packet_info      14 bytes: 0x09 <size:fixed64 LE>
 *                                            0x15 <xcl_api:fixed32 LE>
 *            <api>_call            size bytes of protobuf (proto2)
 *   reply:   response_packet_info   9 bytes: 0x09 <size:fixed64 LE>
 *            <api>_response        size bytes
 *
 * The reply header never carries xcl_api: the shim reads exactly the 9
 * bytes a header with only `size` takes, so a longer one desynchronises
 * the stream. Messages are described in swemu_rpc.proto; API numbers are
 * the xcl*_n values of <xrt/xcl_macros.h>.
 */
#ifndef LF_DRIVER_XRT_SWEMU_WIRE_H
#define LF_DRIVER_XRT_SWEMU_WIRE_H

#include <protobuf-c/protobuf-c.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* API numbers used here (<xrt/xcl_macros.h>, XRT 2022.1). */
#define LF_SWEMU_CLOSE		   1u
#define LF_SWEMU_LOAD_BITSTREAM	   3u
#define LF_SWEMU_ALLOC		   4u
#define LF_SWEMU_FREE		   5u
#define LF_SWEMU_H2D		   6u
#define LF_SWEMU_D2H		   7u
#define LF_SWEMU_WRITE_KERNEL_CTRL 9u
#define LF_SWEMU_READ_KERNEL_CTRL  11u
#define LF_SWEMU_REG_WRITE	   51u
#define LF_SWEMU_REG_READ	   52u

#define LF_SWEMU_CALL_HDR  14u /* bytes of a request header */
#define LF_SWEMU_REPLY_HDR 9u  /* bytes of a reply header */
/* Largest call body accepted: the shim's copies come in chunks of
 * SW_EMU_PACKET_SIZE (default 8 MiB); anything near this is garbage. */
#define LF_SWEMU_MAX_BODY (1ull << 31)

/*
 * lf__swemu_read_full() / lf__swemu_write_full() - move exactly @n bytes,
 * retrying on EINTR. Return 0; -1 with errno on an error; -2 on end of
 * stream (read only; the peer closed the socket).
 */
int lf__swemu_read_full(int fd, void *buf, size_t n);
int lf__swemu_write_full(int fd, const void *buf, size_t n);

/*
 * lf__swemu_read_call() - read one request: its API number into *api and
 * its body into *body (malloc'ed, *len bytes; NULL when 0 bytes).
 * Return 0; -1 (I/O error or a malformed header, errno set); -2 (end of
 * stream before a new request began).
 */
int lf__swemu_read_call(int fd, uint32_t *api, uint8_t **body, size_t *len);

/*
 * lf__swemu_reply() - send @msg with a 9-byte header, header and body in
 * one write() where the socket takes it. Return 0 or -1 with errno.
 */
int lf__swemu_reply(int fd, const ProtobufCMessage *msg);

/*
 * lf__swemu_reply_default() - the reply for a request nothing better is
 * known for: field 1 = 0 (varint) and field 2 = "" (length-delimited).
 * Every response type of the protocol parses it, required fields
 * included (field 1 is valid / ack / size, field 2 data / dest /
 * filename), as "not valid, nothing": the shim's build keeps its
 * assert()s, so a reply missing a required field aborts the host.
 */
int lf__swemu_reply_default(int fd);

/*
 * The keeper channel between layerfab's device process and the XRT
 * backend in the host (driver/xrt/xrt_swemu.c). The backend names a
 * socket in LF_SWEMU_KEEPER_FD before the shim forks the device process;
 * once connected to the shim, the device process sends on it one message:
 * its pid (int32) with two descriptors (SCM_RIGHTS): a duplicate of its
 * connection to the shim, and a shared page holding struct
 * lf_swemu_state. With them the backend can stand in for the device if
 * it dies, knowing whether a request was in progress.
 */
#define LF_SWEMU_KEEPER_ENV "LF_SWEMU_KEEPER_FD"

struct lf_swemu_state {
	/* The API number of the request being read or answered (set from
	 * a peek at its header before any byte of it is consumed, cleared
	 * once its reply is written), 0 between requests. */
	_Atomic uint32_t busy_api;
	/* Set just before the reply to that request is written (in one
	 * write, lf__swemu_reply), cleared with busy_api. A process killed
	 * inside that write has, in practice, written all of it: the
	 * kill takes effect when the call returns. */
	_Atomic uint32_t replying;
};

/* The API number in a request header (LF_SWEMU_CALL_HDR bytes), or 0. */
uint32_t lf__swemu_peek_api(const uint8_t *hdr);

#endif /* LF_DRIVER_XRT_SWEMU_WIRE_H */
