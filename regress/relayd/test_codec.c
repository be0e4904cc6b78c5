/*
 * The codec against SPEC.md sections 3, 4 and 6: every request type in
 * both encodings, every malformed rule with its exact id behaviour, the
 * base64url vectors, and every encoder's output read back by the
 * libraries (jansson, msgpack-c) rather than by our own decoder.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <msgpack.h>
#include <sodium.h>

#include "regress/lib/tap.h"
#include "b64.h"
#include "codec.h"

#define BIG	200000

static uint8_t	 KA[32], KB[32], NONCE[24], BOX[400], BODY[BIG];
static char	 KA64[64], KB64[64], N64[64];

static const char	*why;
static uint8_t		*last_msg, *last_scratch;
static int		 dec_phase = CODEC_REGISTERING;

/* A ring of base64url strings, so a few can appear in one message. */
static const char *
b64(const uint8_t *p, size_t n)
{
	static char	*ring[8];
	static int	 next;
	char		*s;

	next = (next + 1) % 8;
	free(ring[next]);
	s = ring[next] = malloc(n / 3 * 4 + 8);
	sodium_bin2base64(s, n / 3 * 4 + 8, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

/*
 * Decode from exactly-sized heap copies, so that ASan sees any read past
 * the message or write past a scratch of exactly len bytes.
 */
static int
dec(int proto, const void *msg, size_t len, struct sws_req *r)
{
	free(last_msg);
	free(last_scratch);
	last_msg = malloc(len ? len : 1);
	last_scratch = malloc(len ? len : 1);
	if (len > 0)
		memcpy(last_msg, msg, len);
	return codec_decode(proto, dec_phase, last_msg, len, r, last_scratch,
	    len, &why);
}

static int
dj(const char *s, struct sws_req *r)
{
	return dec(PROTO_JSON, s, strlen(s), r);
}

static void
check(const char *enc, int rc, const struct sws_req *r, int want,
    int has_id, uint64_t id, const char *name)
{
	ok(rc == want && r->has_id == has_id && (!has_id || r->id == id) &&
	    (rc == CODEC_OK || why != NULL),
	    "%s %s: rc %d want %d, has_id %d want %d, id %llu want %llu (%s)",
	    enc, name, rc, want, r->has_id, has_id,
	    (unsigned long long)r->id, (unsigned long long)id,
	    why ? why : "-");
}

static char	jbuf[4 * BIG];

/* One JSON case: the message from a format, the exact outcome. */
static void __attribute__((format(printf, 5, 6)))
cj(int want, int has_id, uint64_t id, const char *name, const char *fmt, ...)
{
	struct sws_req	 r;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	vsnprintf(jbuf, sizeof(jbuf), fmt, ap);
	va_end(ap);
	rc = dj(jbuf, &r);
	check("json", rc, &r, want, has_id, id, name);
}

static void
cm(int want, int has_id, uint64_t id, const char *name, const void *p,
    size_t n)
{
	struct sws_req	 r;
	int		 rc;

	rc = dec(PROTO_MSGPACK, p, n, &r);
	check("msgpack", rc, &r, want, has_id, id, name);
}

/* msgpack messages are built with msgpack-c's own packer. */
static msgpack_sbuffer	sb;
static msgpack_packer	pk;

static void
mbegin(size_t nkeys)
{
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, nkeys);
}

static void
pstr(const char *s)
{
	msgpack_pack_str_with_body(&pk, s, strlen(s));
}

static void
pstrn(const void *s, size_t n)
{
	msgpack_pack_str_with_body(&pk, s, n);
}

static void
pbin(const uint8_t *p, size_t n)
{
	msgpack_pack_bin_with_body(&pk, p, n);
}

static void
praw(const void *p, size_t n)
{
	msgpack_sbuffer_write(&sb, p, n);
}

static void
cmsb(int want, int has_id, uint64_t id, const char *name)
{
	cm(want, has_id, id, name, sb.data, sb.size);
}

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

static void
test_msgpack_good(void)
{
	struct sws_req	 r;
	uint8_t		 room[128];
	int		 rc, i;
	char		 k[16];

	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("lobby");
	pstr("id");
	msgpack_pack_uint64(&pk, 1);
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_OK && r.type == REQ_JOIN && r.has_id && r.id == 1 &&
	    r.room_len == 5 && memcmp(r.room, "lobby", 5) == 0,
	    "msgpack JOIN");
	ok((const uint8_t *)r.room > last_msg &&
	    (const uint8_t *)r.room < last_msg + sb.size,
	    "msgpack room points into the message");

	mbegin(2);
	pstr("room");
	pstr("l\xc3\xa9");
	pstr("type");
	pstr("LEAVE");
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_OK && r.type == REQ_LEAVE && !r.has_id &&
	    r.room_len == 3 && memcmp(r.room, "l\xc3\xa9", 3) == 0,
	    "msgpack LEAVE");

	mbegin(4);
	pstr("type");
	pstr("SEND");
	pstr("to");
	pbin(KB, 32);
	pstr("body");
	pbin(BODY, 64);
	pstr("id");
	msgpack_pack_uint64(&pk, 7);
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_OK && r.type == REQ_SEND && r.has_id && r.id == 7 &&
	    memcmp(r.key, KB, 32) == 0 && r.body_len == 64 &&
	    memcmp(r.body, BODY, 64) == 0, "msgpack SEND");
	ok(r.body > last_msg && r.body + r.body_len == last_msg + sb.size - 4,
	    "msgpack body points into the message, not copied");

	mbegin(3);
	pstr("type");
	pstr("SEND");
	pstr("to");
	pbin(KB, 32);
	pstr("body");
	pbin(BODY, 0);
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_OK && r.body_len == 0 && !r.has_id,
	    "msgpack SEND empty body");

	mbegin(4);
	pstr("type");
	pstr("PUBLISH");
	pstr("room");
	pstr("g");
	pstr("body");
	pbin(BODY, 70000);
	pstr("id");
	msgpack_pack_uint64(&pk, 3);
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_OK && r.type == REQ_PUBLISH && r.id == 3 &&
	    r.room_len == 1 && r.body_len == 70000 &&
	    memcmp(r.body, BODY, 70000) == 0, "msgpack PUBLISH, bin32 body");

	mbegin(5);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("publicKey");
	pbin(KA, 32);
	pstr("nonce");
	pbin(NONCE, 24);
	pstr("box");
	pbin(BOX, 303);
	pstr("id");
	pstr("ignored");
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_OK && r.type == REQ_CHALLENGE_RESPONSE && !r.has_id &&
	    memcmp(r.key, KA, 32) == 0 && memcmp(r.nonce, NONCE, 24) == 0 &&
	    r.body_len == 303 && memcmp(r.body, BOX, 303) == 0,
	    "msgpack CHALLENGE_RESPONSE, box 303, id ignored");

	mbegin(4);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("publicKey");
	pbin(KA, 32);
	pstr("nonce");
	pbin(NONCE, 24);
	pstr("box");
	pbin(BOX, 48);
	cmsb(CODEC_OK, 0, 0, "CHALLENGE_RESPONSE box 48");

	/* Non-negative ids in any integer form. */
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("id");
	praw("\xd0\x05", 2);
	cmsb(CODEC_OK, 1, 5, "id as int8 5");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("id");
	praw("\xcf\x00\x1f\xff\xff\xff\xff\xff\xff", 9);
	cmsb(CODEC_OK, 1, SWS_ID_MAX, "id uint64 2^53-1");

	/* Unknown keys of every kind, nested to depth 8. */
	mbegin(6);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("id");
	msgpack_pack_uint64(&pk, 1);
	pstr("x");
	for (i = 0; i < 7; i++)
		msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
	pstr("y");
	msgpack_pack_array(&pk, 8);
	msgpack_pack_double(&pk, 1.5);
	msgpack_pack_float(&pk, 1.5f);
	msgpack_pack_int64(&pk, -5);
	msgpack_pack_ext_with_body(&pk, "abc", 3, 7);
	msgpack_pack_ext_with_body(&pk, "abcd", 4, 1);
	msgpack_pack_true(&pk);
	msgpack_pack_map(&pk, 1);
	pstr("k");
	pbin(BODY, 300);
	msgpack_pack_ext_with_body(&pk, BODY, 300, 2);
	pstr("version");
	msgpack_pack_uint64(&pk, 1);
	cmsb(CODEC_OK, 1, 1, "unknown keys ignored, depth 8");

	/* Many distinct keys: the sorted duplicate check. */
	mbegin(2003);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("id");
	msgpack_pack_uint64(&pk, 77);
	for (i = 0; i < 2000; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		pstr(k);
		msgpack_pack_nil(&pk);
	}
	cmsb(CODEC_OK, 1, 77, "map of 2003 distinct keys");

	memset(room, 'r', sizeof(room));
	mbegin(2);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstrn(room, 128);
	cmsb(CODEC_OK, 0, 0, "room 128 bytes");

	/* A container whose items exactly fill what is left. */
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("x");
	praw("\xdc\x00\x03\xc0\xc0\xc0", 6);
	cmsb(CODEC_OK, 0, 0, "array16 of 3 in the last 3 bytes");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("x");
	praw("\xde\x00\x02\xa0\xc0\xa1k\xc0", 8);
	cmsb(CODEC_OK, 0, 0, "map16 of 2 in the last 5 bytes");
}

