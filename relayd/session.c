/*
 * One connection's life: the HTTP upgrade, RFC 6455 frames, the
 * registration handshake with cryptod and the close.  Its output waits
 * in its queue (outq.c).
 *
 * Sessions are never freed from inside a frame callback: a callback only
 * marks a session closing, and the memory goes when its output is
 * flushed, its peer hangs up, or a timer says so.  That keeps the parser
 * and the router free of use-after-free traps.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "limit.h"
#include "log.h"
#include "outq.h"
#include "proto.h"
#include "relay.h"
#include "router.h"

static void	session_read(struct session *);
static void	session_closing_feed(struct session *, size_t);
static void	session_http(struct session *, size_t);
static void	session_feed(struct session *, uint8_t *, size_t);
static int	session_on_msg(void *, int, uint8_t *, size_t);
static void	session_message(struct session *, int, uint8_t *, size_t);
static void	session_register_fail(struct session *, const char *,
		    const char *);
static void	session_cryptod_release(struct session *);
static void	session_events(struct session *, short);
static void	session_hold(struct session *, const uint8_t *, size_t);
static void	session_resume(struct session *);
static void	session_error(struct session *, int, uint64_t, const char *,
		    const char *);
static void	session_ack(struct session *, uint64_t);

#define SESSION_SOCKBUF	(64 * 1024)	/* SO_SNDBUF and SO_RCVBUF */

static const char *const reject_reasons[] = {
	[REJECT_BAD_PROOF] = SWS_R_BAD_PROOF,
	[REJECT_BAD_BINDING] = SWS_R_BAD_BINDING,
	[REJECT_TIMEOUT] = SWS_R_TIMEOUT,
};

static void
session_send_enc(struct session *s, size_t n)
{
	const uint8_t	*f;
	size_t		 flen;

	if (n == 0)
		fatalx("encoding did not fit its buffer");
	f = outq_enc_frame(s->proto, n, &flen);
	outq_queue(s, f, flen);
}

void
session_accept(int fd, struct sockaddr *sa, socklen_t salen,
    struct addrent *addr)
{
	struct session	*s;
	int		 one = 1, sockbuf = SESSION_SOCKBUF;

	(void)sa;
	(void)salen;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("calloc");
		limit_addr_put(addr);
		close(fd);
		return;
	}
	s->fd = fd;
	s->state = S_HTTP;
	s->proto = PROTO_JSON;
	s->addr = addr;
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
	event_assign(&s->ev, relay->base, fd, EV_READ | EV_PERSIST,
	    session_event, s);
	s->ev_flags = EV_READ;
	event_add(&s->ev, NULL);
	relay_timer_set(s, TL_HTTP);
}

static void
session_events(struct session *s, short want)
{
	if (s->ev_flags == want)
		return;
	event_del(&s->ev);
	s->ev_flags = (uint8_t)want;
	if (want == 0)
		return;
	event_assign(&s->ev, relay->base, s->fd, want | EV_PERSIST,
	    session_event, s);
	event_add(&s->ev, NULL);
}

void
session_event(int fd, short what, void *arg)
{
	struct session	*s = arg;

	(void)fd;
	if (what & EV_WRITE) {
		if (session_flush(s) == -1)
			return;		/* freed */
	}
	if (what & EV_READ)
		session_read(s);
}

static void
session_read(struct session *s)
{
	ssize_t	 n;
	size_t	 room;

	if (s->state == S_HTTP) {
		/* The head is kept until complete; one byte over the
		 * limit is enough for the parser to answer 431. */
		if (s->in == NULL) {
			s->in_cap = HTTP_MAX_HEAD + 1;
			if ((s->in = malloc(s->in_cap)) == NULL) {
				session_free(s);
				return;
			}
		}
		room = s->in_cap - s->in_len;
		n = read(s->fd, s->in + s->in_len, room);
	} else
		n = read(s->fd, relay->rbuf, relay->rbuf_size);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		session_free(s);
		return;
	}
	if (n == 0) {
		/* The peer is gone; in CLOSING this is the normal end. */
		session_free(s);
		return;
	}
	switch (s->state) {
	case S_HTTP:
		session_http(s, (size_t)n);
		break;
	case S_CLOSING:
		session_closing_feed(s, (size_t)n);
		break;
	default:
		if (s->state == S_REGISTERED || s->state == S_ECHO) {
			s->pinged = 0;
			relay_timer_set(s, TL_LIVE);
		}
		session_feed(s, relay->rbuf, (size_t)n);
		break;
	}
}

