/*
 * The token bucket (relayd/limit.c) at the extremes relayd.conf allows:
 * the largest rate and burst, sessions idle for hours and for centuries,
 * a clock past 2^32 milliseconds, a clock that steps back, and a reload
 * that lowers the limits under a bucket.  Each case once failed, or would
 * have, with 32-bit milli-tokens.  Then the count of connections per
 * address: its limit, an IPv4 address and its IPv4-mapped form as one,
 * and an entry that goes with its last connection.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "limit.h"
#include "regress/lib/tap.h"

/* Take until refused; the number taken. */
static struct sockaddr_in
sin4(const char *a)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, a, &sin.sin_addr);
	return sin;
}

static struct sockaddr_in6
sin6(const char *a)
{
	struct sockaddr_in6	 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &sin6.sin6_addr);
	return sin6;
}

static void
test_addr(void)
{
	struct sockaddr_in	 a = sin4("192.0.2.1"), b = sin4("192.0.2.2");
	struct sockaddr_in6	 am = sin6("::ffff:192.0.2.1"),
				 c = sin6("2001:db8::1");
	struct addrent		*e1, *e2, *e3, *f, *g;

	limit_init();
	e1 = limit_addr_get((struct sockaddr *)&a, 2);
	e2 = limit_addr_get((struct sockaddr *)&am, 2);
	ok(e1 != NULL && e2 == e1, "an IPv4 address and its IPv4-mapped "
	    "form count as one address");
	ok(limit_addr_get((struct sockaddr *)&a, 2) == NULL, "a third "
	    "connection over max 2 is refused");
	f = limit_addr_get((struct sockaddr *)&b, 2);
	g = limit_addr_get((struct sockaddr *)&c, 2);
	ok(f != NULL && g != NULL && f != g && f != e1, "other addresses, "
	    "IPv4 and IPv6, have their own count");
	limit_addr_put(e2);
	ok((e3 = limit_addr_get((struct sockaddr *)&a, 2)) == e1, "a closed "
	    "connection makes room for one more");
	ok(limit_addr_get((struct sockaddr *)&a, 3) == e1, "a reload that "
	    "raises the limit applies to the next connection");
	limit_addr_put(e1);
	limit_addr_put(e1);
	limit_addr_put(e3);
	ok(limit_addr_get((struct sockaddr *)&a, 0) == NULL, "max 0 refuses "
	    "an address with no connection");
	ok((e1 = limit_addr_get((struct sockaddr *)&a, 1)) != NULL &&
	    limit_addr_get((struct sockaddr *)&am, 1) == NULL, "after the "
	    "last one went, the address starts again from zero");
	limit_addr_put(e1);
	limit_addr_put(f);
	limit_addr_put(g);
	limit_addr_put(NULL);
	ok(1, "every entry given back (LeakSanitizer checks at exit)");
}

static uint64_t
drain(struct bucket *b, uint64_t now, uint32_t rate, uint32_t burst)
{
	uint64_t	 n = 0;

	while (bucket_take(b, now, rate, burst))
		n++;
	return n;
}

