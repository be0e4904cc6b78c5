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
 * Routing between registered keys and rooms.  Keys and rooms live in
 * hash tables keyed with SipHash under a random key, so a client that
 * picks its own public keys or room names cannot aim at one bucket.  A
 * message is encoded at most once per subprotocol and copied into each
 * recipient's output; nothing here scans all sessions.
 *
 * Below the session layer and above the output queues: the router only
 * queues output.  What a request earns its sender (ACK or ERROR) goes
 * back as router_request()'s result, and a session displaced from a full
 * key as router_register()'s, because answering and closing are the
 * business of the layers above; a return value costs the hot path (one
 * SEND) a compare, and keeps every call in one direction.
 */
#include <sys/types.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "cwire.h"
#include "khash.h"
#include "log.h"
#include "metrics.h"
#include "outq.h"
#include "relay.h"
#include "router.h"

struct roomkey {
	UT_hash_handle		 hh;
	uint8_t			 pk[SWS_KEY_LEN];
	uint32_t		 n;		/* member sessions of the key */
};

struct room {
	UT_hash_handle		 hh;
	RB_ENTRY(room)		 serial_entry;	/* relayctl's listing */
	uint64_t		 serial;
	TAILQ_HEAD(, member)	 members;
	struct roomkey		*keys;
	uint32_t		 nmembers;
	uint32_t		 nkeys;
	size_t			 len;
	char			 name[SWS_ROOM_MAX + 1];
};

/*
 * The key table holds each key's oldest session, which heads the list of
 * the key's sessions (s->u.key); the others are on that list only.
 */
static struct session	*router_keys;	/* uthash, on u.key.hh */
static struct room	*router_rooms;	/* uthash */
/* The rooms again, by creation, so a listing resumes where it was. */
RB_HEAD(room_serials, room);
static struct room_serials router_room_serials =
    RB_INITIALIZER(&router_room_serials);
static uint64_t		 router_room_serial;
/* The other nodes, when this relay is one of a cluster (cluster.c). */
static const struct router_cluster *rc;

int	room_serial_cmp(const struct room *, const struct room *);
RB_PROTOTYPE(room_serials, room, serial_entry, room_serial_cmp)

int
room_serial_cmp(const struct room *a, const struct room *b)
{
	return a->serial < b->serial ? -1 : a->serial > b->serial;
}
RB_GENERATE(room_serials, room, serial_entry, room_serial_cmp)

static int	router_send(struct session *, struct sws_req *, const char **,
		    const char **);
static int	router_join(struct session *, struct sws_req *, const char **,
		    const char **);
static int	router_leave(struct session *, struct sws_req *, const char **,
		    const char **);
static int	router_publish(struct session *, struct sws_req *,
		    const char **, const char **);
static void	router_presence(struct room *, struct session *,
		    const uint8_t *, int);
static void	member_remove(struct member *);
static void	room_deliver(struct room *, struct session *, const uint8_t *,
		    struct sws_req *);
static struct member *member_find(struct session *, const char *, size_t);

void
router_init(void)
{
	khash_init();
}

void
router_set_cluster(const struct router_cluster *c)
{
	rc = c;
}

size_t
router_nkeys(void)
{
	return HASH_CNT(u.key.hh, router_keys);
}

size_t
router_nrooms(void)
{
	return HASH_COUNT(router_rooms);
}

struct session *
router_key_first(const uint8_t *pk)
{
	struct session	*k;

	HASH_FIND(u.key.hh, router_keys, pk, SWS_KEY_LEN, k);
	return k;
}

int
router_room_after(uint64_t after, struct router_room_info *ri)
{
	struct room	 key, *r;

	key.serial = after + 1;
	if ((r = RB_NFIND(room_serials, &router_room_serials, &key)) == NULL)
		return -1;
	ri->serial = r->serial;
	ri->name = r->name;
	ri->len = r->len;
	ri->nmembers = r->nmembers;
	ri->nkeys = r->nkeys;
	return 0;
}

