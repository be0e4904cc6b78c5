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
 * Token bucket arithmetic, and the table of client addresses.
 *
 * Everything in a bucket is 64-bit and no product can overflow whatever
 * the time since the last refill: the refill is cut at the room left in
 * the bucket before it is multiplied out.
 *
 * The address table is a hash table keyed with SipHash under a random
 * key, so that a client choosing its source addresses (an IPv6 prefix
 * holds many) cannot aim at one bucket.  Its size is bounded: an entry
 * with a connection stands for at least one descriptor (so there are at
 * most max connections of them), and the idle ones, kept only while
 * their buckets refill, are at most max_idle, the oldest going first.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limit.h"
#include "log.h"

static struct addrent	*addrs;
static uint32_t		 naddrs;
static TAILQ_HEAD(, addrent) idle = TAILQ_HEAD_INITIALIZER(idle);
static uint32_t		 nidle;
static struct limit_conf lc = {
	.max_conn_per_addr = UINT32_MAX,
	.max_pending = UINT32_MAX,
	.max_pending_per_addr = UINT32_MAX,
	.v4_prefix = 32,
	.v6_prefix = 128,
	.max_idle = 1024,
};

static void	addr_free(struct addrent *);

void
bucket_init(struct bucket *b, uint64_t now_ms, uint32_t burst)
{
	b->milli = (uint64_t)burst * 1000;
	b->stamp_ms = now_ms;
}

static void
bucket_refill(struct bucket *b, uint64_t now_ms, uint32_t rate,
    uint32_t burst)
{
	uint64_t	 max = (uint64_t)burst * 1000, room, elapsed;

	if (b->milli > max)
		b->milli = max;
	if (now_ms > b->stamp_ms) {
		elapsed = now_ms - b->stamp_ms;
		room = max - b->milli;
		/*
		 * rate milli-tokens a millisecond.  Once more than room /
		 * rate milliseconds have passed the bucket is full, and the
		 * product that could overflow is never formed.
		 */
		if (rate > 0 && elapsed > room / rate)
			b->milli = max;
		else
			b->milli += elapsed * rate;	/* <= room */
		b->stamp_ms = now_ms;
	}
}

int
bucket_take(struct bucket *b, uint64_t now_ms, uint32_t rate, uint32_t burst)
{
	bucket_refill(b, now_ms, rate, burst);
	if (b->milli < 1000)
		return 0;
	b->milli -= 1000;
	return 1;
}

int
bucket_peek(struct bucket *b, uint64_t now_ms, uint32_t rate, uint32_t burst)
{
	bucket_refill(b, now_ms, rate, burst);
	return b->milli >= 1000;
}

uint32_t
bucket_wait_secs(const struct bucket *b, uint32_t rate)
{
	uint64_t	 ms;

	if (b->milli >= 1000 || rate == 0)
		return 1;
	ms = (1000 - b->milli + rate - 1) / rate;	/* ceiling */
	return ms <= 1000 ? 1 : (uint32_t)((ms + 999) / 1000);
}

void
limit_init(void)
{
	khash_init();
}

void
limit_configure(const struct limit_conf *c)
{
	lc = *c;
	if (lc.v4_prefix < 1 || lc.v4_prefix > 32)
		lc.v4_prefix = 32;
	if (lc.v6_prefix < 1 || lc.v6_prefix > 128)
		lc.v6_prefix = 128;
	while (nidle > lc.max_idle)
		addr_free(TAILQ_FIRST(&idle));
}

static int
addr_is_v4(const uint8_t a[16])
{
	static const uint8_t	 mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, mapped, sizeof(mapped)) == 0;
}

/* Clear the bits past plen. */
static void
addr_mask(uint8_t a[16], unsigned int plen)
{
	unsigned int	 i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a[i] &= (uint8_t)(0xff00 >> plen);
		plen = 0;
	}
}

/* A full-bucket retention: the longest any bucket needs to fill. */
static uint64_t
idle_span_ms(void)
{
	uint64_t	 hs = 0, reg = 0;

	if (lc.hs_rate > 0)
		hs = (uint64_t)lc.hs_burst * 1000 / lc.hs_rate;
	if (lc.reg_rate > 0)
		reg = (uint64_t)lc.reg_burst * 1000 / lc.reg_rate;
	return hs > reg ? hs : reg;
}

static void
addr_free(struct addrent *a)
{
	if (a->count == 0) {
		TAILQ_REMOVE(&idle, a, idle_entry);
		nidle--;
	}
	HASH_DEL(addrs, a);
	naddrs--;
	free(a);
}

