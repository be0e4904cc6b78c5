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
 * The connection engine of swsbench: non-blocking sockets on one epoll
 * set, the HTTP upgrade, RFC 6455 frames through common/ws (client side:
 * frames from the relay are unmasked, ours are masked), and the sws/1
 * registration with libsodium.  Output is never written where it is
 * made: a connection with something to send goes on the dirty list and
 * net_flush() writes each one once at the end of the loop turn, so all
 * the frames a turn produced for one socket leave in one write.  A read
 * takes up to 256 KiB, many frames at a time.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "swsbench.h"

#define RBUF_SIZE	(256 * 1024)
#define MAX_EVENTS	1024
#define HEAD_MAX	4096

struct bench	 B;

static uint32_t	 mask_state = 0x9e3779b9;

static void	conn_event(struct conn *, uint32_t);
static void	net_tls_init(void);
static void	conn_tls_step(struct conn *);
static void	conn_upgrade(struct conn *);
static void	conn_read(struct conn *);
static int	conn_flush(struct conn *);
static void	conn_lost(struct conn *, const char *, int);
static void	conn_http(struct conn *, size_t);
static void	conn_feed(struct conn *, uint8_t *, size_t);
static int	conn_on_frame(void *, int, uint8_t *, size_t);
static void	conn_msg(struct conn *, const struct wmsg *);
static void	conn_events(struct conn *, int);
static void	conn_newkey(struct conn *);
static uint8_t	*conn_reserve(struct conn *, size_t);
static void	conn_dirty(struct conn *);
static void	count_err(struct counters *, const char *, size_t);

/* Frame masks need not be secret here, only different (RFC 6455 5.3). */
static void
next_mask(uint8_t m[4])
{
	uint32_t	 x = mask_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	mask_state = x;
	memcpy(m, &x, 4);
}

static void
count_err(struct counters *c, const char *name, size_t len)
{
	size_t	 i;

	if (len >= sizeof(c->err[0].name))
		len = sizeof(c->err[0].name) - 1;
	for (i = 0; i < MAX_ERRNAMES && c->err[i].name[0] != '\0'; i++)
		if (strlen(c->err[i].name) == len &&
		    memcmp(c->err[i].name, name, len) == 0)
			break;
	if (i == MAX_ERRNAMES)
		i = MAX_ERRNAMES - 1;	/* the last one collects the rest */
	if (c->err[i].name[0] == '\0')
		memcpy(c->err[i].name, name, len);
	c->err[i].n++;
}

static void
count_errf(const char *fmt, const char *arg)
{
	char	 buf[64];

	snprintf(buf, sizeof(buf), fmt, arg);
	count_err(&B.c, buf, strlen(buf));
	if (B.verbose)
		fprintf(stderr, "swsbench: %s\n", buf);
}

/*
 * ws://HOST[:PORT][/PATH] with HOST a loopback address: 127.0.0.0/8,
 * "localhost" or [::1].  Anything else is refused: this tool makes load
 * and must not be pointed at somebody else's machine.
 */
