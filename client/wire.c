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
 * Requests out and relay messages in, for both subprotocols.  JSON goes
 * through jansson (duplicate keys refused), MessagePack through msgpack-c
 * after a walk over the raw bytes that refuses any array or map claiming
 * more elements than bytes remain, since msgpack-c allocates by declared
 * size.  Both are read through one small view of a value (struct pval)
 * so that the field rules below are written once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>

#include "b64.h"
#include "utf8.h"
#include "wire.h"

/* ---- encoding ---- */

static int
encode_json(const struct wire_field *f, size_t n, uint8_t **out,
    size_t *outlen)
{
	json_t	*obj, *v;
	char	*s, *b64;
	size_t	 i, blen;

	if ((obj = json_object()) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		v = NULL;
		switch (f[i].kind) {
		case PF_STR:
			v = json_stringn(f[i].p, f[i].len);
			break;
		case PF_BIN:
			if (f[i].len > (SIZE_MAX - 1) / 4 * 3)
				break;
			blen = B64_ENCODED_LEN(f[i].len) + 1;
			if ((b64 = malloc(blen)) == NULL)
				break;
			b64url_encode(b64, blen, f[i].p, f[i].len);
			v = json_stringn_nocheck(b64, blen - 1);
			free(b64);
			break;
		case PF_UINT:
			if (f[i].u <= SWS_ID_MAX)
				v = json_integer((json_int_t)f[i].u);
			break;
		}
		if (v == NULL || json_object_set_new(obj, f[i].key, v) != 0) {
			json_decref(obj);
			return -1;
		}
	}
	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (s == NULL)
		return -1;
	*out = (uint8_t *)s;
	*outlen = strlen(s);
	return 0;
}

static int
encode_msgpack(const struct wire_field *f, size_t n, uint8_t **out,
    size_t *outlen)
{
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	size_t		 i;
	int		 rv = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rv |= msgpack_pack_map(&pk, n);
	for (i = 0; i < n; i++) {
		rv |= msgpack_pack_str(&pk, strlen(f[i].key));
		rv |= msgpack_pack_str_body(&pk, f[i].key, strlen(f[i].key));
		switch (f[i].kind) {
		case PF_STR:
			if (!utf8_valid(f[i].p, f[i].len))
				rv = -1;
			rv |= msgpack_pack_str(&pk, f[i].len);
			rv |= msgpack_pack_str_body(&pk, f[i].p, f[i].len);
			break;
		case PF_BIN:
			rv |= msgpack_pack_bin(&pk, f[i].len);
			rv |= msgpack_pack_bin_body(&pk, f[i].p, f[i].len);
			break;
		case PF_UINT:
			rv |= msgpack_pack_uint64(&pk, f[i].u);
			break;
		default:
			rv = -1;
		}
	}
	if (rv != 0 || sb.data == NULL) {
		msgpack_sbuffer_destroy(&sb);
		return -1;
	}
	*out = (uint8_t *)sb.data;
	*outlen = sb.size;
	return 0;
}

int
wire_encode(int msgpack, const struct wire_field *f, size_t n,
    uint8_t **out, size_t *outlen)
{
	if (msgpack)
		return encode_msgpack(f, n, out, outlen);
	return encode_json(f, n, out, outlen);
}

/* ---- a view of one decoded value ---- */

#define V_OTHER		0
#define V_STR		1
#define V_BIN		2
#define V_UINT		3
#define V_ARRAY		4
#define V_MAP		5

struct pval {
	int			 type;
	const uint8_t		*p;	/* V_STR, V_BIN */
	size_t			 len;	/* bytes, or elements */
	uint64_t		 u;
	const json_t		*j;
	const msgpack_object	*o;
};

