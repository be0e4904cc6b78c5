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
 * The parts of the sws/1 codec that do not depend on the encoding: which
 * request types a client may send and which keys each one uses, the size
 * of every byte field, the form of room names and ids (docs/WIRE.md sections 3
 * and 4), and the layout of every server message.  codec_json.c and
 * codec_msgpack.c parse and write the bytes; this file decides.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "codec.h"
#include "codec_local.h"
#include "utf8.h"

static int	codec_decode_flags(int, int, const uint8_t *, size_t,
		    struct sws_req *, uint8_t *, size_t, int, const char **);

/* The one place a subprotocol number becomes its encoding. */
static const struct codec_ops *
codec_ops_of(int proto)
{
	switch (proto) {
	case PROTO_JSON:
		return &codec_json_ops;
	case PROTO_MSGPACK:
		return &codec_msgpack_ops;
	default:
		return NULL;
	}
}

int
codec_opcode(int proto)
{
	const struct codec_ops	*ops = codec_ops_of(proto);

	return ops != NULL ? ops->opcode : -1;
}

const char *
codec_wrong_opcode(int proto)
{
	const struct codec_ops	*ops = codec_ops_of(proto);

	return ops != NULL ? ops->wrong_opcode : "unknown subprotocol";
}

static const struct {
	const char	*name;
	int		 type;
} req_types[] = {
	{ SWS_T_CHALLENGE_RESPONSE,	REQ_CHALLENGE_RESPONSE },
	{ SWS_T_SEND,		REQ_SEND },
	{ SWS_T_JOIN,		REQ_JOIN },
	{ SWS_T_LEAVE,		REQ_LEAVE },
	{ SWS_T_PUBLISH,		REQ_PUBLISH },
};

/*
 * A type name a client may send, or 0.  The server-to-client names
 * (CHALLENGE, MESSAGE, ...) are deliberately absent: receiving one is
 * unknown-type, like any name never defined.
 */
static int
req_type(const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(req_types) / sizeof(req_types[0]); i++) {
		if (strlen(req_types[i].name) == len &&
		    memcmp(req_types[i].name, p, len) == 0)
			return req_types[i].type;
	}
	return 0;
}

/*
 * 1..128 bytes of UTF-8 without C0 controls or DEL.  Those code points
 * are single bytes in UTF-8 and no byte of a multi-byte sequence is below
 * 0x80, so a byte scan finds them.
 */
int
codec_room_valid(const uint8_t *p, size_t len)
{
	size_t	 i;

	if (len < 1 || len > SWS_ROOM_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	}
	return utf8_valid(p, len);
}

static int
get_bytes(const struct codec_src *src, const char *key, size_t min,
    size_t max, const uint8_t **p, size_t *len)
{
	if (src->bytes(src->arg, key, p, len) != CF_OK)
		return 0;
	return *len >= min && *len <= max;
}

static int
get_room(const struct codec_src *src, struct sws_req *req)
{
	const uint8_t	*p;
	size_t		 len;

	if (src->text(src->arg, "room", 1, &p, &len) != CF_OK)
		return 0;
	if (!codec_room_valid(p, len))
		return 0;
	req->room = (const char *)p;
	req->room_len = len;
	return 1;
}

/*
 * Apply the request rules to a parsed top-level object.  The id is read
 * first so that an answer to a bad or unknown request can still name it.
 */
