/*
 * The life of one client connection: dial, HTTP upgrade, RFC 6455 frames
 * (common/ws.c parses what the relay sends), registration, then requests
 * and the room key bookkeeping of sws-e2e/1.  Every byte from the network
 * goes through a parser that checks its length before use; anything the
 * relay does that the specification does not allow ends the connection
 * with a close frame and a CLOSED event that says what happened.
 *
 * The application may free the client from its callback.  Every entry
 * from libevent counts itself in c->depth, and the client is destroyed
 * only when the outermost one returns; code that runs after an event
 * checks c->dead and c->state before it goes on.  For the same reason
 * CLOSED is always reported from its own event, never from inside
 * another call.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>
#include <sodium.h>

#include "b64.h"
#include "utf8.h"
#include "ws.h"
#include "e2e.h"
#include "wire.h"
#include "sws.h"

#define HTTP_MAX	16384	/* bytes of the relay's upgrade answer */
#define HTTP_LINES	100
#define CLOSE_WAIT	2	/* seconds for the close handshake */

#define SUBPROTO_JSON		"sws.v1.json"
#define SUBPROTO_MSGPACK	"sws.v1.msgpack"

enum state {
	ST_NEW,
	ST_CONNECTING,
	ST_UPGRADING,
	ST_CHALLENGE,		/* WebSocket open, waiting for CHALLENGE */
	ST_REGISTERING,		/* CHALLENGE_RESPONSE sent */
	ST_READY,
	ST_CLOSING,
	ST_DONE
};

struct member {
	RB_ENTRY(member)	 entry;
	uint8_t			 pk[SWS_KEY_LEN];
	uint8_t			 key[SWS_KEY_LEN];	/* theirs */
	uint8_t			 oldkey[SWS_KEY_LEN];	/* before */
	int			 nkeys;			/* 0..2 */
};
RB_HEAD(member_tree, member);

struct room {
	TAILQ_ENTRY(room)	 entry;
	char			 name[SWS_ROOM_MAX + 1];
	size_t			 namelen;
	uint8_t			 key[SWS_KEY_LEN];	/* ours */
	struct member_tree	 members;		/* others */
};
TAILQ_HEAD(room_list, room);

struct sws_client {
	struct event_base	*base;
	sws_event_cb		 cb;
	void			*arg;
	enum state		 state;
	int			 msgpack;
	int			 timeout;
	int			 debug;

	char			 host[256];	/* for getaddrinfo */
	char			 port[8];
	char			 authority[256];	/* lower case: Host,
							   binding */
	size_t			 authlen;
	char			*target;	/* path and query */
	char			 dialname[280];	/* host:port */

	uint8_t			 pk[SWS_KEY_LEN];
	uint8_t			 sk[SWS_KEY_LEN];
	uint8_t			 pin[SWS_KEY_LEN];
	int			 pinned;
	uint8_t			 server[SWS_KEY_LEN];
	uint8_t			 challenge[E2E_CHALLENGE_LEN];

	struct addrinfo		*ai0;
	struct addrinfo		*ai;		/* next to try */
	int			 lasterr;
	struct bufferevent	*bev;
	struct event		*timer;
	struct event		*done_ev;
	char			 accept[32];	/* expected answer */
	struct ws_rx		 rx;
	int			 rx_init;
	int			 close_sent;
	int			 finish_on_flush;

	uint64_t		 last_id;
	struct sws_limits	 limits;
	struct room_list	 rooms;

	const char		*result;	/* CLOSED code, once set */
	char			 result_text[512];
	char			 result_reason[WIRE_CODE_MAX + 1];
	int			 closecode;

	int			 depth;
	int			 dead;
};

static int	member_cmp(struct member *, struct member *);
RB_PROTOTYPE(member_tree, member, entry, member_cmp)
RB_GENERATE(member_tree, member, entry, member_cmp)

static void	client_destroy(struct sws_client *);
static void	finish(struct sws_client *);
static void	fail(struct sws_client *, const char *, int, const char *,
		    ...) __attribute__((__format__ (printf, 4, 5)));
static void	try_connect(struct sws_client *);
static void	read_cb(struct bufferevent *, void *);
static void	write_cb(struct bufferevent *, void *);
static void	event_cb(struct bufferevent *, short, void *);
static void	timer_cb(evutil_socket_t, short, void *);
static void	done_cb(evutil_socket_t, short, void *);

static int
member_cmp(struct member *a, struct member *b)
{
	return memcmp(a->pk, b->pk, SWS_KEY_LEN);
}

/* ---- small helpers ---- */

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

const uint8_t *
sws_client_key(const struct sws_client *c)
{
	return c->pk;
}

/* Leave a libevent callback; destroy the client if it was freed inside. */
static void
leave(struct sws_client *c)
{
	if (--c->depth == 0 && c->dead)
		client_destroy(c);
}

/* Report an event; -1 when the application freed the client meanwhile. */
static int
emit(struct sws_client *c, struct sws_event *ev)
{
	c->depth++;
	c->cb(c, ev, c->arg);
	c->depth--;
	return c->dead ? -1 : 0;
}

static void
debug(struct sws_client *c, const char *fmt, ...)
    __attribute__((__format__ (printf, 2, 3)));

static void
debug(struct sws_client *c, const char *fmt, ...)
{
	struct sws_event	 ev;
	char			 buf[512];
	va_list			 ap;

	if (!c->debug || c->dead)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_DEBUG;
	ev.text = buf;
	emit(c, &ev);
}

/* Printable ASCII copy of untrusted text, for messages. */
static void
clean_copy(char *out, size_t outlen, const uint8_t *p, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; i < len && o + 1 < outlen; i++)
		out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[o] = '\0';
}

/* 1..128 bytes of UTF-8 without C0 controls or DEL (SPEC.md section 4). */
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

