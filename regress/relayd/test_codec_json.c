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
 * The JSON decoder of the codec against docs/WIRE.md sections 3, 4 and 6:
 * every request type, every malformed rule with its exact id behaviour,
 * and the unknown types in both encodings.  Helpers in test_codec.h.
 */

#include "test_codec.h"

static void
test_json_good(void)
{
	struct sws_req	 r;
	char		 room128[129];
	int		 rc;

	rc = dj("{\"type\":\"JOIN\",\"room\":\"lobby\",\"id\":1}", &r);
	ok(rc == CODEC_OK && r.type == REQ_JOIN && r.has_id && r.id == 1 &&
	    r.room_len == 5 && memcmp(r.room, "lobby", 5) == 0 &&
	    r.body == NULL, "json JOIN decodes");
	ok(r.room >= (const char *)last_scratch &&
	    r.room < (const char *)last_scratch + strlen("{\"type\":\"JOIN\","
	    "\"room\":\"lobby\",\"id\":1}"), "json room lives in scratch");

	rc = dj("{\"type\":\"LEAVE\",\"room\":\"l\\u00e9\\\"[{\"}", &r);
	ok(rc == CODEC_OK && r.type == REQ_LEAVE && !r.has_id &&
	    r.room_len == 6 && memcmp(r.room, "l\xc3\xa9\"[{", 6) == 0,
	    "json LEAVE, escapes unescaped, no id");

	snprintf(jbuf, sizeof(jbuf), "{\"type\":\"SEND\",\"to\":\"%s\","
	    "\"body\":\"%s\",\"id\":7}", KB64, b64(BODY, 64));
	rc = dj(jbuf, &r);
	ok(rc == CODEC_OK && r.type == REQ_SEND && r.has_id && r.id == 7 &&
	    memcmp(r.key, KB, 32) == 0 && r.body_len == 64 &&
	    memcmp(r.body, BODY, 64) == 0 && r.room == NULL, "json SEND");

	rc = dj("{\"body\":\"\",\"to\":\""
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "\",\"type\":\"SEND\"}", &r);
	ok(rc == CODEC_OK && r.type == REQ_SEND && r.body_len == 0 &&
	    r.body != NULL && !r.has_id,
	    "json SEND empty body, key order free");

	snprintf(jbuf, sizeof(jbuf), "{\"type\":\"PUBLISH\",\"room\":\"g\","
	    "\"body\":\"%s\",\"id\":3}", b64(BODY, 1000));
	rc = dj(jbuf, &r);
	ok(rc == CODEC_OK && r.type == REQ_PUBLISH && r.id == 3 &&
	    r.room_len == 1 && r.room[0] == 'g' && r.body_len == 1000 &&
	    memcmp(r.body, BODY, 1000) == 0, "json PUBLISH");

	snprintf(jbuf, sizeof(jbuf), "{\"type\":\"CHALLENGE_RESPONSE\","
	    "\"publicKey\":\"%s\",\"nonce\":\"%s\",\"box\":\"%s\",\"id\":5}",
	    KA64, N64, b64(BOX, 48));
	rc = dj(jbuf, &r);
	ok(rc == CODEC_OK && r.type == REQ_CHALLENGE_RESPONSE && !r.has_id &&
	    memcmp(r.key, KA, 32) == 0 && memcmp(r.nonce, NONCE, 24) == 0 &&
	    r.body_len == 48 && memcmp(r.body, BOX, 48) == 0,
	    "json CHALLENGE_RESPONSE, box 48, id ignored");
	snprintf(jbuf, sizeof(jbuf), "{\"type\":\"CHALLENGE_RESPONSE\","
	    "\"publicKey\":\"%s\",\"nonce\":\"%s\",\"box\":\"%s\","
	    "\"id\":\"x\"}", KA64, N64, b64(BOX, 303));
	rc = dj(jbuf, &r);
	ok(rc == CODEC_OK && !r.has_id && r.body_len == 303 &&
	    memcmp(r.body, BOX, 303) == 0,
	    "json CHALLENGE_RESPONSE, box 303, bad id ignored");

	rc = dj(" \n{\"type\":\"JOIN\",\"room\":\"a\",\"x\":{\"y\":[1,2.5,"
	    "\"z\",null,true,{}]},\"version\":9e99} \r\n\t", &r);
	ok(rc == CODEC_OK && r.type == REQ_JOIN && !r.has_id,
	    "json unknown keys ignored, whitespace around");

	memset(room128, 'r', 128);
	room128[128] = '\0';
	cj(CODEC_OK, 1, 2, "room 128 bytes",
	    "{\"type\":\"JOIN\",\"room\":\"%s\",\"id\":2}", room128);
	cj(CODEC_OK, 1, SWS_ID_MAX, "id 2^53-1",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":9007199254740991}");
	cj(CODEC_OK, 1, 0, "id 0",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":0}");
	cj(CODEC_OK, 1, 0, "id -0 read as 0",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":-0}");
	cj(CODEC_OK, 1, 1, "depth 8",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1,"
	    "\"x\":[[[[[[[1]]]]]]]}");
	cj(CODEC_OK, 1, 1, "depth 8 of objects",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1,\"x\":{\"x\":{\"x\":"
	    "{\"x\":{\"x\":{\"x\":{\"x\":{}}}}}}}}");
	cj(CODEC_OK, 1, 1, "brackets inside strings do not nest",
	    "{\"type\":\"JOIN\",\"room\":\"[[[[[[[[[[{{{{\",\"id\":1,"
	    "\"[[[[[[[[[[\":1}");
	cj(CODEC_OK, 1, 1, "escaped quote inside a string",
	    "{\"type\":\"JOIN\",\"room\":\"\\\"[[[[[[[[[[\\\\\",\"id\":1,"
	    "\"x\":[[[[[[[\"\\\"\"]]]]]]]}");
	cj(CODEC_OK, 1, 1, "room of escaped and raw non-ASCII",
	    "{\"type\":\"JOIN\",\"room\":\"caf\\u00e9 \xe2\x82\xac\","
	    "\"id\":1}");
}

