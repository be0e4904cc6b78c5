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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limit.h"
#include "proxy.h"
#include "regress/lib/tap.h"

static const uint8_t *
A(const char *s)
{
	static uint8_t		 buf[8][16];
	static int		 k;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	uint8_t			*a = buf[k++ % 8];

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, s, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		addr16_from_sockaddr((struct sockaddr *)&sin, a);
	} else {
		sin6.sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, s, &sin6.sin6_addr) != 1)
			abort();
		addr16_from_sockaddr((struct sockaddr *)&sin6, a);
	}
	return a;
}

/* The settings of the daemon's defaults, with the given caps. */
static struct limit_conf
conf(uint32_t per_addr, uint32_t v4, uint32_t v6)
{
	struct limit_conf	 c;

	memset(&c, 0, sizeof(c));
	c.max_conn_per_addr = per_addr;
	c.max_pending = 4096;
	c.max_pending_per_addr = 128;
	c.v4_prefix = v4;
	c.v6_prefix = v6;
	c.max_idle = 1024;
	return c;
}

static void
test_addr(void)
{
	struct limit_conf	 c = conf(2, 32, 128);
	struct addrent		*e1, *e2, *e3, *f, *g;

	limit_init();
	limit_configure(&c);
	e1 = limit_addr_get(A("192.0.2.1"), 2, 0);
	e2 = limit_addr_get(A("::ffff:192.0.2.1"), 2, 0);
	ok(e1 != NULL && e2 == e1, "an IPv4 address and its IPv4-mapped "
	    "form count as one address");
	ok(limit_addr_get(A("192.0.2.1"), 2, 0) == NULL, "a third "
	    "connection over max 2 is refused");
	f = limit_addr_get(A("192.0.2.2"), 2, 0);
	g = limit_addr_get(A("2001:db8::1"), 2, 0);
	ok(f != NULL && g != NULL && f != g && f != e1, "other addresses, "
	    "IPv4 and IPv6, have their own count");
	limit_addr_put(e2, 0);
	ok((e3 = limit_addr_get(A("192.0.2.1"), 2, 0)) == e1, "a closed "
	    "connection makes room for one more");
	ok(limit_addr_get(A("192.0.2.1"), 3, 0) == e1, "a reload that "
	    "raises the limit applies to the next connection");
	limit_addr_put(e1, 0);
	limit_addr_put(e1, 0);
	limit_addr_put(e3, 0);
	ok(limit_addr_get(A("192.0.2.1"), 0, 0) == NULL, "max 0 refuses "
	    "an address with no connection");
	ok((e1 = limit_addr_get(A("192.0.2.1"), 1, 0)) != NULL &&
	    limit_addr_get(A("::ffff:192.0.2.1"), 1, 0) == NULL, "after the "
	    "last one went, the address starts again from zero");
	limit_addr_put(e1, 0);
	limit_addr_put(f, 0);
	limit_addr_put(g, 0);
	limit_addr_put(NULL, 0);
	ok(limit_naddrs() == 0, "with every rate off nothing is remembered "
	    "once the connections are gone");

	/* prefixes: IPv6 per /64 as the daemon's default, IPv4 per /24 */
	c = conf(2, 24, 64);
	limit_configure(&c);
	e1 = limit_addr_get(A("2001:db8:1:2::1"), 2, 0);
	e2 = limit_addr_get(A("2001:db8:1:2:ffff:ffff:ffff:ffff"), 2, 0);
	ok(e1 != NULL && e1 == e2 && e1->plen == 64, "two addresses of one "
	    "/64 are one entry");
	ok(limit_addr_get(A("2001:db8:1:2:abcd::"), 2, 0) == NULL, "and "
	    "share its connection cap");
	f = limit_addr_get(A("2001:db8:1:3::1"), 2, 0);
	ok(f != NULL && f != e1, "the next /64 is another entry");
	g = limit_addr_get(A("198.51.100.7"), 2, 0);
	e3 = limit_addr_get(A("198.51.100.200"), 2, 0);
	ok(g != NULL && g == e3 && g->plen == 96 + 24, "ipv4 prefix 24: one "
	    "entry for the /24");
	limit_addr_put(e1, 0);
	limit_addr_put(e2, 0);
	limit_addr_put(f, 0);
	limit_addr_put(g, 0);
	limit_addr_put(e3, 0);
	ok(limit_naddrs() == 0, "all given back");
}

/*
 * Admission: the order of the checks, what each refusal takes (nothing),
 * Retry-After, the pending counts, and an idle address that keeps its
 * buckets until they are full again.
 */