int
net_parse_url(const char *url)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&B.ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&B.ss;
	char			 host[64], *e;
	const char		*p, *hend, *path;
	unsigned long		 port = 80;
	size_t			 hlen, i;

	if (strncmp(url, "wss://", 6) == 0) {
		B.tls = 1;
		port = 443;
		p = url + 6;
	} else if (strncmp(url, "ws://", 5) == 0)
		p = url + 5;
	else {
		fprintf(stderr, "swsbench: %s: only ws:// and wss:// URLs\n",
		    url);
		return -1;
	}
	if ((path = strchr(p, '/')) == NULL)
		path = p + strlen(p);
	if (*p == '[') {
		if ((hend = memchr(p, ']', (size_t)(path - p))) == NULL)
			return -1;
		hlen = (size_t)(hend - p - 1);
		if (hlen >= sizeof(host))
			return -1;
		memcpy(host, p + 1, hlen);
		host[hlen] = '\0';
		hend++;
	} else {
		hend = memchr(p, ':', (size_t)(path - p));
		if (hend == NULL)
			hend = path;
		hlen = (size_t)(hend - p);
		if (hlen == 0 || hlen >= sizeof(host))
			return -1;
		memcpy(host, p, hlen);
		host[hlen] = '\0';
	}
	if (*hend == ':') {
		port = strtoul(hend + 1, &e, 10);
		if (e != path || port == 0 || port > 65535) {
			fprintf(stderr, "swsbench: %s: bad port\n", url);
			return -1;
		}
	} else if (hend != path)
		return -1;
	memset(&B.ss, 0, sizeof(B.ss));
	if (strcasecmp(host, "localhost") == 0)
		strlcpy(host, "127.0.0.1", sizeof(host));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127) {
			fprintf(stderr, "swsbench: %s is not a loopback "
			    "address (127.0.0.0/8 or ::1 only)\n", host);
			return -1;
		}
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		B.sslen = sizeof(*sin);
		B.family = AF_INET;
		snprintf(B.host, sizeof(B.host), "%s:%lu", host, port);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
			fprintf(stderr, "swsbench: %s is not a loopback "
			    "address (127.0.0.0/8 or ::1 only)\n", host);
			return -1;
		}
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		B.sslen = sizeof(*sin6);
		B.family = AF_INET6;
		snprintf(B.host, sizeof(B.host), "[%s]:%lu", host, port);
	} else {
		fprintf(stderr, "swsbench: %s: give a loopback address, not "
		    "a name\n", host);
		return -1;
	}
	for (i = 0; B.host[i] != '\0'; i++)
		B.host[i] = (char)tolower((unsigned char)B.host[i]);
	B.port = (int)port;
	if (*path == '\0')
		path = "/";
	if (strlen(path) >= sizeof(B.path))
		return -1;
	for (i = 0; path[i] != '\0'; i++)
		if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f)
			return -1;
	strlcpy(B.path, path, sizeof(B.path));
	return 0;
}

void
net_init(void)
{
	uint8_t		 key[16];
	char		 key64[32];
	int		 n;

	if ((B.ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("epoll_create1");
		exit(1);
	}
	B.rbuf_size = RBUF_SIZE;
	if ((B.rbuf = malloc(B.rbuf_size)) == NULL) {
		perror("malloc");
		exit(1);
	}
	randombytes_buf(&mask_state, sizeof(mask_state));
	mask_state |= 1;

	/* One key for every upgrade of the run: its answer is checked. */
	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(key64, sizeof(key64), key, sizeof(key),
	    sodium_base64_VARIANT_ORIGINAL);
	ws_accept(B.accept, key64, strlen(key64));
	n = snprintf(B.req, sizeof(B.req),
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: %s\r\n"
	    "\r\n", B.path, B.host, key64,
	    B.proto == PROTO_JSON ? "sws.v1.json" : "sws.v1.msgpack");
	if (n < 0 || (size_t)n >= sizeof(B.req)) {
		fprintf(stderr, "swsbench: request too long\n");
		exit(1);
	}
	B.req_len = (size_t)n;
	if (B.tls)
		net_tls_init();
}

/*
 * wss://: TLS 1.2 or 1.3, the relay's certificate verified against -C's
 * CA file (or the system's) for the loopback address dialled, ALPN
 * http/1.1, and no session resumption: every connection makes a full
 * handshake, as a new client would.
 */
static void
net_tls_init(void)
{
	static const unsigned char	 alpn[] = "\x08http/1.1";
	SSL_CTX				*ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0) {
		fprintf(stderr, "swsbench: TLS context\n");
		exit(1);
	}
	if ((B.cafile != NULL ? SSL_CTX_load_verify_locations(ctx, B.cafile,
	    NULL) : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		fprintf(stderr, "swsbench: %s: cannot load the CA file\n",
		    B.cafile != NULL ? B.cafile : "system store");
		exit(1);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	B.ssl_ctx = ctx;
}

/* Connected (and over TLS, shaken hands): the upgrade request goes. */
static void
conn_upgrade(struct conn *c)
{
	uint8_t	*p;

	c->state = C_HTTP;
	if ((p = conn_reserve(c, B.req_len)) == NULL) {
		conn_lost(c, "out of memory", 0);
		return;
	}
	memcpy(p, B.req, B.req_len);
	c->out_len += B.req_len;
	(void)conn_flush(c);
}

/* The handshake, a step per readiness; then the upgrade request. */
static void
conn_tls_step(struct conn *c)
{
	char		 a[64];
	int		 r;

	if (c->ssl == NULL) {
		if ((c->ssl = SSL_new(B.ssl_ctx)) == NULL ||
		    SSL_set_fd(c->ssl, c->fd) != 1) {
			conn_lost(c, "TLS: SSL_new", 0);
			return;
		}
		/* the host is a loopback address: checked as an IP SAN */
		strlcpy(a, B.host[0] == '[' ? B.host + 1 : B.host, sizeof(a));
		a[strcspn(a, B.host[0] == '[' ? "]" : ":")] = '\0';
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), a)
		    != 1) {
			conn_lost(c, "TLS: bad address", 0);
			return;
		}
		SSL_set_connect_state(c->ssl);
	}
	ERR_clear_error();
	if ((r = SSL_do_handshake(c->ssl)) == 1) {
		B.tls_handshakes++;
		conn_upgrade(c);
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		conn_events(c, 0);
		return;
	case SSL_ERROR_WANT_WRITE:
		conn_events(c, 1);
		return;
	default:
		conn_lost(c, SSL_get_verify_result(c->ssl) != X509_V_OK ?
		    "TLS: certificate not verified" : "TLS handshake failed",
		    0);
	}
}

