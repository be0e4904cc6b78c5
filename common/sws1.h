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
 * The sws/1 wire constants in one place: subprotocol names, message
 * types, error codes and registration failure reasons, close codes, the
 * sizes of byte fields, and the default limits of a relay.  The relay and
 * the C client use these; swsbench keeps its own on purpose, so that the
 * benchmark is an independent reading of the protocol and a mistake here
 * does not hide in both ends.
 */
#ifndef SWS_SWS1_H
#define SWS_SWS1_H

#include <stdint.h>

/* Subprotocols (Sec-WebSocket-Protocol) and their numbers here. */
#define SWS_SUBPROTO_JSON	"sws.v1.json"
#define SWS_SUBPROTO_MSGPACK	"sws.v1.msgpack"
#define PROTO_JSON		1	/* sws.v1.json (also: none offered) */
#define PROTO_MSGPACK		2	/* sws.v1.msgpack */

/* Message types, both directions. */
#define SWS_T_CHALLENGE		"CHALLENGE"
#define SWS_T_CHALLENGE_RESPONSE "CHALLENGE_RESPONSE"
#define SWS_T_REGISTER_SUCCESS	"REGISTER_SUCCESS"
#define SWS_T_REGISTER_FAILURE	"REGISTER_FAILURE"
#define SWS_T_SEND		"SEND"
#define SWS_T_MESSAGE		"MESSAGE"
#define SWS_T_ACK		"ACK"
#define SWS_T_ERROR		"ERROR"
#define SWS_T_JOIN		"JOIN"
#define SWS_T_JOINED		"JOINED"
#define SWS_T_PRESENCE		"PRESENCE"
#define SWS_T_LEAVE		"LEAVE"
#define SWS_T_PUBLISH		"PUBLISH"

/* ERROR codes. */
#define SWS_E_MALFORMED		"malformed"
#define SWS_E_UNKNOWN_TYPE	"unknown-type"
#define SWS_E_OFFLINE		"offline"
#define SWS_E_TOO_LARGE		"too-large"
#define SWS_E_RATE_LIMITED	"rate-limited"
#define SWS_E_BUSY		"busy"
#define SWS_E_NOT_MEMBER	"not-member"
#define SWS_E_TOO_MANY_ROOMS	"too-many-rooms"
#define SWS_E_ROOM_FULL		"room-full"
#define SWS_E_UNAVAILABLE	"unavailable"

/* REGISTER_FAILURE reasons (also "malformed" and "unavailable"). */
#define SWS_R_BAD_PROOF		"bad-proof"
#define SWS_R_BAD_BINDING	"bad-binding"
#define SWS_R_TIMEOUT		"timeout"

/*
 * Close codes.  sws/1 closes with RFC 6455's 1001 (idle timeout,
 * shutdown), 1002 (protocol error), 1007 (invalid UTF-8), 1008
 * (registration failed, rate limit), 1009 (too big) and 1013 (output
 * full past the idle timeout), which the framing layer defines (ws.h,
 * WS_CLOSE_*), and with these of its own, from the private-use range.
 */
#define WS_CLOSE_REPLACED	4001	/* displaced by a newer session */
#define WS_CLOSE_KICKED		4002	/* an operator's kick */

/* Sizes of byte fields and bounds of the others. */
#define SWS_KEY_LEN		32	/* an X25519 public key */
#define SWS_KEY_B64LEN		43	/* its base64url form, without NUL */
#define SWS_NONCE_LEN		24
#define SWS_CHALLENGE_LEN	32
#define SWS_BOX_MIN		48	/* 16 tag + 32 challenge + 0 binding */
#define SWS_BOX_MAX		303	/* 16 + 32 + 255 */
#define SWS_PROOF_LEN		104	/* 24 nonce + 16 tag + 32 + 32 */
#define SWS_ROOM_MAX		128	/* bytes of a room name */
#define SWS_MAX_DEPTH		8	/* JSON nesting; msgpack likewise */
#define SWS_ID_MAX		((UINT64_C(1) << 53) - 1)

/* A relay's limits when relayd.conf says nothing (relayd.conf(5)). */
#define SWS_DEFAULT_MAX_CONN		10000
#define SWS_DEFAULT_MAX_CONN_PER_ADDR	256
#define SWS_DEFAULT_MAX_MESSAGE		(64 * 1024)
#define SWS_DEFAULT_SESSIONS_PER_KEY	8
#define SWS_DEFAULT_RATE		1000	/* per second */
#define SWS_DEFAULT_BURST		2000
#define SWS_DEFAULT_SEND_BUFFER		(1024 * 1024)
#define SWS_DEFAULT_MAX_ROOMS		32
#define SWS_DEFAULT_ROOM_MEMBERS	10000
#define SWS_DEFAULT_HANDSHAKE_TIMEOUT	10	/* seconds */
#define SWS_DEFAULT_REG_TIMEOUT		10
#define SWS_DEFAULT_PING_INTERVAL	30
#define SWS_DEFAULT_IDLE_TIMEOUT	90
/* Admission control, per client address (relayd.conf(5) gives the why). */
#define SWS_DEFAULT_HS_RATE		200	/* upgrades per second */
#define SWS_DEFAULT_HS_BURST		400
#define SWS_DEFAULT_REG_RATE		100	/* registrations per second */
#define SWS_DEFAULT_REG_BURST		300
#define SWS_DEFAULT_MAX_PENDING		4096	/* awaiting registration */
#define SWS_DEFAULT_PENDING_PER_ADDR	256
#define SWS_DEFAULT_V4_PREFIX		32
#define SWS_DEFAULT_V6_PREFIX		64

#endif /* SWS_SWS1_H */
