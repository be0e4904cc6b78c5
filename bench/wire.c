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
 * The client's side of the sws/1 encodings, cut to what a load generator
 * needs and written for speed: the relay's answers are read by walking
 * the top-level object or map once and noting where the interesting
 * fields are, without building a tree and without decoding a body the
 * measurement does not look at (only the send time at its start).  The
 * requests are written from fixed pieces so that a SEND costs a few
 * copies.  Independent of the relay's own codec on purpose: a benchmark
 * that shared the relay's parser would not notice when it went wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "swsbench.h"

#define MAX_DEPTH	8

#define NAME(s)	s, sizeof(s) - 1

static const struct {
	const char	*name;
	size_t		 len;
	enum wfield	 f;
} fields[] = {
	{ NAME("type"),		F_TYPE },
	{ NAME("from"),		F_FROM },
	{ NAME("body"),		F_BODY },
	{ NAME("room"),		F_ROOM },
	{ NAME("server"),	F_SERVER },
	{ NAME("challenge"),	F_CHALLENGE },
	{ NAME("publicKey"),	F_PUBLICKEY },
	{ NAME("proof"),	F_PROOF },
	{ NAME("code"),		F_CODE },
	{ NAME("reason"),	F_REASON },
	{ NAME("limits"),	F_LIMITS },
};

static const struct {
	const char	*name;
	size_t		 len;
	enum wtype	 t;
} types[] = {
	{ NAME("MESSAGE"),		W_MESSAGE },
	{ NAME("CHALLENGE"),		W_CHALLENGE },
	{ NAME("REGISTER_SUCCESS"),	W_REGISTER_SUCCESS },
	{ NAME("REGISTER_FAILURE"),	W_REGISTER_FAILURE },
	{ NAME("ACK"),			W_ACK },
	{ NAME("ERROR"),		W_ERROR },
	{ NAME("JOINED"),		W_JOINED },
	{ NAME("PRESENCE"),		W_PRESENCE },
};

/* The common fields come first: a MESSAGE is found in a few compares. */
static int
field_of(const uint8_t *k, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].len == len && memcmp(fields[i].name, k, len) == 0)
			return (int)fields[i].f;
	return -1;
}

static enum wtype
type_of(const uint8_t *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].len == len && memcmp(types[i].name, s, len) == 0)
			return types[i].t;
	return W_OTHER;
}

/* ------------------------------------------------------------------ */
/* JSON */

