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
