# The C client (client/): unit tests, fuzz target and the room test
# program used by t_client.sh against the real daemon.

CLIENT_LIB_SRCS = client/libsws.c client/wire.c client/e2e.c \
	common/ws.c common/utf8.c common/b64.c

UNIT_TESTS += e2e
e2e_SRCS = regress/unit/test_e2e.c $(CLIENT_LIB_SRCS)

$(OBJ)/roomtest: regress/client/roomtest.c $(CLIENT_LIB_SRCS:%.c=$(OBJ)/%.o)
	@mkdir -p $(OBJ)
	$(CC) $(CFLAGS_SWS) -Iclient $(call pkgcflags,$(PKGS_RELAYD)) \
	    $(LDFLAGS_SWS) -o $@ $< $(CLIENT_LIB_SRCS:%.c=$(OBJ)/%.o) \
	    $(call pkglibs,$(PKGS_RELAYD))

test: $(OBJ)/roomtest
