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
 * timer_due(), the one comparison the relay's timer lists use: a signed
 * span on the 32-bit millisecond clock.  A stamp later than the tick's
 * "now" is never due (an unsigned difference once called it due and
 * freed closing sessions before their last frames, or cycled the live
 * list for ever), and the clock's wrap every 49.7 days changes nothing.
 */
#include <stdint.h>

#include "clock.h"
#include "relay.h"
#include "regress/lib/tap.h"

struct relay	*relay;		/* relay_timer_set()'s, unused here */

int
main(void)
{
	ok(timer_due(1000, 1000, 0), "span 0, stamped now: due");
	ok(!timer_due(1000, 1004, 0), "stamped 4 ms after now: not due, "
	    "even for span 0");
	ok(!timer_due(1000, 1004, 2000), "stamped after now: not due for "
	    "2000 ms (the unsigned span was 4294967292)");
	ok(timer_due(3000, 1000, 2000), "2000 ms passed: due for 2000");
	ok(!timer_due(2999, 1000, 2000), "1999 ms passed: not yet");
	ok(timer_due(0x100, 0xffffff00U, 512), "across the 2^32 wrap: "
	    "512 ms passed, due for 512");
	ok(!timer_due(0x100, 0xffffff00U, 513), "... and not for 513");
	ok(!timer_due(0xfffffff0U, 0x10, 10), "stamped after now across "
	    "the wrap: not due");
	ok(timer_due(86400000U + 5, 5, 86400000U), "a day, the longest "
	    "timeout relayd.conf allows: due");
	ok(!timer_due(86400000U + 4, 5, 86400000U), "a day less 1 ms: not "
	    "yet");
	return tap_done();
}
