# Tests of cryptod: its registration cryptography against vectors.json
# (t_cryptod.py drives the real executable over its socketpairs).
UNIT_TESTS += cryptod/reg
cryptod/reg_SRCS = regress/cryptod/test_reg.c cryptod/reg.c common/b64.c \
	common/log.c
