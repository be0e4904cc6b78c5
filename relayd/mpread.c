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
 * The MessagePack reader of mpread.h.  One loop reads item after item
 * with an explicit stack of at most MP_DEPTH_MAX open arrays and maps,
 * each holding how many items it still expects (a map counts its keys
 * and values), so every length and count is checked against the bytes
 * left before anything is read under it.  For the duplicate check a map
 * of up to MP_PAIRWISE keys compares each new key with the earlier ones
 * as it comes; a larger map is walked again when it closes (its bytes
 * are proven by then), its keys of no or one byte marked in a bitmap and
 * the offsets of the others sorted (keysort.c: heapsort, in place), so no
 * input costs more than n log n key comparisons.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keysort.h"
#include "mpread.h"

#define MP_PAIRWISE	8	/* maps up to this size: no sort */

#define MP_SCALAR	0
#define MP_ARRAY	1
#define MP_MAP		2
#define MP_INVALID	3

/* A str: fixstr, str 8, str 16, str 32. */
#define MP_ISSTR(c)	(((c) >= 0xa0 && (c) <= 0xbf) || \
			    ((c) >= 0xd9 && (c) <= 0xdb))

/* What a type byte and the length bytes after it say. */
struct mp_item {
	uint64_t	 count;	/* items of an array; keys and values of a map */
	uint64_t	 n;	/* payload bytes after the length bytes */
	size_t		 hdr;	/* length bytes after the type byte */
	int		 kind;	/* MP_SCALAR, MP_ARRAY, MP_MAP, MP_INVALID */
};

/* One open array or map. */
struct mp_frame {
	uint64_t	 left;	/* items still to come */
	size_t		 start;	/* a large map: offset of its first key */
	uint8_t		 map;
	uint8_t		 large;	/* a map of more than MP_PAIRWISE keys */
	uint8_t		 nkeys;	/* a small map: keys seen so far */
};

/* A big-endian number of n bytes (1, 2, 4 or 8). */
static inline uint64_t
be_read(const uint8_t *p, size_t n)
{
	switch (n) {
	case 1:
		return p[0];
	case 2:
		return (uint64_t)p[0] << 8 | p[1];
	case 4:
		return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 |
		    (uint64_t)p[2] << 8 | p[3];
	default:
		return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
		    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
		    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
		    (uint64_t)p[6] << 8 | p[7];
	}
}

/*
 * What each type byte says: its kind, how many length bytes follow it,
 * and for the forms without them the payload size (a scalar) or the
 * count of items (an array, or a map counting keys and values).
 */
struct mp_type {
	uint8_t		 kind;
	uint8_t		 hdr;
	uint8_t		 n;
};

#define FIXMAP(c)	[c] = { MP_MAP, 0, 2 * ((c) & 0x0f) }
#define FIXMAP4(c)	FIXMAP(c), FIXMAP(c + 1), FIXMAP(c + 2), FIXMAP(c + 3)
#define FIXARR(c)	[c] = { MP_ARRAY, 0, (c) & 0x0f }
#define FIXARR4(c)	FIXARR(c), FIXARR(c + 1), FIXARR(c + 2), FIXARR(c + 3)
#define FIXSTR(c)	[c] = { MP_SCALAR, 0, (c) & 0x1f }
#define FIXSTR4(c)	FIXSTR(c), FIXSTR(c + 1), FIXSTR(c + 2), FIXSTR(c + 3)

