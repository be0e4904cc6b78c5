# The token bucket at the extremes of the grammar, and the count of
# connections per address.
UNIT_TESTS += limit
limit_SRCS = regress/unit/test_limit.c relayd/limit.c relayd/khash.c \
	common/log.c

# The timer lists' comparison on the 32-bit clock.
UNIT_TESTS += clock
clock_SRCS = regress/unit/test_clock.c relayd/clock.c
