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
 * Clusters, the relay's part: see cluster.h and docs/ARCHITECTURE.md.
 *
 * What another node holds is what it announced: KEY records (a key's
 * session count there and the age of its oldest) and ROOM records (a
 * key's member sessions in a room there), each the whole current value,
 * so a record can be sent again at any time and the last one is right.
 * A node announces on changes, answers HELLO with all of it, and beats
 * every quarter of the cluster timeout; one not heard from for the
 * timeout is dead and everything it announced goes, with PRESENCE left
 * where a key's last member session was there.  The link to NATS
 * going down is every other node going dead at once.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "cluster.h"
#include "clock.h"
#include "codec.h"
#include "conn.h"
#include "cwire.h"
#include "dispatch.h"
#include "imsg.h"
#include "khash.h"
#include "log.h"
#include "metrics.h"
#include "proc.h"
#include "relay.h"
#include "router.h"
#include "session.h"

#define NODES_MAX	64		/* other nodes a node keeps track of */
#define PENDING_MAX	65536		/* SENDs waiting for other nodes */
#define PENDING_PER_SESSION 1024
/*
 * The bridge's channel may hold a full state dump (about 50 bytes a key
 * and room member); new SENDs to other nodes are refused as busy once
 * it holds CHAN_SOFT unsent.
 */
#define CHAN_MAX	(512U * 1024 * 1024)
#define CHAN_SOFT	(16U * 1024 * 1024)

/*
 * Records to one node, or to all: a batch being filled.  State records
 * (KEY, ROOM) must reach a node in the order they were made, whichever
 * subject they take (a dump to one node, then a change to all): state
 * says the batch holds some, and one to another subject makes it leave
 * first (state_order()).
 */
struct obuf {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
	int		 state;
};

struct node {
	char		 name[CLUSTER_NAME_MAX];
	uint64_t	 inc;		/* its incarnation */
	uint64_t	 seen;		/* relay_msec() of its last batch */
	int		 alive;
	struct obuf	 out;
};

/* A remote key: one entry per node that holds it. */
struct kent {
	struct kent	*next;
	uint32_t	 node;
	uint32_t	 n;
	uint64_t	 oldest;
};
struct rkey {
	UT_hash_handle	 hh;
	uint8_t		 pk[SWS_KEY_LEN];
	struct kent	*ents;
};

/* A room's remote members: per key, per node, sessions. */
struct ment {
	struct ment	*next;
	uint32_t	 node;
	uint32_t	 n;
};
struct rmember {
	UT_hash_handle	 hh;
	uint8_t		 pk[SWS_KEY_LEN];
	struct ment	*ents;
};
struct rroom {
	UT_hash_handle	 hh;
	struct rmember	*members;
	uint32_t	 nsess;		/* member sessions, all nodes */
	size_t		 len;
	char		 name[SWS_ROOM_MAX + 1];
};

/* A SEND waiting for the nodes it went to. */
struct pend {
	UT_hash_handle	 hh;
	TAILQ_ENTRY(pend) entry;	/* by deadline */
	uint64_t	 ref;
	struct session	*s;		/* NULL: gone, answer nobody */
	uint64_t	 id;
	uint64_t	 deadline;	/* relay_msec() */
	uint32_t	 outstanding;
	uint8_t		 delivered;
	uint8_t		 busy;
	uint8_t		 too_large;
};

static struct {
	int		 on;
	int		 linked;
	char		 name[CLUSTER_NAME_MAX];
	char		 node[CLUSTER_NAME_MAX];
	uint64_t	 inc;
	uint32_t	 timeout;	/* ms */
	uint64_t	 last_beat;
	int64_t		 epoch_off;	/* realtime ms - relay_msec() */
	struct imsgbuf	 ib;
	struct event	 ev;
	struct node	 nodes[NODES_MAX];
	uint32_t	 nnodes;
	struct obuf	 all;
	struct rkey	*keys;
	struct rroom	*rooms;
	struct pend	*pend;
	TAILQ_HEAD(, pend) pendq;
	uint32_t	 npend;
	uint64_t	 next_ref;
	uint8_t		*in;		/* a batch being received */
	size_t		 in_len;
	size_t		 in_cap;
	int		 in_dest;
} cl;

static int	cluster_linked(void);
static uint64_t	cluster_age(uint64_t);
static uint32_t	cluster_key_remote(const uint8_t *, uint64_t *);
static int	cluster_key_held(const uint8_t *);
static void	cluster_key_changed(const uint8_t *);
static int	cluster_send(struct session *, const struct sws_req *, int,
		    const char *, const char **, const char **);
static void	cluster_publish(struct session *, const struct sws_req *);
static void	cluster_session_gone(struct session *);
static void	cluster_room_changed(const char *, size_t, const uint8_t *,
		    uint32_t);
static uint32_t	cluster_room_sessions(const char *, size_t);
static int	cluster_room_has(const char *, size_t, const uint8_t *);
static void	cluster_room_keys(const char *, size_t,
		    void (*)(const uint8_t *, void *), void *);
static void	cluster_dispatch(int, short, void *);
static void	cluster_event(void);
static void	node_dead(uint32_t);
static void	dump_state(int);
static void	pend_answer(struct pend *, int);

void
cluster_init(void)
{
	TAILQ_INIT(&cl.pendq);
}

static int
cluster_linked(void)
{
	return cl.on && cl.linked;
}

static uint64_t
cluster_age(uint64_t t_accept)
{
	return (uint64_t)((int64_t)t_accept + cl.epoch_off);
}

static const struct router_cluster cluster_router = {
	.linked = cluster_linked,
	.age = cluster_age,
	.key_remote = cluster_key_remote,
	.key_held = cluster_key_held,
	.key_changed = cluster_key_changed,
	.send = cluster_send,
	.publish = cluster_publish,
	.session_gone = cluster_session_gone,
	.room_changed = cluster_room_changed,
	.room_sessions = cluster_room_sessions,
	.room_has = cluster_room_has,
	.room_keys = cluster_room_keys,
};

void
cluster_start(int fd, const struct imsg_cluster_node *in)
{
	struct timespec	 ts;

	if (cl.on)
		fatalx("cluster: a second CLUSTER_NODE");
	if (strnlen(in->name, sizeof(in->name)) == sizeof(in->name) ||
	    strnlen(in->node, sizeof(in->node)) == sizeof(in->node) ||
	    in->name[0] == '\0' || in->node[0] == '\0' ||
	    in->timeout_ms < 1000 || in->timeout_ms > 60000)
		fatalx("cluster: bad CLUSTER_NODE");
	strlcpy(cl.name, in->name, sizeof(cl.name));
	strlcpy(cl.node, in->node, sizeof(cl.node));
	cl.timeout = in->timeout_ms;
	/* A new incarnation each start: the others drop what the last said. */
	randombytes_buf(&cl.inc, sizeof(cl.inc));
	clock_gettime(CLOCK_REALTIME, &ts);
	cl.epoch_off = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 -
	    (int64_t)relay_msec();
	if (imsgbuf_init(&cl.ib, fd) == -1)
		fatal("imsgbuf_init");
	cl.ib.wmax = CHAN_MAX;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	event_assign(&cl.ev, relay->base, fd, EV_READ | EV_PERSIST,
	    cluster_dispatch, NULL);
	event_add(&cl.ev, NULL);
	cl.on = 1;
	router_set_cluster(&cluster_router);
	log_info("cluster %s: node %s, timeout %u ms", cl.name, cl.node,
	    cl.timeout);
}

/*
 * Output.  A record goes into its destination's batch, which leaves at
 * the end of the loop turn or when the next record would not fit.
 */
static void
chan_put(int dest, const char *node, const uint8_t *p, size_t len)
{
	struct imsg_cluster_hdr	 h;
	uint8_t			 buf[sizeof(h) + CLUSTER_CHUNK];
	size_t			 n;

	while (len > 0) {
		n = len > CLUSTER_CHUNK ? CLUSTER_CHUNK : len;
		memset(&h, 0, sizeof(h));
		h.dest = (uint32_t)dest;
		h.flags = n < len ? CLUSTER_MORE : 0;
		if (node != NULL)
			strlcpy(h.node, node, sizeof(h.node));
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), p, n);
		if (imsg_compose(&cl.ib, IMSG_CLUSTER_PUB, 0, -1, buf,
		    sizeof(h) + n) == -1)
			fatal("cluster: imsg to the bridge");
		p += n;
		len -= n;
	}
}

