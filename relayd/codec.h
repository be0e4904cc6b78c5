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
 * The two encodings of sws/1 messages (docs/WIRE.md sections 3, 4 and 6):
 * sws.v1.json (text, byte fields in base64url) and sws.v1.msgpack
 * (binary, byte fields as bin).  Decoding turns one client message into a
 * struct sws_req with every field checked; encoding writes one server
 * message into a caller's buffer.  Neither keeps state between messages.
 */
#ifndef SWS_CODEC_H
#define SWS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "sws1.h"

/* Client request types. */
#define REQ_CHALLENGE_RESPONSE	1
#define REQ_SEND		2
#define REQ_JOIN		3
#define REQ_LEAVE		4
#define REQ_PUBLISH		5

/*
 * Which requests a client may send depends on where it stands (docs/WIRE.md
 * 3 and 4): CHALLENGE_RESPONSE is the only one before registration and a
 * type it may no longer send after it.
 */
#define CODEC_REGISTERING	0
#define CODEC_REGISTERED	1

/* Decoder results. */
#define CODEC_OK		0
#define CODEC_MALFORMED		1	/* error code "malformed" */
#define CODEC_UNKNOWN_TYPE	2	/* error code "unknown-type" */

/*
 * One decoded request.  Pointers point into the message buffer or the
 * scratch buffer passed to codec_decode() and live as long as they do.
 */
struct sws_req {
	int		 type;		/* REQ_* */
	int		 has_id;	/* a valid "id" was present */
	uint64_t	 id;
	uint8_t		 key[SWS_KEY_LEN];	/* publicKey (CR) or to (SEND) */
	uint8_t		 nonce[SWS_NONCE_LEN];	/* CHALLENGE_RESPONSE */
	const uint8_t	*body;		/* body (SEND, PUBLISH) or box (CR) */
	size_t		 body_len;
	const char	*room;		/* JOIN, LEAVE, PUBLISH; no NUL */
	size_t		 room_len;
	/*
	 * JSON only: the body's base64url text as it came, when it held no
	 * escape (it is then canonical, since it decoded); else NULL.  A
	 * JSON recipient's MESSAGE can carry it as is (enc_message_text).
	 */
	const char	*body_text;
	size_t		 body_text_len;
	/*
	 * codec_decode_frame() only: body points at body_len bytes of
	 * scratch set aside for it, filled from body_text by codec_body().
	 */
	int		 body_pending;
};

/*
 * Decode one client message of the given subprotocol (the caller has
 * already refused a binary message on JSON and text on msgpack).  Checks:
 * an object/map at the top; "type" a string naming a client request
 * (server-to-client types and unknown names give CODEC_UNKNOWN_TYPE); the
 * keys that type uses present with the right types (keys of 32 bytes,
 * nonce of 24, box of SWS_BOX_MIN..SWS_BOX_MAX, room of 1..128 bytes of
 * UTF-8 with no control character U+0000-U+001F or U+007F); "id" an
 * unsigned integer <= SWS_ID_MAX written as an integer; no duplicate key;
 * nesting at most SWS_MAX_DEPTH; for msgpack, no container whose declared
 * size exceeds the bytes left, and byte fields as bin, text fields as str.
 * Unknown keys are ignored.  With phase CODEC_REGISTERING, "id" is
 * ignored for CHALLENGE_RESPONSE; with CODEC_REGISTERED, CHALLENGE_RESPONSE
 * is CODEC_UNKNOWN_TYPE like any type a client may not send: its id is
 * read as for any request and no other field of it is.
 * JSON byte fields are decoded into scratch (scratch_len must be at least
 * len bytes).  msgpack needs no scratch; one of at least len bytes is the
 * work area of its duplicate check, so that no message makes it allocate.
 * On CODEC_MALFORMED or CODEC_UNKNOWN_TYPE, req->has_id and req->id say
 * whether a valid id could be read, and *why (when why is not NULL)
 * points to a short static English reason.
 */
int	codec_decode(int proto, int phase, const uint8_t *msg, size_t len,
	    struct sws_req *req, uint8_t *scratch, size_t scratch_len,
	    const char **why);
