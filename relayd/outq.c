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
 * Output queues.  Output is not written where it is produced: a session
 * with something to send goes on the flush list, and after each turn of
 * the event loop each such session is written once (relay_flush), so
 * many frames leave in one write.
 *
 * Each session's queue is bounded by `send buffer': a message from
 * another session is queued only when outq_room_for() says it fits, and
 * a session that could not take one is full (docs/WIRE.md 5) until its output
 * drains to half of the bound.  What a session's own requests produce
 * (answers, pongs, echoes) is always queued; the connection layer stops
 * reading from it while that is over the bound.
 */
#include <sys/types.h>

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

#include "clock.h"
#include "codec.h"
#include "log.h"
#include "metrics.h"
#include "outq.h"
#include "ws.h"

/*
 * Output buffers of the standard size go back to a pool when a session's
 * output drains, so an idle session holds none and a busy one takes one
 * back without calling malloc.  The pool grows to the number of sessions
 * busy at once (a loaded turn can have every session waiting to write;
 * a fixed cap below that made each loaded turn malloc, page-fault and
 * free again).  It holds at most one buffer per session, so it is bounded
 * by max connections, and outq_decay(), on the relay's tick, frees half
 * of the buffers that were not taken since the tick before: an idle relay
 * gives the memory back within a few seconds.
 */
#define OUTBUF_STD	4096
#define OUTBUF_TRIM	64		/* buffers freed between trims */

static uint8_t	**outbuf_pool;
static size_t	 outbuf_npool;
static size_t	 outbuf_poolcap;
static size_t	 outbuf_low;		/* fewest in the pool since the tick */
static size_t	 outbuf_freed;		/* freed since the last trim */

/* Frames by PROTO_*, built once for every recipient of a subprotocol. */
struct outq_enc	 outq_enc;

static void
outbuf_release(struct session *s)
{
	uint8_t	**np;
	size_t	  ncap;

	if (s->out == NULL)
		return;
	metrics.queued -= s->out_len - s->out_off;	/* dropped unsent */
	if (s->out_cap == OUTBUF_STD && outbuf_npool == outbuf_poolcap) {
		ncap = outbuf_poolcap ? outbuf_poolcap * 2 : 256;
		if ((np = reallocarray(outbuf_pool, ncap, sizeof(*np))) !=
		    NULL) {
			outbuf_pool = np;
			outbuf_poolcap = ncap;
			log_debug("output buffer pool: room for %zu", ncap);
		}
	}
	if (s->out_cap == OUTBUF_STD && outbuf_npool < outbuf_poolcap)
		outbuf_pool[outbuf_npool++] = s->out;
	else
		free(s->out);
	s->out = NULL;
	s->out_cap = s->out_len = s->out_off = 0;
}

static uint8_t *
outbuf_take(void)
{
	if (outbuf_npool == 0)
		return NULL;
	if (--outbuf_npool < outbuf_low)
		outbuf_low = outbuf_npool;
	return outbuf_pool[outbuf_npool];
}

size_t
outq_pool_idle(void)
{
	return outbuf_npool;
}

/* Free half of what no session needed since the last call. */
void
outq_decay(void)
{
	size_t	 n = (outbuf_low + 1) / 2, i;

	if (n > outbuf_npool)
		n = outbuf_npool;
	if (n > 0)
		log_debug("output buffer pool: %zu idle, %zu unused for a "
		    "tick, freeing %zu", outbuf_npool, outbuf_low, n);
	for (i = 0; i < n; i++)
		free(outbuf_pool[--outbuf_npool]);
	outbuf_low = outbuf_npool;
	/*
	 * free(3) keeps the pages of chunks below the top of the heap;
	 * once the pool has shrunk by a fair amount, give them back.
	 */
	if ((outbuf_freed += n) >= OUTBUF_TRIM) {
		outbuf_freed = 0;
		malloc_trim(0);
	}
}

/* Buffers sized by the largest message the settings allow. */
void
outq_configure(void)
{
	size_t	 need;
	uint8_t	*p;
	int	 pr;

	need = (size_t)relay->lim.max_message + WS_MAX_HEADER + 1024;
	if (need > outq_enc.size) {
		for (pr = PROTO_JSON; pr <= PROTO_MSGPACK; pr++) {
			if ((p = realloc(outq_enc.buf[pr], need)) == NULL)
				fatal("realloc");
			outq_enc.buf[pr] = p;
		}
		outq_enc.size = need;
	}
}

/* The payload is at enc[proto] + WS_MAX_HEADER: the header goes before. */
const uint8_t *
outq_enc_frame(int proto, size_t payload_len, size_t *frame_len)
{
	uint8_t	 hdr[WS_MAX_HEADER];
	size_t	 hlen;
	uint8_t	*p;

	hlen = ws_header(hdr, codec_opcode(proto), payload_len);
	p = outq_enc.buf[proto] + WS_MAX_HEADER - hlen;
	memcpy(p, hdr, hlen);
	*frame_len = hlen + payload_len;
	return p;
}

static void
outq_flush_later(struct session *s)
{
	if (s->dirty || s->hold)
		return;
	s->dirty = 1;
	TAILQ_INSERT_TAIL(&relay->flushq, s, flush_entry);
}

