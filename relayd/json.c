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
 * The JSON reader of json.h.  The text is first checked as UTF-8 as a
 * whole (quick for ASCII, and a multi-byte character can only stand
 * inside a string in valid JSON, so this is the strings' check too),
 * unless the caller has checked it already (doc->utf8_known).
 * Then one loop walks the grammar with an explicit stack of at most
 * JSON_DEPTH_MAX levels.  For the duplicate check each open object keeps
 * the offsets of its keys on a key stack: a new key is compared with the
 * earlier ones while the object has few, and an object that grew beyond
 * that sorts its keys (keysort.c: heapsort, in place) when it closes, so
 * no input costs more than n log n key comparisons.  Keys are compared
 * by their unescaped bytes, unescaping as they are read.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json.h"
#include "keysort.h"
#include "utf8.h"

#define KEYS_PAIRWISE	8	/* objects up to this size: no sort */

/* Bytes inside a string: 0 plain, 1 '"', 2 '\', 3 invalid (C0 control). */
static const uint8_t strclass[256] = {
	[0x00 ... 0x1f] = 3,
	['"'] = 1,
	['\\'] = 2,
};

/*
 * 2^1024 - 2^970: the midpoint between DBL_MAX and 2^1024.  A decimal
 * value at or above it rounds to infinity (the tie goes to the even
 * 2^1024), which is where strtod() reports an overflow.
 */
static const char dbl_limit[] =
    "17976931348623158079372897140530341507993413271003782693617377898044"
    "49682927647509466490179775872070963302864166928879109465555478519404"
    "02630657488671505820681908902000708383676273854845817711531764475730"
    "27006985557136695962284291481986083493647529271907416844436551070434"
    "2711559699508093042880177904174497792";
#define DBL_LIMIT_DIGITS	(sizeof(dbl_limit) - 1)	/* 309 */

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/*
 * Does any of the eight bytes of w end a run of plain string bytes (a
 * quote, a backslash or a C0 control)?  The usual test for a zero byte,
 * on w itself against 0x20 and on w XOR the two characters; exact for
 * "any", which is all the caller needs before it looks byte by byte.
 */
static int
word_stops(uint64_t w)
{
	uint64_t	 q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return ((((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) |
	    ((b - ONES) & ~b)) & HIGHS) != 0;
}

#ifdef __SSE2__
/*
 * Sixteen bytes at once (SSE2, part of every x86-64): a bit for each
 * byte that ends a run of plain string bytes ('"', '\\', below 0x20).
 * Unsigned "below 0x20" is min(byte, 0x1f) == byte.
 */
static unsigned int
sse_stops(const uint8_t *p)
{
	__m128i	 v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i	 ctl, q, b;

	ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
	q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
	return (unsigned int)_mm_movemask_epi8(_mm_or_si128(ctl,
	    _mm_or_si128(q, b)));
}
#endif

static int
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const uint8_t *
skip_ws(const uint8_t *p, const uint8_t *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static int
is_digit(uint8_t c)
{
	return (unsigned)(c - '0') < 10;
}

static int
hexval(uint8_t c)
{
	if ((unsigned)(c - '0') < 10)
		return c - '0';
	c |= 0x20;
	if ((unsigned)(c - 'a') < 6)
		return c - 'a' + 10;
	return -1;
}

/* Four hex digits at p, or -1. */
static int32_t
hex4(const uint8_t *p)
{
	int	 a = hexval(p[0]), b = hexval(p[1]), c = hexval(p[2]),
		 d = hexval(p[3]);

	if ((a | b | c | d) < 0)
		return -1;
	return (a << 12) | (b << 8) | (c << 4) | d;
}

/*
 * One escape at p (p[0] is the backslash), at most end: the bytes it
 * stands for go to out (UTF-8, 1 to 4 of them) and its length in the
 * text to *adv.  Returns the number of bytes, or 0 for an escape that is
 * malformed, a lone surrogate, or cut off by end.
 */
static size_t
esc_decode(const uint8_t *p, const uint8_t *end, uint8_t out[4],
    size_t *adv)
{
	int32_t	 cp, lo;

	if (end - p < 2)
		return 0;
	*adv = 2;
	switch (p[1]) {
	case '"':
	case '\\':
	case '/':
		out[0] = p[1];
		return 1;
	case 'b':
		out[0] = '\b';
		return 1;
	case 'f':
		out[0] = '\f';
		return 1;
	case 'n':
		out[0] = '\n';
		return 1;
	case 'r':
		out[0] = '\r';
		return 1;
	case 't':
		out[0] = '\t';
		return 1;
	case 'u':
		break;
	default:
		return 0;
	}
	if (end - p < 6 || (cp = hex4(p + 2)) < 0)
		return 0;
	*adv = 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return 0;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
		    (lo = hex4(p + 8)) < 0xdc00 || lo > 0xdfff)
			return 0;
		*adv = 12;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		out[0] = (uint8_t)(0xf0 | (cp >> 18));
		out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (uint8_t)(0x80 | (cp & 0x3f));
		return 4;
	}
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (uint8_t)(0xe0 | (cp >> 12));
	out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp & 0x3f));
	return 3;
}

