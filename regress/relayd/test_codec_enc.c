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
 * The codec's encoders (docs/WIRE.md section 4 and 6): every encoder's output
 * read back by the libraries (jansson, msgpack-c) rather than by our own
 * decoder, exact buffer sizes, enc_message_size(), and bodies crossing
 * encodings.  Helpers in test_codec.h.
 */

#include <jansson.h>

#include "test_codec.h"

static int
contains(const uint8_t *p, size_t n, const char *s)
{
	size_t	 i, k = strlen(s);

	for (i = 0; i + k <= n; i++) {
		if (memcmp(p + i, s, k) == 0)
			return 1;
	}
	return 0;
}

/* json_t helpers for reading encoder output. */
static int
jhas_str(json_t *o, const char *key, const char *want)
{
	json_t	*v = json_object_get(o, key);

	return v != NULL && json_is_string(v) &&
	    json_string_length(v) == strlen(want) &&
	    memcmp(json_string_value(v), want, strlen(want)) == 0;
}

static int
jhas_strn(json_t *o, const char *key, const char *want, size_t n)
{
	json_t	*v = json_object_get(o, key);

	return v != NULL && json_is_string(v) && json_string_length(v) == n &&
	    memcmp(json_string_value(v), want, n) == 0;
}

static int
jbytes_eq(json_t *v, const uint8_t *want, size_t n)
{
	uint8_t	*tmp;
	size_t	 len;
	int	 r;

	if (v == NULL || !json_is_string(v))
		return 0;
	tmp = malloc(json_string_length(v) + 1);
	r = sodium_base642bin(tmp, json_string_length(v) + 1,
	    json_string_value(v), json_string_length(v), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && len == n &&
	    memcmp(tmp, want, n) == 0 &&
	    json_string_length(v) == B64_ENCODED_LEN(n);
	free(tmp);
	return r;
}

static int
jhas_bytes(json_t *o, const char *key, const uint8_t *want, size_t n)
{
	return jbytes_eq(json_object_get(o, key), want, n);
}

static int
jhas_uint(json_t *o, const char *key, uint64_t want)
{
	json_t	*v = json_object_get(o, key);

	return v != NULL && json_is_integer(v) &&
	    (uint64_t)json_integer_value(v) == want;
}

static json_t *
jparse(const uint8_t *p, size_t n)
{
	json_error_t	 err;

	return json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err);
}

/* msgpack helpers. */
static msgpack_zone	tz;

static int
mparse(const uint8_t *p, size_t n, msgpack_object *o)
{
	size_t	 off = 0;

	msgpack_zone_clear(&tz);
	return msgpack_unpack((const char *)p, n, &off, &tz, o) ==
	    MSGPACK_UNPACK_SUCCESS && off == n && o->type == MSGPACK_OBJECT_MAP;
}

static const msgpack_object *
mget(const msgpack_object *o, const char *key)
{
	uint32_t	 i;

	for (i = 0; i < o->via.map.size; i++) {
		if (o->via.map.ptr[i].key.type == MSGPACK_OBJECT_STR &&
		    o->via.map.ptr[i].key.via.str.size == strlen(key) &&
		    memcmp(o->via.map.ptr[i].key.via.str.ptr, key,
		    strlen(key)) == 0)
			return &o->via.map.ptr[i].val;
	}
	return NULL;
}

static int
mhas_strn(const msgpack_object *o, const char *key, const char *want,
    size_t n)
{
	const msgpack_object	*v = mget(o, key);

	return v != NULL && v->type == MSGPACK_OBJECT_STR &&
	    v->via.str.size == n && memcmp(v->via.str.ptr, want, n) == 0;
}

static int
mhas_str(const msgpack_object *o, const char *key, const char *want)
{
	return mhas_strn(o, key, want, strlen(want));
}

static int
mbin_eq(const msgpack_object *v, const uint8_t *want, size_t n)
{
	return v != NULL && v->type == MSGPACK_OBJECT_BIN &&
	    v->via.bin.size == n && memcmp(v->via.bin.ptr, want, n) == 0;
}

