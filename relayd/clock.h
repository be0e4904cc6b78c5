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
 * The relay's clock and its timer lists, at the bottom of the relay
 * process: every layer above reads the time or moves a session between
 * lists, and the tick in relay.c walks them.
 */
#ifndef SWS_CLOCK_H
#define SWS_CLOCK_H

#include <stdint.h>

struct session;

/* Milliseconds of the monotonic clock: 64 bits, and the 32 the timers use. */
uint64_t relay_msec(void);
uint32_t relay_now_ms(void);
/*
 * Whether span ms have passed from then to now, on the 32-bit clock: the
 * difference is signed, so a stamp later than now (the clock stepped
 * since now was read) is not due, and the wrap every 49.7 days is
 * harmless for spans below 24 days.
 */
int	timer_due(uint32_t now, uint32_t then, uint32_t span);
/* Move s to the tail of timer list tlist (TL_*), stamped now. */
void	relay_timer_set(struct session *, int tlist);

#endif /* SWS_CLOCK_H */