/*
 * The string whose first byte is at p (after the opening quote): on
 * success *q is its closing quote and *esc says whether it has escapes.
 * A key may not hold \u0000 (jansson refuses it: its keys are C strings).
 */
static int
scan_string(const uint8_t *p, const uint8_t *end, int iskey,
    const uint8_t **q, int *esc)
{
	uint64_t	 w;
	uint8_t	 tmp[4];
	size_t	 n, adv;

	*esc = 0;
	for (;;) {
#ifdef __SSE2__
		while (end - p >= 16) {
			unsigned int	 m = sse_stops(p);

			if (m != 0) {
				p += __builtin_ctz(m);
				break;
			}
			p += 16;
		}
#endif
		while (end - p >= 8) {
			memcpy(&w, p, sizeof(w));
			if (word_stops(w))
				break;
			p += 8;
		}
		while (p < end && strclass[*p] == 0)
			p++;
		if (p >= end)
			return JSON_ESYNTAX;
		switch (strclass[*p]) {
		case 1:
			*q = p;
			return JSON_OK;
		case 3:
			return JSON_ESYNTAX;
		}
		*esc = 1;
		if ((n = esc_decode(p, end, tmp, &adv)) == 0)
			return JSON_ESYNTAX;
		if (iskey && n == 1 && tmp[0] == '\0')
			return JSON_EKEYNUL;
		p += adv;
	}
}

/*
 * A string read back byte by byte, escapes undone, for comparing keys.
 * Only for strings that scan_string() accepted: they end at a quote.
 */
struct jstr {
	const uint8_t	*p;
	const uint8_t	*end;		/* bounds its escapes */
	uint8_t		 buf[4];
	size_t		 n;
	size_t		 i;
};

static int
jstr_next(struct jstr *s)
{
	size_t	 adv;

	if (s->i < s->n)
		return s->buf[s->i++];
	if (*s->p == '"')
		return -1;
	if (*s->p != '\\')
		return *s->p++;
	/* Accepted before: the escape is whole and valid. */
	s->n = esc_decode(s->p, s->end, s->buf, &adv);
	s->p += adv;
	s->i = 1;
	return s->buf[0];
}

/*
 * Order two accepted strings (p after the opening quote) by their
 * unescaped bytes.  Most keys have no escape: their bytes are compared
 * as they stand until the first backslash.
 */
static int
key_cmp(const uint8_t *a, const uint8_t *b, const uint8_t *end)
{
	struct jstr	 x, y;
	int		 ca, cb;

	while (*a == *b && *a != '"' && *a != '\\') {
		a++;
		b++;
	}
	if (*a != '\\' && *b != '\\') {
		if (*a == *b)
			return 0;
		ca = *a == '"' ? -1 : *a;
		cb = *b == '"' ? -1 : *b;
		return ca < cb ? -1 : 1;
	}
	/* The raw bytes so far were equal and unescaped. */
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	x.p = a;
	y.p = b;
	x.end = y.end = end;
	do {
		ca = jstr_next(&x);
		cb = jstr_next(&y);
	} while (ca == cb && ca != -1);
	if (ca == cb)
		return 0;
	return ca < cb ? -1 : 1;
}

/*
 * Does an accepted key (klen raw bytes at k) unescape to name?  A raw
 * key holds no NUL, so strncmp() stops at the end of a shorter name.
 */