static int
mhas_bin(const msgpack_object *o, const char *key, const uint8_t *want,
    size_t n)
{
	return mbin_eq(mget(o, key), want, n);
}

static int
mhas_uint(const msgpack_object *o, const char *key, uint64_t want)
{
	const msgpack_object	*v = mget(o, key);

	return v != NULL && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    v->via.u64 == want;
}

/* Every shorter buffer, allocated to size, gives 0 and no overflow. */
typedef size_t (*encfn)(int, uint8_t *, size_t, const void *);

static int
fits_exactly(int proto, encfn fn, const void *arg, size_t len)
{
	uint8_t	*buf;
	size_t	 cap;
	int	 good = 1;

	for (cap = 0; cap <= len; cap++) {
		buf = malloc(cap ? cap : 1);
		if (fn(proto, buf, cap, arg) != (cap == len ? len : 0))
			good = 0;
		free(buf);
	}
	return good;
}

static size_t
f_challenge(int proto, uint8_t *out, size_t cap, const void *arg)
{
	(void)arg;
	return enc_challenge(proto, out, cap, KA, KB);
}

static size_t
f_success(int proto, uint8_t *out, size_t cap, const void *arg)
{
	return enc_register_success(proto, out, cap, KA, BOX, arg);
}

static size_t
f_failure(int proto, uint8_t *out, size_t cap, const void *arg)
{
	return enc_register_failure(proto, out, cap, "bad-proof", arg);
}

static size_t
f_error(int proto, uint8_t *out, size_t cap, const void *arg)
{
	return enc_error(proto, out, cap, 1, 123456, "too-large", arg);
}

static size_t
f_message(int proto, uint8_t *out, size_t cap, const void *arg)
{
	return enc_message(proto, out, cap, KA, arg, arg ? strlen(arg) : 0,
	    BODY, 100);
}

static size_t
f_joined(int proto, uint8_t *out, size_t cap, const void *arg)
{
	(void)arg;
	return enc_joined(proto, out, cap, "r\"x", 3,
	    (const uint8_t (*)[32])BODY, 17, 1, 5);
}

static size_t
f_presence(int proto, uint8_t *out, size_t cap, const void *arg)
{
	(void)arg;
	return enc_presence(proto, out, cap, "room", 4, KB, 0);
}