static const struct mp_type mp_types[256] = {
	[0x00 ... 0x7f] = { MP_SCALAR, 0, 0 },		/* positive fixint */
	FIXMAP4(0x80), FIXMAP4(0x84), FIXMAP4(0x88), FIXMAP4(0x8c),
	FIXARR4(0x90), FIXARR4(0x94), FIXARR4(0x98), FIXARR4(0x9c),
	FIXSTR4(0xa0), FIXSTR4(0xa4), FIXSTR4(0xa8), FIXSTR4(0xac),
	FIXSTR4(0xb0), FIXSTR4(0xb4), FIXSTR4(0xb8), FIXSTR4(0xbc),
	[0xc0] = { MP_SCALAR, 0, 0 },			/* nil */
	[0xc1] = { MP_INVALID, 0, 0 },			/* never used */
	[0xc2] = { MP_SCALAR, 0, 0 },			/* false */
	[0xc3] = { MP_SCALAR, 0, 0 },			/* true */
	[0xc4] = { MP_SCALAR, 1, 0 },			/* bin 8, 16, 32 */
	[0xc5] = { MP_SCALAR, 2, 0 },
	[0xc6] = { MP_SCALAR, 4, 0 },
	[0xc7] = { MP_SCALAR, 1, 0 },			/* ext 8, 16, 32 */
	[0xc8] = { MP_SCALAR, 2, 0 },
	[0xc9] = { MP_SCALAR, 4, 0 },
	[0xca] = { MP_SCALAR, 0, 4 },			/* float 32, 64 */
	[0xcb] = { MP_SCALAR, 0, 8 },
	[0xcc] = { MP_SCALAR, 0, 1 },			/* uint 8 .. 64 */
	[0xcd] = { MP_SCALAR, 0, 2 },
	[0xce] = { MP_SCALAR, 0, 4 },
	[0xcf] = { MP_SCALAR, 0, 8 },
	[0xd0] = { MP_SCALAR, 0, 1 },			/* int 8 .. 64 */
	[0xd1] = { MP_SCALAR, 0, 2 },
	[0xd2] = { MP_SCALAR, 0, 4 },
	[0xd3] = { MP_SCALAR, 0, 8 },
	[0xd4] = { MP_SCALAR, 0, 1 + 1 },		/* fixext: type, data */
	[0xd5] = { MP_SCALAR, 0, 1 + 2 },
	[0xd6] = { MP_SCALAR, 0, 1 + 4 },
	[0xd7] = { MP_SCALAR, 0, 1 + 8 },
	[0xd8] = { MP_SCALAR, 0, 1 + 16 },
	[0xd9] = { MP_SCALAR, 1, 0 },			/* str 8, 16, 32 */
	[0xda] = { MP_SCALAR, 2, 0 },
	[0xdb] = { MP_SCALAR, 4, 0 },
	[0xdc] = { MP_ARRAY, 2, 0 },			/* array 16, 32 */
	[0xdd] = { MP_ARRAY, 4, 0 },
	[0xde] = { MP_MAP, 2, 0 },			/* map 16, 32 */
	[0xdf] = { MP_MAP, 4, 0 },
	[0xe0 ... 0xff] = { MP_SCALAR, 0, 0 },		/* negative fixint */
};

/* A type byte into *it; -1 for 0xc1, the one byte the format never uses. */
static inline int
mp_class(uint8_t c, struct mp_item *it)
{
	const struct mp_type	*t = &mp_types[c];

	it->kind = t->kind;
	it->hdr = t->hdr;
	if (t->kind == MP_SCALAR) {
		it->n = t->n;
		it->count = 0;
	} else {
		it->n = 0;
		it->count = t->n;
	}
	return t->kind == MP_INVALID ? -1 : 0;
}

/* The it->hdr length bytes at p, into the payload size or the count. */
static inline void
mp_length(const uint8_t *p, uint8_t c, struct mp_item *it)
{
	uint64_t	 v = be_read(p, it->hdr);

	if (it->kind == MP_MAP)
		it->count = 2 * v;
	else if (it->kind == MP_ARRAY)
		it->count = v;
	else
		it->n = v + (c >= 0xc7 && c <= 0xc9);	/* ext: type byte */
}

/* The offset just past the item at off, which has been read already. */
static size_t
mp_skip(const uint8_t *p, size_t off)
{
	struct mp_item	 it;
	uint64_t	 items = 1;
	uint8_t		 c;

	while (items-- > 0) {
		c = p[off++];
		(void)mp_class(c, &it);
		if (it.hdr > 0) {
			mp_length(p + off, c, &it);
			off += it.hdr;
		}
		if (it.kind == MP_SCALAR)
			off += it.n;
		else
			items += it.count;
	}
	return off;
}