static int
key_is(const uint8_t *k, size_t klen, int esc, const char *name)
{
	struct jstr	 s;
	size_t		 i;
	int		 c;

	if (!esc) {
		if (klen == 0)
			return name[0] == '\0';
		return (uint8_t)name[0] == k[0] &&
		    strncmp(name, (const char *)k, klen) == 0 &&
		    name[klen] == '\0';
	}
	memset(&s, 0, sizeof(s));
	s.p = k;
	s.end = k + klen;
	for (i = 0; (c = jstr_next(&s)) != -1; i++) {
		if (name[i] == '\0' || (uint8_t)name[i] != c)
			return 0;
	}
	return name[i] == '\0';
}

/* keysort.c's comparison: the offsets are into the text of arg. */
struct key_text {
	const uint8_t	*base;
	const uint8_t	*end;
};

static int
key_order(const void *arg, uint32_t a, uint32_t b)
{
	const struct key_text	*t = arg;

	return key_cmp(t->base + a, t->base + b, t->end);
}

/*
 * Does a number with ni integer digits at ip, nf fraction digits at fp
 * and exponent e overflow a double?  Its value is 0.D * 10^E, D the
 * digits from the first non-zero one: beyond E = 309 it does, below it
 * does not, and at 309 D is compared with dbl_limit digit by digit.
 */
static int
real_overflows(const uint8_t *ip, size_t ni, const uint8_t *fp, size_t nf,
    int64_t e)
{
	size_t	 i, t, nd = ni + nf;
	int64_t	 exp10;
	uint8_t	 c;

	for (i = 0; i < nd; i++) {
		if ((i < ni ? ip[i] : fp[i - ni]) != '0')
			break;
	}
	if (i == nd)
		return 0;		/* zero */
	exp10 = (int64_t)ni - (int64_t)i + e;
	if (exp10 != (int64_t)DBL_LIMIT_DIGITS)
		return exp10 > (int64_t)DBL_LIMIT_DIGITS;
	for (t = 0; i < nd; i++, t++) {
		if (t == DBL_LIMIT_DIGITS)
			return 1;	/* equal so far, and more digits */
		c = i < ni ? ip[i] : fp[i - ni];
		if (c != (uint8_t)dbl_limit[t])
			return c > (uint8_t)dbl_limit[t];
	}
	/* D is a prefix of the limit: at or above it only when equal. */
	for (; t < DBL_LIMIT_DIGITS; t++) {
		if (dbl_limit[t] != '0')
			return 0;
	}
	return 1;
}

/*
 * The number at *pp.  An integer literal must fit in int64 and a real
 * must not overflow a double, as jansson (strtoll, strtod) requires.
 * The exponent saturates far beyond anything a text of at most
 * UINT32_MAX digits can shift back.
 */
static int
scan_number(const uint8_t **pp, const uint8_t *end, int *kind,
    int64_t *ival)
{
	const uint8_t	*p = *pp, *ip, *fp = NULL;
	size_t		 ni, nf = 0, i;
	uint64_t	 u, lim;
	int64_t		 e = 0;
	int		 neg = 0, eneg = 0, real = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	ip = p;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9') {
		while (p < end && is_digit(*p))
			p++;
	} else
		return JSON_ESYNTAX;
	ni = (size_t)(p - ip);
	if (p < end && *p == '.') {
		real = 1;
		fp = ++p;
		while (p < end && is_digit(*p))
			p++;
		if ((nf = (size_t)(p - fp)) == 0)
			return JSON_ESYNTAX;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || !is_digit(*p))
			return JSON_ESYNTAX;
		while (p < end && is_digit(*p)) {
			if (e < INT64_C(100000000000000))
				e = e * 10 + (*p - '0');
			p++;
		}
		if (eneg)
			e = -e;
	}
	*pp = p;
	if (real) {
		if (real_overflows(ip, ni, fp, nf, e))
			return JSON_ERANGE;
		*kind = JSON_K_REAL;
		return JSON_OK;
	}
	/* No leading zeros: more than 19 digits is at least 10^19. */
	if (ni > 19)
		return JSON_ERANGE;
	for (u = 0, i = 0; i < ni; i++)
		u = u * 10 + (uint64_t)(ip[i] - '0');
	lim = neg ? (UINT64_C(1) << 63) : (UINT64_C(1) << 63) - 1;
	if (u > lim)
		return JSON_ERANGE;
	if (!neg)
		*ival = (int64_t)u;
	else if (u == UINT64_C(1) << 63)
		*ival = INT64_MIN;
	else
		*ival = -(int64_t)u;
	*kind = JSON_K_INT;
	return JSON_OK;
}