static void
test_msgpack_bad(void)
{
	static const uint8_t	 arr32[10] = {
		0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0
	};
	static const uint8_t	 map32in[10] = {
		0x81, 0xa1, 'x', 0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0
	};
	static const uint8_t	 arr16in[9] = {
		0x81, 0xa1, 'x', 0xdc, 0x00, 0x04, 0xc0, 0xc0, 0xc0
	};
	static const uint8_t	 map16in[9] = {
		0x81, 0xa1, 'x', 0xde, 0x00, 0x02, 0xa0, 0xc0, 0xa1
	};
	static const uint8_t	 str32[10] = {
		0x81, 0xa1, 'x', 0xdb, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0
	};
	static const uint8_t	 bin32[10] = {
		0x81, 0xa1, 'x', 0xc6, 0x00, 0x01, 0x00, 0x00, 0xc0, 0xc0
	};
	static const uint8_t	 ext32[10] = {
		0x81, 0xa1, 'x', 0xc9, 0x00, 0x00, 0x00, 0x05, 0x01, 0xc0
	};
	static const uint8_t	 c1[5] = { 0x81, 0xa1, 'x', 0xc1 };
	struct sws_req		 r;
	uint8_t			 room[200], good[512];
	size_t			 goodlen, i;
	int			 rc, allbad;
	char			 k[16];

	cm(CODEC_MALFORMED, 0, 0, "empty message", "", 0);
	rc = dec(PROTO_MSGPACK, arr32, sizeof(arr32), &r);
	ok(rc == CODEC_MALFORMED && !r.has_id && why != NULL &&
	    strcmp(why, "container size exceeds message") == 0,
	    "array32 of 2^32-1 items in 10 bytes refused by the scan (%s)",
	    why);
	rc = dec(PROTO_MSGPACK, map32in, sizeof(map32in), &r);
	ok(rc == CODEC_MALFORMED && why != NULL &&
	    strcmp(why, "container size exceeds message") == 0,
	    "nested map32 of 2^32-1 entries refused by the scan (%s)", why);
	rc = dec(PROTO_MSGPACK, arr16in, sizeof(arr16in), &r);
	ok(rc == CODEC_MALFORMED && why != NULL &&
	    strcmp(why, "container size exceeds message") == 0,
	    "array16 of 4 items with 3 bytes left refused by the scan (%s)",
	    why);
	rc = dec(PROTO_MSGPACK, map16in, sizeof(map16in), &r);
	ok(rc == CODEC_MALFORMED && why != NULL &&
	    strcmp(why, "container size exceeds message") == 0,
	    "map16 of 2 entries with 3 bytes left refused by the scan (%s)",
	    why);
	rc = dec(PROTO_MSGPACK, str32, sizeof(str32), &r);
	ok(rc == CODEC_MALFORMED && why != NULL &&
	    strcmp(why, "length beyond message") == 0,
	    "str32 of 2^32-1 bytes refused by the scan (%s)", why);
	cm(CODEC_MALFORMED, 0, 0, "bin32 of 65536 bytes in 10", bin32,
	    sizeof(bin32));
	cm(CODEC_MALFORMED, 0, 0, "ext32 beyond the message", ext32,
	    sizeof(ext32));
	cm(CODEC_MALFORMED, 0, 0, "byte 0xc1", c1, sizeof(c1));

	/* Not a map. */
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_array(&pk, 2);
	pstr("type");
	pstr("JOIN");
	cmsb(CODEC_MALFORMED, 0, 0, "array at the top");
	msgpack_sbuffer_clear(&sb);
	pstr("JOIN");
	cmsb(CODEC_MALFORMED, 0, 0, "str at the top");
	cm(CODEC_MALFORMED, 0, 0, "nil at the top", "\xc0", 1);

	/* Keys. */
	mbegin(3);
	msgpack_pack_uint64(&pk, 1);
	pstr("x");
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	cmsb(CODEC_MALFORMED, 0, 0, "int key");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pbin((const uint8_t *)"id", 2);
	msgpack_pack_uint64(&pk, 1);
	cmsb(CODEC_MALFORMED, 0, 0, "bin key");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("x");
	msgpack_pack_map(&pk, 1);
	msgpack_pack_nil(&pk);
	msgpack_pack_nil(&pk);
	cmsb(CODEC_MALFORMED, 0, 0, "nil key in a nested map");
	mbegin(4);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("room");
	pstr("b");
	pstr("id");
	msgpack_pack_uint64(&pk, 1);
	cmsb(CODEC_MALFORMED, 0, 0, "duplicate room");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	cmsb(CODEC_MALFORMED, 0, 0, "duplicate type");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("x");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 2);
	pstr("k");
	msgpack_pack_nil(&pk);
	pstr("k");
	msgpack_pack_nil(&pk);
	cmsb(CODEC_MALFORMED, 0, 0, "duplicate key nested");
	/* Empty keys, which msgpack-c gives no pointer: both checks. */
	mbegin(4);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("");
	msgpack_pack_nil(&pk);
	pstr("");
	msgpack_pack_nil(&pk);
	cmsb(CODEC_MALFORMED, 0, 0, "duplicate empty key");
	mbegin(104);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("");
	msgpack_pack_nil(&pk);
	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "k%zu", i);
		pstr(k);
		msgpack_pack_nil(&pk);
	}
	pstr("");
	msgpack_pack_nil(&pk);
	cmsb(CODEC_MALFORMED, 0, 0, "duplicate empty key among 104 keys");
	mbegin(103);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "k%zu", i);
		pstr(k);
		msgpack_pack_nil(&pk);
	}
	pstr("k57");
	msgpack_pack_nil(&pk);
	cmsb(CODEC_MALFORMED, 0, 0, "duplicate among 103 keys");
	mbegin(9);
	for (i = 0; i < 8; i++) {
		snprintf(k, sizeof(k), "k%zu", i);
		pstr(k);
		msgpack_pack_nil(&pk);
	}
	pstr("k7");
	msgpack_pack_nil(&pk);
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_MALFORMED && why != NULL &&
	    strcmp(why, "duplicate key") == 0,
	    "duplicate as the 9th of 9 keys (%s)", why);
	mbegin(8);
	for (i = 0; i < 7; i++) {
		snprintf(k, sizeof(k), "k%zu", i);
		pstr(k);
		msgpack_pack_nil(&pk);
	}
	pstr("k6");
	msgpack_pack_nil(&pk);
	rc = dec(PROTO_MSGPACK, sb.data, sb.size, &r);
	ok(rc == CODEC_MALFORMED && why != NULL &&
	    strcmp(why, "duplicate key") == 0,
	    "duplicate as the 8th of 8 keys (%s)", why);

	/* Depth 9. */
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("x");
	for (i = 0; i < 8; i++)
		msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
	cmsb(CODEC_MALFORMED, 0, 0, "depth 9");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pstr("a");
	pstr("x");
	for (i = 0; i < 7; i++)
		msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 0);
	cmsb(CODEC_MALFORMED, 0, 0, "depth 9 with an empty map");

	/* ids. */
