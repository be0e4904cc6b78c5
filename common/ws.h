/*
 * Copyright (c) 2026 The sws authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * RFC 6455 framing, both directions.  The receive side is an incremental
 * parser fed with whatever a read returned: it checks every header before
 * it trusts a length, unmasks in place, reassembles fragmented messages
 * with control frames interleaved, validates text as UTF-8 as it arrives,
 * and hands each complete message or control frame to a callback.  A whole
 * unfragmented frame found in the caller's buffer is delivered in place,
 * without a copy or an allocation.
 *
 * The send side writes frame headers; payloads are the caller's.
 */
#ifndef SWS_WS_H
#define SWS_WS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WS_OP_CONT	0x0
#define WS_OP_TEXT	0x1
#define WS_OP_BINARY	0x2
#define WS_OP_CLOSE	0x8
#define WS_OP_PING	0x9
#define WS_OP_PONG	0xa

/* Close codes (RFC 6455 section 7.4.1, docs/WIRE.md section 5). */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_UNSUPPORTED	1003
#define WS_CLOSE_NO_STATUS	1005	/* never sent */
#define WS_CLOSE_BAD_DATA	1007
#define WS_CLOSE_POLICY		1008
#define WS_CLOSE_TOO_BIG	1009
#define WS_CLOSE_INTERNAL	1011
#define WS_CLOSE_RESTART	1012
#define WS_CLOSE_TRY_AGAIN	1013
/* sws/1's own codes (4000-4999, private use) are in sws1.h. */

#define WS_MAX_HEADER		14	/* 2 + 8 length + 4 mask */
#define WS_MAX_CONTROL		125
#define WS_MAX_FRAGMENTS	64	/* data frames per message, final included */
#define WS_ACCEPT_LEN		28	/* Sec-WebSocket-Accept, without NUL */

/*
 * Called once per complete data message (WS_OP_TEXT or WS_OP_BINARY, text
 * already validated) and once per control frame (WS_OP_CLOSE with its
 * payload already checked: empty, or a valid code and UTF-8 reason;
 * WS_OP_PING; WS_OP_PONG).  data is writable and valid only during the
 * call.  Return 0 to go on, non-zero to make ws_rx_feed() return at once.
 */
typedef int (*ws_msg_cb)(void *arg, int opcode, uint8_t *data, size_t len);

/*
 * Receive state of one connection; zeroed by ws_rx_init().  A server
 * holds one per client, so it is packed: lengths are 32 bits, since
 * ws_rx_feed() takes no message of 4G or more.
 */
struct ws_rx {
	uint8_t		*msg;		/* reassembly buffer, NULL when idle */
	/* a control frame split across reads, gathered; else NULL */
	uint8_t		*ctl;
	uint32_t	 remaining;	/* payload bytes left in this frame */
	uint32_t	 msg_len;	/* bytes of the message so far */
	uint32_t	 msg_cap;
	uint16_t	 failcode;	/* close code of the violation found */
	uint8_t		 utf8;		/* DFA state of the text message */
	uint8_t		 expect_mask;	/* 1: peer is a client (server side) */
	uint8_t		 in_frame;	/* header done, payload pending */
	uint8_t		 opcode;	/* opcode of the current frame */
	uint8_t		 fin;
	uint8_t		 masked;
	uint8_t		 mask[4];
	uint8_t		 maskoff;	/* 0..3: mask index of next byte */
	uint8_t		 msg_opcode;	/* TEXT/BINARY in progress, or 0 */
	uint8_t		 nfrag;		/* data frames in this message */
	uint8_t		 hdr_len;	/* bytes of a partial header in hdr */
	uint8_t		 ctl_len;	/* bytes of control payload in ctl */
	uint8_t		 closed;	/* a close frame was delivered */
	uint8_t		 any_frags;	/* no WS_MAX_FRAGMENTS (echo only) */
	uint8_t		 hdr[WS_MAX_HEADER];
};

/*
 * expect_mask: 1 on a server (client frames must be masked, 1002
 * otherwise), 0 on a client (server frames must not be masked).
 */
void	ws_rx_init(struct ws_rx *, int expect_mask);
/*
 * Lift the limit of WS_MAX_FRAGMENTS data frames per message (sws/1 has
 * it; a plain WebSocket echo service for conformance suites does not).
 * max_message still bounds the message.
 */
void	ws_rx_any_fragments(struct ws_rx *);
/* Free the reassembly buffer. */
void	ws_rx_free(struct ws_rx *);

/*
 * Feed len bytes received from the peer; buf is modified (unmasked in
 * place).  Returns the number of bytes consumed: len, or fewer when the
 * callback asked to stop (the caller keeps the rest and feeds it again
 * later).  Returns -1 on a violation with *closecode set: 1002 protocol
 * error (reserved bits, unknown opcode, bad masking, fragmented or
 * oversized control frame, continuation without a message, new message
 * inside a fragmented one, non-minimal or 2^63+ length, bad close
 * payload), 1007 invalid UTF-8 in a text message or close reason, 1009
 * message over max_message bytes or over WS_MAX_FRAGMENTS data frames,
 * 1011 when memory could not be had.  After a close frame was delivered,
 * further bytes are ignored (consumed).  After a violation every call
 * returns -1 with the same code: the parser stopped inside something it
 * refused (a header it did not finish checking) and cannot go on.
 */
ssize_t	ws_rx_feed(struct ws_rx *, size_t max_message, uint8_t *buf,
	    size_t len, ws_msg_cb cb, void *arg, int *closecode);

/*
 * Write the header of an unmasked frame (server to client) with FIN set.
 * out must hold WS_MAX_HEADER bytes; returns the header length (2, 4 or
 * 10).
 */
size_t	ws_header(uint8_t *out, int opcode, uint64_t len);
/* The length ws_header() writes for a payload of len bytes. */
size_t	ws_header_len(uint64_t len);
/*
 * Write the header of a masked frame (client to server) with FIN set and
 * the given mask key; returns its length (6, 8 or 14).  The caller masks
 * the payload with ws_mask().
 */
size_t	ws_header_masked(uint8_t *out, int opcode, uint64_t len,
	    const uint8_t mask[4]);
/* XOR p[0..len) with the mask, starting at mask index off (0..3). */
void	ws_mask(uint8_t *p, size_t len, const uint8_t mask[4], size_t off);
/* 1 when code may appear in a close frame on the wire. */
int	ws_close_code_valid(unsigned int code);

/*
 * Sec-WebSocket-Accept for a Sec-WebSocket-Key of keylen bytes: base64 of
 * SHA-1(key GUID), RFC 6455 section 4.2.2; out gets WS_ACCEPT_LEN
 * characters and a NUL.
 */
void	ws_accept(char out[WS_ACCEPT_LEN + 1], const char *key, size_t keylen);

#endif /* SWS_WS_H */
