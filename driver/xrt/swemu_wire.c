/*
 * swemu_wire.c - reading requests and writing replies of the sw_emu RPC
 * protocol (swemu_wire.h). The headers go through protobuf-c like the
 * bodies, so the field tags and widths come from swemu_rpc.proto rather
 * than from byte offsets written here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/xrt/swemu_wire.h"
#include "swemu_rpc.pb-c.h"

int lf__swemu_read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return -2;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int lf__swemu_write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int lf__swemu_read_call(int fd, uint32_t *api, uint8_t **body, size_t *len)
{
	uint8_t hdr[LF_SWEMU_CALL_HDR];
	CallPacketInfo *ci;
	uint8_t *b = NULL;
	uint64_t size;
	int rc;

	rc = lf__swemu_read_full(fd, hdr, sizeof(hdr));
	if (rc != 0)
		return rc;
	ci = call_packet_info__unpack(NULL, sizeof(hdr), hdr);
	if (!ci || !ci->has_xcl_api || ci->size > LF_SWEMU_MAX_BODY) {
		if (ci)
			call_packet_info__free_unpacked(ci, NULL);
		errno = EPROTO;
		return -1;
	}
	size = ci->size;
	*api = ci->xcl_api;
	call_packet_info__free_unpacked(ci, NULL);
	if (size > 0) {
		b = malloc((size_t)size);
		if (!b)
			return -1;
		rc = lf__swemu_read_full(fd, b, (size_t)size);
		if (rc != 0) {
			free(b);
			/* A request cut in the middle is an error, not a
			 * clean end of stream. */
			if (rc == -2)
				errno = EPIPE;
			return -1;
		}
	}
	*body = b;
	*len = (size_t)size;
	return 0;
}

int lf__swemu_reply(int fd, const ProtobufCMessage *msg)
{
	ResponsePacketInfo ri = RESPONSE_PACKET_INFO__INIT;
	size_t n = protobuf_c_message_get_packed_size(msg), hn;
	uint8_t *b = malloc(LF_SWEMU_REPLY_HDR + 16 + n);
	int rc;

	if (!b)
		return -1;
	ri.size = n;
	hn = response_packet_info__pack(&ri, b);
	if (hn != LF_SWEMU_REPLY_HDR) {
		free(b);
		errno = EPROTO;
		return -1;
	}
	protobuf_c_message_pack(msg, b + hn);
	rc = lf__swemu_write_full(fd, b, hn + n);
	free(b);
	return rc;
}

int lf__swemu_reply_default(int fd)
{
	/* As a D2H response: size = 0 (field 1), dest = "" (field 2). */
	XclCopyBufferDevice2HostResponse r =
	    XCL_COPY_BUFFER_DEVICE2_HOST_RESPONSE__INIT;

	return lf__swemu_reply(fd, &r.base);
}

uint32_t lf__swemu_peek_api(const uint8_t *hdr)
{
	CallPacketInfo *ci =
	    call_packet_info__unpack(NULL, LF_SWEMU_CALL_HDR, hdr);
	uint32_t api = ci && ci->has_xcl_api ? ci->xcl_api : 0;

	if (ci)
		call_packet_info__free_unpacked(ci, NULL);
	return api;
}
