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
 * A strict reader for one MessagePack value whose top level is a map:
 * the msgpack half of the relay's decoder.  One pass over the bytes, no
 * allocation (see mp_init() for the one exception), no recursion.  It
 * validates the whole message (every type byte, every length and count
 * against the bytes left, nesting depth, str keys and no key twice in
 * any map) and remembers, for the top-level members a caller asks for,
 * the key, the kind of the value and where its bytes are: str and bin
 * values point into the message, nothing is copied.
 *
 * Verdicts are msgpack-c's msgpack_unpack() (the library this replaces;
 * regress/fuzz/fuzz_msgpackdiff.c compares the two) with exactly one
 * object filling the message, plus the relay's rules: a map at the top,
 * str keys, at most MP_DEPTH_MAX levels of arrays and maps, no duplicate
 * key in any map, and no array or map that declares more items than the
 * bytes left could hold (every item takes a byte at least), so that no
 * declared count is ever trusted.  The checks are made in the order of
 * the MP_E* codes below, item by item, and the first one that fails
 * decides; the top-level kind and duplicate keys are decided once the
 * whole message has been read.
 */
#ifndef SWS_MPREAD_H
#define SWS_MPREAD_H

#include <stddef.h>
#include <stdint.h>

#define MP_DEPTH_MAX		8	/* the top-level map is depth 1 */
#define MP_MEMBERS		16	/* top-level members remembered */

/* The kind of a value (MP_K_: msgpack-c's enum has the plain names). */
#define MP_K_NIL		1
#define MP_K_BOOL		2
#define MP_K_UINT		3	/* >= 0, in any integer form */
#define MP_K_NEGINT		4	/* < 0 */
#define MP_K_FLOAT		5	/* float 32 or 64 */
#define MP_K_STR		6
#define MP_K_BIN		7
#define MP_K_EXT		8
#define MP_K_ARRAY		9
#define MP_K_MAP		10

/* mp_parse() results. */
#define MP_OK			0
#define MP_ETRUNC		1	/* message ends inside an item */
#define MP_EBYTE		2	/* 0xc1, the one unused type byte */
#define MP_EKEY			3	/* a map key that is not a str */
#define MP_ELEN			4	/* payload longer than what is left */
#define MP_EDEPTH		5	/* nested deeper than MP_DEPTH_MAX */
#define MP_ECOUNT		6	/* more items declared than bytes left */
#define MP_ETRAIL		7	/* bytes after the top-level value */
#define MP_ENOTMAP		8	/* the top-level value is no map */
#define MP_EDUP			9	/* a key twice in one map */
#define MP_ENOMEM		10	/* see mp_init() */
#define MP_ETOOBIG		11	/* message longer than UINT32_MAX bytes */

/*
 * One top-level member.  key is the key's bytes; val is the payload of a
 * str, bin or ext (for an ext its type byte first) and NULL otherwise;
 * span is the whole encoded value, from its type byte to its last byte.
 */
struct mp_member {
	const uint8_t	*key;
	size_t		 keylen;
	const uint8_t	*val;
	size_t		 vallen;
	const uint8_t	*span;
	size_t		 spanlen;
	uint64_t	 u;		/* MP_K_UINT: the value */
	int		 kind;		/* MP_K_NIL .. MP_K_MAP */
	int		 want;		/* index in the wanted list, or -1 */
};

/* A top-level key to remember: its name and strlen(name), at most 255. */
struct mp_key {
	const char	*name;
	size_t		 len;
};
#define MP_KEY(s)	{ (s), sizeof(s) - 1 }

/*
 * A parsed document; set up by mp_init(), filled by mp_parse().
 * members[] holds the first MP_MEMBERS top-level members in order (only
 * those named in the wanted list, when there is one); ntop counts all of
 * them, remembered or not.
 */
struct mp_doc {
	const struct mp_key	*want;
	size_t			 nwant;
	uint32_t		*work;
	size_t			 nwork;
	const uint8_t		*msg;
	size_t			 len;
	size_t			 top;		/* offset of the first key */
	size_t			 nmembers;
	size_t			 ntop;
	struct mp_member	 members[MP_MEMBERS];
};

/*
 * Prepare a document.  want (nwant keys, no more than MP_MEMBERS of
 * them, or NULL for "every member") selects the
 * top-level members to remember; none of them is ever missed, wherever
 * it stands.  Maps of up to 8 keys compare their keys pairwise; a larger
 * map sorts the offsets of its keys of two bytes or more when it closes,
 * and each such key takes four bytes of the work area (work, worklen
 * bytes, any alignment, or NULL) and at least four of the message (its
 * type byte, two bytes, and its value's type byte), so a work area as
 * large as the message always suffices.  Without one, such a map takes
 * a malloc() of its own size for that moment, and MP_ENOMEM when that
 * fails.  The work area is free again once mp_parse() returns.
 */
void		 mp_init(struct mp_doc *, const struct mp_key *want,
		    size_t nwant, void *work, size_t worklen);
/* Read len bytes at p; MP_OK or one of the MP_E* codes. */
int		 mp_parse(struct mp_doc *, const uint8_t *p, size_t len);
/* The remembered top-level member named key, or NULL. */
const struct mp_member *mp_get(const struct mp_doc *, const char *key);
/* The remembered member of the wanted key want[i], or NULL. */
const struct mp_member *mp_get_want(const struct mp_doc *, size_t i);
/*
 * Any top-level member of a parsed document by name, remembered or not
 * (one more walk over the top-level map): 1 and *m filled, or 0.
 */
int		 mp_find(const struct mp_doc *, const char *key,
		    struct mp_member *m);
/* A short English reason for an mp_parse() result. */
const char	*mp_strerror(int);

#endif /* SWS_MPREAD_H */
