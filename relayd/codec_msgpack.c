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
 * bin, text as str.  msgpack-c allocates by the counts a message declares,
 * so our own walk over the raw bytes first proves every count and length
 * fits in what is left, the nesting is at most SWS_MAX_DEPTH, every map
 * key is a str and exactly one object fills the message; only then does
 * msgpack-c unpack it, into one zone that is kept and cleared.  str and
 * bin objects point into the message, so decoded byte fields are not
 * copied.  Encoding writes the bytes directly, smallest forms first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "codec.h"
#include "codec_local.h"
#include "ws.h"

#define MP_ZONE_CHUNK	8192	/* kept between messages */
#define MP_PAIRWISE	8	/* maps up to this size: no sort for dups */

static msgpack_zone	mp_zone;
static int		mp_zone_ready;

static uint64_t
be_read(const uint8_t *p, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0)
		v = (v << 8) | *p++;
	return v;
}

/*
 * One top-level object, bounded.  left[] holds how many items each open
 * container still expects (a map counts keys and values), so the walk
 * needs no recursion and the stack is SWS_MAX_DEPTH deep.
 */
static int
mp_scan(const uint8_t *p, size_t len, const char **why)
{
	uint64_t	 left[SWS_MAX_DEPTH];
	uint8_t		 ismap[SWS_MAX_DEPTH];
	uint64_t	 count, n;
	size_t		 off = 0, rem, hdr;
	int		 depth = 0, kind;
	uint8_t		 c;

	for (;;) {
		if (off >= len) {
			*why = "truncated";
			return -1;
		}
		c = p[off++];
		rem = len - off;
		kind = 0;	/* 0 scalar, 1 array, 2 map */
		hdr = 0;	/* length bytes after the type byte */
		n = 0;		/* payload bytes after those */
		count = 0;

		if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 ||
		    c == 0xc3) {
			/* fixint, nil, false, true */
		} else if (c <= 0x8f) {
			kind = 2;
			count = c & 0x0f;
		} else if (c <= 0x9f) {
			kind = 1;
			count = c & 0x0f;
		} else if (c <= 0xbf) {
			n = c & 0x1f;
		} else {
			switch (c) {
			case 0xc4: case 0xd9:	/* bin8, str8 */
				hdr = 1;
				break;
			case 0xc5: case 0xda:	/* bin16, str16 */
				hdr = 2;
				break;
			case 0xc6: case 0xdb:	/* bin32, str32 */
				hdr = 4;
				break;
			case 0xc7:		/* ext8, ext16, ext32 */
				hdr = 1;
				break;
			case 0xc8:
				hdr = 2;
				break;
			case 0xc9:
				hdr = 4;
				break;
			case 0xca: case 0xce: case 0xd2:
				n = 4;
				break;
			case 0xcb: case 0xcf: case 0xd3:
				n = 8;
				break;
			case 0xcc: case 0xd0:
				n = 1;
				break;
			case 0xcd: case 0xd1:
				n = 2;
				break;
			case 0xd4: case 0xd5: case 0xd6: case 0xd7:
				n = 1 + ((uint64_t)1 << (c - 0xd4));
				break;
			case 0xd8:
				n = 1 + 16;
				break;
			case 0xdc:
				kind = 1;
				hdr = 2;
				break;
			case 0xdd:
				kind = 1;
				hdr = 4;
				break;
			case 0xde:
				kind = 2;
				hdr = 2;
				break;
			case 0xdf:
				kind = 2;
				hdr = 4;
				break;
			default:		/* 0xc1, never used */
				*why = "invalid msgpack byte";
				return -1;
			}
			if (hdr > 0) {
				if (hdr > rem) {
					*why = "truncated";
					return -1;
				}
				if (kind != 0)
					count = be_read(p + off, hdr);
				else {
					n = be_read(p + off, hdr);
					if (c >= 0xc7 && c <= 0xc9)
						n++;	/* ext type byte */
				}
				off += hdr;
				rem -= hdr;
			}
		}

		/* A map key must be a str. */
		if (depth > 0 && ismap[depth - 1] && left[depth - 1] % 2 == 0 &&
		    !((c >= 0xa0 && c <= 0xbf) || (c >= 0xd9 && c <= 0xdb))) {
			*why = "map key not a str";
			return -1;
		}

		if (kind == 0) {
			if (n > rem) {
				*why = "length beyond message";
				return -1;
			}
			off += n;
		} else {
			if (depth >= SWS_MAX_DEPTH) {
				*why = "nested too deep";
				return -1;
			}
			/* Every item takes at least one byte. */
			if (kind == 2)
				count *= 2;
			if (count > rem) {
				*why = "container size exceeds message";
				return -1;
			}
		}

		if (depth > 0)
			left[depth - 1]--;
		if (kind != 0 && count > 0) {
			ismap[depth] = kind == 2;
			left[depth] = count;
			depth++;
		}
		while (depth > 0 && left[depth - 1] == 0)
			depth--;
		if (depth == 0)
			break;
	}
	if (off != len) {
		*why = "bytes after the message";
		return -1;
	}
	return 0;
}

static int
mp_key_cmp(const void *a, const void *b)
{
	const msgpack_object_str *x = *(const msgpack_object_str *const *)a;
	const msgpack_object_str *y = *(const msgpack_object_str *const *)b;
	uint32_t n = x->size < y->size ? x->size : y->size;
	int	 r;

	/* An empty string has a NULL ptr, which memcmp may not be given. */
	r = n > 0 ? memcmp(x->ptr, y->ptr, n) : 0;
	if (r != 0)
		return r;
	return x->size < y->size ? -1 : x->size > y->size;
}