void
conn_init(struct conn *c, uint32_t idx)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->idx = idx;
	ws_rx_init(&c->rx, 0);
	conn_newkey(c);
}

static void
conn_newkey(struct conn *c)
{
	crypto_box_keypair(c->pk, c->sk);
	b64url_encode(c->pk_b64, sizeof(c->pk_b64), c->pk, KEY_LEN);
	c->k_ok = 0;
}

int
conn_start(struct conn *c)
{
	struct epoll_event	 ev;
	struct linger		 lg;
	int			 one = 1;

	c->out_off = c->out_len = 0;
	free(c->head);
	c->head = NULL;
	c->head_len = 0;
	c->joined = 0;
	ws_rx_free(&c->rx);
	ws_rx_init(&c->rx, 0);
	if (c->fresh_key)
		conn_newkey(c);
	c->t_start = now_ns();
	c->fd = socket(B.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->fd == -1) {
		count_errf("socket: %s", strerror(errno));
		B.c.conn_fail++;
		return -1;
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (B.linger0) {
		/* RST on close: no TIME_WAIT to run out of ports with. */
		lg.l_onoff = 1;
		lg.l_linger = 0;
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg));
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.ptr = c;
	c->want_out = 1;
	if (epoll_ctl(B.ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		count_errf("epoll_ctl: %s", strerror(errno));
		close(c->fd);
		c->fd = -1;
		B.c.conn_fail++;
		return -1;
	}
	c->state = C_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&B.ss, B.sslen) == -1 &&
	    errno != EINPROGRESS) {
		count_errf("connect: %s", strerror(errno));
		close(c->fd);
		c->fd = -1;
		c->state = C_IDLE;
		B.c.conn_fail++;
		return -1;
	}
	return 0;
}

/* Close the socket; the conn may be started again after this turn. */
void
conn_close(struct conn *c)
{
	if (c->ssl != NULL) {
		SSL_free(c->ssl);	/* no close_notify: the socket goes */
		c->ssl = NULL;
	}
	if (c->fd != -1)
		close(c->fd);	/* leaves the epoll set by itself */
	c->fd = -1;
	if (c->state == C_LIVE && B.nlive > 0)
		B.nlive--;
	c->state = C_IDLE;
	c->want_out = 0;
	c->out_off = c->out_len = 0;
}

/* The relay closed or broke the connection. */
static void
conn_lost(struct conn *c, const char *why, int code)
{
	enum cstate	 st = c->state;

	if (st == C_LIVE)
		B.c.closed++;
	else
		B.c.conn_fail++;
	count_errf("%s", why);
	conn_close(c);
	if (B.ops->closed != NULL)
		B.ops->closed(c, st == C_LIVE ? code : -1);
}

