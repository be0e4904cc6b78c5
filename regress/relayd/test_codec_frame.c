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
 * The codec's entry points as the relay calls them: the base64url vectors
 * of vectors.json, the API's arguments, the JSON body passed through,
 * codec_decode_frame() with its deferred bodies, and the registered
 * phase (docs/WIRE.md sections 1, 3 and 4).  Helpers in test_codec.h.
 */

#include <unistd.h>

#include <jansson.h>

#include "test_codec.h"

static const char *
vectors_path(void)
{
	static char	 path[4096];
	const char	*env, *top;
	static const char *const rel[] = {
		"regress/vectors.json", "regress/lib/vectors.json"
	};
	size_t		 i;

	if ((env = getenv("SWS_VECTORS")) != NULL)
		return env;
	top = getenv("SWS_TOP");
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel[i]);
		if (access(path, R_OK) == 0)
			return path;
	}
	return NULL;
}

static void
test_vectors(void)
{
	json_error_t	 err;
	json_t		*v, *list, *e;
	const char	*path, *text, *hex;
	uint8_t		 want[256], got[256];
	char		 enc[512];
	size_t		 i, wlen, nvalid = 0, ninvalid = 0;
	long		 n;
	int		 good;

	path = vectors_path();
	v = path ? json_load_file(path, 0, &err) : NULL;
	ok(v != NULL, "vectors.json found and read (%s)", path ? path : "-");
	if (v == NULL)
		return;
	list = json_object_get(v, "base64url");
	json_array_foreach(list, i, e) {
		text = json_string_value(json_object_get(e, "text"));
		hex = json_string_value(json_object_get(e, "bytes_hex"));
		if (text == NULL || hex == NULL ||
		    sodium_hex2bin(want, sizeof(want), hex, strlen(hex), NULL,
		    &wlen, NULL) != 0) {
			ok(0, "base64url vector %zu readable", i);
			continue;
		}
		n = b64url_decode(got, sizeof(got), text, strlen(text));
		good = n >= 0 && (size_t)n == wlen &&
		    memcmp(got, want, wlen) == 0;
		good = good && b64url_encode(enc, sizeof(enc), want, wlen) ==
		    strlen(text) && strcmp(enc, text) == 0;
		ok(good, "base64url vector \"%s\" decodes and encodes", text);

		/* And as a body through the JSON decoder. */
		cj(CODEC_OK, 1, 1, "vector as a SEND body",
		    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"%s\","
		    "\"id\":1}", KB64, text);
		nvalid++;
	}
	list = json_object_get(v, "base64url_invalid");
	json_array_foreach(list, i, e) {
		text = json_string_value(e);
		if (text == NULL) {
			ok(0, "base64url_invalid %zu readable", i);
			continue;
		}
		n = b64url_decode(got, sizeof(got), text, strlen(text));
		ok(n == -1, "base64url \"%s\" refused", text);
		cj(CODEC_MALFORMED, 1, 1, "invalid base64url vector as a body",
		    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"%s\","
		    "\"id\":1}", KB64, text);
		ninvalid++;
	}
	ok(nvalid >= 4 && ninvalid >= 7, "vectors: %zu valid, %zu invalid",
	    nvalid, ninvalid);
	json_decref(v);
}

static void
test_api(void)
{
	struct sws_req	 r;
	uint8_t		 scratch[8];
	int		 rc;

	rc = codec_decode(7, CODEC_REGISTERING, (const uint8_t *)"{}", 2, &r, scratch, 8, NULL);
	ok(rc == CODEC_MALFORMED, "unknown subprotocol is malformed");
	rc = codec_decode(PROTO_JSON, CODEC_REGISTERING, (const uint8_t *)"{\"type\":\"JOIN\","
	    "\"room\":\"a\"}", 26, &r, scratch, 8, &why);
	ok(rc == CODEC_MALFORMED, "json scratch smaller than the message");
	rc = codec_decode(PROTO_MSGPACK, CODEC_REGISTERING, (const uint8_t *)"\x82\xa4type\xa4"
	    "JOIN\xa4room\xa1r", 18, &r, NULL, 0, &why);
	ok(rc == CODEC_OK && r.type == REQ_JOIN && why == NULL,
	    "msgpack needs no scratch; why NULL on success");
	rc = codec_decode(PROTO_MSGPACK, CODEC_REGISTERING, (const uint8_t *)"\x82\xa4type\xa4"
	    "JOIN\xa4room\xa0", 17, &r, NULL, 0, &why);
	ok(rc == CODEC_MALFORMED && r.type == 0 && r.room == NULL &&
	    why != NULL, "on failure no field is left set (%s)", why);
}

