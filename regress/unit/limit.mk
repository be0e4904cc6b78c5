# The token bucket at the extremes of the grammar.
UNIT_TESTS += limit
limit_SRCS = regress/unit/test_limit.c relayd/limit.c