static const uint8_t *
js_ws(const uint8_t *p, const uint8_t *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at the opening quote; the content is [*s, *s + *len). */
static const uint8_t *
js_str(const uint8_t *p, const uint8_t *e, const uint8_t **s, size_t *len)
{
	const uint8_t	*q, *b, *start = p + 1;
	size_t		 n;

	q = start;
	for (;;) {
		if (q >= e || (q = memchr(q, '"', (size_t)(e - q))) == NULL)
			return NULL;
		for (b = q, n = 0; b > start && b[-1] == '\\'; b--)
			n++;
		if ((n & 1) == 0)
			break;
		q++;
	}
	*s = start;
	*len = (size_t)(q - start);
	return q + 1;
}

static const uint8_t *
js_skip(const uint8_t *p, const uint8_t *e)
{
	const uint8_t	*s;
	size_t		 len;
	int		 depth = 0;

	if (p >= e)
		return NULL;
	if (*p == '"')
		return js_str(p, e, &s, &len);
	if (*p != '{' && *p != '[') {
		while (p < e && *p != ',' && *p != '}' && *p != ']' &&
		    *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		return p;
	}
	while (p < e) {
		switch (*p) {
		case '"':
			if ((p = js_str(p, e, &s, &len)) == NULL)
				return NULL;
			continue;
		case '{':
		case '[':
			if (++depth > MAX_DEPTH)
				return NULL;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		}
		p++;
	}
	return NULL;
}

static int
js_uint(const uint8_t *p, const uint8_t *e, uint64_t *v)
{
	uint64_t	 x = 0;

	if (p >= e || *p < '0' || *p > '9')
		return -1;
	while (p < e && *p >= '0' && *p <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*p++ - '0');
	}
	*v = x;
	return 0;
}

typedef void (*kv_cb)(void *, const uint8_t *, size_t, const uint8_t *,
    const uint8_t *);

/* Walk the members of the object at p; calls cb with key and value. */
static int
js_object(const uint8_t *p, const uint8_t *e, kv_cb cb, void *arg)
{
	const uint8_t	*k, *v;
	size_t		 klen;

	p = js_ws(p, e);
	if (p >= e || *p != '{')
		return -1;
	p = js_ws(p + 1, e);
	if (p < e && *p == '}')
		return 0;
	for (;;) {
		if (p >= e || *p != '"' || (p = js_str(p, e, &k, &klen)) == NULL)
			return -1;
		p = js_ws(p, e);
		if (p >= e || *p != ':')
			return -1;
		v = js_ws(p + 1, e);
		if ((p = js_skip(v, e)) == NULL)
			return -1;
		cb(arg, k, klen, v, p);
		p = js_ws(p, e);
		if (p >= e)
			return -1;
		if (*p == '}')
			return 0;
		if (*p != ',')
			return -1;
		p = js_ws(p + 1, e);
	}
}

static void
js_top_cb(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
    const uint8_t *ve)
{
	struct wmsg	*m = arg;
	const uint8_t	*s;
	size_t		 len;
	int		 f;

	if (klen == 2 && k[0] == 'i' && k[1] == 'd') {
		if (js_uint(v, ve, &m->id) == 0)
			m->has_id = 1;
		return;
	}
	if ((f = field_of(k, klen)) == -1)
		return;
	if (f == F_LIMITS) {
		m->f[f] = v;
		m->flen[f] = (size_t)(ve - v);
		return;
	}
	if (*v != '"' || js_str(v, ve, &s, &len) == NULL)
		return;
	m->f[f] = s;
	m->flen[f] = len;
}

/* ------------------------------------------------------------------ */
/* msgpack */

enum mpk { MP_NIL, MP_BOOL, MP_UINT, MP_INT, MP_FLOAT, MP_STR, MP_BIN,
	MP_ARRAY, MP_MAP, MP_EXT };

struct mpv {
	enum mpk	 kind;
	uint64_t	 u;		/* uint value, or count of array/map */
	const uint8_t	*p;		/* str, bin, ext data */
	size_t		 len;
};

static uint64_t
be(const uint8_t *p, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0)
		v = (v << 8) | *p++;
	return v;
}

/* One item's header (and str/bin/ext data); *pp moves past it. */
static int
mp_item(const uint8_t **pp, const uint8_t *e, struct mpv *v)
{
	const uint8_t	*p = *pp;
	size_t		 n, lenbytes = 0;
	uint8_t		 c;

	if (p >= e)
		return -1;
	c = *p++;
	memset(v, 0, sizeof(*v));
	if (c <= 0x7f) {
		v->kind = MP_UINT;
		v->u = c;
	} else if (c >= 0xe0) {
		v->kind = MP_INT;
	} else if ((c & 0xf0) == 0x80) {
		v->kind = MP_MAP;
		v->u = c & 0x0f;
	} else if ((c & 0xf0) == 0x90) {
		v->kind = MP_ARRAY;
		v->u = c & 0x0f;
	} else if ((c & 0xe0) == 0xa0) {
		v->kind = MP_STR;
		v->len = c & 0x1f;
		goto data;
	} else {
		switch (c) {
		case 0xc0:
			v->kind = MP_NIL;
			break;
		case 0xc2:
		case 0xc3:
			v->kind = MP_BOOL;
			break;
		case 0xc4: case 0xc5: case 0xc6:
			v->kind = MP_BIN;
			lenbytes = (size_t)1 << (c - 0xc4);
			goto sized;
		case 0xd9: case 0xda: case 0xdb:
			v->kind = MP_STR;
			lenbytes = (size_t)1 << (c - 0xd9);
			goto sized;
		case 0xc7: case 0xc8: case 0xc9:
			v->kind = MP_EXT;
			lenbytes = (size_t)1 << (c - 0xc7);
			if ((size_t)(e - p) < lenbytes)
				return -1;
			v->len = (size_t)be(p, lenbytes) + 1;	/* type */
			p += lenbytes;
			goto data;
		case 0xca:
		case 0xcb:
			v->kind = MP_FLOAT;
			n = c == 0xca ? 4 : 8;
			if ((size_t)(e - p) < n)
				return -1;
			p += n;
			break;
		case 0xcc: case 0xcd: case 0xce: case 0xcf:
			v->kind = MP_UINT;
			n = (size_t)1 << (c - 0xcc);
			if ((size_t)(e - p) < n)
				return -1;
			v->u = be(p, n);
			p += n;
			break;
		case 0xd0: case 0xd1: case 0xd2: case 0xd3:
			v->kind = MP_INT;
			n = (size_t)1 << (c - 0xd0);
			if ((size_t)(e - p) < n)
				return -1;
			p += n;
			break;
		case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
			v->kind = MP_EXT;
			v->len = ((size_t)1 << (c - 0xd4)) + 1;
			goto data;
		case 0xdc: case 0xdd:
			v->kind = MP_ARRAY;
			n = c == 0xdc ? 2 : 4;
			if ((size_t)(e - p) < n)
				return -1;
			v->u = be(p, n);
			p += n;
			break;
		case 0xde: case 0xdf:
			v->kind = MP_MAP;
			n = c == 0xde ? 2 : 4;
			if ((size_t)(e - p) < n)
				return -1;
			v->u = be(p, n);
			p += n;
			break;
		default:
			return -1;
		}
	}
	*pp = p;
	return 0;
 sized:
	if ((size_t)(e - p) < lenbytes)
		return -1;
	v->len = (size_t)be(p, lenbytes);
	p += lenbytes;
 data:
	if ((size_t)(e - p) < v->len)
		return -1;
	v->p = p;
	*pp = p + v->len;
	return 0;
}

