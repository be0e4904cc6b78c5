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
 * A relay session's sws/1 life once its frames are messages: the
 * registration handshake with cryptod, then requests decoded, rate
 * limited, handed to the router and answered.
 *
 * Called by the connection layer from its frame callback: nothing here
 * frees a session (see conn.c), and nothing here closes one either; a
 * session that must end is reported to the caller (session.h).
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "codec.h"
#include "limit.h"
#include "log.h"
#include "metrics.h"
#include "outq.h"
#include "proto.h"
#include "relay.h"
#include "router.h"
#include "session.h"

RB_GENERATE(session_tree, session, u.reg.sid_entry, session_sid_cmp)

/*
 * Requests cryptod is working on at once.  cryptod answers each in
 * turn; more in flight would only move the queue from here, where it is
 * fair, into its socket, where it is first come first served.  128 is
 * about 11 ms of X25519 work on a small machine, enough to keep cryptod
 * busy between two turns of our loop.
 */
#define CRYPTOD_INFLIGHT	128

/*
 * A request waiting for its turn: a challenge for a new session, or a
 * response to verify.  Each address queues its own, in order, and the
 * addresses with something queued take turns, one request each (round
 * robin), so that an address that floods waits behind itself and not in
 * front of everyone else.
 */
struct creq {
	TAILQ_ENTRY(creq)	 entry;
	struct session		*s;
	uint32_t		 type;	/* IMSG_CHALLENGE_REQ or IMSG_VERIFY */
	struct imsg_verify	 v;	/* IMSG_VERIFY's */
};

static session_cryptod_fn cryptod_send;
static TAILQ_HEAD(, addrent) cq_round = TAILQ_HEAD_INITIALIZER(cq_round);

/* Decoded JSON byte fields of one message. */
static uint8_t	*scratch;
static size_t	 scratch_size;

static const char *const reject_reasons[] = {
	[REJECT_BAD_PROOF] = SWS_R_BAD_PROOF,
	[REJECT_BAD_BINDING] = SWS_R_BAD_BINDING,
	[REJECT_TIMEOUT] = SWS_R_TIMEOUT,
};

static const char *session_register_fail(struct session *, const char *,
		    const char *);
static void	session_cryptod_release(struct session *);
/* Requests are counted by type at M_REQ_SEND + (type - REQ_SEND). */
_Static_assert(M_REQ_JOIN - M_REQ_SEND == REQ_JOIN - REQ_SEND &&
    M_REQ_LEAVE - M_REQ_SEND == REQ_LEAVE - REQ_SEND &&
    M_REQ_PUBLISH - M_REQ_SEND == REQ_PUBLISH - REQ_SEND,
    "the counters of requests follow the order of REQ_*");

static size_t	cq_queued;	/* requests in the queues, not yet sent */
static int	cq_push(struct session *, uint32_t, const struct imsg_verify *);
static int	cq_drop(struct session *);
static void	cq_run(void);
static void	session_unpend(struct session *);

int
session_sid_cmp(struct session *a, struct session *b)
{
	return a->u.reg.sid < b->u.reg.sid ? -1 : a->u.reg.sid > b->u.reg.sid;
}

void
session_init(session_cryptod_fn fn)
{
	cryptod_send = fn;
}

/* Sized by the largest message the settings allow. */
void
session_configure(void)
{
	size_t	 need;
	uint8_t	*p;

	need = (size_t)relay->lim.max_message + 1024;
	if (need > scratch_size) {
		if ((p = realloc(scratch, need)) == NULL)
			fatal("realloc");
		scratch = p;
		scratch_size = need;
	}
}

static void
session_send_enc(struct session *s, size_t n)
{
	const uint8_t	*f;
	size_t		 flen;

	if (n == 0)
		fatalx("encoding did not fit its buffer");
	f = outq_enc_frame(s->proto, n, &flen);
	outq_queue(s, f, flen);
	METRIC_INC(M_MSG_OUT);
	s->msgs_out++;
}

/* Encode-and-send helpers for replies to this session. */
static void
session_error(struct session *s, int has_id, uint64_t id, const char *code,
    const char *message)
{
	session_send_enc(s, enc_error(s->proto, outq_enc_buf(s->proto),
	    outq_enc_cap(), has_id, id, code, message));
}