#define IDCASE(bytes, n, name) do {					\
	mbegin(3);							\
	pstr("type");							\
	pstr("JOIN");							\
	pstr("room");							\
	pstr("a");							\
	pstr("id");							\
	praw(bytes, n);							\
	cmsb(CODEC_MALFORMED, 0, 0, name);				\
} while (0)
	IDCASE("\xff", 1, "id negative fixint -1");
	IDCASE("\xd0\xff", 2, "id int8 -1");
	IDCASE("\xd3\x80\x00\x00\x00\x00\x00\x00\x00", 9, "id int64 min");
	IDCASE("\xcf\x00\x20\x00\x00\x00\x00\x00\x00", 9, "id uint64 2^53");
	IDCASE("\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, "id uint64 max");
	IDCASE("\xcb\x40\x1c\x00\x00\x00\x00\x00\x00", 9, "id float64 7.0");
	IDCASE("\xca\x40\xe0\x00\x00", 5, "id float32 7.0");
	IDCASE("\xa1" "7", 2, "id str \"7\"");
	IDCASE("\xc0", 1, "id nil");
	IDCASE("\xc3", 1, "id true");
	IDCASE("\xc4\x01\x07", 3, "id bin");
#undef IDCASE

	/* Types of fields. */
	mbegin(2);
	pstr("type");
	pbin((const uint8_t *)"JOIN", 4);
	pstr("id");
	msgpack_pack_uint64(&pk, 4);
	cmsb(CODEC_MALFORMED, 1, 4, "type as bin");
	mbegin(3);
	pstr("type");
	pstr("JOIN");
	pstr("room");
	pbin((const uint8_t *)"a", 1);
	pstr("id");
	msgpack_pack_uint64(&pk, 4);
	cmsb(CODEC_MALFORMED, 1, 4, "room as bin");
	mbegin(4);
	pstr("type");
	pstr("SEND");
	pstr("to");
	pstr(KB64);
	pstr("body");
	pbin(BODY, 4);
	pstr("id");
	msgpack_pack_uint64(&pk, 4);
	cmsb(CODEC_MALFORMED, 1, 4, "to as str (base64url text)");
	mbegin(4);
	pstr("type");
	pstr("SEND");
	pstr("to");
	pbin(KB, 32);
	pstr("body");
	pstr("AAAA");
	pstr("id");
	msgpack_pack_uint64(&pk, 4);
	cmsb(CODEC_MALFORMED, 1, 4, "body as str");
	mbegin(4);
	pstr("type");
	pstr("PUBLISH");
	pstr("room");
	pstr("a");
	pstr("body");
	msgpack_pack_ext_with_body(&pk, "ab", 2, 1);
	pstr("id");
	msgpack_pack_uint64(&pk, 4);
	cmsb(CODEC_MALFORMED, 1, 4, "body as ext");
	mbegin(4);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("publicKey");
	pstrn(KA, 32);
	pstr("nonce");
	pbin(NONCE, 24);
	pstr("box");
	pbin(BOX, 48);
	cmsb(CODEC_MALFORMED, 0, 0, "publicKey as str");
	mbegin(4);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("publicKey");
	pbin(KA, 32);
	pstr("nonce");
	pstrn(NONCE, 24);
	pstr("box");
	pbin(BOX, 48);
	cmsb(CODEC_MALFORMED, 0, 0, "nonce as str");
	mbegin(4);
	pstr("type");
	pstr("CHALLENGE_RESPONSE");
	pstr("publicKey");
	pbin(KA, 32);
	pstr("nonce");
	pbin(NONCE, 24);
	pstr("box");
	pstrn(BOX, 48);
	cmsb(CODEC_MALFORMED, 0, 0, "box as str");

	/* Sizes. */
#define CRCASE(klen, nlen, blen, name) do {				\
	mbegin(4);							\
	pstr("type");							\
	pstr("CHALLENGE_RESPONSE");					\
	pstr("publicKey");						\
	pbin(BOX, klen);						\
	pstr("nonce");							\
	pbin(BOX, nlen);						\
	pstr("box");							\
	pbin(BOX, blen);						\
	cmsb(CODEC_MALFORMED, 0, 0, name);				\
} while (0)
	CRCASE(32, 24, 47, "box 47");
	CRCASE(32, 24, 304, "box 304");
	CRCASE(31, 24, 48, "publicKey 31");
	CRCASE(33, 24, 48, "publicKey 33");
	CRCASE(32, 23, 48, "nonce 23");
	CRCASE(32, 25, 48, "nonce 25");