static int
mp_skip(const uint8_t **pp, const uint8_t *e, int depth)
{
	struct mpv	 v;
	uint64_t	 i, n;

	if (depth > MAX_DEPTH || mp_item(pp, e, &v) == -1)
		return -1;
	if (v.kind != MP_ARRAY && v.kind != MP_MAP)
		return 0;
	n = v.kind == MP_MAP ? v.u * 2 : v.u;
	if (n > (uint64_t)(e - *pp))
		return -1;
	for (i = 0; i < n; i++)
		if (mp_skip(pp, e, depth + 1) == -1)
			return -1;
	return 0;
}

static int
mp_map(const uint8_t *p, const uint8_t *e, kv_cb cb, void *arg)
{
	struct mpv	 v, k;
	const uint8_t	*vs;
	uint64_t	 i;

	if (mp_item(&p, e, &v) == -1 || v.kind != MP_MAP)
		return -1;
	for (i = 0; i < v.u; i++) {
		if (mp_item(&p, e, &k) == -1 || k.kind != MP_STR)
			return -1;
		vs = p;
		if (mp_skip(&p, e, 1) == -1)
			return -1;
		cb(arg, k.p, k.len, vs, p);
	}
	return 0;
}

static void
mp_top_cb(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
    const uint8_t *ve)
{
	struct wmsg	*m = arg;
	struct mpv	 x;
	const uint8_t	*p = v;
	int		 f;

	if (klen == 2 && k[0] == 'i' && k[1] == 'd') {
		if (mp_item(&p, ve, &x) == 0 && x.kind == MP_UINT) {
			m->has_id = 1;
			m->id = x.u;
		}
		return;
	}
	if ((f = field_of(k, klen)) == -1)
		return;
	if (f == F_LIMITS) {
		m->f[f] = v;
		m->flen[f] = (size_t)(ve - v);
		return;
	}
	if (mp_item(&p, ve, &x) == -1 || (x.kind != MP_STR &&
	    x.kind != MP_BIN))
		return;
	m->f[f] = x.p;
	m->flen[f] = x.len;
}

/* ------------------------------------------------------------------ */

int
wire_decode(int proto, const uint8_t *msg, size_t len, struct wmsg *m)
{
	int	 r;

	memset(m, 0, sizeof(*m));
	m->proto = proto;
	if (proto == PROTO_JSON)
		r = js_object(msg, msg + len, js_top_cb, m);
	else
		r = mp_map(msg, msg + len, mp_top_cb, m);
	if (r == -1 || m->f[F_TYPE] == NULL)
		return -1;
	m->type = type_of(m->f[F_TYPE], m->flen[F_TYPE]);
	return 0;
}

long
wire_bytes(const struct wmsg *m, enum wfield f, uint8_t *out, size_t cap)
{
	if (m->f[f] == NULL)
		return -1;
	if (m->proto == PROTO_JSON)
		return b64url_decode(out, cap, (const char *)m->f[f],
		    m->flen[f]);
	if (m->flen[f] > cap)
		return -1;
	memcpy(out, m->f[f], m->flen[f]);
	return (long)m->flen[f];
}