static uint8_t *
conn_reserve(struct conn *c, size_t n)
{
	size_t	 cap;
	uint8_t	*p;

	if (c->out_len + n > c->out_cap && c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		cap = c->out_cap > 0 ? c->out_cap * 2 : 1024;
		while (cap < c->out_len + n)
			cap *= 2;
		if (cap > B.out_limit && c->out_len + n > B.out_limit)
			return NULL;
		if ((p = realloc(c->out, cap)) == NULL)
			return NULL;
		c->out = p;
		c->out_cap = cap;
	}
	return c->out + c->out_len;
}

static void
conn_dirty(struct conn *c)
{
	struct conn	**q;
	size_t		 cap;

	if (c->dirty)
		return;
	if (B.ndirty == B.ndirty_cap) {
		cap = B.ndirty_cap > 0 ? B.ndirty_cap * 2 : 1024;
		if ((q = reallocarray(B.dirtyq, cap, sizeof(*q))) == NULL) {
			perror("reallocarray");
			exit(1);
		}
		B.dirtyq = q;
		B.ndirty_cap = cap;
	}
	B.dirtyq[B.ndirty++] = c;
	c->dirty = 1;
}

/* Frame the payload (masked) onto the connection's output. */
void
conn_queue(struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	uint8_t	 m[4], *p;
	size_t	 hl;

	if ((p = conn_reserve(c, WS_MAX_HEADER + len)) == NULL) {
		B.c.overflow++;
		return;
	}
	next_mask(m);
	hl = ws_header_masked(p, opcode, len, m);
	memcpy(p + hl, data, len);
	ws_mask(p + hl, len, m, 0);
	c->out_len += hl + len;
	conn_dirty(c);
}

/*
 * The hot path: conn_frame_begin() reserves room for a frame of plen
 * payload bytes and returns where the payload goes; the caller writes
 * it there and conn_frame_end() puts the header before it and masks.
 * One copy of the payload, no move.
 */
static size_t
frame_hlen(size_t plen)
{
	return plen < 126 ? 6 : plen <= 0xffff ? 8 : 14;
}

uint8_t *
conn_frame_begin(struct conn *c, size_t plen)
{
	uint8_t	*p;

	if ((p = conn_reserve(c, frame_hlen(plen) + plen + 1)) == NULL)
		return NULL;
	return p + frame_hlen(plen);
}

void
conn_frame_end(struct conn *c, size_t plen)
{
	uint8_t	 m[4], *p = c->out + c->out_len;
	size_t	 hl;

	next_mask(m);
	hl = ws_header_masked(p, B.proto == PROTO_JSON ? WS_OP_TEXT :
	    WS_OP_BINARY, plen, m);
	ws_mask(p + hl, plen, m, 0);
	c->out_len += hl + plen;
	conn_dirty(c);
}