static void
pval_json(struct pval *v, const json_t *j)
{
	memset(v, 0, sizeof(*v));
	v->j = j;
	if (json_is_string(j)) {
		v->type = V_STR;
		v->p = (const uint8_t *)json_string_value(j);
		v->len = json_string_length(j);
	} else if (json_is_integer(j) && json_integer_value(j) >= 0) {
		v->type = V_UINT;
		v->u = (uint64_t)json_integer_value(j);
	} else if (json_is_array(j)) {
		v->type = V_ARRAY;
		v->len = json_array_size(j);
	} else if (json_is_object(j)) {
		v->type = V_MAP;
		v->len = json_object_size(j);
	} else
		v->type = V_OTHER;
}

static void
pval_mp(struct pval *v, const msgpack_object *o)
{
	memset(v, 0, sizeof(*v));
	v->o = o;
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		v->type = V_STR;
		v->p = (const uint8_t *)o->via.str.ptr;
		v->len = o->via.str.size;
		break;
	case MSGPACK_OBJECT_BIN:
		v->type = V_BIN;
		v->p = (const uint8_t *)o->via.bin.ptr;
		v->len = o->via.bin.size;
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		v->type = V_UINT;
		v->u = o->via.u64;
		break;
	case MSGPACK_OBJECT_ARRAY:
		v->type = V_ARRAY;
		v->len = o->via.array.size;
		break;
	case MSGPACK_OBJECT_MAP:
		v->type = V_MAP;
		v->len = o->via.map.size;
		break;
	default:
		v->type = V_OTHER;
	}
}

/* Element i of an array. */
static void
pval_index(const struct pval *a, size_t i, struct pval *out)
{
	if (a->j != NULL)
		pval_json(out, json_array_get(a->j, i));
	else
		pval_mp(out, &a->o->via.array.ptr[i]);
}

typedef int (*entry_cb)(void *, const char *, size_t, const struct pval *);

/*
 * Call cb for each entry of a map.  msgpack keys must be strings; a
 * duplicate key is left to the callbacks, which see each known key once
 * (jansson refuses duplicates while parsing).
 */
static int
pval_foreach(const struct pval *m, entry_cb cb, void *arg)
{
	struct pval	 v;
	const char	*k;
	json_t		*jv;
	size_t		 i;

	if (m->j != NULL) {
		json_object_foreach((json_t *)(uintptr_t)m->j, k, jv) {
			pval_json(&v, jv);
			if (cb(arg, k, strlen(k), &v) != 0)
				return -1;
		}
		return 0;
	}
	for (i = 0; i < m->o->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->o->via.map.ptr[i];

		if (kv->key.type != MSGPACK_OBJECT_STR)
			return -1;
		pval_mp(&v, &kv->val);
		if (cb(arg, kv->key.via.str.ptr, kv->key.via.str.size,
		    &v) != 0)
			return -1;
	}
	return 0;
}

/* Byte fields: base64url text in JSON, bin in msgpack.  Exact size. */
static int
pval_bytes_exact(const struct pval *v, uint8_t *out, size_t want)
{
	uint8_t	 tmp[E2E_PROOF_LEN];

	if (v->j != NULL) {
		if (v->type != V_STR || want > sizeof(tmp) ||
		    v->len != B64_ENCODED_LEN(want))
			return -1;
		if (b64url_decode(tmp, sizeof(tmp), (const char *)v->p,
		    v->len) != (long)want)
			return -1;
		memcpy(out, tmp, want);
		return 0;
	}
	if (v->type != V_BIN || v->len != want)
		return -1;
	memcpy(out, v->p, want);
	return 0;
}

/* A byte field of any size, into a fresh buffer. */
static int
pval_bytes_alloc(const struct pval *v, uint8_t **out, size_t *outlen)
{
	uint8_t	*b;
	size_t	 max;
	long	 n;

	if (v->j != NULL) {
		if (v->type != V_STR)
			return -1;
		max = B64_DECODED_MAX(v->len);
		if ((b = malloc(max + 1)) == NULL)
			return -1;
		if ((n = b64url_decode(b, max, (const char *)v->p,
		    v->len)) < 0) {
			free(b);
			return -1;
		}
		*out = b;
		*outlen = (size_t)n;
		return 0;
	}
	if (v->type != V_BIN)
		return -1;
	if ((b = malloc(v->len + 1)) == NULL)
		return -1;
	if (v->len > 0)
		memcpy(b, v->p, v->len);
	*out = b;
	*outlen = v->len;
	return 0;
}

