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
 * The relay process: one libevent loop that accepts connections on the
 * sockets the parent passed, runs every session, asks cryptod about
 * registrations, and applies the settings the parent sends (at start and
 * on every reload).  It holds no key and opens no socket of its own.
 *
 * The top of the relay's layers: relay.c calls the connection layer
 * (conn.c), which calls the session layer (session.c), which calls the
 * router (router.c), which queues output (outq.c); none calls back up.
 * Output is not written where it is produced: a session with something
 * to send goes on the flush list, and after each turn of the event loop
 * each such session is written once, so many frames leave in one write.
 * Timeouts are kept in lists ordered by deadline (clock.c), walked from
 * the head by a coarse tick: no per-session timer, no scan of every
 * session.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "clock.h"
#include "cluster.h"
#include "conn.h"
#include "http.h"
#include "limit.h"
#include "log.h"
#include "metrics.h"
#include "outq.h"
#include "proc.h"
#include "proxy.h"
#include "proto.h"
#include "relay.h"
#include "relay_ctl.h"
#include "relay_main.h"
#include "router.h"
#include "session.h"
#include "tlsctx.h"

#define TICK_MS		200
#define LINGER_SECS	2		/* wait for the peer after our close */
#define CRYPTOD_QUEUE_SOFT (IMSG_WBUF_MAX / 4)	/* then "unavailable" */
#define RETRY_FULL	5		/* Retry-After at max connections */

struct relay	*relay;

static void	relay_dispatch_parent(int, short, void *);
static void	relay_dispatch_cryptod(int, short, void *);
static void	relay_accept(int, short, void *);
static void	relay_tick(int, short, void *);
static void	relay_status(uint64_t);
static void	relay_flush(void);
static void	relay_sigterm(int, short, void *);
static void	relay_shutdown(void);
static void	relay_exit(int, short, void *);
static void	relay_apply_conf(void);
static void	relay_listener_add(int, const struct imsg_listener *);
static void	relay_listener_del(int);
static void	relay_imsg_event(struct imsgbuf *, struct event *,
		    event_callback_fn);
static int	relay_cryptod_send(uint32_t, const void *, size_t);
static void	msg_conf_limits(struct imsg *, void *);
static void	msg_conf_origin(struct imsg *, void *);
static void	msg_conf_end(struct imsg *, void *);
static void	msg_listener_add(struct imsg *, void *);
static void	msg_listener_del(struct imsg *, void *);
static void	msg_listener_set(struct imsg *, void *);
static void	msg_shutdown(struct imsg *, void *);
static void	msg_tls_conf(struct imsg *, void *);
static void	msg_tls_data(struct imsg *, void *);
static void	msg_tls_end(struct imsg *, void *);
static void	msg_ctl_req(struct imsg *, void *);
static void	msg_challenge(struct imsg *, void *);
static void	msg_verified(struct imsg *, void *);
static void	msg_rejected(struct imsg *, void *);
static void	msg_pong(struct imsg *, void *);
static void	msg_cluster_node(struct imsg *, void *);
static int	relay_ping(uint64_t);