/*
 * No map anywhere holds a key twice.  Small maps compare pairwise; larger
 * ones sort pointers to their keys (allocated in the zone) so that a map
 * of many keys costs n log n, not n squared.
 */
static int
mp_unique(const msgpack_object *o)
{
	const msgpack_object_map	*m;
	const msgpack_object_str	**keys;
	uint32_t			 i, j;

	if (o->type == MSGPACK_OBJECT_ARRAY) {
		for (i = 0; i < o->via.array.size; i++) {
			if (!mp_unique(&o->via.array.ptr[i]))
				return 0;
		}
		return 1;
	}
	if (o->type != MSGPACK_OBJECT_MAP)
		return 1;
	m = &o->via.map;
	if (m->size <= MP_PAIRWISE) {
		for (i = 0; i < m->size; i++) {
			for (j = i + 1; j < m->size; j++) {
				if (m->ptr[i].key.via.str.size ==
				    m->ptr[j].key.via.str.size &&
				    (m->ptr[i].key.via.str.size == 0 ||
				    memcmp(m->ptr[i].key.via.str.ptr,
				    m->ptr[j].key.via.str.ptr,
				    m->ptr[i].key.via.str.size) == 0))
					return 0;
			}
		}
	} else {
		keys = msgpack_zone_malloc(&mp_zone,
		    m->size * sizeof(*keys));
		if (keys == NULL)
			return 0;
		for (i = 0; i < m->size; i++)
			keys[i] = &m->ptr[i].key.via.str;
		qsort(keys, m->size, sizeof(*keys), mp_key_cmp);
		for (i = 1; i < m->size; i++) {
			if (mp_key_cmp(&keys[i - 1], &keys[i]) == 0)
				return 0;
		}
	}
	for (i = 0; i < m->size; i++) {
		if (!mp_unique(&m->ptr[i].val))
			return 0;
	}
	return 1;
}

static const msgpack_object *
mp_get(void *arg, const char *key)
{
	const msgpack_object_map	*m = arg;
	size_t				 n = strlen(key);
	uint32_t			 i;

	for (i = 0; i < m->size; i++) {
		if (m->ptr[i].key.via.str.size == n &&
		    memcmp(m->ptr[i].key.via.str.ptr, key, n) == 0)
			return &m->ptr[i].val;
	}
	return NULL;
}

static int
mget_text(void *arg, const char *key, int keep, const uint8_t **p,
    size_t *len)
{
	const msgpack_object	*v;

	(void)keep;	/* the message outlives the tree */
	if ((v = mp_get(arg, key)) == NULL)
		return CF_ABSENT;
	if (v->type != MSGPACK_OBJECT_STR)
		return CF_BAD;
	*p = (const uint8_t *)v->via.str.ptr;
	*len = v->via.str.size;
	return CF_OK;
}

static int
mget_bytes(void *arg, const char *key, const uint8_t **p, size_t *len)
{
	const msgpack_object	*v;

	if ((v = mp_get(arg, key)) == NULL)
		return CF_ABSENT;
	if (v->type != MSGPACK_OBJECT_BIN)
		return CF_BAD;
	*p = (const uint8_t *)v->via.bin.ptr;
	*len = v->via.bin.size;
	return CF_OK;
}

/*
 * msgpack-c gives POSITIVE_INTEGER for every non-negative integer, in
 * whichever int or uint form it was written: the value decides.
 */
static int
mget_uint(void *arg, const char *key, uint64_t *val)
{
	const msgpack_object	*v;

	if ((v = mp_get(arg, key)) == NULL)
		return CF_ABSENT;
	if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return CF_BAD;
	*val = v->via.u64;
	return CF_OK;
}

/* Byte fields stay in the message: no scratch is needed. */
static int
codec_mp_decode(const uint8_t *msg, size_t len, struct sws_req *req,
    uint8_t *scratch, size_t scratch_len, int flags, const char **why)
{
	struct codec_src	 src;
	msgpack_object		 obj;
	size_t			 off = 0;
	int			 rc;

	(void)scratch;
	(void)scratch_len;
	if (mp_scan(msg, len, why) == -1)
		return CODEC_MALFORMED;
	if (!mp_zone_ready) {
		if (!msgpack_zone_init(&mp_zone, MP_ZONE_CHUNK)) {
			*why = "out of memory";
			return CODEC_MALFORMED;
		}
		mp_zone_ready = 1;
	}
	if (msgpack_unpack((const char *)msg, len, &off, &mp_zone, &obj) !=
	    MSGPACK_UNPACK_SUCCESS || off != len) {
		*why = "not msgpack";
		rc = CODEC_MALFORMED;
	} else if (obj.type != MSGPACK_OBJECT_MAP) {
		*why = "not a map";
		rc = CODEC_MALFORMED;
	} else if (!mp_unique(&obj)) {
		*why = "duplicate key";
		rc = CODEC_MALFORMED;
	} else {
		src.arg = &obj.via.map;
		src.text = mget_text;
		src.bytes = mget_bytes;
		src.uint = mget_uint;
		rc = codec_fields(&src, req, flags, why);
	}
	msgpack_zone_clear(&mp_zone);
	return rc;
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
