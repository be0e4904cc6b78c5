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
 * The msgpack decoder of the codec against docs/WIRE.md sections 3, 4 and 6:
 * every request type, every malformed rule with its exact id behaviour,
 * messages built with msgpack-c's own packer.  Helpers in test_codec.h.
 */

#include "test_codec.h"

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

/*
 * The reason of each refusal, which the relay answers with: the checks
 * are made item by item, so the first item that fails decides, and the
 * top-level kind and duplicate keys only count once the whole message
 * has been read.
 */
static void
test_msgpack_reasons(void)
{
	static const struct {
		const char	*msg;
		size_t		 len;
		const char	*why;
	} cases[] = {
		{ "", 0, "truncated" },
		{ "\x82\xa1k\xc0", 4, "container size exceeds message" },
		{ "\x82\xa1k\xc0\xa1k", 6, "truncated" },
		{ "\x81\xa1k\xc5\x00", 5, "truncated" },
		{ "\x81\xa1k\xc1", 4, "invalid msgpack byte" },
		{ "\x81\xc1\xc0", 3, "invalid msgpack byte" },
		{ "\x81\xc0\xc0", 3, "map key not a str" },
		{ "\x81\xc4\x01k\xc0", 5, "map key not a str" },
		{ "\x81\xdc\x00", 3, "truncated" },
		{ "\x81\xdc\x00\x00\xc0", 5, "map key not a str" },
		{ "\x81\xa2k", 3, "length beyond message" },
		{ "\x81\xa1k\xcd\x01", 5, "length beyond message" },
		{ "\x81\xa1k\xd8\x01\x02", 6, "length beyond message" },
		{ "\x81\xa1k\xc7\x01\x01", 6, "length beyond message" },
		{ "\x91\x91\x91\x91\x91\x91\x91\x91\x90", 9,
		    "nested too deep" },
		{ "\x91\x91\x91\x91\x91\x91\x91\x90", 8, "not a map" },
		{ "\x81\xa1k\x92\xc0", 5, "container size exceeds message" },
		{ "\x81\xa1k\x82\xa1j", 6, "container size exceeds message" },
		{ "\x80\xc0", 2, "bytes after the message" },
		{ "\x91\x82\xa1k\xc0\xa1k\xc0", 8, "not a map" },
		{ "\x82\xa1k\xc0\xa1k\xc0", 7, "duplicate key" },
		/* a duplicate, then a truncation: the truncation */
		{ "\x83\xa1k\xc0\xa1k\xc0\xa1z", 9, "truncated" },
		{ "\x82\xa1k\xc0\xa1k\xc0\xc0", 8, "bytes after the message" },
		{ "\x82\xa1k\xc0\xa1k\xc1", 7, "invalid msgpack byte" },
	};
	struct sws_req	 r;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = dec(PROTO_MSGPACK, cases[i].msg, cases[i].len, &r);
		ok(rc == CODEC_MALFORMED && !r.has_id && why != NULL &&
		    strcmp(why, cases[i].why) == 0,
		    "msgpack reason %zu: %s (%s)", i, cases[i].why,
		    why ? why : "-");
	}
}

/*
 * A map of more than eight keys is checked for duplicates when it
 * closes, in the work area the caller's scratch gives or, without one,
 * in memory of its own for that moment: the verdicts are the same.
 */
static void
test_msgpack_large_maps(void)
{
	struct sws_req	 r;
	uint8_t		 msg[512];
	size_t		 n, i;
	const char	*w;
	int		 rc, pass;

	for (pass = 0; pass < 4; pass++) {
		n = 0;
		msg[n++] = 0xde;
		msg[n++] = 0;
		msg[n++] = 12;
		msg[n++] = 0xa4;
		memcpy(msg + n, "type", 4);
		n += 4;
		msg[n++] = 0xa4;
		memcpy(msg + n, "JOIN", 4);
		n += 4;
		msg[n++] = 0xa4;
		memcpy(msg + n, "room", 4);
		n += 4;
		msg[n++] = 0xa1;
		msg[n++] = 'r';
		/* nine more: one-byte keys (pass 0, 1), two-byte ones (2, 3) */
		for (i = 0; i < 10; i++) {
			if (pass < 2) {
				msg[n++] = 0xa1;
				msg[n++] = (uint8_t)(pass == 1 && i == 9 ? 'a' :
				    'a' + i);
			} else {
				msg[n++] = 0xa2;
				msg[n++] = 'k';
				msg[n++] = (uint8_t)(pass == 3 && i == 9 ? '0' :
				    '0' + i);
			}
			msg[n++] = 0xc0;
		}
		rc = dec(PROTO_MSGPACK, msg, n, &r);
		ok(rc == (pass % 2 ? CODEC_MALFORMED : CODEC_OK) &&
		    (rc == CODEC_OK || strcmp(why, "duplicate key") == 0),
		    "map of 12, %s keys, %s (%s)", pass < 2 ? "1-byte" :
		    "2-byte", pass % 2 ? "one twice" : "distinct",
		    why ? why : "-");
		w = NULL;
		rc = codec_decode(PROTO_MSGPACK, CODEC_REGISTERING, msg, n,
		    &r, NULL, 0, &w);
		ok(rc == (pass % 2 ? CODEC_MALFORMED : CODEC_OK) &&
		    (rc == CODEC_OK || strcmp(w, "duplicate key") == 0),
		    "the same without scratch (%s)", w ? w : "-");
	}
}

int
main(void)
{
	if (codec_setup() < 0)
		return 1;
	test_msgpack_good();
	test_msgpack_bad();
	test_msgpack_reasons();
	test_msgpack_large_maps();
	return codec_done();
}
