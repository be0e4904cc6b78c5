# relayd.conf: the parser and checks under ASan/UBSan, and a fuzz target.
# relayd/parse.c is made from relayd/parse.y by the rule in the Makefile.
UNIT_TESTS += config
config_SRCS = regress/unit/test_config.c relayd/parse.c relayd/config.c \
	common/log.c

FUZZ_TARGETS += config
fuzz_config_SRCS = regress/fuzz/fuzz_config.c relayd/parse.c \
	relayd/config.c common/log.c