/* What the relay accepts from the parent and from cryptod. */
static const struct imsg_handler relay_imsg[] = {
	{ IMSG_CONF_LIMITS, "CONF_LIMITS", IMSG_PEER(PROC_PARENT),
	    sizeof(struct relay_limits), sizeof(struct relay_limits),
	    IMSG_FD_NO, msg_conf_limits },
	{ IMSG_CONF_ORIGIN, "CONF_ORIGIN", IMSG_PEER(PROC_PARENT),
	    2, CONF_NAME_MAX, IMSG_FD_NO, msg_conf_origin },
	{ IMSG_CONF_END, "CONF_END", IMSG_PEER(PROC_PARENT),
	    0, 0, IMSG_FD_NO, msg_conf_end },
	{ IMSG_LISTENER_ADD, "LISTENER_ADD", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_listener), sizeof(struct imsg_listener),
	    IMSG_FD_MUST, msg_listener_add },
	{ IMSG_LISTENER_DEL, "LISTENER_DEL", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_listener), sizeof(struct imsg_listener),
	    IMSG_FD_NO, msg_listener_del },
	{ IMSG_LISTENER_SET, "LISTENER_SET", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_listener), sizeof(struct imsg_listener),
	    IMSG_FD_NO, msg_listener_set },
	{ IMSG_SHUTDOWN, "SHUTDOWN", IMSG_PEER(PROC_PARENT),
	    0, 0, IMSG_FD_NO, msg_shutdown },
	{ IMSG_TLS_CONF, "TLS_CONF", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_tls_conf), sizeof(struct imsg_tls_conf),
	    IMSG_FD_NO, msg_tls_conf },
	{ IMSG_TLS_DATA, "TLS_DATA", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_tls_chunk) + 1,
	    sizeof(struct imsg_tls_chunk) + TLS_CHUNK_MAX, IMSG_FD_NO,
	    msg_tls_data },
	{ IMSG_TLS_END, "TLS_END", IMSG_PEER(PROC_PARENT),
	    0, 0, IMSG_FD_NO, msg_tls_end },
	{ IMSG_CTL_REQ, "CTL_REQ", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_ctl_req), sizeof(struct imsg_ctl_req),
	    IMSG_FD_NO, msg_ctl_req },
	{ IMSG_CTL_VERBOSE, "CTL_VERBOSE", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_ctl_verbose), sizeof(struct imsg_ctl_verbose),
	    IMSG_FD_NO, imsg_ctl_verbose },
	{ IMSG_CLUSTER_NODE, "CLUSTER_NODE", IMSG_PEER(PROC_PARENT),
	    sizeof(struct imsg_cluster_node), sizeof(struct imsg_cluster_node),
	    IMSG_FD_NO, msg_cluster_node },
	{ IMSG_CHALLENGE, "CHALLENGE", IMSG_PEER(PROC_CRYPTOD),
	    sizeof(struct imsg_challenge), sizeof(struct imsg_challenge),
	    IMSG_FD_NO, msg_challenge },
	{ IMSG_VERIFIED, "VERIFIED", IMSG_PEER(PROC_CRYPTOD),
	    sizeof(struct imsg_verified), sizeof(struct imsg_verified),
	    IMSG_FD_NO, msg_verified },
	{ IMSG_REJECTED, "REJECTED", IMSG_PEER(PROC_CRYPTOD),
	    sizeof(struct imsg_rejected), sizeof(struct imsg_rejected),
	    IMSG_FD_NO, msg_rejected },
	{ IMSG_PONG, "PONG", IMSG_PEER(PROC_CRYPTOD),
	    sizeof(struct imsg_ping), sizeof(struct imsg_ping),
	    IMSG_FD_NO, msg_pong },
};