#undef CRCASE
	mbegin(3);
	pstr("type");
	pstr("SEND");
	pstr("to");
	pbin(KB, 31);
	pstr("body");
	pbin(BODY, 1);
	cmsb(CODEC_MALFORMED, 0, 0, "to 31");
	mbegin(2);
	pstr("type");
	pstr("SEND");
	pstr("to");
	pbin(KB, 32);
	cmsb(CODEC_MALFORMED, 0, 0, "SEND without body");

	/* Rooms. */
#define ROOMCASE(bytes, n, name) do {					\
	mbegin(3);							\
	pstr("type");							\
	pstr("JOIN");							\
	pstr("room");							\
	pstrn(bytes, n);						\
	pstr("id");							\
	msgpack_pack_uint64(&pk, 6);					\
	cmsb(CODEC_MALFORMED, 1, 6, name);				\
} while (0)
	ROOMCASE("", 0, "room empty");
	memset(room, 'r', sizeof(room));
	ROOMCASE(room, 129, "room 129 bytes");
	ROOMCASE("a\xc3\x28", 3, "room invalid UTF-8");
	ROOMCASE("a\xc3", 2, "room truncated UTF-8");
	ROOMCASE("\xc0\xaf", 2, "room overlong UTF-8");
	ROOMCASE("\xed\xa0\x80", 3, "room surrogate");
	ROOMCASE("\xf4\x90\x80\x80", 4, "room above U+10FFFF");
	ROOMCASE("a\x01", 2, "room U+0001");
	ROOMCASE("a\x1f", 2, "room U+001F");
	ROOMCASE("a\x7f", 2, "room U+007F");
	ROOMCASE("a\0b", 3, "room with NUL");