static void
session_ack(struct session *s, uint64_t id)
{
	session_send_enc(s, enc_ack(s->proto, outq_enc_buf(s->proto),
	    outq_enc_cap(), id));
}

/* A request's answer that came later (cluster.c): ACK when code is NULL. */
void
session_answer(struct session *s, uint64_t id, const char *code,
    const char *message)
{
	if (code == NULL) {
		session_ack(s, id);
		return;
	}
	metrics_refused(code, 1);
	session_error(s, 1, id, code, message);
}

const char *
session_start(struct session *s)
{
	/* cryptod makes the challenge; the client speaks after. */
	SET_STATE(s, S_WAIT_CHAL);
	s->u.reg.t_upgrade = metrics_now_us();
	if (cq_push(s, IMSG_CHALLENGE_REQ, NULL) == -1) {
		SET_STATE(s, S_REFUSED);
		return session_register_fail(s, SWS_E_UNAVAILABLE,
		    "the key service is overloaded");
	}
	return NULL;
}

/* Queue a request of s behind its address's others. */
static int
cq_push(struct session *s, uint32_t type, const struct imsg_verify *v)
{
	struct addrent	*a = s->addr;
	struct creq	*q;

	if (a == NULL)
		fatalx("%s: a session without an address", __func__);
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->s = s;
	q->type = type;
	if (v != NULL)
		q->v = *v;
	TAILQ_INSERT_TAIL(&a->cq, q, entry);
	cq_queued++;
	s->cqueued = 1;
	if (!a->ready) {
		TAILQ_INSERT_TAIL(&cq_round, a, ready_entry);
		a->ready = 1;
	}
	cq_run();
	return 0;
}

/*
 * Send what the round allows.  A challenge takes its session's number
 * here, as it leaves: cryptod takes only growing numbers, and the round
 * reorders sessions.
 */
static void
cq_run(void)
{
	struct addrent	*a;
	struct creq	*q;
	struct session	*s;
	struct imsg_sid	 req;

	while (relay->cq_inflight < CRYPTOD_INFLIGHT &&
	    (a = TAILQ_FIRST(&cq_round)) != NULL) {
		q = TAILQ_FIRST(&a->cq);
		s = q->s;
		if (q->type == IMSG_CHALLENGE_REQ) {
			memset(&req, 0, sizeof(req));
			req.sid = s->u.reg.sid = ++relay->next_sid;
			if (cryptod_send(q->type, &req, sizeof(req)) == -1)
				break;	/* the next answer runs it again */
			RB_INSERT(session_tree, &relay->by_sid, s);
			log_debug2("session %llu: challenge asked of cryptod",
			    (unsigned long long)s->serial);
		} else if (cryptod_send(q->type, &q->v, sizeof(q->v)) == -1)
			break;
		relay->cq_inflight++;
		s->cqueued = 0;
		TAILQ_REMOVE(&a->cq, q, entry);
		cq_queued--;
		free(q);
		/* The address goes to the back of the round, or out of it. */
		TAILQ_REMOVE(&cq_round, a, ready_entry);
		if (TAILQ_EMPTY(&a->cq))
			a->ready = 0;
		else
			TAILQ_INSERT_TAIL(&cq_round, a, ready_entry);
	}
}

/* Take back s's request that has not left: 1 if there was one. */
static int
cq_drop(struct session *s)
{
	struct addrent	*a = s->addr;
	struct creq	*q;

	if (!s->cqueued)
		return 0;
	s->cqueued = 0;
	TAILQ_FOREACH(q, &a->cq, entry)
		if (q->s == s)
			break;
	if (q == NULL)
		fatalx("%s: queued request not found", __func__);
	TAILQ_REMOVE(&a->cq, q, entry);
	cq_queued--;
	free(q);
	if (TAILQ_EMPTY(&a->cq) && a->ready) {
		TAILQ_REMOVE(&cq_round, a, ready_entry);
		a->ready = 0;
	}
	return 1;
}

size_t
session_cq_queued(void)
{
	return cq_queued;
}

void
session_cryptod_answered(void)
{
	if (relay->cq_inflight == 0)
		fatalx("cryptod answered more than it was asked");
	relay->cq_inflight--;
	cq_run();
}

/* s no longer counts as awaiting registration. */
static void
session_unpend(struct session *s)
{
	if (!s->pending)
		return;
	s->pending = 0;
	relay->npending--;
	limit_unpend(s->addr);
}