static void
remember(struct json_doc *doc, const struct json_member *cur)
{
	struct json_member	*m;
	size_t			 i;
	int			 w = -1;

	doc->ntop++;
	if (doc->want != NULL) {
		for (i = 0; i < doc->nwant; i++) {
			if (key_is(cur->key, cur->keylen, cur->keyesc,
			    doc->want[i])) {
				w = (int)i;
				break;
			}
		}
		if (w == -1)
			return;
	}
	if (doc->nmembers >= JSON_MEMBERS)
		return;
	m = &doc->members[doc->nmembers++];
	*m = *cur;
	m->want = w;
}

void
json_init(struct json_doc *doc, const char *const *want, size_t nwant,
    void *work, size_t worklen)
{
	size_t	 pad;

	doc->want = want;
	doc->nwant = want != NULL ? nwant : 0;
	doc->work = NULL;
	doc->nwork = 0;
	doc->nmembers = 0;
	doc->ntop = 0;
	doc->utf8_known = 0;
	if (work == NULL)
		return;
	pad = (4 - (uintptr_t)work % 4) % 4;
	if (worklen > pad && (worklen - pad) / 4 > JSON_KEYS_INLINE) {
		doc->work = (uint32_t *)(void *)((uint8_t *)work + pad);
		doc->nwork = (worklen - pad) / 4;
	}
}

int
json_parse(struct json_doc *doc, const uint8_t *text, size_t len)
{
	const uint8_t		*p, *end, *q;
	struct json_member	 cur;
	struct key_text		 kt;
	uint32_t		*keys;
	size_t			 nkeys = 0, capkeys, i, nk;
	size_t			 kbase[JSON_DEPTH_MAX + 1];
	uint8_t			 isobj[JSON_DEPTH_MAX + 1];
	int64_t			 ival;
	int			 depth = 0, rc, esc, closed, kind;

	doc->nmembers = 0;
	doc->ntop = 0;
	memset(&cur, 0, sizeof(cur));
	if (doc->work != NULL) {
		keys = doc->work;
		capkeys = doc->nwork;
	} else {
		keys = doc->ikeys;
		capkeys = JSON_KEYS_INLINE;
	}
	if (len == 0)
		return JSON_ESYNTAX;
	if (len > UINT32_MAX)
		return JSON_ETOOBIG;
	if (!doc->utf8_known && !utf8_valid(text, len))
		return JSON_EUTF8;
	end = text + len;

	p = skip_ws(text, end);
	if (p >= end)
		return JSON_ESYNTAX;
	if (*p != '{')
		return *p == '[' ? JSON_ENOTOBJ : JSON_ESYNTAX;

 open_object:
	/* p is at '{' */
	if (++depth > JSON_DEPTH_MAX)
		return JSON_EDEPTH;
	isobj[depth] = 1;
	kbase[depth] = nkeys;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
		goto close;
	}
 member:
	/* p is where a key must start */
	if (p >= end || *p != '"')
		return JSON_ESYNTAX;
	p++;
	if ((rc = scan_string(p, end, 1, &q, &esc)) != JSON_OK)
		return rc;
	nk = nkeys - kbase[depth];
	if (nk < KEYS_PAIRWISE) {
		for (i = kbase[depth]; i < nkeys; i++) {
			if (key_cmp(text + keys[i], p, end) == 0)
				return JSON_EDUP;
		}
	}
	if (nkeys >= capkeys)
		return JSON_ESPACE;
	keys[nkeys++] = (uint32_t)(p - text);
	if (depth == 1) {
		cur.key = p;
		cur.keylen = (size_t)(q - p);
		cur.keyesc = (uint8_t)esc;
	}
	p = skip_ws(q + 1, end);
	if (p >= end || *p != ':')
		return JSON_ESYNTAX;
	p = skip_ws(p + 1, end);
	goto value;

 open_array:
	/* p is at '[' */
	if (++depth > JSON_DEPTH_MAX)
		return JSON_EDEPTH;
	isobj[depth] = 0;
	p = skip_ws(p + 1, end);
	if (p < end && *p == ']') {
		p++;
		goto close;
	}
 value:
	/* p is where a value must start */
	if (p >= end)
		return JSON_ESYNTAX;
	if (depth == 1) {
		cur.val = p;
		cur.valesc = 0;
		cur.ival = 0;
	}
	ival = 0;
	switch (*p) {
	case '{':
		goto open_object;
	case '[':
		goto open_array;
	case '"':
		if ((rc = scan_string(p + 1, end, 0, &q, &esc)) != JSON_OK)
			return rc;
		if (depth == 1) {
			cur.val = p + 1;
			cur.vallen = (size_t)(q - p - 1);
			cur.valesc = (uint8_t)esc;
		}
		p = q + 1;
		kind = JSON_K_STRING;
		break;
	case 't':
		if (end - p < 4 || memcmp(p, "true", 4) != 0)
			return JSON_ESYNTAX;
		p += 4;
		kind = JSON_K_TRUE;
		break;
	case 'f':
		if (end - p < 5 || memcmp(p, "false", 5) != 0)
			return JSON_ESYNTAX;
		p += 5;
		kind = JSON_K_FALSE;
		break;
	case 'n':
		if (end - p < 4 || memcmp(p, "null", 4) != 0)
			return JSON_ESYNTAX;
		p += 4;
		kind = JSON_K_NULL;
		break;
	default:
		if ((rc = scan_number(&p, end, &kind, &ival)) != JSON_OK)
			return rc;
		break;
	}
	if (depth == 1) {
		cur.kind = kind;
		cur.ival = ival;
		if (kind != JSON_K_STRING)
			cur.vallen = (size_t)(p - cur.val);
		remember(doc, &cur);
	}
	goto next;

 close:
	/* p is just past the bracket that closed the container at depth */
	closed = isobj[depth];
	if (closed) {
		nk = nkeys - kbase[depth];
		if (nk > KEYS_PAIRWISE) {
			kt.base = text;
			kt.end = end;
			if (!keys_distinct(keys + kbase[depth], nk, key_order,
			    &kt))
				return JSON_EDUP;
		}
		nkeys = kbase[depth];
	}
	if (--depth == 0)
		goto done;
	if (depth == 1) {
		cur.kind = closed ? JSON_K_OBJECT : JSON_K_ARRAY;
		cur.vallen = (size_t)(p - cur.val);
		remember(doc, &cur);
	}
 next:
	/* after a value in the container at depth */
	p = skip_ws(p, end);
	if (p >= end)
		return JSON_ESYNTAX;
	if (*p == ',') {
		p = skip_ws(p + 1, end);
		if (isobj[depth])
			goto member;
		goto value;
	}
	if (*p != (isobj[depth] ? '}' : ']'))
		return JSON_ESYNTAX;
	p++;
	goto close;

 done:
	if (skip_ws(p, end) != end)
		return JSON_ESYNTAX;
	return JSON_OK;
}