/* JSON to JSON: the body's text passes through unchanged. */
static void
test_passthrough(void)
{
	struct sws_req	 r;
	uint8_t		 scratch[4096], a[4096], b[4096];
	char		 msg[1024];
	const char	*reason;
	size_t		 na, nb, blen;
	int		 rc;

	for (blen = 0; blen <= 100; blen += 7) {
		snprintf(msg, sizeof(msg), "{\"type\":\"SEND\",\"to\":\"%s\","
		    "\"body\":\"%s\",\"id\":3}", KB64, b64(BODY, blen));
		rc = codec_decode(PROTO_JSON, CODEC_REGISTERING, (const uint8_t *)msg,
		    strlen(msg), &r, scratch, sizeof(scratch), &reason);
		ok(rc == CODEC_OK && r.body_text != NULL &&
		    r.body_text_len == B64_ENCODED_LEN(blen),
		    "SEND body %zu: its text is kept", blen);
		if (rc != CODEC_OK || r.body_text == NULL)
			continue;
		na = enc_message(PROTO_JSON, a, sizeof(a), KA, NULL, 0, r.body,
		    r.body_len);
		nb = enc_message_text(b, sizeof(b), KA, NULL, 0, r.body_text,
		    r.body_text_len);
		ok(na > 0 && na == nb && memcmp(a, b, na) == 0,
		    "body %zu: enc_message_text writes what enc_message does",
		    blen);
		na = enc_message(PROTO_JSON, a, sizeof(a), KA, "r\"1", 3,
		    r.body, r.body_len);
		nb = enc_message_text(b, sizeof(b), KA, "r\"1", 3,
		    r.body_text, r.body_text_len);
		ok(na > 0 && na == nb && memcmp(a, b, na) == 0,
		    "body %zu: the same in a room", blen);
		ok(enc_message_text(b, na - 1, KA, "r\"1", 3, r.body_text,
		    r.body_text_len) == 0, "body %zu: one byte short fails",
		    blen);
	}
	/* an escaped body is decoded, not passed through */
	snprintf(msg, sizeof(msg), "{\"type\":\"SEND\",\"to\":\"%s\","
	    "\"body\":\"\\u0041AAA\"}", KB64);
	rc = codec_decode(PROTO_JSON, CODEC_REGISTERING, (const uint8_t *)msg, strlen(msg), &r,
	    scratch, sizeof(scratch), &reason);
	ok(rc == CODEC_OK && r.body_text == NULL && r.body_len == 3,
	    "an escaped body is not passed through");
	snprintf(msg, sizeof(msg), "{\"type\":\"SEND\",\"to\":\"%s\","
	    "\"body\":\"AA=\"}", KB64);
	rc = codec_decode(PROTO_JSON, CODEC_REGISTERING, (const uint8_t *)msg, strlen(msg), &r,
	    scratch, sizeof(scratch), &reason);
	ok(rc == CODEC_MALFORMED && r.body_text == NULL,
	    "a bad body leaves no text behind");
}

/*
 * codec_decode_frame(): the relay's entry.  A JSON SEND or PUBLISH body
 * is checked and set aside, decoded by codec_body() to the bytes
 * codec_decode() gives; every verdict is codec_decode()'s.
 */
