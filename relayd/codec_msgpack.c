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
 * sws.v1.msgpack: one MessagePack map per binary message, byte fields as
 * bin, text as str.  Decoding is mpread.c's: one pass that validates the
 * whole message (every length and count against the bytes left, depth,
 * str keys, no key twice in any map, one value filling the message) and
 * remembers where the top-level members the request rules use stand.
 * str and bin values point into the message, so nothing is allocated
 * and no byte field is copied.  Encoding writes the bytes directly,
 * smallest forms first.
 */
#include <stdint.h>
#include <string.h>

#include "codec.h"
#include "codec_local.h"
#include "mpread.h"
#include "ws.h"

_Static_assert(MP_DEPTH_MAX == SWS_MAX_DEPTH,
    "mpread.c nests as deep as docs/WIRE.md allows");

/*
 * The top-level keys codec.c reads: mp_parse() remembers these wherever
 * they stand among any number of others.  A key missing here is still
 * found (mfind() walks the map again for it), only more slowly.
 */
static const struct mp_key mkeys[] = {
	MP_KEY("type"), MP_KEY("id"), MP_KEY("to"), MP_KEY("body"),
	MP_KEY("room"), MP_KEY("publicKey"), MP_KEY("nonce"), MP_KEY("box")
};

struct mctx {
	struct mp_doc		 doc;
	struct mp_member	 other;		/* for a key not in mkeys[] */
};

/* Names are a few bytes: a call to strcmp() costs more than the loop. */
static int
streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static const struct mp_member *
mfind(struct mctx *c, const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(mkeys) / sizeof(mkeys[0]); i++) {
		if (streq(mkeys[i].name, key))
			return mp_get_want(&c->doc, i);
	}
	return mp_find(&c->doc, key, &c->other) ? &c->other : NULL;
}

static int
mget_text(void *arg, const char *key, int keep, const uint8_t **p,
    size_t *len)
{
	const struct mp_member	*m;

	(void)keep;	/* the message outlives the document */
	if ((m = mfind(arg, key)) == NULL)
		return CF_ABSENT;
	if (m->kind != MP_K_STR)
		return CF_BAD;
	*p = m->val;
	*len = m->vallen;
	return CF_OK;
}

static int
mget_bytes(void *arg, const char *key, const uint8_t **p, size_t *len)
{
	const struct mp_member	*m;

	if ((m = mfind(arg, key)) == NULL)
		return CF_ABSENT;
	if (m->kind != MP_K_BIN)
		return CF_BAD;
	*p = m->val;
	*len = m->vallen;
	return CF_OK;
}

/*
 * Any non-negative integer, in whichever int or uint form it was
 * written: the value decides (MP_K_UINT).
 */
static int
mget_uint(void *arg, const char *key, uint64_t *val)
{
	const struct mp_member	*m;

	if ((m = mfind(arg, key)) == NULL)
		return CF_ABSENT;
	if (m->kind != MP_K_UINT)
		return CF_BAD;
	*val = m->u;
	return CF_OK;
}

/*
 * Byte fields stay in the message: scratch is only the work area of the
 * duplicate check of maps of more than eight keys (mp_init()).
 */
static int
codec_mp_decode(const uint8_t *msg, size_t len, struct sws_req *req,
    uint8_t *scratch, size_t scratch_len, int flags, const char **why)
{
	struct mctx		 c;
	struct codec_src	 src;
	int			 rc;

	mp_init(&c.doc, mkeys, sizeof(mkeys) / sizeof(mkeys[0]), scratch,
	    scratch_len);
	if ((rc = mp_parse(&c.doc, msg, len)) != MP_OK) {
		*why = mp_strerror(rc);
		return CODEC_MALFORMED;
	}
	src.arg = &c;
	src.text = mget_text;
	src.bytes = mget_bytes;
	src.uint = mget_uint;
	return codec_fields(&src, req, flags, why);
}

/* Encoding. */
static void	mw_str(struct cbuf *, const char *, size_t);

static void
mw_head(struct cbuf *b, uint8_t tag, uint64_t v, size_t n)
{
	uint8_t	*p;

	if ((p = cbuf_reserve(b, 1 + n)) == NULL)
		return;
	*p++ = tag;
	while (n-- > 0)
		*p++ = (uint8_t)(v >> (8 * n));
}

/* fix, 16 or 32: the header of a map or array of n items. */
static void
mw_container(struct cbuf *b, size_t n, uint8_t fix, uint8_t tag16)
{
	if (n <= 15)
		mw_head(b, fix | (uint8_t)n, 0, 0);
	else if (n <= UINT16_MAX)
		mw_head(b, tag16, n, 2);
	else if (n <= UINT32_MAX)
		mw_head(b, tag16 + 1, n, 4);
	else
		b->fail = 1;
}

static void
mw_map(struct cbuf *b, size_t n)
{
	mw_container(b, n, 0x80, 0xde);
}

static void
mw_array(struct cbuf *b, size_t n)
{
	mw_container(b, n, 0x90, 0xdc);
}

static void
mw_key(struct cbuf *b, const char *key)
{
	mw_str(b, key, strlen(key));
}

static void
mw_str(struct cbuf *b, const char *s, size_t len)
{
	if (len <= 31)
		mw_head(b, 0xa0 | (uint8_t)len, 0, 0);
	else if (len <= UINT8_MAX)
		mw_head(b, 0xd9, len, 1);
	else if (len <= UINT16_MAX)
		mw_head(b, 0xda, len, 2);
	else if (len <= UINT32_MAX)
		mw_head(b, 0xdb, len, 4);
	else {
		b->fail = 1;
		return;
	}
	cbuf_put(b, s, len);
}

static void
mw_bytes(struct cbuf *b, const uint8_t *data, size_t len)
{
	if (len <= UINT8_MAX)
		mw_head(b, 0xc4, len, 1);
	else if (len <= UINT16_MAX)
		mw_head(b, 0xc5, len, 2);
	else if (len <= UINT32_MAX)
		mw_head(b, 0xc6, len, 4);
	else {
		b->fail = 1;
		return;
	}
	cbuf_put(b, data, len);
}

static void
mw_uint(struct cbuf *b, uint64_t v)
{
	if (v <= 0x7f)
		mw_head(b, (uint8_t)v, 0, 0);
	else if (v <= UINT8_MAX)
		mw_head(b, 0xcc, v, 1);
	else if (v <= UINT16_MAX)
		mw_head(b, 0xcd, v, 2);
	else if (v <= UINT32_MAX)
		mw_head(b, 0xce, v, 4);
	else
		mw_head(b, 0xcf, v, 8);
}

/* Maps and arrays carry their counts: nothing closes them. */
static void
mw_end(struct cbuf *b)
{
	(void)b;
}

const struct codec_ops codec_msgpack_ops = {
	.opcode = WS_OP_BINARY,
	.wrong_opcode = "text message on the msgpack subprotocol",
	.decode = codec_mp_decode,
	.map = mw_map,
	.array = mw_array,
	.end = mw_end,
	.key = mw_key,
	.str = mw_str,
	.bytes = mw_bytes,
	.uint = mw_uint,
	.body_text = NULL,
};