const char *
router_room_name(const struct room *r, size_t *len)
{
	*len = r->len;
	return r->name;
}

struct session *
router_register(struct session *s)
{
	struct session	*k;

	HASH_FIND(u.key.hh, router_keys, s->pk, SWS_KEY_LEN, k);
	/*
	 * A full key gives up its oldest session to the newcomer.  In a
	 * cluster the cap counts every node's sessions and the oldest may
	 * be elsewhere: its node closes it when it hears of this one.
	 */
	if (k != NULL && rc != NULL) {
		uint64_t	 mine = rc->age(k->t_accept);
		uint32_t	 remote = rc->key_remote(s->pk, &mine);

		if (k->nkey + remote >= relay->lim.max_sessions_per_key &&
		    mine)
			return k;
	} else if (k != NULL && k->nkey >= relay->lim.max_sessions_per_key)
		return k;
	memset(&s->u, 0, sizeof(s->u));
	if (k == NULL) {
		k = s;
		TAILQ_INIT(&k->u.key.sessions);
		HASH_ADD(u.key.hh, router_keys, pk, SWS_KEY_LEN, k);
	}
	TAILQ_INSERT_TAIL(&k->u.key.sessions, s, key_entry);
	k->nkey++;
	s->keyed = 1;
	if (rc != NULL)
		rc->key_changed(s->pk);
	return NULL;
}

void
router_unregister(struct session *s)
{
	struct member	*m;
	struct session	*k, *next;

	if (rc != NULL)
		rc->session_gone(s);
	while ((m = LIST_FIRST(&s->rooms)) != NULL)
		member_remove(m);
	if (!s->keyed)
		return;
	s->keyed = 0;
	HASH_FIND(u.key.hh, router_keys, s->pk, SWS_KEY_LEN, k);
	if (k == NULL)
		fatalx("%s: a keyed session whose key is not there", __func__);
	TAILQ_REMOVE(&k->u.key.sessions, s, key_entry);
	k->nkey--;
	if (k == s) {
		/* The oldest leaves: the next heads the key, or it goes. */
		HASH_DELETE(u.key.hh, router_keys, s);
		if ((next = TAILQ_FIRST(&s->u.key.sessions)) != NULL) {
			TAILQ_INIT(&next->u.key.sessions);
			TAILQ_CONCAT(&next->u.key.sessions,
			    &s->u.key.sessions, key_entry);
			next->nkey = s->nkey;
			HASH_ADD(u.key.hh, router_keys, pk, SWS_KEY_LEN, next);
		}
	}
	if (rc != NULL)
		rc->key_changed(s->pk);
}

/* The ERROR the sender gets, when its request has an id. */
static int
router_fail(const char **code, const char **message, const char *c,
    const char *m)
{
	*code = c;
	*message = m;
	return ROUTE_FAILED;
}

int
router_request(struct session *s, struct sws_req *req, const char **code,
    const char **message)
{
	switch (req->type) {
	case REQ_SEND:
		return router_send(s, req, code, message);
	case REQ_JOIN:
	case REQ_LEAVE:
	case REQ_PUBLISH:
		if (!relay->lim.rooms)
			return router_fail(code, message, SWS_E_UNKNOWN_TYPE,
			    "rooms are off on this relay");
		if (req->type == REQ_JOIN)
			return router_join(s, req, code, message);
		else if (req->type == REQ_LEAVE)
			return router_leave(s, req, code, message);
		else
			return router_publish(s, req, code, message);
	default:
		fatalx("router_request: type %d", req->type);
	}
}

/* Encoded MESSAGE frames, built on first use per subprotocol. */
struct frames {
	const uint8_t	*f[3];
	size_t		 len[3];
};

