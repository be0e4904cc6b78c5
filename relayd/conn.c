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
 * One connection's life: the HTTP upgrade, RFC 6455 frames, the close
 * handshake and the echo endpoint; whole messages of relay sessions go
 * to the session layer (session.c), which registers and answers them.
 *
 * Sessions are never freed from inside a frame callback: a callback only
 * marks a session closing, and the memory goes when its output is
 * flushed, its peer hangs up, or a timer says so.  That keeps the parser
 * and the router free of use-after-free traps.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "b64.h"
#include "http.h"
#include "limit.h"
#include "log.h"
#include "metrics.h"
#include "outq.h"
#include "proxy.h"
#include "relay.h"
#include "router.h"
#include "session.h"
#include "tlsctx.h"
#include "ws.h"

#define RBUF_SIZE	(256 * 1024)
#define CONN_BATCH	512		/* socket events per epoll_wait(2) */
#define HTTP_HEAD_FIRST	1024		/* a head's first buffer */
#define SESSION_SOCKBUF	(64 * 1024)	/* SO_SNDBUF and SO_RCVBUF */
#define RETRY_CONN_CAP	5		/* Retry-After at a connection cap */

/* One read buffer for all connections. */
static uint8_t	*rbuf;
static size_t	 rbuf_size;

/* Where relayctl's last page of sessions ended (conn_after()). */
static struct session	*conn_cursor;

static void	conn_read(struct session *);
static void	conn_closing_feed(struct session *, size_t);
static void	conn_proxy(struct session *, size_t);
static void	conn_http(struct session *, size_t);
static int	conn_rekey(struct session *, const uint8_t *);
static int	conn_admit(struct session *, const struct http_result *,
		    uint32_t *);
static void	conn_refuse(struct session *, const struct http_result *, int,
		    uint32_t, const char *, const uint8_t *);
static void	conn_feed(struct session *, uint8_t *, size_t);
static int	conn_on_msg(void *, int, uint8_t *, size_t);
static void	conn_events(struct session *, short);
static void	conn_poll(int, short, void *);
static void	conn_again(struct session *);
static void	conn_again_run(int, short, void *);
static void	conn_bury(void);
static void	conn_hold(struct session *, const uint8_t *, size_t);
static void	conn_resume(struct session *);
static void	conn_trim(struct session *);
static const char *conn_peer(const struct session *, char *, size_t);
static const char *conn_lname(const struct session *);
static void	conn_log_end(const struct session *);
static void	conn_tls_handshake(struct session *);
static ssize_t	conn_recv(struct session *, uint8_t *, size_t);
static ssize_t	conn_tls_rd(struct tls *, void *, size_t, void *);
static ssize_t	conn_tls_wr(struct tls *, const void *, size_t, void *);

#define RECV_AGAIN	(-2)		/* conn_recv(): nothing now */

void
conn_init(void)
{
	rbuf_size = RBUF_SIZE;
	if ((rbuf = malloc(rbuf_size)) == NULL)
		fatal("malloc");
}

/*
 * Before the sandbox, once relay->base is there: the epoll set of the
 * sessions' sockets, under libevent's loop as one descriptor.  A session
 * costs epoll one entry in the kernel and nothing in our memory but a
 * pointer, where a struct event and libevent's map of descriptors cost
 * 170 bytes each.
 */