static void
test_decode_frame(void)
{
	static const char *const bodies[] = {
		"", "AA", "AAA", "AAAA", "QUJD", "QUJDRA", "QUJDREU",
		"_-_-", "A", "AAAAA", "AB", "AAB", "AA=", "AA==", "A A",
		"QUJD\\u0041", "\\u0041AAA", "AAA\xc3\xa9",
	};
	struct sws_req	 r, f;
	uint8_t		 s1[4096], s2[4096], want[4096];
	char		 msg[8192], big[5500];
	const char	*why1, *why2;
	const uint8_t	*body;
	size_t		 i, blen;
	int		 rc1, rc2, pub;

	for (pub = 0; pub <= 1; pub++)
		for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			if (pub)
				snprintf(msg, sizeof(msg), "{\"type\":"
				    "\"PUBLISH\",\"room\":\"r\",\"body\":"
				    "\"%s\"}", bodies[i]);
			else
				snprintf(msg, sizeof(msg), "{\"type\":\"SEND\","
				    "\"to\":\"%s\",\"body\":\"%s\"}", KB64,
				    bodies[i]);
			rc1 = codec_decode(PROTO_JSON, CODEC_REGISTERING, (const uint8_t *)msg,
			    strlen(msg), &r, s1, sizeof(s1), &why1);
			rc2 = codec_decode_frame(PROTO_JSON, CODEC_REGISTERING,
			    (const uint8_t *)msg, strlen(msg), &f, s2,
			    sizeof(s2), &why2);
			ok(rc1 == rc2 && (rc1 == CODEC_OK ||
			    strcmp(why1, why2) == 0), "%s body \"%s\": the same "
			    "verdict (%d, %d)", pub ? "PUBLISH" : "SEND",
			    bodies[i], rc1, rc2);
			if (rc1 != CODEC_OK || rc2 != CODEC_OK)
				continue;
			ok(f.body_pending == (strchr(bodies[i], '\\') == NULL),
			    "body \"%s\": deferred unless escaped", bodies[i]);
			body = codec_body(&f);
			ok(!f.body_pending && f.body_len == r.body_len &&
			    (r.body_len == 0 || memcmp(body, r.body,
			    r.body_len) == 0), "body \"%s\": codec_body() gives "
			    "codec_decode()'s bytes", bodies[i]);
		}

	/* large bodies, each length modulo 3 */
	for (blen = 2998; blen <= 3000; blen++) {
		for (i = 0; i < blen; i++)
			want[i] = (uint8_t)(i * 31 + 7);
		snprintf(big, sizeof(big), "%s", b64(want, blen));
		snprintf(msg, sizeof(msg), "{\"type\":\"SEND\",\"to\":\"%s\","
		    "\"body\":\"%s\"}", KB64, big);
		rc2 = codec_decode_frame(PROTO_JSON, CODEC_REGISTERING, (const uint8_t *)msg,
		    strlen(msg), &f, s2, sizeof(s2), &why2);
		ok(rc2 == CODEC_OK && f.body_pending, "body of %zu bytes: "
		    "checked, deferred", blen);
		if (rc2 != CODEC_OK)
			continue;
		body = codec_body(&f);
		ok(f.body_len == blen && memcmp(body, want, blen) == 0,
		    "body of %zu bytes decoded on demand", blen);
	}

	/* msgpack bodies are never deferred: they point into the message */
	rc2 = codec_decode_frame(PROTO_MSGPACK, CODEC_REGISTERING, (const uint8_t *)
	    "\x83\xa4type\xa7PUBLISH\xa4room\xa1r\xa4" "body\xc4\x02hi", 30,
	    &f, s2, sizeof(s2), &why2);
	ok(rc2 == CODEC_OK && !f.body_pending && f.body_len == 2 &&
	    memcmp(codec_body(&f), "hi", 2) == 0,
	    "msgpack: the body is there at once");
}

/*
 * docs/WIRE.md 3 and 4: after registration CHALLENGE_RESPONSE is a type the
 * client may not send.  unknown-type, naming a valid id; its other fields
 * are not read, so wrong ones change nothing; a bad id is malformed, as
 * for any request; only the structure of the message itself still counts.
 */