static int
session_closing_cb(void *arg, int opcode, uint8_t *data, size_t len)
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
session_closing_feed(struct session *s, size_t n)
{
	ssize_t	 used;
	int	 code;

	if (s->http_err || s->close_rcvd)
		return;
	used = ws_rx_feed(&s->rx, relay->lim.max_message, relay->rbuf, n,
	    session_closing_cb, s, &code);
	if (used == -1)
		s->close_rcvd = 1;
	if (s->close_rcvd && outq_pending(s) == 0)
		session_free(s);
}

static void
session_http(struct session *s, size_t n)
{
	struct http_result	 res;
	char			 resp[512];
	size_t			 used, rlen, left;
	struct imsg_sid		 req;

	s->in_len += n;
	used = http_parse_upgrade((const char *)s->in, s->in_len,
	    &relay->policy, &res);
	if (used == 0)
		return;
	rlen = http_response(resp, sizeof(resp), &res);
	if (rlen == 0)
		fatalx("http_response did not fit");
	/*
	 * A relay session's 101 waits for its CHALLENGE (from cryptod), so
	 * both leave in one write.
	 */
	if (res.status == 101 && res.endpoint == ENDPOINT_RELAY)
		s->hold = 1;
	outq_queue(s, (const uint8_t *)resp, rlen);
	if (res.status != 101) {
		log_debug("upgrade refused: HTTP %d: %s", res.status,
		    res.reason != NULL ? res.reason : "");
		free(s->in);
		s->in = NULL;
		s->in_len = s->in_cap = 0;
		s->state = S_CLOSING;
		s->close_sent = 1;
		s->http_err = 1;
		relay_timer_set(s, TL_CLOSING);
		return;
	}
	s->proto = (uint8_t)res.proto;
	left = s->in_len - used;
	if (left > 0 && left <= relay->rbuf_size)
		memcpy(relay->rbuf, s->in + used, left);
	free(s->in);
	s->in = NULL;
	s->in_len = s->in_cap = 0;

	/*
	 * Numbered at the upgrade, not at accept: cryptod takes only
	 * growing ids, and upgrades finish in any order.
	 */
	s->sid = ++relay->next_sid;
	if (res.endpoint == ENDPOINT_ECHO) {
		/* Plain WebSocket: sws/1's fragment cap does not apply. */
		ws_rx_any_fragments(&s->rx);
		s->state = S_ECHO;
		relay_timer_set(s, TL_LIVE);
	} else {
		/* cryptod makes the challenge; the client speaks after. */
		relay_timer_set(s, TL_REG);
		memset(&req, 0, sizeof(req));
		req.sid = s->sid;
		if (relay_cryptod_send(IMSG_CHALLENGE_REQ, &req, sizeof(req))
		    == -1) {
			s->state = S_REFUSED;
			session_register_fail(s, SWS_E_UNAVAILABLE,
			    "the key service is overloaded");
			return;
		}
		s->state = S_WAIT_CHAL;
		RB_INSERT(session_tree, &relay->by_sid, s);
	}
	if (left > 0)
		session_feed(s, relay->rbuf, left);
}

/* Feed bytes to the frame parser; keep what it could not take now. */
static void
session_feed(struct session *s, uint8_t *buf, size_t len)
{
	ssize_t	 used;
	int	 code = 0;

	used = ws_rx_feed(&s->rx, relay->lim.max_message, buf, len,
	    session_on_msg, s, &code);
	if (used == -1) {
		session_close(s, code, code == WS_CLOSE_TOO_BIG ?
		    "message too big" : code == WS_CLOSE_BAD_DATA ?
		    "invalid UTF-8" : "protocol error");
		return;
	}
	/* Stopped early, or our own output is over its bound: pause. */
	if (s->state != S_CLOSING && ((size_t)used < len ||
	    outq_pending(s) > relay->lim.send_buffer))
		session_hold(s, buf + used, len - (size_t)used);
}