static void
conn_events(struct conn *c, int out)
{
	struct epoll_event	 ev;

	if (c->want_out == out || c->fd == -1)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (out ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(B.ep, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
		perror("epoll_ctl");
		exit(1);
	}
	c->want_out = (uint8_t)out;
}

/* Write what is pending; -1 when the connection is gone. */
static int
conn_flush(struct conn *c)
{
	ssize_t	 n;

	if (c->fd == -1)
		return -1;
	if (c->state == C_CONNECTING || c->state == C_TLS)
		return 0;
	while (c->ssl != NULL && c->out_off < c->out_len) {
		ERR_clear_error();
		n = SSL_write(c->ssl, c->out + c->out_off, c->out_len -
		    c->out_off);
		B.c.writes++;
		if (n <= 0) {
			switch (SSL_get_error(c->ssl, (int)n)) {
			case SSL_ERROR_WANT_WRITE:
			case SSL_ERROR_WANT_READ:
				conn_events(c, 1);
				return 0;
			default:
				conn_lost(c, "TLS write error", 1006);
				return -1;
			}
		}
		c->out_off += (size_t)n;
	}
	while (c->out_off < c->out_len) {
		n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		B.c.writes++;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_lost(c, errno == EPIPE || errno == ECONNRESET ?
			    "reset by relay" : "write error", 1006);
			return -1;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		conn_events(c, 0);
	} else
		conn_events(c, 1);
	return 0;
}

/* Write one connection's output now, not at the end of the turn. */
void
net_send_now(struct conn *c)
{
	if (c->fd != -1)
		(void)conn_flush(c);
}

void
net_flush(void)
{
	struct conn	*c;
	size_t		 i;

	/* A flush may close a connection, never add one to the list. */
	for (i = 0; i < B.ndirty; i++) {
		c = B.dirtyq[i];
		c->dirty = 0;
		if (c->fd != -1)
			(void)conn_flush(c);
	}
	B.ndirty = 0;
}

void
net_turn(int timeout_ms)
{
	struct epoll_event	 evs[MAX_EVENTS];
	uint64_t		 ticks;
	int			 i, n;

	n = epoll_wait(B.ep, evs, MAX_EVENTS, timeout_ms);
	B.now = now_ns();
	if (n == -1) {
		if (errno == EINTR)
			return;
		perror("epoll_wait");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		if (evs[i].data.ptr != NULL)
			conn_event(evs[i].data.ptr, evs[i].events);
		else if (B.timerfd != -1 &&
		    read(B.timerfd, &ticks, sizeof(ticks)) == -1 &&
		    errno != EAGAIN) {
			perror("read timerfd");
			exit(1);
		}
	}
}

static void
conn_event(struct conn *c, uint32_t ev)
{
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (c->fd == -1)
		return;		/* closed earlier in this turn */
	if (c->state == C_CONNECTING) {
		if ((ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			count_errf("connect: %s", strerror(err));
			B.c.conn_fail++;
			conn_close(c);
			if (B.ops->closed != NULL)
				B.ops->closed(c, -1);
			return;
		}
		if (B.tls) {
			c->state = C_TLS;
			conn_tls_step(c);
			return;
		}
		conn_upgrade(c);
		return;
	}
	if (c->state == C_TLS) {
		conn_tls_step(c);
		return;
	}
	if ((ev & EPOLLOUT) && conn_flush(c) == -1)
		return;
	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(c);
}

/*
 * Over TLS, records until OpenSSL has no more or the buffer is full: a
 * level-triggered epoll says nothing of what OpenSSL holds.
 */
static ssize_t
conn_tls_read(struct conn *c)
{
	size_t	 got = 0;
	int	 n;

	while (got < B.rbuf_size) {
		ERR_clear_error();
		n = SSL_read(c->ssl, B.rbuf + got, (int)(B.rbuf_size - got));
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		switch (SSL_get_error(c->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			if (got == 0)
				errno = EAGAIN;
			return got > 0 ? (ssize_t)got : -1;
		case SSL_ERROR_ZERO_RETURN:
			return (ssize_t)got;
		default:
			if (got > 0)
				return (ssize_t)got;
			errno = ECONNRESET;
			return -1;
		}
	}
	return (ssize_t)got;
}

static void
conn_read(struct conn *c)
{
	ssize_t	 n;

	if (c->ssl != NULL) {
		/* feed what a full buffer held, then read on */
		while ((n = conn_tls_read(c)) == (ssize_t)B.rbuf_size &&
		    c->fd != -1) {
			B.c.reads++;
			if (c->state == C_HTTP)
				conn_http(c, (size_t)n);
			else
				conn_feed(c, B.rbuf, (size_t)n);
			if (c->fd == -1 || c->ssl == NULL)
				return;
		}
	} else
		n = read(c->fd, B.rbuf, B.rbuf_size);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_lost(c, errno == ECONNRESET ? "reset by relay" :
		    "read error", 1006);
		return;
	}
	if (n == 0) {
		conn_lost(c, c->state == C_LIVE ? "relay closed (no close "
		    "frame)" : "relay closed during handshake", 1006);
		return;
	}
	B.c.reads++;
	if (c->state == C_HTTP)
		conn_http(c, (size_t)n);
	else
		conn_feed(c, B.rbuf, (size_t)n);
}

/* Find header name (case-insensitive) in an HTTP head; its value. */
static const char *
head_value(const char *head, const char *name, size_t *vlen)
{
	const char	*p = head, *v, *e;
	size_t		 nlen = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':')
			continue;
		v = p + nlen + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if ((e = strstr(v, "\r\n")) == NULL)
			return NULL;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*vlen = (size_t)(e - v);
		return v;
	}
	return NULL;
}