struct addrent *
limit_addr_get(const uint8_t addr[16], uint32_t max, uint64_t now_ms)
{
	struct addrent	*a;
	uint8_t		 key[16];
	unsigned int	 plen;

	memcpy(key, addr, sizeof(key));
	plen = addr_is_v4(key) ? 96 + lc.v4_prefix : lc.v6_prefix;
	addr_mask(key, plen);
	HASH_FIND(hh, addrs, key, sizeof(key), a);
	if (a == NULL) {
		if (max == 0 || (a = calloc(1, sizeof(*a))) == NULL)
			return NULL;
		memcpy(a->addr, key, sizeof(key));
		a->plen = (uint8_t)plen;
		bucket_init(&a->hs, now_ms, lc.hs_burst);
		bucket_init(&a->reg, now_ms, lc.reg_burst);
		TAILQ_INIT(&a->cq);
		HASH_ADD(hh, addrs, addr, sizeof(a->addr), a);
		naddrs++;
	} else if (a->count == 0) {
		if (max == 0)
			return NULL;
		TAILQ_REMOVE(&idle, a, idle_entry);
		nidle--;
	} else if (a->count >= max)
		return NULL;
	a->count++;
	return a;
}

void
limit_addr_put(struct addrent *a, uint64_t now_ms)
{
	if (a == NULL)
		return;
	if (--a->count > 0)
		return;
	/* Nothing to remember unless a bucket is short of tokens. */
	if (idle_span_ms() == 0 || lc.max_idle == 0) {
		HASH_DEL(addrs, a);
		naddrs--;
		free(a);
		return;
	}
	/*
	 * Registrations owed push the expiry out by the time they take to
	 * pay back; the list is then not quite in order, which only keeps
	 * an entry behind such a one a little longer.
	 */
	a->idle_ms = now_ms;
	if (a->reg_debt > 0 && lc.reg_rate > 0)
		a->idle_ms += (uint64_t)a->reg_debt * 1000 / lc.reg_rate;
	TAILQ_INSERT_TAIL(&idle, a, idle_entry);
	if (++nidle > lc.max_idle)
		addr_free(TAILQ_FIRST(&idle));
}

void
limit_expire(uint64_t now_ms)
{
	struct addrent	*a;
	uint64_t	 span = idle_span_ms();

	/* In the order they went idle: the first not due ends the walk. */
	while ((a = TAILQ_FIRST(&idle)) != NULL &&
	    (now_ms < a->idle_ms ? 0 : now_ms - a->idle_ms) >= span)
		addr_free(a);
}

uint32_t
limit_naddrs(void)
{
	return naddrs;
}

int
limit_admit(struct addrent *a, uint64_t now_ms, uint32_t npending,
    uint32_t *retry)
{
	*retry = 1;
	if (npending >= lc.max_pending)
		return ADMIT_BUSY;
	if (a->pending >= lc.max_pending_per_addr)
		return ADMIT_RATE;
	if (lc.reg_rate > 0) {
		/* Tokens owed are paid first: the rate holds under a burst. */
		while (a->reg_debt > 0 &&
		    bucket_take(&a->reg, now_ms, lc.reg_rate, lc.reg_burst))
			a->reg_debt--;
		if (a->reg_debt > 0 ||
		    !bucket_peek(&a->reg, now_ms, lc.reg_rate, lc.reg_burst)) {
			*retry = bucket_wait_secs(&a->reg, lc.reg_rate) +
			    a->reg_debt / lc.reg_rate;
			return ADMIT_RATE;
		}
	}
	if (lc.hs_rate > 0 &&
	    !bucket_take(&a->hs, now_ms, lc.hs_rate, lc.hs_burst)) {
		*retry = bucket_wait_secs(&a->hs, lc.hs_rate);
		return ADMIT_RATE;
	}
	a->pending++;
	return ADMIT_OK;
}

void
limit_unpend(struct addrent *a)
{
	if (a->pending == 0)
		fatalx("%s: no registration pending", __func__);
	a->pending--;
}

void
limit_charge_registration(struct addrent *a, uint64_t now_ms)
{
	if (lc.reg_rate > 0 &&
	    !bucket_take(&a->reg, now_ms, lc.reg_rate, lc.reg_burst) &&
	    a->reg_debt < UINT32_MAX)
		a->reg_debt++;
}