static void
test_encoders(void)
{
	static const char	 human[] = "quote\" back\\slash\nnl\x01"
	    "ctl\x1f del\x7f caf\xc3\xa9 \xe2\x82\xac/";
	static const uint64_t	 ids[] = {
		0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffULL,
		0x100000000ULL, SWS_ID_MAX
	};
	/* msgpack id encodings expected, smallest form. */
	static const char *const idbytes[] = {
		"\x00", "\x01", "\x7f", "\xcc\x80", "\xcc\xff", "\xcd\x01\x00",
		"\xcd\xff\xff", "\xce\x00\x01\x00\x00", "\xce\xff\xff\xff\xff",
		"\xcf\x00\x00\x00\x01\x00\x00\x00\x00",
		"\xcf\x00\x1f\xff\xff\xff\xff\xff\xff"
	};
	static const size_t	 idlens[] = { 1, 1, 1, 2, 2, 3, 3, 5, 5, 9, 9 };
	struct sws_limits	 lim = { 65536, 48768, 20, 40, 16 };
	uint8_t			 out[8192];
	uint8_t			 members[17][32];
	char			 want[64];
	json_t			*j, *l, *a;
	msgpack_object		 m;
	const msgpack_object	*ml;
	size_t			 n, i, k;
	int			 good;

	/* CHALLENGE */
	n = enc_challenge(PROTO_JSON, out, sizeof(out), KA, KB);
	j = jparse(out, n);
	ok(j != NULL && json_object_size(j) == 4 &&
	    jhas_str(j, "type", "CHALLENGE") && jhas_uint(j, "version", 1) &&
	    jhas_bytes(j, "server", KA, 32) &&
	    jhas_bytes(j, "challenge", KB, 32), "json CHALLENGE");
	json_decref(j);
	n = enc_challenge(PROTO_MSGPACK, out, sizeof(out), KA, KB);
	ok(mparse(out, n, &m) && m.via.map.size == 4 &&
	    mhas_str(&m, "type", "CHALLENGE") && mhas_uint(&m, "version", 1) &&
	    mhas_bin(&m, "server", KA, 32) &&
	    mhas_bin(&m, "challenge", KB, 32), "msgpack CHALLENGE");

	/* REGISTER_SUCCESS */
	n = enc_register_success(PROTO_JSON, out, sizeof(out), KA, BOX, &lim);
	j = jparse(out, n);
	l = j ? json_object_get(j, "limits") : NULL;
	ok(j != NULL && json_object_size(j) == 4 &&
	    jhas_str(j, "type", "REGISTER_SUCCESS") &&
	    jhas_bytes(j, "publicKey", KA, 32) &&
	    jhas_bytes(j, "proof", BOX, SWS_PROOF_LEN) && l != NULL &&
	    json_is_object(l) && json_object_size(l) == 5 &&
	    jhas_uint(l, "maxMessage", 65536) &&
	    jhas_uint(l, "maxBody", 48768) &&
	    jhas_uint(l, "rate", 20) && jhas_uint(l, "burst", 40) &&
	    jhas_uint(l, "rooms", 16), "json REGISTER_SUCCESS");
	json_decref(j);
	n = enc_register_success(PROTO_MSGPACK, out, sizeof(out), KA, BOX,
	    &lim);
	good = mparse(out, n, &m) && m.via.map.size == 4 &&
	    mhas_str(&m, "type", "REGISTER_SUCCESS") &&
	    mhas_bin(&m, "publicKey", KA, 32) &&
	    mhas_bin(&m, "proof", BOX, SWS_PROOF_LEN);
	ml = good ? mget(&m, "limits") : NULL;
	ok(good && ml != NULL && ml->type == MSGPACK_OBJECT_MAP &&
	    ml->via.map.size == 5 && mhas_uint(ml, "maxMessage", 65536) &&
	    mhas_uint(ml, "maxBody", 48768) && mhas_uint(ml, "rate", 20) &&
	    mhas_uint(ml, "burst", 40) && mhas_uint(ml, "rooms", 16),
	    "msgpack REGISTER_SUCCESS");

	/* REGISTER_FAILURE, with a human text needing every escape. */
	n = enc_register_failure(PROTO_JSON, out, sizeof(out), "bad-binding",
	    human);
	j = jparse(out, n);
	ok(j != NULL && json_object_size(j) == 3 &&
	    jhas_str(j, "type", "REGISTER_FAILURE") &&
	    jhas_str(j, "reason", "bad-binding") &&
	    jhas_str(j, "message", human), "json REGISTER_FAILURE");
	json_decref(j);
	ok(contains(out, n, "\\u0001") && contains(out, n, "\\u001f") &&
	    contains(out, n, "quote\\\" back\\\\slash\\u000anl") &&
	    contains(out, n, "del\x7f caf\xc3\xa9 \xe2\x82\xac/\""),
	    "json escapes controls as \\u00XX, passes UTF-8 through");
	n = enc_register_failure(PROTO_MSGPACK, out, sizeof(out), "timeout",
	    human);
	ok(mparse(out, n, &m) && m.via.map.size == 3 &&
	    mhas_str(&m, "type", "REGISTER_FAILURE") &&
	    mhas_str(&m, "reason", "timeout") &&
	    mhas_str(&m, "message", human), "msgpack REGISTER_FAILURE");

	/* ACK, and the smallest integer forms. */
	n = enc_ack(PROTO_JSON, out, sizeof(out), 7);
	ok(n == 21 && memcmp(out, "{\"type\":\"ACK\",\"id\":7}", 21) == 0,
	    "json ACK bytes exact");
	n = enc_ack(PROTO_MSGPACK, out, sizeof(out), 7);
	ok(n == 14 && memcmp(out, "\x82\xa4type\xa3" "ACK\xa2id\x07", 14) == 0,
	    "msgpack ACK bytes exact");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		n = enc_ack(PROTO_MSGPACK, out, sizeof(out), ids[i]);
		ok(n == 13 + idlens[i] &&
		    memcmp(out + 13, idbytes[i], idlens[i]) == 0 &&
		    mparse(out, n, &m) && m.via.map.size == 2 &&
		    mhas_str(&m, "type", "ACK") && mhas_uint(&m, "id", ids[i]),
		    "msgpack ACK id %llu in its smallest form",
		    (unsigned long long)ids[i]);
		n = enc_ack(PROTO_JSON, out, sizeof(out), ids[i]);
		snprintf(want, sizeof(want), "{\"type\":\"ACK\",\"id\":%llu}",
		    (unsigned long long)ids[i]);
		ok(n == strlen(want) && memcmp(out, want, n) == 0,
		    "json ACK id %llu", (unsigned long long)ids[i]);
	}

	/* ERROR with and without id. */
	n = enc_error(PROTO_JSON, out, sizeof(out), 1, 9, "offline", "gone");
	j = jparse(out, n);
	ok(j != NULL && json_object_size(j) == 4 &&
	    jhas_str(j, "type", "ERROR") && jhas_uint(j, "id", 9) &&
	    jhas_str(j, "code", "offline") && jhas_str(j, "message", "gone"),
	    "json ERROR with id");
	json_decref(j);
	n = enc_error(PROTO_JSON, out, sizeof(out), 0, 9, "malformed", human);
	j = jparse(out, n);
	ok(j != NULL && json_object_size(j) == 3 &&
	    jhas_str(j, "type", "ERROR") && json_object_get(j, "id") == NULL &&
	    jhas_str(j, "code", "malformed") && jhas_str(j, "message", human),
	    "json ERROR without id");
	json_decref(j);
	n = enc_error(PROTO_MSGPACK, out, sizeof(out), 1, SWS_ID_MAX, "busy",
	    "full");
	ok(mparse(out, n, &m) && m.via.map.size == 4 &&
	    mhas_str(&m, "type", "ERROR") && mhas_uint(&m, "id", SWS_ID_MAX) &&
	    mhas_str(&m, "code", "busy") && mhas_str(&m, "message", "full"),
	    "msgpack ERROR with id");
	n = enc_error(PROTO_MSGPACK, out, sizeof(out), 0, 9, "malformed", "");
	ok(mparse(out, n, &m) && m.via.map.size == 3 &&
	    mhas_str(&m, "type", "ERROR") && mget(&m, "id") == NULL &&
	    mhas_str(&m, "code", "malformed") && mhas_str(&m, "message", ""),
	    "msgpack ERROR without id");

	/* MESSAGE direct and in a room. */
	n = enc_message(PROTO_JSON, out, sizeof(out), KA, NULL, 0, BODY, 64);
	j = jparse(out, n);
	ok(j != NULL && json_object_size(j) == 3 &&
	    jhas_str(j, "type", "MESSAGE") && jhas_bytes(j, "from", KA, 32) &&
	    jhas_bytes(j, "body", BODY, 64), "json MESSAGE direct");
	json_decref(j);
	n = enc_message(PROTO_JSON, out, sizeof(out), KA, "r\"\\\x01x", 5,
	    BODY, 0);
	j = jparse(out, n);
	ok(j != NULL && json_object_size(j) == 4 &&
	    jhas_str(j, "type", "MESSAGE") && jhas_bytes(j, "from", KA, 32) &&
	    jhas_strn(j, "room", "r\"\\\x01x", 5) &&
	    jhas_bytes(j, "body", BODY, 0), "json MESSAGE room, empty body");
	json_decref(j);
	n = enc_message(PROTO_MSGPACK, out, sizeof(out), KA, NULL, 0, BODY, 64);
	ok(mparse(out, n, &m) && m.via.map.size == 3 &&
	    mhas_str(&m, "type", "MESSAGE") && mhas_bin(&m, "from", KA, 32) &&
	    mhas_bin(&m, "body", BODY, 64), "msgpack MESSAGE direct");
	n = enc_message(PROTO_MSGPACK, out, sizeof(out), KA, "lobby", 5,
	    BODY, 0);
	ok(mparse(out, n, &m) && m.via.map.size == 4 &&
	    mhas_str(&m, "type", "MESSAGE") && mhas_bin(&m, "from", KA, 32) &&
	    mhas_str(&m, "room", "lobby") && mhas_bin(&m, "body", BODY, 0),
	    "msgpack MESSAGE room, empty body");

	/* JOINED */
	for (i = 0; i < 17; i++)
		memcpy(members[i], BODY + 32 * i, 32);
	for (k = 0; k < 18; k += (k < 2 ? 1 : 7)) {
		n = enc_joined(PROTO_JSON, out, sizeof(out), "lobby", 5,
		    (const uint8_t (*)[32])members, k, k % 2, 1000 + k);
		j = jparse(out, n);
		a = j ? json_object_get(j, "members") : NULL;
		good = j != NULL && json_object_size(j) == 3 + k % 2 &&
		    jhas_str(j, "type", "JOINED") &&
		    jhas_str(j, "room", "lobby") && a != NULL &&
		    json_is_array(a) && json_array_size(a) == k &&
		    (k % 2 == 0 || jhas_uint(j, "id", 1000 + k)) &&
		    n <= enc_joined_size(PROTO_JSON, 5, k);
		for (i = 0; good && i < k; i++)
			good = jbytes_eq(json_array_get(a, i), members[i], 32);
		ok(good, "json JOINED %zu members%s", k,
		    k % 2 ? " with id" : "");
		json_decref(j);

		n = enc_joined(PROTO_MSGPACK, out, sizeof(out), "lobby", 5,
		    (const uint8_t (*)[32])members, k, k % 2, 1000 + k);
		good = mparse(out, n, &m) && m.via.map.size == 3 + k % 2 &&
		    mhas_str(&m, "type", "JOINED") &&
		    mhas_str(&m, "room", "lobby") &&
		    (k % 2 == 0 || mhas_uint(&m, "id", 1000 + k)) &&
		    n <= enc_joined_size(PROTO_MSGPACK, 5, k);
		ml = good ? mget(&m, "members") : NULL;
		good = good && ml != NULL && ml->type == MSGPACK_OBJECT_ARRAY &&
		    ml->via.array.size == k;
		for (i = 0; good && i < k; i++)
			good = mbin_eq(&ml->via.array.ptr[i], members[i], 32);
		ok(good, "msgpack JOINED %zu members%s", k,
		    k % 2 ? " with id" : "");
	}
	n = enc_joined(PROTO_MSGPACK, out, sizeof(out), "lobby", 5,
	    (const uint8_t (*)[32])members, 16, 0, 0);
	ok(n > 35 && memcmp(out + 32, "\xdc\x00\x10", 3) == 0,
	    "msgpack JOINED: 16 members take an array16");
	n = enc_joined(PROTO_JSON, out, sizeof(out), "\"\"\"\"", 4,
	    (const uint8_t (*)[32])members, 3, 1, SWS_ID_MAX);
	ok(n > 0 && n <= enc_joined_size(PROTO_JSON, 4, 3),
	    "json JOINED size bound holds for escaped room and largest id");
	n = enc_joined(PROTO_JSON, out, sizeof(out), "\x01\x01", 2,
	    (const uint8_t (*)[32])members, 0, 1, SWS_ID_MAX);
	ok(n > 0 && n <= enc_joined_size(PROTO_JSON, 2, 0),
	    "json JOINED size bound holds for \\u00XX room");

	/* PRESENCE */
	n = enc_presence(PROTO_JSON, out, sizeof(out), "lobby", 5, KB, 1);
	j = jparse(out, n);
	ok(j != NULL && json_object_size(j) == 4 &&
	    jhas_str(j, "type", "PRESENCE") && jhas_str(j, "room", "lobby") &&
	    jhas_bytes(j, "publicKey", KB, 32) &&
	    jhas_str(j, "state", "joined"), "json PRESENCE joined");
	json_decref(j);
	n = enc_presence(PROTO_MSGPACK, out, sizeof(out), "lobby", 5, KB, 0);
	ok(mparse(out, n, &m) && m.via.map.size == 4 &&
	    mhas_str(&m, "type", "PRESENCE") && mhas_str(&m, "room", "lobby") &&
	    mhas_bin(&m, "publicKey", KB, 32) &&
	    mhas_str(&m, "state", "left"), "msgpack PRESENCE left");

	/* Nothing written past cap; 0 until the message fits. */
	for (k = PROTO_JSON; k <= PROTO_MSGPACK; k++) {
		const char *e = k == PROTO_JSON ? "json" : "msgpack";

		ok(fits_exactly(k, f_challenge, NULL,
		    f_challenge(k, out, sizeof(out), NULL)),
		    "%s CHALLENGE: 0 below its size", e);
		ok(fits_exactly(k, f_success, &lim,
		    f_success(k, out, sizeof(out), &lim)),
		    "%s REGISTER_SUCCESS: 0 below its size", e);
		ok(fits_exactly(k, f_failure, human,
		    f_failure(k, out, sizeof(out), human)),
		    "%s REGISTER_FAILURE: 0 below its size", e);
		ok(fits_exactly(k, f_error, human,
		    f_error(k, out, sizeof(out), human)),
		    "%s ERROR: 0 below its size", e);
		ok(fits_exactly(k, f_message, NULL,
		    f_message(k, out, sizeof(out), NULL)),
		    "%s MESSAGE: 0 below its size", e);
		ok(fits_exactly(k, f_message, "a\"b",
		    f_message(k, out, sizeof(out), "a\"b")),
		    "%s room MESSAGE: 0 below its size", e);
		ok(fits_exactly(k, f_joined, NULL,
		    f_joined(k, out, sizeof(out), NULL)),
		    "%s JOINED: 0 below its size", e);
		ok(fits_exactly(k, f_presence, NULL,
		    f_presence(k, out, sizeof(out), NULL)),
		    "%s PRESENCE: 0 below its size", e);
	}
	ok(enc_ack(0, out, sizeof(out), 1) == 0 &&
	    enc_message_size(3, NULL, 0, 1) == SIZE_MAX,
	    "unknown subprotocol encodes nothing");
}