void
conn_start(void)
{
	TAILQ_INIT(&relay->all);
	if ((relay->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	TAILQ_INIT(&relay->graveyard);
	event_assign(&relay->ev_epoll, relay->base, relay->epfd,
	    EV_READ | EV_PERSIST, conn_poll, NULL);
	if (event_add(&relay->ev_epoll, NULL) == -1)
		fatalx("event_add");
	event_assign(&relay->ev_again, relay->base, -1, 0, conn_again_run,
	    NULL);
}

/* The reverse of conn_start(), once every session is gone (tests). */
void
conn_stop(void)
{
	event_del(&relay->ev_epoll);
	event_del(&relay->ev_again);
	close(relay->epfd);
	relay->epfd = -1;
	free(relay->again);
	relay->again = NULL;
	relay->nagain = relay->againcap = 0;
	conn_cursor = NULL;
}

/* The events epoll has now: each to its session, as libevent would. */
static void
conn_poll(int fd, short what, void *arg)
{
	struct epoll_event	 evs[CONN_BATCH];
	struct session		*s;
	uint32_t		 e;
	short			 w;
	int			 i, n;

	(void)fd;
	(void)what;
	(void)arg;
	if ((n = epoll_wait(relay->epfd, evs, CONN_BATCH, 0)) == -1) {
		if (errno != EINTR)
			log_warn("epoll_wait");
		return;
	}
	relay->in_batch = 1;
	for (i = 0; i < n; i++) {
		s = evs[i].data.ptr;
		if (s->dead)
			continue;
		e = evs[i].events;
		w = 0;
		if (e & (EPOLLIN | EPOLLERR | EPOLLHUP))
			w |= EV_READ;
		if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			w |= EV_WRITE;
		/* only what is still watched: an earlier event may change it */
		if ((w &= s->ev_flags) != 0)
			conn_event(s->fd, w, s);
	}
	relay->in_batch = 0;
	conn_bury();
}

/* Free the sessions that conn_free() left for after a batch. */
static void
conn_bury(void)
{
	struct session	*s;

	while ((s = TAILQ_FIRST(&relay->graveyard)) != NULL) {
		TAILQ_REMOVE(&relay->graveyard, s, timer_entry);
		free(s);
	}
}

/*
 * Read s again soon, from the loop: libtls holds input it decrypted,
 * which no socket event will announce.
 */
static void
conn_again(struct session *s)
{
	struct session	**n;
	size_t		  cap;

	if (s->again)
		return;
	if (relay->nagain == relay->againcap) {
		cap = relay->againcap ? relay->againcap * 2 : 64;
		if ((n = reallocarray(relay->again, cap, sizeof(*n))) == NULL) {
			log_warn("%s", __func__);
			return;		/* read on its next socket event */
		}
		relay->again = n;
		relay->againcap = cap;
	}
	relay->again[relay->nagain++] = s;
	s->again = 1;
	event_active(&relay->ev_again, EV_READ, 1);
}

static void
conn_again_run(int fd, short what, void *arg)
{
	struct session	*s;
	size_t		 i, n = relay->nagain;

	(void)fd;
	(void)what;
	(void)arg;
	relay->in_batch = 1;
	for (i = 0; i < n; i++) {
		if ((s = relay->again[i]) == NULL)
			continue;	/* freed meanwhile */
		relay->again[i] = NULL;
		s->again = 0;
		conn_event(s->fd, EV_READ, s);
	}
	relay->in_batch = 0;
	/* the ones added meanwhile wait for the next turn */
	memmove(relay->again, relay->again + n,
	    (relay->nagain - n) * sizeof(*relay->again));
	relay->nagain -= n;
	if (relay->nagain > 0)
		event_active(&relay->ev_again, EV_READ, 1);
	conn_bury();
}

/*
 * Sessions in the order of their serial numbers, for relayctl's pages:
 * the first after serial.  A listing goes page by page, so the session
 * that ended the last page is kept (and moved back when it goes): the
 * next page starts there without a walk.
 */
struct session *
conn_after(uint64_t serial)
{
	struct session	*s;

	if (conn_cursor != NULL && conn_cursor->serial <= serial)
		s = conn_cursor;
	else
		s = TAILQ_FIRST(&relay->all);
	for (; s != NULL && s->serial <= serial; s = TAILQ_NEXT(s, all_entry))
		;
	return s;
}

void
conn_mark(struct session *s)
{
	conn_cursor = s;
}

void
conn_accept(int fd, struct addrent *addr, int want_proxy, int via_proxy,
    int tls, struct listener *l, const uint8_t *peer, uint16_t port)
{
	struct session	*s;
	char		 a[INET6_ADDRSTRLEN + 8];
	int		 one = 1, sockbuf = SESSION_SOCKBUF;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("calloc");
		limit_addr_put(addr, relay_msec());
		close(fd);
		return;
	}
	s->fd = fd;
	s->state = S_HTTP;
	s->want_proxy = (uint8_t)want_proxy;
	s->via_proxy = (uint8_t)via_proxy;
	s->proto = PROTO_JSON;
	s->addr = addr;
	s->lis = l;
	l->nsess++;
	memcpy(s->peer, peer, sizeof(s->peer));
	s->port = port;
	s->t_accept = relay_msec();
	if (tls) {
		if ((s->tx = calloc(1, sizeof(*s->tx))) == NULL ||
		    tlsctx_accept(&s->tx->tls, &s->tx->tgen, conn_tls_rd,
		    conn_tls_wr, s) == -1) {
			l->nsess--;
			limit_addr_put(addr, relay_msec());
			close(fd);
			free(s->tx);
			free(s);
			return;
		}
		s->tls_hs = 1;
	}
	bucket_init(&s->bucket, relay_msec(), relay->lim.burst);
	ws_rx_init(&s->rx, 1);
	LIST_INIT(&s->rooms);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/*
	 * Fixed kernel buffers: left to autotuning, a client that does not
	 * read (or that we stop reading) could hold megabytes of kernel
	 * memory per connection, beyond anything the configuration bounds.
	 */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sockbuf, sizeof(sockbuf));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sockbuf, sizeof(sockbuf));
	relay->nsessions++;
	metrics_state(METRICS_NEW, S_HTTP);
	s->serial = ++relay->next_serial;
	TAILQ_INSERT_TAIL(&relay->all, s, all_entry);
	conn_events(s, EV_READ);
	relay_timer_set(s, TL_HTTP);
	log_debug2("%s: accepted on %s", conn_peer(s, a, sizeof(a)),
	    l->name);
}

/*
 * Watch s's socket for want (EV_READ, EV_WRITE, both or neither), level
 * triggered.  When epoll cannot take it (out of memory, or over
 * max_user_watches), the socket is not watched and the session's timer
 * ends it.
 */
