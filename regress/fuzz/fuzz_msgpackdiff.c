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
 * Differential libFuzzer target: relayd/mpread.c against msgpack-c and
 * the decoder it replaced (regress/lib/msgpack_ref.h: the relay's old
 * bounds scan, msgpack_unpack(), a map at the top, no duplicate key).
 * For every input both must give the same verdict and, on a refusal,
 * the same reason, which is the text the relay answers with.  For
 * accepted input every remembered top-level member must be msgpack-c's
 * member at the same place: the same key bytes, the same kind of value,
 * str and bin bytes at the same address in the input, the same integer,
 * an ext of the same type and data, and its span must unpack alone to
 * the same value (compared packed again, so that NaN equals itself);
 * the member count must agree, and a second parse that asks for the last
 * of msgpack-c's keys by name, and mp_find() for each key, must find
 * each of them.  The verdict must not depend on the work area (the
 * input's size, or none, when large maps take a malloc() instead).
 * Any difference aborts.  Each input is also tried as a value,
 * {"v":INPUT}, as the pairs of a map of two and of a map of nine (one
 * that is sorted for the duplicate check), so that mutations land
 * inside maps more often.  Seeds: regress/fuzz/corpus/msgpackdiff/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "mpread.h"
#include "regress/lib/msgpack_ref.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define DIFF_CHECK(c) do {						\
	if (!(c))							\
		abort();						\
} while (0)

/* Two objects alike once packed again (msgpack-c's own writer). */
static int
same_packed(const msgpack_object *a, const msgpack_object *b)
{
	msgpack_sbuffer	 x, y;
	msgpack_packer	 px, py;
	int		 eq;

	msgpack_sbuffer_init(&x);
	msgpack_sbuffer_init(&y);
	msgpack_packer_init(&px, &x, msgpack_sbuffer_write);
	msgpack_packer_init(&py, &y, msgpack_sbuffer_write);
	DIFF_CHECK(msgpack_pack_object(&px, *a) == 0);
	DIFF_CHECK(msgpack_pack_object(&py, *b) == 0);
	eq = x.size == y.size && memcmp(x.data, y.data, x.size) == 0;
	msgpack_sbuffer_destroy(&x);
	msgpack_sbuffer_destroy(&y);
	return eq;
}

/* One of our members against msgpack-c's value. */
static void
same_value(const struct mp_member *m, const msgpack_object *v)
{
	msgpack_zone	 z;
	msgpack_object	 alone;
	size_t		 off = 0;

	switch (m->kind) {
	case MP_K_NIL:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_NIL);
		break;
	case MP_K_BOOL:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_BOOLEAN &&
		    v->via.boolean == (m->span[0] == 0xc3));
		break;
	case MP_K_UINT:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    v->via.u64 == m->u);
		break;
	case MP_K_NEGINT:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER);
		break;
	case MP_K_FLOAT:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_FLOAT32 ||
		    v->type == MSGPACK_OBJECT_FLOAT64);
		break;
	case MP_K_STR:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_STR &&
		    v->via.str.size == m->vallen &&
		    (m->vallen == 0 || (const uint8_t *)v->via.str.ptr ==
		    m->val));
		break;
	case MP_K_BIN:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_BIN &&
		    v->via.bin.size == m->vallen &&
		    (m->vallen == 0 || (const uint8_t *)v->via.bin.ptr ==
		    m->val));
		break;
	case MP_K_EXT:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_EXT && m->vallen >= 1 &&
		    v->via.ext.type == (int8_t)m->val[0] &&
		    v->via.ext.size == m->vallen - 1 &&
		    (v->via.ext.size == 0 ||
		    (const uint8_t *)v->via.ext.ptr == m->val + 1));
		break;
	case MP_K_ARRAY:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_ARRAY);
		DIFF_CHECK(m->val == NULL);
		break;
	case MP_K_MAP:
		DIFF_CHECK(v->type == MSGPACK_OBJECT_MAP);
		DIFF_CHECK(m->val == NULL);
		break;
	default:
		abort();
	}
	/* The span alone is that value, nothing more or less. */
	DIFF_CHECK(msgpack_zone_init(&z, 1024));
	DIFF_CHECK(msgpack_unpack((const char *)m->span, m->spanlen, &off,
	    &z, &alone) == MSGPACK_UNPACK_SUCCESS && off == m->spanlen);
	DIFF_CHECK(same_packed(&alone, v));
	msgpack_zone_destroy(&z);
}

static void
same_key(const struct mp_member *m, const msgpack_object *k)
{
	DIFF_CHECK(k->type == MSGPACK_OBJECT_STR &&
	    k->via.str.size == m->keylen &&
	    (m->keylen == 0 || (const uint8_t *)k->via.str.ptr == m->key));
}