static void
test_admit(void)
{
	struct limit_conf	 c = conf(100, 32, 64);
	struct addrent		*a, *b;
	uint32_t		 retry, i, n;
	int			 r;

	c.hs_rate = 10;
	c.hs_burst = 20;
	c.reg_rate = 5;
	c.reg_burst = 8;
	c.max_pending = 50;
	c.max_pending_per_addr = 30;
	limit_configure(&c);
	a = limit_addr_get(A("192.0.2.10"), 100, 1000);
	b = limit_addr_get(A("192.0.2.11"), 100, 1000);
	for (n = 0; limit_admit(a, 1000, 0, &retry) == ADMIT_OK; n++)
		;
	ok(n == 20 && a->pending == 20, "handshake burst 20: 20 admitted at "
	    "once (%u), all pending", n);
	r = limit_admit(a, 1000, 0, &retry);
	ok(r == ADMIT_RATE && retry == 1, "the 21st: 429, Retry-After 1 (a "
	    "token in 100 ms)");
	ok(limit_admit(b, 1000, 0, &retry) == ADMIT_OK, "another address is "
	    "not touched");
	ok(limit_admit(a, 1100, 0, &retry) == ADMIT_OK &&
	    limit_admit(a, 1100, 0, &retry) == ADMIT_RATE, "100 ms at 10/s: "
	    "one more");
	for (i = 0; i < 8; i++)
		limit_charge_registration(a, 5000);
	r = limit_admit(a, 5000, 0, &retry);
	ok(r == ADMIT_RATE && retry == 1, "registration bucket empty: 429 "
	    "though handshakes are left");
	limit_charge_registration(a, 5000);
	limit_charge_registration(a, 5000);
	ok(a->reg.milli == 0 && a->reg_debt == 2, "an empty registration "
	    "bucket owes what is charged beyond it");
	ok(limit_admit(a, 5200, 0, &retry) == ADMIT_RATE,
	    "200 ms at 5/s: one token, paid to the debt");
	ok(limit_admit(a, 5400, 0, &retry) == ADMIT_RATE &&
	    limit_admit(a, 5600, 0, &retry) == ADMIT_OK, "the debt paid, "
	    "the next token admits");
	ok(limit_admit(a, 5200, 50, &retry) == ADMIT_BUSY && retry == 1,
	    "pending in total at its cap: 503 first");
	while (a->pending < 30)
		a->pending++;
	ok(limit_admit(a, 60000, 0, &retry) == ADMIT_RATE && retry == 1,
	    "pending per address at its cap: 429");
	while (a->pending > 0)
		limit_unpend(a);
	c.reg_rate = 1;
	c.reg_burst = 1;
	limit_configure(&c);
	limit_charge_registration(b, 60000);
	ok(limit_admit(b, 60000, 0, &retry) == ADMIT_RATE && retry == 1,
	    "registration rate 1/s, empty: Retry-After 1");
	c.reg_rate = 1;
	c.reg_burst = 1;
	c.hs_rate = 1;
	c.hs_burst = 1;
	limit_configure(&c);
	(void)limit_admit(b, 70000, 0, &retry);
	limit_unpend(b);
	ok(limit_admit(b, 70000, 0, &retry) == ADMIT_RATE && retry == 1,
	    "handshake rate 1/s, empty: Retry-After 1");
	c.hs_rate = c.hs_burst = c.reg_rate = c.reg_burst = 0;
	limit_configure(&c);
	for (n = 0; n < 1000 && limit_admit(b, 70000, 0, &retry) == ADMIT_OK;
	    n++)
		limit_unpend(b);
	ok(n == 1000, "rates off: nothing refused");

	/* an idle entry keeps its empty bucket until it would be full */
	c.hs_rate = 10;
	c.hs_burst = 20;
	limit_configure(&c);
	while (limit_admit(b, 80000, 0, &retry) == ADMIT_OK)
		limit_unpend(b);
	limit_addr_put(b, 80000);
	ok(limit_naddrs() == 2, "the last connection gone, the address is "
	    "remembered");
	b = limit_addr_get(A("192.0.2.11"), 100, 80500);
	ok(limit_admit(b, 80500, 0, &retry) == ADMIT_OK &&
	    limit_admit(b, 80500, 0, &retry) == ADMIT_OK &&
	    limit_admit(b, 80500, 0, &retry) == ADMIT_OK &&
	    limit_admit(b, 80500, 0, &retry) == ADMIT_OK &&
	    limit_admit(b, 80500, 0, &retry) == ADMIT_OK &&
	    limit_admit(b, 80500, 0, &retry) == ADMIT_RATE, "reconnecting "
	    "500 ms later: 5 tokens, not a fresh burst");
	while (b->pending > 0)
		limit_unpend(b);
	limit_addr_put(b, 80500);
	limit_expire(80500 + 1999);
	ok(limit_naddrs() == 2, "kept while the bucket refills (2 s)");
	limit_expire(80500 + 2000);
	ok(limit_naddrs() == 1, "freed once it would be full");

	/* the idle list is bounded: the oldest goes */
	c.max_idle = 3;
	limit_configure(&c);
	for (i = 0; i < 10; i++) {
		char	 s[32];

		snprintf(s, sizeof(s), "203.0.113.%u", i);
		limit_addr_put(limit_addr_get(A(s), 100, 90000 + i), 90000 + i);
	}
	ok(limit_naddrs() == 1 + 3, "max_idle 3: 10 addresses gone, 3 "
	    "remembered (%u)", limit_naddrs() - 1);
	while (a->pending > 0)
		limit_unpend(a);
	limit_addr_put(a, 100000);
	limit_expire(200000);
	ok(limit_naddrs() == 0, "all expired in the end");
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
	test_admit();
	return tap_done();
}