static const uint8_t *
frames_get(struct frames *fr, int proto, const uint8_t *from,
    const char *room, size_t room_len, struct sws_req *req, size_t *flen)
{
	size_t	 n;

	if (fr->f[proto] == NULL) {
		n = enc_message_req(proto, outq_enc_buf(proto), outq_enc_cap(),
		    from, room, room_len, req);
		if (n == 0)
			fatalx("MESSAGE did not fit its buffer");
		fr->f[proto] = outq_enc_frame(proto, n, &fr->len[proto]);
	}
	*flen = fr->len[proto];
	return fr->f[proto];
}

/* SEND to the local sessions of key k, from the key from. */
static int
send_local(struct session *k, const uint8_t *from, struct sws_req *req,
    const char **code, const char **message)
{
	struct session	*r;
	struct frames	 fr;
	const uint8_t	*f;
	size_t		 msize[3], flen;

	/* Sized once per subprotocol the key's sessions speak. */
	msize[PROTO_JSON] = msize[PROTO_MSGPACK] = 0;
	/* All or nothing: every session of the key must take it now. */
	TAILQ_FOREACH(r, &k->u.key.sessions, key_entry) {
		if (msize[r->proto] == 0)
			msize[r->proto] = enc_message_size(r->proto, NULL, 0,
			    req->body_len);
		if (msize[r->proto] > relay->lim.max_message)
			return router_fail(code, message, SWS_E_TOO_LARGE,
			    "the message would exceed the size limit");
		if (!outq_room_for(r, msize[r->proto] +
		    ws_header_len(msize[r->proto]))) {
			outq_mark_full(r);
			return router_fail(code, message, SWS_E_BUSY,
			    "the recipient cannot take more now");
		}
	}
	memset(&fr, 0, sizeof(fr));
	TAILQ_FOREACH(r, &k->u.key.sessions, key_entry) {
		f = frames_get(&fr, r->proto, from, NULL, 0, req, &flen);
		outq_queue(r, f, flen);
		METRIC_INC(M_DELIVERED);
		METRIC_INC(M_MSG_OUT);
		r->msgs_out++;
	}
	return ROUTE_OK;
}

/*
 * All or nothing among the key's sessions here; across nodes the ACK
 * waits for every node that holds the key (cluster.c).
 */
static int
router_send(struct session *s, struct sws_req *req, const char **code,
    const char **message)
{
	struct session	*k;
	int		 r = ROUTE_OK;

	HASH_FIND(u.key.hh, router_keys, req->key, SWS_KEY_LEN, k);
	if (rc == NULL || !rc->key_held(req->key)) {
		if (k != NULL)
			return send_local(k, s->pk, req, code, message);
		if (rc != NULL && !rc->linked())
			return router_fail(code, message, SWS_E_UNAVAILABLE,
			    "the cluster is out of reach: other nodes' keys "
			    "are unknown");
		return router_fail(code, message, SWS_E_OFFLINE,
		    "no session has that key");
	}
	if (k != NULL)
		r = send_local(k, s->pk, req, code, message);
	return rc->send(s, req, k != NULL, r == ROUTE_FAILED ? *code :
	    NULL, code, message);
}

int
router_deliver(const uint8_t *from, const uint8_t *to, const uint8_t *body,
    size_t len)
{
	struct session	*k;
	struct sws_req	 req;
	const char	*code, *message;

	HASH_FIND(u.key.hh, router_keys, to, SWS_KEY_LEN, k);
	if (k == NULL)
		return CW_OFFLINE;
	memset(&req, 0, sizeof(req));
	req.type = REQ_SEND;
	memcpy(req.key, to, SWS_KEY_LEN);
	req.body = body;
	req.body_len = len;
	if (send_local(k, from, &req, &code, &message) == ROUTE_OK)
		return CW_OK;
	return strcmp(code, SWS_E_BUSY) == 0 ? CW_BUSY : CW_TOO_LARGE;
}