static void
conn_events(struct session *s, short want)
{
	struct epoll_event	 ee;
	int			 op;

	if (s->ev_flags == want)
		return;
	op = s->ev_flags == 0 ? EPOLL_CTL_ADD : want == 0 ? EPOLL_CTL_DEL :
	    EPOLL_CTL_MOD;
	memset(&ee, 0, sizeof(ee));
	ee.events = ((want & EV_READ) ? EPOLLIN : 0) |
	    ((want & EV_WRITE) ? EPOLLOUT : 0);
	ee.data.ptr = s;
	if (epoll_ctl(relay->epfd, op, s->fd, &ee) == -1) {
		log_warn("epoll_ctl");
		return;
	}
	s->ev_flags = (uint8_t)want;
	/* Plaintext OpenSSL holds is not a readable socket: go and get it. */
	if (s->tls_more && (want & EV_READ))
		conn_again(s);
}

void
conn_event(int fd, short what, void *arg)
{
	struct session	*s = arg;

	(void)fd;
	if (s->tls_hs && !s->want_proxy) {
		conn_tls_handshake(s);
		return;
	}
	if (what & EV_WRITE) {
		if (conn_flush(s) == -1)
			return;		/* freed */
	}
	if (what & EV_READ)
		conn_read(s);
}

/*
 * The TLS handshake, under the handshake timer (TL_HTTP) that goes on
 * to bound the HTTP head.  A peer that fails it (garbage, a version or
 * cipher not offered, a bad alert) is closed without a word: it speaks
 * no TLS we could answer in.
 */
static void
conn_tls_handshake(struct session *s)
{
	char	 a[INET6_ADDRSTRLEN + 8];
	int	 r;

	switch ((r = tls_handshake(s->tx->tls))) {
	case 0:
		s->tls_hs = 0;
		METRIC_INC(M_TLS_HANDSHAKES);
		conn_events(s, EV_READ);
		/* The client's first bytes may have come with its Finished. */
		s->tls_more = 1;
		conn_read(s);
		return;
	case TLS_WANT_POLLIN:
		conn_events(s, EV_READ);
		return;
	case TLS_WANT_POLLOUT:
		conn_events(s, EV_READ | EV_WRITE);
		return;
	default:
		METRIC_INC(M_REFUSED_TLS);
		log_rl(&relay->rl[RL_TLS], relay_msec(),
		    "%s on %s: TLS handshake failed: %s",
		    conn_peer(s, a, sizeof(a)), conn_lname(s),
		    tls_error(s->tx->tls));
		s->tls_closed = 1;	/* no close_notify: no session */
		conn_free(s);
		return;
	}
}

/*
 * libtls's I/O: the bytes read past a PROXY header first, then the
 * socket.  Both are non-blocking; TLS_WANT_* tells libtls to wait.
 */
/* What one read(2) took from a TLS socket (conn_tls_rd). */
static uint8_t	tls_ahead[32768];

static ssize_t
conn_tls_rd(struct tls *t, void *buf, size_t len, void *arg)
{
	struct session	*s = arg;
	ssize_t		 n;
	size_t		 k;

	(void)t;
	if (s->tx->pre != NULL) {
		k = s->tx->pre_len - s->tx->pre_off;
		if (k > len)
			k = len;
		memcpy(buf, s->tx->pre + s->tx->pre_off, k);
		s->tx->pre_off += k;
		if (s->tx->pre_off == s->tx->pre_len) {
			free(s->tx->pre);
			s->tx->pre = NULL;
			s->tx->pre_off = s->tx->pre_len = 0;
		}
		return (ssize_t)k;
	}
	/*
	 * OpenSSL asks for a record's 5-byte header, then for its body: one
	 * read(2) of what the socket holds serves both and the records
	 * after them, and what OpenSSL did not ask for yet waits in pre.
	 */
	do
		n = read(s->fd, tls_ahead, sizeof(tls_ahead));
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return TLS_WANT_POLLIN;
	if (n <= 0)
		return n;
	k = (size_t)n < len ? (size_t)n : len;
	memcpy(buf, tls_ahead, k);
	if ((size_t)n > k) {
		if ((s->tx->pre = malloc((size_t)n - k)) == NULL)
			return -1;
		memcpy(s->tx->pre, tls_ahead + k, (size_t)n - k);
		s->tx->pre_len = (size_t)n - k;
		s->tx->pre_off = 0;
	}
	return (ssize_t)k;
}

