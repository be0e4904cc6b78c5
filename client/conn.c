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
 * The life of one client connection: dial (through tls.c for wss://),
 * RFC 6455 frames (common/ws.c parses what the relay sends), the dispatch
 * of relay messages to the files of each concern (http.c, register.c,
 * message.c, room.c), close, and the requests' common path.  Every byte
 * from the network goes through a parser that checks its length before
 * use; anything the relay does that the specification does not allow ends
 * the connection with a close frame and a CLOSED event that says what
 * happened.
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

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>
#include <sodium.h>

#include "sws_local.h"

static void	client_destroy(struct sws_client *);
static void	finish(struct sws_client *);
static void	try_connect(struct sws_client *);
static void	read_cb(struct bufferevent *, void *);
static void	write_cb(struct bufferevent *, void *);
static void	event_cb(struct bufferevent *, short, void *);
static void	timer_cb(evutil_socket_t, short, void *);
static void	done_cb(evutil_socket_t, short, void *);
static void	dial(struct sws_client *);

const uint8_t *
sws_client_key(const struct sws_client *c)
{
	return c->pk;
}

int
sws_keygen(uint8_t *pk, uint8_t *sk)
{
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(sk, SWS_KEY_LEN);
	crypto_scalarmult_base(pk, sk);
	return 0;
}

/* Leave a libevent callback; destroy the client if it was freed inside. */
static void
leave(struct sws_client *c)
{
	if (--c->depth == 0 && c->dead)
		client_destroy(c);
}

/* Report an event; -1 when the application freed the client meanwhile. */
int
conn_emit(struct sws_client *c, struct sws_event *ev)
{
	c->depth++;
	c->cb(c, ev, c->arg);
	c->depth--;
	return c->dead ? -1 : 0;
}

void
conn_debug(struct sws_client *c, const char *fmt, ...)
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
	conn_emit(c, &ev);
}

/* A body we received and did not show; -1 as for conn_emit(). */
int
conn_dropped(struct sws_client *c, const uint8_t *from, const char *room,
    const char *code, const char *text)
{
	struct sws_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_DROPPED;
	ev.key = from;
	ev.room = room;
	ev.code = code;
	ev.text = text;
	return conn_emit(c, &ev);
}