static void
obuf_flush(struct obuf *o, int dest, const char *node)
{
	if (o->len == 0)
		return;
	if (cl.linked) {
		chan_put(dest, node, o->p, o->len);
		METRIC_INC(M_CLUSTER_BATCHES_OUT);
		METRIC_ADD(M_CLUSTER_BYTES_OUT, o->len);
	}
	o->len = 0;
	o->state = 0;
}

void
cluster_flush(void)
{
	uint32_t	 i;

	if (!cl.on)
		return;
	obuf_flush(&cl.all, CLUSTER_DEST_ALL, NULL);
	for (i = 0; i < cl.nnodes; i++)
		obuf_flush(&cl.nodes[i].out, CLUSTER_DEST_NODE,
		    cl.nodes[i].name);
	cluster_event();
}

/* Room for need more bytes in the batch to dest (-1: all). */
static uint8_t *
out_reserve(int dest, size_t need, size_t *cap)
{
	struct obuf	*o = dest < 0 ? &cl.all : &cl.nodes[dest].out;
	size_t		 ncap, h;
	uint8_t		*np;

	if (o->len > 0 && o->len + need > CLUSTER_BATCH_MAX)
		obuf_flush(o, dest < 0 ? CLUSTER_DEST_ALL : CLUSTER_DEST_NODE,
		    dest < 0 ? NULL : cl.nodes[dest].name);
	if (o->len + need + CW_HDR_MAX > o->cap) {
		ncap = o->cap ? o->cap : 4096;
		while (ncap < o->len + need + CW_HDR_MAX)
			ncap *= 2;
		if ((np = realloc(o->p, ncap)) == NULL)
			fatal("realloc");
		o->p = np;
		o->cap = ncap;
	}
	if (o->len == 0) {
		h = cw_put_header(o->p, o->cap, cl.node, cl.inc);
		if (h == 0)
			fatalx("cluster: batch header");
		o->len = h;
	}
	*cap = o->cap - o->len;
	return o->p + o->len;
}