void
relay_main(int debug, int verbose, const char *user, const char *chroot_dir)
{
	struct timeval	 tv;
	struct rlimit	 rl;
	int		 i, cfd;

	proc_init(PROC_RELAY);
	log_init(debug ? LOG_TO_STDERR : LOG_TO_PIPE, verbose, 0);
	log_procinit("relay");
	proc_title(proc_table[PROC_RELAY].title);

	if ((relay = calloc(1, sizeof(*relay))) == NULL)
		fatal("calloc");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);	/* the parent reloads for us */
	signal(SIGINT, SIG_IGN);

	if ((relay->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	TAILQ_INIT(&relay->listeners);
	for (i = 0; i < TL_MAX; i++)
		TAILQ_INIT(&relay->tl[i]);
	TAILQ_INIT(&relay->flushq);
	TAILQ_INIT(&relay->fullq);
	RB_INIT(&relay->by_sid);
	relay->rl[RL_HTTP].kind = "HTTP refusals";
	relay->rl[RL_RATE].kind = "rate limit refusals";
	relay->rl[RL_CAPACITY].kind = "over capacity refusals";
	relay->rl[RL_PROXY].kind = "PROXY header refusals";
	relay->rl[RL_REGISTER].kind = "failed registrations";
	relay->rl[RL_TLS].kind = "TLS handshake failures";
	if (sodium_init() == -1)
		fatalx("sodium_init");
	router_init();
	cluster_init();
	limit_init();
	conn_init();
	conn_start();
	session_init(relay_cryptod_send);
	admin_init(relay->base, relay_ctl_gauges, relay_ping);
	relay->start_time = time(NULL);
	/* OpenSSL's configuration is read now, outside the chroot. */
	tlsctx_init(proc_fd(PROC_RELAY, PROC_CA));

	cfd = proc_fd(PROC_RELAY, PROC_CRYPTOD);
	if (imsgbuf_init(&relay->parent, PROC_FD_PARENT) == -1 ||
	    imsgbuf_init(&relay->cryptod, cfd) == -1)
		fatal("imsgbuf_init");
	if (fcntl(PROC_FD_PARENT, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(cfd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	event_assign(&relay->ev_parent, relay->base, PROC_FD_PARENT,
	    EV_READ | EV_PERSIST, relay_dispatch_parent, NULL);
	event_assign(&relay->ev_cryptod, relay->base, cfd,
	    EV_READ | EV_PERSIST, relay_dispatch_cryptod, NULL);
	event_add(&relay->ev_parent, NULL);
	event_add(&relay->ev_cryptod, NULL);
	event_assign(&relay->ev_tick, relay->base, -1, EV_PERSIST,
	    relay_tick, NULL);
	tv.tv_sec = 0;
	tv.tv_usec = TICK_MS * 1000;
	event_add(&relay->ev_tick, &tv);
	event_assign(&relay->ev_exit, relay->base, -1, 0, relay_exit, NULL);
	evsignal_assign(&relay->ev_sigterm, relay->base, SIGTERM,
	    relay_sigterm, NULL);
	evsignal_add(&relay->ev_sigterm, NULL);

	/* One descriptor per connection: take all the system allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE");
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		relay->nofile = rl.rlim_cur;

	/* Everything that opens files or sockets is done: lock it down. */
	proc_drop(PROC_RELAY, user, chroot_dir);
	log_debug("started");
	/* A turn's lines leave in one write, after the turn (below). */
	log_hold();

	/*
	 * One loop turn handles every ready descriptor, then writes each
	 * session's output once: frames produced in the turn leave together.
	 */
	for (;;) {
		if (event_base_loop(relay->base, EVLOOP_ONCE) == -1)
			fatalx("event_base_loop");
		cluster_flush();
		relay_flush();
		log_flush();
	}
}

/*
 * The settings arrive as LIMITS, ORIGIN*, END and take effect together,
 * for new checks: sessions in progress are kept.
 */
static void
relay_apply_conf(void)
{
	struct limit_conf	 lc;
	size_t			 i;

	for (i = 0; i < relay->norigins; i++)
		free(relay->origins[i]);
	free(relay->origins);
	relay->origins = relay->neworigins;
	relay->norigins = relay->nneworigins;
	relay->neworigins = NULL;
	relay->nneworigins = 0;
	relay->lim = relay->newlim;

	relay->policy.path = relay->lim.path;
	relay->policy.echo_path = relay->lim.echo_path[0] != '\0' ?
	    relay->lim.echo_path : NULL;
	relay->policy.origins = (const char *const *)relay->origins;
	relay->policy.norigins = relay->norigins;

	memset(&lc, 0, sizeof(lc));
	lc.max_conn_per_addr = relay->lim.max_conn_per_addr;
	lc.max_pending = relay->lim.max_pending;
	lc.max_pending_per_addr = relay->lim.max_pending_per_addr;
	lc.hs_rate = relay->lim.hs_rate;
	lc.hs_burst = relay->lim.hs_burst;
	lc.reg_rate = relay->lim.reg_rate;
	lc.reg_burst = relay->lim.reg_burst;
	lc.v4_prefix = relay->lim.v4_prefix;
	lc.v6_prefix = relay->lim.v6_prefix;
	/* As many remembered as can be connected: the table at most doubles. */
	lc.max_idle = relay->lim.max_conn;
	limit_configure(&lc);

	/* Buffers sized by the largest message the settings allow. */
	session_configure();
	outq_configure();
	if (relay->nofile > 0 && relay->lim.max_conn + 32 > relay->nofile)
		log_warnx("max connections %u is above what %llu descriptors "
		    "allow: accepting pauses when they run out",
		    relay->lim.max_conn, (unsigned long long)relay->nofile);
	relay->configured = 1;
	log_debug("settings applied: max message %u, %zu origins",
	    relay->lim.max_message, relay->norigins);
	if (imsg_compose(&relay->parent, IMSG_RELAY_READY, 0, -1, NULL, 0)
	    == -1)
		fatal("imsg_compose");
	relay_imsg_event(&relay->parent, &relay->ev_parent,
	    relay_dispatch_parent);
}

static void
relay_imsg_event(struct imsgbuf *ib, struct event *ev, event_callback_fn cb)
{
	short	 what = EV_READ | EV_PERSIST;
	int	 fd = ib->fd;

	if (imsgbuf_queued(ib) > 0)
		what |= EV_WRITE;
	if (event_get_events(ev) == what)
		return;
	event_del(ev);
	event_assign(ev, relay->base, fd, what, cb, NULL);
	event_add(ev, NULL);
}

/*
 * Queue a request for cryptod.  New work (challenges, verifications) is
 * refused while the queue is long, which the session reports as
 * "unavailable"; the room left above that line is for FORGET, which must
 * never fail, or cryptod would hold a challenge forever.  The session
 * layer calls it through the pointer given to session_init().
 */
static int
relay_cryptod_send(uint32_t type, const void *data, size_t len)
{
	if (type != IMSG_FORGET &&
	    imsgbuf_queued(&relay->cryptod) > CRYPTOD_QUEUE_SOFT)
		return -1;
	if (imsg_compose(&relay->cryptod, type, 0, -1, data, len) == -1)
		fatal("imsg to cryptod");
	relay_imsg_event(&relay->cryptod, &relay->ev_cryptod,
	    relay_dispatch_cryptod);
	return 0;
}

static void
relay_dispatch_parent(int fd, short what, void *arg)
{
	struct imsgbuf		*ib = &relay->parent;
	ssize_t			 n;

	(void)fd;
	(void)arg;
	if (what & EV_WRITE) {
		if (imsgbuf_write(ib) == -1)
			fatal("write to parent");
	}
	if (what & EV_READ) {
		n = imsgbuf_read(ib);
		if (n == -1 && errno != EAGAIN)
			fatal("read from parent");
		if (n == 0) {
			log_debug("parent went away");
			exit(relay->shutting_down ? 0 : 1);
		}
		imsg_dispatch(ib, PROC_PARENT, relay_imsg,
		    IMSG_NHANDLERS(relay_imsg), NULL);
	}
	relay_imsg_event(ib, &relay->ev_parent, relay_dispatch_parent);
}

static void
relay_dispatch_cryptod(int fd, short what, void *arg)
{
	struct imsgbuf		*ib = &relay->cryptod;
	ssize_t			 n;

	(void)fd;
	(void)arg;
	if (what & EV_WRITE) {
		if (imsgbuf_write(ib) == -1)
			fatal("write to cryptod");
	}
	if (what & EV_READ) {
		n = imsgbuf_read(ib);
		if (n == -1 && errno != EAGAIN)
			fatal("read from cryptod");
		if (n == 0) {
			if (relay->shutting_down)
				exit(0);
			fatalx("cryptod went away");
		}
		imsg_dispatch(ib, PROC_CRYPTOD, relay_imsg,
		    IMSG_NHANDLERS(relay_imsg), NULL);
	}
	relay_imsg_event(ib, &relay->ev_cryptod, relay_dispatch_cryptod);
}

/* A cluster block: the bridge is on its channel, this node's name here. */
static void
msg_cluster_node(struct imsg *imsg, void *arg)
{
	struct imsg_cluster_node	 in;

	(void)arg;
	memcpy(&in, imsg->data, sizeof(in));
	cluster_start(proc_fd(PROC_RELAY, PROC_CLUSTER), &in);
}

static void
msg_conf_limits(struct imsg *imsg, void *arg)
{
	size_t	 i;

	(void)arg;
	/* LIMITS starts a set: the origins of one left unfinished go. */
	for (i = 0; i < relay->nneworigins; i++)
		free(relay->neworigins[i]);
	free(relay->neworigins);
	relay->neworigins = NULL;
	relay->nneworigins = 0;
	memcpy(&relay->newlim, imsg->data, sizeof(relay->newlim));
	relay->newlim.path[sizeof(relay->newlim.path) - 1] = '\0';
	relay->newlim.echo_path[sizeof(relay->newlim.echo_path) - 1] = '\0';
	/* The parent's own rules: the buffers are sized by these values. */
	if (conf_check_limits(&relay->newlim, "parent's CONF_LIMITS") != 0)
		fatalx("bad LIMITS values");
}

static void
msg_conf_origin(struct imsg *imsg, void *arg)
{
	const char	*s = imsg->data;
	char		**no;

	(void)arg;
	if (s[imsg->len - 1] != '\0')
		fatalx("bad ORIGIN");
	no = reallocarray(relay->neworigins, relay->nneworigins + 1,
	    sizeof(char *));
	if (no == NULL)
		fatal("reallocarray");
	relay->neworigins = no;
	if ((no[relay->nneworigins++] = strdup(s)) == NULL)
		fatal("strdup");
}

static void
msg_conf_end(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	relay_apply_conf();
}

static void
msg_listener_add(struct imsg *imsg, void *arg)
{
	struct imsg_listener	 l;

	(void)arg;
	memcpy(&l, imsg->data, sizeof(l));
	l.name[sizeof(l.name) - 1] = '\0';
	relay_listener_add(imsg->fd, &l);
	imsg->fd = -1;
}

static void
msg_listener_del(struct imsg *imsg, void *arg)
{
	struct imsg_listener	 l;

	(void)arg;
	memcpy(&l, imsg->data, sizeof(l));
	relay_listener_del(l.id);
}

static void
msg_listener_set(struct imsg *imsg, void *arg)
{
	struct imsg_listener	 il;
	struct listener		*l;

	(void)arg;
	memcpy(&il, imsg->data, sizeof(il));
	TAILQ_FOREACH(l, &relay->listeners, entry)
		if (l->id == il.id)
			break;
	if (l == NULL)
		fatalx("no listener %d", il.id);
	/* For connections accepted from now on. */
	l->flags = il.flags;
	il.name[sizeof(il.name) - 1] = '\0';
	strlcpy(l->name, il.name, sizeof(l->name));
}

static void
msg_tls_conf(struct imsg *imsg, void *arg)
{
	struct imsg_tls_conf	 c;

	(void)arg;
	memcpy(&c, imsg->data, sizeof(c));
	tlsctx_conf(&c);
}

static void
msg_tls_data(struct imsg *imsg, void *arg)
{
	struct imsg_tls_chunk	 ch;

	(void)arg;
	memcpy(&ch, imsg->data, sizeof(ch));
	tlsctx_data(&ch, (const uint8_t *)imsg->data + sizeof(ch),
	    imsg->len - sizeof(ch));
}

static void
msg_tls_end(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	tlsctx_end();
}

/* relayctl, through the parent; the answer goes back the same way. */
static void
msg_ctl_req(struct imsg *imsg, void *arg)
{
	struct imsg_ctl_req	 req;

	(void)arg;
	memcpy(&req, imsg->data, sizeof(req));
	relay_ctl_request(&relay->parent, &req);
	relay_imsg_event(&relay->parent, &relay->ev_parent,
	    relay_dispatch_parent);
}

static void
msg_shutdown(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	relay_shutdown();
}

/*
 * cryptod's answers name a session by id; one that has gone since (its
 * client hung up) is no longer in by_sid and the answer is dropped.
 */
static struct session *
msg_session(uint64_t sid)
{
	struct session	 key;

	key.u.reg.sid = sid;
	return RB_FIND(session_tree, &relay->by_sid, &key);
}

static void
msg_challenge(struct imsg *imsg, void *arg)
{
	struct imsg_challenge	 c;
	struct session		*s;

	(void)arg;
	memcpy(&c, imsg->data, sizeof(c));
	session_cryptod_answered();
	if ((s = msg_session(c.sid)) != NULL)
		session_challenge(s, c.challenge, c.server_pk);
}

static void
msg_verified(struct imsg *imsg, void *arg)
{
	struct imsg_verified	 v;
	struct session		*s;

	(void)arg;
	memcpy(&v, imsg->data, sizeof(v));
	session_cryptod_answered();
	if ((s = msg_session(v.sid)) != NULL)
		conn_verified(s, v.proof);
}

static void
msg_rejected(struct imsg *imsg, void *arg)
{
	struct imsg_rejected	 rj;
	struct session		*s;

	(void)arg;
	memcpy(&rj, imsg->data, sizeof(rj));
	session_cryptod_answered();
	if ((s = msg_session(rj.sid)) != NULL)
		conn_rejected(s, rj.reason);
}

static void
msg_pong(struct imsg *imsg, void *arg)
{
	struct imsg_ping	 p;

	(void)arg;
	memcpy(&p, imsg->data, sizeof(p));
	admin_pong(p.seq);
}

static int
relay_ping(uint64_t token)
{
	struct imsg_ping	 p;

	memset(&p, 0, sizeof(p));
	p.seq = token;
	return relay_cryptod_send(IMSG_PING, &p, sizeof(p));
}

static void
relay_listener_add(int fd, const struct imsg_listener *il)
{
	struct listener	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("calloc");
	l->id = il->id;
	l->fd = fd;
	l->flags = il->flags;
	strlcpy(l->name, il->name, sizeof(l->name));
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	event_assign(&l->ev, relay->base, fd, EV_READ | EV_PERSIST,
	    relay_accept, l);
	event_add(&l->ev, NULL);
	TAILQ_INSERT_TAIL(&relay->listeners, l, entry);
	log_debug("listening on %s", l->name);
}

static void
relay_listener_del(int id)
{
	struct listener	*l;

	TAILQ_FOREACH(l, &relay->listeners, entry)
		if (l->id == id)
			break;
	if (l == NULL)
		fatalx("no listener %d", id);
	event_del(&l->ev);
	close(l->fd);
	TAILQ_REMOVE(&relay->listeners, l, entry);
	log_debug("stopped listening on %s", l->name);
	/* Its sessions name it in their last line: freed with the last. */
	l->gone = 1;
	if (l->nsess == 0)
		free(l);
}

static void
relay_accept_resume(int fd, short what, void *arg)
{
	struct listener	*l;

	(void)fd;
	(void)what;
	(void)arg;
	TAILQ_FOREACH(l, &relay->listeners, entry)
		event_add(&l->ev, NULL);
}

/*
 * A new connection's fate before it costs more than its descriptor: the
 * caps on connections in total and per address answer 503 at once.  On a
 * PROXY protocol listener, or from a trusted proxy, the peer is a proxy
 * that stands for many clients: it is counted without a cap, and each
 * connection is counted against its client's address once that is known
 * (conn.c).  When trusted proxies are configured, they alone may speak
 * the PROXY protocol.
 */
static void
relay_accept_one(struct listener *l, int fd, const struct sockaddr *sa)
{
	struct addrent		*a = NULL;
	const char		*why = NULL;
	enum metric_id		 counter = M_REFUSED_CAPACITY;
	char			 resp[256];
	size_t			 rlen;
	uint8_t			 peer[16];
	uint32_t		 max;
	uint16_t		 port = 0;
	int			 pp, trusted, tls;
	char			 a4[INET6_ADDRSTRLEN + 8];

	METRIC_INC(M_ACCEPTED);
	if (sa->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	tls = (l->flags & LISTENER_TLS) != 0;
	addr16_from_sockaddr(sa, peer);
	pp = (l->flags & LISTENER_PROXY) != 0;
	trusted = netaddr_match(relay->lim.trusted, relay->lim.ntrusted, peer);
	if (pp && relay->lim.ntrusted > 0 && !trusted) {
		METRIC_INC(M_REFUSED_PROXY);
		log_rl(&relay->rl[RL_PROXY], relay_msec(),
		    "%s on %s: PROXY protocol from a peer not trusted",
		    addr16_port_ntop(peer, port, a4, sizeof(a4)), l->name);
		close(fd);
		return;
	}
	max = pp || trusted ? UINT32_MAX : relay->lim.max_conn_per_addr;
	if (!relay->configured || relay->shutting_down)
		why = "not serving";
	else if (relay->nsessions >= relay->lim.max_conn)
		why = "over max connections";
	else if (tls && !tlsctx_ready())
		why = "TLS not ready";
	else if ((a = limit_addr_get(peer, max, relay_msec())) == NULL) {
		why = "over max connections per address";
		counter = M_REFUSED_PER_ADDRESS;
	}
	if (why != NULL) {
		METRIC_INC(counter);
		log_rl(&relay->rl[RL_CAPACITY], relay_msec(),
		    "%s on %s: refused: %s", addr16_port_ntop(peer, port, a4,
		    sizeof(a4)), l->name, why);
		/* No plaintext answer where TLS is spoken: just the close. */
		if (tls) {
			close(fd);
			return;
		}
		metrics_http(503);
		rlen = http_error(resp, sizeof(resp), 503, RETRY_FULL);
		/* best effort: the connection is refused anyway */
		if (write(fd, resp, rlen) == -1)
			log_debug("503 not sent: %s", strerror(errno));
		close(fd);
		return;
	}
	conn_accept(fd, a, pp, trusted && !pp, tls, l, peer, port);
}

static void
relay_accept(int lfd, short what, void *arg)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct listener		*l, *lis = arg;
	struct timeval		 tv;
	int			 fd, n;

	(void)what;
	/* A bounded batch per wake-up keeps the loop fair. */
	for (n = 0; n < 64; n++) {
		sslen = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR || errno == ECONNABORTED)
				return;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/*
				 * Out of descriptors: pause, don't spin; say
				 * so once per shortage, not every 100 ms.
				 */
				if (!relay->accept_short)
					log_warn("accept (pausing)");
				relay->accept_short = 1;
				TAILQ_FOREACH(l, &relay->listeners, entry)
					event_del(&l->ev);
				tv.tv_sec = 0;
				tv.tv_usec = 100000;
				event_base_once(relay->base, -1, EV_TIMEOUT,
				    relay_accept_resume, NULL, &tv);
				return;
			}
			fatal("accept");
		}
		if (relay->accept_short) {
			log_info("accepting again");
			relay->accept_short = 0;
		}
		if (lis->flags & LISTENER_METRICS)
			admin_accept(fd);
		else
			relay_accept_one(lis, fd, (struct sockaddr *)&ss);
	}
}

static void
relay_tick(int fd, short what, void *arg)
{
	struct session		*s, *next;
	const struct relay_limits *lim = &relay->lim;
	uint32_t		 now = relay_now_ms();

	(void)fd;
	(void)what;
	(void)arg;
	if (!relay->configured)
		return;
	outq_decay();
	cluster_tick();
	limit_expire(relay_msec());
	relay_status(relay_msec());
	/*
	 * Each list is ordered by t_list: stop at the first not due.  A
	 * session that a timeout here moves to a list is stamped after now
	 * (the coarse clock may step during the tick), so it is not due:
	 * timer_due() takes that as a negative span, where an unsigned
	 * difference wrapped, called it due at once and freed a closing
	 * session before its last frames were out, or cycled the live list
	 * forever.
	 */
	while ((s = TAILQ_FIRST(&relay->tl[TL_HTTP])) != NULL &&
	    timer_due(now, s->t_list, lim->handshake_timeout * 1000U))
		conn_timeout(s, TL_HTTP);
	while ((s = TAILQ_FIRST(&relay->tl[TL_REG])) != NULL &&
	    timer_due(now, s->t_list, lim->registration_timeout * 1000U))
		conn_timeout(s, TL_REG);
	while ((s = TAILQ_FIRST(&relay->tl[TL_CLOSING])) != NULL &&
	    timer_due(now, s->t_list, LINGER_SECS * 1000U))
		conn_timeout(s, TL_CLOSING);
	for (s = TAILQ_FIRST(&relay->tl[TL_LIVE]); s != NULL; s = next) {
		next = TAILQ_NEXT(s, timer_entry);
		if (!timer_due(now, s->t_list, lim->ping_interval * 1000U))
			break;
		conn_timeout(s, TL_LIVE);
	}
	/* Output that stayed full past the idle timeout. */
	while ((s = TAILQ_FIRST(&relay->fullq)) != NULL &&
	    timer_due(now, s->t_full, lim->idle_timeout * 1000U)) {
		METRIC_INC(M_SEND_BUFFER_CLOSED);
		conn_close(s, WS_CLOSE_TRY_AGAIN, "send buffer full");
	}
}

/*
 * On the tick: the refusal lines whose window ended say how many were
 * not shown, and every STATUS_SECS the parent hears how busy we are
 * (for the service manager's status line).
 */
static void
relay_status(uint64_t now)
{
	static uint64_t		 last;
	struct imsg_status	 st;
	int			 i;

	for (i = 0; i < RL_MAX; i++)
		log_rl_flush(&relay->rl[i], now);
	if (now - last < STATUS_SECS * 1000U)
		return;
	last = now;
	memset(&st, 0, sizeof(st));
	st.sessions = relay->nsessions;
	st.registered = (uint32_t)metrics.state[S_REGISTERED];
	st.delivered = metrics.c[M_DELIVERED];
	if (imsg_compose(&relay->parent, IMSG_RELAY_STATUS, 0, -1, &st,
	    sizeof(st)) == -1)
		fatal("imsg_compose");
	relay_imsg_event(&relay->parent, &relay->ev_parent,
	    relay_dispatch_parent);
}

/*
 * After each turn.  While shutting down, the turn that freed the last
 * session ends the process here: this is the one place that checks, so
 * the layers below only count sessions.
 */
static void
relay_flush(void)
{
	struct session	*s;

	while ((s = outq_next()) != NULL)
		conn_flush(s);	/* may free s */
	if (relay->shutting_down && relay->nsessions == 0)
		exit(0);
}

static void
relay_sigterm(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	relay_shutdown();
}

/*
 * Every session is told 1001 and given a moment to receive it; the
 * parent kills what is left after two seconds.
 */
static void
relay_shutdown(void)
{
	struct listener	*l;
	struct session	*s, *next;
	struct timeval	 tv;
	int		 i;

	if (relay->shutting_down)
		return;
	relay->shutting_down = 1;
	cluster_bye();
	log_info("shutting down: %llu connections accepted, %llu refused at "
	    "a limit, %llu refused over a rate (429), %llu over a pending "
	    "cap, %llu bad PROXY headers, %llu PROXY health checks, %llu "
	    "unusable forwarding headers, %llu failed TLS handshakes, %llu "
	    "registrations, %llu messages delivered, %llu missed by full "
	    "room members",
	    (unsigned long long)metrics.c[M_ACCEPTED],
	    (unsigned long long)(metrics.c[M_REFUSED_CAPACITY] +
	    metrics.c[M_REFUSED_PER_ADDRESS]),
	    (unsigned long long)metrics.c[M_REFUSED_RATE],
	    (unsigned long long)metrics.c[M_REFUSED_PENDING],
	    (unsigned long long)metrics.c[M_REFUSED_PROXY],
	    (unsigned long long)metrics.c[M_PROXY_LOCAL],
	    (unsigned long long)metrics.c[M_FORWARDED_BAD],
	    (unsigned long long)metrics.c[M_REFUSED_TLS],
	    (unsigned long long)metrics.c[M_REGISTERED],
	    (unsigned long long)metrics.c[M_DELIVERED],
	    (unsigned long long)metrics.c[M_PUBLISH_MISSED]);
	while ((l = TAILQ_FIRST(&relay->listeners)) != NULL)
		relay_listener_del(l->id);
	admin_close_all();
	for (i = TL_HTTP; i <= TL_LIVE; i++) {
		for (s = TAILQ_FIRST(&relay->tl[i]); s != NULL; s = next) {
			next = TAILQ_NEXT(s, timer_entry);
			if (s->state == S_HTTP || s->state == S_CLOSING)
				conn_free(s);
			else
				conn_close(s, WS_CLOSE_GOING_AWAY,
				    "shutting down");
		}
	}
	tv.tv_sec = 1;
	tv.tv_usec = 0;
	event_add(&relay->ev_exit, &tv);
	if (relay->nsessions == 0)
		exit(0);
}

static void
relay_exit(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	exit(0);
}
