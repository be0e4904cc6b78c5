# The imsg dispatch of each process, fed hostile messages: libFuzzer
# targets that compile the process's own source in (so the harness can
# set its state up and free it around each input).  Seeds are written by
# regress/fuzz/mkseeds_imsg.py.
FUZZ_TARGETS += imsg_cryptod imsg_relay imsg_parent

fuzz_imsg_cryptod_SRCS = regress/fuzz/fuzz_imsg_cryptod.c cryptod/reg.c \
	common/dispatch.c common/imsg.c common/log.c common/keyfile.c \
	common/b64.c common/proc.c common/sandbox.c
fuzz_imsg_relay_SRCS = regress/fuzz/fuzz_imsg_relay.c $(RELAY_MODULES) \
	relayd/config.c common/ws.c common/utf8.c common/b64.c \
	common/dispatch.c common/imsg.c common/log.c common/proc.c \
	common/sandbox.c
fuzz_imsg_parent_SRCS = regress/fuzz/fuzz_imsg_parent.c relayd/parse.c \
	relayd/config.c relayd/relay.c $(RELAY_MODULES) common/ws.c \
	common/utf8.c common/b64.c common/dispatch.c common/imsg.c \
	common/log.c common/proc.c common/sandbox.c common/keyfile.c

# The processes' sources are included, not listed: rebuild when they change.
$(OBJ)/fuzz/imsg_cryptod: cryptod/cryptod.c regress/fuzz/fuzz_imsg.h \
	common/dispatch.h
$(OBJ)/fuzz/imsg_relay: relayd/relay.c relayd/relay.h $(RELAY_MODULES) \
	regress/fuzz/fuzz_imsg.h common/dispatch.h
$(OBJ)/fuzz/imsg_parent: relayd/relayd.c regress/fuzz/fuzz_imsg.h \
	common/dispatch.h