/* Reading stops while the session's own output is over its bound. */
static void
session_hold(struct session *s, const uint8_t *p, size_t len)
{
	uint8_t	*n;

	if (len > s->in_cap) {
		if ((n = realloc(s->in, len)) == NULL) {
			session_close(s, WS_CLOSE_INTERNAL, "out of memory");
			return;
		}
		s->in = n;
		s->in_cap = len;
	}
	memmove(s->in, p, len);
	s->in_len = len;
	s->paused = 1;
	session_events(s, s->ev_flags & ~EV_READ);
}

static void
session_resume(struct session *s)
{
	uint8_t	*held;
	size_t	 len;

	s->paused = 0;
	session_events(s, s->ev_flags | EV_READ);
	if (s->in_len == 0)
		return;
	/* The held bytes move out first: feeding may hold again. */
	held = s->in;
	len = s->in_len;
	s->in = NULL;
	s->in_len = s->in_cap = 0;
	session_feed(s, held, len);
	free(held);
}

static int
session_on_msg(void *arg, int opcode, uint8_t *data, size_t len)
{
	struct session	*s = arg;
	unsigned int	 code;

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
			session_close(s, (int)code, NULL);
		} else
			session_close(s, 0, NULL);
		return 1;
	default:
		session_message(s, opcode, data, len);
		break;
	}
	if (s->state == S_CLOSING)
		return 1;
	if (outq_pending(s) > relay->lim.send_buffer)
		return 1;	/* held: our own output is over its bound */
	return 0;
}

static void
session_message(struct session *s, int opcode, uint8_t *data, size_t len)
{
	struct sws_req		 req;
	struct imsg_verify	 v;
	const char		*why = NULL, *code, *message;
	int			 r;

	if (s->state == S_ECHO) {
		outq_frame(s, opcode, data, len);
		return;
	}
	if (opcode != codec_opcode(s->proto)) {
		why = codec_wrong_opcode(s->proto);
		if (s->state != S_REGISTERED)
			session_register_fail(s, SWS_E_MALFORMED, why);
		else
			session_error(s, 0, 0, SWS_E_MALFORMED, why);
		return;
	}
	if (s->state != S_REGISTERED) {
		r = codec_decode_frame(s->proto, CODEC_REGISTERING, data, len,
		    &req, relay->scratch, relay->scratch_size, &why);
		if (r != CODEC_OK || req.type != REQ_CHALLENGE_RESPONSE ||
		    s->state != S_CHALLENGED) {
			if (r == CODEC_OK)
				why = s->state == S_CHALLENGED ?
				    "expected CHALLENGE_RESPONSE" :
				    "message before the challenge was answered";
			session_register_fail(s, SWS_E_MALFORMED, why);
			return;
		}
		memset(&v, 0, sizeof(v));
		v.sid = s->sid;
		memcpy(v.client_pk, req.key, sizeof(v.client_pk));
		memcpy(v.nonce, req.nonce, sizeof(v.nonce));
		v.box_len = (uint16_t)req.body_len;
		memcpy(v.box, req.body, req.body_len);
		memcpy(s->pk, req.key, sizeof(s->pk));
		if (relay_cryptod_send(IMSG_VERIFY, &v, sizeof(v)) == -1) {
			session_register_fail(s, SWS_E_UNAVAILABLE,
			    "the key service is overloaded");
			return;
		}
		s->state = S_VERIFYING;
		return;
	}

	r = codec_decode_frame(s->proto, CODEC_REGISTERED, data, len, &req,
	    relay->scratch, relay->scratch_size, &why);
	/*
	 * Every message costs a token, whatever it holds.  A refusal is
	 * answered when it has an id, the one that makes the run of
	 * refusals longer than a burst included: its answer goes out
	 * before the close it causes (SPEC.md 5).
	 */
	if (!bucket_take(&s->bucket, relay_msec(), relay->lim.rate,
	    relay->lim.burst)) {
		if (req.has_id)
			session_error(s, 1, req.id, SWS_E_RATE_LIMITED,
			    "over the rate limit");
		if (++s->refusals > relay->lim.burst)
			session_close(s, WS_CLOSE_POLICY, "rate limit");
		return;
	}
	s->refusals = 0;
	if (r == CODEC_MALFORMED) {
		session_error(s, req.has_id, req.id, SWS_E_MALFORMED,
		    why != NULL ? why : "malformed message");
		return;
	}
	/* Also CHALLENGE_RESPONSE, which a registered client may not send. */
	if (r == CODEC_UNKNOWN_TYPE) {
		if (req.has_id)
			session_error(s, 1, req.id, SWS_E_UNKNOWN_TYPE,
			    "not a request a client may send");
		return;
	}
	/* The router delivers; the answer is ours, after the delivery. */
	switch (router_request(s, &req, &code, &message)) {
	case ROUTE_OK:
		if (req.has_id)
			session_ack(s, req.id);
		break;
	case ROUTE_FAILED:
		if (req.has_id)
			session_error(s, 1, req.id, code, message);
		break;
	}
}