/* Every member remembered when all are wanted: msgpack-c's, in order. */
static void
same_members(const struct mp_doc *d, const msgpack_object_map *map)
{
	size_t	 i;

	DIFF_CHECK(d->ntop == map->size);
	DIFF_CHECK(d->nmembers == (d->ntop < MP_MEMBERS ? d->ntop :
	    MP_MEMBERS));
	for (i = 0; i < d->nmembers; i++) {
		DIFF_CHECK(d->members[i].want == -1);
		same_key(&d->members[i], &map->ptr[i].key);
		same_value(&d->members[i], &map->ptr[i].val);
	}
}

/*
 * Ask for the last MP_MEMBERS of msgpack-c's keys, by name; and find
 * every key, up to 64 of them, with mp_find().  Keys holding a NUL are
 * asked for only by their length (mp_get() and mp_find() take C strings).
 */
static void
same_wanted(const uint8_t *data, size_t size, const msgpack_object_map *map)
{
	struct mp_doc			 d;
	struct mp_key			 want[MP_MEMBERS];
	struct mp_member		 f;
	const struct mp_member		*m;
	char				*names[MP_MEMBERS], *name;
	const msgpack_object_str	*k;
	size_t				 nkeys = 0, skip, i;

	skip = map->size > MP_MEMBERS ? map->size - MP_MEMBERS : 0;
	for (i = skip; i < map->size; i++) {
		k = &map->ptr[i].key.via.str;
		if (k->size > 255)
			continue;
		names[nkeys] = malloc(k->size + 1);
		if (k->size > 0)
			memcpy(names[nkeys], k->ptr, k->size);
		names[nkeys][k->size] = '\0';
		want[nkeys].name = names[nkeys];
		want[nkeys].len = k->size;
		nkeys++;
	}
	mp_init(&d, want, nkeys, NULL, 0);
	DIFF_CHECK(mp_parse(&d, data, size) == MP_OK);
	DIFF_CHECK(d.ntop == map->size && d.nmembers == nkeys);
	for (i = 0; i < nkeys; i++) {
		m = mp_get_want(&d, i);
		DIFF_CHECK(m != NULL && m->want == (int)i &&
		    m->keylen == want[i].len &&
		    memcmp(m->key, want[i].name, want[i].len) == 0);
		if (strlen(names[i]) == want[i].len)
			DIFF_CHECK(mp_get(&d, names[i]) == m);
	}
	for (i = 0; i < map->size && i < 64; i++) {
		k = &map->ptr[i].key.via.str;
		name = malloc(k->size + 1);
		if (k->size > 0)
			memcpy(name, k->ptr, k->size);
		name[k->size] = '\0';
		if (strlen(name) == k->size) {
			DIFF_CHECK(mp_find(&d, name, &f));
			same_key(&f, &map->ptr[i].key);
			same_value(&f, &map->ptr[i].val);
		}
		free(name);
	}
	DIFF_CHECK(!mp_find(&d, "\x01no such key\x02", &f) ||
	    f.keylen == 13);
	for (i = 0; i < nkeys; i++)
		free(names[i]);
}

static void
diff_one(const uint8_t *data, size_t size)
{
	struct mp_doc	 d, bare;
	msgpack_zone	 z;
	msgpack_object	 obj;
	const char	*ref;
	uint8_t		*work;
	int		 rc;

	work = malloc(size > 0 ? size : 1);
	mp_init(&d, NULL, 0, work, size);
	rc = mp_parse(&d, data, size);
	mp_init(&bare, NULL, 0, NULL, 0);
	DIFF_CHECK(mp_parse(&bare, data, size) == rc);

	DIFF_CHECK(msgpack_zone_init(&z, 1024));
	ref = ref_verdict(data, size, &z, &obj);
	DIFF_CHECK((rc == MP_OK) == (ref == NULL));
	if (rc != MP_OK)
		DIFF_CHECK(strcmp(mp_strerror(rc), ref) == 0);
	else {
		same_members(&d, &obj.via.map);
		same_wanted(data, size, &obj.via.map);
	}
	msgpack_zone_destroy(&z);
	free(work);
}

/* pre INPUT, in a buffer of exactly that size. */
static void
diff_wrapped(const char *pre, size_t prelen, const uint8_t *data,
    size_t size)
{
	uint8_t	*t;

	t = malloc(prelen + size);
	memcpy(t, pre, prelen);
	if (size > 0)
		memcpy(t + prelen, data, size);
	diff_one(t, prelen + size);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diff_one(data, size);
	diff_wrapped("\x81\xa1v", 3, data, size);
	diff_wrapped("\x82\xa1v", 3, data, size);
	diff_wrapped("\xde\x00\x09", 3, data, size);
	return 0;
}