int
main(void)
{
	struct bucket	 b;
	uint64_t	 t0 = 1000, n;
	int		 i, r;

	bucket_init(&b, t0, 2000);
	ok(drain(&b, t0, 1000, 2000) == 2000, "a fresh bucket holds its burst");
	ok(!bucket_take(&b, t0, 1000, 2000), "then it is empty");
	ok(bucket_take(&b, t0 + 1, 1000, 2000), "one millisecond at 1000/s "
	    "is one token");
	ok(!bucket_take(&b, t0 + 1, 1000, 2000), "and only one");

	/* rate 1/s: tokens come in thousandths */
	bucket_init(&b, t0, 1);
	ok(bucket_take(&b, t0, 1, 1) && !bucket_take(&b, t0, 1, 1),
	    "rate 1 burst 1: one token");
	ok(!bucket_take(&b, t0 + 999, 1, 1), "999 ms: still none");
	ok(bucket_take(&b, t0 + 1000, 1, 1), "1000 ms: one");

	/* the report's deterministic case, at the largest burst allowed */
	bucket_init(&b, t0, BURST_MAX);
	ok(bucket_take(&b, t0, 1, BURST_MAX), "rate 1 burst %u: the first "
	    "message of a fresh session passes", BURST_MAX);
	n = drain(&b, t0, 1, BURST_MAX);
	ok(n == BURST_MAX - 1, "... and the whole burst with it (%llu)",
	    (unsigned long long)n + 1);

	/* the largest rate: 430 ms once wrapped 32 bits of milli-tokens */
	bucket_init(&b, t0, BURST_MAX);
	(void)drain(&b, t0, RATE_MAX, BURST_MAX);
	n = drain(&b, t0 + 430, RATE_MAX, BURST_MAX);
	ok(n == 430ULL * RATE_MAX / 1000, "rate %u: 430 ms refill exactly "
	    "%llu tokens (%llu)", RATE_MAX,
	    (unsigned long long)(430ULL * RATE_MAX / 1000),
	    (unsigned long long)n);
	n = drain(&b, t0 + 430 + 1000, RATE_MAX, BURST_MAX);
	ok(n == BURST_MAX, "rate %u: a second later the bucket is full, no "
	    "more (%llu)", RATE_MAX, (unsigned long long)n);

	/* never empty at rate = burst = the maximum, one message a microsecond */
	bucket_init(&b, t0, BURST_MAX);
	r = 1;
	for (i = 0; i < 3000000 && r; i++)
		r = bucket_take(&b, t0 + (uint64_t)i / 1000, RATE_MAX,
		    BURST_MAX);
	ok(r, "rate and burst %u: 3,000,000 messages at 1,000 a millisecond, "
	    "none refused", RATE_MAX);

	/* idle: 72 minutes at the default rate wrapped the old product */
	bucket_init(&b, t0, 2000);
	(void)drain(&b, t0, 1000, 2000);
	n = drain(&b, t0 + 72ULL * 60 * 1000, 1000, 2000);
	ok(n == 2000, "default limits, idle 72 minutes: full again (%llu)",
	    (unsigned long long)n);
	(void)drain(&b, t0, 1000, 2000);
	n = drain(&b, t0 + 72ULL * 60 * 1000 + 5ULL * 3600 * 1000, 1000, 2000);
	ok(n == 2000, "idle 5 hours more: full, never more than the burst "
	    "(%llu)", (unsigned long long)n);
	bucket_init(&b, t0, BURST_MAX);
	(void)drain(&b, t0, RATE_MAX, BURST_MAX);
	n = drain(&b, t0 + 100ULL * 365 * 86400 * 1000, RATE_MAX, BURST_MAX);
	ok(n == BURST_MAX, "largest limits, idle a century: full (%llu)",
	    (unsigned long long)n);
	bucket_init(&b, 0, BURST_MAX);
	(void)drain(&b, 0, RATE_MAX, BURST_MAX);
	n = drain(&b, UINT64_MAX, RATE_MAX, BURST_MAX);
	ok(n == BURST_MAX, "from 0 to the end of the 64-bit clock: full, no "
	    "overflow (%llu)", (unsigned long long)n);

	/* the clock past 2^32 ms (49.7 days of uptime) */
	bucket_init(&b, 0xffffff00ULL, 2000);
	(void)drain(&b, 0xffffff00ULL, 1000, 2000);
	n = drain(&b, 0x100000100ULL, 1000, 2000);
	ok(n == 512, "refill across 2^32 ms: 512 ms, 512 tokens (%llu)",
	    (unsigned long long)n);
	n = drain(&b, 0x100000100ULL + 0xffffffffULL, 1000, 2000);
	ok(n == 2000, "and 2^32 - 1 ms after that: full (%llu)",
	    (unsigned long long)n);

	/* a clock that steps back adds nothing and keeps its stamp */
	bucket_init(&b, 5000, 10);
	(void)drain(&b, 5000, 1000, 10);
	ok(!bucket_take(&b, 4000, 1000, 10), "clock back by a second: "
	    "nothing added");
	ok(b.stamp_ms == 5000, "... and the stamp stays");
	ok(drain(&b, 5003, 1000, 10) == 3, "3 ms after the stamp: 3 tokens");

	/* a reload lowers the burst under a full bucket, then raises it */
	bucket_init(&b, t0, 2000);
	ok(drain(&b, t0, 1000, 5) == 5, "burst lowered to 5: 5 tokens left");
	ok(drain(&b, t0 + 60000, 1000, 5) == 5, "refill to the new burst");
	ok(drain(&b, t0 + 120000, 1000, 3000) == 3000, "burst raised to 3000: "
	    "refills to it");
	/* a rate lowered to 1 */
	(void)drain(&b, t0 + 120000, 1, 3000);
	ok(drain(&b, t0 + 121500, 1, 3000) == 1, "rate lowered to 1/s: 1.5 s, "
	    "one token");

	test_addr();
	return tap_done();
}