void
session_challenge(struct session *s, const uint8_t *challenge,
    const uint8_t *server_pk)
{
	size_t	 cap, n;
	uint8_t	*out;

	if (s->state != S_WAIT_CHAL)
		return;
	out = outq_enc_buf(s->proto, &cap);
	n = enc_challenge(s->proto, out, cap, server_pk, challenge);
	s->hold = 0;
	session_send_enc(s, n);
	s->state = S_CHALLENGED;
}

void
session_verified(struct session *s, const uint8_t *proof)
{
	struct sws_limits	 l;
	struct session		*old;
	size_t			 cap, n;
	uint8_t			*out;

	if (s->state != S_VERIFYING)
		return;
	RB_REMOVE(session_tree, &relay->by_sid, s);
	s->state = S_REGISTERED;
	relay->stats.registered++;
	relay_timer_set(s, TL_LIVE);
	memset(&l, 0, sizeof(l));
	l.max_message = relay->lim.max_message;
	l.max_body = conf_max_body(&relay->lim);
	l.rate = relay->lim.rate;
	l.burst = relay->lim.burst;
	l.rooms = relay->lim.rooms ? relay->lim.max_rooms : 0;
	out = outq_enc_buf(s->proto, &cap);
	n = enc_register_success(s->proto, out, cap, s->pk, proof, &l);
	session_send_enc(s, n);
	/*
	 * A full key gives up its oldest session to the newcomer: the
	 * router names it and we close it, which takes it out of the key.
	 */
	while ((old = router_register(s)) != NULL)
		session_close(old, WS_CLOSE_REPLACED, "replaced");
}

void
session_rejected(struct session *s, uint32_t reason)
{
	if (s->state != S_VERIFYING)
		return;
	RB_REMOVE(session_tree, &relay->by_sid, s);
	s->state = S_REFUSED;	/* nothing left with cryptod */
	if (reason >= sizeof(reject_reasons) / sizeof(reject_reasons[0]) ||
	    reject_reasons[reason] == NULL)
		fatalx("cryptod gave unknown reason %u", reason);
	session_register_fail(s, reject_reasons[reason],
	    reason == REJECT_BAD_BINDING ? "the binding names another server" :
	    reason == REJECT_TIMEOUT ? "the challenge expired" :
	    "the response does not prove the key");
}

static void
session_register_fail(struct session *s, const char *reason,
    const char *message)
{
	size_t	 cap, n;
	uint8_t	*out;

	out = outq_enc_buf(s->proto, &cap);
	n = enc_register_failure(s->proto, out, cap, reason, message);
	session_send_enc(s, n);
	log_debug("session %llu: registration failed: %s",
	    (unsigned long long)s->sid, reason);
	session_close(s, WS_CLOSE_POLICY, reason);
}

/* Tell cryptod to drop a challenge it still holds for s. */
static void
session_cryptod_release(struct session *s)
{
	struct imsg_sid	 req;

	switch (s->state) {
	case S_WAIT_CHAL:
	case S_CHALLENGED:
		memset(&req, 0, sizeof(req));
		req.sid = s->sid;
		relay_cryptod_send(IMSG_FORGET, &req, sizeof(req));
		/* FALLTHROUGH */
	case S_VERIFYING:
		RB_REMOVE(session_tree, &relay->by_sid, s);
		break;
	default:
		break;
	}
}

