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
 * The records nodes of a cluster trade over NATS (docs/ARCHITECTURE.md,
 * "Clusters"): a batch is a header naming the node that sent it and its
 * records, each a type, a length and a body, all integers big-endian.
 * Decoding is the only code that reads what another node wrote, so it
 * checks every length against the bytes there are and never allocates.
 */
#ifndef SWS_CWIRE_H
#define SWS_CWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "sws1.h"

#define CW_MAGIC	"SWC1"
#define CW_HDR_MAX	(4 + 8 + 1 + CLUSTER_NAME_MAX)
#define CW_REC_HDR	5		/* type, 32-bit length */

#define CW_HELLO	1	/* flags: CW_HELLO_ASK */
#define CW_BEAT		2	/* nothing: a heartbeat */
#define CW_KEY		3	/* pk, sessions, oldest (0 sessions: gone) */
#define CW_ROOM		4	/* pk, sessions, room */
#define CW_SEND		5	/* ref, from, to, body */
#define CW_RESULT	6	/* ref, code */
#define CW_PUBLISH	7	/* from, room, body */
#define CW_BYE		8	/* nothing: the node stops */

#define CW_HELLO_ASK	0x01	/* send me your state */

/* CW_RESULT codes */
#define CW_OK		0
#define CW_BUSY		1
#define CW_OFFLINE	2
#define CW_TOO_LARGE	3

struct cw_batch {
	uint64_t	 incarnation;
	char		 node[CLUSTER_NAME_MAX];	/* NUL-terminated */
	const uint8_t	*p;		/* the records */
	size_t		 len;
};

struct cw_rec {
	int		 type;
	uint8_t		 flags;			/* HELLO */
	uint64_t	 ref;			/* SEND, RESULT: 0 none */
	uint8_t		 code;			/* RESULT */
	uint32_t	 n;			/* KEY, ROOM: sessions */
	uint64_t	 oldest;		/* KEY: ms since the epoch */
	const uint8_t	*pk;			/* KEY, ROOM; SEND's to */
	const uint8_t	*from;			/* SEND, PUBLISH */
	const char	*room;			/* ROOM, PUBLISH */
	size_t		 room_len;
	const uint8_t	*body;			/* SEND, PUBLISH */
	size_t		 body_len;
};

/* 0 and b filled in, or -1: not a batch. */
int	cw_batch_open(const uint8_t *, size_t, struct cw_batch *);
/*
 * The next record of b into r: 1, 0 at the end, -1 when what remains
 * is not a record (the rest of the batch is then dropped).  A record of
 * an unknown type is skipped, for nodes of a later version.
 */
int	cw_next(struct cw_batch *, struct cw_rec *);

/* Encoding: each returns the bytes written at p, 0 if cap is short. */
size_t	cw_put_header(uint8_t *p, size_t cap, const char *node,
	    uint64_t incarnation);
size_t	cw_put_hello(uint8_t *, size_t, uint8_t flags);
size_t	cw_put_empty(uint8_t *, size_t, int type);
size_t	cw_put_key(uint8_t *, size_t, const uint8_t *pk, uint32_t n,
	    uint64_t oldest);
size_t	cw_put_room(uint8_t *, size_t, const uint8_t *pk, uint32_t n,
	    const char *room, size_t room_len);
size_t	cw_put_send(uint8_t *, size_t, uint64_t ref, const uint8_t *from,
	    const uint8_t *to, const uint8_t *body, size_t body_len);
size_t	cw_put_result(uint8_t *, size_t, uint64_t ref, uint8_t code);
size_t	cw_put_publish(uint8_t *, size_t, const uint8_t *from,
	    const char *room, size_t room_len, const uint8_t *body,
	    size_t body_len);

/* The bytes each record takes, for sizing. */
#define CW_SEND_LEN(body)	(CW_REC_HDR + 8 + 2 * SWS_KEY_LEN + (body))
#define CW_PUBLISH_LEN(rl, body) (CW_REC_HDR + SWS_KEY_LEN + 1 + (rl) + (body))

#endif /* SWS_CWIRE_H */