static ssize_t
conn_tls_wr(struct tls *t, const void *buf, size_t len, void *arg)
{
	struct session	*s = arg;
	ssize_t		 n;

	(void)t;
	do
		n = write(s->fd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return TLS_WANT_POLLOUT;
	return n;
}

/*
 * Read what there is, up to len: one read(2) on plain TCP; on TLS,
 * records until OpenSSL wants the socket or buf is full, so that
 * messages sent together are parsed together as on TCP.  A buffer
 * filled may leave plaintext inside OpenSSL that no socket event will
 * announce: tls_more says to come back.  Returns the bytes, 0 at the
 * end, -1 on an error, RECV_AGAIN when there is nothing now.
 */
static ssize_t
conn_recv(struct session *s, uint8_t *buf, size_t len)
{
	ssize_t	 n;
	size_t	 got = 0;

	if (s->tx == NULL) {
		n = read(s->fd, buf, len);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return RECV_AGAIN;
		return n;
	}
	s->tls_more = 0;
	while (got < len) {
		n = tls_read(s->tx->tls, buf + got, len - got);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
			break;
		/* the end (close_notify or EOF) or an error, after the rest */
		if (got > 0)
			return (ssize_t)got;
		if (n == -1)
			log_debug("tls read: %s", tls_error(s->tx->tls));
		return n == 0 ? 0 : -1;
	}
	if (got == len)
		s->tls_more = 1;
	return got > 0 ? (ssize_t)got : RECV_AGAIN;
}

static void
conn_read(struct session *s)
{
	ssize_t	 n;
	size_t	 room, ncap;
	uint8_t	*nin;

	if (s->state == S_HTTP) {
		/*
		 * The head is kept until complete; one byte over the
		 * limit is enough for the parser to answer 431.  Most
		 * heads fit the first buffer: only the ones that fill it
		 * get one of the limit's size.
		 */
		if (s->in == NULL || (s->in_len == s->in_cap &&
		    s->in_cap < HTTP_MAX_HEAD + 1)) {
			ncap = s->in == NULL ? HTTP_HEAD_FIRST :
			    HTTP_MAX_HEAD + 1;
			if ((nin = realloc(s->in, ncap)) == NULL) {
				conn_free(s);
				return;
			}
			s->in = nin;
			s->in_cap = ncap;
		}
		room = s->in_cap - s->in_len;
		if (s->want_proxy) {
			/* before TLS, if any: the header is in the clear */
			n = read(s->fd, s->in + s->in_len, room);
			if (n == -1 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK || errno == EINTR))
				n = RECV_AGAIN;
		} else
			n = conn_recv(s, s->in + s->in_len, room);
	} else {
		if (s->paused)
			return;
		n = conn_recv(s, rbuf, rbuf_size);
	}
	if (n == RECV_AGAIN)
		return;
	if (n == -1) {
		conn_free(s);
		return;
	}
	if (s->tls_more)
		conn_again(s);
	s->bytes_in += (uint64_t)n;
	METRIC_ADD(M_BYTES_IN, (uint64_t)n);
	if (n == 0) {
		/* The peer is gone; in CLOSING this is the normal end. */
		conn_free(s);
		return;
	}
	switch (s->state) {
	case S_HTTP:
		if (s->want_proxy)
			conn_proxy(s, (size_t)n);
		else
			conn_http(s, (size_t)n);
		break;
	case S_CLOSING:
		conn_closing_feed(s, (size_t)n);
		break;
	default:
		if (s->state == S_REGISTERED || s->state == S_ECHO) {
			s->pinged = 0;
			relay_timer_set(s, TL_LIVE);
		}
		conn_feed(s, rbuf, (size_t)n);
		break;
	}
}

static int
conn_closing_cb(void *arg, int opcode, uint8_t *data, size_t len)
{
	struct session	*s = arg;

	(void)data;
	(void)len;
	if (opcode == WS_OP_CLOSE) {
		s->close_rcvd = 1;
		return 1;
	}
	return 0;
}

/*
 * After our close frame, what the peer sends is read only to find its
 * close frame (or garbage): either ends the session once our output is
 * out.  After an HTTP error everything is discarded.
 */
static void
conn_closing_feed(struct session *s, size_t n)
{
	ssize_t	 used;
	int	 code;

	if (s->http_err || s->close_rcvd)
		return;
	used = ws_rx_feed(&s->rx, relay->lim.max_message, rbuf, n,
	    conn_closing_cb, s, &code);
	if (used == -1)
		s->close_rcvd = 1;
	if (s->close_rcvd && outq_pending(s) == 0)
		conn_free(s);
}

/* "192.0.2.1" or "2001:db8:1:2::/64": the client as counted, for logs. */
const char *
conn_addr(const struct session *s, char *buf, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (s->addr == NULL)
		return "-";
	addr16_ntop(s->addr->addr, a, sizeof(a));
	if (s->addr->plen == 128 || s->addr->plen == 96 + 32)
		(void)snprintf(buf, len, "%s", a);
	else
		(void)snprintf(buf, len, "%s/%u", a, s->addr->plen >= 96 &&
		    a[0] != '\0' && strchr(a, ':') == NULL ?
		    s->addr->plen - 96U : s->addr->plen);
	return buf;
}

/*
 * "192.0.2.1:40000" or "[2001:db8::1]:40000": the client, for logs; the
 * address alone when a forwarding header named it.
 */
static const char *
conn_peer(const struct session *s, char *buf, size_t len)
{
	/* port 0: named by a forwarding header, which gives none */
	return addr16_port_ntop(s->peer, s->port, buf, len);
}

static const char *
conn_lname(const struct session *s)
{
	return s->lis != NULL ? s->lis->name : "-";
}

/*
 * One line at the end of each upgraded connection, at info level: who,
 * where, which subprotocol, which key, how long, how much each way, and
 * how it ended.  Never a message's content.
 */