static void
test_json_bad(void)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char		 key[128], room[200];
	size_t		 n;
	int		 i;
	char		*deep;

	/* Not one JSON object. */
	cj(CODEC_MALFORMED, 0, 0, "empty", "%s", "");
	cj(CODEC_MALFORMED, 0, 0, "whitespace only", "%s", "  ");
	cj(CODEC_MALFORMED, 0, 0, "not JSON", "%s", "hello");
	cj(CODEC_MALFORMED, 0, 0, "unterminated",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1");
	cj(CODEC_MALFORMED, 0, 0, "trailing garbage",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1} x");
	cj(CODEC_MALFORMED, 0, 0, "two objects",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1}{}");
	cj(CODEC_MALFORMED, 0, 0, "array", "[{\"type\":\"JOIN\"}]");
	cj(CODEC_MALFORMED, 0, 0, "string", "\"JOIN\"");
	cj(CODEC_MALFORMED, 0, 0, "number", "7");
	cj(CODEC_MALFORMED, 0, 0, "null", "null");
	cj(CODEC_MALFORMED, 0, 0, "trailing comma",
	    "{\"type\":\"JOIN\",\"room\":\"a\",}");
	cj(CODEC_MALFORMED, 0, 0, "single quotes", "{'type':'JOIN'}");
	cj(CODEC_MALFORMED, 0, 0, "invalid UTF-8 in a string",
	    "{\"type\":\"JOIN\",\"room\":\"\xc3\x28\",\"id\":1}");
	/* \u0000 parses; the field rules refuse it, keeping the id */
	cj(CODEC_MALFORMED, 1, 1, "NUL escape in room",
	    "{\"type\":\"JOIN\",\"room\":\"a\\u0000b\",\"id\":1}");
	cj(CODEC_UNKNOWN_TYPE, 1, 1, "NUL escape in type",
	    "{\"type\":\"JOIN\\u0000\",\"room\":\"a\",\"id\":1}");
	cj(CODEC_MALFORMED, 0, 0, "lone surrogate escape",
	    "{\"type\":\"JOIN\",\"room\":\"\\ud800\",\"id\":1}");

	/* Duplicates, anywhere. */
	cj(CODEC_MALFORMED, 0, 0, "duplicate room",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"room\":\"b\",\"id\":1}");
	cj(CODEC_MALFORMED, 0, 0, "duplicate type",
	    "{\"type\":\"JOIN\",\"type\":\"JOIN\",\"room\":\"a\",\"id\":1}");
	cj(CODEC_MALFORMED, 0, 0, "duplicate id",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1,\"id\":1}");
	cj(CODEC_MALFORMED, 0, 0, "duplicate unknown key",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1,\"x\":1,\"x\":1}");
	cj(CODEC_MALFORMED, 0, 0, "duplicate key nested",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1,"
	    "\"x\":[{\"k\":1,\"k\":2}]}");

	/* Depth. */
	cj(CODEC_MALFORMED, 0, 0, "depth 9",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1,"
	    "\"x\":[[[[[[[[1]]]]]]]]}");
	cj(CODEC_MALFORMED, 0, 0, "depth 9 of objects",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1,\"x\":{\"x\":{\"x\":"
	    "{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{}}}}}}}}}");
	cj(CODEC_MALFORMED, 0, 0, "depth 9 empty",
	    "{\"id\":1,\"x\":[[[[[[[[]]]]]]]]}");
	deep = malloc(200002);
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	deep[200000] = '\0';
	cj(CODEC_MALFORMED, 0, 0, "depth 100000", "%s", deep);
	free(deep);

	/* ids. */
	cj(CODEC_MALFORMED, 0, 0, "id 7.0",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":7.0}");
	cj(CODEC_MALFORMED, 0, 0, "id 1e2",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1e2}");
	cj(CODEC_MALFORMED, 0, 0, "id 1E2",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":1E2}");
	cj(CODEC_MALFORMED, 0, 0, "id -1",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":-1}");
	cj(CODEC_MALFORMED, 0, 0, "id -0.0",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":-0.0}");
	cj(CODEC_MALFORMED, 0, 0, "id 2^53",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":9007199254740992}");
	cj(CODEC_MALFORMED, 0, 0, "id 2^63-1",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":9223372036854775807}");
	cj(CODEC_MALFORMED, 0, 0, "id beyond int64",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":99999999999999999999}");
	cj(CODEC_MALFORMED, 0, 0, "id \"7\"",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":\"7\"}");
	cj(CODEC_MALFORMED, 0, 0, "id null",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":null}");
	cj(CODEC_MALFORMED, 0, 0, "id true",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":true}");
	cj(CODEC_MALFORMED, 0, 0, "id [7]",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":[7]}");
	cj(CODEC_MALFORMED, 0, 0, "id 07",
	    "{\"type\":\"JOIN\",\"room\":\"a\",\"id\":07}");
	cj(CODEC_MALFORMED, 0, 0, "bad id beats unknown type",
	    "{\"type\":\"FOO\",\"id\":-1}");

	/* type. */
	cj(CODEC_MALFORMED, 1, 4, "no type", "{\"id\":4}");
	cj(CODEC_MALFORMED, 0, 0, "no type, no id", "{}");
	cj(CODEC_MALFORMED, 1, 4, "type 5", "{\"type\":5,\"id\":4}");
	cj(CODEC_MALFORMED, 1, 4, "type null", "{\"type\":null,\"id\":4}");
	cj(CODEC_MALFORMED, 1, 4, "type [\"SEND\"]",
	    "{\"type\":[\"SEND\"],\"id\":4}");
	cj(CODEC_MALFORMED, 0, 0, "type 5, id bad", "{\"type\":5,\"id\":1.5}");

	/* Missing and mistyped keys keep a good id. */
	cj(CODEC_MALFORMED, 1, 9, "SEND without to",
	    "{\"type\":\"SEND\",\"body\":\"\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "SEND without body",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"id\":9}", KB64);
	cj(CODEC_MALFORMED, 1, 9, "SEND to a number",
	    "{\"type\":\"SEND\",\"to\":5,\"body\":\"\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "SEND body null",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":null,\"id\":9}", KB64);
	cj(CODEC_MALFORMED, 1, 9, "SEND body array",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":[1],\"id\":9}", KB64);
	cj(CODEC_MALFORMED, 1, 9, "JOIN without room",
	    "{\"type\":\"JOIN\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "JOIN room 1",
	    "{\"type\":\"JOIN\",\"room\":1,\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "JOIN room null",
	    "{\"type\":\"JOIN\",\"room\":null,\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "LEAVE without room",
	    "{\"type\":\"LEAVE\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "LEAVE room object",
	    "{\"type\":\"LEAVE\",\"room\":{},\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "PUBLISH without room",
	    "{\"type\":\"PUBLISH\",\"body\":\"\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "PUBLISH without body",
	    "{\"type\":\"PUBLISH\",\"room\":\"a\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "PUBLISH body 12",
	    "{\"type\":\"PUBLISH\",\"room\":\"a\",\"body\":12,\"id\":9}");
	cj(CODEC_MALFORMED, 0, 0, "CHALLENGE_RESPONSE without publicKey",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"nonce\":\"%s\",\"box\":\"%s\","
	    "\"id\":9}", N64, b64(BOX, 48));
	cj(CODEC_MALFORMED, 0, 0, "CHALLENGE_RESPONSE without nonce",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"box\":\"%s\"}", KA64, b64(BOX, 48));
	cj(CODEC_MALFORMED, 0, 0, "CHALLENGE_RESPONSE without box",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\"}", KA64, N64);

	/* Sizes. */
	cj(CODEC_MALFORMED, 0, 0, "box 47",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"%s\"}", KA64, N64, b64(BOX, 47));
	cj(CODEC_MALFORMED, 0, 0, "box 304",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"%s\"}", KA64, N64, b64(BOX, 304));
	cj(CODEC_MALFORMED, 0, 0, "nonce 23",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"%s\"}", KA64, b64(NONCE, 23),
	    b64(BOX, 48));
	cj(CODEC_MALFORMED, 0, 0, "nonce 25",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"%s\"}", KA64, b64(BOX, 25),
	    b64(BOX, 48));
	cj(CODEC_MALFORMED, 0, 0, "publicKey 31",
	    "{\"type\":\"CHALLENGE_RESPONSE\",\"publicKey\":\"%s\","
	    "\"nonce\":\"%s\",\"box\":\"%s\"}", b64(KA, 31), N64,
	    b64(BOX, 48));
	cj(CODEC_MALFORMED, 1, 9, "to 31 bytes",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"\",\"id\":9}",
	    b64(KB, 31));
	cj(CODEC_MALFORMED, 1, 9, "to 33 bytes",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"\",\"id\":9}",
	    b64(BOX, 33));

	/* base64url strictness. */
	cj(CODEC_MALFORMED, 1, 9, "to with padding",
	    "{\"type\":\"SEND\",\"to\":\"%s=\",\"body\":\"\",\"id\":9}", KB64);
	snprintf(key, sizeof(key), "%s", KB64);
	key[5] = '+';
	cj(CODEC_MALFORMED, 1, 9, "to with '+'",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"\",\"id\":9}", key);
	key[5] = '/';
	cj(CODEC_MALFORMED, 1, 9, "to with '/'",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"\",\"id\":9}", key);
	snprintf(key, sizeof(key), "%.20s %s", KB64, KB64 + 20);
	cj(CODEC_MALFORMED, 1, 9, "to with a space",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"\",\"id\":9}", key);
	snprintf(key, sizeof(key), "%.20s\\n%s", KB64, KB64 + 20);
	cj(CODEC_MALFORMED, 1, 9, "to with a newline",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"\",\"id\":9}", key);
	/* The last of 43 characters carries 4 bits: 2 must be zero. */
	snprintf(key, sizeof(key), "%s", KB64);
	key[42] = alpha[(strchr(alpha, key[42]) - alpha) | 1];
	cj(CODEC_MALFORMED, 1, 9, "to with non-zero trailing bits",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"\",\"id\":9}", key);
	cj(CODEC_MALFORMED, 1, 9, "body of 4n+1 characters",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"AAAAA\",\"id\":9}",
	    KB64);
	cj(CODEC_MALFORMED, 1, 9, "body \"AB\": trailing bits",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"AB\",\"id\":9}", KB64);
	cj(CODEC_OK, 1, 9, "body \"AA\"",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"AA\",\"id\":9}", KB64);
	cj(CODEC_MALFORMED, 1, 9, "body standard alphabet",
	    "{\"type\":\"SEND\",\"to\":\"%s\",\"body\":\"+/+/\",\"id\":9}",
	    KB64);

	/* Rooms. */
	cj(CODEC_MALFORMED, 1, 9, "room empty",
	    "{\"type\":\"JOIN\",\"room\":\"\",\"id\":9}");
	memset(room, 'r', 129);
	room[129] = '\0';
	cj(CODEC_MALFORMED, 1, 9, "room 129 bytes",
	    "{\"type\":\"JOIN\",\"room\":\"%s\",\"id\":9}", room);
	/* 64 two-byte characters plus one byte: 129 bytes, 65 characters. */
	for (i = 0, n = 0; i < 64; i++) {
		room[n++] = '\xc3';
		room[n++] = '\xa9';
	}
	room[n++] = 'x';
	room[n] = '\0';
	cj(CODEC_MALFORMED, 1, 9, "room 129 bytes of 65 characters",
	    "{\"type\":\"JOIN\",\"room\":\"%s\",\"id\":9}", room);
	room[n - 1] = '\0';
	cj(CODEC_OK, 1, 9, "room 128 bytes of 64 characters",
	    "{\"type\":\"JOIN\",\"room\":\"%s\",\"id\":9}", room);
	cj(CODEC_MALFORMED, 1, 9, "room with U+0001",
	    "{\"type\":\"JOIN\",\"room\":\"a\\u0001\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "room with U+001F",
	    "{\"type\":\"JOIN\",\"room\":\"a\\u001f\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "room with \\n",
	    "{\"type\":\"JOIN\",\"room\":\"a\\n\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "room with U+007F escaped",
	    "{\"type\":\"JOIN\",\"room\":\"a\\u007f\",\"id\":9}");
	cj(CODEC_MALFORMED, 1, 9, "room with a raw DEL",
	    "{\"type\":\"JOIN\",\"room\":\"a\x7f\",\"id\":9}");
	cj(CODEC_OK, 1, 9, "room with U+0080",
	    "{\"type\":\"JOIN\",\"room\":\"a\\u0080\",\"id\":9}");
	memset(room, 'r', 129);
	room[129] = '\0';
	cj(CODEC_MALFORMED, 1, 9, "PUBLISH room 129",
	    "{\"type\":\"PUBLISH\",\"room\":\"%s\",\"body\":\"\",\"id\":9}",
	    room);
}