long
wire_body_len(const struct wmsg *m)
{
	size_t	 n;

	if (m->f[F_BODY] == NULL)
		return -1;
	n = m->flen[F_BODY];
	if (m->proto == PROTO_MSGPACK)
		return (long)n;
	if (n % 4 == 1)
		return -1;
	return (long)(n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0));
}

uint64_t
wire_body_ts(const struct wmsg *m)
{
	uint8_t		 b[TS_SPAN];
	uint64_t	 ts = 0;
	int		 i;

	if (m->f[F_BODY] == NULL)
		return 0;
	if (m->proto == PROTO_JSON) {
		if (m->flen[F_BODY] < TS_SPAN_B64 ||
		    b64url_decode(b, sizeof(b), (const char *)m->f[F_BODY],
		    TS_SPAN_B64) != TS_SPAN)
			return 0;
	} else {
		if (m->flen[F_BODY] < TS_LEN)
			return 0;
		memcpy(b, m->f[F_BODY], TS_LEN);
	}
	for (i = TS_LEN - 1; i >= 0; i--)
		ts = (ts << 8) | b[i];
	return ts;
}

struct maxbody {
	int		 proto;
	uint64_t	 v;
};

static void
maxbody_cb(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
    const uint8_t *ve)
{
	struct maxbody	*mb = arg;
	struct mpv	 x;

	if (klen != 7 || memcmp(k, "maxBody", 7) != 0)
		return;
	if (mb->proto == PROTO_JSON) {
		(void)js_uint(v, ve, &mb->v);
		return;
	}
	if (mp_item(&v, ve, &x) == 0 && x.kind == MP_UINT)
		mb->v = x.u;
}

uint64_t
wire_max_body(const struct wmsg *m)
{
	struct maxbody	 mb;
	const uint8_t	*p = m->f[F_LIMITS];

	if (p == NULL)
		return 0;
	mb.proto = m->proto;
	mb.v = 0;
	if (m->proto == PROTO_JSON)
		(void)js_object(p, p + m->flen[F_LIMITS], maxbody_cb, &mb);
	else
		(void)mp_map(p, p + m->flen[F_LIMITS], maxbody_cb, &mb);
	return mb.v;
}

/* ------------------------------------------------------------------ */
/* writers */

struct wb {
	uint8_t		*p;
	size_t		 len, cap;
	int		 fail;
};

