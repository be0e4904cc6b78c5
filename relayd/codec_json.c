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
 * sws.v1.json: one JSON object per text message, byte fields in strict
 * base64url.  Decoding is json.c's: one pass that validates the whole
 * message (grammar, UTF-8, depth, duplicate keys at every level) and
 * remembers where the top-level members the request rules use stand, so
 * nothing is allocated and no string is copied until a rule asks for it.
 * Encoding writes the few fixed shapes of server messages straight into
 * the output buffer, since that is the relay's hot path.
 */
#include <stdint.h>
#include <string.h>

#include "b64.h"
#include "codec.h"
#include "codec_local.h"
#include "json.h"
#include "ws.h"

_Static_assert(JSON_DEPTH_MAX == SWS_MAX_DEPTH,
    "json.c nests as deep as docs/WIRE.md allows");

/*
 * The top-level keys codec.c reads: json_parse() remembers these
 * wherever they stand among any number of others.  A key missing here
 * is still found (jfind() parses again for it), only more slowly.
 */
static const char *const jkeys[] = {
	"type", "id", "to", "body", "room", "publicKey", "nonce", "box"
};

struct jctx {
	struct json_doc	 doc;
	const uint8_t	*msg;
	size_t		 len;
	uint8_t		*scratch;
	size_t		 cap;
	size_t		 used;
	struct json_doc	 other;		/* for a key not in jkeys[] */
	const char	*body_text;	/* "body" without escapes */
	size_t		 body_text_len;
	int		 flags;		/* CODEC_F_* */
	int		 body_pending;	/* "body" checked, not decoded */
};

static const struct json_member *
jfind(struct jctx *c, const char *key)
{
	size_t	 i, j;

	for (i = 0; i < sizeof(jkeys) / sizeof(jkeys[0]); i++) {
		if (strcmp(jkeys[i], key) != 0)
			continue;
		for (j = 0; j < c->doc.nmembers; j++) {
			if (c->doc.members[j].want == (int)i)
				return &c->doc.members[j];
		}
		return NULL;
	}
	/*
	 * Valid already, so this parse succeeds as well.  Its work area is
	 * the free end of scratch: every byte of scratch in use stands for
	 * a byte of a string value, which no key needs, so what is left
	 * still holds every key (json_init()).
	 */
	json_init(&c->other, &key, 1, c->scratch + c->used, c->cap - c->used);
	c->other.utf8_known = (c->flags & CODEC_F_UTF8_KNOWN) != 0;
	if (json_parse(&c->other, c->msg, c->len) != JSON_OK)
		return NULL;
	return json_get(&c->other, key);
}

/* n bytes just written at the free end of scratch (or -1) become *p. */
static int
jscratch_take(struct jctx *c, long n, const uint8_t **p, size_t *len)
{
	if (n < 0)
		return CF_BAD;
	*p = c->scratch + c->used;
	*len = (size_t)n;
	c->used += (size_t)n;
	return CF_OK;
}

/*
 * A string's bytes: in the message itself when it has no escape and copy
 * is 0, else unescaped into scratch.
 */
static int
jstring(struct jctx *c, const struct json_member *m, int copy,
    const uint8_t **p, size_t *len)
{
	long	 n;

	if (!copy && !m->valesc) {
		*p = m->val;
		*len = m->vallen;
		return CF_OK;
	}
	n = json_unescape(m->val, m->vallen, c->scratch + c->used,
	    c->cap - c->used);
	return jscratch_take(c, n, p, len);
}

/*
 * A text value: in the message itself when it needs no unescaping and
 * need not be kept, else in scratch (a kept text must not point into
 * the message, which the caller may reuse).
 */
static int
jget_text(void *arg, const char *key, int keep, const uint8_t **p,
    size_t *len)
{
	struct jctx			*c = arg;
	const struct json_member	*m;

	if ((m = jfind(c, key)) == NULL)
		return CF_ABSENT;
	if (m->kind != JSON_K_STRING)
		return CF_BAD;
	return jstring(c, m, keep, p, len);
}

/*
 * base64url text at buf (n characters, escapes already undone) decoded
 * in place.  Groups of four characters decode on their own, so the text
 * goes through a small copy in whole groups and its three-quarters-size
 * output never overtakes what is still to be read; only the last piece
 * carries the end rules (length 4n+1, trailing bits).
 */
static long
jb64_inplace(uint8_t *buf, size_t n, size_t cap)
{
	char	 tmp[256];
	size_t	 in = 0, out = 0;
	long	 r;

	while (n - in > sizeof(tmp)) {
		memcpy(tmp, buf + in, sizeof(tmp));
		if ((r = b64url_decode(buf + out, cap - out, tmp,
		    sizeof(tmp))) < 0)
			return -1;
		in += sizeof(tmp);
		out += (size_t)r;
	}
	memcpy(tmp, buf + in, n - in);
	if ((r = b64url_decode(buf + out, cap - out, tmp, n - in)) < 0)
		return -1;
	return (long)(out + (size_t)r);
}