/* Printable ASCII copy of untrusted text, for messages. */
void
conn_clean_copy(char *out, size_t outlen, const uint8_t *p, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; i < len && o + 1 < outlen; i++)
		out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[o] = '\0';
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
	c->reconnect = cfg->reconnect != 0;
	c->reconnect_max = cfg->reconnect_max > 0 ? cfg->reconnect_max : 30;
	TAILQ_INIT(&c->rooms);
	memcpy(c->sk, cfg->secret_key, SWS_KEY_LEN);
	crypto_scalarmult_base(c->pk, c->sk);
	if (cfg->server_key != NULL) {
		memcpy(c->pin, cfg->server_key, SWS_KEY_LEN);
		c->pinned = 1;
	}
	if (cfg->resolv_conf != NULL &&
	    (c->resolv_conf = strdup(cfg->resolv_conf)) == NULL) {
		snprintf(err, errlen, "out of memory");
		client_destroy(c);
		return NULL;
	}
	if (http_parse_url(c, cfg->url, err, errlen) != 0 ||
	    (c->tls && tls_init(c, cfg->ca_file, err, errlen) != 0)) {
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
client_destroy(struct sws_client *c)
{
	struct room	*r;

	while ((r = TAILQ_FIRST(&c->rooms)) != NULL) {
		TAILQ_REMOVE(&c->rooms, r, entry);
		room_free(r);
	}
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	tls_free(c);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->done_ev != NULL)
		event_free(c->done_ev);
	resolve_stop(c);
	if (c->rx_init)
		ws_rx_free(&c->rx);
	free(c->target);
	free(c->resolv_conf);
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
void
conn_set_result(struct sws_client *c, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	if (c->result != NULL)
		return;
	c->result = code;
	va_start(ap, fmt);
	vsnprintf(c->result_text, sizeof(c->result_text), fmt, ap);
	va_end(ap);
}

/*
 * May a connection that ended so do better a little later?  The reasons
 * that can pass (sws.h, sws_client_connect()); the others would end the
 * same way again, or must not be retried (the relay's key, its proof, a
 * session that another one of the key replaced).
 */
static int
transient(const struct sws_client *c)
{
	const char	*r = c->result;

	if (r == NULL || strcmp(r, "lost") == 0 || strcmp(r, "timeout") == 0)
		return 1;
	if (strcmp(r, "connect") == 0)
		return !c->final_error;
	if (strcmp(r, "http") == 0)
		return c->http_status == 429 || c->http_status == 502 ||
		    c->http_status == 503 || c->http_status == 504;
	if (strcmp(r, "registration") == 0)
		return strcmp(c->result_reason, "unavailable") == 0 ||
		    strcmp(c->result_reason, "timeout") == 0;
	if (strcmp(r, "relay-close") == 0)
		return c->closecode == WS_CLOSE_GOING_AWAY ||
		    c->closecode == WS_CLOSE_INTERNAL ||
		    c->closecode == WS_CLOSE_RESTART ||
		    c->closecode == WS_CLOSE_TRY_AGAIN;
	return 0;
}

/* Milliseconds before attempt c->attempt: a random point of [b/2, b]. */
static int
backoff_ms(const struct sws_client *c)
{
	uint32_t	 b = RECONNECT_FIRST, cap;
	int		 i;

	cap = (uint32_t)c->reconnect_max * 1000;
	for (i = 1; i < c->attempt && b < cap; i++)
		b *= 2;
	if (b > cap)
		b = cap;
	return (int)(b / 2 + randombytes_uniform(b / 2 + 1));
}

/* Forget the connection that ended, before the next one. */
static void
conn_reset(struct sws_client *c)
{
	if (c->rx_init) {
		ws_rx_free(&c->rx);
		c->rx_init = 0;
	}
	c->close_sent = 0;
	c->finish_on_flush = 0;
	c->tls_open = 0;
	c->result = NULL;
	c->result_text[0] = '\0';
	c->result_reason[0] = '\0';
	c->closecode = 0;
	c->http_status = 0;
	c->final_error = 0;
}

/*
 * The connection is over: CLOSED, or, when it may be retried,
 * RECONNECTING and a wait in ST_BACKOFF.  The reasons are copied for the
 * event, since the application may call sws_close() from it, which must
 * record its own.
 */
static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sws_client	*c = arg;
	struct sws_event	 ev;
	struct timeval		 tv;
	char			 text[sizeof(c->result_text)];
	char			 reason[sizeof(c->result_reason)];
	int			 delay;

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
	strlcpy(text, c->result_text, sizeof(text));
	strlcpy(reason, c->result_reason, sizeof(reason));
	ev.text = text;
	ev.reason = reason[0] != '\0' ? reason : NULL;
	ev.closecode = c->closecode;
	if (c->reconnect && !c->attached && transient(c)) {
		c->attempt++;
		delay = backoff_ms(c);
		ev.type = SWS_EV_RECONNECTING;
		ev.delay = delay;
		ev.attempt = c->attempt;
		conn_reset(c);
		c->state = ST_BACKOFF;
		tv.tv_sec = delay / 1000;
		tv.tv_usec = (delay % 1000) * 1000;
		evtimer_add(c->timer, &tv);
	}
	conn_emit(c, &ev);
	leave(c);
}

/*
 * The connection is over.  The bufferevent is only switched off here and
 * freed by done_cb(), since our caller may still be reading its buffer.
 * Over TLS, close_notify goes out first.
 */
static void
finish(struct sws_client *c)
{
	if (c->state == ST_DONE)
		return;
	c->state = ST_DONE;
	resolve_stop(c);
	if (c->result == NULL)
		conn_set_result(c, "lost", "connection to %s lost",
		    c->dialname);
	if (c->bev != NULL) {
		tls_close(c);
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	}
	evtimer_del(c->timer);
	event_active(c->done_ev, EV_TIMEOUT, 0);
}

void
conn_arm_timer(struct sws_client *c, int seconds)
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

int
conn_send_request(struct sws_client *c, const struct wire_field *f, size_t n)
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
void
conn_fail(struct sws_client *c, const char *code, int wsclose, const char *fmt,
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
	conn_arm_timer(c, CLOSE_WAIT);
}

/* ---- connecting ---- */

int
sws_client_connect(struct sws_client *c)
{
	if (c->state != ST_NEW) {
		errno = EALREADY;
		return -1;
	}
	/* a DEBUG event may come from here; count us as an entry */
	c->depth++;
	dial(c);
	leave(c);
	return 0;
}

/* Resolve (resolve.c) and connect: the first attempt, or the next one. */
static void
dial(struct sws_client *c)
{
	char	 err[256];
	int	 rv;

	c->state = ST_CONNECTING;
	c->lasterr = ECONNREFUSED;
	conn_arm_timer(c, c->timeout);
	if ((rv = resolve_start(c, err, sizeof(err))) < 0) {
		conn_set_result(c, "connect", "cannot resolve %s: %s", c->host,
		    err);
		finish(c);
	} else if (rv == 1)
		try_connect(c);
	else
		conn_debug(c, "resolving %s", c->host);
}

