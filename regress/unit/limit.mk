# The token bucket at the extremes of the grammar, and the count of
# connections per address.
UNIT_TESTS += limit
limit_SRCS = regress/unit/test_limit.c relayd/limit.c common/log.c