static int
jget_bytes(void *arg, const char *key, const uint8_t **p, size_t *len)
{
	struct jctx			*c = arg;
	const struct json_member	*m;
	const uint8_t			*txt;
	size_t				 tlen;
	long				 n;

	if ((m = jfind(c, key)) == NULL)
		return CF_ABSENT;
	if (m->kind != JSON_K_STRING)
		return CF_BAD;
	if (!m->valesc && strcmp(key, "body") == 0) {
		/*
		 * Kept as text for JSON recipients; with CODEC_F_LAZY_BODY
		 * only checked here, its room in scratch set aside for
		 * codec_body() (b64url_decode() would refuse a text whose
		 * longest decoding does not fit: so does this).
		 */
		if (c->flags & CODEC_F_LAZY_BODY) {
			n = B64_DECODED_MAX(m->vallen) > c->cap - c->used ? -1 :
			    b64url_check((const char *)m->val, m->vallen);
			c->body_pending = n >= 0;
		} else
			n = b64url_decode(c->scratch + c->used,
			    c->cap - c->used, (const char *)m->val, m->vallen);
		if (n >= 0) {
			c->body_text = (const char *)m->val;
			c->body_text_len = m->vallen;
		}
	} else if (!m->valesc) {
		n = b64url_decode(c->scratch + c->used, c->cap - c->used,
		    (const char *)m->val, m->vallen);
	} else {
		/* Never sent in practice, but still JSON: unescape first. */
		if (jstring(c, m, 1, &txt, &tlen) != CF_OK)
			return CF_BAD;
		c->used -= tlen;
		n = jb64_inplace(c->scratch + c->used, tlen,
		    c->cap - c->used);
	}
	return jscratch_take(c, n, p, len);
}

/*
 * An integer literal (neither fraction nor exponent; -0 is 0) that is
 * not negative; anything else is a real or another type.
 */
static int
jget_uint(void *arg, const char *key, uint64_t *val)
{
	struct jctx			*c = arg;
	const struct json_member	*m;

	if ((m = jfind(c, key)) == NULL)
		return CF_ABSENT;
	if (m->kind != JSON_K_INT || m->ival < 0)
		return CF_BAD;
	*val = (uint64_t)m->ival;
	return CF_OK;
}

static int
codec_json_decode(const uint8_t *msg, size_t len, struct sws_req *req,
    uint8_t *scratch, size_t scratch_len, int flags, const char **why)
{
	struct jctx		 c;
	struct codec_src	 src;
	int			 rc;

	if (scratch == NULL || scratch_len < len) {
		*why = "no room to decode";
		return CODEC_MALFORMED;
	}
	/*
	 * The keys of open objects are kept in scratch while parsing (a
	 * work area as large as the message always suffices); the fields
	 * are decoded into it afterwards.
	 */
	json_init(&c.doc, jkeys, sizeof(jkeys) / sizeof(jkeys[0]), scratch,
	    scratch_len);
	c.doc.utf8_known = (flags & CODEC_F_UTF8_KNOWN) != 0;
	if ((rc = json_parse(&c.doc, msg, len)) != JSON_OK) {
		*why = json_strerror(rc);
		return CODEC_MALFORMED;
	}
	c.msg = msg;
	c.len = len;
	c.scratch = scratch;
	c.cap = scratch_len;
	c.used = 0;
	src.arg = &c;
	src.text = jget_text;
	src.bytes = jget_bytes;
	src.uint = jget_uint;
	c.body_text = NULL;
	c.body_text_len = 0;
	c.flags = flags;
	c.body_pending = 0;
	if ((rc = codec_fields(&src, req, flags, why)) == CODEC_OK &&
	    req->body != NULL && (req->type == REQ_SEND ||
	    req->type == REQ_PUBLISH)) {
		req->body_text = c.body_text;
		req->body_text_len = c.body_text_len;
		req->body_pending = c.body_pending;
	}
	return rc;
}

/*
 * Encoding.  Items at one level are separated by commas; a map's comma
 * goes before each key, an array's before each value.
 */
static void	jw_str(struct cbuf *, const char *, size_t);

static void
jw_sep(struct cbuf *b)
{
	if (b->depth == 0 || !b->array[b->depth - 1])
		return;
	if (b->more[b->depth - 1])
		cbuf_put(b, ",", 1);
	b->more[b->depth - 1] = 1;
}