static struct member *
member_find(struct session *s, const char *name, size_t len)
{
	struct member	*m;

	LIST_FOREACH(m, &s->rooms, sess_entry)
		if (m->room->len == len && memcmp(m->room->name, name, len)
		    == 0)
			return m;
	return NULL;
}

static int
router_publish(struct session *s, struct sws_req *req, const char **code,
    const char **message)
{
	struct member	*m, *o;
	struct room	*room;
	size_t		 msize;
	int		 p, present[3] = { 0, 0, 0 };

	if ((m = member_find(s, req->room, req->room_len)) == NULL)
		return router_fail(code, message, SWS_E_NOT_MEMBER,
		    "not a member of that room");
	room = m->room;
	TAILQ_FOREACH(o, &room->members, room_entry)
		if (o->s != s)
			present[o->s->proto] = 1;
	for (p = PROTO_JSON; p <= PROTO_MSGPACK; p++) {
		if (!present[p])
			continue;
		msize = enc_message_size(p, room->name, room->len,
		    req->body_len);
		if (msize > relay->lim.max_message)
			return router_fail(code, message, SWS_E_TOO_LARGE,
			    "the message would exceed the size limit");
	}
	room_deliver(room, s, s->pk, req);
	if (rc != NULL)
		rc->publish(s, req);
	return ROUTE_OK;
}

/* MESSAGE to every member session of room but except. */
static void
room_deliver(struct room *room, struct session *except, const uint8_t *from,
    struct sws_req *req)
{
	struct member	*o;
	struct frames	 fr;
	const uint8_t	*f;
	size_t		 flen;

	memset(&fr, 0, sizeof(fr));
	TAILQ_FOREACH(o, &room->members, room_entry) {
		if (o->s == except)
			continue;
		f = frames_get(&fr, o->s->proto, from, room->name, room->len,
		    req, &flen);
		/* A member that cannot take it now misses it. */
		if (!outq_room_for(o->s, flen)) {
			outq_mark_full(o->s);
			METRIC_INC(M_PUBLISH_MISSED);
			continue;
		}
		outq_queue(o->s, f, flen);
		METRIC_INC(M_DELIVERED);
		METRIC_INC(M_MSG_OUT);
		o->s->msgs_out++;
	}
}

void
router_room_deliver(const uint8_t *from, const char *name, size_t room_len,
    const uint8_t *body, size_t len)
{
	struct room	*room;
	struct sws_req	 req;
	size_t		 msize;
	int		 p;

	HASH_FIND(hh, router_rooms, name, room_len, room);
	if (room == NULL)
		return;
	/* A MESSAGE above our limit is missed, as a full member's is. */
	for (p = PROTO_JSON; p <= PROTO_MSGPACK; p++) {
		msize = enc_message_size(p, room->name, room->len, len);
		if (msize > relay->lim.max_message) {
			METRIC_INC(M_PUBLISH_MISSED);
			return;
		}
	}
	memset(&req, 0, sizeof(req));
	req.type = REQ_PUBLISH;
	req.body = body;
	req.body_len = len;
	req.room = room->name;
	req.room_len = room->len;
	room_deliver(room, NULL, from, &req);
}

static void
router_presence(struct room *room, struct session *except,
    const uint8_t *pk, int joined)
{
	struct member	*o;
	const uint8_t	*f[3] = { NULL, NULL, NULL };
	size_t		 flen[3], n;
	int		 p;

	TAILQ_FOREACH(o, &room->members, room_entry) {
		if (o->s == except)
			continue;
		p = o->s->proto;
		if (f[p] == NULL) {
			n = enc_presence(p, outq_enc_buf(p), outq_enc_cap(),
			    room->name, room->len, pk, joined);
			if (n == 0)
				fatalx("PRESENCE did not fit its buffer");
			f[p] = outq_enc_frame(p, n, &flen[p]);
		}
		if (!outq_room_for(o->s, flen[p])) {
			METRIC_INC(M_PUBLISH_MISSED);
			continue;
		}
		outq_queue(o->s, f[p], flen[p]);
		METRIC_INC(M_MSG_OUT);
		o->s->msgs_out++;
	}
}