static void
test_registered(void)
{
	static uint8_t	 scr[256];
	struct sws_req	 r;
	int		 rc;

	dec_phase = CODEC_REGISTERED;
	cj(CODEC_UNKNOWN_TYPE, 1, 7, "registered: CHALLENGE_RESPONSE, id 7",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"%s\",\"id\":7}", KA64, N64,
	    b64(BOX, 48));
	cj(CODEC_UNKNOWN_TYPE, 0, 0, "registered: CHALLENGE_RESPONSE, no id",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"%s\"}", KA64, N64, b64(BOX, 48));
	cj(CODEC_UNKNOWN_TYPE, 1, 8, "registered: CHALLENGE_RESPONSE with a "
	    "numeric publicKey is still unknown-type",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":5,\"id\":8}");
	cj(CODEC_UNKNOWN_TYPE, 1, 9, "registered: CHALLENGE_RESPONSE with no "
	    "other field", "{\"id\":9,\"type\":\"CHALLENGE_RESPONSE\"}");
	cj(CODEC_UNKNOWN_TYPE, 1, 10, "registered: CHALLENGE_RESPONSE, short "
	    "box and a nonce of the wrong size",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"AA\",\"id\":10}", KA64, KA64);
	cj(CODEC_MALFORMED, 0, 0, "registered: CHALLENGE_RESPONSE, id -1",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"id\":-1}");
	cj(CODEC_MALFORMED, 0, 0, "registered: CHALLENGE_RESPONSE, id 1.5",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"id\":1.5}");
	cj(CODEC_MALFORMED, 0, 0, "registered: CHALLENGE_RESPONSE, id 2^53",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"id\":9007199254740992}");
	cj(CODEC_UNKNOWN_TYPE, 1, 9007199254740991ULL, "registered: "
	    "CHALLENGE_RESPONSE, id 2^53-1",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"id\":9007199254740991}");
	cj(CODEC_MALFORMED, 0, 0, "registered: CHALLENGE_RESPONSE with a "
	    "duplicate key is malformed",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"x\":1,\"x\":2,\"id\":3}");
	/* the other requests decode as before registration */
	cj(CODEC_OK, 1, 4, "registered: SEND", "{\"type\":\"SEND\","
	    "\"to\":\"%s\",\"body\":\"\",\"id\":4}", KA64);
	cj(CODEC_UNKNOWN_TYPE, 1, 5, "registered: CHALLENGE still unknown",
	    "{\"type\":\"CHALLENGE\",\"id\":5}");

	mbegin(5);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("publicKey");
	pbin(KA, 32);
	pstr("nonce");
	pbin(NONCE, 24);
	pstr("box");
	pbin(BOX, 48);
	pstr("id");
	msgpack_pack_uint64(&pk, 11);
	cm(CODEC_UNKNOWN_TYPE, 1, 11, "registered: CHALLENGE_RESPONSE, id 11",
	    sb.data, sb.size);

	mbegin(3);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("publicKey");
	pstr("not bin");
	pstr("id");
	msgpack_pack_uint64(&pk, 12);
	cm(CODEC_UNKNOWN_TYPE, 1, 12, "registered: CHALLENGE_RESPONSE with a "
	    "str publicKey is still unknown-type", sb.data, sb.size);

	mbegin(2);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("id");
	msgpack_pack_int64(&pk, -3);
	cm(CODEC_MALFORMED, 0, 0, "registered: CHALLENGE_RESPONSE, id -3",
	    sb.data, sb.size);

	/* the frame entry takes the phase too */
	snprintf(jbuf, sizeof(jbuf), "{\"type\":\"CHALLENGE_RESPONSE\","
	    "\"publicKey\":true,\"id\":13}");
	rc = codec_decode_frame(PROTO_JSON, CODEC_REGISTERED,
	    (const uint8_t *)jbuf, strlen(jbuf), &r, scr, sizeof(scr), NULL);
	ok(rc == CODEC_UNKNOWN_TYPE && r.has_id && r.id == 13,
	    "registered: codec_decode_frame, CHALLENGE_RESPONSE -> unknown-type "
	    "with id 13");
	rc = codec_decode_frame(PROTO_JSON, CODEC_REGISTERING,
	    (const uint8_t *)jbuf, strlen(jbuf), &r, scr, sizeof(scr), NULL);
	ok(rc == CODEC_MALFORMED && !r.has_id, "registering: the same message "
	    "is a malformed CHALLENGE_RESPONSE, its id ignored");
	dec_phase = CODEC_REGISTERING;
}

int
main(void)
{
	if (codec_setup() < 0)
		return 1;
	test_vectors();
	test_api();
	test_passthrough();
	test_decode_frame();
	test_registered();
	return codec_done();
}
