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
