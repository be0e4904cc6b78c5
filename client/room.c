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
 * Rooms and their sender keys (sws-e2e/1, docs/WIRE.md section 7): JOIN,
 * LEAVE and PUBLISH, and the bookkeeping that keeps every member able to
 * read us and no one else.  On JOINED we make a fresh sender key and send
 * it to every other member; on PRESENCE joined we send it to the
 * newcomer; on PRESENCE left we make a new one for those who remain.  The
 * members' keys arrive in direct bodies (message.c) and are kept by
 * keys.c.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "utf8.h"
#include "sws_local.h"

/* 1..128 bytes of UTF-8 without C0 controls or DEL (docs/WIRE.md section 4). */
static int
room_name_valid(const char *p, size_t len)
{
	size_t	 i;

	if (len < 1 || len > SWS_ROOM_MAX ||
	    !utf8_valid((const uint8_t *)p, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((uint8_t)p[i] < 0x20 || (uint8_t)p[i] == 0x7f)
			return 0;
	return 1;
}

/* Send our room key to one member (kind 0x01, no id: failures are quiet). */
static void
send_room_key(struct sws_client *c, struct room *r, const uint8_t *to)
{
	struct wire_field	 f[3];
	uint8_t			 payload[SWS_KEY_LEN + SWS_ROOM_MAX];
	uint8_t			 body[sizeof(payload) + E2E_OVERHEAD];
	long			 n;

	memcpy(payload, r->key, SWS_KEY_LEN);
	memcpy(payload + SWS_KEY_LEN, r->name, r->namelen);
	n = e2e_seal_direct(body, sizeof(body), E2E_KIND_SENDER_KEY, payload,
	    SWS_KEY_LEN + r->namelen, NULL, to, c->sk);
	sodium_memzero(payload, sizeof(payload));
	if (n < 0)
		return;
	f[0] = (struct wire_field){ "type", PF_STR, SWS_T_SEND, 4, 0 };
	f[1] = (struct wire_field){ "to", PF_BIN, to, SWS_KEY_LEN, 0 };
	f[2] = (struct wire_field){ "body", PF_BIN, body, (size_t)n, 0 };
	conn_send_request(c, f, 3);
}

static void
send_room_key_all(struct sws_client *c, struct room *r)
{
	struct member	*m;

	RB_FOREACH(m, member_tree, &r->members)
		send_room_key(c, r, m->pk);
}

void
room_joined(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	struct room		*r;
	struct member		*m, *next;
	size_t			 i;
	int			 listed;

	conn_debug(c, "joined a room with %zu members", pm->nmembers);
	if (c->dead || c->state != ST_READY)
		return;
	if ((r = room_find(c, pm->room, pm->roomlen)) == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL) {
			conn_fail(c, "protocol", WS_CLOSE_INTERNAL,
			    "out of memory");
			return;
		}
		memcpy(r->name, pm->room, pm->roomlen);
		r->namelen = pm->roomlen;
		RB_INIT(&r->members);
		TAILQ_INSERT_TAIL(&c->rooms, r, entry);
	}
	r->rejoin_id = 0;
	/* the list is the relay's word: forget who is gone, add who is new */
	RB_FOREACH_SAFE(m, member_tree, &r->members, next) {
		listed = 0;
		for (i = 0; i < pm->nmembers && !listed; i++)
			listed = memcmp(pm->members[i], m->pk,
			    SWS_KEY_LEN) == 0;
		if (!listed)
			member_remove(r, m);
	}
	for (i = 0; i < pm->nmembers; i++)
		if (memcmp(pm->members[i], c->pk, SWS_KEY_LEN) != 0 &&
		    member_add(r, pm->members[i]) == NULL) {
			conn_fail(c, "protocol", WS_CLOSE_INTERNAL,
			    "out of memory");
			return;
		}
	randombytes_buf(r->key, sizeof(r->key));
	send_room_key_all(c, r);

	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_JOINED;
	ev.id = pm->has_id ? pm->id : 0;
	ev.room = pm->room;	/* r may go if the callback leaves */
	ev.members = (const uint8_t (*)[SWS_KEY_LEN])pm->members;
	ev.nmembers = pm->nmembers;
	conn_emit(c, &ev);
}

void
room_presence(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	struct room		*r;
	struct member		*m;

	if ((r = room_find(c, pm->room, pm->roomlen)) == NULL) {
		conn_debug(c, "presence for a room we are not in");
		return;
	}
	/* our own key: another session of ours, which keeps its own keys */
	if (memcmp(pm->key, c->pk, SWS_KEY_LEN) != 0) {
		if (pm->joined) {
			if (member_add(r, pm->key) == NULL) {
				conn_fail(c, "protocol", WS_CLOSE_INTERNAL,
				    "out of memory");
				return;
			}
			send_room_key(c, r, pm->key);
		} else {
			if ((m = member_find(r, pm->key)) != NULL)
				member_remove(r, m);
			/* so that the one who left cannot read what follows */
			randombytes_buf(r->key, sizeof(r->key));
			send_room_key_all(c, r);
		}
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_PRESENCE;
	ev.room = pm->room;
	ev.key = pm->key;
	ev.joined = pm->joined;
	conn_emit(c, &ev);
}

void
room_sender_key(struct sws_client *c, const uint8_t *from, const uint8_t *p,
    size_t len)
{
	struct sws_event	 ev;
	struct room		*r;
	struct member		*m;
	const char		*name = (const char *)p + SWS_KEY_LEN;
	char			 room[SWS_ROOM_MAX + 1];
	uint8_t			 key[SWS_KEY_LEN];
	size_t			 namelen;

	if (len <= SWS_KEY_LEN || len - SWS_KEY_LEN > SWS_ROOM_MAX ||
	    !room_name_valid(name, len - SWS_KEY_LEN)) {
		conn_dropped(c, from, NULL, "undecryptable",
		    "a malformed room key");
		return;
	}
	namelen = len - SWS_KEY_LEN;
	/* the event gets copies: the callback may leave the room */
	memcpy(room, name, namelen);
	room[namelen] = '\0';
	memcpy(key, p, SWS_KEY_LEN);
	if ((r = room_find(c, name, namelen)) == NULL) {
		conn_dropped(c, from, room, "unexpected-key",
		    "a room key for a room we are not in");
		return;
	}
	if (memcmp(from, c->pk, SWS_KEY_LEN) == 0) {
		conn_debug(c, "room key from another session of ours ignored");
		return;
	}
	if ((m = member_find(r, from)) == NULL) {
		conn_dropped(c, from, room, "unexpected-key",
		    "a room key from a key that is not a member");
		return;
	}
	if (m->nkeys > 0) {
		memcpy(m->oldkey, m->key, SWS_KEY_LEN);
		m->nkeys = 2;
	} else
		m->nkeys = 1;
	memcpy(m->key, p, SWS_KEY_LEN);

	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_SENDER_KEY;
	ev.key = from;
	ev.room = room;
	ev.data = key;
	ev.len = SWS_KEY_LEN;
	conn_emit(c, &ev);
	sodium_memzero(key, sizeof(key));
}

static int
room_request(struct sws_client *c, const char *type, const char *room,
    uint64_t *idp)
{
	struct wire_field	 f[3];
	size_t			 len = strlen(room);

	if (!conn_ready(c))
		return -1;
	if (!room_name_valid(room, len)) {
		errno = EINVAL;
		return -1;
	}
	f[0] = (struct wire_field){ "type", PF_STR, type, strlen(type), 0 };
	f[1] = (struct wire_field){ "room", PF_STR, room, len, 0 };
	return conn_request(c, f, 2, idp);
}

int
sws_join(struct sws_client *c, const char *room, uint64_t *idp)
{
	return room_request(c, SWS_T_JOIN, room, idp);
}

int
sws_leave(struct sws_client *c, const char *room, uint64_t *idp)
{
	struct room	*r;

	r = room_find(c, room, strlen(room));
	if (c->state != ST_READY && r != NULL) {
		/* not connected: just do not join it again */
		TAILQ_REMOVE(&c->rooms, r, entry);
		room_free(r);
		if (idp != NULL)
			*idp = 0;
		return 0;
	}
	if (room_request(c, SWS_T_LEAVE, room, idp) != 0)
		return -1;
	if (r != NULL) {
		TAILQ_REMOVE(&c->rooms, r, entry);
		room_free(r);
	}
	return 0;
}

/*
 * Registered again after a reconnect: JOIN every room we were in.  The
 * members and their keys stay until JOINED says who is there now.
 */
int
room_rejoin_all(struct sws_client *c)
{
	struct room	*r;

	TAILQ_FOREACH(r, &c->rooms, entry) {
		conn_debug(c, "joining %s again", r->name);
		if (c->dead || c->state != ST_READY)
			return 0;
		if (room_request(c, SWS_T_JOIN, r->name, &r->rejoin_id) != 0)
			return -1;
	}
	return 0;
}

/*
 * An ERROR with id: when it answers a re-join, the room is forgotten and
 * its name copied to name (SWS_ROOM_MAX + 1 bytes); returns 1 then.
 */
int
room_rejoin_failed(struct sws_client *c, uint64_t id, char *name)
{
	struct room	*r;

	TAILQ_FOREACH(r, &c->rooms, entry)
		if (r->rejoin_id == id) {
			memcpy(name, r->name, r->namelen + 1);
			TAILQ_REMOVE(&c->rooms, r, entry);
			room_free(r);
			return 1;
		}
	return 0;
}

int
sws_publish(struct sws_client *c, const char *room, const void *data,
    size_t len, uint64_t *idp)
{
	struct wire_field	 f[4];
	struct room		*r;
	uint8_t			*body;
	size_t			 rlen = strlen(room);
	long			 n;
	int			 rv;

	if (!conn_ready(c) || !conn_body_fits(c, len))
		return -1;
	if (!room_name_valid(room, rlen)) {
		errno = EINVAL;
		return -1;
	}
	if ((r = room_find(c, room, rlen)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if ((body = malloc(len + E2E_OVERHEAD)) == NULL)
		return -1;
	if ((n = e2e_seal_room(body, len + E2E_OVERHEAD, E2E_KIND_DATA, data,
	    len, NULL, r->key)) < 0) {
		free(body);
		errno = EINVAL;
		return -1;
	}
	f[0] = (struct wire_field){ "type", PF_STR, SWS_T_PUBLISH, 7, 0 };
	f[1] = (struct wire_field){ "room", PF_STR, room, rlen, 0 };
	f[2] = (struct wire_field){ "body", PF_BIN, body, (size_t)n, 0 };
	rv = conn_request(c, f, 3, idp);
	free(body);
	return rv;
}
