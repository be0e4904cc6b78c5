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
 * The keys a client keeps besides its own pair: for each room it is in,
 * its own sender key and, in a tree by public key, every other member's
 * current and previous one (a body sealed just before a rotation still
 * opens).  Rooms and members are zeroed when freed.  Also the base64url
 * text of keys that applications print and read.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "sws_local.h"

static int	member_cmp(struct member *, struct member *);
RB_GENERATE(member_tree, member, entry, member_cmp)

static int
member_cmp(struct member *a, struct member *b)
{
	return memcmp(a->pk, b->pk, SWS_KEY_LEN);
}

struct room *
room_find(struct sws_client *c, const char *name, size_t len)
{
	struct room	*r;

	TAILQ_FOREACH(r, &c->rooms, entry)
		if (r->namelen == len && memcmp(r->name, name, len) == 0)
			return r;
	return NULL;
}

void
room_free(struct room *r)
{
	struct member	*m, *next;

	RB_FOREACH_SAFE(m, member_tree, &r->members, next) {
		RB_REMOVE(member_tree, &r->members, m);
		sodium_memzero(m, sizeof(*m));
		free(m);
	}
	sodium_memzero(r, sizeof(*r));
	free(r);
}

struct member *
member_find(struct room *r, const uint8_t *pk)
{
	struct member	 key;

	memcpy(key.pk, pk, SWS_KEY_LEN);
	return RB_FIND(member_tree, &r->members, &key);
}

struct member *
member_add(struct room *r, const uint8_t *pk)
{
	struct member	*m;

	if ((m = member_find(r, pk)) != NULL)
		return m;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	memcpy(m->pk, pk, SWS_KEY_LEN);
	RB_INSERT(member_tree, &r->members, m);
	return m;
}

void
member_remove(struct room *r, struct member *m)
{
	RB_REMOVE(member_tree, &r->members, m);
	sodium_memzero(m, sizeof(*m));
	free(m);
}

/* ---- keys as text ---- */

int
sws_key_decode(uint8_t *key, const char *s)
{
	size_t	 len = strlen(s);

	if (len != SWS_KEY_B64LEN)
		return -1;
	if (b64url_decode(key, SWS_KEY_LEN, s, len) != SWS_KEY_LEN)
		return -1;
	return 0;
}

void
sws_key_encode(char *out, const uint8_t *key)
{
	b64url_encode(out, SWS_KEY_B64LEN + 1, key, SWS_KEY_LEN);
}
