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
 * The relay's counting limits: the per-session rate limit, a token bucket
 * of `rate limit N per second burst M' (docs/WIRE.md section 5), and the table
 * of client addresses behind every per-address limit: connections,
 * connections awaiting registration, the handshake and registration
 * rates (docs/WIRE.md section 1), and the queue of each address's requests to
 * cryptod.  Kept apart from the sessions, with no state of the relay's,
 * so that they can be tested at the extremes the grammar allows without
 * a daemon and without waiting for the clock: every function that needs
 * the time is given it.
 */
#ifndef SWS_LIMIT_H
#define SWS_LIMIT_H

#include <sys/queue.h>
#include <stdint.h>

#include "khash.h"

/*
 * The largest rate and burst relayd.conf accepts.  Ten million messages a
 * second is beyond what one session can send through one relay; the bound
 * keeps every product in bucket_take() far inside 64 bits.
 */
#define RATE_MAX	10000000U
#define BURST_MAX	10000000U

/*
 * Milli-tokens (a message costs 1000, so a rate below 1000/s still adds
 * something every millisecond) and the time of the last refill on a
 * 64-bit millisecond clock that does not wrap while anything runs.
 */
struct bucket {
	uint64_t	 milli;
	uint64_t	 stamp_ms;
};

/* A full bucket at now_ms. */
void	bucket_init(struct bucket *, uint64_t now_ms, uint32_t burst);
/*
 * Refill for the time since the last call, then take one token: 1 when
 * the message may pass, 0 when the bucket is empty.  A clock that went
 * backwards adds nothing.  rate and burst are the ones in force now (a
 * reload may change them between calls; a bucket over a lowered burst is
 * cut down to it).
 */
int	bucket_take(struct bucket *, uint64_t now_ms, uint32_t rate,
	    uint32_t burst);
/* Refill as bucket_take() does; 1 when a token is there, none taken. */
int	bucket_peek(struct bucket *, uint64_t now_ms, uint32_t rate,
	    uint32_t burst);
/* Whole seconds, at least 1, until a token is there (after a refill). */
uint32_t bucket_wait_secs(const struct bucket *, uint32_t rate);

/*
 * The per-address settings, from relayd.conf through struct
 * relay_limits.  A rate of 0 is "off": the bucket is not consulted.
 */
struct limit_conf {
	uint32_t	 max_conn_per_addr;
	uint32_t	 max_pending;		/* in total */
	uint32_t	 max_pending_per_addr;
	uint32_t	 hs_rate, hs_burst;	/* relay-path upgrades */
	uint32_t	 reg_rate, reg_burst;	/* responses sent to cryptod */
	uint32_t	 v4_prefix;		/* 1..32 */
	uint32_t	 v6_prefix;		/* 1..128 */
	uint32_t	 max_idle;		/* entries kept without connection */
};

struct creq;				/* session.c: one queued request */
TAILQ_HEAD(creq_list, creq);

/*
 * One client address, or one network when the prefix is shorter than the
 * address (IPv6 counts per /64 by default).  An entry lives while it has
 * a connection, and after the last one for as long as its buckets need
 * to fill again (so that closing and reconnecting does not reset a rate),
 * on the idle list, which is bounded.
 */
struct addrent {
	UT_hash_handle		 hh;
	uint8_t			 addr[16];	/* masked; IPv4 as ::ffff:0:0/96 */
	uint8_t			 plen;		/* of addr, 0..128 */
	uint8_t			 ready;		/* on the cryptod round */
	uint32_t		 count;		/* connections */
	uint32_t		 pending;	/* awaiting registration */
	uint32_t		 reg_debt;	/* registrations charged, no token */
	uint64_t		 idle_ms;	/* count went to 0 */
	struct bucket		 hs;
	struct bucket		 reg;
	struct creq_list	 cq;		/* waiting for cryptod, in order */
	TAILQ_ENTRY(addrent)	 idle_entry;
	TAILQ_ENTRY(addrent)	 ready_entry;	/* session.c's round */
};

/* Draw the hash key of the address table (once, before the first get). */
void	limit_init(void);
/* The settings in force; until called, every per-address limit is off. */
void	limit_configure(const struct limit_conf *);
/*
 * Count one more connection from addr (16 bytes, IPv4 as ::ffff:a.b.c.d:
 * proxy.h's addr16_from_sockaddr()), masked to the configured prefix.
 * Returns the address's entry, or NULL when it already has max
 * connections (or memory ran out): the connection is refused.  Each
 * entry returned is given back once with limit_addr_put() (NULL is
 * ignored).
 */
struct addrent *limit_addr_get(const uint8_t addr[16], uint32_t max,
	    uint64_t now_ms);
void	limit_addr_put(struct addrent *, uint64_t now_ms);
/* Free the idle entries whose buckets are full again. */
void	limit_expire(uint64_t now_ms);
/* Entries in the table, idle ones included (for tests and counters). */
uint32_t limit_naddrs(void);

/*
 * Admission of a relay-path upgrade from a's address, before any
 * challenge is made for it (docs/WIRE.md section 1), given the connections
 * awaiting registration in total.  In order: the total cap (503), the
 * address's pending cap (429), its registration bucket, which must hold
 * a token though none is taken yet (429), and its handshake bucket, of
 * which one token is taken (429).  A refusal takes nothing and sets
 * *retry to the seconds of the Retry-After header.  On ADMIT_OK the
 * address has one more pending registration.
 */
#define ADMIT_OK	0
#define ADMIT_RATE	429
#define ADMIT_BUSY	503
int	limit_admit(struct addrent *, uint64_t now_ms, uint32_t npending,
	    uint32_t *retry);
/* The connection is no longer awaiting registration. */
void	limit_unpend(struct addrent *);
/*
 * A response goes to cryptod: one registration token.  It was there at
 * the upgrade, but several upgrades may have counted on the same one;
 * one taken from an empty bucket is owed, and paid back before the
 * address is admitted again, so the rate holds over time and a burst
 * overshoots by at most the address's pending registrations.
 */
void	limit_charge_registration(struct addrent *, uint64_t now_ms);

#endif /* SWS_LIMIT_H */