static uint64_t
next_id(struct sws_client *c)
{
	if (++c->last_id > WIRE_ID_MAX)
		c->last_id = 1;
	return c->last_id;
}

/* ---- URL ---- */

static int
parse_port(const char *p, size_t len, char *out, size_t outlen)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (len < 1 || len > 5 || len >= outlen)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	snprintf(out, outlen, "%lu", v);
	return 0;
}

static int
parse_url(struct sws_client *c, const char *url, char *err, size_t errlen)
{
	const char	*auth, *end, *hs, *he, *ps = NULL, *frag;
	size_t		 i, alen, hlen;

	for (i = 0; url[i] != '\0'; i++)
		if ((uint8_t)url[i] <= 0x20 || (uint8_t)url[i] >= 0x7f) {
			snprintf(err, errlen, "URL has a space, a control "
			    "or a non-ASCII character");
			return -1;
		}
	if (strncasecmp(url, "wss://", 6) == 0) {
		snprintf(err, errlen, "wss:// is not supported; use ws://");
		return -1;
	}
	if (strncasecmp(url, "ws://", 5) != 0) {
		snprintf(err, errlen, "%s: not a ws:// URL", url);
		return -1;
	}
	auth = url + 5;
	alen = strcspn(auth, "/?#");
	end = auth + alen;
	if (alen == 0 || alen > E2E_BINDING_MAX) {
		snprintf(err, errlen, "%s: bad host in URL", url);
		return -1;
	}
	if (memchr(auth, '@', alen) != NULL) {
		snprintf(err, errlen, "%s: user name in URL", url);
		return -1;
	}
	if (auth[0] == '[') {
		hs = auth + 1;
		if ((he = memchr(hs, ']', (size_t)(end - hs))) == NULL) {
			snprintf(err, errlen, "%s: bad IPv6 address", url);
			return -1;
		}
		for (i = 0; hs + i < he; i++)
			if (!isxdigit((unsigned char)hs[i]) && hs[i] != ':' &&
			    hs[i] != '.') {
				snprintf(err, errlen, "%s: bad IPv6 address",
				    url);
				return -1;
			}
		if (he + 1 < end) {
			if (he[1] != ':') {
				snprintf(err, errlen, "%s: bad host", url);
				return -1;
			}
			ps = he + 2;
		}
	} else {
		hs = auth;
		he = memchr(auth, ':', alen);
		if (he != NULL)
			ps = he + 1;
		else
			he = end;
		for (i = 0; hs + i < he; i++)
			if (!isalnum((unsigned char)hs[i]) && hs[i] != '-' &&
			    hs[i] != '.' && hs[i] != '_') {
				snprintf(err, errlen, "%s: bad host", url);
				return -1;
			}
	}
	hlen = (size_t)(he - hs);
	if (hlen == 0 || hlen >= sizeof(c->host)) {
		snprintf(err, errlen, "%s: bad host", url);
		return -1;
	}
	memcpy(c->host, hs, hlen);
	c->host[hlen] = '\0';
	if (ps != NULL) {
		if (parse_port(ps, (size_t)(end - ps), c->port,
		    sizeof(c->port)) != 0) {
			snprintf(err, errlen, "%s: bad port", url);
			return -1;
		}
	} else
		strlcpy(c->port, "80", sizeof(c->port));

	for (i = 0; i < alen; i++)
		c->authority[i] = (char)tolower((unsigned char)auth[i]);
	c->authority[alen] = '\0';
	c->authlen = alen;
	snprintf(c->dialname, sizeof(c->dialname), "%s%s%s:%s",
	    auth[0] == '[' ? "[" : "", c->host, auth[0] == '[' ? "]" : "",
	    c->port);

	/* the request target: path and query, without the fragment */
	frag = strchr(end, '#');
	i = frag != NULL ? (size_t)(frag - end) : strlen(end);
	if ((c->target = malloc(i + 2)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(c->target, i + 2, "%s%.*s", (i == 0 || end[0] == '?') ?
	    "/" : "", (int)i, end);
	return 0;
}

/* ---- life cycle ---- */

struct sws_client *
sws_client_new(struct event_base *base, const struct sws_config *cfg,
    sws_event_cb cb, void *arg, char *err, size_t errlen)
{
	struct sws_client	*c;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium cannot start");
		return NULL;
	}
	if (cfg->url == NULL || cfg->secret_key == NULL || cb == NULL) {
		snprintf(err, errlen, "URL, key and callback are required");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->base = base;
	c->cb = cb;
	c->arg = arg;
	c->msgpack = cfg->msgpack != 0;
	c->timeout = cfg->timeout > 0 ? cfg->timeout : 10;
	c->debug = cfg->debug;
	TAILQ_INIT(&c->rooms);
	memcpy(c->sk, cfg->secret_key, SWS_KEY_LEN);
	crypto_scalarmult_base(c->pk, c->sk);
	if (cfg->server_key != NULL) {
		memcpy(c->pin, cfg->server_key, SWS_KEY_LEN);
		c->pinned = 1;
	}
	if (parse_url(c, cfg->url, err, errlen) != 0) {
		client_destroy(c);
		return NULL;
	}
	c->timer = evtimer_new(base, timer_cb, c);
	c->done_ev = event_new(base, -1, 0, done_cb, c);
	if (c->timer == NULL || c->done_ev == NULL) {
		snprintf(err, errlen, "out of memory");
		client_destroy(c);
		return NULL;
	}
	return c;
}

static void
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

static void
client_destroy(struct sws_client *c)
{
	struct room	*r;

	while ((r = TAILQ_FIRST(&c->rooms)) != NULL) {
		TAILQ_REMOVE(&c->rooms, r, entry);
		room_free(r);
	}
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->done_ev != NULL)
		event_free(c->done_ev);
	if (c->ai0 != NULL)
		freeaddrinfo(c->ai0);
	if (c->rx_init)
		ws_rx_free(&c->rx);
	free(c->target);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

void
sws_client_free(struct sws_client *c)
{
	if (c == NULL)
		return;
	c->dead = 1;
	if (c->depth == 0)
		client_destroy(c);
}

/* Remember why the connection ends; the first reason wins. */
static void
set_result(struct sws_client *c, const char *code, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static void
set_result(struct sws_client *c, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	if (c->result != NULL)
		return;
	c->result = code;
	va_start(ap, fmt);
	vsnprintf(c->result_text, sizeof(c->result_text), fmt, ap);
	va_end(ap);
}

static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sws_client	*c = arg;
	struct sws_event	 ev;

	(void)fd;
	(void)what;
	c->depth++;
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_CLOSED;
	ev.code = c->result != NULL ? c->result : "lost";
	ev.text = c->result_text;
	ev.reason = c->result_reason[0] != '\0' ? c->result_reason : NULL;
	ev.closecode = c->closecode;
	emit(c, &ev);
	leave(c);
}

/*
 * The connection is over.  The bufferevent is only switched off here and
 * freed by done_cb(), since our caller may still be reading its buffer.
 */
static void
finish(struct sws_client *c)
{
	if (c->state == ST_DONE)
		return;
	c->state = ST_DONE;
	if (c->result == NULL)
		set_result(c, "lost", "connection to %s lost", c->dialname);
	if (c->bev != NULL) {
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	}
	evtimer_del(c->timer);
	event_active(c->done_ev, EV_TIMEOUT, 0);
}

static void
arm_timer(struct sws_client *c, int seconds)
{
	struct timeval	 tv = { seconds, 0 };

	evtimer_add(c->timer, &tv);
}

/* ---- frames out ---- */

static int
send_frame(struct sws_client *c, int opcode, const void *data, size_t len)
{
	struct evbuffer		*out;
	struct evbuffer_iovec	 iov;
	uint8_t			 hdr[WS_MAX_HEADER], mask[4];
	size_t			 hlen;

	if (c->bev == NULL || c->close_sent || c->state == ST_DONE)
		return -1;
	if (opcode == WS_OP_CLOSE)
		c->close_sent = 1;
	randombytes_buf(mask, sizeof(mask));
	hlen = ws_header_masked(hdr, opcode, len, mask);
	out = bufferevent_get_output(c->bev);
	if (evbuffer_add(out, hdr, hlen) != 0)
		return -1;
	if (len == 0)
		return 0;
	if (evbuffer_reserve_space(out, (ev_ssize_t)len, &iov, 1) != 1 ||
	    iov.iov_len < len)
		return -1;
	memcpy(iov.iov_base, data, len);
	ws_mask(iov.iov_base, len, mask, 0);
	iov.iov_len = len;
	if (evbuffer_commit_space(out, &iov, 1) != 0)
		return -1;
	return 0;
}

static int
send_close(struct sws_client *c, int code)
{
	uint8_t	 b[2];

	if (code == 0 || code == WS_CLOSE_NO_STATUS)
		return send_frame(c, WS_OP_CLOSE, NULL, 0);
	b[0] = (uint8_t)(code >> 8);
	b[1] = (uint8_t)code;
	return send_frame(c, WS_OP_CLOSE, b, 2);
}

static int
send_request(struct sws_client *c, const struct wire_field *f, size_t n)
{
	uint8_t	*buf;
	size_t	 len;
	int	 rv;

	if (wire_encode(c->msgpack, f, n, &buf, &len) != 0) {
		errno = ENOMEM;
		return -1;
	}
	rv = send_frame(c, c->msgpack ? WS_OP_BINARY : WS_OP_TEXT, buf, len);
	free(buf);
	if (rv != 0)
		errno = ENOTCONN;
	return rv;
}

/*
 * End the connection because of something the relay did (or did not do):
 * record why, send a close frame when the WebSocket is open, and finish
 * once it is written.
 */
static void
fail(struct sws_client *c, const char *code, int wsclose, const char *fmt,
    ...)
{
	va_list	 ap;

	if (c->state == ST_DONE)
		return;
	if (c->result == NULL) {
		c->result = code;
		va_start(ap, fmt);
		vsnprintf(c->result_text, sizeof(c->result_text), fmt, ap);
		va_end(ap);
	}
	if (c->state < ST_CHALLENGE || c->close_sent || c->bev == NULL) {
		finish(c);
		return;
	}
	send_close(c, wsclose);
	c->state = ST_CLOSING;
	c->finish_on_flush = 1;
	arm_timer(c, CLOSE_WAIT);
}

/* ---- connecting ---- */

int
sws_client_connect(struct sws_client *c)
{
	struct addrinfo	 hints;
	int		 rv;

	if (c->state != ST_NEW)
		return -1;
	c->state = ST_CONNECTING;
	arm_timer(c, c->timeout);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rv = getaddrinfo(c->host, c->port, &hints, &c->ai0)) != 0) {
		c->ai0 = NULL;
		set_result(c, "connect", "cannot resolve %s: %s", c->host,
		    gai_strerror(rv));
		finish(c);
		return 0;
	}
	c->ai = c->ai0;
	c->lasterr = ECONNREFUSED;
	/* a DEBUG event may come from here; count us as an entry */
	c->depth++;
	try_connect(c);
	leave(c);
	return 0;
}

