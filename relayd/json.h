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
 * A strict reader for one JSON text (RFC 8259) whose top level is an
 * object: the JSON half of the relay's decoder.  One pass over the bytes,
 * no allocation, no recursion.  It validates the whole text (grammar,
 * UTF-8, escapes and surrogate pairs, number ranges, nesting depth,
 * duplicate keys in every object) and remembers, for the top-level
 * members a caller asks for, the key, the kind of value and its raw byte
 * span; strings are unescaped on demand into the caller's buffer.
 *
 * Verdicts follow jansson's json_loadb() with JSON_REJECT_DUPLICATES |
 * JSON_ALLOW_NUL (the library this replaces; regress/fuzz/fuzz_jsondiff.c
 * compares the two), plus a top-level object and a depth of at most
 * JSON_DEPTH_MAX:
 *	- integer literals (no fraction, no exponent) must fit in int64; -0
 *	  is the integer 0;
 *	- a number with a fraction or exponent must not overflow a double
 *	  (round to nearest: 1e400 and the midpoint 2^1024 - 2^970 are
 *	  refused, underflow such as 1e-400 is accepted, as strtod() does);
 *	- \u0000 is allowed in string values (strings carry lengths) but not
 *	  in keys;
 *	- lone or reversed UTF-16 surrogate escapes are refused;
 *	- keys are compared after unescaping ("a" and "\u0061" collide).
 * The one known difference: jansson skips a single raw NUL byte that
 * directly follows a number or a literal ({"a":1<NUL>}); RFC 8259 has no
 * place for a raw NUL anywhere, and this reader refuses it.
 */
#ifndef SWS_JSON_H
#define SWS_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_DEPTH_MAX		8	/* the top-level object is depth 1 */
#define JSON_MEMBERS		16	/* top-level members remembered */
#define JSON_KEYS_INLINE	64	/* key stack when no workspace is given */

/* The kind of a value (JSON_K_: jansson's enum has the plain names). */
#define JSON_K_NULL		1
#define JSON_K_FALSE		2
#define JSON_K_TRUE		3
#define JSON_K_INT		4	/* integer literal, in int64 */
#define JSON_K_REAL		5	/* fraction or exponent */
#define JSON_K_STRING		6
#define JSON_K_ARRAY		7
#define JSON_K_OBJECT		8

/* json_parse() results. */
#define JSON_OK			0
#define JSON_ESYNTAX		1	/* not one JSON text */
#define JSON_EUTF8		2	/* bytes are not UTF-8 */
#define JSON_ENOTOBJ		3	/* the top-level value is no object */
#define JSON_EDEPTH		4	/* nested deeper than JSON_DEPTH_MAX */
#define JSON_EDUP		5	/* a key twice in one object */
#define JSON_ERANGE		6	/* integer beyond int64, real beyond double */
#define JSON_EKEYNUL		7	/* \u0000 in a key */
#define JSON_ESPACE		8	/* key stack full (see json_init()) */
#define JSON_ETOOBIG		9	/* text longer than UINT32_MAX bytes */

/*
 * One top-level member.  key and, for a string, val are the raw bytes
 * between the quotes (escapes not undone; keyesc and valesc say whether
 * there are any); for other kinds val spans the literal, or the array or
 * object from bracket to bracket.
 */
struct json_member {
	const uint8_t	*key;
	size_t		 keylen;
	const uint8_t	*val;
	size_t		 vallen;
	int64_t		 ival;		/* JSON_K_INT */
	int		 kind;		/* JSON_K_NULL .. JSON_K_OBJECT */
	int		 want;		/* index in the wanted list, or -1 */
	uint8_t		 keyesc;
	uint8_t		 valesc;
};

/*
 * A parsed document; set up by json_init(), filled by json_parse().
 * members[] holds the first JSON_MEMBERS top-level members in order
 * (only those named in the wanted list, when there is one); ntop counts
 * all of them, remembered or not.
 */
struct json_doc {
	const char *const	*want;
	size_t			 nwant;
	uint32_t		*work;
	size_t			 nwork;
	size_t			 nmembers;
	size_t			 ntop;
	int			 utf8_known;	/* text is valid UTF-8 */
	struct json_member	 members[JSON_MEMBERS];
	uint32_t		 ikeys[JSON_KEYS_INLINE];
};

/*
 * Prepare a document.  want (nwant names, or NULL for "every member")
 * selects the top-level members to remember; with no more than
 * JSON_MEMBERS names none of them is ever missed, wherever it stands.
 * work (worklen bytes, any alignment, or NULL) is where the keys of the
 * open objects are kept for the duplicate check, when it holds more of
 * them than the JSON_KEYS_INLINE of the document itself.  A key takes
 * four bytes of work and at least five of a valid text ("":0, and the
 * braces), so a work area as large as the text never runs out
 * (JSON_ESPACE); the work area is free again once json_parse() returns.
 */
void		 json_init(struct json_doc *, const char *const *want,
		    size_t nwant, void *work, size_t worklen);
/*
 * Read len bytes at p; JSON_OK or one of the JSON_E* codes.  A caller
 * that has validated the text as UTF-8 already (a WebSocket text message)
 * may set doc->utf8_known after json_init() to skip the second pass.
 */
int		 json_parse(struct json_doc *, const uint8_t *p, size_t len);
/* The remembered top-level member named key, or NULL. */
const struct json_member *json_get(const struct json_doc *, const char *key);
/*
 * Undo the escapes of a string that json_parse() accepted (a member's key
 * or string value): write the decoded bytes to out and return their
 * number, never more than rawlen, or -1 when they do not fit in cap.
 */
long		 json_unescape(const uint8_t *raw, size_t rawlen, uint8_t *out,
		    size_t cap);
/* A short English reason for a json_parse() result. */
const char	*json_strerror(int);

#endif /* SWS_JSON_H */
