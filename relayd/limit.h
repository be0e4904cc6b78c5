/*
 * The relay's counting limits: the per-session rate limit, a token bucket
 * of `rate limit N per second burst M' (SPEC.md section 5), and the count
 * of connections per client address (`max connections per address').
 * Kept apart from the sessions, with no state of the relay's, so that
 * they can be tested at the extremes the grammar allows without a daemon
 * and without waiting for the clock.
 */
#ifndef SWS_LIMIT_H
#define SWS_LIMIT_H

#include <stdint.h>

struct sockaddr;
struct addrent;

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

/* Draw the hash key of the address table (once, before the first get). */
void	limit_init(void);
/*
 * Count one more connection from the address of sa (IPv4, or IPv6; an
 * IPv4 address and its IPv4-mapped IPv6 form count as one).  Returns the
 * address's entry, or NULL when it already has max connections (or
 * memory ran out): the connection is refused.  Each entry returned is
 * given back once with limit_addr_put() (NULL is ignored).
 */
struct addrent *limit_addr_get(const struct sockaddr *, uint32_t max);
void	limit_addr_put(struct addrent *);

#endif /* SWS_LIMIT_H */