int
codec_fields(const struct codec_src *src, struct sws_req *req, int flags,
    const char **why)
{
	const uint8_t	*p;
	size_t		 len;
	uint64_t	 id = 0;
	int		 idst, r;

	idst = src->uint(src->arg, "id", &id);
	if (idst == CF_OK && id > SWS_ID_MAX)
		idst = CF_BAD;

	r = src->text(src->arg, "type", 0, &p, &len);
	if (r != CF_OK) {
		if (idst == CF_OK) {
			req->has_id = 1;
			req->id = id;
		}
		*why = r == CF_ABSENT ? "no \"type\"" :
		    "\"type\" is not a string";
		return CODEC_MALFORMED;
	}
	req->type = req_type(p, len);
	/*
	 * docs/WIRE.md 3: after registration CHALLENGE_RESPONSE is a type the
	 * client may not send; like any such type only its id is read.
	 */
	if (req->type == REQ_CHALLENGE_RESPONSE && (flags & CODEC_F_REGISTERED))
		req->type = 0;

	/*
	 * docs/WIRE.md 3: during registration an id in CHALLENGE_RESPONSE is
	 * ignored, even a bad one.
	 */
	if (req->type != REQ_CHALLENGE_RESPONSE) {
		if (idst == CF_BAD) {
			*why = "bad \"id\"";
			return CODEC_MALFORMED;
		}
		if (idst == CF_OK) {
			req->has_id = 1;
			req->id = id;
		}
	}

	switch (req->type) {
	case REQ_CHALLENGE_RESPONSE:
		if (!get_bytes(src, "publicKey", SWS_KEY_LEN, SWS_KEY_LEN,
		    &p, &len)) {
			*why = "bad or missing \"publicKey\"";
			return CODEC_MALFORMED;
		}
		memcpy(req->key, p, SWS_KEY_LEN);
		if (!get_bytes(src, "nonce", SWS_NONCE_LEN, SWS_NONCE_LEN,
		    &p, &len)) {
			*why = "bad or missing \"nonce\"";
			return CODEC_MALFORMED;
		}
		memcpy(req->nonce, p, SWS_NONCE_LEN);
		if (!get_bytes(src, "box", SWS_BOX_MIN, SWS_BOX_MAX,
		    &req->body, &req->body_len)) {
			*why = "bad or missing \"box\"";
			return CODEC_MALFORMED;
		}
		break;
	case REQ_SEND:
		if (!get_bytes(src, "to", SWS_KEY_LEN, SWS_KEY_LEN, &p, &len)) {
			*why = "bad or missing \"to\"";
			return CODEC_MALFORMED;
		}
		memcpy(req->key, p, SWS_KEY_LEN);
		if (!get_bytes(src, "body", 0, SIZE_MAX, &req->body,
		    &req->body_len)) {
			*why = "bad or missing \"body\"";
			return CODEC_MALFORMED;
		}
		break;
	case REQ_JOIN:
	case REQ_LEAVE:
		if (!get_room(src, req)) {
			*why = "bad or missing \"room\"";
			return CODEC_MALFORMED;
		}
		break;
	case REQ_PUBLISH:
		if (!get_room(src, req)) {
			*why = "bad or missing \"room\"";
			return CODEC_MALFORMED;
		}
		if (!get_bytes(src, "body", 0, SIZE_MAX, &req->body,
		    &req->body_len)) {
			*why = "bad or missing \"body\"";
			return CODEC_MALFORMED;
		}
		break;
	default:
		*why = "unknown type";
		return CODEC_UNKNOWN_TYPE;
	}
	return CODEC_OK;
}

int
codec_decode(int proto, int phase, const uint8_t *msg, size_t len,
    struct sws_req *req, uint8_t *scratch, size_t scratch_len,
    const char **why)
{
	return codec_decode_flags(proto, phase, msg, len, req, scratch,
	    scratch_len, 0, why);
}

int
codec_decode_frame(int proto, int phase, const uint8_t *msg, size_t len,
    struct sws_req *req, uint8_t *scratch, size_t scratch_len,
    const char **why)
{
	return codec_decode_flags(proto, phase, msg, len, req, scratch,
	    scratch_len, CODEC_F_UTF8_KNOWN | CODEC_F_LAZY_BODY, why);
}

const uint8_t *
codec_body(struct sws_req *req)
{
	if (req->body_pending) {
		/* checked by b64url_check() with the same rules: cannot fail */
		if (b64url_decode((uint8_t *)(uintptr_t)req->body,
		    req->body_len, req->body_text, req->body_text_len) !=
		    (long)req->body_len)
			abort();
		req->body_pending = 0;
	}
	return req->body;
}