static void
conn_http(struct conn *c, size_t n)
{
	char		*h, *end, code[8];
	const char	*v, *want;
	size_t		 hl, vlen, used;

	if (c->head_len + n > HEAD_MAX) {
		conn_lost(c, "HTTP answer too long", 0);
		return;
	}
	if ((h = realloc(c->head, c->head_len + n + 1)) == NULL) {
		conn_lost(c, "out of memory", 0);
		return;
	}
	c->head = h;
	memcpy(h + c->head_len, B.rbuf, n);
	c->head_len += n;
	h[c->head_len] = '\0';
	if ((end = strstr(h, "\r\n\r\n")) == NULL) {
		if (memchr(h, '\0', c->head_len) != NULL)
			conn_lost(c, "NUL in HTTP answer", 0);
		return;
	}
	hl = (size_t)(end - h) + 4;
	if (strncmp(h, "HTTP/1.1 101 ", 13) != 0) {
		snprintf(code, sizeof(code), "%.3s", c->head_len > 12 ? h + 9 :
		    "???");
		count_errf("HTTP %s", code);
		B.c.conn_fail++;
		conn_close(c);
		if (B.ops->closed != NULL)
			B.ops->closed(c, -1);
		return;
	}
	end[2] = '\0';	/* head_value needs the CRLF of the last line */
	if ((v = head_value(h, "Sec-WebSocket-Accept", &vlen)) == NULL ||
	    vlen != strlen(B.accept) || memcmp(v, B.accept, vlen) != 0) {
		conn_lost(c, "bad Sec-WebSocket-Accept", 0);
		return;
	}
	want = B.proto == PROTO_JSON ? "sws.v1.json" : "sws.v1.msgpack";
	if ((v = head_value(h, "Sec-WebSocket-Protocol", &vlen)) == NULL ||
	    vlen != strlen(want) || memcmp(v, want, vlen) != 0) {
		conn_lost(c, "subprotocol not chosen", 0);
		return;
	}
	c->state = C_WAIT_CHAL;
	used = c->head_len - hl;	/* frames after the head */
	if (used > 0) {
		memmove(B.rbuf, h + hl, used);
	}
	free(c->head);
	c->head = NULL;
	c->head_len = 0;
	if (used > 0)
		conn_feed(c, B.rbuf, used);
}

static void
conn_feed(struct conn *c, uint8_t *buf, size_t len)
{
	ssize_t	 used;
	int	 code = 0;
	char	 why[48];

	used = ws_rx_feed(&c->rx, MAX_RELAY_MSG, buf, len, conn_on_frame, c,
	    &code);
	if (used == -1 && c->fd != -1) {
		snprintf(why, sizeof(why), "bad frames from relay (%d)", code);
		conn_lost(c, why, code);
	}
}

static int
conn_on_frame(void *arg, int opcode, uint8_t *data, size_t len)
{
	struct conn	*c = arg;
	struct wmsg	 m;
	char		 why[48];
	int		 code;

	if (c->fd == -1)
		return 1;
	switch (opcode) {
	case WS_OP_PING:
		conn_queue(c, WS_OP_PONG, data, len);
		return 0;
	case WS_OP_PONG:
		return 0;
	case WS_OP_CLOSE:
		code = len >= 2 ? (data[0] << 8 | data[1]) : 1005;
		snprintf(why, sizeof(why), "close %d", code);
		conn_lost(c, why, code);
		return 1;
	}
	if (opcode != (B.proto == PROTO_JSON ? WS_OP_TEXT : WS_OP_BINARY)) {
		count_errf("%s", "frame of the wrong type");
		return 0;
	}
	if (wire_decode(B.proto, data, len, &m) == -1) {
		count_errf("%s", "undecodable message");
		return 0;
	}
	conn_msg(c, &m);
	return c->fd == -1;
}