static void
test_message_size(void)
{
	static const size_t	 sizes[] = {
		0, 1, 2, 3, 4, 5, 31, 32, 33, 64, 255, 256, 257, 1000, 65535,
		65536, 65537, 100000, BIG
	};
	static const char *const rooms[] = {
		NULL, "r", "a\"b\\c\x01\x1f", "caf\xc3\xa9",
		"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr",	/* 31: fixstr */
		"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"	/* 32: str8 */
	};
	uint8_t		*out;
	size_t		 i, r, n, want, cap;
	int		 proto, good;

	cap = 2 * BIG;
	out = malloc(cap);
	for (proto = PROTO_JSON; proto <= PROTO_MSGPACK; proto++) {
		good = 1;
		for (r = 0; r < sizeof(rooms) / sizeof(rooms[0]); r++) {
			for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				const char *rm = rooms[r];
				size_t rl = rm ? strlen(rm) : 0;

				want = enc_message_size(proto, rm, rl,
				    sizes[i]);
				n = enc_message(proto, out, cap, KA, rm, rl,
				    BODY, sizes[i]);
				if (n == 0 || n != want)
					good = 0;
				if (enc_message(proto, out, want - 1, KA, rm,
				    rl, BODY, sizes[i]) != 0 ||
				    enc_message(proto, out, want, KA, rm, rl,
				    BODY, sizes[i]) != want)
					good = 0;
			}
		}
		ok(good, "%s enc_message_size == enc_message length for %zu "
		    "body sizes and %zu rooms",
		    proto == PROTO_JSON ? "json" : "msgpack",
		    sizeof(sizes) / sizeof(sizes[0]),
		    sizeof(rooms) / sizeof(rooms[0]));
	}
	ok(enc_message_size(PROTO_JSON, NULL, 0, 64) ==
	    strlen("{\"type\":\"MESSAGE\",\"from\":\"\",\"body\":\"\"}") + 43 +
	    86, "json MESSAGE of 64 bytes is 40 + 43 + 86");
	ok(enc_message_size(PROTO_MSGPACK, NULL, 0, 64) ==
	    1 + 5 + 8 + 5 + 2 + 32 + 5 + 2 + 64,
	    "msgpack MESSAGE of 64 bytes is 124");
	ok(enc_message_size(PROTO_JSON, NULL, 0, SIZE_MAX - 10) == SIZE_MAX,
	    "absurd body size does not wrap");
	free(out);
}