/* A short text: no NUL, at most max bytes (longer ones are cut if cut). */
static int
pval_text(const struct pval *v, char *out, size_t max, int cut)
{
	size_t	 n;

	if (v->type != V_STR)
		return -1;
	if (memchr(v->p, '\0', v->len) != NULL)
		return -1;
	n = v->len;
	if (n > max) {
		if (!cut)
			return -1;
		n = max;
		/* do not leave half a character behind */
		while (n > 0 && (v->p[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, v->p, n);
	out[n] = '\0';
	return 0;
}

/* ---- the fields of relay messages ---- */

#define F_TYPE		0x0001
#define F_ID		0x0002
#define F_VERSION	0x0004
#define F_SERVER	0x0008
#define F_CHALLENGE	0x0010
#define F_PUBLICKEY	0x0020
#define F_PROOF		0x0040
#define F_LIMITS	0x0080
#define F_REASON	0x0100
#define F_MESSAGE	0x0200
#define F_CODE		0x0400
#define F_FROM		0x0800
#define F_BODY		0x1000
#define F_ROOM		0x2000
#define F_MEMBERS	0x4000
#define F_STATE		0x8000

static const struct {
	const char	*name;
	uint32_t	 bit;
} fields[] = {
	{ "body",	F_BODY },
	{ "challenge",	F_CHALLENGE },
	{ "code",	F_CODE },
	{ "from",	F_FROM },
	{ "id",		F_ID },
	{ "limits",	F_LIMITS },
	{ "members",	F_MEMBERS },
	{ "message",	F_MESSAGE },
	{ "proof",	F_PROOF },
	{ "publicKey",	F_PUBLICKEY },
	{ "reason",	F_REASON },
	{ "room",	F_ROOM },
	{ "server",	F_SERVER },
	{ "state",	F_STATE },
	{ "type",	F_TYPE },
	{ "version",	F_VERSION },
};

static const struct {
	const char	*name;
	int		 type;
	uint32_t	 required;
	uint32_t	 optional;
} types[] = {
	{ SWS_T_CHALLENGE, PM_CHALLENGE,
	    F_VERSION | F_SERVER | F_CHALLENGE, 0 },
	{ SWS_T_REGISTER_SUCCESS, PM_REGISTER_SUCCESS,
	    F_PUBLICKEY | F_PROOF, F_LIMITS },
	{ SWS_T_REGISTER_FAILURE, PM_REGISTER_FAILURE,
	    F_REASON, F_MESSAGE },
	{ SWS_T_ACK, PM_ACK,
	    F_ID, 0 },
	{ SWS_T_ERROR, PM_ERROR,
	    F_CODE, F_ID | F_MESSAGE },
	{ SWS_T_MESSAGE, PM_MESSAGE,
	    F_FROM | F_BODY, F_ROOM },
	{ SWS_T_JOINED, PM_JOINED,
	    F_ROOM | F_MEMBERS, F_ID },
	{ SWS_T_PRESENCE, PM_PRESENCE,
	    F_ROOM | F_PUBLICKEY | F_STATE, 0 },
};

struct decode_state {
	struct wire_msg	*m;
	uint32_t		 want;	/* fields read for this type */
	uint32_t		 seen;
	const char		*why;
	int			 have_type;	/* first pass */
};

static uint32_t
field_bit(const char *k, size_t klen)
{
	size_t	 i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == klen &&
		    memcmp(fields[i].name, k, klen) == 0)
			return fields[i].bit;
	return 0;
}

/* 1..128 bytes of UTF-8 without C0 controls or DEL (docs/WIRE.md section 4). */
static int
room_valid(const uint8_t *p, size_t len)
{
	size_t	 i;

	if (len < 1 || len > E2E_ROOM_MAX || !utf8_valid(p, len))
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

static int
limits_entry(void *arg, const char *k, size_t klen, const struct pval *v)
{
	struct wire_limits	*l = arg;
#define LIMIT(n, f)	{ n, offsetof(struct wire_limits, f) }
	static const struct {
		const char	*name;
		size_t		 off;
	} lf[] = {
		LIMIT("maxMessage", max_message),
		LIMIT("maxBody", max_body),
		LIMIT("rate", rate),
		LIMIT("burst", burst),
		LIMIT("rooms", rooms),
	};
#undef LIMIT
	size_t			 i;

	for (i = 0; i < sizeof(lf) / sizeof(lf[0]); i++) {
		if (strlen(lf[i].name) != klen ||
		    memcmp(lf[i].name, k, klen) != 0)
			continue;
		if (v->type != V_UINT)
			return -1;
		memcpy((char *)l + lf[i].off, &v->u, sizeof(v->u));
		return 0;
	}
	return 0;
}

static int
decode_members(struct wire_msg *m, const struct pval *v)
{
	struct pval	 e;
	size_t		 i, n;

	if (v->type != V_ARRAY)
		return -1;
	n = v->len;
	/* check every element before allocating by the array's size */
	for (i = 0; i < n; i++) {
		pval_index(v, i, &e);
		if (v->j != NULL ? (e.type != V_STR ||
		    e.len != B64_ENCODED_LEN(E2E_KEY_LEN)) :
		    (e.type != V_BIN || e.len != E2E_KEY_LEN))
			return -1;
	}
	if (n > 0 && (m->members = calloc(n, E2E_KEY_LEN)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		pval_index(v, i, &e);
		if (pval_bytes_exact(&e, m->members[i], E2E_KEY_LEN) != 0)
			return -1;
	}
	m->nmembers = n;
	return 0;
}

static int
decode_field(struct decode_state *st, uint32_t bit, const struct pval *v)
{
	struct wire_msg	*m = st->m;

	switch (bit) {
	case F_ID:
		if (v->type != V_UINT || v->u > SWS_ID_MAX)
			return -1;
		m->has_id = 1;
		m->id = v->u;
		return 0;
	case F_VERSION:
		if (v->type != V_UINT)
			return -1;
		m->version = v->u;
		return 0;
	case F_SERVER:
		return pval_bytes_exact(v, m->server, E2E_KEY_LEN);
	case F_CHALLENGE:
		return pval_bytes_exact(v, m->challenge, E2E_CHALLENGE_LEN);
	case F_PUBLICKEY:
		return pval_bytes_exact(v, m->key, E2E_KEY_LEN);
	case F_FROM:
		return pval_bytes_exact(v, m->from, E2E_KEY_LEN);
	case F_PROOF:
		return pval_bytes_exact(v, m->proof, E2E_PROOF_LEN);
	case F_BODY:
		return pval_bytes_alloc(v, &m->body, &m->bodylen);
	case F_LIMITS:
		if (v->type != V_MAP)
			return -1;
		m->has_limits = 1;
		return pval_foreach(v, limits_entry, &m->limits);
	case F_REASON:
	case F_CODE:
		if (v->len < 1)
			return -1;
		return pval_text(v, m->code, WIRE_CODE_MAX, 0);
	case F_MESSAGE:
		return pval_text(v, m->text, WIRE_TEXT_MAX, 1);
	case F_ROOM:
		if (v->type != V_STR || !room_valid(v->p, v->len))
			return -1;
		memcpy(m->room, v->p, v->len);
		m->room[v->len] = '\0';
		m->roomlen = v->len;
		m->has_room = 1;
		return 0;
	case F_MEMBERS:
		return decode_members(m, v);
	case F_STATE:
		if (v->type != V_STR)
			return -1;
		if (v->len == 6 && memcmp(v->p, "joined", 6) == 0)
			m->joined = 1;
		else if (v->len == 4 && memcmp(v->p, "left", 4) == 0)
			m->joined = 0;
		else
			return -1;
		return 0;
	}
	return 0;
}

static int
find_type(void *arg, const char *k, size_t klen, const struct pval *v)
{
	struct decode_state	*st = arg;
	size_t			 i;

	if (klen != 4 || memcmp(k, "type", 4) != 0)
		return 0;
	if (st->have_type) {
		st->why = "duplicate key";
		return -1;
	}
	st->have_type = 1;
	if (v->type != V_STR) {
		st->why = "type is not a string";
		return -1;
	}
	st->m->type = PM_UNKNOWN;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].name) == v->len &&
		    memcmp(types[i].name, v->p, v->len) == 0) {
			st->m->type = types[i].type;
			st->want = types[i].required | types[i].optional;
		}
	return 0;
}

static int
read_entry(void *arg, const char *k, size_t klen, const struct pval *v)
{
	struct decode_state	*st = arg;
	uint32_t		 bit;

	if ((bit = field_bit(k, klen)) == 0 || (bit & st->want) == 0)
		return 0;
	if (st->seen & bit) {
		st->why = "duplicate key";
		return -1;
	}
	st->seen |= bit;
	if (decode_field(st, bit, v) != 0) {
		st->why = "field of the wrong type or size";
		return -1;
	}
	return 0;
}

static int
decode_map(const struct pval *top, struct wire_msg *m, const char **why)
{
	struct decode_state	 st;
	size_t			 i;

	memset(&st, 0, sizeof(st));
	st.m = m;
	if (top->type != V_MAP) {
		*why = "not an object";
		return -1;
	}
	if (pval_foreach(top, find_type, &st) != 0) {
		*why = st.why != NULL ? st.why : "map key is not a string";
		return -1;
	}
	if (!st.have_type) {
		*why = "no type";
		return -1;
	}
	if (m->type == PM_UNKNOWN)
		return 0;
	if (pval_foreach(top, read_entry, &st) != 0) {
		*why = st.why != NULL ? st.why : "map key is not a string";
		return -1;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == m->type &&
		    (st.seen & types[i].required) != types[i].required) {
			*why = "required field missing";
			return -1;
		}
	return 0;
}

/* ---- JSON ---- */

static int
json_depth_ok(const json_t *j, int depth)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (!json_is_array(j) && !json_is_object(j))
		return 1;
	if (depth > SWS_MAX_DEPTH)
		return 0;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (!json_depth_ok(v, depth + 1))
				return 0;
	} else {
		json_object_foreach((json_t *)(uintptr_t)j, k, v)
			if (!json_depth_ok(v, depth + 1))
				return 0;
	}
	return 1;
}

