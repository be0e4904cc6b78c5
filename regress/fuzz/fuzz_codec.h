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
 * The checks shared by the two codec fuzz targets (fuzz_json.c and
 * fuzz_msgpack.c).  One input is decoded in the target's encoding; the
 * result must be one of the three codes with the fields the contract
 * promises, and on success the decoded fields are re-encoded as server
 * messages in both encodings, whose exact size is predicted, which the
 * libraries read back to the same bytes, and which our own decoder finds
 * well formed (they are server types, so unknown-type, never malformed).
 * The relay's own entry, codec_decode_frame() (no second UTF-8 pass, the
 * JSON body decoded only on demand), must agree with codec_decode() on
 * every input that is valid UTF-8 or msgpack.
 */
#ifndef FUZZ_CODEC_H
#define FUZZ_CODEC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>
#include <sodium.h>

#include "codec.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CHECK(c) do {						\
	if (!(c))							\
		__builtin_trap();					\
} while (0)

static int
fuzz_in(const void *p, size_t n, const void *base, size_t len)
{
	const uint8_t	*u = p, *b = base;

	return n == 0 || (u >= b && n <= len && u - b <= (long)(len - n));
}

/* The body and room of out, read by jansson or msgpack-c. */
static void
fuzz_readback(int proto, const uint8_t *out, size_t n, const uint8_t *body,
    size_t body_len, const char *room, size_t room_len)
{
	json_error_t	 err;
	json_t		*j, *v;
	msgpack_zone	 z;
	msgpack_object	 o;
	uint8_t		*tmp;
	size_t		 off = 0, len, i;
	int		 found_body = 0, found_room = 0;

	if (proto == PROTO_JSON) {
		j = json_loadb((const char *)out, n, JSON_REJECT_DUPLICATES,
		    &err);
		FUZZ_CHECK(j != NULL && json_is_object(j));
		v = json_object_get(j, "body");
		FUZZ_CHECK(v != NULL && json_is_string(v));
		tmp = malloc(body_len + 1);
		FUZZ_CHECK(sodium_base642bin(tmp, body_len + 1,
		    json_string_value(v), json_string_length(v), NULL, &len,
		    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
		FUZZ_CHECK(len == body_len &&
		    (len == 0 || memcmp(tmp, body, len) == 0));
		free(tmp);
		v = json_object_get(j, "room");
		if (room == NULL)
			FUZZ_CHECK(v == NULL);
		else
			FUZZ_CHECK(v != NULL && json_is_string(v) &&
			    json_string_length(v) == room_len &&
			    memcmp(json_string_value(v), room, room_len) == 0);
		json_decref(j);
		return;
	}
	FUZZ_CHECK(msgpack_zone_init(&z, 1024));
	FUZZ_CHECK(msgpack_unpack((const char *)out, n, &off, &z, &o) ==
	    MSGPACK_UNPACK_SUCCESS && off == n &&
	    o.type == MSGPACK_OBJECT_MAP);
	for (i = 0; i < o.via.map.size; i++) {
		msgpack_object_kv	*kv = &o.via.map.ptr[i];

		FUZZ_CHECK(kv->key.type == MSGPACK_OBJECT_STR);
		if (kv->key.via.str.size == 4 &&
		    memcmp(kv->key.via.str.ptr, "body", 4) == 0) {
			FUZZ_CHECK(kv->val.type == MSGPACK_OBJECT_BIN &&
			    kv->val.via.bin.size == body_len &&
			    (body_len == 0 || memcmp(kv->val.via.bin.ptr, body,
			    body_len) == 0));
			found_body++;
		}
		if (kv->key.via.str.size == 4 &&
		    memcmp(kv->key.via.str.ptr, "room", 4) == 0) {
			FUZZ_CHECK(room != NULL &&
			    kv->val.type == MSGPACK_OBJECT_STR &&
			    kv->val.via.str.size == room_len &&
			    memcmp(kv->val.via.str.ptr, room, room_len) == 0);
			found_room++;
		}
	}
	FUZZ_CHECK(found_body == 1 && found_room == (room != NULL));
	msgpack_zone_destroy(&z);
}

/* Our own decoder must find a server message well formed. */
static void
fuzz_redecode(int proto, const uint8_t *out, size_t n, int has_id,
    uint64_t id)
{
	struct sws_req	 r;
	uint8_t		*scratch;
	const char	*why;

	scratch = malloc(n);
	FUZZ_CHECK(codec_decode(proto, CODEC_REGISTERING, out, n, &r, scratch, n, &why) ==
	    CODEC_UNKNOWN_TYPE && r.has_id == has_id &&
	    (!has_id || r.id == id));
	free(scratch);
}

static void
fuzz_reencode(const struct sws_req *req)
{
	const uint8_t	*body = req->body != NULL ? req->body :
			    (const uint8_t *)"";
	uint8_t		*out, members[2][SWS_KEY_LEN];
	size_t		 cap, n, want;
	int		 proto;

	for (proto = PROTO_JSON; proto <= PROTO_MSGPACK; proto++) {
		want = enc_message_size(proto, req->room, req->room_len,
		    req->body_len);
		FUZZ_CHECK(want != SIZE_MAX && want > req->body_len);
		cap = want + 16;
		out = malloc(cap);
		n = enc_message(proto, out, cap, req->key, req->room,
		    req->room_len, body, req->body_len);
		FUZZ_CHECK(n == want);
		fuzz_readback(proto, out, n, body, req->body_len, req->room,
		    req->room_len);
		fuzz_redecode(proto, out, n, 0, 0);
		FUZZ_CHECK(enc_message(proto, out, want - 1, req->key,
		    req->room, req->room_len, body, req->body_len) == 0);
		free(out);

		if (req->room == NULL)
			continue;
		memcpy(members[0], req->key, SWS_KEY_LEN);
		memset(members[1], 0x5a, SWS_KEY_LEN);
		want = enc_joined_size(proto, req->room_len, 2);
		out = malloc(want);
		n = enc_joined(proto, out, want, req->room, req->room_len,
		    (const uint8_t (*)[SWS_KEY_LEN])members, 2, req->has_id,
		    req->id);
		FUZZ_CHECK(n > 0 && n <= want);
		fuzz_redecode(proto, out, n, req->has_id, req->id);
		n = enc_presence(proto, out, want, req->room, req->room_len,
		    req->key, req->type == REQ_JOIN);
		FUZZ_CHECK(n > 0 && n <= want);
		fuzz_redecode(proto, out, n, 0, 0);
		free(out);
	}
}

/* codec_decode_frame() against codec_decode()'s result rc, req. */
static void
fuzz_frame_agrees(int proto, const uint8_t *data, size_t size, int rc,
    const struct sws_req *req)
{
	struct sws_req	 f;
	uint8_t		*scratch;
	const uint8_t	*body;

	if (proto == PROTO_JSON && !utf8_valid(data, size))
		return;
	scratch = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(codec_decode_frame(proto, CODEC_REGISTERING, data, size,
	    &f, scratch, size, NULL) == rc);
	FUZZ_CHECK(f.type == req->type && f.has_id == req->has_id &&
	    f.id == req->id && f.body_len == req->body_len &&
	    f.room_len == req->room_len &&
	    (f.body == NULL) == (req->body == NULL) &&
	    (f.room == NULL) == (req->room == NULL));
	FUZZ_CHECK(f.room_len == 0 || memcmp(f.room, req->room,
	    f.room_len) == 0);
	FUZZ_CHECK(!f.body_pending || (proto == PROTO_JSON &&
	    (f.type == REQ_SEND || f.type == REQ_PUBLISH)));
	body = codec_body(&f);
	FUZZ_CHECK(!f.body_pending && (f.body_len == 0 ||
	    memcmp(body, req->body, f.body_len) == 0));
	free(scratch);
}

/*
 * After registration the only difference is CHALLENGE_RESPONSE: a type
 * the client may no longer send, so unknown-type (or malformed, for a bad
 * id, which registration ignored) where registration read its fields.
 */
static void
fuzz_registered_agrees(int proto, const uint8_t *data, size_t size, int rc,
    const struct sws_req *req)
{
	struct sws_req	 g;
	uint8_t		*scratch;
	int		 rg;

	scratch = malloc(size > 0 ? size : 1);
	rg = codec_decode(proto, CODEC_REGISTERED, data, size, &g, scratch,
	    size, NULL);
	FUZZ_CHECK(rg != CODEC_OK || g.type != REQ_CHALLENGE_RESPONSE);
	if (rc == CODEC_OK && req->type != REQ_CHALLENGE_RESPONSE) {
		FUZZ_CHECK(rg == CODEC_OK && g.type == req->type &&
		    g.has_id == req->has_id && g.id == req->id &&
		    g.body_len == req->body_len &&
		    g.room_len == req->room_len);
	} else if (rc == CODEC_UNKNOWN_TYPE) {
		FUZZ_CHECK(rg == CODEC_UNKNOWN_TYPE &&
		    g.has_id == req->has_id && g.id == req->id);
	} else if (rc == CODEC_OK) {
		/* a CHALLENGE_RESPONSE: its id was ignored, now it counts */
		FUZZ_CHECK(rg == CODEC_UNKNOWN_TYPE ||
		    (rg == CODEC_MALFORMED && !g.has_id));
	} else
		FUZZ_CHECK(rg == CODEC_MALFORMED ||
		    rg == CODEC_UNKNOWN_TYPE);
	free(scratch);
}

static void
fuzz_codec_one(int proto, const uint8_t *data, size_t size)
{
	struct sws_req	 req;
	uint8_t		*scratch;
	const char	*why = NULL;
	size_t		 i;
	int		 rc;

	scratch = malloc(size > 0 ? size : 1);
	rc = codec_decode(proto, CODEC_REGISTERING, data, size, &req, scratch,
	    size, &why);
	FUZZ_CHECK(rc == CODEC_OK || rc == CODEC_MALFORMED ||
	    rc == CODEC_UNKNOWN_TYPE);
	FUZZ_CHECK(!req.has_id || req.id <= SWS_ID_MAX);
	fuzz_frame_agrees(proto, data, size, rc, &req);
	fuzz_registered_agrees(proto, data, size, rc, &req);
	if (rc != CODEC_OK) {
		FUZZ_CHECK(why != NULL && req.type == 0 && req.body == NULL &&
		    req.room == NULL);
		free(scratch);
		return;
	}
	FUZZ_CHECK(why == NULL);

	/* Decoded bytes live in the message (msgpack) or scratch (JSON). */
	if (proto == PROTO_JSON) {
		FUZZ_CHECK(fuzz_in(req.body, req.body_len, scratch, size));
		FUZZ_CHECK(fuzz_in(req.room, req.room_len, scratch, size));
	} else {
		FUZZ_CHECK(fuzz_in(req.body, req.body_len, data, size));
		FUZZ_CHECK(fuzz_in(req.room, req.room_len, data, size));
	}
	switch (req.type) {
	case REQ_CHALLENGE_RESPONSE:
		FUZZ_CHECK(!req.has_id && req.room == NULL &&
		    req.body != NULL && req.body_len >= SWS_BOX_MIN &&
		    req.body_len <= SWS_BOX_MAX);
		break;
	case REQ_SEND:
		FUZZ_CHECK(req.room == NULL && req.body != NULL &&
		    req.body_len < size);
		break;
	case REQ_JOIN:
	case REQ_LEAVE:
		FUZZ_CHECK(req.body == NULL && req.body_len == 0);
		break;
	case REQ_PUBLISH:
		FUZZ_CHECK(req.body != NULL && req.body_len < size);
		break;
	default:
		FUZZ_CHECK(0);
	}
	if (req.type >= REQ_JOIN) {
		FUZZ_CHECK(req.room != NULL && req.room_len >= 1 &&
		    req.room_len <= SWS_ROOM_MAX);
		for (i = 0; i < req.room_len; i++)
			FUZZ_CHECK((uint8_t)req.room[i] >= 0x20 &&
			    (uint8_t)req.room[i] != 0x7f);
	} else
		FUZZ_CHECK(req.room == NULL);
	fuzz_reencode(&req);
	free(scratch);
}

#endif /* FUZZ_CODEC_H */