static int
codec_decode_flags(int proto, int phase, const uint8_t *msg, size_t len,
    struct sws_req *req, uint8_t *scratch, size_t scratch_len, int flags,
    const char **why)
{
	const struct codec_ops	*ops;
	const char		*dummy;
	int			 rc;

	if (why == NULL)
		why = &dummy;
	if (phase == CODEC_REGISTERED)
		flags |= CODEC_F_REGISTERED;
	memset(req, 0, sizeof(*req));
	*why = NULL;
	if ((ops = codec_ops_of(proto)) == NULL) {
		*why = "unknown subprotocol";
		return CODEC_MALFORMED;
	}
	rc = ops->decode(msg, len, req, scratch, scratch_len, flags, why);
	if (rc == CODEC_OK) {
		*why = NULL;
	} else {
		/* On failure only the id may be relied upon. */
		req->type = 0;
		req->body = NULL;
		req->body_len = 0;
		req->room = NULL;
		req->room_len = 0;
		req->body_text = NULL;
		req->body_text_len = 0;
		req->body_pending = 0;
		if (*why == NULL)
			*why = "malformed";
	}
	return rc;
}

/*
 * The output buffer.  cbuf_reserve() hands out n bytes to write, or NULL
 * when only counting or once the message no longer fits; the length is
 * counted either way so that a *_size function is the encoder itself.
 */
uint8_t *
cbuf_reserve(struct cbuf *b, size_t n)
{
	uint8_t	*p;

	if (b->fail)
		return NULL;
	if (n > SIZE_MAX - b->len) {
		b->fail = 1;
		return NULL;
	}
	if (b->out == NULL) {
		b->len += n;
		return NULL;
	}
	if (n > b->cap - b->len) {
		b->fail = 1;
		return NULL;
	}
	p = b->out + b->len;
	b->len += n;
	return p;
}

void
cbuf_put(struct cbuf *b, const void *data, size_t n)
{
	uint8_t	*p;

	if ((p = cbuf_reserve(b, n)) != NULL && n > 0)
		memcpy(p, data, n);
}

static int
cbuf_init(struct cbuf *b, int proto, uint8_t *out, size_t cap)
{
	memset(b, 0, sizeof(*b));
	if ((b->ops = codec_ops_of(proto)) == NULL)
		return -1;
	b->out = out;
	b->cap = out == NULL ? 0 : cap;
	return 0;
}

static size_t
cbuf_done(struct cbuf *b)
{
	return b->fail ? 0 : b->len;
}

/* The same message in either encoding: its writers, by the table. */
static void
e_map(struct cbuf *b, size_t n)
{
	b->ops->map(b, n);
}

static void
e_array(struct cbuf *b, size_t n)
{
	b->ops->array(b, n);
}

static void
e_end(struct cbuf *b)
{
	b->ops->end(b);
}

static void
e_key(struct cbuf *b, const char *key)
{
	b->ops->key(b, key);
}

static void
e_str(struct cbuf *b, const char *s, size_t len)
{
	b->ops->str(b, s, len);
}

static void
e_cstr(struct cbuf *b, const char *s)
{
	if (s == NULL)
		s = "";
	e_str(b, s, strlen(s));
}

static void
e_bytes(struct cbuf *b, const uint8_t *p, size_t len)
{
	b->ops->bytes(b, p, len);
}

static void
e_uint(struct cbuf *b, uint64_t v)
{
	b->ops->uint(b, v);
}

/* "type": name, the first entry of every server message. */
static void
e_type(struct cbuf *b, const char *name)
{
	e_key(b, "type");
	e_cstr(b, name);
}