/* A body crosses encodings unchanged. */
static void
test_round_trip(void)
{
	static const size_t	 sizes[] = { 0, 1, 2, 3, 64, 1000, 70000 };
	struct sws_req		 r;
	uint8_t			*out;
	size_t			 i, n;
	json_t			*j;
	msgpack_object		 m;
	int			 rc;

	out = malloc(2 * BIG);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(jbuf, sizeof(jbuf), "{\"type\":\"SEND\",\"to\":\"%s\","
		    "\"body\":\"%s\",\"id\":7}", KB64, b64(BODY + 3, sizes[i]));
		rc = dj(jbuf, &r);
		n = rc == CODEC_OK ? enc_message(PROTO_MSGPACK, out, 2 * BIG,
		    KA, NULL, 0, r.body, r.body_len) : 0;
		ok(n > 0 && mparse(out, n, &m) &&
		    mhas_bin(&m, "body", BODY + 3, sizes[i]) &&
		    mhas_bin(&m, "from", KA, 32),
		    "json SEND of %zu bytes to msgpack MESSAGE", sizes[i]);

		mbegin(4);
		pstr("type");
		pstr("PUBLISH");
		pstr("room");
		pstr("caf\xc3\xa9");
		pstr("body");
		pbin(BODY + 5, sizes[i]);
		pstr("id");
		msgpack_pack_uint64(&pk, 8);
		rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
		n = rc == CODEC_OK ? enc_message(PROTO_JSON, out, 2 * BIG, KB,
		    r.room, r.room_len, r.body, r.body_len) : 0;
		j = n > 0 ? jparse(out, n) : NULL;
		ok(j != NULL && jhas_bytes(j, "body", BODY + 5, sizes[i]) &&
		    jhas_bytes(j, "from", KB, 32) &&
		    jhas_str(j, "room", "caf\xc3\xa9"),
		    "msgpack PUBLISH of %zu bytes to json MESSAGE", sizes[i]);
		json_decref(j);

		/* And back through both directions of our own encoder. */
		n = rc == CODEC_OK ? enc_message(PROTO_MSGPACK, out, 2 * BIG,
		    KB, r.room, r.room_len, r.body, r.body_len) : 0;
		ok(n > 0 && mparse(out, n, &m) &&
		    mhas_bin(&m, "body", BODY + 5, sizes[i]) &&
		    mhas_str(&m, "room", "caf\xc3\xa9"),
		    "msgpack PUBLISH of %zu bytes to msgpack MESSAGE",
		    sizes[i]);
	}
	free(out);
}

int
main(void)
{
	if (codec_setup() < 0)
		return 1;
	msgpack_zone_init(&tz, 4096);
	test_encoders();
	test_message_size();
	test_round_trip();
	msgpack_zone_destroy(&tz);
	return codec_done();
}