static int
decode_json(const uint8_t *buf, size_t len, struct wire_msg *m,
    const char **why)
{
	json_error_t	 err;
	json_t		*root;
	struct pval	 top;
	int		 rv;

	if ((root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &err)) == NULL) {
		*why = "not valid JSON";
		return -1;
	}
	if (!json_depth_ok(root, 1)) {
		json_decref(root);
		*why = "nested too deep";
		return -1;
	}
	pval_json(&top, root);
	rv = decode_map(&top, m, why);
	json_decref(root);
	return rv;
}

/* ---- MessagePack ---- */

static int
mp_uint(const uint8_t **pp, const uint8_t *end, size_t n, uint64_t *v)
{
	const uint8_t	*p = *pp;

	if ((size_t)(end - p) < n)
		return -1;
	*v = 0;
	while (n-- > 0)
		*v = (*v << 8) | *p++;
	*pp = p;
	return 0;
}

/*
 * Walk one object without building it: every length within the bytes
 * left, every container no larger than the bytes left could hold, at most
 * SWS_MAX_DEPTH levels.  Work is linear in the input.
 */
static int
mp_check(const uint8_t **pp, const uint8_t *end, int depth)
{
	const uint8_t	*p = *pp;
	uint64_t	 n = 0, skip = 0, i;
	int		 c, lenbytes = 0, container = 0;

	if (p >= end)
		return -1;
	c = *p++;
	if (c <= 0x7f || c >= 0xe0)
		;				/* fixint */
	else if (c <= 0x8f) {
		n = c & 0x0f;
		container = 2;
	} else if (c <= 0x9f) {
		n = c & 0x0f;
		container = 1;
	} else if (c <= 0xbf)
		skip = c & 0x1f;
	else {
		switch (c) {
		case 0xc0: case 0xc2: case 0xc3:
			break;
		case 0xc4: case 0xd9:
			lenbytes = 1;
			break;
		case 0xc5: case 0xda:
			lenbytes = 2;
			break;
		case 0xc6: case 0xdb:
			lenbytes = 4;
			break;
		case 0xc7:
			lenbytes = 1;
			skip = 1;
			break;
		case 0xc8:
			lenbytes = 2;
			skip = 1;
			break;
		case 0xc9:
			lenbytes = 4;
			skip = 1;
			break;
		case 0xcc: case 0xd0:
			skip = 1;
			break;
		case 0xcd: case 0xd1:
			skip = 2;
			break;
		case 0xca: case 0xce: case 0xd2:
			skip = 4;
			break;
		case 0xcb: case 0xcf: case 0xd3:
			skip = 8;
			break;
		case 0xd4:
			skip = 2;
			break;
		case 0xd5:
			skip = 3;
			break;
		case 0xd6:
			skip = 5;
			break;
		case 0xd7:
			skip = 9;
			break;
		case 0xd8:
			skip = 17;
			break;
		case 0xdc:
			lenbytes = 2;
			container = 1;
			break;
		case 0xdd:
			lenbytes = 4;
			container = 1;
			break;
		case 0xde:
			lenbytes = 2;
			container = 2;
			break;
		case 0xdf:
			lenbytes = 4;
			container = 2;
			break;
		default:			/* 0xc1, never used */
			return -1;
		}
	}
	if (lenbytes > 0) {
		uint64_t	 l;

		if (mp_uint(&p, end, lenbytes, &l) != 0)
			return -1;
		if (container)
			n = l;
		else
			skip += l;
	}
	if (container) {
		if (depth >= SWS_MAX_DEPTH)
			return -1;
		if (container == 2)
			n *= 2;		/* n < 2^32, no overflow */
		if (n > (uint64_t)(end - p))
			return -1;
		for (i = 0; i < n; i++)
			if (mp_check(&p, end, depth + 1) != 0)
				return -1;
	} else {
		if (skip > (uint64_t)(end - p))
			return -1;
		p += skip;
	}
	*pp = p;
	return 0;
}