const char *
session_message(struct session *s, int opcode, uint8_t *data, size_t len)
{
	struct sws_req		 req;
	struct imsg_verify	 v;
	const char		*why = NULL, *code, *message;
	int			 r;

	if (opcode != codec_opcode(s->proto)) {
		why = codec_wrong_opcode(s->proto);
		if (s->state != S_REGISTERED)
			return session_register_fail(s, SWS_E_MALFORMED, why);
		session_error(s, 0, 0, SWS_E_MALFORMED, why);
		metrics_refused(SWS_E_MALFORMED, 1);
		return NULL;
	}
	if (s->state != S_REGISTERED) {
		r = codec_decode_frame(s->proto, CODEC_REGISTERING, data, len,
		    &req, scratch, scratch_size, &why);
		if (r != CODEC_OK || req.type != REQ_CHALLENGE_RESPONSE ||
		    s->state != S_CHALLENGED) {
			if (r == CODEC_OK)
				why = s->state == S_CHALLENGED ?
				    "expected CHALLENGE_RESPONSE" :
				    "message before the challenge was answered";
			return session_register_fail(s, SWS_E_MALFORMED, why);
		}
		memset(&v, 0, sizeof(v));
		v.sid = s->u.reg.sid;
		memcpy(v.client_pk, req.key, sizeof(v.client_pk));
		memcpy(v.nonce, req.nonce, sizeof(v.nonce));
		v.box_len = (uint16_t)req.body_len;
		memcpy(v.box, req.body, req.body_len);
		memcpy(s->pk, req.key, sizeof(s->pk));
		/* The X25519 work this costs is what the rate is for. */
		limit_charge_registration(s->addr, relay_msec());
		if (cq_push(s, IMSG_VERIFY, &v) == -1)
			return session_register_fail(s, SWS_E_UNAVAILABLE,
			    "the key service is overloaded");
		SET_STATE(s, S_VERIFYING);
		return NULL;
	}

	r = codec_decode_frame(s->proto, CODEC_REGISTERED, data, len, &req,
	    scratch, scratch_size, &why);
	/*
	 * Every message costs a token, whatever it holds.  A refusal is
	 * answered when it has an id, the one that makes the run of
	 * refusals longer than a burst included: its answer goes out
	 * before the close it causes (docs/WIRE.md 5).
	 */
	if (!bucket_take(&s->bucket, relay_msec(), relay->lim.rate,
	    relay->lim.burst)) {
		metrics_refused(SWS_E_RATE_LIMITED, req.has_id);
		if (req.has_id)
			session_error(s, 1, req.id, SWS_E_RATE_LIMITED,
			    "over the rate limit");
		if (++s->refusals > relay->lim.burst)
			return "rate limit";
		return NULL;
	}
	s->refusals = 0;
	if (r == CODEC_MALFORMED) {
		metrics_refused(SWS_E_MALFORMED, 1);
		session_error(s, req.has_id, req.id, SWS_E_MALFORMED,
		    why != NULL ? why : "malformed message");
		return NULL;
	}
	/* Also CHALLENGE_RESPONSE, which a registered client may not send. */
	if (r == CODEC_UNKNOWN_TYPE) {
		metrics_refused(SWS_E_UNKNOWN_TYPE, req.has_id);
		if (req.has_id)
			session_error(s, 1, req.id, SWS_E_UNKNOWN_TYPE,
			    "not a request a client may send");
		return NULL;
	}
	/* REQ_SEND .. REQ_PUBLISH, in the order of M_REQ_SEND .. */
	METRIC_INC(M_REQ_SEND + (req.type - REQ_SEND));
	/* The router delivers; the answer is ours, after the delivery. */
	switch (router_request(s, &req, &code, &message)) {
	case ROUTE_OK:
		log_debug2("session %llu: request type %d id %llu: ok",
		    (unsigned long long)s->serial, req.type,
		    (unsigned long long)req.id);
		if (req.has_id)
			session_ack(s, req.id);
		break;
	case ROUTE_PENDING:
		break;
	case ROUTE_FAILED:
		metrics_refused(code, req.has_id);
		log_debug2("session %llu: request type %d id %llu: %s",
		    (unsigned long long)s->serial, req.type,
		    (unsigned long long)req.id, code);
		if (req.has_id)
			session_error(s, 1, req.id, code, message);
		break;
	}
	return NULL;
}