static void
wb_put(struct wb *b, const void *d, size_t n)
{
	if (b->fail || b->cap - b->len < n) {
		b->fail = 1;
		return;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void
wb_byte(struct wb *b, uint8_t c)
{
	wb_put(b, &c, 1);
}

static void
wb_cstr(struct wb *b, const char *s)
{
	wb_put(b, s, strlen(s));
}

/* msgpack str or bin header */
static void
mp_hdr(struct wb *b, int bin, size_t n)
{
	uint8_t	 h[5];

	if (!bin && n < 32) {
		wb_byte(b, (uint8_t)(0xa0 | n));
		return;
	}
	if (n <= 0xff) {
		h[0] = bin ? 0xc4 : 0xd9;
		h[1] = (uint8_t)n;
		wb_put(b, h, 2);
	} else if (n <= 0xffff) {
		h[0] = bin ? 0xc5 : 0xda;
		h[1] = (uint8_t)(n >> 8);
		h[2] = (uint8_t)n;
		wb_put(b, h, 3);
	} else {
		h[0] = bin ? 0xc6 : 0xdb;
		h[1] = (uint8_t)(n >> 24);
		h[2] = (uint8_t)(n >> 16);
		h[3] = (uint8_t)(n >> 8);
		h[4] = (uint8_t)n;
		wb_put(b, h, 5);
	}
}

static void
mp_str(struct wb *b, const char *s, size_t n)
{
	mp_hdr(b, 0, n);
	wb_put(b, s, n);
}

/* "key": first member of a JSON object has no comma */
static void
js_key(struct wb *b, const char *k, int first)
{
	if (!first)
		wb_byte(b, ',');
	wb_byte(b, '"');
	wb_cstr(b, k);
	wb_put(b, "\":", 2);
}

static void
js_bytes(struct wb *b, const uint8_t *d, size_t n)
{
	char	 tmp[B64_ENCODED_LEN(512) + 1];

	if (n > 512) {
		b->fail = 1;
		return;
	}
	wb_byte(b, '"');
	wb_put(b, tmp, b64url_encode(tmp, sizeof(tmp), d, n));
	wb_byte(b, '"');
}

/* A string we made ourselves: no character needs escaping. */
static void
js_plain(struct wb *b, const char *s, size_t n)
{
	wb_byte(b, '"');
	wb_put(b, s, n);
	wb_byte(b, '"');
}

static void
field_bytes(struct wb *b, int proto, const char *k, const uint8_t *d,
    size_t n, int first)
{
	if (proto == PROTO_JSON) {
		js_key(b, k, first);
		js_bytes(b, d, n);
	} else {
		mp_str(b, k, strlen(k));
		mp_hdr(b, 1, n);
		wb_put(b, d, n);
	}
}

static void
field_str(struct wb *b, int proto, const char *k, const char *s, size_t n,
    int first)
{
	if (proto == PROTO_JSON) {
		js_key(b, k, first);
		js_plain(b, s, n);
	} else {
		mp_str(b, k, strlen(k));
		mp_str(b, s, n);
	}
}

static void
obj_open(struct wb *b, int proto, size_t nkeys)
{
	if (proto == PROTO_JSON)
		wb_byte(b, '{');
	else
		wb_byte(b, (uint8_t)(0x80 | nkeys));
}

size_t
wire_challenge_response(int proto, uint8_t *out, size_t cap,
    const uint8_t *pk, const uint8_t *nonce, const uint8_t *box,
    size_t boxlen)
{
	struct wb	 b = { out, 0, cap, 0 };

	obj_open(&b, proto, 4);
	field_str(&b, proto, "type", "CHALLENGE_RESPONSE", 18, 1);
	field_bytes(&b, proto, "publicKey", pk, KEY_LEN, 0);
	field_bytes(&b, proto, "nonce", nonce, NONCE_LEN, 0);
	field_bytes(&b, proto, "box", box, boxlen, 0);
	if (proto == PROTO_JSON)
		wb_byte(&b, '}');
	return b.fail ? 0 : b.len;
}

size_t
wire_join(int proto, uint8_t *out, size_t cap, const char *room,
    uint64_t id)
{
	struct wb	 b = { out, 0, cap, 0 };
	uint8_t		 h[9];
	char		 num[24];
	int		 i;

	obj_open(&b, proto, 3);
	field_str(&b, proto, "type", "JOIN", 4, 1);
	field_str(&b, proto, "room", room, strlen(room), 0);
	if (proto == PROTO_JSON) {
		js_key(&b, "id", 0);
		i = snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
		wb_put(&b, num, (size_t)i);
		wb_byte(&b, '}');
	} else {
		mp_str(&b, "id", 2);
		h[0] = 0xcf;
		for (i = 0; i < 8; i++)
			h[1 + i] = (uint8_t)(id >> (56 - 8 * i));
		wb_put(&b, h, 9);
	}
	return b.fail ? 0 : b.len;
}

/*
 * The "body" key and the start of its value; the caller writes the body
 * (base64url text in JSON, raw bytes in msgpack) and then wire_suffix().
 */
static void
body_open(struct wb *b, int proto, size_t body_len)
{
	if (proto == PROTO_JSON)
		wb_cstr(b, ",\"body\":\"");
	else {
		mp_str(b, "body", 4);
		mp_hdr(b, 1, body_len);
	}
}

size_t
wire_send_prefix(int proto, uint8_t *out, size_t cap, const uint8_t *to,
    size_t body_len)
{
	struct wb	 b = { out, 0, cap, 0 };

	obj_open(&b, proto, 3);
	field_str(&b, proto, "type", "SEND", 4, 1);
	field_bytes(&b, proto, "to", to, KEY_LEN, 0);
	body_open(&b, proto, body_len);
	return b.fail ? 0 : b.len;
}

size_t
wire_publish_prefix(int proto, uint8_t *out, size_t cap, const char *room,
    size_t body_len)
{
	struct wb	 b = { out, 0, cap, 0 };

	obj_open(&b, proto, 3);
	field_str(&b, proto, "type", "PUBLISH", 7, 1);
	field_str(&b, proto, "room", room, strlen(room), 0);
	body_open(&b, proto, body_len);
	return b.fail ? 0 : b.len;
}

size_t
wire_suffix(int proto, uint8_t *out, size_t cap)
{
	if (proto == PROTO_MSGPACK)
		return 0;
	if (cap < 2)
		return 0;
	out[0] = '"';
	out[1] = '}';
	return 2;
}

size_t
wire_body_enc_len(int proto, size_t n)
{
	return proto == PROTO_JSON ? B64_ENCODED_LEN(n) : n;
}