const struct json_member *
json_get(const struct json_doc *doc, const char *key)
{
	const struct json_member	*m;
	size_t				 i;

	for (i = 0; i < doc->nmembers; i++) {
		m = &doc->members[i];
		if (m->want >= 0) {
			if (strcmp(doc->want[m->want], key) == 0)
				return m;
		} else if (key_is(m->key, m->keylen, m->keyesc, key))
			return m;
	}
	return NULL;
}

long
json_unescape(const uint8_t *raw, size_t rawlen, uint8_t *out, size_t cap)
{
	const uint8_t	*p = raw, *end = raw + rawlen, *s;
	uint8_t		 tmp[4];
	size_t		 o = 0, n, adv;

	if (rawlen > (size_t)LONG_MAX)
		return -1;
	while (p < end) {
		/* A run of plain bytes, then one escape. */
		for (s = p; p < end && *p != '\\'; p++)
			;
		n = (size_t)(p - s);
		if (n > cap - o)
			return -1;
		if (n > 0)
			memcpy(out + o, s, n);
		o += n;
		if (p == end)
			break;
		if ((n = esc_decode(p, end, tmp, &adv)) == 0 || n > cap - o)
			return -1;
		memcpy(out + o, tmp, n);
		o += n;
		p += adv;
	}
	return (long)o;
}

const char *
json_strerror(int rc)
{
	switch (rc) {
	case JSON_OK:
		return "no error";
	case JSON_ESYNTAX:
		return "not one JSON text";
	case JSON_EUTF8:
		return "not UTF-8";
	case JSON_ENOTOBJ:
		return "not an object";
	case JSON_EDEPTH:
		return "nested too deep";
	case JSON_EDUP:
		return "duplicate key";
	case JSON_ERANGE:
		return "number out of range";
	case JSON_EKEYNUL:
		return "\\u0000 in a key";
	case JSON_ESPACE:
		return "too many keys";
	case JSON_ETOOBIG:
		return "text too long";
	}
	return "unknown error";
}