/*
 * codec_decode() for a message as the relay's frame layer hands it over:
 * a JSON message is a text message whose UTF-8 was validated already, so
 * it is not checked again, and the base64url "body" of a JSON SEND or
 * PUBLISH is checked by the same rules but decoded only when
 * codec_body() asks for its bytes (a JSON recipient gets body_text as it
 * came and never needs them).  Accepts and refuses exactly what
 * codec_decode() does on valid UTF-8.
 */
int	codec_decode_frame(int proto, int phase, const uint8_t *msg,
	    size_t len, struct sws_req *req, uint8_t *scratch, size_t scratch_len,
	    const char **why);
/* The body's bytes, decoded now if codec_decode_frame() deferred it. */
const uint8_t *codec_body(struct sws_req *req);

/*
 * The WebSocket opcode that carries a subprotocol's messages (text for
 * JSON, binary for msgpack; -1 for an unknown one), and the reason given
 * for a message that came with the other one.
 */
int	codec_opcode(int proto);
const char *codec_wrong_opcode(int proto);

/* The "limits" object of REGISTER_SUCCESS. */
struct sws_limits {
	uint64_t	 max_message;
	uint64_t	 max_body;
	uint64_t	 rate;
	uint64_t	 burst;
	uint64_t	 rooms;
};

/*
 * Encoders.  Each writes one complete server message (the WebSocket
 * payload, no frame header) of subprotocol proto at out, and returns its
 * length, or 0 when it does not fit in cap bytes.
 */
size_t	enc_challenge(int proto, uint8_t *out, size_t cap,
	    const uint8_t server[SWS_KEY_LEN],
	    const uint8_t challenge[SWS_CHALLENGE_LEN]);
size_t	enc_register_success(int proto, uint8_t *out, size_t cap,
	    const uint8_t pk[SWS_KEY_LEN], const uint8_t proof[SWS_PROOF_LEN],
	    const struct sws_limits *lim);
size_t	enc_register_failure(int proto, uint8_t *out, size_t cap,
	    const char *reason, const char *message);
size_t	enc_ack(int proto, uint8_t *out, size_t cap, uint64_t id);
size_t	enc_error(int proto, uint8_t *out, size_t cap, int has_id,
	    uint64_t id, const char *code, const char *message);
/* MESSAGE; room NULL for a direct message. */
size_t	enc_message(int proto, uint8_t *out, size_t cap,
	    const uint8_t from[SWS_KEY_LEN], const char *room, size_t room_len,
	    const uint8_t *body, size_t body_len);
/*
 * MESSAGE in JSON with the body given as its canonical base64url text
 * (sws_req.body_text): the same bytes enc_message() would write, without
 * decoding and encoding the body again.
 */
size_t	enc_message_text(uint8_t *out, size_t cap,
	    const uint8_t from[SWS_KEY_LEN], const char *room, size_t room_len,
	    const char *body_text, size_t body_text_len);
/*
 * MESSAGE for a decoded SEND or PUBLISH: the body's wire text passes
 * through where the recipient's encoding is the sender's text form
 * (enc_message_text), else the body is encoded from its bytes.
 */
size_t	enc_message_req(int proto, uint8_t *out, size_t cap,
	    const uint8_t from[SWS_KEY_LEN], const char *room, size_t room_len,
	    struct sws_req *req);
/* The exact length enc_message() will produce, for the too-large check. */
size_t	enc_message_size(int proto, const char *room, size_t room_len,
	    size_t body_len);
size_t	enc_joined(int proto, uint8_t *out, size_t cap, const char *room,
	    size_t room_len, const uint8_t (*members)[SWS_KEY_LEN],
	    size_t nmembers, int has_id, uint64_t id);
/* An upper bound on enc_joined()'s length, to size its buffer. */
size_t	enc_joined_size(int proto, size_t room_len, size_t nmembers);
size_t	enc_presence(int proto, uint8_t *out, size_t cap, const char *room,
	    size_t room_len, const uint8_t pk[SWS_KEY_LEN], int joined);

#endif /* SWS_CODEC_H */
