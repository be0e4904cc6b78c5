/*
 * Token bucket arithmetic, and the table of connections per address.
 *
 * Everything in a bucket is 64-bit and no product can overflow whatever
 * the time since the last refill: the refill is cut at the room left in
 * the bucket before it is multiplied out.
 *
 * The address table is a hash table keyed with SipHash under a random
 * key, so that a client choosing its source addresses (an IPv6 prefix
 * holds many) cannot aim at one bucket.  An address has an entry only
 * while it has a connection.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "khash.h"
#include "limit.h"
#include "log.h"

struct addrent {
	UT_hash_handle		 hh;
	uint8_t			 addr[16];
	uint32_t		 count;
};

static struct addrent	*addrs;

void
bucket_init(struct bucket *b, uint64_t now_ms, uint32_t burst)
{
	b->milli = (uint64_t)burst * 1000;
	b->stamp_ms = now_ms;
}

int
bucket_take(struct bucket *b, uint64_t now_ms, uint32_t rate, uint32_t burst)
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
	if (b->milli < 1000)
		return 0;
	b->milli -= 1000;
	return 1;
}

void
limit_init(void)
{
	khash_init();
}

struct addrent *
limit_addr_get(const struct sockaddr *sa, uint32_t max)
{
	struct addrent	*a;
	uint8_t		 key[16];

	memset(key, 0, sizeof(key));
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, 16);
	} else {
		/* as an IPv4-mapped address, so both forms count as one */
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
	}
	HASH_FIND(hh, addrs, key, sizeof(key), a);
	if (a == NULL) {
		if ((a = calloc(1, sizeof(*a))) == NULL)
			return NULL;
		memcpy(a->addr, key, sizeof(key));
		HASH_ADD(hh, addrs, addr, sizeof(a->addr), a);
	}
	if (a->count >= max) {
		if (a->count == 0) {
			HASH_DEL(addrs, a);
			free(a);
		}
		return NULL;
	}
	a->count++;
	return a;
}

void
limit_addr_put(struct addrent *a)
{
	if (a == NULL)
		return;
	if (--a->count == 0) {
		HASH_DEL(addrs, a);
		free(a);
	}
}