void
session_challenge(struct session *s, const uint8_t *challenge,
    const uint8_t *server_pk)
{
	size_t	 n;

	if (s->state != S_WAIT_CHAL)
		return;
	n = enc_challenge(s->proto, outq_enc_buf(s->proto), outq_enc_cap(),
	    server_pk, challenge);
	s->hold = 0;
	session_send_enc(s, n);
	SET_STATE(s, S_CHALLENGED);
}

int
session_verified(struct session *s, const uint8_t *proof)
{
	struct sws_limits	 l;
	size_t			 n;

	if (s->state != S_VERIFYING)
		return 0;
	RB_REMOVE(session_tree, &relay->by_sid, s);
	SET_STATE(s, S_REGISTERED);
	metrics_observe(H_REGISTRATION, metrics_now_us() - s->u.reg.t_upgrade);
	s->registered = 1;
	session_unpend(s);
	METRIC_INC(M_REGISTERED);
	relay_timer_set(s, TL_LIVE);
	memset(&l, 0, sizeof(l));
	l.max_message = relay->lim.max_message;
	l.max_body = conf_max_body(&relay->lim);
	l.rate = relay->lim.rate;
	l.burst = relay->lim.burst;
	l.rooms = relay->lim.rooms ? relay->lim.max_rooms : 0;
	n = enc_register_success(s->proto, outq_enc_buf(s->proto),
	    outq_enc_cap(), s->pk, proof, &l);
	session_send_enc(s, n);
	return 1;
}

const char *
session_rejected(struct session *s, uint32_t reason)
{
	if (s->state != S_VERIFYING)
		return NULL;
	RB_REMOVE(session_tree, &relay->by_sid, s);
	SET_STATE(s, S_REFUSED);	/* nothing left with cryptod */
	if (reason >= sizeof(reject_reasons) / sizeof(reject_reasons[0]) ||
	    reject_reasons[reason] == NULL)
		fatalx("cryptod gave unknown reason %u", reason);
	return session_register_fail(s, reject_reasons[reason],
	    reason == REJECT_BAD_BINDING ? "the binding names another server" :
	    reason == REJECT_TIMEOUT ? "the challenge expired" :
	    "the response does not prove the key");
}

const char *
session_reg_timeout(struct session *s)
{
	if (s->state == S_CHALLENGED)
		return session_register_fail(s, SWS_R_TIMEOUT,
		    "no response to the challenge in time");
	return session_register_fail(s, SWS_E_UNAVAILABLE,
	    "the key service did not answer in time");
}

/* REGISTER_FAILURE goes out, then the close (1008) with its reason. */
static const char *
session_register_fail(struct session *s, const char *reason,
    const char *message)
{
	size_t	 n;

	n = enc_register_failure(s->proto, outq_enc_buf(s->proto),
	    outq_enc_cap(), reason, message);
	session_send_enc(s, n);
	metrics_regfail(reason);
	log_rl(&relay->rl[RL_REGISTER], relay_msec(),
	    "session %llu: registration failed: %s: %s",
	    (unsigned long long)s->serial, reason, message);
	return reason;
}

/* Tell cryptod to drop a challenge it still holds for s. */
static void
session_cryptod_release(struct session *s)
{
	struct imsg_sid	 req;
	int		 queued = cq_drop(s);

	switch (s->state) {
	case S_WAIT_CHAL:
		/* A challenge never asked for is nothing to forget. */
		if (queued)
			break;
		/* FALLTHROUGH */
	case S_CHALLENGED:
	forget:
		memset(&req, 0, sizeof(req));
		req.sid = s->u.reg.sid;
		cryptod_send(IMSG_FORGET, &req, sizeof(req));
		RB_REMOVE(session_tree, &relay->by_sid, s);
		break;
	case S_VERIFYING:
		/* A response not sent leaves its challenge with cryptod. */
		if (queued)
			goto forget;
		RB_REMOVE(session_tree, &relay->by_sid, s);
		break;
	default:
		break;
	}
}

void
session_release(struct session *s)
{
	session_cryptod_release(s);
	session_unpend(s);
	if (s->state == S_REGISTERED)
		router_unregister(s);
}