static void
conn_register(struct conn *c, const struct wmsg *m)
{
	uint8_t		 server[KEY_LEN], msg[CHAL_LEN + 256];
	uint8_t		 box[crypto_box_MACBYTES + sizeof(msg)];
	uint8_t		 nonce[NONCE_LEN], out[1024];
	size_t		 blen = strlen(B.host), n;

	if (m->type != W_CHALLENGE) {
		conn_lost(c, "no CHALLENGE", 0);
		return;
	}
	if (wire_bytes(m, F_SERVER, server, sizeof(server)) != KEY_LEN ||
	    wire_bytes(m, F_CHALLENGE, c->challenge, sizeof(c->challenge)) !=
	    CHAL_LEN) {
		conn_lost(c, "bad CHALLENGE", 0);
		return;
	}
	if (!B.server_pk_known) {
		memcpy(B.server_pk, server, KEY_LEN);
		B.server_pk_known = 1;
	} else if (memcmp(server, B.server_pk, KEY_LEN) != 0) {
		conn_lost(c, "server key differs", 0);
		return;
	}
	if (!c->k_ok) {
		if (crypto_box_beforenm(c->k, B.server_pk, c->sk) != 0) {
			conn_lost(c, "server key refused", 0);
			return;
		}
		c->k_ok = 1;
	}
	memcpy(msg, c->challenge, CHAL_LEN);
	memcpy(msg + CHAL_LEN, B.host, blen);
	randombytes_buf(nonce, sizeof(nonce));
	crypto_box_easy_afternm(box, msg, CHAL_LEN + blen, nonce, c->k);
	n = wire_challenge_response(B.proto, out, sizeof(out), c->pk, nonce,
	    box, crypto_box_MACBYTES + CHAL_LEN + blen);
	if (n == 0) {
		conn_lost(c, "cannot encode", 0);
		return;
	}
	conn_queue(c, B.proto == PROTO_JSON ? WS_OP_TEXT : WS_OP_BINARY, out,
	    n);
	c->state = C_WAIT_REG;
}

static void
conn_registered(struct conn *c, const struct wmsg *m)
{
	uint8_t		 pk[KEY_LEN], proof[PROOF_LEN], plain[CHAL_LEN + KEY_LEN];
	char		 why[64];

	if (m->type == W_REGISTER_FAILURE) {
		snprintf(why, sizeof(why), "REGISTER_FAILURE %.*s",
		    (int)(m->flen[F_REASON] < 32 ? m->flen[F_REASON] : 32),
		    m->f[F_REASON] != NULL ? (const char *)m->f[F_REASON] : "");
		B.c.reg_fail++;
		count_errf("%s", why);
		conn_close(c);
		if (B.ops->closed != NULL)
			B.ops->closed(c, -1);
		return;
	}
	if (m->type != W_REGISTER_SUCCESS) {
		conn_lost(c, "no REGISTER_SUCCESS", 0);
		return;
	}
	/* The proof says we reached the holder of the server key. */
	if (wire_bytes(m, F_PUBLICKEY, pk, sizeof(pk)) != KEY_LEN ||
	    memcmp(pk, c->pk, KEY_LEN) != 0 ||
	    wire_bytes(m, F_PROOF, proof, sizeof(proof)) != PROOF_LEN ||
	    crypto_box_open_easy_afternm(plain, proof + NONCE_LEN,
	    PROOF_LEN - NONCE_LEN, proof, c->k) != 0 ||
	    memcmp(plain, c->challenge, CHAL_LEN) != 0 ||
	    memcmp(plain + CHAL_LEN, c->pk, KEY_LEN) != 0) {
		conn_lost(c, "bad REGISTER_SUCCESS proof", 0);
		return;
	}
	if (B.max_body == 0)
		B.max_body = wire_max_body(m);
	c->state = C_LIVE;
	B.nlive++;
	B.c.regs++;
	B.ops->registered(c, m);
}

static void
conn_msg(struct conn *c, const struct wmsg *m)
{
	switch (c->state) {
	case C_WAIT_CHAL:
		conn_register(c, m);
		break;
	case C_WAIT_REG:
		conn_registered(c, m);
		break;
	case C_LIVE:
		if (m->type == W_ERROR)
			count_err(&B.c, m->f[F_CODE] != NULL ?
			    (const char *)m->f[F_CODE] : "ERROR",
			    m->f[F_CODE] != NULL ? m->flen[F_CODE] : 5);
		B.ops->message(c, m);
		break;
	default:
		break;
	}
}