static int
decode_msgpack(const uint8_t *buf, size_t len, struct wire_msg *m,
    const char **why)
{
	msgpack_unpacked	 up;
	struct pval		 top;
	const uint8_t		*p = buf;
	size_t			 off = 0;
	int			 rv;

	if (mp_check(&p, buf + len, 0) != 0 || p != buf + len) {
		*why = "not one valid MessagePack object";
		return -1;
	}
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, (const char *)buf, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != len) {
		msgpack_unpacked_destroy(&up);
		*why = "not one valid MessagePack object";
		return -1;
	}
	pval_mp(&top, &up.data);
	rv = decode_map(&top, m, why);
	msgpack_unpacked_destroy(&up);
	return rv;
}

int
wire_decode(int msgpack, const uint8_t *buf, size_t len,
    struct wire_msg *m, const char **why)
{
	const char	*dummy;

	if (why == NULL)
		why = &dummy;
	memset(m, 0, sizeof(*m));
	*why = NULL;
	if (msgpack)
		return decode_msgpack(buf, len, m, why);
	return decode_json(buf, len, m, why);
}

void
wire_msg_free(struct wire_msg *m)
{
	free(m->body);
	free(m->members);
	m->body = NULL;
	m->members = NULL;
	m->bodylen = m->nmembers = 0;
}
