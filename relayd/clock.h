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
/* Move s to the tail of timer list tlist (TL_*), stamped now. */
void	relay_timer_set(struct session *, int tlist);

#endif /* SWS_CLOCK_H */