size_t
enc_challenge(int proto, uint8_t *out, size_t cap,
    const uint8_t server[SWS_KEY_LEN],
    const uint8_t challenge[SWS_CHALLENGE_LEN])
{
	struct cbuf	 b;

	if (out == NULL || cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_map(&b, 4);
	e_type(&b, SWS_T_CHALLENGE);
	e_key(&b, "version");
	e_uint(&b, 1);
	e_key(&b, "server");
	e_bytes(&b, server, SWS_KEY_LEN);
	e_key(&b, "challenge");
	e_bytes(&b, challenge, SWS_CHALLENGE_LEN);
	e_end(&b);
	return cbuf_done(&b);
}

size_t
enc_register_success(int proto, uint8_t *out, size_t cap,
    const uint8_t pk[SWS_KEY_LEN], const uint8_t proof[SWS_PROOF_LEN],
    const struct sws_limits *lim)
{
	struct cbuf	 b;

	if (out == NULL || lim == NULL || cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_map(&b, 4);
	e_type(&b, SWS_T_REGISTER_SUCCESS);
	e_key(&b, "publicKey");
	e_bytes(&b, pk, SWS_KEY_LEN);
	e_key(&b, "proof");
	e_bytes(&b, proof, SWS_PROOF_LEN);
	e_key(&b, "limits");
	e_map(&b, 5);
	e_key(&b, "maxMessage");
	e_uint(&b, lim->max_message);
	e_key(&b, "maxBody");
	e_uint(&b, lim->max_body);
	e_key(&b, "rate");
	e_uint(&b, lim->rate);
	e_key(&b, "burst");
	e_uint(&b, lim->burst);
	e_key(&b, "rooms");
	e_uint(&b, lim->rooms);
	e_end(&b);
	e_end(&b);
	return cbuf_done(&b);
}

size_t
enc_register_failure(int proto, uint8_t *out, size_t cap, const char *reason,
    const char *message)
{
	struct cbuf	 b;

	if (out == NULL || cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_map(&b, 3);
	e_type(&b, SWS_T_REGISTER_FAILURE);
	e_key(&b, "reason");
	e_cstr(&b, reason);
	e_key(&b, "message");
	e_cstr(&b, message);
	e_end(&b);
	return cbuf_done(&b);
}

size_t
enc_ack(int proto, uint8_t *out, size_t cap, uint64_t id)
{
	struct cbuf	 b;

	if (out == NULL || cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_map(&b, 2);
	e_type(&b, SWS_T_ACK);
	e_key(&b, "id");
	e_uint(&b, id);
	e_end(&b);
	return cbuf_done(&b);
}

size_t
enc_error(int proto, uint8_t *out, size_t cap, int has_id, uint64_t id,
    const char *code, const char *message)
{
	struct cbuf	 b;

	if (out == NULL || cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_map(&b, has_id ? 4 : 3);
	e_type(&b, SWS_T_ERROR);
	if (has_id) {
		e_key(&b, "id");
		e_uint(&b, id);
	}
	e_key(&b, "code");
	e_cstr(&b, code);
	e_key(&b, "message");
	e_cstr(&b, message);
	e_end(&b);
	return cbuf_done(&b);
}

static void
e_message(struct cbuf *b, const uint8_t *from, const char *room,
    size_t room_len, const uint8_t *body, size_t body_len)
{
	e_map(b, room != NULL ? 4 : 3);
	e_type(b, SWS_T_MESSAGE);
	e_key(b, "from");
	e_bytes(b, from, SWS_KEY_LEN);
	if (room != NULL) {
		e_key(b, "room");
		e_str(b, room, room_len);
	}
	e_key(b, "body");
	e_bytes(b, body, body_len);
	e_end(b);
}

size_t
enc_message(int proto, uint8_t *out, size_t cap,
    const uint8_t from[SWS_KEY_LEN], const char *room, size_t room_len,
    const uint8_t *body, size_t body_len)
{
	struct cbuf	 b;

	if (out == NULL || cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_message(&b, from, room, room_len, body, body_len);
	return cbuf_done(&b);
}

size_t
enc_message_text(uint8_t *out, size_t cap, const uint8_t from[SWS_KEY_LEN],
    const char *room, size_t room_len, const char *body_text,
    size_t body_text_len)
{
	struct cbuf	 b;

	if (out == NULL || cbuf_init(&b, PROTO_JSON, out, cap) == -1)
		return 0;
	e_map(&b, room != NULL ? 4 : 3);
	e_type(&b, SWS_T_MESSAGE);
	e_key(&b, "from");
	e_bytes(&b, from, SWS_KEY_LEN);
	if (room != NULL) {
		e_key(&b, "room");
		e_str(&b, room, room_len);
	}
	e_key(&b, "body");
	b.ops->body_text(&b, body_text, body_text_len);
	e_end(&b);
	return cbuf_done(&b);
}

size_t
enc_message_req(int proto, uint8_t *out, size_t cap,
    const uint8_t from[SWS_KEY_LEN], const char *room, size_t room_len,
    struct sws_req *req)
{
	const struct codec_ops	*ops = codec_ops_of(proto);

	if (ops != NULL && ops->body_text != NULL && req->body_text != NULL)
		return enc_message_text(out, cap, from, room, room_len,
		    req->body_text, req->body_text_len);
	return enc_message(proto, out, cap, from, room, room_len,
	    codec_body(req), req->body_len);
}

/* Counted by the encoder itself, so it cannot drift from enc_message(). */
size_t
enc_message_size(int proto, const char *room, size_t room_len,
    size_t body_len)
{
	struct cbuf	 b;

	if (cbuf_init(&b, proto, NULL, 0) == -1)
		return SIZE_MAX;
	e_message(&b, NULL, room, room_len, NULL, body_len);
	return b.fail ? SIZE_MAX : b.len;
}

static void
e_joined(struct cbuf *b, const char *room, size_t room_len,
    const uint8_t (*members)[SWS_KEY_LEN], size_t nmembers, int has_id,
    uint64_t id)
{
	size_t	 i;

	e_map(b, has_id ? 4 : 3);
	e_type(b, SWS_T_JOINED);
	e_key(b, "room");
	e_str(b, room, room_len);
	e_key(b, "members");
	e_array(b, nmembers);
	for (i = 0; i < nmembers && !b->fail; i++)
		e_bytes(b, members != NULL ? members[i] : NULL, SWS_KEY_LEN);
	e_end(b);
	if (has_id) {
		e_key(b, "id");
		e_uint(b, id);
	}
	e_end(b);
}

size_t
enc_joined(int proto, uint8_t *out, size_t cap, const char *room,
    size_t room_len, const uint8_t (*members)[SWS_KEY_LEN], size_t nmembers,
    int has_id, uint64_t id)
{
	struct cbuf	 b;

	if (out == NULL || room == NULL || (members == NULL && nmembers > 0) ||
	    cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_joined(&b, room, room_len, members, nmembers, has_id, id);
	return cbuf_done(&b);
}

/*
 * Room unknown (counted at its longest escaping), and the largest id, so
 * this bounds every enc_joined() for the room length and member count.
 */
size_t
enc_joined_size(int proto, size_t room_len, size_t nmembers)
{
	struct cbuf	 b;

	if (cbuf_init(&b, proto, NULL, 0) == -1)
		return SIZE_MAX;
	e_joined(&b, NULL, room_len, NULL, nmembers, 1, UINT64_MAX);
	return b.fail ? SIZE_MAX : b.len;
}

size_t
enc_presence(int proto, uint8_t *out, size_t cap, const char *room,
    size_t room_len, const uint8_t pk[SWS_KEY_LEN], int joined)
{
	struct cbuf	 b;

	if (out == NULL || room == NULL || cbuf_init(&b, proto, out, cap) == -1)
		return 0;
	e_map(&b, 4);
	e_type(&b, SWS_T_PRESENCE);
	e_key(&b, "room");
	e_str(&b, room, room_len);
	e_key(&b, "publicKey");
	e_bytes(&b, pk, SWS_KEY_LEN);
	e_key(&b, "state");
	e_cstr(&b, joined ? "joined" : "left");
	e_end(&b);
	return cbuf_done(&b);
}