static void
conn_log_end(const struct session *s)
{
	char		 a[INET6_ADDRSTRLEN + 8], key[48], code[8];
	const char	*proto, *by;
	uint64_t	 ms = relay_msec() - s->t_accept;

	proto = s->echo ? "echo" : s->proto == PROTO_MSGPACK ?
	    SWS_SUBPROTO_MSGPACK : SWS_SUBPROTO_JSON;
	if (s->registered) {
		b64url_encode(key, sizeof(key), s->pk, sizeof(s->pk));
		if (!relay->lim.log_keys_full)
			key[8] = '\0';
	} else
		strlcpy(key, "-", sizeof(key));
	switch (s->closer) {
	case CLOSER_CLIENT:
		by = "client";
		break;
	case CLOSER_RELAY:
		by = "relay";
		break;
	default:
		by = "none";
		break;
	}
	if (s->closer == CLOSER_NONE)
		strlcpy(code, "-", sizeof(code));
	else
		(void)snprintf(code, sizeof(code), "%u", s->close_code);
	log_info("end %s session %llu listener \"%s\" proto %s key %s "
	    "duration %llu.%03llus in %u msgs %llu bytes out %u msgs %llu "
	    "bytes close %s by %s", conn_peer(s, a, sizeof(a)),
	    (unsigned long long)s->serial, conn_lname(s), proto, key,
	    (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
	    s->msgs_in, (unsigned long long)s->bytes_in,
	    s->msgs_out, (unsigned long long)s->bytes_out, code, by);
}

/*
 * A listener behind a proxy that speaks the PROXY protocol: its header
 * comes before anything else, within the handshake timeout (the same
 * timer as the HTTP head), and names the client.  Without a usable one
 * the connection is closed unanswered: what sent it is a proxy, not a
 * client, and it must be told nothing it could pass on.
 */
static void
conn_proxy(struct session *s, size_t n)
{
	struct proxy_hdr	 h;
	const char		*why = NULL;
	char			 a[INET6_ADDRSTRLEN + 8];
	ssize_t			 r;
	size_t			 left;

	s->in_len += n;
	if ((r = proxy_parse(s->in, s->in_len, &h, &why)) == 0)
		return;
	if (r < 0) {
		METRIC_INC(M_REFUSED_PROXY);
		log_rl(&relay->rl[RL_PROXY], relay_msec(),
		    "%s on %s: PROXY header refused: %s",
		    conn_peer(s, a, sizeof(a)), conn_lname(s),
		    why != NULL ? why : "invalid");
		conn_free(s);
		return;
	}
	if (h.local) {
		/* The proxy's own connection, a health check: no client. */
		METRIC_INC(M_PROXY_LOCAL);
		log_debug("%s: PROXY v%d without a client address (health "
		    "check): closed", conn_addr(s, a, sizeof(a)), h.version);
		conn_free(s);
		return;
	}
	s->want_proxy = 0;
	memcpy(s->peer, h.src, sizeof(s->peer));
	s->port = h.src_port;
	left = s->in_len - (size_t)r;
	memmove(s->in, s->in + r, left);
	s->in_len = 0;
	if (s->tx != NULL) {
		/* What followed the header is the ClientHello: TLS's input. */
		if (conn_rekey(s, h.src) == -1) {
			METRIC_INC(M_REFUSED_PER_ADDRESS);
			log_rl(&relay->rl[RL_CAPACITY], relay_msec(),
			    "%s on %s: over max connections per address",
			    conn_peer(s, a, sizeof(a)), conn_lname(s));
			s->tls_closed = 1;
			conn_free(s);
			return;
		}
		if (left > 0) {
			if ((s->tx->pre = malloc(left)) == NULL) {
				conn_free(s);
				return;
			}
			memcpy(s->tx->pre, s->in, left);
			s->tx->pre_len = left;
			s->tx->pre_off = 0;
		}
		conn_tls_handshake(s);
		return;
	}
	if (conn_rekey(s, h.src) == -1) {
		METRIC_INC(M_REFUSED_PER_ADDRESS);
		conn_refuse(s, NULL, 503, RETRY_CONN_CAP,
		    "over max connections per address", h.src);
		return;
	}
	if (left > 0)
		conn_http(s, left);
}

/*
 * The one place a connection's address changes: from the TCP peer's (a
 * proxy) to the client's that the proxy named.  The client's count is
 * taken before the proxy's is given back; -1 leaves s as it was, over
 * the client address's connection cap.
 */
static int
conn_rekey(struct session *s, const uint8_t *addr)
{
	struct addrent	*a;
	uint64_t	 now = relay_msec();

	if ((a = limit_addr_get(addr, relay->lim.max_conn_per_addr, now)) ==
	    NULL)
		return -1;
	limit_addr_put(s->addr, now);
	s->addr = a;
	return 0;
}

/*
 * An upgrade refused after its head was read: the parser's answer (res)
 * or one of admission's, then the connection drains and closes as after
 * any HTTP error.  client, when not NULL, is the address a proxy named
 * but that could not be counted; s->peer already names it in the log,
 * not the proxy.
 */
static void
conn_refuse(struct session *s, const struct http_result *res, int status,
    uint32_t retry, const char *why, const uint8_t *client)
{
	char	 resp[512], a[INET6_ADDRSTRLEN + 8];
	size_t	 rlen;
	int	 kind;

	rlen = res != NULL ? http_response(resp, sizeof(resp), res) :
	    http_error(resp, sizeof(resp), status, retry);
	if (rlen == 0)
		fatalx("HTTP answer did not fit");
	metrics_http(res != NULL ? res->status : status);
	kind = res != NULL ? RL_HTTP : status == 429 ? RL_RATE : RL_CAPACITY;
	(void)client;	/* s->peer names it already */
	log_rl(&relay->rl[kind], relay_msec(),
	    "%s on %s: upgrade refused: HTTP %d: %s",
	    conn_peer(s, a, sizeof(a)), conn_lname(s), status,
	    why != NULL ? why : "");
	outq_queue(s, (const uint8_t *)resp, rlen);
	free(s->in);
	s->in = NULL;
	s->in_len = s->in_cap = 0;
	SET_STATE(s, S_CLOSING);
	s->close_sent = 1;
	s->http_err = 1;
	relay_timer_set(s, TL_CLOSING);
}

/*
 * Admission of a valid upgrade, once the client's address is known and
 * before any challenge (docs/WIRE.md section 1): HTTP 429 or 503 with the
 * seconds of Retry-After, or 101.  The echo endpoint makes no challenge
 * and is bounded by the connection caps alone.
 */
static int
conn_admit(struct session *s, const struct http_result *res,
    uint32_t *retry)
{
	int	 r;

	*retry = 0;
	if (res->endpoint != ENDPOINT_RELAY)
		return 101;
	if (s->addr == NULL)
		fatalx("%s: a connection without an address", __func__);
	switch ((r = limit_admit(s->addr, relay_msec(), relay->npending,
	    retry))) {
	case ADMIT_OK:
		s->pending = 1;
		relay->npending++;
		return 101;
	case ADMIT_BUSY:
		METRIC_INC(M_REFUSED_PENDING);
		return 503;
	default:
		METRIC_INC(M_REFUSED_RATE);
		return r;
	}
}

static void
conn_http(struct session *s, size_t n)
{
	struct http_result	 res;
	char			 resp[512];
	const char		*reason;
	uint8_t			 client[16];
	const uint8_t		*uncounted = NULL;
	size_t			 used, rlen, left;
	uint32_t		 retry = 0;
	int			 status;

	s->in_len += n;
	used = http_parse_upgrade((const char *)s->in, s->in_len,
	    &relay->policy, &res);
	if (used == 0)
		return;
	status = res.status;
	reason = res.reason;
	log_debug2("%s: upgrade request: HTTP %d, %s endpoint, %s",
	    conn_peer(s, resp, sizeof(resp)), status,
	    res.endpoint == ENDPOINT_ECHO ? "echo" : "relay",
	    res.proto == PROTO_MSGPACK ? SWS_SUBPROTO_MSGPACK :
	    SWS_SUBPROTO_JSON);
	/*
	 * From a trusted proxy, its forwarding headers name the client;
	 * headers that cannot be used leave the proxy's own address.
	 */
	if (s->via_proxy && (res.xff.n > 0 || res.fwd.n > 0)) {
		if (proxy_forwarded(&res.xff, &res.fwd, relay->lim.trusted,
		    relay->lim.ntrusted, client, &reason) == 1) {
			reason = res.reason;
			memcpy(s->peer, client, sizeof(s->peer));
			s->port = 0;
			if (conn_rekey(s, client) == -1 && status == 101) {
				METRIC_INC(M_REFUSED_PER_ADDRESS);
				status = 503;
				retry = RETRY_CONN_CAP;
				reason = "over max connections per address";
				uncounted = client;
			}
		} else {
			METRIC_INC(M_FORWARDED_BAD);
			log_debug("forwarding headers not used: %s",
			    reason != NULL ? reason : "unusable");
			reason = res.reason;
		}
	}
	if (status == 101) {
		status = conn_admit(s, &res, &retry);
		if (status != 101)
			reason = status == 503 ? "too many pending "
			    "registrations" : "over an admission limit";
	}
	if (status != 101) {
		conn_refuse(s, status == res.status ? &res : NULL, status, retry,
		    reason, uncounted);
		return;
	}
	rlen = http_response(resp, sizeof(resp), &res);
	if (rlen == 0)
		fatalx("http_response did not fit");
	metrics_http(101);
	/*
	 * A relay session's 101 waits for its CHALLENGE (from cryptod), so
	 * both leave in one write.
	 */
	if (res.endpoint == ENDPOINT_RELAY)
		s->hold = 1;
	outq_queue(s, (const uint8_t *)resp, rlen);
	s->upgraded = 1;
	s->proto = (uint8_t)res.proto;
	left = s->in_len - used;
	if (left > 0 && left <= rbuf_size)
		memcpy(rbuf, s->in + used, left);
	free(s->in);
	s->in = NULL;
	s->in_len = s->in_cap = 0;

	if (res.endpoint == ENDPOINT_ECHO) {
		/* Plain WebSocket: sws/1's fragment cap does not apply. */
		ws_rx_any_fragments(&s->rx);
		SET_STATE(s, S_ECHO);
		s->echo = 1;
		relay_timer_set(s, TL_LIVE);
	} else {
		relay_timer_set(s, TL_REG);
		if ((reason = session_start(s)) != NULL) {
			conn_close(s, WS_CLOSE_POLICY, reason);
			return;
		}
	}
	if (left > 0)
		conn_feed(s, rbuf, left);
}

/* Feed bytes to the frame parser; keep what it could not take now. */
static void
conn_feed(struct session *s, uint8_t *buf, size_t len)
{
	ssize_t	 used;
	int	 code = 0;

	used = ws_rx_feed(&s->rx, relay->lim.max_message, buf, len,
	    conn_on_msg, s, &code);
	if (used == -1) {
		conn_close(s, code, code == WS_CLOSE_TOO_BIG ?
		    "message too big" : code == WS_CLOSE_BAD_DATA ?
		    "invalid UTF-8" : "protocol error");
		return;
	}
	/* Stopped early, or our own output is over its bound: pause. */
	if (s->state != S_CLOSING && ((size_t)used < len ||
	    outq_pending(s) > relay->lim.send_buffer))
		conn_hold(s, buf + used, len - (size_t)used);
}

/*
 * Reading stops while the session's own output is over its bound.  Its
 * queue is then full as docs/WIRE.md 5 means it (its own answers and pongs
 * are output like any other), so the 1013 rule applies: a client that
 * sends but never reads does not hold its connection forever.
 */
static void
conn_hold(struct session *s, const uint8_t *p, size_t len)
{
	uint8_t	*n;

	outq_mark_full(s);
	if (len > s->in_cap) {
		if ((n = realloc(s->in, len)) == NULL) {
			conn_close(s, WS_CLOSE_INTERNAL, "out of memory");
			return;
		}
		s->in = n;
		s->in_cap = len;
	}
	memmove(s->in, p, len);
	s->in_len = len;
	s->paused = 1;
	conn_events(s, s->ev_flags & ~EV_READ);
}

static void
conn_resume(struct session *s)
{
	uint8_t	*held;
	size_t	 len;

	s->paused = 0;
	if (s->tx != NULL)
		s->tls_more = 1;	/* what OpenSSL held while paused */
	conn_events(s, s->ev_flags | EV_READ);
	if (s->in_len == 0)
		return;
	/* The held bytes move out first: feeding may hold again. */
	held = s->in;
	len = s->in_len;
	s->in = NULL;
	s->in_len = s->in_cap = 0;
	conn_feed(s, held, len);
	free(held);
}

static int
conn_on_msg(void *arg, int opcode, uint8_t *data, size_t len)
{
	struct session	*s = arg;
	const char	*reason;
	unsigned int	 code;

	log_debug2("session %llu: frame in: opcode %d, %zu bytes",
	    (unsigned long long)s->serial, opcode, len);
	if (s->state == S_CLOSING)
		return 1;
	switch (opcode) {
	case WS_OP_PING:
		outq_frame(s, WS_OP_PONG, data, len);
		break;
	case WS_OP_PONG:
		break;
	case WS_OP_CLOSE:
		s->close_rcvd = 1;
		if (len >= 2) {
			code = (unsigned int)data[0] << 8 | data[1];
			metrics_close_received(code);
			conn_close(s, (int)code, NULL);
		} else {
			metrics_close_received(0);
			conn_close(s, 0, NULL);
		}
		return 1;
	default:
		METRIC_INC(M_MSG_IN);
		s->msgs_in++;
		if (s->state == S_ECHO) {
			outq_frame(s, opcode, data, len);
			METRIC_INC(M_MSG_OUT);
			s->msgs_out++;
		} else if ((reason = session_message(s, opcode, data, len)) !=
		    NULL)
			conn_close(s, WS_CLOSE_POLICY, reason);
		break;
	}
	if (s->state == S_CLOSING)
		return 1;
	if (outq_pending(s) > relay->lim.send_buffer)
		return 1;	/* held: our own output is over its bound */
	return 0;
}

void
conn_verified(struct session *s, const uint8_t *proof)
{
	struct session	*old;

	if (!session_verified(s, proof))
		return;
	/*
	 * A full key gives up its oldest session to the newcomer: the
	 * router names it and we close it, which takes it out of the key.
	 */
	while ((old = router_register(s)) != NULL)
		conn_close(old, WS_CLOSE_REPLACED, "replaced");
}

void
conn_rejected(struct session *s, uint32_t reason)
{
	const char	*why;

	if ((why = session_rejected(s, reason)) != NULL)
		conn_close(s, WS_CLOSE_POLICY, why);
}

void
conn_close(struct session *s, int code, const char *reason)
{
	uint8_t	 payload[WS_MAX_CONTROL];
	size_t	 len = 0, rlen;

	if (s->state == S_CLOSING)
		return;
	session_release(s);
	if (s->closer == CLOSER_NONE && s->state != S_HTTP) {
		s->closer = s->close_rcvd ? CLOSER_CLIENT : CLOSER_RELAY;
		s->close_code = code != 0 ? (uint16_t)code :
		    WS_CLOSE_NO_STATUS;
	}
	if (s->state != S_HTTP && code != 0) {
		payload[0] = (uint8_t)(code >> 8);
		payload[1] = (uint8_t)code;
		len = 2;
		if (reason != NULL) {
			rlen = strlen(reason);
			if (rlen > sizeof(payload) - 2)
				rlen = sizeof(payload) - 2;
			memcpy(payload + 2, reason, rlen);
			len += rlen;
		}
	}
	if (s->state != S_HTTP) {
		outq_frame(s, WS_OP_CLOSE, payload, len);
		metrics_close_sent((unsigned int)code);
	}
	SET_STATE(s, S_CLOSING);
	s->close_sent = 1;
	s->paused = 0;
	s->in_len = 0;
	relay_timer_set(s, TL_CLOSING);
	outq_closing(s);
	conn_events(s, s->ev_flags | EV_READ);
}

void
conn_free(struct session *s)
{
	char	 a[INET6_ADDRSTRLEN + 8];
	size_t	 i;

	if (s->upgraded)
		conn_log_end(s);
	else
		log_debug2("%s: closed before any upgrade",
		    conn_peer(s, a, sizeof(a)));
	if (s->lis != NULL && --s->lis->nsess == 0 && s->lis->gone)
		free(s->lis);
	session_release(s);
	relay_timer_set(s, TL_NONE);
	outq_free(s);
	limit_addr_put(s->addr, relay_msec());
	if (s->again) {
		for (i = 0; i < relay->nagain; i++)
			if (relay->again[i] == s)
				relay->again[i] = NULL;
		s->again = 0;
	}
	if (s->tx != NULL) {
		/* close_notify, once, as far as the socket takes it */
		if (!s->tls_closed && !s->tls_hs)
			(void)tls_close(s->tx->tls);
		tlsctx_done(s->tx->tls, s->tx->tgen);
		free(s->tx->pre);
	}
	free(s->tx);
	close(s->fd);
	ws_rx_free(&s->rx);
	free(s->in);
	metrics_state(s->state, METRICS_NEW);
	if (conn_cursor == s)
		conn_cursor = TAILQ_PREV(s, session_all, all_entry);
	TAILQ_REMOVE(&relay->all, s, all_entry);
	relay->nsessions--;
	/* closing the socket took it out of the epoll set */
	if (relay->in_batch) {
		s->dead = 1;
		TAILQ_INSERT_TAIL(&relay->graveyard, s, timer_entry);
	} else
		free(s);
}

void
conn_timeout(struct session *s, int tlist)
{
	switch (tlist) {
	case TL_HTTP:
		/* A PROXY header still incomplete is a bad one, counted. */
		if (s->want_proxy)
			METRIC_INC(M_REFUSED_PROXY);
		log_debug("handshake timeout%s", s->want_proxy ?
		    " in the PROXY header" : "");
		conn_free(s);
		break;
	case TL_REG:
		conn_close(s, WS_CLOSE_POLICY, session_reg_timeout(s));
		break;
	case TL_CLOSING:
		conn_free(s);
		break;
	case TL_LIVE:
		/*
		 * Not reading a session whose output is full is our choice,
		 * not its silence: the full list decides its fate (1013).
		 * A paused session whose output drained below half the send
		 * buffer, but not to nothing, is no longer marked full yet
		 * still not read: it is full again, or it would live for ever.
		 */
		if (s->full || s->paused) {
			if (s->paused)
				outq_mark_full(s);
			relay_timer_set(s, TL_LIVE);
			break;
		}
		if (timer_due(relay_now_ms(), s->t_list,
		    relay->lim.idle_timeout * 1000U)) {
			conn_close(s, WS_CLOSE_GOING_AWAY, "idle timeout");
			break;
		}
		if (!s->pinged) {
			s->pinged = 1;
			outq_frame(s, WS_OP_PING, NULL, 0);
			conn_trim(s);
		}
		break;
	}
}

/* An idle session gives back the buffers it is not using. */
static void
conn_trim(struct session *s)
{
	outq_trim(s);
	if (s->rx.msg_len == 0 && s->rx.msg != NULL) {
		free(s->rx.msg);
		s->rx.msg = NULL;
		s->rx.msg_cap = 0;
	}
}

int
conn_flush(struct session *s)
{
	switch (outq_write(s)) {
	case OUTQ_ERROR:
		conn_free(s);
		return -1;
	case OUTQ_BLOCKED:
		conn_events(s, s->ev_flags | EV_WRITE);
		return 0;
	}
	conn_events(s, s->ev_flags & ~EV_WRITE);
	if (s->state == S_CLOSING) {
		if (s->close_rcvd || relay->shutting_down) {
			conn_free(s);
			return -1;
		}
		/*
		 * Our close is out: half-close and wait for the peer.  On
		 * TLS, close_notify first; reading goes on after it.
		 */
		if (s->tx != NULL && !s->tls_closed) {
			s->tls_closed = 1;
			(void)tls_close(s->tx->tls);
		}
		(void)shutdown(s->fd, SHUT_WR);
		return 0;
	}
	if (s->paused)
		conn_resume(s);
	return 0;
}
