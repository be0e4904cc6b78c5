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
 * The relay's clock and timer lists.  Timeouts are kept in lists ordered
 * by deadline, walked from the head by a coarse tick (relay_tick): no
 * per-session timer, no scan of every session.  A session joins the tail
 * of a list stamped with the time, so each list stays in order.
 */
#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "relay.h"

uint64_t
relay_msec(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wraps every 49.7 days: only for differences below that (timer lists). */
uint32_t
relay_now_ms(void)
{
	return (uint32_t)relay_msec();
}

int
timer_due(uint32_t now, uint32_t then, uint32_t span)
{
	return (int32_t)(now - then) >= 0 && now - then >= span;
}

void
relay_timer_set(struct session *s, int tlist)
{
	if (s->tlist != TL_NONE)
		TAILQ_REMOVE(&relay->tl[s->tlist], s, timer_entry);
	s->tlist = (uint8_t)tlist;
	s->t_list = relay_now_ms();
	if (tlist != TL_NONE)
		TAILQ_INSERT_TAIL(&relay->tl[tlist], s, timer_entry);
}