/* The bytes of the str at off, which has been read already. */
static const uint8_t *
mp_str(const uint8_t *p, size_t off, size_t *len)
{
	struct mp_item	 it;
	uint8_t		 c = p[off++];

	(void)mp_class(c, &it);
	if (it.hdr > 0)
		mp_length(p + off, c, &it);
	*len = it.n;
	return p + off + it.hdr;
}

/*
 * n bytes alike?  Keys are a few bytes long, where a loop is quicker
 * than a call to memcmp().
 */
static inline int
bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t	 i;

	if (n > 16)
		return memcmp(a, b, n) == 0;
	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return 0;
	}
	return 1;
}

/* Keys by their bytes, a shorter one first when one is a prefix. */
static int
key_cmp(const uint8_t *p, uint32_t a, uint32_t b)
{
	const uint8_t	*x, *y;
	size_t		 xn, yn;
	int		 r;

	x = mp_str(p, a, &xn);
	y = mp_str(p, b, &yn);
	if ((r = memcmp(x, y, xn < yn ? xn : yn)) != 0)
		return r;
	return xn < yn ? -1 : xn > yn;
}

/* keysort.c's comparison: arg is the message. */
static int
key_order(const void *arg, uint32_t a, uint32_t b)
{
	return key_cmp(arg, a, b);
}

/*
 * A large map, its keys and values at [start, end), just closed: sets
 * *dup when a key stands in it twice.  A key of two bytes or more takes
 * four bytes of the map at least (mp_init()), so (end - start) / 4
 * offsets always hold them; keys of no or one byte, which can be
 * shorter, are marked in a bitmap instead (bit 256: the empty key).
 */
static int
map_dup(const struct mp_doc *doc, size_t start, size_t end, int *dup)
{
	uint8_t		 seen[(256 + 1 + 7) / 8];
	const uint8_t	*p = doc->msg, *k;
	uint32_t	*offs, *mem = NULL;
	size_t		 cap = (end - start) / 4, n = 0, off = start, klen;
	unsigned int	 b;

	if (cap <= doc->nwork)
		offs = doc->work;
	else if ((offs = mem = malloc(cap * sizeof(*offs))) == NULL)
		return MP_ENOMEM;
	memset(seen, 0, sizeof(seen));
	while (off < end) {
		k = mp_str(p, off, &klen);
		if (klen <= 1) {
			b = klen == 0 ? 256 : k[0];
			if (seen[b / 8] & (1 << (b % 8))) {
				*dup = 1;
				break;
			}
			seen[b / 8] |= 1 << (b % 8);
		} else
			offs[n++] = (uint32_t)off;
		off = mp_skip(p, (size_t)(k - p) + klen);
	}
	if (!*dup && !keys_distinct(offs, n, key_order, p))
		*dup = 1;
	free(mem);
	return MP_OK;
}

/*
 * A new key of a small map: 1 when one of the map's earlier keys
 * (k[], kl[], *nk of them) is the same, else it joins them.
 */
static inline int
key_repeats(const uint8_t **k, uint32_t *kl, uint8_t *nk,
    const uint8_t *key, uint32_t n)
{
	uint8_t	 i;

	for (i = 0; i < *nk; i++) {
		if (kl[i] == n && bytes_eq(k[i], key, n))
			return 1;
	}
	k[*nk] = key;
	kl[*nk] = n;
	(*nk)++;
	return 0;
}

/* A top-level key at k: the member its value is remembered in, or NULL. */
static struct mp_member *
top_key(struct mp_doc *doc, const uint8_t *k, size_t n)
{
	struct mp_member	*m;
	size_t			 w = 0;

	doc->ntop++;
	if (doc->nmembers >= MP_MEMBERS)
		return NULL;
	if (doc->want != NULL) {
		for (w = 0; w < doc->nwant; w++) {
			if (doc->want[w].len == n && bytes_eq((const uint8_t *)
			    doc->want[w].name, k, n))
				break;
		}
		if (w == doc->nwant)
			return NULL;
	}
	m = &doc->members[doc->nmembers++];
	m->key = k;
	m->keylen = n;
	m->want = doc->want != NULL ? (int)w : -1;	/* w < MP_MEMBERS */
	return m;
}