/* JOINED's member list: the room's keys here, then other nodes'. */
struct keylist {
	struct room	 *room;
	uint8_t		(*keys)[SWS_KEY_LEN];
	size_t		  n;
	size_t		  cap;
};

static void
keylist_add(const uint8_t *pk, void *arg)
{
	struct keylist	*kl = arg;
	struct roomkey	*rk;

	HASH_FIND(hh, kl->room->keys, pk, SWS_KEY_LEN, rk);
	if (rk != NULL)
		return;
	if (kl->n == kl->cap) {
		kl->cap = kl->cap ? kl->cap * 2 : 16;
		if ((kl->keys = reallocarray(kl->keys, kl->cap, SWS_KEY_LEN))
		    == NULL)
			fatal("reallocarray");
	}
	memcpy(kl->keys[kl->n++], pk, SWS_KEY_LEN);
}

static void
router_joined(struct session *s, struct room *room, struct sws_req *req)
{
	struct keylist	 kl;
	struct roomkey	*rk, *tmp;
	uint8_t		*buf, hdr[WS_MAX_HEADER];
	size_t		 i, cap, n, hlen;

	memset(&kl, 0, sizeof(kl));
	kl.room = room;
	kl.cap = room->nkeys;
	if ((kl.keys = reallocarray(NULL, kl.cap, SWS_KEY_LEN)) == NULL)
		fatal("reallocarray");
	HASH_ITER(hh, room->keys, rk, tmp)
		memcpy(kl.keys[kl.n++], rk->pk, SWS_KEY_LEN);
	if (rc != NULL)
		rc->room_keys(room->name, room->len, keylist_add, &kl);
	i = kl.n;
	cap = enc_joined_size(s->proto, room->len, i);
	if ((buf = malloc(cap)) == NULL)
		fatal("malloc");
	n = enc_joined(s->proto, buf, cap, room->name, room->len,
	    (const uint8_t (*)[SWS_KEY_LEN])kl.keys, i, req->has_id, req->id);
	if (n == 0)
		fatalx("JOINED did not fit its buffer");
	hlen = ws_header(hdr, codec_opcode(s->proto), n);
	outq_queue(s, hdr, hlen);
	outq_queue(s, buf, n);
	METRIC_INC(M_MSG_OUT);
	s->msgs_out++;
	free(buf);
	free(kl.keys);
}

