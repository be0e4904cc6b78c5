# Tests of the foundation: imsg, base64url/key file, sandbox.
UNIT_TESTS += imsg keyfile
imsg_SRCS = regress/unit/test_imsg.c common/imsg.c
keyfile_SRCS = regress/unit/test_keyfile.c common/keyfile.c common/b64.c

# The sandbox test runs the real filters, so it is built without the
# sanitizers (their runtime makes calls the filters refuse).
all: $(OBJ)/sandbox-test
$(OBJ)/sandbox-test: regress/unit/test_sandbox.c common/sandbox.c common/proc.c common/log.c | $(OBJ)/.deps
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_SWS) -Wno-missing-prototypes $(call pkgcflags,$(PKGS_RELAYD)) -o $@ $^ $(call pkglibs,$(PKGS_RELAYD))

UNIT_TESTS += reg
reg_SRCS = regress/unit/test_reg.c cryptod/reg.c common/b64.c common/log.c

FUZZ_TARGETS += b64diff
fuzz_b64diff_SRCS = regress/fuzz/fuzz_b64diff.c common/b64.c

# The imsg dispatch table every process reads its channels through.
UNIT_TESTS += dispatch
dispatch_SRCS = regress/unit/test_dispatch.c common/dispatch.c common/imsg.c \
	common/log.c