/*
 * The value whose type byte c is at start, read up to end (its payload
 * included; an array or map has only its header behind it).
 */
static void
member_value(struct mp_member *m, const uint8_t *p, size_t start,
    size_t end, uint8_t c, const struct mp_item *it)
{
	m->span = p + start;
	m->spanlen = end - start;
	m->val = NULL;
	m->vallen = 0;
	m->u = 0;
	if (it->kind == MP_MAP) {
		m->kind = MP_K_MAP;
		return;
	}
	if (it->kind == MP_ARRAY) {
		m->kind = MP_K_ARRAY;
		return;
	}
	if (c <= 0x7f) {
		m->kind = MP_K_UINT;
		m->u = c;
	} else if (c >= 0xe0)
		m->kind = MP_K_NEGINT;
	else if (MP_ISSTR(c) || (c >= 0xc4 && c <= 0xc9) ||
	    (c >= 0xd4 && c <= 0xd8)) {
		m->kind = MP_ISSTR(c) ? MP_K_STR : c <= 0xc6 ? MP_K_BIN :
		    MP_K_EXT;
		m->val = p + end - it->n;
		m->vallen = it->n;
	} else if (c >= 0xcc && c <= 0xcf) {
		m->kind = MP_K_UINT;
		m->u = be_read(p + start + 1, it->n);
	} else if (c >= 0xd0 && c <= 0xd3) {
		/* A signed form: the value decides, as in msgpack-c. */
		if (p[start + 1] & 0x80)
			m->kind = MP_K_NEGINT;
		else {
			m->kind = MP_K_UINT;
			m->u = be_read(p + start + 1, it->n);
		}
	} else if (c == 0xca || c == 0xcb)
		m->kind = MP_K_FLOAT;
	else if (c == 0xc0)
		m->kind = MP_K_NIL;
	else
		m->kind = MP_K_BOOL;
}

void
mp_init(struct mp_doc *doc, const struct mp_key *want, size_t nwant,
    void *work, size_t worklen)
{
	size_t	 pad;

	doc->want = want;
	doc->nwant = want == NULL ? 0 : nwant < MP_MEMBERS ? nwant : MP_MEMBERS;
	doc->work = NULL;
	doc->nwork = 0;
	if (work == NULL)
		return;
	pad = (4 - (uintptr_t)work % 4) % 4;
	if (worklen > pad) {
		doc->work = (uint32_t *)(void *)((uint8_t *)work + pad);
		doc->nwork = (worklen - pad) / 4;
	}
}