/*
 * Start the close: the close frame (code 0: an empty one) is queued,
 * the session leaves the router at once, and its memory goes once the
 * frame is out and the peer has answered or the linger time is over.
 */
void
session_close(struct session *s, int code, const char *reason)
{
	uint8_t	 payload[WS_MAX_CONTROL];
	size_t	 len = 0, rlen;

	if (s->state == S_CLOSING)
		return;
	session_cryptod_release(s);
	if (s->state == S_REGISTERED)
		router_unregister(s);
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
	if (s->state != S_HTTP)
		outq_frame(s, WS_OP_CLOSE, payload, len);
	s->state = S_CLOSING;
	s->close_sent = 1;
	s->paused = 0;
	s->in_len = 0;
	relay_timer_set(s, TL_CLOSING);
	outq_closing(s);
	session_events(s, s->ev_flags | EV_READ);
}

void
session_free(struct session *s)
{
	struct timeval	 tv;

	session_cryptod_release(s);
	if (s->state == S_REGISTERED)
		router_unregister(s);
	relay_timer_set(s, TL_NONE);
	outq_free(s);
	limit_addr_put(s->addr);
	event_del(&s->ev);
	close(s->fd);
	ws_rx_free(&s->rx);
	free(s->in);
	free(s);
	relay->nsessions--;
	if (relay->shutting_down && relay->nsessions == 0) {
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		event_add(&relay->ev_exit, &tv);
	}
}

void
session_timeout(struct session *s, int tlist)
{
	switch (tlist) {
	case TL_HTTP:
		log_debug("handshake timeout");
		session_free(s);
		break;
	case TL_REG:
		if (s->state == S_CHALLENGED)
			session_register_fail(s, SWS_R_TIMEOUT,
			    "no response to the challenge in time");
		else
			session_register_fail(s, SWS_E_UNAVAILABLE,
			    "the key service did not answer in time");
		break;
	case TL_CLOSING:
		session_free(s);
		break;
	case TL_LIVE:
		/*
		 * Not reading a session whose output is full is our choice,
		 * not its silence: the full list decides its fate (1013).
		 */
		if (s->full || s->paused) {
			relay_timer_set(s, TL_LIVE);
			break;
		}
		if (relay_now_ms() - s->t_list >=
		    relay->lim.idle_timeout * 1000U) {
			session_close(s, WS_CLOSE_GOING_AWAY, "idle timeout");
			break;
		}
		if (!s->pinged) {
			s->pinged = 1;
			outq_frame(s, WS_OP_PING, NULL, 0);
			session_trim(s);
		}
		break;
	}
}

/* An idle session gives back the buffers it is not using. */
void
session_trim(struct session *s)
{
	outq_trim(s);
	if (s->rx.msg_len == 0 && s->rx.msg != NULL) {
		free(s->rx.msg);
		s->rx.msg = NULL;
		s->rx.msg_cap = 0;
	}
}

static void
session_error(struct session *s, int has_id, uint64_t id, const char *code,
    const char *message)
{
	size_t	 cap;
	uint8_t	*out = outq_enc_buf(s->proto, &cap);

	session_send_enc(s, enc_error(s->proto, out, cap, has_id, id, code,
	    message));
}

static void
session_ack(struct session *s, uint64_t id)
{
	size_t	 cap;
	uint8_t	*out = outq_enc_buf(s->proto, &cap);

	session_send_enc(s, enc_ack(s->proto, out, cap, id));
}

/*
 * Write what is queued.  Returns -1 when the session was freed (its
 * close is complete or the peer is gone), 0 otherwise.
 */
int
session_flush(struct session *s)
{
	switch (outq_write(s)) {
	case OUTQ_ERROR:
		session_free(s);
		return -1;
	case OUTQ_BLOCKED:
		session_events(s, s->ev_flags | EV_WRITE);
		return 0;
	}
	session_events(s, s->ev_flags & ~EV_WRITE);
	if (s->state == S_CLOSING) {
		if (s->close_rcvd || relay->shutting_down) {
			session_free(s);
			return -1;
		}
		/* Our close is out: half-close and wait for the peer. */
		(void)shutdown(s->fd, SHUT_WR);
		return 0;
	}
	if (s->paused)
		session_resume(s);
	return 0;
}
