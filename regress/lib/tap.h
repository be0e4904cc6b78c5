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
 * A tiny test harness for the C unit tests: ok() prints one TAP-style line
 * per check, and tap_done() returns the exit status for main().
 */
#ifndef SWS_TAP_H
#define SWS_TAP_H

#include <stdio.h>

static int tap_failures;

#define ok(cond, ...) do {						\
	if (cond) {							\
		printf("ok - ");					\
	} else {							\
		printf("not ok - ");					\
		tap_failures++;						\
	}								\
	printf(__VA_ARGS__);						\
	printf(" (%s:%d)\n", __FILE__, __LINE__);			\
	fflush(stdout);							\
} while (0)

static inline int
tap_done(void)
{
	return tap_failures == 0 ? 0 : 1;
}

#endif /* SWS_TAP_H */