int
mp_parse(struct mp_doc *doc, const uint8_t *p, size_t len)
{
	struct mp_frame		 st[MP_DEPTH_MAX], *f;
	const uint8_t		*keys[MP_DEPTH_MAX][MP_PAIRWISE];
	uint32_t		 keylens[MP_DEPTH_MAX][MP_PAIRWISE];
	struct mp_item		 it;
	struct mp_member	*m = NULL, *open = NULL;
	size_t			 off = 0, start, rem;
	int			 depth = 0, dup = 0, topmap = 0, iskey, rc;
	uint8_t			 c;

	doc->msg = p;
	doc->len = len;
	doc->top = 0;
	doc->nmembers = 0;
	doc->ntop = 0;
	if (len > UINT32_MAX)
		return MP_ETOOBIG;
	for (;;) {
		if (off >= len)
			return MP_ETRUNC;
		start = off;
		c = p[off++];
		if (mp_class(c, &it) == -1)
			return MP_EBYTE;
		rem = len - off;
		if (it.hdr > 0) {
			if (it.hdr > rem)
				return MP_ETRUNC;
			mp_length(p + off, c, &it);
			off += it.hdr;
			rem -= it.hdr;
		}
		f = depth > 0 ? &st[depth - 1] : NULL;
		iskey = f != NULL && f->map && f->left % 2 == 0;
		if (iskey && !MP_ISSTR(c))
			return MP_EKEY;
		if (it.kind == MP_SCALAR) {
			if (it.n > rem)
				return MP_ELEN;
			off += it.n;
		} else {
			if (depth >= MP_DEPTH_MAX)
				return MP_EDEPTH;
			/* Every item takes at least one byte. */
			if (it.count > rem)
				return MP_ECOUNT;
		}

		if (iskey) {
			/* A str's payload fits in 32 bits. */
			if (!dup && !f->large &&
			    key_repeats(keys[depth - 1], keylens[depth - 1],
			    &f->nkeys, p + off - it.n, (uint32_t)it.n))
				dup = 1;
			if (depth == 1)
				m = top_key(doc, p + off - it.n, it.n);
		} else if (m != NULL) {
			member_value(m, p, start, off, c, &it);
			if (it.count > 0)
				open = m;	/* its span ends when it closes */
			m = NULL;
		}

		if (f != NULL)
			f->left--;
		else if (it.kind == MP_MAP) {
			topmap = 1;
			doc->top = off;
		}
		if (it.count > 0) {
			f = &st[depth++];
			f->left = it.count;
			f->start = off;
			f->map = it.kind == MP_MAP;
			f->large = f->map && it.count > 2 * MP_PAIRWISE;
			f->nkeys = 0;
		}
		while (depth > 0 && st[depth - 1].left == 0) {
			f = &st[--depth];
			if (f->large && !dup &&
			    (rc = map_dup(doc, f->start, off, &dup)) != MP_OK)
				return rc;
			if (depth == 1 && open != NULL) {
				open->spanlen = off - (size_t)(open->span - p);
				open = NULL;
			}
		}
		if (depth == 0)
			break;
	}
	if (off != len)
		return MP_ETRAIL;
	if (!topmap)
		return MP_ENOTMAP;
	if (dup)
		return MP_EDUP;
	return MP_OK;
}

const struct mp_member *
mp_get(const struct mp_doc *doc, const char *key)
{
	const struct mp_member	*m;
	size_t			 i, n = strlen(key);

	for (i = 0; i < doc->nmembers; i++) {
		m = &doc->members[i];
		if (m->keylen == n && memcmp(m->key, key, n) == 0)
			return m;
	}
	return NULL;
}

const struct mp_member *
mp_get_want(const struct mp_doc *doc, size_t i)
{
	size_t	 j;

	for (j = 0; j < doc->nmembers; j++) {
		if (doc->members[j].want == (int)i)
			return &doc->members[j];
	}
	return NULL;
}

int
mp_find(const struct mp_doc *doc, const char *key, struct mp_member *m)
{
	struct mp_item	 it;
	const uint8_t	*p = doc->msg, *k;
	size_t		 i, off = doc->top, klen, start, n = strlen(key);
	uint8_t		 c;

	for (i = 0; i < doc->ntop; i++) {
		k = mp_str(p, off, &klen);
		start = (size_t)(k - p) + klen;
		if (klen != n || memcmp(k, key, n) != 0) {
			off = mp_skip(p, start);
			continue;
		}
		c = p[start];
		(void)mp_class(c, &it);
		off = start + 1;
		if (it.hdr > 0) {
			mp_length(p + off, c, &it);
			off += it.hdr;
		}
		if (it.kind == MP_SCALAR)
			off += it.n;
		m->key = k;
		m->keylen = klen;
		m->want = -1;
		member_value(m, p, start, off, c, &it);
		m->spanlen = mp_skip(p, start) - start;
		return 1;
	}
	return 0;
}

const char *
mp_strerror(int rc)
{
	switch (rc) {
	case MP_OK:
		return "no error";
	case MP_ETRUNC:
		return "truncated";
	case MP_EBYTE:
		return "invalid msgpack byte";
	case MP_EKEY:
		return "map key not a str";
	case MP_ELEN:
		return "length beyond message";
	case MP_EDEPTH:
		return "nested too deep";
	case MP_ECOUNT:
		return "container size exceeds message";
	case MP_ETRAIL:
		return "bytes after the message";
	case MP_ENOTMAP:
		return "not a map";
	case MP_EDUP:
		return "duplicate key";
	case MP_ENOMEM:
		return "out of memory";
	case MP_ETOOBIG:
		return "message too long";
	}
	return "unknown error";
}