static void
try_connect(struct sws_client *c)
{
	struct addrinfo	*ai;
	char		 addr[NI_MAXHOST];

	while ((ai = c->ai) != NULL) {
		c->ai = ai->ai_next;
		c->bev = bufferevent_socket_new(c->base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL) {
			c->lasterr = ENOMEM;
			continue;
		}
		bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST) == 0)
			debug(c, "connecting to %s port %s", addr, c->port);
		if (c->dead || c->state != ST_CONNECTING)
			return;
		if (bufferevent_socket_connect(c->bev, ai->ai_addr,
		    (int)ai->ai_addrlen) == 0)
			return;
		c->lasterr = EVUTIL_SOCKET_ERROR();
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	set_result(c, "connect", "cannot connect to %s: %s", c->dialname,
	    strerror(c->lasterr));
	finish(c);
}

static void
send_upgrade(struct sws_client *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	uint8_t		 nonce[16];
	char		 key[32];

#ifdef FUZZING
	memset(nonce, 0, sizeof(nonce));	/* a fixed key for seeds */
#else
	randombytes_buf(nonce, sizeof(nonce));
#endif
	sodium_bin2base64(key, sizeof(key), nonce, sizeof(nonce),
	    sodium_base64_VARIANT_ORIGINAL);
	ws_accept(c->accept, key, strlen(key));

	evbuffer_add_printf(out,
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: %s\r\n"
	    "\r\n",
	    c->target, c->authority, key,
	    c->msgpack ? SUBPROTO_MSGPACK : SUBPROTO_JSON);
	c->state = ST_UPGRADING;
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
sws_client_attach(struct sws_client *c, struct bufferevent *bev)
{
	if (c->state != ST_NEW)
		return -1;
	c->bev = bev;
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	arm_timer(c, c->timeout);
	send_upgrade(c);
	return 0;
}

/* ---- the upgrade answer ---- */

static int
connection_has_upgrade(const char *v)
{
	const char	*p = v;
	size_t		 n;

	while (*p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 7 && strncasecmp(p, "upgrade", 7) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* 1: upgraded; 0: need more; -1: failed (already reported). */
static int
http_answer(struct sws_client *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr	 pos;
	char			*h, *line, *next, *v, reason[80];
	const char		*proto, *err = NULL;
	size_t			 hlen, vlen;
	int			 status, nlines = 0, n_up = 0, n_conn = 0;
	int			 n_acc = 0, n_proto = 0, n_ext = 0;
	int			 ok_up = 0, ok_conn = 0, ok_acc = 0;
	int			 ok_proto = 0;

	pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (pos.pos < 0) {
		if (evbuffer_get_length(in) > HTTP_MAX)
			fail(c, "http", 0, "relay at %s sent an oversized "
			    "HTTP answer", c->dialname);
		return c->state == ST_DONE ? -1 : 0;
	}
	hlen = (size_t)pos.pos + 4;
	if (hlen > HTTP_MAX) {
		fail(c, "http", 0, "relay at %s sent an oversized HTTP answer",
		    c->dialname);
		return -1;
	}
	if ((h = malloc(hlen + 1)) == NULL) {
		fail(c, "http", 0, "out of memory");
		return -1;
	}
	evbuffer_remove(in, h, hlen);
	h[hlen] = '\0';
	proto = c->msgpack ? SUBPROTO_MSGPACK : SUBPROTO_JSON;

	if (memchr(h, '\0', hlen) != NULL) {
		err = "a NUL byte in the HTTP answer";
		goto bad;
	}
	/* status line: HTTP/1.x NNN reason */
	next = strstr(h, "\r\n");
	*next = '\0';
	line = h;
	if (strncmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7])
	    || line[8] != ' ' || !isdigit((unsigned char)line[9]) ||
	    !isdigit((unsigned char)line[10]) ||
	    !isdigit((unsigned char)line[11]) ||
	    (line[12] != ' ' && line[12] != '\0')) {
		err = "not an HTTP answer";
		goto bad;
	}
	status = (line[9] - '0') * 100 + (line[10] - '0') * 10 +
	    (line[11] - '0');
	if (status != 101) {
		v = line + (line[12] == ' ' ? 13 : 12);
		clean_copy(reason, sizeof(reason), (const uint8_t *)v,
		    strlen(v));
		fail(c, "http", 0, "relay at %s refused the upgrade: HTTP "
		    "%d%s%s", c->dialname, status, reason[0] != '\0' ? " " : "",
		    reason);
		free(h);
		return -1;
	}
	for (line = next + 2; *line != '\0'; line = next + 2) {
		next = strstr(line, "\r\n");
		*next = '\0';
		if (*line == '\0')
			break;
		if (++nlines > HTTP_LINES) {
			err = "too many header lines";
			goto bad;
		}
		if ((v = strchr(line, ':')) == NULL || v == line) {
			err = "a malformed header line";
			goto bad;
		}
		*v++ = '\0';
		v += strspn(v, " \t");
		vlen = strlen(v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			v[--vlen] = '\0';
		if (strcasecmp(line, "Upgrade") == 0) {
			n_up++;
			ok_up = strcasecmp(v, "websocket") == 0;
		} else if (strcasecmp(line, "Connection") == 0) {
			n_conn++;
			ok_conn = connection_has_upgrade(v);
		} else if (strcasecmp(line, "Sec-WebSocket-Accept") == 0) {
			n_acc++;
			ok_acc = strcmp(v, c->accept) == 0;
		} else if (strcasecmp(line, "Sec-WebSocket-Protocol") == 0) {
			n_proto++;
			ok_proto = strcmp(v, proto) == 0;
		} else if (strcasecmp(line, "Sec-WebSocket-Extensions") == 0)
			n_ext++;
	}
	if (n_up != 1 || !ok_up)
		err = "no Upgrade: websocket";
	else if (n_conn != 1 || !ok_conn)
		err = "no Connection: Upgrade";
	else if (n_acc != 1 || !ok_acc)
		err = "a wrong Sec-WebSocket-Accept";
	else if (n_proto == 0)
		err = "no subprotocol";
	else if (n_proto != 1 || !ok_proto)
		err = "another subprotocol than the one offered";
	else if (n_ext != 0)
		err = "an extension that was not offered";
	if (err != NULL)
		goto bad;
	free(h);
	ws_rx_init(&c->rx, 0);
	c->rx_init = 1;
	c->state = ST_CHALLENGE;
	debug(c, "upgraded to WebSocket, subprotocol %s", proto);
	if (c->dead || c->state != ST_CHALLENGE)
		return -1;
	return 1;
 bad:
	free(h);
	fail(c, "http", 0, "relay at %s answered the upgrade with %s",
	    c->dialname, err);
	return -1;
}

/* ---- rooms ---- */

static struct room *
room_find(struct sws_client *c, const char *name, size_t len)
{
	struct room	*r;

	TAILQ_FOREACH(r, &c->rooms, entry)
		if (r->namelen == len && memcmp(r->name, name, len) == 0)
			return r;
	return NULL;
}

static struct member *
member_find(struct room *r, const uint8_t *pk)
{
	struct member	 key;

	memcpy(key.pk, pk, SWS_KEY_LEN);
	return RB_FIND(member_tree, &r->members, &key);
}

static struct member *
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

static void
member_remove(struct room *r, struct member *m)
{
	RB_REMOVE(member_tree, &r->members, m);
	sodium_memzero(m, sizeof(*m));
	free(m);
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
	f[0] = (struct wire_field){ "type", PF_STR, "SEND", 4, 0 };
	f[1] = (struct wire_field){ "to", PF_BIN, to, SWS_KEY_LEN, 0 };
	f[2] = (struct wire_field){ "body", PF_BIN, body, (size_t)n, 0 };
	send_request(c, f, 3);
}

static void
send_room_key_all(struct sws_client *c, struct room *r)
{
	struct member	*m;

	RB_FOREACH(m, member_tree, &r->members)
		send_room_key(c, r, m->pk);
}

static void
on_joined(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	struct room		*r;
	struct member		*m, *next;
	size_t			 i;
	int			 listed;

	debug(c, "joined a room with %zu members", pm->nmembers);
	if (c->dead || c->state != ST_READY)
		return;
	if ((r = room_find(c, pm->room, pm->roomlen)) == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL) {
			fail(c, "protocol", WS_CLOSE_INTERNAL, "out of memory");
			return;
		}
		memcpy(r->name, pm->room, pm->roomlen);
		r->namelen = pm->roomlen;
		RB_INIT(&r->members);
		TAILQ_INSERT_TAIL(&c->rooms, r, entry);
	}
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
			fail(c, "protocol", WS_CLOSE_INTERNAL, "out of memory");
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
	emit(c, &ev);
}

static void
on_presence(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	struct room		*r;
	struct member		*m;

	if ((r = room_find(c, pm->room, pm->roomlen)) == NULL) {
		debug(c, "presence for a room we are not in");
		return;
	}
	/* our own key: another session of ours, which keeps its own keys */
	if (memcmp(pm->key, c->pk, SWS_KEY_LEN) != 0) {
		if (pm->joined) {
			if (member_add(r, pm->key) == NULL) {
				fail(c, "protocol", WS_CLOSE_INTERNAL,
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
	emit(c, &ev);
}

static int
dropped(struct sws_client *c, const uint8_t *from, const char *room,
    const char *code, const char *text)
{
	struct sws_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_DROPPED;
	ev.key = from;
	ev.room = room;
	ev.code = code;
	ev.text = text;
	return emit(c, &ev);
}

static void
on_room_key(struct sws_client *c, const uint8_t *from, const uint8_t *p,
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
		dropped(c, from, NULL, "undecryptable",
		    "a malformed room key");
		return;
	}
	namelen = len - SWS_KEY_LEN;
	/* the event gets copies: the callback may leave the room */
	memcpy(room, name, namelen);
	room[namelen] = '\0';
	memcpy(key, p, SWS_KEY_LEN);
	if ((r = room_find(c, name, namelen)) == NULL) {
		dropped(c, from, room, "unexpected-key",
		    "a room key for a room we are not in");
		return;
	}
	if (memcmp(from, c->pk, SWS_KEY_LEN) == 0) {
		debug(c, "room key from another session of ours ignored");
		return;
	}
	if ((m = member_find(r, from)) == NULL) {
		dropped(c, from, room, "unexpected-key",
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
	emit(c, &ev);
	sodium_memzero(key, sizeof(key));
}

static void
on_message(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	struct room		*r = NULL;
	struct member		*m;
	uint8_t			*buf;
	long			 n;
	int			 kind = -1;

	if ((buf = malloc(pm->bodylen + 1)) == NULL) {
		dropped(c, pm->from, NULL, "undecryptable", "out of memory");
		return;
	}
	if (pm->has_room) {
		if ((r = room_find(c, pm->room, pm->roomlen)) == NULL) {
			dropped(c, pm->from, pm->room, "no-sender-key",
			    "a room message for a room we are not in");
			goto out;
		}
		if ((m = member_find(r, pm->from)) == NULL || m->nkeys == 0) {
			dropped(c, pm->from, pm->room, "no-sender-key",
			    "a room message from a member whose room key "
			    "we do not have");
			goto out;
		}
		n = e2e_open_room(buf, pm->bodylen, &kind, pm->body,
		    pm->bodylen, m->key);
		if (n < 0 && m->nkeys == 2)
			n = e2e_open_room(buf, pm->bodylen, &kind, pm->body,
			    pm->bodylen, m->oldkey);
	} else
		n = e2e_open_direct(buf, pm->bodylen, &kind, pm->body,
		    pm->bodylen, pm->from, c->sk);
	if (n < 0) {
		dropped(c, pm->from, r != NULL ? pm->room : NULL,
		    "undecryptable", "a message that does not open");
		goto out;
	}
	if (kind == E2E_KIND_SENDER_KEY && r == NULL) {
		on_room_key(c, pm->from, buf, (size_t)n);
		goto out;
	}
	if (kind != E2E_KIND_DATA) {
		dropped(c, pm->from, r != NULL ? pm->room : NULL,
		    "undecryptable", "a message of an unknown kind");
		goto out;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_MESSAGE;
	ev.key = pm->from;
	ev.room = r != NULL ? pm->room : NULL;
	ev.data = buf;
	ev.len = (size_t)n;
	ev.body = pm->body;
	ev.bodylen = pm->bodylen;
	emit(c, &ev);
 out:
	sodium_memzero(buf, pm->bodylen + 1);
	free(buf);
}

/* ---- relay messages ---- */

static const char *
type_name(int type)
{
	switch (type) {
	case PM_CHALLENGE:
		return "CHALLENGE";
	case PM_REGISTER_SUCCESS:
		return "REGISTER_SUCCESS";
	case PM_REGISTER_FAILURE:
		return "REGISTER_FAILURE";
	case PM_ACK:
		return "ACK";
	case PM_ERROR:
		return "ERROR";
	case PM_MESSAGE:
		return "MESSAGE";
	case PM_JOINED:
		return "JOINED";
	case PM_PRESENCE:
		return "PRESENCE";
	}
	return "an unknown type";
}

static void
on_challenge(struct sws_client *c, struct wire_msg *pm)
{
	struct wire_field	 f[4];
	uint8_t			 nonce[E2E_NONCE_LEN];
	uint8_t			 box[E2E_TAG_LEN + E2E_CHALLENGE_LEN +
				    E2E_BINDING_MAX];
	char			 got[SWS_KEY_B64LEN + 1];
	char			 want[SWS_KEY_B64LEN + 1];
	int			 n;

	if (pm->version != 1) {
		fail(c, "protocol", WS_CLOSE_PROTOCOL, "relay speaks version "
		    "%llu of the protocol, not 1",
		    (unsigned long long)pm->version);
		return;
	}
	sws_key_encode(got, pm->server);
	if (c->pinned && sodium_memcmp(pm->server, c->pin, SWS_KEY_LEN) != 0) {
		sws_key_encode(want, c->pin);
		fail(c, "server-key", WS_CLOSE_POLICY, "relay key mismatch: "
		    "relay has %s, expected %s", got, want);
		return;
	}
	memcpy(c->server, pm->server, SWS_KEY_LEN);
	memcpy(c->challenge, pm->challenge, E2E_CHALLENGE_LEN);
	randombytes_buf(nonce, sizeof(nonce));
	if ((n = e2e_register_box(box, c->challenge, c->authority, c->authlen,
	    nonce, c->server, c->sk)) < 0) {
		fail(c, "server-key", WS_CLOSE_POLICY, "relay key %s is "
		    "refused (a low-order point)", got);
		return;
	}
	f[0] = (struct wire_field){ "type", PF_STR, "CHALLENGE_RESPONSE",
	    18, 0 };
	f[1] = (struct wire_field){ "publicKey", PF_BIN, c->pk, SWS_KEY_LEN,
	    0 };
	f[2] = (struct wire_field){ "nonce", PF_BIN, nonce, sizeof(nonce),
	    0 };
	f[3] = (struct wire_field){ "box", PF_BIN, box, (size_t)n, 0 };
	if (send_request(c, f, 4) != 0) {
		fail(c, "protocol", WS_CLOSE_INTERNAL, "cannot answer the "
		    "challenge");
		return;
	}
	c->state = ST_REGISTERING;
	debug(c, "challenge answered, relay key %s, binding %s", got,
	    c->authority);
}

static void
on_registered(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	uint64_t		 mm;

	if (sodium_memcmp(pm->key, c->pk, SWS_KEY_LEN) != 0) {
		fail(c, "proof", WS_CLOSE_POLICY, "relay registered another "
		    "key than ours");
		return;
	}
	if (e2e_proof_check(pm->proof, sizeof(pm->proof), c->challenge, c->pk,
	    c->server, c->sk) != 0) {
		fail(c, "proof", WS_CLOSE_POLICY, "relay's registration proof "
		    "is invalid");
		return;
	}
	/* SPEC.md section 3; defaults for a relay that sends no limits */
	mm = pm->has_limits && pm->limits.max_message > 0 ?
	    pm->limits.max_message : 65536;
	c->limits.max_message = mm;
	c->limits.max_body = pm->has_limits && pm->limits.max_body > 0 ?
	    pm->limits.max_body : (mm > 512 ? (mm - 512) * 3 / 4 : 0);
	c->limits.rate = pm->limits.rate;
	c->limits.burst = pm->limits.burst;
	c->limits.rooms = pm->limits.rooms;
	c->state = ST_READY;
	evtimer_del(c->timer);

	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_READY;
	ev.key = c->server;
	ev.limits = &c->limits;
	emit(c, &ev);
}

static void
on_relay_message(struct sws_client *c, uint8_t *data, size_t len)
{
	struct wire_msg	 pm;
	struct sws_event	 ev;
	const char		*why;
	char			 reason[WIRE_CODE_MAX + 1];

	if (wire_decode(c->msgpack, data, len, &pm, &why) != 0) {
		wire_msg_free(&pm);
		fail(c, "protocol", WS_CLOSE_PROTOCOL, "relay sent a malformed "
		    "message (%s)", why);
		return;
	}
	if (pm.type == PM_UNKNOWN) {
		debug(c, "message of an unknown type ignored");
		goto out;
	}
	if (pm.type == PM_REGISTER_FAILURE &&
	    (c->state == ST_CHALLENGE || c->state == ST_REGISTERING)) {
		clean_copy(reason, sizeof(reason), (const uint8_t *)pm.code,
		    strlen(pm.code));
		strlcpy(c->result_reason, reason, sizeof(c->result_reason));
		set_result(c, "registration", "registration failed: %s%s%s%s",
		    reason, pm.text[0] != '\0' ? " (" : "", pm.text,
		    pm.text[0] != '\0' ? ")" : "");
		clean_copy(c->result_text, sizeof(c->result_text),
		    (const uint8_t *)c->result_text, strlen(c->result_text));
		/* the relay closes with 1008; wait for it */
		c->state = ST_CLOSING;
		arm_timer(c, CLOSE_WAIT);
		goto out;
	}
	if (c->state == ST_CHALLENGE || c->state == ST_REGISTERING) {
		if (c->state == ST_CHALLENGE && pm.type == PM_CHALLENGE)
			on_challenge(c, &pm);
		else if (c->state == ST_REGISTERING &&
		    pm.type == PM_REGISTER_SUCCESS)
			on_registered(c, &pm);
		else
			fail(c, "protocol", WS_CLOSE_PROTOCOL, "relay sent %s "
			    "before registration", type_name(pm.type));
		goto out;
	}
	if (c->state != ST_READY)
		goto out;

	memset(&ev, 0, sizeof(ev));
	switch (pm.type) {
	case PM_ACK:
		ev.type = SWS_EV_ACK;
		ev.id = pm.id;
		emit(c, &ev);
		break;
	case PM_ERROR:
		ev.type = SWS_EV_ERROR;
		ev.id = pm.has_id ? pm.id : 0;
		ev.code = pm.code;
		ev.text = pm.text;
		emit(c, &ev);
		break;
	case PM_MESSAGE:
		on_message(c, &pm);
		break;
	case PM_JOINED:
		on_joined(c, &pm);
		break;
	case PM_PRESENCE:
		on_presence(c, &pm);
		break;
	default:
		debug(c, "%s after registration ignored", type_name(pm.type));
		break;
	}
 out:
	wire_msg_free(&pm);
}

static void
on_close_frame(struct sws_client *c, const uint8_t *data, size_t len)
{
	char	 reason[WS_MAX_CONTROL + 1];
	int	 code;

	code = len >= 2 ? (data[0] << 8) | data[1] : WS_CLOSE_NO_STATUS;
	c->closecode = code;
	if (c->close_sent) {
		/* the answer to ours */
		finish(c);
		return;
	}
	clean_copy(reason, sizeof(reason), len > 2 ? data + 2 : data,
	    len > 2 ? len - 2 : 0);
	if (code == WS_CLOSE_NO_STATUS)
		set_result(c, "relay-close", "closed by relay without a code");
	else
		set_result(c, "relay-close",
		    "closed by relay with code %d%s%s%s",
		    code, reason[0] != '\0' ? " (" : "", reason,
		    reason[0] != '\0' ? ")" : "");
	send_close(c, code);
	c->state = ST_CLOSING;
	c->finish_on_flush = 1;
	arm_timer(c, CLOSE_WAIT);
}

/* ws_rx_feed() callback: one message or control frame from the relay. */
static int
frame_cb(void *arg, int opcode, uint8_t *data, size_t len)
{
	struct sws_client	*c = arg;

	if (c->dead || c->state == ST_DONE)
		return 1;
	switch (opcode) {
	case WS_OP_PING:
		send_frame(c, WS_OP_PONG, data, len);
		break;
	case WS_OP_PONG:
		break;
	case WS_OP_CLOSE:
		on_close_frame(c, data, len);
		break;
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		if (c->state == ST_CLOSING)
			break;
		if ((opcode == WS_OP_BINARY) != c->msgpack) {
			fail(c, "protocol", WS_CLOSE_UNSUPPORTED, "relay sent "
			    "a %s message on %s", opcode == WS_OP_BINARY ?
			    "binary" : "text", c->msgpack ? SUBPROTO_MSGPACK :
			    SUBPROTO_JSON);
			break;
		}
		on_relay_message(c, data, len);
		break;
	}
	return (c->dead || c->state == ST_DONE) ? 1 : 0;
}

static void
read_input(struct sws_client *c)
{
	struct evbuffer		*in;
	struct evbuffer_iovec	 v;
	ssize_t			 r;
	int			 closecode;

	if (c->state == ST_UPGRADING && http_answer(c) != 1)
		return;
	if (c->state < ST_CHALLENGE || c->state == ST_DONE || c->dead)
		return;
	in = bufferevent_get_input(c->bev);
	while (evbuffer_get_length(in) > 0) {
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		closecode = 0;
		r = ws_rx_feed(&c->rx, SWS_MAX_INPUT, v.iov_base, v.iov_len,
		    frame_cb, c, &closecode);
		if (c->dead || c->state == ST_DONE)
			return;
		if (r < 0) {
			fail(c, "protocol", closecode, "relay sent %s "
			    "(close code %d)", closecode == WS_CLOSE_TOO_BIG ?
			    "a message over 1 MiB" : closecode ==
			    WS_CLOSE_BAD_DATA ? "invalid UTF-8" :
			    "an invalid frame", closecode);
			return;
		}
		evbuffer_drain(in, (size_t)r);
		if ((size_t)r < v.iov_len)
			break;
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct sws_client	*c = arg;

	(void)bev;
	c->depth++;
	read_input(c);
	leave(c);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct sws_client	*c = arg;

	(void)bev;
	if (c->state == ST_CLOSING && c->finish_on_flush)
		finish(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct sws_client	*c = arg;
	int			 err = EVUTIL_SOCKET_ERROR();

	(void)bev;
	c->depth++;
	if (what & BEV_EVENT_CONNECTED) {
		if (c->state == ST_CONNECTING) {
			debug(c, "connected");
			if (!c->dead && c->state == ST_CONNECTING)
				send_upgrade(c);
		}
	} else if (c->state == ST_CONNECTING) {
		c->lasterr = err != 0 ? err : ECONNREFUSED;
		bufferevent_free(c->bev);
		c->bev = NULL;
		try_connect(c);
	} else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (c->state == ST_UPGRADING)
			set_result(c, "http", "relay at %s closed the "
			    "connection during the upgrade", c->dialname);
		else if (c->state != ST_CLOSING && (what & BEV_EVENT_ERROR))
			set_result(c, "lost", "connection to %s lost: %s",
			    c->dialname, strerror(err));
		finish(c);
	}
	leave(c);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sws_client	*c = arg;

	(void)fd;
	(void)what;
	c->depth++;
	switch (c->state) {
	case ST_CONNECTING:
		set_result(c, "connect", "cannot connect to %s: %s",
		    c->dialname, strerror(ETIMEDOUT));
		finish(c);
		break;
	case ST_UPGRADING:
		set_result(c, "timeout", "no answer to the upgrade from %s "
		    "within %d seconds", c->dialname, c->timeout);
		finish(c);
		break;
	case ST_CHALLENGE:
	case ST_REGISTERING:
		fail(c, "timeout", WS_CLOSE_NORMAL, "no registration with %s "
		    "within %d seconds", c->dialname, c->timeout);
		break;
	default:
		/* the close handshake took too long */
		finish(c);
		break;
	}
	leave(c);
}

void
sws_close(struct sws_client *c)
{
	switch (c->state) {
	case ST_DONE:
		return;
	case ST_CHALLENGE:
	case ST_REGISTERING:
	case ST_READY:
		set_result(c, "closed", "closed");
		send_close(c, WS_CLOSE_NORMAL);
		c->state = ST_CLOSING;
		arm_timer(c, CLOSE_WAIT);
		return;
	default:
		set_result(c, "closed", "closed");
		finish(c);
		return;
	}
}

/* ---- requests ---- */

static int
ready(struct sws_client *c)
{
	if (c->state != ST_READY) {
		errno = ENOTCONN;
		return 0;
	}
	return 1;
}

static int
body_fits(struct sws_client *c, size_t len)
{
	if (len > SIZE_MAX - E2E_OVERHEAD ||
	    len + E2E_OVERHEAD > c->limits.max_body) {
		errno = EMSGSIZE;
		return 0;
	}
	return 1;
}

int
sws_send(struct sws_client *c, const uint8_t *to, const void *data,
    size_t len, uint64_t *idp)
{
	struct wire_field	 f[4];
	uint8_t			*body;
	uint64_t		 id;
	long			 n;
	int			 rv;

	if (!ready(c) || !body_fits(c, len))
		return -1;
	if ((body = malloc(len + E2E_OVERHEAD)) == NULL)
		return -1;
	if ((n = e2e_seal_direct(body, len + E2E_OVERHEAD, E2E_KIND_DATA,
	    data, len, NULL, to, c->sk)) < 0) {
		free(body);
		errno = EINVAL;
		return -1;
	}
	id = next_id(c);
	f[0] = (struct wire_field){ "type", PF_STR, "SEND", 4, 0 };
	f[1] = (struct wire_field){ "to", PF_BIN, to, SWS_KEY_LEN, 0 };
	f[2] = (struct wire_field){ "body", PF_BIN, body, (size_t)n, 0 };
	f[3] = (struct wire_field){ "id", PF_UINT, NULL, 0, id };
	rv = send_request(c, f, 4);
	free(body);
	if (rv == 0 && idp != NULL)
		*idp = id;
	return rv;
}

static int
room_request(struct sws_client *c, const char *type, const char *room,
    uint64_t *idp)
{
	struct wire_field	 f[3];
	uint64_t		 id;
	size_t			 len = strlen(room);

	if (!ready(c))
		return -1;
	if (!room_name_valid(room, len)) {
		errno = EINVAL;
		return -1;
	}
	id = next_id(c);
	f[0] = (struct wire_field){ "type", PF_STR, type, strlen(type), 0 };
	f[1] = (struct wire_field){ "room", PF_STR, room, len, 0 };
	f[2] = (struct wire_field){ "id", PF_UINT, NULL, 0, id };
	if (send_request(c, f, 3) != 0)
		return -1;
	if (idp != NULL)
		*idp = id;
	return 0;
}

int
sws_join(struct sws_client *c, const char *room, uint64_t *idp)
{
	return room_request(c, "JOIN", room, idp);
}

int
sws_leave(struct sws_client *c, const char *room, uint64_t *idp)
{
	struct room	*r;

	if (room_request(c, "LEAVE", room, idp) != 0)
		return -1;
	if ((r = room_find(c, room, strlen(room))) != NULL) {
		TAILQ_REMOVE(&c->rooms, r, entry);
		room_free(r);
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
	uint64_t		 id;
	size_t			 rlen = strlen(room);
	long			 n;
	int			 rv;

	if (!ready(c) || !body_fits(c, len))
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
	id = next_id(c);
	f[0] = (struct wire_field){ "type", PF_STR, "PUBLISH", 7, 0 };
	f[1] = (struct wire_field){ "room", PF_STR, room, rlen, 0 };
	f[2] = (struct wire_field){ "body", PF_BIN, body, (size_t)n, 0 };
	f[3] = (struct wire_field){ "id", PF_UINT, NULL, 0, id };
	rv = send_request(c, f, 4);
	free(body);
	if (rv == 0 && idp != NULL)
		*idp = id;
	return rv;
}