static void
out_commit(int dest, size_t n)
{
	struct obuf	*o = dest < 0 ? &cl.all : &cl.nodes[dest].out;

	if (n == 0)
		fatalx("cluster: a record did not fit its batch");
	o->len += n;
}

/*
 * A state record is about to go to dest: the state records waiting for
 * other subjects leave first, so that no node applies them out of order.
 */
static void
state_order(int dest)
{
	uint32_t	 i;

	if (dest >= 0) {
		if (cl.all.state)
			obuf_flush(&cl.all, CLUSTER_DEST_ALL, NULL);
		return;
	}
	for (i = 0; i < cl.nnodes; i++)
		if (cl.nodes[i].out.state)
			obuf_flush(&cl.nodes[i].out, CLUSTER_DEST_NODE,
			    cl.nodes[i].name);
}

static void
state_commit(int dest, size_t n)
{
	out_commit(dest, n);
	(dest < 0 ? &cl.all : &cl.nodes[dest].out)->state = 1;
}

static void
put_key(int dest, const uint8_t *pk, uint32_t n, uint64_t oldest)
{
	uint8_t	*p;
	size_t	 cap;

	state_order(dest);
	p = out_reserve(dest, CW_REC_HDR + SWS_KEY_LEN + 12, &cap);
	state_commit(dest, cw_put_key(p, cap, pk, n, oldest));
}

static void
put_room(int dest, const char *room, size_t len, const uint8_t *pk,
    uint32_t n)
{
	uint8_t	*p;
	size_t	 cap;

	state_order(dest);
	p = out_reserve(dest, CW_REC_HDR + SWS_KEY_LEN + 5 + len, &cap);
	state_commit(dest, cw_put_room(p, cap, pk, n, room, len));
}

static void
put_hello(int dest, uint8_t flags)
{
	uint8_t	*p;
	size_t	 cap;

	p = out_reserve(dest, CW_REC_HDR + 1, &cap);
	out_commit(dest, cw_put_hello(p, cap, flags));
}

static void
put_empty(int dest, int type)
{
	uint8_t	*p;
	size_t	 cap;

	p = out_reserve(dest, CW_REC_HDR, &cap);
	out_commit(dest, cw_put_empty(p, cap, type));
}

static void
put_result(int dest, uint64_t ref, uint8_t code)
{
	uint8_t	*p;
	size_t	 cap;

	p = out_reserve(dest, CW_REC_HDR + 9, &cap);
	out_commit(dest, cw_put_result(p, cap, ref, code));
}

