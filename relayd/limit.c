/*
 * Token bucket arithmetic.  Everything is 64-bit and no product can
 * overflow whatever the time since the last refill: the refill is cut at
 * the room left in the bucket before it is multiplied out.
 */
#include <stdint.h>

#include "limit.h"

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