static int
router_join(struct session *s, struct sws_req *req, const char **code,
    const char **message)
{
	struct member	*m;
	struct room	*room;
	struct roomkey	*rk;

	if ((m = member_find(s, req->room, req->room_len)) != NULL) {
		router_joined(s, m->room, req);
		return ROUTE_ANSWERED;
	}
	if (s->nrooms >= relay->lim.max_rooms)
		return router_fail(code, message, SWS_E_TOO_MANY_ROOMS,
		    "this session is in as many rooms as it may be");
	HASH_FIND(hh, router_rooms, req->room, req->room_len, room);
	/* Members count over the cluster. */
	if ((room != NULL ? room->nmembers : 0) + (rc != NULL ?
	    rc->room_sessions(req->room, req->room_len) : 0) >=
	    relay->lim.max_room_members)
		return router_fail(code, message, SWS_E_ROOM_FULL,
		    "the room is full");
	if (room == NULL) {
		if ((room = calloc(1, sizeof(*room))) == NULL)
			fatal("calloc");
		memcpy(room->name, req->room, req->room_len);
		room->len = req->room_len;
		TAILQ_INIT(&room->members);
		HASH_ADD_KEYPTR(hh, router_rooms, room->name, room->len, room);
		room->serial = ++router_room_serial;
		RB_INSERT(room_serials, &router_room_serials, room);
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("calloc");
	m->s = s;
	m->room = room;
	TAILQ_INSERT_TAIL(&room->members, m, room_entry);
	LIST_INSERT_HEAD(&s->rooms, m, sess_entry);
	room->nmembers++;
	s->nrooms++;

	HASH_FIND(hh, room->keys, s->pk, SWS_KEY_LEN, rk);
	if (rk == NULL) {
		if ((rk = calloc(1, sizeof(*rk))) == NULL)
			fatal("calloc");
		memcpy(rk->pk, s->pk, SWS_KEY_LEN);
		HASH_ADD(hh, room->keys, pk, SWS_KEY_LEN, rk);
		room->nkeys++;
		/* The key's first session in the room: tell the others. */
		if (rc == NULL || !rc->room_has(room->name, room->len, s->pk))
			router_presence(room, s, s->pk, 1);
	}
	rk->n++;
	if (rc != NULL)
		rc->room_changed(room->name, room->len, s->pk, rk->n);
	router_joined(s, room, req);
	return ROUTE_ANSWERED;
}

static int
router_leave(struct session *s, struct sws_req *req, const char **code,
    const char **message)
{
	struct member	*m;

	if ((m = member_find(s, req->room, req->room_len)) == NULL)
		return router_fail(code, message, SWS_E_NOT_MEMBER,
		    "not a member of that room");
	member_remove(m);
	return ROUTE_OK;
}

static void
member_remove(struct member *m)
{
	struct room	*room = m->room;
	struct session	*s = m->s;
	struct roomkey	*rk;

	TAILQ_REMOVE(&room->members, m, room_entry);
	LIST_REMOVE(m, sess_entry);
	room->nmembers--;
	s->nrooms--;
	free(m);
	HASH_FIND(hh, room->keys, s->pk, SWS_KEY_LEN, rk);
	if (rk != NULL && --rk->n == 0) {
		HASH_DEL(room->keys, rk);
		free(rk);
		room->nkeys--;
		if (rc != NULL)
			rc->room_changed(room->name, room->len, s->pk, 0);
		/* The key's last session left: tell who remains. */
		if (rc == NULL || !rc->room_has(room->name, room->len, s->pk))
			router_presence(room, s, s->pk, 0);
	} else if (rk != NULL && rc != NULL)
		rc->room_changed(room->name, room->len, s->pk, rk->n);
	if (room->nmembers == 0) {
		HASH_DEL(router_rooms, room);
		RB_REMOVE(room_serials, &router_room_serials, room);
		free(room);
	}
}

uint32_t
router_room_local(const char *name, size_t len, const uint8_t *pk)
{
	struct room	*room;
	struct roomkey	*rk;

	HASH_FIND(hh, router_rooms, name, len, room);
	if (room == NULL)
		return 0;
	HASH_FIND(hh, room->keys, pk, SWS_KEY_LEN, rk);
	return rk != NULL ? rk->n : 0;
}

void
router_room_presence(const char *name, size_t len, const uint8_t *pk,
    int joined)
{
	struct room	*room;

	HASH_FIND(hh, router_rooms, name, len, room);
	if (room != NULL)
		router_presence(room, NULL, pk, joined);
}

void
router_foreach_key(void (*fn)(struct session *, void *), void *arg)
{
	struct session	*k, *tmp;

	HASH_ITER(u.key.hh, router_keys, k, tmp)
		fn(k, arg);
}

void
router_foreach_member(void (*fn)(const char *, size_t, const uint8_t *,
    uint32_t, void *), void *arg)
{
	struct room	*room, *rtmp;
	struct roomkey	*rk, *ktmp;

	HASH_ITER(hh, router_rooms, room, rtmp)
		HASH_ITER(hh, room->keys, rk, ktmp)
			fn(room->name, room->len, rk->pk, rk->n, arg);
}