/* Nodes. */
static int
node_find(const char *name)
{
	uint32_t	 i;

	for (i = 0; i < cl.nnodes; i++)
		if (strcmp(cl.nodes[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A batch came from name: it is alive; -1 when it cannot be kept. */
static int
node_heard(const char *name, uint64_t inc, int hello)
{
	struct node	*n;
	int		 i;

	if (strcmp(name, cl.node) == 0) {
		if (inc != cl.inc)
			log_warnx("cluster: another node calls itself %s: "
			    "node names must be unique", name);
		return -1;
	}
	if ((i = node_find(name)) == -1) {
		if (cl.nnodes == NODES_MAX) {
			log_warnx("cluster: node %s ignored: more than %d "
			    "other nodes", name, NODES_MAX);
			return -1;
		}
		i = (int)cl.nnodes++;
		n = &cl.nodes[i];
		memset(n, 0, sizeof(*n));
		strlcpy(n->name, name, sizeof(n->name));
	}
	n = &cl.nodes[i];
	if (n->alive && n->inc != inc) {
		log_info("cluster: node %s restarted", name);
		node_dead((uint32_t)i);
	}
	n->seen = relay_msec();
	if (!n->alive) {
		n->alive = 1;
		n->inc = inc;
		log_info("cluster: node %s is up", name);
		/* Heard of it not by its HELLO: ask for what it holds. */
		if (!hello)
			put_hello(i, CW_HELLO_ASK);
	}
	return i;
}

/* The directory. */
static struct rkey *
rkey_find(const uint8_t *pk)
{
	struct rkey	*k;

	HASH_FIND(hh, cl.keys, pk, SWS_KEY_LEN, k);
	return k;
}

static void
key_set(uint32_t node, const uint8_t *pk, uint32_t n, uint64_t oldest)
{
	struct rkey	*k = rkey_find(pk);
	struct kent	*e, **ep;

	if (k == NULL) {
		if (n == 0)
			return;
		if ((k = calloc(1, sizeof(*k))) == NULL)
			fatal("calloc");
		memcpy(k->pk, pk, SWS_KEY_LEN);
		HASH_ADD(hh, cl.keys, pk, SWS_KEY_LEN, k);
	}
	for (ep = &k->ents; (e = *ep) != NULL; ep = &e->next)
		if (e->node == node)
			break;
	if (n == 0) {
		if (e != NULL) {
			*ep = e->next;
			free(e);
		}
	} else {
		if (e == NULL) {
			if ((e = calloc(1, sizeof(*e))) == NULL)
				fatal("calloc");
			e->node = node;
			*ep = e;
		}
		e->n = n;
		e->oldest = oldest;
	}
	if (k->ents == NULL) {
		HASH_DEL(cl.keys, k);
		free(k);
	}
}

/* Whether (a, an) is older than (b, bn): by age, then by node name. */
static int
older(uint64_t a, const char *an, uint64_t b, const char *bn)
{
	if (a != b)
		return a < b;
	return strcmp(an, bn) < 0;
}

static uint32_t
cluster_key_remote(const uint8_t *pk, uint64_t *mine_oldest)
{
	struct rkey	*k;
	struct kent	*e;
	uint32_t	 n = 0;
	int		 mine = 1;

	if (!cl.on || (k = rkey_find(pk)) == NULL) {
		if (mine_oldest != NULL)
			*mine_oldest = 1;
		return 0;
	}
	for (e = k->ents; e != NULL; e = e->next) {
		n += e->n;
		if (mine_oldest != NULL && older(e->oldest,
		    cl.nodes[e->node].name, *mine_oldest, cl.node))
			mine = 0;
	}
	if (mine_oldest != NULL)
		*mine_oldest = (uint64_t)mine;
	return n;
}

static int
cluster_key_held(const uint8_t *pk)
{
	return cl.on && rkey_find(pk) != NULL;
}

/*
 * More sessions of a key than the cap, counted over the cluster: the
 * node with the oldest closes it, each node deciding alone on what it
 * was told, so exactly one does.
 */
static void
key_excess(const uint8_t *pk)
{
	struct session	*k;
	uint64_t	 mine;
	uint32_t	 remote;

	while ((k = router_key_first(pk)) != NULL) {
		mine = cluster_age(k->t_accept);
		remote = cluster_key_remote(pk, &mine);
		if (k->nkey + remote <= relay->lim.max_sessions_per_key ||
		    mine == 0)
			return;
		log_debug("cluster: key over its session cap across nodes: "
		    "closing session %llu", (unsigned long long)k->serial);
		conn_close(k, WS_CLOSE_REPLACED, "replaced");
	}
}

static void
cluster_key_changed(const uint8_t *pk)
{
	struct session	*k;

	if (!cl.on)
		return;
	k = router_key_first(pk);
	put_key(-1, pk, k != NULL ? k->nkey : 0, k != NULL ?
	    cluster_age(k->t_accept) : 0);
}

/* Rooms. */
static struct rroom *
rroom_find(const char *room, size_t len)
{
	struct rroom	*r;

	HASH_FIND(hh, cl.rooms, room, len, r);
	return r;
}

static uint32_t
cluster_room_sessions(const char *room, size_t len)
{
	struct rroom	*r;

	if (!cl.on || (r = rroom_find(room, len)) == NULL)
		return 0;
	return r->nsess;
}

static int
cluster_room_has(const char *room, size_t len, const uint8_t *pk)
{
	struct rroom	*r;
	struct rmember	*m;

	if (!cl.on || (r = rroom_find(room, len)) == NULL)
		return 0;
	HASH_FIND(hh, r->members, pk, SWS_KEY_LEN, m);
	return m != NULL;
}

static void
cluster_room_keys(const char *room, size_t len,
    void (*fn)(const uint8_t *, void *), void *arg)
{
	struct rroom	*r;
	struct rmember	*m, *tmp;

	if (!cl.on || (r = rroom_find(room, len)) == NULL)
		return;
	HASH_ITER(hh, r->members, m, tmp)
		fn(m->pk, arg);
}

static void
cluster_room_changed(const char *room, size_t len, const uint8_t *pk,
    uint32_t n)
{
	if (cl.on)
		put_room(-1, room, len, pk, n);
}

/*
 * Node's member sessions of pk in room are n now.  A key that comes or
 * goes cluster-wide is PRESENCE for the room's local members.
 */
static void
room_set(uint32_t node, const char *room, size_t len, const uint8_t *pk,
    uint32_t n)
{
	struct rroom	*r = rroom_find(room, len);
	struct rmember	*m = NULL;
	struct ment	*e = NULL, **ep = NULL;
	int		 before, after;

	before = router_room_local(room, len, pk) > 0 ||
	    cluster_room_has(room, len, pk);
	if (r == NULL) {
		if (n == 0)
			return;
		if ((r = calloc(1, sizeof(*r))) == NULL)
			fatal("calloc");
		memcpy(r->name, room, len);
		r->len = len;
		HASH_ADD_KEYPTR(hh, cl.rooms, r->name, r->len, r);
	}
	HASH_FIND(hh, r->members, pk, SWS_KEY_LEN, m);
	if (m == NULL && n > 0) {
		if ((m = calloc(1, sizeof(*m))) == NULL)
			fatal("calloc");
		memcpy(m->pk, pk, SWS_KEY_LEN);
		HASH_ADD(hh, r->members, pk, SWS_KEY_LEN, m);
	}
	if (m != NULL) {
		for (ep = &m->ents; (e = *ep) != NULL; ep = &e->next)
			if (e->node == node)
				break;
		if (e != NULL)
			r->nsess -= e->n;
		if (n == 0 && e != NULL) {
			*ep = e->next;
			free(e);
		} else if (n > 0) {
			if (e == NULL) {
				if ((e = calloc(1, sizeof(*e))) == NULL)
					fatal("calloc");
				e->node = node;
				*ep = e;
			}
			e->n = n;
			r->nsess += n;
		}
		if (m->ents == NULL) {
			HASH_DEL(r->members, m);
			free(m);
		}
	}
	if (r->members == NULL) {
		HASH_DEL(cl.rooms, r);
		free(r);
	}
	after = router_room_local(room, len, pk) > 0 ||
	    cluster_room_has(room, len, pk);
	if (before != after)
		router_room_presence(room, len, pk, after);
}

/* Everything node announced goes: it is dead, or we are cut off. */
static void
node_dead(uint32_t node)
{
	struct rkey	*k, *ktmp;
	struct kent	*e;
	struct rroom	*r, *rtmp;
	struct rmember	*m, *mtmp;
	struct ment	*me;
	uint8_t		 pk[SWS_KEY_LEN];
	char		 name[SWS_ROOM_MAX];
	size_t		 len;

	cl.nodes[node].alive = 0;
	cl.nodes[node].out.len = 0;
	cl.nodes[node].out.state = 0;
	METRIC_INC(M_CLUSTER_NODES_DOWN);
	HASH_ITER(hh, cl.keys, k, ktmp) {
		for (e = k->ents; e != NULL; e = e->next)
			if (e->node == node)
				break;
		if (e != NULL) {
			memcpy(pk, k->pk, sizeof(pk));
			key_set(node, pk, 0, 0);
		}
	}
	HASH_ITER(hh, cl.rooms, r, rtmp) {
		memcpy(name, r->name, r->len);
		len = r->len;
		/* room_set() may free r, and with its last member m */
		HASH_ITER(hh, r->members, m, mtmp) {
			for (me = m->ents; me != NULL; me = me->next)
				if (me->node == node)
					break;
			if (me == NULL)
				continue;
			memcpy(pk, m->pk, sizeof(pk));
			if (mtmp == NULL) {
				room_set(node, name, len, pk, 0);
				break;
			}
			room_set(node, name, len, pk, 0);
		}
	}
}

/* Local state to dest (-1: all): every key, every room member. */
static void
dump_key(struct session *k, void *arg)
{
	put_key(*(int *)arg, k->pk, k->nkey, cluster_age(k->t_accept));
}

static void
dump_member(const char *room, size_t len, const uint8_t *pk, uint32_t n,
    void *arg)
{
	put_room(*(int *)arg, room, len, pk, n);
}

static void
dump_state(int dest)
{
	router_foreach_key(dump_key, &dest);
	router_foreach_member(dump_member, &dest);
}

/* SEND across nodes. */
static struct pend *
pend_find(uint64_t ref)
{
	struct pend	*p;

	HASH_FIND(hh, cl.pend, &ref, sizeof(ref), p);
	return p;
}

static int
cluster_send(struct session *s, const struct sws_req *req, int had_local,
    const char *local, const char **code, const char **message)
{
	struct rkey	*k = rkey_find(req->key);
	struct kent	*e;
	struct pend	*p = NULL;
	uint8_t		*w;
	size_t		 cap;
	uint32_t	 n = 0;

	if (CW_SEND_LEN(req->body_len) + CW_HDR_MAX > CLUSTER_BATCH_MAX) {
		*code = SWS_E_TOO_LARGE;
		*message = "the message is too large to cross nodes";
		return ROUTE_FAILED;
	}
	if (imsgbuf_queued(&cl.ib) > CHAN_SOFT || (req->has_id &&
	    (cl.npend >= PENDING_MAX || s->cpend >= PENDING_PER_SESSION))) {
		*code = SWS_E_BUSY;
		*message = "the cluster cannot take more now";
		return ROUTE_FAILED;
	}
	if (req->has_id) {
		if ((p = calloc(1, sizeof(*p))) == NULL)
			fatal("calloc");
		p->ref = ++cl.next_ref;
		p->s = s;
		p->id = req->id;
		p->deadline = relay_msec() + cl.timeout;
		p->delivered = had_local && local == NULL;
		p->busy = local != NULL && strcmp(local, SWS_E_BUSY) == 0;
		p->too_large = local != NULL &&
		    strcmp(local, SWS_E_TOO_LARGE) == 0;
	}
	for (e = k->ents; e != NULL; e = e->next) {
		w = out_reserve((int)e->node, CW_SEND_LEN(req->body_len),
		    &cap);
		out_commit((int)e->node, cw_put_send(w, cap, p != NULL ?
		    p->ref : 0, s->pk, req->key, req->body, req->body_len));
		METRIC_INC(M_CLUSTER_SENDS_OUT);
		n++;
	}
	if (p == NULL)
		return ROUTE_OK;
	p->outstanding = n;
	HASH_ADD(hh, cl.pend, ref, sizeof(p->ref), p);
	TAILQ_INSERT_TAIL(&cl.pendq, p, entry);
	cl.npend++;
	s->cpend++;
	return ROUTE_PENDING;
}

/* The answer, once every node has given its part or the time is up. */
static void
pend_answer(struct pend *p, int late)
{
	struct session	*s = p->s;

	HASH_DEL(cl.pend, p);
	TAILQ_REMOVE(&cl.pendq, p, entry);
	cl.npend--;
	if (late)
		METRIC_INC(M_CLUSTER_TIMEOUTS);
	if (s != NULL) {
		s->cpend--;
		if (p->busy)
			session_answer(s, p->id, SWS_E_BUSY,
			    "the recipient cannot take more now");
		else if (p->too_large)
			session_answer(s, p->id, SWS_E_TOO_LARGE,
			    "the message would exceed the size limit");
		else if (p->delivered)
			session_answer(s, p->id, NULL, NULL);
		else if (late)
			session_answer(s, p->id, SWS_E_UNAVAILABLE,
			    "another node did not answer in time");
		else
			session_answer(s, p->id, SWS_E_OFFLINE,
			    "no session has that key");
	}
	free(p);
}

static void
cluster_session_gone(struct session *s)
{
	struct pend	*p;

	if (s->cpend == 0)
		return;
	TAILQ_FOREACH(p, &cl.pendq, entry)
		if (p->s == s)
			p->s = NULL;
	s->cpend = 0;
}

static void
cluster_publish(struct session *s, const struct sws_req *req)
{
	struct rroom	*r;
	struct rmember	*m, *tmp;
	struct ment	*e;
	uint64_t	 sent = 0;
	uint8_t		*w;
	size_t		 cap, need;

	if (!cl.on || (r = rroom_find(req->room, req->room_len)) == NULL)
		return;
	need = CW_PUBLISH_LEN(req->room_len, req->body_len);
	if (need + CW_HDR_MAX > CLUSTER_BATCH_MAX ||
	    imsgbuf_queued(&cl.ib) > CHAN_SOFT) {
		METRIC_INC(M_PUBLISH_MISSED);
		return;
	}
	/* Once per node with members, whatever their number. */
	HASH_ITER(hh, r->members, m, tmp)
		for (e = m->ents; e != NULL; e = e->next) {
			if (e->node >= 64 || (sent & (1ULL << e->node)))
				continue;
			sent |= 1ULL << e->node;
			w = out_reserve((int)e->node, need, &cap);
			out_commit((int)e->node, cw_put_publish(w, cap, s->pk,
			    req->room, req->room_len, req->body,
			    req->body_len));
		}
}

/* What came from another node. */
static void
batch_run(const uint8_t *p, size_t len, int dest)
{
	struct cw_batch	 b;
	struct cw_rec	 r;
	struct pend	*pe;
	int		 node, rv, code;

	METRIC_INC(M_CLUSTER_BATCHES_IN);
	METRIC_ADD(M_CLUSTER_BYTES_IN, len);
	if (cw_batch_open(p, len, &b) == -1) {
		METRIC_INC(M_CLUSTER_BAD_BATCHES);
		log_warnx("cluster: a batch that is not ours (%zu bytes)",
		    len);
		return;
	}
	/* The first record says whether this is a HELLO. */
	{
		struct cw_batch	 peek = b;

		rv = cw_next(&peek, &r);
	}
	if ((node = node_heard(b.node, b.incarnation, rv == 1 &&
	    r.type == CW_HELLO)) == -1)
		return;
	while ((rv = cw_next(&b, &r)) == 1) {
		switch (r.type) {
		case CW_HELLO:
			if (r.flags & CW_HELLO_ASK)
				dump_state(node);
			break;
		case CW_BEAT:
			break;
		case CW_BYE:
			log_info("cluster: node %s stopped", b.node);
			node_dead((uint32_t)node);
			return;
		case CW_KEY:
			key_set((uint32_t)node, r.pk, r.n, r.oldest);
			key_excess(r.pk);
			break;
		case CW_ROOM:
			room_set((uint32_t)node, r.room, r.room_len, r.pk,
			    r.n);
			break;
		case CW_SEND:
			METRIC_INC(M_CLUSTER_SENDS_IN);
			code = router_deliver(r.from, r.pk, r.body,
			    r.body_len);
			if (r.ref != 0)
				put_result(node, r.ref, (uint8_t)code);
			break;
		case CW_RESULT:
			if ((pe = pend_find(r.ref)) == NULL)
				break;	/* answered already: late */
			if (r.code == CW_OK)
				pe->delivered = 1;
			else if (r.code == CW_BUSY)
				pe->busy = 1;
			else if (r.code == CW_TOO_LARGE)
				pe->too_large = 1;
			if (--pe->outstanding == 0)
				pend_answer(pe, 0);
			break;
		case CW_PUBLISH:
			router_room_deliver(r.from, r.room, r.room_len,
			    r.body, r.body_len);
			break;
		}
	}
	if (rv == -1) {
		METRIC_INC(M_CLUSTER_BAD_BATCHES);
		log_warnx("cluster: node %s: a bad record; the rest of its "
		    "batch dropped", b.node);
	}
	(void)dest;
}

static void
link_state(const struct imsg_cluster_link *lk)
{
	struct pend	*p;
	uint32_t	 i;

	if (lk->state == CLUSTER_LINK_UP) {
		if (cl.linked)
			return;
		cl.linked = 1;
		log_info("cluster: linked to NATS at %.*s",
		    (int)strnlen(lk->server, sizeof(lk->server)), lk->server);
		/* Our state to all, and theirs to us. */
		cl.all.len = 0;
		cl.all.state = 0;
		put_hello(-1, CW_HELLO_ASK);
		dump_state(-1);
		cl.last_beat = relay_msec();
		return;
	}
	if (!cl.linked)
		return;
	cl.linked = 0;
	METRIC_INC(M_CLUSTER_LINK_LOST);
	log_warnx("cluster: lost NATS: serving local sessions only");
	for (i = 0; i < cl.nnodes; i++)
		if (cl.nodes[i].alive)
			node_dead(i);
	cl.all.len = 0;
	cl.all.state = 0;
	while ((p = TAILQ_FIRST(&cl.pendq)) != NULL)
		pend_answer(p, 1);
}

static void
msg_chunk(const uint8_t *data, size_t len)
{
	struct imsg_cluster_hdr	 h;
	size_t			 n, ncap;
	uint8_t			*np;

	if (len < sizeof(h))
		fatalx("cluster: short CLUSTER_MSG");
	memcpy(&h, data, sizeof(h));
	n = len - sizeof(h);
	if (cl.in_len + n > CLUSTER_BATCH_MAX)
		fatalx("cluster: a batch above %u bytes from the bridge",
		    CLUSTER_BATCH_MAX);
	if (cl.in_len + n > cl.in_cap) {
		ncap = cl.in_cap ? cl.in_cap : 16384;
		while (ncap < cl.in_len + n)
			ncap *= 2;
		if ((np = realloc(cl.in, ncap)) == NULL)
			fatal("realloc");
		cl.in = np;
		cl.in_cap = ncap;
	}
	memcpy(cl.in + cl.in_len, data + sizeof(h), n);
	cl.in_len += n;
	if (h.flags & CLUSTER_MORE)
		return;
	batch_run(cl.in, cl.in_len, (int)h.dest);
	cl.in_len = 0;
}

static void
msg_cluster_msg(struct imsg *imsg, void *arg)
{
	(void)arg;
	msg_chunk(imsg->data, imsg->len);
}

static void
msg_cluster_link(struct imsg *imsg, void *arg)
{
	struct imsg_cluster_link	 lk;

	(void)arg;
	memcpy(&lk, imsg->data, sizeof(lk));
	if (lk.state != CLUSTER_LINK_UP && lk.state != CLUSTER_LINK_DOWN)
		fatalx("cluster: link state %u", lk.state);
	link_state(&lk);
}

/* What the relay accepts from the bridge. */
static const struct imsg_handler cluster_imsg[] = {
	{ IMSG_CLUSTER_MSG, "CLUSTER_MSG", IMSG_PEER(PROC_CLUSTER),
	    sizeof(struct imsg_cluster_hdr) + 1,
	    sizeof(struct imsg_cluster_hdr) + CLUSTER_CHUNK, IMSG_FD_NO,
	    msg_cluster_msg },
	{ IMSG_CLUSTER_LINK, "CLUSTER_LINK", IMSG_PEER(PROC_CLUSTER),
	    sizeof(struct imsg_cluster_link), sizeof(struct imsg_cluster_link),
	    IMSG_FD_NO, msg_cluster_link },
};

static void
cluster_dispatch(int fd, short what, void *arg)
{
	ssize_t	 n;

	(void)fd;
	(void)arg;
	if ((what & EV_WRITE) && imsgbuf_write(&cl.ib) == -1)
		fatal("write to the cluster bridge");
	if (what & EV_READ) {
		n = imsgbuf_read(&cl.ib);
		if (n == -1 && errno != EAGAIN)
			fatal("read from the cluster bridge");
		if (n == 0) {
			if (relay->shutting_down)
				exit(0);
			fatalx("the cluster bridge went away");
		}
		imsg_dispatch(&cl.ib, PROC_CLUSTER, cluster_imsg,
		    IMSG_NHANDLERS(cluster_imsg), NULL);
	}
	cluster_event();
}

static void
cluster_event(void)
{
	short	 what = EV_READ | EV_PERSIST;

	if (!cl.on)
		return;
	if (imsgbuf_queued(&cl.ib) > 0)
		what |= EV_WRITE;
	if (event_get_events(&cl.ev) == what)
		return;
	event_del(&cl.ev);
	event_assign(&cl.ev, relay->base, cl.ib.fd, what, cluster_dispatch,
	    NULL);
	event_add(&cl.ev, NULL);
}

void
cluster_tick(void)
{
	struct pend	*p;
	uint64_t	 now = relay_msec();
	uint32_t	 i;

	if (!cl.on)
		return;
	while ((p = TAILQ_FIRST(&cl.pendq)) != NULL && p->deadline <= now)
		pend_answer(p, 1);
	if (!cl.linked)
		return;
	for (i = 0; i < cl.nnodes; i++)
		if (cl.nodes[i].alive && now - cl.nodes[i].seen > cl.timeout) {
			log_warnx("cluster: node %s silent for %u ms: taken "
			    "as down", cl.nodes[i].name, cl.timeout);
			node_dead(i);
		}
	if (now - cl.last_beat >= cl.timeout / 4) {
		put_empty(-1, CW_BEAT);
		cl.last_beat = now;
	}
}

void
cluster_bye(void)
{
	if (!cl.on || !cl.linked)
		return;
	put_empty(-1, CW_BYE);
	cluster_flush();
	(void)imsgbuf_flush(&cl.ib);
	/* The sessions' closes that follow are ours alone now. */
	cl.linked = 0;
}

void
cluster_gauges(struct metrics_gauges *g)
{
	uint32_t	 i;

	if (!cl.on)
		return;
	g->cluster = 1;
	g->cluster_linked = (uint64_t)cl.linked;
	for (i = 0; i < cl.nnodes; i++)
		if (cl.nodes[i].alive)
			g->cluster_nodes++;
	g->cluster_keys = HASH_COUNT(cl.keys);
	g->cluster_pending = cl.npend;
}
