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
 * The output queue, at the bottom of the relay's layers: each session's
 * bytes waiting for the socket, the pool of standard output buffers, the
 * busy and full accounting of the send buffer, the flush list, the
 * batched writes, and the buffers where outgoing frames are built.  It
 * calls nothing above it: what a write means for the connection (free it,
 * wait for the socket, read again) is told by outq_write()'s result.
 */
#ifndef SWS_OUTQ_H
#define SWS_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#include "relay.h"
#include "ws.h"

/* outq_write() results. */
#define OUTQ_DRAINED	0	/* everything is out */
#define OUTQ_BLOCKED	1	/* the socket is full: wait until writable */
#define OUTQ_ERROR	2	/* the write failed: the connection is dead */

/* Size the frame buffers for the settings now in force (relay->lim). */
void	outq_configure(void);

/* Bytes queued and not yet written. */
static inline size_t
outq_pending(const struct session *s)
{
	return s->out_len - s->out_off;
}

/*
 * Queue bytes for the peer; the session goes on the flush list unless
 * its output is held (s->hold).  Out of memory, the session is marked
 * S_CLOSING without a frame and put on the closing timer list.
 */
void	outq_queue(struct session *, const uint8_t *, size_t);
/* Queue one unmasked frame with FIN set. */
void	outq_frame(struct session *, int opcode, const uint8_t *, size_t);
/*
 * Frame building, for a message sent to one session or to many: encode
 * the payload at outq_enc_buf(proto), up to outq_enc_cap() bytes, then
 * outq_enc_frame() puts the header in front of it and returns the whole
 * frame.  One buffer per subprotocol, so a fan-out encodes each
 * subprotocol's frame once; it is valid until the next encoding of that
 * subprotocol.  Inline, and the capacity returned rather than stored
 * through a pointer: the router's frames_get() runs once per recipient,
 * and a local whose address is taken costs its caller a stack canary on
 * every call.
 */
struct outq_enc {
	uint8_t		*buf[3];	/* by PROTO_*, WS_MAX_HEADER free in front */
	size_t		 size;
};
extern struct outq_enc	outq_enc;	/* outq.c's; sized by outq_configure() */

static inline uint8_t *
outq_enc_buf(int proto)
{
	return outq_enc.buf[proto] + WS_MAX_HEADER;
}

static inline size_t
outq_enc_cap(void)
{
	return outq_enc.size - WS_MAX_HEADER;
}

const uint8_t *outq_enc_frame(int proto, size_t payload_len,
	    size_t *frame_len);

/* 1 when n more bytes stay within the send buffer (and s is not closing). */
int	outq_room_for(const struct session *, size_t);
/* s could not take a message: full from now until it drains to half. */
void	outq_mark_full(struct session *);
/* The session closes: its output is flushed, held or full no longer. */
void	outq_closing(struct session *);

/* The next session on the flush list, taken off it; NULL when none. */
struct session *outq_next(void);
/* Write what is queued: OUTQ_DRAINED, OUTQ_BLOCKED or OUTQ_ERROR. */
int	outq_write(struct session *);
/* An idle session gives back a drained buffer. */
void	outq_trim(struct session *);
/* The session is freed: off the lists, its buffer given back. */
void	outq_free(struct session *);
/* On the tick: free half of the pool that no session needed since. */
void	outq_decay(void);
/* Output buffers in the pool. */
size_t	outq_pool_idle(void);

#endif /* SWS_OUTQ_H */