static void
test_unknown(void)
{
	static const char *const names[] = {
		"CHALLENGE", "REGISTER_SUCCESS", "REGISTER_FAILURE", "MESSAGE",
		"ACK", "ERROR", "JOINED", "PRESENCE", "FOO", "send", "",
		"SEND ", "JOINX", "CHALLENGE_RESPONS"
	};
	char		 name[64];
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(name, sizeof(name), "type \"%s\" with id", names[i]);
		cj(CODEC_UNKNOWN_TYPE, 1, 42, name,
		    "{\"type\":\"%s\",\"id\":42,\"room\":\"a\"}", names[i]);
		snprintf(name, sizeof(name), "type \"%s\" without id",
		    names[i]);
		cj(CODEC_UNKNOWN_TYPE, 0, 0, name, "{\"type\":\"%s\"}",
		    names[i]);

		snprintf(name, sizeof(name), "type \"%s\" with id", names[i]);
		mbegin(2);
		pstr("type");
		pstr(names[i]);
		pstr("id");
		msgpack_pack_uint64(&pk, 42);
		cmsb(CODEC_UNKNOWN_TYPE, 1, 42, name);
	}
	mbegin(2);
	pstr("type");
	pstrn("SEND\0", 5);
	pstr("id");
	msgpack_pack_uint64(&pk, 1);
	cmsb(CODEC_UNKNOWN_TYPE, 1, 1, "type \"SEND\\0\"");
}

int
main(void)
{
	if (codec_setup() < 0)
		return 1;
	test_json_good();
	test_json_bad();
	test_unknown();
	return codec_done();
}