struct session *
outq_next(void)
{
	struct session	*s;

	if ((s = TAILQ_FIRST(&relay->flushq)) != NULL) {
		TAILQ_REMOVE(&relay->flushq, s, flush_entry);
		s->dirty = 0;
	}
	return s;
}

void
outq_queue(struct session *s, const uint8_t *p, size_t len)
{
	size_t	 pending = s->out_len - s->out_off, ncap;
	uint8_t	*n;

	if (s->out_off > 0 && (pending == 0 || s->out_off >= s->out_cap / 2)) {
		memmove(s->out, s->out + s->out_off, pending);
		s->out_off = 0;
		s->out_len = pending;
	}
	if (s->out == NULL && len <= OUTBUF_STD &&
	    (s->out = outbuf_take()) != NULL)
		s->out_cap = OUTBUF_STD;
	if (s->out_len + len > s->out_cap) {
		ncap = s->out_cap ? s->out_cap : OUTBUF_STD;
		while (ncap < s->out_len + len)
			ncap *= 2;
		if ((n = realloc(s->out, ncap)) == NULL) {
			log_warn("realloc");
			SET_STATE(s, S_CLOSING);
			relay_timer_set(s, TL_CLOSING);
			return;
		}
		s->out = n;
		s->out_cap = ncap;
	}
	if (pending == 0)
		s->t_queued = metrics_now_us();
	memcpy(s->out + s->out_len, p, len);
	s->out_len += len;
	metrics.queued += len;
	outq_flush_later(s);
}

void
outq_frame(struct session *s, int opcode, const uint8_t *p, size_t len)
{
	uint8_t	 hdr[WS_MAX_HEADER];
	size_t	 hlen;

	hlen = ws_header(hdr, opcode, len);
	outq_queue(s, hdr, hlen);
	if (len > 0)
		outq_queue(s, p, len);
}

int
outq_room_for(const struct session *s, size_t n)
{
	if (s->state == S_CLOSING)
		return 0;
	return s->out_len - s->out_off + n <= relay->lim.send_buffer;
}

/*
 * A session is full from the first message it could not take until its
 * output drains to half the send buffer; full past the idle timeout, it
 * is closed with 1013 (relay_tick).
 */
void
outq_mark_full(struct session *s)
{
	if (s->full || s->state == S_CLOSING)
		return;
	s->full = 1;
	s->t_full = relay_now_ms();
	TAILQ_INSERT_TAIL(&relay->fullq, s, full_entry);
}

static void
outq_check_full(struct session *s)
{
	if (s->full && s->out_len - s->out_off <= relay->lim.send_buffer / 2) {
		s->full = 0;
		TAILQ_REMOVE(&relay->fullq, s, full_entry);
	}
}

/*
 * A closing session's fate is decided: it is no longer full, and its
 * output, held or not, goes out with the close frame.
 */
void
outq_closing(struct session *s)
{
	s->hold = 0;
	if (s->full) {
		TAILQ_REMOVE(&relay->fullq, s, full_entry);
		s->full = 0;
	}
	outq_flush_later(s);
}

/* What a write took from the queue: counted, and its wait observed. */
static void
outq_wrote(struct session *s, size_t n)
{
	s->out_off += n;
	s->bytes_out += n;
	metrics.queued -= n;
	METRIC_ADD(M_BYTES_OUT, n);
	/* after a partial write t_queued stays: what is left came later,
	 * so the next observation is an upper bound */
	metrics_observe(H_OUTPUT_WAIT, metrics_now_us() - s->t_queued);
}

int
outq_write(struct session *s)
{
	ssize_t	 n;
	size_t	 pending;

	while ((pending = s->out_len - s->out_off) > 0) {
		if (s->tx != NULL) {
			/* one call writes as many records as the socket takes */
			n = tls_write(s->tx->tls, s->out + s->out_off, pending);
			if (n == TLS_WANT_POLLOUT || n == TLS_WANT_POLLIN) {
				outq_check_full(s);
				return OUTQ_BLOCKED;
			}
			if (n < 0)
				return OUTQ_ERROR;
			outq_wrote(s, (size_t)n);
			continue;
		}
		n = write(s->fd, s->out + s->out_off, pending);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				outq_check_full(s);
				return OUTQ_BLOCKED;
			}
			return OUTQ_ERROR;
		}
		outq_wrote(s, (size_t)n);
	}
	/*
	 * A standard buffer goes back to the pool.  One that had to grow
	 * stays with its session while turns keep filling more than a
	 * standard buffer (rather than being grown again every turn), and
	 * is freed once a turn's output would have fit in one: a single
	 * large answer (JOINED with a long member list) does not pin it.
	 */
	if (s->out_cap == OUTBUF_STD || s->out_len <= OUTBUF_STD)
		outbuf_release(s);
	else
		s->out_off = s->out_len = 0;
	outq_check_full(s);
	return OUTQ_DRAINED;
}

void
outq_trim(struct session *s)
{
	if (s->out_len == s->out_off)
		outbuf_release(s);
}

void
outq_free(struct session *s)
{
	if (s->dirty)
		TAILQ_REMOVE(&relay->flushq, s, flush_entry);
	if (s->full)
		TAILQ_REMOVE(&relay->fullq, s, full_entry);
	outbuf_release(s);
}