/*
 * resolve.c has the answer of DNS: NULL and the addresses, or why not;
 * final when the name does not exist.  Called from a libevent callback.
 */
void
conn_resolved(struct sws_client *c, const char *err, int final)
{
	c->depth++;
	if (c->state == ST_CONNECTING) {
		if (err != NULL) {
			c->final_error = final;
			conn_set_result(c, "connect", "cannot resolve %s: %s",
			    c->host, err);
			finish(c);
		} else
			try_connect(c);
	}
	leave(c);
}

static void
try_connect(struct sws_client *c)
{
	struct sws_addr	*ai;
	char		 addr[NI_MAXHOST];

	while (c->nexti < c->naddrs) {
		ai = &c->addrs[c->nexti++];
		if (c->tls_ctx != NULL)
			c->bev = tls_bev_new(c);
		else
			c->bev = bufferevent_socket_new(c->base, -1,
			    BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL) {
			c->lasterr = ENOMEM;
			continue;
		}
		bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
		if (getnameinfo(&ai->u.sa, ai->len, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST) == 0)
			conn_debug(c, "connecting to %s port %s", addr,
			    c->port);
		if (c->dead || c->state != ST_CONNECTING)
			return;
		if (bufferevent_socket_connect(c->bev, &ai->u.sa,
		    (int)ai->len) == 0)
			return;
		c->lasterr = EVUTIL_SOCKET_ERROR();
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	conn_set_result(c, "connect", "cannot connect to %s: %s", c->dialname,
	    strerror(c->lasterr));
	finish(c);
}

int
sws_client_attach(struct sws_client *c, struct bufferevent *bev)
{
	if (c->state != ST_NEW) {
		errno = EALREADY;
		return -1;
	}
	c->bev = bev;
	c->attached = 1;
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	conn_arm_timer(c, c->timeout);
	http_send_upgrade(c);
	return 0;
}

/* ---- relay messages ---- */

static const char *
type_name(int type)
{
	switch (type) {
	case PM_CHALLENGE:
		return SWS_T_CHALLENGE;
	case PM_REGISTER_SUCCESS:
		return SWS_T_REGISTER_SUCCESS;
	case PM_REGISTER_FAILURE:
		return SWS_T_REGISTER_FAILURE;
	case PM_ACK:
		return SWS_T_ACK;
	case PM_ERROR:
		return SWS_T_ERROR;
	case PM_MESSAGE:
		return SWS_T_MESSAGE;
	case PM_JOINED:
		return SWS_T_JOINED;
	case PM_PRESENCE:
		return SWS_T_PRESENCE;
	}
	return "an unknown type";
}

static void
on_relay_message(struct sws_client *c, uint8_t *data, size_t len)
{
	struct wire_msg	 pm;
	struct sws_event	 ev;
	const char		*why;
	char			 room[SWS_ROOM_MAX + 1];

	if (wire_decode(c->msgpack, data, len, &pm, &why) != 0) {
		wire_msg_free(&pm);
		conn_fail(c, "protocol", WS_CLOSE_PROTOCOL, "relay sent a "
		    "malformed message (%s)", why);
		return;
	}
	if (pm.type == PM_UNKNOWN) {
		conn_debug(c, "message of an unknown type ignored");
		goto out;
	}
	if (pm.type == PM_REGISTER_FAILURE &&
	    (c->state == ST_CHALLENGE || c->state == ST_REGISTERING)) {
		register_failure(c, &pm);
		goto out;
	}
	if (c->state == ST_CHALLENGE || c->state == ST_REGISTERING) {
		if (c->state == ST_CHALLENGE && pm.type == PM_CHALLENGE)
			register_challenge(c, &pm);
		else if (c->state == ST_REGISTERING &&
		    pm.type == PM_REGISTER_SUCCESS)
			register_success(c, &pm);
		else
			conn_fail(c, "protocol", WS_CLOSE_PROTOCOL, "relay "
			    "sent %s before registration", type_name(pm.type));
		goto out;
	}
	if (c->state != ST_READY)
		goto out;

	memset(&ev, 0, sizeof(ev));
	switch (pm.type) {
	case PM_ACK:
		ev.type = SWS_EV_ACK;
		ev.id = pm.id;
		conn_emit(c, &ev);
		break;
	case PM_ERROR:
		ev.type = SWS_EV_ERROR;
		ev.id = pm.has_id ? pm.id : 0;
		if (pm.has_id && room_rejoin_failed(c, pm.id, room))
			ev.room = room;
		ev.code = pm.code;
		ev.text = pm.text;
		conn_emit(c, &ev);
		break;
	case PM_MESSAGE:
		message_in(c, &pm);
		break;
	case PM_JOINED:
		room_joined(c, &pm);
		break;
	case PM_PRESENCE:
		room_presence(c, &pm);
		break;
	default:
		conn_debug(c, "%s after registration ignored",
		    type_name(pm.type));
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
	conn_clean_copy(reason, sizeof(reason), len > 2 ? data + 2 : data,
	    len > 2 ? len - 2 : 0);
	if (code == WS_CLOSE_NO_STATUS)
		conn_set_result(c, "relay-close",
		    "closed by relay without a code");
	else
		conn_set_result(c, "relay-close",
		    "closed by relay with code %d%s%s%s",
		    code, reason[0] != '\0' ? " (" : "", reason,
		    reason[0] != '\0' ? ")" : "");
	send_close(c, code);
	c->state = ST_CLOSING;
	c->finish_on_flush = 1;
	conn_arm_timer(c, CLOSE_WAIT);
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
			conn_fail(c, "protocol", WS_CLOSE_UNSUPPORTED, "relay "
			    "sent a %s message on %s", opcode == WS_OP_BINARY ?
			    "binary" : "text", c->msgpack ? SWS_SUBPROTO_MSGPACK :
			    SWS_SUBPROTO_JSON);
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
			conn_fail(c, "protocol", closecode, "relay sent %s "
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
			conn_debug(c, "connected");
			if (!c->dead && c->state == ST_CONNECTING)
				tls_connected(c);
			if (!c->dead && c->state == ST_CONNECTING)
				http_send_upgrade(c);
		}
	} else if (c->state == ST_CONNECTING) {
		/* a certificate or a TLS failure: not another address */
		if (tls_failed(c, 1)) {
			finish(c);
			leave(c);
			return;
		}
		c->lasterr = err != 0 ? err : ECONNREFUSED;
		bufferevent_free(c->bev);
		c->bev = NULL;
		try_connect(c);
	} else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (c->state == ST_UPGRADING)
			conn_set_result(c, "http", "relay at %s closed the "
			    "connection during the upgrade", c->dialname);
		else if (c->state != ST_CLOSING && (what & BEV_EVENT_ERROR) &&
		    !tls_failed(c, 0))
			conn_set_result(c, "lost", "connection to %s lost: %s",
			    c->dialname, strerror(err));
		c->tls_open = 0;
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
	case ST_BACKOFF:
		conn_debug(c, "dialling %s again, attempt %d", c->dialname,
		    c->attempt);
		if (!c->dead && c->state == ST_BACKOFF)
			dial(c);
		break;
	case ST_CONNECTING:
		if (c->res != NULL)
			conn_set_result(c, "connect", "cannot resolve %s: no "
			    "answer within %d seconds", c->host, c->timeout);
		else
			conn_set_result(c, "connect", "cannot connect to %s: "
			    "%s", c->dialname, strerror(ETIMEDOUT));
		finish(c);
		break;
	case ST_UPGRADING:
		conn_set_result(c, "timeout", "no answer to the upgrade from "
		    "%s within %d seconds", c->dialname, c->timeout);
		finish(c);
		break;
	case ST_CHALLENGE:
	case ST_REGISTERING:
		conn_fail(c, "timeout", WS_CLOSE_NORMAL, "no registration with "
		    "%s within %d seconds", c->dialname, c->timeout);
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
		conn_set_result(c, "closed", "closed");
		send_close(c, WS_CLOSE_NORMAL);
		c->state = ST_CLOSING;
		conn_arm_timer(c, CLOSE_WAIT);
		return;
	default:
		conn_set_result(c, "closed", "closed");
		finish(c);
		return;
	}
}

/* ---- requests ---- */

int
conn_ready(struct sws_client *c)
{
	if (c->state != ST_READY) {
		errno = ENOTCONN;
		return 0;
	}
	return 1;
}

int
conn_body_fits(struct sws_client *c, size_t len)
{
	if (len > SIZE_MAX - E2E_OVERHEAD ||
	    len + E2E_OVERHEAD > c->limits.max_body) {
		errno = EMSGSIZE;
		return 0;
	}
	return 1;
}

static uint64_t
next_id(struct sws_client *c)
{
	if (++c->last_id > SWS_ID_MAX)
		c->last_id = 1;
	return c->last_id;
}

/*
 * Send a request of n fields and a fresh id after them, in f[n], which
 * the caller leaves free; *idp gets the id once the request is queued.
 */
int
conn_request(struct sws_client *c, struct wire_field *f, size_t n,
    uint64_t *idp)
{
	uint64_t	 id;
	int		 rv;

	id = next_id(c);
	f[n] = (struct wire_field){ "id", PF_UINT, NULL, 0, id };
	rv = conn_send_request(c, f, n + 1);
	if (rv == 0 && idp != NULL)
		*idp = id;
	return rv;
}