#undef ROOMCASE

	/* Every truncation of a good message, and a trailing byte. */
	mbegin(4);
	pstr("type");
	pstr("SEND");
	pstr("to");
	pbin(KB, 32);
	pstr("body");
	pbin(BODY, 40);
	pstr("id");
	msgpack_pack_uint64(&pk, 300);
	goodlen = sb.size;
	memcpy(good, sb.data, goodlen);
	cm(CODEC_OK, 1, 300, "the good SEND", good, goodlen);
	allbad = 1;
	for (i = 0; i < goodlen; i++) {
		if (dec(PROTO_MSGPACK, good, i, &r) != CODEC_MALFORMED ||
		    r.has_id)
			allbad = 0;
	}
	ok(allbad, "msgpack: every truncation is malformed, without id");
	good[goodlen] = 0xc0;
	rc = dec(PROTO_MSGPACK, good, goodlen + 1, &r);
	ok(rc == CODEC_MALFORMED && !r.has_id && why != NULL &&
	    strcmp(why, "bytes after the message") == 0,
	    "msgpack: trailing byte is malformed (%s)", why);
	memcpy(good + goodlen, good, goodlen);
	cm(CODEC_MALFORMED, 0, 0, "two messages in one", good, goodlen * 2);
}

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

static const char *
vectors_path(void)
{
	static char	 path[4096];
	const char	*env, *top;
	static const char *const rel[] = {
		"regress/vectors.json", "regress/lib/vectors.json",
		"../shared/vectors.json"
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
 * SPEC.md 3 and 4: after registration CHALLENGE_RESPONSE is a type the
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
	size_t	 i;

	if (sodium_init() < 0)
		return 1;
	for (i = 0; i < 32; i++) {
		KA[i] = (uint8_t)(0xa0 + i);
		KB[i] = (uint8_t)(0x11 * i + 3);
	}
	for (i = 0; i < sizeof(NONCE); i++)
		NONCE[i] = (uint8_t)(200 - i);
	for (i = 0; i < sizeof(BOX); i++)
		BOX[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(BODY); i++)
		BODY[i] = (uint8_t)((i * 2654435761u) >> 13);
	snprintf(KA64, sizeof(KA64), "%s", b64(KA, 32));
	snprintf(KB64, sizeof(KB64), "%s", b64(KB, 32));
	snprintf(N64, sizeof(N64), "%s", b64(NONCE, 24));
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_zone_init(&tz, 4096);

	test_json_good();
	test_json_bad();
	test_unknown();
	test_msgpack_good();
	test_msgpack_bad();
	test_encoders();
	test_message_size();
	test_round_trip();
	test_vectors();
	test_api();
	test_passthrough();
	test_decode_frame();
	test_registered();

	free(last_msg);
	free(last_scratch);
	msgpack_sbuffer_destroy(&sb);
	msgpack_zone_destroy(&tz);
	return tap_done();
}
