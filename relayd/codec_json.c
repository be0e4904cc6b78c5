/*
 * sws.v1.json: one JSON object per text message, byte fields in strict
 * base64url.  Decoding is jansson's, behind a depth scan of our own so
 * that deep input never reaches its recursive parser; encoding writes the
 * few fixed shapes of server messages straight into the output buffer,
 * since that is the relay's hot path.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "b64.h"
#include "codec.h"
#include "codec_local.h"

static void	jseed(void) __attribute__((constructor));

/*
 * jansson seeds its hash tables from /dev/urandom the first time it makes
 * an object.  In the relay that would be the first message, inside the
 * chroot (no /dev: a seed from time and pid, weak against key flooding)
 * and under seccomp (an open the filter refuses).  Seed it at start-up.
 */
static void
jseed(void)
{
	json_object_seed(0);
}

struct jctx {
	json_t		*root;
	uint8_t		*scratch;
	size_t		 cap;
	size_t		 used;
};

/*
 * Count [ and { outside strings.  Input past an unbalanced close bracket
 * is refused here too: jansson would refuse it anyway.
 */
static int
jdepth_ok(const uint8_t *p, size_t len)
{
	size_t	 i;
	int	 depth = 0, instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				instr = 0;
			continue;
		}
		switch (p[i]) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > SWS_MAX_DEPTH)
				return 0;
			break;
		case ']':
		case '}':
			if (--depth < 0)
				return 0;
			break;
		}
	}
	return 1;
}

static int
jget_text(void *arg, const char *key, int keep, const uint8_t **p,
    size_t *len)
{
	struct jctx	*c = arg;
	json_t		*v;
	const char	*s;
	size_t		 n;

	if ((v = json_object_get(c->root, key)) == NULL)
		return CF_ABSENT;
	if (!json_is_string(v))
		return CF_BAD;
	s = json_string_value(v);
	n = json_string_length(v);
	if (keep) {
		/* jansson's copy goes with the tree: keep ours in scratch. */
		if (n > c->cap - c->used)
			return CF_BAD;
		if (n > 0)
			memcpy(c->scratch + c->used, s, n);
		*p = c->scratch + c->used;
		c->used += n;
	} else
		*p = (const uint8_t *)s;
	*len = n;
	return CF_OK;
}

static int
jget_bytes(void *arg, const char *key, const uint8_t **p, size_t *len)
{
	struct jctx	*c = arg;
	json_t		*v;
	long		 n;

	if ((v = json_object_get(c->root, key)) == NULL)
		return CF_ABSENT;
	if (!json_is_string(v))
		return CF_BAD;
	n = b64url_decode(c->scratch + c->used, c->cap - c->used,
	    json_string_value(v), json_string_length(v));
	if (n < 0)
		return CF_BAD;
	*p = c->scratch + c->used;
	*len = (size_t)n;
	c->used += (size_t)n;
	return CF_OK;
}

/*
 * jansson makes an integer of a literal with neither fraction nor
 * exponent (and -0 is 0); anything else is a real or another type.
 */
static int
jget_uint(void *arg, const char *key, uint64_t *val)
{
	struct jctx	*c = arg;
	json_t		*v;
	json_int_t	 i;

	if ((v = json_object_get(c->root, key)) == NULL)
		return CF_ABSENT;
	if (!json_is_integer(v))
		return CF_BAD;
	if ((i = json_integer_value(v)) < 0)
		return CF_BAD;
	*val = (uint64_t)i;
	return CF_OK;
}

int
codec_json_decode(const uint8_t *msg, size_t len, struct sws_req *req,
    uint8_t *scratch, size_t scratch_len, const char **why)
{
	struct jctx		 c;
	struct codec_src	 src;
	json_error_t		 err;
	int			 rc;

	if (scratch == NULL || scratch_len < len) {
		*why = "no room to decode";
		return CODEC_MALFORMED;
	}
	if (!jdepth_ok(msg, len)) {
		*why = "nested too deep";
		return CODEC_MALFORMED;
	}
	/*
	 * Without JSON_DECODE_ANY the top must be an object or array, and
	 * without JSON_DISABLE_EOF_CHECK only whitespace may follow it.
	 * \u0000 is let through the parser so that the field rules refuse
	 * it with the request's id (every string is used with its length).
	 */
	c.root = json_loadb((const char *)msg, len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &err);
	if (c.root == NULL) {
		*why = "not one JSON object";
		return CODEC_MALFORMED;
	}
	if (!json_is_object(c.root)) {
		json_decref(c.root);
		*why = "not an object";
		return CODEC_MALFORMED;
	}
	c.scratch = scratch;
	c.cap = scratch_len;
	c.used = 0;
	src.arg = &c;
	src.text = jget_text;
	src.bytes = jget_bytes;
	src.uint = jget_uint;
	rc = codec_fields(&src, req, why);
	json_decref(c.root);
	return rc;
}

/*
 * Encoding.  Items at one level are separated by commas; a map's comma
 * goes before each key, an array's before each value.
 */
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

void
jw_map(struct cbuf *b, size_t n)
{
	(void)n;
	jw_open(b, 0);
}

void
jw_array(struct cbuf *b, size_t n)
{
	(void)n;
	jw_open(b, 1);
}

void
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
void
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
void
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

void
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

void
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