static void
jw_open(struct cbuf *b, int array)
{
	jw_sep(b);
	if (b->depth >= CBUF_DEPTH) {
		b->fail = 1;
		return;
	}
	b->array[b->depth] = array;
	b->more[b->depth] = 0;
	b->depth++;
	cbuf_put(b, array ? "[" : "{", 1);
}

static void
jw_map(struct cbuf *b, size_t n)
{
	(void)n;
	jw_open(b, 0);
}

static void
jw_array(struct cbuf *b, size_t n)
{
	(void)n;
	jw_open(b, 1);
}

static void
jw_end(struct cbuf *b)
{
	if (b->depth == 0) {
		b->fail = 1;
		return;
	}
	b->depth--;
	cbuf_put(b, b->array[b->depth] ? "]" : "}", 1);
}

/* Keys are our own literals: nothing to escape. */
static void
jw_key(struct cbuf *b, const char *key)
{
	size_t	 n = strlen(key);
	uint8_t	*p;

	if (b->depth > 0) {
		if (b->more[b->depth - 1])
			cbuf_put(b, ",", 1);
		b->more[b->depth - 1] = 1;
	}
	if ((p = cbuf_reserve(b, n + 3)) != NULL) {
		p[0] = '"';
		memcpy(p + 1, key, n);
		p[n + 1] = '"';
		p[n + 2] = ':';
	}
}

/*
 * A string value: '"' and '\' escaped by a backslash, C0 controls as
 * \u00XX, everything else (valid UTF-8, which callers guarantee: room
 * names are checked on the way in, other texts are the relay's own)
 * passed through.  A NULL s is only counted, at six bytes a byte.
 */
static void
jw_str(struct cbuf *b, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const uint8_t		*u = (const uint8_t *)s;
	size_t			 i, start, n;
	uint8_t			*p;

	jw_sep(b);
	cbuf_put(b, "\"", 1);
	if (s == NULL) {
		if (len > (SIZE_MAX - 1) / 6)
			b->fail = 1;
		else
			(void)cbuf_reserve(b, len * 6);
		cbuf_put(b, "\"", 1);
		return;
	}
	start = 0;
	for (i = 0; i < len; i++) {
		if (u[i] >= 0x20 && u[i] != '"' && u[i] != '\\')
			continue;
		cbuf_put(b, u + start, i - start);
		start = i + 1;
		n = u[i] < 0x20 ? 6 : 2;
		if ((p = cbuf_reserve(b, n)) == NULL)
			continue;
		p[0] = '\\';
		if (n == 2)
			p[1] = u[i];
		else {
			p[1] = 'u';
			p[2] = '0';
			p[3] = '0';
			p[4] = hex[u[i] >> 4];
			p[5] = hex[u[i] & 0xf];
		}
	}
	cbuf_put(b, u + start, len - start);
	cbuf_put(b, "\"", 1);
}

static void
jw_bytes(struct cbuf *b, const uint8_t *data, size_t len)
{
	size_t	 n;

	jw_sep(b);
	cbuf_put(b, "\"", 1);
	if (len > (SIZE_MAX - 4) / 4 * 3) {
		b->fail = 1;
		return;
	}
	n = B64_ENCODED_LEN(len);
	/*
	 * b64url_encode() also writes a NUL; the closing quote that must
	 * follow takes that byte, so asking for one more loses nothing.
	 */
	if (b->out != NULL && !b->fail && n + 1 > b->cap - b->len)
		b->fail = 1;
	if (cbuf_reserve(b, n) != NULL)
		(void)b64url_encode((char *)b->out + b->len - n, n + 1, data,
		    len);
	cbuf_put(b, "\"", 1);
}

/* Bytes already in canonical base64url text: copied between quotes. */
static void
jw_b64text(struct cbuf *b, const char *text, size_t len)
{
	jw_sep(b);
	cbuf_put(b, "\"", 1);
	cbuf_put(b, text, len);
	cbuf_put(b, "\"", 1);
}

static void
jw_uint(struct cbuf *b, uint64_t v)
{
	char	 tmp[20];
	size_t	 n = 0;
	uint8_t	*p;

	jw_sep(b);
	do {
		tmp[n++] = '0' + (char)(v % 10);
		v /= 10;
	} while (v != 0);
	if ((p = cbuf_reserve(b, n)) != NULL) {
		while (n > 0)
			*p++ = (uint8_t)tmp[--n];
	}
}

const struct codec_ops codec_json_ops = {
	.opcode = WS_OP_TEXT,
	.wrong_opcode = "binary message on the JSON subprotocol",
	.decode = codec_json_decode,
	.map = jw_map,
	.array = jw_array,
	.end = jw_end,
	.key = jw_key,
	.str = jw_str,
	.bytes = jw_bytes,
	.uint = jw_uint,
	.body_text = jw_b64text,
};
