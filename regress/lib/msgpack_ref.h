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
 * The reference the msgpack reader (relayd/mpread.c) is held to in its
 * differential fuzz target: the sws.v1.msgpack decoder as it was before
 * the reader replaced it, down to its reasons.  A bounds-proving walk
 * over the raw bytes (ref_scan(), the relay's own code of that time),
 * then msgpack-c's msgpack_unpack() into a zone, a map at the top, and
 * no key twice in any map of msgpack-c's tree (ref_unique()).
 */
#ifndef SWS_MSGPACK_REF_H
#define SWS_MSGPACK_REF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#define REF_DEPTH	8
#define REF_PAIRWISE	8

static uint64_t
ref_be(const uint8_t *p, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0)
		v = (v << 8) | *p++;
	return v;
}

/*
 * One top-level object, bounded: every count and length fits in what is
 * left, at most REF_DEPTH levels, str keys, nothing after it.
 */
static int
ref_scan(const uint8_t *p, size_t len, const char **why)
{
	uint64_t	 left[REF_DEPTH];
	uint8_t		 ismap[REF_DEPTH];
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
		kind = 0;
		hdr = 0;
		n = 0;
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
			case 0xc4: case 0xd9: case 0xc7:
				hdr = 1;
				break;
			case 0xc5: case 0xda: case 0xc8:
				hdr = 2;
				break;
			case 0xc6: case 0xdb: case 0xc9:
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
			default:
				*why = "invalid msgpack byte";
				return -1;
			}
			if (hdr > 0) {
				if (hdr > rem) {
					*why = "truncated";
					return -1;
				}
				if (kind != 0)
					count = ref_be(p + off, hdr);
				else {
					n = ref_be(p + off, hdr);
					if (c >= 0xc7 && c <= 0xc9)
						n++;
				}
				off += hdr;
				rem -= hdr;
			}
		}

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
			if (depth >= REF_DEPTH) {
				*why = "nested too deep";
				return -1;
			}
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
ref_same_key(const msgpack_object_str *x, const msgpack_object_str *y)
{
	return x->size == y->size &&
	    (x->size == 0 || memcmp(x->ptr, y->ptr, x->size) == 0);
}

/* No map anywhere in o holds a key twice (pairwise: inputs are small). */
static int
ref_unique(const msgpack_object *o)
{
	const msgpack_object_map	*m;
	uint32_t			 i, j;

	if (o->type == MSGPACK_OBJECT_ARRAY) {
		for (i = 0; i < o->via.array.size; i++) {
			if (!ref_unique(&o->via.array.ptr[i]))
				return 0;
		}
		return 1;
	}
	if (o->type != MSGPACK_OBJECT_MAP)
		return 1;
	m = &o->via.map;
	for (i = 0; i < m->size; i++) {
		for (j = i + 1; j < m->size; j++) {
			if (ref_same_key(&m->ptr[i].key.via.str,
			    &m->ptr[j].key.via.str))
				return 0;
		}
		if (!ref_unique(&m->ptr[i].val))
			return 0;
	}
	return 1;
}

/*
 * The old decoder's verdict on len bytes at p: NULL when it accepted
 * them (*obj is then msgpack-c's tree, in z), else its reason.
 */
static const char *
ref_verdict(const uint8_t *p, size_t len, msgpack_zone *z,
    msgpack_object *obj)
{
	const char	*why = NULL;
	size_t		 off = 0;

	if (ref_scan(p, len, &why) == -1)
		return why;
	if (msgpack_unpack((const char *)p, len, &off, z, obj) !=
	    MSGPACK_UNPACK_SUCCESS || off != len)
		return "not msgpack";
	if (obj->type != MSGPACK_OBJECT_MAP)
		return "not a map";
	if (!ref_unique(obj))
		return "duplicate key";
	return NULL;
}

#endif /* SWS_MSGPACK_REF_H */
